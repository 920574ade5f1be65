//! Losses and metrics of models.md §6, as kernels on one sequence's logits.

use super::activation::{sigmoid, softplus};

/// Loss and metric sums for one sequence (or, added up, a batch).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SequenceScore {
    /// The loss in nats, summed over scored outputs.
    pub loss_nats: f64,
    /// Scored outputs that are wrong: bits on the wrong side of 0, or symbols whose
    /// argmax is not the target.
    pub errors: f64,
    /// Outputs scored: bits, or symbols (the denominator of an error rate).
    pub scored: f64,
    /// Sequences with at least one wrong scored output.
    pub wrong_sequences: f64,
    /// The variational bound's parts (generative models only; zero otherwise).
    pub bound: BoundParts,
    /// A training regulariser's value before its weight, summed over sequences (the
    /// Diagonal Neural GPU's saturation cost; zero otherwise). Never part of `loss_nats`.
    pub regulariser: f64,
}

/// Sums of the generative models' −ELBO parts in nats, over the recall set and over the
/// other frames (generative.md, Metrics).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BoundParts {
    pub recall_reconstruction: f64,
    pub recall_kl: f64,
    pub recall_frames: f64,
    pub other_reconstruction: f64,
    pub other_kl: f64,
    pub other_frames: f64,
}

impl BoundParts {
    pub fn add(&mut self, other: BoundParts) {
        self.recall_reconstruction += other.recall_reconstruction;
        self.recall_kl += other.recall_kl;
        self.recall_frames += other.recall_frames;
        self.other_reconstruction += other.other_reconstruction;
        self.other_kl += other.other_kl;
        self.other_frames += other.other_frames;
    }
}

impl SequenceScore {
    pub fn add(&mut self, other: SequenceScore) {
        self.loss_nats += other.loss_nats;
        self.errors += other.errors;
        self.scored += other.scored;
        self.wrong_sequences += other.wrong_sequences;
        self.bound.add(other.bound);
        self.regulariser += other.regulariser;
    }
}

/// Masked sigmoid cross-entropy of `logits` (`steps × width`) against binary `targets`,
/// with one mask value per step. When `dlogits` is given it receives
/// `scale · mask · (σ(y) − target)`, the gradient of `scale ·` loss.
///
/// Per bit the loss is `softplus(y) − t·y`, which equals `−t ln σ(y) − (1−t) ln(1−σ(y))`
/// without ever taking the log of a rounded probability.
pub fn masked_sigmoid_cross_entropy(
    logits: &[f32],
    targets: &[f32],
    mask: &[f32],
    width: usize,
    scale: f32,
    mut dlogits: Option<&mut [f32]>,
) -> SequenceScore {
    let mut score = SequenceScore::default();
    zero_masked_rows(mask, width, dlogits.as_deref_mut());
    for (t, &m) in mask.iter().enumerate() {
        if m == 0.0 {
            continue;
        }
        let row = t * width..(t + 1) * width;
        score.scored += width as f64;
        for i in row {
            let (y, target) = (logits[i], targets[i]);
            score.loss_nats += (m * (softplus(y) - target * y)) as f64;
            if (y > 0.0) != (target > 0.5) {
                score.errors += m as f64;
            }
            if let Some(d) = dlogits.as_deref_mut() {
                d[i] = scale * m * (sigmoid(y) - target);
            }
        }
    }
    score.wrong_sequences = f64::from(u8::from(score.errors > 0.0));
    score
}

/// Zeroes the gradient rows of the positions the mask leaves out (a loss writes the
/// others).
fn zero_masked_rows(mask: &[f32], width: usize, dlogits: Option<&mut [f32]>) {
    let Some(dlogits) = dlogits.filter(|_| width > 0) else {
        return;
    };
    for (row, _) in dlogits
        .chunks_exact_mut(width)
        .zip(mask)
        .filter(|(_, &m)| m == 0.0)
    {
        row.fill(0.0);
    }
}

/// The index of the largest entry; ties go to the lowest index (neural_gpu.md §5.2).
pub fn argmax(values: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = i;
        }
    }
    best
}

