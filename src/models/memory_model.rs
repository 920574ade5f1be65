//! An LSTM controller coupled to a memory core, unrolled and trained by BPTT.
//!
//! Step order at time t (models.md §0):
//! 1. controller input `[x_t; r_{t−1}]`, controller step → `h_t`
//! 2. the core turns `h_t` into head parameters, writes, then reads `r_t`
//! 3. output `y_t = W_y [h_t; r_t] + b_y`
//!
//! The backward pass walks the same steps in reverse; gradients with respect to the
//! core's state (memory, weightings, `r_t`) flow from step t+1 to step t through a
//! state-shaped gradient value.

use super::{Model, ModelConfig, SequenceRef, StepTrace};
use crate::memory::{MemoryCore, StateGradients, Step};
use crate::nn::{Linear, LstmStack, LstmTape, ParamStore};
use crate::ops::loss::{masked_sigmoid_cross_entropy, SequenceScore};
use crate::rng::Pcg32;

/// Controller + core + output layer.
pub struct MemoryModel<C: MemoryCore + ?Sized> {
    config: ModelConfig,
    params: ParamStore,
    controller: LstmStack,
    core: Box<C>,
    output: Linear,
}

/// Everything a forward pass over one sequence keeps.
pub struct Unrolled<C: MemoryCore + ?Sized> {
    controller: LstmTape,
    /// `steps × (input_width + R·W)`: `[x_t; r_{t−1}]`.
    controller_inputs: Vec<f32>,
    /// `steps + 1` states; `states[0]` is the initial state.
    states: Vec<C::State>,
    caches: Vec<C::Cache>,
    logits: Vec<f32>,
}

impl<C: MemoryCore + ?Sized> MemoryModel<C> {
    /// Initialises parameters from `seed`: controller first, then the core's heads,
    /// then the output layer.
    pub fn new(
        config: ModelConfig,
        seed: u64,
        make_core: impl FnOnce(&ModelConfig, &mut ParamStore, &mut Pcg32) -> Box<C>,
    ) -> Self {
        Self::with_store(config, seed, ParamStore::new(), make_core)
    }

    /// [`MemoryModel::new`] registering into `params` (a layout-only store describes the
    /// parameters without allocating them).
    pub fn with_store(
        config: ModelConfig,
        seed: u64,
        mut params: ParamStore,
        make_core: impl FnOnce(&ModelConfig, &mut ParamStore, &mut Pcg32) -> Box<C>,
    ) -> Self {
        let mut rng = Pcg32::new(seed);
        let read_width = config.memory_width * config.read_heads;
        let read_width = if config.model.has_memory() {
            read_width
        } else {
            0
        };
        let controller = LstmStack::register(
            &mut params,
            "controller",
            config.input_width + read_width,
            config.hidden,
            config.layers,
            &mut rng,
        );
        let core = make_core(&config, &mut params, &mut rng);
        debug_assert_eq!(core.read_width(), read_width);
        let output = Linear::register(
            &mut params,
            "output",
            config.hidden + read_width,
            config.output_width,
            &mut rng,
        );
        MemoryModel {
            config,
            params,
            controller,
            core,
            output,
        }
    }

    fn unroll(&self, input: &[f32], steps: usize) -> Unrolled<C> {
        let p = self.params.values();
        let (x_width, r_width, h_width) = (
            self.config.input_width,
            self.core.read_width(),
            self.config.hidden,
        );
        let y_width = self.config.output_width;
        let mut run = Unrolled {
            controller: self.controller.new_tape(steps),
            controller_inputs: vec![0.0; steps * (x_width + r_width)],
            states: Vec::with_capacity(steps + 1),
            caches: Vec::with_capacity(steps),
            logits: vec![0.0; steps * y_width],
        };
        run.states.push(self.core.initial_state());
        let mut output_input = vec![0.0; h_width + r_width];
        for t in 0..steps {
            let controller_input =
                &mut run.controller_inputs[t * (x_width + r_width)..(t + 1) * (x_width + r_width)];
            controller_input[..x_width].copy_from_slice(&input[t * x_width..(t + 1) * x_width]);
            controller_input[x_width..].copy_from_slice(self.core.read_vectors(&run.states[t]));
            self.controller
                .forward_step(p, &mut run.controller, t, controller_input);
            let hidden = self.controller.output(&run.controller, t);
            let (state, cache) = self.core.step(p, hidden, &run.states[t]);
            output_input[..h_width].copy_from_slice(hidden);
            output_input[h_width..].copy_from_slice(self.core.read_vectors(&state));
            self.output.forward(
                p,
                &output_input,
                &mut run.logits[t * y_width..(t + 1) * y_width],
            );
            run.states.push(state);
            run.caches.push(cache);
        }
        run
    }

