//! Parameter-sharing relaxation (neural_gpu.md §5.1 Regularisers): the encoder keeps r
//! sets of its CGRU parameters, step k (from 1) uses set (k − 1) mod r, and the loss gains
//! a pull towards their mean, raised as the curriculum advances until the sets are
//! averaged into one:
//!
//! ```text
//! penalty = pull · Σ_k ‖θ^(k) − θ̄‖²        θ̄ = (1/r) Σ_k θ^(k)
//! ∂penalty/∂θ^(k) = 2 · pull · (θ^(k) − θ̄)   (the Σ_k (θ^(k) − θ̄) = 0 term drops out)
//! at a curriculum advance: pull ← 1.2 · pull while pull < 0.1, else every θ^(k) ← θ̄
//! ```
//! The sets lie one after another in the parameter vector (`rx.{k}.cgru.{l}.…`), so one
//! description ([`RelaxedSets`]) serves the CPU path and the GPU's `relax` kernel.

use serde::{Deserialize, Serialize};

/// The pull at the start of training (the 2015 trainer's).
pub const INITIAL_PULL: f32 = 0.0005;
/// The factor the pull grows by at each curriculum advance, and the pull past which an
/// advance averages the sets instead.
pub const PULL_GROWTH: f32 = 1.2;
pub const PULL_LIMIT: f32 = 0.1;
/// Sets of encoder parameters a model may keep (the original code's 6, with room).
pub const MAX_RELAX_SETS: usize = 16;

/// Where the relaxed sets are: `sets` runs of `size` parameters from `first`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelaxedSets {
    pub first: usize,
    pub size: usize,
    pub sets: usize,
}

impl RelaxedSets {
    fn at(&self, k: usize, e: usize) -> usize {
        self.first + k * self.size + e
    }

    /// Adds `∂penalty/∂θ` to `grads` and returns the penalty (in nats, like the loss).
    pub fn pull(&self, params: &[f32], pull: f32, grads: &mut [f32]) -> f64 {
        let mut penalty = 0.0f64;
        for e in 0..self.size {
            let mean = self.mean(params, e);
            for k in 0..self.sets {
                let difference = params[self.at(k, e)] - mean;
                penalty += f64::from(pull * difference * difference);
                grads[self.at(k, e)] += 2.0 * pull * difference;
            }
        }
        penalty
    }

    /// Every set ← their mean.
    pub fn average(&self, params: &mut [f32]) {
        for e in 0..self.size {
            let mean = self.mean(params, e);
            for k in 0..self.sets {
                params[self.at(k, e)] = mean;
            }
        }
    }

    fn mean(&self, params: &[f32], e: usize) -> f32 {
        (0..self.sets).map(|k| params[self.at(k, e)]).sum::<f32>() / self.sets as f32
    }
}

/// The pull's schedule over a run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pull {
    pub value: f32,
}

/// What a curriculum advance does to the relaxation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Advance {
    /// The pull grew.
    Raised,
    /// The pull is at its limit: the sets are to be averaged.
    Average,
}

impl Default for Pull {
    fn default() -> Self {
        Pull {
            value: INITIAL_PULL,
        }
    }
}

impl Pull {
    /// The relaxation step that follows a curriculum advance.
    pub fn advance(&mut self) -> Advance {
        if self.value < PULL_LIMIT {
            self.value *= PULL_GROWTH;
            Advance::Raised
        } else {
            Advance::Average
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pull_gradient_matches_finite_differences_and_averaging_zeroes_it() {
        let sets = RelaxedSets {
            first: 1,
            size: 3,
            sets: 3,
        };
        let mut params: Vec<f32> = (0..11).map(|i| ((i * 7) % 5) as f32 * 0.3 - 0.4).collect();
        let pull = 0.25;
        let mut grads = vec![0.0; params.len()];
        let penalty = sets.pull(&params, pull, &mut grads);
        assert!(penalty > 0.0);
        for i in 0..params.len() {
            let h = 1e-3;
            let mut plus = params.clone();
            plus[i] += h;
            let mut minus = params.clone();
            minus[i] -= h;
            let mut scratch = vec![0.0; params.len()];
            let numeric = (sets.pull(&plus, pull, &mut scratch)
                - sets.pull(&minus, pull, &mut scratch))
                / (2.0 * f64::from(h));
            assert!(
                (numeric - f64::from(grads[i])).abs() < 1e-3,
                "{i}: {numeric} vs {}",
                grads[i]
            );
        }
        // Parameters outside the sets are not pulled.
        assert_eq!((grads[0], grads[10]), (0.0, 0.0));
        sets.average(&mut params);
        let mut grads = vec![0.0; params.len()];
        assert!(sets.pull(&params, pull, &mut grads) < 1e-12);
        assert!(grads.iter().all(|g| g.abs() < 1e-6));
    }

    #[test]
    fn the_pull_grows_by_a_fifth_per_advance_until_the_limit_then_averages() {
        let mut pull = Pull::default();
        let mut raised = 0;
        while pull.advance() == Advance::Raised {
            raised += 1;
        }
        // 0.0005 · 1.2^30 ≈ 0.119 is the first pull at or past 0.1.
        assert_eq!(raised, 30);
        assert!(pull.value >= PULL_LIMIT && pull.value < PULL_LIMIT * PULL_GROWTH);
        assert_eq!(pull.advance(), Advance::Average);
    }
}
