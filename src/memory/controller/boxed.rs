//! Every memory core as one type, [`BoxedCore`], so that the controller-and-memory model
//! ([`crate::models::MemoryModel`]) is compiled once for the LSTM, NTM, DNC and LRU (see
//! [`crate::memory::boxed`]).

use super::MemoryCore;
use crate::memory::boxed::{unbox, unbox_gradients, unbox_mut, unbox_step, Boxed, Erased};
use crate::memory::trace::StepTrace;
use crate::memory::{StateGradients, Step};

/// Any memory core.
pub type BoxedCore = dyn MemoryCore<State = Boxed, Cache = Boxed>;

impl<C> MemoryCore for Erased<C>
where
    C: MemoryCore,
    C::State: 'static,
    C::Cache: 'static,
{
    fn read_vectors<'a>(&self, state: &'a Boxed) -> &'a [f32] {
        self.0.read_vectors(unbox(state))
    }
    fn read_vectors_mut<'a>(&self, state: &'a mut Boxed) -> &'a mut [f32] {
        self.0.read_vectors_mut(unbox_mut(state))
    }
    fn step(&self, params: &[f32], hidden: &[f32], previous: &Boxed) -> (Boxed, Boxed) {
        let (state, cache) = self.0.step(params, hidden, unbox(previous));
        (Box::new(state), Box::new(cache))
    }
    fn step_backward(
        &self,
        params: &[f32],
        grads: &mut [f32],
        hidden: &[f32],
        step: Step<'_, Boxed, Boxed>,
        d: StateGradients<'_, Boxed>,
        dhidden: &mut [f32],
    ) {
        let (step, d) = (unbox_step(step), unbox_gradients(d));
        self.0
            .step_backward(params, grads, hidden, step, d, dhidden);
    }
    fn trace(&self, previous: &Boxed, state: &Boxed, cache: &Boxed, trace: &mut StepTrace) {
        self.0
            .trace(unbox(previous), unbox(state), unbox(cache), trace);
    }
}
