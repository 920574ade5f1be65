//! Repeat copy `(B, Lmin, Lmax, Kmin, Kmax)` (tasks.md): L vectors, then a delimiter
//! step with channel B set and channel B+1 holding K / Kmax; the targets are the
//! sequence K times, then an end marker on output channel B. T = L + 1 + K·L + 1; the
//! mask covers every step after the delimiter.

use super::copy::random_vectors;
use super::SequenceBuffer;
use crate::rng::Pcg32;

pub(super) fn generate(
    bits: usize,
    (min_length, max_length): (usize, usize),
    (min_repeats, max_repeats): (usize, usize),
    rng: &mut Pcg32,
    sequence: &mut SequenceBuffer,
) {
    let length = rng.range_inclusive(min_length, max_length);
    let repeats = rng.range_inclusive(min_repeats, max_repeats);
    let vectors = random_vectors(bits, length, rng);
    sequence.push_blank(length + 1 + repeats * length + 1);
    for (j, vector) in vectors.chunks_exact(bits).enumerate() {
        sequence.input_row(j)[..bits].copy_from_slice(vector);
        for k in 0..repeats {
            sequence.target_row(length + 1 + k * length + j)[..bits].copy_from_slice(vector);
        }
    }
    let delimiter = sequence.input_row(length);
    delimiter[bits] = 1.0;
    delimiter[bits + 1] = repeats as f32 / max_repeats as f32;
    let end = sequence.steps() - 1;
    sequence.target_row(end)[bits] = 1.0;
    sequence.mask[length + 1..].fill(1.0);
}
