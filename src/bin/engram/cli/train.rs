//! `engram train`.

use super::options::{parse_backend, parse_model, parse_task, task_for, SettingArgs};
use clap::Args;
use engram::kinds::Family;
use engram::nn::OptimizerKind;
use engram::objective::Metrics;
use engram::registry::settings::{self, Setting};
use engram::registry::DEFAULT_MODEL;
use engram::rng::derive_seed;
use engram::tasks::TaskConfig;
use engram::train::{
    batch_score, check_ram, estimate_ram, save_checkpoint, BackendChoice, BackendStatus,
    CurriculumConfig, DiagonalRecipe, StepReport, TrainConfig, Trainer, NATIVE_BUDGET_MB,
};
use engram::{EngramError, ModelKind};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args)]
pub struct TrainArgs {
    /// The model (its help lists the registry's models: see `registry_help`).
    #[arg(long, value_parser = parse_model)]
    model: Option<ModelKind>,
    /// The task (its help lists each family's tasks from the registry).
    #[arg(long, value_parser = parse_task)]
    task: Option<String>,
    /// Optimiser steps.
    #[arg(long)]
    steps: Option<u64>,
    /// Sequences per batch.
    #[arg(long)]
    batch: Option<usize>,
    /// Learning rate.
    #[arg(long)]
    lr: Option<f32>,
    /// Optimiser: adam, rmsprop or adamax (the Diagonal Neural GPU's).
    #[arg(long, value_parser = parse_optimizer)]
    optimizer: Option<OptimizerKind>,
    /// Seed for initialisation and batches.
    #[arg(long)]
    seed: Option<u64>,
    /// Write the trained model here (.safetensors).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// A full training configuration as JSON (see docs/cli.md); flags override it.
    #[arg(long, value_name = "FILE.json")]
    config: Option<PathBuf>,
    #[command(flatten)]
    settings: SettingArgs,
    /// Data bits per vector (symbol tasks: the alphabet size A).
    #[arg(long, alias = "alphabet")]
    bits: Option<usize>,
    /// Shortest training length (item count for recall).
    #[arg(long)]
    min_length: Option<usize>,
    /// Longest training length (item count for recall).
    #[arg(long)]
    max_length: Option<usize>,
    /// Grow the training length as the model masters each length. Alone: the family's
    /// own (memory models: from a quarter of the maximum, +1 when 20 steps average under
    /// half a bit error; their presets train at full length without it). For the Neural
    /// GPU models, `tiny` (their presets' default) or `original` (the 2015 trainer's).
    #[arg(long, value_name = "KIND", num_args = 0..=1, default_missing_value = "default",
          value_parser = ["default", "tiny", "original"])]
    curriculum: Option<String>,
    /// Neural GPU: train on every length from the start instead of the tiny curriculum.
    #[arg(long, conflicts_with = "curriculum")]
    no_curriculum: bool,
    /// Neural GPU: label smoothing of the training loss (0 to 1).
    #[arg(long)]
    label_smoothing: Option<f32>,
    /// Neural GPU: dropout rate d (cells kept with probability 1 − 8d/n; the original
    /// code's d is 0.15).
    #[arg(long)]
    dropout: Option<f32>,
    /// Neural GPU with dependent outputs: the probability that a decoder step feeds the
    /// model's own sample instead of the target (scheduled sampling; 0: teacher forcing).
    #[arg(long)]
    sampling_rate: Option<f32>,
    /// Neural GPU: parameter-sharing relaxation, r sets of encoder CGRU parameters (step k
    /// uses set k mod r; pulled together, then averaged, as the curriculum advances; the
    /// original code's r is 6; 1: none).
    #[arg(long, value_name = "R")]
    relax_sets: Option<usize>,
    /// gtmm: queried frames k of the task (walk, periodic: the frame count T).
    #[arg(long)]
    queries: Option<usize>,
    /// gtmm: KL warm-up, β rising from 0 to 1 over this many steps (0: off).
    #[arg(long, value_name = "STEPS")]
    kl_warmup: Option<u64>,
    /// DNC: all three improvements of models.md §3.1 (every on/off setting the model has).
    #[arg(long)]
    dnc_fixes: bool,
    /// Worker threads (0: one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Where to train: auto (a hardware GPU if there is one, else the CPU), cpu, or gpu
    /// (any adapter, software ones included).
    #[arg(long, value_parser = parse_backend, default_value = "auto")]
    backend: BackendChoice,
    /// Print metrics every N steps.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..))]
    log_every: u64,
    /// Stop early once the full task is solved to under this error (checked on 256
    /// held-out sequences at each log line; the final line reports another 256): bit
    /// errors per sequence for the memory models, the fraction of wrong sequences for
    /// the Neural GPU models, recall pixel errors per recall frame for gtmm.
    #[arg(long, value_name = "ERRORS")]
    stop_at_errors: Option<f64>,
    /// Print the resolved configuration as JSON (and, on stderr, its training memory
    /// estimate) and exit.
    #[arg(long)]
    print_config: bool,
    /// Refuse a configuration whose estimated training memory (parameters, gradients,
    /// optimiser state, and every step of a sequence per thread) exceeds this many MB
    /// [default: 80% of this machine's memory, or 8000 where it cannot be read].
    /// (--memory-budget is its older name.)
    #[arg(long, alias = "memory-budget", value_name = "MB", value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    ram_budget: Option<u64>,
}

