//! What a model family is trained to minimise and how its progress is measured
//! (models.md §6): the loss kernel, the metrics a person reads, and the error that the
//! schedules (curriculum, learning-rate decay, `--stop-at-errors`) watch.
//!
//! Reports, evaluation, the CLI and the page speak in an objective's own metrics: a
//! [`Metrics`] value serialises under the objective's names (`bit_errors_per_sequence`
//! for bits, `symbol_error` and `sequence_accuracy` for symbols).

use crate::ops::loss::{
    masked_sigmoid_cross_entropy, masked_softmax_cross_entropy, BoundParts, SequenceScore,
};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use std::f64::consts::LN_2;

/// A family's objective.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// Masked sigmoid cross-entropy over output bits; bit errors per sequence
    /// (the memory models).
    SigmoidBits,
    /// Softmax cross-entropy over symbols at every active position; symbol error and
    /// sequence accuracy (the Neural GPU family).
    SoftmaxSymbols,
    /// The negative variational bound (−ELBO) of binary frames, split into reconstruction
    /// and KL over the recall set and the other frames; recall pixel errors (the
    /// generative models, generative.md § Metrics).
    VariationalBound,
}

/// How one metric is shown: its key in JSON, its label, and how to plot it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MetricInfo {
    pub key: &'static str,
    pub label: &'static str,
    /// "bits/seq", "errors/seq", "%", …
    pub unit: &'static str,
    pub lower_is_better: bool,
    /// A fraction in [0, 1] (shown as a percentage).
    pub fraction: bool,
}

const LOSS: MetricInfo = MetricInfo {
    key: "bits_per_sequence",
    label: "loss",
    unit: "bits/seq",
    lower_is_better: true,
    fraction: false,
};

const BIT_ERRORS: MetricInfo = MetricInfo {
    key: "bit_errors_per_sequence",
    label: "bit errors",
    unit: "errors/seq",
    lower_is_better: true,
    fraction: false,
};

const SYMBOL_ERROR: MetricInfo = MetricInfo {
    key: "symbol_error",
    label: "symbol error",
    unit: "%",
    lower_is_better: true,
    fraction: true,
};

const SEQUENCE_ACCURACY: MetricInfo = MetricInfo {
    key: "sequence_accuracy",
    label: "sequence accuracy",
    unit: "%",
    lower_is_better: false,
    fraction: true,
};

const RECALL_PIXEL_ERRORS: MetricInfo = MetricInfo {
    key: "recall_pixel_errors",
    label: "recall pixel errors",
    unit: "pixels/frame",
    lower_is_better: true,
    fraction: false,
};

const RECALL_BOUND: MetricInfo = MetricInfo {
    key: "recall_bits_per_frame",
    label: "recall −ELBO",
    unit: "bits/frame",
    lower_is_better: true,
    fraction: false,
};

/// The bound per frame in bits, over the recall set and over the other frames.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct BoundMetrics {
    pub recall_bits_per_frame: f64,
    pub recall_reconstruction_bits_per_frame: f64,
    pub recall_kl_bits_per_frame: f64,
    pub other_bits_per_frame: f64,
    pub other_reconstruction_bits_per_frame: f64,
    pub other_kl_bits_per_frame: f64,
}

impl BoundMetrics {
    fn from_parts(parts: &BoundParts) -> BoundMetrics {
        let per_frame = |nats: f64, frames: f64| nats / LN_2 / frames.max(1.0);
        let (r, o) = (parts.recall_frames, parts.other_frames);
        BoundMetrics {
            recall_bits_per_frame: per_frame(parts.recall_reconstruction + parts.recall_kl, r),
            recall_reconstruction_bits_per_frame: per_frame(parts.recall_reconstruction, r),
            recall_kl_bits_per_frame: per_frame(parts.recall_kl, r),
            other_bits_per_frame: per_frame(parts.other_reconstruction + parts.other_kl, o),
            other_reconstruction_bits_per_frame: per_frame(parts.other_reconstruction, o),
            other_kl_bits_per_frame: per_frame(parts.other_kl, o),
        }
    }
}

/// An objective's metrics over some sequences.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Metrics {
    pub objective: Objective,
    /// The loss in bits per sequence.
    pub bits_per_sequence: f64,
    /// The objective's error: bit errors per sequence, or the fraction of scored symbols
    /// that are wrong.
    pub error: f64,
    /// The fraction of sequences with every scored output right (symbols only).
    pub sequence_accuracy: Option<f64>,
    /// The bound's parts per frame (generative models only).
    pub bound: Option<BoundMetrics>,
}

