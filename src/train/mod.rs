//! Training: configuration and presets, the training loop with curriculum, evaluation
//! per length, and safetensors checkpoints.

mod backend;
mod checkpoint;
mod config;
mod evaluate;
mod long_test;
mod parallel;
mod presets;
mod progress;
mod ram_budget;
mod recipe;
mod trainer;

pub use backend::{open_gpu, BackendChoice, BackendStatus, MeasuredRates};
pub use checkpoint::{
    load_checkpoint, save_checkpoint, Checkpoint, CheckpointConfig, FORMAT_VERSION,
};
pub use config::{CurriculumConfig, DecayConfig, TrainConfig, MAX_THREADS};
pub use evaluate::{evaluate, evaluate_with, evaluation_batch, LengthMetrics};
pub use long_test::{LongTest, LongTestProgress, LongTestResult};
pub use parallel::{batch_gradient, batch_score, default_threads, threads_used};
pub use progress::{Curriculum, Decay};
pub use ram_budget::{check_ram, estimate_ram, RamEstimate, NATIVE_BUDGET_MB, PAGE_BUDGET_MB};
pub use recipe::{DiagonalRecipe, RecipeState};
pub use trainer::{StepReport, Trainer, MIRROR_INTERVAL};
