//! The Diagonal Neural GPU (Freivalds & Liepins 2017), neural_gpu.md §5.3: a one-row
//! state whose cell mixes its candidate with a fixed diagonal shift of the old state.
//!
//! ```text
//! hσ(a) = min(1, max(0, 0.5·a + 0.5))        hτ(a) = min(1, max(−1, a))
//! s_0    = hτ(E[i_x] + e), dropout                                 (each column x < n_b)
//! shift(s)[c, x] = s[c, x]      c <  m − 2k                         (k = ⌊m/3⌋;
//!                = s[c, x − 1]  m − 2k ≤ c < m − k                   zero outside
//!                = s[c, x + 1]  c ≥ m − k                            0..n_b − 1)
//! r = hσ(conv_r(s) + 0.5)    c = hτ(conv_c(r ⊙ s)), dropout    g = hσ(conv_g(s) + 0.7)
//! s' = g ⊙ shift(s) + (1 − g) ⊙ c                n_b times, one cell for every step
//! logits[x] = O·s_{n_b}[:, x] + o
//! ```
//! Each sequence runs alone at its own width n_b, so the convolutions' zero padding is the
//! spec's masked columns and no mask is needed. Images are channel-major `[m][n]`.
//!
//! Training adds the saturation cost `Σ max(0, |a| − 0.9)` over every pre-activation `a`
//! fed to hσ or hτ (the input layer's ×n_b), divided by n_b² and weighted by the trainer's
//! adaptive weight ([`Model::set_regulariser_weight`]); the reported loss excludes it.

mod backward;
mod cell;

pub use cell::{shift_of, GATE_BIAS, RESET_BIAS, SATURATION_LIMIT};

use super::noise::{apply, keep_mask};
use super::{EncoderStep, ImageTrace, NeuralGpuConfig};
use crate::models::{Model, ModelConfig, PartialForward, SequenceRef, StepTrace};
use crate::nn::ParamStore;
use crate::objective::Objective;
use crate::ops::linalg::matvec;
use crate::ops::loss::SequenceScore;
use crate::rng::Pcg32;
use cell::{hard_sigmoid, hard_tanh, im2col, saturation_excess, shift, Conv};
use std::sync::atomic::{AtomicU32, Ordering};

/// One step's record for the backward pass: its input and its pre-activations.
struct Step {
    input: Vec<f32>,
    reset: Vec<f32>,
    candidate: Vec<f32>,
    gate: Vec<f32>,
}

/// A sequence's unrolled steps.
struct Run {
    /// `E[i_x] + e`, before hτ.
    embedded: Vec<f32>,
    steps: Vec<Step>,
    last: Vec<f32>,
    /// `Σ max(0, |a| − 0.9)` with the input layer's term ×n_b (before ÷ n_b²).
    saturation: f32,
}

/// Dropout of one training sequence: the keep masks (already ÷ keep) of `s_0` and of
/// each step's candidate, drawn on the host from the sequence's noise seed.
struct Dropout {
    masks: Vec<Vec<f32>>,
}

/// The dropout keep masks of one training sequence of `width` columns from its noise
/// seed, `None` when `rate` is 0: each cell kept with probability `1 − rate` and scaled
/// by its inverse (inverted dropout, as `tf.nn.dropout`), `s_0`'s first, then one per
/// step's candidate, each `[m][width]`. The GPU path uploads the same masks.
pub fn dropout_masks(rate: f32, maps: usize, width: usize, seed: u64) -> Option<Vec<Vec<f32>>> {
    if rate <= 0.0 {
        return None;
    }
    let keep = 1.0 - rate;
    let mut rng = Pcg32::new(seed);
    let cells = maps * width;
    Some(
        (0..=width)
            .map(|_| keep_mask(&mut rng, cells, keep))
            .collect(),
    )
}

