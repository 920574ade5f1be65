//! Least-recently-used access (models.md §4). R heads, each reads and writes:
//!
//! ```text
//! w^{w,i}_t = α^i w^{r,i}_{t−1} + (1 − α^i) w^{lu}_{t−1}
//! M'   = M_{t−1} with row argmin_j w^u_{t−1}[j] set to 0 (ties: lower index)
//! M_t  = M' + Σ_i w^{w,i}_t (k^i)⊤
//! w^{r,i}_t[j] = softmax_j( K(k^i, M_t[j]) )
//! w^u_t = γ w^u_{t−1} + Σ_i ( w^{r,i}_t + w^{w,i}_t )
//! w^{lu}_t[j] = 1 if w^u_t[j] is among the R smallest entries (ties: lower index)
//! r^i_t = M_t⊤ w^{r,i}_t
//! ```
//! `w^{lu}` and the zeroed row are constants for differentiation. Usage reaches the
//! loss only through them, so its gradient is zero and is not propagated.
//!
//! This folder is the LRU memory: the step here, the core a controller drives
//! (`controller.rs`), the generative model's latent memory (`latent.rs`) and their WGSL
//! (`write.wgsl`, the write and usage both share; `controller.wgsl`, `latent.wgsl`).

mod controller;
pub(crate) mod gpu;
mod latent;

pub use controller::LruCore;
pub use latent::LruMemory;

use super::content::{content_weighting, content_weighting_backward, row_norms};
use super::{read, read_backward, INITIAL_MEMORY_VALUE};
use crate::ops::linalg;

/// γ, the usage decay.
pub const USAGE_DECAY: f32 = 0.95;

/// Raw parameters per head: key (W) and write gate α (1).
pub fn head_size(width: usize) -> usize {
    width + 1
}

/// The LRU memory's recurrent state; gradients use the same struct.
#[derive(Clone, Debug, PartialEq)]
pub struct LruState {
    /// `N × W`.
    pub memory: Vec<f32>,
    pub usage: Vec<f32>,
    /// `R × N`.
    pub read_weights: Vec<f32>,
    pub least_used: Vec<f32>,
    /// `R × W`.
    pub read_vectors: Vec<f32>,
}

impl LruState {
    /// The initial state: memory 1e-6, zeros, and `w^{lu}_0` ones on slots 0..R−1.
    pub fn initial(slots: usize, width: usize, reads: usize) -> Self {
        let mut state = Self::zeros(slots, width, reads);
        state.memory.fill(INITIAL_MEMORY_VALUE);
        state.least_used = least_used(&state.usage, reads);
        state
    }

    pub fn zeros(slots: usize, width: usize, reads: usize) -> Self {
        LruState {
            memory: vec![0.0; slots * width],
            usage: vec![0.0; slots],
            read_weights: vec![0.0; reads * slots],
            least_used: vec![0.0; slots],
            read_vectors: vec![0.0; reads * width],
        }
    }

    pub fn slots(&self) -> usize {
        self.usage.len()
    }
}

/// About how many floats one step's state and cache hold, for the training memory
/// estimate: the state (memory, usage, least-used indicator, read weightings, read
/// vectors) and the cache (keys, write gates and weightings, rows' norms, similarities).
pub fn step_floats(slots: usize, width: usize, reads: usize) -> usize {
    let (n, w, r) = (slots, width, reads);
    let state = n * w + 2 * n + r * n + r * w;
    let cache = r * w + r + 2 * r * n + n;
    state + cache
}

/// Indicator of the `count` smallest usages, ties to the lower index.
pub(crate) fn least_used(usage: &[f32], count: usize) -> Vec<f32> {
    let order = crate::ops::order::ascending_order(usage);
    let mut indicator = vec![0.0; usage.len()];
    for &slot in order.iter().take(count) {
        indicator[slot] = 1.0;
    }
    indicator
}

/// `argmin_j usage[j]`, ties to the lower index: the slot the next write clears.
pub(crate) fn least_used_slot(usage: &[f32]) -> usize {
    (0..usage.len()).fold(0, |best, k| if usage[k] < usage[best] { k } else { best })
}

/// Intermediates of one step for the backward pass and the views.
#[derive(Clone, Debug, Default)]
pub struct LruStepCache {
    /// `R × N`.
    pub write_weights: Vec<f32>,
    pub zeroed_slot: usize,
    /// Row norms of `M_t`, shared by every head.
    pub row_norms: Vec<f32>,
    /// `R × N` cosine similarities.
    pub similarity: Vec<f32>,
}

