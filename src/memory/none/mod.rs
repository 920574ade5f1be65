//! No memory: nothing is read or written and no state is kept. Driven by a controller it
//! is the LSTM baseline (models.md §1, `y_t = W_y h_t + b_y`); by the generative model,
//! the VRNN-style baseline (generative.md §8.2, Ψ = h).

pub(crate) mod gpu;

use super::latent::{LatentMemory, MemoryView};
use super::trace::StepTrace;
use super::{Memory, MemoryCore, StateGradients, Step};

/// A memory that reads nothing and keeps no state.
pub struct NoMemory;

impl Memory for NoMemory {
    type State = ();
    type Cache = ();

    fn read_width(&self) -> usize {
        0
    }
    fn initial_state(&self) {}
    fn zero_state(&self) {}
    fn step_floats(&self) -> usize {
        0
    }
}

impl MemoryCore for NoMemory {
    fn read_vectors<'a>(&self, _: &'a ()) -> &'a [f32] {
        &[]
    }
    fn read_vectors_mut<'a>(&self, _: &'a mut ()) -> &'a mut [f32] {
        &mut []
    }
    fn step(&self, _: &[f32], _: &[f32], _: &()) -> ((), ()) {
        ((), ())
    }
    fn step_backward(
        &self,
        _: &[f32],
        _: &mut [f32],
        _: &[f32],
        _: Step<'_, (), ()>,
        _: StateGradients<'_, ()>,
        _: &mut [f32],
    ) {
    }
    fn trace(&self, _: &(), _: &(), _: &(), _: &mut StepTrace) {}
}

impl LatentMemory for NoMemory {
    fn read(&self, _: &[f32], _: &[f32], _: &(), _: usize) -> (Vec<f32>, ()) {
        (Vec::new(), ())
    }
    fn write(&self, _: &[f32], _: &[f32], _: &(), _: &mut (), _: usize) {}
    fn backward_write(
        &self,
        _: &[f32],
        _: &mut [f32],
        _: &[f32],
        _: Step<'_, (), ()>,
        _: StateGradients<'_, ()>,
        _: &mut [f32],
    ) {
    }
    fn backward_read(
        &self,
        _: &[f32],
        _: &mut [f32],
        _: &[f32],
        _: Step<'_, (), ()>,
        _: StateGradients<'_, ()>,
        _: &[f32],
        _: &mut [f32],
    ) {
    }
    fn view(&self, _: &(), _: &()) -> MemoryView {
        MemoryView::default()
    }
}
