//! The memory a training run needs, estimated before anything is built, and the budget
//! that refuses a run that would not fit: each field has its bounds, but their product
//! (a DNC's N × N link per step, kept for every step of a long sequence, on every
//! thread) does not, and running out of memory kills the process or the tab instead of
//! saying why. Natively the budget is `engram train --ram-budget`; the page has a
//! fixed one that a phone survives.

use super::config::TrainConfig;
use super::parallel::{chunk_count, threads_used};
use crate::error::{config_error, Result};
use crate::models::describe;
use serde::Serialize;

/// `engram train`'s default budget, in MB.
pub const NATIVE_BUDGET_MB: u64 = 8_000;
/// The page's budget, in MB: what a phone's tab survives.
pub const PAGE_BUDGET_MB: u64 = 1_000;

const MB: f64 = 1e6;

/// What a configuration is estimated to need for training, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct RamEstimate {
    pub parameters: usize,
    /// Steps of the task's longest sequence.
    pub steps: usize,
    /// Threads that hold a sequence's state at once.
    pub threads: usize,
    /// The parameters, their gradient, the optimiser's two moments and the per-chunk
    /// gradient sums alive at once.
    pub parameter_bytes: u64,
    /// One sequence's forward and backward state (per thread).
    pub sequence_bytes: u64,
    /// The batch itself.
    pub batch_bytes: u64,
    pub bytes: u64,
}

impl RamEstimate {
    /// "about 812 MB (…)", for a person.
    pub fn describe(&self) -> String {
        format!(
            "about {:.0} MB ({} parameters: {:.1} MB with gradients and optimiser state; {:.1} MB per sequence of {} steps × {} thread{})",
            self.bytes as f64 / MB,
            self.parameters,
            self.parameter_bytes as f64 / MB,
            self.sequence_bytes as f64 / MB,
            self.steps,
            self.threads,
            if self.threads == 1 { "" } else { "s" }
        )
    }
}

/// The training memory `config` needs: built from the model's description (its
/// parameter layout and sizes, nothing allocated), the task's longest sequence, the batch
/// and the threads that hold a sequence each.
pub fn estimate_ram(config: &TrainConfig) -> Result<RamEstimate> {
    let model = describe(&config.architecture)?;
    let task = &config.task;
    let steps = task.max_steps();
    let threads = threads_used(config.batch_size, config.worker_threads());
    let parameters = model.params().len();
    let float = std::mem::size_of::<f32>() as u64;
    // Values, gradient, two moments, and one gradient sum per chunk of the batch.
    let parameter_bytes = float * parameters as u64 * (4 + chunk_count(config.batch_size) as u64);
    let sequence_bytes = float * model.sequence_floats(steps) as u64;
    let batch_bytes = float
        * (config.batch_size * steps * (task.input_width() + 2 * task.output_width() + 1)) as u64;
    Ok(RamEstimate {
        parameters,
        steps,
        threads,
        parameter_bytes,
        sequence_bytes,
        batch_bytes,
        bytes: parameter_bytes + threads as u64 * sequence_bytes + batch_bytes,
    })
}

/// The estimate, or a refusal naming it, the budget and the longest sequences that fit
/// with every other setting kept.
pub fn check_ram(config: &TrainConfig, budget_mb: u64) -> Result<RamEstimate> {
    let estimate = estimate_ram(config)?;
    let budget = budget_mb.saturating_mul(1_000_000);
    if estimate.bytes <= budget {
        return Ok(estimate);
    }
    let task = &config.task;
    let fits = (1..task.max_length()).rev().find(|&length| {
        let shorter = task
            .with_max_length(length)
            .with_min_length(task.min_length().min(length));
        let candidate = TrainConfig {
            task: shorter,
            ..config.clone()
        };
        candidate.task.validate().is_ok()
            && estimate_ram(&candidate).is_ok_and(|e| e.bytes <= budget)
    });
    let advice = match fits {
        Some(length) => format!(
            "the longest sequences that fit have length {length} (now {})",
            task.max_length()
        ),
        None => "no sequence length fits: make the model smaller (fewer memory slots, a smaller controller or memory width)".into(),
    };
    Err(config_error(format!(
        "this configuration needs {} to train, over the RAM budget of {budget_mb} MB; {advice}",
        estimate.describe()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::Family;
    use crate::kinds::ModelKind;

    fn preset(model: ModelKind, task: &str) -> TrainConfig {
        let mut config = TrainConfig::preset(model, Family::of(model).task(task).unwrap());
        config.threads = 1;
        config
    }

    #[test]
    fn every_preset_fits_the_page_with_room() {
        for model in ModelKind::ALL {
            let family = Family::of(model);
            for &task in family.tasks() {
                let estimate = estimate_ram(&preset(model, task)).unwrap();
                assert!(
                    estimate.bytes < 50_000_000,
                    "{model} on {task}: {estimate:?}"
                );
                check_ram(&preset(model, task), PAGE_BUDGET_MB).unwrap();
            }
        }
    }

    #[test]
    fn the_dnc_link_makes_memory_grow_with_the_square_of_the_slots() {
        let sized = |slots| {
            let mut config = preset(ModelKind::Dnc, "repeat-copy");
            config.architecture.memory_slots = slots;
            estimate_ram(&config).unwrap().sequence_bytes as f64
        };
        let ratio = sized(512) / sized(256);
        assert!(ratio > 3.5 && ratio <= 4.0, "{ratio}");
    }

    #[test]
    fn a_configuration_over_the_budget_is_refused_with_the_longest_length_that_fits() {
        let mut config = preset(ModelKind::Dnc, "repeat-copy");
        config.architecture.memory_slots = 1024;
        config.task = config.task.with_max_length(64);
        let message = check_ram(&config, PAGE_BUDGET_MB).unwrap_err().to_string();
        assert!(
            message.contains("over the RAM budget of 1000 MB"),
            "{message}"
        );
        assert!(message.contains("per sequence of 706 steps"), "{message}");
        let length: usize = message
            .split("the longest sequences that fit have length ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{message}"));
        let fits = TrainConfig {
            task: config.task.with_max_length(length),
            ..config.clone()
        };
        check_ram(&fits, PAGE_BUDGET_MB).unwrap();
        let longer = TrainConfig {
            task: config.task.with_max_length(length + 1),
            ..config.clone()
        };
        assert!(check_ram(&longer, PAGE_BUDGET_MB).is_err());
        // A model whose parameters alone are over the budget has no length that fits.
        config.architecture.hidden = 2048;
        config.architecture.layers = 4;
        let message = check_ram(&config, 100).unwrap_err().to_string();
        assert!(message.contains("no sequence length fits"), "{message}");
    }
}
