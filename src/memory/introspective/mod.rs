//! The introspective memory (generative.md §8.2): a FIFO of the model's own latents.
//!
//! ```text
//! [k^i; β̂^i] = heads.read(h_t),  β^i = oneplus(β̂^i)
//! w^i[j] = softmax_{j < min(t, N)} β^i K(k^i, M_{t−1}[j]),  0 on unfilled slots
//! r^i = M_{t−1}⊤ w^i                      (r = 0 at t = 0)
//! M_t = M_{t−1} with slot t mod N ← z_t
//! ```
//! Gradients reach the stored latents through the memory: slot j of `M_{t−1}` is the
//! latent written there last, so its gradient joins that latent's at the write.

pub(crate) mod gpu;

use crate::memory::content::{content_weighting, content_weighting_backward, row_norms};
use crate::memory::latent::{LatentMemory, MemoryView};
use crate::memory::trace::rows;
use crate::memory::{head, Memory, MemorySizes};
use crate::memory::{read, read_backward};
use crate::memory::{StateGradients, Step};
use crate::nn::{Linear, ParamStore};
use crate::ops::activation::{oneplus, sigmoid};
use crate::rng::Pcg32;

pub struct IntrospectiveMemory {
    heads: Linear,
    slots: usize,
    latent: usize,
    reads: usize,
}

pub struct IntrospectiveState {
    /// `N × Z`; unfilled slots are 0.
    pub memory: Vec<f32>,
    /// Slots holding a latent: `min(t, N)` after step t − 1.
    pub filled: usize,
}

pub struct IntrospectiveCache {
    raw: Vec<f32>,
    norms: Vec<f32>,
    /// `R × N` each (0 past the filled slots).
    similarity: Vec<f32>,
    weights: Vec<f32>,
    /// The slot this step wrote.
    slot: usize,
}

impl IntrospectiveMemory {
    pub fn new(sizes: MemorySizes, params: &mut ParamStore, rng: &mut Pcg32) -> Self {
        let heads = head(
            params,
            "heads.read",
            sizes,
            false,
            sizes.reads * (sizes.latent + 1),
            rng,
        );
        IntrospectiveMemory {
            heads,
            slots: sizes.slots,
            latent: sizes.latent,
            reads: sizes.reads,
        }
    }

    fn key<'a>(&self, raw: &'a [f32], i: usize) -> (&'a [f32], f32) {
        let block = &raw[i * (self.latent + 1)..(i + 1) * (self.latent + 1)];
        (&block[..self.latent], oneplus(block[self.latent]))
    }
}

impl Memory for IntrospectiveMemory {
    type State = IntrospectiveState;
    type Cache = IntrospectiveCache;
    fn read_width(&self) -> usize {
        self.reads * self.latent
    }
    fn initial_state(&self) -> IntrospectiveState {
        self.zero_state()
    }
    fn zero_state(&self) -> IntrospectiveState {
        IntrospectiveState {
            memory: vec![0.0; self.slots * self.latent],
            filled: 0,
        }
    }
    /// The FIFO (N × Z), the heads' raw outputs, rows' norms, similarities and weightings.
    fn step_floats(&self) -> usize {
        let (n, z, r) = (self.slots, self.latent, self.reads);
        n * z + r * (z + 1) + n + 2 * r * n
    }
}

impl LatentMemory for IntrospectiveMemory {
    fn read(
        &self,
        params: &[f32],
        hidden: &[f32],
        previous: &IntrospectiveState,
        _t: usize,
    ) -> (Vec<f32>, IntrospectiveCache) {
        let (n, z) = (self.slots, self.latent);
        let mut raw = vec![0.0; self.heads.outputs];
        self.heads.forward(params, hidden, &mut raw);
        let filled = previous.filled;
        let stored = &previous.memory[..filled * z];
        let norms = row_norms(stored, z);
        let mut cache = IntrospectiveCache {
            raw,
            norms,
            similarity: vec![0.0; self.reads * n],
            weights: vec![0.0; self.reads * n],
            slot: 0,
        };
        let mut reads = vec![0.0; self.reads * z];
        if filled > 0 {
            for i in 0..self.reads {
                let (key, strength) = self.key(&cache.raw, i);
                let heads = i * n..i * n + filled;
                content_weighting(
                    stored,
                    &cache.norms,
                    key,
                    strength,
                    &mut cache.similarity[heads.clone()],
                    &mut cache.weights[heads.clone()],
                );
                read(
                    stored,
                    &cache.weights[heads],
                    &mut reads[i * z..(i + 1) * z],
                );
            }
        }
        (reads, cache)
    }

