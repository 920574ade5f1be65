//! Dense kernels on row-major f32 slices. Written as plain loops over contiguous rows,
//! with several independent accumulators in `dot` so the compiler can vectorise without
//! reassociating floating-point sums it is not allowed to reorder.

/// Lanes of one vector register's worth of partial sums.
const LANES: usize = 8;
/// Independent accumulators in the main loop of `dot`: enough to hide the latency of
/// fused multiply-adds, which would otherwise serialise on one register.
const ACCUMULATORS: usize = 4;

/// `a · b`: per lane over blocks of `LANES · ACCUMULATORS`, then the lanes' sums, then
/// the tail. Every caller sums in this order, so the bits do not depend on the caller.
/// Always inlined natively (5% on the NTM, whose content lookups are dots of 20);
/// in WebAssembly that measured no faster in the page and 2 KB larger (gzipped).
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
#[cfg_attr(target_arch = "wasm32", inline)]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    const BLOCK: usize = LANES * ACCUMULATORS;
    debug_assert_eq!(a.len(), b.len());
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut wide = [[0.0f32; LANES]; ACCUMULATORS];
    for (block_a, block_b) in a.chunks_exact(BLOCK).zip(b.chunks_exact(BLOCK)) {
        for k in 0..ACCUMULATORS {
            for lane in 0..LANES {
                wide[k][lane] += block_a[k * LANES + lane] * block_b[k * LANES + lane];
            }
        }
    }
    let mut partial = [0.0f32; LANES];
    for accumulator in &wide {
        for lane in 0..LANES {
            partial[lane] += accumulator[lane];
        }
    }
    let rest = n / BLOCK * BLOCK;
    let (a, b) = (&a[rest..], &b[rest..]);
    for (chunk_a, chunk_b) in a.chunks_exact(LANES).zip(b.chunks_exact(LANES)) {
        for lane in 0..LANES {
            partial[lane] += chunk_a[lane] * chunk_b[lane];
        }
    }
    // The tail through iterators, not indices: indexing kept a bounds check per term,
    // which cost the NTM (W = 20, a tail of 4 in every content lookup) about 5%.
    let tail = a.len() / LANES * LANES;
    let mut sum = 0.0;
    for (&a, &b) in a[tail..].iter().zip(&b[tail..]) {
        sum += a * b;
    }
    sum + partial.iter().sum::<f32>()
}

/// `y += alpha · x`.
#[inline]
pub fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    for (y, &x) in y.iter_mut().zip(x) {
        *y += alpha * x;
    }
}

/// `y = W x` for `W` of shape `rows × cols` (`y` overwritten).
pub fn matvec(w: &[f32], x: &[f32], y: &mut [f32]) {
    let cols = x.len();
    debug_assert_eq!(w.len(), y.len() * cols);
    for (y, row) in y.iter_mut().zip(w.chunks_exact(cols)) {
        *y = dot(row, x);
    }
}

/// `y += W x` for `W` of shape `rows × cols`.
pub fn matvec_accumulate(w: &[f32], x: &[f32], y: &mut [f32]) {
    let cols = x.len();
    debug_assert_eq!(w.len(), y.len() * cols);
    for (y, row) in y.iter_mut().zip(w.chunks_exact(cols)) {
        *y += dot(row, x);
    }
}

/// `x += Wᵀ y` for `W` of shape `rows × cols` (`y` has `rows` entries, `x` has `cols`).
/// Natively a block of `x` at a time is summed over every row in registers, so `W` is
/// read once and `x` written once; in WebAssembly adding each row of `W` to `x` in turn
/// measured faster (12% in the page), so it does that.
///
/// Each entry of `x` gets its rows' terms in row order whatever the block, so the block
/// widths change the speed, not the bits. The widest block (64 columns: eight AVX
/// registers) keeps eight independent chains of additions in flight; one 16-column
/// block waited on the latency of its two (measured: the NTM's LSTM backward).
pub fn matvec_transposed_accumulate(w: &[f32], y: &[f32], x: &mut [f32]) {
    if cfg!(target_arch = "wasm32") {
        let cols = x.len();
        for (&y, row) in y.iter().zip(w.chunks_exact(cols)) {
            if y != 0.0 {
                axpy(y, row, x);
            }
        }
        return;
    }
    let cols = x.len();
    debug_assert_eq!(w.len(), y.len() * cols);
    // Blocks of 64 columns, then 16, then the last columns in blocks of 8, 4 and 1, each
    // a width the compiler unrolls: one loop over a runtime width of up to 15 ran a lane
    // at a time (the LSTM's input weights, 29 columns for the NTM on copy, left 13). That
    // loop added zero rows' terms, which the blocks skip: the same bits for finite
    // weights, since a sum begun at +0 never becomes −0 and adding ±0 to anything else
    // leaves it unchanged.
    let mut c0 = 0;
    macro_rules! blocks {
        ($($width:literal)*) => {$(
            while cols - c0 >= $width {
                transposed_block::<$width>(w, y, x, c0);
                c0 += $width;
            }
        )*};
    }
    blocks!(64 16 8 4 1);
}

