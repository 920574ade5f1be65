//! The WebGPU path: the whole training step (forward, backpropagation through time,
//! weight gradients, clipping and the optimiser) as WGSL compute kernels run through
//! wgpu, natively (Vulkan, Metal, DX12, GL) and in the browser (WebGPU).
//!
//! The CPU kernels in `ops/`, `nn/` and `memory/` are the reference: every kernel here
//! has a CPU twin named in its doc comment, and the tests compare them. The design and
//! its measured figures are in the README's "GPU" section.

mod buffers;
mod context;
mod kernels;
pub mod layout;
pub mod neural_gpu;
mod program;
mod readback;
mod session;
mod uniforms;

pub use context::{GpuContext, GpuUnavailable};
pub use kernels::Kernels;
pub use program::sequence_source;
pub use session::{GpuSession, StepScores, READBACK_BYTES};
