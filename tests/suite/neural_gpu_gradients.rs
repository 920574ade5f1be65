//! Finite-difference checks of the Neural GPU family: the 3 × 3 convolution, each CGRU
//! layer with and without the tape, and both whole models (label smoothing, dropout).
use crate::common;

use common::neural_gpu::{config, one_hot, random};
use engram::gradcheck::{check, Tolerance};
use engram::models::neural_gpu::{CgruLayer, Image, NeuralGpu, NeuralGpuConfig};
use engram::models::SequenceRef;
use engram::nn::ParamStore;
use engram::ops::conv::{col2im_accumulate, im2col, Conv3x3, TAPS};
use engram::rng::Pcg32;
use engram::{Model, ModelKind};

#[test]
fn the_convolution_s_gradients_match_finite_differences() {
    let shape = Conv3x3 {
        in_channels: 3,
        out_channels: 4,
        height: 3,
        width: 5,
    };
    let mut rng = Pcg32::new(11);
    let input = random(&mut rng, shape.in_channels * shape.plane(), 1.0);
    let kernel = random(&mut rng, shape.out_channels * shape.in_channels * TAPS, 1.0);
    let bias = random(&mut rng, shape.out_channels, 1.0);
    let probe = random(&mut rng, shape.out_channels * shape.plane(), 1.0);
    // Objective: ⟨probe, conv(input)⟩ over [input; kernel; bias].
    let objective = |x: &[f32]| {
        let (input, rest) = x.split_at(input.len());
        let (kernel, bias) = rest.split_at(kernel.len());
        let mut col = vec![0.0; shape.col_len()];
        im2col(
            input,
            shape.in_channels,
            shape.height,
            shape.width,
            &mut col,
        );
        let mut out = vec![0.0; probe.len()];
        shape.forward(kernel, bias, &col, &mut out);
        out.iter()
            .zip(&probe)
            .map(|(a, b)| (a * b) as f64)
            .sum::<f64>()
    };
    let point = [input.clone(), kernel.clone(), bias.clone()].concat();
    let mut col = vec![0.0; shape.col_len()];
    im2col(
        &input,
        shape.in_channels,
        shape.height,
        shape.width,
        &mut col,
    );
    let (mut dkernel, mut dbias, mut dcol) = (
        vec![0.0; kernel.len()],
        vec![0.0; bias.len()],
        vec![0.0; col.len()],
    );
    shape.backward(&kernel, &col, &probe, &mut dkernel, &mut dbias, &mut dcol);
    let mut dinput = vec![0.0; input.len()];
    col2im_accumulate(
        &dcol,
        shape.in_channels,
        shape.height,
        shape.width,
        &mut dinput,
    );
    let analytic = [dinput, dkernel, dbias].concat();
    let report = check(
        objective,
        &point,
        &analytic,
        0..point.len(),
        Tolerance::default(),
    )
    .unwrap();
    println!(
        "conv3x3: {} components, max |error| {:.2e}",
        report.checked, report.max_absolute_error
    );
}

