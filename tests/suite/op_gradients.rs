//! Finite-difference checks of every op's backward on its own, with an objective
//! `Σ c ⊙ outputs` for fixed random coefficients `c`: content weighting, NTM addressing
//! (from raw head parameters), erase/add write, read, a whole DNC step (from raw ξ and
//! every part of the previous state), a whole LRU step, and the loss.

use engram::gradcheck::{check, Tolerance};
use engram::memory::content::{content_weighting, content_weighting_backward, row_norms};
use engram::memory::dnc::{self, interface_size, DncState, Interface};
use engram::memory::lru::{self, LruState};
use engram::memory::ntm::{address, address_backward, head_size, HeadParams};
use engram::memory::write::{erase_and_add, erase_and_add_backward};
use engram::memory::{read, read_backward};
use engram::models::DncOptions;
use engram::ops::loss::masked_sigmoid_cross_entropy;
use engram::rng::Pcg32;

const TOLERANCE: Tolerance = Tolerance {
    step: 2e-3,
    absolute: 1e-3,
    relative: 1e-2,
};

fn random(rng: &mut Pcg32, len: usize, low: f32, high: f32) -> Vec<f32> {
    (0..len).map(|_| rng.uniform(low, high)).collect()
}

/// A random probability-like vector summing to `total`.
fn simplex(rng: &mut Pcg32, len: usize, total: f32) -> Vec<f32> {
    let v = random(rng, len, 0.05, 1.0);
    let sum: f32 = v.iter().sum();
    v.iter().map(|x| x * total / sum).collect()
}

fn weighted(c: &[f32], values: &[f32]) -> f64 {
    c.iter()
        .zip(values)
        .map(|(a, b)| *a as f64 * *b as f64)
        .sum()
}

/// Splits `x` into consecutive pieces of the given lengths.
fn pieces<'a>(x: &'a [f32], lengths: &[usize]) -> Vec<&'a [f32]> {
    let mut out = Vec::new();
    let mut start = 0;
    for &len in lengths {
        out.push(&x[start..start + len]);
        start += len;
    }
    assert_eq!(start, x.len());
    out
}

fn run_check(name: &str, objective: impl FnMut(&[f32]) -> f64, x: &[f32], analytic: &[f32]) {
    assert_eq!(x.len(), analytic.len());
    let report = check(objective, x, analytic, 0..x.len(), TOLERANCE)
        .unwrap_or_else(|m| panic!("{name}: {m}"));
    println!(
        "{name}: {} components, max |error| {:.2e}",
        report.checked, report.max_absolute_error
    );
}

#[test]
fn content_weighting_backward_matches_finite_differences() {
    let (n, w) = (6, 4);
    let mut rng = Pcg32::new(11);
    let x: Vec<f32> = [
        random(&mut rng, n * w, -1.0, 1.0),
        random(&mut rng, w, -1.0, 1.0),
        vec![2.5],
    ]
    .concat();
    let c = random(&mut rng, n, -1.0, 1.0);
    let forward = |x: &[f32]| {
        let p = pieces(x, &[n * w, w, 1]);
        let (mut similarity, mut weights) = (vec![0.0; n], vec![0.0; n]);
        content_weighting(
            p[0],
            &row_norms(p[0], w),
            p[1],
            p[2][0],
            &mut similarity,
            &mut weights,
        );
        (similarity, weights)
    };
    let p = pieces(&x, &[n * w, w, 1]);
    let (similarity, weights) = forward(&x);
    let (mut dmemory, mut dkey) = (vec![0.0; n * w], vec![0.0; w]);
    let dstrength = content_weighting_backward(
        p[0],
        &row_norms(p[0], w),
        p[1],
        p[2][0],
        &similarity,
        &weights,
        &c,
        &mut dmemory,
        &mut dkey,
    );
    let analytic = [dmemory, dkey, vec![dstrength]].concat();
    run_check(
        "content weighting",
        |x| weighted(&c, &forward(x).1),
        &x,
        &analytic,
    );
}

#[test]
fn ntm_addressing_backward_matches_finite_differences() {
    let (n, w) = (7, 3);
    let size = head_size(w, false);
    let mut rng = Pcg32::new(12);
    let x: Vec<f32> = [
        random(&mut rng, size, -1.5, 1.5),
        random(&mut rng, n * w, -1.0, 1.0),
        simplex(&mut rng, n, 1.0),
    ]
    .concat();
    let c = random(&mut rng, n, -1.0, 1.0);
    let lengths = [size, n * w, n];
    let forward = |x: &[f32]| {
        let p = pieces(x, &lengths);
        let head = HeadParams::from_raw(p[0], w);
        (
            head.clone(),
            address(p[1], &row_norms(p[1], w), &head, p[2]),
        )
    };
    let p = pieces(&x, &lengths);
    let (head, a) = forward(&x);
    let (mut dmemory, mut dprevious) = (vec![0.0; n * w], vec![0.0; n]);
    let norms = row_norms(p[1], w);
    let grad = address_backward(
        p[1],
        &norms,
        &head,
        p[2],
        &a,
        &c,
        &mut dmemory,
        &mut dprevious,
    );
    let mut draw = vec![0.0; size];
    head.raw_backward(p[0], &grad, &mut draw);
    let analytic = [draw, dmemory, dprevious].concat();
    run_check(
        "ntm addressing",
        |x| weighted(&c, &forward(x).1.weights),
        &x,
        &analytic,
    );
}

