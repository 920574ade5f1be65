//! Differentiable Neural Computer core (models.md §3): one interface Linear
//! (`interface`) from `h_t` to ξ, then the memory step of [`crate::memory::dnc`].

use super::memory::{Dnc, DncCache, DncCore};
use super::DncOptions;
use crate::memory::addressing::{content_lookup, HeadAddressing, StageKind};
use crate::memory::dnc::{interface_size, step, step_backward, DncState, Interface};
use crate::memory::trace::{rows, StepTrace, Weights};
use crate::memory::{MemoryCore, MemorySizes};
use crate::memory::{StateGradients, Step};
use crate::nn::{Linear, ParamStore};
use crate::rng::Pcg32;

impl DncCore {
    pub fn new(
        sizes: MemorySizes,
        options: DncOptions,
        params: &mut ParamStore,
        rng: &mut Pcg32,
    ) -> Self {
        let (w, r) = (sizes.width, sizes.reads);
        Dnc {
            heads: Linear::register(
                params,
                "interface",
                sizes.hidden,
                interface_size(w, r, options),
                rng,
            ),
            options,
            slots: sizes.slots,
            width: w,
            reads: r,
        }
    }
}

impl MemoryCore for DncCore {
    fn read_vectors<'a>(&self, state: &'a DncState) -> &'a [f32] {
        &state.read_vectors
    }
    fn read_vectors_mut<'a>(&self, state: &'a mut DncState) -> &'a mut [f32] {
        &mut state.read_vectors
    }

    fn step(&self, params: &[f32], hidden: &[f32], previous: &DncState) -> (DncState, DncCache) {
        let mut raw = vec![0.0; self.heads.outputs];
        self.heads.forward(params, hidden, &mut raw);
        let xi = Interface::from_raw(&raw, self.width, self.reads, self.options);
        let (next, step_cache) = step(previous, &xi);
        (
            next,
            DncCache {
                raw,
                xi,
                step: step_cache,
                partial: None,
            },
        )
    }

    fn step_backward(
        &self,
        params: &[f32],
        grads: &mut [f32],
        hidden: &[f32],
        step: Step<'_, DncState, DncCache>,
        d: StateGradients<'_, DncState>,
        dhidden: &mut [f32],
    ) {
        let (previous, cache, next) = (step.previous, step.cache, step.next);
        let (dnext, dprevious) = (d.next, d.previous);
        let mut dxi = Interface::zeros(self.width, self.reads, self.options);
        step_backward(
            previous,
            &cache.xi,
            &cache.step,
            next,
            dnext,
            dprevious,
            &mut dxi,
        );
        let mut draw = vec![0.0; self.heads.outputs];
        cache.xi.raw_backward(&cache.raw, &dxi, &mut draw);
        self.heads
            .backward(params, grads, hidden, &draw, Some(dhidden));
    }

    fn trace(
        &self,
        previous: &DncState,
        state: &DncState,
        cache: &DncCache,
        trace: &mut StepTrace,
    ) {
        let n = self.slots;
        trace.memory = Some(rows(&state.memory, self.width));
        trace.read_weights = rows(&state.read_weights, n);
        trace.write_weights = Some(Weights::Single(state.write_weights.clone()));
        trace.read_vectors = rows(&state.read_vectors, self.width);
        trace.usage = Some(state.usage.clone());
        trace.allocation = Some(cache.step.allocation.clone());
        trace.precedence = Some(state.precedence.clone());
        trace.link = Some(rows(&state.link, n));
        let xi = &cache.xi;
        trace
            .gates
            .insert("allocation_gate".into(), vec![xi.allocation_gate]);
        trace.gates.insert("write_gate".into(), vec![xi.write_gate]);
        trace
            .gates
            .insert("free_gates".into(), xi.free_gates.clone());
        trace
            .gates
            .insert("read_modes".into(), xi.read_modes.clone());
        trace
            .gates
            .insert("write_strength".into(), vec![xi.write_strength]);
        trace
            .gates
            .insert("read_strengths".into(), xi.read_strengths.clone());
        trace.gates.insert("erase".into(), xi.erase.clone());
        trace.addressing.push(write_addressing(cache, state));
        for i in 0..self.reads {
            let prior = &previous.read_weights[i * n..(i + 1) * n];
            trace.addressing.push(read_addressing(
                cache,
                i,
                prior,
                &state.read_weights[i * n..(i + 1) * n],
            ));
        }
    }
}

