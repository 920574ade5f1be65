//! Argument parsing and dispatch. Every failure becomes one clear line on stderr and a
//! non-zero exit code; nothing panics on bad input.

mod bench;
mod eval;
mod frames;
mod options;
mod sample;
mod schema;
mod trace;
mod train;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "engram",
    version,
    about = "Train and inspect memory-augmented neural networks (LSTM, NTM, DNC, LRU), the Neural GPU and generative temporal models with memory"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train a model on a task (presets per model and task; flags override them).
    Train(Box<train::TrainArgs>),
    /// Evaluate a checkpoint at several lengths.
    Eval(eval::EvalArgs),
    /// Run a checkpoint on one sequence and print every step's memory and weightings.
    Trace(trace::TraceArgs),
    /// Generate frames with a generative model (gtmm), from an optional prompt.
    Sample(sample::SampleArgs),
    /// Measure forward+backward speed in sequences per second.
    Bench(bench::BenchArgs),
    /// List every model: objective, tasks, hyperparameters with bounds and defaults.
    Schema(schema::SchemaArgs),
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Train(args) => train::run(*args),
        Command::Eval(args) => eval::run(args),
        Command::Trace(args) => trace::run(args),
        Command::Sample(args) => sample::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Schema(args) => schema::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
