//! The Neural GPU family against its specification: logits, final images, losses and
//! greedy decoding against `tests/fixtures/make_neural_gpu_reference.py` (NumPy float64,
//! written from neural_gpu.md alone); finite-difference checks of the convolution, each
//! CGRU layer and both whole models; checkpoints across families.

use engram::gradcheck::{check, Tolerance};
use engram::models::neural_gpu::{CgruLayer, Image, ImageConfig, NeuralGpu};
use engram::models::SequenceRef;
use engram::nn::ParamStore;
use engram::ops::conv::{col2im_accumulate, im2col, Conv3x3, TAPS};
use engram::ops::loss::argmax;
use engram::rng::Pcg32;
use engram::tasks::{SymbolTask, TaskConfig};
use engram::train::Checkpoint;
use engram::{Model, ModelConfig, ModelKind};
use serde_json::Value;

const FIXTURE: &str = include_str!("fixtures/neural_gpu_reference.json");

fn flat(value: &Value) -> Vec<f32> {
    match value {
        Value::Array(items) => items.iter().flat_map(flat).collect(),
        Value::Number(n) => vec![n.as_f64().expect("a number") as f32],
        other => panic!("unexpected JSON value {other}"),
    }
}

fn symbols(value: &Value) -> Vec<usize> {
    value
        .as_array()
        .expect("a list of symbols")
        .iter()
        .map(|v| v.as_u64().expect("a symbol") as usize)
        .collect()
}

fn one_hot(symbols: &[usize], width: usize) -> Vec<f32> {
    let mut rows = vec![0.0; symbols.len() * width];
    for (x, &s) in symbols.iter().enumerate() {
        rows[x * width + s] = 1.0;
    }
    rows
}

fn config(
    kind: ModelKind,
    alphabet_in: usize,
    alphabet_out: usize,
    image: ImageConfig,
) -> ModelConfig {
    ModelConfig {
        model: kind,
        input_width: alphabet_in,
        output_width: alphabet_out,
        hidden: 0,
        layers: 0,
        memory_slots: 0,
        memory_width: 0,
        read_heads: 0,
        image: Some(image),
    }
}

/// The fixture case's model, with the reference's parameters copied in by name.
fn reference_model(kind: ModelKind, case: &Value) -> NeuralGpu {
    let c = &case["config"];
    let size = |key: &str| c[key].as_u64().unwrap() as usize;
    let image = ImageConfig {
        maps: size("maps"),
        height: size("height"),
        cgru_layers: size("cgru_layers"),
        gate_cutoff: c["gate_cutoff"].as_f64().unwrap() as f32,
        ..ImageConfig::default()
    };
    let config = config(kind, size("alphabet_in"), size("alphabet_out"), image);
    config.validate().unwrap();
    let mut model = NeuralGpu::new(config, 1);
    let params = case["params"].as_object().unwrap();
    let entries = model.params().entries().to_vec();
    assert_eq!(
        entries.len(),
        params.len(),
        "the same tensors as the reference"
    );
    for entry in entries {
        let values = flat(&params[&entry.name]);
        assert_eq!(values.len(), entry.len(), "{}", entry.name);
        model.params_mut().values_mut()[entry.range()].copy_from_slice(&values);
    }
    model
}

/// Largest |a − e|, asserting each is within `tolerance`.
fn compare(name: &str, what: &str, actual: &[f32], expected: &[f32], tolerance: f64) -> f64 {
    assert_eq!(actual.len(), expected.len(), "{name}: {what} length");
    let mut worst = 0.0f64;
    for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        let difference = (a as f64 - e as f64).abs();
        assert!(
            difference <= tolerance,
            "{name}: {what}[{i}] = {a}, reference {e}"
        );
        worst = worst.max(difference);
    }
    worst
}

fn cases(model: &str) -> Vec<Value> {
    let all: Value = serde_json::from_str(FIXTURE).expect("the fixture is JSON");
    let cases = all[model].as_array().expect("a list of cases").clone();
    assert!(!cases.is_empty());
    cases
}

/// One fixture case run through its model: the one-hot input and target, and checks
/// shared by both models (the encoder's final image and the training loss).
struct Case {
    name: String,
    model: NeuralGpu,
    input: Vec<f32>,
    target: Vec<f32>,
    steps: usize,
    expected: Value,
}

impl Case {
    fn load(kind: ModelKind, case: &Value) -> Case {
        let model = reference_model(kind, case);
        let (a_in, a_out) = (model.config().input_width, model.config().output_width);
        Case {
            name: case["name"].as_str().unwrap().to_string(),
            input: one_hot(&symbols(&case["input"]), a_in),
            target: one_hot(&symbols(&case["target"]), a_out),
            steps: symbols(&case["input"]).len(),
            expected: case["expected"].clone(),
            model,
        }
    }

