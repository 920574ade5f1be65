//! The GPU part of each model family: where a sequence's records live in `work`, the
//! WGSL of its sequence and weight-gradient kernels, and how the weight-gradient kernel
//! is dispatched. The session, its buffers and the optimiser kernels are shared.

use super::gtmm::GenerativeLayout;
use super::memory::Layout;
#[cfg(feature = "neural_gpu")]
use super::neural_gpu::{DiagonalLayout, NeuralGpuLayout};
use super::shared::{Stage, Stages};
use crate::error::Result;
use crate::kinds::Family;
use crate::kinds::ModelKind;
use crate::models::ModelConfig;
use crate::nn::ParamStore;
use crate::shader::WeightGradientJob;

#[derive(Clone, Debug)]
pub enum Kernels {
    /// The controller-and-memory models (LSTM, NTM, DNC, LRU).
    Memory(Layout),
    /// The Neural GPU and the Neural GPU with dependent outputs.
    #[cfg(feature = "neural_gpu")]
    NeuralGpu(NeuralGpuLayout),
    /// The Diagonal Neural GPU.
    #[cfg(feature = "neural_gpu")]
    Diagonal(DiagonalLayout),
    /// The generative models with memory (gtmm).
    Generative(GenerativeLayout),
}

impl Kernels {
    pub fn new(config: &ModelConfig, params: &ParamStore) -> Result<Kernels> {
        Ok(match Family::of(config.model) {
            #[cfg(feature = "memory")]
            Family::Memory => Kernels::Memory(Layout::new(config, params)?),
            #[cfg(feature = "neural_gpu")]
            Family::NeuralGpu if config.model.is_diagonal() => {
                Kernels::Diagonal(DiagonalLayout::new(config, params)?)
            }
            #[cfg(feature = "neural_gpu")]
            Family::NeuralGpu => Kernels::NeuralGpu(NeuralGpuLayout::new(config, params)?),
            #[cfg(feature = "generative")]
            Family::Generative => Kernels::Generative(GenerativeLayout::new(config, params)?),
            #[allow(unreachable_patterns)]
            family => return Err(crate::EngramError::FamilyNotBuilt(family)),
        })
    }

    pub fn model(&self) -> ModelKind {
        match self {
            Kernels::Memory(layout) => layout.model,
            #[cfg(feature = "neural_gpu")]
            Kernels::NeuralGpu(layout) => layout.model,
            #[cfg(feature = "neural_gpu")]
            Kernels::Diagonal(layout) => layout.model,
            Kernels::Generative(layout) => layout.model(),
        }
    }

    /// Floats of `work` per sequence of a batch `steps` long.
    pub fn sequence_floats(&self, steps: usize) -> usize {
        match self {
            Kernels::Memory(layout) => layout.sequence_floats(steps),
            #[cfg(feature = "neural_gpu")]
            Kernels::NeuralGpu(layout) => layout.sequence_floats(steps),
            #[cfg(feature = "neural_gpu")]
            Kernels::Diagonal(layout) => layout.sequence_floats(steps),
            Kernels::Generative(layout) => layout.sequence_floats(steps),
        }
    }

    pub fn sequence_source(&self) -> String {
        match self {
            Kernels::Memory(layout) => layout.sequence_source(),
            #[cfg(feature = "neural_gpu")]
            Kernels::NeuralGpu(layout) => layout.sequence_source(),
            #[cfg(feature = "neural_gpu")]
            Kernels::Diagonal(layout) => layout.sequence_source(),
            Kernels::Generative(layout) => layout.sequence_source(),
        }
    }

    pub fn weight_source(&self) -> String {
        match self {
            Kernels::Memory(layout) => layout.weight_source(),
            #[cfg(feature = "neural_gpu")]
            Kernels::NeuralGpu(layout) => layout.weight_source(),
            #[cfg(feature = "neural_gpu")]
            Kernels::Diagonal(layout) => layout.weight_source(),
            Kernels::Generative(layout) => layout.weight_source(),
        }
    }

