//! A long test: one sequence at a length far beyond training (up to
//! [`MAX_EVAL_COLUMNS`](crate::tasks::MAX_EVAL_COLUMNS) columns, two 1,024-bit operands
//! for addition), run forward a few steps per call so the page can show its progress and
//! stay responsive, then checked symbol by symbol.
//!
//! Its sequence is the first that `engram eval --lengths L --sequences 1 --seed S` draws,
//! so the page's answer can be checked natively.

use super::evaluate::evaluation_batch;
use crate::error::{config_error, Result};
use crate::models::{Model, PartialForward};
use crate::ops::loss::argmax;
use crate::tasks::{Batch, TaskConfig};
use serde::Serialize;

/// A long test in progress.
pub struct LongTest {
    length: usize,
    /// The one sequence.
    batch: Batch,
    /// `None` once finished.
    partial: Option<PartialForward>,
}

/// How far a long test has run: `done` of `total` model steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LongTestProgress {
    pub length: usize,
    pub columns: usize,
    pub done: usize,
    pub total: usize,
}

/// A finished long test's sequence, symbol by symbol (symbol indices of the task's
/// alphabet; 0 is pad), and how many of its columns the model got wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LongTestResult {
    pub length: usize,
    pub columns: usize,
    pub input: Vec<u8>,
    pub target: Vec<u8>,
    pub output: Vec<u8>,
    /// Columns whose output symbol differs from the target's (copy-or-reverse: from
    /// whichever answer the output is closer to).
    pub wrong: usize,
}

impl LongTest {
    /// Draws the test's sequence of `task` at `length` from `seed`, refusing a length past
    /// the evaluation limit with the limit named.
    pub fn new(model: &dyn Model, task: &TaskConfig, length: usize, seed: u64) -> Result<LongTest> {
        if !task.is_symbols() {
            return Err(config_error(
                "a long test runs the Neural GPU family's symbol tasks; other tasks test with `Test lengths`",
            ));
        }
        let batch = evaluation_batch(task, length, 1, seed)?;
        let sequence = batch.sequence(0);
        let partial = model.begin_forward(sequence.input, sequence.steps);
        Ok(LongTest {
            length,
            batch,
            partial: Some(partial),
        })
    }

    pub fn progress(&self) -> LongTestProgress {
        let columns = self.batch.sequence(0).steps;
        let (done, total) = self
            .partial
            .as_ref()
            .map_or((columns, columns), |p| (p.done, p.total));
        LongTestProgress {
            length: self.length,
            columns,
            done,
            total,
        }
    }

    /// Runs up to `steps` more steps of the model (a model that cannot pause runs whole).
    pub fn advance(&mut self, model: &dyn Model, steps: usize) -> LongTestProgress {
        if let Some(partial) = &mut self.partial {
            model.advance_forward(partial, self.batch.sequence(0).input, steps.max(1));
        }
        self.progress()
    }

    /// The answer, once every step has run; `None` before.
    pub fn finish(&mut self, model: &dyn Model) -> Option<LongTestResult> {
        if !self.partial.as_ref()?.is_done() {
            return None;
        }
        let logits = model.finish_forward(self.partial.take()?);
        let sequence = self.batch.sequence(0);
        let symbols = model.config().output_width;
        let argmax = |rows: &[f32]| -> Vec<u8> {
            rows.chunks_exact(symbols)
                .map(|row| argmax(row) as u8)
                .collect()
        };
        let output = argmax(&logits);
        let target = argmax(sequence.target);
        let differing = |answer: &[u8]| answer.iter().zip(&output).filter(|(a, b)| a != b).count();
        let wrong = match sequence.alternative {
            Some(other) => differing(&target).min(differing(&argmax(other))),
            None => differing(&target),
        };
        Some(LongTestResult {
            length: self.length,
            columns: sequence.steps,
            input: argmax(sequence.input),
            target,
            output,
            wrong,
        })
    }
}
