//! The addressing pipeline of `engram trace --json` (`steps[t].addressing`) tells the
//! truth: every stage is recomposed here from the stages before it (and from the trace's
//! memory, link and previous step) by models.md §2–4's equations, written afresh in f64,
//! and each head's last stage is the weighting the model used. Tolerance: 1e-6 on every
//! weighting (values in [0, 1]), 1e-5 on cosine similarities (their norms sum W squares in
//! f32).

use engram::memory::addressing::{HeadAddressing, Stage};
use engram::memory::trace::{StepTrace, Weights};
use engram::rng::Pcg32;
use engram::{build, ModelConfig, ModelKind};

const WEIGHTING: f64 = 1e-6;
const SIMILARITY: f64 = 1e-5;
const INITIAL_MEMORY: f32 = 1e-6;

fn config(model: ModelKind) -> ModelConfig {
    ModelConfig {
        model,
        input_width: 5,
        output_width: 4,
        hidden: 12,
        layers: 1,
        memory_slots: 8,
        memory_width: 5,
        read_heads: 2,
        image: None,
        generative: None,
        dnc: Default::default(),
    }
}

/// Random bits through a model whose parameters are scaled up so that gates and
/// weightings leave their near-uniform start.
fn traced(model: ModelKind, seed: u64) -> (ModelConfig, Vec<StepTrace>) {
    let config = config(model);
    let mut built = build(&config, seed).unwrap();
    for v in built.params_mut().values_mut() {
        *v *= 3.0;
    }
    if model == ModelKind::Dnc {
        // Open the allocation and write gates (ξ: R·W + R + 3W + 1 + R, then g^a, g^w),
        // so that writes land and the link matrix fills.
        let (r, w) = (config.read_heads, config.memory_width);
        let gates = r * w + r + 3 * w + 1 + r;
        let bias = built
            .params()
            .entries()
            .iter()
            .find(|e| e.name == "interface.bias")
            .unwrap()
            .range();
        let values = &mut built.params_mut().values_mut()[bias];
        values[gates] = 2.0;
        values[gates + 1] = 3.0;
    }
    let mut rng = Pcg32::new(seed + 1);
    let steps = 12;
    let input: Vec<f32> = (0..steps * config.input_width).map(|_| rng.bit()).collect();
    let (_, trace) = built.trace(&input, steps);
    // The checks below mean little on near-uniform weightings: some head must focus.
    let n = config.memory_slots as f32;
    let focus = trace
        .iter()
        .flat_map(|s| &s.addressing)
        .flat_map(|h| {
            h.stages
                .iter()
                .filter(|s| s.name == "weighting" || s.name == "write")
        })
        .flat_map(|s| &s.values)
        .fold(0.0f32, |m, &v| m.max(v));
    if model != ModelKind::Lstm {
        assert!(
            focus > 1.5 / n,
            "{model:?}: weightings stay near uniform ({focus})"
        );
        eprintln!(
            "{model:?} seed {seed}: largest weighting {focus:.3} over {} slots",
            n
        );
    }
    (config, trace)
}

fn stage<'a>(head: &'a HeadAddressing, name: &str) -> &'a Stage {
    head.find(name)
        .unwrap_or_else(|| panic!("{}: no stage {name}", head.head))
}

fn scalar(stage: &Stage, symbol: &str) -> Vec<f64> {
    stage.scalars[symbol].iter().map(|&v| v as f64).collect()
}

fn values(stage: &Stage) -> Vec<f64> {
    stage.values.iter().map(|&v| v as f64).collect()
}

/// Asserts `shown` equals `expected` within `tolerance`; returns the largest difference.
fn agree(what: &str, shown: &[f32], expected: &[f64], tolerance: f64) -> f64 {
    assert_eq!(shown.len(), expected.len(), "{what}: length");
    let worst = shown
        .iter()
        .zip(expected)
        .map(|(&a, b)| (a as f64 - b).abs())
        .fold(0.0, f64::max);
    assert!(worst <= tolerance, "{what}: off by {worst:.2e}");
    worst
}

