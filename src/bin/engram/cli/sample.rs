//! `engram sample`: a generative model dreams frames (generation mode: the posterior on
//! a prompt of observed frames, then latents sampled from the prior).

use super::frames::{frame_lines, write_pgm};
use clap::Args;
use engram::models::gtmm::Mode;
use engram::tasks::SequenceRef;
use engram::train::load_checkpoint;
use std::path::PathBuf;

#[derive(Args)]
pub struct SampleArgs {
    /// A gtmm checkpoint.
    #[arg(long, value_name = "FILE")]
    checkpoint: PathBuf,
    /// Frames to generate in all, the prompt included.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=1000))]
    frames: u64,
    /// Observed frames (from a sequence of the checkpoint's task) before the model
    /// generates on its own.
    #[arg(long, default_value_t = 0)]
    prompt: usize,
    /// Seed of the prompt's sequence and of the sampling noise.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write the frames as a PGM image: the task's frames above, the model's below.
    #[arg(long, value_name = "FILE.pgm")]
    out: Option<PathBuf>,
    /// Screen pixels per frame pixel in the image.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=64))]
    scale: u64,
}

pub fn run(args: SampleArgs) -> Result<(), String> {
    let checkpoint = load_checkpoint(&args.checkpoint).map_err(|e| e.to_string())?;
    let config = checkpoint.model.config().clone();
    let Some(generative) = config.generative.clone() else {
        return Err(format!(
            "{} is a {} checkpoint; sample needs a generative model (gtmm)",
            args.checkpoint.display(),
            config.model
        ));
    };
    let steps = args.frames as usize;
    if args.prompt > steps {
        return Err(format!(
            "the prompt ({}) is longer than the frames asked for ({steps})",
            args.prompt
        ));
    }
    // The task's sequence gives the prompt (and walk's actions); past its end, blank.
    let batch = checkpoint.task.batch(1, args.seed);
    let sequence = batch.sequence(0);
    let width = batch.input_width;
    let mut input = vec![0.0; steps * width];
    let known = sequence.steps.min(steps);
    input[..known * width].copy_from_slice(&sequence.input[..known * width]);
    let mask = vec![1.0; steps];
    let view = SequenceRef {
        input: &input,
        target: &input,
        mask: &mask,
        alternative: None,
        recall: None,
        steps,
        noise_seed: engram::rng::derive_seed(args.seed, 0x5341_4D50),
        batch_seed: 0,
    };
    let trace = checkpoint
        .model
        .frame_trace(
            view,
            Mode::Generation {
                prompt: args.prompt,
            },
            None,
        )
        .ok_or("the checkpoint's model cannot generate frames")?;
    let side = generative.frame_size;
    let observed: Vec<&[f32]> = trace.steps.iter().map(|s| &s.frame[..]).collect();
    let generated: Vec<&[f32]> = trace.steps.iter().map(|s| &s.reconstruction[..]).collect();
    println!(
        "{} ({} memory) on {}: {} frames, the first {} observed (seed {})",
        config.model,
        generative.memory,
        checkpoint.task.name(),
        steps,
        args.prompt,
        args.seed
    );
    println!("task's frames:");
    for line in frame_lines(&observed, side) {
        println!("  {line}");
    }
    println!("model's frames (p(x = 1)):");
    for line in frame_lines(&generated, side) {
        println!("  {line}");
    }
    if let Some(path) = &args.out {
        write_pgm(path, &[observed, generated], side, args.scale as usize)?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
