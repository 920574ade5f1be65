//! Spec parity of the generative models against `tests/fixtures/gtmm_reference.json`, an
//! independent float64 NumPy reference written from generative.md and models.md
//! (`tests/fixtures/make_gtmm_reference.py`): the portable RNG, the Box–Muller noise, the
//! glyph prototypes, and every memory variant over 20 steps in the three modes (given
//! the same parameters and ε), to 1e-4.
use crate::common;

use common::gtmm::FrameSequence;
use engram::kinds::LatentMemoryKind;
use engram::memory::dnc::DncMemory;
use engram::memory::introspective::IntrospectiveMemory;
use engram::memory::lru::LruMemory;
use engram::memory::none::NoMemory;
use engram::memory::ntm::Ntm;
use engram::memory::{LatentMemory, MemorySizes};
use engram::models::gtmm::noise::standard_normals;
use engram::models::gtmm::{FrameTrace, GenerativeConfig, Gtmm, Mode};
use engram::nn::ParamStore;
use engram::rng::Pcg32;
use engram::tasks::prototypes;
use engram::{build, Model, ModelConfig, ModelKind};
use serde_json::Value;

const TOLERANCE: f64 = 1e-4;

fn fixture() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/gtmm_reference.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every number in a (nested) JSON array, in order.
fn flat(value: &Value) -> Vec<f64> {
    match value {
        Value::Array(items) => items.iter().flat_map(flat).collect(),
        Value::Number(n) => vec![n.as_f64().unwrap()],
        other => panic!("not a number: {other}"),
    }
}

fn compare(what: &str, ours: &[f32], expected: &Value) -> f64 {
    let expected = flat(expected);
    assert_eq!(ours.len(), expected.len(), "{what}: length");
    let worst = ours
        .iter()
        .zip(&expected)
        .map(|(&a, &b)| (a as f64 - b).abs())
        .fold(0.0, f64::max);
    assert!(worst <= TOLERANCE, "{what}: off by {worst:.2e}");
    worst
}

