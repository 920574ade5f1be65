//! What each memory adds to a generative model's GPU layout: its state, its per-step
//! cache, its heads' gradients and weight-gradient jobs, its parameter offsets, and its
//! WGSL (each memory's `latent.wgsl` in its folder of `src/memory/`, on what it shares
//! with the memory's core there).

use super::Parameters;
use crate::error::{config_error, Result};
use crate::gpu::fields::Fields;
use crate::gpu::memory::{
    WeightGradientJob, CONTENT, DNC_HALVES, DNC_IMPROVEMENTS, LRU_WRITE, MEMORY, NTM_ADDRESSING,
};
use crate::gpu::records::{dnc_fields, ntm_fields};
use crate::kinds::LatentMemoryKind;
use crate::memory::dnc::DncOptions;
use crate::memory::ntm::head_size as ntm_head_size;

const NO_MEMORY: &str = wgsl!("../../memory/none/latent.wgsl");
const INTROSPECTIVE: &str = wgsl!("../../memory/introspective/latent.wgsl");
const NTM: &str = wgsl!("../../memory/ntm/latent.wgsl");
const LRU: &str = wgsl!("../../memory/lru/latent.wgsl");
const DNC: &str = wgsl!("../../memory/dnc/latent.wgsl");

/// The sizes a memory is laid out with, and where its heads' inputs are in a record
/// (h_t at the start of Ψ, [h_t; z_t]).
pub(super) struct MemoryShape {
    pub slots: usize,
    pub width: usize,
    pub reads: usize,
    pub hidden: usize,
    pub latent: usize,
    pub context_at: usize,
    pub write_input: usize,
}

/// The layout's parts a memory adds to.
pub(super) struct MemoryParts<'a> {
    pub gradient_record: &'a mut Fields,
    pub carry: &'a mut Fields,
    pub jobs: &'a mut Vec<WeightGradientJob>,
    pub constants: &'a mut Vec<(String, usize)>,
}

/// Lays out `memory`: returns its state's and its per-step cache's fields, and adds its
/// gradients, scratch, jobs and parameter offsets to `parts`.
pub(super) fn lay_out(
    memory: LatentMemoryKind,
    shape: MemoryShape,
    parameters: &Parameters<'_>,
    parts: &mut MemoryParts<'_>,
) -> Result<(Fields, Fields)> {
    let MemoryShape {
        slots: n,
        width: w,
        reads: r,
        hidden: h,
        latent: z,
        context_at,
        write_input,
    } = shape;
    let mut state = Fields::default();
    let mut cache = Fields::default();
    match memory {
        LatentMemoryKind::None => {}
        LatentMemoryKind::Introspective => {
            state.add("S_MEMORY", n * w);
            state.add("S_NORMS", n);
            let raw = r * (z + 1);
            cache.add("F_READ_RAW", raw);
            cache.add("F_SIMILARITY", r * n);
            cache.add("F_READ_WEIGHTS", r * n);
            let draw = parts.gradient_record.add("G_DREAD_RAW", raw);
            parts.carry.add("C_DWEIGHTS", n);
            parts.carry.add("C_CONTENT_SCRATCH", n);
            parts
                .jobs
                .push(parameters.job("heads.read", draw, context_at, raw, h)?);
            parts
                .constants
                .extend(parameters.weight_and_bias("P_HEADS_READ", "heads.read")?);
        }
        LatentMemoryKind::Ntm => {
            let raw = ntm_fields(&mut state, &mut cache, n, w, r);
            let (write, read) = (ntm_head_size(w, true), ntm_head_size(w, false));
            let draw = parts.gradient_record.add("G_DRAW", raw);
            parts.carry.add("C_SCRATCH", 3 * n);
            parts
                .jobs
                .push(parameters.job("heads.write", draw, write_input, write, h + z)?);
            for i in 0..r {
                let name = format!("heads.read.{i}");
                parts.jobs.push(parameters.job(
                    &name,
                    draw + write + i * read,
                    context_at,
                    read,
                    h,
                )?);
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
            parts.constants.extend([
                (
                    "P_HEADS_WRITE_WEIGHT".into(),
                    parameters.offset("heads.write.weight")?,
                ),
                (
                    "P_HEADS_WRITE_BIAS".into(),
                    parameters.offset("heads.write.bias")?,
                ),
                ("P_HEADS_READ_0_WEIGHT".into(), first),
                (
                    "P_HEADS_READ_0_BIAS".into(),
                    parameters.offset("heads.read.0.bias")?,
                ),
                ("READ_HEAD_STRIDE".into(), stride),
            ]);
        }
        LatentMemoryKind::Lru => {
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
            parts
                .jobs
                .push(parameters.job("heads.read", dkeys, context_at, r * w, h)?);
            parts.jobs.push(parameters.job(
                "heads.write",
                dwrite,
                write_input,
                r * (w + 1),
                h + z,
            )?);
            parts
                .constants
                .extend(parameters.weight_and_bias("P_HEADS_READ", "heads.read")?);
            parts
                .constants
                .extend(parameters.weight_and_bias("P_HEADS_WRITE", "heads.write")?);
        }
        LatentMemoryKind::Dnc => {
            let (size, scratch) = dnc_fields(&mut state, &mut cache, DncOptions::NONE, n, w, r);
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
        }
    }
    Ok((state, cache))
}

/// The WGSL of `memory`, after the shared parts it builds on.
pub(super) fn sources(memory: LatentMemoryKind) -> &'static [&'static str] {
    match memory {
        LatentMemoryKind::None => &[NO_MEMORY],
        LatentMemoryKind::Introspective => &[MEMORY, CONTENT, INTROSPECTIVE],
        LatentMemoryKind::Ntm => &[MEMORY, CONTENT, NTM_ADDRESSING, NTM],
        LatentMemoryKind::Lru => &[MEMORY, CONTENT, LRU_WRITE, LRU],
        LatentMemoryKind::Dnc => &[MEMORY, CONTENT, DNC_HALVES, DNC_IMPROVEMENTS, DNC],
    }
}