/// The Diagonal Neural GPU.
pub struct DiagonalNeuralGpu {
    config: ModelConfig,
    image: NeuralGpuConfig,
    params: ParamStore,
    embedding_weight: usize,
    embedding_bias: usize,
    reset: Conv,
    candidate: Conv,
    gate: Conv,
    output_weight: usize,
    output_bias: usize,
    /// The saturation cost's weight (f32 bits): 0 until a trainer sets it, which it adapts.
    saturation_weight: AtomicU32,
}

impl DiagonalNeuralGpu {
    /// Glorot-uniform kernels (the input and output layers are 1 × 1 convolutions), zero
    /// biases, as the released code initialises them.
    pub fn with_store(config: ModelConfig, seed: u64, mut params: ParamStore) -> Self {
        let image = config
            .image
            .clone()
            .expect("a validated Neural GPU config has its image settings");
        let mut rng = Pcg32::new(seed);
        let (maps, symbols_in, symbols_out) = (image.maps, config.input_width, config.output_width);
        let glorot = |fan_in: usize, fan_out: usize| (6.0 / (fan_in + fan_out) as f32).sqrt();
        let embedding_weight = params.add_uniform(
            "embedding.weight",
            &[symbols_in, maps],
            glorot(symbols_in, maps),
            &mut rng,
        );
        let embedding_bias = params.add_constant("embedding.bias", &[maps], 0.0);
        let reset = Conv::register(&mut params, "dcgru.gate_r", maps, &mut rng);
        let candidate = Conv::register(&mut params, "dcgru.cand", maps, &mut rng);
        let gate = Conv::register(&mut params, "dcgru.gate_g", maps, &mut rng);
        let output_weight = params.add_uniform(
            "output.weight",
            &[symbols_out, maps],
            glorot(maps, symbols_out),
            &mut rng,
        );
        let output_bias = params.add_constant("output.bias", &[symbols_out], 0.0);
        DiagonalNeuralGpu {
            config,
            image,
            params,
            embedding_weight,
            embedding_bias,
            reset,
            candidate,
            gate,
            output_weight,
            output_bias,
            saturation_weight: AtomicU32::new(0),
        }
    }

    fn maps(&self) -> usize {
        self.image.maps
    }

    /// The keep masks of one training sequence of `width` columns, or `None` without
    /// dropout (see [`dropout_masks`]).
    fn dropout(&self, width: usize, seed: u64) -> Option<Dropout> {
        dropout_masks(self.image.dropout, self.maps(), width, seed).map(|masks| Dropout { masks })
    }

    /// `s_0 = hτ(E[i_x] + e)` of the one-hot `input` (`width` rows of the input
    /// alphabet), its pre-activation, and that layer's saturation term (×n_b).
    fn embed(&self, input: &[f32], width: usize) -> (Vec<f32>, Vec<f32>, f32) {
        let p = self.params.values();
        let (maps, symbols) = (self.maps(), self.config.input_width);
        let mut embedded = vec![0.0; maps * width];
        let weight = &p[self.embedding_weight..self.embedding_weight + symbols * maps];
        for x in 0..width {
            let column = &input[x * symbols..(x + 1) * symbols];
            for c in 0..maps {
                let mut a = p[self.embedding_bias + c];
                for (j, &v) in column.iter().enumerate() {
                    a += v * weight[j * maps + c];
                }
                embedded[c * width + x] = a;
            }
        }
        let saturation = width as f32
            * embedded
                .iter()
                .map(|&a| saturation_excess(a).0)
                .sum::<f32>();
        let s = embedded.iter().map(|&a| hard_tanh(a)).collect();
        (embedded, s, saturation)
    }

