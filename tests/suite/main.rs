//! Engram's native test suite, one binary: every integration test module links the
//! crate once, so the release build links one test executable instead of one per file
//! (each link is a whole-program optimisation pass over the engine and wgpu).
//!
//! Run one module with its path as the filter, e.g.
//! `cargo test --release --test suite gpu_neural_gpu:: -- --include-ignored`.

#[macro_use]
mod common;

mod addressing_pipeline;
mod checkpoints;
mod cli;
mod cli_backends;
mod cli_gtmm;
mod cli_neural_gpu;
mod cli_schema;
mod frame_tasks;
mod gpu;
mod gpu_gtmm;
mod gpu_neural_gpu;
mod gpu_neural_gpu_diag;
mod gpu_training;
mod gtmm_gradients;
mod gtmm_reference;
mod kernel_sources;
mod learning;
mod memory_reference;
mod model_gradients;
mod model_reference;
mod neural_gpu;
mod neural_gpu_diag;
mod neural_gpu_gradients;
mod neural_gpu_reference;
mod op_gradients;
mod playground;
mod shipped_traces;
mod tasks;
mod training;
