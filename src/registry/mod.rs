//! Every model, declared once: its label, family, objective, the tasks it takes, its
//! hyperparameters as data (key, label, bounds, default) and the views it supports.
//! `engram schema --json` and the page's `schema()` export this table ([`crate::schema`]),
//! so nothing downstream keeps its own list of models. A model's family is
//! [`Family::of`] its kind.
//!
//! Each model's preset sizes and bench sizes are written on its line; the rest of a
//! preset (optimiser, batch, curriculum) is its family's, in
//! [`crate::train::TrainConfig::preset`]. The schema's defaults are read from the presets,
//! so a preset changed in one place changes the schema too.

mod hyperparameters;
pub mod settings;

use hyperparameters::*;
pub use hyperparameters::{HyperparameterInfo, Place};

use crate::kinds::{Family, ModelKind};
use crate::objective::Objective;
use crate::tasks::{TaskConfig, FRAME_TASK_NAMES, SYMBOL_TASK_NAMES, TASK_NAMES};
use serde::Serialize;

/// One model's declaration.
#[derive(Clone, Copy, Debug)]
pub struct ModelInfo {
    pub kind: ModelKind,
    pub label: &'static str,
    /// The architecture's hyperparameters, by their configuration key.
    pub hyperparameters: &'static [HyperparameterInfo],
    /// The views the page draws for it.
    pub views: &'static [&'static str],
    /// Trained checkpoints the page ships for it (`www/checkpoints/{file}.safetensors`),
    /// with the command that made each in docs/results.md.
    pub trained: &'static [TrainedModel],
    /// Whether it has WebGPU kernels (otherwise it trains on the CPU everywhere).
    pub gpu: bool,
    /// The preset's sizes ([`crate::train::TrainConfig::preset`], docs/cli.md's table).
    pub preset: Sizes,
    /// The sizes `engram bench` reports by default: the published baselines' (pytorch-ntm:
    /// LSTM 100, memory 128 × 20; DeepMind's DNC: LSTM 64, 16 × 16, 4 read heads), else
    /// the preset's.
    pub bench: Sizes,
}

/// The sizes every model's configuration has: controller H, memory N × W and read heads
/// R (0 where the model has none of them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sizes {
    pub hidden: usize,
    pub memory_slots: usize,
    pub memory_width: usize,
    pub read_heads: usize,
}

impl Sizes {
    const fn new(
        hidden: usize,
        memory_slots: usize,
        memory_width: usize,
        read_heads: usize,
    ) -> Sizes {
        Sizes {
            hidden,
            memory_slots,
            memory_width,
            read_heads,
        }
    }
}

/// A shipped trained checkpoint of a model on one task.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct TrainedModel {
    pub task: &'static str,
    pub file: &'static str,
    /// A generative model's memory variant (absent for the other families).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<&'static str>,
}

const MEMORY_VIEWS: &[&str] = &["bits", "memory", "weightings", "addressing", "loss"];
const IMAGE_VIEWS: &[&str] = &["symbols", "mental_image", "change_map", "loss"];

/// The registry: one line per model.
/// The model `engram train` trains and the page opens when none is named.
pub const DEFAULT_MODEL: ModelKind = ModelKind::Ntm;

