//! 3 × 3 convolutions with zero padding 1 over channel-major images (`[C][h][n]`), as
//! the Neural GPU's CGRU uses them (neural_gpu.md §5.1), forward and backward.
//!
//! A convolution is computed as one matrix product over an im2col buffer:
//! `col[(i·9 + a·3 + b)][y·n + x] = in[i][y + a − 1][x + b − 1]` (0 outside the image),
//! so with the kernel `K[o][i][a][b]` read as a matrix `K[o][i·9 + a·3 + b]` (PyTorch's
//! layout, the checkpoint's),
//! ```text
//! out = K · col + b 1ᵀ             [C_out][h·n]
//! dK += dout · colᵀ,  db += dout 1,  dcol = Kᵀ · dout,  din = col2im(dcol)
//! ```
//! The products are [`super::matmul`]'s.

use super::matmul::{
    matmul_accumulate, matmul_transposed_a_accumulate, matmul_transposed_b_accumulate,
};

/// Taps of a 3 × 3 kernel.
pub const TAPS: usize = 9;

/// Writes `col` (`[C·9][h·n]`, overwritten) from `image` (`[C][h][n]`).
pub fn im2col(image: &[f32], channels: usize, height: usize, width: usize, col: &mut [f32]) {
    let plane = height * width;
    debug_assert_eq!(image.len(), channels * plane);
    debug_assert_eq!(col.len(), channels * TAPS * plane);
    for i in 0..channels {
        let source = &image[i * plane..(i + 1) * plane];
        for a in 0..3 {
            for b in 0..3 {
                let row = &mut col[(i * TAPS + a * 3 + b) * plane..][..plane];
                shift_into(source, height, width, a, b, row);
            }
        }
    }
}

/// `row[y][x] = source[y + a − 1][x + b − 1]`, 0 outside.
fn shift_into(source: &[f32], height: usize, width: usize, a: usize, b: usize, row: &mut [f32]) {
    for y in 0..height {
        let out = &mut row[y * width..(y + 1) * width];
        let Some(source_y) = (y + a).checked_sub(1).filter(|&s| s < height) else {
            out.fill(0.0);
            continue;
        };
        let source_row = &source[source_y * width..(source_y + 1) * width];
        match b {
            0 => {
                out[0] = 0.0;
                out[1..].copy_from_slice(&source_row[..width - 1]);
            }
            1 => out.copy_from_slice(source_row),
            _ => {
                out[..width - 1].copy_from_slice(&source_row[1..]);
                out[width - 1] = 0.0;
            }
        }
    }
}

/// The adjoint of [`im2col`]: `image += col2im(col)`.
pub fn col2im_accumulate(
    col: &[f32],
    channels: usize,
    height: usize,
    width: usize,
    image: &mut [f32],
) {
    let plane = height * width;
    debug_assert_eq!(image.len(), channels * plane);
    for i in 0..channels {
        let target = &mut image[i * plane..(i + 1) * plane];
        for a in 0..3 {
            for b in 0..3 {
                let row = &col[(i * TAPS + a * 3 + b) * plane..][..plane];
                for y in 0..height {
                    let Some(target_y) = (y + a).checked_sub(1).filter(|&s| s < height) else {
                        continue;
                    };
                    let source = &row[y * width..(y + 1) * width];
                    let out = &mut target[target_y * width..(target_y + 1) * width];
                    match b {
                        0 => add(&source[1..], &mut out[..width - 1]),
                        1 => add(source, out),
                        _ => add(&source[..width - 1], &mut out[1..]),
                    }
                }
            }
        }
    }
}

fn add(source: &[f32], target: &mut [f32]) {
    for (t, &s) in target.iter_mut().zip(source) {
        *t += s;
    }
}

/// Shapes of one 3 × 3 convolution over an `h × n` image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv3x3 {
    pub in_channels: usize,
    pub out_channels: usize,
    pub height: usize,
    pub width: usize,
}

impl Conv3x3 {
    pub fn plane(&self) -> usize {
        self.height * self.width
    }

    /// Entries of the im2col buffer.
    pub fn col_len(&self) -> usize {
        self.in_channels * TAPS * self.plane()
    }

