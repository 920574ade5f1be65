//! The memory models' GPU kernels against their CPU twins: the forward kernel's logits,
//! every gradient of the backward and weight-gradient kernels, the loss and norm of
//! `measure`, the parameters after `update`, chunked batches and configurations too
//! large for the device. Each test prints its largest difference. Training through the
//! trainer (runs, fallbacks, backend switches) is in tests/suite/gpu_training.rs.
//!
//! The tests run on whatever adapter wgpu finds (lavapipe in CI). They are `#[ignore]`d:
//! plain `cargo test` reports them as ignored; the test command runs them with
//! `--include-ignored`, and a missing adapter fails them.

// Native only: the blocking training API (`Trainer::step`) has no browser equivalent.
#![cfg(not(target_arch = "wasm32"))]
use crate::common;

use common::gpu::{copy_task, gpu_models, largest_difference, small, worst_tensor};
use engram::gpu::{GpuContext, GpuSession};
use engram::models::DncOptions;
use engram::nn::{clip_global_norm, Optimizer, OptimizerConfig, OptimizerKind};
use engram::ops::order::ascending_order;
use engram::registry::Sizes;
use engram::tasks::{Batch, TaskConfig};
use engram::train::batch_gradient;
use engram::{build, Model, ModelConfig, ModelKind};
use pollster::block_on;
use std::rc::Rc;

fn session(context: &Rc<GpuContext>, model: &dyn Model, optimizer: OptimizerConfig) -> GpuSession {
    block_on(GpuSession::new(Rc::clone(context), model, optimizer, 10.0)).expect("a session")
}

/// Whether the GPU's forward pass ordered usage as the CPU's did at every step. Near
/// ties in usage may resolve differently on two f32 paths (models.md §3), after which
/// the paths legitimately part; parity is checked on batches where they do not.
fn same_discrete_choices(gpu: &mut GpuSession, model: &dyn Model, batch: &Batch) -> bool {
    let layout = gpu.layout().expect("a memory model");
    let Some(usage_at) = layout.offset("S_USAGE") else {
        return true;
    };
    let at = layout.offset("F_STATE").unwrap() + usage_at;
    let (record, slots) = (layout.record_size(), model.config().memory_slots);
    let records = block_on(gpu.forward_records(batch)).unwrap();
    (0..batch.size).all(|b| {
        let sequence = batch.sequence(b);
        let steps = model.trace(sequence.input, sequence.steps).1;
        steps.iter().enumerate().all(|(t, step)| {
            let start = (t + 1) * record + at;
            ascending_order(step.usage.as_ref().unwrap())
                == ascending_order(&records[b][start..start + slots])
        })
    })
}

/// A batch of `task` on which the two paths make the same discrete choices.
fn comparable_batch(gpu: &mut GpuSession, model: &dyn Model, task: &TaskConfig) -> Batch {
    comparable_batch_of(gpu, model, task, 5)
}

/// [`comparable_batch`] of `size` sequences.
fn comparable_batch_of(
    gpu: &mut GpuSession,
    model: &dyn Model,
    task: &TaskConfig,
    size: usize,
) -> Batch {
    (0..20)
        .map(|seed| task.batch(size, seed))
        .find(|batch| same_discrete_choices(gpu, model, batch))
        .expect("a batch on which both paths order usage alike")
}

/// The CPU's and the GPU's gradients of one training step from the same parameters.
struct Gradients {
    cpu: Vec<f32>,
    gpu: Vec<f32>,
}

