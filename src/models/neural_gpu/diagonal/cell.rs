//! The Diagonal Neural GPU's cell, piece by piece (neural_gpu.md §5.3): the hard
//! activations and their saturation cost, the width-3 convolutions as matrix products,
//! and the fixed diagonal shift of the maps.

use crate::nn::ParamStore;
use crate::ops::matmul::{
    matmul_accumulate, matmul_transposed_a_accumulate, matmul_transposed_b_accumulate,
};
use crate::rng::Pcg32;

/// The bias constants of the reset and update gates (the released code's `bias_start`).
pub const RESET_BIAS: f32 = 0.5;
pub const GATE_BIAS: f32 = 0.7;
/// Pre-activations beyond ±0.9 pay the saturation cost.
pub const SATURATION_LIMIT: f32 = 0.9;

/// `hσ(a) = min(1, max(0, 0.5·a + 0.5))`.
pub(super) fn hard_sigmoid(a: f32) -> f32 {
    (0.5 * a + 0.5).clamp(0.0, 1.0)
}

/// `hσ'(a)`: 0.5 strictly inside (−1, 1), else 0 (the min/max rule).
pub(super) fn hard_sigmoid_derivative(a: f32) -> f32 {
    if a > -1.0 && a < 1.0 {
        0.5
    } else {
        0.0
    }
}

/// `hτ(a) = min(1, max(−1, a))`.
pub(super) fn hard_tanh(a: f32) -> f32 {
    a.clamp(-1.0, 1.0)
}

pub(super) fn hard_tanh_derivative(a: f32) -> f32 {
    if a > -1.0 && a < 1.0 {
        1.0
    } else {
        0.0
    }
}

/// `max(0, |a| − 0.9)` and its derivative `sign(a)·[|a| > 0.9]`.
pub(super) fn saturation_excess(a: f32) -> (f32, f32) {
    let excess = a.abs() - SATURATION_LIMIT;
    if excess > 0.0 {
        (excess, a.signum())
    } else {
        (0.0, 0.0)
    }
}

/// Offsets of a width-3 convolution's kernel `K [m, m, 3]` and bias `[m]`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Conv {
    weight: usize,
    bias: usize,
}

impl Conv {
    /// Glorot-uniform kernel (fan_in = fan_out = 3m: bound √(1/m)), zero bias.
    pub(super) fn register(
        params: &mut ParamStore,
        name: &str,
        maps: usize,
        rng: &mut Pcg32,
    ) -> Conv {
        let bound = (6.0 / (6 * maps) as f32).sqrt();
        Conv {
            weight: params.add_uniform(&format!("{name}.weight"), &[maps, maps, 3], bound, rng),
            bias: params.add_constant(&format!("{name}.bias"), &[maps], 0.0),
        }
    }

    /// `out[o, x] = b[o] + constant + Σ_i Σ_t K[o, i, t]·s[i, x + t − 1]` (zero outside the
    /// row), as one matrix product `K · col(s)` with `K` read as `[m][3m]` and `col` from
    /// [`im2col`].
    pub(super) fn forward(
        &self,
        p: &[f32],
        maps: usize,
        width: usize,
        col: &[f32],
        constant: f32,
    ) -> Vec<f32> {
        let mut out = vec![0.0; maps * width];
        for (o, row) in out.chunks_exact_mut(width).enumerate() {
            row.fill(p[self.bias + o] + constant);
        }
        let kernel = &p[self.weight..self.weight + maps * maps * 3];
        matmul_accumulate(kernel, col, &mut out, maps, 3 * maps, width);
        out
    }

    /// Backward of [`Conv::forward`] from `dout`: `dK += dout · colᵀ`, `db += dout 1`,
    /// `ds += col2im(Kᵀ · dout)`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn backward(
        &self,
        p: &[f32],
        grads: &mut [f32],
        maps: usize,
        width: usize,
        col: &[f32],
        dout: &[f32],
        ds: &mut [f32],
    ) {
        for (o, drow) in dout.chunks_exact(width).enumerate() {
            grads[self.bias + o] += drow.iter().sum::<f32>();
        }
        let weight = self.weight..self.weight + maps * maps * 3;
        matmul_transposed_b_accumulate(
            dout,
            col,
            &mut grads[weight.clone()],
            maps,
            3 * maps,
            width,
        );
        let mut dcol = vec![0.0; col.len()];
        matmul_transposed_a_accumulate(&p[weight], dout, &mut dcol, maps, 3 * maps, width);
        col2im_accumulate(&dcol, width, ds);
    }
}

/// `col[(i·3 + t)][x] = s[i][x + t − 1]`, 0 outside the row: tap t of map i as one row.
pub(super) fn im2col(s: &[f32], maps: usize, width: usize) -> Vec<f32> {
    let mut col = vec![0.0; 3 * maps * width];
    for (i, row) in s.chunks_exact(width).enumerate() {
        let taps = &mut col[3 * i * width..3 * (i + 1) * width];
        let (left, rest) = taps.split_at_mut(width);
        let (centre, right) = rest.split_at_mut(width);
        left[1..].copy_from_slice(&row[..width - 1]);
        centre.copy_from_slice(row);
        right[..width - 1].copy_from_slice(&row[1..]);
    }
    col
}

