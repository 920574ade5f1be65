//! Training configuration (`engram train --config FILE.json` takes this as JSON); its
//! presets are `presets.rs`.

use super::parallel::default_threads;
use super::recipe::DiagonalRecipe;
use crate::error::{config_error, Result};
use crate::kinds::ModelKind;
use crate::models::ModelConfig;
use crate::nn::OptimizerConfig;
use crate::registry::settings::{self, Setting};
use crate::tasks::TaskConfig;
use serde::{Deserialize, Serialize};

/// Raises the task's maximum length, from `start` up to the task's own maximum, by
/// `step` whenever the mean of the objective's schedule error (bit errors per sequence,
/// or the fraction of wrong sequences for symbols) over the last `window` training steps
/// falls below `threshold`.
///
/// With `mixture`, each batch has one length drawn as the Neural GPU's trainer draws it
/// (neural_gpu.md § Curriculum): ℓ ~ U[Lmin, cur]; with probability 0.6 the larger of ℓ
/// and a second draw from U[Lmin, cur]; then with probability 0.25 the larger of ℓ and a
/// draw from U[Lmin, Lmax]. Only batches with ℓ ≤ cur count towards the window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CurriculumConfig {
    pub start: usize,
    pub step: usize,
    pub window: usize,
    pub threshold: f64,
    #[serde(default)]
    pub mixture: bool,
}

/// Multiplies the learning rate by `factor` whenever the mean bit errors per sequence of
/// the last `window` steps at the full task length is under `threshold`, never going
/// below `min_learning_rate`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecayConfig {
    pub threshold: f64,
    pub window: usize,
    pub factor: f32,
    pub min_learning_rate: f32,
}

impl DecayConfig {
    /// Once a window of 50 steps averages under 0.05 bit errors per sequence (the task
    /// is solved), a third of the rate, down to 1e-5 (measured on the NTM: docs/results.md).
    pub fn standard() -> DecayConfig {
        DecayConfig {
            threshold: 0.05,
            window: 50,
            factor: 0.3,
            min_learning_rate: 1e-5,
        }
    }
}

/// The most worker threads a run may ask for (`--threads`).
pub const MAX_THREADS: usize = 256;

/// Everything a training run needs: the model, as the record a checkpoint stores, and
/// how to train it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainConfig {
    /// The model's configuration. Its input and output widths follow the task
    /// ([`TrainConfig::set_task`]); a configuration file may leave them out
    /// ([`TrainConfig::from_json`] fills them in).
    pub architecture: ModelConfig,
    pub task: TaskConfig,
    pub optimizer: OptimizerConfig,
    pub batch_size: usize,
    pub steps: u64,
    pub seed: u64,
    /// Global gradient-norm bound.
    pub clip_norm: f32,
    #[serde(default)]
    pub curriculum: Option<CurriculumConfig>,
    /// Learning-rate decay once the task is solved.
    #[serde(default)]
    pub decay: Option<DecayConfig>,
    /// Worker threads for a batch (0: one per core). Ignored in the browser.
    #[serde(default)]
    pub threads: usize,
    /// The Diagonal Neural GPU's recipe: length bins, gradient noise, the saturation
    /// cost's weight and the plateau decay (absent for the other models).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipe: Option<DiagonalRecipe>,
}

impl CurriculumConfig {
    /// Starts at a quarter of the task's maximum length (at least its minimum and 2)
    /// and adds one whenever the last 20 steps average under half a bit error.
    pub fn standard(task: &TaskConfig) -> CurriculumConfig {
        CurriculumConfig {
            start: (task.max_length() / 4)
                .max(task.min_length())
                .max(2)
                .min(task.max_length()),
            step: 1,
            window: 20,
            threshold: 0.5,
            mixture: false,
        }
    }

    /// The 2015 Neural GPU trainer's curriculum (neural_gpu.md § Curriculum, original), in
    /// task lengths: the current maximum starts where the input has 6 symbols (ℓ = L, or
    /// ℓ = 2L + 1 for binary arithmetic), rises by one when a 200-batch window of lengths
    /// ≤ cur has a sequence error under 0.15, and the 25% draw reaches the task's own
    /// maximum (the original's 41). Its relaxation step at each advance is not built.
    pub fn original(task: &TaskConfig) -> CurriculumConfig {
        let start = match task {
            TaskConfig::Symbols { task, .. } if task.is_arithmetic() => (6 - 1) / 2,
            _ => 6,
        };
        CurriculumConfig {
            start: start.clamp(task.min_length(), task.max_length()),
            step: 1,
            window: 200,
            threshold: 0.15,
            mixture: true,
        }
    }

