// The LRU-access memory in the generative order (generative.md §8.2), twin of
// `memory::lru::latent`:
//
//   w^{r,i}_t[j] = softmax_j K(k^i, M_{t−1}[j]),   r^i = M_{t−1}ᵀ w^{r,i}_t     (k = heads.read(h))
//   [v^i; α̂^i] = heads.write([h_t; z_t]),  α^i = σ(α̂^i)
//   w^{w,i}_t = α^i w^{r,i}_t + (1 − α^i) w^{lu}_{t−1}
//   M_t = M' + Σ_i w^{w,i}_t (v^i)ᵀ     (M' = M_{t−1} with row argmin w^u_{t−1} zeroed)
//   w^u_t = γ w^u_{t−1} + Σ_i (w^{r,i}_t + w^{w,i}_t),  w^{lu}_t as models.md §4
//
// Usage, w^{lu} and the zeroed row are constants for differentiation (decision 2).

const WRITE_HEAD: u32 = MW + 1u;
const USAGE_DECAY: f32 = 0.95;

fn memory_initial(first: u32) {
    let state = first + F_STATE;
    fill(state + S_MEMORY, N * MW, INITIAL_MEMORY);
    fill(state + S_USAGE, N, 0.0);
    // w^{lu}_0 from zero usage: ones on slots 0..R−1.
    for (var k = lane; k < N; k += WG) {
        work[state + S_LEAST_USED + k] = select(0.0, 1.0, k < R);
    }
    sync();
    row_norms(state + S_MEMORY, state + S_NORMS);
}

fn memory_read(t: u32, now: u32, before: u32) {
    let old = before + F_STATE;
    affine(P_HEADS_READ_WEIGHT, P_HEADS_READ_BIAS, R * MW, H, now + F_CONTEXT, now + F_KEYS);
    sync();
    for (var i = lane; i < R; i += WG) {
        work[now + F_KEY_NORMS + i] = norm_of(now + F_KEYS + i * MW, MW);
    }
    sync();
    for (var i = 0u; i < R; i++) {
        content_weighting(old + S_MEMORY, old + S_NORMS, now + F_KEYS + i * MW,
            work[now + F_KEY_NORMS + i], 1.0, now + F_SIMILARITY + i * N,
            now + F_READ_WEIGHTS + i * N, N);
        read_memory(old + S_MEMORY, now + F_READ_WEIGHTS + i * N, now + F_CONTEXT + H + i * MW);
    }
    sync();
}

fn write_gate(now: u32, head: u32) -> f32 {
    return sigmoid(work[now + F_WRITE_RAW + head * WRITE_HEAD + MW]);
}

