//! Erase-then-add write shared by the NTM and the DNC (models.md §2, §3):
//! `M_t = M_{t−1} ⊙ (1 − w eᵀ) + w aᵀ`.

/// Writes `M_t` into `next`.
pub fn erase_and_add(
    previous: &[f32],
    weights: &[f32],
    erase: &[f32],
    add: &[f32],
    next: &mut [f32],
) {
    let width = erase.len();
    for (i, (old, new)) in previous
        .chunks_exact(width)
        .zip(next.chunks_exact_mut(width))
        .enumerate()
    {
        let w = weights[i];
        for j in 0..width {
            new[j] = old[j] * (1.0 - w * erase[j]) + w * add[j];
        }
    }
}

/// Backward of [`erase_and_add`] given `dnext = ∂L/∂M_t`; accumulates
/// `dprevious`, `dweights`, `derase` and `dadd`.
#[allow(clippy::too_many_arguments)]
pub fn erase_and_add_backward(
    previous: &[f32],
    weights: &[f32],
    erase: &[f32],
    add: &[f32],
    dnext: &[f32],
    dprevious: &mut [f32],
    dweights: &mut [f32],
    derase: &mut [f32],
    dadd: &mut [f32],
) {
    let width = erase.len();
    for (i, (old, d)) in previous
        .chunks_exact(width)
        .zip(dnext.chunks_exact(width))
        .enumerate()
    {
        let w = weights[i];
        let dold = &mut dprevious[i * width..(i + 1) * width];
        // Elementwise parts first (vectorisable), the reduction for dw separately:
        // ∂M_t[i][j]/∂w_i = a_j − M[i][j] e_j.
        let mut dw = 0.0;
        for j in 0..width {
            dold[j] += d[j] * (1.0 - w * erase[j]);
            derase[j] -= d[j] * old[j] * w;
            dadd[j] += d[j] * w;
        }
        for j in 0..width {
            dw += d[j] * (add[j] - old[j] * erase[j]);
        }
        dweights[i] += dw;
    }
}
