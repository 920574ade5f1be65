//! The DNC's optional improvements (models.md §3.1; Csordás & Schmidhuber 2019), each
//! with its backward: masked content lookup, de-allocation's retained memory, and
//! link-distribution sharpness.

use crate::memory::content::{content_weighting, content_weighting_backward, row_norms};
use serde::{Deserialize, Serialize};

/// models.md §3.1 (Csordás & Schmidhuber 2019), each an option of the DNC.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DncOptions {
    /// Masked content addressing: each head's lookup compares `k ⊙ m` with `M[i] ⊙ m`.
    #[serde(
        rename = "dnc_masking",
        default,
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub masking: bool,
    /// De-allocation: slots freed by the free gates are also erased (`⊙ ψ`).
    #[serde(
        rename = "dnc_deallocation",
        default,
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub deallocation: bool,
    /// Link-distribution sharpness: the forward and backward weightings are sharpened
    /// by per-head exponents before the read modes mix them.
    #[serde(
        rename = "dnc_link_sharpness",
        default,
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub link_sharpness: bool,
}

impl DncOptions {
    /// All three improvements.
    pub const ALL: DncOptions = DncOptions {
        masking: true,
        deallocation: true,
        link_sharpness: true,
    };

    /// None of them: the DNC of models.md §3 (the generative family's DNC memory).
    pub const NONE: DncOptions = DncOptions {
        masking: false,
        deallocation: false,
        link_sharpness: false,
    };

    /// The length of one head's mask (`W`, or 0 without masking) and of each of the
    /// forward and backward sharpness vectors (`R`, or 0 without link sharpness).
    pub fn field_lengths(self, width: usize, reads: usize) -> (usize, usize) {
        (
            if self.masking { width } else { 0 },
            if self.link_sharpness { reads } else { 0 },
        )
    }

    pub fn any(self) -> bool {
        self.masking || self.deallocation || self.link_sharpness
    }
}

/// The content lookup of one head (models.md §0), masked when `mask` is non-empty:
/// `c[i] = softmax_i(β · K(k ⊙ m, M[i] ⊙ m))`. `norms` are `M`'s own row norms, used
/// only without a mask (a mask changes the norms, so they are taken afresh).
pub fn lookup(
    memory: &[f32],
    norms: &[f32],
    key: &[f32],
    mask: &[f32],
    strength: f32,
    similarity: &mut [f32],
    weights: &mut [f32],
) {
    if mask.is_empty() {
        return content_weighting(memory, norms, key, strength, similarity, weights);
    }
    let (memory, key) = (masked(memory, mask), masked(key, mask));
    let norms = row_norms(&memory, mask.len());
    content_weighting(&memory, &norms, &key, strength, similarity, weights);
}

/// Backward of [`lookup`] given `dweights`: accumulates into `dmemory`, `dkey` and
/// `dmask` (empty without a mask) and returns `dstrength`. The masked memory is taken
/// afresh rather than kept from the forward pass (`N × W` per head and step).
#[allow(clippy::too_many_arguments)]
pub fn lookup_backward(
    memory: &[f32],
    norms: &[f32],
    key: &[f32],
    mask: &[f32],
    strength: f32,
    similarity: &[f32],
    weights: &[f32],
    dweights: &[f32],
    dmemory: &mut [f32],
    dkey: &mut [f32],
    dmask: &mut [f32],
) -> f32 {
    if mask.is_empty() {
        return content_weighting_backward(
            memory, norms, key, strength, similarity, weights, dweights, dmemory, dkey,
        );
    }
    let width = mask.len();
    let (masked_memory, masked_key) = (masked(memory, mask), masked(key, mask));
    let masked_norms = row_norms(&masked_memory, width);
    let mut dmasked_memory = vec![0.0; memory.len()];
    let mut dmasked_key = vec![0.0; width];
    let dstrength = content_weighting_backward(
        &masked_memory,
        &masked_norms,
        &masked_key,
        strength,
        similarity,
        weights,
        dweights,
        &mut dmasked_memory,
        &mut dmasked_key,
    );
    // (k ⊙ m)_j and (M[i] ⊙ m)_j: ∂/∂k_j = m_j, ∂/∂M[i][j] = m_j, ∂/∂m_j = k_j or M[i][j].
    for j in 0..width {
        dkey[j] += dmasked_key[j] * mask[j];
        dmask[j] += dmasked_key[j] * key[j];
    }
    for (i, row) in memory.chunks_exact(width).enumerate() {
        for j in 0..width {
            let d = dmasked_memory[i * width + j];
            dmemory[i * width + j] += d * mask[j];
            dmask[j] += d * row[j];
        }
    }
    dstrength
}

