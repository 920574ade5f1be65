//! Tasks of tasks.md and neural_gpu.md: generators `(config, seed) → batch`.
//!
//! Each task family lives in its own module and writes one sequence at a time; this
//! module holds the shared configuration and padding into a [`Batch`] (its bounds:
//! `validate.rs`).
//! Random draws come from [`Pcg32`] in a fixed order per sequence (length first, then
//! the content step by step, channel by channel), so a seed names the same batch on
//! every platform.

mod associative_recall;
mod batch;
mod copy;
mod frames;
mod names;
mod priority_sort;
mod repeat_copy;
mod symbols;
mod validate;

pub use batch::{Batch, SequenceBuffer, SequenceRef};
pub use frames::{
    indicator, instance, prototypes, Frame, FrameTask, FRAME_PIXELS, FRAME_SIDE, GLYPH_CLASSES,
    TRAINING_CLASSES,
};
pub use names::{FRAME_TASK_NAMES, SYMBOL_TASK_NAMES, TASK_NAMES};
pub use symbols::{SymbolTask, PAD};

use crate::error::{config_error, Result};
use crate::rng::Pcg32;
use serde::{Deserialize, Serialize};

/// Upper bounds that keep a typo from asking for a huge batch.
pub const MAX_BITS: usize = 64;
pub const MAX_LENGTH: usize = 256;
pub const MAX_REPEATS: usize = 32;
/// Symbols of an alphabet task (pad excluded).
pub const MAX_ALPHABET: usize = 32;
/// Columns of a symbol task's sequence (`n_b`): the Neural GPU runs `n_b` steps over an
/// image `n_b` wide, so its cost grows with the square of this.
pub const MAX_COLUMNS: usize = 256;
/// Columns a symbol task may reach in evaluation, which runs forward only and keeps no
/// backward caches: two 1,024-bit operands and their operator (2,049).
pub const MAX_EVAL_COLUMNS: usize = 2049;

/// A task and its parameters; serialised as `{"name": "...", ...}` in `engram_config`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "snake_case", deny_unknown_fields)]
pub enum TaskConfig {
    /// Copy `(B, Lmin, Lmax)`.
    Copy {
        bits: usize,
        min_length: usize,
        max_length: usize,
    },
    /// Repeat copy `(B, Lmin, Lmax, Kmin, Kmax)`.
    RepeatCopy {
        bits: usize,
        min_length: usize,
        max_length: usize,
        min_repeats: usize,
        max_repeats: usize,
    },
    /// Associative recall `(B, item_len, Imin, Imax)`; "length" is the item count.
    AssociativeRecall {
        bits: usize,
        item_length: usize,
        min_items: usize,
        max_items: usize,
    },
    /// Priority sort `(B, L, K)`; "length" is L.
    PrioritySort {
        bits: usize,
        length: usize,
        outputs: usize,
    },
    /// A symbol task `(A, Lmin, Lmax)` of the Neural GPU family; for binary addition and
    /// multiplication L counts the bits of each operand and the alphabet is fixed.
    Symbols {
        task: SymbolTask,
        alphabet: usize,
        min_length: usize,
        max_length: usize,
    },
    /// An image-sequence task of the generative models: "length" is `l` (walk: the grid
    /// side; periodic: the period), `queries` is `k` (walk, periodic: the frame count T),
    /// `flips` the pixels flipped in every glyph instance.
    Frames {
        task: FrameTask,
        min_length: usize,
        max_length: usize,
        queries: usize,
        flips: usize,
        /// Draw glyphs from the held-out classes only (`oneshot`'s evaluation sets).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        held_out: bool,
    },
}

/// The pattern of every task whose length parameter is a range, binding its bounds
/// (`min`, `max`): L for copy, repeat copy, the symbol and the image-sequence tasks, the
/// item count for recall. Priority sort, with one length, is the only other task.
macro_rules! length_bounds {
    ($min:ident, $max:ident) => {
        TaskConfig::Copy {
            min_length: $min,
            max_length: $max,
            ..
        } | TaskConfig::RepeatCopy {
            min_length: $min,
            max_length: $max,
            ..
        } | TaskConfig::Symbols {
            min_length: $min,
            max_length: $max,
            ..
        } | TaskConfig::Frames {
            min_length: $min,
            max_length: $max,
            ..
        } | TaskConfig::AssociativeRecall {
            min_items: $min,
            max_items: $max,
            ..
        }
    };
}

impl TaskConfig {
    /// Whether this is an image-sequence task (the generative models').
    pub fn is_frames(&self) -> bool {
        matches!(self, TaskConfig::Frames { .. })
    }

