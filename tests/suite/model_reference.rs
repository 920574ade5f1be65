//! Whole models against an independent reference: `tests/fixtures/make_model_reference.py`
//! (float64 NumPy written from docs/spec/models.md, not from this code) unrolls the
//! LSTM, NTM, DNC and LRU models over a sequence, with its own parameters, and takes the
//! loss's gradient by central finite differences in float64. Engram's f32 logits, loss
//! and analytic gradients must agree: logits within 1e-4, every tensor's gradient within
//! 1e-4 of that tensor's largest entry (measured ≤ 1.7e-6; small gradients are checked at their own
//! scale, not against the model's largest).

use engram::models::SequenceRef;
use engram::{build, ModelConfig};
use serde_json::Value;

fn flat(value: &Value) -> Vec<f32> {
    match value {
        Value::Array(items) => items.iter().flat_map(flat).collect(),
        Value::Number(n) => vec![n.as_f64().expect("a number") as f32],
        other => panic!("not a number or an array: {other}"),
    }
}

fn flat64(value: &Value) -> Vec<f64> {
    match value {
        Value::Array(items) => items.iter().flat_map(flat64).collect(),
        Value::Number(n) => vec![n.as_f64().expect("a number")],
        other => panic!("not a number or an array: {other}"),
    }
}

#[test]
fn whole_models_match_the_float64_reference_in_logits_and_gradients() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/model_reference.json"
    ))
    .expect("the fixture (python3 tests/fixtures/make_model_reference.py writes it)");
    let fixture: Value = serde_json::from_str(&text).unwrap();
    let cases = fixture["cases"].as_array().unwrap();
    assert!(cases.len() >= 4, "every memory model and the LSTM");
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let config: ModelConfig = serde_json::from_value(case["config"].clone()).unwrap();
        let mut model = build(&config, 0).unwrap();
        let params = case["params"].as_object().unwrap();
        let entries = model.params().entries().to_vec();
        assert_eq!(params.len(), entries.len(), "{name}: every tensor");
        for entry in &entries {
            let values = flat(&params[&entry.name]);
            assert_eq!(values.len(), entry.len(), "{name}: {}", entry.name);
            model.params_mut().values_mut()[entry.range()].copy_from_slice(&values);
        }
        let input = flat(&case["input"]);
        let target = flat(&case["target"]);
        let mask = flat(&case["mask"]);
        let steps = mask.len();
        // Logits over the whole sequence.
        let logits = model.forward(&input, steps);
        let expected = flat64(&case["logits"]);
        let logit_difference = logits
            .iter()
            .zip(&expected)
            .fold(0.0f64, |m, (a, b)| m.max((*a as f64 - b).abs()));
        // Loss and the analytic gradient.
        let mut grads = vec![0.0f32; model.params().len()];
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
        let score = model.forward_backward(sequence, 1.0, &mut grads);
        let loss = case["loss_nats"].as_f64().unwrap();
        let gradients = case["gradients"].as_object().unwrap();
        let (mut worst, mut worst_at, mut smallest_scale) = (0.0f64, String::new(), f64::MAX);
        for entry in &entries {
            let reference = flat64(&gradients[&entry.name]);
            let scale = reference.iter().fold(0.0f64, |m, g| m.max(g.abs()));
            smallest_scale = smallest_scale.min(scale);
            let difference = grads[entry.range()]
                .iter()
                .zip(&reference)
                .fold(0.0f64, |m, (a, b)| m.max((*a as f64 - b).abs()));
            let ratio = difference / scale.max(1e-9);
            if ratio > worst {
                (worst, worst_at) = (ratio, entry.name.clone());
            }
        }
        eprintln!(
            "{name}: logits within {logit_difference:.2e} over {steps} steps; loss {:.6} vs {loss:.6}; \
             worst tensor {worst_at}, within {worst:.2e} of its largest gradient (smallest tensor scale {smallest_scale:.1e})",
            score.loss_nats
        );
        assert!(
            logit_difference <= 1e-4,
            "{name}: logits {logit_difference}"
        );
        assert!(
            (score.loss_nats - loss).abs() <= 1e-5 * loss.abs().max(1.0),
            "{name}: loss {} vs {loss}",
            score.loss_nats
        );
        assert!(
            worst <= 1e-4,
            "{name}: {worst_at} differs by {worst} of its scale"
        );
    }
}
