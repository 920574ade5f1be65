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
mod trace;

pub use cgru::{gate_cutoff, gate_cutoff_derivative, CgruCache, CgruLayer, Image};
pub use config::{ImageConfig, MAX_CGRU_LAYERS, MAX_HEIGHT, MAX_MAPS, MAX_TRAINING_CACHE_BYTES};
pub use trace::{DecoderStep, EncoderStep, ImageTrace};

use super::{Model, ModelConfig, SequenceRef, StepTrace};
use crate::nn::ParamStore;
use crate::objective::Objective;
use crate::ops::linalg::{matvec, matvec_transposed_accumulate, outer_accumulate};
use crate::ops::loss::{argmax, SequenceScore};
use crate::rng::{derive_seed, Pcg32};

/// Purpose tags of the seeds scheduled sampling draws from.
const COINS: u64 = 0x434F_494E;
const SAMPLES: u64 = 0x5341_4D50;

/// A symbol drawn from `softmax(logits)` (a constant for differentiation).
fn sample(logits: &[f32], rng: &mut Pcg32) -> usize {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let weights: Vec<f32> = logits.iter().map(|y| (y - max).exp()).collect();
    let mut threshold = rng.next_f32() * weights.iter().sum::<f32>();
    for (j, w) in weights.iter().enumerate() {
        threshold -= w;
        if threshold < 0.0 {
            return j;
        }
    }
    weights.len() - 1
}

/// The decoder of §5.2: its own layers and the target embedding F.
struct Decoder {
    layers: Vec<CgruLayer>,
    target_embedding: usize,
}

/// Either model of the family: the encoder, and for 5.2 the decoder.
pub struct NeuralGpu {
    config: ModelConfig,
    image: ImageConfig,
    params: ParamStore,
    embedding: usize,
    layers: Vec<CgruLayer>,
    output_weight: usize,
    output_bias: usize,
    decoder: Option<Decoder>,
}

/// The encoder's unrolled steps: `inputs[j]` is the input of layer application j
/// (step j / L, layer j mod L), `last` the image after the last.
struct Encoded {
    inputs: Vec<Vec<f32>>,
    caches: Vec<CgruCache>,
    last: Vec<f32>,
}

/// The decoder's unrolled steps, with the symbol fed to the tape at each.
struct Decoded {
    inputs: Vec<Vec<f32>>,
    caches: Vec<CgruCache>,
    fed: Vec<usize>,
    logits: Vec<f32>,
    /// `d` after the last step.
    last: Vec<f32>,
}

/// Dropout masks of one training sequence (neural_gpu.md §5.1 Regularisers), drawn on the
/// host from the sequence's noise seed and already divided by the keep probability
/// (inverted dropout, so evaluation needs no rescaling): `encoder[0]` for the embedded
/// input, `encoder[k]` after encoder step k, `decoder[k]` after decoder step k + 1.
/// Masks are constants for differentiation.
struct Dropout {
    encoder: Vec<Vec<f32>>,
    decoder: Vec<Vec<f32>>,
}

fn apply(mask: Option<&Vec<f32>>, values: &mut [f32]) {
    if let Some(mask) = mask {
        values.iter_mut().zip(mask).for_each(|(v, m)| *v *= m);
    }
}

/// How the decoder chooses the symbol it writes to the tape.
#[derive(Clone, Copy)]
enum Feed<'a> {
    /// Teacher forcing: the target's symbols (one-hot rows).
    Targets(&'a [f32]),
    /// Scheduled sampling: at the decoder steps marked in `own`, a symbol drawn from the
    /// model's own softmax (with `rng`) instead of the target's.
    Sampled {
        targets: &'a [f32],
        own: &'a [bool],
        seed: u64,
    },
    /// Greedy decoding: its own argmax (ties to the lowest symbol).
    Greedy,
}