/// One training step of `batch` on both paths. The loss, bit errors and gradient norm
/// must agree (to 1e-5 relative, the errors exactly); how closely every gradient must
/// agree is each test's to say, so the gradients are returned.
fn step_on_both(gpu: &mut GpuSession, model: &dyn Model, batch: &Batch, label: &str) -> Gradients {
    let scores = block_on(gpu.train_step(batch)).unwrap();
    let gpu_grads = block_on(gpu.gradients()).unwrap();
    let mut grads = vec![0.0; model.params().len()];
    let score = batch_gradient(model, batch, 1, &mut grads);
    let (loss, errors) = (score.loss_nats, score.errors);
    let norm = clip_global_norm(&mut grads.clone(), f32::INFINITY);
    eprintln!(
        "{label}: loss {loss:.6} vs {:.6}, norm {norm:.6} vs {:.6}",
        scores.loss_nats, scores.gradient_norm
    );
    assert!(
        (scores.loss_nats - loss).abs() <= 1e-5 * loss.abs().max(1.0),
        "{label} loss"
    );
    assert_eq!(scores.errors, errors, "{label} bit errors");
    assert!(
        (scores.gradient_norm - norm).abs() <= 1e-5 * norm.max(1.0),
        "{label} norm"
    );
    Gradients {
        cpu: grads,
        gpu: gpu_grads,
    }
}

gpu_test! {
    /// Loss, bit errors, gradient norm and every parameter's gradient, for every model,
    /// on copy (variable lengths) and associative recall (a partial mask).
    fn a_training_step_matches_the_cpu_for_every_model(context) {
        let recall = TaskConfig::by_name("recall").unwrap().with_bits(3).with_max_length(3);
        for task in [copy_task(), recall] {
            for kind in gpu_models() {
                let model = build(&small(kind, &task), 3).unwrap();
                let mut gpu = session(&context, model.as_ref(), OptimizerConfig::default());
                let batch = comparable_batch(&mut gpu, model.as_ref(), &task);
                let label = format!("{kind} on {}", task.name());
                let grads = step_on_both(&mut gpu, model.as_ref(), &batch, &label);
                let scale = grads.cpu.iter().fold(0.0f32, |m, g| m.max(g.abs()));
                let (difference, at) = largest_difference(model.as_ref(), &grads.cpu, &grads.gpu);
                eprintln!("{label}: largest gradient difference {difference:.2e} ({at}; largest gradient {scale:.2e})");
                assert!(difference <= 1e-6 + 1e-4 * scale, "{kind}: {difference} at {at}");
            }
        }
    }
}

gpu_test! {
    /// The DNC's improvements (models.md §3.1), each alone and all three: a training
    /// step's loss, norm and every gradient as on the CPU, on copy and recall.
    fn the_dnc_improvements_match_the_cpu(context) {
        let recall = TaskConfig::by_name("recall").unwrap().with_bits(3).with_max_length(3);
        let each = [
            DncOptions { masking: true, ..DncOptions::default() },
            DncOptions { deallocation: true, ..DncOptions::default() },
            DncOptions { link_sharpness: true, ..DncOptions::default() },
            DncOptions::ALL,
        ];
        for task in [copy_task(), recall] {
            for options in each {
                let config = ModelConfig { dnc: options, ..small(ModelKind::Dnc, &task) };
                let model = build(&config, 3).unwrap();
                let mut gpu = session(&context, model.as_ref(), OptimizerConfig::default());
                let batch = comparable_batch(&mut gpu, model.as_ref(), &task);
                let label = format!("{options:?} on {}", task.name());
                let grads = step_on_both(&mut gpu, model.as_ref(), &batch, &label);
                let (difference, at) = largest_difference(model.as_ref(), &grads.cpu, &grads.gpu);
                let (ratio, worst, _) = worst_tensor(model.as_ref(), &grads.cpu, &grads.gpu);
                eprintln!(
                    "{label}: largest gradient difference {difference:.2e} ({at}); \
                     worst tensor {worst} within {ratio:.2e} of its scale"
                );
                assert!(ratio <= 1e-4, "{options:?}: {worst} off by {ratio:.2e} of its scale");
            }
        }
    }
}

gpu_test! {
    /// models.md §6: the paths agree on logits within 1e-4 over a 20-step sequence.
    fn logits_match_the_cpu_over_twenty_steps(context) {
        let task = TaskConfig::by_name("copy").unwrap().with_bits(4).with_min_length(10).with_max_length(10);
        let batch = task.batch(2, 5);
        assert!(batch.steps >= 20);
        for kind in gpu_models() {
            let mut config = small(kind, &task);
            config.layers = 1;
            let model = build(&config, 8).unwrap();
            let mut gpu = session(&context, model.as_ref(), OptimizerConfig::default());
            let largest = largest_logit_difference(&mut gpu, model.as_ref(), &batch);
            eprintln!("{kind}: largest logit difference over {} steps {largest:.2e}", batch.steps);
            assert!(largest <= 1e-4, "{kind}: {largest}");
        }
    }
}

