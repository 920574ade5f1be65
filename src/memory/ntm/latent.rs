//! The NTM as a generative model drives it (generative.md §8.2, models.md §2): the R read
//! heads address and read `M_{t−1}` from `h_t`; then the write head addresses `M_{t−1}`
//! from `[h_t; z_t]` and `M_t = M_{t−1} ⊙ (1 − w e⊤) + w a⊤`, with `a` learned from
//! `[h; z]`. Both halves are [`Ntm`]'s.

use super::memory::{Ntm, NtmCache, NtmState};
use crate::memory::latent::{LatentMemory, MemoryView};
use crate::memory::trace::rows;
use crate::memory::Memory;
use crate::memory::{StateGradients, Step};

impl LatentMemory for Ntm {
    fn read(
        &self,
        params: &[f32],
        hidden: &[f32],
        previous: &NtmState,
        _t: usize,
    ) -> (Vec<f32>, NtmCache) {
        let mut weights = vec![0.0; previous.read_weights.len()];
        let mut vectors = vec![0.0; self.read_width()];
        let reads = Ntm::read(
            self,
            params,
            hidden,
            &previous.memory,
            &previous.row_norms,
            previous,
            &mut weights,
            &mut vectors,
        );
        let cache = NtmCache {
            reads,
            write: None,
            read_weights: weights,
            read_vectors: vectors.clone(),
        };
        (vectors, cache)
    }

    fn write(
        &self,
        params: &[f32],
        input: &[f32],
        previous: &NtmState,
        cache: &mut NtmCache,
        _t: usize,
    ) -> NtmState {
        let mut next = self.state(0.0);
        cache.write = Some(Ntm::write(self, params, input, previous, &mut next));
        // The read's weightings and vectors complete the new state (the backward pass
        // reads the heads, not these).
        next.read_weights = std::mem::take(&mut cache.read_weights);
        next.read_vectors = std::mem::take(&mut cache.read_vectors);
        next
    }

    fn backward_write(
        &self,
        params: &[f32],
        grads: &mut [f32],
        input: &[f32],
        step: Step<'_, NtmState, NtmCache>,
        d: StateGradients<'_, NtmState>,
        dinput: &mut [f32],
    ) {
        let (previous, cache) = (step.previous, step.cache);
        let (dnext, dprevious) = (d.next, d.previous);
        let written = cache
            .write
            .as_ref()
            .expect("a step writes before its backward pass");
        Ntm::backward_write(
            self, params, grads, input, written, previous, dnext, dprevious, dinput,
        );
    }

    /// `dnext.read_weights` holds the gradient of this step's read weightings (from the
    /// next step, where they are the previous ones).
    fn backward_read(
        &self,
        params: &[f32],
        grads: &mut [f32],
        hidden: &[f32],
        step: Step<'_, NtmState, NtmCache>,
        d: StateGradients<'_, NtmState>,
        dreads: &[f32],
        dhidden: &mut [f32],
    ) {
        let (previous, cache) = (step.previous, step.cache);
        let (dnext, dprevious) = (d.next, d.previous);
        Ntm::backward_read(
            self,
            params,
            grads,
            hidden,
            &cache.reads,
            (&previous.memory, &previous.row_norms),
            previous,
            (dreads, &dnext.read_weights),
            &mut dprevious.memory,
            &mut dprevious.read_weights,
            dhidden,
        );
    }

    fn view(&self, state: &NtmState, _cache: &NtmCache) -> MemoryView {
        MemoryView {
            read_weights: rows(&state.read_weights, self.slots),
            write_weights: vec![state.write_weights.clone()],
            memory: rows(&state.memory, self.width),
        }
    }
}
