//! Small dense matrix products on row-major f32 slices, for the convolutions
//! ([`super::conv`]) and the Diagonal Neural GPU's width-3 convolutions: register-blocked,
//! so four output rows share each load of a row of the right-hand matrix and a tile of
//! the result stays in registers over the whole sum.

/// `a·b + c`, fused where the target has FMA (natively with `target-cpu=native` on
/// current x86-64): one rounding instead of two and twice the arithmetic per
/// instruction. Elsewhere (wasm32) a fused multiply-add would be a slow library call, so
/// it is a multiply and an add. The two differ by at most one rounding per term, far
/// inside the 1e-4 the paths must agree to (models.md §6).
#[inline(always)]
fn fma(a: f32, b: f32, c: f32) -> f32 {
    if cfg!(target_feature = "fma") {
        a.mul_add(b, c)
    } else {
        a * b + c
    }
}

/// Output rows computed together in [`matmul_accumulate`]: each row of `b` loaded once
/// serves this many rows of `c`.
const ROW_BLOCK: usize = 4;

/// The two factors of a product as the kernel reads them: `a(i, p) = a[i·row_stride +
/// p·sum_stride]` for rows `i < rows` and sums over `p < depth`, and row `p` of `b` (`n`
/// floats). Their bounds are checked once, when made, so that the tiles' loops read
/// without a check per element: those checks and the registers they held were most of
/// the tile loop's instructions, and without them the Neural GPU models trained 19%
/// faster (docs/performance.md).
#[derive(Clone, Copy)]
struct Factors<'x> {
    a: &'x [f32],
    row_stride: usize,
    sum_stride: usize,
    b: &'x [f32],
    rows: usize,
    depth: usize,
    n: usize,
}

impl<'x> Factors<'x> {
    fn new(
        (a, row_stride, sum_stride): (&'x [f32], usize, usize),
        b: &'x [f32],
        (rows, depth, n): (usize, usize, usize),
    ) -> Self {
        // Checked arithmetic: a wrapped product would pass the comparison.
        let last = |rows: usize, depth: usize| {
            (rows.checked_sub(1)?.checked_mul(row_stride))?
                .checked_add(depth.checked_sub(1)?.checked_mul(sum_stride)?)
        };
        if rows > 0 && depth > 0 {
            assert!(
                last(rows, depth).is_some_and(|at| at < a.len()),
                "the left factor is too short for the product"
            );
        }
        assert!(
            depth.checked_mul(n).is_some_and(|len| len <= b.len()),
            "the right factor is too short for the product"
        );
        Factors {
            a,
            row_stride,
            sum_stride,
            b,
            rows,
            depth,
            n,
        }
    }

    /// `a(i, p)`.
    ///
    /// # Safety
    /// `i < rows` and `p < depth`.
    #[inline(always)]
    unsafe fn a(&self, i: usize, p: usize) -> f32 {
        debug_assert!(i < self.rows && p < self.depth);
        // SAFETY: the largest index, (rows − 1)·row_stride + (depth − 1)·sum_stride, was
        // checked in `new`.
        unsafe {
            *self
                .a
                .get_unchecked(i * self.row_stride + p * self.sum_stride)
        }
    }

    /// Columns `j0..j0 + T` of row `p` of `b`.
    ///
    /// # Safety
    /// `p < depth` and `j0 + T ≤ n`.
    #[inline(always)]
    unsafe fn b_tile<const T: usize>(&self, p: usize, j0: usize) -> &'x [f32; T] {
        debug_assert!(p < self.depth && j0 + T <= self.n);
        // SAFETY: `p·n + j0 + T ≤ depth·n ≤ b.len()`, checked in `new`.
        unsafe { &*self.b.as_ptr().add(p * self.n + j0).cast::<[f32; T]>() }
    }

    /// Row `p` of `b`.
    fn b_row(&self, p: usize) -> &'x [f32] {
        &self.b[p * self.n..(p + 1) * self.n]
    }
}

