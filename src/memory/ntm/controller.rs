//! Neural Turing Machine core (models.md §2): R read heads and one write head, each with
//! its own Linear from `h_t` (`heads.read.{i}`, `heads.write`). The write head addresses
//! `M_{t−1}`; the read heads address `M_t`, after the write.

use super::head::{Addressed, AddressedGradients, EraseAdd, Head};
use crate::memory::addressing::{content_lookup, HeadAddressing, StageKind};
use crate::memory::content::row_norms;
use crate::memory::ntm::head_size;
use crate::memory::trace::{rows, StepTrace, Weights};
use crate::memory::{read, read_backward, INITIAL_MEMORY_VALUE};
use crate::memory::{MemoryCore, MemorySizes};
use crate::nn::{Linear, ParamStore};
use crate::rng::Pcg32;

pub struct NtmCore {
    read_heads: Vec<Linear>,
    write_head: Linear,
    slots: usize,
    width: usize,
}

pub struct NtmState {
    memory: Vec<f32>,
    /// `‖M[i]‖`, shared by every head addressing this memory (empty in gradients).
    row_norms: Vec<f32>,
    /// `R × N`.
    read_weights: Vec<f32>,
    write_weights: Vec<f32>,
    /// `R × W`.
    read_vectors: Vec<f32>,
}

pub struct NtmCache {
    reads: Vec<Head>,
    write: Head,
    written: EraseAdd,
}

impl NtmCore {
    pub fn new(sizes: MemorySizes, params: &mut ParamStore, rng: &mut Pcg32) -> Self {
        let (h, w) = (sizes.hidden, sizes.width);
        let read_heads = (0..sizes.reads)
            .map(|i| {
                Linear::register(
                    params,
                    &format!("heads.read.{i}"),
                    h,
                    head_size(w, false),
                    rng,
                )
            })
            .collect();
        let write_head = Linear::register(params, "heads.write", h, head_size(w, true), rng);
        NtmCore {
            read_heads,
            write_head,
            slots: sizes.slots,
            width: w,
        }
    }

    fn state(&self, memory_fill: f32) -> NtmState {
        let reads = self.read_heads.len();
        NtmState {
            memory: vec![memory_fill; self.slots * self.width],
            row_norms: Vec::new(),
            read_weights: vec![0.0; reads * self.slots],
            write_weights: vec![0.0; self.slots],
            read_vectors: vec![0.0; reads * self.width],
        }
    }
}

impl MemoryCore for NtmCore {
    type State = NtmState;
    type Cache = NtmCache;

    /// The state (memory, rows' norms, weightings, read vectors), every head's cache and
    /// the written erase and add vectors.
    fn step_floats(&self) -> usize {
        let (n, w, r) = (self.slots, self.width, self.read_heads.len());
        let state = n * w + 2 * n + r * n + r * w;
        let heads =
            super::head::head_floats(n, w, true) + r * super::head::head_floats(n, w, false);
        state + heads + 2 * w
    }

    fn read_width(&self) -> usize {
        self.read_heads.len() * self.width
    }
    /// Memory 1e-6 and read vectors 0 (models.md §0), but every head's weighting starts
    /// one-hot on slot 0, not at 0: with constant memory and zero weightings every write
    /// lands equally on every row, the rows stay identical, content addressing stays
    /// uniform and so does every shift of it, a fixed point no gradient can leave
    /// (the read heads' gradient is exactly 0). docs/architecture.md records this decision.
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
    fn read_vectors<'a>(&self, state: &'a NtmState) -> &'a [f32] {
        &state.read_vectors
    }
    fn read_vectors_mut<'a>(&self, state: &'a mut NtmState) -> &'a mut [f32] {
        &mut state.read_vectors
    }

    fn step(&self, params: &[f32], hidden: &[f32], previous: &NtmState) -> (NtmState, NtmCache) {
        let (n, w) = (self.slots, self.width);
        let at_previous = |last| Addressed {
            memory: &previous.memory,
            norms: &previous.row_norms,
            previous: last,
        };
        let write = Head::new(
            &self.write_head,
            params,
            hidden,
            at_previous(&previous.write_weights),
            w,
        );
        let written = write.erase_add(w);
        let mut next = self.state(0.0);
        write.write(&previous.memory, &written, &mut next.memory);
        next.row_norms = row_norms(&next.memory, w);
        next.write_weights
            .copy_from_slice(&write.addressing.weights);
        let reads: Vec<Head> = self
            .read_heads
            .iter()
            .enumerate()
            .map(|(i, layer)| {
                let at = Addressed {
                    memory: &next.memory,
                    norms: &next.row_norms,
                    previous: &previous.read_weights[i * n..(i + 1) * n],
                };
                Head::new(layer, params, hidden, at, w)
            })
            .collect();
        for (i, head) in reads.iter().enumerate() {
            read(
                &next.memory,
                &head.addressing.weights,
                &mut next.read_vectors[i * w..(i + 1) * w],
            );
            next.read_weights[i * n..(i + 1) * n].copy_from_slice(&head.addressing.weights);
        }
        (
            next,
            NtmCache {
                reads,
                write,
                written,
            },
        )
    }

    fn step_backward(
        &self,
        params: &[f32],
        grads: &mut [f32],
        hidden: &[f32],
        previous: &NtmState,
        cache: &NtmCache,
        next: &NtmState,
        dnext: &mut NtmState,
        dprevious: &mut NtmState,
        dhidden: &mut [f32],
    ) {
        let (n, w) = (self.slots, self.width);
        for (i, (layer, head)) in self.read_heads.iter().zip(&cache.reads).enumerate() {
            let heads = i * n..(i + 1) * n;
            read_backward(
                &next.memory,
                &head.addressing.weights,
                &dnext.read_vectors[i * w..(i + 1) * w],
                &mut dnext.memory,
                &mut dnext.read_weights[heads.clone()],
            );
            let at = Addressed {
                memory: &next.memory,
                norms: &next.row_norms,
                previous: &previous.read_weights[heads.clone()],
            };
            let into = AddressedGradients {
                memory: &mut dnext.memory,
                previous: &mut dprevious.read_weights[heads.clone()],
            };
            let dweights = dnext.read_weights[heads].to_vec();
            head.backward(
                layer, params, grads, hidden, at, &dweights, into, None, dhidden,
            );
        }
        let write = &cache.write;
        let (derase, dadd) = write.write_backward(
            &previous.memory,
            &cache.written,
            &dnext.memory,
            &mut dprevious.memory,
            &mut dnext.write_weights,
        );
        let at = Addressed {
            memory: &previous.memory,
            norms: &previous.row_norms,
            previous: &previous.write_weights,
        };
        let into = AddressedGradients {
            memory: &mut dprevious.memory,
            previous: &mut dprevious.write_weights,
        };
        write.backward(
            &self.write_head,
            params,
            grads,
            hidden,
            at,
            &dnext.write_weights,
            into,
            Some((&cache.written, &derase, &dadd)),
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
        let write = (
            "write".to_string(),
            "previous",
            &cache.write,
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
                    .stage(
                        "erase",
                        "erase e",
                        StageKind::Weighting,
                        &cache.written.erase,
                    )
                    .stage("add", "add a", StageKind::Vector, &cache.written.add);
            }
            trace.addressing.push(addressing);
        }
        trace
            .gates
            .insert("write.erase".into(), cache.written.erase.clone());
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
