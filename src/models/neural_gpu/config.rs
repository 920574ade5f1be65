//! The Neural GPU family's part of a model configuration (neural_gpu.md § Checkpoint
//! tensors: `maps`, `height`, `cgru_layers`, `gate_cutoff`), flattened into
//! `engram_config` beside the shared keys.

use super::relaxation::MAX_RELAX_SETS;
use crate::error::{check_range, config_error, Result};
use crate::kinds::ModelKind;
use serde::{Deserialize, Serialize};

/// Feature maps m: the original code's 128 fits natively but not in a tab.
pub const MAX_MAPS: usize = 128;
/// Rows h of the mental image.
pub const MAX_HEIGHT: usize = 16;
/// CGRU layers per step.
pub const MAX_CGRU_LAYERS: usize = 4;
/// What one training sequence may keep for its backward pass (each layer application
/// keeps its input, u, r and c): past this a length is refused, naming the limit,
/// instead of exhausting memory. A tab gets half of what the native trainer does.
pub const MAX_TRAINING_CACHE_BYTES: usize = if cfg!(target_arch = "wasm32") {
    256 << 20
} else {
    512 << 20
};

/// The mental image and its CGRU stack.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeuralGpuConfig {
    /// Feature maps m (channels of the image).
    pub maps: usize,
    /// Rows h.
    pub height: usize,
    /// CGRU layers L per step (the decoder has as many of its own).
    pub cgru_layers: usize,
    /// The gate cutoff c of `σc` (1.2; 1.0 is the plain sigmoid).
    pub gate_cutoff: f32,
    /// Label smoothing of the training loss (0: none), neural_gpu.md §5.2 note 3.
    #[serde(default)]
    pub label_smoothing: f32,
    /// Dropout rate d of training (0: none; the original code's 0.15): cells are kept
    /// with probability `1 − d·8/n`, at least 0.5, on the first image and after every
    /// step (neural_gpu.md §5.1 Regularisers).
    #[serde(default)]
    pub dropout: f32,
    /// Scheduled sampling (the dependent-output model): the probability that a decoder
    /// step feeds the model's own sample instead of the target (0: pure teacher
    /// forcing), neural_gpu.md §5.2 note 4.
    #[serde(default)]
    pub sampling_rate: f32,
    /// Parameter-sharing relaxation: sets of encoder CGRU parameters r (1: none; the
    /// original code's 6), neural_gpu.md §5.1 Regularisers; step k uses set k mod r.
    #[serde(default = "one_set")]
    pub relax_sets: usize,
}

fn one_set() -> usize {
    1
}

impl Default for NeuralGpuConfig {
    /// The tiny defaults: m = 24, h = 4, L = 2, c = 1.2.
    fn default() -> Self {
        NeuralGpuConfig {
            maps: 24,
            height: 4,
            cgru_layers: 2,
            gate_cutoff: 1.2,
            label_smoothing: 0.0,
            dropout: 0.0,
            sampling_rate: 0.0,
            relax_sets: 1,
        }
    }
}

impl NeuralGpuConfig {
    /// [`NeuralGpuConfig::validate`], and for the Diagonal Neural GPU (one row, one cell, no
    /// relaxation, decoder or smoothing; §5.3) that its other settings are the fixed ones.
    pub fn validate_for(&self, model: ModelKind) -> Result<()> {
        self.validate()?;
        if model.is_diagonal() {
            let fixed = NeuralGpuConfig::diagonal(self.maps, self.dropout);
            if self != &fixed {
                return Err(config_error(format!(
                    "{model} has one row and one cell and takes only maps and dropout \
                     (height 1, cgru_layers 1, gate_cutoff 1, relax_sets 1, no sampling or \
                     label smoothing), got height {}, cgru_layers {}, gate_cutoff {}, \
                     relax_sets {}, sampling_rate {}, label_smoothing {}",
                    self.height,
                    self.cgru_layers,
                    self.gate_cutoff,
                    self.relax_sets,
                    self.sampling_rate,
                    self.label_smoothing
                )));
            }
        }
        Ok(())
    }

    /// The Diagonal Neural GPU's settings (§5.3): `maps` m, one row, one cell; `dropout`
    /// is the probability a cell of `s_0` or of a candidate is dropped (1 − keep).
    pub fn diagonal(maps: usize, dropout: f32) -> NeuralGpuConfig {
        NeuralGpuConfig {
            maps,
            height: 1,
            cgru_layers: 1,
            gate_cutoff: 1.0,
            dropout,
            ..NeuralGpuConfig::default()
        }
    }

    pub fn validate(&self) -> Result<()> {
        check_range("maps", self.maps, 1, MAX_MAPS)?;
        check_range("height", self.height, 1, MAX_HEIGHT)?;
        check_range("cgru_layers", self.cgru_layers, 1, MAX_CGRU_LAYERS)?;
        check_range("relax_sets", self.relax_sets, 1, MAX_RELAX_SETS)?;
        if !(1.0..=2.0).contains(&self.gate_cutoff) {
            return Err(config_error(format!(
                "gate_cutoff must be between 1 and 2, got {}",
                self.gate_cutoff
            )));
        }
        if !(0.0..=1.0).contains(&self.sampling_rate) {
            return Err(config_error(format!(
                "sampling_rate must be in [0, 1], got {}",
                self.sampling_rate
            )));
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(config_error(format!(
                "dropout must be in [0, 1), got {}",
                self.dropout
            )));
        }
        if !(0.0..1.0).contains(&self.label_smoothing) {
            return Err(config_error(format!(
                "label_smoothing must be in [0, 1), got {}",
                self.label_smoothing
            )));
        }
        Ok(())
    }

    /// Bytes one training sequence of `columns` columns keeps for its backward pass:
    /// per layer application its input, u, r and c (4 images), `columns` steps of
    /// `cgru_layers` layers, twice with a decoder.
    pub fn training_cache_bytes(&self, columns: usize, decoder: bool) -> usize {
        let image = self.maps * self.height * columns;
        let applications = columns * self.cgru_layers * if decoder { 2 } else { 1 };
        4 * image * applications * std::mem::size_of::<f32>()
    }

    /// Refuses a training length whose backward pass would not fit.
    pub fn check_training_length(&self, columns: usize, decoder: bool) -> Result<()> {
        let bytes = self.training_cache_bytes(columns, decoder);
        if bytes > MAX_TRAINING_CACHE_BYTES {
            return Err(config_error(format!(
                "training at {columns} columns would keep {} MB per sequence for the backward pass (limit {} MB): shorten the task or use fewer maps, rows or layers",
                bytes >> 20,
                MAX_TRAINING_CACHE_BYTES >> 20
            )));
        }
        Ok(())
    }
}