/// `K(u, v) = u·v / (‖u‖‖v‖ + 1e-6)` with `‖v‖ = sqrt(Σv² + 1e-6)` (models.md §0),
/// for every row of `memory`.
fn cosine(key: &[f32], memory: &[Vec<f32>]) -> Vec<f64> {
    let norm = |v: &[f32]| (v.iter().map(|&x| (x as f64).powi(2)).sum::<f64>() + 1e-6).sqrt();
    memory
        .iter()
        .map(|row| {
            let dot: f64 = key
                .iter()
                .zip(row)
                .map(|(&a, &b)| a as f64 * b as f64)
                .sum();
            dot / (norm(key) * norm(row) + 1e-6)
        })
        .collect()
}

fn softmax(x: &[f64]) -> Vec<f64> {
    let max = x.iter().cloned().fold(f64::MIN, f64::max);
    let e: Vec<f64> = x.iter().map(|v| (v - max).exp()).collect();
    let sum: f64 = e.iter().sum();
    e.iter().map(|v| v / sum).collect()
}

/// The memory a head compared its key with.
fn seen_memory(
    head: &HeadAddressing,
    steps: &[StepTrace],
    t: usize,
    n: usize,
    w: usize,
) -> Vec<Vec<f32>> {
    match (head.memory, t) {
        ("current", _) => steps[t].memory.clone().unwrap(),
        ("previous", 0) => vec![vec![INITIAL_MEMORY; w]; n],
        ("previous", _) => steps[t - 1].memory.clone().unwrap(),
        (other, _) => panic!("unknown memory {other}"),
    }
}

/// key → K → softmax(β·K) (`strength` None: the LRU's lookup has no β).
fn check_content(head: &HeadAddressing, memory: &[Vec<f32>], strength: bool) -> Vec<f64> {
    let key = &stage(head, "key").values;
    let similarity = stage(head, "similarity");
    agree(
        &head.head,
        &similarity.values,
        &cosine(key, memory),
        SIMILARITY,
    );
    let name = if strength { "content" } else { "weighting" };
    let content = stage(head, name);
    let beta = if strength {
        scalar(content, "β")[0]
    } else {
        1.0
    };
    let scaled: Vec<f64> = values(similarity).iter().map(|k| beta * k).collect();
    agree(&head.head, &content.values, &softmax(&scaled), WEIGHTING);
    values(content)
}

fn weights_of(step: &StepTrace) -> (Vec<Vec<f32>>, Vec<Vec<f32>>) {
    let writes = match step.write_weights.clone().unwrap() {
        Weights::Single(w) => vec![w],
        Weights::PerHead(w) => w,
    };
    (writes, step.read_weights.clone())
}

/// The weighting of `head` (`write` / `read.i` / `head.i`) at step t − 1, or its
/// initial value.
fn previous_weighting(steps: &[StepTrace], t: usize, head: &str, initial: &[f32]) -> Vec<f32> {
    if t == 0 {
        return initial.to_vec();
    }
    let (writes, reads) = weights_of(&steps[t - 1]);
    match head.split_once('.') {
        None => writes[0].clone(),
        Some((_, i)) => reads[i.parse::<usize>().unwrap()].clone(),
    }
}

