//! End-to-end gradient checks: every model's BPTT gradient against finite differences
//! of its loss, on small sizes and a random sequence with a partial mask.

use engram::gradcheck::{check, Tolerance};
use engram::models::DncOptions;
use engram::models::SequenceRef;
use engram::ops::loss::masked_sigmoid_cross_entropy;
use engram::rng::Pcg32;
use engram::{build, Model, ModelConfig, ModelKind};

fn small_config(model: ModelKind) -> ModelConfig {
    ModelConfig {
        model,
        input_width: 3,
        output_width: 2,
        hidden: 5,
        layers: 2,
        memory_slots: 5,
        memory_width: 3,
        read_heads: 2,
        image: None,
        generative: None,
        dnc: Default::default(),
    }
}

struct Sequence {
    input: Vec<f32>,
    target: Vec<f32>,
    mask: Vec<f32>,
    steps: usize,
}

fn random_sequence(config: &ModelConfig, steps: usize, seed: u64) -> Sequence {
    let mut rng = Pcg32::new(seed);
    Sequence {
        input: (0..steps * config.input_width)
            .map(|_| rng.uniform(-1.0, 1.0))
            .collect(),
        target: (0..steps * config.output_width)
            .map(|_| rng.bit())
            .collect(),
        mask: (0..steps)
            .map(|t| if t % 3 == 1 { 0.0 } else { 1.0 })
            .collect(),
        steps,
    }
}

fn loss(model: &dyn Model, sequence: &Sequence) -> f64 {
    let logits = model.forward(&sequence.input, sequence.steps);
    masked_sigmoid_cross_entropy(
        &logits,
        &sequence.target,
        &sequence.mask,
        model.config().output_width,
        1.0,
        None,
    )
    .loss_nats
}

fn check_model(kind: ModelKind, seed: u64) {
    check_config(small_config(kind), seed);
}

fn check_config(config: ModelConfig, seed: u64) {
    let kind = config.model;
    let mut model = build(&config, seed).unwrap();
    // Larger parameters than the default init so gates are off their linear regime.
    let mut rng = Pcg32::new(seed + 100);
    for v in model.params_mut().values_mut() {
        *v *= 1.0 + rng.uniform(0.0, 1.5);
    }
    let sequence = random_sequence(&config, 7, seed);
    let mut grads = vec![0.0; model.params().len()];
    let view = SequenceRef {
        input: &sequence.input,
        target: &sequence.target,
        mask: &sequence.mask,
        alternative: None,
        recall: None,
        steps: sequence.steps,
        noise_seed: 0,
        batch_seed: 0,
    };
    let score = model.forward_backward(view, 1.0, &mut grads);
    assert!((score.loss_nats - loss(model.as_ref(), &sequence)).abs() < 1e-9);
    let point = model.params().values().to_vec();
    let entries = model.params().entries().to_vec();
    let mut probe = build(&config, seed).unwrap();
    let tolerance = Tolerance {
        step: 3e-3,
        absolute: 2e-3,
        relative: 2e-2,
    };
    // Every tensor, and every component of the small ones.
    for entry in &entries {
        let components: Vec<usize> = entry.range().step_by(1 + entry.len() / 40).collect();
        let report = check(
            |x| {
                probe.params_mut().values_mut().copy_from_slice(x);
                loss(probe.as_ref(), &sequence)
            },
            &point,
            &grads,
            components,
            tolerance,
        )
        .unwrap_or_else(|m| panic!("{kind} {}: {m}", entry.name));
        assert!(report.checked > 0);
        println!(
            "{kind} {}: {} components, max |error| {:.2e}",
            entry.name, report.checked, report.max_absolute_error
        );
    }
    // The gradient is not trivially zero anywhere important.
    for entry in &entries {
        let norm: f32 = grads[entry.range()].iter().map(|g| g * g).sum();
        assert!(
            norm > 0.0,
            "{kind}: {} has an all-zero gradient",
            entry.name
        );
    }
}

#[test]
fn lstm_gradient_matches_finite_differences() {
    check_model(ModelKind::Lstm, 1);
}

#[test]
fn ntm_gradient_matches_finite_differences() {
    check_model(ModelKind::Ntm, 2);
}

#[test]
fn dnc_gradient_matches_finite_differences() {
    check_model(ModelKind::Dnc, 3);
}

#[test]
fn lru_gradient_matches_finite_differences() {
    check_model(ModelKind::Lru, 4);
}

/// The DNC's §3.1 options, each alone and all three (masks, de-allocation's erase through
/// ψ, the sharpened link weightings): exact backward against finite differences.
#[test]
fn dnc_improvements_gradients_match_finite_differences() {
    let each = [
        DncOptions {
            masking: true,
            ..DncOptions::default()
        },
        DncOptions {
            deallocation: true,
            ..DncOptions::default()
        },
        DncOptions {
            link_sharpness: true,
            ..DncOptions::default()
        },
        DncOptions::ALL,
    ];
    for (i, options) in each.into_iter().enumerate() {
        let config = ModelConfig {
            dnc: options,
            ..small_config(ModelKind::Dnc)
        };
        println!("{options:?}");
        check_config(config, 10 + i as u64);
    }
}
