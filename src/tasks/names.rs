//! The tasks by the names the command line, the page and the schema use: each name's
//! default configuration.

use super::{FrameTask, SymbolTask, TaskConfig};
use crate::error::{config_error, Result};

/// Bit-vector task names as typed on the command line.
pub const TASK_NAMES: [&str; 4] = ["copy", "repeat-copy", "recall", "priority-sort"];
/// Symbol task names as typed on the command line.
pub const SYMBOL_TASK_NAMES: [&str; 7] = ["copy", "reverse", "sort", "dup", "add", "mul", "either"];
/// Image-sequence task names as typed on the command line.
pub const FRAME_TASK_NAMES: [&str; 7] = [
    "recall", "parity", "oneshot", "index", "cued", "walk", "periodic",
];

impl TaskConfig {
    /// The default configuration of a task by its command-line name (8 bits).
    pub fn by_name(name: &str) -> Result<TaskConfig> {
        Ok(match name {
            "copy" => TaskConfig::Copy {
                bits: 8,
                min_length: 1,
                max_length: 10,
            },
            "repeat-copy" | "repeat_copy" => TaskConfig::RepeatCopy {
                bits: 8,
                min_length: 1,
                max_length: 10,
                min_repeats: 1,
                max_repeats: 10,
            },
            "recall" | "associative_recall" => TaskConfig::AssociativeRecall {
                bits: 6,
                item_length: 3,
                min_items: 2,
                max_items: 6,
            },
            "priority-sort" | "priority_sort" => TaskConfig::PrioritySort {
                bits: 8,
                length: 20,
                outputs: 16,
            },
            other => {
                return Err(config_error(format!(
                    "unknown task '{other}' (expected one of: {})",
                    TASK_NAMES.join(", ")
                )))
            }
        })
    }

    /// The default configuration of a symbol task by its command-line name (its
    /// [`SymbolTask::default_alphabet`], lengths 1–8).
    pub fn symbols_by_name(name: &str) -> Result<TaskConfig> {
        let task = SymbolTask::ALL
            .into_iter()
            .find(|t| t.name() == name)
            .ok_or_else(|| {
                config_error(format!(
                    "unknown symbol task '{name}' (expected one of: {})",
                    SYMBOL_TASK_NAMES.join(", ")
                ))
            })?;
        Ok(TaskConfig::Symbols {
            task,
            alphabet: task.default_alphabet(),
            min_length: 1,
            max_length: 8,
        })
    }

    /// The tiny default configuration of an image-sequence task by its command-line name
    /// (generative.md's tiny defaults, 2 flipped pixels).
    pub fn frames_by_name(name: &str) -> Result<TaskConfig> {
        let task = FrameTask::ALL
            .into_iter()
            .find(|t| t.name() == name)
            .ok_or_else(|| {
                config_error(format!(
                    "unknown image-sequence task '{name}' (expected one of: {})",
                    FRAME_TASK_NAMES.join(", ")
                ))
            })?;
        let (min_length, max_length, queries) = task.defaults();
        Ok(TaskConfig::Frames {
            task,
            min_length,
            max_length,
            queries,
            flips: 2,
            held_out: false,
        })
    }
}
