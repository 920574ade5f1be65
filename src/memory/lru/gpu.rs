//! The LRU memory on the GPU: its fields in a step record, in the order `write.wgsl`,
//! `controller.wgsl` and `latent.wgsl` read them; its heads' weight-gradient jobs and
//! parameter offsets in each order (one `heads` Linear from `h` for a controller; for a
//! generative model `heads.read` from `h` and `heads.write` from `[h; z]`); and its WGSL.

use super::head_size;
use crate::error::Result;
use crate::memory::gpu::{
    CoreFields, CoreGpu, LatentGpu, LatentParts, LatentShape, CONTENT, MEMORY,
};
use crate::shader::{Fields, Parameters};

const WRITE: &str = wgsl!("write.wgsl");

pub(crate) static CORE: CoreGpu = CoreGpu {
    fields: |shape, state, cache| {
        let (n, w, r) = (shape.slots, shape.width, shape.reads);
        state.add("S_MEMORY", n * w);
        state.add("S_NORMS", n);
        state.add("S_USAGE", n);
        state.add("S_READ_WEIGHTS", r * n);
        state.add("S_LEAST_USED", n);
        let raw = r * head_size(w);
        cache.add("F_RAW", raw);
        cache.add("F_WRITE_WEIGHTS", r * n);
        cache.add("F_ZEROED", 1);
        cache.add("F_SIMILARITY", r * n);
        cache.add("F_KEY_NORMS", r);
        CoreFields {
            raw,
            interface: 0,
            scratch: 2 * n,
        }
    },
    heads: |shape, parameters, at, jobs, constants| {
        jobs.push(parameters.job("heads", at.draw, at.hidden_at, at.raw, shape.hidden)?);
        constants.extend(parameters.weight_and_bias("P_HEADS", "heads")?);
        Ok(())
    },
    sources: &[MEMORY, CONTENT, WRITE, wgsl!("controller.wgsl")],
};

pub(crate) static LATENT: LatentGpu = LatentGpu {
    lay_out,
    sources: &[MEMORY, CONTENT, WRITE, wgsl!("latent.wgsl")],
};

fn lay_out(
    shape: &LatentShape,
    parameters: &Parameters<'_>,
    parts: &mut LatentParts<'_>,
) -> Result<(Fields, Fields)> {
    let (n, w, r) = (shape.slots, shape.width, shape.reads);
    let (h, z) = (shape.hidden, shape.latent);
    let (mut state, mut cache) = (Fields::default(), Fields::default());
    state.add("S_MEMORY", n * w);
    state.add("S_NORMS", n);
    state.add("S_USAGE", n);
    state.add("S_LEAST_USED", n);
    cache.add("F_KEYS", r * w);
    cache.add("F_KEY_NORMS", r);
    cache.add("F_SIMILARITY", r * n);
    cache.add("F_READ_WEIGHTS", r * n);
    cache.add("F_WRITE_RAW", r * (w + 1));
    cache.add("F_WRITE_WEIGHTS", r * n);
    cache.add("F_ZEROED", 1);
    let dkeys = parts.gradient_record.add("G_DREAD_RAW", r * w);
    let dwrite = parts.gradient_record.add("G_DWRITE_RAW", r * (w + 1));
    parts.carry.add("C_DREAD_WEIGHTS", r * n);
    parts.carry.add("C_CONTENT_SCRATCH", n);
    parts.carry.add("C_DWRITE", n);
    let jobs = [
        parameters.job("heads.read", dkeys, shape.context_at, r * w, h)?,
        parameters.job("heads.write", dwrite, shape.write_input, r * (w + 1), h + z)?,
    ];
    parts.jobs.extend(jobs);
    parts
        .constants
        .extend(parameters.weight_and_bias("P_HEADS_READ", "heads.read")?);
    parts
        .constants
        .extend(parameters.weight_and_bias("P_HEADS_WRITE", "heads.write")?);
    Ok((state, cache))
}
