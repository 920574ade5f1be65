//! The playground's configuration: one flat record of what the page's controls set,
//! turned into a full [`TrainConfig`] by the same presets as `engram train`.

use crate::error::Result;
use crate::kinds::Family;
use crate::kinds::ModelKind;
use crate::models::gtmm::LatentMemoryKind;
use crate::models::neural_gpu::NeuralGpuConfig;
use crate::tasks::TaskConfig;
use crate::train::{Checkpoint, TrainConfig};
use serde::{Deserialize, Serialize};

/// The page's controls. Task lengths mean what `engram train --min-length/--max-length`
/// mean (items for recall; priority sort has one length, `max_length`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaygroundConfig {
    pub model: ModelKind,
    /// `copy`, `repeat-copy`, `recall` or `priority-sort`.
    pub task: String,
    pub bits: usize,
    pub min_length: usize,
    pub max_length: usize,
    /// The memory models' sizes (ignored by the Neural GPU family).
    #[serde(default)]
    pub memory_slots: usize,
    #[serde(default)]
    pub memory_width: usize,
    #[serde(default)]
    pub read_heads: usize,
    #[serde(default)]
    pub hidden: usize,
    /// Controller layers (absent: the preset's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layers: Option<usize>,
    pub learning_rate: f32,
    pub batch_size: usize,
    pub seed: u64,
    /// The Neural GPU family's mental image: feature maps m, rows h, CGRU layers per
    /// step (absent: the preset's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maps: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cgru_layers: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate_cutoff: Option<f32>,
    /// The generative models' memory, latent size Z and prior/posterior width P
    /// (absent: the preset's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<LatentMemoryKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latent: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map_hidden: Option<usize>,
    /// The DNC's improvements (models.md §3.1).
    #[serde(default)]
    pub dnc_masking: bool,
    #[serde(default)]
    pub dnc_deallocation: bool,
    #[serde(default)]
    pub dnc_link_sharpness: bool,
}

impl PlaygroundConfig {
    /// The task these controls describe: a symbol task for the Neural GPU family, a
    /// bit-vector task for the others.
    pub fn task_config(&self) -> Result<TaskConfig> {
        Ok(Family::of(self.model)
            .task(&self.task)?
            .with_bits(self.bits)
            .with_max_length(self.max_length)
            .with_min_length(self.min_length))
    }

    /// The full, validated training configuration: the preset for the model and task,
    /// overridden by every control.
    pub fn train_config(&self) -> Result<TrainConfig> {
        let mut config = TrainConfig::preset(self.model, self.task_config()?);
        config.memory_slots = self.memory_slots;
        config.memory_width = self.memory_width;
        config.read_heads = self.read_heads;
        config.hidden = self.hidden;
        config.layers = self.layers.unwrap_or(config.layers);
        if let Some(image) = &mut config.image {
            self.apply_image(image);
        }
        if let Some(generative) = &mut config.generative {
            generative.memory = self.memory.unwrap_or(generative.memory);
            generative.latent = self.latent.unwrap_or(generative.latent);
            generative.map_hidden = self.map_hidden.unwrap_or(generative.map_hidden);
        }
        config.dnc_masking = self.dnc_masking;
        config.dnc_deallocation = self.dnc_deallocation;
        config.dnc_link_sharpness = self.dnc_link_sharpness;
        self.finish(config)
    }

    fn apply_image(&self, image: &mut NeuralGpuConfig) {
        image.override_sizes(self.maps, self.height, self.cgru_layers, self.gate_cutoff);
    }

    /// The training configuration that continues a loaded checkpoint: its architecture
    /// and task exactly (including task parameters the page has no control for), with
    /// this playground's training settings.
    pub fn checkpoint_train_config(&self, checkpoint: &Checkpoint) -> Result<TrainConfig> {
        let model = checkpoint.model.config();
        let mut config = TrainConfig::preset(model.model, checkpoint.task.clone());
        config.memory_slots = model.memory_slots;
        config.memory_width = model.memory_width;
        config.read_heads = model.read_heads;
        config.hidden = model.hidden;
        config.layers = model.layers;
        config.image = model.image.clone();
        config.generative = model.generative.clone();
        config.set_dnc_options(model.dnc);
        // A trained model continues at every length of its task, not from a
        // curriculum's first.
        config.curriculum = None;
        self.finish(config)
    }

    /// Applies the training controls, on one thread (the page's worker is one), and
    /// validates.
    fn finish(&self, mut config: TrainConfig) -> Result<TrainConfig> {
        config.optimizer.learning_rate = self.learning_rate;
        config.batch_size = self.batch_size;
        config.seed = self.seed;
        config.threads = 1;
        config.validate()?;
        Ok(config)
    }

    /// The controls that show a loaded checkpoint: its model and task, with the
    /// training settings (learning rate, batch, seed) kept from `self`.
    pub fn for_checkpoint(&self, checkpoint: &Checkpoint) -> PlaygroundConfig {
        let model = checkpoint.model.config();
        let task = &checkpoint.task;
        PlaygroundConfig {
            model: model.model,
            task: task.name().to_string(),
            bits: task.bits(),
            min_length: task.min_length(),
            max_length: task.max_length(),
            memory_slots: model.memory_slots,
            memory_width: model.memory_width,
            read_heads: model.read_heads,
            hidden: model.hidden,
            layers: model.model.is_recurrent().then_some(model.layers),
            maps: model.image.as_ref().map(|i| i.maps),
            height: model.image.as_ref().map(|i| i.height),
            cgru_layers: model.image.as_ref().map(|i| i.cgru_layers),
            gate_cutoff: model.image.as_ref().map(|i| i.gate_cutoff),
            memory: model.generative.as_ref().map(|g| g.memory),
            latent: model.generative.as_ref().map(|g| g.latent),
            map_hidden: model.generative.as_ref().map(|g| g.map_hidden),
            dnc_masking: model.dnc.masking,
            dnc_deallocation: model.dnc.deallocation,
            dnc_link_sharpness: model.dnc.link_sharpness,
            ..self.clone()
        }
    }
}
