//! The NTM on the GPU: its fields in a step record, in the order `addressing.wgsl`,
//! `controller.wgsl` and `latent.wgsl` read them; its heads' weight-gradient jobs and
//! parameter offsets, the same in both orders but for the write head's input; and its
//! WGSL.

use super::head_size;
use crate::error::{config_error, Result};
use crate::memory::gpu::{
    Constants, CoreFields, CoreGpu, LatentGpu, LatentParts, LatentShape, CONTENT, MEMORY,
};
use crate::shader::{Fields, Parameters, WeightGradientJob};

const ADDRESSING: &str = wgsl!("addressing.wgsl");

pub(crate) static CORE: CoreGpu = CoreGpu {
    fields: |shape, state, cache| CoreFields {
        raw: fields(state, cache, shape.slots, shape.width, shape.reads),
        interface: 0,
        scratch: 3 * shape.slots,
    },
    heads: |shape, parameters, at, jobs, constants| {
        let hidden = (at.hidden_at, shape.hidden);
        let (w, r) = (shape.width, shape.reads);
        heads(parameters, at.draw, hidden, hidden, w, r, jobs, constants)
    },
    sources: &[MEMORY, CONTENT, ADDRESSING, wgsl!("controller.wgsl")],
};

pub(crate) static LATENT: LatentGpu = LatentGpu {
    lay_out,
    sources: &[MEMORY, CONTENT, ADDRESSING, wgsl!("latent.wgsl")],
};

/// The NTM's state (memory, row norms, write and read weightings) and cache (the heads'
/// raw outputs, the erase vector, each head's addressing); returns the raw outputs' size.
fn fields(state: &mut Fields, cache: &mut Fields, n: usize, w: usize, r: usize) -> usize {
    state.add("S_MEMORY", n * w);
    state.add("S_NORMS", n);
    state.add("S_WRITE_WEIGHTS", n);
    state.add("S_READ_WEIGHTS", r * n);
    let raw = head_size(w, true) + r * head_size(w, false);
    cache.add("F_RAW", raw);
    cache.add("F_ERASE", w);
    cache.add("F_HEADS", (r + 1) * (5 * n + 10));
    raw
}

/// The heads' jobs (their raw outputs' gradient from `draw`: the write head's, then each
/// read head's) and offsets. Each head's input is (its offset in a record, its width):
/// the read heads' is `h`; the write head's is `h` too for a controller, `[h; z]` for a
/// generative model. The kernels find read head i's tensors at a fixed stride from
/// head 0's.
#[allow(clippy::too_many_arguments)]
fn heads(
    parameters: &Parameters<'_>,
    draw: usize,
    read_from: (usize, usize),
    write_from: (usize, usize),
    w: usize,
    r: usize,
    jobs: &mut Vec<WeightGradientJob>,
    constants: &mut Constants,
) -> Result<()> {
    let (write, read) = (head_size(w, true), head_size(w, false));
    let ((read_x, h), (write_x, write_cols)) = (read_from, write_from);
    jobs.push(parameters.job("heads.write", draw, write_x, write, write_cols)?);
    for i in 0..r {
        let name = format!("heads.read.{i}");
        jobs.push(parameters.job(&name, draw + write + i * read, read_x, read, h)?);
    }
    let first = parameters.offset("heads.read.0.weight")?;
    let stride = if r > 1 {
        parameters.offset("heads.read.1.weight")? - first
    } else {
        0
    };
    for i in 0..r {
        if parameters.offset(&format!("heads.read.{i}.weight"))? != first + i * stride {
            return Err(config_error("NTM read heads are not evenly spaced"));
        }
    }
    constants.extend(parameters.weight_and_bias("P_HEADS_WRITE", "heads.write")?);
    constants.extend([
        ("P_HEADS_READ_0_WEIGHT".into(), first),
        (
            "P_HEADS_READ_0_BIAS".into(),
            parameters.offset("heads.read.0.bias")?,
        ),
        ("READ_HEAD_STRIDE".into(), stride),
    ]);
    Ok(())
}

fn lay_out(
    shape: &LatentShape,
    parameters: &Parameters<'_>,
    parts: &mut LatentParts<'_>,
) -> Result<(Fields, Fields)> {
    let (n, w, r) = (shape.slots, shape.width, shape.reads);
    let (mut state, mut cache) = (Fields::default(), Fields::default());
    let raw = fields(&mut state, &mut cache, n, w, r);
    let draw = parts.gradient_record.add("G_DRAW", raw);
    parts.carry.add("C_SCRATCH", 3 * n);
    let read_from = (shape.context_at, shape.hidden);
    let write_from = (shape.write_input, shape.hidden + shape.latent);
    let (jobs, constants) = (&mut *parts.jobs, &mut *parts.constants);
    heads(
        parameters, draw, read_from, write_from, w, r, jobs, constants,
    )?;
    Ok((state, cache))
}