#[test]
fn erase_and_add_backward_matches_finite_differences() {
    let (n, w) = (5, 4);
    let mut rng = Pcg32::new(13);
    let x: Vec<f32> = [
        random(&mut rng, n * w, -1.0, 1.0),
        simplex(&mut rng, n, 0.9),
        random(&mut rng, w, 0.0, 1.0),
        random(&mut rng, w, -1.0, 1.0),
    ]
    .concat();
    let lengths = [n * w, n, w, w];
    let c = random(&mut rng, n * w, -1.0, 1.0);
    let forward = |x: &[f32]| {
        let p = pieces(x, &lengths);
        let mut next = vec![0.0; n * w];
        erase_and_add(p[0], p[1], p[2], p[3], &mut next);
        next
    };
    let p = pieces(&x, &lengths);
    let (mut dprevious, mut dweights, mut derase, mut dadd) =
        (vec![0.0; n * w], vec![0.0; n], vec![0.0; w], vec![0.0; w]);
    erase_and_add_backward(
        p[0],
        p[1],
        p[2],
        p[3],
        &c,
        &mut dprevious,
        &mut dweights,
        &mut derase,
        &mut dadd,
    );
    let analytic = [dprevious, dweights, derase, dadd].concat();
    run_check(
        "erase and add",
        |x| weighted(&c, &forward(x)),
        &x,
        &analytic,
    );
}

#[test]
fn read_backward_matches_finite_differences() {
    let (n, w) = (5, 3);
    let mut rng = Pcg32::new(14);
    let x: Vec<f32> = [
        random(&mut rng, n * w, -1.0, 1.0),
        simplex(&mut rng, n, 1.0),
    ]
    .concat();
    let c = random(&mut rng, w, -1.0, 1.0);
    let forward = |x: &[f32]| {
        let mut r = vec![0.0; w];
        read(&x[..n * w], &x[n * w..], &mut r);
        r
    };
    let (mut dmemory, mut dweights) = (vec![0.0; n * w], vec![0.0; n]);
    read_backward(&x[..n * w], &x[n * w..], &c, &mut dmemory, &mut dweights);
    run_check(
        "read",
        |x| weighted(&c, &forward(x)),
        &x,
        &[dmemory, dweights].concat(),
    );
}

#[test]
fn dnc_step_backward_matches_finite_differences() {
    check_dnc_step(DncOptions::default(), "dnc step");
}

/// With all of models.md §3.1 (masks on every lookup, de-allocation's erase through ψ,
/// sharpened link weightings), the step's backward is exact too, at the op level.
#[test]
fn dnc_step_with_its_improvements_backward_matches_finite_differences() {
    check_dnc_step(DncOptions::ALL, "dnc step, §3.1");
}

fn check_dnc_step(options: DncOptions, name: &str) {
    let (n, w, r) = (5, 3, 2);
    let mut rng = Pcg32::new(15);
    let xi_size = interface_size(w, r, options);
    // Usages far apart so no perturbation reorders the allocation sort.
    let usage: Vec<f32> = (0..n).map(|k| 0.1 + 0.17 * ((k * 3) % n) as f32).collect();
    let mut link = random(&mut rng, n * n, 0.0, 0.2);
    for k in 0..n {
        link[k * n + k] = 0.0;
    }
    let x: Vec<f32> = [
        random(&mut rng, xi_size, -1.0, 1.0),
        random(&mut rng, n * w, -1.0, 1.0),
        usage,
        simplex(&mut rng, n, 0.6),
        link,
        simplex(&mut rng, n, 0.3),
        [simplex(&mut rng, n, 0.8), simplex(&mut rng, n, 0.7)].concat(),
    ]
    .concat();
    let lengths = [xi_size, n * w, n, n, n * n, n, r * n];
    let state = |p: &[&[f32]]| DncState {
        memory: p[1].to_vec(),
        usage: p[2].to_vec(),
        precedence: p[3].to_vec(),
        link: p[4].to_vec(),
        write_weights: p[5].to_vec(),
        read_weights: p[6].to_vec(),
        read_vectors: vec![0.0; r * w],
    };
    let coefficients = DncState {
        memory: random(&mut rng, n * w, -1.0, 1.0),
        usage: random(&mut rng, n, -1.0, 1.0),
        precedence: random(&mut rng, n, -1.0, 1.0),
        link: random(&mut rng, n * n, -1.0, 1.0),
        write_weights: random(&mut rng, n, -1.0, 1.0),
        read_weights: random(&mut rng, r * n, -1.0, 1.0),
        read_vectors: random(&mut rng, r * w, -1.0, 1.0),
    };
    let objective = |next: &DncState| {
        let c = &coefficients;
        weighted(&c.memory, &next.memory)
            + weighted(&c.usage, &next.usage)
            + weighted(&c.precedence, &next.precedence)
            + weighted(&c.link, &next.link)
            + weighted(&c.write_weights, &next.write_weights)
            + weighted(&c.read_weights, &next.read_weights)
            + weighted(&c.read_vectors, &next.read_vectors)
    };
    let forward = |x: &[f32]| {
        let p = pieces(x, &lengths);
        let xi = Interface::from_raw(p[0], w, r, options);
        let (next, cache) = dnc::step(&state(&p), &xi);
        (xi, next, cache)
    };
    let p = pieces(&x, &lengths);
    let previous = state(&p);
    let (xi, next, cache) = forward(&x);
    let mut dnext = coefficients.clone();
    let mut dprevious = DncState::zeros(n, w, r);
    let mut dxi = Interface::zeros(w, r, options);
    dnc::step_backward(
        &previous,
        &xi,
        &cache,
        &next,
        &mut dnext,
        &mut dprevious,
        &mut dxi,
    );
    let mut draw = vec![0.0; xi_size];
    xi.raw_backward(p[0], &dxi, &mut draw);
    let d = &dprevious;
    let analytic = [
        draw,
        d.memory.clone(),
        d.usage.clone(),
        d.precedence.clone(),
        d.link.clone(),
        d.write_weights.clone(),
        d.read_weights.clone(),
    ]
    .concat();
    run_check(name, |x| objective(&forward(x).1), &x, &analytic);
}

