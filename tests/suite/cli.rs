//! The `engram` binary end to end: a short train → eval → trace round, and bad input of
//! every kind answered with a clear one-line error and a failure exit code, never a panic.
use crate::common;

use common::cli::{engram, refused, scratch};

#[test]
fn train_eval_and_trace_work_together() {
    let checkpoint = scratch("ntm.safetensors");
    let path = checkpoint.to_str().unwrap();
    let output = engram(&[
        "train",
        "--model",
        "ntm",
        "--task",
        "copy",
        "--steps",
        "30",
        "--batch",
        "4",
        "--memory",
        "12",
        "--max-length",
        "4",
        "--log-every",
        "10",
        "--out",
        path,
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("step      30") && stdout.contains("done: ntm on copy"),
        "{stdout}"
    );
    let output = engram(&[
        "eval",
        "--checkpoint",
        path,
        "--lengths",
        "2,4,8",
        "--sequences",
        "16",
        "--json",
    ]);
    assert!(output.status.success());
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let lengths = report["lengths"].as_array().unwrap();
    assert_eq!(lengths.len(), 3);
    assert_eq!(lengths[2]["length"], 8);
    assert!(lengths[0]["bits_per_sequence"]
        .as_f64()
        .unwrap()
        .is_finite());
    // Ranges: every length, or every k-th, mixed with single lengths in the order given.
    let output = engram(&[
        "eval",
        "--checkpoint",
        path,
        "--lengths",
        "1-3,4-10:3,2",
        "--sequences",
        "4",
        "--json",
    ]);
    assert!(output.status.success());
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let named: Vec<u64> = report["lengths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["length"].as_u64().unwrap())
        .collect();
    assert_eq!(named, [1, 2, 3, 4, 7, 10, 2]);
    refused(
        &["eval", "--checkpoint", path, "--lengths", "9-3"],
        "runs backwards",
    );
    refused(
        &["eval", "--checkpoint", path, "--lengths", "1-100000"],
        "more than 4096 lengths",
    );
    refused(
        &["eval", "--checkpoint", path, "--lengths", "2-x"],
        "'x' is not a positive whole number",
    );
    let output = engram(&["trace", "--checkpoint", path, "--length", "3", "--json"]);
    assert!(output.status.success());
    let trace: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let steps = trace["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 7); // 2L + 1
    assert_eq!(trace["input"].as_array().unwrap().len(), 7);
    assert_eq!(trace["logits"][0].as_array().unwrap().len(), 8);
    assert_eq!(steps[0]["memory"].as_array().unwrap().len(), 12);
    assert_eq!(steps[0]["read_weights"][0].as_array().unwrap().len(), 12);
    assert_eq!(steps[0]["write_weights"].as_array().unwrap().len(), 12);
    let text = engram(&["trace", "--checkpoint", path]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("bit errors:"));
}

#[test]
fn dnc_and_lru_traces_carry_their_own_fields() {
    for (model, field) in [("dnc", "link"), ("lru", "usage")] {
        let checkpoint = scratch(&format!("{model}.safetensors"));
        let path = checkpoint.to_str().unwrap();
        let output = engram(&[
            "train", "--model", model, "--steps", "2", "--batch", "2", "--memory", "6", "--out",
            path,
        ]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let trace: serde_json::Value =
            serde_json::from_slice(&engram(&["trace", "--checkpoint", path, "--json"]).stdout)
                .unwrap();
        let step = &trace["steps"][0];
        assert!(step.get(field).is_some(), "{model} trace lacks {field}");
        if model == "dnc" {
            assert_eq!(step["link"].as_array().unwrap().len(), 6);
            assert!(step.get("precedence").is_some() && step.get("usage").is_some());
        } else {
            assert!(
                step["write_weights"][0].is_array(),
                "LRU write weights are per head"
            );
        }
    }
}

/// The DNC's §3.1 improvements: the flags reach the model, the checkpoint carries them
/// (and the interface grows by their fields), eval and trace read them back, the trace
/// shows the masks and sharpened weightings; another model refuses them. (The GPU path
/// trains them too: tests/suite/gpu.rs.)
#[test]
fn dnc_improvements_round_trip_through_a_checkpoint() {
    let checkpoint = scratch("dnc-fixes.safetensors");
    let path = checkpoint.to_str().unwrap();
    let output = engram(&[
        "train",
        "--model",
        "dnc",
        "--dnc-fixes",
        "--steps",
        "3",
        "--batch",
        "2",
        "--memory",
        "6",
        "--width",
        "4",
        "--reads",
        "2",
        "--backend",
        "cpu",
        "--out",
        path,
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let eval = engram(&["eval", "--checkpoint", path, "--lengths", "3"]);
    assert!(eval.status.success());
    let trace: serde_json::Value =
        serde_json::from_slice(&engram(&["trace", "--checkpoint", path, "--json"]).stdout).unwrap();
    for key in ["dnc_masking", "dnc_deallocation", "dnc_link_sharpness"] {
        assert_eq!(trace["model"][key], true, "{key} in the trace's model");
    }
    let read: Vec<&str> = trace["steps"][1]["addressing"][1]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    for stage in ["mask", "forward_sharpened", "backward_sharpened"] {
        assert!(read.contains(&stage), "{stage} in {read:?}");
    }
    refused(
        &["train", "--model", "ntm", "--dnc-masking", "--steps", "1"],
        "--dnc-masking is not a setting of ntm",
    );
}

#[test]
fn bad_flags_are_refused_clearly() {
    refused(&["train", "--model", "gpt"], "unknown model 'gpt'");
    refused(&["train", "--task", "juggle"], "unknown task 'juggle'");
    refused(&["train", "--batch", "0"], "batch size");
    refused(&["train", "--batch", "-3"], "error");
    refused(&["train", "--lr", "NaN"], "learning rate");
    refused(&["train", "--lr", "5"], "learning rate");
    refused(
        &["train", "--memory", "0"],
        "--memory-slots must be between 1 and 1024, got 0",
    );
    refused(
        &["train", "--width", "999999"],
        "--memory-width must be between 1 and 512",
    );
    refused(
        &["train", "--reads", "0"],
        "--read-heads must be between 1 and 16",
    );
    refused(
        &["train", "--hidden", "0"],
        "--hidden must be between 1 and",
    );
    refused(&["train", "--steps", "0"], "steps");
    refused(&["train", "--max-length", "0"], "max_length");
    refused(
        &["train", "--min-length", "9", "--max-length", "3"],
        "min_length",
    );
    refused(&["train", "--bits", "1000"], "bits");
    refused(&["train", "--optimizer", "sgd"], "unknown optimizer");
    refused(&["train", "--stop-at-errors=-1"], "stop-at-errors");
    refused(
        &["train", "--config", "/nonexistent.json"],
        "cannot read /nonexistent.json",
    );
    let bad_config = scratch("bad.json");
    std::fs::write(&bad_config, "{\"model\": \"ntm\"}").unwrap();
    refused(
        &["train", "--config", bad_config.to_str().unwrap()],
        "not a valid training configuration",
    );
    refused(
        &["eval", "--checkpoint", "/nonexistent.safetensors"],
        "cannot read checkpoint",
    );
    refused(
        &["eval", "--checkpoint", "x", "--lengths", "3,zero"],
        "not a positive whole number",
    );
    refused(
        &["trace", "--checkpoint", "/nonexistent.safetensors"],
        "cannot read checkpoint",
    );
    refused(&["bench", "--batch", "0"], "not a positive whole number");
    refused(&["bench", "--seconds=-1"], "--seconds");
    refused(
        &["bench", "--threads", "100000"],
        "--threads must be at most 256",
    );
    refused(
        &[
            "bench",
            "--model",
            "dnc",
            "--reads",
            "0",
            "--seconds",
            "0.01",
        ],
        "--read-heads must be between 1 and 16",
    );
    // One model named: a setting it does not have is a mistake.
    refused(
        &[
            "bench",
            "--model",
            "ntm",
            "--maps",
            "8",
            "--seconds",
            "0.01",
        ],
        "--maps is not a setting of ntm",
    );
}

#[test]
fn bad_checkpoints_are_refused_clearly() {
    let truncated = scratch("truncated.safetensors");
    std::fs::write(&truncated, [1u8, 2, 3]).unwrap();
    refused(
        &["eval", "--checkpoint", truncated.to_str().unwrap()],
        "checkpoint rejected",
    );
    let garbage = scratch("garbage.safetensors");
    std::fs::write(&garbage, vec![0xAB; 4096]).unwrap();
    refused(
        &["trace", "--checkpoint", garbage.to_str().unwrap()],
        "checkpoint rejected",
    );
    let checkpoint = scratch("for-eval.safetensors");
    let path = checkpoint.to_str().unwrap();
    assert!(
        engram(&["train", "--model", "lstm", "--steps", "1", "--batch", "1", "--out", path])
            .status
            .success()
    );
    refused(
        &["eval", "--checkpoint", path, "--lengths", "100000"],
        "max_length",
    );
}

#[test]
fn a_config_file_round_trips_through_print_config() {
    let output = engram(&[
        "train",
        "--model",
        "dnc",
        "--task",
        "recall",
        "--print-config",
    ]);
    assert!(output.status.success());
    let config = scratch("dnc-recall.json");
    std::fs::write(&config, &output.stdout).unwrap();
    let again = engram(&[
        "train",
        "--config",
        config.to_str().unwrap(),
        "--print-config",
    ]);
    assert_eq!(output.stdout, again.stdout);
    let parsed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(parsed["task"]["name"], "associative_recall");
    assert_eq!(parsed["architecture"]["model"], "dnc");

    // A mistyped setting of the model is refused with its name, as a mistyped training
    // key is; widths left out follow the task.
    let edited = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut value = parsed.clone();
        edit(&mut value);
        std::fs::write(&config, value.to_string()).unwrap();
        [
            "train",
            "--config",
            config.to_str().unwrap(),
            "--print-config",
        ]
    };
    refused(
        &edited(&|v| v["architecture"]["memory_slot"] = serde_json::json!(8)),
        "architecture.memory_slot is not a setting of dnc (its settings: hidden, layers, memory_slots",
    );
    refused(
        &edited(&|v| v["stepz"] = serde_json::json!(8)),
        "unknown field `stepz`",
    );
    let widths_left_out = engram(&edited(&|v| {
        let architecture = v["architecture"].as_object_mut().unwrap();
        architecture.remove("input_width");
        architecture.remove("output_width");
    }));
    assert_eq!(output.stdout, widths_left_out.stdout);
}

/// A configuration file's model settings that do not parse are named, also in the parts
/// a checkpoint's configuration flattens (the generative and image settings).
#[test]
fn a_config_file_names_what_is_wrong_with_a_models_own_settings() {
    for (model, task, key, bad, needle) in [
        (
            "gtmm",
            "recall",
            "memory",
            serde_json::json!("ntmm"),
            "unknown variant `ntmm`",
        ),
        (
            "neural_gpu_diag",
            "dup",
            "maps",
            serde_json::json!("many"),
            "invalid type: string \"many\"",
        ),
    ] {
        let output = engram(&["train", "--model", model, "--task", task, "--print-config"]);
        assert!(output.status.success());
        let mut value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        value["architecture"][key] = bad;
        let config = scratch(&format!("{model}-bad.json"));
        std::fs::write(&config, value.to_string()).unwrap();
        refused(
            &[
                "train",
                "--config",
                config.to_str().unwrap(),
                "--print-config",
            ],
            needle,
        );
    }
}

/// `--threads` does not change what is learned: the checkpoints of 50 steps on one and on
/// three threads are the same bytes.
#[test]
fn checkpoints_do_not_depend_on_the_thread_count() {
    let train = |threads: &str| -> Vec<u8> {
        let path = scratch(&format!("threads-{threads}.safetensors"));
        let output = engram(&[
            "train",
            "--model",
            "ntm",
            "--task",
            "copy",
            "--steps",
            "50",
            "--threads",
            threads,
            "--backend",
            "cpu",
            "--out",
            path.to_str().unwrap(),
        ]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        std::fs::read(path).unwrap()
    };
    let one = train("1");
    assert!(
        one == train("3"),
        "1 and 3 threads wrote different checkpoints"
    );
}

/// `bench` reports the threads that ran: a batch of one keeps one busy, whatever
/// `--threads` offers.
#[test]
fn bench_reports_the_threads_it_used() {
    let output = engram(&[
        "bench",
        "--model",
        "lstm",
        "--batch",
        "1,16",
        "--threads",
        "2",
        "--seconds",
        "0.01",
        "--backend",
        "cpu",
        "--json",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let threads: Vec<u64> = results
        .as_array()
        .or_else(|| results["results"].as_array())
        .expect("a list of measurements")
        .iter()
        .map(|m| m["threads"].as_u64().unwrap())
        .collect();
    assert_eq!(threads, [1, 2]);
}

/// A configuration whose training would not fit the RAM budget is refused before it
/// starts, with the estimate and the longest sequences that fit; `--print-config` shows
/// the estimate.
#[test]
fn a_configuration_over_the_ram_budget_is_refused_with_what_fits() {
    let large = [
        "train",
        "--model",
        "dnc",
        "--task",
        "repeat-copy",
        "--memory",
        "1024",
        "--max-length",
        "64",
    ];
    // `--memory-budget` is the flag's older name.
    for flag in ["--ram-budget", "--memory-budget"] {
        let args: Vec<&str> = large.iter().copied().chain([flag, "1000"]).collect();
        refused(
            &args,
            "over the RAM budget of 1000 MB; the longest sequences that fit have length 10",
        );
    }
    let args: Vec<&str> = large.iter().copied().chain(["--print-config"]).collect();
    let output = engram(&args);
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("training memory: about") && stderr.contains("per sequence of 706 steps"),
        "{stderr}"
    );
}
