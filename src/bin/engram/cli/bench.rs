//! `engram bench`: forward+backward throughput on copy sequences.

use super::options::{parse_backend, parse_model, parse_positive, SettingArgs};
use clap::Args;
use engram::gpu::{GpuContext, GpuSession, READBACK_BYTES};
use engram::models::neural_gpu::NeuralGpuConfig;
use engram::nn::OptimizerConfig;
use engram::tasks::{Batch, SymbolTask, TaskConfig};
use engram::train::{
    batch_gradient, default_threads, open_gpu, threads_used, BackendChoice, MAX_THREADS,
};
use engram::{build, Model, ModelConfig, ModelKind};
use pollster::block_on;
use serde::Serialize;
use std::rc::Rc;
use std::time::Instant;

#[derive(Args)]
pub struct BenchArgs {
    /// One model to measure (its help lists the registry's models).
    #[arg(long, value_parser = parse_model)]
    model: Option<ModelKind>,
    /// Batch sizes, comma-separated.
    #[arg(long, value_parser = parse_positive, value_delimiter = ',', default_value = "1,16")]
    batch: Vec<usize>,
    /// Task length L: copy for the memory models (2L+1 steps per sequence, default 20),
    /// reverse for the Neural GPU models (L columns, default 17), recall's items for gtmm
    /// (L + 5 frames, default 10).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=256))]
    length: Option<u64>,
    #[command(flatten)]
    settings: SettingArgs,
    /// Seconds to measure each configuration (split into 5 rounds; the fastest round's
    /// rate is reported).
    #[arg(long, default_value_t = 2.5)]
    seconds: f64,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Where to run: cpu, gpu (any adapter) or auto (a hardware GPU if there is one).
    /// The GPU figures are whole training steps (forward, backward, clipping and the
    /// optimiser update), as the GPU path always runs them.
    #[arg(long, value_parser = parse_backend, default_value = "cpu")]
    backend: BackendChoice,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Measurement rounds per configuration; the fastest is reported.
const ROUNDS: usize = 5;

#[derive(Serialize)]
struct Measurement {
    model: ModelKind,
    backend: String,
    batch: usize,
    steps_per_sequence: usize,
    /// CPU threads that ran the batch (0 on the GPU).
    threads: usize,
    parameters: usize,
    sequences_per_second: f64,
    microseconds_per_step: f64,
    /// The Neural GPU family: convolution GFLOP/s of forward+backward (backward counted as
    /// twice the forward's multiply-adds, 2 FLOPs each).
    gflops: Option<f64>,
    /// This core's measured f32 peak (an FMA loop), beside `gflops`.
    single_core_peak_gflops: Option<f64>,
    /// GPU only: compute dispatches and bytes read back per training step.
    dispatches_per_step: Option<usize>,
    readback_bytes_per_step: Option<u64>,
    config: ModelConfig,
}

/// The best rate over [`ROUNDS`] rounds of `seconds` in all: on a shared machine,
/// interference only ever slows a round down, so the fastest round is the least
/// disturbed.
fn best_rate(
    seconds: f64,
    batch_size: usize,
    mut run: impl FnMut() -> Result<(), String>,
) -> Result<f64, String> {
    run()?;
    let round_seconds = seconds / ROUNDS as f64;
    let mut best = 0.0f64;
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let mut iterations = 0;
        while iterations < 2 || started.elapsed().as_secs_f64() < round_seconds {
            run()?;
            iterations += 1;
        }
        best = best.max((iterations * batch_size) as f64 / started.elapsed().as_secs_f64());
    }
    Ok(best)
}

/// Sequences per second of whole GPU training steps on `batch`, and dispatches per step.
fn measure_gpu(
    context: &Rc<GpuContext>,
    model: &dyn Model,
    batch: &Batch,
    seconds: f64,
) -> Result<(f64, usize), String> {
    let mut session = block_on(GpuSession::new(
        Rc::clone(context),
        model,
        OptimizerConfig::default(),
        10.0,
    ))
    .map_err(|e| e.to_string())?;
    let dispatches = session
        .dispatches_per_step(batch)
        .map_err(|e| e.to_string())?;
    let rate = best_rate(seconds, batch.size, || {
        block_on(session.train_step(batch))
            .map(|_| ())
            .map_err(|e| e.to_string())
    })?;
    Ok((rate, dispatches))
}