#[test]
fn lru_step_backward_matches_finite_differences() {
    let (n, w, r) = (6, 3, 2);
    let mut rng = Pcg32::new(16);
    let x: Vec<f32> = [
        random(&mut rng, r * w, -1.0, 1.0),
        random(&mut rng, r, 0.1, 0.9),
        random(&mut rng, n * w, -1.0, 1.0),
        [simplex(&mut rng, n, 1.0), simplex(&mut rng, n, 1.0)].concat(),
    ]
    .concat();
    let lengths = [r * w, r, n * w, r * n];
    let usage = vec![0.5, 0.2, 0.9, 0.1, 0.7, 0.3];
    let least_used = vec![0.0, 1.0, 0.0, 1.0, 0.0, 0.0];
    let state = |p: &[&[f32]]| LruState {
        memory: p[2].to_vec(),
        usage: usage.clone(),
        read_weights: p[3].to_vec(),
        least_used: least_used.clone(),
        read_vectors: vec![0.0; r * w],
    };
    let c_memory = random(&mut rng, n * w, -1.0, 1.0);
    let c_read = random(&mut rng, r * n, -1.0, 1.0);
    let c_vectors = random(&mut rng, r * w, -1.0, 1.0);
    // Usage and the least-used indicator are not differentiated (models.md §4).
    let objective = |next: &LruState| {
        weighted(&c_memory, &next.memory)
            + weighted(&c_read, &next.read_weights)
            + weighted(&c_vectors, &next.read_vectors)
    };
    let forward = |x: &[f32]| {
        let p = pieces(x, &lengths);
        lru::step(&state(&p), p[0], p[1])
    };
    let p = pieces(&x, &lengths);
    let previous = state(&p);
    let (next, cache) = forward(&x);
    let mut dnext = LruState {
        memory: c_memory.clone(),
        usage: vec![0.0; n],
        read_weights: c_read.clone(),
        least_used: vec![0.0; n],
        read_vectors: c_vectors.clone(),
    };
    let mut dprevious = LruState::zeros(n, w, r);
    let (mut dkeys, mut dgates) = (vec![0.0; r * w], vec![0.0; r]);
    lru::step_backward(
        &previous,
        p[0],
        p[1],
        &cache,
        &next,
        &mut dnext,
        &mut dprevious,
        &mut dkeys,
        &mut dgates,
    );
    let analytic = [dkeys, dgates, dprevious.memory, dprevious.read_weights].concat();
    run_check("lru step", |x| objective(&forward(x).0), &x, &analytic);
}

#[test]
fn loss_gradient_matches_finite_differences() {
    let mut rng = Pcg32::new(17);
    let (steps, width) = (4, 3);
    let x = random(&mut rng, steps * width, -3.0, 3.0);
    let targets: Vec<f32> = (0..steps * width).map(|_| rng.bit()).collect();
    let mask = [1.0, 0.0, 1.0, 1.0];
    let mut analytic = vec![0.0; x.len()];
    masked_sigmoid_cross_entropy(&x, &targets, &mask, width, 1.0, Some(&mut analytic));
    run_check(
        "masked sigmoid cross-entropy",
        |x| masked_sigmoid_cross_entropy(x, &targets, &mask, width, 1.0, None).loss_nats,
        &x,
        &analytic,
    );
}