/// The write head (models.md §3): content lookup on `M_{t−1}`; retention and usage,
/// the free list and allocation; the gates mixing them; erase and write vectors.
fn write_addressing(cache: &DncCache, state: &DncState) -> HeadAddressing {
    let (xi, step) = (&cache.xi, &cache.step);
    let order: Vec<f32> = step.order.iter().map(|&slot| slot as f32).collect();
    let head = HeadAddressing::new("write", "previous");
    content_lookup(
        head,
        &xi.write_key,
        &xi.write_mask,
        &step.write_similarity,
        &step.content_write,
        xi.write_strength,
    )
    .stage(
        "retention",
        "retention ψ = Πᵢ (1 − fⁱ·wʳⁱₜ₋₁)",
        StageKind::Weighting,
        &step.retention,
    )
    .with("f", &xi.free_gates)
    .stage(
        "usage",
        "usage uₜ = (uₜ₋₁ + wʷₜ₋₁ − uₜ₋₁·wʷₜ₋₁)·ψ",
        StageKind::Weighting,
        &state.usage,
    )
    .stage(
        "free_list",
        "free list φ: slots by ascending usage",
        StageKind::Order,
        &order,
    )
    .stage(
        "allocation",
        "allocation a[φ_j] = (1 − û[φ_j])·Π_m<j û[φ_m]",
        StageKind::Weighting,
        &step.allocation,
    )
    .stage(
        "weighting",
        "write weighting gʷ·(gᵃ·a + (1 − gᵃ)·cʷ)",
        StageKind::Weighting,
        &state.write_weights,
    )
    .with("g^a", &[xi.allocation_gate])
    .with("g^w", &[xi.write_gate])
    .stage("erase", "erase e", StageKind::Weighting, &xi.erase)
    .stage(
        "write_vector",
        "write vector v",
        StageKind::Vector,
        &xi.write_vector,
    )
}

/// Read head `i` (models.md §3): content lookup on `M_t`, the forward and backward
/// weightings through the link matrix from the head's previous weighting, and the read
/// modes (b, c, f) mixing them.
fn read_addressing(
    cache: &DncCache,
    i: usize,
    previous: &[f32],
    weights: &[f32],
) -> HeadAddressing {
    let (xi, step) = (&cache.xi, &cache.step);
    let (n, w) = (previous.len(), xi.write_key.len());
    let slots = i * n..(i + 1) * n;
    let head = HeadAddressing::new(format!("read.{i}"), "current");
    let mask = xi.read_mask(i);
    let head = content_lookup(
        head,
        &xi.read_keys[i * w..(i + 1) * w],
        mask,
        &step.read_similarity[slots.clone()],
        &step.content_read[slots.clone()],
        xi.read_strengths[i],
    )
    .stage(
        "previous",
        "previous read weighting wʳₜ₋₁",
        StageKind::Weighting,
        previous,
    )
    .stage(
        "forward",
        "forward f = Lₜ·wʳₜ₋₁",
        StageKind::Weighting,
        &step.forward[slots.clone()],
    )
    .stage(
        "backward",
        "backward b = Lₜᵀ·wʳₜ₋₁",
        StageKind::Weighting,
        &step.backward[slots.clone()],
    );
    // Link sharpness (§3.1): what the read modes mix instead.
    let head = if step.forward_sharpened.is_empty() {
        head
    } else {
        head.stage(
            "forward_sharpened",
            "sharpened forward (f + ε)^s_f / Σ",
            StageKind::Weighting,
            &step.forward_sharpened[slots.clone()],
        )
        .with("s_f", &[xi.forward_sharpness[i]])
        .stage(
            "backward_sharpened",
            "sharpened backward (b + ε)^s_b / Σ",
            StageKind::Weighting,
            &step.backward_sharpened[slots],
        )
        .with("s_b", &[xi.backward_sharpness[i]])
    };
    head.stage(
        "weighting",
        "read weighting π_b·b + π_c·c + π_f·f",
        StageKind::Weighting,
        weights,
    )
    .with("π", &xi.read_modes[3 * i..3 * i + 3])
}
