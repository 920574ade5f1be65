//! Flags shared by several commands, and their parsers.

use clap::Args;
use engram::tasks::TASK_NAMES;
use engram::train::BackendChoice;
use engram::ModelKind;

/// Model size flags; each overrides the preset's value.
#[derive(Args, Clone, Debug, Default)]
pub struct SizeArgs {
    /// Memory slots N.
    #[arg(long = "memory", value_name = "N")]
    pub memory_slots: Option<usize>,
    /// Memory width W.
    #[arg(long = "width", value_name = "W")]
    pub memory_width: Option<usize>,
    /// Read heads R.
    #[arg(long = "reads", value_name = "R")]
    pub read_heads: Option<usize>,
    /// Controller LSTM size H.
    #[arg(long, value_name = "H")]
    pub hidden: Option<usize>,
    /// Controller LSTM layers.
    #[arg(long, value_name = "L")]
    pub layers: Option<usize>,
}

pub fn parse_model(text: &str) -> Result<ModelKind, String> {
    text.parse()
}

pub fn parse_task(text: &str) -> Result<String, String> {
    if TASK_NAMES.contains(&text) {
        Ok(text.to_string())
    } else {
        Err(format!(
            "unknown task '{text}' (expected one of: {})",
            TASK_NAMES.join(", ")
        ))
    }
}

/// A positive whole number (one item of a comma-separated list such as `5,10,20`).
pub fn parse_positive(text: &str) -> Result<usize, String> {
    let text = text.trim();
    text.parse::<usize>()
        .ok()
        .filter(|&v| v > 0)
        .ok_or_else(|| format!("'{text}' is not a positive whole number"))
}

pub fn parse_backend(text: &str) -> Result<BackendChoice, String> {
    text.parse()
}
