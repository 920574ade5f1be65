// Neural Turing Machine core (models.md §2), twin of `models::ntm` and `memory::ntm`.
// Head 0 is the write head, heads 1..=R the read heads. Their raw parameters sit in
// F_RAW (the write head's 3·MW + 6 rows, then MW + 6 per read head); F_HEADS holds per
// head its addressing intermediates (similarity, content, gated, shifted, ln(w̃/m), N
// each) and its transformed scalars.

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

fn core_initial(first: u32) {
    let state = first + F_STATE;
    fill(state + S_READ, RW, 0.0);
    fill(state + S_MEMORY, N * MW, INITIAL_MEMORY);
    fill(state + S_WRITE_WEIGHTS, N, 0.0);
    fill(state + S_READ_WEIGHTS, R * N, 0.0);
    sync();
    row_norms(state + S_MEMORY, state + S_NORMS);
    // One-hot on slot 0 rather than 0: see the README's decisions (NtmCore::initial_state).
    if lane == 0u {
        work[state + S_WRITE_WEIGHTS] = 1.0;
        for (var i = 0u; i < R; i++) {
            work[state + S_READ_WEIGHTS + i * N] = 1.0;
        }
    }
}

// Raw head parameters from h_t, one invocation per row across every head.
fn heads_forward(now: u32) {
    let hidden = controller_output(now);
    for (var r = lane; r < WRITE_RAW + R * READ_RAW; r += WG) {
        var weight = P_HEADS_WRITE_WEIGHT + r * H;
        var bias = P_HEADS_WRITE_BIAS + r;
        if r >= WRITE_RAW {
            let head = (r - WRITE_RAW) / READ_RAW;
            let row = (r - WRITE_RAW) % READ_RAW;
            weight = P_HEADS_READ_0_WEIGHT + head * READ_HEAD_STRIDE + row * H;
            bias = P_HEADS_READ_0_BIAS + head * READ_HEAD_STRIDE + row;
        }
        var total = params[bias];
        for (var c = 0u; c < H; c++) {
            total += params[weight + c] * work[hidden + c];
        }
        work[now + F_RAW + r] = total;
    }
    sync();
    // β = softplus, g = σ, s = softmax, γ = oneplus, and ‖k‖: one invocation per head.
    for (var head = lane; head <= R; head += WG) {
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
    for (var j = lane; j < MW; j += WG) {
        work[now + F_ERASE + j] = sigmoid(work[now + F_RAW + MW + 6u + j]);
    }
    sync();
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

fn core_forward(now: u32, before: u32) {
    let state = now + F_STATE;
    let old = before + F_STATE;
    heads_forward(now);
    address(0u, now, old + S_MEMORY, old + S_NORMS, old + S_WRITE_WEIGHTS, state + S_WRITE_WEIGHTS);
    erase_and_add(old + S_MEMORY, state + S_WRITE_WEIGHTS, now + F_ERASE,
        now + F_RAW + 2u * MW + 6u, state + S_MEMORY);
    sync();
    row_norms(state + S_MEMORY, state + S_NORMS);
    sync();
    for (var i = 0u; i < R; i++) {
        address(i + 1u, now, state + S_MEMORY, state + S_NORMS, old + S_READ_WEIGHTS + i * N,
            state + S_READ_WEIGHTS + i * N);
        read_memory(state + S_MEMORY, state + S_READ_WEIGHTS + i * N, state + S_READ + i * MW);
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
    var weighted = 0.0;
    for (var i = lane; i < N; i += WG) {
        weighted += work[weights + i] * work[dweights + i];
    }
    weighted = sum1(weighted);
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

fn core_backward(now: u32, before: u32, dnext: u32, dprevious: u32, gradients: u32) {
    let state = now + F_STATE;
    let old = before + F_STATE;
    let draw = gradients + G_DRAW;
    for (var i = 0u; i < R; i++) {
        let weights = state + S_READ_WEIGHTS + i * N;
        read_memory_backward(state + S_MEMORY, weights, dnext + S_READ + i * MW,
            dnext + S_MEMORY, dnext + S_READ_WEIGHTS + i * N);
        address_backward(i + 1u, now, state + S_MEMORY, state + S_NORMS,
            old + S_READ_WEIGHTS + i * N, weights, dnext + S_READ_WEIGHTS + i * N,
            dnext + S_MEMORY, dprevious + S_READ_WEIGHTS + i * N, draw + head_raw(i + 1u) - F_RAW);
    }
    // Erase and add (the write head's raw erase and add gradients), then its addressing.
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
    // dh_t += Σ_heads Wᵀ draw.
    for (var c = lane; c < H; c += WG) {
        var total = 0.0;
        for (var r = 0u; r < WRITE_RAW; r++) {
            total += params[P_HEADS_WRITE_WEIGHT + r * H + c] * work[draw + r];
        }
        for (var head = 0u; head < R; head++) {
            for (var r = 0u; r < READ_RAW; r++) {
                let weight = P_HEADS_READ_0_WEIGHT + head * READ_HEAD_STRIDE + r * H;
                total += params[weight + c] * work[draw + WRITE_RAW + head * READ_RAW + r];
            }
        }
        work[carry + C_DH_TOP + c] += total;
    }
    sync();
}
