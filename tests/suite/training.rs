//! The training loop: NaN/Inf detection keeps the last good parameters, runs are
//! reproducible from a seed, thread count does not change the gradient, and bad
//! configurations are refused with a message naming the field.

// Native only: the blocking training API (`Trainer::step`) has no browser equivalent.
#![cfg(not(target_arch = "wasm32"))]
use crate::common;

use engram::kinds::Family;
use engram::tasks::TaskConfig;
use engram::train::{batch_gradient, TrainConfig, Trainer};
use engram::{build, EngramError, ModelKind};

fn small(kind: ModelKind) -> TrainConfig {
    let task = match Family::of(kind) {
        Family::Memory => TaskConfig::Copy {
            bits: 4,
            min_length: 1,
            max_length: 3,
        },
        Family::NeuralGpu => TaskConfig::symbols_by_name("reverse")
            .unwrap()
            .with_max_length(3),
        Family::Generative => TaskConfig::frames_by_name("recall").unwrap(),
    };
    let mut config = TrainConfig::preset(kind, task);
    if let Some(image) = &mut config.architecture.image {
        image.maps = 6;
    }
    config.architecture.hidden = 16;
    config.architecture.memory_slots = 8;
    config.architecture.memory_width = 6;
    config.batch_size = 4;
    config.threads = 1;
    config
}

#[test]
fn non_finite_loss_stops_training_and_keeps_the_parameters() {
    for kind in ModelKind::ALL {
        let config = small(kind);
        let mut model = build(&config.architecture, 1).unwrap();
        let last = model.params().len() - 1;
        model.params_mut().values_mut()[last] = f32::NAN; // an output bias
        let before: Vec<u32> = model
            .params()
            .values()
            .iter()
            .map(|v| v.to_bits())
            .collect();
        let mut trainer = Trainer::with_model(config, model).unwrap();
        match trainer.step() {
            Err(EngramError::NonFinite { step: 1, what }) => assert_eq!(what, "loss"),
            other => panic!(
                "{kind}: expected a non-finite error, got {:?}",
                other.map(|r| r.step)
            ),
        }
        let after: Vec<u32> = trainer
            .model()
            .params()
            .values()
            .iter()
            .map(|v| v.to_bits())
            .collect();
        assert_eq!(before, after, "{kind}: parameters changed");
        assert_eq!(trainer.steps_done(), 0);
    }
}

#[test]
fn exploding_parameters_are_caught_as_a_non_finite_gradient_or_loss() {
    let config = small(ModelKind::Lstm);
    let mut model = build(&config.architecture, 1).unwrap();
    for v in model.params_mut().values_mut() {
        *v = 3e38;
    }
    let mut trainer = Trainer::with_model(config, model).unwrap();
    let error = trainer.step().unwrap_err();
    assert!(matches!(error, EngramError::NonFinite { .. }), "{error}");
    assert!(error.to_string().contains("last good step"));
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let run = || {
        let mut trainer = Trainer::new(small(ModelKind::Dnc)).unwrap();
        let reports: Vec<f64> = (0..5)
            .map(|_| trainer.step().unwrap().metrics.bits_per_sequence)
            .collect();
        (reports, trainer.model().params().values().to_vec())
    };
    assert_eq!(run(), run());
    let mut other = small(ModelKind::Dnc);
    other.seed = 2;
    let mut trainer = Trainer::new(other).unwrap();
    assert_ne!(
        trainer.step().unwrap().metrics.bits_per_sequence,
        run().0[0]
    );
}

#[test]
fn the_gradient_does_not_depend_on_the_thread_count() {
    let config = small(ModelKind::Ntm);
    let model = build(&config.architecture, 3).unwrap();
    let batch = config.task.batch(7, 11);
    let mut one = vec![0.0; model.params().len()];
    let mut three = vec![0.0; model.params().len()];
    let score_one = batch_gradient(model.as_ref(), &batch, 1, &mut one);
    let score_three = batch_gradient(model.as_ref(), &batch, 3, &mut three);
    assert!((score_one.loss_nats - score_three.loss_nats).abs() < 1e-9);
    let worst = one
        .iter()
        .zip(&three)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(worst < 1e-6, "max difference {worst}");
}

#[test]
fn the_curriculum_starts_short_and_reaches_the_full_length() {
    let mut config = small(ModelKind::Lstm);
    config.task = TaskConfig::Copy {
        bits: 4,
        min_length: 1,
        max_length: 12,
    };
    config.curriculum = Some(engram::train::CurriculumConfig {
        start: 2,
        step: 5,
        window: 2,
        threshold: 1e9, // always "solved": rises every full window
        mixture: false,
    });
    let mut trainer = Trainer::new(config).unwrap();
    let lengths: Vec<usize> = (0..6).map(|_| trainer.step().unwrap().max_length).collect();
    assert_eq!(lengths, vec![2, 2, 7, 7, 12, 12]);
}

