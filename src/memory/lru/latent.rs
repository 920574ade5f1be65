//! The LRU-access memory in the generative order (generative.md §8.2, models.md §4):
//!
//! ```text
//! w^{r,i}_t[j] = softmax_j K(k^i, M_{t−1}[j]),   r^i = M_{t−1}⊤ w^{r,i}_t
//! [v^i; α̂^i] = heads.write([h_t; z_t]),  α^i = σ(α̂^i)
//! w^{w,i}_t = α^i w^{r,i}_t + (1 − α^i) w^{lu}_{t−1}
//! M_t = M' + Σ_i w^{w,i}_t (v^i)⊤     (M' = M_{t−1} with row argmin w^u_{t−1} zeroed)
//! w^u_t = γ w^u_{t−1} + Σ_i (w^{r,i}_t + w^{w,i}_t),  w^{lu}_t as models.md §4
//! ```
//! Usage, `w^{lu}` and the zeroed row are constants for differentiation (decision 2).

use crate::memory::content::{content_weighting, content_weighting_backward, row_norms};
use crate::memory::latent::{LatentMemory, MemoryView};
use crate::memory::lru::{least_used, least_used_slot, USAGE_DECAY};
use crate::memory::trace::rows;
use crate::memory::{head, Memory, MemorySizes};
use crate::memory::{read, read_backward, INITIAL_MEMORY_VALUE};
use crate::memory::{StateGradients, Step};
use crate::nn::{Linear, ParamStore};
use crate::ops::activation::sigmoid;
use crate::ops::linalg::{self, dot};
use crate::rng::Pcg32;

pub struct LruMemory {
    read_heads: Linear,
    write_heads: Linear,
    slots: usize,
    width: usize,
    reads: usize,
}

pub struct LruState {
    pub memory: Vec<f32>,
    pub usage: Vec<f32>,
    pub least_used: Vec<f32>,
    /// `R × N`: this step's read weightings (in gradients, the write's part of theirs).
    pub read_weights: Vec<f32>,
}

pub struct LruCache {
    keys: Vec<f32>,
    norms: Vec<f32>,
    /// `R × N` each.
    similarity: Vec<f32>,
    read_weights: Vec<f32>,
    write_raw: Vec<f32>,
    /// `R × N`.
    write_weights: Vec<f32>,
    gates: Vec<f32>,
    zeroed_slot: usize,
}

impl LruMemory {
    pub fn new(sizes: MemorySizes, params: &mut ParamStore, rng: &mut Pcg32) -> Self {
        let (w, r) = (sizes.width, sizes.reads);
        LruMemory {
            read_heads: head(params, "heads.read", sizes, false, r * w, rng),
            write_heads: head(params, "heads.write", sizes, true, r * (w + 1), rng),
            slots: sizes.slots,
            width: w,
            reads: r,
        }
    }

    fn state(&self, fill: f32) -> LruState {
        LruState {
            memory: vec![fill; self.slots * self.width],
            usage: vec![0.0; self.slots],
            least_used: vec![0.0; self.slots],
            read_weights: vec![0.0; self.reads * self.slots],
        }
    }
}

impl Memory for LruMemory {
    type State = LruState;
    type Cache = LruCache;
    fn read_width(&self) -> usize {
        self.reads * self.width
    }
    /// Memory 1e-6, usage 0, and `w^{lu}_0` on slots 0..R−1 (models.md §4).
    fn initial_state(&self) -> LruState {
        let mut state = self.state(INITIAL_MEMORY_VALUE);
        state.least_used = least_used(&state.usage, self.reads);
        state
    }
    fn zero_state(&self) -> LruState {
        self.state(0.0)
    }
    /// The memory core's, plus the write heads' raw outputs.
    fn step_floats(&self) -> usize {
        let (n, w, r) = (self.slots, self.width, self.reads);
        crate::memory::lru::step_floats(n, w, r) + r * (w + 1)
    }
}

impl LatentMemory for LruMemory {
    fn read(
        &self,
        params: &[f32],
        hidden: &[f32],
        previous: &LruState,
        _t: usize,
    ) -> (Vec<f32>, LruCache) {
        let (n, w) = (self.slots, self.width);
        let mut keys = vec![0.0; self.reads * w];
        self.read_heads.forward(params, hidden, &mut keys);
        let norms = row_norms(&previous.memory, w);
        let mut similarity = vec![0.0; self.reads * n];
        let mut read_weights = vec![0.0; self.reads * n];
        let mut reads = vec![0.0; self.reads * w];
        for i in 0..self.reads {
            let heads = i * n..(i + 1) * n;
            content_weighting(
                &previous.memory,
                &norms,
                &keys[i * w..(i + 1) * w],
                1.0,
                &mut similarity[heads.clone()],
                &mut read_weights[heads.clone()],
            );
            read(
                &previous.memory,
                &read_weights[heads],
                &mut reads[i * w..(i + 1) * w],
            );
        }
        let cache = LruCache {
            keys,
            norms,
            similarity,
            read_weights,
            write_raw: Vec::new(),
            write_weights: Vec::new(),
            gates: Vec::new(),
            zeroed_slot: 0,
        };
        (reads, cache)
    }

