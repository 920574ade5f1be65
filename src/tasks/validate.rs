//! The bounds every task configuration is checked against before a batch is drawn
//! (tasks.md's parameters; the `MAX_*` limits of this module's parent keep a typo from
//! asking for a huge batch).

use super::{
    frames, TaskConfig, MAX_ALPHABET, MAX_BITS, MAX_COLUMNS, MAX_EVAL_COLUMNS, MAX_LENGTH,
    MAX_REPEATS,
};
use crate::error::{config_error, EngramError, Result};

fn check(name: &str, value: usize, low: usize, high: usize) -> Result<()> {
    if (low..=high).contains(&value) {
        Ok(())
    } else {
        Err(config_error(format!(
            "task {name} must be between {low} and {high}, got {value}"
        )))
    }
}

fn check_span(what: &str, min: usize, max: usize, low: usize, high: usize) -> Result<()> {
    // The maximum first: it is what a user most often sets, and setting it lowers the
    // minimum to match, which would otherwise be blamed.
    check(&format!("max_{what}"), max, low, high)?;
    check(&format!("min_{what}"), min, low, high)?;
    if min > max {
        return Err(config_error(format!(
            "task min_{what} ({min}) is larger than max_{what} ({max})"
        )));
    }
    Ok(())
}

/// The longest length of a symbol task within `max_columns` columns.
fn longest_symbols_length(task: super::SymbolTask, max_columns: usize) -> usize {
    (1..=max_columns)
        .take_while(|&l| task.columns(l) <= max_columns)
        .last()
        .unwrap_or(1)
}

impl TaskConfig {
    /// The longest length this task takes in training and traces (`evaluation`: in
    /// evaluation, which runs forward only): for a symbol task, the last within
    /// [`MAX_COLUMNS`] (or [`MAX_EVAL_COLUMNS`]) columns; otherwise the longest that
    /// passes validation.
    pub fn longest_length(&self, evaluation: bool) -> usize {
        let limit = if evaluation {
            MAX_EVAL_COLUMNS
        } else {
            MAX_COLUMNS
        };
        match *self {
            TaskConfig::Symbols { task, .. } => longest_symbols_length(task, limit),
            _ => (1..=MAX_LENGTH)
                .rev()
                .find(|&l| self.at_length(l).validate_within(limit).is_ok())
                .unwrap_or(self.max_length()),
        }
    }

    /// Checks every parameter against its bounds, naming the first one out of range.
    pub fn validate(&self) -> Result<()> {
        self.validate_within(MAX_COLUMNS)
    }

    /// [`TaskConfig::validate`] for evaluation, which runs forward only: a symbol task
    /// may reach [`MAX_EVAL_COLUMNS`] columns instead of [`MAX_COLUMNS`].
    pub fn validate_for_evaluation(&self) -> Result<()> {
        self.validate_within(MAX_EVAL_COLUMNS)
    }

    fn validate_within(&self, max_columns: usize) -> Result<()> {
        if let TaskConfig::Symbols {
            task,
            alphabet,
            min_length,
            max_length,
        } = *self
        {
            if !task.is_arithmetic() {
                check("alphabet", alphabet, 1, MAX_ALPHABET)?;
            }
            let longest = longest_symbols_length(task, max_columns);
            return check_span("length", min_length, max_length, 1, longest).map_err(|e| match e {
                EngramError::Config(message) => config_error(format!(
                    "{message} ({} reaches the limit of {max_columns} columns at length {longest})",
                    task.name()
                )),
                other => other,
            });
        }
        if let TaskConfig::Frames {
            task,
            min_length,
            max_length,
            queries,
            flips,
            ..
        } = *self
        {
            check_span("length", min_length, max_length, 1, MAX_LENGTH)?;
            check("queries", queries, 1, MAX_LENGTH)?;
            check("flips", flips, 0, frames::MAX_FLIPS)?;
            return task
                .check(min_length, max_length, queries)
                .map_err(config_error);
        }
        check("bits", self.bits(), 1, MAX_BITS)?;
        match *self {
            TaskConfig::Copy {
                min_length,
                max_length,
                ..
            } => check_span("length", min_length, max_length, 1, MAX_LENGTH),
            TaskConfig::RepeatCopy {
                min_length,
                max_length,
                min_repeats,
                max_repeats,
                ..
            } => {
                check_span("length", min_length, max_length, 1, MAX_LENGTH)?;
                check_span("repeats", min_repeats, max_repeats, 1, MAX_REPEATS)
            }
            TaskConfig::AssociativeRecall {
                item_length,
                min_items,
                max_items,
                ..
            } => {
                check("item_length", item_length, 1, 16)?;
                check_span("items", min_items, max_items, 2, MAX_LENGTH)
            }
            TaskConfig::PrioritySort {
                length, outputs, ..
            } => {
                check("length", length, 1, MAX_LENGTH)?;
                check("outputs", outputs, 1, length)
            }
            TaskConfig::Symbols { .. } | TaskConfig::Frames { .. } => {
                unreachable!("checked above")
            }
        }
    }
}
