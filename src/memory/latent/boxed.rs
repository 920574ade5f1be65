//! Every latent memory as one type, [`BoxedMemory`], so that [`crate::models::Gtmm`] is
//! compiled once for all of them (see [`crate::memory::boxed`]). The concrete
//! `Gtmm<M>` still works (the reference tests build one per memory).

use super::{LatentMemory, MemoryView};
use crate::memory::boxed::{unbox, unbox_mut, Boxed};

/// [`LatentMemory`] with boxed states and caches: what [`BoxedMemory`] holds.
trait ObjectMemory: Send + Sync {
    fn read_width(&self) -> usize;
    fn initial_state(&self) -> Boxed;
    fn zero_state(&self) -> Boxed;
    fn read(&self, params: &[f32], hidden: &[f32], previous: &Boxed, t: usize)
        -> (Vec<f32>, Boxed);
    fn write(
        &self,
        params: &[f32],
        input: &[f32],
        previous: &Boxed,
        cache: &mut Boxed,
        t: usize,
    ) -> Boxed;
    #[allow(clippy::too_many_arguments)]
    fn backward_write(
        &self,
        params: &[f32],
        grads: &mut [f32],
        input: &[f32],
        previous: &Boxed,
        cache: &Boxed,
        next: &Boxed,
        dnext: &mut Boxed,
        dprevious: &mut Boxed,
        dinput: &mut [f32],
    );
    #[allow(clippy::too_many_arguments)]
    fn backward_read(
        &self,
        params: &[f32],
        grads: &mut [f32],
        hidden: &[f32],
        previous: &Boxed,
        cache: &Boxed,
        next: &Boxed,
        dnext: &mut Boxed,
        dreads: &[f32],
        dprevious: &mut Boxed,
        dhidden: &mut [f32],
    );
    fn view(&self, state: &Boxed, cache: &Boxed) -> MemoryView;
    fn step_floats(&self) -> usize;
}

impl<M> ObjectMemory for M
where
    M: LatentMemory,
    M::State: 'static,
    M::Cache: 'static,
{
    fn read_width(&self) -> usize {
        LatentMemory::read_width(self)
    }
    fn initial_state(&self) -> Boxed {
        Box::new(LatentMemory::initial_state(self))
    }
    fn zero_state(&self) -> Boxed {
        Box::new(LatentMemory::zero_state(self))
    }
    fn read(
        &self,
        params: &[f32],
        hidden: &[f32],
        previous: &Boxed,
        t: usize,
    ) -> (Vec<f32>, Boxed) {
        let (reads, cache) = LatentMemory::read(self, params, hidden, unbox(previous), t);
        (reads, Box::new(cache))
    }
    fn write(
        &self,
        params: &[f32],
        input: &[f32],
        previous: &Boxed,
        cache: &mut Boxed,
        t: usize,
    ) -> Boxed {
        let cache = unbox_mut::<M::Cache>(cache);
        Box::new(LatentMemory::write(
            self,
            params,
            input,
            unbox(previous),
            cache,
            t,
        ))
    }
    fn backward_write(
        &self,
        params: &[f32],
        grads: &mut [f32],
        input: &[f32],
        previous: &Boxed,
        cache: &Boxed,
        next: &Boxed,
        dnext: &mut Boxed,
        dprevious: &mut Boxed,
        dinput: &mut [f32],
    ) {
        LatentMemory::backward_write(
            self,
            params,
            grads,
            input,
            unbox(previous),
            unbox(cache),
            unbox(next),
            unbox_mut(dnext),
            unbox_mut(dprevious),
            dinput,
        );
    }
    fn backward_read(
        &self,
        params: &[f32],
        grads: &mut [f32],
        hidden: &[f32],
        previous: &Boxed,
        cache: &Boxed,
        next: &Boxed,
        dnext: &mut Boxed,
        dreads: &[f32],
        dprevious: &mut Boxed,
        dhidden: &mut [f32],
    ) {
        LatentMemory::backward_read(
            self,
            params,
            grads,
            hidden,
            unbox(previous),
            unbox(cache),
            unbox(next),
            unbox_mut(dnext),
            dreads,
            unbox_mut(dprevious),
            dhidden,
        );
    }
    fn view(&self, state: &Boxed, cache: &Boxed) -> MemoryView {
        LatentMemory::view(self, unbox(state), unbox(cache))
    }
    fn step_floats(&self) -> usize {
        LatentMemory::step_floats(self)
    }
}

/// Any latent memory.
pub struct BoxedMemory(Box<dyn ObjectMemory>);

impl BoxedMemory {
    pub fn new<M>(memory: M) -> Self
    where
        M: LatentMemory + 'static,
        M::State: 'static,
        M::Cache: 'static,
    {
        BoxedMemory(Box::new(memory))
    }
}

impl LatentMemory for BoxedMemory {
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
    fn read(
        &self,
        params: &[f32],
        hidden: &[f32],
        previous: &Boxed,
        t: usize,
    ) -> (Vec<f32>, Boxed) {
        self.0.read(params, hidden, previous, t)
    }
    fn write(
        &self,
        params: &[f32],
        input: &[f32],
        previous: &Boxed,
        cache: &mut Boxed,
        t: usize,
    ) -> Boxed {
        self.0.write(params, input, previous, cache, t)
    }
    fn backward_write(
        &self,
        params: &[f32],
        grads: &mut [f32],
        input: &[f32],
        previous: &Boxed,
        cache: &Boxed,
        next: &Boxed,
        dnext: &mut Boxed,
        dprevious: &mut Boxed,
        dinput: &mut [f32],
    ) {
        self.0.backward_write(
            params, grads, input, previous, cache, next, dnext, dprevious, dinput,
        );
    }
    fn backward_read(
        &self,
        params: &[f32],
        grads: &mut [f32],
        hidden: &[f32],
        previous: &Boxed,
        cache: &Boxed,
        next: &Boxed,
        dnext: &mut Boxed,
        dreads: &[f32],
        dprevious: &mut Boxed,
        dhidden: &mut [f32],
    ) {
        self.0.backward_read(
            params, grads, hidden, previous, cache, next, dnext, dreads, dprevious, dhidden,
        );
    }
    fn view(&self, state: &Boxed, cache: &Boxed) -> MemoryView {
        self.0.view(state, cache)
    }
    fn step_floats(&self) -> usize {
        self.0.step_floats()
    }
}
