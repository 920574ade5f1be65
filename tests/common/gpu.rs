//! The GPU tests' adapter: whatever wgpu finds (lavapipe in CI).

use engram::gpu::GpuContext;
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
