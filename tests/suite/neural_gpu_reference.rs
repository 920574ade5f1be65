//! The Neural GPU family against its specification: logits, final images, losses and
//! greedy decoding, and the loss's gradient with respect to every parameter, against
//! `tests/fixtures/make_neural_gpu_reference.py` (NumPy float64, written from
//! neural_gpu.md alone; gradients by central finite differences).
use crate::common;

use common::neural_gpu::{config, flat, one_hot, symbols};
use engram::models::neural_gpu::{NeuralGpu, NeuralGpuConfig};
use engram::models::SequenceRef;
use engram::ops::loss::argmax;
use engram::{Model, ModelKind};
use serde_json::Value;

const FIXTURE: &str = include_str!("../fixtures/neural_gpu_reference.json");

fn reference_model(kind: ModelKind, case: &Value) -> NeuralGpu {
    let c = &case["config"];
    let size = |key: &str| c[key].as_u64().unwrap() as usize;
    let image = NeuralGpuConfig {
        maps: size("maps"),
        height: size("height"),
        cgru_layers: size("cgru_layers"),
        gate_cutoff: c["gate_cutoff"].as_f64().unwrap() as f32,
        ..NeuralGpuConfig::default()
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
            recall: None,
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
        self.check_gradients(&grads);
        worst
    }

    /// The analytic f32 gradient against the fixture's float64 central differences
    /// (h = 1e-6, agreeing with h = 1e-5 to 1e-6 of the scale): every tensor within 1e-4
    /// of its own largest gradient; a tensor whose gradient is exactly zero (taps that
    /// only see padding, a tape written after the last logit) within 1e-10.
    fn check_gradients(&self, grads: &[f32]) {
        let reference = self.expected["gradients"].as_object().unwrap();
        let entries = self.model.params().entries();
        assert_eq!(
            reference.len(),
            entries.len(),
            "{}: every tensor",
            self.name
        );
        let (mut worst, mut worst_at) = (0.0f64, "");
        for entry in entries {
            let expected = flat(&reference[&entry.name]);
            assert_eq!(expected.len(), entry.len(), "{}: {}", self.name, entry.name);
            let scale = expected.iter().fold(0.0f64, |m, &g| m.max(g.abs() as f64));
            let difference = grads[entry.range()]
                .iter()
                .zip(&expected)
                .fold(0.0f64, |m, (&a, &b)| m.max((a as f64 - b as f64).abs()));
            let ratio = if scale > 0.0 {
                difference / scale
            } else {
                difference / 1e-10
            };
            if ratio > worst {
                (worst, worst_at) = (ratio, &entry.name);
            }
        }
        println!(
            "{}: gradients, worst tensor {worst_at} within {worst:.2e} of its largest",
            self.name
        );
        assert!(
            worst <= 1e-4,
            "{}: gradient of {worst_at} off by {worst:.2e} of its scale",
            self.name
        );
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
