//! The crate's error type: every failure a person can meet, worded for that person.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum EngramError {
    /// A model, task or training setting is out of range or inconsistent.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A checkpoint file is truncated, corrupt, or does not match its own config.
    #[error("checkpoint rejected: {0}")]
    Checkpoint(String),
    /// Training produced NaN or infinity; the parameters were left as they were.
    #[error("training stopped at step {step}: the {what} is not finite (NaN or infinity); the parameters from the last good step are kept")]
    NonFinite { step: u64, what: &'static str },
    /// The GPU path was asked for and cannot run (no adapter, a device lost, a limit
    /// too small); the reason is worded for a person.
    #[error("the GPU backend is unavailable: {0}")]
    Gpu(String),
    /// The model is of a family this build of the engine leaves out (the page builds
    /// one wasm module per family; its worker picks the module before asking).
    #[error("this build of the engine does not include the {} (Cargo feature \"{}\")", .0.label(), .0.name())]
    FamilyNotBuilt(crate::kinds::Family),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

pub type Result<T, E = EngramError> = std::result::Result<T, E>;

/// `Ok` when `low ≤ value ≤ high`, else a configuration error naming the setting and
/// its bounds.
pub(crate) fn check_range(name: &str, value: usize, low: usize, high: usize) -> Result<()> {
    if (low..=high).contains(&value) {
        Ok(())
    } else {
        Err(config_error(format!(
            "{name} must be between {low} and {high}, got {value}"
        )))
    }
}

/// Shorthand for a configuration error.
pub(crate) fn config_error(message: impl Into<String>) -> EngramError {
    EngramError::Config(message.into())
}
