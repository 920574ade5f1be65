//! The playground's configuration: the task and training controls, and the model's
//! hyperparameters by their registry key, turned into a full [`TrainConfig`] by the same
//! presets and the same registry as `engram train`.

use crate::error::Result;
use crate::kinds::Family;
use crate::kinds::ModelKind;
use crate::registry::settings::{self, Setting};
use crate::tasks::TaskConfig;
use crate::train::{Checkpoint, TrainConfig};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The page's controls. Task lengths mean what `engram train --min-length/--max-length`
/// mean (items for recall; priority sort has one length, `max_length`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaygroundConfig {
    pub model: ModelKind,
    /// One of the model's family's tasks (`copy`, `reverse`, `walk`, …).
    pub task: String,
    pub bits: usize,
    pub min_length: usize,
    pub max_length: usize,
    pub learning_rate: f32,
    pub batch_size: usize,
    pub seed: u64,
    /// The model's hyperparameters by registry key (the page's size controls, as the
    /// schema lists them); each one given replaces the preset's. Any other key is
    /// refused by [`PlaygroundConfig::train_config`] with the model's own keys named.
    /// (An object of its own, not flattened into this one: serde's flattening would
    /// add its buffering code to the page's wasm for the page's one JSON record.)
    #[serde(default)]
    pub settings: BTreeMap<String, Setting>,
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
        for (key, value) in &self.settings {
            config.set_hyperparameter(key, value)?;
        }
        self.finish(config)
    }

    /// The training configuration that continues a loaded checkpoint: its architecture
    /// and task exactly (including task parameters the page has no control for), with
    /// this playground's training settings.
    pub fn checkpoint_train_config(&self, checkpoint: &Checkpoint) -> Result<TrainConfig> {
        let model = checkpoint.model.config();
        let mut config = TrainConfig::preset(model.model, checkpoint.task.clone());
        config.architecture = model.clone();
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

    /// The controls that show a loaded checkpoint: its model, task and hyperparameters,
    /// with the training settings (learning rate, batch, seed) kept from `self`.
    pub fn for_checkpoint(&self, checkpoint: &Checkpoint) -> PlaygroundConfig {
        let model = checkpoint.model.config();
        let task = &checkpoint.task;
        // Inserted one by one: collecting into the map would sort, and compile a
        // stable sort into the page for this alone.
        let mut shown = BTreeMap::new();
        for key in settings::keys(model.model) {
            if let Some(value) = settings::read(model, key) {
                shown.insert(key.to_string(), value);
            }
        }
        PlaygroundConfig {
            model: model.model,
            task: task.name().to_string(),
            bits: task.bits(),
            min_length: task.min_length(),
            max_length: task.max_length(),
            settings: shown,
            ..self.clone()
        }
    }
}
