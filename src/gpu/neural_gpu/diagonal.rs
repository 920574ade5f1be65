//! The Diagonal Neural GPU on the GPU (neural_gpu.md §5.3): the whole training step, one
//! workgroup per sequence, one dispatch per step of the cell (the forward's n, then the
//! backward's n in reverse), every cell of the row computed by its own invocation. The
//! layout of a sequence's records in `work` is in `diagonal_image.wgsl`; its host twin
//! is [`DiagonalLayout::sequence_floats`].
//!
//! The kernels' CPU twins are `models::neural_gpu::diagonal`'s `DiagonalNeuralGpu::{embed,
//! step, read, read_backward, run_backward}`; the constants (the gates' biases, the
//! saturation limit, which maps shift which way) come from there, written into the WGSL's
//! prelude, and the dropout masks from the same draws.

use super::WORKGROUP_SIZE;
use crate::error::{config_error, Result};
use crate::gpu::shared::{Stage, Stages};
use crate::kinds::ModelKind;
use crate::models::neural_gpu::diagonal::{
    dropout_masks, shift_of, GATE_BIAS, RESET_BIAS, SATURATION_LIMIT,
};
use crate::models::ModelConfig;
use crate::nn::ParamStore;
use crate::tasks::Batch;
use std::fmt::Write;

const IMAGE: &str = wgsl!("diagonal_image.wgsl");
const SEQUENCE: &str = wgsl!("diagonal_sequence.wgsl");
const WEIGHT_GRADIENTS: &str = wgsl!("diagonal_weights.wgsl");

/// The layout and kernels of one Diagonal Neural GPU configuration.
#[derive(Clone, Debug)]
pub struct DiagonalLayout {
    pub model: ModelKind,
    maps: usize,
    symbols_in: usize,
    symbols_out: usize,
    dropout: f32,
    /// Offsets in the parameter buffer, in the order the prelude names them.
    offsets: Vec<(&'static str, usize)>,
}

impl DiagonalLayout {
    pub fn new(config: &ModelConfig, params: &ParamStore) -> Result<DiagonalLayout> {
        config.validate()?;
        let image = config.image.as_ref().ok_or_else(|| {
            config_error("a Diagonal Neural GPU configuration without its image settings")
        })?;
        let maps = image.maps;
        let offset = |name: &str| -> Result<usize> {
            params
                .entry(name)
                .map(|e| e.offset)
                .ok_or_else(|| config_error(format!("the model has no parameter {name}")))
        };
        let mut offsets = vec![
            ("P_EMBEDDING_WEIGHT", offset("embedding.weight")?),
            ("P_EMBEDDING_BIAS", offset("embedding.bias")?),
            ("P_OUTPUT_WEIGHT", offset("output.weight")?),
            ("P_OUTPUT_BIAS", offset("output.bias")?),
        ];
        // The kernels find a convolution's bias right after its kernel.
        for (constant, name) in [
            ("P_RESET", "dcgru.gate_r"),
            ("P_CANDIDATE", "dcgru.cand"),
            ("P_GATE", "dcgru.gate_g"),
        ] {
            let weight = offset(&format!("{name}.weight"))?;
            if offset(&format!("{name}.bias"))? != weight + maps * maps * 3 {
                return Err(config_error(format!(
                    "{name} is not where the GPU kernels expect it"
                )));
            }
            offsets.push((constant, weight));
        }
        Ok(DiagonalLayout {
            model: config.model,
            maps,
            symbols_in: config.input_width,
            symbols_out: config.output_width,
            dropout: image.dropout,
            offsets,
        })
    }

    /// Floats of `work` per sequence for batches `width` columns wide (the twin of
    /// `sequence_floats` in `diagonal_image.wgsl`).
    pub fn sequence_floats(&self, width: usize) -> usize {
        let row = self.maps * width;
        (7 * width + 4) * row + 2 * width * self.symbols_out + 4
    }

