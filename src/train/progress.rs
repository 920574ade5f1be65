//! Schedules driven by how well training is going: each watches the objective's
//! schedule error of recent steps (bit errors per sequence, or the fraction of wrong
//! sequences; see [`crate::objective::Metrics::schedule_error`]) and acts when their mean
//! over a full window is under a threshold. The length curriculum (tasks.md) raises the task length; the learning-rate
//! decay lowers the step size once the task is solved.

use super::config::{CurriculumConfig, DecayConfig, TrainConfig};
use crate::models::neural_gpu::relaxation::{Advance, Pull};
use crate::rng::Pcg32;
use std::collections::VecDeque;

/// The bit errors of the last `window` steps.
#[derive(Clone, Debug)]
struct RecentErrors {
    window: usize,
    threshold: f64,
    errors: VecDeque<f64>,
}

impl RecentErrors {
    fn new(window: usize, threshold: f64) -> Self {
        RecentErrors {
            window,
            threshold,
            errors: VecDeque::with_capacity(window + 1),
        }
    }

    /// Records one step; true when the window is full and its mean is under the
    /// threshold, which starts a new window.
    fn record_and_check(&mut self, error: f64) -> bool {
        self.errors.push_back(error);
        if self.errors.len() > self.window {
            self.errors.pop_front();
        }
        let full = self.errors.len() == self.window;
        let mean = self.errors.iter().sum::<f64>() / self.errors.len() as f64;
        if full && mean < self.threshold {
            self.errors.clear();
            return true;
        }
        false
    }
}

/// Length curriculum: raises the maximum training length when the recent mean error is
/// under a threshold.
#[derive(Clone, Debug)]
pub struct Curriculum {
    step: usize,
    /// The task's own minimum and maximum length.
    shortest: usize,
    target: usize,
    current: usize,
    mixture: bool,
    recent: RecentErrors,
}

impl Curriculum {
    /// A curriculum over the task's lengths `shortest..=target` that ends at `target`.
    pub fn new(config: CurriculumConfig, shortest: usize, target: usize) -> Self {
        Curriculum {
            current: config.start.min(target),
            step: config.step,
            shortest,
            target,
            mixture: config.mixture,
            recent: RecentErrors::new(config.window, config.threshold),
        }
    }

    /// With the length mixture, this batch's single length drawn from `rng` (see
    /// [`CurriculumConfig`]); without it, `None` (each sequence draws its own length up
    /// to [`Curriculum::current`]).
    pub fn batch_length(&self, rng: &mut Pcg32) -> Option<usize> {
        if !self.mixture {
            return None;
        }
        let low = self.shortest.min(self.current);
        let mut length = rng.range_inclusive(low, self.current);
        if rng.next_f32() < 0.6 {
            length = length.max(rng.range_inclusive(low, self.current));
        }
        if rng.next_f32() < 0.25 {
            length = length.max(rng.range_inclusive(low, self.target));
        }
        Some(length)
    }

    /// The maximum length to train at now.
    pub fn current(&self) -> usize {
        self.current
    }

    /// Whether the curriculum has reached the task's own maximum length.
    pub fn finished(&self) -> bool {
        self.current >= self.target
    }

    /// Records one step at `length` (its longest sequence) with its schedule error;
    /// returns true when the length rose. With the mixture, steps longer than the
    /// current length do not count.
    pub fn record(&mut self, length: usize, error: f64) -> bool {
        if self.finished() || (self.mixture && length > self.current) {
            return false;
        }
        if !self.recent.record_and_check(error) {
            return false;
        }
        self.current = (self.current + self.step).min(self.target);
        true
    }
}

/// Learning-rate decay once the task is solved: Adam's steps stay large while the
/// gradients vanish, and a solved NTM otherwise relapses (see docs/results.md, "Presets").
/// It holds its window of errors, not the rate: the trainer's configuration does.
#[derive(Clone, Debug)]
pub struct Decay {
    factor: f32,
    min_learning_rate: f32,
    recent: RecentErrors,
}

impl Decay {
    pub fn new(config: DecayConfig) -> Self {
        Decay {
            factor: config.factor,
            min_learning_rate: config.min_learning_rate,
            recent: RecentErrors::new(config.window, config.threshold),
        }
    }