impl Objective {
    /// The metrics in the order they are shown: the loss first, then the errors.
    pub fn metrics(self) -> &'static [MetricInfo] {
        match self {
            Objective::SigmoidBits => &[LOSS, BIT_ERRORS],
            Objective::SoftmaxSymbols => &[LOSS, SYMBOL_ERROR, SEQUENCE_ACCURACY],
            Objective::VariationalBound => &[LOSS, RECALL_PIXEL_ERRORS, RECALL_BOUND],
        }
    }

    /// The error metric's description.
    pub fn error_info(self) -> MetricInfo {
        self.metrics()[1]
    }

    /// The error the schedules watch, described for a person: what a curriculum or a
    /// `--stop-at-errors` threshold is compared with.
    pub fn schedule_error_name(self) -> &'static str {
        match self {
            Objective::SigmoidBits => "bit errors per sequence",
            Objective::SoftmaxSymbols => {
                "sequence error (fraction of sequences with a wrong symbol)"
            }
            Objective::VariationalBound => "recall pixel errors per recall frame",
        }
    }

    /// Scores one sequence's logits and, with `dlogits`, writes `scale · ∂loss/∂logits`.
    #[allow(clippy::too_many_arguments)]
    pub fn score(
        self,
        logits: &[f32],
        target: &[f32],
        alternative: Option<&[f32]>,
        mask: &[f32],
        width: usize,
        label_smoothing: f32,
        scale: f32,
        dlogits: Option<&mut [f32]>,
    ) -> SequenceScore {
        match self {
            Objective::SigmoidBits => {
                masked_sigmoid_cross_entropy(logits, target, mask, width, scale, dlogits)
            }
            Objective::VariationalBound => {
                unreachable!("a generative model scores its own frames (Model::score)")
            }
            Objective::SoftmaxSymbols => masked_softmax_cross_entropy(
                logits,
                target,
                alternative,
                mask,
                width,
                label_smoothing,
                scale,
                dlogits,
            ),
        }
    }

    /// The metrics of `sequences` sequences whose scores add up to `score`.
    pub fn summarise(self, score: &SequenceScore, sequences: usize) -> Metrics {
        let sequences = sequences.max(1) as f64;
        let bits_per_sequence = score.loss_nats / LN_2 / sequences;
        match self {
            Objective::SigmoidBits => Metrics {
                objective: self,
                bits_per_sequence,
                error: score.errors / sequences,
                sequence_accuracy: None,
                bound: None,
            },
            Objective::SoftmaxSymbols => Metrics {
                objective: self,
                bits_per_sequence,
                error: score.errors / score.scored.max(1.0),
                sequence_accuracy: Some(1.0 - score.wrong_sequences / sequences),
                bound: None,
            },
            Objective::VariationalBound => Metrics {
                objective: self,
                bits_per_sequence,
                error: score.errors / score.scored.max(1.0),
                sequence_accuracy: None,
                bound: Some(BoundMetrics::from_parts(&score.bound)),
            },
        }
    }
}

impl Metrics {
    /// The error that the curriculum, the learning-rate decay and `--stop-at-errors`
    /// compare with their thresholds: bit errors per sequence, or the fraction of
    /// sequences that are not entirely right.
    pub fn schedule_error(&self) -> f64 {
        match self.sequence_accuracy {
            Some(accuracy) if self.objective == Objective::SoftmaxSymbols => 1.0 - accuracy,
            _ => self.error,
        }
    }

    /// The value of the metric whose JSON key is `key` (see [`Objective::metrics`]).
    pub fn value(&self, key: &str) -> Option<f64> {
        match key {
            k if k == LOSS.key => Some(self.bits_per_sequence),
            k if k == self.objective.error_info().key => Some(self.error),
            k if k == SEQUENCE_ACCURACY.key => self.sequence_accuracy,
            k if k == RECALL_BOUND.key => self.bound.map(|b| b.recall_bits_per_frame),
            _ => None,
        }
    }