    /// The stages of a step on a batch `width` columns wide: step j of the cell, forward
    /// then (training) backward in reverse.
    pub fn stages(&self, width: usize, train: bool) -> Stages {
        let step = |j: usize| Stage {
            application: j as u32,
            ..Stage::default()
        };
        let mut stages = Stages {
            forward: (0..width).map(step).collect(),
            backward: if train {
                (0..width).rev().map(step).collect()
            } else {
                Vec::new()
            },
        };
        if let Some(last) = stages.forward.last_mut() {
            last.flags |= Stage::FINISH;
        }
        if let Some(first) = stages.backward.first_mut() {
            first.flags |= Stage::FIRST;
        }
        stages
    }

    /// The dropout masks of `batch` as the kernels read them, per sequence at the batch's
    /// width n: n + 1 rows of `[m][n]` (s_0's, then each step's candidate's), the masks
    /// the CPU draws for the sequence's width at its columns and 1 elsewhere; empty
    /// without dropout.
    pub fn training_noise(&self, batch: &Batch) -> Vec<f32> {
        if self.dropout <= 0.0 {
            return Vec::new();
        }
        let (n, m) = (batch.steps, self.maps);
        let row = m * n;
        let mut noise = vec![1.0; batch.size * (n + 1) * row];
        for b in 0..batch.size {
            let width = batch.lengths[b];
            let seed = batch.sequence(b).noise_seed;
            let masks = dropout_masks(self.dropout, m, width, seed).unwrap_or_default();
            let start = b * (n + 1) * row;
            for (index, mask) in masks.iter().enumerate() {
                for (cell, &keep) in mask.iter().enumerate() {
                    let (channel, x) = (cell / width, cell % width);
                    noise[start + index * row + channel * n + x] = keep;
                }
            }
        }
        noise
    }

    /// Workgroups of the weight-gradient kernel: a row of each of its five tensors
    /// (x: rows, z: tensors; see `diagonal_weights.wgsl`).
    pub fn weight_groups(&self) -> (u32, u32, u32) {
        let rows = self.maps.max(self.symbols_in + 1).max(self.symbols_out + 1);
        (rows as u32, 1, 5)
    }

    /// The WGSL prelude: sizes, the cell's constants and the parameter offsets.
    fn prelude(&self) -> String {
        let mut out = String::from("// Generated by gpu::neural_gpu::diagonal for this model.\n");
        let mut constant = |name: &str, value: usize| {
            writeln!(out, "const {name}: u32 = {value}u;").expect("writing to a String");
        };
        constant("WG", WORKGROUP_SIZE);
        constant("M", self.maps);
        constant("A_IN", self.symbols_in);
        constant("A_OUT", self.symbols_out);
        constant("DROPOUT", usize::from(self.dropout > 0.0));
        // The first map that reads x − 1, and the first that reads x + 1.
        let first = |offset: isize| {
            (0..self.maps)
                .find(|&c| shift_of(c, self.maps) == offset)
                .unwrap_or(self.maps)
        };
        constant("SHIFT_FIRST_RIGHT", first(-1));
        constant("SHIFT_FIRST_LEFT", first(1));
        for &(name, offset) in &self.offsets {
            constant(name, offset);
        }
        // f64's shortest round trip of each f32: WGSL rounds it back to the same f32.
        for (name, value) in [
            ("RESET_BIAS", RESET_BIAS),
            ("GATE_BIAS", GATE_BIAS),
            ("SATURATION_LIMIT", SATURATION_LIMIT),
        ] {
            writeln!(out, "const {name}: f32 = {:?};", f64::from(value)).expect("String");
        }
        out
    }

    /// The WGSL of the forward and backward kernels.
    pub fn sequence_source(&self) -> String {
        super::sequence_source(&self.prelude(), &[IMAGE, SEQUENCE])
    }

    /// The WGSL of the weight-gradient kernel.
    pub fn weight_source(&self) -> String {
        super::weight_source(&self.prelude(), &[IMAGE, WEIGHT_GRADIENTS])
    }
}
