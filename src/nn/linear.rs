//! `Linear(in → out)`: `y = W x + b`, `W` stored `out × in` row-major (models.md §0).

use super::params::ParamStore;
use crate::ops::linalg;
use crate::rng::Pcg32;

/// Offsets of one linear layer's weight and bias in a [`ParamStore`].
#[derive(Clone, Copy, Debug)]
pub struct Linear {
    pub weight: usize,
    pub bias: usize,
    pub inputs: usize,
    pub outputs: usize,
}

impl Linear {
    /// Registers `{name}.weight` and `{name}.bias`, initialised as PyTorch does:
    /// uniform in `±1/√in`.
    pub fn register(
        store: &mut ParamStore,
        name: &str,
        inputs: usize,
        outputs: usize,
        rng: &mut Pcg32,
    ) -> Self {
        let bound = 1.0 / (inputs as f32).sqrt();
        let weight = store.add_uniform(&format!("{name}.weight"), &[outputs, inputs], bound, rng);
        let bias = store.add_uniform(&format!("{name}.bias"), &[outputs], bound, rng);
        Linear {
            weight,
            bias,
            inputs,
            outputs,
        }
    }

    fn weight<'a>(&self, params: &'a [f32]) -> &'a [f32] {
        &params[self.weight..self.weight + self.inputs * self.outputs]
    }

    /// `y = W x + b`.
    pub fn forward(&self, params: &[f32], x: &[f32], y: &mut [f32]) {
        y.copy_from_slice(&params[self.bias..self.bias + self.outputs]);
        linalg::matvec_accumulate(self.weight(params), x, y);
    }

    /// Accumulates `dW += dy xᵀ`, `db += dy` into `grads`, and `dx += Wᵀ dy` when asked.
    pub fn backward(
        &self,
        params: &[f32],
        grads: &mut [f32],
        x: &[f32],
        dy: &[f32],
        dx: Option<&mut [f32]>,
    ) {
        let [weight_grad, bias_grad] = grads
            .get_disjoint_mut([
                self.weight..self.weight + self.inputs * self.outputs,
                self.bias..self.bias + self.outputs,
            ])
            .expect("a layer's weight and bias never overlap");
        linalg::affine_backward(self.weight(params), x, dy, weight_grad, bias_grad, dx);
    }
}
