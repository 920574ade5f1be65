//! The GPU path against its CPU twins: the forward kernel's logits, every gradient of
//! the backward and weight-gradient kernels, the loss and norm of `measure`, the
//! parameters after `update`, chunked batches, whole training runs, a lost device and
//! configurations too large for the device. Each test prints its largest difference.
//!
//! The tests run on whatever adapter wgpu finds (lavapipe in CI). They are `#[ignore]`d:
//! plain `cargo test` reports them as ignored; the test command runs them with
//! `--include-ignored`, and a missing adapter fails them.

// Native only: the blocking training API (`Trainer::step`) has no browser equivalent.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::gpu::{largest_difference, worst_tensor};
use engram::gpu::{GpuContext, GpuSession};
use engram::models::DncOptions;
use engram::nn::{clip_global_norm, Optimizer, OptimizerConfig, OptimizerKind};
use engram::tasks::{Batch, TaskConfig};
use engram::train::{batch_gradient, BackendChoice, TrainConfig, Trainer};
use engram::{build, EngramError, Model, ModelConfig, ModelKind};
use pollster::block_on;
use std::rc::Rc;

/// Runs the body with a GPU context, on every adapter present (wgpu offers one: the
/// best), reporting an absent one.
macro_rules! gpu_test {
    ($(#[$meta:meta])* fn $name:ident($context:ident) $body:block) => {
        $(#[$meta])*
        #[test]
        #[ignore = "needs a GPU adapter (the test command runs it)"]
        fn $name() {
            let $context = common::gpu::context();
            $body
        }
    };
}

/// Small, but with two layers, two read heads and sequences of several lengths.
fn small(model: ModelKind, task: &TaskConfig) -> ModelConfig {
    ModelConfig {
        model,
        input_width: task.input_width(),
        output_width: task.output_width(),
        hidden: 8,
        layers: 2,
        memory_slots: 6,
        memory_width: 3,
        read_heads: 2,
        image: None,
        generative: None,
        dnc: Default::default(),
    }
}

fn copy_task() -> TaskConfig {
    TaskConfig::by_name("copy")
        .unwrap()
        .with_bits(3)
        .with_max_length(4)
}

/// The memory models the GPU path has kernels for (the registry says which; the Neural
/// GPU and generative families have test files of their own).
fn gpu_models() -> impl Iterator<Item = ModelKind> {
    ModelKind::ALL
        .into_iter()
        .filter(|&kind| kind.is_recurrent())
        .filter(|&kind| engram::registry::info(kind).gpu)
}

fn session(context: &Rc<GpuContext>, model: &dyn Model, optimizer: OptimizerConfig) -> GpuSession {
    block_on(GpuSession::new(Rc::clone(context), model, optimizer, 10.0)).expect("a session")
}

/// Slots in ascending usage, ties to the lower slot: the order behind every discrete
/// choice of the DNC (allocation) and the LRU (zeroed row, least-used slots).
fn usage_order(usage: &[f32]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..usage.len()).collect();
    order.sort_by(|&a, &b| usage[a].total_cmp(&usage[b]));
    order
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
            usage_order(step.usage.as_ref().unwrap())
                == usage_order(&records[b][start..start + slots])
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

fn cpu_gradient(model: &dyn Model, batch: &Batch) -> (Vec<f32>, f64, f64) {
    let mut grads = vec![0.0; model.params().len()];
    let score = batch_gradient(model, batch, 1, &mut grads);
    (grads, score.loss_nats, score.errors)
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
                let scores = block_on(gpu.train_step(&batch)).unwrap();
                let gpu_grads = block_on(gpu.gradients()).unwrap();
                let (grads, loss, errors) = cpu_gradient(model.as_ref(), &batch);
                let norm = clip_global_norm(&mut grads.clone(), f32::INFINITY);
                let scale = grads.iter().fold(0.0f32, |m, g| m.max(g.abs()));
                let (difference, at) = largest_difference(model.as_ref(), &grads, &gpu_grads);
                eprintln!(
                    "{kind} on {}: loss {loss:.6} vs {:.6}, norm {norm:.6} vs {:.6}, \
                     largest gradient difference {difference:.2e} ({at}; largest gradient {scale:.2e})",
                    task.name(), scores.loss_nats, scores.gradient_norm
                );
                assert!((scores.loss_nats - loss).abs() <= 1e-5 * loss.abs().max(1.0), "{kind} loss");
                assert_eq!(scores.errors, errors, "{kind} bit errors");
                assert!((scores.gradient_norm - norm).abs() <= 1e-5 * norm.max(1.0), "{kind} norm");
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
                let scores = block_on(gpu.train_step(&batch)).unwrap();
                let gpu_grads = block_on(gpu.gradients()).unwrap();
                let (grads, loss, errors) = cpu_gradient(model.as_ref(), &batch);
                let norm = clip_global_norm(&mut grads.clone(), f32::INFINITY);
                let (difference, at) = largest_difference(model.as_ref(), &grads, &gpu_grads);
                let (ratio, worst, _) = worst_tensor(model.as_ref(), &grads, &gpu_grads);
                eprintln!(
                    "{options:?} on {}: loss {loss:.6} vs {:.6}, largest gradient difference \
                     {difference:.2e} ({at}); worst tensor {worst} within {ratio:.2e} of its scale",
                    task.name(), scores.loss_nats
                );
                assert!((scores.loss_nats - loss).abs() <= 1e-5 * loss.abs().max(1.0), "{options:?} loss");
                assert_eq!(scores.errors, errors, "{options:?} bit errors");
                assert!((scores.gradient_norm - norm).abs() <= 1e-5 * norm.max(1.0), "{options:?} norm");
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
    /// workgroup: the presets (README) and the bench sizes of the published baselines
    /// (NTM and LRU: LSTM 100, memory 128 × 20 = 2,560 cells; DNC: LSTM 64, 16 × 16 with
    /// 4 read heads), on copy of length 20 (41 steps, 8 bits): loss, norm, every tensor's
    /// gradient held to its own scale, and the logits over the whole sequence.
    fn a_training_step_matches_the_cpu_at_the_presets_and_bench_sizes(context) {
        let task = TaskConfig::by_name("copy").unwrap().with_min_length(20).with_max_length(20);
        let sizes = [
            ("preset", ModelKind::Lstm, 128, 0, 0, 0),
            ("preset", ModelKind::Ntm, 100, 32, 20, 1),
            ("bench", ModelKind::Ntm, 100, 128, 20, 1),
            ("preset", ModelKind::Dnc, 64, 16, 16, 1),
            ("bench", ModelKind::Dnc, 64, 16, 16, 4),
            ("preset", ModelKind::Lru, 100, 32, 20, 1),
            ("bench", ModelKind::Lru, 100, 128, 20, 1),
        ];
        for (what, kind, hidden, memory_slots, memory_width, read_heads) in sizes {
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
            let scores = block_on(gpu.train_step(&batch)).unwrap();
            let gpu_grads = block_on(gpu.gradients()).unwrap();
            let (grads, loss, errors) = cpu_gradient(model.as_ref(), &batch);
            let norm = clip_global_norm(&mut grads.clone(), f32::INFINITY);
            let (ratio, tensor, scale) = worst_tensor(model.as_ref(), &grads, &gpu_grads);
            eprintln!(
                "{kind} ({what}: H {hidden}, {memory_slots} × {memory_width}, R {read_heads}; {} parameters): \
                 loss {loss:.6} vs {:.6}, norm {norm:.6} vs {:.6}, logits within {logits:.2e} over {} steps, \
                 worst tensor {tensor} within {ratio:.2e} of its largest gradient {scale:.2e}",
                model.params().len(), scores.loss_nats, scores.gradient_norm, batch.steps
            );
            assert!((scores.loss_nats - loss).abs() <= 1e-5 * loss.abs().max(1.0), "{kind} loss");
            assert_eq!(scores.errors, errors, "{kind} bit errors");
            assert!((scores.gradient_norm - norm).abs() <= 1e-5 * norm.max(1.0), "{kind} norm");
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
                cpu.update(&mut expected, &grads);
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

fn train_config(model: ModelKind) -> TrainConfig {
    let task = copy_task();
    let mut config = TrainConfig::preset(model, task.clone());
    let sizes = small(model, &task);
    config.hidden = sizes.hidden;
    config.layers = 1;
    config.memory_slots = sizes.memory_slots;
    config.memory_width = sizes.memory_width;
    config.read_heads = 1;
    config.batch_size = 4;
    config.threads = 1;
    config
}

/// A trainer on the GPU the tests found, whatever kind of adapter it is.
fn gpu_trainer(config: TrainConfig) -> Trainer {
    let mut trainer = Trainer::new(config).unwrap();
    trainer.select_backend_blocking(BackendChoice::Gpu).unwrap();
    assert_eq!(trainer.backend().kind, "gpu");
    trainer
}

gpu_test! {
    /// Ten training steps on the GPU follow the CPU's run: the same batches, metrics to
    /// within float noise, and parameters close at the end.
    fn training_on_the_gpu_follows_the_cpu(_context) {
        for model in [ModelKind::Ntm, ModelKind::Lru] {
            let mut on_gpu = gpu_trainer(train_config(model));
            let mut on_cpu = Trainer::new(train_config(model)).unwrap();
            for _ in 0..10 {
                let g = on_gpu.step().unwrap();
                let c = on_cpu.step().unwrap();
                assert_eq!(g.step, c.step);
                assert!((g.metrics.bits_per_sequence - c.metrics.bits_per_sequence).abs() < 1e-3 * c.metrics.bits_per_sequence, "{g:?} vs {c:?}");
            }
            assert!(!on_gpu.model_is_current());
            on_gpu.sync_blocking().unwrap();
            assert!(on_gpu.model_is_current());
            let (difference, at) = largest_difference(on_cpu.model(), on_cpu.model().params().values(), on_gpu.model().params().values());
            eprintln!("{model}: after 10 steps, largest parameter difference {difference:.2e} ({at})");
            assert!(difference < 1e-3, "{difference} at {at}");
        }
    }
}

gpu_test! {
    /// `auto` chooses by measuring: given a GPU that trains slower than the CPU (lavapipe
    /// here, against a small model on the CPU), it keeps the CPU with both rates and the
    /// reason, and nothing learned changes: the run goes on bit for bit as an all-CPU run.
    fn auto_keeps_the_cpu_when_it_measures_the_gpu_slower(context) {
        let config = train_config(ModelKind::Ntm);
        let mut measured = Trainer::new(config.clone()).unwrap();
        let mut plain = Trainer::new(config).unwrap();
        for _ in 0..3 {
            measured.step().unwrap();
            plain.step().unwrap();
        }
        block_on(measured.choose_by_measuring(Rc::clone(&context))).unwrap();
        let status = measured.backend();
        eprintln!("{status:?}");
        let rates = status.rates.expect("both rates measured");
        assert_eq!(status.kind, "cpu");
        assert!(rates.gpu < rates.cpu, "{rates:?}");
        let reason = status.fallback.expect("the reason");
        assert!(reason.contains("the CPU trains faster here"), "{reason}");
        for _ in 0..3 {
            measured.step().unwrap();
            plain.step().unwrap();
        }
        assert_eq!(measured.steps_done(), plain.steps_done());
        assert_eq!(measured.model().params().values(), plain.model().params().values());
    }
}

gpu_test! {
    /// The device is destroyed mid-run (as a lost GPU would be): training continues on
    /// the CPU from the last synced state, replaying the steps since, and ends where an
    /// all-CPU run ends. Nothing learned is lost.
    fn a_lost_device_falls_back_to_the_cpu_without_losing_steps(_context) {
        let config = train_config(ModelKind::Ntm);
        let mut trainer = gpu_trainer(config.clone());
        for _ in 0..4 {
            trainer.step().unwrap();
        }
        trainer.sync_blocking().unwrap();
        for _ in 0..3 {
            trainer.step().unwrap();
        }
        trainer.gpu_context().unwrap().destroy();
        for _ in 0..3 {
            trainer.step().unwrap();
        }
        let backend = trainer.backend();
        eprintln!("{backend:?}");
        assert_eq!(backend.kind, "cpu");
        assert!(backend.fallback.as_deref().unwrap().contains("destroyed"), "{backend:?}");
        assert_eq!(trainer.steps_done(), 10);
        let mut reference = Trainer::new(config).unwrap();
        for _ in 0..10 {
            reference.step().unwrap();
        }
        let (difference, at) = largest_difference(reference.model(), reference.model().params().values(), trainer.model().params().values());
        eprintln!("after the fallback, largest parameter difference from an all-CPU run {difference:.2e} ({at})");
        assert!(difference < 1e-3, "{difference} at {at}");
    }
}

gpu_test! {
    /// A live learning-rate change made after the last sync survives a lost device: the
    /// CPU replays the GPU's steps with the old rate up to the change and the new one
    /// from there, and ends where an all-CPU run with the same change ends.
    fn a_live_learning_rate_survives_a_fallback(_context) {
        let config = train_config(ModelKind::Ntm);
        let mut trainer = gpu_trainer(config.clone());
        let mut reference = Trainer::new(config).unwrap();
        for run in [&mut trainer, &mut reference] {
            for _ in 0..3 {
                run.step().unwrap();
            }
        }
        trainer.sync_blocking().unwrap();
        for run in [&mut trainer, &mut reference] {
            for _ in 0..2 {
                run.step().unwrap();
            }
            run.set_learning_rate(1e-4).unwrap();
            for _ in 0..2 {
                run.step().unwrap();
            }
        }
        trainer.gpu_context().unwrap().destroy();
        let report = trainer.step().unwrap();
        reference.step().unwrap();
        assert_eq!(trainer.backend().kind, "cpu");
        assert_eq!(trainer.steps_done(), 8);
        assert_eq!(report.learning_rate, 1e-4, "the step after the fallback uses the live rate");
        assert_eq!(trainer.config().optimizer.learning_rate, 1e-4);
        let (difference, at) = largest_difference(reference.model(), reference.model().params().values(), trainer.model().params().values());
        eprintln!("live rate through a fallback: largest parameter difference from the all-CPU run {difference:.2e} ({at})");
        assert!(difference < 1e-3, "{difference} at {at}");
    }
}

gpu_test! {
    /// `auto` passes over software adapters (they run the kernels on the CPU, slower than
    /// the CPU path) and says so; `gpu` takes them.
    fn auto_passes_over_software_adapters_and_says_why(context) {
        let mut trainer = Trainer::new(train_config(ModelKind::Lstm)).unwrap();
        trainer.select_backend_blocking(BackendChoice::Auto).unwrap();
        let backend = trainer.backend();
        eprintln!("auto: {backend:?}");
        if context.is_software() {
            assert_eq!(backend.kind, "cpu");
            assert!(backend.fallback.unwrap().contains("software"));
        } else {
            assert_eq!(backend.kind, "gpu");
        }
        trainer.select_backend_blocking(BackendChoice::Cpu).unwrap();
        assert_eq!(trainer.backend().kind, "cpu");
    }
}

gpu_test! {
    /// NaN on the GPU: the step is refused as on the CPU, and the parameters stay.
    fn exploding_parameters_are_caught_on_the_gpu_too(_context) {
        let config = train_config(ModelKind::Lstm);
        let mut model = build(&config.model_config(), 1).unwrap();
        for v in model.params_mut().values_mut() {
            *v = 3e38;
        }
        let mut trainer = Trainer::with_model(config, model).unwrap();
        trainer.select_backend_blocking(BackendChoice::Gpu).unwrap();
        let error = trainer.step().unwrap_err();
        assert!(matches!(error, EngramError::NonFinite { .. }), "{error}");
        assert_eq!(trainer.steps_done(), 0);
        trainer.sync_blocking().unwrap();
        assert!(trainer.model().params().values().iter().all(|&v| v == 3e38));
    }
}

gpu_test! {
    /// Moving a run between the CPU and the GPU keeps its step count, parameters and
    /// optimiser moments: CPU, then GPU, then CPU again ends where an all-CPU run ends.
    fn switching_backends_mid_run_keeps_everything(_context) {
        let config = train_config(ModelKind::Dnc);
        let mut trainer = Trainer::new(config.clone()).unwrap();
        for choice in [BackendChoice::Cpu, BackendChoice::Gpu, BackendChoice::Cpu] {
            trainer.select_backend_blocking(choice).unwrap();
            assert_eq!(trainer.backend().kind, choice.name());
            for _ in 0..3 {
                trainer.step().unwrap();
            }
        }
        assert_eq!(trainer.steps_done(), 9);
        let mut reference = Trainer::new(config).unwrap();
        for _ in 0..9 {
            reference.step().unwrap();
        }
        let (difference, at) = largest_difference(reference.model(), reference.model().params().values(), trainer.model().params().values());
        eprintln!("CPU → GPU → CPU: largest parameter difference from an all-CPU run {difference:.2e} ({at})");
        assert!(difference < 1e-3, "{difference} at {at}");
    }
}

gpu_test! {
    /// The GPU's reductions are order-fixed (no atomics): the same seed trains the same
    /// bits twice on one device.
    fn the_same_seed_gives_the_same_bits_on_the_gpu(_context) {
        for model in gpu_models() {
            let run = || -> Vec<u32> {
                let mut trainer = gpu_trainer(train_config(model));
                for _ in 0..10 {
                    trainer.step().unwrap();
                }
                trainer.sync_blocking().unwrap();
                trainer.model().params().values().iter().map(|v| v.to_bits()).collect()
            };
            let first = run();
            let differing = first.iter().zip(&run()).filter(|(a, b)| a != b).count();
            assert_eq!(differing, 0, "{model}: {differing} parameters differ between two runs");
        }
    }
}
