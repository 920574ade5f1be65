//! Sequences and padded batches.

/// One sequence: `steps × input_width` inputs, `steps × output_width` targets, a mask
/// value per step, and for tasks with two right answers (copy-or-reverse) the other one.
#[derive(Clone, Copy, Debug)]
pub struct SequenceRef<'a> {
    pub input: &'a [f32],
    pub target: &'a [f32],
    pub mask: &'a [f32],
    /// A second acceptable target, laid out like `target` (scored for accuracy only;
    /// the loss is taken against `target`).
    pub alternative: Option<&'a [f32]>,
    /// 1 on the frames an image-sequence task reports (its recall set), else 0.
    pub recall: Option<&'a [f32]>,
    pub steps: usize,
    /// Seed of the training noise this sequence sees (dropout masks), drawn on the host
    /// so every path sees the same.
    pub noise_seed: u64,
    /// The batch's noise seed, shared by its sequences (scheduled sampling's coins, one
    /// per decoder step for the whole batch).
    pub batch_seed: u64,
}

/// One sequence under construction: rows are appended step by step.
#[derive(Clone, Debug)]
pub struct SequenceBuffer {
    pub input_width: usize,
    pub output_width: usize,
    pub input: Vec<f32>,
    pub target: Vec<f32>,
    pub mask: Vec<f32>,
    /// A second acceptable target, like `target`, or empty.
    pub alternative: Vec<f32>,
    /// A recall flag per step (image-sequence tasks), or empty.
    pub recall: Vec<f32>,
}

impl SequenceBuffer {
    pub fn new(input_width: usize, output_width: usize) -> Self {
        SequenceBuffer {
            input_width,
            output_width,
            input: Vec::new(),
            target: Vec::new(),
            mask: Vec::new(),
            alternative: Vec::new(),
            recall: Vec::new(),
        }
    }

    pub fn steps(&self) -> usize {
        self.mask.len()
    }

    /// Appends `count` blank, unscored steps and returns the index of the first.
    pub fn push_blank(&mut self, count: usize) -> usize {
        let first = self.steps();
        self.input
            .resize(self.input.len() + count * self.input_width, 0.0);
        self.target
            .resize(self.target.len() + count * self.output_width, 0.0);
        self.mask.resize(first + count, 0.0);
        first
    }

    pub fn input_row(&mut self, t: usize) -> &mut [f32] {
        &mut self.input[t * self.input_width..(t + 1) * self.input_width]
    }

    pub fn target_row(&mut self, t: usize) -> &mut [f32] {
        &mut self.target[t * self.output_width..(t + 1) * self.output_width]
    }
}

/// Sequences padded to a common length: zero input, zero target and zero mask after
/// each sequence's end (tasks.md).
#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    pub size: usize,
    /// Steps of the longest sequence; every sequence occupies this many rows.
    pub steps: usize,
    pub input_width: usize,
    pub output_width: usize,
    /// `size × steps × input_width`.
    pub input: Vec<f32>,
    /// `size × steps × output_width`.
    pub target: Vec<f32>,
    /// `size × steps`.
    pub mask: Vec<f32>,
    /// Each sequence's own length before padding.
    pub lengths: Vec<usize>,
    /// `size × steps × output_width`: second acceptable targets, where the task has them
    /// (a sequence without one repeats its target).
    pub alternative: Option<Vec<f32>>,
    /// `size × steps`: the recall flags of an image-sequence task (0 on padding).
    pub recall: Option<Vec<f32>>,
    /// Seed of the batch's training noise; sequence b's is derived from it and b.
    pub noise_seed: u64,
}

impl Batch {
    pub fn pad(sequences: &[SequenceBuffer], input_width: usize, output_width: usize) -> Batch {
        let steps = sequences
            .iter()
            .map(SequenceBuffer::steps)
            .max()
            .unwrap_or(0);
        let size = sequences.len();
        let mut batch = Batch {
            size,
            steps,
            input_width,
            output_width,
            input: vec![0.0; size * steps * input_width],
            target: vec![0.0; size * steps * output_width],
            mask: vec![0.0; size * steps],
            lengths: sequences.iter().map(SequenceBuffer::steps).collect(),
            alternative: None,
            recall: None,
            noise_seed: 0,
        };
        let mut alternative = sequences
            .iter()
            .any(|s| !s.alternative.is_empty())
            .then(|| vec![0.0; size * steps * output_width]);
        for (b, s) in sequences.iter().enumerate() {
            let start = b * steps;
            batch.input[start * input_width..][..s.input.len()].copy_from_slice(&s.input);
            batch.target[start * output_width..][..s.target.len()].copy_from_slice(&s.target);
            batch.mask[start..][..s.mask.len()].copy_from_slice(&s.mask);
            if let Some(alternative) = &mut alternative {
                let source = if s.alternative.is_empty() {
                    &s.target
                } else {
                    &s.alternative
                };
                alternative[start * output_width..][..source.len()].copy_from_slice(source);
            }
        }
        batch.alternative = alternative;
        if sequences.iter().any(|s| !s.recall.is_empty()) {
            let mut recall = vec![0.0; size * steps];
            for (b, s) in sequences.iter().enumerate() {
                recall[b * steps..][..s.recall.len()].copy_from_slice(&s.recall);
            }
            batch.recall = Some(recall);
        }
        batch
    }

    /// The sequences of `parts`, one part after another, padded to the longest (as
    /// [`Batch::pad`] pads), with the noise seed `noise_seed`.
    pub fn concat(parts: &[Batch], noise_seed: u64) -> Batch {
        let (input_width, output_width) = (parts[0].input_width, parts[0].output_width);
        let sequences: Vec<SequenceBuffer> = parts
            .iter()
            .flat_map(|part| (0..part.size).map(move |b| part.sequence(b)))
            .map(|s| SequenceBuffer {
                input_width,
                output_width,
                input: s.input.to_vec(),
                target: s.target.to_vec(),
                mask: s.mask.to_vec(),
                alternative: s.alternative.map(<[f32]>::to_vec).unwrap_or_default(),
                recall: s.recall.map(<[f32]>::to_vec).unwrap_or_default(),
            })
            .collect();
        Batch {
            noise_seed,
            ..Batch::pad(&sequences, input_width, output_width)
        }
    }

    /// Sequence `b` without its padding. Trailing padded steps carry zero mask and come
    /// after every scored step, so dropping them changes no loss and no gradient.
    pub fn sequence(&self, b: usize) -> SequenceRef<'_> {
        let steps = self.lengths[b];
        let start = b * self.steps;
        SequenceRef {
            input: &self.input[start * self.input_width..][..steps * self.input_width],
            target: &self.target[start * self.output_width..][..steps * self.output_width],
            mask: &self.mask[start..][..steps],
            alternative: self
                .alternative
                .as_ref()
                .map(|a| &a[start * self.output_width..][..steps * self.output_width]),
            recall: self.recall.as_ref().map(|r| &r[start..][..steps]),
            steps,
            noise_seed: crate::rng::derive_seed(self.noise_seed, b as u64),
            batch_seed: self.noise_seed,
        }
    }
}
