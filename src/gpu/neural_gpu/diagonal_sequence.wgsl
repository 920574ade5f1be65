// The Diagonal Neural GPU's sequence kernels, one workgroup per sequence, one step per
// dispatch (the `Stage`; the host's list is DiagonalLayout::stages). `forward` embeds
// the input (step 0), runs step j of every sequence still running, and after the last
// reads and scores every column; `backward` walks the steps in reverse, leaving each
// step's ∂a_r, ∂a_c, ∂a_g (saturation cost included) and ∂a_0 for the weight-gradient
// kernel. Twins of `DiagonalNeuralGpu::{embed, step, read, read_backward, run_backward}`
// and the softmax cross-entropy of `Objective::score`.

var<workgroup> partial: array<f32, WG>;

// Adds the workgroup's sum of each invocation's `value` to total k (a fixed-order tree,
// so the same batch gives the same bits).
fn add_to_total(value: f32, k: u32) {
    partial[lane] = value;
    workgroupBarrier();
    for (var half = WG / 2u; half > 0u; half = half / 2u) {
        if lane < half {
            partial[lane] += partial[lane + half];
        }
        workgroupBarrier();
    }
    if lane == 0u {
        work[totals_at() + k] += partial[0];
    }
    sync();
}

// Dropout's keep factor (0 or 1/keep) of mask `index` at `cell`: mask 0 on s_0, mask
// j + 1 on step j's candidate; 1 without training noise.
fn keep(index: u32, cell: u32) -> f32 {
    if DROPOUT == 0u || run.noise_stride == 0u {
        return 1.0;
    }
    return batch[run.noise_offset + sequence * run.noise_stride + index * image_size() + cell];
}

// The convolution at `weights` ([m][m][3], its bias after) at (o, x) of step j, bias
// included: Σ_i Σ_t K[o, i, t]·in[i, x + t − 1].
fn convolve(weights: u32, o: u32, x: u32, j: u32, gated: bool) -> f32 {
    var total = params[weights + M * M * 3u + o];
    for (var i = 0u; i < M; i++) {
        let w = weights + (o * M + i) * 3u;
        for (var t = 0u; t < 3u; t++) {
            total += params[w + t] * conv_input(j, i, i32(x + t) - 1, gated);
        }
    }
    return total;
}

// ∂/∂in[i, x] of that convolution from ∂z at `dz`: Σ_o Σ_t K[o, i, t]·∂z[o, x − t + 1].
fn convolve_transposed(weights: u32, i: u32, x: u32, dz: u32) -> f32 {
    var total = 0.0;
    for (var o = 0u; o < M; o++) {
        for (var t = 0u; t < 3u; t++) {
            let xo = i32(x) - i32(t) + 1;
            if xo < 0 || xo >= i32(width) {
                continue;
            }
            total += params[weights + (o * M + i) * 3u + t] * work[dz + o * run.steps + u32(xo)];
        }
    }
    return total;
}

// shift(s_j) at (o, x).
fn shifted(j: u32, o: u32, x: u32) -> f32 {
    let source = i32(x) + shift_of(o);
    if source < 0 || source >= i32(width) {
        return 0.0;
    }
    return work[state(j) + o * run.steps + u32(source)];
}

// a_0 = E[i_x] + e and s_0 = keep ⊙ hτ(a_0); the input layer's saturation term counts
// n_b times.
fn embed(w: u32) {
    let size = image_size();
    var excess = 0.0;
    for (var cell = lane; cell < size; cell += WG) {
        let c = cell / run.steps;
        let x = cell % run.steps;
        var a = 0.0;
        var s = 0.0;
        if x < w {
            a = params[P_EMBEDDING_BIAS + c];
            let input = (sequence * run.steps + x) * A_IN;
            for (var i = 0u; i < A_IN; i++) {
                a += batch[input + i] * params[P_EMBEDDING_WEIGHT + i * M + c];
            }
            s = hard_tanh(a) * keep(0u, cell);
            excess += saturation_excess(a);
        }
        work[embedded_at() + cell] = a;
        work[state(0u) + cell] = s;
    }
    add_to_total(f32(w) * excess, 3u);
}