/// `x[c0..c0+N] += Σ_r y_r W[r, c0..c0+N]`, the sums in registers.
#[inline(always)]
fn transposed_block<const N: usize>(w: &[f32], y: &[f32], x: &mut [f32], c0: usize) {
    let cols = x.len();
    let mut sums = [0.0f32; N];
    for (&g, row) in y.iter().zip(w.chunks_exact(cols)) {
        if g == 0.0 {
            continue;
        }
        let block: &[f32; N] = row[c0..c0 + N].try_into().expect("a full block of columns");
        for j in 0..N {
            sums[j] += g * block[j];
        }
    }
    for (x, s) in x[c0..c0 + N].iter_mut().zip(&sums) {
        *x += s;
    }
}

/// `W += y xᵀ` for `W` of shape `rows × cols`.
pub fn outer_accumulate(y: &[f32], x: &[f32], w: &mut [f32]) {
    let cols = x.len();
    debug_assert_eq!(w.len(), y.len() * cols);
    for (&y, row) in y.iter().zip(w.chunks_exact_mut(cols)) {
        if y != 0.0 {
            axpy(y, x, row);
        }
    }
}

/// Rows and columns of `W` that [`outer_products_accumulate`] keeps in registers: 4 × 16
/// natively (AVX), 4 × 8 in WebAssembly, whose 128-bit vectors would spill a wider block
/// (measured in the page: 8 columns trained 3% faster there than 16).
const BLOCK_ROWS: usize = 4;
#[cfg(not(target_arch = "wasm32"))]
const BLOCK_COLS: usize = 16;
#[cfg(target_arch = "wasm32")]
const BLOCK_COLS: usize = 8;

/// `W += Σ_t dy_t x_tᵀ` and `b += Σ_t dy_t` for `dy` (`steps × rows`) and `x`
/// (`steps × cols`): the weight gradient of `y_t = W x_t + b` over many steps, as the
/// product `dYᵀ X`. Each 4 × 16 block of `W` is summed over every step in registers and
/// written once, where a rank-one update per step would read and write all of `W` every
/// step.
pub fn outer_products_accumulate(dy: &[f32], x: &[f32], w: &mut [f32], b: &mut [f32]) {
    let rows = b.len();
    let cols = w.len() / rows.max(1);
    let steps = dy.len() / rows.max(1);
    debug_assert_eq!(x.len(), steps * cols);
    for (r, bias) in b.iter_mut().enumerate() {
        *bias += (0..steps).map(|t| dy[t * rows + r]).sum::<f32>();
    }
    let full_cols = cols / BLOCK_COLS * BLOCK_COLS;
    for r0 in (0..rows).step_by(BLOCK_ROWS) {
        let block_rows = BLOCK_ROWS.min(rows - r0);
        for c0 in (0..full_cols).step_by(BLOCK_COLS) {
            let sums = if block_rows == BLOCK_ROWS {
                full_block_sums(dy, x, rows, cols, r0, c0)
            } else {
                partial_block_sums(dy, x, rows, cols, (r0, block_rows), (c0, BLOCK_COLS))
            };
            for (i, sum) in sums.iter().enumerate().take(block_rows) {
                let row = &mut w[(r0 + i) * cols + c0..][..BLOCK_COLS];
                for (w, s) in row.iter_mut().zip(sum) {
                    *w += s;
                }
            }
        }
    }
    for c in full_cols..cols {
        column_outer_products(dy, x, (rows, cols), c, w);
    }
}

/// Rows of one column of `W` that [`column_outer_products`] sums in registers.
const COLUMN_BLOCK: usize = 32;