/// Masked softmax cross-entropy of `logits` (`positions × width`) against one-hot
/// `targets`, with label smoothing `smoothing` (the target distribution is
/// `(1 − smoothing)·onehot + smoothing/width`). When `dlogits` is given it receives
/// `scale · mask · (softmax(y) − target distribution)`.
///
/// `−Σ_j q_j log softmax(y)_j` is computed from `log softmax(y) = y − max − ln Σ e^{y−max}`,
/// so no probability is rounded before its log is taken.
///
/// Errors count positions whose argmax is not the target. Where `alternative` holds a
/// second acceptable answer (copy-or-reverse), errors are counted against whichever
/// answer the output is closer to, and a sequence is right when it equals either.
// The arguments are the loss's own inputs; a struct for them would only rename them.
#[allow(clippy::too_many_arguments)]
pub fn masked_softmax_cross_entropy(
    logits: &[f32],
    targets: &[f32],
    alternative: Option<&[f32]>,
    mask: &[f32],
    width: usize,
    smoothing: f32,
    scale: f32,
    mut dlogits: Option<&mut [f32]>,
) -> SequenceScore {
    let mut score = SequenceScore::default();
    let (mut errors, mut alternative_errors) = (0.0f64, 0.0f64);
    let floor = smoothing / width as f32;
    zero_masked_rows(mask, width, dlogits.as_deref_mut());
    for (t, &m) in mask.iter().enumerate() {
        if m == 0.0 {
            continue;
        }
        let row = t * width..(t + 1) * width;
        let y = &logits[row.clone()];
        let target = &targets[row.clone()];
        let max = y.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let log_sum = y.iter().map(|v| (v - max).exp()).sum::<f32>().ln();
        let mut loss = 0.0f32;
        for (j, (&v, &q)) in y.iter().zip(target).enumerate() {
            let q = (1.0 - smoothing) * q + floor;
            let log_p = v - max - log_sum;
            loss -= q * log_p;
            if let Some(d) = dlogits.as_deref_mut() {
                d[row.start + j] = scale * m * (log_p.exp() - q);
            }
        }
        score.loss_nats += (m * loss) as f64;
        score.scored += m as f64;
        let chosen = argmax(y);
        if target[chosen] < 0.5 {
            errors += m as f64;
        }
        if let Some(alternative) = alternative {
            if alternative[row][chosen] < 0.5 {
                alternative_errors += m as f64;
            }
        }
    }
    score.errors = match alternative {
        Some(_) => errors.min(alternative_errors),
        None => errors,
    };
    score.wrong_sequences = f64::from(u8::from(score.errors > 0.0));
    score
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loss_counts_only_masked_steps_and_matches_the_log_form() {
        let logits = [2.0f32, -1.0, 0.5, 3.0];
        let targets = [1.0f32, 1.0, 0.0, 0.0];
        let mask = [1.0f32, 0.0];
        let mut d = [9.0f32; 4];
        let score = masked_sigmoid_cross_entropy(&logits, &targets, &mask, 2, 0.5, Some(&mut d));
        let expected = -(sigmoid(2.0) as f64).ln() - (sigmoid(-1.0) as f64).ln();
        assert!((score.loss_nats - expected).abs() < 1e-6);
        assert_eq!(score.errors, 1.0); // −1.0 against target 1
        assert_eq!(score.scored, 2.0);
        assert_eq!(score.wrong_sequences, 1.0);
        assert_eq!(&d[2..], &[0.0, 0.0]);
        assert!((d[0] - 0.5 * (sigmoid(2.0) - 1.0)).abs() < 1e-7);
    }

    #[test]
    fn softmax_loss_matches_the_log_form_and_either_answer_counts_as_right() {
        // Two positions over three symbols; the output says [2, 0].
        let logits = [0.1f32, -0.3, 1.2, 2.0, 0.5, -1.0];
        let target = [0.0f32, 0.0, 1.0, 1.0, 0.0, 0.0]; // [2, 0]: right
        let other = [1.0f32, 0.0, 0.0, 0.0, 0.0, 1.0]; // [0, 2]: both wrong
        let mask = [1.0f32, 1.0];
        let mut d = [0.0f32; 6];
        let score = masked_softmax_cross_entropy(
            &logits,
            &other,
            Some(&target),
            &mask,
            3,
            0.0,
            1.0,
            Some(&mut d),
        );
        let log_softmax = |row: &[f32], j: usize| {
            let sum: f64 = row.iter().map(|&v| (v as f64).exp()).sum();
            row[j] as f64 - sum.ln()
        };
        let expected = -log_softmax(&logits[..3], 0) - log_softmax(&logits[3..], 2);
        assert!((score.loss_nats - expected).abs() < 1e-6);
        assert_eq!(
            (score.errors, score.wrong_sequences, score.scored),
            (0.0, 0.0, 2.0)
        );
        let p0 =
            (logits[0] as f64).exp() / logits[..3].iter().map(|&v| (v as f64).exp()).sum::<f64>();
        assert!((d[0] as f64 - (p0 - 1.0)).abs() < 1e-6);
        let alone = masked_softmax_cross_entropy(&logits, &other, None, &mask, 3, 0.0, 1.0, None);
        assert_eq!((alone.errors, alone.wrong_sequences), (2.0, 1.0));
    }

    #[test]
    fn label_smoothing_spreads_the_target_and_its_gradient_sums_to_zero() {
        let logits = [0.3f32, -0.2, 0.9];
        let target = [0.0f32, 1.0, 0.0];
        let mut d = [0.0f32; 3];
        let score =
            masked_softmax_cross_entropy(&logits, &target, None, &[1.0], 3, 0.3, 1.0, Some(&mut d));
        let sum: f64 = logits.iter().map(|&v| (v as f64).exp()).sum();
        let expected: f64 = logits
            .iter()
            .zip([0.1, 0.8, 0.1])
            .map(|(&v, q)| -q * (v as f64 - sum.ln()))
            .sum();
        assert!((score.loss_nats - expected).abs() < 1e-6);
        assert!(d.iter().sum::<f32>().abs() < 1e-6);
    }
}
