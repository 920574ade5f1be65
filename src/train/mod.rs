//! Training: configuration and presets, the training loop with curriculum, evaluation
//! per length, and safetensors checkpoints.

mod backend;
mod checkpoint;
mod config;
mod evaluate;
mod long_test;
mod memory_budget;
mod parallel;
mod progress;
mod recipe;
mod trainer;

pub use backend::{open_gpu, BackendChoice, BackendStatus, MeasuredRates};
pub use checkpoint::{
    load_checkpoint, save_checkpoint, Checkpoint, CheckpointConfig, FORMAT_VERSION,
};
pub use config::{CurriculumConfig, DecayConfig, TrainConfig, MAX_THREADS};
pub use evaluate::{evaluate, evaluate_with, evaluation_batch, LengthMetrics};
pub use long_test::{LongTest, LongTestProgress, LongTestResult};
pub use memory_budget::{
    check_memory, estimate_memory, MemoryEstimate, NATIVE_BUDGET_MB, PAGE_BUDGET_MB,
};
pub use parallel::{batch_gradient, batch_score, default_threads, threads_used};
pub use progress::{Curriculum, Decay};
pub use recipe::{DiagonalRecipe, RecipeState};
pub use trainer::{StepReport, Trainer, MIRROR_INTERVAL};
