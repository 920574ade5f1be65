//! The Neural GPU (Kaiser & Sutskever 2015) and the Neural GPU with dependent outputs
//! (Kaiser & Bengio 2016), neural_gpu.md §5.1–5.2.
//!
//! ```text
//! s_0[:, 0, x] = E[i_x]   (x < n_b; every other cell 0)
//! s ← CGRU_{L−1}( … CGRU_0(s) … ), n_b times
//! logits_x = W_o s_{n_b}[:, 0, x] + b_o                         (5.1)
//!
//! d ← s_{n_b};  p ← 0                                           (5.2)
//! for k < n_b:  d ← DCGRU_{L−1}( … DCGRU_0(d, p) …, p)
//!               logits_k = W_o d[:, 0, k] + b_o
//!               y_k = target_k (training) | argmax logits_k (evaluation)
//!               p[:, row, k] = F[y_k] for every row
//! ```
//! Inputs are one sequence at a time: `n_b` steps of a one-hot symbol over the input
//! alphabet (so `E` applied to a step is `Eᵀ x`, exactly `E[i]` for one-hot `x`), targets
//! one-hot over the output alphabet.

mod cgru;
mod config;
mod decoder;
pub mod diagonal;
mod encoder;
mod noise;
pub mod relaxation;
pub use noise::{training_noise, TrainingNoise};
mod trace;

pub use cgru::{gate_cutoff, gate_cutoff_derivative, CgruCache, CgruLayer, Image};
pub use config::{
    NeuralGpuConfig, MAX_CGRU_LAYERS, MAX_HEIGHT, MAX_MAPS, MAX_TRAINING_CACHE_BYTES,
};
pub use diagonal::DiagonalNeuralGpu;
pub use trace::{DecoderStep, EncoderStep, ImageTrace};

use super::{Model, ModelConfig, SequenceRef, StepTrace};
use crate::nn::ParamStore;
use crate::objective::Objective;
use crate::ops::loss::SequenceScore;
use crate::rng::{derive_seed, Pcg32};
use decoder::{Decoder, Feed};
use noise::SAMPLES;

/// Either model of the family: the encoder, and for 5.2 the decoder.
pub struct NeuralGpu {
    config: ModelConfig,
    image: NeuralGpuConfig,
    params: ParamStore,
    embedding: usize,
    /// The encoder's CGRU layers: one set, or r with relaxation (step k uses set k mod r).
    sets: Vec<Vec<CgruLayer>>,
    output_weight: usize,
    output_bias: usize,
    decoder: Option<Decoder>,
}

impl NeuralGpu {
    /// Initialises `embedding.weight` U(±1.7), the CGRU layers, `output.weight`
    /// U(±1.8·√(3/m)) and `output.bias` 0 (the original code's initialisation), then for
    /// 5.2 the decoder's layers and `target_embedding.weight` U(±1.7).
    pub fn new(config: ModelConfig, seed: u64) -> NeuralGpu {
        Self::with_store(config, seed, ParamStore::new())
    }