pub const MODELS: [ModelInfo; 8] = [
    ModelInfo {
        kind: ModelKind::Ntm,
        label: "Neural Turing Machine",
        hyperparameters: &[CONTROLLER, LAYERS, SLOTS, WIDTH, READS],
        views: MEMORY_VIEWS,
        trained: &[TrainedModel {
            task: "copy",
            file: "ntm-copy",
            memory: None,
        }],
        gpu: true,
        preset: Sizes::new(100, 32, 20, 1),
        bench: Sizes::new(100, 128, 20, 1),
    },
    ModelInfo {
        kind: ModelKind::Dnc,
        label: "Differentiable Neural Computer",
        hyperparameters: &[
            CONTROLLER,
            LAYERS,
            SLOTS,
            WIDTH,
            READS,
            DNC_MASKING,
            DNC_DEALLOCATION,
            DNC_LINK_SHARPNESS,
        ],
        views: &[
            "bits",
            "memory",
            "weightings",
            "addressing",
            "dnc_state",
            "link_matrix",
            "loss",
        ],
        trained: &[TrainedModel {
            task: "copy",
            file: "dnc-copy",
            memory: None,
        }],
        gpu: true,
        preset: Sizes::new(64, 16, 16, 1),
        bench: Sizes::new(64, 16, 16, 4),
    },
    ModelInfo {
        kind: ModelKind::Lru,
        label: "LRU-access memory",
        hyperparameters: &[CONTROLLER, LAYERS, SLOTS, WIDTH, READS],
        views: &[
            "bits",
            "memory",
            "weightings",
            "addressing",
            "usage",
            "loss",
        ],
        trained: &[],
        gpu: true,
        preset: Sizes::new(100, 32, 20, 1),
        bench: Sizes::new(100, 128, 20, 1),
    },
    ModelInfo {
        kind: ModelKind::Lstm,
        label: "LSTM (no memory)",
        hyperparameters: &[CONTROLLER, LAYERS],
        views: &["bits", "loss"],
        trained: &[],
        gpu: true,
        preset: Sizes::new(128, 0, 0, 0),
        bench: Sizes::new(100, 0, 0, 0),
    },
    ModelInfo {
        kind: ModelKind::NeuralGpu,
        label: "Neural GPU",
        hyperparameters: &[MAPS, HEIGHT, CGRU_LAYERS, GATE_CUTOFF],
        views: IMAGE_VIEWS,
        trained: &[
            TrainedModel {
                task: "reverse",
                file: "neural_gpu-reverse",
                memory: None,
            },
            TrainedModel {
                task: "add",
                file: "neural_gpu-add",
                memory: None,
            },
            TrainedModel {
                task: "either",
                file: "neural_gpu-either",
                memory: None,
            },
        ],
        gpu: true,
        preset: Sizes::new(0, 0, 0, 0),
        bench: Sizes::new(0, 0, 0, 0),
    },
    ModelInfo {
        kind: ModelKind::NeuralGpuDep,
        label: "Neural GPU with dependent outputs",
        hyperparameters: &[MAPS, HEIGHT, CGRU_LAYERS, GATE_CUTOFF],
        views: &["symbols", "mental_image", "change_map", "tape", "loss"],
        trained: &[TrainedModel {
            task: "either",
            file: "neural_gpu_dep-either",
            memory: None,
        }],
        gpu: true,
        preset: Sizes::new(0, 0, 0, 0),
        bench: Sizes::new(0, 0, 0, 0),
    },
    ModelInfo {
        kind: ModelKind::NeuralGpuDiag,
        label: "Diagonal Neural GPU",
        hyperparameters: &[MAPS],
        views: IMAGE_VIEWS,
        trained: &[
            TrainedModel {
                task: "reverse",
                file: "neural_gpu_diag-reverse",
                memory: None,
            },
            TrainedModel {
                task: "add",
                file: "neural_gpu_diag-add",
                memory: None,
            },
            TrainedModel {
                task: "copy",
                file: "neural_gpu_diag-copy",
                memory: None,
            },
            TrainedModel {
                task: "dup",
                file: "neural_gpu_diag-dup",
                memory: None,
            },
            TrainedModel {
                task: "sort",
                file: "neural_gpu_diag-sort",
                memory: None,
            },
        ],
        gpu: true,
        preset: Sizes::new(0, 0, 0, 0),
        bench: Sizes::new(0, 0, 0, 0),
    },
    ModelInfo {
        kind: ModelKind::Gtmm,
        label: "Generative temporal model with memory",
        hyperparameters: &[
            LATENT_MEMORY,
            CONTROLLER,
            LATENT,
            MAP_HIDDEN,
            ENCODER_HIDDEN,
            DECODER_HIDDEN,
            SLOTS,
            WIDTH,
            READS,
        ],
        views: &["frames", "kl", "read_map", "latent_memory", "loss"],
        trained: &[
            TrainedModel {
                task: "recall",
                file: "gtmm_dnc-recall",
                memory: Some("dnc"),
            },
            TrainedModel {
                task: "recall",
                file: "gtmm_none-recall",
                memory: Some("none"),
            },
        ],
        gpu: true,
        preset: Sizes::new(64, 32, 16, 1),
        bench: Sizes::new(64, 32, 16, 1),
    },
];

