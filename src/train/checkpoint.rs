//! Checkpoints as `.safetensors` (models.md §7): every parameter as f32 under its dotted
//! name, plus `engram_config` metadata holding the model and task configuration.

use crate::error::{EngramError, Result};
use crate::kinds::ModelKind;
use crate::models::{build, parameter_layout, Model, ModelConfig};
use crate::tasks::TaskConfig;
use safetensors::tensor::{Dtype, Metadata, SafeTensors, TensorView};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

pub const FORMAT_VERSION: u32 = 1;
const CONFIG_KEY: &str = "engram_config";

/// The JSON stored under `engram_config`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckpointConfig {
    pub format_version: u32,
    #[serde(flatten)]
    pub model: ModelConfig,
    pub task: TaskConfig,
    /// Optimiser steps the parameters have seen (informational).
    #[serde(default)]
    pub trained_steps: u64,
}

/// A loaded checkpoint.
pub struct Checkpoint {
    pub model: Box<dyn Model>,
    pub task: TaskConfig,
    pub trained_steps: u64,
}

fn rejected(message: impl Into<String>) -> EngramError {
    EngramError::Checkpoint(message.into())
}

/// The safetensors header and the `engram_config` it carries, in a format this build
/// reads; nothing else is checked yet.
fn read_config(bytes: &[u8]) -> Result<(Metadata, CheckpointConfig)> {
    let (_, metadata) = SafeTensors::read_metadata(bytes).map_err(|e| {
        rejected(format!(
            "not a readable safetensors file (truncated or corrupt?): {e}"
        ))
    })?;
    let json = metadata
        .metadata()
        .as_ref()
        .and_then(|m| m.get(CONFIG_KEY))
        .ok_or_else(|| {
            rejected(format!(
                "no '{CONFIG_KEY}' metadata: not an Engram checkpoint"
            ))
        })?;
    let config: CheckpointConfig = serde_json::from_str(json)
        .map_err(|e| rejected(format!("'{CONFIG_KEY}' is not a valid configuration: {e}")))?;
    if config.format_version != FORMAT_VERSION {
        return Err(rejected(format!(
            "format_version {} is not supported (this build reads version {FORMAT_VERSION})",
            config.format_version
        )));
    }
    Ok((metadata, config))
}

impl Checkpoint {
    /// Serialises `model` and `task` to safetensors bytes.
    pub fn to_bytes(model: &dyn Model, task: &TaskConfig, trained_steps: u64) -> Result<Vec<u8>> {
        let config = CheckpointConfig {
            format_version: FORMAT_VERSION,
            model: model.config().clone(),
            task: task.clone(),
            trained_steps,
        };
        let json = serde_json::to_string(&config)
            .map_err(|e| rejected(format!("cannot encode config: {e}")))?;
        let params = model.params();
        let bytes: Vec<Vec<u8>> = params
            .entries()
            .iter()
            .map(|e| {
                params.values()[e.range()]
                    .iter()
                    .flat_map(|v| v.to_le_bytes())
                    .collect()
            })
            .collect();
        let views = params
            .entries()
            .iter()
            .zip(&bytes)
            .map(|(e, data)| {
                TensorView::new(Dtype::F32, e.shape.clone(), data)
                    .map(|view| (e.name.clone(), view))
                    .map_err(|err| rejected(format!("cannot encode tensor {}: {err}", e.name)))
            })
            .collect::<Result<Vec<_>>>()?;
        let metadata = HashMap::from([(CONFIG_KEY.to_string(), json)]);
        safetensors::serialize(views, Some(metadata))
            .map_err(|e| rejected(format!("cannot encode: {e}")))
    }

    /// The model a checkpoint holds, from its header, without building anything: what
    /// the page reads to choose the engine module (one per model family) that can load
    /// it. Refuses what [`Checkpoint::from_bytes`] refuses for an unreadable header or
    /// config.
    pub fn model_of(bytes: &[u8]) -> Result<ModelKind> {
        Ok(read_config(bytes)?.1.model.model)
    }

