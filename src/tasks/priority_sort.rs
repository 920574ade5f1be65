//! Priority sort `(B, L, K)` (tasks.md): L random vectors, each with a priority uniform
//! in [−1, 1) on channel B; a step with channel B+1 set; then K blank steps whose
//! targets are the K highest-priority vectors, highest first, ties to the earlier input.

use super::SequenceBuffer;
use crate::rng::Pcg32;

pub(super) fn generate(
    bits: usize,
    length: usize,
    outputs: usize,
    rng: &mut Pcg32,
    sequence: &mut SequenceBuffer,
) {
    sequence.push_blank(length + 1 + outputs);
    let mut priorities = Vec::with_capacity(length);
    for t in 0..length {
        let row = sequence.input_row(t);
        for value in &mut row[..bits] {
            *value = rng.bit();
        }
        let priority = rng.uniform(-1.0, 1.0);
        row[bits] = priority;
        priorities.push(priority);
    }
    sequence.input_row(length)[bits + 1] = 1.0;
    // Descending priority as ascending −priority (negation reverses the total order
    // exactly); the stable sort keeps earlier inputs first among ties.
    let negated: Vec<f32> = priorities.iter().map(|p| -p).collect();
    let order = crate::ops::order::ascending_order(&negated);
    for (k, &source) in order.iter().take(outputs).enumerate() {
        let vector: Vec<f32> = sequence.input[source * sequence.input_width..][..bits].to_vec();
        let answer = length + 1 + k;
        sequence.target_row(answer).copy_from_slice(&vector);
        sequence.mask[answer] = 1.0;
    }
}
