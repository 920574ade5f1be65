//! NTM head addressing (models.md §2), shift range 1:
//!
//! ```text
//! w_c = content weighting (key k, strength β)
//! w_g = g w_c + (1 − g) w_{t−1}
//! w̃[i] = Σ_{δ∈{−1,0,+1}} s_δ · w_g[(i − δ) mod N]
//! m = max_j w̃[j]
//! w[i] = (w̃[i]/m)^γ / Σ_j (w̃[j]/m)^γ          # and w = 0 where m = 0
//! ```
//! `m` is a constant for differentiation; where `w̃[i] = 0` the term and its gradients
//! are 0, never NaN.
//!
//! This folder is the NTM: the addressing here, a head as a model drives it (`head.rs`),
//! the heads, state and halves of a step that both orders share (`memory.rs`), the two
//! orders (`controller.rs`: write, then read; `latent.rs`: read, then write) and their
//! WGSL (`addressing.wgsl`, `controller.wgsl`, `latent.wgsl`).

mod controller;
pub(crate) mod gpu;
mod head;
mod latent;
mod memory;

pub use memory::{Ntm, NtmCache, NtmState};

use super::content::{content_weighting, content_weighting_backward};
use crate::ops::activation::{oneplus, sigmoid, softmax_backward, softmax_in_place, softplus};

/// Shifts −1, 0, +1.
pub const SHIFTS: usize = 3;

/// Raw parameters per head: key, β, g, s (3), γ, and for the write head erase and add.
pub fn head_size(width: usize, write: bool) -> usize {
    width + 3 + SHIFTS + if write { 2 * width } else { 0 }
}

/// A head's addressing parameters after their transforms. The gradient of a loss with
/// respect to them uses the same struct.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HeadParams {
    pub key: Vec<f32>,
    pub strength: f32,
    pub gate: f32,
    pub shift: [f32; SHIFTS],
    pub sharpening: f32,
}

impl HeadParams {
    /// Splits and transforms the first `W + 6` raw values (models.md §2 table).
    pub fn from_raw(raw: &[f32], width: usize) -> Self {
        let mut shift = [raw[width + 2], raw[width + 3], raw[width + 4]];
        softmax_in_place(&mut shift);
        HeadParams {
            key: raw[..width].to_vec(),
            strength: softplus(raw[width]),
            gate: sigmoid(raw[width + 1]),
            shift,
            sharpening: oneplus(raw[width + 5]),
        }
    }

    /// Maps `grad` (with respect to the transformed values) back to the raw values.
    pub fn raw_backward(&self, raw: &[f32], grad: &HeadParams, draw: &mut [f32]) {
        let width = self.key.len();
        draw[..width].copy_from_slice(&grad.key);
        draw[width] = grad.strength * sigmoid(raw[width]);
        draw[width + 1] = grad.gate * self.gate * (1.0 - self.gate);
        softmax_backward(&self.shift, &grad.shift, &mut draw[width + 2..width + 5]);
        draw[width + 5] = grad.sharpening * sigmoid(raw[width + 5]);
    }
}

/// Every intermediate weighting of one head at one step.
#[derive(Clone, Debug, Default)]
pub struct Addressing {
    pub similarity: Vec<f32>,
    pub content: Vec<f32>,
    pub gated: Vec<f32>,
    pub shifted: Vec<f32>,
    pub weights: Vec<f32>,
    /// `ln(w̃[i]/m)`, reused by the backward pass (0 where `w̃[i] = 0`).
    pub log_ratio: Vec<f32>,
    /// `Σ_j (w̃[j]/m)^γ`, so the backward pass recovers each term as `w[i] · sum`.
    pub sharpen_sum: f32,
}

/// Source slots of the shift indices for target slot `i`: `(i − δ) mod N` with
/// δ = s − 1, so `[i + 1, i, i − 1]` wrapped. Compared, not divided: a `%` per term was
/// a tenth of the NTM's addressing time.
fn shift_sources(i: usize, n: usize) -> [usize; SHIFTS] {
    let next = if i + 1 == n { 0 } else { i + 1 };
    let previous = if i == 0 { n - 1 } else { i - 1 };
    [next, i, previous]
}

/// Addresses `memory` (`N × W`, with its row norms) given the head's parameters and
/// previous weighting.
pub fn address(memory: &[f32], norms: &[f32], head: &HeadParams, previous: &[f32]) -> Addressing {
    let n = previous.len();
    let mut a = Addressing {
        similarity: vec![0.0; n],
        content: vec![0.0; n],
        gated: vec![0.0; n],
        shifted: vec![0.0; n],
        weights: vec![0.0; n],
        log_ratio: vec![0.0; n],
        sharpen_sum: 0.0,
    };
    content_weighting(
        memory,
        norms,
        &head.key,
        head.strength,
        &mut a.similarity,
        &mut a.content,
    );
    for i in 0..n {
        a.gated[i] = head.gate * a.content[i] + (1.0 - head.gate) * previous[i];
    }
    for i in 0..n {
        let sources = shift_sources(i, n);
        a.shifted[i] = (0..SHIFTS)
            .map(|s| head.shift[s] * a.gated[sources[s]])
            .sum();
    }
    a.sharpen_sum = sharpen(
        &a.shifted,
        head.sharpening,
        &mut a.weights,
        &mut a.log_ratio,
    );
    a
}