    /// [`NeuralGpu::new`] registering into `params` (a layout-only store describes the
    /// parameters without allocating them).
    pub fn with_store(config: ModelConfig, seed: u64, mut params: ParamStore) -> NeuralGpu {
        let image = config
            .image
            .clone()
            .expect("a validated Neural GPU config has its image settings");
        let mut rng = Pcg32::new(seed);
        let maps = image.maps;
        let embedding = params.add_uniform(
            "embedding.weight",
            &[config.input_width, maps],
            1.7,
            &mut rng,
        );
        // neural_gpu.md § Checkpoint tensors: `cgru.{l}`, or `rx.{k}.cgru.{l}` per set.
        let sets = (0..image.relax_sets)
            .map(|k| {
                let prefix = if image.relax_sets > 1 {
                    format!("rx.{k}.cgru")
                } else {
                    "cgru".to_string()
                };
                (0..image.cgru_layers)
                    .map(|l| {
                        CgruLayer::register(
                            &mut params,
                            &format!("{prefix}.{l}"),
                            maps,
                            false,
                            &mut rng,
                        )
                    })
                    .collect()
            })
            .collect();
        let output_weight = params.add_uniform(
            "output.weight",
            &[config.output_width, maps],
            1.8 * (3.0 / maps as f32).sqrt(),
            &mut rng,
        );
        let output_bias = params.add_constant("output.bias", &[config.output_width], 0.0);
        let decoder = config.model.has_decoder().then(|| Decoder {
            layers: (0..image.cgru_layers)
                .map(|l| {
                    CgruLayer::register(&mut params, &format!("dcgru.{l}"), maps, true, &mut rng)
                })
                .collect(),
            target_embedding: params.add_uniform(
                "target_embedding.weight",
                &[config.output_width, maps],
                1.7,
                &mut rng,
            ),
        });
        NeuralGpu {
            config,
            image,
            params,
            embedding,
            sets,
            output_weight,
            output_bias,
            decoder,
        }
    }

    fn geometry(&self, columns: usize) -> Image {
        Image {
            maps: self.image.maps,
            height: self.image.height,
            width: columns,
        }
    }
}

impl NeuralGpu {
    /// Logits of every column with the encoder's image (5.1) or greedy decoding (5.2).
    fn logits(&self, input: &[f32], steps: usize) -> Vec<f32> {
        let image = self.geometry(steps);
        let encoded = self.encode(input, image, false, None);
        match &self.decoder {
            Some(decoder) => {
                self.decode(decoder, &encoded.last, image, Feed::Greedy, false, None)
                    .logits
            }
            None => {
                let symbols = self.config.output_width;
                let mut logits = vec![0.0; steps * symbols];
                for x in 0..steps {
                    self.read_column(
                        &encoded.last,
                        image,
                        x,
                        &mut logits[x * symbols..(x + 1) * symbols],
                    );
                }
                logits
            }
        }
    }

    /// The logits the training loss sees: with the decoder teacher-forced by `target`
    /// (one-hot rows) for 5.2, the encoder's own for 5.1.
    pub fn teacher_forced_logits(&self, input: &[f32], target: &[f32], steps: usize) -> Vec<f32> {
        let image = self.geometry(steps);
        let encoded = self.encode(input, image, false, None);
        match &self.decoder {
            Some(decoder) => {
                self.decode(
                    decoder,
                    &encoded.last,
                    image,
                    Feed::Targets(target),
                    false,
                    None,
                )
                .logits
            }
            None => self.logits(input, steps),
        }
    }

    /// Where the relaxed sets of encoder parameters lie (`None` without relaxation): they
    /// are registered one after another, each set's layers in order.
    pub fn relaxed_sets(&self) -> Option<relaxation::RelaxedSets> {
        let sets = self.sets.len();
        if sets < 2 {
            return None;
        }
        let first = self.params.entry("rx.0.cgru.0.gate_u.weight")?.offset;
        let size = self.params.entry("rx.1.cgru.0.gate_u.weight")?.offset - first;
        Some(relaxation::RelaxedSets { first, size, sets })
    }

    /// The image view's record of one sequence: every encoder step and layer, every
    /// decoder step (greedy, as evaluation decodes), and the logits.
    pub fn trace_image(&self, input: &[f32], steps: usize) -> (Vec<f32>, ImageTrace) {
        trace::record(self, input, steps)
    }
}

impl Model for NeuralGpu {
    fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// What the backward pass keeps for a sequence `steps` columns wide (every layer
    /// application's input, u, r and c: [`NeuralGpuConfig::training_cache_bytes`]).
    fn sequence_floats(&self, steps: usize) -> usize {
        self.image
            .training_cache_bytes(steps, self.decoder.is_some())
            / std::mem::size_of::<f32>()
    }

    fn params(&self) -> &ParamStore {
        &self.params
    }

