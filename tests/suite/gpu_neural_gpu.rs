//! The Neural GPU family's GPU kernels against the CPU path, at the spec's real size
//! (m = 24, h = 4, L = 2, widths up to n = 20): the training step's loss, symbol errors,
//! wrong sequences, gradient norm and every parameter's gradient, for both models, with
//! sequences of mixed widths in one batch; evaluation's scores; chunked batches; and the
//! configurations whose training the GPU path refuses. Each test prints its largest
//! difference.

#![cfg(not(target_arch = "wasm32"))]
use crate::common;

use common::gpu::largest_difference;
use common::neural_gpu::config;
use engram::gpu::{GpuContext, GpuSession, StepScores};
use engram::models::neural_gpu::{training_noise, Image, NeuralGpuConfig};
use engram::nn::{clip_global_norm, OptimizerConfig};
use engram::ops::loss::SequenceScore;
use engram::tasks::{Batch, SymbolTask, TaskConfig};
use engram::train::{batch_gradient, batch_score, BackendChoice, TrainConfig, Trainer};
use engram::{build, Model, ModelKind};
use pollster::block_on;
use std::rc::Rc;

const KINDS: [ModelKind; 2] = [ModelKind::NeuralGpu, ModelKind::NeuralGpuDep];

pub(crate) fn symbols(task: SymbolTask, min_length: usize, max_length: usize) -> TaskConfig {
    TaskConfig::Symbols {
        task,
        alphabet: 4,
        min_length,
        max_length,
    }
}

fn model(kind: ModelKind, task: &TaskConfig, image: NeuralGpuConfig, seed: u64) -> Box<dyn Model> {
    let config = config(kind, task.input_width(), task.output_width(), image);
    build(&config, seed).expect("a valid model")
}

pub(crate) fn session(context: &Rc<GpuContext>, model: &dyn Model) -> GpuSession {
    block_on(GpuSession::new(
        Rc::clone(context),
        model,
        OptimizerConfig::default(),
        f32::INFINITY,
    ))
    .expect("a session")
}

/// One GPU training step against the CPU's batch gradient (with relaxation's pull when
/// given, and the saturation cost's weight, which the model was given too); returns both
/// paths' scores.
pub(crate) fn compare_step(
    context: &Rc<GpuContext>,
    model: &dyn Model,
    batch: &Batch,
    pull: Option<f32>,
    regulariser_weight: f32,
    what: &str,
) -> (SequenceScore, StepScores) {
    let mut gpu = session(context, model);
    gpu.set_pull(pull);
    gpu.set_regulariser_weight(regulariser_weight);
    let scores: StepScores = block_on(gpu.train_step(batch)).expect("a GPU step");
    let gpu_grads = block_on(gpu.gradients()).expect("the gradients");
    let mut grads = vec![0.0; model.params().len()];
    let cpu = batch_gradient(model, batch, 1, &mut grads);
    if let (Some(sets), Some(pull)) = (model.relaxed_sets(), pull) {
        sets.pull(model.params().values(), pull, &mut grads);
    }
    let norm = clip_global_norm(&mut grads.clone(), f32::INFINITY);
    let scale = grads.iter().fold(0.0f32, |m, g| m.max(g.abs()));
    let (difference, at) = largest_difference(model, &grads, &gpu_grads);
    eprintln!(
        "{what} (widths {:?}): loss {:.6} vs {:.6}, errors {} vs {}, wrong {} vs {}, \
         norm {norm:.6} vs {:.6}, largest gradient difference {difference:.2e} \
         ({at}; largest gradient {scale:.2e})",
        batch.lengths,
        cpu.loss_nats,
        scores.loss_nats,
        cpu.errors,
        scores.errors,
        cpu.wrong_sequences,
        scores.wrong_sequences,
        scores.gradient_norm
    );
    assert!(
        (scores.loss_nats - cpu.loss_nats).abs() <= 1e-5 * cpu.loss_nats.abs().max(1.0),
        "{what}: loss"
    );
    assert_eq!(scores.errors, cpu.errors, "{what}: symbol errors");
    assert_eq!(
        scores.wrong_sequences, cpu.wrong_sequences,
        "{what}: wrong sequences"
    );
    assert_eq!(scores.scored, cpu.scored, "{what}: positions scored");
    assert!(
        (scores.gradient_norm - norm).abs() <= 1e-4 * norm.max(1.0),
        "{what}: norm"
    );
    assert!(
        difference <= 1e-6 + 1e-4 * scale,
        "{what}: gradient difference {difference} at {at}"
    );
    (cpu, scores)
}

