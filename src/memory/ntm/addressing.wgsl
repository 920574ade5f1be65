// NTM addressing (models.md §2), shared by the NTM core and the generative models' NTM
// memory, twin of `memory::ntm::head`: content, interpolation with the head's previous
// weighting, shift and sharpening, and their backward; and what both orders do alike,
// the initial state, the write and its backward. Head 0 is the write head, heads
// 1..=R the read heads. Their raw parameters sit in F_RAW (the write head's 3·MW + 6
// rows, then MW + 6 per read head); F_HEADS holds per head its addressing intermediates
// (similarity, content, gated, shifted, ln(w̃/m), N each) and its transformed scalars.

const WRITE_RAW: u32 = 3u * MW + 6u;
const READ_RAW: u32 = MW + 6u;
const HEAD_CACHE: u32 = 5u * N + 10u;
// Scalars after the five N-vectors of a head's cache.
const STRENGTH: u32 = 0u;
const GATE: u32 = 1u;
const SHIFT: u32 = 2u;
const SHARPENING: u32 = 5u;
const KEY_NORM: u32 = 6u;
const SHARPEN_SUM: u32 = 7u;
const MAXIMUM: u32 = 8u;

// Carry scratch: dw̃, dc and the content backward's N floats.
const DSHIFTED: u32 = C_SCRATCH;
const DCONTENT: u32 = C_SCRATCH + N;
const CONTENT_SCRATCH: u32 = C_SCRATCH + 2u * N;

// `total` plus column `c` of the read heads' part of dh_t, Σ_heads Wᵀ draw, summed head
// by head and row by row (`draw` holds the raw parameters' gradient, as F_RAW lays them).
fn read_heads_input_gradient(total: f32, c: u32, draw: u32) -> f32 {
    var sum = total;
    for (var head = 0u; head < R; head++) {
        for (var r = 0u; r < READ_RAW; r++) {
            let weight = P_HEADS_READ_0_WEIGHT + head * READ_HEAD_STRIDE + r * H;
            sum += params[weight + c] * work[draw + WRITE_RAW + head * READ_RAW + r];
        }
    }
    return sum;
}

fn head_raw(head: u32) -> u32 {
    return select(F_RAW + WRITE_RAW + (head - 1u) * READ_RAW, F_RAW, head == 0u);
}

fn head_cache(head: u32) -> u32 {
    return F_HEADS + head * HEAD_CACHE;
}

fn head_scalars(head: u32) -> u32 {
    return head_cache(head) + 5u * N;
}

// Source slot of shift index s for target slot i: (i − δ) mod N with δ = s − 1.
fn shift_source(i: u32, s: u32) -> u32 {
    return (i + N + 1u - s) % N;
}

// A head's transformed parameters from its raw ones: β = softplus, g = σ, s = softmax,
// γ = oneplus, and ‖k‖. By one invocation.
fn head_transforms(head: u32, now: u32) {
    let raw = now + head_raw(head);
    let scalars = now + head_scalars(head);
    work[scalars + STRENGTH] = softplus(work[raw + MW]);
    work[scalars + GATE] = sigmoid(work[raw + MW + 1u]);
    let top = max(work[raw + MW + 2u], max(work[raw + MW + 3u], work[raw + MW + 4u]));
    var total = 0.0;
    for (var s = 0u; s < 3u; s++) {
        let e = exp(work[raw + MW + 2u + s] - top);
        work[scalars + SHIFT + s] = e;
        total += e;
    }
    for (var s = 0u; s < 3u; s++) {
        work[scalars + SHIFT + s] *= 1.0 / total;
    }
    work[scalars + SHARPENING] = oneplus(work[raw + MW + 5u]);
    work[scalars + KEY_NORM] = norm_of(raw, MW);
}

