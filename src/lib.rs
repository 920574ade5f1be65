//! Engram: memory-augmented neural networks trained on small algorithmic tasks, with
//! exact hand-derived backpropagation through time. Three families ([`Family`]), eight
//! models ([`ModelKind`]):
//!
//! - the memory models on bit-vector tasks: an LSTM baseline, the Neural Turing Machine,
//!   the Differentiable Neural Computer (with its §3.1 improvements) and an LRU-access
//!   memory network;
//! - the Neural GPU family on symbol tasks: the Neural GPU, the Neural GPU with dependent
//!   outputs and the Diagonal Neural GPU;
//! - the generative temporal model with memory (`gtmm`) on image sequences, its latents
//!   in none, an introspective, an NTM, an LRU or a DNC memory.
//!
//! The maths follows the normative `docs/spec/models.md`, `neural_gpu.md` and
//! `generative.md`; tasks follow `docs/spec/tasks.md`. Code comments cite them as
//! `models.md §N`. The same code runs natively (the `engram` trainer) and in wasm32, and
//! as WebGPU kernels (`gpu`) where there is a GPU.
//!
//! ```
//! use engram::tasks::TaskConfig;
//! use engram::train::{evaluate, TrainConfig, Trainer};
//! use engram::ModelKind;
//!
//! // An NTM with the copy task's preset, a little smaller for a quick example.
//! let mut config = TrainConfig::preset(ModelKind::Ntm, TaskConfig::by_name("copy")?);
//! config.architecture.memory_slots = 16;
//! let mut trainer = Trainer::new(config)?;
//! for _ in 0..3 {
//!     let report = trainer.step()?;
//!     println!("step {}: {:.2} bits per sequence", report.step, report.metrics.bits_per_sequence);
//! }
//! let task = trainer.config().task.clone();
//! let by_length = evaluate(trainer.model(), &task, &[5, 20], 8, 1, 1)?;
//! assert_eq!(by_length[1].length, 20);
//! # Ok::<(), engram::EngramError>(())
//! ```

// The maths indexes several vectors by the same slot index, exactly as the spec's
// equations do (`u[k]`, `w[k]`, `ψ[k]`); iterator chains over four zipped slices would
// hide that correspondence.
#![allow(clippy::needless_range_loop)]
// A build that leaves a model family out (the page's per-family wasm modules) leaves
// that family's code unreferenced; the full build, which clippy checks, still reports
// code that nothing uses.
#![cfg_attr(
    not(all(feature = "memory", feature = "neural_gpu", feature = "generative")),
    allow(dead_code, unused_imports)
)]

// First: its `wgsl!` macro is used by `gpu` and `memory`, below it in this file.
#[macro_use]
pub mod shader;

pub mod error;
pub mod gpu;
pub mod gradcheck;
pub mod kinds;
pub mod memory;
pub mod models;
pub mod nn;
pub mod objective;
pub mod ops;
pub mod registry;
pub mod rng;
pub mod schema;
pub mod tasks;
pub mod train;
pub mod web;

pub use error::{EngramError, Result};
pub use kinds::{Family, ModelKind};
pub use models::{build, Model, ModelConfig};