/// The first seeded batch of `size` whose widest sequence is `width` wide and whose
/// narrowest is narrower.
pub(crate) fn mixed_batch(task: &TaskConfig, size: usize, width: usize) -> Batch {
    (0..)
        .map(|seed| task.batch(size, seed))
        .find(|b| b.steps == width && b.lengths.iter().any(|&l| l < width))
        .expect("some seed gives such a batch")
}

#[test]
#[ignore = "needs a GPU adapter (the test command runs it)"]
fn a_training_step_matches_the_cpu_at_the_spec_size() {
    let context = common::gpu::context();
    // Width 20 (the spec's parity size) beside shorter sequences masked within it.
    let task = symbols(SymbolTask::Reverse, 3, 20);
    let batch = mixed_batch(&task, 3, 20);
    for kind in KINDS {
        let model = model(kind, &task, NeuralGpuConfig::default(), 3);
        compare_step(
            &context,
            model.as_ref(),
            &batch,
            None,
            0.0,
            &format!("{kind} on reverse"),
        );
    }
}

#[test]
#[ignore = "needs a GPU adapter (the test command runs it)"]
fn evaluation_scores_match_the_cpu_with_either_answer_accepted() {
    let context = common::gpu::context();
    // copy-or-reverse: the loss is against the drawn target, either answer is right;
    // label smoothing is the training loss's and evaluation leaves it out.
    let task = symbols(SymbolTask::Either, 4, 10);
    let batch = mixed_batch(&task, 4, 10);
    let image = NeuralGpuConfig {
        maps: 8,
        label_smoothing: 0.1,
        ..NeuralGpuConfig::default()
    };
    for kind in KINDS {
        let model = model(kind, &task, image.clone(), 5);
        scores_match_the_cpu(
            &context,
            model.as_ref(),
            &batch,
            &format!("{kind} on either"),
        );
    }
}

/// Evaluation's scores of `batch` on a fresh GPU session against the CPU's: the loss
/// within 1e-5 (relative), the same symbol errors and wrong sequences.
pub(crate) fn scores_match_the_cpu(
    context: &Rc<GpuContext>,
    model: &dyn Model,
    batch: &Batch,
    label: &str,
) {
    let scores = block_on(session(context, model).score(batch)).expect("GPU scores");
    let cpu = batch_score(model, batch, 1);
    eprintln!(
        "{label}: loss {:.6} vs {:.6}, errors {} vs {}, wrong {} vs {}",
        cpu.loss_nats,
        scores.loss_nats,
        cpu.errors,
        scores.errors,
        cpu.wrong_sequences,
        scores.wrong_sequences
    );
    assert!((scores.loss_nats - cpu.loss_nats).abs() <= 1e-5 * cpu.loss_nats.max(1.0));
    assert_eq!(scores.errors, cpu.errors);
    assert_eq!(scores.wrong_sequences, cpu.wrong_sequences);
}

#[test]
#[ignore = "needs a GPU adapter (the test command runs it)"]
fn label_smoothing_and_alternatives_train_as_on_the_cpu() {
    let context = common::gpu::context();
    let task = symbols(SymbolTask::Either, 4, 8);
    let batch = mixed_batch(&task, 3, 8);
    let image = NeuralGpuConfig {
        maps: 6,
        height: 3,
        cgru_layers: 3,
        gate_cutoff: 1.1,
        label_smoothing: 0.1,
        ..NeuralGpuConfig::default()
    };
    for kind in KINDS {
        let model = model(kind, &task, image.clone(), 7);
        compare_step(
            &context,
            model.as_ref(),
            &batch,
            None,
            0.0,
            &format!("{kind} on either"),
        );
    }
}

#[test]
#[ignore = "needs a GPU adapter (the test command runs it)"]
fn relaxed_parameter_sets_and_their_pull_train_as_on_the_cpu() {
    let context = common::gpu::context();
    let task = symbols(SymbolTask::Reverse, 2, 8);
    let batch = mixed_batch(&task, 3, 8);
    let image = NeuralGpuConfig {
        maps: 6,
        height: 2,
        relax_sets: 3,
        ..NeuralGpuConfig::default()
    };
    for kind in KINDS {
        let model = model(kind, &task, image.clone(), 11);
        let what = format!("{kind} with 3 relaxed sets");
        compare_step(&context, model.as_ref(), &batch, Some(0.05), 0.0, &what);
    }
}

