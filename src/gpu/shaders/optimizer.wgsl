// The end of a training step, twin of `nn::clip_global_norm` and `nn::Optimizer`:
// `measure` sums the batch's scores (loss, errors, wrong sequences and the generative
// models' bound parts) and the gradient's global norm; `update`
// clips and applies Adam, RMSProp or AdaMax, unless the loss or the norm is not finite, in which
// case the parameters stay as they were (the host reports the step as failed).

struct Settings {
    parameters: u32,
    sequences: u32,
    // 0: Adam, 1: RMSProp, 2: AdaMax (its β2 this update's, on its schedule).
    kind: u32,
    // Parameter-sharing relaxation: sets (0 or 1: none), where they start, their size and
    // the pull (neural_gpu.md §5.1).
    relax_sets: u32,
    clip_norm: f32,
    learning_rate: f32,
    beta1: f32,
    beta2: f32,
    epsilon: f32,
    // Adam: learning_rate / (1 − β₁ᵗ) and sqrt(1 − β₂ᵗ).
    step_size: f32,
    root_correction2: f32,
    // RMSProp.
    decay: f32,
    momentum: f32,
    relax_first: u32,
    relax_size: u32,
    relax_pull: f32,
}

@group(0) @binding(0) var<uniform> settings: Settings;
@group(0) @binding(1) var<storage, read_write> grads: array<f32>;
@group(0) @binding(2) var<storage, read_write> params: array<f32>;
// First moments, then second moments (Adam), or velocity, then mean square (RMSProp).
@group(0) @binding(3) var<storage, read_write> moments: array<f32>;
// Per sequence, SCORES floats (the constant is generated with the host's
// `SCORES_PER_SEQUENCE`): loss (nats), errors, whether it is wrong (symbol objective),
// the generative models' recall-frame rec and KL and all frames' KL (nats), and the
// Diagonal Neural GPU's saturation cost. After them the batch's loss, errors, gradient
// norm, wrong sequences, recall rec, recall KL, KL and saturation cost: what the host
// reads back.
@group(0) @binding(4) var<storage, read_write> scores: array<f32>;

const MEASURE_SIZE: u32 = 256u;
var<workgroup> partial: array<vec4<f32>, MEASURE_SIZE>;
var<workgroup> bound_partial: array<vec4<f32>, MEASURE_SIZE>;

@compute @workgroup_size(256)
fn measure(@builtin(local_invocation_index) lane: u32) {
    var sums = vec4<f32>(0.0);
    var bound = vec4<f32>(0.0);
    // The saturation cost sums beside the bound's three parts.
    for (var i = lane; i < settings.parameters; i += MEASURE_SIZE) {
        sums.x += grads[i] * grads[i];
    }
    for (var b = lane; b < settings.sequences; b += MEASURE_SIZE) {
        let at = SCORES * b;
        sums.y += scores[at];
        sums.z += scores[at + 1u];
        sums.w += scores[at + 2u];
        bound += vec4<f32>(scores[at + 3u], scores[at + 4u], scores[at + 5u], scores[at + 6u]);
    }
    partial[lane] = sums;
    bound_partial[lane] = bound;
    workgroupBarrier();
    for (var width = MEASURE_SIZE / 2u; width > 0u; width = width / 2u) {
        if lane < width {
            partial[lane] += partial[lane + width];
            bound_partial[lane] += bound_partial[lane + width];
        }
        workgroupBarrier();
    }
    if lane == 0u {
        let totals = partial[0];
        let at = SCORES * settings.sequences;
        scores[at] = totals.y;
        scores[at + 1u] = totals.z;
        scores[at + 2u] = sqrt(totals.x);
        scores[at + 3u] = totals.w;
        scores[at + 4u] = bound_partial[0].x;
        scores[at + 5u] = bound_partial[0].y;
        scores[at + 6u] = bound_partial[0].z;
        scores[at + 7u] = bound_partial[0].w;
    }
}

// Relaxation's pull, twin of RelaxedSets::pull: ∂θ^(k) += 2·pull·(θ^(k) − θ̄) for each set
// k, one invocation per element of a set; after the weight gradients, before `measure`.
@compute @workgroup_size(256)
fn relax(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let e = id.y * groups.x * 256u + id.x;
    if e >= settings.relax_size {
        return;
    }
    var mean = 0.0;
    for (var k = 0u; k < settings.relax_sets; k++) {
        mean += params[settings.relax_first + k * settings.relax_size + e];
    }
    mean /= f32(settings.relax_sets);
    for (var k = 0u; k < settings.relax_sets; k++) {
        let at = settings.relax_first + k * settings.relax_size + e;
        grads[at] += 2.0 * settings.relax_pull * (params[at] - mean);
    }
}

fn finite(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

@compute @workgroup_size(256)
fn update(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = id.y * groups.x * 256u + id.x;
    if i >= settings.parameters {
        return;
    }
    let at = SCORES * settings.sequences;
    let loss = scores[at];
    let norm = scores[at + 2u];
    if !finite(loss) || !finite(norm) {
        return;
    }
    var g = grads[i];
    if norm > settings.clip_norm {
        g *= settings.clip_norm / norm;
    }
    let p = settings.parameters;
    if settings.kind == 2u {
        // g ← clip(g, ±(1.2·u + 1e-4));  m ← β1·m + (1 − β1)·g;  u ← max(β2·u, |g|);
        // θ ← θ − lr·m / (u + ε)   (no bias correction, as `nn::Optimizer` has it)
        let bound = ADAMAX_CLIP_MULTIPLIER * moments[p + i] + ADAMAX_CLIP_EPSILON;
        let clipped = clamp(g, -bound, bound);
        let m = settings.beta1 * moments[i] + (1.0 - settings.beta1) * clipped;
        let u = max(settings.beta2 * moments[p + i], abs(clipped));
        moments[i] = m;
        moments[p + i] = u;
        params[i] -= settings.learning_rate * m / (u + settings.epsilon);
    } else if settings.kind == 0u {
        let m = settings.beta1 * moments[i] + (1.0 - settings.beta1) * g;
        let v = settings.beta2 * moments[p + i] + (1.0 - settings.beta2) * g * g;
        moments[i] = m;
        moments[p + i] = v;
        params[i] -= settings.step_size * m / (sqrt(v) / settings.root_correction2 + settings.epsilon);
    } else {
        let mean_square = settings.decay * moments[p + i] + (1.0 - settings.decay) * g * g;
        let velocity = settings.momentum * moments[i] + g / (sqrt(mean_square) + settings.epsilon);
        moments[i] = velocity;
        moments[p + i] = mean_square;
        params[i] -= settings.learning_rate * velocity;
    }
}
