//! Each memory's part of the GPU kernels (`crate::gpu`), in both orders: the fields it
//! adds to a step record, its heads' weight-gradient jobs and parameter offsets, and its
//! WGSL. A memory's part is its folder's `gpu.rs`, as a [`CoreGpu`] for the controller
//! models (`crate::gpu::memory`) and a [`LatentGpu`] for the generative models
//! (`crate::gpu::gtmm`); this file names the two, and [`super::core_gpu`] and
//! [`super::latent_gpu`] pick a memory's by kind.

use super::CoreShape;
use crate::error::Result;
use crate::shader::{Fields, Parameters, WeightGradientJob};

/// Reading and writing an `N × W` memory in `work`, shared by every memory but none.
pub(crate) const MEMORY: &str = wgsl!("memory.wgsl");
/// Content addressing (models.md §1), shared likewise.
pub(crate) const CONTENT: &str = wgsl!("content.wgsl");

/// What the rest of a controller model's layout needs from its memory's fields.
#[derive(Default)]
pub struct CoreFields {
    /// The heads' raw outputs, whose gradient has its place in a gradient record
    /// (`G_DRAW`).
    pub raw: usize,
    /// The gradient of the transformed interface in the carry (`C_DXI`; the DNC's ξ).
    pub interface: usize,
    /// The memory's scratch in the carry (`C_SCRATCH`).
    pub scratch: usize,
}

/// Where a controller model's heads find their inputs and outputs.
pub struct CoreHeads {
    /// The heads' raw outputs' gradient in a gradient record, and its size
    /// ([`CoreFields::raw`]).
    pub draw: usize,
    pub raw: usize,
    /// The controller's output (the heads' input, `H` wide) in a forward record.
    pub hidden_at: usize,
}

/// The WGSL constants of a memory's parameters, by name.
pub type Constants = Vec<(String, usize)>;

/// A memory's part of a controller model's GPU layout (write, then read).
pub struct CoreGpu {
    /// Adds the memory's recurrent state (`S_*`) and per-step cache (`F_*`) fields.
    pub fields: fn(&CoreShape, &mut Fields, &mut Fields) -> CoreFields,
    /// Adds its heads' weight-gradient jobs and their parameters' offsets.
    pub heads: fn(
        &CoreShape,
        &Parameters<'_>,
        CoreHeads,
        &mut Vec<WeightGradientJob>,
        &mut Constants,
    ) -> Result<()>,
    /// Its WGSL, after the shared parts it builds on.
    pub sources: &'static [&'static str],
}

/// The sizes a generative model's memory is laid out with, and where its heads' inputs
/// are in a record (h_t at the start of Ψ, and [h_t; z_t]).
pub struct LatentShape {
    pub slots: usize,
    pub width: usize,
    pub reads: usize,
    pub hidden: usize,
    pub latent: usize,
    pub context_at: usize,
    pub write_input: usize,
}

/// The parts of a generative model's layout its memory adds to.
pub struct LatentParts<'a> {
    pub gradient_record: &'a mut Fields,
    pub carry: &'a mut Fields,
    pub jobs: &'a mut Vec<WeightGradientJob>,
    pub constants: &'a mut Constants,
}

/// A memory's part of a generative model's GPU layout (read, then write).
pub struct LatentGpu {
    /// Returns the memory's state and per-step cache fields, and adds its gradients,
    /// scratch, jobs and parameter offsets to the parts.
    pub lay_out:
        fn(&LatentShape, &Parameters<'_>, &mut LatentParts<'_>) -> Result<(Fields, Fields)>,
    /// Its WGSL, after the shared parts it builds on.
    pub sources: &'static [&'static str],
}
