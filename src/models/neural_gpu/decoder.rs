//! The dependent-output model's decoder (neural_gpu.md §5.2): its own DCGRU layers over
//! `[tape; image]`, one symbol per step onto the tape, forward and backward.

use super::noise::{apply, sample, Dropout};
use super::{CgruCache, Image, NeuralGpu};
use crate::ops::loss::argmax;
use crate::rng::Pcg32;

/// The decoder of §5.2: its own layers and the target embedding F.
pub(super) struct Decoder {
    pub(super) layers: Vec<super::CgruLayer>,
    pub(super) target_embedding: usize,
}

/// The decoder's unrolled steps, with the symbol fed to the tape at each.
pub(super) struct Decoded {
    pub(super) inputs: Vec<Vec<f32>>,
    pub(super) caches: Vec<CgruCache>,
    pub(super) fed: Vec<usize>,
    pub(super) logits: Vec<f32>,
    /// `d` after the last step.
    pub(super) last: Vec<f32>,
}

/// How the decoder chooses the symbol it writes to the tape.
#[derive(Clone, Copy)]
pub(super) enum Feed<'a> {
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
    /// The decoder of §5.2 from the encoder's last image.
    pub(super) fn decode(
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
    pub(super) fn write_tape(
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
    pub(super) fn decode_backward(
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
}
