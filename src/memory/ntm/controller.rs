//! The NTM as a controller drives it (models.md §2): the write head addresses and writes
//! `M_{t−1}`, then the read heads address `M_t`, after the write, from their last
//! weightings. Both halves are [`Ntm`]'s.

use super::head::Head;
use super::memory::{Ntm, NtmCache, NtmState, Written};
use crate::memory::addressing::{content_lookup, HeadAddressing, StageKind};
use crate::memory::trace::{rows, StepTrace, Weights};
use crate::memory::MemoryCore;
use crate::memory::{StateGradients, Step};

impl MemoryCore for Ntm {
    fn read_vectors<'a>(&self, state: &'a NtmState) -> &'a [f32] {
        &state.read_vectors
    }
    fn read_vectors_mut<'a>(&self, state: &'a mut NtmState) -> &'a mut [f32] {
        &mut state.read_vectors
    }

    fn step(&self, params: &[f32], hidden: &[f32], previous: &NtmState) -> (NtmState, NtmCache) {
        let mut next = self.state(0.0);
        let written = self.write(params, hidden, previous, &mut next);
        let NtmState {
            memory,
            row_norms,
            read_weights,
            read_vectors,
            ..
        } = &mut next;
        let reads = self.read(
            params,
            hidden,
            memory,
            row_norms,
            previous,
            read_weights,
            read_vectors,
        );
        let cache = NtmCache {
            reads,
            write: Some(written),
            read_weights: Vec::new(),
            read_vectors: Vec::new(),
        };
        (next, cache)
    }

    fn step_backward(
        &self,
        params: &[f32],
        grads: &mut [f32],
        hidden: &[f32],
        step: Step<'_, NtmState, NtmCache>,
        d: StateGradients<'_, NtmState>,
        dhidden: &mut [f32],
    ) {
        let (previous, cache, next) = (step.previous, step.cache, step.next);
        let (dnext, dprevious) = (d.next, d.previous);
        self.backward_read(
            params,
            grads,
            hidden,
            &cache.reads,
            (&next.memory, &next.row_norms),
            previous,
            (&dnext.read_vectors, &dnext.read_weights),
            &mut dnext.memory,
            &mut dprevious.read_weights,
            dhidden,
        );
        self.backward_write(
            params,
            grads,
            hidden,
            written(cache),
            previous,
            dnext,
            dprevious,
            dhidden,
        );
    }

    fn trace(
        &self,
        previous: &NtmState,
        state: &NtmState,
        cache: &NtmCache,
        trace: &mut StepTrace,
    ) {
        trace.memory = Some(rows(&state.memory, self.width));
        trace.read_weights = rows(&state.read_weights, self.slots);
        trace.write_weights = Some(Weights::Single(state.write_weights.clone()));
        trace.read_vectors = rows(&state.read_vectors, self.width);
        let n = self.slots;
        let reads = cache.reads.iter().enumerate().map(|(i, head)| {
            let prior = &previous.read_weights[i * n..(i + 1) * n];
            (format!("read.{i}"), "current", head, prior)
        });
        let Written { head, erase_add } = written(cache);
        let write = (
            "write".to_string(),
            "previous",
            head,
            &previous.write_weights[..],
        );
        for (name, memory, head, prior) in std::iter::once(write).chain(reads) {
            let p = &head.params;
            trace
                .gates
                .insert(format!("{name}.strength"), vec![p.strength]);
            trace.gates.insert(format!("{name}.gate"), vec![p.gate]);
            trace
                .gates
                .insert(format!("{name}.shift"), p.shift.to_vec());
            trace
                .gates
                .insert(format!("{name}.sharpening"), vec![p.sharpening]);
            let mut addressing = head_addressing(HeadAddressing::new(name, memory), head, prior);
            if memory == "previous" {
                addressing = addressing
                    .stage("erase", "erase e", StageKind::Weighting, &erase_add.erase)
                    .stage("add", "add a", StageKind::Vector, &erase_add.add);
            }
            trace.addressing.push(addressing);
        }
        trace
            .gates
            .insert("write.erase".into(), erase_add.erase.clone());
    }
}

/// An NTM head's stages (models.md §2): content lookup, interpolation with the previous
/// weighting by g, the 3-tap shift, sharpening by γ.
fn head_addressing(into: HeadAddressing, head: &Head, previous: &[f32]) -> HeadAddressing {
    let (p, a) = (&head.params, &head.addressing);
    content_lookup(into, &p.key, &[], &a.similarity, &a.content, p.strength)
        .stage(
            "previous",
            "previous weighting wₜ₋₁",
            StageKind::Weighting,
            previous,
        )
        .stage(
            "gated",
            "interpolation g·wᶜ + (1 − g)·wₜ₋₁",
            StageKind::Weighting,
            &a.gated,
        )
        .with("g", &[p.gate])
        .stage(
            "shifted",
            "shift w̃[i] = Σ_δ s_δ·wᵍ[i − δ]",
            StageKind::Weighting,
            &a.shifted,
        )
        .with("s", &p.shift)
        .stage(
            "weighting",
            "sharpening w = w̃ᵞ / Σ w̃ᵞ",
            StageKind::Weighting,
            &a.weights,
        )
        .with("γ", &[p.sharpening])
}

/// The write head of a controller-order step, which always writes.
fn written(cache: &NtmCache) -> &Written {
    cache
        .write
        .as_ref()
        .expect("a controller-order step writes before it reads")
}
