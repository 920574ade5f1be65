//! The generative models with memory on the GPU (generative.md §8): the whole training
//! step of every memory variant, one workgroup per sequence as for the memory models.
//!
//! Per sequence, `work` holds `steps + 1` forward records (record t + 1 is step t's,
//! record 0 the initial state), `steps` gradient records and a carry region, laid out as
//! the memory models' are (so their weight-gradient kernel serves here too). A record:
//!
//! ```text
//! [z_{t−1}; u_t] | LSTM block | x_t | e_t | Ψ_t = [h_t; r_t] | prior hidden | [μp; sp]
//!   | posterior hidden | [μq; sq] | [h_t; z_t] | decoder hidden | o_t | rec_t | KL_t
//!   | memory state M_t | the memory's read and write caches
//! ```
//! `e_t` sits just before Ψ_t so that the posterior's input `[e_t; Ψ_t]` is contiguous.
//!
//! Each dispatch runs one time step of every sequence (its `Stage`'s `application` is
//! t): the forward's stages go 0..T, the backward's T−1 down to 0. A step per dispatch
//! keeps every invocation's loop count small, because Mesa's lavapipe (the tests' Vulkan
//! on a CPU) stops any loop of an invocation after 65,535 iterations in all (decision
//! 34), which a whole unroll of the DNC variant passes.
//!
//! The host uploads, per sequence, the noise ε (`steps × Z`, generative.md §8.3, drawn by
//! `models::gtmm::noise` as the CPU path draws it) followed by the recall flags
//! (`steps`), once per step, as the batch's noise.
//!
//! The kernels' CPU twins are `models::gtmm`'s `Networks` (maps.wgsl), the memories of
//! `crate::memory` (each memory's part, its `latent.wgsl` included, in its folder's
//! `gpu.rs`) and `Gtmm::{unroll, backprop}` (sequence.wgsl).

use super::memory::{COMMON, LSTM, WEIGHT_GRADIENTS};
use super::shared::{Stage, Stages};
use super::shared::{ACTIVATIONS, RUN};
use crate::error::{config_error, Result};
use crate::kinds::ModelKind;
use crate::memory::gpu::{LatentParts, LatentShape};
use crate::memory::latent_gpu;
use crate::models::gtmm::memory_sizes;
use crate::models::gtmm::noise::latent_noise;
use crate::models::ModelConfig;
use crate::nn::ParamStore;
use crate::shader::{join_sources, lstm_layer_jobs, write_constants};
use crate::shader::{Fields, Parameters, Regions, WeightGradientJob};
use crate::tasks::Batch;
use std::fmt::Write;

const MAPS: &str = wgsl!("maps.wgsl");
const SEQUENCE: &str = wgsl!("sequence.wgsl");

/// Invocations per workgroup of the sequence kernels (a power of two for the reductions).
pub const WORKGROUP_SIZE: usize = 128;

/// The work layout and kernels of one generative model.
#[derive(Clone, Debug)]
pub struct GenerativeLayout {
    /// The memory's WGSL (kept, as `gpu::memory::Layout` keeps its, so that no lookup
    /// by kind outside this constructor keeps every memory's layout code alive).
    memory_sources: &'static [&'static str],
    latent: usize,
    regions: Regions,
    constants: Vec<(String, usize)>,
    layer_parameters: [usize; 4],
    jobs: Vec<WeightGradientJob>,
}

