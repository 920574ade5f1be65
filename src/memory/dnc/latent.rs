//! The DNC memory in the generative order (generative.md §8.2, models.md §3): the read
//! half (`interface.read` from `h_t`: keys, strengths, modes) uses `M_{t−1}`, `L_{t−1}`
//! and the previous read weights; the write half (`interface.write` from `[h_t; z_t]`:
//! write key and strength, erase, write vector, free gates, allocation and write gates)
//! runs usage, allocation, the write and the links, with the retention ψ taken from
//! this step's read weights.
//!
//! The two raw halves are laid side by side in models.md §3's interface order, so the
//! DNC's own interface transforms and step serve both orders.

use super::memory::{Dnc, DncCache, DncMemory, InterfaceHalves};
use super::DncOptions;
use crate::memory::dnc::{
    interface_size, read_first, read_first_backward, write_second, write_second_backward, DncState,
    Interface, READ_MODES,
};
use crate::memory::latent::{LatentMemory, MemoryView};
use crate::memory::trace::rows;
use crate::memory::{head, MemorySizes};
use crate::memory::{StateGradients, Step};
use crate::nn::ParamStore;
use crate::rng::Pcg32;

impl DncMemory {
    pub fn new(sizes: MemorySizes, params: &mut ParamStore, rng: &mut Pcg32) -> Self {
        let (w, r) = (sizes.width, sizes.reads);
        Dnc {
            heads: InterfaceHalves {
                read: head(
                    params,
                    "interface.read",
                    sizes,
                    false,
                    r * w + (1 + READ_MODES) * r,
                    rng,
                ),
                write: head(params, "interface.write", sizes, true, 3 * w + r + 3, rng),
            },
            options: DncOptions::NONE,
            slots: sizes.slots,
            width: w,
            reads: r,
        }
    }

    /// Where `interface.read`'s outputs sit in the full ξ: keys and strengths first,
    /// the modes last; `interface.write`'s fill the middle.
    fn read_split(&self) -> usize {
        self.reads * self.width + self.reads
    }
}

impl LatentMemory for DncMemory {
    fn read(
        &self,
        params: &[f32],
        hidden: &[f32],
        previous: &DncState,
        _t: usize,
    ) -> (Vec<f32>, DncCache) {
        let mut read_raw = vec![0.0; self.heads.read.outputs];
        self.heads.read.forward(params, hidden, &mut read_raw);
        let split = self.read_split();
        let mut raw = vec![0.0; interface_size(self.width, self.reads, DncOptions::NONE)];
        raw[..split].copy_from_slice(&read_raw[..split]);
        let modes = raw.len() - READ_MODES * self.reads;
        raw[modes..].copy_from_slice(&read_raw[split..]);
        let xi = Interface::from_raw(&raw, self.width, self.reads, DncOptions::NONE);
        let (partial, step) = read_first(previous, &xi);
        let reads = partial.read_vectors.clone();
        let cache = DncCache {
            raw,
            xi,
            step,
            partial: Some(partial),
        };
        (reads, cache)
    }

    fn write(
        &self,
        params: &[f32],
        input: &[f32],
        previous: &DncState,
        cache: &mut DncCache,
        _t: usize,
    ) -> DncState {
        let split = self.read_split();
        let write_part = split..split + self.heads.write.outputs;
        self.heads
            .write
            .forward(params, input, &mut cache.raw[write_part]);
        cache.xi = Interface::from_raw(&cache.raw, self.width, self.reads, DncOptions::NONE);
        let mut next = cache.partial.take().expect("a step reads before it writes");
        write_second(previous, &cache.xi, &mut next, &mut cache.step);
        next
    }

    fn backward_write(
        &self,
        params: &[f32],
        grads: &mut [f32],
        input: &[f32],
        step: Step<'_, DncState, DncCache>,
        d: StateGradients<'_, DncState>,
        dinput: &mut [f32],
    ) {
        let (previous, cache, next) = (step.previous, step.cache, step.next);
        let (dnext, dprevious) = (d.next, d.previous);
        let mut dxi = Interface::zeros(self.width, self.reads, DncOptions::NONE);
        write_second_backward(
            previous,
            &cache.xi,
            &cache.step,
            next,
            dnext,
            dprevious,
            &mut dxi,
        );
        // Raw ξ's gradient: the write part from dxi's write fields (its read fields are 0).
        let mut draw = vec![0.0; cache.raw.len()];
        cache.xi.raw_backward(&cache.raw, &dxi, &mut draw);
        let split = self.read_split();
        let write_part = split..split + self.heads.write.outputs;
        self.heads
            .write
            .backward(params, grads, input, &draw[write_part], Some(dinput));
    }

    fn backward_read(
        &self,
        params: &[f32],
        grads: &mut [f32],
        hidden: &[f32],
        step: Step<'_, DncState, DncCache>,
        d: StateGradients<'_, DncState>,
        dreads: &[f32],
        dhidden: &mut [f32],
    ) {
        let (previous, cache, next) = (step.previous, step.cache, step.next);
        let (dnext, dprevious) = (d.next, d.previous);
        for (d, g) in dnext.read_vectors.iter_mut().zip(dreads) {
            *d += g;
        }
        let mut dxi = Interface::zeros(self.width, self.reads, DncOptions::NONE);
        read_first_backward(
            previous,
            &cache.xi,
            &cache.step,
            next,
            dnext,
            dprevious,
            &mut dxi,
        );
        let mut draw = vec![0.0; cache.raw.len()];
        cache.xi.raw_backward(&cache.raw, &dxi, &mut draw);
        let split = self.read_split();
        let modes = split + self.heads.write.outputs;
        let mut dread_raw = vec![0.0; self.heads.read.outputs];
        dread_raw[..split].copy_from_slice(&draw[..split]);
        dread_raw[split..].copy_from_slice(&draw[modes..]);
        self.heads
            .read
            .backward(params, grads, hidden, &dread_raw, Some(dhidden));
    }

    fn view(&self, state: &DncState, _cache: &DncCache) -> MemoryView {
        MemoryView {
            read_weights: rows(&state.read_weights, self.slots),
            write_weights: vec![state.write_weights.clone()],
            memory: rows(&state.memory, self.width),
        }
    }
}
