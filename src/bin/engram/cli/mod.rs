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

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use engram::kinds::Family;
use engram::registry::{DEFAULT_MODEL, MODELS};
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

/// `a, b or c`.
fn listed(names: &[&str]) -> String {
    match names.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// The help of the flags that name models and tasks, from the registry, so a new model
/// or task shows up in `--help` without an edit here.
fn registry_help(command: clap::Command) -> clap::Command {
    let models: Vec<&str> = MODELS.iter().map(|m| m.kind.name()).collect();
    let model_help = format!(
        "Model: {} [default: {}]",
        listed(&models),
        DEFAULT_MODEL.name()
    );
    let tasks = [Family::Memory, Family::NeuralGpu, Family::Generative]
        .iter()
        .map(|&family| format!("{} for the {}", listed(family.tasks()), family.label()))
        .collect::<Vec<_>>()
        .join("; ");
    let task_help = format!("Task: {tasks} [default: copy, gtmm: recall]");
    let bench_help = format!("One model to measure, {} [default: all]", listed(&models));
    command
        .mut_subcommand("train", |train| {
            train
                .mut_arg("model", |a| a.help(model_help))
                .mut_arg("task", |a| a.help(task_help))
        })
        .mut_subcommand("bench", |bench| {
            bench.mut_arg("model", |a| a.help(bench_help))
        })
}

pub fn run() -> ExitCode {
    let matches = registry_help(Cli::command()).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
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