/// Writes the sharpened weights and `ln(w̃/m)`; returns `Σ_j (w̃[j]/m)^γ` (0 when
/// `m = 0`).
fn sharpen(shifted: &[f32], gamma: f32, weights: &mut [f32], log_ratio: &mut [f32]) -> f32 {
    let max = shifted.iter().copied().fold(0.0f32, f32::max);
    if max <= 0.0 {
        weights.fill(0.0);
        log_ratio.fill(0.0);
        return 0.0;
    }
    let mut sum = 0.0;
    for ((w, l), &s) in weights.iter_mut().zip(log_ratio.iter_mut()).zip(shifted) {
        (*w, *l) = if s > 0.0 {
            let ratio_log = (s / max).ln();
            ((gamma * ratio_log).exp(), ratio_log)
        } else {
            (0.0, 0.0)
        };
        sum += *w;
    }
    for w in weights.iter_mut() {
        *w /= sum;
    }
    sum
}

/// Backward of [`address`] given `dweights`. Accumulates into `dmemory` and `dprevious`;
/// returns the gradient with respect to the head's transformed parameters.
#[allow(clippy::too_many_arguments)]
pub fn address_backward(
    memory: &[f32],
    norms: &[f32],
    head: &HeadParams,
    previous: &[f32],
    a: &Addressing,
    dweights: &[f32],
    dmemory: &mut [f32],
    dprevious: &mut [f32],
) -> HeadParams {
    let n = previous.len();
    let mut grad = HeadParams {
        key: vec![0.0; head.key.len()],
        ..HeadParams::default()
    };
    // Sharpening: w = p / S with p_i = (w̃_i/m)^γ = e^{γ l_i}, l_i = ln(w̃_i/m) (kept by
    // the forward pass, as is S, so no power is taken again).
    let mut dshifted = vec![0.0; n];
    let max = a.shifted.iter().copied().fold(0.0f32, f32::max);
    if max > 0.0 {
        let gamma = head.sharpening;
        let sum = a.sharpen_sum;
        let weighted: f32 = a.weights.iter().zip(dweights).map(|(w, d)| w * d).sum();
        for i in 0..n {
            let s = a.shifted[i];
            if s <= 0.0 {
                continue;
            }
            let p = a.weights[i] * sum;
            let dp = (dweights[i] - weighted) / sum;
            // ∂p/∂w̃ = γ p / w̃ (w̃ > 0 here); ∂p/∂γ = p l.
            dshifted[i] = dp * gamma * p / s;
            grad.sharpening += dp * p * a.log_ratio[i];
        }
    }
    // Shift: w̃[i] = Σ_s shift[s] · w_g[src(i, s)].
    let mut dgated = vec![0.0; n];
    for i in 0..n {
        let sources = shift_sources(i, n);
        for (s, &source) in sources.iter().enumerate() {
            dgated[source] += head.shift[s] * dshifted[i];
            grad.shift[s] += dshifted[i] * a.gated[source];
        }
    }
    // Interpolation.
    let mut dcontent = vec![0.0; n];
    for i in 0..n {
        grad.gate += dgated[i] * (a.content[i] - previous[i]);
        dcontent[i] = head.gate * dgated[i];
        dprevious[i] += (1.0 - head.gate) * dgated[i];
    }
    grad.strength = content_weighting_backward(
        memory,
        norms,
        &head.key,
        head.strength,
        &a.similarity,
        &a.content,
        &dcontent,
        dmemory,
        &mut grad.key,
    );
    grad
}

#[cfg(test)]
mod tests {
    use super::super::content::row_norms;
    use super::*;

    #[test]
    fn shift_plus_one_moves_focus_to_the_next_slot_with_wraparound() {
        let memory = vec![0.5; 4 * 2];
        let head = HeadParams {
            key: vec![0.0, 0.0],
            strength: 1.0,
            gate: 0.0,
            shift: [0.0, 0.0, 1.0],
            sharpening: 1.0,
        };
        let a = address(
            &memory,
            &row_norms(&memory, 2),
            &head,
            &[0.0, 0.0, 0.0, 1.0],
        );
        assert_eq!(a.weights, vec![1.0, 0.0, 0.0, 0.0]);
    }

    #[test]
    fn zero_shifted_weights_give_zero_gradients_not_nan() {
        let memory = vec![0.1; 5 * 3];
        let head = HeadParams {
            key: vec![1.0, -1.0, 0.5],
            strength: 2.0,
            gate: 0.0,
            shift: [0.0, 1.0, 0.0],
            sharpening: 7.0,
        };
        let previous = [0.0, 1.0, 0.0, 0.0, 0.0];
        let norms = row_norms(&memory, 3);
        let a = address(&memory, &norms, &head, &previous);
        assert!(a.shifted.contains(&0.0));
        let mut dmemory = vec![0.0; 15];
        let mut dprevious = vec![0.0; 5];
        let grad = address_backward(
            &memory,
            &norms,
            &head,
            &previous,
            &a,
            &[0.3, -1.0, 2.0, 0.1, 0.0],
            &mut dmemory,
            &mut dprevious,
        );
        assert!(grad.sharpening.is_finite() && grad.gate.is_finite() && grad.strength.is_finite());
        assert!(dprevious
            .iter()
            .chain(&dmemory)
            .chain(&grad.key)
            .all(|v| v.is_finite()));
        // Everything zero: weights zero, nothing NaN.
        let none = address(&memory, &norms, &head, &[0.0; 5]);
        assert_eq!(none.weights, vec![0.0; 5]);
    }

    #[test]
    fn large_sharpening_does_not_underflow() {
        let shifted = [1e-3f32, 2e-3, 1.5e-3];
        let mut weights = [0.0; 3];
        sharpen(&shifted, 60.0, &mut weights, &mut [0.0; 3]);
        assert!((weights.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(weights[1] > 0.99);
    }
}
