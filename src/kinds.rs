//! The models Engram has and the families they form: the names every other module,
//! the command line, checkpoints and the page use for them. The bottom of the crate:
//! this module imports nothing of Engram's, so anything may import it. What each model
//! is (its sizes, views, trained checkpoints) is in [`crate::registry`].

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    Lstm,
    Ntm,
    Dnc,
    Lru,
    NeuralGpu,
    NeuralGpuDep,
    /// The Diagonal Neural GPU (neural_gpu.md §5.3).
    NeuralGpuDiag,
    /// A generative temporal model with memory (generative.md).
    Gtmm,
}

impl ModelKind {
    pub const ALL: [ModelKind; 8] = [
        ModelKind::Lstm,
        ModelKind::Ntm,
        ModelKind::Dnc,
        ModelKind::Lru,
        ModelKind::NeuralGpu,
        ModelKind::NeuralGpuDep,
        ModelKind::NeuralGpuDiag,
        ModelKind::Gtmm,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Lstm => "lstm",
            ModelKind::Ntm => "ntm",
            ModelKind::Dnc => "dnc",
            ModelKind::Lru => "lru",
            ModelKind::NeuralGpu => "neural_gpu",
            ModelKind::NeuralGpuDep => "neural_gpu_dep",
            ModelKind::NeuralGpuDiag => "neural_gpu_diag",
            ModelKind::Gtmm => "gtmm",
        }
    }

    /// An LSTM controller with an external memory (NTM, DNC, LRU).
    pub fn has_memory(self) -> bool {
        self.core().is_some_and(|core| core != CoreKind::NoMemory)
    }

    /// The memory the controller drives, for the memory-model family (no memory for the
    /// LSTM); `None` for the other families. The family's code matches on this, so it
    /// names only its own models.
    pub fn core(self) -> Option<CoreKind> {
        match self {
            ModelKind::Lstm => Some(CoreKind::NoMemory),
            ModelKind::Ntm => Some(CoreKind::Ntm),
            ModelKind::Dnc => Some(CoreKind::Dnc),
            ModelKind::Lru => Some(CoreKind::Lru),
            ModelKind::NeuralGpu
            | ModelKind::NeuralGpuDep
            | ModelKind::NeuralGpuDiag
            | ModelKind::Gtmm => None,
        }
    }

    /// A controller-plus-memory model (or the LSTM baseline) on bit-vector tasks.
    pub fn is_recurrent(self) -> bool {
        !self.is_neural_gpu() && !self.is_generative()
    }

    /// A generative temporal model on image-sequence tasks.
    pub fn is_generative(self) -> bool {
        self == ModelKind::Gtmm
    }

    /// The Neural GPU family: a mental image on symbol tasks.
    pub fn is_neural_gpu(self) -> bool {
        matches!(
            self,
            ModelKind::NeuralGpu | ModelKind::NeuralGpuDep | ModelKind::NeuralGpuDiag
        )
    }

    /// The Diagonal Neural GPU: a one-row image and its own cell (neural_gpu.md §5.3).
    pub fn is_diagonal(self) -> bool {
        self == ModelKind::NeuralGpuDiag
    }

    /// The Neural GPU with dependent outputs (an active-memory decoder).
    pub fn has_decoder(self) -> bool {
        self == ModelKind::NeuralGpuDep
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ModelKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        ModelKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = ModelKind::ALL.iter().map(|k| k.name()).collect();
                format!(
                    "unknown model '{s}' (expected one of: {})",
                    names.join(", ")
                )
            })
    }
}

/// The memory-model family's models by the memory their LSTM controller drives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CoreKind {
    /// The LSTM baseline.
    NoMemory,
    Ntm,
    Dnc,
    Lru,
}

/// A model family: models that share an objective, tasks and views. Serialised as its
/// [`Family::name`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// An LSTM controller with (or without) an external memory, on bit-vector tasks.
    Memory,
    /// The Neural GPU, its dependent-output successor and the Diagonal Neural GPU, on
    /// symbol tasks.
    NeuralGpu,
    /// Variational sequence models whose latents live in a memory, on image sequences.
    Generative,
}

impl Family {
    pub fn of(kind: ModelKind) -> Family {
        match kind {
            ModelKind::Lstm | ModelKind::Ntm | ModelKind::Dnc | ModelKind::Lru => Family::Memory,
            ModelKind::NeuralGpu | ModelKind::NeuralGpuDep | ModelKind::NeuralGpuDiag => {
                Family::NeuralGpu
            }
            ModelKind::Gtmm => Family::Generative,
        }
    }

    /// The family's name in the schema, in the Cargo feature that builds it and in the
    /// page's wasm module that holds it (`engram_<name>.js`).
    pub fn name(self) -> &'static str {
        match self {
            Family::Memory => "memory",
            Family::NeuralGpu => "neural_gpu",
            Family::Generative => "generative",
        }
    }

    /// The family's name for a person.
    pub fn label(self) -> &'static str {
        match self {
            Family::Memory => "memory models",
            Family::NeuralGpu => "Neural GPU models",
            Family::Generative => "generative models",
        }
    }
}

/// Where the latents are stored (generative.md §8.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LatentMemoryKind {
    /// No memory: the VRNN-style baseline (Ψ = h).
    None,
    /// A FIFO of the model's own past latents.
    Introspective,
    Ntm,
    Lru,
    Dnc,
}

impl LatentMemoryKind {
    pub const ALL: [LatentMemoryKind; 5] = [
        LatentMemoryKind::None,
        LatentMemoryKind::Introspective,
        LatentMemoryKind::Ntm,
        LatentMemoryKind::Lru,
        LatentMemoryKind::Dnc,
    ];

    /// Each variant's name, in [`LatentMemoryKind::ALL`]'s order (the registry's choices
    /// for `memory`).
    pub const NAMES: [&'static str; 5] = ["none", "introspective", "ntm", "lru", "dnc"];

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub fn label(self) -> &'static str {
        match self {
            LatentMemoryKind::None => "none (VRNN baseline)",
            LatentMemoryKind::Introspective => "introspective",
            LatentMemoryKind::Ntm => "NTM",
            LatentMemoryKind::Lru => "LRU",
            LatentMemoryKind::Dnc => "DNC",
        }
    }
}

impl fmt::Display for LatentMemoryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for LatentMemoryKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        LatentMemoryKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = LatentMemoryKind::ALL.iter().map(|k| k.name()).collect();
                format!(
                    "unknown memory '{s}' (expected one of: {})",
                    names.join(", ")
                )
            })
    }
}
