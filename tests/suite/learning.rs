//! Convergence smoke tests with fixed seeds: each model learns copy (8 bits, lengths
//! 1–5) from its preset to under 0.5 bit errors per sequence on held-out sequences,
//! within a bounded number of steps (seconds on two cores).

// Native only: the blocking training API (`Trainer::step`) has no browser equivalent.
#![cfg(not(target_arch = "wasm32"))]

use engram::tasks::TaskConfig;
use engram::train::{evaluate, TrainConfig, Trainer};
use engram::ModelKind;

/// Trains until held-out bit errors per sequence (checked every 100 steps) fall under
/// 0.5; returns the steps taken and the final metric.
fn learn_copy(kind: ModelKind, max_steps: u64) -> (u64, f64) {
    let task = TaskConfig::Copy {
        bits: 8,
        min_length: 1,
        max_length: 5,
    };
    let mut config = TrainConfig::preset(kind, task.clone());
    config.steps = max_steps;
    let mut trainer = Trainer::new(config).unwrap();
    let mut errors = f64::INFINITY;
    while trainer.steps_done() < max_steps {
        trainer.step().unwrap();
        if trainer.steps_done().is_multiple_of(100) && trainer.current_task() == task {
            let metrics = evaluate(trainer.model(), &task, &[1, 3, 5], 128, 99, 2).unwrap();
            errors = metrics.iter().map(|m| m.metrics.error).fold(0.0, f64::max);
            if errors < 0.5 {
                break;
            }
        }
    }
    println!(
        "{kind}: {} steps, worst length's bit errors per sequence {errors:.3}",
        trainer.steps_done()
    );
    (trainer.steps_done(), errors)
}

#[test]
fn ntm_learns_copy() {
    let (_, errors) = learn_copy(ModelKind::Ntm, 4000);
    assert!(
        errors < 0.5,
        "NTM still makes {errors} bit errors per sequence"
    );
}

#[test]
fn dnc_learns_copy() {
    let (_, errors) = learn_copy(ModelKind::Dnc, 4000);
    assert!(
        errors < 0.5,
        "DNC still makes {errors} bit errors per sequence"
    );
}

#[test]
fn lstm_learns_copy() {
    let (_, errors) = learn_copy(ModelKind::Lstm, 10_000);
    assert!(
        errors < 0.5,
        "LSTM still makes {errors} bit errors per sequence"
    );
}

#[test]
fn lru_learns_copy() {
    let (_, errors) = learn_copy(ModelKind::Lru, 10_000);
    assert!(
        errors < 0.5,
        "LRU still makes {errors} bit errors per sequence"
    );
}
