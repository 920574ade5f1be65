//! Checkpoints (models.md §7): bit-exact round trips for every model, and refusal with a
//! clear error of truncated, corrupt, mismatched, NaN-holding and config-less files.

use engram::kinds::Family;
use engram::tasks::TaskConfig;
use engram::train::{load_checkpoint, save_checkpoint, Checkpoint, TrainConfig};
use engram::{build, EngramError, ModelKind};
use safetensors::tensor::{Dtype, TensorView};
use std::collections::HashMap;

fn trained_like(kind: ModelKind) -> (Box<dyn engram::Model>, TaskConfig) {
    // Each family's first task (copy for bits and symbols, recall for image sequences).
    let family = Family::of(kind);
    let task = family.task(family.tasks()[0]).unwrap();
    let mut config = TrainConfig::preset(kind, task.clone());
    config.architecture.memory_slots = 8;
    let mut model = build(&config.architecture, 5).unwrap();
    // Values with full mantissas, so a lossy path would show.
    for (i, v) in model.params_mut().values_mut().iter_mut().enumerate() {
        *v = (i as f32 * 0.618_034).sin() * 1.7;
    }
    (model, task)
}

fn rejection(bytes: &[u8]) -> String {
    match Checkpoint::from_bytes(bytes) {
        Err(EngramError::Checkpoint(message)) => message,
        Err(other) => panic!("wrong error kind: {other}"),
        Ok(_) => panic!("a bad checkpoint was accepted"),
    }
}

