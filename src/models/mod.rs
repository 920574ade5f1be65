//! The models of models.md §1–§5 behind one [`Model`] trait.
//!
//! Every recurrent model here is an LSTM controller plus a memory core (see
//! `memory_model`); the LSTM baseline is the same with no memory. The Neural GPU
//! family ([`neural_gpu`]) is not recurrent in this way and implements [`Model`]
//! directly.

pub mod config;
pub mod gtmm;
mod memory_model;
pub mod neural_gpu;
pub mod trace;

pub use config::{DncOptions, ModelConfig};
pub use memory_model::MemoryModel;
pub use trace::{SequenceTrace, StepTrace, Weights};

use crate::error::{EngramError, Result};
use crate::kinds::Family;
use crate::memory::controller_core;
use crate::nn::{ParamEntry, ParamStore};
use crate::objective::Objective;
use crate::ops::loss::SequenceScore;
pub use crate::tasks::SequenceRef;
use neural_gpu::relaxation::RelaxedSets;
use neural_gpu::{ImageTrace, NeuralGpu};

/// A forward pass of one sequence run a few steps at a time, so that a long test can
/// show its progress and be stopped between calls: see [`Model::begin_forward`].
pub struct PartialForward {
    /// Steps run so far, of `total`.
    pub done: usize,
    pub total: usize,
    state: PartialState,
}

enum PartialState {
    /// The model's state between steps (the Diagonal Neural GPU's one-row image).
    Image(Vec<f32>),
    /// A model that runs in one go: its logits once run.
    Whole(Option<Vec<f32>>),
}

impl PartialForward {
    /// A pass the model runs whole on its first advance.
    fn whole(total: usize) -> PartialForward {
        PartialForward {
            done: 0,
            total,
            state: PartialState::Whole(None),
        }
    }

    /// A pass paused with `image` after `done` of `total` steps.
    fn image(image: Vec<f32>, done: usize, total: usize) -> PartialForward {
        PartialForward {
            done,
            total,
            state: PartialState::Image(image),
        }
    }

    pub fn is_done(&self) -> bool {
        self.done >= self.total
    }

    /// The paused image of a pass begun with [`PartialForward::image`].
    fn image_mut(&mut self) -> &mut Vec<f32> {
        match &mut self.state {
            PartialState::Image(image) => image,
            PartialState::Whole(_) => panic!("this pass holds no image"),
        }
    }
}