    fn backprop(&self, run: &Unrolled<C>, dlogits: &[f32], grads: &mut [f32]) {
        let p = self.params.values();
        let (x_width, r_width, h_width) = (
            self.config.input_width,
            self.core.read_width(),
            self.config.hidden,
        );
        let y_width = self.config.output_width;
        let steps = run.caches.len();
        let mut carry = self.controller.new_carry(steps);
        let mut dstate = self.core.zero_state();
        let mut output_input = vec![0.0; h_width + r_width];
        let mut doutput_input = vec![0.0; h_width + r_width];
        let mut dcontroller_input = vec![0.0; x_width + r_width];
        for t in (0..steps).rev() {
            let hidden = self.controller.output(&run.controller, t);
            output_input[..h_width].copy_from_slice(hidden);
            output_input[h_width..].copy_from_slice(self.core.read_vectors(&run.states[t + 1]));
            doutput_input.fill(0.0);
            self.output.backward(
                p,
                grads,
                &output_input,
                &dlogits[t * y_width..(t + 1) * y_width],
                Some(&mut doutput_input),
            );
            let (dhidden, dread) = doutput_input.split_at_mut(h_width);
            for (d, &g) in self
                .core
                .read_vectors_mut(&mut dstate)
                .iter_mut()
                .zip(dread.iter())
            {
                *d += g;
            }
            let mut dprevious = self.core.zero_state();
            let d = StateGradients {
                next: &mut dstate,
                previous: &mut dprevious,
            };
            self.core.step_backward(
                p,
                grads,
                hidden,
                Step::of(&run.states, &run.caches, t),
                d,
                dhidden,
            );
            self.controller.backward_step(
                p,
                &run.controller,
                t,
                dhidden,
                &mut carry,
                &mut dcontroller_input,
            );
            for (d, &g) in self
                .core
                .read_vectors_mut(&mut dprevious)
                .iter_mut()
                .zip(&dcontroller_input[x_width..])
            {
                *d += g;
            }
            dstate = dprevious;
        }
        self.controller.accumulate_weight_gradients(
            grads,
            &run.controller,
            &run.controller_inputs,
            steps,
            &carry,
        );
    }
}

impl<C: MemoryCore + ?Sized> Model for MemoryModel<C> {
    fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// Per step: the LSTM tape (gates, cell, tanh(cell), hidden: 7H a layer), the
    /// controller input, the core's state and cache, the logits and their gradient; and
    /// two states' gradients for the walk back.
    fn sequence_floats(&self, steps: usize) -> usize {
        let c = &self.config;
        let controller = c.layers * 7 * c.hidden + c.input_width + self.core.read_width();
        let core = self.core.step_floats();
        steps * (controller + core + 2 * c.output_width) + 2 * core
    }

    fn params(&self) -> &ParamStore {
        &self.params
    }

    fn params_mut(&mut self) -> &mut ParamStore {
        &mut self.params
    }

    fn forward(&self, input: &[f32], steps: usize) -> Vec<f32> {
        self.unroll(input, steps).logits
    }

    fn forward_backward(
        &self,
        sequence: SequenceRef<'_>,
        scale: f32,
        grads: &mut [f32],
    ) -> SequenceScore {
        let run = self.unroll(sequence.input, sequence.steps);
        let mut dlogits = vec![0.0; run.logits.len()];
        let score = masked_sigmoid_cross_entropy(
            &run.logits,
            sequence.target,
            sequence.mask,
            self.config.output_width,
            scale,
            Some(&mut dlogits),
        );
        self.backprop(&run, &dlogits, grads);
        score
    }

    fn trace(&self, input: &[f32], steps: usize) -> (Vec<f32>, Vec<StepTrace>) {
        let run = self.unroll(input, steps);
        let traces = (0..steps)
            .map(|t| {
                let mut trace = StepTrace {
                    hidden: self.controller.output(&run.controller, t).to_vec(),
                    ..StepTrace::default()
                };
                let (previous, state) = (&run.states[t], &run.states[t + 1]);
                self.core.trace(previous, state, &run.caches[t], &mut trace);
                trace
            })
            .collect();
        (run.logits, traces)
    }
}
