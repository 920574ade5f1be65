//! Spec parity: the memory steps against values computed independently from models.md
//! by `tests/fixtures/make_memory_reference.py` (NumPy, float64). Covers DNC sort ties,
//! the usage floor, the zeroed link diagonal and multi-step chains; NTM shifts with
//! wrap-around, saturated gates and large sharpening; LRU tie-breaking.

use engram::memory::content::row_norms;
use engram::memory::dnc::{self, DncState, Interface};
use engram::memory::lru::{self, LruState};
use engram::memory::ntm::{address, HeadParams};
use engram::ops::activation::sigmoid;
use serde_json::Value;

const FIXTURE: &str = include_str!("../fixtures/memory_reference.json");
/// f32 against a float64 reference: relative 1e-4 plus an absolute floor for values
/// that are tiny in float64 but round differently in f32.
const ABSOLUTE: f64 = 2e-6;
const RELATIVE: f64 = 1e-4;

fn flat(value: &Value) -> Vec<f32> {
    match value {
        Value::Array(items) => items.iter().flat_map(flat).collect(),
        Value::Number(n) => vec![n.as_f64().expect("a number") as f32],
        other => panic!("unexpected JSON value {other}"),
    }
}

fn size(case: &Value, key: &str) -> usize {
    case[key].as_u64().expect("a size") as usize
}

/// Compares and returns the largest absolute difference.
fn compare(case: &str, what: &str, actual: &[f32], expected: &Value) -> f64 {
    let expected = flat(expected);
    assert_eq!(actual.len(), expected.len(), "{case}: {what} length");
    let mut worst = 0.0f64;
    for (i, (&a, &e)) in actual.iter().zip(&expected).enumerate() {
        let (a, e) = (a as f64, e as f64);
        let difference = (a - e).abs();
        assert!(
            difference <= ABSOLUTE + RELATIVE * e.abs(),
            "{case}: {what}[{i}] = {a:e}, reference {e:e}"
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

#[test]
fn ntm_addressing_matches_the_reference() {
    for case in cases("ntm") {
        let name = case["name"].as_str().unwrap();
        let width = size(&case, "memory_width");
        let head = HeadParams::from_raw(&flat(&case["raw"]), width);
        let memory = flat(&case["memory"]);
        let a = address(
            &memory,
            &row_norms(&memory, width),
            &head,
            &flat(&case["previous_weights"]),
        );
        let expected = &case["expected"];
        let worst = [
            compare(name, "content", &a.content, &expected["content"]),
            compare(name, "gated", &a.gated, &expected["gated"]),
            compare(name, "shifted", &a.shifted, &expected["shifted"]),
            compare(name, "weights", &a.weights, &expected["weights"]),
        ]
        .into_iter()
        .fold(0.0, f64::max);
        assert!(a.weights.iter().all(|w| w.is_finite()));
        println!("ntm {name}: max |difference| {worst:.2e}");
    }
}

#[test]
fn dnc_step_matches_the_reference() {
    for case in cases("dnc") {
        let name = case["name"].as_str().unwrap();
        let (n, width, reads) = (
            size(&case, "memory_slots"),
            size(&case, "memory_width"),
            size(&case, "read_heads"),
        );
        let state = &case["state"];
        let previous = DncState {
            memory: flat(&state["memory"]),
            usage: flat(&state["usage"]),
            precedence: flat(&state["precedence"]),
            link: flat(&state["link"]),
            write_weights: flat(&state["write_weights"]),
            read_weights: flat(&state["read_weights"]),
            read_vectors: vec![0.0; reads * width],
        };
        assert_eq!(previous.memory.len(), n * width);
        let xi = Interface::from_raw(&flat(&case["interface"]), width, reads, Default::default());
        let (next, cache) = dnc::step(&previous, &xi);
        let e = &case["expected"];
        let worst = [
            compare(name, "usage", &next.usage, &e["usage"]),
            compare(name, "allocation", &cache.allocation, &e["allocation"]),
            compare(
                name,
                "content_write",
                &cache.content_write,
                &e["content_write"],
            ),
            compare(
                name,
                "write_weights",
                &next.write_weights,
                &e["write_weights"],
            ),
            compare(name, "memory", &next.memory, &e["memory"]),
            compare(name, "link", &next.link, &e["link"]),
            compare(name, "precedence", &next.precedence, &e["precedence"]),
            compare(name, "forward", &cache.forward, &e["forward"]),
            compare(name, "backward", &cache.backward, &e["backward"]),
            compare(
                name,
                "content_read",
                &cache.content_read,
                &e["content_read"],
            ),
            compare(name, "read_weights", &next.read_weights, &e["read_weights"]),
            compare(name, "read_vectors", &next.read_vectors, &e["read_vectors"]),
        ]
        .into_iter()
        .fold(0.0, f64::max);
        for i in 0..n {
            assert_eq!(next.link[i * n + i], 0.0, "{name}: link diagonal");
        }
        println!("dnc {name}: max |difference| {worst:.2e}");
    }
}

#[test]
fn lru_step_matches_the_reference() {
    for case in cases("lru") {
        let name = case["name"].as_str().unwrap();
        let (width, reads) = (size(&case, "memory_width"), size(&case, "read_heads"));
        let state = &case["state"];
        let previous = LruState {
            memory: flat(&state["memory"]),
            usage: flat(&state["usage"]),
            read_weights: flat(&state["read_weights"]),
            least_used: flat(&state["least_used"]),
            read_vectors: vec![0.0; reads * width],
        };
        let raw = flat(&case["raw"]);
        let keys: Vec<f32> = raw
            .chunks_exact(width + 1)
            .flat_map(|b| b[..width].to_vec())
            .collect();
        let gates: Vec<f32> = raw
            .chunks_exact(width + 1)
            .map(|b| sigmoid(b[width]))
            .collect();
        let (next, cache) = lru::step(&previous, &keys, &gates);
        let e = &case["expected"];
        let worst = [
            compare(
                name,
                "write_weights",
                &cache.write_weights,
                &e["write_weights"],
            ),
            compare(name, "memory", &next.memory, &e["memory"]),
            compare(name, "read_weights", &next.read_weights, &e["read_weights"]),
            compare(name, "usage", &next.usage, &e["usage"]),
            compare(name, "least_used", &next.least_used, &e["least_used"]),
            compare(name, "read_vectors", &next.read_vectors, &e["read_vectors"]),
        ]
        .into_iter()
        .fold(0.0, f64::max);
        println!("lru {name}: max |difference| {worst:.2e}");
    }
}