// Addresses memory (with its row norms) for `head` given its previous weighting; writes
// the new weighting to `weights`. Ends with a barrier.
fn address(head: u32, now: u32, memory: u32, norms: u32, previous: u32, weights: u32) {
    let cache = now + head_cache(head);
    let scalars = now + head_scalars(head);
    content_weighting(memory, norms, now + head_raw(head), work[scalars + KEY_NORM],
        work[scalars + STRENGTH], cache, cache + N, N);
    let gate = work[scalars + GATE];
    for (var i = lane; i < N; i += WG) {
        work[cache + 2u * N + i] = gate * work[cache + N + i] + (1.0 - gate) * work[previous + i];
    }
    sync();
    // w̃[i] = Σ_s s[s] · w_g[src(i, s)], then sharpening relative to m = max w̃.
    var largest = 0.0;
    for (var i = lane; i < N; i += WG) {
        var shifted = 0.0;
        for (var s = 0u; s < 3u; s++) {
            shifted += work[scalars + SHIFT + s] * work[cache + 2u * N + shift_source(i, s)];
        }
        work[cache + 3u * N + i] = shifted;
        largest = max(largest, shifted);
    }
    let m = max1(largest);
    let gamma = work[scalars + SHARPENING];
    var total = 0.0;
    for (var i = lane; i < N; i += WG) {
        let shifted = work[cache + 3u * N + i];
        var ratio_log = 0.0;
        var term = 0.0;
        if m > 0.0 && shifted > 0.0 {
            ratio_log = log(shifted / m);
            term = exp(gamma * ratio_log);
        }
        work[cache + 4u * N + i] = ratio_log;
        work[weights + i] = term;
        total += term;
    }
    let sum = sum1(total);
    for (var i = lane; i < N; i += WG) {
        if sum > 0.0 {
            work[weights + i] /= sum;
        }
    }
    if lane == 0u {
        work[scalars + SHARPEN_SUM] = sum;
        work[scalars + MAXIMUM] = m;
    }
    sync();
}

// Backward of `address` given dw at `dweights`: accumulates dM into `dmemory` and dw_{t−1}
// into `dprevious`, and writes the head's raw gradients (key, β, g, s, γ) at `draw`.
fn address_backward(
    head: u32, now: u32, memory: u32, norms: u32, previous: u32, weights: u32,
    dweights: u32, dmemory: u32, dprevious: u32, draw: u32,
) {
    let cache = now + head_cache(head);
    let scalars = now + head_scalars(head);
    let raw = now + head_raw(head);
    let gamma = work[scalars + SHARPENING];
    let m = work[scalars + MAXIMUM];
    let sum = work[scalars + SHARPEN_SUM];
    // Sharpening: w = p / S with p_i = (w̃_i/m)^γ; ∂p/∂w̃ = γ (w̃/m)^(γ−1) / m.
    let weighted = weighted_sum(weights, dweights, N);
    var partial = vec4<f32>(0.0);
    for (var i = lane; i < N; i += WG) {
        var dshifted = 0.0;
        if m > 0.0 && work[cache + 3u * N + i] > 0.0 {
            let ratio_log = work[cache + 4u * N + i];
            let dp = (work[dweights + i] - weighted) / sum;
            dshifted = dp * gamma * exp((gamma - 1.0) * ratio_log) / m;
            partial.x += dp * exp(gamma * ratio_log) * ratio_log;
        }
        work[carry + DSHIFTED + i] = dshifted;
        for (var s = 0u; s < 3u; s++) {
            partial[s + 1u] += dshifted * work[cache + 2u * N + shift_source(i, s)];
        }
    }
    let sharpen_and_shift = sum4(partial);
    // Shift (dw_g[j] gathers from the slots it fed) and interpolation.
    let gate = work[scalars + GATE];
    var dgate = 0.0;
    for (var j = lane; j < N; j += WG) {
        var dgated = 0.0;
        for (var s = 0u; s < 3u; s++) {
            dgated += work[scalars + SHIFT + s] * work[carry + DSHIFTED + (j + s + N - 1u) % N];
        }
        dgate += dgated * (work[cache + N + j] - work[previous + j]);
        work[carry + DCONTENT + j] = gate * dgated;
        work[dprevious + j] += (1.0 - gate) * dgated;
    }
    dgate = sum1(dgate);
    let strength = work[scalars + STRENGTH];
    let dstrength = content_weighting_backward(memory, norms, raw, work[scalars + KEY_NORM],
        strength, cache, cache + N, carry + DCONTENT, dmemory, draw, carry + CONTENT_SCRATCH, N);
    if lane == 0u {
        work[draw + MW] = dstrength * sigmoid(work[raw + MW]);
        work[draw + MW + 1u] = dgate * gate * (1.0 - gate);
        var shift_weighted = 0.0;
        for (var s = 0u; s < 3u; s++) {
            shift_weighted += work[scalars + SHIFT + s] * sharpen_and_shift[s + 1u];
        }
        for (var s = 0u; s < 3u; s++) {
            let p = work[scalars + SHIFT + s];
            work[draw + MW + 2u + s] = p * (sharpen_and_shift[s + 1u] - shift_weighted);
        }
        work[draw + MW + 5u] = sharpen_and_shift.x * sigmoid(work[raw + MW + 5u]);
    }
    sync();
}

