//! The models of models.md §1–§4 behind one [`Model`] trait.
//!
//! Every recurrent model here is an LSTM controller plus a memory core (see
//! [`memory_model`]); the LSTM baseline is the same with no memory. A model that is not
//! recurrent in this way (the Neural GPU) implements [`Model`] directly.

mod config;
mod dnc;
mod lru;
mod memory_model;
mod no_memory;
mod ntm;
pub mod trace;

pub use config::{ModelConfig, ModelKind};
pub use memory_model::{MemoryCore, MemoryModel};
pub use trace::{SequenceTrace, StepTrace, Weights};

use crate::error::Result;
use crate::nn::ParamStore;
use crate::ops::loss::SequenceScore;

/// One sequence: `steps × input_width` inputs, `steps × output_width` targets, a mask
/// value per step.
#[derive(Clone, Copy, Debug)]
pub struct SequenceRef<'a> {
    pub input: &'a [f32],
    pub target: &'a [f32],
    pub mask: &'a [f32],
    pub steps: usize,
}

/// What every model offers the trainer, the CLI, checkpoints and the page.
pub trait Model: Send + Sync {
    fn config(&self) -> &ModelConfig;
    fn params(&self) -> &ParamStore;
    fn params_mut(&mut self) -> &mut ParamStore;
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
    /// Logits and the per-step internals of one sequence, for the views.
    fn trace(&self, input: &[f32], steps: usize) -> (Vec<f32>, Vec<StepTrace>);
}

/// Builds a freshly initialised model; the same config and seed give the same parameters.
pub fn build(config: &ModelConfig, seed: u64) -> Result<Box<dyn Model>> {
    config.validate()?;
    Ok(match config.model {
        ModelKind::Lstm => Box::new(MemoryModel::new(
            config.clone(),
            seed,
            no_memory::NoMemory::new,
        )),
        ModelKind::Ntm => Box::new(MemoryModel::new(config.clone(), seed, ntm::NtmCore::new)),
        ModelKind::Dnc => Box::new(MemoryModel::new(config.clone(), seed, dnc::DncCore::new)),
        ModelKind::Lru => Box::new(MemoryModel::new(config.clone(), seed, lru::LruCore::new)),
    })
}
