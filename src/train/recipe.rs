//! The Diagonal Neural GPU's training recipe (neural_gpu.md §5.3, the released trainer's
//! defaults): every step trains one batch per length bin, adds host-drawn gradient noise,
//! adapts the saturation cost's weight and lowers the learning rate on a plateau.
//! AdaMax itself is an optimiser ([`crate::nn::OptimizerKind::Adamax`]).

use crate::error::{config_error, Result};
use crate::models::gtmm::noise::standard_normals;
use crate::rng::derive_seed;
use crate::tasks::{Batch, TaskConfig};
use serde::{Deserialize, Serialize};

/// The released trainer's bins, in input symbols (columns): up to 20-bit operands.
const RELEASED_BINS: [usize; 9] = [8, 12, 16, 20, 24, 28, 32, 36, 41];

/// Purpose tags of the seeds the recipe draws from.
const SHORTER: u64 = 0x5348_4F52;
const NOISE: u64 = 0x4E4F_4953;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiagonalRecipe {
    /// The bins' upper ends in task lengths, ascending, the last the task's maximum. Bin
    /// i draws lengths from `(bins[i−1], bins[i]]` (the first from the task's minimum);
    /// every step trains `batch_size` sequences of each bin, so its loss is the mean over
    /// bins.
    pub bins: Vec<usize>,
    /// The part of each bin after the first drawn from all shorter lengths instead
    /// (0.05), so short lengths are never forgotten.
    pub shorter_fraction: f64,
    /// The saturation cost's starting weight (1e-3).
    pub saturation_weight: f32,
    /// Each gradient entry gets `N(0, 1)·lr·gradient_noise` (1e-4), drawn on the host.
    pub gradient_noise: f32,
    /// Steps between the weight's adaptation and the plateau check (200).
    pub window: usize,
    /// On a plateau the learning rate is multiplied by this (0.7)…
    pub plateau_factor: f32,
    /// …but never below the starting rate divided by this (60).
    pub min_rate_divisor: f32,
}

impl DiagonalRecipe {
    /// The released trainer's recipe for `task`: its bins (8, 12, …, 41 columns) as task
    /// lengths within the task's range, the task's maximum always the last.
    pub fn released(task: &TaskConfig) -> DiagonalRecipe {
        let (min, max) = (task.min_length(), task.max_length());
        let mut bins: Vec<usize> = RELEASED_BINS
            .iter()
            .filter_map(|&columns| (min..=max).rev().find(|&l| task.columns(l) <= columns))
            .collect();
        bins.push(max);
        bins.sort_unstable();
        bins.dedup();
        DiagonalRecipe {
            bins,
            shorter_fraction: 0.05,
            saturation_weight: 1e-3,
            gradient_noise: 1e-4,
            window: 200,
            plateau_factor: 0.7,
            min_rate_divisor: 60.0,
        }
    }

    /// The released trainer's learning rate for `maps` m: `0.01·48/m`.
    pub fn learning_rate(maps: usize) -> f32 {
        0.01 * 48.0 / maps as f32
    }

    pub fn validate(&self, task: &TaskConfig) -> Result<()> {
        let (min, max) = (task.min_length(), task.max_length());
        let ascending = self.bins.windows(2).all(|w| w[0] < w[1]);
        if self.bins.is_empty()
            || self.bins.len() > 64
            || !ascending
            || self.bins[0] < min
            || self.bins.last() != Some(&max)
        {
            return Err(config_error(format!(
                "recipe.bins must be 1 to 64 ascending lengths within {min}..={max} ending at {max}, got {:?}",
                self.bins
            )));
        }
        if !(0.0..1.0).contains(&self.shorter_fraction) {
            return Err(config_error(format!(
                "recipe.shorter_fraction must be in [0, 1), got {}",
                self.shorter_fraction
            )));
        }
        let unit = |name: &str, v: f32| {
            if (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(config_error(format!(
                    "recipe.{name} must be in [0, 1], got {v}"
                )))
            }
        };
        unit("saturation_weight", self.saturation_weight)?;
        unit("gradient_noise", self.gradient_noise)?;
        if !(self.plateau_factor > 0.0 && self.plateau_factor <= 1.0) {
            return Err(config_error(format!(
                "recipe.plateau_factor must be in (0, 1], got {}",
                self.plateau_factor
            )));
        }
        if !(self.min_rate_divisor >= 1.0 && self.min_rate_divisor.is_finite()) {
            return Err(config_error(format!(
                "recipe.min_rate_divisor must be at least 1, got {}",
                self.min_rate_divisor
            )));
        }
        if !(1..=100_000).contains(&self.window) {
            return Err(config_error(format!(
                "recipe.window must be between 1 and 100000, got {}",
                self.window
            )));
        }
        Ok(())
    }