    /// One step of the cell from `s`: `s'`, the step's pre-activations (its input left
    /// empty) and their saturation term. `mask` is the candidate's dropout.
    fn step(&self, s: &[f32], width: usize, mask: Option<&Vec<f32>>) -> (Vec<f32>, Step, f32) {
        let p = self.params.values();
        let maps = self.maps();
        let col = im2col(s, maps, width);
        let reset = self.reset.forward(p, maps, width, &col, RESET_BIAS);
        let gated: Vec<f32> = reset
            .iter()
            .zip(s)
            .map(|(&a, &v)| hard_sigmoid(a) * v)
            .collect();
        let candidate = self
            .candidate
            .forward(p, maps, width, &im2col(&gated, maps, width), 0.0);
        let gate = self.gate.forward(p, maps, width, &col, GATE_BIAS);
        let saturation = [&reset, &candidate, &gate]
            .iter()
            .flat_map(|a| a.iter())
            .map(|&a| saturation_excess(a).0)
            .sum::<f32>();
        let mut c: Vec<f32> = candidate.iter().map(|&a| hard_tanh(a)).collect();
        apply(mask, &mut c);
        let shifted = shift(s, maps, width, false);
        let next = (0..s.len())
            .map(|j| {
                let g = hard_sigmoid(gate[j]);
                g * shifted[j] + (1.0 - g) * c[j]
            })
            .collect();
        let step = Step {
            input: Vec::new(),
            reset,
            candidate,
            gate,
        };
        (next, step, saturation)
    }

    /// `n_b` steps from the one-hot `input` (`width` rows of the input alphabet), keeping
    /// each step's record when `keep`.
    fn run(&self, input: &[f32], width: usize, keep: bool, dropout: Option<&Dropout>) -> Run {
        let (embedded, mut s, mut saturation) = self.embed(input, width);
        apply(dropout.map(|d| &d.masks[0]), &mut s);
        let mut steps = Vec::new();
        for t in 0..width {
            let (next, step, excess) = self.step(&s, width, dropout.map(|d| &d.masks[t + 1]));
            saturation += excess;
            let input = std::mem::replace(&mut s, next);
            if keep {
                steps.push(Step { input, ..step });
            }
        }
        Run {
            embedded,
            steps,
            last: s,
            saturation,
        }
    }

    /// `logits[x] = O·s[:, x] + o` for every column.
    fn read(&self, s: &[f32], width: usize) -> Vec<f32> {
        let p = self.params.values();
        let (maps, symbols) = (self.maps(), self.config.output_width);
        let weight = &p[self.output_weight..self.output_weight + symbols * maps];
        let bias = &p[self.output_bias..self.output_bias + symbols];
        let mut logits = vec![0.0; width * symbols];
        let mut column = vec![0.0; maps];
        for x in 0..width {
            for c in 0..maps {
                column[c] = s[c * width + x];
            }
            let out = &mut logits[x * symbols..(x + 1) * symbols];
            matvec(weight, &column, out);
            out.iter_mut().zip(bias).for_each(|(y, b)| *y += b);
        }
        logits
    }

    /// The image view's record: `s_0`, then each step's `s` with the mean over channels
    /// of its gate `g` (the change map draws `1 − ḡ`: where the candidate came in).
    pub fn trace_image(&self, input: &[f32], width: usize) -> (Vec<f32>, ImageTrace) {
        let run = self.run(input, width, true, None);
        let maps = self.maps();
        let mut trace = ImageTrace {
            maps,
            height: 1,
            width,
            initial: run
                .steps
                .first()
                .map(|s| s.input.clone())
                .unwrap_or_default(),
            encoder: Vec::new(),
            decoder: Vec::new(),
            // shift_of gives where a map reads from; its content moves the other way.
            shifts: (0..maps).map(|c| -shift_of(c, maps) as i8).collect(),
        };
        for (t, step) in run.steps.iter().enumerate() {
            let mut gate_mean = vec![0.0; width];
            for channel in step.gate.chunks_exact(width) {
                gate_mean
                    .iter_mut()
                    .zip(channel)
                    .for_each(|(m, &a)| *m += hard_sigmoid(a) / maps as f32);
            }
            let image = run
                .steps
                .get(t + 1)
                .map_or_else(|| run.last.clone(), |next| next.input.clone());
            trace.encoder.push(EncoderStep {
                step: t,
                layer: 0,
                image,
                gate_mean,
            });
        }
        (self.read(&run.last, width), trace)
    }

