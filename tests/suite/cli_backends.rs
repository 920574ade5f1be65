//! The `engram` binary's backends: training, evaluating and benchmarking on the GPU
//! (`--backend gpu`), and an unknown backend refused.
use crate::common;

use common::cli::{engram, refused, scratch};
use std::process::Output;

/// Runs `engram` with `args` on the GPU; a missing adapter fails the test, saying so
/// (GPU tests are `#[ignore]`d unless the test command includes them).
fn on_gpu(args: &[&str]) -> Output {
    let output = engram(args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() || !stderr.contains("GPU backend is unavailable"),
        "this GPU test needs an adapter: {stderr}"
    );
    output
}

#[test]
#[ignore = "needs a GPU adapter (the test command runs it)"]
fn the_gpu_backend_trains_evaluates_and_benches() {
    let checkpoint = scratch("gpu.safetensors");
    let path = checkpoint.to_str().unwrap();
    let output = on_gpu(&[
        "train",
        "--backend",
        "gpu",
        "--model",
        "dnc",
        "--steps",
        "12",
        "--batch",
        "4",
        "--hidden",
        "16",
        "--memory",
        "8",
        "--width",
        "6",
        "--max-length",
        "3",
        "--log-every",
        "6",
        "--out",
        path,
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let backend = stdout.lines().find(|l| l.starts_with("backend: ")).unwrap();
    assert!(!backend.contains("CPU"), "{backend}");
    assert!(
        stdout.contains("step      12") && stdout.contains("saved"),
        "{stdout}"
    );

    let evaluate = |backend: &str| {
        let output = engram(&[
            "eval",
            "--checkpoint",
            path,
            "--lengths",
            "2,3",
            "--sequences",
            "8",
            "--json",
            "--backend",
            backend,
        ]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap()
    };
    let (gpu, cpu) = (evaluate("gpu"), evaluate("cpu"));
    assert_ne!(gpu["backend"], cpu["backend"]);
    for (g, c) in gpu["lengths"]
        .as_array()
        .unwrap()
        .iter()
        .zip(cpu["lengths"].as_array().unwrap())
    {
        let (g_bits, c_bits) = (
            g["bits_per_sequence"].as_f64().unwrap(),
            c["bits_per_sequence"].as_f64().unwrap(),
        );
        assert!(
            (g_bits - c_bits).abs() <= 1e-4 * c_bits.max(1.0),
            "{g} vs {c}"
        );
        assert_eq!(g["bit_errors_per_sequence"], c["bit_errors_per_sequence"]);
    }

    let output = engram(&[
        "bench",
        "--backend",
        "gpu",
        "--model",
        "lstm",
        "--batch",
        "2",
        "--length",
        "3",
        "--seconds",
        "0.2",
        "--json",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let bench: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(bench[0]["sequences_per_second"].as_f64().unwrap() > 0.0);
    assert_eq!(bench[0]["dispatches_per_step"], 5);
    assert_eq!(
        bench[0]["readback_bytes_per_step"],
        engram::gpu::READBACK_BYTES
    );
}

#[test]
fn an_unknown_backend_is_refused() {
    refused(&["train", "--backend", "tpu"], "unknown backend 'tpu'");
    refused(
        &["bench", "--backend", "quantum"],
        "expected auto, cpu or gpu",
    );
}