#[test]
fn ntm_stages_recompose_into_the_models_weightings() {
    for seed in [1, 2, 3] {
        let (config, steps) = traced(ModelKind::Ntm, seed);
        let (n, w) = (config.memory_slots, config.memory_width);
        let mut one_hot = vec![0.0; n];
        one_hot[0] = 1.0;
        for (t, step) in steps.iter().enumerate() {
            assert_eq!(step.addressing.len(), 1 + config.read_heads);
            let (writes, reads) = weights_of(step);
            for head in &step.addressing {
                let memory = seen_memory(head, &steps, t, n, w);
                let content = check_content(head, &memory, true);
                let previous = stage(head, "previous");
                agree(
                    "previous",
                    &previous.values,
                    &previous_weighting(&steps, t, &head.head, &one_hot)
                        .iter()
                        .map(|&v| v as f64)
                        .collect::<Vec<_>>(),
                    0.0,
                );
                let gated = stage(head, "gated");
                let g = scalar(gated, "g")[0];
                let expected: Vec<f64> = content
                    .iter()
                    .zip(values(previous))
                    .map(|(c, p)| g * c + (1.0 - g) * p)
                    .collect();
                agree("gated", &gated.values, &expected, WEIGHTING);
                let shifted = stage(head, "shifted");
                let s = scalar(shifted, "s");
                let wg = values(gated);
                // Shift δ ∈ {−1, 0, +1} moves focus from i − δ to i.
                let expected: Vec<f64> = (0..n)
                    .map(|i| (0..3).map(|d| s[d] * wg[(i + n + 1 - d) % n]).sum())
                    .collect();
                agree("shifted", &shifted.values, &expected, WEIGHTING);
                let last = stage(head, "weighting");
                let gamma = scalar(last, "γ")[0];
                let powered: Vec<f64> = values(shifted).iter().map(|v| v.powf(gamma)).collect();
                let sum: f64 = powered.iter().sum();
                let expected: Vec<f64> = powered.iter().map(|v| v / sum).collect();
                agree("sharpened", &last.values, &expected, WEIGHTING);
                let model = match head.head.split_once('.') {
                    None => &writes[0],
                    Some((_, i)) => &reads[i.parse::<usize>().unwrap()],
                };
                assert_eq!(&last.values, model, "{}: the model's weighting", head.head);
            }
        }
    }
}

#[test]
fn dnc_stages_recompose_into_the_models_weightings() {
    for seed in [1, 2, 3] {
        let (config, steps) = traced(ModelKind::Dnc, seed);
        let (n, w) = (config.memory_slots, config.memory_width);
        let zeros = vec![0.0f32; n];
        for (t, step) in steps.iter().enumerate() {
            let (writes, reads) = weights_of(step);
            let write = &step.addressing[0];
            assert_eq!(write.head, "write");
            let content = check_content(write, &seen_memory(write, &steps, t, n, w), true);
            // ψ = Π_i (1 − f^i w^{r,i}_{t−1}).
            let retention = stage(write, "retention");
            let free = scalar(retention, "f");
            let expected: Vec<f64> = (0..n)
                .map(|k| {
                    (0..config.read_heads)
                        .map(|i| {
                            let previous =
                                previous_weighting(&steps, t, &format!("read.{i}"), &zeros);
                            1.0 - free[i] * previous[k] as f64
                        })
                        .product()
                })
                .collect();
            agree("retention", &retention.values, &expected, WEIGHTING);
            // u_t = (u + w^w − u·w^w)·ψ.
            let (usage_before, written_before) = if t == 0 {
                (zeros.clone(), zeros.clone())
            } else {
                (
                    steps[t - 1].usage.clone().unwrap(),
                    previous_weighting(&steps, t, "write", &zeros),
                )
            };
            let usage = stage(write, "usage");
            let expected: Vec<f64> = (0..n)
                .map(|k| {
                    let (u, ww) = (usage_before[k] as f64, written_before[k] as f64);
                    (u + ww - u * ww) * values(retention)[k]
                })
                .collect();
            agree("usage", &usage.values, &expected, WEIGHTING);
            // φ: ascending floored usage, ties to the lower index; a from φ.
            let floored: Vec<f64> = values(usage)
                .iter()
                .map(|u| 1e-6 + (1.0 - 1e-6) * u)
                .collect();
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|&a, &b| floored[a].total_cmp(&floored[b]));
            let shown: Vec<usize> = stage(write, "free_list")
                .values
                .iter()
                .map(|&v| v as usize)
                .collect();
            assert_eq!(shown, order, "free list");
            let mut allocation = vec![0.0; n];
            let mut product = 1.0;
            for &slot in &order {
                allocation[slot] = (1.0 - floored[slot]) * product;
                product *= floored[slot];
            }
            agree(
                "allocation",
                &stage(write, "allocation").values,
                &allocation,
                WEIGHTING,
            );
            let last = stage(write, "weighting");
            let (ga, gw) = (scalar(last, "g^a")[0], scalar(last, "g^w")[0]);
            let expected: Vec<f64> = (0..n)
                .map(|k| gw * (ga * allocation[k] + (1.0 - ga) * content[k]))
                .collect();
            agree("write weighting", &last.values, &expected, WEIGHTING);
            assert_eq!(last.values, writes[0], "the model's write weighting");

            let link = step.link.clone().unwrap();
            for (i, read) in step.addressing[1..].iter().enumerate() {
                assert_eq!(read.head, format!("read.{i}"));
                let content = check_content(read, &seen_memory(read, &steps, t, n, w), true);
                let previous = previous_weighting(&steps, t, &read.head, &zeros);
                assert_eq!(stage(read, "previous").values, previous);
                let forward: Vec<f64> = (0..n)
                    .map(|a| (0..n).map(|b| link[a][b] as f64 * previous[b] as f64).sum())
                    .collect();
                let backward: Vec<f64> = (0..n)
                    .map(|a| (0..n).map(|b| link[b][a] as f64 * previous[b] as f64).sum())
                    .collect();
                agree(
                    "forward",
                    &stage(read, "forward").values,
                    &forward,
                    WEIGHTING,
                );
                agree(
                    "backward",
                    &stage(read, "backward").values,
                    &backward,
                    WEIGHTING,
                );
                let last = stage(read, "weighting");
                let pi = scalar(last, "π");
                let expected: Vec<f64> = (0..n)
                    .map(|k| pi[0] * backward[k] + pi[1] * content[k] + pi[2] * forward[k])
                    .collect();
                agree("read weighting", &last.values, &expected, WEIGHTING);
                assert_eq!(last.values, reads[i], "the model's read weighting");
            }
        }
    }
}