#[test]
fn invalid_training_configurations_name_the_field() {
    let base = small(ModelKind::Ntm);
    type Edit = Box<dyn Fn(&mut TrainConfig)>;
    let cases: Vec<(Edit, &str)> = vec![
        (Box::new(|c| c.batch_size = 0), "batch size"),
        (
            Box::new(|c| c.optimizer.learning_rate = f32::NAN),
            "learning rate",
        ),
        (
            Box::new(|c| c.optimizer.learning_rate = -0.1),
            "learning rate",
        ),
        (Box::new(|c| c.clip_norm = 0.0), "clip norm"),
        (
            Box::new(|c| c.architecture.memory_slots = 0),
            "memory_slots",
        ),
        (
            Box::new(|c| c.architecture.memory_width = 100_000),
            "memory_width",
        ),
        (Box::new(|c| c.architecture.read_heads = 99), "read_heads"),
        (Box::new(|c| c.architecture.hidden = 0), "hidden"),
        (Box::new(|c| c.architecture.layers = 9), "layers"),
        (Box::new(|c| c.steps = 0), "steps"),
        (Box::new(|c| c.optimizer.beta1 = 1.5), "beta1"),
    ];
    for (edit, field) in cases {
        let mut config = base.clone();
        edit(&mut config);
        let message = Trainer::new(config).err().expect("refused").to_string();
        assert!(message.contains(field), "{field}: {message}");
    }
    let mut lru = base.clone();
    lru.architecture.model = ModelKind::Lru;
    lru.architecture.memory_slots = 2;
    lru.architecture.read_heads = 3;
    assert!(Trainer::new(lru)
        .err()
        .unwrap()
        .to_string()
        .contains("at least as many memory slots"));
}

#[test]
fn the_standard_curriculum_fits_inside_every_task() {
    for name in ["copy", "repeat-copy", "recall", "priority-sort"] {
        let task = TaskConfig::by_name(name).unwrap();
        let mut config = TrainConfig::preset(ModelKind::Ntm, task.clone());
        assert_eq!(config.curriculum, None, "presets train at full length");
        config.curriculum = Some(engram::train::CurriculumConfig::standard(&task));
        config.validate().unwrap();
        let short = task.with_max_length(task.min_length());
        config.task = short.clone();
        config.curriculum = Some(engram::train::CurriculumConfig::standard(&short));
        config.validate().unwrap();
    }
}

#[test]
fn the_learning_rate_changes_mid_run_and_bad_rates_are_refused() {
    let mut trainer = Trainer::new(small(ModelKind::Ntm)).unwrap();
    let first = trainer.step().unwrap();
    assert_eq!(
        first.learning_rate,
        trainer.config().optimizer.learning_rate
    );
    trainer.set_learning_rate(2e-4).unwrap();
    assert_eq!(trainer.step().unwrap().learning_rate, 2e-4);
    for bad in [0.0, -1.0, f32::NAN, 2.0] {
        let error = trainer.set_learning_rate(bad).unwrap_err().to_string();
        assert!(error.contains("learning rate"), "{error}");
    }
    assert_eq!(trainer.config().optimizer.learning_rate, 2e-4);
    assert_eq!(trainer.steps_done(), 2);
}

/// neural_gpu.md §5.1 relaxation: each curriculum advance raises the pull by a fifth;
/// once it has reached 0.1 (30 advances from 0.0005) the next advance averages the sets,
/// and training goes on from the averaged model.
#[test]
fn relaxed_sets_are_averaged_when_the_pull_has_reached_its_limit() {
    let mut trainer = Trainer::new(common::neural_gpu::advancing_every_step(2)).unwrap();
    let sets = trainer.model().relaxed_sets().expect("two sets");
    let equal = |trainer: &Trainer| {
        let p = trainer.model().params().values();
        (0..sets.size).all(|e| p[sets.first + e] == p[sets.first + sets.size + e])
    };
    let mut lengths = Vec::new();
    while !equal(&trainer) {
        let report = trainer.step().unwrap();
        lengths.push(report.max_length);
        assert!(
            lengths.len() < 40,
            "no averaging after {} steps",
            lengths.len()
        );
    }
    // 30 advances raised the pull; the 31st averaged.
    assert_eq!(lengths.len(), 31, "{lengths:?}");
    let report = trainer.step().unwrap();
    assert!(report.metrics.bits_per_sequence.is_finite());
}

/// The same seed gives the same model on any number of threads: 50 steps of every model
/// with 1, 2 and 3 threads end in bit-identical parameters (a batch of 19 cuts into
/// chunks that do not divide evenly among the threads).
#[test]
fn training_is_bit_identical_on_any_number_of_threads() {
    for kind in ModelKind::ALL {
        let train = |threads: usize| -> Vec<u32> {
            let mut config = small(kind);
            config.batch_size = 19;
            config.threads = threads;
            let mut trainer = Trainer::new(config).unwrap();
            for _ in 0..50 {
                trainer.step().unwrap();
            }
            trainer
                .model()
                .params()
                .values()
                .iter()
                .map(|v| v.to_bits())
                .collect()
        };
        let one = train(1);
        for threads in [2, 3] {
            let other = train(threads);
            let differing = one.iter().zip(&other).filter(|(a, b)| a != b).count();
            assert_eq!(
                differing,
                0,
                "{kind}: {threads} threads change {differing} of {} parameters",
                one.len()
            );
        }
    }
}