/// A CGRU layer (with or without the tape) against finite differences of
/// `⟨probe, layer(s, p)⟩` in its parameters, its input and its tape.
fn check_layer(with_tape: bool, cutoff: f32) {
    let (maps, height, width) = (3, 2, 4);
    let image = Image {
        maps,
        height,
        width,
    };
    let mut rng = Pcg32::new(21 + with_tape as u64);
    let mut params = ParamStore::new();
    let layer = CgruLayer::register(&mut params, "layer", maps, with_tape, &mut rng);
    let parameters = params.len();
    let s = random(&mut rng, image.len(), 1.0);
    let tape = random(&mut rng, image.len(), 1.0);
    let probe = random(&mut rng, image.len(), 1.0);
    let point = [params.values().to_vec(), s.clone(), tape.clone()].concat();
    let objective = |x: &[f32]| {
        let (p, rest) = x.split_at(parameters);
        let (s, tape) = rest.split_at(image.len());
        let (out, _) = layer.forward(p, image, cutoff, s, with_tape.then_some(tape));
        out.iter()
            .zip(&probe)
            .map(|(a, b)| (a * b) as f64)
            .sum::<f64>()
    };
    let (_, cache) = layer.forward(
        params.values(),
        image,
        cutoff,
        &s,
        with_tape.then_some(&tape[..]),
    );
    let mut grads = vec![0.0; parameters];
    let mut ds = vec![0.0; image.len()];
    let mut dtape = vec![0.0; image.len()];
    layer.backward(
        params.values(),
        &mut grads,
        image,
        cutoff,
        &s,
        with_tape.then_some(&tape[..]),
        &cache,
        &probe,
        &mut ds,
        with_tape.then_some(&mut dtape[..]),
    );
    let analytic = [grads, ds, dtape].concat();
    let tolerance = Tolerance {
        step: 1e-3,
        absolute: 2e-3,
        relative: 2e-2,
    };
    let report = check(objective, &point, &analytic, 0..point.len(), tolerance)
        .unwrap_or_else(|m| panic!("CGRU (tape {with_tape}, cutoff {cutoff}): {m}"));
    println!(
        "CGRU tape {with_tape} cutoff {cutoff}: {} components, max |error| {:.2e}",
        report.checked, report.max_absolute_error
    );
}

#[test]
fn cgru_layers_match_finite_differences() {
    check_layer(false, 1.0);
    check_layer(true, 1.0);
    check_layer(false, 1.2);
    check_layer(true, 1.2);
}

/// A whole model's gradient against finite differences of its training loss (with
/// label smoothing, and with dropout where `dropout` is non-zero: its host-drawn masks
/// are the same at every evaluation of one sequence).
fn check_model(kind: ModelKind, cutoff: f32, seed: u64) {
    check_model_with(kind, cutoff, seed, 0.0, 1);
}

/// With `relax_sets` > 1 every set must get a gradient: the 5 steps use each of them.
fn check_model_with(kind: ModelKind, cutoff: f32, seed: u64, dropout: f32, relax_sets: usize) {
    let image = NeuralGpuConfig {
        maps: 3,
        height: 2,
        cgru_layers: 2,
        gate_cutoff: cutoff,
        label_smoothing: 0.1,
        dropout,
        sampling_rate: 0.0,
        relax_sets,
    };
    let config = config(kind, 4, 3, image);
    let model = NeuralGpu::new(config.clone(), seed);
    let mut rng = Pcg32::new(seed + 7);
    let steps = 5;
    let input_symbols: Vec<usize> = (0..steps).map(|_| rng.range_inclusive(0, 3)).collect();
    let target_symbols: Vec<usize> = (0..steps).map(|_| rng.range_inclusive(0, 2)).collect();
    let input = one_hot(&input_symbols, 4);
    let target = one_hot(&target_symbols, 3);
    let mask = vec![1.0; steps];
    let sequence = SequenceRef {
        input: &input,
        target: &target,
        mask: &mask,
        alternative: None,
        recall: None,
        steps,
        noise_seed: seed,
        batch_seed: seed,
    };
    let mut grads = vec![0.0; model.params().len()];
    let score = model.forward_backward(sequence, 1.0, &mut grads);
    assert!(score.loss_nats.is_finite());
    if dropout > 0.0 {
        // The masks change the loss (so they are there) and depend on the seed only.
        let other = SequenceRef {
            noise_seed: seed + 1,
            ..sequence
        };
        let mut scratch = vec![0.0; grads.len()];
        assert_ne!(
            model.forward_backward(other, 1.0, &mut scratch).loss_nats,
            score.loss_nats
        );
        assert_eq!(
            model
                .forward_backward(sequence, 1.0, &mut scratch)
                .loss_nats,
            score.loss_nats
        );
    }
    let mut probe = NeuralGpu::new(config, seed);
    let mut scratch = vec![0.0; grads.len()];
    let mut loss = |x: &[f32]| {
        probe.params_mut().values_mut().copy_from_slice(x);
        probe
            .forward_backward(sequence, 1.0, &mut scratch)
            .loss_nats
    };
    let point = model.params().values().to_vec();
    let tolerance = Tolerance {
        step: 1e-3,
        absolute: 3e-3,
        relative: 3e-2,
    };
    for entry in model.params().entries() {
        let components: Vec<usize> = entry.range().step_by(1 + entry.len() / 30).collect();
        let report = check(&mut loss, &point, &grads, components, tolerance)
            .unwrap_or_else(|m| panic!("{kind} cutoff {cutoff} {}: {m}", entry.name));
        println!(
            "{kind} cutoff {cutoff} {}: {} components, max |error| {:.2e}",
            entry.name, report.checked, report.max_absolute_error
        );
        let norm: f32 = grads[entry.range()].iter().map(|g| g * g).sum();
        let unused_input_symbol = entry.name == "embedding.weight";
        assert!(
            norm > 0.0 || unused_input_symbol,
            "{kind}: {} has an all-zero gradient",
            entry.name
        );
    }
}

