//! The WebGPU path: the whole training step (forward, backpropagation through time,
//! weight gradients, clipping and the optimiser) as WGSL compute kernels run through
//! wgpu, natively (Vulkan, Metal, DX12, GL) and in the browser (WebGPU).
//!
//! The CPU kernels in `ops/`, `nn/` and `memory/` are the reference: every kernel here
//! has a CPU twin named in its doc comment, and the tests compare them. The design and
//! its measured figures are in the README's "GPU" section.

mod buffers;
mod context;
pub mod layout;
mod program;
mod readback;
mod session;
mod uniforms;

pub use context::{GpuContext, GpuUnavailable};
pub use program::sequence_source;
pub use session::{GpuSession, StepScores, READBACK_BYTES};

use crate::models::ModelKind;

/// Whether the GPU path has kernels for `kind` (the Neural GPU family's are not written
/// yet); the registry and the trainer ask here.
pub fn has_kernels(kind: ModelKind) -> bool {
    !kind.is_image()
}

/// Why `kind` cannot train on the GPU, for a person.
pub fn no_kernels(kind: ModelKind) -> GpuUnavailable {
    GpuUnavailable(format!(
        "{kind} has no WebGPU kernels yet; it trains on the CPU"
    ))
}
