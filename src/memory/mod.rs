//! Memory addressing as pure functions with explicit backward passes (models.md §0–§4).
//!
//! Memory is `N × W`, row-major. Every `*_backward` *accumulates* into the gradient
//! buffers it is given, so callers can sum contributions from several consumers.

pub mod content;
pub mod dnc;
pub mod lru;
pub mod ntm;
pub mod write;

use crate::ops::linalg;

/// The value every memory cell starts at (models.md §0).
pub const INITIAL_MEMORY_VALUE: f32 = 1e-6;

/// Read vector `r = Mᵀ w`.
pub fn read(memory: &[f32], weights: &[f32], read_vector: &mut [f32]) {
    read_vector.fill(0.0);
    linalg::matvec_transposed_accumulate(memory, weights, read_vector);
}

/// Backward of [`read`]: `dM += w drᵀ`, `dw += M dr`.
pub fn read_backward(
    memory: &[f32],
    weights: &[f32],
    dread: &[f32],
    dmemory: &mut [f32],
    dweights: &mut [f32],
) {
    linalg::outer_accumulate(weights, dread, dmemory);
    linalg::matvec_accumulate(memory, dread, dweights);
}
