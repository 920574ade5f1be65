//! The GPU tests' adapter: whatever wgpu finds (lavapipe in CI).

use engram::gpu::GpuContext;
use engram::Model;
use std::rc::Rc;

/// A context on the best adapter present, or `None` (reported) when there is none;
/// with `ENGRAM_REQUIRE_GPU=1` (set by the test command) a missing adapter fails.
pub fn context() -> Option<Rc<GpuContext>> {
    match GpuContext::new_blocking() {
        Ok(context) => {
            eprintln!("adapter: {}", context.describe());
            Some(Rc::new(context))
        }
        Err(reason) => {
            assert!(
                std::env::var("ENGRAM_REQUIRE_GPU").as_deref() != Ok("1"),
                "ENGRAM_REQUIRE_GPU=1 but there is no GPU adapter: {reason}"
            );
            eprintln!("skipped: no GPU adapter ({reason})");
            None
        }
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