/// The adjoint of [`im2col`]: `ds += col2im(dcol)`.
pub(super) fn col2im_accumulate(dcol: &[f32], width: usize, ds: &mut [f32]) {
    for (i, row) in ds.chunks_exact_mut(width).enumerate() {
        let taps = &dcol[3 * i * width..3 * (i + 1) * width];
        let (left, rest) = taps.split_at(width);
        let (centre, right) = rest.split_at(width);
        for x in 0..width {
            row[x] += centre[x];
        }
        for x in 0..width - 1 {
            row[x] += left[x + 1];
            row[x + 1] += right[x];
        }
    }
}

/// Where channel `c` of `shift(s)` reads from: 0 (in place), −1 (x − 1) or +1 (x + 1).
pub fn shift_of(c: usize, maps: usize) -> isize {
    let k = maps / 3;
    if c < maps - 2 * k {
        0
    } else if c < maps - k {
        -1
    } else {
        1
    }
}

/// `shift(s)`, or with `backward` its transpose (what `∂/∂s` of a shifted image is).
pub(super) fn shift(s: &[f32], maps: usize, width: usize, backward: bool) -> Vec<f32> {
    let mut out = vec![0.0; s.len()];
    for c in 0..maps {
        let (from, to) = (&s[c * width..][..width], &mut out[c * width..][..width]);
        let offset = if backward {
            -shift_of(c, maps)
        } else {
            shift_of(c, maps)
        };
        match offset {
            0 => to.copy_from_slice(from),
            -1 => to[1..].copy_from_slice(&from[..width - 1]),
            _ => to[..width - 1].copy_from_slice(&from[1..]),
        }
    }
    out
}

/// Each piece's backward on its own against central differences of `Σ c ⊙ output` for
/// fixed random coefficients `c` (the whole model's gradient is checked in
/// tests/suite/neural_gpu_diag.rs).
#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::{check, Tolerance};

    const TOLERANCE: Tolerance = Tolerance {
        step: 1e-3,
        absolute: 1e-3,
        relative: 1e-2,
    };

    fn random(rng: &mut Pcg32, len: usize) -> Vec<f32> {
        (0..len).map(|_| rng.uniform(-1.5, 1.5)).collect()
    }

    fn weighted(c: &[f32], values: &[f32]) -> f64 {
        c.iter()
            .zip(values)
            .map(|(a, b)| *a as f64 * *b as f64)
            .sum()
    }

    #[test]
    fn the_hard_activations_and_the_saturation_excess_match_finite_differences() {
        let mut rng = Pcg32::new(3);
        // Away from the kinks at ±1 (hσ, hτ) and ±0.9 (the excess), where no derivative
        // exists; both sides of each are sampled.
        let points: Vec<f32> = (0..200)
            .map(|_| rng.uniform(-2.0, 2.0))
            .filter(|a| (a.abs() - 1.0).abs() > 0.01 && (a.abs() - SATURATION_LIMIT).abs() > 0.01)
            .collect();
        assert!(points.iter().any(|a| a.abs() > 1.0) && points.iter().any(|a| a.abs() < 0.9));
        let excess = |a: f32| saturation_excess(a).0;
        let excess_derivative = |a: f32| saturation_excess(a).1;
        // A piece: its name, the function and its derivative.
        type Piece = (&'static str, fn(f32) -> f32, fn(f32) -> f32);
        let pieces: [Piece; 3] = [
            ("hard sigmoid", hard_sigmoid, hard_sigmoid_derivative),
            ("hard tanh", hard_tanh, hard_tanh_derivative),
            ("saturation excess", excess, excess_derivative),
        ];
        for (name, f, derivative) in pieces {
            for &a in &points {
                let objective = |x: &[f32]| f(x[0]) as f64;
                if let Err(e) = check(objective, &[a], &[derivative(a)], [0], TOLERANCE) {
                    panic!("{name} at {a}: {e}");
                }
            }
        }
    }

    #[test]
    fn the_width_3_convolution_s_backward_matches_finite_differences() {
        let (maps, width, constant) = (4, 5, 0.3);
        let mut rng = Pcg32::new(5);
        let mut params = ParamStore::new();
        let conv = Conv::register(&mut params, "conv", maps, &mut rng);
        let p = random(&mut rng, params.len());
        let s = random(&mut rng, maps * width);
        let c = random(&mut rng, maps * width);
        let mut grads = vec![0.0; p.len()];
        let mut ds = vec![0.0; s.len()];
        let col = im2col(&s, maps, width);
        conv.backward(&p, &mut grads, maps, width, &col, &c, &mut ds);
        let of_parameters = |p: &[f32]| weighted(&c, &conv.forward(p, maps, width, &col, constant));
        let of_input = |s: &[f32]| {
            let col = im2col(s, maps, width);
            weighted(&c, &conv.forward(&p, maps, width, &col, constant))
        };
        check(of_parameters, &p, &grads, 0..p.len(), TOLERANCE).unwrap();
        check(of_input, &s, &ds, 0..s.len(), TOLERANCE).unwrap();
    }

    #[test]
    fn the_shift_s_backward_matches_finite_differences() {
        // m = 7: a third is k = 2 maps each way, so 3 stay, 2 move right, 2 left.
        let (maps, width) = (7, 5);
        assert_eq!(
            (0..maps).map(|c| shift_of(c, maps)).collect::<Vec<_>>(),
            [0, 0, 0, -1, -1, 1, 1]
        );
        let mut rng = Pcg32::new(7);
        let s = random(&mut rng, maps * width);
        let c = random(&mut rng, maps * width);
        let analytic = shift(&c, maps, width, true);
        let objective = |s: &[f32]| weighted(&c, &shift(s, maps, width, false));
        check(objective, &s, &analytic, 0..s.len(), TOLERANCE).unwrap();
    }
}