    /// `out = K · col + b` (`out` overwritten), from an im2col buffer of the input.
    pub fn forward(&self, kernel: &[f32], bias: &[f32], col: &[f32], out: &mut [f32]) {
        let plane = self.plane();
        for (row, &b) in out.chunks_exact_mut(plane).zip(bias) {
            row.fill(b);
        }
        matmul_accumulate(
            kernel,
            col,
            out,
            self.out_channels,
            self.in_channels * TAPS,
            plane,
        );
    }

    /// Accumulates `dK += dout · colᵀ`, `db += Σ dout` and `dcol += Kᵀ · dout` (pass
    /// `dcol` to [`col2im_accumulate`] for the input gradient; convolutions of the same
    /// input can share it).
    pub fn backward(
        &self,
        kernel: &[f32],
        col: &[f32],
        dout: &[f32],
        dkernel: &mut [f32],
        dbias: &mut [f32],
        dcol: &mut [f32],
    ) {
        let plane = self.plane();
        let k = self.in_channels * TAPS;
        matmul_transposed_b_accumulate(dout, col, dkernel, self.out_channels, k, plane);
        for (db, row) in dbias.iter_mut().zip(dout.chunks_exact(plane)) {
            *db += row.iter().sum::<f32>();
        }
        matmul_transposed_a_accumulate(kernel, dout, dcol, self.out_channels, k, plane);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Direct convolution, straight from the definition.
    fn direct(input: &[f32], kernel: &[f32], bias: &[f32], shape: Conv3x3) -> Vec<f32> {
        let (h, n) = (shape.height as isize, shape.width as isize);
        let mut out = vec![0.0; shape.out_channels * shape.plane()];
        for o in 0..shape.out_channels {
            for y in 0..h {
                for x in 0..n {
                    let mut sum = bias[o] as f64;
                    for i in 0..shape.in_channels {
                        for a in 0..3isize {
                            for b in 0..3isize {
                                let (sy, sx) = (y + a - 1, x + b - 1);
                                if sy < 0 || sy >= h || sx < 0 || sx >= n {
                                    continue;
                                }
                                let k = kernel[((o * shape.in_channels + i) * 3 + a as usize) * 3
                                    + b as usize];
                                let v = input
                                    [(i * h as usize + sy as usize) * n as usize + sx as usize];
                                sum += (k * v) as f64;
                            }
                        }
                    }
                    out[(o * h as usize + y as usize) * n as usize + x as usize] = sum as f32;
                }
            }
        }
        out
    }

    #[test]
    fn the_im2col_product_equals_the_direct_convolution_and_col2im_is_its_adjoint() {
        let mut rng = crate::rng::Pcg32::new(3);
        for (in_channels, out_channels, height, width) in [(1, 1, 1, 1), (3, 5, 2, 4), (6, 7, 4, 9)]
        {
            let shape = Conv3x3 {
                in_channels,
                out_channels,
                height,
                width,
            };
            let input: Vec<f32> = (0..in_channels * shape.plane())
                .map(|_| rng.uniform(-1.0, 1.0))
                .collect();
            let kernel: Vec<f32> = (0..out_channels * in_channels * TAPS)
                .map(|_| rng.uniform(-1.0, 1.0))
                .collect();
            let bias: Vec<f32> = (0..out_channels).map(|_| rng.uniform(-1.0, 1.0)).collect();
            let mut col = vec![0.0; shape.col_len()];
            im2col(&input, in_channels, height, width, &mut col);
            let mut out = vec![0.0; out_channels * shape.plane()];
            shape.forward(&kernel, &bias, &col, &mut out);
            for (a, e) in out.iter().zip(direct(&input, &kernel, &bias, shape)) {
                assert!((a - e).abs() < 1e-5, "{a} vs {e}");
            }
            // ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩ for any x and c.
            let probe: Vec<f32> = (0..col.len()).map(|_| rng.uniform(-1.0, 1.0)).collect();
            let mut back = vec![0.0; input.len()];
            col2im_accumulate(&probe, in_channels, height, width, &mut back);
            let left: f64 = col.iter().zip(&probe).map(|(a, b)| (a * b) as f64).sum();
            let right: f64 = input.iter().zip(&back).map(|(a, b)| (a * b) as f64).sum();
            assert!((left - right).abs() < 1e-4, "{left} vs {right}");
        }
    }
}