    /// The configuration an evaluation set uses: `oneshot` evaluates on held-out classes.
    pub fn for_evaluation(&self) -> TaskConfig {
        let mut task = self.clone();
        if let TaskConfig::Frames {
            task: FrameTask::Oneshot,
            held_out,
            ..
        } = &mut task
        {
            *held_out = true;
        }
        task
    }

    /// The task with evaluation inputs `inputs` (`engram eval --inputs`): `random` is
    /// the task itself; `long-carry` turns binary addition into
    /// [`SymbolTask::AddLongCarry`]. Other tasks take only `random`.
    pub fn with_inputs(&self, inputs: &str) -> Result<TaskConfig> {
        match self {
            TaskConfig::Symbols {
                task,
                alphabet,
                min_length,
                max_length,
            } => Ok(TaskConfig::Symbols {
                task: task.with_inputs(inputs).map_err(config_error)?,
                alphabet: *alphabet,
                min_length: *min_length,
                max_length: *max_length,
            }),
            _ if inputs == "random" => Ok(self.clone()),
            _ => Err(config_error(format!(
                "{} takes only random inputs, not \"{inputs}\"",
                self.name()
            ))),
        }
    }

    /// Whether this is a symbol task (the Neural GPU family's).
    pub fn is_symbols(&self) -> bool {
        matches!(self, TaskConfig::Symbols { .. })
    }

