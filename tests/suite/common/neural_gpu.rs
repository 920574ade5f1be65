//! Building Neural GPU inputs and configurations by hand.

use engram::models::neural_gpu::NeuralGpuConfig;
use engram::rng::Pcg32;
use engram::{ModelConfig, ModelKind};
use serde_json::Value;

/// A JSON number or nested list of numbers, flattened row-major to f32.
pub fn flat(value: &Value) -> Vec<f32> {
    match value {
        Value::Array(items) => items.iter().flat_map(flat).collect(),
        Value::Number(n) => vec![n.as_f64().expect("a number") as f32],
        other => panic!("unexpected JSON value {other}"),
    }
}

pub fn symbols(value: &Value) -> Vec<usize> {
    value
        .as_array()
        .expect("a list of symbols")
        .iter()
        .map(|v| v.as_u64().expect("a symbol") as usize)
        .collect()
}

pub fn one_hot(symbols: &[usize], width: usize) -> Vec<f32> {
    let mut rows = vec![0.0; symbols.len() * width];
    for (x, &s) in symbols.iter().enumerate() {
        rows[x * width + s] = 1.0;
    }
    rows
}

pub fn config(
    kind: ModelKind,
    alphabet_in: usize,
    alphabet_out: usize,
    image: NeuralGpuConfig,
) -> ModelConfig {
    ModelConfig {
        model: kind,
        input_width: alphabet_in,
        output_width: alphabet_out,
        hidden: 0,
        layers: 0,
        memory_slots: 0,
        memory_width: 0,
        read_heads: 0,
        image: Some(image),
        generative: None,
        dnc: Default::default(),
    }
}

/// The fixture case's model, with the reference's parameters copied in by name.
pub fn random(rng: &mut Pcg32, len: usize, scale: f32) -> Vec<f32> {
    (0..len).map(|_| rng.uniform(-scale, scale)).collect()
}

/// A tiny Neural GPU on copy with `relax_sets` relaxed sets and a curriculum that
/// advances after every step, one length at a time from 1 to 40.
pub fn advancing_every_step(relax_sets: usize) -> engram::train::TrainConfig {
    use engram::tasks::{SymbolTask, TaskConfig};
    use engram::train::{CurriculumConfig, TrainConfig};
    let task = TaskConfig::Symbols {
        task: SymbolTask::Copy,
        alphabet: 2,
        min_length: 1,
        max_length: 40,
    };
    let mut config = TrainConfig::preset(ModelKind::NeuralGpu, task);
    config.architecture.image = Some(NeuralGpuConfig {
        maps: 2,
        height: 1,
        cgru_layers: 1,
        relax_sets,
        ..NeuralGpuConfig::default()
    });
    // A sequence error is at most 1, under the threshold: every step advances.
    config.curriculum = Some(CurriculumConfig {
        start: 1,
        step: 1,
        window: 1,
        threshold: 2.0,
        mixture: false,
    });
    config.batch_size = 1;
    config.threads = 1;
    config
}
