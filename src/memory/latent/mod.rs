//! The memory as a generative model drives it (generative.md §8.2): every step reads
//! `M_{t−1}` from the controller state `h_t` before `z_t` exists, then writes from
//! `[h_t; z_t]` once it does. Each memory's implementation is its folder's `latent.rs`
//! (the introspective memory's `mod.rs`); [`BoxedMemory`] puts any of them behind one
//! type.

mod boxed;

pub use boxed::BoxedMemory;

use super::{Memory, StateGradients, Step};

/// What a step of a latent memory shows the views and the trace.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct MemoryView {
    /// `R × N`: this step's read weightings.
    pub read_weights: Vec<Vec<f32>>,
    /// The write weighting(s): one row for NTM and DNC, one per head for LRU, the FIFO
    /// slot one-hot for introspective.
    pub write_weights: Vec<Vec<f32>>,
    /// `M_t`, after the write (`N × W`).
    pub memory: Vec<Vec<f32>>,
}

/// A memory driven by the controller state and the latent.
pub trait LatentMemory: Memory {
    /// Reads `previous` (`M_{t−1}`) at step `t` from `hidden` (`h_t`): the read vectors
    /// and the step's cache.
    fn read(
        &self,
        params: &[f32],
        hidden: &[f32],
        previous: &Self::State,
        t: usize,
    ) -> (Vec<f32>, Self::Cache);
    /// Writes after the latent exists; `input` is `[h_t; z_t]`.
    fn write(
        &self,
        params: &[f32],
        input: &[f32],
        previous: &Self::State,
        cache: &mut Self::Cache,
        t: usize,
    ) -> Self::State;
    /// Backward through the write: the gradient reaching the new state may be used as
    /// scratch and may carry what [`LatentMemory::backward_read`] needs (the gradient of
    /// this step's read weights); accumulates into the gradient of the state before
    /// `step`, the parameters' gradients and `dinput` (`[h; z]`).
    fn backward_write(
        &self,
        params: &[f32],
        grads: &mut [f32],
        input: &[f32],
        step: Step<'_, Self::State, Self::Cache>,
        d: StateGradients<'_, Self::State>,
        dinput: &mut [f32],
    );
    /// Backward through the read, after [`LatentMemory::backward_write`]: `dreads` is
    /// the gradient reaching the read vectors; accumulates into the gradient of the
    /// state before `step`, the parameters' gradients and `dhidden`.
    #[allow(clippy::too_many_arguments)]
    fn backward_read(
        &self,
        params: &[f32],
        grads: &mut [f32],
        hidden: &[f32],
        step: Step<'_, Self::State, Self::Cache>,
        d: StateGradients<'_, Self::State>,
        dreads: &[f32],
        dhidden: &mut [f32],
    );
    /// The step's weightings and memory for the views.
    fn view(&self, state: &Self::State, cache: &Self::Cache) -> MemoryView;
}