#[test]
fn every_model_round_trips_bit_for_bit_through_a_file() {
    let dir = std::env::temp_dir().join(format!("engram-checkpoints-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for kind in ModelKind::ALL {
        let (model, task) = trained_like(kind);
        let path = dir.join(format!("{kind}.safetensors"));
        save_checkpoint(&path, model.as_ref(), &task, 123).unwrap();
        let loaded = load_checkpoint(&path).unwrap();
        assert_eq!(loaded.model.config(), model.config());
        assert_eq!(loaded.task, task);
        assert_eq!(loaded.trained_steps, 123);
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(loaded.model.params().values()),
            bits(model.params().values()),
            "{kind}"
        );
        // Same outputs, too.
        let input = task.batch(1, 3);
        let s = input.sequence(0);
        assert_eq!(
            loaded.model.forward(s.input, s.steps),
            model.forward(s.input, s.steps)
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_generative_memory_round_trips_and_keeps_its_variant() {
    use engram::kinds::LatentMemoryKind;
    for memory in LatentMemoryKind::ALL {
        let task = TaskConfig::frames_by_name("walk").unwrap();
        let mut config = TrainConfig::preset(ModelKind::Gtmm, task.clone());
        config.architecture.generative.as_mut().unwrap().memory = memory;
        let model = build(&config.architecture, 3).unwrap();
        let bytes = Checkpoint::to_bytes(model.as_ref(), &task, 7).unwrap();
        let loaded = Checkpoint::from_bytes(&bytes).unwrap();
        assert_eq!(loaded.model.config(), model.config(), "{memory}");
        assert_eq!(loaded.model.params().values(), model.params().values());
        // Another variant's name over these tensors is refused, naming a tensor.
        let other = if memory == LatentMemoryKind::Dnc {
            "ntm"
        } else {
            "dnc"
        };
        let swapped = rewrite(&bytes, |_, meta| {
            let c = meta.get_mut("engram_config").unwrap();
            *c = c.replace(
                &format!("\"memory\":\"{memory}\""),
                &format!("\"memory\":\"{other}\""),
            );
        });
        let message = rejection(&swapped);
        assert!(message.contains("tensor"), "{memory} → {other}: {message}");
    }
    // A generative model paired with a bit-vector task is refused.
    let (model, task) = trained_like(ModelKind::Gtmm);
    let bytes = Checkpoint::to_bytes(model.as_ref(), &task, 0).unwrap();
    let crossed = rewrite(&bytes, |_, meta| {
        let c = meta.get_mut("engram_config").unwrap();
        let start = c.find("\"task\":").unwrap();
        let end = c[start..].find('}').unwrap() + start + 1;
        c.replace_range(
            start..end,
            "\"task\":{\"name\":\"copy\",\"bits\":8,\"min_length\":1,\"max_length\":10}",
        );
    });
    assert!(rejection(&crossed).contains("different families"));
}

#[test]
fn the_config_carries_the_spec_keys() {
    let (model, task) = trained_like(ModelKind::Dnc);
    let bytes = Checkpoint::to_bytes(model.as_ref(), &task, 0).unwrap();
    let (_, metadata) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&metadata.metadata().as_ref().unwrap()["engram_config"]).unwrap();
    for key in [
        "format_version",
        "model",
        "input_width",
        "output_width",
        "hidden",
        "layers",
        "memory_slots",
        "memory_width",
        "read_heads",
        "task",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    assert_eq!(json["model"], "dnc");
    assert_eq!(json["format_version"], 1);
    assert_eq!(json["task"]["name"], "copy");
}

#[test]
fn the_model_is_read_from_the_header() {
    // What the page's worker reads to choose the engine module of the model's family.
    for kind in ModelKind::ALL {
        let (model, task) = trained_like(kind);
        let bytes = Checkpoint::to_bytes(model.as_ref(), &task, 0).unwrap();
        assert_eq!(Checkpoint::model_of(&bytes).unwrap(), kind);
    }
    match Checkpoint::model_of(b"not a checkpoint at all") {
        Err(EngramError::Checkpoint(message)) => assert!(message.contains("safetensors")),
        other => panic!("not refused as a checkpoint: {:?}", other.map(|k| k.name())),
    }
}

#[test]
fn truncated_and_corrupt_files_are_refused() {
    let (model, task) = trained_like(ModelKind::Ntm);
    let bytes = Checkpoint::to_bytes(model.as_ref(), &task, 0).unwrap();
    for cut in [0, 4, 8, 100, bytes.len() / 2, bytes.len() - 1] {
        let message = rejection(&bytes[..cut]);
        assert!(!message.is_empty(), "cut at {cut}");
    }
    let mut garbage = bytes.clone();
    garbage[0..8].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(rejection(&garbage).contains("safetensors"));
    assert!(rejection(b"not a checkpoint at all").contains("safetensors"));
}

/// Rewrites a checkpoint's tensors and metadata through `edit`.
fn rewrite(
    bytes: &[u8],
    edit: impl FnOnce(&mut Vec<(String, Dtype, Vec<usize>, Vec<u8>)>, &mut HashMap<String, String>),
) -> Vec<u8> {
    let tensors = safetensors::SafeTensors::deserialize(bytes).unwrap();
    let (_, metadata) = safetensors::SafeTensors::read_metadata(bytes).unwrap();
    let mut meta = metadata.metadata().clone().unwrap_or_default();
    let mut list: Vec<(String, Dtype, Vec<usize>, Vec<u8>)> = tensors
        .tensors()
        .into_iter()
        .map(|(name, view)| {
            (
                name,
                view.dtype(),
                view.shape().to_vec(),
                view.data().to_vec(),
            )
        })
        .collect();
    edit(&mut list, &mut meta);
    let views: Vec<(String, TensorView<'_>)> = list
        .iter()
        .map(|(name, dtype, shape, data)| {
            (
                name.clone(),
                TensorView::new(*dtype, shape.clone(), data).unwrap(),
            )
        })
        .collect();
    safetensors::serialize(views, Some(meta)).unwrap()
}

#[test]
fn mismatched_checkpoints_are_refused() {
    let (model, task) = trained_like(ModelKind::Ntm);
    let bytes = Checkpoint::to_bytes(model.as_ref(), &task, 0).unwrap();
    // Config says DNC, tensors are an NTM's.
    let wrong_model = rewrite(&bytes, |_, meta| {
        let c = meta.get_mut("engram_config").unwrap();
        *c = c.replace("\"model\":\"ntm\"", "\"model\":\"dnc\"");
    });
    let message = rejection(&wrong_model);
    assert!(
        message.contains("missing tensor") || message.contains("unexpected tensor"),
        "{message}"
    );
    // A hidden size that disagrees with the tensors' shapes.
    let wrong_hidden = rewrite(&bytes, |_, meta| {
        let c = meta.get_mut("engram_config").unwrap();
        *c = c.replace("\"hidden\":100", "\"hidden\":99");
    });
    assert!(rejection(&wrong_hidden).contains("shape"));
    let missing = rewrite(&bytes, |list, _| {
        list.retain(|(name, ..)| name != "output.bias")
    });
    assert!(rejection(&missing).contains("missing tensor 'output.bias'"));
    let extra = rewrite(&bytes, |list, _| {
        list.push(("stray".into(), Dtype::F32, vec![1], vec![0; 4]))
    });
    assert!(rejection(&extra).contains("unexpected tensor 'stray'"));
    let wrong_dtype = rewrite(&bytes, |list, _| {
        let entry = list
            .iter_mut()
            .find(|(name, ..)| name == "output.bias")
            .unwrap();
        entry.1 = Dtype::I32;
    });
    assert!(rejection(&wrong_dtype).contains("expected F32"));
    let no_config = rewrite(&bytes, |_, meta| meta.clear());
    assert!(rejection(&no_config).contains("engram_config"));
    let bad_json = rewrite(&bytes, |_, meta| {
        meta.insert("engram_config".into(), "{not json".into());
    });
    assert!(rejection(&bad_json).contains("not a valid configuration"));
    let future = rewrite(&bytes, |_, meta| {
        let c = meta.get_mut("engram_config").unwrap();
        *c = c.replace("\"format_version\":1", "\"format_version\":9");
    });
    assert!(rejection(&future).contains("format_version 9"));
    let wrong_task = rewrite(&bytes, |_, meta| {
        let c = meta.get_mut("engram_config").unwrap();
        *c = c.replace("\"bits\":8", "\"bits\":4");
    });
    assert!(rejection(&wrong_task).contains("do not fit the task"));
}

/// A Diagonal Neural GPU's checkpoint read as a Neural GPU's, and a Neural GPU's read as
/// a diagonal one's, are refused with what does not fit.
#[test]
fn the_diagonal_and_the_other_neural_gpus_refuse_each_others_checkpoints() {
    let (diagonal, task) = trained_like(ModelKind::NeuralGpuDiag);
    let bytes = Checkpoint::to_bytes(diagonal.as_ref(), &task, 0).unwrap();
    for other in ["neural_gpu", "neural_gpu_dep"] {
        let claimed = rewrite(&bytes, |_, meta| {
            let c = meta.get_mut("engram_config").unwrap();
            *c = c.replace(
                "\"model\":\"neural_gpu_diag\"",
                &format!("\"model\":\"{other}\""),
            );
        });
        let message = rejection(&claimed);
        assert!(
            message.contains("missing tensor") || message.contains("unexpected tensor"),
            "{other}: {message}"
        );
    }
    let (plain, task) = trained_like(ModelKind::NeuralGpu);
    let bytes = Checkpoint::to_bytes(plain.as_ref(), &task, 0).unwrap();
    let claimed = rewrite(&bytes, |_, meta| {
        let c = meta.get_mut("engram_config").unwrap();
        *c = c.replace("\"model\":\"neural_gpu\"", "\"model\":\"neural_gpu_diag\"");
    });
    let message = rejection(&claimed);
    assert!(message.contains("neural_gpu_diag has one row"), "{message}");
}

#[test]
fn nan_holding_checkpoints_are_refused() {
    let (mut model, task) = trained_like(ModelKind::Lstm);
    model.params_mut().values_mut()[17] = f32::NAN;
    let bytes = Checkpoint::to_bytes(model.as_ref(), &task, 0).unwrap();
    assert!(rejection(&bytes).contains("NaN"));
    model.params_mut().values_mut()[17] = f32::INFINITY;
    let bytes = Checkpoint::to_bytes(model.as_ref(), &task, 0).unwrap();
    assert!(rejection(&bytes).contains("NaN or infinity"));
}

#[test]
fn a_missing_file_is_an_error_that_names_it() {
    let error = load_checkpoint(std::path::Path::new("/nonexistent/engram.safetensors"))
        .err()
        .unwrap();
    assert!(error
        .to_string()
        .contains("/nonexistent/engram.safetensors"));
}

/// A few hundred bytes whose config claims the largest DNC the bounds allow (H 2048,
/// 4 layers, N 1024, W 512, R 16: 205 million parameters, 820 MB) and which holds one tiny
/// tensor: refused from the layout alone, with both sizes, before the model is built —
/// quickly, and (natively, through `engram eval`) without the memory a build would take.
#[test]
fn a_small_file_claiming_a_huge_model_is_refused_before_it_is_built() {
    let (model, task) = trained_like(ModelKind::Dnc);
    let bytes = Checkpoint::to_bytes(model.as_ref(), &task, 0).unwrap();
    let hostile = rewrite(&bytes, |list, meta| {
        list.retain(|(name, ..)| name == "output.bias");
        let c = meta.get_mut("engram_config").unwrap();
        let mut config: serde_json::Value = serde_json::from_str(c).unwrap();
        for (key, value) in [
            ("hidden", 2048),
            ("layers", 4),
            ("memory_slots", 1024),
            ("memory_width", 512),
            ("read_heads", 16),
        ] {
            config[key] = value.into();
        }
        *c = config.to_string();
    });
    assert!(hostile.len() < 2_000, "{} bytes", hostile.len());
    let started = std::time::Instant::now();
    let message = rejection(&hostile);
    let elapsed = started.elapsed();
    eprintln!("{} bytes refused in {elapsed:?}: {message}", hostile.len());
    assert!(elapsed.as_millis() < 50, "{elapsed:?}");
    assert!(message.contains("missing tensor"), "{message}");
    assert!(message.contains("the config implies"), "{message}");
    assert!(message.contains("the file declares"), "{message}");

    #[cfg(unix)]
    {
        let path =
            std::env::temp_dir().join(format!("engram-hostile-{}.safetensors", std::process::id()));
        std::fs::write(&path, &hostile).unwrap();
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_engram"))
            .args(["eval", "--checkpoint", path.to_str().unwrap()])
            .output()
            .unwrap();
        std::fs::remove_file(&path).ok();
        assert!(!output.status.success());
        assert!(String::from_utf8_lossy(&output.stderr).contains("the config implies"));
        // The largest resident set of any child this test process has waited for (this
        // file's only child): KB on Linux.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        assert_eq!(
            unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) },
            0
        );
        let megabytes = usage.ru_maxrss as f64 / 1024.0;
        eprintln!("engram eval on it: {megabytes:.1} MB resident at most");
        assert!(megabytes < 20.0, "{megabytes} MB");
    }
}