fn memory_write(t: u32, now: u32, before: u32) {
    let state = now + F_STATE;
    let old = before + F_STATE;
    affine(P_HEADS_WRITE_WEIGHT, P_HEADS_WRITE_BIAS, R * WRITE_HEAD, H + Z, now + F_HZ,
        now + F_WRITE_RAW);
    sync();
    for (var at = lane; at < R * N; at += WG) {
        let alpha = write_gate(now, at / N);
        work[now + F_WRITE_WEIGHTS + at] = alpha * work[now + F_READ_WEIGHTS + at]
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
    sync();
    let zeroed = u32(work[now + F_ZEROED]);
    for (var at = lane; at < N * MW; at += WG) {
        let k = at / MW;
        let j = at % MW;
        var value = select(work[old + S_MEMORY + at], 0.0, k == zeroed);
        for (var i = 0u; i < R; i++) {
            value += work[now + F_WRITE_WEIGHTS + i * N + k] * work[now + F_WRITE_RAW + i * WRITE_HEAD + j];
        }
        work[state + S_MEMORY + at] = value;
    }
    for (var k = lane; k < N; k += WG) {
        var touched = 0.0;
        for (var i = 0u; i < R; i++) {
            touched += work[now + F_READ_WEIGHTS + i * N + k] + work[now + F_WRITE_WEIGHTS + i * N + k];
        }
        work[state + S_USAGE + k] = USAGE_DECAY * work[old + S_USAGE + k] + touched;
    }
    sync();
    row_norms(state + S_MEMORY, state + S_NORMS);
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

// Leaves the gradient of this step's read weightings through the write weightings at
// C_DREAD_WEIGHTS.
fn memory_write_backward(t: u32, now: u32, before: u32, dnext: u32, dprevious: u32, gradients: u32) {
    let old = before + F_STATE;
    let draw = gradients + G_DWRITE_RAW;
    fill(draw, R * WRITE_HEAD, 0.0);
    fill(carry + C_DREAD_WEIGHTS, R * N, 0.0);
    sync();
    for (var i = 0u; i < R; i++) {
        // dv = Σ_k w[k] dM[k];  dw[k] = dM[k] · v.
        let value = now + F_WRITE_RAW + i * WRITE_HEAD;
        let weights = now + F_WRITE_WEIGHTS + i * N;
        for (var k = lane; k < N; k += WG) {
            var total = 0.0;
            for (var j = 0u; j < MW; j++) {
                total += work[dnext + S_MEMORY + k * MW + j] * work[value + j];
            }
            work[carry + C_DWRITE + k] = total;
        }
        for (var j = lane; j < MW; j += WG) {
            var total = 0.0;
            for (var k = 0u; k < N; k++) {
                total += work[dnext + S_MEMORY + k * MW + j] * work[weights + k];
            }
            work[draw + i * WRITE_HEAD + j] = total;
        }
        sync();
        let alpha = write_gate(now, i);
        var dalpha = 0.0;
        for (var k = lane; k < N; k += WG) {
            let dwrite = work[carry + C_DWRITE + k];
            dalpha += dwrite * (work[now + F_READ_WEIGHTS + i * N + k] - work[old + S_LEAST_USED + k]);
            work[carry + C_DREAD_WEIGHTS + i * N + k] += alpha * dwrite;
        }
        dalpha = sum1(dalpha);
        if lane == 0u {
            work[draw + i * WRITE_HEAD + MW] = dalpha * alpha * (1.0 - alpha);
        }
        sync();
    }
    // M' passes M_{t−1} except the zeroed row.
    let zeroed = u32(work[now + F_ZEROED]);
    for (var at = lane; at < N * MW; at += WG) {
        if at / MW != zeroed {
            work[dprevious + S_MEMORY + at] += work[dnext + S_MEMORY + at];
        }
    }
    affine_backward_input(P_HEADS_WRITE_WEIGHT, R * WRITE_HEAD, H + Z, draw, carry + C_DHZ);
    sync();
}

fn memory_read_backward(t: u32, now: u32, before: u32, dnext: u32, dprevious: u32, gradients: u32) {
    let old = before + F_STATE;
    let dkeys = gradients + G_DREAD_RAW;
    fill(dkeys, R * MW, 0.0);
    sync();
    for (var i = 0u; i < R; i++) {
        let weights = now + F_READ_WEIGHTS + i * N;
        read_memory_backward(old + S_MEMORY, weights, carry + C_DCONTEXT + H + i * MW,
            dprevious + S_MEMORY, carry + C_DREAD_WEIGHTS + i * N);
        content_weighting_backward(old + S_MEMORY, old + S_NORMS, now + F_KEYS + i * MW,
            work[now + F_KEY_NORMS + i], 1.0, now + F_SIMILARITY + i * N, weights,
            carry + C_DREAD_WEIGHTS + i * N, dprevious + S_MEMORY, dkeys + i * MW,
            carry + C_CONTENT_SCRATCH, N);
    }
    affine_backward_input(P_HEADS_READ_WEIGHT, R * MW, H, dkeys, carry + C_DH_TOP);
    sync();
}