/// What every model offers the trainer, the CLI, checkpoints and the page.
pub trait Model: Send + Sync {
    fn config(&self) -> &ModelConfig;
    fn params(&self) -> &ParamStore;
    fn params_mut(&mut self) -> &mut ParamStore;
    /// About how many floats one sequence of `steps` steps keeps through its forward and
    /// backward pass (per-step states, caches and activations: the dominant terms), for
    /// the training memory estimate ([`crate::train::estimate_ram`]).
    fn sequence_floats(&self, steps: usize) -> usize;
    /// What the model is trained to minimise, and the metrics it is judged by.
    fn objective(&self) -> Objective {
        Objective::SigmoidBits
    }
    /// Logits (`steps × output_width`) for one input sequence.
    fn forward(&self, input: &[f32], steps: usize) -> Vec<f32>;
    /// Forward, loss and backward through time for one sequence: accumulates
    /// `scale · ∂loss/∂θ` into `grads` (laid out like `params().values()`).
    fn forward_backward(
        &self,
        sequence: SequenceRef<'_>,
        scale: f32,
        grads: &mut [f32],
    ) -> SequenceScore;
    /// The sequence's score as evaluation measures it, without gradients: by default the
    /// objective on the logits of [`Model::forward`] (for the Neural GPU with dependent
    /// outputs, greedy decoding).
    fn score(&self, sequence: SequenceRef<'_>) -> SequenceScore {
        let logits = self.forward(sequence.input, sequence.steps);
        self.objective().score(
            &logits,
            sequence.target,
            sequence.alternative,
            sequence.mask,
            self.config().output_width,
            0.0,
            1.0,
            None,
        )
    }
    /// Starts a forward pass of one sequence of `steps` columns or steps that
    /// [`Model::advance_forward`] runs a few steps per call and [`Model::finish_forward`]
    /// reads out: the same logits as [`Model::forward`]. By default the whole pass runs
    /// on the first advance; the Diagonal Neural GPU pauses between its n_b steps.
    fn begin_forward(&self, _input: &[f32], steps: usize) -> PartialForward {
        PartialForward::whole(steps)
    }
    /// Runs up to `steps` more steps of `partial` (begun on the same `input`).
    fn advance_forward(&self, partial: &mut PartialForward, input: &[f32], _steps: usize) {
        if let PartialState::Whole(logits @ None) = &mut partial.state {
            *logits = Some(self.forward(input, partial.total));
            partial.done = partial.total;
        }
    }
    /// The logits of a pass [`Model::advance_forward`] has run to its end.
    fn finish_forward(&self, partial: PartialForward) -> Vec<f32> {
        match partial.state {
            PartialState::Whole(Some(logits)) => logits,
            _ => panic!("finish_forward before the pass ran to its end"),
        }
    }
    /// Logits and the per-step internals of one sequence, for the views.
    fn trace(&self, input: &[f32], steps: usize) -> (Vec<f32>, Vec<StepTrace>);
    /// The mental image step by step, for models that have one (the Neural GPU family).
    fn image_trace(&self, _input: &[f32], _steps: usize) -> Option<ImageTrace> {
        None
    }
    /// The generative models' per-step record (generative.md §8.4) of one sequence in
    /// `mode`, with the sequence's own sampling noise or, given, `noise` (`steps × Z`).
    fn frame_trace(
        &self,
        _sequence: SequenceRef<'_>,
        _mode: gtmm::Mode<'_>,
        _noise: Option<&[f32]>,
    ) -> Option<gtmm::FrameTrace> {
        None
    }
    /// Tells the model which training step comes next (1-based), for schedules that
    /// live in the model (the generative models' KL warm-up).
    fn set_training_step(&self, _step: u64) {}
    /// Sets the weight of a training regulariser that lives in the model (the Diagonal
    /// Neural GPU's saturation cost, adapted by the trainer); 0 turns it off.
    fn set_regulariser_weight(&self, _weight: f32) {}
    /// Where parameter-sharing relaxation's sets lie, for a model that has them.
    fn relaxed_sets(&self) -> Option<RelaxedSets> {
        None
    }
}

/// Builds a freshly initialised model; the same config and seed give the same parameters.
pub fn build(config: &ModelConfig, seed: u64) -> Result<Box<dyn Model>> {
    build_into(config, seed, ParamStore::new())
}

/// A model of `config` that only describes itself: its parameters' layout (registered
/// without allocating or initialising any values) and its sizes. It must not run.
pub fn describe(config: &ModelConfig) -> Result<Box<dyn Model>> {
    build_into(config, 0, ParamStore::layout_only())
}

/// The parameters `config` implies (names, shapes, offsets), without allocating them:
/// what a checkpoint is checked against before a model of its claimed size is built.
pub fn parameter_layout(config: &ModelConfig) -> Result<Vec<ParamEntry>> {
    Ok(describe(config)?.params().entries().to_vec())
}

/// Each family is built only where its Cargo feature is on: the page's wasm comes as one
/// module per family, and what a module cannot build is cut from it here (and in
/// `gpu::Kernels::new`), the one place that names every family's constructor.
fn build_into(config: &ModelConfig, seed: u64, params: ParamStore) -> Result<Box<dyn Model>> {
    config.validate()?;
    let c = config.clone();
    Ok(match Family::of(c.model) {
        // One `MemoryModel` for every core (see `memory::boxed`); its core is boxed.
        #[cfg(feature = "memory")]
        Family::Memory => Box::new(MemoryModel::with_store(
            c,
            seed,
            params,
            |c, params, rng| {
                let kind = c.model.core().expect("a memory-family model has a core");
                controller_core(kind, c.memory_sizes(), c.dnc, params, rng)
            },
        )),
        #[cfg(feature = "neural_gpu")]
        Family::NeuralGpu if c.model.is_diagonal() => {
            Box::new(neural_gpu::DiagonalNeuralGpu::with_store(c, seed, params))
        }
        #[cfg(feature = "neural_gpu")]
        Family::NeuralGpu => Box::new(NeuralGpu::with_store(c, seed, params)),
        #[cfg(feature = "generative")]
        Family::Generative => gtmm::build(&c, seed, params),
        #[allow(unreachable_patterns)]
        family => return Err(EngramError::FamilyNotBuilt(family)),
    })
}
