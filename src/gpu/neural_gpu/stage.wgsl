// The Neural GPU family's sequence kernels' bindings and their `Stage` uniform: which
// step (or layer application) a dispatch runs. Shared by `sequence.wgsl` and
// `diagonal_sequence.wgsl`; host twin: gpu::shared::Stage.

@group(0) @binding(0) var<uniform> run: Run;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read> batch: array<f32>;
@group(0) @binding(3) var<storage, read_write> work: array<f32>;
// Per sequence of the batch, SCORES floats: loss in nats, symbol errors, 1 if any symbol
// is wrong, three zeros (the generative models' parts) and the Diagonal Neural GPU's
// saturation cost.
@group(0) @binding(4) var<storage, read_write> scores: array<f32>;
@group(0) @binding(5) var<uniform> stage: Stage;

struct Stage {
    // 0: the encoder, 1: the decoder (the Diagonal Neural GPU: 0).
    coder: u32,
    // The layer application j (the Diagonal Neural GPU: the step j).
    application: u32,
    // READ_ONLY, GREEDY, TEACHER or EVALUATE (the Diagonal Neural GPU: unused).
    mode: u32,
    // FINISH | FIRST.
    flags: u32,
}

// The forward's last stage writes the scores; the backward's first starts from them.
const FINISH: u32 = 1u;
const FIRST: u32 = 2u;

// This invocation's index in the workgroup, and the sequence's index in the batch.
var<private> lane: u32;
var<private> sequence: u32;

fn sync() {
    storageBarrier();
    workgroupBarrier();
}

// This invocation and its sequence (workgroup `group` of the dispatch).
fn begin(group: u32, local: u32) {
    lane = local;
    sequence = run.batch_offset + group;
    enter(group);
}