/// The largest |logit difference| between the forward kernel's records and the CPU's
/// forward pass over every step of every sequence of `batch`.
fn largest_logit_difference(gpu: &mut GpuSession, model: &dyn Model, batch: &Batch) -> f32 {
    let records = block_on(gpu.forward_records(batch)).unwrap();
    let layout = gpu.layout().expect("a memory model");
    let (record, logits_at) = (layout.record_size(), layout.offset("F_LOGITS").unwrap());
    let mut largest = 0.0f32;
    for (b, records) in records.iter().enumerate() {
        let sequence = batch.sequence(b);
        let cpu = model.forward(sequence.input, sequence.steps);
        for (t, row) in cpu.chunks(batch.output_width).enumerate() {
            let start = (t + 1) * record + logits_at;
            for (c, g) in row.iter().zip(&records[start..start + row.len()]) {
                largest = largest.max((c - g).abs());
            }
        }
    }
    largest
}

gpu_test! {
    /// The sizes people use, where every loop and reduction spans more than one 128-lane
    /// workgroup: the presets (docs/cli.md) and the bench sizes of the published baselines
    /// (NTM and LRU: LSTM 100, memory 128 × 20 = 2,560 cells; DNC: LSTM 64, 16 × 16 with
    /// 4 read heads), on copy of length 20 (41 steps, 8 bits): loss, norm, every tensor's
    /// gradient held to its own scale, and the logits over the whole sequence.
    fn a_training_step_matches_the_cpu_at_the_presets_and_bench_sizes(context) {
        let task = TaskConfig::by_name("copy").unwrap().with_min_length(20).with_max_length(20);
        // Every memory model at its preset and, where they differ, its bench sizes
        // (the registry's lines).
        let sizes = gpu_models().flat_map(|kind| {
            let info = engram::registry::info(kind);
            let bench = (info.bench != info.preset).then_some(("bench", kind, info.bench));
            [Some(("preset", kind, info.preset)), bench].into_iter().flatten()
        });
        for (what, kind, size) in sizes {
            let Sizes { hidden, memory_slots, memory_width, read_heads } = size;
            let config = ModelConfig {
                model: kind,
                input_width: task.input_width(),
                output_width: task.output_width(),
                hidden,
                layers: 1,
                memory_slots,
                memory_width,
                read_heads,
                image: None,
                generative: None,
                dnc: Default::default(),
            };
            let model = build(&config, 5).unwrap();
            let mut gpu = session(&context, model.as_ref(), OptimizerConfig::default());
            // Two sequences: lavapipe runs the 41 steps at these sizes slowly.
            let batch = comparable_batch_of(&mut gpu, model.as_ref(), &task, 2);
            let logits = largest_logit_difference(&mut gpu, model.as_ref(), &batch);
            let label = format!(
                "{kind} ({what}: H {hidden}, {memory_slots} × {memory_width}, R {read_heads}; {} parameters)",
                model.params().len()
            );
            let grads = step_on_both(&mut gpu, model.as_ref(), &batch, &label);
            let (ratio, tensor, scale) = worst_tensor(model.as_ref(), &grads.cpu, &grads.gpu);
            eprintln!(
                "{label}: logits within {logits:.2e} over {} steps, \
                 worst tensor {tensor} within {ratio:.2e} of its largest gradient {scale:.2e}",
                batch.steps
            );
            assert!(logits <= 1e-4, "{kind}: logits {logits}");
            assert!(ratio <= 1e-4, "{kind} ({what}): {tensor} differs by {ratio} of its scale");
        }
    }
}

