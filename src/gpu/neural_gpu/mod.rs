//! The Neural GPU family on the GPU (neural_gpu.md §5.1–5.2): the whole training step of
//! both models, one workgroup per sequence as for the memory models, every cell of the
//! image computed by its own invocation.
//!
//! Per sequence, `work` holds one region per coder (the encoder, and the decoder of 5.2)
//! and a tail (see `image.wgsl`, whose functions compute the same offsets from the
//! batch's width at run time, so one compiled program serves every width):
//!
//! ```text
//! coder:  states (A + 1)·I | u (then ∂z_u) A·I | r A·I | c (then ∂z_c) A·I | ∂z_r A·I
//! tail:   logits n·A_out | ∂logits n·A_out | fed symbols n | ∂out I | ∂acc I | ∂tape I
//! ```
//! with n the batch's width (its longest n_b), I = m·h·n one image, A = n·L layer
//! applications; state j is the input of application j (step j / L, layer j mod L).
//! A sequence of width n_b < n runs its n_b steps; the applications after them copy the
//! image through, so state A is every sequence's final image.
//!
//! Each dispatch runs one layer application of every sequence (its `Stage`): the
//! workgroup of a sequence computes the whole image, and the dispatch boundary orders the
//! applications. One dispatch per application, rather than one per sequence's whole
//! unroll, keeps every invocation's loop count small: Mesa's lavapipe (the tests' Vulkan
//! on a CPU) stops any loop of an invocation after 65,535 iterations in all, which one
//! dispatch of a whole unroll passes at m = 24, h = 4, n = 20.
//!
//! The kernels' CPU twins are `models::neural_gpu`'s `CgruLayer::{forward, backward}`,
//! `NeuralGpu::{decode, decode_backward, read_column}` and the objective's softmax loss.

use super::shared::{Stage, Stages, ACTIVATIONS, RUN};
use crate::error::{config_error, Result};
use crate::kinds::ModelKind;
use crate::models::neural_gpu::{training_noise, Image, NeuralGpuConfig};
use crate::models::ModelConfig;
use crate::nn::ParamStore;
use crate::tasks::Batch;
use std::fmt::Write;

mod diagonal;
pub use diagonal::DiagonalLayout;

const IMAGE: &str = wgsl!("image.wgsl");
/// Shared with the Diagonal Neural GPU's kernels: the sequence kernels' bindings and
/// `Stage`, which sequence a workgroup runs, and the weight kernels' bindings.
const STAGE: &str = wgsl!("stage.wgsl");
const SEQUENCES: &str = wgsl!("sequences.wgsl");
const WEIGHT_BINDINGS: &str = wgsl!("weight_bindings.wgsl");
const SEQUENCE: &str = wgsl!("sequence.wgsl");
const WEIGHT_GRADIENTS: &str = wgsl!("weight_gradients.wgsl");

/// Invocations per workgroup (each takes cells of the image in turn).
pub const WORKGROUP_SIZE: usize = 256;

/// How the decoder scores and feeds its columns (a [`Stage`]'s `mode`).
impl Stage {
    const READ_ONLY: u32 = 0;
    const GREEDY: u32 = 1;
    const TEACHER: u32 = 2;
    const EVALUATE: u32 = 3;
}

/// The layout and kernels of one Neural GPU configuration.
#[derive(Clone, Debug)]
pub struct NeuralGpuLayout {
    pub model: ModelKind,
    maps: usize,
    height: usize,
    layers: usize,
    symbols_in: usize,
    symbols_out: usize,
    cutoff: f32,
    smoothing: f32,
    /// Offsets in the parameter buffer of `embedding.weight`, `output.weight`,
    /// `output.bias` and (5.2) `target_embedding.weight`.
    embedding: usize,
    output_weight: usize,
    output_bias: usize,
    target_embedding: usize,
    /// First parameter of each layer (its `gate_u.weight`) of the encoder (its first
    /// relaxed set), then of the decoder; a layer's convolutions follow each other
    /// (weight then bias: u, r, c).
    layer_bases: [Vec<usize>; 2],
    /// Relaxed sets of the encoder (1: none) and the distance between them.
    relax_sets: usize,
    relax_set_size: usize,
    /// The training options whose noise the host draws (dropout, scheduled sampling).
    image: NeuralGpuConfig,
}