    /// The dispatches of the sequence kernels in one step on a batch `steps` long: the
    /// memory models run each kernel once over the whole unroll, the Neural GPU once per
    /// layer application.
    pub fn stages(&self, steps: usize, train: bool) -> Stages {
        match self {
            Kernels::Memory(_) => Stages {
                forward: vec![Stage::default()],
                backward: if train {
                    vec![Stage::default()]
                } else {
                    Vec::new()
                },
            },
            #[cfg(feature = "neural_gpu")]
            Kernels::NeuralGpu(layout) => layout.stages(steps, train),
            #[cfg(feature = "neural_gpu")]
            Kernels::Diagonal(layout) => layout.stages(steps, train),
            Kernels::Generative(layout) => layout.stages(steps, train),
        }
    }

    /// The noise of `batch` as the kernels read it (the same floats per sequence), empty
    /// when the model draws none: the Neural GPU's training noise (training steps only),
    /// the generative models' ε and recall flags (every pass).
    #[cfg_attr(not(feature = "neural_gpu"), allow(unused_variables))]
    pub fn noise(&self, batch: &crate::tasks::Batch, train: bool) -> Vec<f32> {
        match self {
            Kernels::Memory(_) => Vec::new(),
            Kernels::Generative(layout) => layout.sequence_data(batch),
            #[cfg(feature = "neural_gpu")]
            Kernels::NeuralGpu(layout) if train => layout.training_noise(batch),
            #[cfg(feature = "neural_gpu")]
            Kernels::Diagonal(layout) if train => layout.training_noise(batch),
            #[cfg(feature = "neural_gpu")]
            Kernels::NeuralGpu(_) | Kernels::Diagonal(_) => Vec::new(),
        }
    }

    /// The weight-gradient jobs of the kernel the memory and generative models share
    /// (the Neural GPU's kernel knows its own).
    pub fn jobs(&self) -> &[WeightGradientJob] {
        match self {
            Kernels::Memory(layout) => layout.jobs(),
            Kernels::Generative(layout) => layout.jobs(),
            #[cfg(feature = "neural_gpu")]
            Kernels::NeuralGpu(_) | Kernels::Diagonal(_) => &[],
        }
    }

    /// Workgroups of one weight-gradient dispatch.
    pub fn weight_groups(&self) -> (u32, u32, u32) {
        match self {
            Kernels::Memory(_) | Kernels::Generative(_) => {
                // 16 × 16 tiles of the largest layer; smaller layers' extra tiles return.
                let jobs = self.jobs();
                let rows = jobs.iter().map(|j| j.rows).max().unwrap_or(1);
                let cols = jobs.iter().map(|j| j.cols + 1).max().unwrap_or(1);
                (rows.div_ceil(16), cols.div_ceil(16), jobs.len() as u32)
            }
            #[cfg(feature = "neural_gpu")]
            Kernels::NeuralGpu(layout) => layout.weight_groups(),
            #[cfg(feature = "neural_gpu")]
            Kernels::Diagonal(layout) => layout.weight_groups(),
        }
    }

    /// Floats per forward record, for the families that keep one per step.
    pub fn record_size(&self) -> Option<usize> {
        match self {
            Kernels::Memory(layout) => Some(layout.record_size()),
            Kernels::Generative(layout) => Some(layout.record_size()),
            #[cfg(feature = "neural_gpu")]
            Kernels::NeuralGpu(_) | Kernels::Diagonal(_) => None,
        }
    }

    /// The memory models' record layout (for inspecting their forward records).
    pub fn memory(&self) -> Option<&Layout> {
        match self {
            Kernels::Memory(layout) => Some(layout),
            Kernels::Generative(_) => None,
            #[cfg(feature = "neural_gpu")]
            Kernels::NeuralGpu(_) | Kernels::Diagonal(_) => None,
        }
    }
}
