//! The encoder of the Neural GPU family (neural_gpu.md §5.1): the input embedded in
//! row 0, the CGRU layers applied n_b times, and each column read out, forward and
//! backward.

use super::noise::{apply, Dropout};
use super::{CgruCache, Image, NeuralGpu};
use crate::ops::linalg::{matvec, matvec_transposed_accumulate, outer_accumulate};

/// The encoder's unrolled steps: `inputs[j]` is the input of layer application j
/// (step j / L, layer j mod L), `last` the image after the last.
pub(super) struct Encoded {
    pub(super) inputs: Vec<Vec<f32>>,
    pub(super) caches: Vec<CgruCache>,
    pub(super) last: Vec<f32>,
}

impl NeuralGpu {
    /// `s_0`: the embedded input in row 0 of each active column.
    pub(super) fn embed(&self, input: &[f32], image: Image) -> Vec<f32> {
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
    pub(super) fn encode(
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
            for layer in &self.sets[k % self.sets.len()] {
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
    pub(super) fn read_column(&self, s: &[f32], image: Image, x: usize, logits: &mut [f32]) {
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
    pub(super) fn read_column_backward(
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

    /// Backward through the encoder from `∂loss/∂s_{n_b}`, down to the embedding.
    pub(super) fn encode_backward(
        &self,
        run: &Encoded,
        input: &[f32],
        image: Image,
        mut ds: Vec<f32>,
        dropout: Option<&Dropout>,
        grads: &mut [f32],
    ) {
        let p = self.params.values();
        let layers = self.image.cgru_layers;
        let mask = |k: usize| dropout.map(|d| &d.encoder[k]);
        for j in (0..run.inputs.len()).rev() {
            if j % layers == layers - 1 {
                // The mask after step j / L + 1 multiplied this layer's output.
                apply(mask(j / layers + 1), &mut ds);
            }
            let mut dinput = vec![0.0; image.len()];
            self.sets[(j / layers) % self.sets.len()][j % layers].backward(
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
}