    /// Records one step's schedule error at `learning_rate`; returns the lowered rate
    /// when the recent mean is under the threshold.
    pub fn record(&mut self, error: f64, learning_rate: f32) -> Option<f32> {
        if learning_rate <= self.min_learning_rate || !self.recent.record_and_check(error) {
            return None;
        }
        Some((learning_rate * self.factor).max(self.min_learning_rate))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_curriculum_rises_only_after_a_full_window_under_the_threshold_and_stops_at_the_target() {
        let config = CurriculumConfig {
            start: 2,
            step: 3,
            window: 3,
            threshold: 0.5,
            mixture: false,
        };
        let mut c = Curriculum::new(config, 1, 6);
        assert_eq!(c.batch_length(&mut Pcg32::new(1)), None);
        assert!(!c.record(2, 0.1) && !c.record(2, 0.1));
        assert!(c.record(2, 0.1));
        assert_eq!(c.current(), 5);
        assert!(!c.record(5, 2.0) && !c.record(5, 0.0) && !c.record(5, 0.0)); // mean 0.67
        assert!(c.record(5, 0.0)); // window now [0, 0, 0]
        assert_eq!(c.current(), 6);
        assert!(c.finished());
        assert!(!c.record(6, 0.0) && !c.record(6, 0.0) && !c.record(6, 0.0));
        assert_eq!(c.current(), 6);
    }

    #[test]
    fn the_mixture_draws_one_length_per_batch_mostly_up_to_the_current_one() {
        let config = CurriculumConfig {
            start: 4,
            step: 1,
            window: 2,
            threshold: 0.15,
            mixture: true,
        };
        let mut c = Curriculum::new(config, 2, 20);
        let mut rng = Pcg32::new(7);
        let lengths: Vec<usize> = (0..4000)
            .map(|_| c.batch_length(&mut rng).unwrap())
            .collect();
        assert!(lengths.iter().all(|l| (2..=20).contains(l)));
        let beyond = lengths.iter().filter(|&&l| l > 4).count() as f64 / 4000.0;
        // P(beyond) = 0.25 · P(U[2, 20] > max of the rest) ≈ 0.25 · 16/19 · (most).
        assert!((0.15..0.25).contains(&beyond), "{beyond}");
        // The larger-of-two draw favours the current length: P(4) ≈ 0.37 against
        // P(2) ≈ 0.15 (0.4·1/3 + 0.6·5/9 against 0.4·1/3 + 0.6·1/9, before the 25% draw).
        let at_current = lengths.iter().filter(|&&l| l == 4).count();
        let at_shortest = lengths.iter().filter(|&&l| l == 2).count();
        assert!(
            at_current > 2 * at_shortest,
            "{at_current} vs {at_shortest}"
        );
        // Lengths beyond the current one do not count towards the window.
        assert!(!c.record(9, 0.0) && !c.record(9, 0.0));
        assert!(!c.record(3, 0.0));
        assert!(c.record(4, 0.0));
        assert_eq!(c.current(), 5);
    }

    #[test]
    fn decay_lowers_the_rate_after_each_solved_window_down_to_its_floor() {
        let config = DecayConfig {
            threshold: 0.25,
            window: 2,
            factor: 0.1,
            min_learning_rate: 2e-4,
        };
        let mut d = Decay::new(config);
        // The trainer's rate, which takes each lowered rate the decay returns.
        let mut rate = 3e-2;
        let mut record = |error: f64| {
            let lowered = d.record(error, rate);
            rate = lowered.unwrap_or(rate);
            lowered
        };
        let close = |rate: Option<f32>, expected: f32| (rate.unwrap() - expected).abs() < 1e-9;
        assert_eq!(record(1.0), None);
        assert_eq!(record(0.0), None); // mean 0.5
        assert!(close(record(0.0), 3e-3));
        assert_eq!(record(0.0), None); // a fresh window
        assert!(close(record(0.0), 3e-4));
        assert_eq!(record(0.0), None);
        assert_eq!(record(0.0), Some(2e-4)); // 3e-5 would pass the floor
        for _ in 0..4 {
            assert_eq!(record(0.0), None);
        }
        assert_eq!(rate, 2e-4);
    }
}

/// The schedules that follow training's progress.
#[derive(Clone, Debug)]
pub(super) struct Progress {
    pub(super) curriculum: Option<Curriculum>,
    pub(super) decay: Option<Decay>,
    /// Parameter-sharing relaxation's pull (Neural GPU with relaxed sets).
    pub(super) pull: Option<Pull>,
}

/// What recording a step asks of the trainer.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Recorded {
    /// The learning rate the decay lowered to.
    pub(super) learning_rate: Option<f32>,
    /// The curriculum advanced with the pull at its limit: average the relaxed sets.
    pub(super) average: bool,
}

impl Progress {
    pub(super) fn new(config: &TrainConfig) -> Progress {
        Progress {
            curriculum: config
                .curriculum
                .clone()
                .map(|c| Curriculum::new(c, config.task.min_length(), config.task.max_length())),
            decay: config.decay.clone().map(Decay::new),
            pull: config
                .architecture
                .image
                .as_ref()
                .is_some_and(|image| image.relax_sets > 1)
                .then(Pull::default),
        }
    }

    /// Records a step at `length` with its schedule error, trained at `learning_rate`: a
    /// lowered learning rate when the decay calls for one (decay waits for the curriculum
    /// to reach the full length), and relaxation's step when the curriculum advances
    /// (neural_gpu.md §5.1).
    pub(super) fn record(&mut self, length: usize, error: f64, learning_rate: f32) -> Recorded {
        if let Some(c) = &mut self.curriculum {
            if !c.finished() {
                let advanced = c.record(length, error);
                let average = match &mut self.pull {
                    Some(pull) if advanced => pull.advance() == Advance::Average,
                    _ => false,
                };
                return Recorded {
                    learning_rate: None,
                    average,
                };
            }
        }
        Recorded {
            learning_rate: self
                .decay
                .as_mut()
                .and_then(|d| d.record(error, learning_rate)),
            average: false,
        }
    }

    pub(super) fn pull(&self) -> Option<f32> {
        self.pull.map(|p| p.value)
    }
}
