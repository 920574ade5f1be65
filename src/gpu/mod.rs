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

use crate::models::ModelConfig;

/// Whether the GPU path can train `config`: every model has kernels, but the Neural GPU's
/// dropout and scheduled sampling (both off by default) train on the CPU only. Asked
/// before any adapter is looked for, so the reason given is the configuration's.
pub fn supports(config: &ModelConfig) -> Result<(), GpuUnavailable> {
    match &config.image {
        Some(image) if image.dropout > 0.0 || image.sampling_rate > 0.0 => Err(GpuUnavailable(
            "the GPU path trains the Neural GPU without dropout and scheduled sampling; \
             with them it trains on the CPU"
                .into(),
        )),
        _ => Ok(()),
    }
}