    /// The mean of several reports' metrics (one objective), every part averaged.
    pub fn mean(all: &[Metrics]) -> Option<Metrics> {
        let first = *all.first()?;
        let n = all.len() as f64;
        let average = |f: &dyn Fn(&Metrics) -> f64| all.iter().map(f).sum::<f64>() / n;
        let bound = first.bound.map(|_| {
            let part = |f: &dyn Fn(&BoundMetrics) -> f64| {
                average(&|m: &Metrics| m.bound.as_ref().map_or(0.0, f))
            };
            BoundMetrics {
                recall_bits_per_frame: part(&|b| b.recall_bits_per_frame),
                recall_reconstruction_bits_per_frame: part(&|b| {
                    b.recall_reconstruction_bits_per_frame
                }),
                recall_kl_bits_per_frame: part(&|b| b.recall_kl_bits_per_frame),
                other_bits_per_frame: part(&|b| b.other_bits_per_frame),
                other_reconstruction_bits_per_frame: part(&|b| {
                    b.other_reconstruction_bits_per_frame
                }),
                other_kl_bits_per_frame: part(&|b| b.other_kl_bits_per_frame),
            }
        });
        Some(Metrics {
            objective: first.objective,
            bits_per_sequence: average(&|m| m.bits_per_sequence),
            error: average(&|m| m.error),
            sequence_accuracy: first
                .sequence_accuracy
                .map(|_| average(&|m| m.sequence_accuracy.unwrap_or(0.0))),
            bound,
        })
    }

    /// The errors as a person reads them: "0.125 bit errors/seq" or
    /// "3.1% symbol error, 80.0% sequences right".
    pub fn describe_errors(&self) -> String {
        if let Some(bound) = &self.bound {
            return format!(
                "{:.2} recall pixel errors/frame, recall −ELBO {:.2} bits/frame (KL {:.2}), other frames {:.2}",
                self.error,
                bound.recall_bits_per_frame,
                bound.recall_kl_bits_per_frame,
                bound.other_bits_per_frame
            );
        }
        match self.sequence_accuracy {
            Some(accuracy) => format!(
                "{:.2}% symbol error, {:.1}% sequences right",
                100.0 * self.error,
                100.0 * accuracy
            ),
            None => format!("{:.3} bit errors/seq", self.error),
        }
    }
}

/// Serialises under the objective's own keys (see [`Objective::metrics`]).
impl Serialize for Metrics {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry(LOSS.key, &self.bits_per_sequence)?;
        map.serialize_entry(self.objective.error_info().key, &self.error)?;
        if let Some(accuracy) = self.sequence_accuracy {
            map.serialize_entry(SEQUENCE_ACCURACY.key, &accuracy)?;
        }
        if let Some(bound) = &self.bound {
            map.serialize_entry(RECALL_BOUND.key, &bound.recall_bits_per_frame)?;
            map.serialize_entry(
                "recall_reconstruction_bits_per_frame",
                &bound.recall_reconstruction_bits_per_frame,
            )?;
            map.serialize_entry("recall_kl_bits_per_frame", &bound.recall_kl_bits_per_frame)?;
            map.serialize_entry("other_bits_per_frame", &bound.other_bits_per_frame)?;
            map.serialize_entry(
                "other_reconstruction_bits_per_frame",
                &bound.other_reconstruction_bits_per_frame,
            )?;
            map.serialize_entry("other_kl_bits_per_frame", &bound.other_kl_bits_per_frame)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_speak_in_the_objective_s_own_names_and_units() {
        let score = SequenceScore {
            loss_nats: 4.0 * LN_2,
            errors: 3.0,
            scored: 12.0,
            wrong_sequences: 1.0,
            ..Default::default()
        };
        let bits = Objective::SigmoidBits.summarise(&score, 2);
        assert_eq!((bits.bits_per_sequence, bits.error), (2.0, 1.5));
        assert_eq!(bits.schedule_error(), 1.5);
        let json = serde_json::to_value(bits).unwrap();
        assert_eq!(json["bit_errors_per_sequence"], 1.5);
        assert!(json.get("sequence_accuracy").is_none());

        let symbols = Objective::SoftmaxSymbols.summarise(&score, 2);
        assert_eq!(
            (symbols.error, symbols.sequence_accuracy),
            (0.25, Some(0.5))
        );
        assert_eq!(symbols.schedule_error(), 0.5);
        let json = serde_json::to_value(symbols).unwrap();
        assert_eq!(json["symbol_error"], 0.25);
        assert_eq!(json["sequence_accuracy"], 0.5);
        assert!(json.get("bit_errors_per_sequence").is_none());
    }
}
