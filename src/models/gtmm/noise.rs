//! The sampling noise ε (generative.md §8.3): standard normals drawn on the host, so
//! every path (CPU, WebGPU, wasm, an outside port) sees the same tensor.
//!
//! A stream is a [`Pcg32`]; each uniform takes 53 bits from two draws,
//! `k = (a >> 5)·2²⁶ + (b >> 6)`, and is `u = (k + 1)·2⁻⁵³ ∈ (0, 1]`. Box–Muller in f64
//! with the pure-software `libm` (the same bits natively and in wasm) turns `(u₁, u₂)`
//! into `√(−2 ln u₁)·cos(2π u₂)` and then `√(−2 ln u₁)·sin(2π u₂)`, each rounded to f32.
//! A sequence's `[T, Z]` tensor is filled t-major, then j, pair by pair; an odd count
//! drops the last sine.

use crate::rng::{derive_seed, Pcg32};

/// Purpose tag of a sequence's ε stream (apart from its other noise).
const EPSILON: u64 = 0x4550_5349;

/// A uniform in (0, 1] from 53 random bits.
fn uniform53(rng: &mut Pcg32) -> f64 {
    let high = (rng.next_u32() >> 5) as u64;
    let low = (rng.next_u32() >> 6) as u64;
    let k = (high << 26) | low;
    (k + 1) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// `count` standard normals from the stream seeded with `seed`.
pub fn standard_normals(seed: u64, count: usize) -> Vec<f32> {
    let mut rng = Pcg32::new(seed);
    let mut out = Vec::with_capacity(count + 1);
    while out.len() < count {
        let u1 = uniform53(&mut rng);
        let u2 = uniform53(&mut rng);
        let radius = libm::sqrt(-2.0 * libm::log(u1));
        let angle = 2.0 * std::f64::consts::PI * u2;
        out.push((radius * libm::cos(angle)) as f32);
        out.push((radius * libm::sin(angle)) as f32);
    }
    out.truncate(count);
    out
}

/// The ε tensor (`steps × latent`) of a sequence whose noise seed is `noise_seed`
/// ([`crate::tasks::SequenceRef::noise_seed`]: derived from the run's seed, the batch
/// number and the sequence's place in the batch).
pub fn latent_noise(noise_seed: u64, steps: usize, latent: usize) -> Vec<f32> {
    standard_normals(derive_seed(noise_seed, EPSILON), steps * latent)
}