    /// One step's batch: `per_bin` sequences from each bin, bin after bin.
    pub fn batch(&self, task: &TaskConfig, per_bin: usize, seed: u64) -> Batch {
        let mut parts = Vec::new();
        let mut previous = task.min_length() - 1;
        for (i, &top) in self.bins.iter().enumerate() {
            let seed = derive_seed(seed, i as u64);
            let shorter = if previous >= task.min_length() {
                (self.shorter_fraction * per_bin as f64).round() as usize
            } else {
                0
            };
            let bin = task.with_max_length(top).with_min_length(previous + 1);
            parts.push(bin.batch(per_bin - shorter, seed));
            if shorter > 0 {
                let below = task.with_max_length(previous);
                parts.push(below.batch(shorter, derive_seed(seed, SHORTER)));
            }
            previous = top;
        }
        Batch::concat(&parts, seed)
    }
}

/// What the recipe keeps between steps.
#[derive(Clone, Debug)]
pub struct RecipeState {
    recipe: DiagonalRecipe,
    saturation_weight: f32,
    initial_rate: f32,
    /// Sums over the current window: the cross-entropy per column, the saturation cost
    /// per sequence (before its weight), and the steps.
    loss: f64,
    saturation: f64,
    steps: usize,
    /// Each finished window's mean loss.
    history: Vec<f64>,
}

impl RecipeState {
    pub fn new(recipe: DiagonalRecipe, initial_rate: f32) -> RecipeState {
        RecipeState {
            saturation_weight: recipe.saturation_weight,
            recipe,
            initial_rate,
            loss: 0.0,
            saturation: 0.0,
            steps: 0,
            history: Vec::new(),
        }
    }

    pub fn saturation_weight(&self) -> f32 {
        self.saturation_weight
    }

    /// The noise [`RecipeState::add_noise`] adds to `parameters` gradient entries (for the
    /// GPU path, which adds the gradient to it), or `None` when the recipe adds none.
    pub fn noise(&self, parameters: usize, learning_rate: f32, seed: u64) -> Option<Vec<f32>> {
        if learning_rate * self.recipe.gradient_noise <= 0.0 {
            return None;
        }
        let mut noise = vec![0.0; parameters];
        self.add_noise(&mut noise, learning_rate, seed);
        Some(noise)
    }

    /// Adds `N(0, 1)·lr·gradient_noise` to every entry (normal draws truncated at 2σ, as
    /// `tf.truncated_normal`), from the step's seed.
    pub fn add_noise(&self, grads: &mut [f32], learning_rate: f32, seed: u64) {
        let sd = learning_rate * self.recipe.gradient_noise;
        if sd <= 0.0 {
            return;
        }
        let seed = derive_seed(seed, NOISE);
        let (mut pool, mut next, mut chunks) = (Vec::new(), 0, 0);
        for g in grads {
            let z = loop {
                if next == pool.len() {
                    pool = standard_normals(derive_seed(seed, chunks), 4096);
                    (next, chunks) = (0, chunks + 1);
                }
                next += 1;
                if pool[next - 1].abs() <= 2.0 {
                    break pool[next - 1];
                }
            };
            *g += sd * z;
        }
    }

