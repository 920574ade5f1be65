//! The NTM memory in the generative order (generative.md §8.2, models.md §2): R read
//! heads address `M_{t−1}` from `h_t` (content, interpolation with the head's previous
//! weighting, shift, sharpening); then the write head addresses `M_{t−1}` from
//! `[h_t; z_t]` and `M_t = M_{t−1} ⊙ (1 − w e⊤) + w a⊤`, with `a` learned from `[h; z]`.

use super::{head, rows, LatentMemory, MemorySizes, MemoryView};
use crate::memory::content::row_norms;
use crate::memory::ntm::{address, address_backward, head_size, Addressing, HeadParams};
use crate::memory::write::{erase_and_add, erase_and_add_backward};
use crate::memory::{read, read_backward, INITIAL_MEMORY_VALUE};
use crate::nn::{Linear, ParamStore};
use crate::ops::activation::sigmoid;
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

struct Head {
    raw: Vec<f32>,
    params: HeadParams,
    addressing: Addressing,
}

pub struct NtmCache {
    reads: Vec<Head>,
    write: Option<Head>,
    erase: Vec<f32>,
    add: Vec<f32>,
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

    fn head(
        &self,
        layer: &Linear,
        params: &[f32],
        input: &[f32],
        previous: &NtmState,
        last: &[f32],
    ) -> Head {
        let mut raw = vec![0.0; layer.outputs];
        layer.forward(params, input, &mut raw);
        let head_params = HeadParams::from_raw(&raw, self.width);
        let addressing = address(&previous.memory, &previous.row_norms, &head_params, last);
        Head {
            raw,
            params: head_params,
            addressing,
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
        let heads = self
            .read_heads
            .iter()
            .enumerate()
            .map(|(i, layer)| {
                let head = self.head(
                    layer,
                    params,
                    hidden,
                    previous,
                    &previous.read_weights[i * n..(i + 1) * n],
                );
                read(
                    &previous.memory,
                    &head.addressing.weights,
                    &mut reads[i * w..(i + 1) * w],
                );
                head
            })
            .collect();
        let cache = NtmCache {
            reads: heads,
            write: None,
            erase: Vec::new(),
            add: Vec::new(),
        };
        (reads, cache)
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
        let write = self.head(
            &self.write_head,
            params,
            input,
            previous,
            &previous.write_weights,
        );
        cache.erase = write.raw[w + 6..2 * w + 6]
            .iter()
            .map(|&x| sigmoid(x))
            .collect();
        cache.add = write.raw[2 * w + 6..3 * w + 6].to_vec();
        let mut next = self.state(0.0);
        erase_and_add(
            &previous.memory,
            &write.addressing.weights,
            &cache.erase,
            &cache.add,
            &mut next.memory,
        );
        next.row_norms = row_norms(&next.memory, w);
        next.write_weights
            .copy_from_slice(&write.addressing.weights);
        for (i, head) in cache.reads.iter().enumerate() {
            next.read_weights[i * n..(i + 1) * n].copy_from_slice(&head.addressing.weights);
        }
        cache.write = Some(write);
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
        let w = self.width;
        let write = cache
            .write
            .as_ref()
            .expect("a step writes before its backward pass");
        let mut derase = vec![0.0; w];
        let mut dadd = vec![0.0; w];
        erase_and_add_backward(
            &previous.memory,
            &write.addressing.weights,
            &cache.erase,
            &cache.add,
            &dnext.memory,
            &mut dprevious.memory,
            &mut dnext.write_weights,
            &mut derase,
            &mut dadd,
        );
        let grad = address_backward(
            &previous.memory,
            &previous.row_norms,
            &write.params,
            &previous.write_weights,
            &write.addressing,
            &dnext.write_weights,
            &mut dprevious.memory,
            &mut dprevious.write_weights,
        );
        let mut draw = vec![0.0; self.write_head.outputs];
        write.params.raw_backward(&write.raw, &grad, &mut draw);
        for j in 0..w {
            draw[w + 6 + j] = derase[j] * cache.erase[j] * (1.0 - cache.erase[j]);
            draw[2 * w + 6 + j] = dadd[j];
        }
        self.write_head
            .backward(params, grads, input, &draw, Some(dinput));
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
            let dweights = &mut dnext.read_weights[heads.clone()];
            read_backward(
                &previous.memory,
                &head.addressing.weights,
                &dreads[i * w..(i + 1) * w],
                &mut dprevious.memory,
                dweights,
            );
            let grad = address_backward(
                &previous.memory,
                &previous.row_norms,
                &head.params,
                &previous.read_weights[heads.clone()],
                &head.addressing,
                dweights,
                &mut dprevious.memory,
                &mut dprevious.read_weights[heads],
            );
            let mut draw = vec![0.0; layer.outputs];
            head.params.raw_backward(&head.raw, &grad, &mut draw);
            layer.backward(params, grads, hidden, &draw, Some(dhidden));
        }
    }

    fn view(&self, state: &NtmState, _cache: &NtmCache) -> MemoryView {
        MemoryView {
            read_weights: rows(&state.read_weights, self.slots),
            write_weights: vec![state.write_weights.clone()],
            memory: rows(&state.memory, self.width),
        }
    }
}