    /// The command-line name.
    pub fn name(&self) -> &'static str {
        match self {
            TaskConfig::Symbols { task, .. } => task.name(),
            TaskConfig::Frames { task, .. } => task.name(),
            TaskConfig::Copy { .. } => "copy",
            TaskConfig::RepeatCopy { .. } => "repeat-copy",
            TaskConfig::AssociativeRecall { .. } => "recall",
            TaskConfig::PrioritySort { .. } => "priority-sort",
        }
    }

    /// Data bits per vector; for a symbol task, the alphabet size A (the control that
    /// plays the same part: how much each position carries).
    pub fn bits(&self) -> usize {
        match *self {
            TaskConfig::Copy { bits, .. }
            | TaskConfig::RepeatCopy { bits, .. }
            | TaskConfig::AssociativeRecall { bits, .. }
            | TaskConfig::PrioritySort { bits, .. } => bits,
            TaskConfig::Symbols { alphabet, .. } => alphabet,
            TaskConfig::Frames { flips, .. } => flips,
        }
    }

    pub fn input_width(&self) -> usize {
        match self {
            TaskConfig::Symbols { task, alphabet, .. } => task.symbols(*alphabet),
            TaskConfig::Frames { task, .. } => FRAME_PIXELS + task.action_width(),
            TaskConfig::Copy { bits, .. } => bits + 1,
            _ => self.bits() + 2,
        }
    }

    pub fn output_width(&self) -> usize {
        match self {
            TaskConfig::Symbols { task, alphabet, .. } => task.symbols(*alphabet),
            TaskConfig::Frames { .. } => FRAME_PIXELS,
            TaskConfig::RepeatCopy { bits, .. } => bits + 1,
            _ => self.bits(),
        }
    }

    /// The length parameter that a curriculum raises and evaluation varies: L for copy,
    /// repeat copy and priority sort, the item count for associative recall.
    pub fn max_length(&self) -> usize {
        self.length_bounds().1
    }

    /// The smallest allowed value of the length parameter.
    pub fn min_length(&self) -> usize {
        self.length_bounds().0
    }

    /// The length parameter's bounds `(min, max)` (L, or recall's item count); priority
    /// sort has one length, both bounds. Kept out of line, as is
    /// [`TaskConfig::length_bounds_mut`]: inlined into their callers they cost the page's
    /// modules 313 bytes gzipped.
    #[inline(never)]
    fn length_bounds(&self) -> (usize, usize) {
        match *self {
            length_bounds!(min, max) => (min, max),
            TaskConfig::PrioritySort { length, .. } => (length, length),
        }
    }

    /// [`TaskConfig::length_bounds`] to set; `None` for priority sort, whose one length
    /// is set with its output count.
    #[inline(never)]
    fn length_bounds_mut(&mut self) -> Option<(&mut usize, &mut usize)> {
        match self {
            length_bounds!(min, max) => Some((min, max)),
            TaskConfig::PrioritySort { .. } => None,
        }
    }

    /// The same task with its maximum length set to `length` (the minimum is lowered
    /// to match if needed; priority sort keeps `K ≤ L`).
    pub fn with_max_length(&self, length: usize) -> TaskConfig {
        let mut task = self.clone();
        if let Some((min, max)) = task.length_bounds_mut() {
            *max = length;
            *min = (*min).min(length);
        } else if let TaskConfig::PrioritySort {
            length: l, outputs, ..
        } = &mut task
        {
            *l = length;
            *outputs = (*outputs).min(length);
        }
        task
    }

    /// The same task with `bits` data bits per vector.
    pub fn with_bits(&self, new_bits: usize) -> TaskConfig {
        let mut task = self.clone();
        match &mut task {
            TaskConfig::Copy { bits, .. }
            | TaskConfig::RepeatCopy { bits, .. }
            | TaskConfig::AssociativeRecall { bits, .. }
            | TaskConfig::PrioritySort { bits, .. }
            | TaskConfig::Symbols { alphabet: bits, .. }
            | TaskConfig::Frames { flips: bits, .. } => *bits = new_bits,
        }
        task
    }

    /// The same task with its minimum length set (priority sort has a single length, so
    /// this sets it, as [`TaskConfig::with_max_length`] does).
    pub fn with_min_length(&self, length: usize) -> TaskConfig {
        let mut task = self.clone();
        match task.length_bounds_mut() {
            Some((min, _)) => *min = length,
            None => return self.with_max_length(length),
        }
        task
    }

    /// The columns a sequence of length parameter `length` occupies (its steps): for a
    /// symbol task its active width n_b (2L for dup, 2L + 1 for arithmetic).
    pub fn columns(&self, length: usize) -> usize {
        match self {
            TaskConfig::Symbols { task, .. } => task.columns(length),
            _ => self.at_length(length).max_steps(),
        }
    }

    /// The same task with every sequence at exactly `length` (for evaluation per length).
    pub fn at_length(&self, length: usize) -> TaskConfig {
        let mut task = self.with_max_length(length);
        if let Some((min, _)) = task.length_bounds_mut() {
            *min = length;
        }
        task
    }

    /// The longest sequence (in steps) this configuration can produce.
    pub fn max_steps(&self) -> usize {
        match *self {
            TaskConfig::Copy { max_length, .. } => 2 * max_length + 1,
            TaskConfig::RepeatCopy {
                max_length,
                max_repeats,
                ..
            } => max_length + 1 + max_repeats * max_length + 1,
            TaskConfig::AssociativeRecall {
                item_length,
                max_items,
                ..
            } => associative_recall::steps(max_items, item_length),
            TaskConfig::PrioritySort {
                length, outputs, ..
            } => length + 1 + outputs,
            TaskConfig::Symbols {
                task, max_length, ..
            } => task.columns(max_length),
            TaskConfig::Frames {
                task,
                max_length,
                queries,
                ..
            } => task.steps(max_length, queries),
        }
    }

    /// Writes one random sequence of this task into `sequence`.
    fn generate_sequence(&self, rng: &mut Pcg32, sequence: &mut SequenceBuffer) {
        match *self {
            TaskConfig::Copy {
                bits,
                min_length,
                max_length,
            } => copy::generate(bits, min_length, max_length, rng, sequence),
            TaskConfig::RepeatCopy {
                bits,
                min_length,
                max_length,
                min_repeats,
                max_repeats,
            } => repeat_copy::generate(
                bits,
                (min_length, max_length),
                (min_repeats, max_repeats),
                rng,
                sequence,
            ),
            TaskConfig::AssociativeRecall {
                bits,
                item_length,
                min_items,
                max_items,
            } => {
                associative_recall::generate(bits, item_length, min_items, max_items, rng, sequence)
            }
            TaskConfig::PrioritySort {
                bits,
                length,
                outputs,
            } => priority_sort::generate(bits, length, outputs, rng, sequence),
            TaskConfig::Symbols {
                task,
                alphabet,
                min_length,
                max_length,
            } => task.generate(alphabet, min_length, max_length, rng, sequence),
            TaskConfig::Frames {
                task,
                min_length,
                max_length,
                queries,
                flips,
                held_out,
            } => task.generate(
                (min_length, max_length),
                queries,
                flips,
                held_out,
                rng,
                sequence,
            ),
        }
    }

    /// A batch of `size` sequences from `seed`. The configuration must be valid.
    pub fn batch(&self, size: usize, seed: u64) -> Batch {
        let mut rng = Pcg32::new(seed);
        let sequences: Vec<SequenceBuffer> = (0..size)
            .map(|_| {
                let mut sequence = SequenceBuffer::new(self.input_width(), self.output_width());
                self.generate_sequence(&mut rng, &mut sequence);
                sequence
            })
            .collect();
        let mut batch = Batch::pad(&sequences, self.input_width(), self.output_width());
        batch.noise_seed = crate::rng::derive_seed(seed, NOISE);
        batch
    }
}

/// Purpose tag of a batch's noise seed (apart from the stream its sequences came from).
const NOISE: u64 = 0x4E4F_4953;