#[test]
#[ignore = "needs a GPU adapter (the test command runs it)"]
fn a_batch_split_into_chunks_gives_the_same_step() {
    let context = common::gpu::context();
    let task = symbols(SymbolTask::Add, 1, 3);
    let batch = mixed_batch(&task, 5, 7);
    for kind in KINDS {
        let image = NeuralGpuConfig {
            maps: 6,
            ..NeuralGpuConfig::default()
        };
        let model = model(kind, &task, image, 2);
        let mut whole = session(&context, model.as_ref());
        let mut chunked = session(&context, model.as_ref());
        // Room for two sequences' records per buffer.
        let per_sequence = engram::gpu::Kernels::new(model.config(), model.params())
            .unwrap()
            .sequence_floats(batch.steps);
        chunked.limit_buffer_bytes(2 * 4 * per_sequence as u64);
        let a = block_on(whole.train_step(&batch)).unwrap();
        let b = block_on(chunked.train_step(&batch)).unwrap();
        let (difference, at) = largest_difference(
            model.as_ref(),
            &block_on(whole.parameters()).unwrap(),
            &block_on(chunked.parameters()).unwrap(),
        );
        eprintln!(
            "{kind}: {} vs {} dispatches; loss {} vs {}; largest parameter difference \
             {difference:.2e} ({at})",
            whole.dispatches_per_step(&batch).unwrap(),
            chunked.dispatches_per_step(&batch).unwrap(),
            a.loss_nats,
            b.loss_nats
        );
        assert!(
            chunked.dispatches_per_step(&batch).unwrap()
                > whole.dispatches_per_step(&batch).unwrap()
        );
        assert!((a.loss_nats - b.loss_nats).abs() < 1e-5);
        assert_eq!((a.errors, a.wrong_sequences), (b.errors, b.wrong_sequences));
        assert!(difference <= 1e-6);
    }
}

/// The host draws dropout's masks and scheduled sampling's draws per sequence, as the
/// CPU does, and uploads them at the batch's width.
#[test]
#[ignore = "needs a GPU adapter (the test command runs it)"]
fn dropout_and_scheduled_sampling_train_as_on_the_cpu() {
    let context = common::gpu::context();
    let task = symbols(SymbolTask::Reverse, 2, 9);
    let batch = mixed_batch(&task, 4, 9);
    // The batch's coins: a rate of 0.5 would feed no sample here (the 9 coins all come up
    // over 0.5), 0.8 feeds some.
    let sampled = |rate: f32| {
        let image = NeuralGpuConfig {
            sampling_rate: rate,
            ..NeuralGpuConfig::default()
        };
        let s = batch.sequence(0);
        let geometry = Image {
            maps: 24,
            height: 4,
            width: batch.lengths[0],
        };
        let noise = training_noise(&image, true, geometry, s.noise_seed, s.batch_seed);
        noise.samples.iter().filter(|s| s.is_some()).count()
    };
    assert_eq!(sampled(0.5), 0);
    assert!(sampled(0.8) > 0);
    for (dropout, sampling_rate) in [(0.3, 0.0), (0.0, 0.8), (0.3, 0.8)] {
        let image = NeuralGpuConfig {
            maps: 6,
            height: 2,
            dropout,
            sampling_rate,
            ..NeuralGpuConfig::default()
        };
        for kind in KINDS {
            let model = model(kind, &task, image.clone(), 13);
            let what = format!("{kind}, dropout {dropout}, sampling {sampling_rate}");
            compare_step(&context, model.as_ref(), &batch, None, 0.0, &what);
            // Scoring has no training noise, on either path.
            let mut gpu = session(&context, model.as_ref());
            let scores = block_on(gpu.score(&batch)).expect("scores");
            let cpu = batch_score(model.as_ref(), &batch, 1);
            assert!((scores.loss_nats - cpu.loss_nats).abs() <= 1e-5 * cpu.loss_nats.max(1.0));
        }
    }
}

/// A trainer of `kind` on reverse, small enough for a software adapter.
fn train_config(kind: ModelKind) -> TrainConfig {
    let task = symbols(SymbolTask::Reverse, 2, 6);
    let mut config = TrainConfig::preset(kind, task);
    config.architecture.image = Some(NeuralGpuConfig {
        maps: 8,
        height: 2,
        ..NeuralGpuConfig::default()
    });
    config.batch_size = 4;
    config.threads = 1;
    config
}