/// `W[·, c] += Σ_t dy_t x_t[c]` for one column left over after the full blocks of
/// columns: the sums run down the rows, where `dy_t` is contiguous, so they vectorise
/// however few columns are left (a 4 × 16 block cut to 4 × 2 ran one lane in eight).
/// Each entry is still summed over the steps in order, then added to `W`: the same bits
/// as any other blocking.
fn column_outer_products(
    dy: &[f32],
    x: &[f32],
    (rows, cols): (usize, usize),
    c: usize,
    w: &mut [f32],
) {
    let mut r0 = 0;
    while r0 < rows {
        let block = COLUMN_BLOCK.min(rows - r0);
        let mut sums = [0.0f32; COLUMN_BLOCK];
        if block == COLUMN_BLOCK {
            for (dy_t, x_t) in dy.chunks_exact(rows).zip(x.chunks_exact(cols)) {
                let g: &[f32; COLUMN_BLOCK] = dy_t[r0..r0 + COLUMN_BLOCK]
                    .try_into()
                    .expect("a full block of rows");
                let v = x_t[c];
                for k in 0..COLUMN_BLOCK {
                    sums[k] += g[k] * v;
                }
            }
        } else {
            for (dy_t, x_t) in dy.chunks_exact(rows).zip(x.chunks_exact(cols)) {
                let v = x_t[c];
                for (s, &g) in sums.iter_mut().zip(&dy_t[r0..r0 + block]) {
                    *s += g * v;
                }
            }
        }
        for (k, s) in sums.iter().enumerate().take(block) {
            w[(r0 + k) * cols + c] += s;
        }
        r0 += block;
    }
}

/// `Σ_t dy_t[r0..r0+4] x_t[c0..c0+16]ᵀ` with the sums in four named rows, which the
/// compiler keeps in vector registers.
fn full_block_sums(
    dy: &[f32],
    x: &[f32],
    rows: usize,
    cols: usize,
    r0: usize,
    c0: usize,
) -> [[f32; BLOCK_COLS]; BLOCK_ROWS] {
    let (mut s0, mut s1, mut s2, mut s3) = (
        [0.0f32; BLOCK_COLS],
        [0.0; BLOCK_COLS],
        [0.0; BLOCK_COLS],
        [0.0; BLOCK_COLS],
    );
    for (dy_t, x_t) in dy.chunks_exact(rows).zip(x.chunks_exact(cols)) {
        let x_block: &[f32; BLOCK_COLS] = x_t[c0..c0 + BLOCK_COLS]
            .try_into()
            .expect("a full block of columns");
        let g = &dy_t[r0..r0 + BLOCK_ROWS];
        for j in 0..BLOCK_COLS {
            s0[j] += g[0] * x_block[j];
            s1[j] += g[1] * x_block[j];
            s2[j] += g[2] * x_block[j];
            s3[j] += g[3] * x_block[j];
        }
    }
    [s0, s1, s2, s3]
}

/// The same for a block cut short by the edge of `W`.
fn partial_block_sums(
    dy: &[f32],
    x: &[f32],
    rows: usize,
    cols: usize,
    (r0, block_rows): (usize, usize),
    (c0, block_cols): (usize, usize),
) -> [[f32; BLOCK_COLS]; BLOCK_ROWS] {
    let mut sums = [[0.0f32; BLOCK_COLS]; BLOCK_ROWS];
    for (dy_t, x_t) in dy.chunks_exact(rows).zip(x.chunks_exact(cols)) {
        for (i, sum) in sums.iter_mut().enumerate().take(block_rows) {
            let g = dy_t[r0 + i];
            for (s, &v) in sum.iter_mut().zip(&x_t[c0..c0 + block_cols]) {
                *s += g * v;
            }
        }
    }
    sums
}

