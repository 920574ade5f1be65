//! The introspective memory on the GPU (generative models only): its fields in a step
//! record, in the order `latent.wgsl` reads them, its read heads' weight-gradient job and
//! parameter offsets, and its WGSL.

use crate::error::Result;
use crate::memory::gpu::{LatentGpu, LatentParts, LatentShape, CONTENT, MEMORY};
use crate::shader::{Fields, Parameters};

pub(crate) static LATENT: LatentGpu = LatentGpu {
    lay_out,
    sources: &[MEMORY, CONTENT, wgsl!("latent.wgsl")],
};

fn lay_out(
    shape: &LatentShape,
    parameters: &Parameters<'_>,
    parts: &mut LatentParts<'_>,
) -> Result<(Fields, Fields)> {
    let (n, w, r, z) = (shape.slots, shape.width, shape.reads, shape.latent);
    let (mut state, mut cache) = (Fields::default(), Fields::default());
    state.add("S_MEMORY", n * w);
    state.add("S_NORMS", n);
    // Each read head's key (Z) and strength.
    let raw = r * (z + 1);
    cache.add("F_READ_RAW", raw);
    cache.add("F_SIMILARITY", r * n);
    cache.add("F_READ_WEIGHTS", r * n);
    let draw = parts.gradient_record.add("G_DREAD_RAW", raw);
    parts.carry.add("C_DWEIGHTS", n);
    parts.carry.add("C_CONTENT_SCRATCH", n);
    let job = parameters.job("heads.read", draw, shape.context_at, raw, shape.hidden)?;
    parts.jobs.push(job);
    parts
        .constants
        .extend(parameters.weight_and_bias("P_HEADS_READ", "heads.read")?);
    Ok((state, cache))
}
