//! The NTM memory in the generative order (generative.md §8.2, models.md §2): R read
//! heads address `M_{t−1}` from `h_t` (content, interpolation with the head's previous
//! weighting, shift, sharpening); then the write head addresses `M_{t−1}` from
//! `[h_t; z_t]` and `M_t = M_{t−1} ⊙ (1 − w e⊤) + w a⊤`, with `a` learned from `[h; z]`.

use super::head::{Addressed, AddressedGradients, EraseAdd, Head};
use crate::memory::content::row_norms;
use crate::memory::latent::{LatentMemory, MemoryView};
use crate::memory::ntm::head_size;
use crate::memory::trace::rows;
use crate::memory::{head, MemorySizes};
use crate::memory::{read, read_backward, INITIAL_MEMORY_VALUE};
use crate::nn::{Linear, ParamStore};
use crate::rng::Pcg32;

pub struct NtmMemory {
    read_heads: Vec<Linear>,
    write_head: Linear,
    slots: usize,
    width: usize,
}

pub struct NtmState {
    pub memory: Vec<f32>,
    /// `‖M[i]‖` (empty in gradients).
    row_norms: Vec<f32>,
    /// `R × N`: the read heads' weightings at this step (the next step's "previous").
    pub read_weights: Vec<f32>,
    pub write_weights: Vec<f32>,
}

pub struct NtmCache {
    reads: Vec<Head>,
    /// The write head and its erase and add, once the latent exists.
    write: Option<(Head, EraseAdd)>,
}

impl NtmMemory {
    pub fn new(sizes: MemorySizes, params: &mut ParamStore, rng: &mut Pcg32) -> Self {
        let w = sizes.width;
        let read_heads = (0..sizes.reads)
            .map(|i| {
                head(
                    params,
                    &format!("heads.read.{i}"),
                    sizes,
                    false,
                    head_size(w, false),
                    rng,
                )
            })
            .collect();
        let write_head = head(params, "heads.write", sizes, true, head_size(w, true), rng);
        NtmMemory {
            read_heads,
            write_head,
            slots: sizes.slots,
            width: w,
        }
    }

    fn state(&self, fill: f32) -> NtmState {
        NtmState {
            memory: vec![fill; self.slots * self.width],
            row_norms: Vec::new(),
            read_weights: vec![0.0; self.read_heads.len() * self.slots],
            write_weights: vec![0.0; self.slots],
        }
    }

    /// `previous` as a head addresses it, from its weighting `last`.
    fn at<'a>(previous: &'a NtmState, last: &'a [f32]) -> Addressed<'a> {
        Addressed {
            memory: &previous.memory,
            norms: &previous.row_norms,
            previous: last,
        }
    }
}

impl LatentMemory for NtmMemory {
    type State = NtmState;
    type Cache = NtmCache;

    fn read_width(&self) -> usize {
        self.read_heads.len() * self.width
    }

    /// Memory 1e-6 and every head's weighting one-hot on slot 0 (models.md §0).
    fn initial_state(&self) -> NtmState {
        let mut state = self.state(INITIAL_MEMORY_VALUE);
        state.row_norms = row_norms(&state.memory, self.width);
        state.write_weights[0] = 1.0;
        for head in state.read_weights.chunks_exact_mut(self.slots) {
            head[0] = 1.0;
        }
        state
    }

    fn zero_state(&self) -> NtmState {
        self.state(0.0)
    }

    fn read(
        &self,
        params: &[f32],
        hidden: &[f32],
        previous: &NtmState,
        _t: usize,
    ) -> (Vec<f32>, NtmCache) {
        let (n, w) = (self.slots, self.width);
        let mut reads = vec![0.0; self.read_width()];
        let heads: Vec<Head> = self
            .read_heads
            .iter()
            .enumerate()
            .map(|(i, layer)| {
                let last = &previous.read_weights[i * n..(i + 1) * n];
                Head::new(layer, params, hidden, Self::at(previous, last), w)
            })
            .collect();
        for (i, head) in heads.iter().enumerate() {
            read(
                &previous.memory,
                &head.addressing.weights,
                &mut reads[i * w..(i + 1) * w],
            );
        }
        (
            reads,
            NtmCache {
                reads: heads,
                write: None,
            },
        )
    }