/// `c[i] += Σ_p a(i, p) · b(p)` over rows `c[i]` of `n` (row-major `[rows][n]`), four rows
/// of `c` per pass so each row `b(p)` loaded serves four: the one kernel behind
/// [`matmul_accumulate`] and [`matmul_transposed_a_accumulate`], which differ only in
/// where `a`'s scalars lie. A tile of four rows of `c` stays in registers for all of `p`:
/// a plain loop over whole rows reloads and stores `c` at every `p`, which measured
/// slower than the arithmetic. Natively the tiles are 16 columns wide (8 AVX registers),
/// then one each of 8, 4, 2 and 1. In WebAssembly they are explicit SIMD tiles of 8
/// columns (V8 does not keep the autovectorised loop's rows in registers, and this
/// product is three quarters of a Neural GPU step in the page), then one of 4 (13% on the
/// Diagonal model's short rows of columns), then 2 and 1. Each element still computes
/// `fma(a, b, c)` for `p` in order, so the bits do not depend on the tiling.
#[inline(always)]
fn four_rows_at_a_time(factors: Factors<'_>, c: &mut [f32]) {
    let (rows, n) = (factors.rows, factors.n);
    let full = rows / ROW_BLOCK * ROW_BLOCK;
    for (block, c_rows) in c[..full * n].chunks_exact_mut(ROW_BLOCK * n).enumerate() {
        let i0 = block * ROW_BLOCK;
        let mut j0 = 0;
        // As many tiles of each kind as fit, widest first: `kernel width columns`.
        macro_rules! tiles {
            ($($kernel:ident $width:literal $columns:literal),*) => {$(
                while n - j0 >= $columns {
                    $kernel::<$width>(c_rows, &factors, i0, j0);
                    j0 += $columns;
                }
            )*};
        }
        #[cfg(not(target_arch = "wasm32"))]
        tiles!(tile 16 16, tile 8 8, tile 4 4, tile 2 2, tile 1 1);
        #[cfg(target_arch = "wasm32")]
        tiles!(simd_tile 2 8, simd_tile 1 4, tile 2 2, tile 1 1);
    }
    remaining_rows(full..rows, &factors, c);
}

/// Columns `j0..j0 + T` (within `n`) of the block of [`ROW_BLOCK`] rows of `c` from row
/// `i0` (`c_rows`, rows of `n`), summed over every `p` in registers.
#[inline(always)]
fn tile<const T: usize>(c_rows: &mut [f32], factors: &Factors<'_>, i0: usize, j0: usize) {
    let n = factors.n;
    assert!(i0 + ROW_BLOCK <= factors.rows && j0 + T <= n);
    let mut sums: [[f32; T]; ROW_BLOCK] =
        std::array::from_fn(|r| c_rows[r * n + j0..][..T].try_into().expect("a tile"));
    for p in 0..factors.depth {
        // SAFETY: p < depth, j0 + T ≤ n and the block's rows i0 + r < rows (asserted).
        let (row, alphas) = unsafe {
            let alphas: [f32; ROW_BLOCK] = std::array::from_fn(|r| factors.a(i0 + r, p));
            (factors.b_tile::<T>(p, j0), alphas)
        };
        let [a0, a1, a2, a3] = alphas;
        let [s0, s1, s2, s3] = &mut sums;
        for j in 0..T {
            let v = row[j];
            s0[j] = fma(a0, v, s0[j]);
            s1[j] = fma(a1, v, s1[j]);
            s2[j] = fma(a2, v, s2[j]);
            s3[j] = fma(a3, v, s3[j]);
        }
    }
    for (r, sum) in sums.iter().enumerate() {
        c_rows[r * n + j0..][..T].copy_from_slice(sum);
    }
}

