//! `engram trace`.

use clap::Args;
use engram::models::trace::rows;
use engram::train::load_checkpoint;
use std::path::PathBuf;

#[derive(Args)]
pub struct TraceArgs {
    /// A .safetensors checkpoint.
    #[arg(long, value_name = "FILE")]
    checkpoint: PathBuf,
    /// Seed of the sequence.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Task length of the sequence [default: the task's longest training length].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    length: Option<u64>,
    /// Print JSON: input, target, mask, logits and per-step internals.
    #[arg(long)]
    json: bool,
}

fn grid(title: &str, values: &[Vec<f32>], on: impl Fn(f32) -> bool) {
    println!("{title}");
    let width = values.first().map_or(0, Vec::len);
    for channel in 0..width {
        let line: String = values
            .iter()
            .map(|row| if on(row[channel]) { '█' } else { '·' })
            .collect();
        println!("  {line}");
    }
}

pub fn run(args: TraceArgs) -> Result<(), String> {
    let checkpoint = load_checkpoint(&args.checkpoint).map_err(|e| e.to_string())?;
    let length = args
        .length
        .map_or(checkpoint.task.max_length(), |l| l as usize);
    let task = checkpoint.task.at_length(length);
    task.validate().map_err(|e| e.to_string())?;
    let batch = task.batch(1, args.seed);
    let sequence = batch.sequence(0);
    let (logits, steps) = checkpoint.model.trace(sequence.input, sequence.steps);
    let input = rows(sequence.input, batch.input_width);
    let target = rows(sequence.target, batch.output_width);
    let logits = rows(&logits, batch.output_width);
    if args.json {
        let report = serde_json::json!({
            "model": checkpoint.model.config(),
            "task": task,
            "seed": args.seed,
            "input": input,
            "target": target,
            "mask": sequence.mask,
            "logits": logits,
            "steps": steps,
        });
        println!(
            "{}",
            serde_json::to_string(&report).expect("a trace always serialises")
        );
        return Ok(());
    }
    println!(
        "{} on {} at length {length}, seed {} ({} steps; --json for every weighting)",
        checkpoint.model.config().model,
        task.name(),
        args.seed,
        sequence.steps
    );
    grid("input", &input, |v| v > 0.5);
    grid("target (masked steps)", &target, |v| v > 0.5);
    grid("output (logit > 0)", &logits, |v| v > 0.0);
    let errors: usize = logits
        .iter()
        .zip(&target)
        .zip(sequence.mask)
        .filter(|(_, &m)| m > 0.0)
        .map(|((y, t), _)| {
            y.iter()
                .zip(t)
                .filter(|(y, t)| (**y > 0.0) != (**t > 0.5))
                .count()
        })
        .sum();
    println!("bit errors: {errors}");
    Ok(())
}
