//! The mental image of one sequence, step by step, for the image view and
//! `engram trace --json` (neural_gpu.md § Trace and view).

use super::{Feed, NeuralGpu};
use crate::ops::activation::softmax_in_place;
use serde::Serialize;

/// One encoder step after one layer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EncoderStep {
    pub step: usize,
    pub layer: usize,
    /// `s`, `[m][h][n]` flattened.
    pub image: Vec<f32>,
    /// The mean update gate over channels per cell, `ū = mean_c u`, `[h][n]`
    /// (the change map draws `1 − ū`).
    pub gate_mean: Vec<f32>,
}

/// One decoder step (after all its layers).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DecoderStep {
    /// `d`, `[m][h][n]`.
    pub image: Vec<f32>,
    /// The tape `p` the step saw, `[m][h][n]`.
    pub tape: Vec<f32>,
    /// `ū` of the step's last layer, `[h][n]`.
    pub gate_mean: Vec<f32>,
    /// The softmax of the symbol emitted at this step's column.
    pub softmax: Vec<f32>,
    /// The symbol written to the tape (greedy).
    pub symbol: usize,
}

/// Everything the image views draw for one sequence.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ImageTrace {
    pub maps: usize,
    pub height: usize,
    pub width: usize,
    /// `s_0`, the embedded input.
    pub initial: Vec<f32>,
    pub encoder: Vec<EncoderStep>,
    /// Empty for the Neural GPU without a decoder.
    pub decoder: Vec<DecoderStep>,
    /// The Diagonal Neural GPU's shift per map (neural_gpu.md §5.3): +1 where the gate
    /// carries a map one column right per step, −1 left, 0 in place; empty otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shifts: Vec<i8>,
}

fn gate_mean(u: &[f32], maps: usize, plane: usize) -> Vec<f32> {
    let mut mean = vec![0.0; plane];
    for channel in u.chunks_exact(plane) {
        mean.iter_mut().zip(channel).for_each(|(m, v)| *m += v);
    }
    mean.iter_mut().for_each(|m| *m /= maps as f32);
    mean
}

pub(super) fn record(model: &NeuralGpu, input: &[f32], steps: usize) -> (Vec<f32>, ImageTrace) {
    let image = model.geometry(steps);
    let (maps, plane) = (image.maps, image.plane());
    let encoded = model.encode(input, image, true, None);
    let layers = model.image.cgru_layers;
    let mut trace = ImageTrace {
        maps,
        height: image.height,
        width: image.width,
        initial: encoded.inputs.first().cloned().unwrap_or_default(),
        encoder: Vec::new(),
        decoder: Vec::new(),
        shifts: Vec::new(),
    };
    for (j, cache) in encoded.caches.iter().enumerate() {
        let after = encoded.inputs.get(j + 1).unwrap_or(&encoded.last).clone();
        trace.encoder.push(EncoderStep {
            step: j / layers,
            layer: j % layers,
            image: after,
            gate_mean: gate_mean(&cache.u, maps, plane),
        });
    }
    let symbols = model.config.output_width;
    let logits = match &model.decoder {
        Some(decoder) => {
            let decoded = model.decode(decoder, &encoded.last, image, Feed::Greedy, true, None);
            let mut tape = vec![0.0; image.len()];
            let per_step = decoder.layers.len();
            for k in 0..steps {
                let after = decoded
                    .inputs
                    .get((k + 1) * per_step)
                    .unwrap_or(&decoded.last)
                    .clone();
                let mut softmax = decoded.logits[k * symbols..(k + 1) * symbols].to_vec();
                softmax_in_place(&mut softmax);
                trace.decoder.push(DecoderStep {
                    image: after,
                    tape: tape.clone(),
                    gate_mean: gate_mean(&decoded.caches[(k + 1) * per_step - 1].u, maps, plane),
                    softmax,
                    symbol: decoded.fed[k],
                });
                model.write_tape(decoder, &mut tape, image, k, decoded.fed[k]);
            }
            decoded.logits
        }
        None => model.logits(input, steps),
    };
    (logits, trace)
}
