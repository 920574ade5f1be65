// Which sequence of the dispatch a kernel is working on: its first float in `work` and
// its width n_b, for every Neural GPU kernel (each declares `run` and `batch`). A
// sequence of width n_b uses the first n_b columns of the batch's width n = run.steps.

var<private> base: u32;
var<private> width: u32;

fn enter(local_sequence: u32) {
    base = local_sequence * run.sequence_stride;
    width = sequence_width(local_sequence);
}

// n_b of the sequence `local_sequence` of this dispatch; uniform across a workgroup
// (read-only storage at a uniform address), so loops bounded by it may hold barriers.
fn sequence_width(local_sequence: u32) -> u32 {
    return u32(batch[run.length_offset + run.batch_offset + local_sequence]);
}
