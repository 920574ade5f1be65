//! `engram eval`.

use super::options::{parse_backend, parse_lengths, Lengths};
use clap::Args;
use engram::gpu::{GpuContext, GpuSession};
use engram::nn::OptimizerConfig;
use engram::ops::loss::SequenceScore;
use engram::train::{
    default_threads, evaluate, evaluate_with, load_checkpoint, open_gpu, BackendChoice, Checkpoint,
    LengthMetrics,
};
use engram::EngramError;
use pollster::block_on;
use std::path::PathBuf;
use std::rc::Rc;

#[derive(Args)]
pub struct EvalArgs {
    /// A .safetensors checkpoint written by `engram train` or the page.
    #[arg(long, value_name = "FILE")]
    checkpoint: PathBuf,
    /// Lengths to evaluate at: a list, ranges or both, e.g. 5,10,20 or 1-64 or 4-64:4
    /// (every fourth) [default: the task's shortest and longest training lengths, and
    /// twice the longest].
    #[arg(long, value_parser = parse_lengths)]
    lengths: Option<Lengths>,
    /// Seed for the evaluation sequences.
    #[arg(long, default_value_t = 1000)]
    seed: u64,
    /// Sequences per length.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    sequences: u64,
    /// Where to run: auto (a hardware GPU if there is one), cpu or gpu (any adapter).
    #[arg(long, value_parser = parse_backend, default_value = "auto")]
    backend: BackendChoice,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// The inputs: random (the task's own) or, for binary addition, long-carry (both
    /// lowest bits 1 and exactly one operand holding each bit above, so the carry runs
    /// through every column).
    #[arg(long, default_value = "random")]
    inputs: String,
}

/// Scores every length on the GPU.
fn evaluate_on_gpu(
    context: GpuContext,
    checkpoint: &Checkpoint,
    lengths: &[usize],
    args: &EvalArgs,
) -> Result<Vec<LengthMetrics>, EngramError> {
    let mut session = block_on(GpuSession::new(
        Rc::new(context),
        checkpoint.model.as_ref(),
        OptimizerConfig::default(),
        f32::INFINITY,
    ))
    .map_err(|e| EngramError::Gpu(e.0))?;
    evaluate_with(
        checkpoint.model.objective(),
        &checkpoint.task,
        lengths,
        args.sequences as usize,
        args.seed,
        |batch| {
            let scores = block_on(session.score(batch)).map_err(|e| EngramError::Gpu(e.0))?;
            Ok(SequenceScore::from(scores))
        },
    )
}

pub fn run(args: EvalArgs) -> Result<(), String> {
    let mut checkpoint = load_checkpoint(&args.checkpoint).map_err(|e| e.to_string())?;
    checkpoint.task = checkpoint
        .task
        .with_inputs(&args.inputs)
        .map_err(|e| e.to_string())?;
    let task = &checkpoint.task;
    // By default: the memory models' shortest and longest training lengths and twice
    // the longest; the Neural GPU's longest, twice and four times it (neural_gpu.md §
    // Curriculum, tiny); lengths the task cannot take are left out.
    let lengths = args.lengths.clone().map(|l| l.0).unwrap_or_else(|| {
        let longest = task.max_length();
        let mut lengths = if task.is_symbols() {
            vec![longest, 2 * longest, 4 * longest]
        } else {
            vec![task.min_length(), longest, 2 * longest]
        };
        lengths.dedup();
        lengths.retain(|&l| task.at_length(l).validate().is_ok());
        lengths
    });
    let on_cpu = || {
        evaluate(
            checkpoint.model.as_ref(),
            task,
            &lengths,
            args.sequences as usize,
            args.seed,
            default_threads(),
        )
    };
    // The generative models evaluate on the CPU: their metrics include the recall test
    // (generative.md, Metrics), a second pass that feeds the prior mean forward on
    // recall frames, which their training kernels do not run.
    let generative = checkpoint.model.config().model.is_generative();
    if generative && args.backend == BackendChoice::Gpu {
        return Err(
            "the generative models (gtmm) evaluate on the CPU: the recall test that their metrics need has no WebGPU kernels (training does)"
                .into(),
        );
    }
    let opened = if generative {
        Ok(None)
    } else {
        block_on(open_gpu(args.backend))
    };
    let (metrics, backend) = match opened {
        Ok(Some(context)) => {
            let device = context.describe();
            (
                evaluate_on_gpu(context, &checkpoint, &lengths, &args),
                device,
            )
        }
        Ok(None) => (on_cpu(), "CPU".to_string()),
        Err(reason) if args.backend == BackendChoice::Gpu => {
            return Err(EngramError::Gpu(reason.0).to_string())
        }
        Err(reason) => (on_cpu(), format!("CPU ({reason})")),
    };
    let metrics = metrics.map_err(|e| e.to_string())?;
    if args.json {
        let report = serde_json::json!({
            "model": checkpoint.model.config(),
            "task": task,
            "trained_steps": checkpoint.trained_steps,
            "seed": args.seed,
            "backend": backend,
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
    println!("backend: {backend}");
    let objective = checkpoint.model.objective();
    // Each column as wide as its label and two spaces, so no label runs into the next.
    let labels: Vec<String> = objective
        .metrics()
        .iter()
        .map(|m| format!("{} ({})", m.label, m.unit))
        .collect();
    let widths: Vec<usize> = labels.iter().map(|l| l.chars().count() + 2).collect();
    let header: String = labels
        .iter()
        .zip(&widths)
        .map(|(label, &width)| format!("{label:>width$}"))
        .collect();
    println!("{:>8}{header}", "length");
    for m in &metrics {
        let note = if m.beyond_training {
            "  (beyond training)"
        } else {
            ""
        };
        let shown = |value: f64, fraction: bool, width: usize| {
            if fraction {
                format!("{:>width$.2}", 100.0 * value)
            } else {
                format!("{value:>width$.4}")
            }
        };
        let mut line = format!("{:>8}", m.length);
        for (info, &width) in objective.metrics().iter().zip(&widths) {
            if let Some(value) = m.metrics.value(info.key) {
                line.push_str(&shown(value, info.fraction, width));
            }
        }
        println!("{line}{note}");
        if let Some(bound) = &m.metrics.bound {
            println!(
                "{:>8}recall set: rec {:.3} + KL {:.3} bits/frame; other frames: {:.3} (rec {:.3} + KL {:.3})",
                "",
                bound.recall_reconstruction_bits_per_frame,
                bound.recall_kl_bits_per_frame,
                bound.other_bits_per_frame,
                bound.other_reconstruction_bits_per_frame,
                bound.other_kl_bits_per_frame
            );
        }
    }
    Ok(())
}
