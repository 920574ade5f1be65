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
    cli::run()
}

/// The CLI is native only; the browser drives the library through its own API.
#[cfg(target_arch = "wasm32")]
fn main() {}