impl NeuralGpu {
    /// Initialises `embedding.weight` U(±1.7), the CGRU layers, `output.weight`
    /// U(±1.8·√(3/m)) and `output.bias` 0 (the original code's initialisation), then for
    /// 5.2 the decoder's layers and `target_embedding.weight` U(±1.7).
    pub fn new(config: ModelConfig, seed: u64) -> NeuralGpu {
        let image = config
            .image
            .clone()
            .expect("a validated Neural GPU config has its image settings");
        let mut rng = Pcg32::new(seed);
        let mut params = ParamStore::new();
        let maps = image.maps;
        let embedding = params.add_uniform(
            "embedding.weight",
            &[config.input_width, maps],
            1.7,
            &mut rng,
        );
        let layers = (0..image.cgru_layers)
            .map(|l| CgruLayer::register(&mut params, &format!("cgru.{l}"), maps, false, &mut rng))
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
            layers,
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

    /// The training sequence's dropout masks, or `None` when dropout is off. With rate d
    /// the keep probability is `1 − d·8/n` (the 2015 trainer's rule), never under 0.5 (the
    /// spec leaves short sequences open); each cell is kept with that probability.
    fn dropout(&self, image: Image, seed: u64) -> Option<Dropout> {
        let rate = self.image.dropout;
        if rate <= 0.0 {
            return None;
        }
        let keep = (1.0 - rate * 8.0 / image.width as f32).clamp(0.5, 1.0);
        let mut rng = Pcg32::new(seed);
        let mut mask = || -> Vec<f32> {
            (0..image.len())
                .map(|_| {
                    if rng.next_f32() < keep {
                        1.0 / keep
                    } else {
                        0.0
                    }
                })
                .collect()
        };
        let encoder = (0..=image.width).map(|_| mask()).collect();
        let decoder = if self.decoder.is_some() {
            (0..image.width).map(|_| mask()).collect()
        } else {
            Vec::new()
        };
        Some(Dropout { encoder, decoder })
    }

    /// Scheduled sampling's coins (neural_gpu.md §5.2 note 4): one per decoder step for
    /// the whole batch, from the batch's seed, true where the decoder feeds its own
    /// sample; `None` when the rate is 0 or there is no decoder.
    fn sampled_steps(&self, image: Image, batch_seed: u64) -> Option<Vec<bool>> {
        let rate = self.image.sampling_rate;
        if rate <= 0.0 || self.decoder.is_none() {
            return None;
        }
        let mut rng = Pcg32::new(derive_seed(batch_seed, COINS));
        Some((0..image.width).map(|_| rng.next_f32() < rate).collect())
    }

    /// `s_0`: the embedded input in row 0 of each active column.
    fn embed(&self, input: &[f32], image: Image) -> Vec<f32> {
        let p = self.params.values();
        let (symbols, maps) = (self.config.input_width, image.maps);
        let embedding = &p[self.embedding..self.embedding + symbols * maps];
        let mut s = vec![0.0; image.len()];
        for x in 0..image.width {
            for (a, &value) in input[x * symbols..(x + 1) * symbols].iter().enumerate() {
                if value == 0.0 {
                    continue;
                }
                for c in 0..maps {
                    s[c * image.plane() + x] += value * embedding[a * maps + c];
                }
            }
        }
        s
    }

    /// `n_b` steps of the encoder's layers (keeping each layer's input and cache for the
    /// backward when `keep`).
    fn encode(
        &self,
        input: &[f32],
        image: Image,
        keep: bool,
        dropout: Option<&Dropout>,
    ) -> Encoded {
        let p = self.params.values();
        let mut s = self.embed(input, image);
        let mask = |k: usize| dropout.map(|d| &d.encoder[k]);
        apply(mask(0), &mut s);
        let mut encoded = Encoded {
            inputs: Vec::new(),
            caches: Vec::new(),
            last: Vec::new(),
        };
        for k in 0..image.width {
            for layer in &self.layers {
                let (out, cache) = layer.forward(p, image, self.image.gate_cutoff, &s, None);
                if keep {
                    encoded.inputs.push(std::mem::replace(&mut s, out));
                    encoded.caches.push(cache);
                } else {
                    s = out;
                }
            }
            apply(mask(k + 1), &mut s);
        }
        encoded.last = s;
        encoded
    }

    /// `logits = W_o s[:, 0, x] + b_o` for column `x` of `image`.
    fn read_column(&self, s: &[f32], image: Image, x: usize, logits: &mut [f32]) {
        let p = self.params.values();
        let (maps, symbols) = (image.maps, self.config.output_width);
        let column: Vec<f32> = (0..maps).map(|c| s[c * image.plane() + x]).collect();
        matvec(
            &p[self.output_weight..self.output_weight + symbols * maps],
            &column,
            logits,
        );
        for (y, b) in logits
            .iter_mut()
            .zip(&p[self.output_bias..self.output_bias + symbols])
        {
            *y += b;
        }
    }

    /// Backward of [`NeuralGpu::read_column`]: `dW_o += dy ⊗ s[:, 0, x]`, `db_o += dy`,
    /// `ds[:, 0, x] += W_oᵀ dy`.
    fn read_column_backward(
        &self,
        grads: &mut [f32],
        s: &[f32],
        image: Image,
        x: usize,
        dlogits: &[f32],
        ds: &mut [f32],
    ) {
        let p = self.params.values();
        let (maps, symbols) = (image.maps, self.config.output_width);
        let column: Vec<f32> = (0..maps).map(|c| s[c * image.plane() + x]).collect();
        let weight = self.output_weight..self.output_weight + symbols * maps;
        outer_accumulate(dlogits, &column, &mut grads[weight.clone()]);
        for (g, d) in grads[self.output_bias..self.output_bias + symbols]
            .iter_mut()
            .zip(dlogits)
        {
            *g += d;
        }
        let mut dcolumn = vec![0.0; maps];
        matvec_transposed_accumulate(&p[weight], dlogits, &mut dcolumn);
        for c in 0..maps {
            ds[c * image.plane() + x] += dcolumn[c];
        }
    }

    /// The decoder of §5.2 from the encoder's last image.
    fn decode(
        &self,
        decoder: &Decoder,
        start: &[f32],
        image: Image,
        feed: Feed,
        keep: bool,
        dropout: Option<&Dropout>,
    ) -> Decoded {
        let p = self.params.values();
        let symbols = self.config.output_width;
        let mut d = start.to_vec();
        let mut tape = vec![0.0; image.len()];
        let mut rng = match feed {
            Feed::Sampled { seed, .. } => Pcg32::new(seed),
            _ => Pcg32::new(0),
        };
        let mut decoded = Decoded {
            inputs: Vec::new(),
            caches: Vec::new(),
            fed: Vec::with_capacity(image.width),
            logits: vec![0.0; image.width * symbols],
            last: Vec::new(),
        };
        for k in 0..image.width {
            for layer in &decoder.layers {
                let (out, cache) = layer.forward(p, image, self.image.gate_cutoff, &d, Some(&tape));
                if keep {
                    decoded.inputs.push(std::mem::replace(&mut d, out));
                    decoded.caches.push(cache);
                } else {
                    d = out;
                }
            }
            apply(dropout.map(|m| &m.decoder[k]), &mut d);
            let logits = &mut decoded.logits[k * symbols..(k + 1) * symbols];
            self.read_column(&d, image, k, logits);
            let symbol = match feed {
                Feed::Targets(targets) => argmax(&targets[k * symbols..(k + 1) * symbols]),
                Feed::Sampled { own, .. } if own[k] => sample(logits, &mut rng),
                Feed::Sampled { targets, .. } => argmax(&targets[k * symbols..(k + 1) * symbols]),
                Feed::Greedy => argmax(logits),
            };
            self.write_tape(decoder, &mut tape, image, k, symbol);
            decoded.fed.push(symbol);
        }
        decoded.last = d;
        decoded
    }

    /// `p[:, row, k] = F[symbol]` for every row.
    fn write_tape(
        &self,
        decoder: &Decoder,
        tape: &mut [f32],
        image: Image,
        k: usize,
        symbol: usize,
    ) {
        let p = self.params.values();
        let maps = image.maps;
        let row = &p[decoder.target_embedding + symbol * maps..][..maps];
        for c in 0..maps {
            for y in 0..image.height {
                tape[c * image.plane() + y * image.width + k] = row[c];
            }
        }
    }

    /// Backward through the decoder: returns `∂loss/∂s_{n_b}` and accumulates the
    /// decoder's, `W_o`'s and `F`'s gradients.
    fn decode_backward(
        &self,
        decoder: &Decoder,
        run: &Decoded,
        image: Image,
        dlogits: &[f32],
        dropout: Option<&Dropout>,
        grads: &mut [f32],
    ) -> Vec<f32> {
        let p = self.params.values();
        let (symbols, maps, layers) = (self.config.output_width, image.maps, decoder.layers.len());
        // The tape as the last step left it; column k is cleared before step k's
        // backward, which gives the tape that step k saw.
        let mut tape = vec![0.0; image.len()];
        for (k, &symbol) in run.fed.iter().enumerate() {
            self.write_tape(decoder, &mut tape, image, k, symbol);
        }
        let mut dtape = vec![0.0; image.len()];
        let mut dd = vec![0.0; image.len()];
        for k in (0..image.width).rev() {
            // F[y_k] entered column k of every row: its gradient is that column's sum.
            let f = decoder.target_embedding + run.fed[k] * maps;
            for c in 0..maps {
                for y in 0..image.height {
                    let cell = c * image.plane() + y * image.width + k;
                    grads[f + c] += dtape[cell];
                    dtape[cell] = 0.0;
                    tape[cell] = 0.0;
                }
            }
            let after = if k + 1 == image.width {
                &run.last
            } else {
                &run.inputs[(k + 1) * layers]
            };
            self.read_column_backward(
                grads,
                after,
                image,
                k,
                &dlogits[k * symbols..(k + 1) * symbols],
                &mut dd,
            );
            apply(dropout.map(|m| &m.decoder[k]), &mut dd);
            for (l, layer) in decoder.layers.iter().enumerate().rev() {
                let j = k * layers + l;
                let mut dinput = vec![0.0; image.len()];
                layer.backward(
                    p,
                    grads,
                    image,
                    self.image.gate_cutoff,
                    &run.inputs[j],
                    Some(&tape),
                    &run.caches[j],
                    &dd,
                    &mut dinput,
                    Some(&mut dtape),
                );
                dd = dinput;
            }
        }
        dd
    }

    /// Backward through the encoder from `∂loss/∂s_{n_b}`, down to the embedding.
    fn encode_backward(
        &self,
        run: &Encoded,
        input: &[f32],
        image: Image,
        mut ds: Vec<f32>,
        dropout: Option<&Dropout>,
        grads: &mut [f32],
    ) {
        let p = self.params.values();
        let layers = self.layers.len();
        let mask = |k: usize| dropout.map(|d| &d.encoder[k]);
        for j in (0..run.inputs.len()).rev() {
            if j % layers == layers - 1 {
                // The mask after step j / L + 1 multiplied this layer's output.
                apply(mask(j / layers + 1), &mut ds);
            }
            let mut dinput = vec![0.0; image.len()];
            self.layers[j % layers].backward(
                p,
                grads,
                image,
                self.image.gate_cutoff,
                &run.inputs[j],
                None,
                &run.caches[j],
                &ds,
                &mut dinput,
                None,
            );
            ds = dinput;
        }
        apply(mask(0), &mut ds);
        // s_0[c, 0, x] = Σ_a x[x, a] E[a, c]
        let (symbols, maps) = (self.config.input_width, image.maps);
        for x in 0..image.width {
            for (a, &value) in input[x * symbols..(x + 1) * symbols].iter().enumerate() {
                if value == 0.0 {
                    continue;
                }
                for c in 0..maps {
                    grads[self.embedding + a * maps + c] += value * ds[c * image.plane() + x];
                }
            }
        }
    }

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
        let dropout = self.dropout(image, sequence.noise_seed);
        let own = self.sampled_steps(image, sequence.batch_seed);
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
}
