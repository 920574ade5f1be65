//! Neural-network building blocks on flat parameter buffers: named parameters, Linear,
//! the LSTM stack, optimisers and gradient clipping.

pub mod linear;
pub mod lstm;
pub mod optim;
pub mod params;

pub use linear::Linear;
pub use lstm::{LstmCarry, LstmStack, LstmTape};
pub use optim::{adamax_beta2, clip_global_norm, Optimizer, OptimizerConfig, OptimizerKind};
pub use params::{ParamEntry, ParamStore};
