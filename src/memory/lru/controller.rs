//! Least-recently-used access core (models.md §4): one Linear (`heads`) from `h_t` to
//! head-major blocks `[k¹; α¹; k²; α²; …]`, then the step of [`crate::memory::lru`].

use crate::memory::addressing::{HeadAddressing, StageKind};
use crate::memory::lru::{head_size, step, step_backward, LruState, LruStepCache};
use crate::memory::trace::{rows, StepTrace, Weights};
use crate::memory::{Memory, MemoryCore, MemorySizes};
use crate::memory::{StateGradients, Step};
use crate::nn::{Linear, ParamStore};
use crate::ops::activation::sigmoid;
use crate::rng::Pcg32;

pub struct LruCore {
    heads: Linear,
    slots: usize,
    width: usize,
    reads: usize,
}

pub struct LruCache {
    keys: Vec<f32>,
    write_gates: Vec<f32>,
    step: LruStepCache,
}

impl LruCore {
    pub fn new(sizes: MemorySizes, params: &mut ParamStore, rng: &mut Pcg32) -> Self {
        let (w, r) = (sizes.width, sizes.reads);
        LruCore {
            heads: Linear::register(params, "heads", sizes.hidden, r * head_size(w), rng),
            slots: sizes.slots,
            width: w,
            reads: r,
        }
    }
}

impl Memory for LruCore {
    type State = LruState;
    type Cache = LruCache;
    fn read_width(&self) -> usize {
        self.reads * self.width
    }
    fn initial_state(&self) -> LruState {
        LruState::initial(self.slots, self.width, self.reads)
    }
    fn zero_state(&self) -> LruState {
        LruState::zeros(self.slots, self.width, self.reads)
    }
    fn step_floats(&self) -> usize {
        crate::memory::lru::step_floats(self.slots, self.width, self.reads)
    }
}

impl MemoryCore for LruCore {
    fn read_vectors<'a>(&self, state: &'a LruState) -> &'a [f32] {
        &state.read_vectors
    }
    fn read_vectors_mut<'a>(&self, state: &'a mut LruState) -> &'a mut [f32] {
        &mut state.read_vectors
    }

    fn step(&self, params: &[f32], hidden: &[f32], previous: &LruState) -> (LruState, LruCache) {
        let mut raw = vec![0.0; self.heads.outputs];
        self.heads.forward(params, hidden, &mut raw);
        let block = head_size(self.width);
        let keys: Vec<f32> = raw
            .chunks_exact(block)
            .flat_map(|b| b[..self.width].iter().copied())
            .collect();
        let write_gates: Vec<f32> = raw
            .chunks_exact(block)
            .map(|b| sigmoid(b[self.width]))
            .collect();
        let (next, step_cache) = step(previous, &keys, &write_gates);
        (
            next,
            LruCache {
                keys,
                write_gates,
                step: step_cache,
            },
        )
    }

    fn step_backward(
        &self,
        params: &[f32],
        grads: &mut [f32],
        hidden: &[f32],
        step: Step<'_, LruState, LruCache>,
        d: StateGradients<'_, LruState>,
        dhidden: &mut [f32],
    ) {
        let (previous, cache, next) = (step.previous, step.cache, step.next);
        let (dnext, dprevious) = (d.next, d.previous);
        let mut dkeys = vec![0.0; cache.keys.len()];
        let mut dgates = vec![0.0; self.reads];
        step_backward(
            previous,
            &cache.keys,
            &cache.write_gates,
            &cache.step,
            next,
            dnext,
            dprevious,
            &mut dkeys,
            &mut dgates,
        );
        let block = head_size(self.width);
        let mut draw = vec![0.0; self.heads.outputs];
        for (i, chunk) in draw.chunks_exact_mut(block).enumerate() {
            chunk[..self.width].copy_from_slice(&dkeys[i * self.width..(i + 1) * self.width]);
            let alpha = cache.write_gates[i];
            chunk[self.width] = dgates[i] * alpha * (1.0 - alpha);
        }
        self.heads
            .backward(params, grads, hidden, &draw, Some(dhidden));
    }

    fn trace(
        &self,
        previous: &LruState,
        state: &LruState,
        cache: &LruCache,
        trace: &mut StepTrace,
    ) {
        trace.memory = Some(rows(&state.memory, self.width));
        trace.read_weights = rows(&state.read_weights, self.slots);
        trace.write_weights = Some(Weights::PerHead(rows(
            &cache.step.write_weights,
            self.slots,
        )));
        trace.read_vectors = rows(&state.read_vectors, self.width);
        trace.usage = Some(state.usage.clone());
        trace
            .gates
            .insert("write_gates".into(), cache.write_gates.clone());
        trace
            .gates
            .insert("least_used".into(), state.least_used.clone());
        let (n, w) = (self.slots, self.width);
        for i in 0..self.reads {
            let slots = i * n..(i + 1) * n;
            let zeroed = cache.step.zeroed_slot as f32;
            let head = HeadAddressing::new(format!("head.{i}"), "current")
                .stage(
                    "least_used",
                    "least used wˡᵘₜ₋₁",
                    StageKind::Weighting,
                    &previous.least_used,
                )
                .stage(
                    "previous",
                    "previous read weighting wʳₜ₋₁",
                    StageKind::Weighting,
                    &previous.read_weights[slots.clone()],
                )
                .stage(
                    "write",
                    "write weighting α·wʳₜ₋₁ + (1 − α)·wˡᵘₜ₋₁",
                    StageKind::Weighting,
                    &cache.step.write_weights[slots.clone()],
                )
                .with("α", &[cache.write_gates[i]])
                .with("zeroed slot", &[zeroed])
                .stage(
                    "key",
                    "key k",
                    StageKind::Vector,
                    &cache.keys[i * w..(i + 1) * w],
                )
                .stage(
                    "similarity",
                    "cosine similarity K(k, Mₜ[i])",
                    StageKind::Similarity,
                    &cache.step.similarity[slots.clone()],
                )
                .stage(
                    "weighting",
                    "read weighting softmax(K)",
                    StageKind::Weighting,
                    &state.read_weights[slots],
                );
            trace.addressing.push(head);
        }
    }
}