gpu_test! {
    /// Clipping and the optimisers: from the same parameters, moments and gradient, the
    /// GPU's update equals the CPU optimiser's, over several steps.
    fn clipping_and_both_optimisers_match_the_cpu(context) {
        let task = copy_task();
        for (kind, clip) in [(OptimizerKind::Adam, 10.0), (OptimizerKind::Adam, 0.05), (OptimizerKind::Rmsprop, 0.05)] {
            let model = build(&small(ModelKind::Ntm, &task), 2).unwrap();
            let optimizer = OptimizerConfig { kind, learning_rate: 0.01, ..OptimizerConfig::default() };
            let mut gpu = block_on(GpuSession::new(Rc::clone(&context), model.as_ref(), optimizer.clone(), clip)).unwrap();
            for step in 0..3 {
                let parameters = block_on(gpu.parameters()).unwrap();
                let moments = block_on(gpu.moments()).unwrap();
                let mut cpu = Optimizer::from_state(optimizer.clone(), &moments, gpu.updates());
                block_on(gpu.train_step(&task.batch(4, step))).unwrap();
                let mut grads = block_on(gpu.gradients()).unwrap();
                clip_global_norm(&mut grads, clip);
                let mut expected = parameters;
                cpu.update(&mut expected, &grads, optimizer.learning_rate);
                let updated = block_on(gpu.parameters()).unwrap();
                let (difference, at) = largest_difference(model.as_ref(), &expected, &updated);
                let (moment_difference, _) = largest_difference(model.as_ref(), &cpu.moments(), &block_on(gpu.moments()).unwrap());
                eprintln!("{kind:?}, clip {clip}, step {step}: largest parameter difference {difference:.2e} ({at}), moments {moment_difference:.2e}");
                assert!(difference <= 1e-6, "{difference} at {at}");
                assert!(moment_difference <= 1e-5, "{moment_difference}");
            }
        }
    }
}

gpu_test! {
    /// A batch whose records do not fit one buffer runs in chunks, with the same result.
    fn a_batch_split_into_chunks_gives_the_same_step(context) {
        let task = copy_task();
        let model = build(&small(ModelKind::Dnc, &task), 4).unwrap();
        let batch = task.batch(7, 9);
        let mut whole = session(&context, model.as_ref(), OptimizerConfig::default());
        let mut chunked = session(&context, model.as_ref(), OptimizerConfig::default());
        // Room for two sequences' records per buffer.
        let layout = engram::gpu::memory::Layout::new(model.config(), model.params()).unwrap();
        chunked.limit_buffer_bytes(2 * 4 * layout.sequence_floats(batch.steps) as u64);
        assert_eq!(whole.dispatches_per_step(&batch).unwrap(), 5);
        assert_eq!(chunked.dispatches_per_step(&batch).unwrap(), 3 * 4 + 2);
        let a = block_on(whole.train_step(&batch)).unwrap();
        let b = block_on(chunked.train_step(&batch)).unwrap();
        let (difference, at) = largest_difference(
            model.as_ref(),
            &block_on(whole.parameters()).unwrap(),
            &block_on(chunked.parameters()).unwrap(),
        );
        eprintln!("loss {} vs {}; largest parameter difference {difference:.2e} ({at})", a.loss_nats, b.loss_nats);
        assert!((a.loss_nats - b.loss_nats).abs() < 1e-5);
        assert!(difference <= 1e-6);
    }
}

gpu_test! {
    /// A sequence that cannot fit the device (here: a limit set below it) is refused with
    /// the sizes; a trainer on the GPU then continues on the CPU instead of failing.
    fn a_sequence_too_large_for_the_device_is_refused_clearly(context) {
        let task = copy_task();
        let model = build(&small(ModelKind::Ntm, &task), 1).unwrap();
        let mut gpu = session(&context, model.as_ref(), OptimizerConfig::default());
        gpu.limit_buffer_bytes(1024);
        let error = block_on(gpu.train_step(&task.batch(2, 1))).unwrap_err();
        eprintln!("{error}");
        assert!(error.to_string().contains("MB of GPU memory"), "{error}");
    }
}
