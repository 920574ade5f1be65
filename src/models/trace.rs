//! Per-step internals of one sequence, for the views and `engram trace`.

use super::neural_gpu::ImageTrace;
use super::{Model, ModelConfig};
use crate::error::Result;
use crate::ops::loss::argmax;
use crate::tasks::TaskConfig;
use serde::Serialize;

pub use crate::memory::trace::{rows, StepTrace, Weights};

/// One sequence of a task run through a model, with every step's internals: what
/// `engram trace --json` prints and what the page's views draw.
#[derive(Clone, Debug, Serialize)]
pub struct SequenceTrace {
    pub model: ModelConfig,
    pub task: TaskConfig,
    pub seed: u64,
    /// `[T][input_width]`.
    pub input: Vec<Vec<f32>>,
    /// `[T][output_width]`.
    pub target: Vec<Vec<f32>>,
    /// `[T]`: 1 where the output is scored.
    pub mask: Vec<f32>,
    /// `[T][output_width]`: the other right answer, for tasks that have one
    /// (copy-or-reverse).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alternative: Option<Vec<Vec<f32>>>,
    /// `[T][output_width]`.
    pub logits: Vec<Vec<f32>>,
    /// Per-step internals of the memory models (empty for the Neural GPU family).
    pub steps: Vec<StepTrace>,
    /// The Neural GPU family's mental image, step by step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageTrace>,
    /// The generative models' frames, latents, bound and memory, step by step
    /// (generative.md §8.4), from an inference run with the sequence's own noise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frames: Option<super::gtmm::FrameTrace>,
}

impl SequenceTrace {
    /// Runs the first sequence of `task`'s batch for `seed` through `model`. Refuses a
    /// length whose record would not fit (the Neural GPU keeps every step's image).
    pub fn record(model: &dyn Model, task: &TaskConfig, seed: u64) -> Result<SequenceTrace> {
        if let Some(image) = &model.config().image {
            image.check_training_length(task.max_steps(), model.config().model.has_decoder())?;
        }
        let batch = task.batch(1, seed);
        let sequence = batch.sequence(0);
        let (logits, steps) = model.trace(sequence.input, sequence.steps);
        let image = model.image_trace(sequence.input, sequence.steps);
        let frames = model.frame_trace(sequence, super::gtmm::Mode::Inference, None);
        Ok(SequenceTrace {
            model: model.config().clone(),
            task: task.clone(),
            seed,
            input: rows(sequence.input, batch.input_width),
            target: rows(sequence.target, batch.output_width),
            mask: sequence.mask.to_vec(),
            alternative: sequence.alternative.map(|a| rows(a, batch.output_width)),
            logits: rows(&logits, batch.output_width),
            steps,
            image,
            frames,
        })
    }

    /// Wrong outputs at scored steps: symbols whose argmax is not the target (the image
    /// models), or bits on the wrong side of 0.5.
    pub fn errors(&self) -> usize {
        if self.image.is_some() {
            let wrong = |answer: &[Vec<f32>]| {
                self.logits
                    .iter()
                    .zip(answer)
                    .zip(&self.mask)
                    .filter(|((y, t), &m)| m > 0.0 && t[argmax(y)] < 0.5)
                    .count()
            };
            let errors = wrong(&self.target);
            return match &self.alternative {
                Some(other) => errors.min(wrong(other)),
                None => errors,
            };
        }
        self.logits
            .iter()
            .zip(&self.target)
            .zip(&self.mask)
            .filter(|(_, &m)| m > 0.0)
            .map(|((y, t), _)| {
                y.iter()
                    .zip(t)
                    .filter(|(y, t)| (**y > 0.0) != (**t > 0.5))
                    .count()
            })
            .sum()
    }
}
