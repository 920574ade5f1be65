// Shared by the sequence kernels: bindings, the per-sequence addressing of `work`,
// workgroup reductions and the activations of models.md §0 and §6.
//
// One workgroup runs one sequence from its first step to its last (and back, in the
// backward kernel). Everything a step keeps lives in `work`: per sequence, `steps + 1`
// forward records (record t is the state after step t − 1; record 0 the initial state),
// `steps` gradient records, and a carry region for gradients flowing between steps.
// The sizes and offsets (X, H, REC, F_*, S_*, G_*, C_*, P_*) come from the prelude that
// `gpu::memory` generates for each model.

@group(0) @binding(0) var<uniform> run: Run;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read> batch: array<f32>;
@group(0) @binding(3) var<storage, read_write> work: array<f32>;
// Per sequence of the batch: summed loss in nats, bit errors, and 0 (whole sequences
// are the symbol objective's measure).
@group(0) @binding(4) var<storage, read_write> scores: array<f32>;

const GATES: u32 = 0u;
const CELL: u32 = 4u * H;
const TANH_CELL: u32 = 5u * H;
const HIDDEN: u32 = 6u * H;
const LAYER_SIZE: u32 = 7u * H;
const NORM_EPSILON: f32 = 1e-6;

// This invocation's index in the workgroup, and the sequence's regions of `work`.
var<private> lane: u32;
var<private> sequence: u32;
var<private> first_record: u32;
var<private> first_gradient_record: u32;
var<private> carry: u32;

fn begin(group: u32, local: u32) {
    lane = local;
    sequence = run.batch_offset + group;
    first_record = group * run.sequence_stride;
    first_gradient_record = first_record + (run.steps + 1u) * REC;
    carry = first_gradient_record + run.steps * GREC;
}

// Uniform across the workgroup (workgroup id, uniform buffer, read-only storage), so loops
// bounded by it may hold barriers.
fn sequence_length(group: u32) -> u32 {
    return u32(batch[run.length_offset + run.batch_offset + group]);
}

fn record(t: u32) -> u32 {
    return first_record + t * REC;
}

fn gradient_record(t: u32) -> u32 {
    return first_gradient_record + t * GREC;
}

fn input_at(t: u32) -> u32 {
    return (sequence * run.steps + t) * X;
}

fn target_at(t: u32) -> u32 {
    return run.target_offset + (sequence * run.steps + t) * Y;
}

fn mask_at(t: u32) -> f32 {
    return batch[run.mask_offset + sequence * run.steps + t];
}

// Makes this workgroup's writes to `work` and to workgroup memory visible to all of it.
fn sync() {
    storageBarrier();
    workgroupBarrier();
}

var<workgroup> reduction: array<vec4<f32>, WG>;

// Four sums over the workgroup at once; every invocation gets the totals. Also a full
// barrier (see `sync`), so what was written before it is visible after it.
fn sum4(value: vec4<f32>) -> vec4<f32> {
    reduction[lane] = value;
    sync();
    for (var width = WG / 2u; width > 0u; width = width / 2u) {
        if lane < width {
            reduction[lane] += reduction[lane + width];
        }
        workgroupBarrier();
    }
    let total = reduction[0];
    workgroupBarrier();
    return total;
}

fn sum1(value: f32) -> f32 {
    return sum4(vec4<f32>(value, 0.0, 0.0, 0.0)).x;
}

fn max1(value: f32) -> f32 {
    reduction[lane].x = value;
    sync();
    for (var width = WG / 2u; width > 0u; width = width / 2u) {
        if lane < width {
            reduction[lane].x = max(reduction[lane].x, reduction[lane + width].x);
        }
        workgroupBarrier();
    }
    let total = reduction[0].x;
    workgroupBarrier();
    return total;
}

// ‖v‖ = sqrt(Σ v² + 1e-6) of `length` floats of `work`, by one invocation.
fn norm_of(at: u32, length: u32) -> f32 {
    var total = 0.0;
    for (var j = 0u; j < length; j++) {
        total += work[at + j] * work[at + j];
    }
    return sqrt(total + NORM_EPSILON);
}

// y = W x + b for W (`rows × cols`, row-major) and b in `params`, x and y in `work`:
// one invocation per row.
fn affine(weight: u32, bias: u32, rows: u32, cols: u32, x: u32, y: u32) {
    for (var r = lane; r < rows; r += WG) {
        var total = params[bias + r];
        let row = weight + r * cols;
        for (var c = 0u; c < cols; c++) {
            total += params[row + c] * work[x + c];
        }
        work[y + r] = total;
    }
}

// dx += Wᵀ dy for W (`rows × cols`) in `params`, dy and dx in `work`: one invocation per
// column, so reads of W are contiguous across the workgroup.
fn affine_backward_input(weight: u32, rows: u32, cols: u32, dy: u32, dx: u32) {
    for (var c = lane; c < cols; c += WG) {
        var total = 0.0;
        for (var r = 0u; r < rows; r++) {
            total += params[weight + r * cols + c] * work[dy + r];
        }
        work[dx + c] += total;
    }
}

fn fill(at: u32, length: u32, value: f32) {
    for (var i = lane; i < length; i += WG) {
        work[at + i] = value;
    }
}
