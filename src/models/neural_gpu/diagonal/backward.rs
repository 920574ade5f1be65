//! The Diagonal Neural GPU's backward pass (neural_gpu.md §5.3): from the logits'
//! gradient through every step of the cell and the input layer, the saturation cost's
//! gradient joining each pre-activation's. Its forward is in the parent module.

use super::cell::{
    hard_sigmoid, hard_sigmoid_derivative, hard_tanh, hard_tanh_derivative, im2col,
    saturation_excess, shift,
};
use super::{DiagonalNeuralGpu, Dropout, Run};
use crate::models::neural_gpu::noise::apply;
use crate::ops::linalg::{matvec_transposed_accumulate, outer_accumulate};

impl DiagonalNeuralGpu {
    /// Backward of [`DiagonalNeuralGpu::read`]: into `grads`, and `∂/∂s`.
    pub(super) fn read_backward(
        &self,
        s: &[f32],
        width: usize,
        dlogits: &[f32],
        grads: &mut [f32],
    ) -> Vec<f32> {
        let p = self.params.values();
        let (maps, symbols) = (self.maps(), self.config.output_width);
        let weight = self.output_weight..self.output_weight + symbols * maps;
        let mut ds = vec![0.0; maps * width];
        let mut column = vec![0.0; maps];
        for x in 0..width {
            let dy = &dlogits[x * symbols..(x + 1) * symbols];
            for c in 0..maps {
                column[c] = s[c * width + x];
            }
            outer_accumulate(dy, &column, &mut grads[weight.clone()]);
            for (g, d) in grads[self.output_bias..self.output_bias + symbols]
                .iter_mut()
                .zip(dy)
            {
                *g += d;
            }
            let mut dcolumn = vec![0.0; maps];
            matvec_transposed_accumulate(&p[weight.clone()], dy, &mut dcolumn);
            for c in 0..maps {
                ds[c * width + x] = dcolumn[c];
            }
        }
        ds
    }

    /// Backward through every step and the input layer, from `∂/∂s_{n_b}`; `saturation`
    /// is the saturation cost's weight on this sequence (its gradient joins each
    /// pre-activation's).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn run_backward(
        &self,
        run: &Run,
        input: &[f32],
        width: usize,
        mut ds: Vec<f32>,
        dropout: Option<&Dropout>,
        saturation_weight: f32,
        grads: &mut [f32],
    ) {
        let p = self.params.values();
        let maps = self.maps();
        let cost = |a: f32| saturation_weight * saturation_excess(a).1;
        for (t, step) in run.steps.iter().enumerate().rev() {
            let s = &step.input;
            let shifted = shift(s, maps, width, false);
            let mut c: Vec<f32> = step.candidate.iter().map(|&a| hard_tanh(a)).collect();
            apply(dropout.map(|d| &d.masks[t + 1]), &mut c);
            // s' = g ⊙ shift(s) + (1 − g) ⊙ c
            let mut dshifted = vec![0.0; s.len()];
            let mut dgate = vec![0.0; s.len()];
            let mut dc = vec![0.0; s.len()];
            for j in 0..s.len() {
                let g = hard_sigmoid(step.gate[j]);
                dshifted[j] = ds[j] * g;
                dgate[j] = ds[j] * (shifted[j] - c[j]) * hard_sigmoid_derivative(step.gate[j])
                    + cost(step.gate[j]);
                dc[j] = ds[j] * (1.0 - g);
            }
            apply(dropout.map(|d| &d.masks[t + 1]), &mut dc);
            let dcandidate: Vec<f32> = dc
                .iter()
                .zip(&step.candidate)
                .map(|(&d, &a)| d * hard_tanh_derivative(a) + cost(a))
                .collect();
            let mut dnext = shift(&dshifted, maps, width, true);
            let col = im2col(s, maps, width);
            self.gate
                .backward(p, grads, maps, width, &col, &dgate, &mut dnext);
            // c = hτ(conv_c(r ⊙ s)), r = hσ(a_r)
            let gated: Vec<f32> = step
                .reset
                .iter()
                .zip(s)
                .map(|(&a, &v)| hard_sigmoid(a) * v)
                .collect();
            let mut dgated = vec![0.0; s.len()];
            let gated_col = im2col(&gated, maps, width);
            self.candidate
                .backward(p, grads, maps, width, &gated_col, &dcandidate, &mut dgated);
            let mut dreset = vec![0.0; s.len()];
            for j in 0..s.len() {
                let a = step.reset[j];
                dnext[j] += dgated[j] * hard_sigmoid(a);
                dreset[j] = dgated[j] * s[j] * hard_sigmoid_derivative(a) + cost(a);
            }
            self.reset
                .backward(p, grads, maps, width, &col, &dreset, &mut dnext);
            ds = dnext;
        }
        // s_0 = dropout(hτ(E[i_x] + e)); the input layer's saturation term counts n_b times.
        apply(dropout.map(|d| &d.masks[0]), &mut ds);
        let symbols = self.config.input_width;
        let input_cost = width as f32;
        for c in 0..maps {
            for x in 0..width {
                let a = run.embedded[c * width + x];
                let da = ds[c * width + x] * hard_tanh_derivative(a) + input_cost * cost(a);
                grads[self.embedding_bias + c] += da;
                for (j, &v) in input[x * symbols..(x + 1) * symbols].iter().enumerate() {
                    if v != 0.0 {
                        grads[self.embedding_weight + j * maps + c] += v * da;
                    }
                }
            }
        }
    }
}
