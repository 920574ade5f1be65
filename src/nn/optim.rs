//! Optimisers on flat parameter buffers, and global-norm gradient clipping.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptimizerKind {
    Adam,
    Rmsprop,
    /// The Diagonal Neural GPU's AdaMax (neural_gpu.md §5.3): Adam with the infinity norm,
    /// each gradient entry clipped to its running maximum, β2 on a schedule.
    Adamax,
}

/// Optimiser settings. Adam uses `beta1`, `beta2`, `epsilon`; RMSProp uses `decay`
/// (the squared-gradient average's ρ), `momentum` and `epsilon`; AdaMax uses `beta1` and
/// `epsilon`, and its β2 follows [`adamax_beta2`] (`beta2` unused).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OptimizerConfig {
    pub kind: OptimizerKind,
    pub learning_rate: f32,
    pub beta1: f32,
    pub beta2: f32,
    pub decay: f32,
    pub momentum: f32,
    pub epsilon: f32,
}

impl Default for OptimizerConfig {
    fn default() -> Self {
        OptimizerConfig {
            kind: OptimizerKind::Adam,
            learning_rate: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            decay: 0.95,
            momentum: 0.9,
            epsilon: 1e-8,
        }
    }
}

impl OptimizerConfig {
    /// Range checks, with a message naming the offending field.
    pub fn validate(&self) -> Result<(), String> {
        let unit = |name: &str, v: f32| {
            if (0.0..1.0).contains(&v) {
                Ok(())
            } else {
                Err(format!("optimizer.{name} must be in [0, 1), got {v}"))
            }
        };
        if !(self.learning_rate > 0.0 && self.learning_rate <= 1.0) {
            return Err(format!(
                "learning rate must be in (0, 1], got {}",
                self.learning_rate
            ));
        }
        unit("beta1", self.beta1)?;
        unit("beta2", self.beta2)?;
        unit("decay", self.decay)?;
        unit("momentum", self.momentum)?;
        if !(self.epsilon > 0.0 && self.epsilon < 1.0) {
            return Err(format!(
                "optimizer.epsilon must be in (0, 1), got {}",
                self.epsilon
            ));
        }
        Ok(())
    }
}

/// AdaMax's β2 before update number `step` (from 0, TF's global step): `1 − max(0.0005,
/// 0.01·0.5^(step/2000))`, so the running maximum forgets fast early and slowly later.
pub fn adamax_beta2(step: u32) -> f32 {
    1.0 - (0.01 * 0.5f32.powf(step as f32 / 2000.0)).max(0.0005)
}

/// AdaMax clips each gradient entry to `±(1.2·u + 1e-4)`, u its running maximum, so one
/// outlying batch cannot move a weight far (the released optimiser's defaults).
pub const ADAMAX_CLIP_MULTIPLIER: f32 = 1.2;
pub const ADAMAX_CLIP_EPSILON: f32 = 1e-4;

/// Optimiser state for one parameter buffer.
#[derive(Clone, Debug)]
pub struct Optimizer {
    config: OptimizerConfig,
    first_moment: Vec<f32>,
    second_moment: Vec<f32>,
    steps: u32,
}

impl Optimizer {
    pub fn new(config: OptimizerConfig, parameters: usize) -> Self {
        Optimizer {
            config,
            first_moment: vec![0.0; parameters],
            second_moment: vec![0.0; parameters],
            steps: 0,
        }
    }

    /// Continues from saved state: the moments laid out as [`Optimizer::moments`] gives
    /// them, after `steps` updates.
    pub fn from_state(config: OptimizerConfig, moments: &[f32], steps: u32) -> Self {
        let (first, second) = moments.split_at(moments.len() / 2);
        Optimizer {
            config,
            first_moment: first.to_vec(),
            second_moment: second.to_vec(),
            steps,
        }
    }

    /// Both moment buffers, first then second (Adam: m, v; RMSProp: velocity, mean
    /// square), as the GPU path lays them out.
    pub fn moments(&self) -> Vec<f32> {
        [self.first_moment.as_slice(), &self.second_moment].concat()
    }

    /// Updates applied so far.
    pub fn steps(&self) -> u32 {
        self.steps
    }

