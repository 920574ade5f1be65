//! The Diagonal Neural GPU (neural_gpu.md §5.3) against its specification: every step's
//! image, the logits, the loss, the saturation cost and the gradients of both, against
//! `tests/fixtures/make_neural_gpu_diag_reference.py` (NumPy float64, written from the
//! spec alone; gradients by central finite differences). Then what sets the model apart
//! at the edges: its checkpoints, its settings and its path.
use crate::common;

use common::neural_gpu::{config, flat, one_hot, symbols};
use engram::models::neural_gpu::{DiagonalNeuralGpu, NeuralGpuConfig};
use engram::models::SequenceRef;
use engram::nn::ParamStore;
use engram::{Model, ModelKind};
use serde_json::Value;

const FIXTURE: &str = include_str!("../fixtures/neural_gpu_diag_reference.json");

struct Case {
    name: String,
    model: DiagonalNeuralGpu,
    input: Vec<f32>,
    target: Vec<f32>,
    width: usize,
    expected: Value,
}

fn cases() -> Vec<Case> {
    let all: Value = serde_json::from_str(FIXTURE).expect("the fixture is JSON");
    let cases = all["cases"].as_array().expect("a list of cases");
    assert!(cases.len() >= 4);
    cases
        .iter()
        .map(|case| {
            let c = &case["config"];
            let size = |key: &str| c[key].as_u64().unwrap() as usize;
            let (alphabet_in, alphabet_out) = (size("alphabet_in"), size("alphabet_out"));
            let config = config(
                ModelKind::NeuralGpuDiag,
                alphabet_in,
                alphabet_out,
                NeuralGpuConfig::diagonal(size("maps"), 0.0),
            );
            config.validate().unwrap();
            let mut model = DiagonalNeuralGpu::with_store(config, 1, ParamStore::new());
            let params = case["params"].as_object().unwrap();
            let entries = model.params().entries().to_vec();
            assert_eq!(entries.len(), params.len(), "the reference's tensors");
            for entry in entries {
                let values = flat(&params[&entry.name]);
                assert_eq!(values.len(), entry.len(), "{}", entry.name);
                model.params_mut().values_mut()[entry.range()].copy_from_slice(&values);
            }
            let (input, target) = (symbols(&case["input"]), symbols(&case["target"]));
            Case {
                name: case["name"].as_str().unwrap().to_string(),
                model,
                width: input.len(),
                input: one_hot(&input, alphabet_in),
                target: one_hot(&target, alphabet_out),
                expected: case["expected"].clone(),
            }
        })
        .collect()
}

/// Asserts `|actual − expected| ≤ tolerance · max(1, max |expected|)` entry by entry.
fn close(name: &str, what: &str, actual: &[f32], expected: &[f32], tolerance: f64) {
    assert_eq!(actual.len(), expected.len(), "{name}: {what} length");
    let scale = expected
        .iter()
        .fold(1.0f64, |m, &e| m.max((e as f64).abs()));
    for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        assert!(
            (a as f64 - e as f64).abs() <= tolerance * scale,
            "{name}: {what}[{i}] = {a}, reference {e}"
        );
    }
}

impl Case {
    fn sequence(&self) -> SequenceRef<'_> {
        SequenceRef {
            input: &self.input,
            target: &self.target,
            mask: &[],
            alternative: None,
            recall: None,
            steps: self.width,
            noise_seed: 0,
            batch_seed: 0,
        }
    }

    /// The gradient `forward_backward` accumulates with `scale` and the saturation
    /// weight `weight`, and its score.
    fn gradient(&self, scale: f32, weight: f32) -> (Vec<f32>, f64) {
        let mut grads = vec![0.0; self.model.params().len()];
        self.model.set_regulariser_weight(weight);
        let mask = vec![1.0; self.width];
        let sequence = SequenceRef {
            mask: &mask,
            ..self.sequence()
        };
        let score = self.model.forward_backward(sequence, scale, &mut grads);
        (grads, score.loss_nats)
    }

    fn tensors(&self, key: &str) -> Vec<(String, std::ops::Range<usize>, Vec<f32>)> {
        self.model
            .params()
            .entries()
            .iter()
            .map(|e| {
                (
                    e.name.clone(),
                    e.range(),
                    flat(&self.expected[key][&e.name]),
                )
            })
            .collect()
    }
}

#[test]
fn every_step_and_the_logits_match_the_reference() {
    for case in cases() {
        let (logits, trace) = case.model.trace_image(&case.input, case.width);
        let images = case.expected["images"].as_array().unwrap();
        assert_eq!(images.len(), case.width + 1, "{}: s_0 … s_n", case.name);
        assert_eq!(trace.encoder.len(), case.width, "{}", case.name);
        close(&case.name, "s_0", &trace.initial, &flat(&images[0]), 1e-4);
        for (t, step) in trace.encoder.iter().enumerate() {
            let what = format!("s_{}", t + 1);
            close(&case.name, &what, &step.image, &flat(&images[t + 1]), 1e-4);
        }
        close(
            &case.name,
            "logits",
            &logits,
            &flat(&case.expected["logits"]),
            1e-4,
        );
        assert_eq!(case.model.forward(&case.input, case.width), logits);
    }
}

