//! The GPU tests' adapter: whatever wgpu finds (lavapipe in CI). Every GPU test is
//! `#[ignore]`d, so plain `cargo test` reports it as ignored rather than passed; the
//! test command runs them with `--include-ignored`, and without an adapter they fail.

use engram::gpu::GpuContext;
use engram::tasks::TaskConfig;
use engram::{Model, ModelConfig, ModelKind};
use std::rc::Rc;

/// Runs the body with a GPU context, on every adapter present (wgpu offers one: the
/// best), reporting an absent one.
macro_rules! gpu_test {
    ($(#[$meta:meta])* fn $name:ident($context:ident) $body:block) => {
        $(#[$meta])*
        #[test]
        #[ignore = "needs a GPU adapter (the test command runs it)"]
        fn $name() {
            let $context = $crate::common::gpu::context();
            $body
        }
    };
}

/// A context on the best adapter present; a GPU test run without one fails, saying so.
pub fn context() -> Rc<GpuContext> {
    match GpuContext::new_blocking() {
        Ok(context) => {
            eprintln!("adapter: {}", context.describe());
            Rc::new(context)
        }
        Err(reason) => panic!(
            "this GPU test needs an adapter and there is none ({reason}); install Mesa's \
             lavapipe (scripts/setup.sh does) or leave out --include-ignored"
        ),
    }
}

/// The largest |a − b| between two parameter vectors of `model`, and the tensor it is in.
pub fn largest_difference(model: &dyn Model, a: &[f32], b: &[f32]) -> (f32, String) {
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

/// The tensor whose gradient differs most relative to its own largest entry: (that
/// ratio, the tensor's name, its largest entry). Small tensors (a memory's heads) are
/// held to their own scale, not to the model's largest gradient.
pub fn worst_tensor(model: &dyn Model, cpu: &[f32], gpu: &[f32]) -> (f32, String, f32) {
    model
        .params()
        .entries()
        .iter()
        .map(|e| {
            let range = e.range();
            let scale = cpu[range.clone()]
                .iter()
                .fold(0.0f32, |m, g| m.max(g.abs()));
            let difference = cpu[range.clone()]
                .iter()
                .zip(&gpu[range])
                .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
            (difference / scale.max(1e-6), e.name.clone(), scale)
        })
        .fold((0.0, String::new(), 0.0), |worst, v| {
            if v.0 > worst.0 {
                v
            } else {
                worst
            }
        })
}

// The memory models' GPU tests (tests/suite/gpu.rs, tests/suite/gpu_training.rs).

/// Small, but with two layers, two read heads and sequences of several lengths.
pub fn small(model: ModelKind, task: &TaskConfig) -> ModelConfig {
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

pub fn copy_task() -> TaskConfig {
    TaskConfig::by_name("copy")
        .unwrap()
        .with_bits(3)
        .with_max_length(4)
}

/// The memory models the GPU path has kernels for (the registry says which; the Neural
/// GPU and generative families have test files of their own).
pub fn gpu_models() -> impl Iterator<Item = ModelKind> {
    ModelKind::ALL
        .into_iter()
        .filter(|&kind| kind.is_recurrent())
        .filter(|&kind| engram::registry::info(kind).gpu)
}