impl NeuralGpuLayout {
    pub fn new(config: &ModelConfig, params: &ParamStore) -> Result<NeuralGpuLayout> {
        config.validate()?;
        let image = config
            .image
            .as_ref()
            .ok_or_else(|| config_error("a Neural GPU configuration without its image settings"))?;
        let offset = |name: &str| -> Result<usize> {
            params
                .entry(name)
                .map(|e| e.offset)
                .ok_or_else(|| config_error(format!("the model has no parameter {name}")))
        };
        let (m, layers) = (image.maps, image.cgru_layers);
        let decoder = config.model.has_decoder();
        let mut layer_bases = [Vec::new(), Vec::new()];
        let sets = image.relax_sets;
        let set_prefix = |k: usize| {
            if sets > 1 {
                format!("rx.{k}.cgru")
            } else {
                "cgru".to_string()
            }
        };
        let relax_set_size = layers * 3 * (m * m * 9 + m);
        // Every set of the encoder, then the decoder: each layer where the kernels look.
        let coders = (0..sets)
            .map(|k| (0, set_prefix(k), k))
            .chain(decoder.then(|| (1, "dcgru".to_string(), 0)));
        for (coder, prefix, set) in coders {
            let in_maps = m * (1 + coder);
            let conv = m * in_maps * 9 + m;
            for l in 0..layers {
                let base = offset(&format!("{prefix}.{l}.gate_u.weight"))?;
                if set > 0 && base != layer_bases[0][l] + set * relax_set_size {
                    return Err(config_error(format!(
                        "{prefix}.{l} is not where the GPU kernels expect it"
                    )));
                }
                // The kernels find a layer's tensors from its first: check they are where
                // the registration order puts them.
                for (k, name) in ["gate_u", "gate_r", "cand"].into_iter().enumerate() {
                    let weight = offset(&format!("{prefix}.{l}.{name}.weight"))?;
                    let bias = offset(&format!("{prefix}.{l}.{name}.bias"))?;
                    if weight != base + k * conv || bias != weight + m * in_maps * 9 {
                        return Err(config_error(format!(
                            "{prefix}.{l}.{name} is not where the GPU kernels expect it"
                        )));
                    }
                }
                if set == 0 {
                    layer_bases[coder].push(base);
                }
            }
        }
        Ok(NeuralGpuLayout {
            model: config.model,
            maps: m,
            height: image.height,
            layers,
            symbols_in: config.input_width,
            symbols_out: config.output_width,
            cutoff: image.gate_cutoff,
            smoothing: image.label_smoothing,
            embedding: offset("embedding.weight")?,
            output_weight: offset("output.weight")?,
            output_bias: offset("output.bias")?,
            target_embedding: if decoder {
                offset("target_embedding.weight")?
            } else {
                0
            },
            layer_bases,
            relax_sets: sets,
            relax_set_size,
            image: image.clone(),
        })
    }

    fn coders(&self) -> usize {
        if self.model.has_decoder() {
            2
        } else {
            1
        }
    }

    /// Floats of `work` per sequence for batches `width` columns wide (the twin of
    /// `sequence_floats` in `image.wgsl`).
    pub fn sequence_floats(&self, width: usize) -> usize {
        let image = self.maps * self.height * width;
        let applications = width * self.layers;
        let coder = (5 * applications + 1) * image;
        self.coders() * coder + 2 * width * self.symbols_out + width + 3 * image + 3
    }

    /// The stages of a step on a batch `width` columns wide: the encoder's applications,
    /// then (5.2) the decoder's, twice when training (greedy for the errors, then
    /// teacher-forced for the loss), once greedily when scoring; the backward walks them
    /// in reverse.
    pub fn stages(&self, width: usize, train: bool) -> Stages {
        let applications = (width * self.layers) as u32;
        let pass = |coder: u32, mode: u32| {
            (0..applications).map(move |application| Stage {
                coder,
                application,
                mode,
                flags: 0,
            })
        };
        let mut stages = Stages::default();
        stages.forward.extend(pass(0, Stage::READ_ONLY));
        if self.model.has_decoder() {
            if train {
                stages.forward.extend(pass(1, Stage::GREEDY));
                stages.forward.extend(pass(1, Stage::TEACHER));
            } else {
                stages.forward.extend(pass(1, Stage::EVALUATE));
            }
            stages.backward.extend(pass(1, Stage::TEACHER).rev());
        }
        if let Some(last) = stages.forward.last_mut() {
            last.flags |= Stage::FINISH;
        }
        if train {
            stages.backward.extend(pass(0, Stage::READ_ONLY).rev());
            if let Some(first) = stages.backward.first_mut() {
                first.flags |= Stage::FIRST;
            }
        } else {
            stages.backward.clear();
        }
        stages
    }

    fn sampling(&self) -> bool {
        self.image.sampling_rate > 0.0 && self.model.has_decoder()
    }

