//! The memory models (LSTM, NTM, DNC, LRU) on the GPU: where everything a sequence kernel
//! keeps lives in the `work` buffer, for one model configuration, the WGSL constants that
//! tell the shaders so, and the shaders: the controller's, the loss's and the weight
//! gradients' beside this file; each memory core's part (its fields, its heads' jobs and
//! its `controller.wgsl`) is in its folder of `src/memory/` (`crate::memory::gpu`).
//!
//! Per sequence, `work` holds `steps + 1` forward records (record t: the state after step
//! t − 1, record 0 the initial state), `steps` gradient records and one carry region (see
//! `common.wgsl`). The offsets are generated here, from the model's configuration
//! and its parameter store, so the shaders and the host can never disagree.

use super::shared::{ACTIVATIONS, RUN};
use crate::error::{config_error, Result};
use crate::kinds::{CoreKind, ModelKind};
use crate::memory::gpu::CoreHeads;
use crate::memory::{core_gpu, CoreShape};
use crate::models::ModelConfig;
use crate::nn::ParamStore;
use crate::shader::{join_sources, lstm_layer_jobs, write_constants};
use crate::shader::{Fields, Parameters, Regions, WeightGradientJob};
use std::fmt::Write;

pub(super) const COMMON: &str = wgsl!("common.wgsl");
pub(super) const LSTM: &str = wgsl!("lstm.wgsl");
const CONTROLLER: &str = wgsl!("controller.wgsl");
const SEQUENCE: &str = wgsl!("sequence.wgsl");
pub(super) const WEIGHT_GRADIENTS: &str = wgsl!("weight_gradients.wgsl");

/// Invocations per workgroup of the sequence kernels (a power of two for the reductions).
pub const WORKGROUP_SIZE: usize = 128;

/// The work layout of one model.
#[derive(Clone, Debug)]
pub struct Layout {
    pub model: ModelKind,
    /// The WGSL of the memory the controller drives (kept here, not looked up by kind
    /// when the source is built: a lookup would keep every memory's layout code in the
    /// other families' wasm, which never build this layout).
    memory_sources: &'static [&'static str],
    regions: Regions,
    sizes: Vec<(&'static str, usize)>,
    parameters: Vec<(String, usize)>,
    layer_parameters: Vec<[usize; 4]>,
    jobs: Vec<WeightGradientJob>,
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
        let memory = core_gpu(kind);
        // No memory has no slots, whatever the configuration says.
        let sized = kind != CoreKind::NoMemory;
        let size = |value: usize| if sized { value } else { 0 };
        let shape = CoreShape {
            slots: size(config.memory_slots),
            width: size(config.memory_width),
            reads: size(config.read_heads),
            hidden: config.hidden,
            options: config.dnc,
        };
        let (h, layers) = (config.hidden, config.layers);
        let (n, w, r) = (shape.slots, shape.width, shape.reads);
        let read_width = r * w;
        let controller_input = config.input_width + read_width;

        let mut state = Fields::default();
        state.add("S_READ", read_width);
        let mut cache = Fields::default();
        let core = (memory.fields)(&shape, &mut state, &mut cache);
        let (raw, interface, scratch) = (core.raw, core.interface, core.scratch);

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

        let parameters = Parameters(params);
        let mut constants = Vec::from(parameters.weight_and_bias("P_OUTPUT", "output")?);
        let layer_parameters = (0..layers)
            .map(|l| parameters.lstm_layer(l))
            .collect::<Result<Vec<_>>>()?;

        // Weight gradients: every parameter tensor is produced by exactly one job.
        let hidden_at = |record_offset: usize, l: usize| record_offset + l * 7 * h + 6 * h;
        let top_hidden = hidden_at(layer_block, layers - 1);
        let mut jobs = Vec::new();
        for (l, &layer) in layer_parameters.iter().enumerate() {
            let (x, cols) = if l == 0 {
                (record.get("F_CIN"), controller_input)
            } else {
                (hidden_at(layer_block, l - 1), h)
            };
            let own = hidden_at(layer_block, l);
            jobs.extend(lstm_layer_jobs(layer, dz + l * 4 * h, x, cols, own, h));
        }
        let heads = CoreHeads {
            draw,
            raw,
            hidden_at: top_hidden,
        };
        (memory.heads)(&shape, &parameters, heads, &mut jobs, &mut constants)?;
        jobs.push(parameters.job(
            "output",
            dlogits,
            top_hidden,
            config.output_width,
            h + read_width,
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
            memory_sources: memory.sources,
            regions: Regions {
                record,
                state,
                gradient_record,
                carry,
            },
            sizes,
            parameters: constants,
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
        write_constants(&mut out, self.sizes.iter().copied());
        self.regions.write_wgsl(&mut out);
        write_constants(&mut out, [("CARRY", self.regions.carry.size)]);
        let parameters = self
            .parameters
            .iter()
            .map(|(name, at)| (name.as_str(), *at));
        write_constants(&mut out, parameters);
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
        let parts = [RUN, ACTIVATIONS, COMMON, LSTM, CONTROLLER]
            .iter()
            .chain(self.memory_sources);
        join_sources(self.wgsl(), parts.chain([&SEQUENCE]).copied())
    }

    /// The WGSL of the weight-gradient kernel.
    pub fn weight_source(&self) -> String {
        format!("{}\n{RUN}\n{WEIGHT_GRADIENTS}", self.wgsl())
    }
}