impl GenerativeLayout {
    pub fn new(config: &ModelConfig, params: &ParamStore) -> Result<GenerativeLayout> {
        config.validate()?;
        let generative = config
            .generative
            .as_ref()
            .ok_or_else(|| config_error("a gtmm configuration without its generative settings"))?;
        let memory = generative.memory;
        let sizes = memory_sizes(config, generative);
        let (z, a, d) = (
            generative.latent,
            generative.action_width,
            generative.frame_pixels(),
        );
        let (h, e, p, g) = (
            config.hidden,
            generative.encoder_hidden,
            generative.map_hidden,
            generative.decoder_hidden,
        );
        let (n, w, r) = (sizes.slots, sizes.width, sizes.reads);
        let read_width = r * w;
        let context = h + read_width;
        let parameters = Parameters(params);

        let mut record = Fields::default();
        let controller_input = record.add("F_CIN", z + a);
        let layer = record.add("F_LAYERS", 7 * h);
        let frame = record.add("F_FRAME", d);
        let encoded = record.add("F_ENCODED", e);
        let context_at = record.add("F_CONTEXT", context);
        let prior_hidden = record.add("F_PRIOR_HIDDEN", p);
        record.add("F_PRIOR_RAW", 2 * z);
        let posterior_hidden = record.add("F_POSTERIOR_HIDDEN", p);
        record.add("F_POSTERIOR_RAW", 2 * z);
        let write_input = record.add("F_HZ", h + z);
        let decoder_hidden = record.add("F_DECODER_HIDDEN", g);
        record.add("F_LOGITS", d);
        record.add("F_REC", 1);
        record.add("F_KL", 1);

        let mut gradient_record = Fields::default();
        let dgates = gradient_record.add("G_DZ", 4 * h);
        let dencoded = gradient_record.add("G_DENCODED", e);
        let dprior_hidden = gradient_record.add("G_DPRIOR_HIDDEN", p);
        let dprior_raw = gradient_record.add("G_DPRIOR_RAW", 2 * z);
        let dposterior_hidden = gradient_record.add("G_DPOSTERIOR_HIDDEN", p);
        let dposterior_raw = gradient_record.add("G_DPOSTERIOR_RAW", 2 * z);
        let ddecoder_hidden = gradient_record.add("G_DDECODER_HIDDEN", g);
        let dlogits = gradient_record.add("G_DLOGITS", d);

        let mut carry = Fields::default();
        for (name, length) in [
            ("C_DH", h),
            ("C_DC", h),
            ("C_DH_BELOW", h),
            ("C_DH_TOP", h),
            ("C_DX", z + a),
            ("C_DLATENT", z),
            ("C_DLATENT_NEXT", z),
            ("C_DHZ", h + z),
            ("C_DPOSTERIOR_INPUT", e + context),
            ("C_DCONTEXT", context),
            ("C_PREDICTION", g + d),
        ] {
            carry.add(name, length);
        }

        // Every Linear's weight gradient; the memory adds its heads'.
        let mut jobs = vec![
            parameters.job("encoder", dencoded, frame, e, d)?,
            parameters.job("prior.hidden", dprior_hidden, context_at, p, context)?,
            parameters.job("prior.out", dprior_raw, prior_hidden, 2 * z, p)?,
            parameters.job(
                "posterior.hidden",
                dposterior_hidden,
                encoded,
                p,
                e + context,
            )?,
            parameters.job("posterior.out", dposterior_raw, posterior_hidden, 2 * z, p)?,
            parameters.job("decoder.hidden", ddecoder_hidden, write_input + h, g, z)?,
            parameters.job("decoder.out", dlogits, decoder_hidden, d, g)?,
        ];
        let layer_parameters = parameters.lstm_layer(0)?;
        jobs.extend(lstm_layer_jobs(
            layer_parameters,
            dgates,
            controller_input,
            z + a,
            layer + 6 * h,
            h,
        ));
        let mut constants = Vec::new();
        for (constant, name) in [
            ("P_ENCODER", "encoder"),
            ("P_PRIOR_HIDDEN", "prior.hidden"),
            ("P_PRIOR_OUT", "prior.out"),
            ("P_POSTERIOR_HIDDEN", "posterior.hidden"),
            ("P_POSTERIOR_OUT", "posterior.out"),
            ("P_DECODER_HIDDEN", "decoder.hidden"),
            ("P_DECODER_OUT", "decoder.out"),
        ] {
            constants.extend(parameters.weight_and_bias(constant, name)?);
        }

        // The memory's state, caches, gradients and heads.
        let memory_gpu = latent_gpu(memory);
        let (state, cache) = (memory_gpu.lay_out)(
            &LatentShape {
                slots: n,
                width: w,
                reads: r,
                hidden: h,
                latent: z,
                context_at,
                write_input,
            },
            &parameters,
            &mut LatentParts {
                gradient_record: &mut gradient_record,
                carry: &mut carry,
                jobs: &mut jobs,
                constants: &mut constants,
            },
        )?;
        record.add("F_STATE", state.size);
        let cache_at = record.size;
        for &(name, at) in &cache.names {
            record.names.push((name, cache_at + at));
        }
        record.size += cache.size;
        carry.add("C_DSTATE", 2 * state.size);

        let covered: usize = jobs.iter().map(|j| (j.rows * (j.cols + 1)) as usize).sum();
        if covered != params.len() {
            return Err(config_error(format!(
                "the GPU path computes {covered} of {} parameter gradients",
                params.len()
            )));
        }
        constants.extend(
            [
                ("WG", WORKGROUP_SIZE),
                ("X", d + a),
                ("Y", d),
                ("H", h),
                ("LAYERS", 1),
                ("Z", z),
                ("A", a),
                ("D", d),
                ("E", e),
                ("P", p),
                ("G", g),
                ("N", n),
                ("MW", w),
                ("R", r),
                ("RW", read_width),
                ("CTX", context),
                ("CIN", z + a),
                ("REC", record.size),
                ("GREC", gradient_record.size),
                ("STATE", state.size),
                ("CARRY", carry.size),
                // models.md §3.1's options are the DNC model's, off in its generative use.
                ("MASKING", 0),
                ("DEALLOCATION", 0),
                ("LINK_SHARPNESS", 0),
            ]
            .map(|(name, value)| (name.to_string(), value)),
        );
        Ok(GenerativeLayout {
            memory_sources: memory_gpu.sources,
            latent: z,
            regions: Regions {
                record,
                state,
                gradient_record,
                carry,
            },
            constants,
            layer_parameters,
            jobs,
        })
    }

