//! The page's configuration record: the same presets as the CLI, every control
//! range-checked, and checkpoints continuing with their own task.

use engram::registry::settings::Setting;
use engram::tasks::TaskConfig;
use engram::train::{Checkpoint, TrainConfig, Trainer};
use engram::web::PlaygroundConfig;
use engram::{EngramError, ModelKind};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The page's settings for one model: registry keys and their values.
fn settings(pairs: &[(&str, Value)]) -> BTreeMap<String, Setting> {
    pairs
        .iter()
        .map(|(key, value)| (key.to_string(), setting(value.clone())))
        .collect()
}

/// A setting as the page's JSON gives it.
fn setting(value: Value) -> Setting {
    serde_json::from_value(value).unwrap()
}

fn page_defaults() -> PlaygroundConfig {
    PlaygroundConfig {
        model: ModelKind::Ntm,
        task: "copy".into(),
        bits: 8,
        min_length: 1,
        max_length: 10,
        learning_rate: 3e-3,
        batch_size: 16,
        seed: 1,
        settings: settings(&[
            ("memory_slots", json!(32)),
            ("memory_width", json!(20)),
            ("read_heads", json!(1)),
            ("hidden", json!(100)),
        ]),
    }
}

#[test]
fn the_page_defaults_are_the_cli_preset_on_one_thread() {
    let config = page_defaults().train_config().unwrap();
    let mut preset = TrainConfig::preset(ModelKind::Ntm, TaskConfig::by_name("copy").unwrap());
    preset.threads = 1;
    assert_eq!(config, preset);
}

/// Puts one control out of range.
type Breakage = fn(&mut PlaygroundConfig);

#[test]
fn out_of_range_controls_are_refused_with_their_name() {
    let cases: Vec<(Breakage, &str)> = vec![
        (
            |c| drop(c.settings.insert("memory_slots".into(), setting(json!(0)))),
            "memory_slots must be between 1 and",
        ),
        (
            |c| drop(c.settings.insert("maps".into(), setting(json!(8)))),
            "maps is not a setting of ntm",
        ),
        (
            |c| drop(c.settings.insert("hidden".into(), setting(json!("big")))),
            "hidden must be a number",
        ),
        (|c| c.batch_size = 100_000, "batch size"),
        (|c| c.learning_rate = f32::NAN, "learning rate"),
        (|c| c.task = "sorting".into(), "unknown task"),
        (|c| c.bits = 0, "bits"),
        (
            |c| {
                c.min_length = 9;
                c.max_length = 3
            },
            "length",
        ),
    ];
    for (break_it, expected) in cases {
        let mut config = page_defaults();
        break_it(&mut config);
        let error = config.train_config().unwrap_err();
        assert!(matches!(error, EngramError::Config(_)), "{error}");
        assert!(error.to_string().contains(expected), "{error}");
    }
}

#[test]
fn a_checkpoint_continues_with_its_own_architecture_and_task() {
    let task = TaskConfig::RepeatCopy {
        bits: 4,
        min_length: 2,
        max_length: 5,
        min_repeats: 2,
        max_repeats: 3,
    };
    let mut config = TrainConfig::preset(ModelKind::Dnc, task.clone());
    config.architecture.hidden = 16;
    config.architecture.layers = 2;
    config.architecture.memory_slots = 6;
    let trainer = Trainer::new(config).unwrap();
    let bytes = Checkpoint::to_bytes(trainer.model(), &task, 12).unwrap();
    let checkpoint = Checkpoint::from_bytes(&bytes).unwrap();

    let page = page_defaults();
    let continued = page.checkpoint_train_config(&checkpoint).unwrap();
    assert_eq!(
        continued.task, task,
        "task parameters the page has no control for are kept"
    );
    assert_eq!(&continued.architecture, checkpoint.model.config());
    assert_eq!(continued.seed, page.seed);
    let controls = page.for_checkpoint(&checkpoint);
    assert_eq!(
        (
            controls.model,
            controls.task.as_str(),
            controls.bits,
            controls.max_length
        ),
        (ModelKind::Dnc, "repeat-copy", 4, 5)
    );
    assert_eq!(controls.learning_rate, page.learning_rate);
    Trainer::with_model(continued, checkpoint.model).unwrap();
}