    /// Parses and fully validates checkpoint bytes: the config, every tensor's presence,
    /// dtype and shape, no unexpected tensors, and finite values.
    pub fn from_bytes(bytes: &[u8]) -> Result<Checkpoint> {
        let (metadata, config) = read_config(bytes)?;
        config
            .task
            .validate()
            .map_err(|e| rejected(e.to_string()))?;
        if !crate::kinds::Family::of(config.model.model).accepts(&config.task) {
            return Err(rejected(format!(
                "a {} model does not train on the task {} (its config pairs a model and a task of different families)",
                config.model.model,
                config.task.name()
            )));
        }
        if config.model.input_width != config.task.input_width()
            || config.model.output_width != config.task.output_width()
        {
            return Err(rejected(format!(
                "the model's input/output widths ({}/{}) do not fit the task {} ({}/{})",
                config.model.input_width,
                config.model.output_width,
                config.task.name(),
                config.task.input_width(),
                config.task.output_width()
            )));
        }
        // The config's parameters from its layout alone, checked against the header
        // before anything is allocated: a small file claiming a huge model is refused
        // without building it.
        let layout = parameter_layout(&config.model).map_err(|e| rejected(e.to_string()))?;
        let implied: usize = layout.iter().map(|e| e.len()).sum();
        let declared = metadata.data_len() / 4;
        let refuse = |problem: String| {
            if implied == declared {
                rejected(problem)
            } else {
                rejected(format!(
                    "{problem} (the config implies {implied} parameters, {:.1} MB; the file declares {declared}, {:.1} MB)",
                    implied as f64 * 4e-6,
                    declared as f64 * 4e-6
                ))
            }
        };
        let header_tensors = metadata.tensors();
        // The first unexpected name in sorted order, so the message does not depend on
        // the hash map's order.
        if let Some(extra) = header_tensors
            .keys()
            .filter(|name| !layout.iter().any(|e| &e.name == *name))
            .min()
        {
            return Err(refuse(format!(
                "unexpected tensor '{extra}' for a {} model: the checkpoint does not match its config",
                config.model.model
            )));
        }
        for entry in &layout {
            let info = header_tensors.get(&entry.name).ok_or_else(|| {
                refuse(format!(
                    "missing tensor '{}' for a {} model",
                    entry.name, config.model.model
                ))
            })?;
            if info.dtype != Dtype::F32 {
                return Err(refuse(format!(
                    "tensor '{}' is {:?}, expected F32",
                    entry.name, info.dtype
                )));
            }
            if info.shape != entry.shape {
                return Err(refuse(format!(
                    "tensor '{}' has shape {:?}, but the config implies {:?}",
                    entry.name, info.shape, entry.shape
                )));
            }
        }
        let tensors = SafeTensors::deserialize(bytes)
            .map_err(|e| rejected(format!("corrupt tensor data: {e}")))?;
        let mut model = build(&config.model, 0).map_err(|e| rejected(e.to_string()))?;
        for entry in &layout {
            let tensor = tensors
                .tensor(&entry.name)
                .map_err(|e| rejected(format!("corrupt tensor data: {e}")))?;
            let target = &mut model.params_mut().values_mut()[entry.range()];
            for (value, chunk) in target.iter_mut().zip(tensor.data().chunks_exact(4)) {
                *value = f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
                if !value.is_finite() {
                    return Err(rejected(format!(
                        "tensor '{}' holds NaN or infinity",
                        entry.name
                    )));
                }
            }
        }
        Ok(Checkpoint {
            model,
            task: config.task,
            trained_steps: config.trained_steps,
        })
    }
}

/// Writes a checkpoint atomically: to a temporary file beside `path`, then renamed over
/// it, so an interrupted save never destroys the previous file.
pub fn save_checkpoint(
    path: &Path,
    model: &dyn Model,
    task: &TaskConfig,
    trained_steps: u64,
) -> Result<()> {
    let bytes = Checkpoint::to_bytes(model, task, trained_steps)?;
    let temporary = path.with_extension("safetensors.tmp");
    let io = |context: String| move |source| EngramError::Io { context, source };
    std::fs::write(&temporary, bytes)
        .map_err(io(format!("cannot write {}", temporary.display())))?;
    std::fs::rename(&temporary, path).map_err(io(format!("cannot write {}", path.display())))
}

/// Reads and validates a checkpoint file.
pub fn load_checkpoint(path: &Path) -> Result<Checkpoint> {
    let bytes = std::fs::read(path).map_err(|source| EngramError::Io {
        context: format!("cannot read checkpoint {}", path.display()),
        source,
    })?;
    Checkpoint::from_bytes(&bytes)
}