    /// The Neural GPU's tiny curriculum (neural_gpu.md § Curriculum, tiny): the length
    /// mixture, cur from Lmin + 1, +1 when a 50-batch window of lengths ≤ cur has a
    /// sequence error under 0.15.
    pub fn tiny(task: &TaskConfig) -> CurriculumConfig {
        CurriculumConfig {
            start: (task.min_length() + 1).min(task.max_length()),
            step: 1,
            window: 50,
            threshold: 0.15,
            mixture: true,
        }
    }
}

pub const MAX_BATCH: usize = 1024;
pub const MAX_STEPS: u64 = 100_000_000;

impl TrainConfig {
    /// Threads to split a batch over: `threads`, or one per core when it is 0.
    pub fn worker_threads(&self) -> usize {
        if self.threads == 0 {
            default_threads()
        } else {
            self.threads
        }
    }

    /// The model kind.
    pub fn model(&self) -> ModelKind {
        self.architecture.model
    }

    /// Sets the task, and with it the model's input and output widths (and a generative
    /// model's action width, the inputs beyond a frame).
    pub fn set_task(&mut self, task: TaskConfig) {
        self.architecture.input_width = task.input_width();
        self.architecture.output_width = task.output_width();
        if let Some(generative) = &mut self.architecture.generative {
            generative.action_width = task.input_width().saturating_sub(task.output_width());
        }
        self.task = task;
    }

    /// Sets hyperparameter `key` (a registry key) within its registry bounds; refuses a
    /// key the model does not have, naming the ones it does.
    pub fn set_hyperparameter(&mut self, key: &str, value: &Setting) -> Result<()> {
        settings::write(&mut self.architecture, key, value)
    }