    fn write(
        &self,
        _params: &[f32],
        input: &[f32],
        previous: &IntrospectiveState,
        cache: &mut IntrospectiveCache,
        t: usize,
    ) -> IntrospectiveState {
        let z = self.latent;
        let latent = &input[input.len() - z..];
        cache.slot = t % self.slots;
        let mut memory = previous.memory.clone();
        memory[cache.slot * z..(cache.slot + 1) * z].copy_from_slice(latent);
        IntrospectiveState {
            memory,
            filled: (previous.filled + 1).min(self.slots),
        }
    }

    fn backward_write(
        &self,
        _params: &[f32],
        _grads: &mut [f32],
        input: &[f32],
        step: Step<'_, IntrospectiveState, IntrospectiveCache>,
        d: StateGradients<'_, IntrospectiveState>,
        dinput: &mut [f32],
    ) {
        let cache = step.cache;
        let (dnext, dprevious) = (d.next, d.previous);
        let z = self.latent;
        // The write: the slot's gradient goes to z_t; the overwritten latent gets none.
        let slot = cache.slot * z..(cache.slot + 1) * z;
        let dlatent = input.len() - z;
        for (d, g) in dinput[dlatent..]
            .iter_mut()
            .zip(&dnext.memory[slot.clone()])
        {
            *d += g;
        }
        for (k, (d, g)) in dprevious.memory.iter_mut().zip(&dnext.memory).enumerate() {
            if !slot.contains(&k) {
                *d += g;
            }
        }
    }

    fn backward_read(
        &self,
        params: &[f32],
        grads: &mut [f32],
        hidden: &[f32],
        step: Step<'_, IntrospectiveState, IntrospectiveCache>,
        d: StateGradients<'_, IntrospectiveState>,
        dreads: &[f32],
        dhidden: &mut [f32],
    ) {
        let (previous, cache) = (step.previous, step.cache);
        let dprevious = d.previous;
        let (n, z) = (self.slots, self.latent);
        let filled = previous.filled;
        if filled == 0 {
            return;
        }
        let stored = &previous.memory[..filled * z];
        let mut draw = vec![0.0; self.heads.outputs];
        for i in 0..self.reads {
            let heads = i * n..i * n + filled;
            let mut dweights = vec![0.0; filled];
            read_backward(
                stored,
                &cache.weights[heads.clone()],
                &dreads[i * z..(i + 1) * z],
                &mut dprevious.memory[..filled * z],
                &mut dweights,
            );
            let (key, strength) = self.key(&cache.raw, i);
            let block = i * (z + 1);
            let dstrength = content_weighting_backward(
                stored,
                &cache.norms,
                key,
                strength,
                &cache.similarity[heads.clone()],
                &cache.weights[heads],
                &dweights,
                &mut dprevious.memory[..filled * z],
                &mut draw[block..block + z],
            );
            draw[block + z] = dstrength * sigmoid(cache.raw[block + z]);
        }
        self.heads
            .backward(params, grads, hidden, &draw, Some(dhidden));
    }

    fn view(&self, state: &IntrospectiveState, cache: &IntrospectiveCache) -> MemoryView {
        let mut slot = vec![0.0; self.slots];
        slot[cache.slot] = 1.0;
        MemoryView {
            read_weights: rows(&cache.weights, self.slots),
            write_weights: vec![slot],
            memory: rows(&state.memory, self.latent),
        }
    }
}