#[test]
fn the_loss_and_its_gradient_match_the_reference() {
    for case in cases() {
        // Training takes the mean over columns; scaled by n_b it is the summed loss.
        let (grads, loss) = case.gradient(case.width as f32, 0.0);
        let expected = case.expected["loss_nats"].as_f64().unwrap();
        assert!(
            (loss - expected).abs() <= 1e-4 * expected.abs().max(1.0),
            "{}: loss {loss}, reference {expected}",
            case.name
        );
        for (name, range, expected) in case.tensors("gradients") {
            close(&case.name, &name, &grads[range], &expected, 2e-4);
        }
    }
}

#[test]
fn the_saturation_cost_and_its_gradient_match_the_reference() {
    for case in cases() {
        let cost = case.model.saturation_cost(&case.input, case.width) as f64;
        let expected = case.expected["saturation_cost"].as_f64().unwrap();
        assert!(expected > 0.0, "{}: the fixture saturates", case.name);
        assert!(
            (cost - expected).abs() <= 1e-4 * expected.max(1.0),
            "{}: saturation cost {cost}, reference {expected}",
            case.name
        );
        // With weight 1 the regulariser's gradient joins the loss's; take the loss's away.
        let (with, _) = case.gradient(1.0, 1.0);
        let (without, _) = case.gradient(1.0, 0.0);
        let difference: Vec<f32> = with.iter().zip(&without).map(|(a, b)| a - b).collect();
        for (name, range, expected) in case.tensors("saturation_gradients") {
            close(&case.name, &name, &difference[range], &expected, 2e-4);
        }
    }
}

#[test]
fn the_settings_it_does_not_have_are_refused_by_name() {
    let mut image = NeuralGpuConfig::diagonal(24, 0.1);
    image.height = 4;
    let error = config(ModelKind::NeuralGpuDiag, 5, 5, image)
        .validate()
        .unwrap_err()
        .to_string();
    assert!(error.contains("height 4"), "{error}");
    assert!(error.contains("neural_gpu_diag has one row"), "{error}");
}

/// A long test runs the model a few steps per call and gives the logits of one whole
/// forward pass, the sequence `engram eval` draws first at that length and seed; a
/// model that cannot pause runs whole on its first advance; a length past the
/// evaluation limit is refused with the limit named.
#[test]
fn long_test_pauses_between_steps_and_matches_the_whole_pass() {
    use engram::tasks::TaskConfig;
    use engram::train::{evaluate, evaluation_batch, LongTest, TrainConfig};
    for (model, task) in [
        (ModelKind::NeuralGpuDiag, "add"),
        (ModelKind::NeuralGpuDiag, "either"),
        (ModelKind::NeuralGpu, "reverse"),
    ] {
        let task = TaskConfig::symbols_by_name(task).unwrap();
        let config = TrainConfig::preset(model, task.clone());
        let model = engram::models::build(&config.architecture, 7).unwrap();
        let length = 13;
        let mut test = LongTest::new(model.as_ref(), &task, length, 1000).unwrap();
        let columns = task.columns(length);
        let first = test.progress();
        assert_eq!((first.columns, first.done), (columns, 0));
        let mut advances = 0;
        while test.finish(model.as_ref()).is_none() {
            let before = test.progress().done;
            let after = test.advance(model.as_ref(), 5).done;
            assert!(after > before && after <= columns, "{before} → {after}");
            advances += 1;
        }
        let pauses = config.model() == ModelKind::NeuralGpuDiag;
        assert_eq!(advances, if pauses { columns.div_ceil(5) } else { 1 });

        // The same sequence run whole, and scored as evaluation scores it.
        let mut test = LongTest::new(model.as_ref(), &task, length, 1000).unwrap();
        test.advance(model.as_ref(), usize::MAX);
        let result = test.finish(model.as_ref()).unwrap();
        let batch = evaluation_batch(&task, length, 1, 1000).unwrap();
        let sequence = batch.sequence(0);
        let logits = model.forward(sequence.input, sequence.steps);
        let symbols = model.config().output_width;
        let argmax: Vec<u8> = logits
            .chunks_exact(symbols)
            .map(|row| (0..symbols).fold(0, |b, j| if row[j] > row[b] { j } else { b }) as u8)
            .collect();
        assert_eq!(result.output, argmax);
        assert_eq!((result.columns, result.input.len()), (columns, columns));
        let metrics = evaluate(model.as_ref(), &task, &[length], 1, 1000, 1).unwrap();
        let right = metrics[0].metrics.sequence_accuracy.unwrap();
        assert_eq!(
            result.wrong == 0,
            right == 1.0,
            "{result:?} against {metrics:?}"
        );
        // An untrained model gets symbols wrong, so the count is exercised.
        assert!(result.wrong > 0);
    }
    let task = TaskConfig::symbols_by_name("add").unwrap();
    let config = TrainConfig::preset(ModelKind::NeuralGpuDiag, task.clone());
    let model = engram::models::build(&config.architecture, 7).unwrap();
    assert!(LongTest::new(model.as_ref(), &task, 1024, 1).is_ok());
    let refused = LongTest::new(model.as_ref(), &task, 1025, 1)
        .err()
        .unwrap()
        .to_string();
    assert!(refused.contains("2049"), "{refused}");
}