    fn write(
        &self,
        params: &[f32],
        input: &[f32],
        previous: &LruState,
        cache: &mut LruCache,
        _t: usize,
    ) -> LruState {
        let (n, w) = (self.slots, self.width);
        let mut raw = vec![0.0; self.write_heads.outputs];
        self.write_heads.forward(params, input, &mut raw);
        cache.gates = (0..self.reads)
            .map(|i| sigmoid(raw[i * (w + 1) + w]))
            .collect();
        cache.write_weights = vec![0.0; self.reads * n];
        for (i, &alpha) in cache.gates.iter().enumerate() {
            for k in 0..n {
                cache.write_weights[i * n + k] =
                    alpha * cache.read_weights[i * n + k] + (1.0 - alpha) * previous.least_used[k];
            }
        }
        cache.zeroed_slot = least_used_slot(&previous.usage);
        let mut next = self.state(0.0);
        next.memory.copy_from_slice(&previous.memory);
        next.memory[cache.zeroed_slot * w..(cache.zeroed_slot + 1) * w].fill(0.0);
        for i in 0..self.reads {
            let value = &raw[i * (w + 1)..i * (w + 1) + w];
            linalg::outer_accumulate(
                &cache.write_weights[i * n..(i + 1) * n],
                value,
                &mut next.memory,
            );
        }
        for k in 0..n {
            let touched: f32 = (0..self.reads)
                .map(|i| cache.read_weights[i * n + k] + cache.write_weights[i * n + k])
                .sum();
            next.usage[k] = USAGE_DECAY * previous.usage[k] + touched;
        }
        next.least_used = least_used(&next.usage, self.reads);
        next.read_weights.copy_from_slice(&cache.read_weights);
        cache.write_raw = raw;
        next
    }

    /// Leaves the gradient of this step's read weightings (through the write
    /// weightings) in `dnext.read_weights`.
    fn backward_write(
        &self,
        params: &[f32],
        grads: &mut [f32],
        input: &[f32],
        step: Step<'_, LruState, LruCache>,
        d: StateGradients<'_, LruState>,
        dinput: &mut [f32],
    ) {
        let (previous, cache) = (step.previous, step.cache);
        let (dnext, dprevious) = (d.next, d.previous);
        let (n, w) = (self.slots, self.width);
        let dmemory = &dnext.memory;
        // M_t = M' + Σ_i w^{w,i} (v^i)⊤; M' passes M_{t−1} except the zeroed row.
        for (k, (d, g)) in dprevious.memory.iter_mut().zip(dmemory).enumerate() {
            if k / w != cache.zeroed_slot {
                *d += g;
            }
        }
        let mut dread_weights = std::mem::take(&mut dnext.read_weights);
        let mut draw = vec![0.0; self.write_heads.outputs];
        for i in 0..self.reads {
            let value = &cache.write_raw[i * (w + 1)..i * (w + 1) + w];
            let weights = &cache.write_weights[i * n..(i + 1) * n];
            // dv = Σ_j w[j] dM[j];  dw[j] = dM[j] · v.
            linalg::matvec_transposed_accumulate(
                dmemory,
                weights,
                &mut draw[i * (w + 1)..i * (w + 1) + w],
            );
            let alpha = cache.gates[i];
            let mut dalpha = 0.0;
            for k in 0..n {
                let dwrite = dot(&dmemory[k * w..(k + 1) * w], value);
                dalpha += dwrite * (cache.read_weights[i * n + k] - previous.least_used[k]);
                dread_weights[i * n + k] += alpha * dwrite;
            }
            draw[i * (w + 1) + w] = dalpha * alpha * (1.0 - alpha);
        }
        self.write_heads
            .backward(params, grads, input, &draw, Some(dinput));
        dnext.read_weights = dread_weights;
    }

    fn backward_read(
        &self,
        params: &[f32],
        grads: &mut [f32],
        hidden: &[f32],
        step: Step<'_, LruState, LruCache>,
        d: StateGradients<'_, LruState>,
        dreads: &[f32],
        dhidden: &mut [f32],
    ) {
        let (previous, cache) = (step.previous, step.cache);
        let (dnext, dprevious) = (d.next, d.previous);
        let (n, w) = (self.slots, self.width);
        let dread_weights = &mut dnext.read_weights;
        let mut dkeys = vec![0.0; self.reads * w];
        for i in 0..self.reads {
            let heads = i * n..(i + 1) * n;
            read_backward(
                &previous.memory,
                &cache.read_weights[heads.clone()],
                &dreads[i * w..(i + 1) * w],
                &mut dprevious.memory,
                &mut dread_weights[heads.clone()],
            );
            content_weighting_backward(
                &previous.memory,
                &cache.norms,
                &cache.keys[i * w..(i + 1) * w],
                1.0,
                &cache.similarity[heads.clone()],
                &cache.read_weights[heads.clone()],
                &dread_weights[heads],
                &mut dprevious.memory,
                &mut dkeys[i * w..(i + 1) * w],
            );
        }
        self.read_heads
            .backward(params, grads, hidden, &dkeys, Some(dhidden));
    }

    fn view(&self, state: &LruState, cache: &LruCache) -> MemoryView {
        MemoryView {
            read_weights: rows(&cache.read_weights, self.slots),
            write_weights: rows(&cache.write_weights, self.slots),
            memory: rows(&state.memory, self.width),
        }
    }
}