#[test]
fn lru_stages_recompose_into_the_models_weightings() {
    for seed in [1, 2, 3] {
        let (config, steps) = traced(ModelKind::Lru, seed);
        let (n, w, r) = (config.memory_slots, config.memory_width, config.read_heads);
        let zeros = vec![0.0f32; n];
        let mut initial_least_used = zeros.clone();
        initial_least_used[..r].fill(1.0);
        for (t, step) in steps.iter().enumerate() {
            let (writes, reads) = weights_of(step);
            assert_eq!(step.addressing.len(), r);
            for (i, head) in step.addressing.iter().enumerate() {
                let least_used = if t == 0 {
                    initial_least_used.clone()
                } else {
                    steps[t - 1].gates["least_used"].clone()
                };
                assert_eq!(stage(head, "least_used").values, least_used);
                let previous = previous_weighting(&steps, t, &format!("read.{i}"), &zeros);
                assert_eq!(stage(head, "previous").values, previous);
                let write = stage(head, "write");
                let alpha = scalar(write, "α")[0];
                let expected: Vec<f64> = (0..n)
                    .map(|k| alpha * previous[k] as f64 + (1.0 - alpha) * least_used[k] as f64)
                    .collect();
                agree("write weighting", &write.values, &expected, WEIGHTING);
                assert_eq!(write.values, writes[i], "the model's write weighting");
                // The zeroed row: argmin of w^u_{t−1}, ties to the lower index.
                let usage = if t == 0 {
                    zeros.clone()
                } else {
                    steps[t - 1].usage.clone().unwrap()
                };
                let argmin =
                    (0..n).fold(0, |best, k| if usage[k] < usage[best] { k } else { best });
                assert_eq!(scalar(write, "zeroed slot")[0] as usize, argmin);
                check_content(head, &seen_memory(head, &steps, t, n, w), false);
                assert_eq!(
                    stage(head, "weighting").values,
                    reads[i],
                    "the model's read weighting"
                );
            }
        }
    }
}

#[test]
fn the_lstm_has_no_addressing() {
    let (_, steps) = traced(ModelKind::Lstm, 1);
    assert!(steps.iter().all(|s| s.addressing.is_empty()));
}
