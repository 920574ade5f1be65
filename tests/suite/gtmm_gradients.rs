//! The generative models' exact backward pass against finite differences of their loss
//! (`Σ_t rec_t + KL_t`, z reparameterised with a fixed ε), for every memory, with
//! actions as input; and the pieces the loss depends on are not zero.
use crate::common;

use common::gtmm::FrameSequence;
use engram::gradcheck::{check, Tolerance};
use engram::kinds::LatentMemoryKind;
use engram::models::gtmm::GenerativeConfig;
use engram::rng::Pcg32;
use engram::{build, Model, ModelConfig, ModelKind};

fn small_config(memory: LatentMemoryKind) -> ModelConfig {
    let generative = GenerativeConfig {
        memory,
        latent: 3,
        frame_size: 3,
        action_width: 2,
        encoder_hidden: 4,
        map_hidden: 4,
        decoder_hidden: 4,
        kl_warmup: 0,
    };
    ModelConfig {
        model: ModelKind::Gtmm,
        input_width: 9 + 2,
        output_width: 9,
        hidden: 5,
        layers: 1,
        memory_slots: 4,
        memory_width: 3,
        read_heads: 2,
        image: None,
        generative: Some(generative),
        dnc: Default::default(),
    }
}

/// The noise every gradient check draws.
const NOISE_SEED: u64 = 77;

/// Binary frames, one-hot actions (none at t = 0); the target is unused (the frame is).
fn random_sequence(steps: usize, seed: u64) -> FrameSequence {
    let mut rng = Pcg32::new(seed);
    let mut input = Vec::new();
    for t in 0..steps {
        input.extend((0..9).map(|_| rng.bit()));
        let action = rng.range_inclusive(0, 1);
        input.extend((0..2).map(|a| if t > 0 && a == action { 1.0 } else { 0.0 }));
    }
    FrameSequence {
        input,
        mask: vec![1.0; steps],
        steps,
    }
}

fn loss(model: &dyn Model, sequence: &FrameSequence) -> f64 {
    model.score(sequence.view(NOISE_SEED)).loss_nats
}

fn check_ram(memory: LatentMemoryKind, seed: u64) {
    let config = small_config(memory);
    let mut model = build(&config, seed).unwrap();
    // Larger parameters than the default init, so gates leave their linear regime.
    let mut rng = Pcg32::new(seed + 100);
    for v in model.params_mut().values_mut() {
        *v *= 1.0 + rng.uniform(0.0, 1.0);
    }
    // Enough steps that the 4-slot memories wrap around (the FIFO overwrites).
    let sequence = random_sequence(7, seed);
    let mut grads = vec![0.0; model.params().len()];
    let score = model.forward_backward(sequence.view(NOISE_SEED), 1.0, &mut grads);
    assert!((score.loss_nats - loss(model.as_ref(), &sequence)).abs() < 1e-9);
    let point = model.params().values().to_vec();
    let entries = model.params().entries().to_vec();
    let mut probe = build(&config, seed).unwrap();
    // The loss sums ~60 nats in f32, so a step of 1e-3 drowns small components in
    // rounding noise; 1e-2 does not. The DNC's allocation order is piecewise constant,
    // so its loss has kinks a wide step can cross: there the step stays at 2e-3.
    let step = if memory == LatentMemoryKind::Dnc {
        2e-3
    } else {
        1e-2
    };
    let tolerance = Tolerance {
        step,
        absolute: 3e-3,
        relative: 2e-2,
    };
    for entry in &entries {
        let components: Vec<usize> = entry.range().step_by(1 + entry.len() / 30).collect();
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
        .unwrap_or_else(|m| panic!("{memory} {}: {m}", entry.name));
        assert!(report.checked > 0);
        println!(
            "{memory} {}: {} components, max |error| {:.2e}",
            entry.name, report.checked, report.max_absolute_error
        );
        let norm: f32 = grads[entry.range()].iter().map(|g| g * g).sum();
        assert!(
            norm > 0.0,
            "{memory}: {} has an all-zero gradient",
            entry.name
        );
    }
}

#[test]
fn no_memory_gradients_match_finite_differences() {
    check_ram(LatentMemoryKind::None, 1);
}

#[test]
fn introspective_gradients_match_finite_differences() {
    check_ram(LatentMemoryKind::Introspective, 2);
}

#[test]
fn ntm_gradients_match_finite_differences() {
    check_ram(LatentMemoryKind::Ntm, 3);
}

#[test]
fn lru_gradients_match_finite_differences() {
    check_ram(LatentMemoryKind::Lru, 4);
}

#[test]
fn dnc_gradients_match_finite_differences() {
    check_ram(LatentMemoryKind::Dnc, 5);
}

#[test]
fn kl_warmup_scales_only_the_kl_gradient() {
    let mut config = small_config(LatentMemoryKind::Introspective);
    config.generative.as_mut().unwrap().kl_warmup = 10;
    let model = build(&config, 9).unwrap();
    let sequence = random_sequence(5, 9);
    let gradient = |step: u64| {
        model.set_training_step(step);
        let mut grads = vec![0.0; model.params().len()];
        let score = model.forward_backward(sequence.view(NOISE_SEED), 1.0, &mut grads);
        (score.loss_nats, grads)
    };
    let (loss_early, early) = gradient(1);
    let (loss_late, late) = gradient(10);
    // The reported bound is β-free; the gradient is not.
    assert_eq!(loss_early, loss_late);
    assert_ne!(early, late);
    let (_, after) = gradient(20);
    assert_eq!(late, after, "β stays 1 after the warm-up");
}
