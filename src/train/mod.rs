//! Training: configuration and presets, the training loop with curriculum, evaluation
//! per length, and safetensors checkpoints.

mod checkpoint;
mod config;
mod curriculum;
mod evaluate;
mod parallel;
mod trainer;

pub use checkpoint::{
    load_checkpoint, save_checkpoint, Checkpoint, CheckpointConfig, FORMAT_VERSION,
};
pub use config::{CurriculumConfig, TrainConfig};
pub use curriculum::Curriculum;
pub use evaluate::{evaluate, LengthMetrics};
pub use parallel::{batch_gradient, batch_score, default_threads};
pub use trainer::{StepReport, Trainer};