#[test]
fn the_page_config_is_strict_json() {
    let json = serde_json::to_string(&page_defaults()).unwrap();
    let back: PlaygroundConfig = serde_json::from_str(&json).unwrap();
    assert_eq!(back, page_defaults());
    let extra = json.replace("\"seed\":1", "\"seed\":1,\"speed\":3");
    assert!(serde_json::from_str::<PlaygroundConfig>(&extra).is_err());
    // A setting that is not the model's is refused when the page asks for a model.
    let foreign = json.replace("\"hidden\":100", "\"hidden\":100,\"speed\":3");
    let config: PlaygroundConfig = serde_json::from_str(&foreign).unwrap();
    let error = config.train_config().unwrap_err().to_string();
    assert!(error.contains("speed is not a setting of ntm"), "{error}");
    let list = json.replace("\"hidden\":100", "\"hidden\":[100]");
    assert!(serde_json::from_str::<PlaygroundConfig>(&list).is_err());
}

#[test]
fn the_page_s_size_controls_reach_the_engine_for_either_family() {
    let mut config = page_defaults();
    config.settings.insert("layers".into(), setting(json!(2)));
    assert_eq!(config.train_config().unwrap().architecture.layers, 2);
    let image = PlaygroundConfig {
        model: ModelKind::NeuralGpu,
        task: "reverse".into(),
        bits: 4,
        min_length: 1,
        max_length: 8,
        settings: settings(&[
            ("maps", json!(12)),
            ("height", json!(3)),
            ("cgru_layers", json!(1)),
            ("gate_cutoff", json!(1.25)),
        ]),
        ..page_defaults()
    };
    let train = image.train_config().unwrap();
    let settings = train.architecture.image.unwrap();
    assert_eq!(
        (settings.maps, settings.height, settings.cgru_layers),
        (12, 3, 1)
    );
    assert_eq!(settings.gate_cutoff, 1.25);
    assert_eq!(train.task.name(), "reverse");
}

#[test]
fn the_page_s_generative_controls_reach_the_configuration() {
    let page = PlaygroundConfig {
        model: ModelKind::Gtmm,
        task: "walk".into(),
        bits: 3,
        min_length: 3,
        max_length: 3,
        settings: settings(&[
            ("memory_slots", json!(16)),
            ("memory_width", json!(8)),
            ("read_heads", json!(2)),
            ("hidden", json!(32)),
            ("memory", json!("lru")),
            ("latent", json!(6)),
            ("map_hidden", json!(20)),
            ("encoder_hidden", json!(24)),
        ]),
        ..page_defaults()
    };
    let train = page.train_config().unwrap();
    let generative = train.architecture.generative.clone().unwrap();
    assert_eq!(generative.memory.name(), "lru");
    assert_eq!(
        (
            generative.latent,
            generative.map_hidden,
            generative.encoder_hidden
        ),
        (6, 20, 24)
    );
    assert_eq!(generative.action_width, 4, "walk's actions");
    assert_eq!(
        (
            train.architecture.memory_slots,
            train.architecture.read_heads,
            train.architecture.hidden
        ),
        (16, 2, 32)
    );
    assert_eq!(train.task.bits(), 3, "flipped pixels");
    // A checkpoint's controls show its settings, every one of the model's; an unknown
    // variant is refused.
    let model = engram::build(&train.architecture, 1).unwrap();
    let checkpoint = engram::train::Checkpoint::from_bytes(
        &engram::train::Checkpoint::to_bytes(model.as_ref(), &train.task, 0).unwrap(),
    )
    .unwrap();
    let shown = page_defaults().for_checkpoint(&checkpoint);
    for (key, value) in &page.settings {
        assert_eq!(shown.settings.get(key), Some(value), "{key}");
    }
    let keys: Vec<&str> = shown.settings.keys().map(String::as_str).collect();
    let mut own: Vec<&str> = engram::registry::info(ModelKind::Gtmm)
        .hyperparameters
        .iter()
        .map(|h| h.key)
        .collect();
    own.sort_unstable();
    assert_eq!(
        keys, own,
        "a checkpoint's controls are its model's settings"
    );
    let mut tape = page.clone();
    tape.settings
        .insert("memory".into(), setting(json!("tape")));
    let error = tape.train_config().unwrap_err().to_string();
    assert!(error.contains("memory must be one of"), "{error}");
}