/// The sizes the bench reports by default (the registry's `bench` sizes: the NTM and DNC
/// of the published baselines), the Neural GPU at its tiny defaults (m = 24, h = 4, two
/// layers), each overridden by the setting flags.
fn bench_config(
    model: ModelKind,
    task: &TaskConfig,
    settings: &SettingArgs,
    only_model: bool,
) -> Result<ModelConfig, String> {
    let image = model.is_neural_gpu().then(|| {
        if model.is_diagonal() {
            NeuralGpuConfig::diagonal(24, 0.0)
        } else {
            NeuralGpuConfig::default()
        }
    });
    let bench = engram::registry::info(model).bench;
    let generative = model
        .is_generative()
        .then(|| engram::models::gtmm::GenerativeConfig {
            action_width: task.input_width() - task.output_width(),
            ..Default::default()
        });
    let mut config = ModelConfig {
        model,
        input_width: task.input_width(),
        output_width: task.output_width(),
        hidden: bench.hidden,
        layers: 1,
        memory_slots: bench.memory_slots,
        memory_width: bench.memory_width,
        read_heads: bench.read_heads,
        image,
        generative,
        dnc: Default::default(),
    };
    // One model named: a flag it does not take is a mistake. Every model: each takes
    // the flags it has.
    if only_model {
        settings.apply(&mut config)?;
    } else {
        settings.apply_where_taken(&mut config)?;
    }
    Ok(config)
}

/// This core's f32 peak in GFLOP/s, measured: twelve independent chains of 8-wide fused
/// multiply-adds (AVX2 FMA where the CPU has it, else separate 8-wide multiplies and adds),
/// the best of 5 rounds of 0.1 s. The figure the Neural GPU's convolutions are held to.
fn single_core_peak() -> f64 {
    let mut best = 0.0f64;
    for _ in 0..5 {
        let started = Instant::now();
        let mut flops = 0.0;
        while started.elapsed().as_secs_f64() < 0.1 {
            flops += peak_round();
        }
        best = best.max(flops / started.elapsed().as_secs_f64() / 1e9);
    }
    best
}

/// One round of the peak loop; returns its floating-point operations.
#[cfg(all(
    target_arch = "x86_64",
    target_feature = "avx2",
    target_feature = "fma"
))]
fn peak_round() -> f64 {
    use std::arch::x86_64::*;
    const ROUNDS: usize = 100_000;
    // SAFETY: the cfg above guarantees AVX2 and FMA on the CPU this was compiled for.
    unsafe {
        let a = _mm256_set1_ps(std::hint::black_box(1.000_000_1));
        let b = _mm256_set1_ps(std::hint::black_box(0.999_999_9));
        let mut c = [_mm256_set1_ps(0.5); 12];
        for _ in 0..ROUNDS {
            for chain in c.iter_mut() {
                *chain = _mm256_fmadd_ps(*chain, a, b);
            }
        }
        std::hint::black_box(&c);
    }
    (ROUNDS * 12 * 8 * 2) as f64
}

#[cfg(not(all(
    target_arch = "x86_64",
    target_feature = "avx2",
    target_feature = "fma"
)))]
fn peak_round() -> f64 {
    const ROUNDS: usize = 100_000;
    let a = std::hint::black_box([1.000_000_1f32; 8]);
    let b = std::hint::black_box([0.999_999_9f32; 8]);
    let mut c = [[0.5f32; 8]; 12];
    for _ in 0..ROUNDS {
        for chain in c.iter_mut() {
            for l in 0..8 {
                chain[l] = chain[l] * a[l] + b[l];
            }
        }
    }
    std::hint::black_box(&c);
    (ROUNDS * 12 * 8 * 2) as f64
}

/// Multiply-adds of one sequence's forward pass through the Neural GPU's convolutions:
/// `27·m_in·m·h·n` per layer and step (neural_gpu.md § Numerics), n steps of L layers,
/// and as much again with m_in = 2m for the decoder; the Diagonal Neural GPU's three
/// width-3 convolutions are `9·m·m·n` per step (§5.3).
fn image_forward_macs(config: &ModelConfig, columns: usize) -> f64 {
    let Some(image) = &config.image else {
        return 0.0;
    };
    let (m, h, n, l) = (
        image.maps as f64,
        image.height as f64,
        columns as f64,
        image.cgru_layers as f64,
    );
    let taps = if config.model.is_diagonal() {
        9.0
    } else {
        27.0
    };
    let encoder = taps * m * m * h * n * n * l;
    let decoder = if config.model.has_decoder() {
        2.0 * encoder
    } else {
        0.0
    };
    encoder + decoder
}