/// Backward of `y = W x + b` in one pass over `W`'s rows: `dW += dy xᵀ`, `db += dy`,
/// and, when `dx` is given, `dx += Wᵀ dy`.
pub fn affine_backward(
    w: &[f32],
    x: &[f32],
    dy: &[f32],
    dw: &mut [f32],
    db: &mut [f32],
    mut dx: Option<&mut [f32]>,
) {
    let cols = x.len();
    for (r, &g) in dy.iter().enumerate() {
        if g == 0.0 {
            continue;
        }
        db[r] += g;
        axpy(g, x, &mut dw[r * cols..(r + 1) * cols]);
        if let Some(dx) = dx.as_deref_mut() {
            axpy(g, &w[r * cols..(r + 1) * cols], dx);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_matches_naive_sum_for_every_tail_length() {
        for n in 0..80 {
            let a: Vec<f32> = (0..n).map(|i| i as f32 * 0.5 - 2.0).collect();
            let b: Vec<f32> = (0..n).map(|i| 1.0 - i as f32 * 0.25).collect();
            let naive: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert!((dot(&a, &b) - naive).abs() < 1e-4, "n = {n}");
        }
    }

    #[test]
    fn matvec_matches_naive_sums_for_every_row_count_and_tail() {
        for rows in 1..10 {
            for cols in 1..41 {
                let w: Vec<f32> = (0..rows * cols)
                    .map(|i| ((i * 7 % 13) as f32 - 6.0) * 0.25)
                    .collect();
                let x: Vec<f32> = (0..cols).map(|i| 1.0 - i as f32 * 0.125).collect();
                let mut y = vec![0.5; rows];
                matvec_accumulate(&w, &x, &mut y);
                for (r, &got) in y.iter().enumerate() {
                    let naive: f32 = 0.5 + (0..cols).map(|c| w[r * cols + c] * x[c]).sum::<f32>();
                    assert!(
                        (got - naive).abs() < 1e-4,
                        "rows {rows}, cols {cols}, row {r}: {got} vs {naive}"
                    );
                }
            }
        }
    }

    #[test]
    fn matvec_and_its_transpose_agree_with_hand_values() {
        let w = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]; // 2 × 3
        let mut y = [0.0; 2];
        matvec(&w, &[1.0, 0.0, -1.0], &mut y);
        assert_eq!(y, [-2.0, -2.0]);
        matvec_accumulate(&w, &[1.0, 0.0, -1.0], &mut y);
        assert_eq!(y, [-4.0, -4.0]);
        let mut x = [0.0; 3];
        matvec_transposed_accumulate(&w, &[1.0, -1.0], &mut x);
        assert_eq!(x, [-3.0, -3.0, -3.0]);
        let mut outer = [0.0; 6];
        outer_accumulate(&[1.0, 2.0], &[1.0, 0.0, -1.0], &mut outer);
        assert_eq!(outer, [1.0, 0.0, -1.0, 2.0, 0.0, -2.0]);
    }

    #[test]
    fn outer_products_are_summed_over_steps_for_any_shape() {
        // Rows and columns on and off the register blocks: 19 columns leave 3 to the
        // column path, 70 rows fill two of its 32-row blocks and cut the third.
        for (steps, rows, cols) in [(3, 5, 19), (4, 70, 29), (2, 8, 16), (3, 33, 3)] {
            check_outer_products(steps, rows, cols);
        }
    }

    fn check_outer_products(steps: usize, rows: usize, cols: usize) {
        let dy: Vec<f32> = (0..steps * rows).map(|i| (i as f32 * 0.37).sin()).collect();
        let x: Vec<f32> = (0..steps * cols).map(|i| (i as f32 * 0.11).cos()).collect();
        let mut w = vec![1.0; rows * cols];
        let mut b = vec![2.0; rows];
        outer_products_accumulate(&dy, &x, &mut w, &mut b);
        for r in 0..rows {
            let expected: f32 = (0..steps).map(|t| dy[t * rows + r]).sum();
            assert!((b[r] - 2.0 - expected).abs() < 1e-6);
            for c in 0..cols {
                let expected: f32 = (0..steps).map(|t| dy[t * rows + r] * x[t * cols + c]).sum();
                assert!(
                    (w[r * cols + c] - 1.0 - expected).abs() < 1e-5,
                    "{rows} x {cols}: ({r}, {c})"
                );
            }
        }
    }

    #[test]
    fn affine_backward_is_the_three_products() {
        let w = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let x = [1.0, 0.5, -1.0];
        let dy = [2.0, -1.0];
        let (mut dw, mut db, mut dx) = ([0.0; 6], [0.0; 2], [0.0; 3]);
        affine_backward(&w, &x, &dy, &mut dw, &mut db, Some(&mut dx));
        assert_eq!(db, dy);
        assert_eq!(dw, [2.0, 1.0, -2.0, -1.0, -0.5, 1.0]);
        assert_eq!(dx, [-2.0, -1.0, 0.0]);
    }
}