// M_0 = 1e-6, every head's weighting one-hot on slot 0 (models.md §0; see
// `NtmCore::initial_state` for why not 0).
fn ntm_initial(state: u32) {
    fill(state + S_MEMORY, N * MW, INITIAL_MEMORY);
    fill(state + S_WRITE_WEIGHTS, N, 0.0);
    fill(state + S_READ_WEIGHTS, R * N, 0.0);
    sync();
    row_norms(state + S_MEMORY, state + S_NORMS);
    if lane == 0u {
        work[state + S_WRITE_WEIGHTS] = 1.0;
        for (var i = 0u; i < R; i++) {
            work[state + S_READ_WEIGHTS + i * N] = 1.0;
        }
    }
}

// e = σ(ê), from the write head's raw rows.
fn ntm_erase(now: u32) {
    for (var j = lane; j < MW; j += WG) {
        work[now + F_ERASE + j] = sigmoid(work[now + F_RAW + MW + 6u + j]);
    }
}

// The write head addresses M_{t−1} (at `old`) and M_t = M_{t−1} ⊙ (1 − w eᵀ) + w aᵀ goes
// to `state`, with its row norms.
fn ntm_write(now: u32, old: u32, state: u32) {
    address(0u, now, old + S_MEMORY, old + S_NORMS, old + S_WRITE_WEIGHTS, state + S_WRITE_WEIGHTS);
    erase_and_add(old + S_MEMORY, state + S_WRITE_WEIGHTS, now + F_ERASE,
        now + F_RAW + 2u * MW + 6u, state + S_MEMORY);
    sync();
    row_norms(state + S_MEMORY, state + S_NORMS);
    sync();
}

// Backward of `ntm_write`: erase and add (the write head's raw erase and add gradients,
// at `draw`), then its addressing.
fn ntm_write_backward(now: u32, old: u32, state: u32, dnext: u32, dprevious: u32, draw: u32) {
    erase_and_add_backward(old + S_MEMORY, state + S_WRITE_WEIGHTS, now + F_ERASE,
        now + F_RAW + 2u * MW + 6u, dnext + S_MEMORY, dprevious + S_MEMORY,
        dnext + S_WRITE_WEIGHTS, draw + MW + 6u, draw + 2u * MW + 6u);
    for (var j = lane; j < MW; j += WG) {
        let e = work[now + F_ERASE + j];
        work[draw + MW + 6u + j] *= e * (1.0 - e);
    }
    sync();
    address_backward(0u, now, old + S_MEMORY, old + S_NORMS, old + S_WRITE_WEIGHTS,
        state + S_WRITE_WEIGHTS, dnext + S_WRITE_WEIGHTS, dprevious + S_MEMORY,
        dprevious + S_WRITE_WEIGHTS, draw);
}
