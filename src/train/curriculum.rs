//! Length curriculum (tasks.md): raise the maximum training length when the recent
//! mean error is under a threshold.

use super::config::CurriculumConfig;
use std::collections::VecDeque;

#[derive(Clone, Debug)]
pub struct Curriculum {
    config: CurriculumConfig,
    target: usize,
    current: usize,
    recent_errors: VecDeque<f64>,
}

impl Curriculum {
    /// A curriculum that ends at `target`, the task's configured maximum length.
    pub fn new(config: CurriculumConfig, target: usize) -> Self {
        Curriculum {
            current: config.start.min(target),
            config,
            target,
            recent_errors: VecDeque::new(),
        }
    }

    /// The maximum length to train at now.
    pub fn current(&self) -> usize {
        self.current
    }

    /// Records one step's bit errors per sequence; returns true when the length rose.
    pub fn record(&mut self, bit_errors_per_sequence: f64) -> bool {
        if self.current >= self.target {
            return false;
        }
        self.recent_errors.push_back(bit_errors_per_sequence);
        if self.recent_errors.len() > self.config.window {
            self.recent_errors.pop_front();
        }
        let full = self.recent_errors.len() == self.config.window;
        let mean = self.recent_errors.iter().sum::<f64>() / self.recent_errors.len() as f64;
        if full && mean < self.config.threshold {
            self.current = (self.current + self.config.step).min(self.target);
            self.recent_errors.clear();
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rises_only_after_a_full_window_under_the_threshold_and_stops_at_the_target() {
        let config = CurriculumConfig {
            start: 2,
            step: 3,
            window: 3,
            threshold: 0.5,
        };
        let mut c = Curriculum::new(config, 6);
        assert!(!c.record(0.1) && !c.record(0.1));
        assert!(c.record(0.1));
        assert_eq!(c.current(), 5);
        assert!(!c.record(2.0) && !c.record(0.0) && !c.record(0.0)); // mean 0.67
        assert!(c.record(0.0)); // window now [0, 0, 0]
        assert_eq!(c.current(), 6);
        assert!(!c.record(0.0) && !c.record(0.0) && !c.record(0.0));
        assert_eq!(c.current(), 6);
    }
}
