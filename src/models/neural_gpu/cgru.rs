//! The convolutional gated recurrent unit (neural_gpu.md §5.1) and the decoder's
//! variant that also sees the output tape (§5.2), forward and backward.
//!
//! ```text
//! CGRU(s):     u = σc(conv_u(s))       r = σc(conv_r(s))       c = tanh(conv_c(r ⊙ s))
//! DCGRU(d, p): u = σc(conv_u([p; d]))  r = σc(conv_r([p; d]))  c = tanh(conv_c([p; r ⊙ d]))
//! out = u ⊙ s + (1 − u) ⊙ c
//! σc(x) = min(1, max(0, c·σ(x) − (c − 1)/2))        (the gate cutoff c, 1.2 by default)
//! ```
//! Images are channel-major `[m][h][n]`. Each sequence runs at its own width `n = n_b`,
//! so the convolutions' zero padding is exactly the spec's masked columns and no mask
//! is needed.

use crate::nn::ParamStore;
use crate::ops::activation::sigmoid;
use crate::ops::conv::{col2im_accumulate, im2col, Conv3x3, TAPS};
use crate::rng::Pcg32;

/// `σc(x) = min(1, max(0, c·σ(x) − (c − 1)/2))`.
pub fn gate_cutoff(x: f32, cutoff: f32) -> f32 {
    (cutoff * sigmoid(x) - 0.5 * (cutoff - 1.0)).clamp(0.0, 1.0)
}

/// `dσc/dx` from the gate's value `g = σc(x)`: `c·σ(x)(1 − σ(x))` where `0 < g < 1`
/// strictly, else 0 (TF's min/max rule). Inside the open interval `σ(x) = (g + (c−1)/2)/c`.
pub fn gate_cutoff_derivative(gate: f32, cutoff: f32) -> f32 {
    if gate <= 0.0 || gate >= 1.0 {
        return 0.0;
    }
    let s = (gate + 0.5 * (cutoff - 1.0)) / cutoff;
    cutoff * s * (1.0 - s)
}

/// Offsets of one layer's three convolutions in the parameter buffer.
#[derive(Clone, Debug)]
pub struct CgruLayer {
    maps: usize,
    /// Whether the gates and candidate also see the output tape (the decoder's DCGRU).
    with_tape: bool,
    gate_u: (usize, usize),
    gate_r: (usize, usize),
    cand: (usize, usize),
}

/// What a layer's forward keeps for its backward (its input is kept by the caller).
#[derive(Clone, Debug)]
pub struct CgruCache {
    pub u: Vec<f32>,
    pub r: Vec<f32>,
    pub c: Vec<f32>,
}

/// Geometry of one sequence's image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Image {
    pub maps: usize,
    pub height: usize,
    pub width: usize,
}

impl Image {
    pub fn plane(&self) -> usize {
        self.height * self.width
    }