/// 80% of the machine's memory in MB (Linux), else [`NATIVE_BUDGET_MB`].
fn default_ram_budget() -> u64 {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: sysinfo fills the zeroed struct it is given and touches nothing else.
        let mut info: libc::sysinfo = unsafe { std::mem::zeroed() };
        if unsafe { libc::sysinfo(&mut info) } == 0 {
            let bytes = info.totalram as u64 * info.mem_unit as u64;
            return bytes / 1_000_000 * 4 / 5;
        }
    }
    NATIVE_BUDGET_MB
}

fn parse_optimizer(text: &str) -> Result<OptimizerKind, String> {
    match text {
        "adam" => Ok(OptimizerKind::Adam),
        "rmsprop" => Ok(OptimizerKind::Rmsprop),
        "adamax" => Ok(OptimizerKind::Adamax),
        other => Err(format!(
            "unknown optimizer '{other}' (expected adam, rmsprop or adamax)"
        )),
    }
}

/// `task` with `--bits`, `--max-length` and `--min-length` applied, in that order.
fn task_flags(args: &TrainArgs, mut task: TaskConfig) -> TaskConfig {
    if let Some(bits) = args.bits {
        task = task.with_bits(bits);
    }
    if let Some(max) = args.max_length {
        task = task.with_max_length(max);
    }
    if let Some(min) = args.min_length {
        task = task.with_min_length(min);
    }
    task
}

