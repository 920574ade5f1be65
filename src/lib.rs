//! Engram: memory-augmented neural networks (LSTM, NTM, DNC, LRU access) trained on
//! small algorithmic tasks, with exact hand-derived backpropagation through time.
//!
//! The maths follows the normative `spec/models.md`; tasks follow `spec/tasks.md`.
//! The same code runs natively (the `engram` trainer) and in wasm32.

pub mod error;
pub mod gradcheck;
pub mod memory;
pub mod models;
pub mod nn;
pub mod ops;
pub mod rng;
pub mod tasks;
pub mod train;

pub use error::{EngramError, Result};
pub use models::{build, Model, ModelConfig, ModelKind};
