//! Differentiable Neural Computer core (models.md §3): one interface Linear
//! (`interface`) from `h_t` to ξ, then the memory step of [`crate::memory::dnc`].

use super::trace::{rows, Weights};
use super::{MemoryCore, ModelConfig, StepTrace};
use crate::memory::dnc::{interface_size, step, step_backward, DncState, DncStepCache, Interface};
use crate::nn::{Linear, ParamStore};
use crate::rng::Pcg32;

pub struct DncCore {
    interface: Linear,
    slots: usize,
    width: usize,
    reads: usize,
}

pub struct DncCache {
    raw: Vec<f32>,
    xi: Interface,
    step: DncStepCache,
}

impl DncCore {
    pub fn new(config: &ModelConfig, params: &mut ParamStore, rng: &mut Pcg32) -> Self {
        let (w, r) = (config.memory_width, config.read_heads);
        DncCore {
            interface: Linear::register(
                params,
                "interface",
                config.hidden,
                interface_size(w, r),
                rng,
            ),
            slots: config.memory_slots,
            width: w,
            reads: r,
        }
    }
}

impl MemoryCore for DncCore {
    type State = DncState;
    type Cache = DncCache;

    fn step_floats(&self) -> usize {
        crate::memory::dnc::step_floats(self.slots, self.width, self.reads)
    }

    fn read_width(&self) -> usize {
        self.reads * self.width
    }
    fn initial_state(&self) -> DncState {
        DncState::initial(self.slots, self.width, self.reads)
    }
    fn zero_state(&self) -> DncState {
        DncState::zeros(self.slots, self.width, self.reads)
    }
    fn read_vectors<'a>(&self, state: &'a DncState) -> &'a [f32] {
        &state.read_vectors
    }
    fn read_vectors_mut<'a>(&self, state: &'a mut DncState) -> &'a mut [f32] {
        &mut state.read_vectors
    }

    fn step(&self, params: &[f32], hidden: &[f32], previous: &DncState) -> (DncState, DncCache) {
        let mut raw = vec![0.0; self.interface.outputs];
        self.interface.forward(params, hidden, &mut raw);
        let xi = Interface::from_raw(&raw, self.width, self.reads);
        let (next, step_cache) = step(previous, &xi);
        (
            next,
            DncCache {
                raw,
                xi,
                step: step_cache,
            },
        )
    }

    fn step_backward(
        &self,
        params: &[f32],
        grads: &mut [f32],
        hidden: &[f32],
        previous: &DncState,
        cache: &DncCache,
        next: &DncState,
        dnext: &mut DncState,
        dprevious: &mut DncState,
        dhidden: &mut [f32],
    ) {
        let mut dxi = Interface::zeros(self.width, self.reads);
        step_backward(
            previous,
            &cache.xi,
            &cache.step,
            next,
            dnext,
            dprevious,
            &mut dxi,
        );
        let mut draw = vec![0.0; self.interface.outputs];
        cache.xi.raw_backward(&cache.raw, &dxi, &mut draw);
        self.interface
            .backward(params, grads, hidden, &draw, Some(dhidden));
    }

    fn trace(&self, state: &DncState, cache: &DncCache, trace: &mut StepTrace) {
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
    }
}