/// The preset (or the config file), with every flag applied on top.
fn resolve(args: &TrainArgs) -> Result<TrainConfig, String> {
    let mut config = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            TrainConfig::from_json(&text).map_err(|e| {
                format!(
                    "{} is not a valid training configuration: {e}",
                    path.display()
                )
            })?
        }
        None => {
            let model = args.model.unwrap_or(DEFAULT_MODEL);
            // The family's first task, as the schema's default.
            let default_task = Family::of(model).tasks()[0];
            let task = task_for(model, args.task.as_deref().unwrap_or(default_task))?;
            TrainConfig::preset(model, task_flags(args, task))
        }
    };
    if args.config.is_some() {
        if let Some(model) = args.model {
            config.architecture.model = model;
        }
        let mut task = config.task.clone();
        if let Some(name) = &args.task {
            if name != task.name() {
                task = task_for(config.model(), name)?;
            }
        }
        config.set_task(task_flags(args, task));
    }
    if let Some(queries) = args.queries {
        match &mut config.task {
            TaskConfig::Frames { queries: k, .. } => *k = queries,
            _ => return Err("--queries applies to gtmm's image-sequence tasks".to_string()),
        }
    }
    let architecture = &mut config.architecture;
    args.settings.apply(architecture)?;
    if args.dnc_fixes {
        // Every on/off setting of the model: the DNC's three improvements.
        let switches: Vec<_> = engram::registry::info(architecture.model)
            .hyperparameters
            .iter()
            .filter(|h| h.boolean)
            .collect();
        if switches.is_empty() {
            return Err(format!(
                "--dnc-fixes is not a setting of {}",
                architecture.model
            ));
        }
        for h in switches {
            settings::write(architecture, h.key, &Setting::Switch(true))
                .map_err(|e| e.to_string())?;
        }
    }
    if let Some(generative) = &mut architecture.generative {
        generative.kl_warmup = args.kl_warmup.unwrap_or(generative.kl_warmup);
    } else if args.kl_warmup.is_some() {
        return Err(format!(
            "--kl-warmup is not a setting of {}",
            architecture.model
        ));
    }
    config.steps = args.steps.unwrap_or(config.steps);
    config.batch_size = args.batch.unwrap_or(config.batch_size);
    config.optimizer.learning_rate = args.lr.unwrap_or(config.optimizer.learning_rate);
    config.optimizer.kind = args.optimizer.unwrap_or(config.optimizer.kind);
    config.seed = args.seed.unwrap_or(config.seed);
    config.threads = args.threads.unwrap_or(config.threads);
    if let Some(image) = &mut config.architecture.image {
        image.label_smoothing = args.label_smoothing.unwrap_or(image.label_smoothing);
        image.dropout = args.dropout.unwrap_or(image.dropout);
        image.sampling_rate = args.sampling_rate.unwrap_or(image.sampling_rate);
        image.relax_sets = args.relax_sets.unwrap_or(image.relax_sets);
    } else if args.label_smoothing.is_some()
        || args.dropout.is_some()
        || args.sampling_rate.is_some()
        || args.relax_sets.is_some()
    {
        return Err(
            "--label-smoothing, --dropout, --sampling-rate and --relax-sets apply to the Neural GPU models"
                .to_string(),
        );
    }
    let image = config.model().is_neural_gpu();
    config.curriculum = match args.curriculum.as_deref() {
        Some("default") if !image => Some(CurriculumConfig::standard(&config.task)),
        Some("tiny" | "original") if !image => {
            return Err("--curriculum tiny and original are the Neural GPU models'".to_string())
        }
        Some("original") => Some(CurriculumConfig::original(&config.task)),
        // The tiny curriculum follows the task's lengths as the flags left them.
        Some(_) => Some(CurriculumConfig::tiny(&config.task)),
        None if image && config.recipe.is_none() && args.config.is_none() => {
            Some(CurriculumConfig::tiny(&config.task))
        }
        None => config.curriculum.clone(),
    };
    if args.no_curriculum {
        config.curriculum = None;
    }
    // The Diagonal Neural GPU's learning rate follows its maps (a `--maps` flag). Its
    // recipe is the preset's, which was made for the task as the flags left it.
    if let (Some(_), Some(image), None, None) = (
        &config.recipe,
        &config.architecture.image,
        &args.config,
        args.lr,
    ) {
        config.optimizer.learning_rate = DiagonalRecipe::learning_rate(image.maps);
    }
    if let Some(errors) = args.stop_at_errors {
        if !(errors >= 0.0 && errors.is_finite()) {
            return Err(format!(
                "--stop-at-errors must be a non-negative number, got {errors}"
            ));
        }
    }
    config.validate().map_err(|e| e.to_string())?;
    Ok(config)
}

/// Mean of the reports since the last log line (at least one).
fn mean(reports: &[StepReport]) -> (Metrics, f32) {
    let n = reports.len().max(1) as f64;
    let all: Vec<Metrics> = reports.iter().map(|r| r.metrics).collect();
    let metrics = Metrics::mean(&all).expect("at least one report");
    let norm = reports.iter().map(|r| r.gradient_norm as f64).sum::<f64>() / n;
    (metrics, norm as f32)
}

/// "CPU, 2 threads" or the GPU adapter, and why the GPU is not in use if it was sought.
fn describe(backend: &BackendStatus) -> String {
    match &backend.fallback {
        Some(reason) => format!("{} (GPU not used: {reason})", backend.device),
        None => backend.device.clone(),
    }
}

/// Which held-out set: the one `--stop-at-errors` watches, or the one the final line
/// reports (a different draw, so the figure printed did not decide when to stop).
/// Training batches are numbered from 1, far below either.
#[derive(Clone, Copy)]
enum HeldOut {
    Stopping,
    Report,
}

/// The metrics of 256 held-out sequences of the full task (one-shot recall: held-out
/// classes).
fn held_out(trainer: &mut Trainer, set: HeldOut) -> Result<Metrics, String> {
    trainer.sync_blocking().map_err(|e| e.to_string())?;
    let config = trainer.config();
    let purpose = match set {
        HeldOut::Stopping => u64::MAX,
        HeldOut::Report => u64::MAX - 1,
    };
    let batch = config
        .task
        .for_evaluation()
        .batch(256, derive_seed(config.seed, purpose));
    let score = batch_score(trainer.model(), &batch, config.worker_threads());
    Ok(trainer.model().objective().summarise(&score, batch.size))
}