/// Columns `j0..j0 + 4·V` of a block of [`ROW_BLOCK`] rows of `c` (`c_rows`, rows of
/// `n`) in `V` SIMD registers per row, summed over every `p`.
#[cfg(target_arch = "wasm32")]
#[inline(always)]
fn simd_tile<const V: usize>(c_rows: &mut [f32], factors: &Factors<'_>, i0: usize, j0: usize) {
    use core::arch::wasm32::{f32x4_add, f32x4_mul, f32x4_splat, v128, v128_load, v128_store};
    let n = factors.n;
    let width = 4 * V;
    assert!(i0 + ROW_BLOCK <= factors.rows && j0 + width <= n);
    let at = |r: usize, v: usize| r * n + j0 + 4 * v;
    let mut tile = [[f32x4_splat(0.0); V]; ROW_BLOCK];
    for (r, row) in tile.iter_mut().enumerate() {
        for (v, value) in row.iter_mut().enumerate() {
            let at = at(r, v);
            // SAFETY: `at + 4 ≤ r·n + j0 + width ≤ ROW_BLOCK·n`, inside `c_rows`;
            // v128_load has no alignment requirement.
            *value = unsafe { v128_load(c_rows[at..at + 4].as_ptr().cast::<v128>()) };
        }
    }
    for p in 0..factors.depth {
        let row = factors.b_row(p);
        let row = &row[j0..j0 + width];
        // SAFETY: `row` holds `4·V` floats: `V` unaligned 128-bit loads.
        let columns: [v128; V] =
            std::array::from_fn(|v| unsafe { v128_load(row[4 * v..].as_ptr().cast::<v128>()) });
        for (r, sums) in tile.iter_mut().enumerate() {
            // SAFETY: p < depth and i0 + r < rows (asserted).
            let alpha = f32x4_splat(unsafe { factors.a(i0 + r, p) });
            for (sum, &column) in sums.iter_mut().zip(&columns) {
                *sum = f32x4_add(*sum, f32x4_mul(alpha, column));
            }
        }
    }
    for (r, row) in tile.iter().enumerate() {
        for (v, value) in row.iter().enumerate() {
            let at = at(r, v);
            // SAFETY: as for the loads above.
            unsafe { v128_store(c_rows[at..at + 4].as_mut_ptr().cast::<v128>(), *value) };
        }
    }
}

/// Rows `range` of [`four_rows_at_a_time`]'s product one at a time (those past the last
/// whole block of four).
#[inline(always)]
fn remaining_rows(range: std::ops::Range<usize>, factors: &Factors<'_>, c: &mut [f32]) {
    let n = factors.n;
    assert!(range.end <= factors.rows);
    for i in range {
        let c_row = &mut c[i * n..(i + 1) * n];
        for p in 0..factors.depth {
            // SAFETY: i < rows (asserted) and p < depth.
            let alpha = unsafe { factors.a(i, p) };
            for (c, &v) in c_row.iter_mut().zip(factors.b_row(p)) {
                *c = fma(alpha, v, *c);
            }
        }
    }
}

/// `c += a · b` with `a` `[m][k]`, `b` `[k][n]`, `c` `[m][n]`, all row-major.
pub fn matmul_accumulate(a: &[f32], b: &[f32], c: &mut [f32], m: usize, k: usize, n: usize) {
    debug_assert_eq!(c.len(), m * n);
    four_rows_at_a_time(Factors::new((a, k, 1), b, (m, k, n)), c);
}

/// `c += a · bᵀ` with `a` `[m][n]`, `b` `[k][n]`, `c` `[m][k]` (the kernel gradient
/// `dout · colᵀ`). `b` is transposed once (`k·n` copies against `m·k·n` multiply-adds) so
/// that the product runs as [`matmul_accumulate`]'s register-blocked rows instead of
/// `m·k` short dot products.
pub fn matmul_transposed_b_accumulate(
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    m: usize,
    k: usize,
    n: usize,
) {
    debug_assert_eq!(a.len(), m * n);
    debug_assert_eq!(b.len(), k * n);
    debug_assert_eq!(c.len(), m * k);
    matmul_accumulate(a, &transpose(b, k, n), c, m, n, k);
}

/// `bᵀ` (`[n][k]`) of `b` (`[k][n]`). With AVX, whole 8 × 8 blocks go through vector
/// registers (eight loads, 24 shuffles and eight stores per 64 values); a copy a value
/// at a time was 8% of the dependent-output model's step. The edges copy a value at a
/// time. A copy: the bits are the same either way.
fn transpose(b: &[f32], k: usize, n: usize) -> Vec<f32> {
    let mut out = vec![0.0; n * k];
    let (full_k, full_n) = transpose_blocks(b, k, n, &mut out);
    for p in 0..k {
        let columns = if p < full_k { full_n..n } else { 0..n };
        for j in columns {
            out[j * k + p] = b[p * n + j];
        }
    }
    out
}