#[test]
fn pcg32_streams_match_the_reference() {
    for case in fixture()["pcg32"].as_array().unwrap() {
        let seed = case["seed"].as_u64().unwrap();
        let mut rng = Pcg32::new(seed);
        let ours: Vec<u64> = (0..8).map(|_| rng.next_u32() as u64).collect();
        let expected: Vec<u64> = case["next_u32"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        assert_eq!(ours, expected, "seed {seed}");
    }
}

#[test]
fn box_muller_noise_matches_the_reference_bit_for_bit() {
    for case in fixture()["normals"].as_array().unwrap() {
        let seed = case["seed"].as_u64().unwrap();
        let count = (case["T"].as_u64().unwrap() * case["Z"].as_u64().unwrap()) as usize;
        let ours = standard_normals(seed, count);
        let expected: Vec<f32> = flat(&case["eps"]).iter().map(|&v| v as f32).collect();
        assert_eq!(ours, expected, "seed {seed}");
    }
}

#[test]
fn glyph_prototypes_match_the_reference() {
    let expected = fixture()["glyphs"].clone();
    let expected = expected.as_array().unwrap();
    assert_eq!(expected.len(), prototypes().len());
    for (class, (ours, theirs)) in prototypes().iter().zip(expected).enumerate() {
        let theirs: Vec<u8> = flat(theirs).iter().map(|&v| v as u8).collect();
        assert_eq!(&ours[..], &theirs[..], "class {class}");
    }
}

fn size(case: &Value, key: &str) -> usize {
    case["sizes"][key].as_u64().unwrap() as usize
}

/// The case's configuration.
fn config_of(case: &Value) -> ModelConfig {
    let memory: LatentMemoryKind = case["memory"].as_str().unwrap().parse().unwrap();
    let (frame, actions) = (size(case, "frame"), size(case, "actions"));
    ModelConfig {
        model: ModelKind::Gtmm,
        input_width: frame + actions,
        output_width: frame,
        hidden: size(case, "hidden"),
        layers: 1,
        memory_slots: size(case, "slots"),
        memory_width: size(case, "width"),
        read_heads: size(case, "reads"),
        image: None,
        generative: Some(GenerativeConfig {
            memory,
            latent: size(case, "latent"),
            frame_size: size(case, "frame_size"),
            action_width: actions,
            encoder_hidden: size(case, "encoder"),
            map_hidden: size(case, "map"),
            decoder_hidden: size(case, "decoder"),
            kl_warmup: 0,
        }),
        dnc: Default::default(),
    }
}

/// Copies the fixture's parameters into `params`, checking names and shapes.
fn load_params(case: &Value, params: &mut ParamStore) {
    let tensors = case["params"].as_object().unwrap();
    let entries = params.entries().to_vec();
    assert_eq!(entries.len(), tensors.len(), "tensor count");
    for entry in entries {
        let tensor = &tensors[&entry.name];
        let shape: Vec<usize> = flat(&tensor["shape"]).iter().map(|&v| v as usize).collect();
        assert_eq!(shape, entry.shape, "{}", entry.name);
        let values: Vec<f32> = flat(&tensor["values"]).iter().map(|&v| v as f32).collect();
        params.values_mut()[entry.range()].copy_from_slice(&values);
    }
}

/// The case's model with the fixture's parameters.
fn model_of(case: &Value) -> Box<dyn Model> {
    let mut model = build(&config_of(case), 0).unwrap();
    load_params(case, model.params_mut());
    model
}

/// A case's sequence (every frame scored) and its ε (`T × Z`).
struct CaseSequence {
    frames: FrameSequence,
    eps: Vec<f32>,
}

impl CaseSequence {
    fn of(case: &Value) -> CaseSequence {
        let frames = case["frames"].as_array().unwrap();
        let mut input = Vec::new();
        for (frame, actions) in frames.iter().zip(case["actions"].as_array().unwrap()) {
            input.extend(flat(frame).iter().map(|&v| v as f32));
            input.extend(flat(actions).iter().map(|&v| v as f32));
        }
        CaseSequence {
            frames: FrameSequence {
                input,
                mask: vec![1.0; frames.len()],
                steps: frames.len(),
            },
            eps: flat(&case["eps"]).iter().map(|&v| v as f32).collect(),
        }
    }
}

fn check_steps(name: &str, trace: &FrameTrace, expected: &Value, fields: &[&str]) -> f64 {
    let steps = expected.as_array().unwrap();
    assert_eq!(trace.steps.len(), steps.len());
    let mut worst: f64 = 0.0;
    for (t, (ours, theirs)) in trace.steps.iter().zip(steps).enumerate() {
        for &field in fields {
            let values: Vec<f32> = match field {
                "logits" => ours.logits.clone(),
                "rec" => vec![ours.reconstruction_nats],
                "kl" => vec![ours.kl_nats],
                "mu_p" => ours.prior_mean.clone(),
                "l_p" => ours.prior_log_sigma.clone(),
                "mu_q" => ours.posterior_mean.clone(),
                "l_q" => ours.posterior_log_sigma.clone(),
                "z" => ours.latent.clone(),
                "reads" => ours.reads.clone(),
                "read_weights" => ours.read_weights.concat(),
                "write_weights" => ours.write_weights.concat(),
                "memory" => ours.memory.concat(),
                "prior_logits" => ours
                    .prediction
                    .iter()
                    .map(|&p| (p / (1.0 - p)).ln())
                    .collect(),
                other => unreachable!("{other}"),
            };
            if field == "prior_logits" {
                // Compared as probabilities: the trace keeps σ(o(μp)).
                let expected: Vec<f32> = flat(&theirs[field])
                    .iter()
                    .map(|&o| (1.0 / (1.0 + (-o).exp())) as f32)
                    .collect();
                let worst_p = ours
                    .prediction
                    .iter()
                    .zip(&expected)
                    .map(|(a, b)| (a - b).abs() as f64)
                    .fold(0.0, f64::max);
                assert!(
                    worst_p <= TOLERANCE,
                    "{name} step {t} prediction: {worst_p:.2e}"
                );
                continue;
            }
            worst = worst.max(compare(
                &format!("{name} step {t} {field}"),
                &values,
                &theirs[field],
            ));
        }
    }
    worst
}

#[test]
fn every_memory_matches_the_reference_in_every_mode() {
    let fixture = fixture();
    let cases = fixture["cases"].as_array().unwrap();
    assert!(cases.len() >= 5);
    let mut variants = std::collections::BTreeSet::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        variants.insert(case["memory"].as_str().unwrap().to_string());
        let model = model_of(case);
        let data = CaseSequence::of(case);
        // The case's ε drives the model, so the noise seed is unused.
        let (sequence, eps, steps) = (data.frames.view(0), &data.eps, data.frames.steps);
        let all = [
            "logits",
            "rec",
            "kl",
            "mu_p",
            "l_p",
            "mu_q",
            "l_q",
            "z",
            "reads",
            "read_weights",
            "write_weights",
            "memory",
            "prior_logits",
        ];
        let trace = model
            .frame_trace(sequence, Mode::Inference, Some(eps))
            .unwrap();
        let worst = check_steps(name, &trace, &case["inference"]["steps"], &all);
        // The loss is the sum of the steps' bound.
        let loss: f64 = trace
            .steps
            .iter()
            .map(|s| (s.reconstruction_nats + s.kl_nats) as f64)
            .sum();
        assert!(
            (loss - case["loss"].as_f64().unwrap()).abs() < 1e-3,
            "{name} loss"
        );

        let mut recall = vec![0.0; steps];
        for t in flat(&case["recall_test"]["recall"]) {
            recall[t as usize] = 1.0;
        }
        let test = model
            .frame_trace(sequence, Mode::RecallTest(&recall), Some(eps))
            .unwrap();
        let recall_fields = ["logits", "rec", "kl", "mu_p", "z", "reads", "memory"];
        let worst_recall = check_steps(name, &test, &case["recall_test"]["steps"], &recall_fields);

        let prompt = case["generation"]["prompt"].as_u64().unwrap() as usize;
        let generated = model
            .frame_trace(sequence, Mode::Generation { prompt }, Some(eps))
            .unwrap();
        let generation_fields = [
            "logits",
            "mu_p",
            "l_p",
            "z",
            "reads",
            "read_weights",
            "memory",
        ];
        let worst_generation = check_steps(
            name,
            &generated,
            &case["generation"]["steps"],
            &generation_fields,
        );
        println!(
            "{name}: largest difference {worst:.2e} (inference), {worst_recall:.2e} (recall test), \
             {worst_generation:.2e} (generation) over {steps} steps"
        );
    }
    assert_eq!(
        variants.len(),
        5,
        "every memory variant has a case: {variants:?}"
    );
}

