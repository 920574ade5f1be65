//! The memory models (LSTM, NTM, DNC, LRU) on the GPU: where everything a sequence kernel
//! keeps lives in the `work` buffer, for one model configuration, the WGSL constants that
//! tell the shaders so, and the shaders: the controller's, the loss's and the weight
//! gradients' beside this file, each memory core's `controller.wgsl` in its folder of
//! `src/memory/`.
//!
//! Per sequence, `work` holds `steps + 1` forward records (record t: the state after step
//! t − 1, record 0 the initial state), `steps` gradient records and one carry region (see
//! `common.wgsl`). The offsets are generated here, from the model's configuration
//! and its parameter store, so the shaders and the host can never disagree.

use super::fields::{Fields, Regions};
use super::records::{dnc_fields, ntm_fields};
use super::shared::{ACTIVATIONS, RUN};
use crate::error::{config_error, Result};
use crate::kinds::{CoreKind, ModelKind};
use crate::memory::lru::head_size as lru_head_size;
use crate::memory::ntm::head_size as ntm_head_size;
use crate::models::ModelConfig;
use crate::nn::ParamStore;
use std::fmt::Write;

pub(super) const COMMON: &str = wgsl!("common.wgsl");
pub(super) const LSTM: &str = wgsl!("lstm.wgsl");
const CONTROLLER: &str = wgsl!("controller.wgsl");
pub(super) const MEMORY: &str = wgsl!("memory.wgsl");
pub(super) const CONTENT: &str = wgsl!("../../memory/content.wgsl");
const NO_MEMORY: &str = wgsl!("../../memory/none/controller.wgsl");
pub(super) const NTM_ADDRESSING: &str = wgsl!("../../memory/ntm/addressing.wgsl");
const NTM: &str = wgsl!("../../memory/ntm/controller.wgsl");
pub(super) const DNC_HALVES: &str = wgsl!(
    "../../memory/dnc/halves.wgsl",
    "../../memory/dnc/halves_backward.wgsl"
);
pub(super) const DNC_IMPROVEMENTS: &str = wgsl!("../../memory/dnc/improvements.wgsl");
const DNC: &str = wgsl!("../../memory/dnc/controller.wgsl");
pub(super) const LRU_WRITE: &str = wgsl!("../../memory/lru/write.wgsl");
const LRU: &str = wgsl!("../../memory/lru/controller.wgsl");
const SEQUENCE: &str = wgsl!("sequence.wgsl");
pub(super) const WEIGHT_GRADIENTS: &str = wgsl!("weight_gradients.wgsl");

/// Invocations per workgroup of the sequence kernels (a power of two for the reductions).
pub const WORKGROUP_SIZE: usize = 128;

/// One weight gradient `dW = Σ_{b,t} dy xᵀ`, `db = Σ dy` over every step of every
/// sequence: what the weight-gradient kernel computes for one linear layer.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct WeightGradientJob {
    /// Offset of dy in a gradient record.
    pub dy: u32,
    /// Offset of x in a forward record.
    pub x: u32,
    /// 1: x is in the record of step t itself; 0: in the record before (h_{t−1}).
    pub x_record: u32,
    pub rows: u32,
    pub cols: u32,
    /// Offsets of the weight (`rows × cols`) and bias in the parameter buffer.
    pub weight: u32,
    pub bias: u32,
    pub padding: u32,
}