    /// The training noise of `batch` as `sequence.wgsl` reads it, per sequence at the
    /// batch's width n: with dropout the encoder's n + 1 masks and the decoder's n (each
    /// an image; the masks a sequence of width n_b draws, at its columns and first steps,
    /// and 1 elsewhere), then with scheduled sampling one float per decoder step (the
    /// uniform draw where the step samples, −1 where it feeds the target). The draws are
    /// `models::neural_gpu::training_noise`'s, so both paths see the same noise.
    pub fn training_noise(&self, batch: &Batch) -> Vec<f32> {
        let dropout = self.image.dropout > 0.0;
        if !dropout && !self.sampling() {
            return Vec::new();
        }
        let n = batch.steps;
        let (m, h) = (self.maps, self.height);
        let image = m * h * n;
        let masks = if dropout {
            (n + 1 + (self.coders() - 1) * n) * image
        } else {
            0
        };
        let samples = if self.sampling() { n } else { 0 };
        let mut noise = Vec::with_capacity(batch.size * (masks + samples));
        for b in 0..batch.size {
            let width = batch.lengths[b];
            let geometry = Image {
                maps: m,
                height: h,
                width,
            };
            let sequence = batch.sequence(b);
            let drawn = training_noise(
                &self.image,
                self.model.has_decoder(),
                geometry,
                sequence.noise_seed,
                sequence.batch_seed,
            );
            let start = noise.len();
            noise.resize(start + masks, 1.0);
            // The encoder's masks at indices 0..=n_b, the decoder's from n + 1.
            let encoder = drawn.masks.iter().take(width + 1).enumerate();
            let decoder = drawn.masks.iter().skip(width + 1).enumerate();
            for (index, mask) in encoder.chain(decoder.map(|(k, mask)| (n + 1 + k, mask))) {
                for (cell, &keep) in mask.iter().enumerate() {
                    let (channel, y, x) = (cell / (h * width), (cell / width) % h, cell % width);
                    noise[start + index * image + channel * h * n + y * n + x] = keep;
                }
            }
            noise.extend(
                (0..samples).map(|k| drawn.samples.get(k).copied().flatten().unwrap_or(-1.0)),
            );
        }
        noise
    }

    /// Workgroups of the weight-gradient kernel: one per row of each parameter tensor
    /// (x: rows, z: tensors; see `weight_gradients.wgsl`).
    pub fn weight_groups(&self) -> (u32, u32, u32) {
        let rows = self.maps.max(self.symbols_in).max(self.symbols_out);
        let convolutions = 3 * self.layers * (self.relax_sets + self.coders() - 1);
        let tensors = convolutions + 2 + usize::from(self.model.has_decoder());
        (rows as u32, 1, tensors as u32)
    }

    /// The WGSL prelude: sizes, the cutoff and smoothing, and parameter offsets.
    fn prelude(&self) -> String {
        let mut out = String::from("// Generated by gpu::neural_gpu for this model.\n");
        let mut constant = |name: &str, value: usize| {
            writeln!(out, "const {name}: u32 = {value}u;").expect("writing to a String");
        };
        constant("WG", WORKGROUP_SIZE);
        constant("M", self.maps);
        constant("HEIGHT", self.height);
        constant("LAYERS", self.layers);
        constant("A_IN", self.symbols_in);
        constant("A_OUT", self.symbols_out);
        constant("CODERS", self.coders());
        constant("RELAX_SETS", self.relax_sets);
        constant("DROPOUT", usize::from(self.image.dropout > 0.0));
        constant("SAMPLING", usize::from(self.sampling()));
        constant("RELAX_SET_SIZE", self.relax_set_size);
        constant("P_EMBEDDING", self.embedding);
        constant("P_OUTPUT_WEIGHT", self.output_weight);
        constant("P_OUTPUT_BIAS", self.output_bias);
        constant("P_TARGET_EMBEDDING", self.target_embedding);
        // f64's shortest round trip of the f32 value: WGSL rounds it back to the same f32.
        writeln!(out, "const CUTOFF: f32 = {:?};", f64::from(self.cutoff)).expect("String");
        writeln!(
            out,
            "const SMOOTHING: f32 = {:?};",
            f64::from(self.smoothing)
        )
        .expect("String");
        out.push_str("\n// First parameter of layer l of coder c (0 encoder, 1 decoder).\n");
        out.push_str("fn layer_base(c: u32, l: u32) -> u32 {\n    switch c * 16u + l {\n");
        for (c, bases) in self.layer_bases.iter().enumerate() {
            for (l, base) in bases.iter().enumerate() {
                writeln!(out, "        case {}u: {{ return {base}u; }}", c * 16 + l)
                    .expect("writing to a String");
            }
        }
        out.push_str("        default: { return 0u; }\n    }\n}\n");
        out
    }

    /// The WGSL of the forward and backward kernels.
    pub fn sequence_source(&self) -> String {
        sequence_source(&self.prelude(), &[ACTIVATIONS, IMAGE, SEQUENCE])
    }

    /// The WGSL of the weight-gradient kernel.
    pub fn weight_source(&self) -> String {
        weight_source(&self.prelude(), &[IMAGE, WEIGHT_GRADIENTS])
    }
}

/// A Neural GPU model's sequence kernels: its `prelude` and its own files (its
/// addressing and kernels), with the `Run` uniform, the sequence bookkeeping and the
/// stage bindings every model of the family shares.
fn sequence_source(prelude: &str, own: &[&str]) -> String {
    let shared = [RUN, SEQUENCES, STAGE];
    [&[prelude][..], &shared, own].concat().join("\n")
}

/// A Neural GPU model's weight-gradient kernel, likewise with the shared bindings.
fn weight_source(prelude: &str, own: &[&str]) -> String {
    let shared = [RUN, SEQUENCES, WEIGHT_BINDINGS];
    [&[prelude][..], &shared, own].concat().join("\n")
}
