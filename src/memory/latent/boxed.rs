//! Every latent memory as one type, [`BoxedMemory`], so that [`crate::models::Gtmm`] is
//! compiled once for all of them (see [`crate::memory::boxed`]). The concrete
//! `Gtmm<M>` still works (the reference tests build one per memory).

use super::{LatentMemory, MemoryView};
use crate::memory::boxed::{unbox, unbox_gradients, unbox_mut, unbox_step, Boxed, Erased};
use crate::memory::{StateGradients, Step};

/// Any latent memory.
pub type BoxedMemory = dyn LatentMemory<State = Boxed, Cache = Boxed>;

impl<M> LatentMemory for Erased<M>
where
    M: LatentMemory,
    M::State: 'static,
    M::Cache: 'static,
{
    fn read(
        &self,
        params: &[f32],
        hidden: &[f32],
        previous: &Boxed,
        t: usize,
    ) -> (Vec<f32>, Boxed) {
        let (reads, cache) = self.0.read(params, hidden, unbox(previous), t);
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
        Box::new(self.0.write(params, input, unbox(previous), cache, t))
    }
    fn backward_write(
        &self,
        params: &[f32],
        grads: &mut [f32],
        input: &[f32],
        step: Step<'_, Boxed, Boxed>,
        d: StateGradients<'_, Boxed>,
        dinput: &mut [f32],
    ) {
        let (step, d) = (unbox_step(step), unbox_gradients(d));
        self.0.backward_write(params, grads, input, step, d, dinput);
    }
    fn backward_read(
        &self,
        params: &[f32],
        grads: &mut [f32],
        hidden: &[f32],
        step: Step<'_, Boxed, Boxed>,
        d: StateGradients<'_, Boxed>,
        dreads: &[f32],
        dhidden: &mut [f32],
    ) {
        let (step, d) = (unbox_step(step), unbox_gradients(d));
        self.0
            .backward_read(params, grads, hidden, step, d, dreads, dhidden);
    }
    fn view(&self, state: &Boxed, cache: &Boxed) -> MemoryView {
        self.0.view(unbox(state), unbox(cache))
    }
}
