// The LRU memory's write and usage (models.md §4), shared by the LRU core (controller.wgsl)
// and the generative models' LRU memory (latent.wgsl), which differ in what they read
// and when: at `raw` are R head-major blocks [v^i (MW); α̂^i (1)] (the core writes its
// keys, the generative memory its values), and `reads` are the read weightings w^{r,i}
// the write gate mixes with w^{lu}_{t−1} (the core's previous ones, the generative
// memory's of this step).

const LRU_HEAD: u32 = MW + 1u;
const LRU_USAGE_DECAY: f32 = 0.95;

fn lru_write_gate(raw: u32, head: u32) -> f32 {
    return sigmoid(work[raw + head * LRU_HEAD + MW]);
}

// Memory M_0 = 1e-6 with its norms, zero usage and w^{lu}_0 from it: ones on slots
// 0..R−1.
fn lru_initial(state: u32) {
    fill(state + S_MEMORY, N * MW, INITIAL_MEMORY);
    fill(state + S_USAGE, N, 0.0);
    for (var k = lane; k < N; k += WG) {
        work[state + S_LEAST_USED + k] = select(0.0, 1.0, k < R);
    }
    sync();
    row_norms(state + S_MEMORY, state + S_NORMS);
}

// w^{w,i} = α^i w^{r,i} + (1 − α^i) w^{lu}_{t−1}, and the row M' zeroes: argmin w^u_{t−1}
// (ties: the lower slot).
fn lru_write_weights(now: u32, old: u32, raw: u32, reads: u32) {
    for (var at = lane; at < R * N; at += WG) {
        let alpha = lru_write_gate(raw, at / N);
        work[now + F_WRITE_WEIGHTS + at] = alpha * work[reads + at]
            + (1.0 - alpha) * work[old + S_LEAST_USED + at % N];
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
}

// M_t = M' + Σ_i w^{w,i} v^iᵀ (M' = M_{t−1} with the zeroed row 0).
fn lru_write_memory(now: u32, old: u32, state: u32, raw: u32) {
    let zeroed = u32(work[now + F_ZEROED]);
    for (var at = lane; at < N * MW; at += WG) {
        let k = at / MW;
        let j = at % MW;
        var value = select(work[old + S_MEMORY + at], 0.0, k == zeroed);
        for (var i = 0u; i < R; i++) {
            value += work[now + F_WRITE_WEIGHTS + i * N + k] * work[raw + i * LRU_HEAD + j];
        }
        work[state + S_MEMORY + at] = value;
    }
}

// w^u_t = γ w^u_{t−1} + Σ_i (w^{r,i}_t + w^{w,i}_t), with this step's reads at `reads`.
fn lru_usage(now: u32, old: u32, state: u32, reads: u32) {
    for (var k = lane; k < N; k += WG) {
        var touched = 0.0;
        for (var i = 0u; i < R; i++) {
            touched += work[reads + i * N + k] + work[now + F_WRITE_WEIGHTS + i * N + k];
        }
        work[state + S_USAGE + k] = LRU_USAGE_DECAY * work[old + S_USAGE + k] + touched;
    }
}

// w^{lu}_t: the R smallest usages, ties to the lower slot.
fn lru_least_used(state: u32) {
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
}

// Backward of the write: dv^i = Σ_k w^{w,i}[k] dM[k] added into `draw` (head-major as
// `raw`: the core's key gradient from its read is already there) and dα̂^i written there,
// the read weightings' part added into `dreads`, and dM_{t−1} except the zeroed row into
// `dprevious`. `scratch` holds N floats.
fn lru_write_backward(now: u32, old: u32, dnext: u32, dprevious: u32, raw: u32, reads: u32,
    draw: u32, dreads: u32, scratch: u32) {
    for (var i = 0u; i < R; i++) {
        let value = raw + i * LRU_HEAD;
        let weights = now + F_WRITE_WEIGHTS + i * N;
        for (var k = lane; k < N; k += WG) {
            var total = 0.0;
            for (var j = 0u; j < MW; j++) {
                total += work[dnext + S_MEMORY + k * MW + j] * work[value + j];
            }
            work[scratch + k] = total;
        }
        for (var j = lane; j < MW; j += WG) {
            var total = 0.0;
            for (var k = 0u; k < N; k++) {
                total += work[dnext + S_MEMORY + k * MW + j] * work[weights + k];
            }
            work[draw + i * LRU_HEAD + j] += total;
        }
        sync();
        // w^{w,i} = α w^{r,i} + (1 − α) w^{lu}_{t−1}.
        let alpha = lru_write_gate(raw, i);
        var dalpha = 0.0;
        for (var k = lane; k < N; k += WG) {
            let dwrite = work[scratch + k];
            dalpha += dwrite * (work[reads + i * N + k] - work[old + S_LEAST_USED + k]);
            work[dreads + i * N + k] += alpha * dwrite;
        }
        dalpha = sum1(dalpha);
        if lane == 0u {
            work[draw + i * LRU_HEAD + MW] = dalpha * alpha * (1.0 - alpha);
        }
        sync();
    }
    let zeroed = u32(work[now + F_ZEROED]);
    for (var at = lane; at < N * MW; at += WG) {
        if at / MW != zeroed {
            work[dprevious + S_MEMORY + at] += work[dnext + S_MEMORY + at];
        }
    }
}
