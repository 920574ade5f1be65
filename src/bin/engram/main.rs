//! `engram`: the native command-line trainer (train, eval, trace, sample, bench, schema).

#[cfg(not(target_arch = "wasm32"))]
mod cli;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    // Rust ignores SIGPIPE, so printing into a closed pipe (`engram trace --json | head`)
    // would panic; a command-line tool should end quietly there, as `cat` does.
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to its default before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    keep_freed_memory();
    cli::run()
}

/// Keeps the memory a training step frees for the next step. By default glibc returns
/// the top of the heap to the system whenever more than a few hundred KB of it is free,
/// so every step of a Neural GPU model gave its buffers back and then faulted the same
/// pages in again: `engram train --model neural_gpu --task reverse --min-length 17
/// --max-length 17 --no-curriculum --threads 1` trained at 104 sequences/s, and at
/// 124–127 with the heap kept (docs/performance.md). Allocations up to 32 MB come from
/// the heap, and it is trimmed only past 256 MB free. The arithmetic is unchanged.
#[cfg(not(target_arch = "wasm32"))]
fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets the allocator's thresholds; called before any thread
    // starts or any large allocation is made.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
        libc::mallopt(libc::M_TOP_PAD, 16 << 20);
    }
}

/// The CLI is native only; the browser drives the library through its own API.
#[cfg(target_arch = "wasm32")]
fn main() {}