pub fn run(args: BenchArgs) -> Result<(), String> {
    if !(args.seconds > 0.0 && args.seconds <= 600.0) {
        return Err(format!(
            "--seconds must be in (0, 600], got {}",
            args.seconds
        ));
    }
    let copy_length = args.length.unwrap_or(20) as usize;
    let copy = TaskConfig::Copy {
        bits: 8,
        min_length: copy_length,
        max_length: copy_length,
    };
    let columns = args.length.unwrap_or(17) as usize;
    let reverse = TaskConfig::Symbols {
        task: SymbolTask::Reverse,
        alphabet: 4,
        min_length: columns,
        max_length: columns,
    };
    // The generative models: recall at the tiny defaults (l = 10, k = 5: 15 frames), or
    // with L items.
    let recall = TaskConfig::frames_by_name("recall").map_err(|e| e.to_string())?;
    let recall = match args.length {
        Some(items) => recall.at_length(items as usize),
        None => recall,
    };
    if args.threads > MAX_THREADS {
        return Err(format!(
            "--threads must be at most {MAX_THREADS}, got {}",
            args.threads
        ));
    }
    let threads = if args.threads == 0 {
        default_threads()
    } else {
        args.threads
    };
    let models = args.model.map_or(ModelKind::ALL.to_vec(), |m| vec![m]);
    let gpu = match block_on(open_gpu(args.backend)) {
        Ok(context) => context.map(Rc::new),
        Err(reason) if args.backend == BackendChoice::Gpu => return Err(reason.to_string()),
        Err(reason) => {
            eprintln!("GPU not used: {reason}");
            None
        }
    };
    let backend = match &gpu {
        Some(context) => context.describe(),
        None => format!("CPU, {threads} thread(s)"),
    };
    let mut results = Vec::new();
    let peak = models
        .iter()
        .any(|m| m.is_neural_gpu())
        .then(single_core_peak);
    if !args.json {
        let what = if gpu.is_some() {
            "training steps (forward, backward, update)"
        } else {
            "forward+backward"
        };
        println!(
            "{what}, {backend}: memory models on copy, L = {copy_length} ({} steps per sequence); Neural GPU models on reverse, n = {columns}; gtmm on recall ({} frames)",
            2 * copy_length + 1,
            recall.max_steps()
        );
        println!(
            "{:>15} {:>6} {:>8} {:>10} {:>12} {:>12} {:>10}",
            "model", "batch", "threads", "params", "seq/s", "µs/step", "GFLOP/s"
        );
    }
    for model_kind in models {
        let task = if model_kind.is_neural_gpu() {
            &reverse
        } else if model_kind.is_generative() {
            &recall
        } else {
            &copy
        };
        let config = bench_config(model_kind, task, &args.settings, args.model.is_some())?;
        let model = build(&config, 1).map_err(|e| e.to_string())?;
        if gpu.is_some() {
            if let Err(reason) = engram::gpu::Kernels::new(model.config(), model.params()) {
                eprintln!(
                    "{model_kind}: not measured on the GPU ({reason}; --backend cpu measures it)"
                );
                continue;
            }
        }
        let mut grads = vec![0.0; model.params().len()];
        for &batch_size in &args.batch {
            if batch_size > 4096 {
                return Err(format!(
                    "batch sizes must be at most 4096, got {batch_size}"
                ));
            }
            let batch = task.batch(batch_size, 7);
            let (rate, dispatches) = match &gpu {
                Some(context) => {
                    let (rate, dispatches) =
                        measure_gpu(context, model.as_ref(), &batch, args.seconds)?;
                    (rate, Some(dispatches))
                }
                None => {
                    let rate = best_rate(args.seconds, batch_size, || {
                        batch_gradient(model.as_ref(), &batch, threads, &mut grads);
                        Ok(())
                    })?;
                    (rate, None)
                }
            };
            // The threads that ran: a batch keeps at most one busy per chunk (a batch of
            // one, one thread), and the GPU runs none of its own.
            let used = if gpu.is_some() {
                0
            } else {
                threads_used(batch_size, threads)
            };
            let m = Measurement {
                model: model_kind,
                backend: backend.clone(),
                batch: batch_size,
                steps_per_sequence: batch.steps,
                threads: used,
                parameters: model.params().len(),
                sequences_per_second: rate,
                microseconds_per_step: 1e6 / (rate * batch.steps as f64),
                gflops: model_kind
                    .is_neural_gpu()
                    .then(|| 3.0 * 2.0 * image_forward_macs(&config, batch.steps) * rate / 1e9),
                single_core_peak_gflops: None,
                dispatches_per_step: dispatches,
                readback_bytes_per_step: dispatches.map(|_| READBACK_BYTES),
                config: config.clone(),
            };
            if !args.json {
                // The single-core peak is the CPU's: a GPU's figure is not a fraction of it.
                let fraction = match (m.gflops, peak) {
                    (Some(g), Some(p)) if gpu.is_none() => format!(
                        " ({:.0}% of {used} × {p:.1})",
                        100.0 * g / (p * used as f64)
                    ),
                    _ => String::new(),
                };
                println!(
                    "{:>15} {:>6} {:>8} {:>10} {:>12.1} {:>12.2} {:>10}{fraction}",
                    m.model.name(),
                    m.batch,
                    if gpu.is_some() {
                        "-".to_string()
                    } else {
                        used.to_string()
                    },
                    m.parameters,
                    m.sequences_per_second,
                    m.microseconds_per_step,
                    m.gflops.map_or(String::new(), |g| format!("{g:.2}"))
                );
            }
            results.push(m);
            if let (Some(last), Some(p)) = (results.last_mut(), peak) {
                last.single_core_peak_gflops = last.gflops.map(|_| p);
            }
        }
    }
    if let Some(dispatches) = results.first().and_then(|m| m.dispatches_per_step) {
        if !args.json {
            println!(
                "per training step: one submission, {dispatches} dispatches (when the batch fits one chunk), {READBACK_BYTES} bytes read back"
            );
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
