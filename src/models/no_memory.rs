//! The LSTM baseline (models.md §1): a controller with no memory, `y_t = W_y h_t + b_y`.

use super::{MemoryCore, ModelConfig, StepTrace};
use crate::nn::ParamStore;
use crate::rng::Pcg32;

/// A core that reads nothing and keeps no state.
pub struct NoMemory;

impl NoMemory {
    pub fn new(_: &ModelConfig, _: &mut ParamStore, _: &mut Pcg32) -> Self {
        NoMemory
    }
}

impl MemoryCore for NoMemory {
    type State = ();
    type Cache = ();

    fn read_width(&self) -> usize {
        0
    }
    fn initial_state(&self) {}
    fn zero_state(&self) {}
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
        _: &(),
        _: &(),
        _: &(),
        _: &mut (),
        _: &mut (),
        _: &mut [f32],
    ) {
    }
    fn trace(&self, _: &(), _: &(), _: &(), _: &mut StepTrace) {}
    fn step_floats(&self) -> usize {
        0
    }
}