    pub fn len(&self) -> usize {
        self.maps * self.plane()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl CgruLayer {
    /// Registers `{prefix}.gate_u.weight`, `.bias`, then `gate_r`, then `cand`, with the
    /// original code's initialisation: weights U(±1.8·√(3/fan_in)), fan_in = 9·m_in;
    /// biases 1.0 for the gates and 0 for the candidate.
    pub fn register(
        params: &mut ParamStore,
        prefix: &str,
        maps: usize,
        with_tape: bool,
        rng: &mut Pcg32,
    ) -> CgruLayer {
        let in_maps = if with_tape { 2 * maps } else { maps };
        let bound = 1.8 * (3.0 / (TAPS * in_maps) as f32).sqrt();
        let mut conv = |name: &str, bias: f32| {
            let weight = params.add_uniform(
                &format!("{prefix}.{name}.weight"),
                &[maps, in_maps, 3, 3],
                bound,
                rng,
            );
            let bias = params.add_constant(&format!("{prefix}.{name}.bias"), &[maps], bias);
            (weight, bias)
        };
        let gate_u = conv("gate_u", 1.0);
        let gate_r = conv("gate_r", 1.0);
        let cand = conv("cand", 0.0);
        CgruLayer {
            maps,
            with_tape,
            gate_u,
            gate_r,
            cand,
        }
    }

    fn in_maps(&self) -> usize {
        if self.with_tape {
            2 * self.maps
        } else {
            self.maps
        }
    }

    fn conv(&self, image: Image) -> Conv3x3 {
        Conv3x3 {
            in_channels: self.in_maps(),
            out_channels: self.maps,
            height: image.height,
            width: image.width,
        }
    }

    fn kernel<'a>(
        &self,
        params: &'a [f32],
        (weight, bias): (usize, usize),
    ) -> (&'a [f32], &'a [f32]) {
        let len = self.maps * self.in_maps() * TAPS;
        (
            &params[weight..weight + len],
            &params[bias..bias + self.maps],
        )
    }

    /// `[p; x]` for the decoder, `x` for the encoder, as im2col columns.
    fn columns(&self, image: Image, tape: Option<&[f32]>, x: &[f32], col: &mut [f32]) {
        let input: std::borrow::Cow<[f32]> = match tape {
            Some(p) if self.with_tape => [p, x].concat().into(),
            _ => x.into(),
        };
        im2col(&input, self.in_maps(), image.height, image.width, col);
    }

    /// One layer: `out = u ⊙ s + (1 − u) ⊙ c` (see the module's equations).
    pub fn forward(
        &self,
        params: &[f32],
        image: Image,
        cutoff: f32,
        s: &[f32],
        tape: Option<&[f32]>,
    ) -> (Vec<f32>, CgruCache) {
        let conv = self.conv(image);
        let mut col = vec![0.0; conv.col_len()];
        self.columns(image, tape, s, &mut col);
        let mut u = vec![0.0; image.len()];
        let mut r = vec![0.0; image.len()];
        let (k, b) = self.kernel(params, self.gate_u);
        conv.forward(k, b, &col, &mut u);
        let (k, b) = self.kernel(params, self.gate_r);
        conv.forward(k, b, &col, &mut r);
        for v in u.iter_mut().chain(r.iter_mut()) {
            *v = gate_cutoff(*v, cutoff);
        }
        let reset: Vec<f32> = r.iter().zip(s).map(|(r, s)| r * s).collect();
        self.columns(image, tape, &reset, &mut col);
        let mut c = vec![0.0; image.len()];
        let (k, b) = self.kernel(params, self.cand);
        conv.forward(k, b, &col, &mut c);
        c.iter_mut().for_each(|v| *v = v.tanh());
        let out = u
            .iter()
            .zip(s)
            .zip(&c)
            .map(|((u, s), c)| u * s + (1.0 - u) * c)
            .collect();
        (out, CgruCache { u, r, c })
    }

    /// Backward of [`CgruLayer::forward`] given `dout`: accumulates into the parameter
    /// gradients, `ds` and (for the decoder) `dtape`.
    #[allow(clippy::too_many_arguments)]
    pub fn backward(
        &self,
        params: &[f32],
        grads: &mut [f32],
        image: Image,
        cutoff: f32,
        s: &[f32],
        tape: Option<&[f32]>,
        cache: &CgruCache,
        dout: &[f32],
        ds: &mut [f32],
        mut dtape: Option<&mut [f32]>,
    ) {
        let conv = self.conv(image);
        let len = image.len();
        let CgruCache { u, r, c } = cache;
        // out = u ⊙ s + (1 − u) ⊙ c
        let mut du = vec![0.0; len];
        let mut dzc = vec![0.0; len];
        for i in 0..len {
            du[i] = dout[i] * (s[i] - c[i]);
            ds[i] += dout[i] * u[i];
            // c = tanh(z_c): dz_c = dc (1 − c²)
            dzc[i] = dout[i] * (1.0 - u[i]) * (1.0 - c[i] * c[i]);
        }
        // c's convolution saw [p; r ⊙ s].
        let reset: Vec<f32> = r.iter().zip(s).map(|(r, s)| r * s).collect();
        let mut col = vec![0.0; conv.col_len()];
        self.columns(image, tape, &reset, &mut col);
        let mut dcol = vec![0.0; conv.col_len()];
        let (kernel, _) = self.kernel(params, self.cand);
        {
            let (dk, db) = split_gradients(grads, self.cand, kernel.len(), self.maps);
            conv.backward(kernel, &col, &dzc, dk, db, &mut dcol);
        }
        let mut dreset = vec![0.0; len];
        self.input_gradient(image, &dcol, dtape.as_deref_mut(), &mut dreset);
        // r ⊙ s
        let mut dzu = du;
        let mut dzr = vec![0.0; len];
        for i in 0..len {
            ds[i] += dreset[i] * r[i];
            dzr[i] = dreset[i] * s[i] * gate_cutoff_derivative(r[i], cutoff);
            dzu[i] *= gate_cutoff_derivative(u[i], cutoff);
        }
        // Both gates' convolutions saw [p; s]: one shared input gradient.
        self.columns(image, tape, s, &mut col);
        dcol.fill(0.0);
        for (offsets, dz) in [(self.gate_u, &dzu), (self.gate_r, &dzr)] {
            let (kernel, _) = self.kernel(params, offsets);
            let (dk, db) = split_gradients(grads, offsets, kernel.len(), self.maps);
            conv.backward(kernel, &col, dz, dk, db, &mut dcol);
        }
        self.input_gradient(image, &dcol, dtape, ds);
    }

    /// `col2im(dcol)` split as the input was stacked: the tape's part (decoder only) is
    /// added to `dtape`, the state's to `dstate`.
    fn input_gradient(
        &self,
        image: Image,
        dcol: &[f32],
        dtape: Option<&mut [f32]>,
        dstate: &mut [f32],
    ) {
        let mut dinput = vec![0.0; self.in_maps() * image.plane()];
        col2im_accumulate(dcol, self.in_maps(), image.height, image.width, &mut dinput);
        let (dtape_part, dstate_part) =
            dinput.split_at(if self.with_tape { image.len() } else { 0 });
        if let Some(dp) = dtape {
            dp.iter_mut().zip(dtape_part).for_each(|(d, g)| *d += g);
        }
        dstate
            .iter_mut()
            .zip(dstate_part)
            .for_each(|(d, g)| *d += g);
    }
}

/// The kernel's and the bias's gradient slices (registered one after the other).
fn split_gradients(
    grads: &mut [f32],
    (weight, bias): (usize, usize),
    kernel_len: usize,
    maps: usize,
) -> (&mut [f32], &mut [f32]) {
    debug_assert_eq!(bias, weight + kernel_len);
    let (dk, db) = grads[weight..bias + maps].split_at_mut(kernel_len);
    (dk, db)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cutoff_clips_at_plus_minus_ln_11_and_its_derivative_is_zero_outside() {
        let clip = 11f32.ln();
        assert_eq!(gate_cutoff(clip + 1e-3, 1.2), 1.0);
        assert_eq!(gate_cutoff(-clip - 1e-3, 1.2), 0.0);
        assert!(gate_cutoff(clip - 1e-2, 1.2) < 1.0);
        assert_eq!(gate_cutoff_derivative(1.0, 1.2), 0.0);
        assert_eq!(gate_cutoff_derivative(0.0, 1.2), 0.0);
        for x in [-2.0f32, -0.3, 0.0, 0.7, 2.2] {
            let s = sigmoid(x);
            let expected = 1.2 * s * (1.0 - s);
            assert!((gate_cutoff_derivative(gate_cutoff(x, 1.2), 1.2) - expected).abs() < 1e-5);
            // c = 1 is the plain sigmoid.
            assert!((gate_cutoff(x, 1.0) - s).abs() < 1e-7);
        }
    }
}
