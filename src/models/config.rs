//! Model configuration: the architecture part of a checkpoint's `engram_config`.

use super::gtmm::GenerativeConfig;
use super::neural_gpu::NeuralGpuConfig;
use crate::error::{check_range, config_error, Result};
pub use crate::kinds::ModelKind;
pub use crate::memory::dnc::DncOptions;
use crate::memory::MemorySizes;
use serde::{Deserialize, Serialize};

/// Architecture of a model. Memory fields are ignored by the LSTM baseline; the
/// controller and memory fields by the Neural GPU family, whose `image` settings are
/// flattened into the same object (and absent for the other models).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelConfig {
    pub model: ModelKind,
    /// The task's input and output widths (0 where a training configuration's file left
    /// them to the task: [`crate::train::TrainConfig::from_json`]).
    #[serde(default)]
    pub input_width: usize,
    #[serde(default)]
    pub output_width: usize,
    /// Controller LSTM size H.
    pub hidden: usize,
    /// Controller LSTM layers.
    pub layers: usize,
    /// N.
    pub memory_slots: usize,
    /// W.
    pub memory_width: usize,
    /// R.
    pub read_heads: usize,
    /// The Neural GPU family's image and CGRU settings.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub image: Option<NeuralGpuConfig>,
    /// The generative models' settings (memory variant, latent and MLP sizes).
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub generative: Option<GenerativeConfig>,
    /// The DNC's optional improvements (models.md §3.1), all off by default; absent keys
    /// are off, so a checkpoint written before them keeps its meaning.
    #[serde(flatten, default)]
    pub dnc: DncOptions,
}

/// Bounds on sizes: generous for experiments, small enough that a typo cannot ask for
/// gigabytes (a DNC's link matrix is N², its state is kept per step).
pub const MAX_HIDDEN: usize = 2048;
pub const MAX_LAYERS: usize = 4;
pub const MAX_SLOTS: usize = 1024;
pub const MAX_WIDTH: usize = 512;
pub const MAX_READ_HEADS: usize = 16;
pub const MAX_IO_WIDTH: usize = 1024;

impl ModelConfig {
    /// The sizes of a controller model's memory (H, N, W, R; no latent).
    pub fn memory_sizes(&self) -> MemorySizes {
        MemorySizes {
            hidden: self.hidden,
            latent: 0,
            slots: self.memory_slots,
            width: self.memory_width,
            reads: self.read_heads,
        }
    }

    pub fn validate(&self) -> Result<()> {
        check_range("input_width", self.input_width, 1, MAX_IO_WIDTH)?;
        check_range("output_width", self.output_width, 1, MAX_IO_WIDTH)?;
        if self.dnc.any() && self.model != ModelKind::Dnc {
            return Err(config_error(format!(
                "dnc_masking, dnc_deallocation and dnc_link_sharpness are options of the DNC, not {}",
                self.model
            )));
        }
        if self.model.is_neural_gpu() {
            return match &self.image {
                Some(image) => image.validate_for(self.model),
                None => Err(config_error(format!(
                    "a {} model needs its image settings (maps, height, cgru_layers, gate_cutoff)",
                    self.model
                ))),
            };
        }
        if self.model.is_generative() {
            return self.validate_generative();
        }
        if self.generative.is_some() {
            return Err(config_error(format!(
                "generative settings (memory, latent, …) belong to the gtmm model, not {}",
                self.model
            )));
        }
        if self.image.is_some() {
            return Err(config_error(format!(
                "image settings (maps, height, cgru_layers) belong to the Neural GPU models, not {}",
                self.model
            )));
        }
        check_range("hidden", self.hidden, 1, MAX_HIDDEN)?;
        check_range("layers", self.layers, 1, MAX_LAYERS)?;
        if self.model.has_memory() {
            check_range("memory_slots", self.memory_slots, 1, MAX_SLOTS)?;
            check_range("memory_width", self.memory_width, 1, MAX_WIDTH)?;
            check_range("read_heads", self.read_heads, 1, MAX_READ_HEADS)?;
            if self.model == ModelKind::Lru && self.read_heads > self.memory_slots {
                return Err(config_error(format!(
                    "an LRU model needs at least as many memory slots as heads ({} slots, {} heads)",
                    self.memory_slots, self.read_heads
                )));
            }
        }
        Ok(())
    }

    fn validate_generative(&self) -> Result<()> {
        use crate::kinds::LatentMemoryKind;
        let Some(generative) = &self.generative else {
            return Err(config_error(
                "a gtmm model needs its generative settings (memory, latent, frame_size, …)",
            ));
        };
        if self.image.is_some() {
            return Err(config_error(
                "image settings (maps, height, cgru_layers) belong to the Neural GPU models, not gtmm",
            ));
        }
        generative.validate()?;
        check_range("hidden", self.hidden, 1, MAX_HIDDEN)?;
        if self.layers != 1 {
            return Err(config_error(format!(
                "a gtmm controller has one LSTM layer (generative.md), got layers = {}",
                self.layers
            )));
        }
        let frame = generative.frame_pixels();
        if self.output_width != frame || self.input_width != frame + generative.action_width {
            return Err(config_error(format!(
                "a gtmm model with {0}×{0} frames and {1} actions takes {2} inputs and {3} outputs, \
                 got {4} and {5}",
                generative.frame_size,
                generative.action_width,
                frame + generative.action_width,
                frame,
                self.input_width,
                self.output_width
            )));
        }
        if generative.memory != LatentMemoryKind::None {
            check_range("memory_slots", self.memory_slots, 1, MAX_SLOTS)?;
            check_range("read_heads", self.read_heads, 1, MAX_READ_HEADS)?;
            if generative.memory != LatentMemoryKind::Introspective {
                check_range("memory_width", self.memory_width, 1, MAX_WIDTH)?;
            }
            if generative.memory == LatentMemoryKind::Lru && self.read_heads > self.memory_slots {
                return Err(config_error(format!(
                    "an LRU memory needs at least as many slots as heads ({} slots, {} heads)",
                    self.memory_slots, self.read_heads
                )));
            }
        }
        Ok(())
    }
}
