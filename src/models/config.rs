//! Model configuration: the architecture part of a checkpoint's `engram_config`.

use crate::error::{config_error, Result};
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
}

impl ModelKind {
    pub const ALL: [ModelKind; 4] = [
        ModelKind::Lstm,
        ModelKind::Ntm,
        ModelKind::Dnc,
        ModelKind::Lru,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Lstm => "lstm",
            ModelKind::Ntm => "ntm",
            ModelKind::Dnc => "dnc",
            ModelKind::Lru => "lru",
        }
    }

    pub fn has_memory(self) -> bool {
        self != ModelKind::Lstm
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
            .ok_or_else(|| format!("unknown model '{s}' (expected one of: lstm, ntm, dnc, lru)"))
    }
}

/// Architecture of a model. Memory fields are ignored by the LSTM baseline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelConfig {
    pub model: ModelKind,
    pub input_width: usize,
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
}

/// Bounds on sizes: generous for experiments, small enough that a typo cannot ask for
/// gigabytes (a DNC's link matrix is N², its state is kept per step).
pub const MAX_HIDDEN: usize = 2048;
pub const MAX_LAYERS: usize = 4;
pub const MAX_SLOTS: usize = 1024;
pub const MAX_WIDTH: usize = 512;
pub const MAX_READ_HEADS: usize = 16;
pub const MAX_IO_WIDTH: usize = 1024;

fn check_range(name: &str, value: usize, low: usize, high: usize) -> Result<()> {
    if (low..=high).contains(&value) {
        Ok(())
    } else {
        Err(config_error(format!(
            "{name} must be between {low} and {high}, got {value}"
        )))
    }
}

impl ModelConfig {
    pub fn validate(&self) -> Result<()> {
        check_range("input_width", self.input_width, 1, MAX_IO_WIDTH)?;
        check_range("output_width", self.output_width, 1, MAX_IO_WIDTH)?;
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
}
