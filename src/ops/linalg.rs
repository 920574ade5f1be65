//! Dense kernels on row-major f32 slices. Written as plain loops over contiguous rows,
//! with several independent accumulators in `dot` so the compiler can vectorise without
//! reassociating floating-point sums it is not allowed to reorder.

/// Lanes of one vector register's worth of partial sums.
const LANES: usize = 8;
/// Independent accumulators in the main loop of `dot`: enough to hide the latency of
/// fused multiply-adds, which would otherwise serialise on one register.
const ACCUMULATORS: usize = 4;

/// `a · b`.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    const BLOCK: usize = LANES * ACCUMULATORS;
    let mut wide = [[0.0f32; LANES]; ACCUMULATORS];
    let blocks = n / BLOCK;
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
    let rest = blocks * BLOCK;
    let (a, b) = (&a[rest..], &b[rest..]);
    for (chunk_a, chunk_b) in a.chunks_exact(LANES).zip(b.chunks_exact(LANES)) {
        for lane in 0..LANES {
            partial[lane] += chunk_a[lane] * chunk_b[lane];
        }
    }
    let tail = a.len() / LANES * LANES;
    let mut sum = 0.0;
    for i in tail..a.len() {
        sum += a[i] * b[i];
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
pub fn matvec_transposed_accumulate(w: &[f32], y: &[f32], x: &mut [f32]) {
    let cols = x.len();
    debug_assert_eq!(w.len(), y.len() * cols);
    for (&y, row) in y.iter().zip(w.chunks_exact(cols)) {
        if y != 0.0 {
            axpy(y, row, x);
        }
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