// Step j: a_r and a_g from s_j, then a_c from r ⊙ s_j, then s_{j+1}.
fn step_forward(j: u32, w: u32) {
    let size = image_size();
    var excess = 0.0;
    for (var index = lane; index < 2u * size; index += WG) {
        let gate = index >= size;
        let cell = index % size;
        let o = cell / run.steps;
        let x = cell % run.steps;
        var a = 0.0;
        if x < w {
            if gate {
                a = convolve(P_GATE, o, x, j, false) + GATE_BIAS;
            } else {
                a = convolve(P_RESET, o, x, j, false) + RESET_BIAS;
            }
            excess += saturation_excess(a);
        }
        work[region(select(0u, 2u, gate), j) + cell] = a;
    }
    sync();
    for (var cell = lane; cell < size; cell += WG) {
        var a = 0.0;
        if cell % run.steps < w {
            a = convolve(P_CANDIDATE, cell / run.steps, cell % run.steps, j, true);
            excess += saturation_excess(a);
        }
        work[region(1u, j) + cell] = a;
    }
    sync();
    for (var cell = lane; cell < size; cell += WG) {
        let o = cell / run.steps;
        let x = cell % run.steps;
        var value = 0.0;
        if x < w {
            let g = hard_sigmoid(work[region(2u, j) + cell]);
            let c = hard_tanh(work[region(1u, j) + cell]) * keep(j + 1u, cell);
            value = g * shifted(j, o, x) + (1.0 - g) * c;
        }
        work[state(j + 1u) + cell] = value;
    }
    add_to_total(excess, 3u);
}

// logits[x] = O·s_{n_b}[:, x] + o for every column, then invocation 0 scores them: the
// loss summed over columns, and ∂logits of the loss the model trains on, the mean over
// the sequence's columns (times the batch mean).
fn read_and_score(w: u32) {
    let last = state(w);
    for (var index = lane; index < w * A_OUT; index += WG) {
        let x = index / A_OUT;
        let a = index % A_OUT;
        var total = params[P_OUTPUT_BIAS + a];
        for (var c = 0u; c < M; c++) {
            total += params[P_OUTPUT_WEIGHT + a * M + c] * work[last + c * run.steps + x];
        }
        work[logits_at() + index] = total;
    }
    sync();
    if lane == 0u {
        let totals = totals_at();
        let scale = run.loss_scale / f32(w);
        for (var x = 0u; x < w; x++) {
            let logits = logits_at() + x * A_OUT;
            let dlogits = dlogits_at() + x * A_OUT;
            let row = (sequence * run.steps + x) * A_OUT;
            let targets = run.target_offset + row;
            let alternatives = run.alternative_offset + row;
            let m = batch[run.mask_offset + sequence * run.steps + x];
            var chosen = 0u;
            var largest = work[logits];
            for (var a = 1u; a < A_OUT; a++) {
                if work[logits + a] > work[logits + chosen] {
                    chosen = a;
                }
                largest = max(largest, work[logits + a]);
            }
            var sum = 0.0;
            for (var a = 0u; a < A_OUT; a++) {
                sum += exp(work[logits + a] - largest);
            }
            let log_sum = log(sum);
            var loss = 0.0;
            for (var a = 0u; a < A_OUT; a++) {
                let q = batch[targets + a];
                let log_p = work[logits + a] - largest - log_sum;
                loss -= q * log_p;
                work[dlogits + a] = scale * m * (exp(log_p) - q);
            }
            work[totals] += m * loss;
            work[totals + 1u] += select(0.0, m, batch[targets + chosen] < 0.5);
            work[totals + 2u] += select(0.0, m, batch[alternatives + chosen] < 0.5);
        }
        let errors = min(work[totals + 1u], work[totals + 2u]);
        let at = SCORES * sequence;
        for (var k = 3u; k < SCORES; k++) {
            scores[at + k] = 0.0;
        }
        scores[at] = work[totals];
        scores[at + 1u] = errors;
        scores[at + 2u] = select(0.0, 1.0, errors > 0.0);
        scores[at + SCORES - 1u] = work[totals + 3u] / f32(w * w);
    }
    sync();
}

// Step j of every sequence still running (the stage's); step 0 first embeds the input,
// and after the last step every sequence reads and scores its columns.
@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    begin(group.x, local);
    let w = sequence_width(group.x);
    let j = stage.application;
    if j == 0u {
        if lane < 4u {
            work[totals_at() + lane] = 0.0;
        }
        sync();
        embed(w);
    }
    if j < w {
        step_forward(j, w);
    }
    if (stage.flags & FINISH) != 0u {
        read_and_score(w);
    }
}