    fn compare(&self, what: &str, actual: &[f32], key: &str) -> f64 {
        compare(&self.name, what, actual, &flat(&self.expected[key]), 1e-4)
    }

    /// The encoder's last image and the training loss (teacher-forced for 5.2).
    fn check_image_and_loss(&self) -> f64 {
        let trace = self.model.image_trace(&self.input, self.steps).unwrap();
        let worst = self.compare(
            "final image",
            &trace.encoder.last().unwrap().image,
            "final_image",
        );
        let mut grads = vec![0.0; self.model.params().len()];
        let mask = vec![1.0; self.steps];
        let sequence = SequenceRef {
            input: &self.input,
            target: &self.target,
            mask: &mask,
            alternative: None,
            steps: self.steps,
            noise_seed: 0,
            batch_seed: 0,
        };
        let score = self.model.forward_backward(sequence, 1.0, &mut grads);
        let loss = self.expected["loss_nats"].as_f64().unwrap();
        assert!(
            (score.loss_nats - loss).abs() < 1e-4 * loss.max(1.0),
            "{}: loss {} vs {loss}",
            self.name,
            score.loss_nats
        );
        worst
    }
}

#[test]
fn the_neural_gpu_matches_the_reference() {
    for case in cases("neural_gpu") {
        let case = Case::load(ModelKind::NeuralGpu, &case);
        let logits = case.model.forward(&case.input, case.steps);
        let worst = case.compare("logits", &logits, "logits");
        let image_worst = case.check_image_and_loss();
        println!(
            "neural_gpu {}: max |logit difference| {worst:.2e}, image {image_worst:.2e}",
            case.name
        );
    }
}

#[test]
fn the_neural_gpu_with_dependent_outputs_matches_the_reference() {
    for case in cases("neural_gpu_dep") {
        let case = Case::load(ModelKind::NeuralGpuDep, &case);
        let forced = case
            .model
            .teacher_forced_logits(&case.input, &case.target, case.steps);
        let worst = case.compare("teacher-forced logits", &forced, "logits");
        let greedy = case.model.forward(&case.input, case.steps);
        let greedy_worst = case.compare("greedy logits", &greedy, "greedy_logits");
        let a_out = case.model.config().output_width;
        let outputs: Vec<usize> = greedy.chunks_exact(a_out).map(argmax).collect();
        let expected = symbols(&case.expected["greedy_output"]);
        assert_eq!(outputs, expected, "{}: greedy output", case.name);
        let trace = case.model.image_trace(&case.input, case.steps).unwrap();
        let decoded: Vec<usize> = trace.decoder.iter().map(|d| d.symbol).collect();
        assert_eq!(decoded, outputs, "{}: the trace's tape", case.name);
        case.check_image_and_loss();
        println!(
            "neural_gpu_dep {}: max |logit difference| teacher-forced {worst:.2e}, greedy {greedy_worst:.2e}",
            case.name
        );
    }
}

fn random(rng: &mut Pcg32, len: usize, scale: f32) -> Vec<f32> {
    (0..len).map(|_| rng.uniform(-scale, scale)).collect()
}

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
    check_model_with(kind, cutoff, seed, 0.0);
}

