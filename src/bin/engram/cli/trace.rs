//! `engram trace`.

use clap::Args;
use engram::models::SequenceTrace;
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

/// A symbol as one character: pad as `·`, then 1–9, then letters.
fn symbol_char(symbol: usize) -> char {
    match symbol {
        0 => '·',
        1..=9 => char::from(b'0' + symbol as u8),
        _ => char::from(b'a' + (symbol - 10).min(25) as u8),
    }
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
    let trace = SequenceTrace::record(checkpoint.model.as_ref(), &task, args.seed)
        .map_err(|e| e.to_string())?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&trace).expect("a trace always serialises")
        );
        return Ok(());
    }
    println!(
        "{} on {} at length {length}, seed {} ({} steps; --json for every weighting)",
        trace.model.model,
        task.name(),
        args.seed,
        trace.mask.len()
    );
    if let Some(frames) = &trace.frames {
        let side = frames.frame_size;
        let row =
            |title: &str, pick: &dyn Fn(&engram::models::gtmm::trace::FrameStep) -> &[f32]| {
                println!("{title}");
                let all: Vec<&[f32]> = frames.steps.iter().map(pick).collect();
                for line in super::frames::frame_lines(&all, side) {
                    println!("  {line}");
                }
            };
        row("observed", &|s| &s.frame);
        row("reconstructed (z from the posterior)", &|s| {
            &s.reconstruction
        });
        row("predicted from memory (prior mean)", &|s| &s.prediction);
        let bits = |nats: f32| nats / std::f32::consts::LN_2;
        println!("step  recall  rec (bits)  KL (bits)");
        for (t, s) in frames.steps.iter().enumerate() {
            println!(
                "{t:>4}  {:>6}  {:>10.2}  {:>9.2}",
                if s.recall { "yes" } else { "" },
                bits(s.reconstruction_nats),
                bits(s.kl_nats)
            );
        }
        return Ok(());
    }
    if trace.image.is_some() {
        let symbols = |rows: &[Vec<f32>]| -> String {
            rows.iter()
                .map(|row| symbol_char(engram::ops::loss::argmax(row)))
                .collect()
        };
        println!("input   {}", symbols(&trace.input));
        println!("target  {}", symbols(&trace.target));
        println!("output  {}", symbols(&trace.logits));
        println!("wrong symbols: {} (· is pad)", trace.errors());
        return Ok(());
    }
    grid("input", &trace.input, |v| v > 0.5);
    grid("target (masked steps)", &trace.target, |v| v > 0.5);
    grid("output (logit > 0)", &trace.logits, |v| v > 0.0);
    let errors = trace.errors();
    println!("bit errors: {errors}");
    Ok(())
}
