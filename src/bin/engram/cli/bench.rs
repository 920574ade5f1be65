//! `engram bench`: forward+backward throughput on copy sequences.

use super::options::{parse_model, parse_positive, SizeArgs};
use clap::Args;
use engram::tasks::TaskConfig;
use engram::train::{batch_gradient, default_threads};
use engram::{build, ModelConfig, ModelKind};
use serde::Serialize;
use std::time::Instant;

#[derive(Args)]
pub struct BenchArgs {
    /// One model to measure [default: all].
    #[arg(long, value_parser = parse_model)]
    model: Option<ModelKind>,
    /// Batch sizes, comma-separated.
    #[arg(long, value_parser = parse_positive, value_delimiter = ',', default_value = "1,16")]
    batch: Vec<usize>,
    /// Copy length L; each sequence has 2L+1 steps.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=256))]
    length: u64,
    #[command(flatten)]
    sizes: SizeArgs,
    /// Seconds to measure each configuration (split into 5 rounds; the fastest round's
    /// rate is reported).
    #[arg(long, default_value_t = 2.5)]
    seconds: f64,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Measurement rounds per configuration; the fastest is reported.
const ROUNDS: usize = 5;

#[derive(Serialize)]
struct Measurement {
    model: ModelKind,
    batch: usize,
    steps_per_sequence: usize,
    threads: usize,
    parameters: usize,
    sequences_per_second: f64,
    microseconds_per_step: f64,
    config: ModelConfig,
}

/// The sizes the bench reports by default: the NTM and DNC of the published baselines
/// (pytorch-ntm: LSTM 100, memory 128×20; DeepMind DNC: LSTM 64, memory 16×16, 4 reads).
fn bench_config(model: ModelKind, task: &TaskConfig, sizes: &SizeArgs) -> ModelConfig {
    let (hidden, slots, width, reads) = match model {
        ModelKind::Lstm => (100, 0, 0, 0),
        ModelKind::Ntm | ModelKind::Lru => (100, 128, 20, 1),
        ModelKind::Dnc => (64, 16, 16, 4),
    };
    ModelConfig {
        model,
        input_width: task.input_width(),
        output_width: task.output_width(),
        hidden: sizes.hidden.unwrap_or(hidden),
        layers: sizes.layers.unwrap_or(1),
        memory_slots: sizes.memory_slots.unwrap_or(slots),
        memory_width: sizes.memory_width.unwrap_or(width),
        read_heads: sizes.read_heads.unwrap_or(reads),
    }
}

pub fn run(args: BenchArgs) -> Result<(), String> {
    if !(args.seconds > 0.0 && args.seconds <= 600.0) {
        return Err(format!(
            "--seconds must be in (0, 600], got {}",
            args.seconds
        ));
    }
    let length = args.length as usize;
    let task = TaskConfig::Copy {
        bits: 8,
        min_length: length,
        max_length: length,
    };
    let threads = if args.threads == 0 {
        default_threads()
    } else {
        args.threads
    };
    let models = args.model.map_or(ModelKind::ALL.to_vec(), |m| vec![m]);
    let mut results = Vec::new();
    if !args.json {
        println!(
            "forward+backward on copy, L = {length} ({} steps per sequence), {threads} thread(s)",
            2 * length + 1
        );
        println!(
            "{:>6} {:>6} {:>10} {:>12} {:>12}",
            "model", "batch", "params", "seq/s", "µs/step"
        );
    }
    for model_kind in models {
        let config = bench_config(model_kind, &task, &args.sizes);
        let model = build(&config, 1).map_err(|e| e.to_string())?;
        let mut grads = vec![0.0; model.params().len()];
        for &batch_size in &args.batch {
            if batch_size > 4096 {
                return Err(format!(
                    "batch sizes must be at most 4096, got {batch_size}"
                ));
            }
            let batch = task.batch(batch_size, 7);
            batch_gradient(model.as_ref(), &batch, threads, &mut grads);
            // The best of several rounds: on a shared machine, interference only ever
            // slows a round down, so the fastest round is the least disturbed.
            let round_seconds = args.seconds / ROUNDS as f64;
            let mut best_rate = 0.0f64;
            for _ in 0..ROUNDS {
                let started = Instant::now();
                let mut iterations = 0;
                while iterations < 2 || started.elapsed().as_secs_f64() < round_seconds {
                    batch_gradient(model.as_ref(), &batch, threads, &mut grads);
                    iterations += 1;
                }
                best_rate = best_rate
                    .max((iterations * batch_size) as f64 / started.elapsed().as_secs_f64());
            }
            let m = Measurement {
                model: model_kind,
                batch: batch_size,
                steps_per_sequence: batch.steps,
                threads,
                parameters: model.params().len(),
                sequences_per_second: best_rate,
                microseconds_per_step: 1e6 / (best_rate * batch.steps as f64),
                config: config.clone(),
            };
            if !args.json {
                println!(
                    "{:>6} {:>6} {:>10} {:>12.1} {:>12.2}",
                    m.model.name(),
                    m.batch,
                    m.parameters,
                    m.sequences_per_second,
                    m.microseconds_per_step
                );
            }
            results.push(m);
        }
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&results).expect("measurements always serialise")
        );
    }
    Ok(())
}