#[test]
fn the_neural_gpu_gradient_matches_finite_differences() {
    check_model(ModelKind::NeuralGpu, 1.0, 3);
    check_model(ModelKind::NeuralGpu, 1.2, 4);
}

#[test]
fn the_dependent_output_model_s_gradient_matches_finite_differences() {
    check_model(ModelKind::NeuralGpuDep, 1.0, 5);
    check_model(ModelKind::NeuralGpuDep, 1.2, 6);
}

#[test]
fn gradients_with_dropout_match_finite_differences() {
    check_model_with(ModelKind::NeuralGpu, 1.0, 7, 0.3, 1);
    check_model_with(ModelKind::NeuralGpuDep, 1.0, 8, 0.3, 1);
}

#[test]
fn gradients_with_relaxed_parameter_sets_match_finite_differences() {
    check_model_with(ModelKind::NeuralGpu, 1.2, 9, 0.0, 2);
    check_model_with(ModelKind::NeuralGpuDep, 1.2, 10, 0.0, 3);
}

/// neural_gpu.md §5.1: step k (from 0) uses set k mod r, and the sets are checkpointed as
/// `rx.{k}.cgru.{l}`.
#[test]
fn step_k_uses_relaxed_set_k_mod_r() {
    let image = NeuralGpuConfig {
        maps: 3,
        height: 2,
        cgru_layers: 1,
        relax_sets: 3,
        ..NeuralGpuConfig::default()
    };
    let model = NeuralGpu::new(config(ModelKind::NeuralGpu, 4, 3, image), 2);
    for k in 0..3 {
        assert!(model
            .params()
            .entry(&format!("rx.{k}.cgru.0.cand.bias"))
            .is_some());
    }
    assert!(model.params().entry("cgru.0.cand.bias").is_none());
    // Two steps use sets 0 and 1; set 2 takes no part.
    let steps = 2;
    let input = one_hot(&[1, 2], 4);
    let target = one_hot(&[2, 0], 3);
    let mask = vec![1.0; steps];
    let sequence = SequenceRef {
        input: &input,
        target: &target,
        mask: &mask,
        alternative: None,
        recall: None,
        steps,
        noise_seed: 0,
        batch_seed: 0,
    };
    let mut grads = vec![0.0; model.params().len()];
    model.forward_backward(sequence, 1.0, &mut grads);
    let norm = |k: usize| -> f32 {
        let entry = model
            .params()
            .entry(&format!("rx.{k}.cgru.0.gate_u.weight"))
            .unwrap();
        grads[entry.range()].iter().map(|g| g * g).sum()
    };
    assert!(norm(0) > 0.0 && norm(1) > 0.0);
    assert_eq!(norm(2), 0.0);
    let sets = model.relaxed_sets().expect("relaxed sets");
    assert_eq!(sets.sets, 3);
    assert_eq!(sets.size, 3 * (3 * 3 * 9 + 3));
}