impl Serialize for Family {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// What a family trains on and how it is scored (the enum is in [`crate::kinds`]).
impl Family {
    pub fn objective(self) -> Objective {
        match self {
            Family::Memory => Objective::SigmoidBits,
            Family::NeuralGpu => Objective::SoftmaxSymbols,
            Family::Generative => Objective::VariationalBound,
        }
    }

    /// The tasks the family trains on, by command-line name.
    pub fn tasks(self) -> &'static [&'static str] {
        match self {
            Family::Memory => &TASK_NAMES,
            Family::NeuralGpu => &SYMBOL_TASK_NAMES,
            Family::Generative => &FRAME_TASK_NAMES,
        }
    }

    /// Whether `task` is one of the family's kind (bit vectors, symbols, image sequences).
    pub fn accepts(self, task: &TaskConfig) -> bool {
        match self {
            Family::Memory => !task.is_symbols() && !task.is_frames(),
            Family::NeuralGpu => task.is_symbols(),
            Family::Generative => task.is_frames(),
        }
    }

    /// The default configuration of one of the family's tasks.
    pub fn task(self, name: &str) -> crate::Result<TaskConfig> {
        match self {
            Family::Memory => TaskConfig::by_name(name),
            Family::NeuralGpu => TaskConfig::symbols_by_name(name),
            Family::Generative => TaskConfig::frames_by_name(name),
        }
    }
}

/// The registry's line for `kind`.
pub fn info(kind: ModelKind) -> &'static ModelInfo {
    MODELS
        .iter()
        .find(|m| m.kind == kind)
        .expect("every model kind has a registry line")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::build;
    use crate::schema::schema;
    use crate::train::TrainConfig;

    #[test]
    fn every_model_has_one_line_and_its_preset_builds_with_the_declared_objective() {
        for kind in ModelKind::ALL {
            let lines = MODELS.iter().filter(|m| m.kind == kind).count();
            assert_eq!(lines, 1, "{kind}");
            let family = Family::of(kind);
            for &task in family.tasks() {
                let config = TrainConfig::preset(kind, family.task(task).unwrap());
                config.validate().unwrap();
                let model = build(&config.architecture, 1).unwrap();
                // The bench's sizes make a valid model too.
                let bench = info(kind).bench;
                let mut at_bench = config.architecture.clone();
                (at_bench.hidden, at_bench.memory_slots) = (bench.hidden, bench.memory_slots);
                (at_bench.memory_width, at_bench.read_heads) =
                    (bench.memory_width, bench.read_heads);
                at_bench.validate().unwrap();
                assert_eq!(model.objective(), family.objective(), "{kind}");
                // The GPU flag says whether the WebGPU path has its kernels.
                let kernels = crate::gpu::Kernels::new(model.config(), model.params());
                assert_eq!(kernels.is_ok(), info(kind).gpu, "{kind}");
            }
        }
        let schema = schema();
        assert_eq!(schema.models.len(), ModelKind::ALL.len());
        // Every shipped checkpoint exists and holds the model and task it is listed for.
        #[cfg(not(target_arch = "wasm32"))]
        for m in &MODELS {
            for t in m.trained {
                let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join(format!("www/checkpoints/{}.safetensors", t.file));
                let checkpoint = crate::train::load_checkpoint(&path).unwrap();
                assert_eq!(checkpoint.model.config().model, m.kind, "{}", t.file);
                assert_eq!(checkpoint.task.name(), t.task, "{}", t.file);
                let memory = checkpoint.model.config().generative.as_ref();
                assert_eq!(memory.map(|g| g.memory.name()), t.memory, "{}", t.file);
            }
        }
        for model in &schema.models {
            for h in &model.hyperparameters {
                // Of the setting's kind and within its bounds.
                assert_eq!(
                    h.info.check(&h.default).ok().as_ref(),
                    Some(&h.default),
                    "{} {}: default {}",
                    model.name,
                    h.info.key,
                    h.default
                );
            }
        }
    }
}
