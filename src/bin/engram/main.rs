//! `engram`: the native command-line trainer (train, eval, trace, bench).

#[cfg(not(target_arch = "wasm32"))]
mod cli;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::run()
}

/// The CLI is native only; the browser drives the library through its own API.
#[cfg(target_arch = "wasm32")]
fn main() {}
