//! Copy `(B, Lmin, Lmax)` (tasks.md): L random vectors, a delimiter on channel B, then
//! L blank steps whose targets are the vectors in order. T = 2L + 1.

use super::SequenceBuffer;
use crate::rng::Pcg32;

/// `length` random vectors of `bits` bits, row-major (`length × bits`).
pub(super) fn random_vectors(bits: usize, length: usize, rng: &mut Pcg32) -> Vec<f32> {
    (0..length * bits).map(|_| rng.bit()).collect()
}

pub(super) fn generate(
    bits: usize,
    min_length: usize,
    max_length: usize,
    rng: &mut Pcg32,
    sequence: &mut SequenceBuffer,
) {
    let length = rng.range_inclusive(min_length, max_length);
    let vectors = random_vectors(bits, length, rng);
    sequence.push_blank(2 * length + 1);
    for (j, vector) in vectors.chunks_exact(bits).enumerate() {
        sequence.input_row(j)[..bits].copy_from_slice(vector);
        let answer = length + 1 + j;
        sequence.target_row(answer).copy_from_slice(vector);
        sequence.mask[answer] = 1.0;
    }
    sequence.input_row(length)[bits] = 1.0;
}
