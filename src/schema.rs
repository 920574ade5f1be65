//! The schema `engram schema --json` and the page's `schema()` export (this module's
//! two users sit above it; the registry it reads, below): every model of
//! [`MODELS`] with its tasks, metrics and hyperparameters, each hyperparameter with its
//! default read from the preset.

use crate::kinds::Family;
use crate::objective::{MetricInfo, Objective};
use crate::registry::settings::{self, shortest_decimal, Setting};
use crate::registry::{HyperparameterInfo, TrainedModel, MODELS};
use crate::tasks::{FrameTask, TaskConfig};
use crate::train::TrainConfig;
use serde::Serialize;

/// A hyperparameter with its preset default, as the schema shows it: a number, or for a
/// setting with choices, one of them.
#[derive(Clone, Debug, Serialize)]
pub struct HyperparameterSchema {
    #[serde(flatten)]
    pub info: HyperparameterInfo,
    pub default: Setting,
}

/// A task with its default configuration, and the three numbers the page's task
/// controls set (see [`TaskConfig::bits`], [`TaskConfig::min_length`] and
/// [`TaskConfig::max_length`]).
#[derive(Clone, Debug, Serialize)]
pub struct TaskSchema {
    pub name: &'static str,
    pub label: &'static str,
    pub default: TaskConfig,
    /// Data bits per vector, or the alphabet size A of a symbol task.
    pub bits: usize,
    /// The label of `bits` ("Bits", "Alphabet"), absent where it is fixed.
    pub bits_label: Option<&'static str>,
    pub min_length: usize,
    pub max_length: usize,
    /// Whether the task has a single length (priority sort).
    pub fixed_length: bool,
    /// The longest length a trace (the page's views) and training take.
    pub longest_trace: usize,
    /// The longest length a test takes (evaluation runs forward only, so a symbol task
    /// reaches 2,049 columns).
    pub longest_test: usize,
    /// The column limit of a test, which `longest_test` reaches.
    pub test_columns: usize,
}

/// A task's label.
fn task_label(family: Family, name: &str) -> &'static str {
    if family == Family::Generative {
        return FrameTask::ALL
            .into_iter()
            .find(|t| t.name() == name)
            .map_or("Task", FrameTask::label);
    }
    match name {
        "copy" => "Copy",
        "repeat-copy" => "Repeat copy",
        "recall" => "Associative recall",
        "priority-sort" => "Priority sort",
        "reverse" => "Reverse",
        "sort" => "Sort",
        "dup" => "Duplicate",
        "add" => "Binary addition",
        "mul" => "Binary multiplication",
        "either" => "Copy or reverse",
        _ => "Task",
    }
}

impl TaskSchema {
    fn new(family: Family, name: &'static str) -> TaskSchema {
        let default = family.task(name).expect("the family's own task names");
        let bits_label = match &default {
            TaskConfig::Symbols { task, .. } if task.is_arithmetic() => None,
            TaskConfig::Symbols { .. } => Some("Alphabet"),
            TaskConfig::Frames { .. } => Some("Flipped pixels"),
            _ => Some("Bits"),
        };
        TaskSchema {
            name,
            label: task_label(family, name),
            bits: default.bits(),
            bits_label,
            min_length: default.min_length(),
            max_length: default.max_length(),
            fixed_length: matches!(default, TaskConfig::PrioritySort { .. }),
            longest_trace: default.longest_length(false),
            longest_test: default.longest_length(true),
            test_columns: crate::tasks::MAX_EVAL_COLUMNS,
            default,
        }
    }
}

/// One model in the schema.
#[derive(Clone, Debug, Serialize)]
pub struct ModelSchema {
    pub name: &'static str,
    pub label: &'static str,
    pub family: Family,
    pub objective: Objective,
    pub metrics: &'static [MetricInfo],
    pub tasks: Vec<TaskSchema>,
    pub hyperparameters: Vec<HyperparameterSchema>,
    pub views: &'static [&'static str],
    pub trained: &'static [TrainedModel],
    /// Whether it trains on WebGPU where there is one.
    pub gpu: bool,
    /// The preset's learning rate (on the model's first task), the page's default.
    pub learning_rate: f64,
}

/// Every model with its tasks, hyperparameters, bounds and preset defaults.
#[derive(Clone, Debug, Serialize)]
pub struct Schema {
    pub models: Vec<ModelSchema>,
    /// The model a link without `model=` opens ([`crate::registry::DEFAULT_MODEL`]).
    pub default_model: &'static str,
}

/// The schema of every model (see [`Schema`]).
pub fn schema() -> Schema {
    let models = MODELS
        .iter()
        .map(|m| {
            let family = Family::of(m.kind);
            let tasks: Vec<TaskSchema> = family
                .tasks()
                .iter()
                .map(|&name| TaskSchema::new(family, name))
                .collect();
            let preset = TrainConfig::preset(m.kind, tasks[0].default.clone());
            let architecture = &preset.architecture;
            ModelSchema {
                name: m.kind.name(),
                label: m.label,
                family,
                objective: family.objective(),
                metrics: family.objective().metrics(),
                hyperparameters: m
                    .hyperparameters
                    .iter()
                    .map(|&info| HyperparameterSchema {
                        info,
                        default: settings::read(architecture, info.key)
                            .expect("every registry key is a configuration key"),
                    })
                    .collect(),
                tasks,
                views: m.views,
                trained: m.trained,
                gpu: m.gpu,
                learning_rate: shortest_decimal(preset.optimizer.learning_rate),
            }
        })
        .collect();
    Schema {
        models,
        default_model: crate::registry::DEFAULT_MODEL.name(),
    }
}