/// Transposes `b`'s whole 8 × 8 blocks into `out` and returns how far they reach
/// (`k` and `n` rounded down to 8).
#[cfg(all(target_arch = "x86_64", target_feature = "avx"))]
fn transpose_blocks(b: &[f32], k: usize, n: usize, out: &mut [f32]) -> (usize, usize) {
    let (full_k, full_n) = (k / 8 * 8, n / 8 * 8);
    assert!(b.len() >= k * n && out.len() >= k * n);
    for p0 in (0..full_k).step_by(8) {
        for j0 in (0..full_n).step_by(8) {
            // SAFETY: rows p0..p0 + 8 of `b` hold columns j0..j0 + 8 (p0 + 8 ≤ k,
            // j0 + 8 ≤ n, b.len() ≥ k·n), and rows j0..j0 + 8 of `out` hold columns
            // p0..p0 + 8 likewise; AVX is enabled for this build.
            unsafe {
                transpose_8x8(
                    b.as_ptr().add(p0 * n + j0),
                    n,
                    out.as_mut_ptr().add(j0 * k + p0),
                    k,
                )
            };
        }
    }
    (full_k, full_n)
}

/// Without AVX, no blocks: the caller copies every value. (4 × 4 blocks through
/// WebAssembly's SIMD registers measured 1.5% faster on the Neural GPU in the page:
/// not worth their code.)
#[cfg(not(all(target_arch = "x86_64", target_feature = "avx")))]
fn transpose_blocks(_: &[f32], _: usize, _: usize, _: &mut [f32]) -> (usize, usize) {
    (0, 0)
}

/// Writes the transpose of the 8 × 8 block at `from` (rows `from_stride` apart) to `to`
/// (rows `to_stride` apart): interleave pairs of rows, then pairs of pairs, then swap the
/// 128-bit halves.
///
/// # Safety
/// Eight rows of eight floats must be readable at `from` and writable at `to`.
#[cfg(all(target_arch = "x86_64", target_feature = "avx"))]
#[inline(always)]
unsafe fn transpose_8x8(from: *const f32, from_stride: usize, to: *mut f32, to_stride: usize) {
    use std::arch::x86_64::{
        _mm256_loadu_ps, _mm256_permute2f128_ps, _mm256_shuffle_ps, _mm256_storeu_ps,
        _mm256_unpackhi_ps, _mm256_unpacklo_ps,
    };
    let r: [_; 8] = std::array::from_fn(|i| _mm256_loadu_ps(from.add(i * from_stride)));
    let t: [_; 8] = std::array::from_fn(|i| {
        let (a, b) = (r[i / 2 * 2], r[i / 2 * 2 + 1]);
        if i % 2 == 0 {
            _mm256_unpacklo_ps(a, b)
        } else {
            _mm256_unpackhi_ps(a, b)
        }
    });
    // u[c + 4h]: rows 4h..4h + 4's columns c (low half) and c + 4 (high half).
    let u: [_; 8] = std::array::from_fn(|i| {
        let (h, c) = (i / 4, i % 4);
        let (a, b) = (t[4 * h + c / 2], t[4 * h + 2 + c / 2]);
        if c % 2 == 0 {
            _mm256_shuffle_ps::<0x44>(a, b)
        } else {
            _mm256_shuffle_ps::<0xEE>(a, b)
        }
    });
    for c in 0..4 {
        let low = _mm256_permute2f128_ps::<0x20>(u[c], u[c + 4]);
        let high = _mm256_permute2f128_ps::<0x31>(u[c], u[c + 4]);
        _mm256_storeu_ps(to.add(c * to_stride), low);
        _mm256_storeu_ps(to.add((c + 4) * to_stride), high);
    }
}

