// Least-recently-used access core (models.md §4), twin of `models::lru` and
// `memory::lru`. Raw head parameters at F_RAW are head-major blocks [k^i (MW); α^i (1)].
// The zeroed row and the least-used indicator are constants for differentiation, and
// usage reaches the loss only through them, so no gradient flows into usage.

const HEAD_RAW: u32 = MW + 1u;
const USAGE_DECAY: f32 = 0.95;

// Carry scratch.
const CONTENT_SCRATCH: u32 = C_SCRATCH;
const DWRITE: u32 = C_SCRATCH + N;

fn core_initial(first: u32) {
    let state = first + F_STATE;
    fill(state + S_READ, RW, 0.0);
    fill(state + S_MEMORY, N * MW, INITIAL_MEMORY);
    fill(state + S_USAGE, N, 0.0);
    fill(state + S_READ_WEIGHTS, R * N, 0.0);
    // w^{lu}_0 follows its own rule from zero usage: ones on slots 0..R−1.
    for (var k = lane; k < N; k += WG) {
        work[state + S_LEAST_USED + k] = select(0.0, 1.0, k < R);
    }
    sync();
    row_norms(state + S_MEMORY, state + S_NORMS);
}

fn write_gate(now: u32, head: u32) -> f32 {
    return sigmoid(work[now + F_RAW + head * HEAD_RAW + MW]);
}

fn core_forward(now: u32, before: u32) {
    let state = now + F_STATE;
    let old = before + F_STATE;
    affine(P_HEADS_WEIGHT, P_HEADS_BIAS, R * HEAD_RAW, H, controller_output(now), now + F_RAW);
    sync();
    // w^{w,i} = α^i w^{r,i}_{t−1} + (1 − α^i) w^{lu}_{t−1}.
    for (var at = lane; at < R * N; at += WG) {
        let alpha = write_gate(now, at / N);
        work[now + F_WRITE_WEIGHTS + at] = alpha * work[old + S_READ_WEIGHTS + at]
            + (1.0 - alpha) * work[old + S_LEAST_USED + at % N];
    }
    for (var i = lane; i < R; i += WG) {
        work[now + F_KEY_NORMS + i] = norm_of(now + F_RAW + i * HEAD_RAW, MW);
    }
    if lane == 0u {
        var least = 0u;
        for (var k = 1u; k < N; k++) {
            if work[old + S_USAGE + k] < work[old + S_USAGE + least] {
                least = k;
            }
        }
        work[now + F_ZEROED] = f32(least);
    }
    sync();
    // M_t = M_{t−1} with the least-used row zeroed, plus Σ_i w^{w,i} k^iᵀ.
    let zeroed = u32(work[now + F_ZEROED]);
    for (var at = lane; at < N * MW; at += WG) {
        let k = at / MW;
        let j = at % MW;
        var value = select(work[old + S_MEMORY + at], 0.0, k == zeroed);
        for (var i = 0u; i < R; i++) {
            value += work[now + F_WRITE_WEIGHTS + i * N + k] * work[now + F_RAW + i * HEAD_RAW + j];
        }
        work[state + S_MEMORY + at] = value;
    }
    sync();
    row_norms(state + S_MEMORY, state + S_NORMS);
    sync();
    for (var i = 0u; i < R; i++) {
        content_weighting(state + S_MEMORY, state + S_NORMS, now + F_RAW + i * HEAD_RAW,
            work[now + F_KEY_NORMS + i], 1.0, now + F_SIMILARITY + i * N,
            state + S_READ_WEIGHTS + i * N, N);
        read_memory(state + S_MEMORY, state + S_READ_WEIGHTS + i * N, state + S_READ + i * MW);
    }
    // w^u_t = γ w^u_{t−1} + Σ_i (w^{r,i}_t + w^{w,i}_t).
    for (var k = lane; k < N; k += WG) {
        var touched = 0.0;
        for (var i = 0u; i < R; i++) {
            touched += work[state + S_READ_WEIGHTS + i * N + k] + work[now + F_WRITE_WEIGHTS + i * N + k];
        }
        work[state + S_USAGE + k] = USAGE_DECAY * work[old + S_USAGE + k] + touched;
    }
    sync();
    // w^{lu}_t: the R smallest usages, ties to the lower slot.
    for (var k = lane; k < N; k += WG) {
        let mine = work[state + S_USAGE + k];
        var rank = 0u;
        for (var j = 0u; j < N; j++) {
            let other = work[state + S_USAGE + j];
            if other < mine || (other == mine && j < k) {
                rank += 1u;
            }
        }
        work[state + S_LEAST_USED + k] = select(0.0, 1.0, rank < R);
    }
    sync();
}

fn core_backward(now: u32, before: u32, dnext: u32, dprevious: u32, gradients: u32) {
    let state = now + F_STATE;
    let old = before + F_STATE;
    let draw = gradients + G_DRAW;
    for (var i = 0u; i < R; i++) {
        let weights = state + S_READ_WEIGHTS + i * N;
        read_memory_backward(state + S_MEMORY, weights, dnext + S_READ + i * MW,
            dnext + S_MEMORY, dnext + S_READ_WEIGHTS + i * N);
        content_weighting_backward(state + S_MEMORY, state + S_NORMS, now + F_RAW + i * HEAD_RAW,
            work[now + F_KEY_NORMS + i], 1.0, now + F_SIMILARITY + i * N, weights,
            dnext + S_READ_WEIGHTS + i * N, dnext + S_MEMORY, draw + i * HEAD_RAW,
            carry + CONTENT_SCRATCH, N);
    }
    for (var i = 0u; i < R; i++) {
        // M_t = M' + Σ_i w^{w,i} k^iᵀ.
        let key = now + F_RAW + i * HEAD_RAW;
        let write_weights = now + F_WRITE_WEIGHTS + i * N;
        for (var k = lane; k < N; k += WG) {
            var total = 0.0;
            for (var j = 0u; j < MW; j++) {
                total += work[dnext + S_MEMORY + k * MW + j] * work[key + j];
            }
            work[carry + DWRITE + k] = total;
        }
        for (var j = lane; j < MW; j += WG) {
            var total = 0.0;
            for (var k = 0u; k < N; k++) {
                total += work[dnext + S_MEMORY + k * MW + j] * work[write_weights + k];
            }
            work[draw + i * HEAD_RAW + j] += total;
        }
        sync();
        // w^{w,i} = α w^{r,i}_{t−1} + (1 − α) w^{lu}_{t−1}.
        let alpha = write_gate(now, i);
        var dalpha = 0.0;
        for (var k = lane; k < N; k += WG) {
            let dwrite = work[carry + DWRITE + k];
            dalpha += dwrite * (work[old + S_READ_WEIGHTS + i * N + k] - work[old + S_LEAST_USED + k]);
            work[dprevious + S_READ_WEIGHTS + i * N + k] += alpha * dwrite;
        }
        dalpha = sum1(dalpha);
        if lane == 0u {
            work[draw + i * HEAD_RAW + MW] = dalpha * alpha * (1.0 - alpha);
        }
        sync();
    }
    let zeroed = u32(work[now + F_ZEROED]);
    for (var at = lane; at < N * MW; at += WG) {
        if at / MW != zeroed {
            work[dprevious + S_MEMORY + at] += work[dnext + S_MEMORY + at];
        }
    }
    affine_backward_input(P_HEADS_WEIGHT, R * HEAD_RAW, H, draw, carry + C_DH_TOP);
    sync();
}