    fn params_mut(&mut self) -> &mut ParamStore {
        &mut self.params
    }

    fn objective(&self) -> Objective {
        Objective::SoftmaxSymbols
    }

    fn forward(&self, input: &[f32], steps: usize) -> Vec<f32> {
        self.logits(input, steps)
    }

    /// Loss against the target with the decoder teacher-forced (5.2), and its exact
    /// gradient.
    fn forward_backward(
        &self,
        sequence: SequenceRef<'_>,
        scale: f32,
        grads: &mut [f32],
    ) -> SequenceScore {
        let image = self.geometry(sequence.steps);
        let symbols = self.config.output_width;
        let decoder = self.decoder.is_some();
        let dropout = noise::dropout(&self.image, decoder, image, sequence.noise_seed);
        let own = noise::sampled_steps(&self.image, decoder, image, sequence.batch_seed);
        let feed = match &own {
            Some(own) => Feed::Sampled {
                targets: sequence.target,
                own,
                seed: derive_seed(sequence.noise_seed, SAMPLES),
            },
            None => Feed::Targets(sequence.target),
        };
        let encoded = self.encode(sequence.input, image, true, dropout.as_ref());
        let decoded = self.decoder.as_ref().map(|decoder| {
            self.decode(decoder, &encoded.last, image, feed, true, dropout.as_ref())
        });
        let logits = match &decoded {
            Some(run) => run.logits.clone(),
            None => {
                let mut logits = vec![0.0; sequence.steps * symbols];
                for x in 0..sequence.steps {
                    self.read_column(
                        &encoded.last,
                        image,
                        x,
                        &mut logits[x * symbols..(x + 1) * symbols],
                    );
                }
                logits
            }
        };
        let mut dlogits = vec![0.0; logits.len()];
        let score = self.objective().score(
            &logits,
            sequence.target,
            sequence.alternative,
            sequence.mask,
            symbols,
            self.image.label_smoothing,
            scale,
            Some(&mut dlogits),
        );
        // The decoder's errors are its greedy decoding's, what evaluation measures: under
        // teacher forcing a model that must guess (copy-or-reverse's hidden coin) is
        // pulled back to the drawn answer after a wrong guess and can never be right on
        // half the sequences, so the schedules could not see it learn.
        let score = match &self.decoder {
            Some(decoder) => {
                let greedy = self.decode(decoder, &encoded.last, image, Feed::Greedy, false, None);
                let decoded_score = self.objective().score(
                    &greedy.logits,
                    sequence.target,
                    sequence.alternative,
                    sequence.mask,
                    symbols,
                    0.0,
                    1.0,
                    None,
                );
                SequenceScore {
                    errors: decoded_score.errors,
                    wrong_sequences: decoded_score.wrong_sequences,
                    ..score
                }
            }
            None => score,
        };
        let dlast = match (&self.decoder, &decoded) {
            (Some(decoder), Some(run)) => {
                self.decode_backward(decoder, run, image, &dlogits, dropout.as_ref(), grads)
            }
            _ => {
                let mut ds = vec![0.0; image.len()];
                for x in 0..sequence.steps {
                    self.read_column_backward(
                        grads,
                        &encoded.last,
                        image,
                        x,
                        &dlogits[x * symbols..(x + 1) * symbols],
                        &mut ds,
                    );
                }
                ds
            }
        };
        self.encode_backward(
            &encoded,
            sequence.input,
            image,
            dlast,
            dropout.as_ref(),
            grads,
        );
        score
    }

    fn trace(&self, input: &[f32], steps: usize) -> (Vec<f32>, Vec<StepTrace>) {
        (self.logits(input, steps), Vec::new())
    }

    fn image_trace(&self, input: &[f32], steps: usize) -> Option<ImageTrace> {
        Some(self.trace_image(input, steps).1)
    }

    fn relaxed_sets(&self) -> Option<relaxation::RelaxedSets> {
        NeuralGpu::relaxed_sets(self)
    }
}
