//! Losses and metrics of models.md §6.

use super::activation::{sigmoid, softplus};

/// Loss and metric sums for one sequence.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SequenceScore {
    /// Sigmoid cross-entropy in nats, summed over masked output bits.
    pub loss_nats: f64,
    /// Masked output bits where `(y > 0) ≠ target`.
    pub bit_errors: f64,
}

impl SequenceScore {
    pub fn add(&mut self, other: SequenceScore) {
        self.loss_nats += other.loss_nats;
        self.bit_errors += other.bit_errors;
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
    for (t, &m) in mask.iter().enumerate() {
        let row = t * width..(t + 1) * width;
        if m == 0.0 {
            if let Some(d) = dlogits.as_deref_mut() {
                d[row].fill(0.0);
            }
            continue;
        }
        for i in row {
            let (y, target) = (logits[i], targets[i]);
            score.loss_nats += (m * (softplus(y) - target * y)) as f64;
            if (y > 0.0) != (target > 0.5) {
                score.bit_errors += m as f64;
            }
            if let Some(d) = dlogits.as_deref_mut() {
                d[i] = scale * m * (sigmoid(y) - target);
            }
        }
    }
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
        assert_eq!(score.bit_errors, 1.0); // −1.0 against target 1
        assert_eq!(&d[2..], &[0.0, 0.0]);
        assert!((d[0] - 0.5 * (sigmoid(2.0) - 1.0)).abs() < 1e-7);
    }
}
