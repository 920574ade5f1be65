//! The schema `engram schema --json` and the page's `schema()` export (this module's
//! two users sit above it; the registry it reads, below): every model of
//! [`MODELS`] with its tasks, metrics and hyperparameters, each hyperparameter with its
//! default read from the preset.

use crate::kinds::Family;
use crate::objective::{MetricInfo, Objective};
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
    pub default: serde_json::Value,
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

/// The value of hyperparameter `key` in a training configuration.
fn value_of(config: &TrainConfig, key: &str, integer: bool) -> serde_json::Value {
    if key == "memory" {
        let memory = config.generative.clone().unwrap_or_default().memory;
        return serde_json::Value::from(memory.name());
    }
    match key {
        "dnc_masking" => return serde_json::Value::from(config.dnc_masking),
        "dnc_deallocation" => return serde_json::Value::from(config.dnc_deallocation),
        "dnc_link_sharpness" => return serde_json::Value::from(config.dnc_link_sharpness),
        _ => {}
    }
    let value = number_of(config, key);
    // A whole-number setting is a whole number in the schema ("100", not "100.0").
    if integer {
        serde_json::Value::from(value as u64)
    } else {
        serde_json::Value::from(value)
    }
}

fn number_of(config: &TrainConfig, key: &str) -> f64 {
    let image = config.image.clone().unwrap_or_default();
    let generative = config.generative.clone().unwrap_or_default();
    match key {
        "hidden" => config.hidden as f64,
        "layers" => config.layers as f64,
        "memory_slots" => config.memory_slots as f64,
        "memory_width" => config.memory_width as f64,
        "read_heads" => config.read_heads as f64,
        "maps" => image.maps as f64,
        "height" => image.height as f64,
        "cgru_layers" => image.cgru_layers as f64,
        "gate_cutoff" => shortest_decimal(image.gate_cutoff),
        "latent" => generative.latent as f64,
        "map_hidden" => generative.map_hidden as f64,
        other => unreachable!("the registry names no hyperparameter '{other}'"),
    }
}

/// The f64 of the decimal with the fewest places that reads back as `value` (1.2, not
/// 1.2000000476837158, for `1.2f32`). Computed rather than by printing and parsing,
/// which would bring the standard library's float parser and its 10 KB table into the
/// page's wasm.
fn shortest_decimal(value: f32) -> f64 {
    let mut scale = 1.0_f64;
    for _ in 0..10 {
        let decimal = (f64::from(value) * scale).round() / scale;
        if decimal as f32 == value {
            return decimal;
        }
        scale *= 10.0;
    }
    f64::from(value)
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
                        default: value_of(&preset, info.key, info.integer),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shortest_decimal_is_the_printed_one() {
        // The standard library prints the shortest decimal that reads back as the f32.
        for value in [1.2_f32, 0.1, 1.0, 0.0, 3.25, 1e-4, 0.3333, 7.0e6, -2.5] {
            let printed: f64 = value.to_string().parse().unwrap();
            assert_eq!(shortest_decimal(value), printed, "{value}");
        }
        assert_eq!(shortest_decimal(1.2), 1.2);
    }
}
