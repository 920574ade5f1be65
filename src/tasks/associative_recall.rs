//! Associative recall `(B, item_len, Imin, Imax)` (tasks.md): I items of `item_len`
//! vectors, each preceded by a step with channel B set; then channel B+1, a query item
//! (any but the last), channel B+1 again, and `item_len` blank steps whose target is the
//! item that followed the query. T = I·(item_len+1) + 1 + item_len + 1 + item_len.

use super::copy::random_vectors;
use super::SequenceBuffer;
use crate::rng::Pcg32;

pub(super) fn steps(items: usize, item_length: usize) -> usize {
    items * (item_length + 1) + 1 + item_length + 1 + item_length
}

pub(super) fn generate(
    bits: usize,
    item_length: usize,
    min_items: usize,
    max_items: usize,
    rng: &mut Pcg32,
    sequence: &mut SequenceBuffer,
) {
    let items = rng.range_inclusive(min_items, max_items);
    let item_vectors: Vec<Vec<f32>> = (0..items)
        .map(|_| random_vectors(bits, item_length, rng))
        .collect();
    let query = rng.range_inclusive(0, items - 2);
    sequence.push_blank(steps(items, item_length));
    let write_item = |sequence: &mut SequenceBuffer, first: usize, vectors: &[f32]| {
        for (j, vector) in vectors.chunks_exact(bits).enumerate() {
            sequence.input_row(first + j)[..bits].copy_from_slice(vector);
        }
    };
    for (i, vectors) in item_vectors.iter().enumerate() {
        let marker = i * (item_length + 1);
        sequence.input_row(marker)[bits] = 1.0;
        write_item(sequence, marker + 1, vectors);
    }
    let query_marker = items * (item_length + 1);
    sequence.input_row(query_marker)[bits + 1] = 1.0;
    write_item(sequence, query_marker + 1, &item_vectors[query]);
    let end_marker = query_marker + 1 + item_length;
    sequence.input_row(end_marker)[bits + 1] = 1.0;
    for (j, vector) in item_vectors[query + 1].chunks_exact(bits).enumerate() {
        let answer = end_marker + 1 + j;
        sequence.target_row(answer).copy_from_slice(vector);
        sequence.mask[answer] = 1.0;
    }
}
