//! Every memory core as one type, [`BoxedCore`], so that the controller-and-memory model
//! ([`crate::models::MemoryModel`]) is compiled once for the LSTM, NTM, DNC and LRU (see
//! [`crate::memory::boxed`]).

use super::MemoryCore;
use crate::memory::boxed::{unbox, unbox_mut, Boxed};
use crate::memory::trace::StepTrace;

/// [`MemoryCore`] with boxed states and caches: what [`BoxedCore`] holds.
trait ObjectCore: Send + Sync {
    fn read_width(&self) -> usize;
    fn initial_state(&self) -> Boxed;
    fn zero_state(&self) -> Boxed;
    fn read_vectors<'a>(&self, state: &'a Boxed) -> &'a [f32];
    fn read_vectors_mut<'a>(&self, state: &'a mut Boxed) -> &'a mut [f32];
    fn step(&self, params: &[f32], hidden: &[f32], previous: &Boxed) -> (Boxed, Boxed);
    #[allow(clippy::too_many_arguments)]
    fn step_backward(
        &self,
        params: &[f32],
        grads: &mut [f32],
        hidden: &[f32],
        previous: &Boxed,
        cache: &Boxed,
        next: &Boxed,
        dnext: &mut Boxed,
        dprevious: &mut Boxed,
        dhidden: &mut [f32],
    );
    fn trace(&self, previous: &Boxed, state: &Boxed, cache: &Boxed, trace: &mut StepTrace);
    fn step_floats(&self) -> usize;
}

impl<C> ObjectCore for C
where
    C: MemoryCore,
    C::State: 'static,
    C::Cache: 'static,
{
    fn read_width(&self) -> usize {
        MemoryCore::read_width(self)
    }
    fn initial_state(&self) -> Boxed {
        Box::new(MemoryCore::initial_state(self))
    }
    fn zero_state(&self) -> Boxed {
        Box::new(MemoryCore::zero_state(self))
    }
    fn read_vectors<'a>(&self, state: &'a Boxed) -> &'a [f32] {
        MemoryCore::read_vectors(self, unbox(state))
    }
    fn read_vectors_mut<'a>(&self, state: &'a mut Boxed) -> &'a mut [f32] {
        MemoryCore::read_vectors_mut(self, unbox_mut(state))
    }
    fn step(&self, params: &[f32], hidden: &[f32], previous: &Boxed) -> (Boxed, Boxed) {
        let (state, cache) = MemoryCore::step(self, params, hidden, unbox(previous));
        (Box::new(state), Box::new(cache))
    }
    fn step_backward(
        &self,
        params: &[f32],
        grads: &mut [f32],
        hidden: &[f32],
        previous: &Boxed,
        cache: &Boxed,
        next: &Boxed,
        dnext: &mut Boxed,
        dprevious: &mut Boxed,
        dhidden: &mut [f32],
    ) {
        MemoryCore::step_backward(
            self,
            params,
            grads,
            hidden,
            unbox(previous),
            unbox(cache),
            unbox(next),
            unbox_mut(dnext),
            unbox_mut(dprevious),
            dhidden,
        );
    }
    fn trace(&self, previous: &Boxed, state: &Boxed, cache: &Boxed, trace: &mut StepTrace) {
        MemoryCore::trace(self, unbox(previous), unbox(state), unbox(cache), trace);
    }
    fn step_floats(&self) -> usize {
        MemoryCore::step_floats(self)
    }
}

/// Any memory core.
pub struct BoxedCore(Box<dyn ObjectCore>);

impl BoxedCore {
    pub fn new<C>(core: C) -> Self
    where
        C: MemoryCore + 'static,
        C::State: 'static,
        C::Cache: 'static,
    {
        BoxedCore(Box::new(core))
    }
}

impl MemoryCore for BoxedCore {
    type State = Boxed;
    type Cache = Boxed;
    fn read_width(&self) -> usize {
        self.0.read_width()
    }
    fn initial_state(&self) -> Boxed {
        self.0.initial_state()
    }
    fn zero_state(&self) -> Boxed {
        self.0.zero_state()
    }
    fn read_vectors<'a>(&self, state: &'a Boxed) -> &'a [f32] {
        self.0.read_vectors(state)
    }
    fn read_vectors_mut<'a>(&self, state: &'a mut Boxed) -> &'a mut [f32] {
        self.0.read_vectors_mut(state)
    }
    fn step(&self, params: &[f32], hidden: &[f32], previous: &Boxed) -> (Boxed, Boxed) {
        self.0.step(params, hidden, previous)
    }
    fn step_backward(
        &self,
        params: &[f32],
        grads: &mut [f32],
        hidden: &[f32],
        previous: &Boxed,
        cache: &Boxed,
        next: &Boxed,
        dnext: &mut Boxed,
        dprevious: &mut Boxed,
        dhidden: &mut [f32],
    ) {
        self.0.step_backward(
            params, grads, hidden, previous, cache, next, dnext, dprevious, dhidden,
        );
    }
    fn trace(&self, previous: &Boxed, state: &Boxed, cache: &Boxed, trace: &mut StepTrace) {
        self.0.trace(previous, state, cache, trace);
    }
    fn step_floats(&self) -> usize {
        self.0.step_floats()
    }
}