    pub fn model(&self) -> ModelKind {
        ModelKind::Gtmm
    }

    /// Floats of `work` per sequence of up to `steps` steps.
    pub fn sequence_floats(&self, steps: usize) -> usize {
        self.regions.sequence_floats(steps)
    }

    /// Floats per forward record.
    pub fn record_size(&self) -> usize {
        self.regions.record.size
    }

    /// The offset of a generated field in its region: a forward record for `F_*`, the
    /// state (at `F_STATE`) for `S_*`, a gradient record for `G_*`, the carry for `C_*`.
    pub fn offset(&self, name: &str) -> Option<usize> {
        self.regions.offset(name)
    }

    pub fn jobs(&self) -> &[WeightGradientJob] {
        &self.jobs
    }

    /// One stage per time step: forward 0..T, backward T−1 down to 0.
    pub fn stages(&self, steps: usize, train: bool) -> Stages {
        let stage = |t: usize| Stage {
            application: t as u32,
            ..Stage::default()
        };
        Stages {
            forward: (0..steps).map(stage).collect(),
            backward: if train {
                (0..steps).rev().map(stage).collect()
            } else {
                Vec::new()
            },
        }
    }

    /// Per sequence of `batch`: its ε (`steps × Z`, zero past its end), then its recall
    /// flags (`steps`), as the kernels read them.
    pub fn sequence_data(&self, batch: &Batch) -> Vec<f32> {
        let (steps, z) = (batch.steps, self.latent);
        let mut data = Vec::with_capacity(batch.size * steps * (z + 1));
        for b in 0..batch.size {
            let sequence = batch.sequence(b);
            let mut noise = latent_noise(sequence.noise_seed, sequence.steps, z);
            noise.resize(steps * z, 0.0);
            data.extend_from_slice(&noise);
            match &batch.recall {
                Some(flags) => data.extend_from_slice(&flags[b * steps..(b + 1) * steps]),
                None => data.resize(data.len() + steps, 0.0),
            }
        }
        data
    }

    /// The WGSL prelude: every size and offset as a `const`.
    fn wgsl(&self) -> String {
        let mut out = String::from("// Generated by gpu::gtmm for this model.\n");
        let constants = self.constants.iter().map(|(name, at)| (name.as_str(), *at));
        write_constants(&mut out, constants);
        self.regions.write_wgsl(&mut out);
        let p = self.layer_parameters;
        writeln!(
            out,
            "fn layer_parameters(l: u32) -> vec4<u32> {{\n    return vec4<u32>({}u, {}u, {}u, {}u);\n}}",
            p[0], p[1], p[2], p[3]
        )
        .expect("writing to a String");
        out
    }

    pub fn sequence_source(&self) -> String {
        let memory = self.memory_sources;
        let parts = [RUN, ACTIVATIONS, COMMON, LSTM, MAPS].iter().chain(memory);
        join_sources(self.wgsl(), parts.chain([&SEQUENCE]).copied())
    }

    pub fn weight_source(&self) -> String {
        format!("{}\n{RUN}\n{WEIGHT_GRADIENTS}", self.wgsl())
    }
}