fn check_model_with(kind: ModelKind, cutoff: f32, seed: u64, dropout: f32) {
    let image = ImageConfig {
        maps: 3,
        height: 2,
        cgru_layers: 2,
        gate_cutoff: cutoff,
        label_smoothing: 0.1,
        dropout,
        sampling_rate: 0.0,
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
    check_model_with(ModelKind::NeuralGpu, 1.0, 7, 0.3);
    check_model_with(ModelKind::NeuralGpuDep, 1.0, 8, 0.3);
}

#[test]
fn symbol_tasks_lay_out_inputs_and_targets_as_the_spec_says() {
    let decode = |rows: &[f32], width: usize| -> Vec<usize> {
        rows.chunks_exact(width).map(argmax).collect()
    };
    let task = |task, alphabet, length| TaskConfig::Symbols {
        task,
        alphabet,
        min_length: length,
        max_length: length,
    };
    // Reverse: n_b = L, target reversed.
    let reverse = task(SymbolTask::Reverse, 4, 6);
    let batch = reverse.batch(3, 5);
    for b in 0..3 {
        let s = batch.sequence(b);
        assert_eq!(s.steps, 6);
        let (x, mut y) = (decode(s.input, 5), decode(s.target, 5));
        y.reverse();
        assert_eq!(x, y);
        assert!(x.iter().all(|&v| (1..=4).contains(&v)));
        assert!(s.mask.iter().all(|&m| m == 1.0));
    }
    // Addition: a + b lsb first, then the sum of L+1 bits, padded to 2L+1.
    let add = task(SymbolTask::Add, 4, 5);
    let batch = add.batch(20, 9);
    let value = |bits: &[usize]| bits.iter().rev().fold(0u64, |v, &s| v * 2 + (s as u64 - 1));
    for b in 0..20 {
        let s = batch.sequence(b);
        assert_eq!(s.steps, 11);
        let (x, y) = (decode(s.input, 4), decode(s.target, 4));
        assert_eq!(x[5], 3, "the + sign");
        assert_eq!(value(&y[..6]), value(&x[..5]) + value(&x[6..]));
        assert!(y[6..].iter().all(|&v| v == 0), "pad after the answer");
    }
    // Multiplication: 2L product bits.
    let mul = task(SymbolTask::Mul, 4, 4);
    let batch = mul.batch(20, 3);
    for b in 0..20 {
        let s = batch.sequence(b);
        let (x, y) = (decode(s.input, 5), decode(s.target, 5));
        assert_eq!(x[4], 4, "the × sign");
        assert_eq!(value(&y[..8]), value(&x[..4]) * value(&x[5..]));
        assert_eq!(y[8], 0);
    }
    // Dup: the input twice, n_b = 2L, the input padded.
    let batch = task(SymbolTask::Dup, 3, 4).batch(2, 1);
    let s = batch.sequence(0);
    let (x, y) = (decode(s.input, 4), decode(s.target, 4));
    assert_eq!(&y[..4], &x[..4]);
    assert_eq!(&y[4..], &x[..4]);
    assert!(x[4..].iter().all(|&v| v == 0));
    // Sort: ascending.
    let batch = task(SymbolTask::Sort, 5, 7).batch(2, 1);
    let y = decode(batch.sequence(1).target, 6);
    assert!(y.windows(2).all(|w| w[0] <= w[1]));
    // Either: the target is the input or its reverse, the other answer kept too, and
    // both coins come up.
    let batch = task(SymbolTask::Either, 4, 6).batch(64, 2);
    let mut reversed = 0;
    for b in 0..64 {
        let s = batch.sequence(b);
        let x = decode(s.input, 5);
        let (y, other) = (decode(s.target, 5), decode(s.alternative.unwrap(), 5));
        let mut backwards = x.clone();
        backwards.reverse();
        assert!((y == x && other == backwards) || (y == backwards && other == x));
        reversed += usize::from(y == backwards && x != backwards);
    }
    assert!((16..=48).contains(&reversed), "{reversed} of 64 reversed");
    // Seeded and portable: the same seed, the same batch.
    assert_eq!(reverse.batch(4, 77), reverse.batch(4, 77));
    assert_ne!(reverse.batch(4, 77), reverse.batch(4, 78));
}

#[test]
fn a_checkpoint_of_one_family_is_refused_by_another_with_a_clear_error() {
    let image = ImageConfig::default();
    let task = TaskConfig::symbols_by_name("reverse").unwrap();
    let config = config(
        ModelKind::NeuralGpu,
        task.input_width(),
        task.output_width(),
        image,
    );
    let model = NeuralGpu::new(config, 3);
    let bytes = Checkpoint::to_bytes(&model, &task, 12).unwrap();
    let loaded = Checkpoint::from_bytes(&bytes).unwrap();
    assert_eq!(loaded.model.params().values(), model.params().values());
    assert_eq!(loaded.model.config(), model.config());
    assert_eq!(loaded.task, task);
    // The same tensors under another model's config.
    for claimed in [ModelKind::NeuralGpuDep, ModelKind::Ntm] {
        let mut config = model.config().clone();
        config.model = claimed;
        if !claimed.is_image() {
            (config.image, config.hidden, config.layers) = (None, 8, 1);
            (config.memory_slots, config.memory_width, config.read_heads) = (4, 4, 1);
        }
        let impostor = Impostor {
            config,
            inner: &model,
        };
        let bytes = Checkpoint::to_bytes(&impostor, &task, 12).unwrap();
        let error = match Checkpoint::from_bytes(&bytes) {
            Ok(_) => panic!("a {claimed} checkpoint holding neural_gpu tensors was accepted"),
            Err(e) => e.to_string(),
        };
        println!("{claimed}: {error}");
        assert!(error.starts_with("checkpoint rejected"), "{error}");
    }
}

/// A model that claims another's config over its parameters.
struct Impostor<'a> {
    config: ModelConfig,
    inner: &'a NeuralGpu,
}

