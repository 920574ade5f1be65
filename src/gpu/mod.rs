//! The WebGPU path: the whole training step (forward, backpropagation through time,
//! weight gradients, clipping and the optimiser) as WGSL compute kernels run through
//! wgpu, natively (Vulkan, Metal, DX12, GL) and in the browser (WebGPU).
//!
//! The CPU kernels in `ops/`, `nn/`, `memory/` and `models/` are the reference: every
//! kernel here has a CPU twin named in its doc comment, and the tests compare them. The
//! design and its measured figures are in docs/gpu.md.
//!
//! Each model family's GPU part lives in a folder of its own beside its WGSL
//! (`memory/`: LSTM, NTM, DNC, LRU; `neural_gpu/`; `gtmm/`: the generative models, whose
//! memories reuse `memory/`'s addressing), and [`Kernels`] is what the rest asks of it;
//! the session, its buffers, the uniforms and the optimiser's kernels (`shaders/`) are
//! shared.

mod buffers;
mod context;
pub mod gtmm;
mod kernels;
pub mod memory;
pub mod neural_gpu;
mod program;
mod readback;
mod session;
mod shared;
mod uniforms;

pub use context::{GpuContext, GpuUnavailable};
pub use kernels::Kernels;
pub use session::{GpuSession, StepScores, READBACK_BYTES};