/// `∂/∂θ Σ_t (rec_t + KL_t)` of the inference run with the case's own ε (the
/// reparameterised loss the trainer minimises, β = 1).
fn gradients_of<M: LatentMemory>(model: &Gtmm<M>, case: &Value) -> (Vec<f32>, f64) {
    let data = CaseSequence::of(case);
    let (sequence, eps) = (data.frames.view(0), &data.eps);
    let run = model.unroll(&data.frames.input, data.frames.steps, eps, Mode::Inference);
    let mut grads = vec![0.0; model.params().len()];
    model.backprop(&run, &sequence, eps, 1.0, 1.0, &mut grads);
    let trace = model
        .frame_trace(sequence, Mode::Inference, Some(eps))
        .unwrap();
    let loss = trace
        .steps
        .iter()
        .map(|s| (s.reconstruction_nats + s.kl_nats) as f64)
        .sum();
    (grads, loss)
}

/// The case's model with its memory as a concrete type, so that the test can give it ε.
fn gradients_for(case: &Value) -> (Vec<f32>, f64, Vec<engram::nn::ParamEntry>) {
    fn run<M: LatentMemory>(
        mut model: Gtmm<M>,
        case: &Value,
    ) -> (Vec<f32>, f64, Vec<engram::nn::ParamEntry>) {
        load_params(case, model.params_mut());
        let (grads, loss) = gradients_of(&model, case);
        (grads, loss, model.params().entries().to_vec())
    }
    let config = config_of(case);
    let store = ParamStore::new();
    // Each memory's own type, unboxed: the reference checks the memories' maths without
    // the adapter the shipped models go through.
    fn own<M>(
        make: fn(MemorySizes, &mut ParamStore, &mut Pcg32) -> M,
    ) -> impl FnOnce(MemorySizes, &mut ParamStore, &mut Pcg32) -> Box<M> {
        move |sizes, params, rng| Box::new(make(sizes, params, rng))
    }
    match config.generative.as_ref().unwrap().memory {
        LatentMemoryKind::None => run(Gtmm::new(&config, 0, store, own(|_, _, _| NoMemory)), case),
        LatentMemoryKind::Introspective => run(
            Gtmm::new(&config, 0, store, own(IntrospectiveMemory::new)),
            case,
        ),
        LatentMemoryKind::Ntm => run(Gtmm::new(&config, 0, store, own(Ntm::new)), case),
        LatentMemoryKind::Lru => run(Gtmm::new(&config, 0, store, own(LruMemory::new)), case),
        LatentMemoryKind::Dnc => run(Gtmm::new(&config, 0, store, own(DncMemory::new)), case),
    }
}

/// Engram's analytic f32 gradient against the fixture's float64 central differences
/// (h = 1e-6, agreeing with h = 1e-5 to 1e-6 of the scale): every tensor within 1e-4
/// of its own largest gradient, so small tensors are checked at their own scale.
#[test]
fn every_memory_matches_the_reference_gradients() {
    let fixture = fixture();
    for case in fixture["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let (grads, loss, entries) = gradients_for(case);
        let expected_loss = case["loss"].as_f64().unwrap();
        assert!(
            (loss - expected_loss).abs() < 1e-5 * expected_loss.abs(),
            "{name}: loss {loss} vs {expected_loss}"
        );
        let reference = case["gradients"].as_object().unwrap();
        assert_eq!(reference.len(), entries.len(), "{name}: every tensor");
        let (mut worst, mut worst_at) = (0.0f64, String::new());
        for entry in &entries {
            let expected = flat(&reference[&entry.name]["values"]);
            assert_eq!(expected.len(), entry.len(), "{name}: {}", entry.name);
            let scale = expected.iter().fold(0.0f64, |m, g| m.max(g.abs()));
            let difference = grads[entry.range()]
                .iter()
                .zip(&expected)
                .fold(0.0f64, |m, (&a, b)| m.max((a as f64 - b).abs()));
            // A tensor whose gradient is zero (to float64's resolution) must be ~0 here too.
            let ratio = if scale > 0.0 {
                difference / scale
            } else {
                difference / 1e-6
            };
            if ratio > worst {
                (worst, worst_at) = (ratio, entry.name.clone());
            }
        }
        eprintln!("{name}: loss {loss:.6}; worst tensor {worst_at}, within {worst:.2e} of its largest gradient");
        assert!(
            worst <= 1e-4,
            "{name}: {worst_at} differs by {worst:.2e} of its scale"
        );
    }
}