/// `c += aᵀ · b` with `a` `[m][k]`, `b` `[m][n]`, `c` `[k][n]` (the input gradient
/// `Kᵀ · dout`).
pub fn matmul_transposed_a_accumulate(
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    m: usize,
    k: usize,
    n: usize,
) {
    debug_assert_eq!(c.len(), k * n);
    four_rows_at_a_time(Factors::new((a, 1, k), b, (k, m, n)), c);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tiled_product_has_the_plain_loops_bits_at_every_width() {
        // Every column count from 1 to 40 takes a different mix of tiles (16, 8, 4, 2,
        // 1 natively); each element must still be fma(a, b, c) over p in order.
        let mut rng = crate::rng::Pcg32::new(11);
        let (m, k) = (6, 7);
        for n in 1..=40 {
            let a: Vec<f32> = (0..m * k).map(|_| rng.uniform(-1.0, 1.0)).collect();
            let b: Vec<f32> = (0..k * n).map(|_| rng.uniform(-1.0, 1.0)).collect();
            let start: Vec<f32> = (0..m * n).map(|_| rng.uniform(-1.0, 1.0)).collect();
            let mut c = start.clone();
            matmul_accumulate(&a, &b, &mut c, m, k, n);
            for i in 0..m {
                for j in 0..n {
                    let plain =
                        (0..k).fold(start[i * n + j], |c, p| fma(a[i * k + p], b[p * n + j], c));
                    assert_eq!(
                        c[i * n + j].to_bits(),
                        plain.to_bits(),
                        "n = {n}, ({i}, {j})"
                    );
                }
            }
        }
    }

    #[test]
    #[should_panic(expected = "too short")]
    fn a_factor_too_short_for_the_product_is_refused_before_any_read() {
        // The tiles read without per-element checks; the sizes are checked first.
        let mut c = vec![0.0; 4 * 16];
        matmul_accumulate(&[1.0; 4 * 3 - 1], &[1.0; 3 * 16], &mut c, 4, 3, 16);
    }

    #[test]
    #[should_panic(expected = "too short")]
    fn a_right_factor_too_short_is_refused_too() {
        let mut c = vec![0.0; 3 * 16];
        matmul_transposed_a_accumulate(&[1.0; 4 * 3], &[1.0; 4 * 16 - 1], &mut c, 4, 3, 16);
    }

    #[test]
    fn the_transpose_moves_every_value_exactly() {
        for (k, n) in [(1, 1), (3, 9), (8, 8), (13, 17), (16, 24), (216, 68)] {
            let b: Vec<f32> = (0..k * n).map(|i| i as f32).collect();
            let t = transpose(&b, k, n);
            for p in 0..k {
                for j in 0..n {
                    assert_eq!(t[j * k + p], b[p * n + j], "({p}, {j}) of {k} × {n}");
                }
            }
        }
    }

    #[test]
    fn the_blocked_products_equal_plain_loops() {
        let mut rng = crate::rng::Pcg32::new(5);
        for (m, k, n) in [(1, 1, 1), (4, 3, 5), (7, 10, 3), (9, 13, 17)] {
            let a: Vec<f32> = (0..m * k).map(|_| rng.uniform(-1.0, 1.0)).collect();
            let b: Vec<f32> = (0..k * n).map(|_| rng.uniform(-1.0, 1.0)).collect();
            let mut c = vec![0.5; m * n];
            matmul_accumulate(&a, &b, &mut c, m, k, n);
            for i in 0..m {
                for j in 0..n {
                    let e: f32 = 0.5 + (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum::<f32>();
                    assert!((c[i * n + j] - e).abs() < 1e-5);
                }
            }
            // aᵀ·c' and a·bᵀ against the same definitions.
            let d: Vec<f32> = (0..m * n).map(|_| rng.uniform(-1.0, 1.0)).collect();
            let mut at_d = vec![0.0; k * n];
            matmul_transposed_a_accumulate(&a, &d, &mut at_d, m, k, n);
            for p in 0..k {
                for j in 0..n {
                    let e: f32 = (0..m).map(|i| a[i * k + p] * d[i * n + j]).sum();
                    assert!((at_d[p * n + j] - e).abs() < 1e-5);
                }
            }
            let mut d_bt = vec![0.0; m * k];
            matmul_transposed_b_accumulate(&d, &b, &mut d_bt, m, k, n);
            for i in 0..m {
                for p in 0..k {
                    let e: f32 = (0..n).map(|j| d[i * n + j] * b[p * n + j]).sum();
                    assert!((d_bt[i * k + p] - e).abs() < 1e-5);
                }
            }
        }
    }
}