impl Model for Impostor<'_> {
    fn config(&self) -> &ModelConfig {
        &self.config
    }
    fn params(&self) -> &ParamStore {
        self.inner.params()
    }
    fn params_mut(&mut self) -> &mut ParamStore {
        unreachable!("a checkpoint only reads")
    }
    fn forward(&self, input: &[f32], steps: usize) -> Vec<f32> {
        self.inner.forward(input, steps)
    }
    fn forward_backward(
        &self,
        sequence: SequenceRef<'_>,
        scale: f32,
        grads: &mut [f32],
    ) -> engram::ops::loss::SequenceScore {
        self.inner.forward_backward(sequence, scale, grads)
    }
    fn trace(&self, input: &[f32], steps: usize) -> (Vec<f32>, Vec<engram::models::StepTrace>) {
        self.inner.trace(input, steps)
    }
}

#[test]
fn a_checkpoint_pairing_a_neural_gpu_with_a_bit_task_is_refused() {
    let task = TaskConfig::by_name("copy").unwrap();
    let config = config(ModelKind::NeuralGpu, 9, 8, ImageConfig::default());
    let model = NeuralGpu::new(config, 1);
    let bytes = Checkpoint::to_bytes(&model, &task, 0).unwrap();
    let error = Checkpoint::from_bytes(&bytes)
        .err()
        .expect("refused")
        .to_string();
    assert!(error.contains("does not train on the task copy"), "{error}");
}

#[test]
fn the_decoder_reports_the_errors_of_its_greedy_decoding() {
    // Copy-or-reverse: teacher forcing pulls a wrong guess back to the drawn answer, so
    // its errors would never reach zero; training reports what evaluation measures.
    let task = TaskConfig::Symbols {
        task: SymbolTask::Either,
        alphabet: 3,
        min_length: 5,
        max_length: 5,
    };
    let image = ImageConfig {
        maps: 6,
        ..ImageConfig::default()
    };
    let config = config(
        ModelKind::NeuralGpuDep,
        task.input_width(),
        task.output_width(),
        image,
    );
    let model = NeuralGpu::new(config, 4);
    let batch = task.batch(8, 3);
    let objective = model.objective();
    for b in 0..batch.size {
        let sequence = batch.sequence(b);
        let mut grads = vec![0.0; model.params().len()];
        let trained = model.forward_backward(sequence, 1.0, &mut grads);
        let greedy = model.forward(sequence.input, sequence.steps);
        let evaluated = objective.score(
            &greedy,
            sequence.target,
            sequence.alternative,
            sequence.mask,
            task.output_width(),
            0.0,
            1.0,
            None,
        );
        assert_eq!(
            (trained.errors, trained.wrong_sequences),
            (evaluated.errors, evaluated.wrong_sequences)
        );
        // The loss stays the teacher-forced one, whose gradient this is.
        let forced = model.teacher_forced_logits(sequence.input, sequence.target, sequence.steps);
        let loss = objective
            .score(
                &forced,
                sequence.target,
                None,
                sequence.mask,
                task.output_width(),
                0.0,
                1.0,
                None,
            )
            .loss_nats;
        assert!((trained.loss_nats - loss).abs() < 1e-9);
    }
}

#[test]
fn scheduled_sampling_feeds_the_decoder_its_own_samples_from_host_seeds() {
    let task = TaskConfig::symbols_by_name("reverse").unwrap().at_length(6);
    let batch = task.batch(2, 9);
    let run = |rate: f32, noise: u64| {
        let image = ImageConfig {
            maps: 5,
            sampling_rate: rate,
            ..ImageConfig::default()
        };
        let config = config(
            ModelKind::NeuralGpuDep,
            task.input_width(),
            task.output_width(),
            image,
        );
        let model = NeuralGpu::new(config, 2);
        let sequence = SequenceRef {
            noise_seed: noise,
            ..batch.sequence(0)
        };
        let mut grads = vec![0.0; model.params().len()];
        let loss = model.forward_backward(sequence, 1.0, &mut grads).loss_nats;
        let forced = model.teacher_forced_logits(sequence.input, sequence.target, sequence.steps);
        let teacher = model
            .objective()
            .score(
                &forced,
                sequence.target,
                None,
                sequence.mask,
                task.output_width(),
                0.0,
                1.0,
                None,
            )
            .loss_nats;
        (loss, teacher, grads)
    };
    // Rate 0 is teacher forcing.
    let (loss, teacher, _) = run(0.0, 1);
    assert!((loss - teacher).abs() < 1e-9);
    // Rate 1 feeds samples at every step: another loss, the same for the same seeds, and
    // a gradient that still reaches every tensor.
    let (sampled, _, grads) = run(1.0, 1);
    assert_ne!(sampled, teacher);
    assert_eq!(run(1.0, 1).0, sampled);
    assert!(grads.iter().all(|g| g.is_finite()) && grads.iter().any(|&g| g != 0.0));
    let others: Vec<f64> = (2..8).map(|noise| run(1.0, noise).0).collect();
    assert!(
        others.iter().any(|&l| l != sampled),
        "the samples come from the noise seed"
    );
}