// Backward of step j from ∂s_{j+1} (at dout_at), leaving ∂s_j there; `weight` is the
// saturation cost's weight on this sequence (its gradient joins each pre-activation's).
fn step_backward(j: u32, w: u32, weight: f32) {
    let size = image_size();
    let dout = dout_at();
    let dacc = dacc_at();
    // s' = g ⊙ shift(s) + (1 − g) ⊙ c; ∂acc[o, x] = (∂s' ⊙ g)[o, x − shift_of(o)].
    for (var cell = lane; cell < size; cell += WG) {
        let o = cell / run.steps;
        let x = cell % run.steps;
        var dgate = 0.0;
        var dcand = 0.0;
        var from_shift = 0.0;
        if x < w {
            let d = work[dout + cell];
            let ag = work[region(2u, j) + cell];
            let ac = work[region(1u, j) + cell];
            let kept = keep(j + 1u, cell);
            let c = hard_tanh(ac) * kept;
            dgate = d * (shifted(j, o, x) - c) * hard_sigmoid_derivative(ag) + weight * saturation_sign(ag);
            dcand = d * (1.0 - hard_sigmoid(ag)) * kept * hard_tanh_derivative(ac) + weight * saturation_sign(ac);
            let source = i32(x) - shift_of(o);
            if source >= 0 && source < i32(w) {
                let at = o * run.steps + u32(source);
                from_shift = work[dout + at] * hard_sigmoid(work[region(2u, j) + at]);
            }
        }
        work[region(5u, j) + cell] = dgate;
        work[region(4u, j) + cell] = dcand;
        work[dacc + cell] = from_shift;
    }
    sync();
    // c = hτ(conv_c(r ⊙ s)), r = hσ(a_r).
    for (var cell = lane; cell < size; cell += WG) {
        let i = cell / run.steps;
        let x = cell % run.steps;
        var dreset = 0.0;
        if x < w {
            let dgated = convolve_transposed(P_CANDIDATE, i, x, region(4u, j));
            let ar = work[region(0u, j) + cell];
            dreset = dgated * work[state(j) + cell] * hard_sigmoid_derivative(ar) + weight * saturation_sign(ar);
            work[dacc + cell] += dgated * hard_sigmoid(ar);
        }
        work[region(3u, j) + cell] = dreset;
    }
    sync();
    // a_g and a_r read s directly.
    for (var cell = lane; cell < size; cell += WG) {
        let i = cell / run.steps;
        let x = cell % run.steps;
        var value = 0.0;
        if x < w {
            value = work[dacc + cell]
                + convolve_transposed(P_GATE, i, x, region(5u, j))
                + convolve_transposed(P_RESET, i, x, region(3u, j));
        }
        work[dout + cell] = value;
    }
    sync();
}

// Step j's backward for every sequence, in the reverse of the forward's order. The first
// stage takes ∂s_{n_b} from the logits' gradient; step 0's also takes ∂a_0.
@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    begin(group.x, local);
    let w = sequence_width(group.x);
    let j = stage.application;
    let size = image_size();
    let weight = run.regulariser_weight * run.loss_scale / f32(w * w);
    if (stage.flags & FIRST) != 0u {
        // ∂s_{n_b}[c, x] = Σ_a O[a, c]·∂logits[x, a]
        for (var cell = lane; cell < size; cell += WG) {
            let c = cell / run.steps;
            let x = cell % run.steps;
            var total = 0.0;
            if x < w {
                for (var a = 0u; a < A_OUT; a++) {
                    total += params[P_OUTPUT_WEIGHT + a * M + c] * work[dlogits_at() + x * A_OUT + a];
                }
            }
            work[dout_at() + cell] = total;
        }
        sync();
    }
    if j < w {
        step_backward(j, w, weight);
    }
    if j == 0u {
        // s_0 = keep ⊙ hτ(a_0): ∂a_0, with the input layer's saturation term ×n_b.
        for (var cell = lane; cell < size; cell += WG) {
            var value = 0.0;
            if cell % run.steps < w {
                let a = work[embedded_at() + cell];
                value = work[dout_at() + cell] * keep(0u, cell) * hard_tanh_derivative(a)
                    + f32(w) * weight * saturation_sign(a);
            }
            work[embedded_at() + cell] = value;
        }
    }
}