pub fn run(args: TrainArgs) -> Result<(), String> {
    let config = resolve(&args)?;
    let budget = args.ram_budget.unwrap_or_else(default_ram_budget);
    if args.print_config {
        println!(
            "{}",
            serde_json::to_string_pretty(&config).expect("a config always serialises")
        );
        let estimate = estimate_ram(&config).map_err(|e| e.to_string())?;
        eprintln!(
            "training memory: {} (RAM budget {} MB)",
            estimate.describe(),
            budget
        );
        return Ok(());
    }
    let estimate = check_ram(&config, budget).map_err(|e| e.to_string())?;
    let mut trainer = Trainer::new(config.clone()).map_err(|e| e.to_string())?;
    trainer
        .select_backend_blocking(args.backend)
        .map_err(|e| e.to_string())?;
    println!(
        "training {} on {} ({} parameters, training memory about {:.0} MB): batch {}, {} steps, lr {}, seed {}{}",
        config.model(),
        config.task.name(),
        trainer.model().params().len(),
        estimate.bytes as f64 / 1e6,
        match &config.recipe {
            Some(recipe) => format!(
                "{} per length bin × {} bins",
                config.batch_size,
                recipe.bins.len()
            ),
            None => config.batch_size.to_string(),
        },
        config.steps,
        config.optimizer.learning_rate,
        config.seed,
        if config.curriculum.is_some() {
            ", curriculum on length"
        } else {
            ""
        }
    );
    println!("backend: {}", describe(&trainer.backend()));
    let progress = ProgressBar::new(config.steps);
    progress.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} steps  {elapsed_precise} (eta {eta})")
            .expect("a fixed template is valid"),
    );
    let say = |line: String| {
        if progress.is_hidden() {
            println!("{line}");
        } else {
            progress.println(line);
        }
    };
    let started = Instant::now();
    let mut since_log = Vec::new();
    let mut trained_sequences = 0u64;
    let mut last_log = Instant::now();
    let mut stopped_early = false;
    let mut failure = None;
    while trainer.steps_done() < config.steps {
        let backend = trainer.backend().kind;
        let stepped = trainer.step();
        if trainer.backend().kind != backend {
            say(format!("backend: {}", describe(&trainer.backend())));
        }
        match stepped {
            Ok(report) => {
                trained_sequences += report.sequences as u64;
                since_log.push(report);
            }
            Err(error @ EngramError::NonFinite { .. }) => {
                failure = Some(error.to_string());
                break;
            }
            Err(other) => return Err(other.to_string()),
        }
        progress.inc(1);
        let step = trainer.steps_done();
        if step.is_multiple_of(args.log_every) || step == config.steps {
            let (metrics, norm) = mean(&since_log);
            let (bits, errors) = (metrics.bits_per_sequence, metrics.describe_errors());
            let sequences: usize = since_log.iter().map(|r| r.sequences).sum();
            let rate = sequences as f64 / last_log.elapsed().as_secs_f64();
            // The curriculum's current maximum (a mixture's batches vary around it).
            let length = trainer.current_task().max_length();
            let learning_rate = since_log.last().map_or(0.0, |r| r.learning_rate);
            say(format!(
                "step {step:>7} | length ≤ {length:>3} | {bits:>9.4} bits/seq | {errors} | grad {norm:>7.3} | lr {learning_rate:.1e} | {rate:>7.0} seq/s"
            ));
            since_log.clear();
            last_log = Instant::now();
            if let Some(threshold) = args.stop_at_errors {
                if trainer.current_task() == config.task {
                    let metrics = held_out(&mut trainer, HeldOut::Stopping)?;
                    let error = metrics.schedule_error();
                    if error < threshold {
                        say(format!(
                            "held-out {} {error:.4} < {threshold}: stopping",
                            trainer.model().objective().schedule_error_name()
                        ));
                        stopped_early = true;
                        break;
                    }
                }
            }
        }
    }
    progress.finish_and_clear();
    let elapsed = started.elapsed().as_secs_f64();
    let steps = trainer.steps_done();
    let sequences = trained_sequences;
    trainer.sync_blocking().map_err(|e| e.to_string())?;
    let saved = match &args.out {
        Some(path) => {
            save_checkpoint(path, trainer.model(), &config.task, steps)
                .map_err(|e| e.to_string())?;
            format!("saved {}", path.display())
        }
        None => "not saved (use --out FILE)".to_string(),
    };
    if let Some(message) = failure {
        return Err(format!("{message}; {saved}"));
    }
    let errors = held_out(&mut trainer, HeldOut::Report)?.describe_errors();
    println!(
        "done: {} on {} | {steps} steps, {sequences} sequences in {elapsed:.1} s ({:.0} seq/s){} | held-out {errors} | {saved}",
        config.model(),
        config.task.name(),
        sequences as f64 / elapsed,
        if stopped_early { ", stopped early" } else { "" },
    );
    Ok(())
}
