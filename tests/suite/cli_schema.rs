//! What `engram schema` and `--help` say against what `engram train` takes: settings printed
//! in their own kind, every listed flag accepted, every registry model and task offered.
use crate::common;

use common::cli::engram;

/// `engram schema` prints whole-number settings as whole numbers and on/off options as
/// on/off, as a visitor reads them ("default 100", not "default 100.0").
#[test]
fn the_schema_prints_settings_in_their_own_kind() {
    let output = engram(&["schema"]);
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let ntm = text
        .lines()
        .skip_while(|l| !l.starts_with("ntm: "))
        .nth(3)
        .unwrap();
    assert!(
        ntm.contains("--hidden") && ntm.ends_with("default 100"),
        "{ntm}"
    );
    assert!(
        !text.contains(".0,") && !text.contains(".0\n"),
        "a whole number printed as a float:\n{text}"
    );
    let masking = text.lines().find(|l| l.contains("--dnc-masking")).unwrap();
    assert!(masking.ends_with("on/off, default off"), "{masking}");
    assert!(
        text.contains("default 1.2"),
        "the gate cutoff keeps its decimal:\n{text}"
    );
}

/// The value of `key` anywhere in a JSON configuration (the Neural GPU's and the
/// generative models' sizes are nested).
fn find<'a>(value: &'a serde_json::Value, key: &str) -> Option<&'a serde_json::Value> {
    match value {
        serde_json::Value::Object(map) => map
            .get(key)
            .or_else(|| map.values().find_map(|v| find(v, key))),
        _ => None,
    }
}

/// Every flag `engram schema` lists for a model, `engram train` takes for it: with a
/// value other than the preset's, the printed configuration holds that value.
#[test]
fn every_flag_the_schema_lists_is_one_train_takes() {
    let output = engram(&["schema", "--json"]);
    let schema: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    for model in schema["models"].as_array().unwrap() {
        let name = model["name"].as_str().unwrap();
        for h in model["hyperparameters"].as_array().unwrap() {
            let key = h["key"].as_str().unwrap();
            let flag = format!("--{}", key.replace('_', "-"));
            let (value, expected) = if h["boolean"].as_bool() == Some(true) {
                (None, serde_json::Value::from(true))
            } else if let Some(choices) = h["choices"].as_array() {
                let other = choices.iter().find(|c| **c != h["default"]).unwrap();
                (Some(other.as_str().unwrap().to_string()), other.clone())
            } else if h["integer"].as_bool() == Some(true) {
                let other = h["default"].as_u64().unwrap() + 1;
                (Some(other.to_string()), serde_json::Value::from(other))
            } else {
                (Some("1.5".into()), serde_json::Value::from(1.5))
            };
            let mut args = vec!["train", "--model", name, "--print-config", &flag];
            if let Some(value) = value.as_deref() {
                args.push(value);
            }
            let output = engram(&args);
            assert!(
                output.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            let config: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
            let found =
                find(&config, key).unwrap_or_else(|| panic!("{args:?}: no {key} in {config}"));
            let same = match (found.as_f64(), expected.as_f64()) {
                (Some(a), Some(b)) => (a - b).abs() < 1e-6,
                _ => *found == expected,
            };
            assert!(same, "{args:?}: {key} is {found}, not {expected}");
        }
    }
}

/// `--help` lists every model of the registry and every family's tasks, so a model or
/// task added there is offered here without another edit.
#[test]
fn help_lists_the_registrys_models_and_tasks() {
    use engram::kinds::Family;
    use engram::registry::MODELS;
    let train = String::from_utf8(engram(&["train", "--help"]).stdout).unwrap();
    let bench = String::from_utf8(engram(&["bench", "--help"]).stdout).unwrap();
    for model in MODELS.iter().map(|m| m.kind.name()) {
        assert!(
            train.contains(model) && bench.contains(model),
            "{model} is not in --help"
        );
    }
    for family in [Family::Memory, Family::NeuralGpu, Family::Generative] {
        for task in family.tasks() {
            assert!(train.contains(task), "{task} is not in train --help");
        }
        assert!(train.contains(family.label()));
    }
}
