//! Content-based addressing (models.md §0):
//!
//! ```text
//! ‖v‖ = sqrt(Σ v² + 1e-6)
//! K(u, v) = (u · v) / (‖u‖ ‖v‖ + 1e-6)
//! c[i] = softmax_i( β · K(k, M[i]) )
//! ```

use crate::ops::activation::{softmax_backward, softmax_in_place};
use crate::ops::linalg::dot;

const NORM_EPSILON: f32 = 1e-6;
const DENOMINATOR_EPSILON: f32 = 1e-6;

fn norm(v: &[f32]) -> f32 {
    (dot(v, v) + NORM_EPSILON).sqrt()
}

/// `‖M[i]‖` for every row. Computed once per memory state and shared by every head
/// that addresses that state, forward and backward.
pub fn row_norms(memory: &[f32], width: usize) -> Vec<f32> {
    memory.chunks_exact(width).map(norm).collect()
}

/// Writes `K(key, M[i])` into `similarity` and the content weighting into `weights`;
/// `norms` are the memory's [`row_norms`].
pub fn content_weighting(
    memory: &[f32],
    norms: &[f32],
    key: &[f32],
    strength: f32,
    similarity: &mut [f32],
    weights: &mut [f32],
) {
    let key_norm = norm(key);
    let rows = memory.chunks_exact(key.len()).zip(norms);
    for ((row, &row_norm), (s, w)) in rows.zip(similarity.iter_mut().zip(weights.iter_mut())) {
        *s = dot(key, row) / (key_norm * row_norm + DENOMINATOR_EPSILON);
        *w = strength * *s;
    }
    softmax_in_place(weights);
}

/// Backward of [`content_weighting`] given `dweights`: accumulates into `dmemory` and
/// `dkey`, and returns `dstrength`.
#[allow(clippy::too_many_arguments)]
pub fn content_weighting_backward(
    memory: &[f32],
    norms: &[f32],
    key: &[f32],
    strength: f32,
    similarity: &[f32],
    weights: &[f32],
    dweights: &[f32],
    dmemory: &mut [f32],
    dkey: &mut [f32],
) -> f32 {
    let width = key.len();
    let mut dscore = vec![0.0; weights.len()];
    softmax_backward(weights, dweights, &mut dscore);
    let key_norm = norm(key);
    let mut dstrength = 0.0;
    let mut key_self_coefficient = 0.0;
    for (i, row) in memory.chunks_exact(width).enumerate() {
        dstrength += dscore[i] * similarity[i];
        let dsimilarity = dscore[i] * strength;
        if dsimilarity == 0.0 {
            continue;
        }
        let row_norm = norms[i];
        let denominator = key_norm * row_norm + DENOMINATOR_EPSILON;
        // K = dot / D with D = ‖k‖‖m‖ + ε:
        // ∂K/∂k = m/D − dot/D² · ‖m‖ k/‖k‖ ;  ∂K/∂m = k/D − dot/D² · ‖k‖ m/‖m‖
        let along_other = dsimilarity / denominator;
        let along_self = dsimilarity * similarity[i] / denominator;
        key_self_coefficient += along_self * row_norm / key_norm;
        let row_self_coefficient = along_self * key_norm / row_norm;
        let drow = &mut dmemory[i * width..(i + 1) * width];
        for j in 0..width {
            dkey[j] += along_other * row[j];
            drow[j] += along_other * key[j] - row_self_coefficient * row[j];
        }
    }
    for (d, &k) in dkey.iter_mut().zip(key) {
        *d -= key_self_coefficient * k;
    }
    dstrength
}