/// One step given keys (`R × W`) and write gates α (`R`, after the sigmoid).
pub fn step(previous: &LruState, keys: &[f32], write_gates: &[f32]) -> (LruState, LruStepCache) {
    let n = previous.slots();
    let reads = write_gates.len();
    let width = keys.len() / reads;
    let mut next = LruState::zeros(n, width, reads);
    let mut cache = LruStepCache {
        write_weights: vec![0.0; reads * n],
        zeroed_slot: 0,
        row_norms: Vec::new(),
        similarity: vec![0.0; reads * n],
    };
    for (i, &alpha) in write_gates.iter().enumerate() {
        for k in 0..n {
            cache.write_weights[i * n + k] =
                alpha * previous.read_weights[i * n + k] + (1.0 - alpha) * previous.least_used[k];
        }
    }
    cache.zeroed_slot = least_used_slot(&previous.usage);
    next.memory.copy_from_slice(&previous.memory);
    next.memory[cache.zeroed_slot * width..(cache.zeroed_slot + 1) * width].fill(0.0);
    for (i, key) in keys.chunks_exact(width).enumerate() {
        linalg::outer_accumulate(
            &cache.write_weights[i * n..(i + 1) * n],
            key,
            &mut next.memory,
        );
    }
    cache.row_norms = row_norms(&next.memory, width);
    for (i, key) in keys.chunks_exact(width).enumerate() {
        let heads = i * n..(i + 1) * n;
        content_weighting(
            &next.memory,
            &cache.row_norms,
            key,
            1.0,
            &mut cache.similarity[heads.clone()],
            &mut next.read_weights[heads.clone()],
        );
        read(
            &next.memory,
            &next.read_weights[heads],
            &mut next.read_vectors[i * width..(i + 1) * width],
        );
    }
    for k in 0..n {
        let touched: f32 = (0..reads)
            .map(|i| next.read_weights[i * n + k] + cache.write_weights[i * n + k])
            .sum();
        next.usage[k] = USAGE_DECAY * previous.usage[k] + touched;
    }
    next.least_used = least_used(&next.usage, reads);
    (next, cache)
}

/// Backward of [`step`]. Uses `dnext.memory`, `dnext.read_weights` and
/// `dnext.read_vectors` (as scratch); accumulates into `dprevious.memory`,
/// `dprevious.read_weights`, `dkeys` and `dwrite_gates` (with respect to α).
#[allow(clippy::too_many_arguments)]
pub fn step_backward(
    previous: &LruState,
    keys: &[f32],
    write_gates: &[f32],
    cache: &LruStepCache,
    next: &LruState,
    dnext: &mut LruState,
    dprevious: &mut LruState,
    dkeys: &mut [f32],
    dwrite_gates: &mut [f32],
) {
    let n = previous.slots();
    let reads = write_gates.len();
    let width = keys.len() / reads;
    for i in 0..reads {
        let heads = i * n..(i + 1) * n;
        let key_range = i * width..(i + 1) * width;
        read_backward(
            &next.memory,
            &next.read_weights[heads.clone()],
            &dnext.read_vectors[key_range.clone()],
            &mut dnext.memory,
            &mut dnext.read_weights[heads.clone()],
        );
        content_weighting_backward(
            &next.memory,
            &cache.row_norms,
            &keys[key_range.clone()],
            1.0,
            &cache.similarity[heads.clone()],
            &next.read_weights[heads.clone()],
            &dnext.read_weights[heads],
            &mut dnext.memory,
            &mut dkeys[key_range],
        );
    }
    let mut dwrite = vec![0.0; n];
    for (i, key) in keys.chunks_exact(width).enumerate() {
        // M_t = M' + Σ_i w^{w,i} k^iᵀ.
        let write_weights = &cache.write_weights[i * n..(i + 1) * n];
        linalg::matvec(&dnext.memory, key, &mut dwrite);
        linalg::matvec_transposed_accumulate(
            &dnext.memory,
            write_weights,
            &mut dkeys[i * width..(i + 1) * width],
        );
        // w^{w,i} = α w^{r,i}_{t−1} + (1 − α) w^{lu}_{t−1}.
        let alpha = write_gates[i];
        for k in 0..n {
            dwrite_gates[i] +=
                dwrite[k] * (previous.read_weights[i * n + k] - previous.least_used[k]);
            dprevious.read_weights[i * n + k] += alpha * dwrite[k];
        }
    }
    for (slot, (d, g)) in dprevious
        .memory
        .chunks_exact_mut(width)
        .zip(dnext.memory.chunks_exact(width))
        .enumerate()
    {
        if slot != cache.zeroed_slot {
            linalg::axpy(1.0, g, d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn least_used_breaks_ties_to_the_lower_index() {
        assert_eq!(
            least_used(&[0.5, 0.1, 0.1, 0.1], 2),
            vec![0.0, 1.0, 1.0, 0.0]
        );
        assert_eq!(least_used(&[0.0; 4], 2), vec![1.0, 1.0, 0.0, 0.0]);
    }
}
