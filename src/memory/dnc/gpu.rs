//! The DNC on the GPU: its fields in a step record, in the order `halves.wgsl`,
//! `improvements.wgsl`, `controller.wgsl` and `latent.wgsl` read them; its interface's
//! weight-gradient jobs and parameter offsets in each order (one `interface` Linear from
//! `h` for a controller; for a generative model `interface.read` from `h` and
//! `interface.write` from `[h; z]`); and its WGSL.

use super::{interface_size, DncOptions};
use crate::error::Result;
use crate::memory::gpu::{
    CoreFields, CoreGpu, LatentGpu, LatentParts, LatentShape, CONTENT, MEMORY,
};
use crate::shader::{Fields, Parameters};

const HALVES: &str = wgsl!("halves.wgsl", "halves_backward.wgsl");
const IMPROVEMENTS: &str = wgsl!("improvements.wgsl");

pub(crate) static CORE: CoreGpu = CoreGpu {
    fields: |shape, state, cache| {
        let (n, w, r) = (shape.slots, shape.width, shape.reads);
        let (size, scratch) = fields(state, cache, shape.options, n, w, r);
        CoreFields {
            raw: size,
            interface: size,
            scratch: 6 * n + r * n + scratch,
        }
    },
    heads: |shape, parameters, at, jobs, constants| {
        jobs.push(parameters.job("interface", at.draw, at.hidden_at, at.raw, shape.hidden)?);
        constants.extend(parameters.weight_and_bias("P_INTERFACE", "interface")?);
        Ok(())
    },
    sources: &[
        MEMORY,
        CONTENT,
        HALVES,
        IMPROVEMENTS,
        wgsl!("controller.wgsl"),
    ],
};

pub(crate) static LATENT: LatentGpu = LatentGpu {
    lay_out,
    sources: &[MEMORY, CONTENT, HALVES, IMPROVEMENTS, wgsl!("latent.wgsl")],
};

/// The DNC's state (memory, norms, usage, precedence, links, weightings) and cache (ξ raw
/// and transformed, the write's and the reads' intermediates, the §3.1 improvements'
/// fields); returns ξ's size and the carry scratch the improvements add.
fn fields(
    state: &mut Fields,
    cache: &mut Fields,
    options: DncOptions,
    n: usize,
    w: usize,
    r: usize,
) -> (usize, usize) {
    for (name, length) in [
        ("S_MEMORY", n * w),
        ("S_NORMS", n),
        ("S_USAGE", n),
        ("S_PRECEDENCE", n),
        ("S_LINK", n * n),
        ("S_WRITE_WEIGHTS", n),
        ("S_READ_WEIGHTS", r * n),
    ] {
        state.add(name, length);
    }
    let size = interface_size(w, r, options);
    cache.add("F_RAW", size);
    cache.add("F_XI", size);
    for name in [
        "F_RETENTION",
        "F_USAGE_BEFORE",
        "F_ORDER",
        "F_SORTED",
        "F_ALLOCATION",
        "F_WRITE_SIMILARITY",
        "F_CONTENT_WRITE",
    ] {
        cache.add(name, n);
    }
    for name in [
        "F_FORWARD",
        "F_BACKWARD",
        "F_READ_SIMILARITY",
        "F_CONTENT_READ",
    ] {
        cache.add(name, r * n);
    }
    cache.add("F_KEY_NORMS", r + 1);
    cache.add("F_WRITTEN", 1);
    (size, dnc_improvement_fields(cache, options, n, w, r))
}

/// The records of models.md §3.1's options (each empty when its option is off): the
/// masked rows' norms per head, the retained memory `M_{t−1} ⊙ ψ`, the sharpened
/// weightings and their maxima. Returns the carry scratch they add to the DNC's (the
/// masked lookup's second coefficient, the sharpened weightings' gradients, ψ's
/// de-allocation part, and with de-allocation the retained memory's gradient), laid out
/// in `halves.wgsl`. The generative models' DNC memory calls it with every option off.
fn dnc_improvement_fields(
    cache: &mut Fields,
    options: DncOptions,
    n: usize,
    w: usize,
    r: usize,
) -> usize {
    let on = |option: bool, size: usize| if option { size } else { 0 };
    cache.add("F_MASKED_NORMS", on(options.masking, (r + 1) * n));
    cache.add("F_RETAINED", on(options.deallocation, n * w));
    cache.add("F_FORWARD_SHARP", on(options.link_sharpness, r * n));
    cache.add("F_BACKWARD_SHARP", on(options.link_sharpness, r * n));
    cache.add("F_SHARP_TOP", on(options.link_sharpness, 2 * r));
    4 * n + on(options.deallocation, n * w)
}

fn lay_out(
    shape: &LatentShape,
    parameters: &Parameters<'_>,
    parts: &mut LatentParts<'_>,
) -> Result<(Fields, Fields)> {
    let (n, w, r) = (shape.slots, shape.width, shape.reads);
    let (h, z) = (shape.hidden, shape.latent);
    let (context_at, write_input) = (shape.context_at, shape.write_input);
    let (mut state, mut cache) = (Fields::default(), Fields::default());
    let (size, scratch) = fields(&mut state, &mut cache, DncOptions::NONE, n, w, r);
    let draw = parts.gradient_record.add("G_DRAW", size);
    parts.carry.add("C_DXI", size);
    parts.carry.add("C_SCRATCH", 6 * n + r * n + scratch);
    // ξ in models.md §3's order: [read keys and strengths | the write's rows |
    // read modes]; interface.read's rows are the first and last parts.
    let split = r * w + r;
    let write_rows = 3 * w + r + 3;
    let mut read_modes = parameters.job(
        "interface.read",
        draw + split + write_rows,
        context_at,
        3 * r,
        h,
    )?;
    let read_keys = parameters.job("interface.read", draw, context_at, split, h)?;
    read_modes.weight += (split * h) as u32;
    read_modes.bias += split as u32;
    parts.jobs.push(read_keys);
    parts.jobs.push(read_modes);
    parts.jobs.push(parameters.job(
        "interface.write",
        draw + split,
        write_input,
        write_rows,
        h + z,
    )?);
    parts
        .constants
        .extend(parameters.weight_and_bias("P_INTERFACE_READ", "interface.read")?);
    parts
        .constants
        .extend(parameters.weight_and_bias("P_INTERFACE_WRITE", "interface.write")?);
    Ok((state, cache))
}