    /// Records a step's mean cross-entropy per column and mean saturation cost per
    /// sequence. At the end of each window: the weight becomes `lr·loss/saturation`
    /// (within [1e-20, 1e-3]) so the weighted cost stays near `lr` times the loss; and
    /// if the best of the last two windows is worse than the best of the last three, the
    /// rate is multiplied by the plateau factor (not below its floor), which is returned.
    pub fn record(&mut self, loss: f64, saturation: f64, learning_rate: f32) -> Option<f32> {
        self.loss += loss;
        self.saturation += saturation;
        self.steps += 1;
        if self.steps < self.recipe.window {
            return None;
        }
        let (loss, saturation) = (
            self.loss / self.steps as f64,
            self.saturation / self.steps as f64,
        );
        (self.loss, self.saturation, self.steps) = (0.0, 0.0, 0);
        let weight = learning_rate as f64 * loss / (saturation + 1e-20);
        self.saturation_weight = weight.clamp(1e-20, 1e-3) as f32;
        self.history.push(loss);
        let best = |n: usize| {
            let recent = &self.history[self.history.len().saturating_sub(n)..];
            recent.iter().copied().fold(f64::INFINITY, f64::min)
        };
        if self.history.len() >= 2 && best(2) > best(3) {
            let floor = self.initial_rate / self.recipe.min_rate_divisor;
            return Some((learning_rate * self.recipe.plateau_factor).max(floor));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn released_bins_follow_the_columns_of_each_task() {
        let task = |name: &str, max: usize| {
            TaskConfig::symbols_by_name(name)
                .unwrap()
                .with_max_length(max)
        };
        assert_eq!(DiagonalRecipe::released(&task("reverse", 8)).bins, [8]);
        assert_eq!(DiagonalRecipe::released(&task("dup", 8)).bins, [4, 6, 8]);
        assert_eq!(
            DiagonalRecipe::released(&task("add", 20)).bins,
            [3, 5, 7, 9, 11, 13, 15, 17, 20]
        );
        for (name, max) in [("reverse", 8), ("dup", 8), ("add", 20), ("reverse", 30)] {
            let t = task(name, max);
            DiagonalRecipe::released(&t).validate(&t).unwrap();
        }
    }

    #[test]
    fn a_batch_holds_every_bin_with_a_few_shorter_sequences() {
        let task = TaskConfig::symbols_by_name("add")
            .unwrap()
            .with_max_length(20);
        let recipe = DiagonalRecipe::released(&task);
        let batch = recipe.batch(&task, 40, 7);
        assert_eq!(batch.size, 40 * recipe.bins.len());
        // Bin 2 holds lengths 6..=7 (13 or 15 columns), but for 2 of 40 from 1..=5.
        let bin: Vec<usize> = batch.lengths[80..120].to_vec();
        let inside = bin.iter().filter(|&&n| n == 13 || n == 15).count();
        assert_eq!(inside, 38, "{bin:?}");
        assert!(bin.iter().all(|&n| n <= 15));
        assert_eq!(
            batch,
            recipe.batch(&task, 40, 7),
            "the seed fixes the batch"
        );
    }

    #[test]
    fn the_weight_tracks_the_loss_and_a_plateau_lowers_the_rate() {
        let task = TaskConfig::symbols_by_name("reverse").unwrap();
        let recipe = DiagonalRecipe {
            window: 2,
            ..DiagonalRecipe::released(&task)
        };
        let mut state = RecipeState::new(recipe, 0.02);
        assert_eq!(state.record(1.0, 10.0, 0.02), None);
        // Window mean loss 1, saturation 10: weight = 0.02 · 1 / 10.
        assert_eq!(state.record(1.0, 10.0, 0.02), None);
        assert!((state.saturation_weight() - 0.002f32.min(1e-3)).abs() < 1e-9);
        state.record(0.5, 1e6, 0.02);
        assert_eq!(state.record(0.5, 1e6, 0.02), None, "improving");
        assert!((state.saturation_weight() - 1e-8).abs() < 1e-12);
        state.record(0.9, 1.0, 0.02);
        assert_eq!(
            state.record(0.9, 1.0, 0.02),
            None,
            "one window without progress"
        );
        state.record(0.9, 1.0, 0.02);
        let lowered = state.record(0.9, 1.0, 0.02);
        assert_eq!(
            lowered,
            Some(0.02 * 0.7),
            "two windows no better than the one before"
        );
        for _ in 0..3 {
            state.record(1.5, 1.0, 0.0004);
        }
        assert_eq!(state.record(1.5, 1.0, 0.0004), Some(0.02 / 60.0), "floored");
    }
}