    /// The saturation cost of one sequence, `Σ max(0, |a| − 0.9) / n_b²` (the input
    /// layer's term ×n_b), without dropout: what the regulariser adds before its weight.
    pub fn saturation_cost(&self, input: &[f32], width: usize) -> f32 {
        self.run(input, width, false, None).saturation / (width * width) as f32
    }
}

impl Model for DiagonalNeuralGpu {
    fn config(&self) -> &ModelConfig {
        &self.config
    }

    fn params(&self) -> &ParamStore {
        &self.params
    }

    fn params_mut(&mut self) -> &mut ParamStore {
        &mut self.params
    }

    /// Each step keeps its input and three pre-activations (`4·m·n` floats), n steps.
    fn sequence_floats(&self, steps: usize) -> usize {
        4 * self.maps() * steps * steps
    }

    fn objective(&self) -> Objective {
        Objective::SoftmaxSymbols
    }

    fn forward(&self, input: &[f32], steps: usize) -> Vec<f32> {
        let run = self.run(input, steps, false, None);
        self.read(&run.last, steps)
    }

    /// The loss it trains on is the cross-entropy's mean over the sequence's columns (the
    /// released trainer's per-item cost), plus the weighted saturation cost; the score
    /// reports the cross-entropy summed over columns, as every symbol model's does.
    fn forward_backward(
        &self,
        sequence: SequenceRef<'_>,
        scale: f32,
        grads: &mut [f32],
    ) -> SequenceScore {
        let width = sequence.steps;
        let symbols = self.config.output_width;
        let dropout = self.dropout(width, sequence.noise_seed);
        let run = self.run(sequence.input, width, true, dropout.as_ref());
        let logits = self.read(&run.last, width);
        let mut dlogits = vec![0.0; logits.len()];
        let mut score = self.objective().score(
            &logits,
            sequence.target,
            sequence.alternative,
            sequence.mask,
            symbols,
            self.image.label_smoothing,
            scale / width as f32,
            Some(&mut dlogits),
        );
        let normaliser = (width * width) as f32;
        score.regulariser = (run.saturation / normaliser) as f64;
        let weight = f32::from_bits(self.saturation_weight.load(Ordering::Relaxed));
        let ds = self.read_backward(&run.last, width, &dlogits, grads);
        self.run_backward(
            &run,
            sequence.input,
            width,
            ds,
            dropout.as_ref(),
            scale * weight / normaliser,
            grads,
        );
        score
    }

    /// Holds only the current one-row image between calls (`m·n` floats), so a pass
    /// over 2,049 columns keeps well under a megabyte.
    fn begin_forward(&self, input: &[f32], steps: usize) -> PartialForward {
        let (_, s, _) = self.embed(input, steps);
        PartialForward::image(s, 0, steps)
    }

    fn advance_forward(&self, partial: &mut PartialForward, _input: &[f32], steps: usize) {
        let width = partial.total;
        let image = partial.image_mut();
        let mut s = std::mem::take(image);
        let run = steps.min(width - partial.done);
        for _ in 0..run {
            s = self.step(&s, width, None).0;
        }
        *partial.image_mut() = s;
        partial.done += run;
    }

    fn finish_forward(&self, mut partial: PartialForward) -> Vec<f32> {
        assert!(
            partial.is_done(),
            "finish_forward before the pass ran to its end"
        );
        let width = partial.total;
        self.read(partial.image_mut(), width)
    }

    fn trace(&self, input: &[f32], steps: usize) -> (Vec<f32>, Vec<StepTrace>) {
        (self.forward(input, steps), Vec::new())
    }

    fn image_trace(&self, input: &[f32], steps: usize) -> Option<ImageTrace> {
        Some(self.trace_image(input, steps).1)
    }

    fn set_regulariser_weight(&self, weight: f32) {
        self.saturation_weight
            .store(weight.to_bits(), Ordering::Relaxed);
    }
}