/// The work layout of one model.
#[derive(Clone, Debug)]
pub struct Layout {
    pub model: ModelKind,
    /// The memory the controller drives.
    core: CoreKind,
    regions: Regions,
    sizes: Vec<(&'static str, usize)>,
    parameters: Vec<(String, usize)>,
    layer_parameters: Vec<[usize; 4]>,
    jobs: Vec<WeightGradientJob>,
}

/// Sizes of one model's memory core as the shaders see them.
struct CoreSizes {
    slots: usize,
    width: usize,
    reads: usize,
}

impl Layout {
    pub fn new(config: &ModelConfig, params: &ParamStore) -> Result<Layout> {
        config.validate()?;
        let Some(kind) = config.model.core() else {
            return Err(config_error(format!(
                "{} has kernels of its own: this layout is the memory models'",
                config.model
            )));
        };
        let sizes = if kind != CoreKind::NoMemory {
            CoreSizes {
                slots: config.memory_slots,
                width: config.memory_width,
                reads: config.read_heads,
            }
        } else {
            CoreSizes {
                slots: 0,
                width: 0,
                reads: 0,
            }
        };
        let (h, layers) = (config.hidden, config.layers);
        let (n, w, r) = (sizes.slots, sizes.width, sizes.reads);
        let read_width = r * w;
        let controller_input = config.input_width + read_width;

        let mut state = Fields::default();
        state.add("S_READ", read_width);
        let mut cache = Fields::default();
        let (raw, interface, scratch) = match kind {
            CoreKind::NoMemory => (0, 0, 0),
            CoreKind::Ntm => (ntm_fields(&mut state, &mut cache, n, w, r), 0, 3 * n),
            CoreKind::Dnc => {
                let (size, scratch) = dnc_fields(&mut state, &mut cache, config.dnc, n, w, r);
                (size, size, 6 * n + r * n + scratch)
            }
            CoreKind::Lru => {
                state.add("S_MEMORY", n * w);
                state.add("S_NORMS", n);
                state.add("S_USAGE", n);
                state.add("S_READ_WEIGHTS", r * n);
                state.add("S_LEAST_USED", n);
                let raw = r * lru_head_size(w);
                cache.add("F_RAW", raw);
                cache.add("F_WRITE_WEIGHTS", r * n);
                cache.add("F_ZEROED", 1);
                cache.add("F_SIMILARITY", r * n);
                cache.add("F_KEY_NORMS", r);
                (raw, 0, 2 * n)
            }
        };

        let mut record = Fields::default();
        record.add("F_CIN", controller_input);
        let layer_block = record.add("F_LAYERS", layers * 7 * h);
        let state_at = record.add("F_STATE", state.size);
        record.add("F_LOGITS", config.output_width);
        let cache_at = record.size;
        for &(name, at) in &cache.names {
            record.names.push((name, cache_at + at));
        }
        record.size += cache.size;

        let mut gradient_record = Fields::default();
        let dz = gradient_record.add("G_DZ", layers * 4 * h);
        let draw = gradient_record.add("G_DRAW", raw);
        let dlogits = gradient_record.add("G_DLOGITS", config.output_width);

        let mut carry = Fields::default();
        carry.add("C_DH", layers * h);
        carry.add("C_DC", layers * h);
        carry.add("C_DH_BELOW", h);
        carry.add("C_DH_TOP", h);
        carry.add("C_DX", controller_input);
        carry.add("C_DSTATE", 2 * state.size);
        carry.add("C_DXI", interface);
        carry.add("C_SCRATCH", scratch);

        let sizes = vec![
            ("WG", WORKGROUP_SIZE),
            ("X", config.input_width),
            ("Y", config.output_width),
            ("H", h),
            ("LAYERS", layers),
            ("N", n),
            ("MW", w),
            ("R", r),
            ("RW", read_width),
            ("CIN", controller_input),
            ("REC", record.size),
            ("GREC", gradient_record.size),
            ("STATE", state.size),
            ("GRAW", raw),
            ("DXI", interface),
            ("MASKING", config.dnc.masking as usize),
            ("DEALLOCATION", config.dnc.deallocation as usize),
            ("LINK_SHARPNESS", config.dnc.link_sharpness as usize),
        ];

        let offset = |name: &str| -> Result<usize> {
            params
                .entry(name)
                .map(|e| e.offset)
                .ok_or_else(|| config_error(format!("the model has no parameter {name}")))
        };
        let mut parameters = vec![
            ("P_OUTPUT_WEIGHT".to_string(), offset("output.weight")?),
            ("P_OUTPUT_BIAS".to_string(), offset("output.bias")?),
        ];
        let layer_parameters = (0..layers)
            .map(|l| {
                Ok([
                    offset(&format!("controller.{l}.weight_ih"))?,
                    offset(&format!("controller.{l}.weight_hh"))?,
                    offset(&format!("controller.{l}.bias_ih"))?,
                    offset(&format!("controller.{l}.bias_hh"))?,
                ])
            })
            .collect::<Result<Vec<_>>>()?;

        // Weight gradients: every parameter tensor is produced by exactly one job.
        let hidden_at = |record_offset: usize, l: usize| record_offset + l * 7 * h + 6 * h;
        let top_hidden = hidden_at(layer_block, layers - 1);
        let mut jobs = Vec::new();
        let job = |dy: usize, x: usize, x_record: u32, rows: usize, cols: usize, name: &str| {
            Ok::<_, crate::EngramError>(WeightGradientJob {
                dy: dy as u32,
                x: x as u32,
                x_record,
                rows: rows as u32,
                cols: cols as u32,
                weight: offset(&format!("{name}.weight"))? as u32,
                bias: offset(&format!("{name}.bias"))? as u32,
                padding: 0,
            })
        };
        for (l, p) in layer_parameters.iter().enumerate() {
            let dz_l = dz + l * 4 * h;
            let (x, cols) = if l == 0 {
                (record.get("F_CIN"), controller_input)
            } else {
                (hidden_at(layer_block, l - 1), h)
            };
            for (x, x_record, cols, weight, bias) in [
                (x, 1, cols, p[0], p[2]),
                (hidden_at(layer_block, l), 0, h, p[1], p[3]),
            ] {
                jobs.push(WeightGradientJob {
                    dy: dz_l as u32,
                    x: x as u32,
                    x_record,
                    rows: 4 * h as u32,
                    cols: cols as u32,
                    weight: weight as u32,
                    bias: bias as u32,
                    padding: 0,
                });
            }
        }
        match kind {
            CoreKind::NoMemory => {}
            CoreKind::Ntm => {
                let write = ntm_head_size(w, true);
                let read = ntm_head_size(w, false);
                jobs.push(job(draw, top_hidden, 1, write, h, "heads.write")?);
                for i in 0..r {
                    let name = format!("heads.read.{i}");
                    jobs.push(job(draw + write + i * read, top_hidden, 1, read, h, &name)?);
                }
                let first = offset("heads.read.0.weight")?;
                let stride = if r > 1 {
                    offset("heads.read.1.weight")? - first
                } else {
                    0
                };
                for i in 0..r {
                    if offset(&format!("heads.read.{i}.weight"))? != first + i * stride {
                        return Err(config_error("NTM read heads are not evenly spaced"));
                    }
                }
                parameters.extend([
                    ("P_HEADS_WRITE_WEIGHT".into(), offset("heads.write.weight")?),
                    ("P_HEADS_WRITE_BIAS".into(), offset("heads.write.bias")?),
                    ("P_HEADS_READ_0_WEIGHT".into(), first),
                    ("P_HEADS_READ_0_BIAS".into(), offset("heads.read.0.bias")?),
                    ("READ_HEAD_STRIDE".into(), stride),
                ]);
            }
            CoreKind::Dnc => {
                jobs.push(job(draw, top_hidden, 1, raw, h, "interface")?);
                parameters.extend([
                    ("P_INTERFACE_WEIGHT".into(), offset("interface.weight")?),
                    ("P_INTERFACE_BIAS".into(), offset("interface.bias")?),
                ]);
            }
            CoreKind::Lru => {
                jobs.push(job(draw, top_hidden, 1, raw, h, "heads")?);
                parameters.extend([
                    ("P_HEADS_WEIGHT".into(), offset("heads.weight")?),
                    ("P_HEADS_BIAS".into(), offset("heads.bias")?),
                ]);
            }
        }
        jobs.push(job(
            dlogits,
            top_hidden,
            1,
            config.output_width,
            h + read_width,
            "output",
        )?);
        let covered: usize = jobs.iter().map(|j| (j.rows * (j.cols + 1)) as usize).sum();
        if covered != params.len() {
            return Err(config_error(format!(
                "the GPU path computes {covered} of {} parameter gradients",
                params.len()
            )));
        }

        debug_assert_eq!(record.get("F_STATE"), state_at);
        Ok(Layout {
            model: config.model,
            core: kind,
            regions: Regions {
                record,
                state,
                gradient_record,
                carry,
            },
            sizes,
            parameters,
            layer_parameters,
            jobs,
        })
    }

