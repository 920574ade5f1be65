//! `engram eval`.

use super::options::parse_positive;
use clap::Args;
use engram::train::{default_threads, evaluate, load_checkpoint};
use std::path::PathBuf;

#[derive(Args)]
pub struct EvalArgs {
    /// A .safetensors checkpoint written by `engram train` or the page.
    #[arg(long, value_name = "FILE")]
    checkpoint: PathBuf,
    /// Lengths to evaluate at, e.g. 5,10,20 [default: the task's shortest and longest
    /// training lengths, and twice the longest].
    #[arg(long, value_parser = parse_positive, value_delimiter = ',')]
    lengths: Option<Vec<usize>>,
    /// Seed for the evaluation sequences.
    #[arg(long, default_value_t = 1000)]
    seed: u64,
    /// Sequences per length.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    sequences: u64,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(args: EvalArgs) -> Result<(), String> {
    let checkpoint = load_checkpoint(&args.checkpoint).map_err(|e| e.to_string())?;
    let task = &checkpoint.task;
    let lengths = args.lengths.unwrap_or_else(|| {
        let mut lengths = vec![task.min_length(), task.max_length(), 2 * task.max_length()];
        lengths.dedup();
        lengths
    });
    let metrics = evaluate(
        checkpoint.model.as_ref(),
        task,
        &lengths,
        args.sequences as usize,
        args.seed,
        default_threads(),
    )
    .map_err(|e| e.to_string())?;
    if args.json {
        let report = serde_json::json!({
            "model": checkpoint.model.config(),
            "task": task,
            "trained_steps": checkpoint.trained_steps,
            "seed": args.seed,
            "lengths": metrics,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("metrics always serialise")
        );
        return Ok(());
    }
    println!(
        "{} on {} ({} training steps), {} sequences per length, seed {}",
        checkpoint.model.config().model,
        task.name(),
        checkpoint.trained_steps,
        args.sequences,
        args.seed
    );
    println!(
        "{:>8}  {:>14}  {:>18}",
        "length", "bits/seq", "bit errors/seq"
    );
    for m in &metrics {
        let note = if m.length > task.max_length() {
            "  (beyond training)"
        } else {
            ""
        };
        println!(
            "{:>8}  {:>14.4}  {:>18.4}{note}",
            m.length, m.bits_per_sequence, m.bit_errors_per_sequence
        );
    }
    Ok(())
}