    fn write(
        &self,
        params: &[f32],
        input: &[f32],
        previous: &NtmState,
        cache: &mut NtmCache,
        _t: usize,
    ) -> NtmState {
        let (n, w) = (self.slots, self.width);
        let at = Self::at(previous, &previous.write_weights);
        let write = Head::new(&self.write_head, params, input, at, w);
        let written = write.erase_add(w);
        let mut next = self.state(0.0);
        write.write(&previous.memory, &written, &mut next.memory);
        next.row_norms = row_norms(&next.memory, w);
        next.write_weights
            .copy_from_slice(&write.addressing.weights);
        for (i, head) in cache.reads.iter().enumerate() {
            next.read_weights[i * n..(i + 1) * n].copy_from_slice(&head.addressing.weights);
        }
        cache.write = Some((write, written));
        next
    }

    fn backward_write(
        &self,
        params: &[f32],
        grads: &mut [f32],
        input: &[f32],
        previous: &NtmState,
        cache: &NtmCache,
        _next: &NtmState,
        dnext: &mut NtmState,
        dprevious: &mut NtmState,
        dinput: &mut [f32],
    ) {
        let (write, written) = cache
            .write
            .as_ref()
            .expect("a step writes before its backward pass");
        let (derase, dadd) = write.write_backward(
            &previous.memory,
            written,
            &dnext.memory,
            &mut dprevious.memory,
            &mut dnext.write_weights,
        );
        let into = AddressedGradients {
            memory: &mut dprevious.memory,
            previous: &mut dprevious.write_weights,
        };
        write.backward(
            &self.write_head,
            params,
            grads,
            input,
            Self::at(previous, &previous.write_weights),
            &dnext.write_weights,
            into,
            Some((written, &derase, &dadd)),
            dinput,
        );
    }

    /// `dnext.read_weights` holds the gradient of this step's read weightings (from the
    /// next step, where they are the previous ones).
    fn backward_read(
        &self,
        params: &[f32],
        grads: &mut [f32],
        hidden: &[f32],
        previous: &NtmState,
        cache: &NtmCache,
        _next: &NtmState,
        dnext: &mut NtmState,
        dreads: &[f32],
        dprevious: &mut NtmState,
        dhidden: &mut [f32],
    ) {
        let (n, w) = (self.slots, self.width);
        for (i, (layer, head)) in self.read_heads.iter().zip(&cache.reads).enumerate() {
            let heads = i * n..(i + 1) * n;
            let mut dweights = dnext.read_weights[heads.clone()].to_vec();
            read_backward(
                &previous.memory,
                &head.addressing.weights,
                &dreads[i * w..(i + 1) * w],
                &mut dprevious.memory,
                &mut dweights,
            );
            let into = AddressedGradients {
                memory: &mut dprevious.memory,
                previous: &mut dprevious.read_weights[heads.clone()],
            };
            let at = Self::at(previous, &previous.read_weights[heads]);
            head.backward(
                layer, params, grads, hidden, at, &dweights, into, None, dhidden,
            );
        }
    }

    /// The state (memory, rows' norms, weightings), every head's cache and the written
    /// erase and add vectors.
    fn step_floats(&self) -> usize {
        let (n, w, r) = (self.slots, self.width, self.read_heads.len());
        let heads =
            super::head::head_floats(n, w, true) + r * super::head::head_floats(n, w, false);
        n * w + 2 * n + r * n + heads + 2 * w
    }

    fn view(&self, state: &NtmState, _cache: &NtmCache) -> MemoryView {
        MemoryView {
            read_weights: rows(&state.read_weights, self.slots),
            write_weights: vec![state.write_weights.clone()],
            memory: rows(&state.memory, self.width),
        }
    }
}
