//! Training noise of the Neural GPU family, drawn on the host so every path sees the
//! same: dropout masks (neural_gpu.md §5.1 Regularisers) and scheduled sampling's coins and
//! samples (§5.2 note 4).

use super::{Image, NeuralGpuConfig};
use crate::rng::{derive_seed, Pcg32};

/// Purpose tags of the seeds scheduled sampling draws from.
pub(super) const COINS: u64 = 0x434F_494E;
pub(super) const SAMPLES: u64 = 0x5341_4D50;

/// A symbol drawn from `softmax(logits)` (a constant for differentiation).
pub(super) fn sample(logits: &[f32], rng: &mut Pcg32) -> usize {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let weights: Vec<f32> = logits.iter().map(|y| (y - max).exp()).collect();
    let mut threshold = rng.next_f32() * weights.iter().sum::<f32>();
    for (j, w) in weights.iter().enumerate() {
        threshold -= w;
        if threshold < 0.0 {
            return j;
        }
    }
    weights.len() - 1
}

/// Dropout masks of one training sequence (neural_gpu.md §5.1 Regularisers), drawn on the
/// host from the sequence's noise seed and already divided by the keep probability
/// (inverted dropout, so evaluation needs no rescaling): `encoder[0]` for the embedded
/// input, `encoder[k]` after encoder step k, `decoder[k]` after decoder step k + 1.
/// Masks are constants for differentiation.
pub(super) struct Dropout {
    pub(super) encoder: Vec<Vec<f32>>,
    pub(super) decoder: Vec<Vec<f32>>,
}

/// One inverted-dropout mask of `cells` cells: each kept with probability `keep` (and
/// then worth `1 / keep`, so evaluation needs no rescaling), else 0.
pub(super) fn keep_mask(rng: &mut Pcg32, cells: usize, keep: f32) -> Vec<f32> {
    (0..cells)
        .map(|_| {
            if rng.next_f32() < keep {
                1.0 / keep
            } else {
                0.0
            }
        })
        .collect()
}

pub(super) fn apply(mask: Option<&Vec<f32>>, values: &mut [f32]) {
    if let Some(mask) = mask {
        values.iter_mut().zip(mask).for_each(|(v, m)| *v *= m);
    }
}

/// The training noise of one sequence as the GPU path uploads it (the CPU draws the
/// same inside `forward_backward`).
pub struct TrainingNoise {
    /// Dropout masks (see `Dropout`): the encoder's n_b + 1, then the decoder's n_b, each
    /// `[m][h][n_b]`; empty without dropout.
    pub masks: Vec<Vec<f32>>,
    /// Per decoder step, the uniform draw that picks the fed symbol from the softmax
    /// where scheduled sampling's coin came up (see `sample`), `None` where the target
    /// is fed; empty without scheduled sampling.
    pub samples: Vec<Option<f32>>,
}

/// The training noise of a sequence of width `image.width` with seeds `noise_seed` (its
/// own) and `batch_seed` (its batch's), exactly as `NeuralGpu::forward_backward` draws it.
pub fn training_noise(
    config: &NeuralGpuConfig,
    decoder: bool,
    image: Image,
    noise_seed: u64,
    batch_seed: u64,
) -> TrainingNoise {
    let masks = dropout(config, decoder, image, noise_seed)
        .map(|d| d.encoder.into_iter().chain(d.decoder).collect())
        .unwrap_or_default();
    let samples = match sampled_steps(config, decoder, image, batch_seed) {
        Some(own) => {
            let mut rng = Pcg32::new(derive_seed(noise_seed, SAMPLES));
            own.iter().map(|&o| o.then(|| rng.next_f32())).collect()
        }
        None => Vec::new(),
    };
    TrainingNoise { masks, samples }
}

/// A sequence's dropout masks, or `None` when dropout is off. With rate d the keep
/// probability is `1 − d·8/n` (the 2015 trainer's rule), never under 0.5 (the spec leaves
/// short sequences open); each cell is kept with that probability.
pub(super) fn dropout(
    config: &NeuralGpuConfig,
    decoder: bool,
    image: Image,
    seed: u64,
) -> Option<Dropout> {
    let rate = config.dropout;
    if rate <= 0.0 {
        return None;
    }
    let keep = (1.0 - rate * 8.0 / image.width as f32).clamp(0.5, 1.0);
    let mut rng = Pcg32::new(seed);
    let mut mask = || keep_mask(&mut rng, image.len(), keep);
    let encoder = (0..=image.width).map(|_| mask()).collect();
    let decoder = if decoder {
        (0..image.width).map(|_| mask()).collect()
    } else {
        Vec::new()
    };
    Some(Dropout { encoder, decoder })
}

/// Scheduled sampling's coins (neural_gpu.md §5.2 note 4): one per decoder step for the
/// whole batch, from the batch's seed, true where the decoder feeds its own sample;
/// `None` when the rate is 0 or there is no decoder.
pub(super) fn sampled_steps(
    config: &NeuralGpuConfig,
    decoder: bool,
    image: Image,
    batch_seed: u64,
) -> Option<Vec<bool>> {
    let rate = config.sampling_rate;
    if rate <= 0.0 || !decoder {
        return None;
    }
    let mut rng = Pcg32::new(derive_seed(batch_seed, COINS));
    Some((0..image.width).map(|_| rng.next_f32() < rate).collect())
}