#[test]
#[ignore = "needs a GPU adapter (the test command runs it)"]
fn twenty_training_steps_on_the_gpu_follow_the_cpu() {
    let _context = common::gpu::context();
    for kind in KINDS {
        let mut on_gpu = Trainer::new(train_config(kind)).unwrap();
        on_gpu.select_backend_blocking(BackendChoice::Gpu).unwrap();
        assert_eq!(on_gpu.backend().kind, "gpu");
        let mut on_cpu = Trainer::new(train_config(kind)).unwrap();
        let mut largest = 0.0f64;
        for _ in 0..20 {
            let g = on_gpu.step().unwrap();
            let c = on_cpu.step().unwrap();
            assert_eq!(g.step, c.step);
            let (g, c) = (g.metrics, c.metrics);
            largest = largest.max((g.bits_per_sequence - c.bits_per_sequence).abs());
            assert!(
                (g.bits_per_sequence - c.bits_per_sequence).abs()
                    < 1e-3 * c.bits_per_sequence.max(1.0),
                "{g:?} vs {c:?}"
            );
            assert_eq!(g.sequence_accuracy, c.sequence_accuracy);
        }
        on_gpu.sync_blocking().unwrap();
        let (difference, at) = largest_difference(
            on_cpu.model(),
            on_cpu.model().params().values(),
            on_gpu.model().params().values(),
        );
        eprintln!(
            "{kind}: 20 steps, largest loss difference {largest:.2e} bits, largest parameter \
             difference {difference:.2e} ({at})"
        );
        assert!(difference < 1e-3, "{difference} at {at}");
    }
}

#[test]
#[ignore = "needs a GPU adapter (the test command runs it)"]
fn relaxed_sets_are_averaged_on_the_device_too() {
    let _context = common::gpu::context();
    let config = common::neural_gpu::advancing_every_step(3);
    let mut on_gpu = Trainer::new(config.clone()).unwrap();
    on_gpu.select_backend_blocking(BackendChoice::Gpu).unwrap();
    let mut on_cpu = Trainer::new(config).unwrap();
    let sets = on_cpu.model().relaxed_sets().expect("three sets");
    // The 31st advance averages the sets, and so does every advance after it (the last,
    // to length 40, at step 39); the steps after that move them apart again, from the
    // average on the device as on the host.
    for _ in 0..42 {
        on_gpu.step().unwrap();
        on_cpu.step().unwrap();
    }
    on_gpu.sync_blocking().unwrap();
    assert_eq!(on_gpu.backend().kind, "gpu");
    let (difference, at) = largest_difference(
        on_cpu.model(),
        on_cpu.model().params().values(),
        on_gpu.model().params().values(),
    );
    let p = on_cpu.model().params().values();
    let spread = (0..sets.size)
        .map(|e| (p[sets.first + e] - p[sets.first + sets.size + e]).abs())
        .fold(0.0f32, f32::max);
    eprintln!(
        "42 steps, averaging at steps 31 to 39: largest parameter difference GPU vs CPU \
         {difference:.2e} ({at}); sets 0 and 1 apart by at most {spread:.2e}"
    );
    assert!(difference < 1e-4, "{difference} at {at}");
    // Three steps after the last average the sets are close, but apart again.
    assert!(spread > 0.0 && spread < 0.05, "{spread}");
}

/// Order-fixed reductions: the same seed trains the same bits twice on one device.
#[test]
#[ignore = "needs a GPU adapter (the test command runs it)"]
fn the_same_seed_gives_the_same_bits_on_the_gpu() {
    let _context = common::gpu::context();
    for kind in KINDS {
        let run = || -> Vec<u32> {
            let mut trainer = Trainer::new(train_config(kind)).unwrap();
            trainer.select_backend_blocking(BackendChoice::Gpu).unwrap();
            for _ in 0..10 {
                trainer.step().unwrap();
            }
            trainer.sync_blocking().unwrap();
            trainer
                .model()
                .params()
                .values()
                .iter()
                .map(|v| v.to_bits())
                .collect()
        };
        let first = run();
        let differing = first.iter().zip(&run()).filter(|(a, b)| a != b).count();
        assert_eq!(
            differing, 0,
            "{kind}: {differing} parameters differ between two runs"
        );
    }
}