/// Every row (or the one vector) of `values` times `mask`, elementwise.
fn masked(values: &[f32], mask: &[f32]) -> Vec<f32> {
    values
        .chunks_exact(mask.len())
        .flat_map(|row| row.iter().zip(mask).map(|(v, m)| v * m))
        .collect()
}

/// De-allocation: the memory the write starts from, `M_{t−1} ⊙ (ψ 1ᵀ)`, so that
/// `M_t = M_{t−1} ⊙ (1 − w eᵀ) ⊙ (ψ 1ᵀ) + w vᵀ` is the usual erase and add on it.
pub fn retained(memory: &[f32], retention: &[f32]) -> Vec<f32> {
    let width = memory.len() / retention.len();
    memory
        .chunks_exact(width)
        .zip(retention)
        .flat_map(|(row, &psi)| row.iter().map(move |v| v * psi))
        .collect()
}

/// Backward of [`retained`] given `dretained`: accumulates into `dmemory` and
/// `dretention`.
pub fn retained_backward(
    memory: &[f32],
    retention: &[f32],
    dretained: &[f32],
    dmemory: &mut [f32],
    dretention: &mut [f32],
) {
    let width = memory.len() / retention.len();
    for (i, (row, drow)) in memory
        .chunks_exact(width)
        .zip(dretained.chunks_exact(width))
        .enumerate()
    {
        for j in 0..width {
            dmemory[i * width + j] += drow[j] * retention[i];
            dretention[i] += drow[j] * row[j];
        }
    }
}

/// Offset that keeps an all-zero weighting (early steps) from a zero power: it becomes
/// uniform.
const SHARPNESS_EPSILON: f32 = 1e-6;

/// Link sharpness: `out = (w + ε)^s / Σ_j (w_j + ε)^s`, computed as
/// `((w + ε)/max)^s` normalised (the max cancels: a constant for differentiation).
pub fn sharpen(weights: &[f32], exponent: f32, out: &mut [f32]) {
    let top = weights.iter().fold(0.0f32, |m, &w| m.max(w)) + SHARPNESS_EPSILON;
    for (o, &w) in out.iter_mut().zip(weights) {
        *o = ((w + SHARPNESS_EPSILON) / top).powf(exponent);
    }
    let sum: f32 = out.iter().sum();
    out.iter_mut().for_each(|o| *o /= sum);
}

/// Backward of [`sharpen`] given `dout`: accumulates into `dweights`, returns the
/// exponent's gradient. With `g_i = out_i (dout_i − Σ_j dout_j out_j)`:
/// `∂/∂w_i = s g_i / (w_i + ε)` and `∂/∂s = Σ_i g_i ln((w_i + ε)/max)`.
pub fn sharpen_backward(
    weights: &[f32],
    exponent: f32,
    out: &[f32],
    dout: &[f32],
    dweights: &mut [f32],
) -> f32 {
    let top = weights.iter().fold(0.0f32, |m, &w| m.max(w)) + SHARPNESS_EPSILON;
    let inner: f32 = dout.iter().zip(out).map(|(d, o)| d * o).sum();
    let mut dexponent = 0.0;
    for i in 0..weights.len() {
        let g = out[i] * (dout[i] - inner);
        let shifted = weights[i] + SHARPNESS_EPSILON;
        dweights[i] += exponent * g / shifted;
        dexponent += g * (shifted / top).ln();
    }
    dexponent
}