    /// Floats of `work` per sequence of up to `steps` steps.
    pub fn sequence_floats(&self, steps: usize) -> usize {
        self.regions.sequence_floats(steps)
    }

    /// Floats per forward record.
    pub fn record_size(&self) -> usize {
        self.regions.record.size
    }

    /// The offset of a generated field (`F_LOGITS`, `S_USAGE`, ...) in its region: a
    /// forward record for `F_*`, the state (at `F_STATE`) for `S_*`.
    pub fn offset(&self, name: &str) -> Option<usize> {
        self.regions.offset(name)
    }

    /// The weight-gradient kernel's jobs, one per linear layer.
    pub fn jobs(&self) -> &[WeightGradientJob] {
        &self.jobs
    }

    /// The WGSL prelude: every size and offset as a `const`, and the LSTM layers'
    /// parameter offsets.
    pub fn wgsl(&self) -> String {
        let mut out = String::from("// Generated by gpu::memory for this model.\n");
        let mut constant = |name: &str, value: usize| {
            writeln!(out, "const {name}: u32 = {value}u;").expect("writing to a String");
        };
        for &(name, value) in &self.sizes {
            constant(name, value);
        }
        self.regions.write_wgsl(&mut out);
        let mut constant = |name: &str, value: usize| {
            writeln!(out, "const {name}: u32 = {value}u;").expect("writing to a String");
        };
        constant("CARRY", self.regions.carry.size);
        for (name, at) in &self.parameters {
            constant(name, *at);
        }
        out.push_str("\n// weight_ih, weight_hh, bias_ih, bias_hh of layer l.\n");
        out.push_str("fn layer_parameters(l: u32) -> vec4<u32> {\n    switch l {\n");
        for (l, p) in self.layer_parameters.iter().enumerate() {
            writeln!(
                out,
                "        case {l}u: {{ return vec4<u32>({}u, {}u, {}u, {}u); }}",
                p[0], p[1], p[2], p[3]
            )
            .expect("writing to a String");
        }
        out.push_str("        default: { return vec4<u32>(0u); }\n    }\n}\n");
        out
    }

    /// The WGSL of the sequence kernels for this model.
    pub fn sequence_source(&self) -> String {
        let core: &[&str] = match self.core {
            CoreKind::NoMemory => &[NO_MEMORY],
            CoreKind::Ntm => &[MEMORY, CONTENT, NTM_ADDRESSING, NTM],
            CoreKind::Dnc => &[MEMORY, CONTENT, DNC_HALVES, DNC_IMPROVEMENTS, DNC],
            CoreKind::Lru => &[MEMORY, CONTENT, LRU_WRITE, LRU],
        };
        let mut source = self.wgsl();
        for part in [RUN, ACTIVATIONS, COMMON, LSTM, CONTROLLER]
            .iter()
            .chain(core)
            .chain([&SEQUENCE])
        {
            source.push('\n');
            source.push_str(part);
        }
        source
    }

    /// The WGSL of the weight-gradient kernel.
    pub fn weight_source(&self) -> String {
        format!("{}\n{RUN}\n{WEIGHT_GRADIENTS}", self.wgsl())
    }
}
