//! The memory as a controller drives it (models.md §0): at step t the core turns the
//! controller output `h_t` into head parameters, writes `M_t`, then reads it; the read
//! vectors `r_t` go to the output and to the controller's next input. Each memory's
//! implementation is its folder's `controller.rs`; [`BoxedCore`] puts any of them behind
//! one type.

mod boxed;

pub use boxed::BoxedCore;

use super::trace::StepTrace;
use super::{Memory, StateGradients, Step};

/// A memory that the controller drives: NTM, DNC, LRU, or none. Its state includes this
/// step's read vectors, which go to the output and to the controller's next input.
pub trait MemoryCore: Memory {
    fn read_vectors<'a>(&self, state: &'a Self::State) -> &'a [f32];
    fn read_vectors_mut<'a>(&self, state: &'a mut Self::State) -> &'a mut [f32];
    /// One memory step driven by the controller output `hidden`.
    fn step(
        &self,
        params: &[f32],
        hidden: &[f32],
        previous: &Self::State,
    ) -> (Self::State, Self::Cache);
    /// Backward of [`MemoryCore::step`]: accumulates into the gradient of the state
    /// before `step`, the parameters' gradients and `dhidden`.
    fn step_backward(
        &self,
        params: &[f32],
        grads: &mut [f32],
        hidden: &[f32],
        step: Step<'_, Self::State, Self::Cache>,
        d: StateGradients<'_, Self::State>,
        dhidden: &mut [f32],
    );
    /// Fills the memory part of a step's trace, from the state before the step, the
    /// state after it and the step's cache.
    fn trace(
        &self,
        previous: &Self::State,
        state: &Self::State,
        cache: &Self::Cache,
        trace: &mut StepTrace,
    );
}