    /// Applies one update of `params` along `grads` at `learning_rate`, the trainer's
    /// rate at this step (a decay or the page may have changed it: the configuration's
    /// `learning_rate` is not read here).
    pub fn update(&mut self, params: &mut [f32], grads: &[f32], learning_rate: f32) {
        let beta2 = adamax_beta2(self.steps);
        self.steps += 1;
        let c = &self.config;
        match c.kind {
            // g ← clip(g, ±(1.2·u + 1e-4));  m ← β1·m + (1 − β1)·g;  u ← max(β2·u, |g|)
            // θ ← θ − lr · m / (u + ε)                      (no bias correction, as released)
            OptimizerKind::Adamax => {
                for (((p, &g), m), u) in params
                    .iter_mut()
                    .zip(grads)
                    .zip(&mut self.first_moment)
                    .zip(&mut self.second_moment)
                {
                    let bound = ADAMAX_CLIP_MULTIPLIER * *u + ADAMAX_CLIP_EPSILON;
                    let g = g.clamp(-bound, bound);
                    *m = c.beta1 * *m + (1.0 - c.beta1) * g;
                    *u = (beta2 * *u).max(g.abs());
                    *p -= learning_rate * *m / (*u + c.epsilon);
                }
            }
            OptimizerKind::Adam => {
                let t = self.steps as i32;
                let correction1 = 1.0 - c.beta1.powi(t);
                let correction2 = 1.0 - c.beta2.powi(t);
                let step = learning_rate / correction1;
                let root_correction2 = correction2.sqrt();
                for (((p, &g), m), v) in params
                    .iter_mut()
                    .zip(grads)
                    .zip(&mut self.first_moment)
                    .zip(&mut self.second_moment)
                {
                    *m = c.beta1 * *m + (1.0 - c.beta1) * g;
                    *v = c.beta2 * *v + (1.0 - c.beta2) * g * g;
                    *p -= step * *m / (v.sqrt() / root_correction2 + c.epsilon);
                }
            }
            OptimizerKind::Rmsprop => {
                for (((p, &g), velocity), mean_square) in params
                    .iter_mut()
                    .zip(grads)
                    .zip(&mut self.first_moment)
                    .zip(&mut self.second_moment)
                {
                    *mean_square = c.decay * *mean_square + (1.0 - c.decay) * g * g;
                    *velocity = c.momentum * *velocity + g / (mean_square.sqrt() + c.epsilon);
                    *p -= learning_rate * *velocity;
                }
            }
        }
    }
}

/// Scales `grads` so their global L2 norm is at most `max_norm`; returns the norm
/// before clipping (non-finite if any gradient is).
pub fn clip_global_norm(grads: &mut [f32], max_norm: f32) -> f32 {
    let norm = grads
        .iter()
        .map(|&g| (g as f64) * (g as f64))
        .sum::<f64>()
        .sqrt() as f32;
    if norm.is_finite() && norm > max_norm {
        let scale = max_norm / norm;
        grads.iter_mut().for_each(|g| *g *= scale);
    }
    norm
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimise_quadratic(kind: OptimizerKind) -> f32 {
        let config = OptimizerConfig {
            kind,
            learning_rate: 0.05,
            ..OptimizerConfig::default()
        };
        let mut optimizer = Optimizer::new(config, 2);
        let mut p = [3.0f32, -2.0];
        for _ in 0..500 {
            let g = [2.0 * p[0], 2.0 * p[1]];
            optimizer.update(&mut p, &g, 0.05);
        }
        p[0].abs() + p[1].abs()
    }

    #[test]
    fn every_optimiser_minimises_a_quadratic() {
        assert!(minimise_quadratic(OptimizerKind::Adam) < 0.05);
        assert!(minimise_quadratic(OptimizerKind::Rmsprop) < 0.05);
        assert!(minimise_quadratic(OptimizerKind::Adamax) < 0.05);
    }

    /// The released optimiser by hand, for two updates of one entry: the first gradient
    /// is clipped to ±1e-4 (u starts at 0), the second to ±(1.2·u + 1e-4).
    #[test]
    fn adamax_clips_each_entry_to_its_running_maximum() {
        let config = OptimizerConfig {
            kind: OptimizerKind::Adamax,
            learning_rate: 0.01,
            ..OptimizerConfig::default()
        };
        let mut optimizer = Optimizer::new(config, 1);
        let mut p = [0.0f32];
        optimizer.update(&mut p, &[5.0], 0.01);
        let (m, u) = (0.1 * 1e-4, 1e-4);
        let expected = -0.01 * m / (u + 1e-8);
        assert!(
            (p[0] - expected).abs() < 1e-6,
            "{} against {expected}",
            p[0]
        );
        optimizer.update(&mut p, &[5.0], 0.01);
        let g = 1.2 * u + 1e-4;
        let (m, u) = (0.9 * m + 0.1 * g, (adamax_beta2(1) * u).max(g));
        let expected = expected - 0.01 * m / (u + 1e-8);
        assert!(
            (p[0] - expected).abs() < 1e-6,
            "{} against {expected}",
            p[0]
        );
        assert!((adamax_beta2(0) - 0.99).abs() < 1e-7);
        assert!((adamax_beta2(2000) - 0.995).abs() < 1e-7);
        assert!((adamax_beta2(100_000) - 0.9995).abs() < 1e-7);
    }

    #[test]
    fn clipping_scales_to_the_bound_and_leaves_small_gradients() {
        let mut g = [3.0f32, 4.0];
        assert_eq!(clip_global_norm(&mut g, 1.0), 5.0);
        assert!((g[0] - 0.6).abs() < 1e-6 && (g[1] - 0.8).abs() < 1e-6);
        let mut small = [0.3f32, 0.4];
        clip_global_norm(&mut small, 1.0);
        assert_eq!(small, [0.3, 0.4]);
        assert!(clip_global_norm(&mut [f32::NAN, 1.0], 1.0).is_nan());
    }

    #[test]
    fn validation_names_the_bad_field() {
        let bad = OptimizerConfig {
            learning_rate: -1.0,
            ..OptimizerConfig::default()
        };
        assert!(bad.validate().unwrap_err().contains("learning rate"));
    }
}
