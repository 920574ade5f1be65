//! Evaluation per length (tasks.md "Curriculum and generalisation"), with the metrics of
//! models.md §6.

use super::parallel::batch_score;
use crate::error::Result;
use crate::models::Model;
use crate::objective::{Metrics, Objective};
use crate::ops::loss::SequenceScore;
use crate::rng::derive_seed;
use crate::tasks::{Batch, TaskConfig};
use serde::Serialize;

/// Metrics at one length, in the objective's terms (serialised under its own names).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LengthMetrics {
    pub length: usize,
    pub sequences: usize,
    /// Whether the length is beyond the longest the model trained on.
    pub beyond_training: bool,
    #[serde(flatten)]
    pub metrics: Metrics,
}

/// Evaluates `model` on `sequences` fresh sequences of `task` at each length. The batch
/// at each length comes from `seed` and the length, so results are reproducible.
pub fn evaluate(
    model: &dyn Model,
    task: &TaskConfig,
    lengths: &[usize],
    sequences: usize,
    seed: u64,
    threads: usize,
) -> Result<Vec<LengthMetrics>> {
    evaluate_with(model.objective(), task, lengths, sequences, seed, |batch| {
        Ok(batch_score(model, batch, threads))
    })
}

/// [`evaluate`] with the scoring of each length's batch left to `score` (the CPU
/// kernels, or the GPU path).
pub fn evaluate_with(
    objective: Objective,
    task: &TaskConfig,
    lengths: &[usize],
    sequences: usize,
    seed: u64,
    mut score: impl FnMut(&Batch) -> Result<SequenceScore>,
) -> Result<Vec<LengthMetrics>> {
    lengths
        .iter()
        .map(|&length| {
            let batch = evaluation_batch(task, length, sequences, seed)?;
            let score = score(&batch)?;
            Ok(LengthMetrics {
                length,
                sequences,
                beyond_training: length > task.max_length(),
                metrics: objective.summarise(&score, sequences),
            })
        })
        .collect()
}

/// The `sequences` sequences that evaluation draws from `seed` at `length`, refusing a
/// length past the evaluation limits with the limit named. The batch depends only on
/// the task, the length and the seed, and its first sequences are the same whatever
/// `sequences` is.
pub fn evaluation_batch(
    task: &TaskConfig,
    length: usize,
    sequences: usize,
    seed: u64,
) -> Result<Batch> {
    // One-shot recall is evaluated on held-out glyph classes.
    let at_length = task.for_evaluation().at_length(length);
    at_length.validate_for_evaluation()?;
    Ok(at_length.batch(sequences, derive_seed(seed, length as u64 | 1 << 40)))
}