    /// A configuration file's training configuration. Keys of the model's own settings
    /// are checked here, as serde's `deny_unknown_fields` checks the rest: the model's
    /// configuration is also a checkpoint's, whose flattened parts cannot deny unknown
    /// keys, so a mistyped setting would otherwise be dropped without a word. Widths the
    /// file leaves out follow the task.
    ///
    /// Not in the page's wasm, which reads no configuration file: there it kept
    /// serde_json's `Value` and added about 2 KB gzipped to each module.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_json(text: &str) -> Result<TrainConfig> {
        use crate::kinds::Family;
        use crate::models::{gtmm::GenerativeConfig, neural_gpu::NeuralGpuConfig};
        let invalid = |e: serde_json::Error| config_error(e.to_string());
        let value: serde_json::Value = serde_json::from_str(text).map_err(invalid)?;
        let mut config: TrainConfig = serde_json::from_value(value.clone()).map_err(invalid)?;
        let kind = config.model();
        let empty = serde_json::Map::new();
        let given = value["architecture"].as_object().unwrap_or(&empty);
        // A flattened part that fails to parse comes back as `None` without a word: parse
        // the part the model needs on its own, so that serde names what is wrong with it.
        let mut known = serde_json::to_value(&config.architecture).map_err(invalid)?;
        let architecture = &config.architecture;
        match Family::of(kind) {
            Family::NeuralGpu => {
                part::<NeuralGpuConfig>(given, architecture.image.is_none(), &mut known)?
            }
            Family::Generative => {
                part::<GenerativeConfig>(given, architecture.generative.is_none(), &mut known)?
            }
            Family::Memory => {}
        }
        for key in given.keys() {
            let known = known.get(key).is_some()
                || settings::setting(kind, key).is_some()
                || ["input_width", "output_width"].contains(&key.as_str());
            if !known {
                return Err(config_error(format!(
                    "architecture.{key} is not a setting of {kind} (its settings: {})",
                    settings::keys(kind).collect::<Vec<_>>().join(", ")
                )));
            }
        }
        if config.architecture.input_width == 0 && config.architecture.output_width == 0 {
            config.set_task(config.task.clone());
        }
        Ok(config)
    }

    /// Range checks on every field, each with a message naming it.
    pub fn validate(&self) -> Result<()> {
        self.task.validate()?;
        let kind = |symbols: bool, frames: bool| match (symbols, frames) {
            (true, _) => "symbol",
            (_, true) => "image-sequence",
            _ => "bit-vector",
        };
        let model = self.model();
        let wanted = kind(model.is_neural_gpu(), model.is_generative());
        let given = kind(self.task.is_symbols(), self.task.is_frames());
        if wanted != given {
            return Err(config_error(format!(
                "{model} trains on {wanted} tasks, and the task {} here is the {given} one",
                self.task.name()
            )));
        }
        let (inputs, outputs) = (self.task.input_width(), self.task.output_width());
        if (
            self.architecture.input_width,
            self.architecture.output_width,
        ) != (inputs, outputs)
        {
            return Err(config_error(format!(
                "the task {} takes {inputs} inputs and {outputs} outputs, and the model has {} and {}",
                self.task.name(),
                self.architecture.input_width,
                self.architecture.output_width
            )));
        }
        self.architecture.validate()?;
        if let Some(image) = &self.architecture.image {
            image.check_training_length(self.task.max_steps(), model.has_decoder())?;
        }
        self.optimizer
            .validate()
            .map_err(|e| config_error(e.to_string()))?;
        match (&self.recipe, model.is_diagonal()) {
            (Some(_), true) if self.curriculum.is_some() => {
                return Err(config_error(
                    "neural_gpu_diag's recipe trains every length bin at each step and takes no curriculum",
                ))
            }
            (Some(recipe), true) => recipe.validate(&self.task)?,
            (Some(_), false) => {
                return Err(config_error(format!(
                    "recipe (length bins, saturation cost) belongs to neural_gpu_diag, not {model}"
                )))
            }
            (None, _) => {}
        }
        if !(1..=MAX_BATCH).contains(&self.batch_size) {
            return Err(config_error(format!(
                "batch size must be between 1 and {MAX_BATCH}, got {}",
                self.batch_size
            )));
        }
        if !(1..=MAX_STEPS).contains(&self.steps) {
            return Err(config_error(format!(
                "steps must be between 1 and {MAX_STEPS}, got {}",
                self.steps
            )));
        }
        if !(self.clip_norm > 0.0 && self.clip_norm.is_finite()) {
            return Err(config_error(format!(
                "clip norm must be positive and finite, got {}",
                self.clip_norm
            )));
        }
        if self.threads > MAX_THREADS {
            return Err(config_error(format!(
                "threads must be at most {MAX_THREADS}, got {}",
                self.threads
            )));
        }
        if let Some(c) = &self.curriculum {
            let (min, max) = (self.task.min_length(), self.task.max_length());
            if !(min..=max).contains(&c.start) {
                return Err(config_error(format!(
                    "curriculum start ({}) must lie within the task's lengths {min}..={max}",
                    c.start
                )));
            }
            if c.step == 0 || c.window == 0 || c.window > 100_000 {
                return Err(config_error(
                    "curriculum step must be ≥ 1 and window between 1 and 100000",
                ));
            }
            if !(c.threshold >= 0.0 && c.threshold.is_finite()) {
                return Err(config_error(format!(
                    "curriculum threshold must be a non-negative number, got {}",
                    c.threshold
                )));
            }
        }
        if let Some(d) = &self.decay {
            if !(d.threshold >= 0.0 && d.threshold.is_finite()) {
                return Err(config_error(format!(
                    "decay threshold must be a non-negative number, got {}",
                    d.threshold
                )));
            }
            if !(1..=100_000).contains(&d.window) {
                return Err(config_error(format!(
                    "decay window must be between 1 and 100000, got {}",
                    d.window
                )));
            }
            if !(d.factor > 0.0 && d.factor < 1.0) {
                return Err(config_error(format!(
                    "decay factor must be in (0, 1), got {}",
                    d.factor
                )));
            }
            if !(d.min_learning_rate > 0.0 && d.min_learning_rate <= 1.0) {
                return Err(config_error(format!(
                    "decay min_learning_rate must be in (0, 1], got {}",
                    d.min_learning_rate
                )));
            }
        }
        Ok(())
    }
}

/// Adds the keys of part `T` of a model's configuration (its image or generative
/// settings) to `known`; when the part came back empty (`missing`), parses it alone from
/// the `given` keys that are its own and returns serde's error.
#[cfg(not(target_arch = "wasm32"))]
fn part<T>(
    given: &serde_json::Map<String, serde_json::Value>,
    missing: bool,
    known: &mut serde_json::Value,
) -> Result<()>
where
    T: Default + Serialize + serde::de::DeserializeOwned,
{
    let fields = serde_json::to_value(T::default()).map_err(|e| config_error(e.to_string()))?;
    let (Some(fields), Some(known)) = (fields.as_object(), known.as_object_mut()) else {
        return Ok(());
    };
    if missing {
        let own = given
            .iter()
            .filter(|(key, _)| fields.contains_key(*key))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        serde_json::from_value::<T>(serde_json::Value::Object(own))
            .map_err(|e| config_error(format!("architecture: {e}")))?;
    }
    for (key, value) in fields {
        known.entry(key.clone()).or_insert_with(|| value.clone());
    }
    Ok(())
}
