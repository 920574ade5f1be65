// The DNC's memory (models.md §3) as a read half and a write half, shared by the DNC
// core (write, then read) and the generative models' DNC memory (read, then write):
// twin of `memory::dnc`'s `step`, `read_first` and `write_second` (their backward is
// `halves_backward.wgsl`). The
// interface vector ξ (raw at F_RAW, transformed at F_XI) is split in the order of the
// spec's table; the allocation order φ is found by ranking (a stable sort: ties go to
// the lower slot) and the allocation weighting by one ordered product, exactly as the
// CPU path does.

const XI_READ_KEYS: u32 = 0u;
const XI_READ_STRENGTHS: u32 = R * MW;
const XI_WRITE_KEY: u32 = XI_READ_STRENGTHS + R;
const XI_WRITE_STRENGTH: u32 = XI_WRITE_KEY + MW;
const XI_ERASE: u32 = XI_WRITE_STRENGTH + 1u;
const XI_WRITE_VECTOR: u32 = XI_ERASE + MW;
const XI_FREE_GATES: u32 = XI_WRITE_VECTOR + MW;
const XI_ALLOCATION_GATE: u32 = XI_FREE_GATES + R;
const XI_WRITE_GATE: u32 = XI_ALLOCATION_GATE + 1u;
const XI_READ_MODES: u32 = XI_WRITE_GATE + 1u;
const XI_STANDARD: u32 = XI_READ_MODES + 3u * R;
// models.md §3.1's fields, appended, each present only when its option is on (MASKING,
// DEALLOCATION and LINK_SHARPNESS are 0 or 1, from the layout).
const MASK_WIDTH: u32 = MASKING * MW;
const XI_WRITE_MASK: u32 = XI_STANDARD;
const XI_READ_MASKS: u32 = XI_WRITE_MASK + MASK_WIDTH;
const XI_FORWARD_SHARPNESS: u32 = XI_READ_MASKS + MASK_WIDTH * R;
const XI_BACKWARD_SHARPNESS: u32 = XI_FORWARD_SHARPNESS + LINK_SHARPNESS * R;
const INTERFACE: u32 = XI_BACKWARD_SHARPNESS + LINK_SHARPNESS * R;
const SHARPNESS_EPSILON: f32 = 1e-6;

const USAGE_FLOOR: f32 = 1e-6;

// Carry scratch.
const DCONTENT: u32 = C_SCRATCH;
const CONTENT_SCRATCH: u32 = C_SCRATCH + N;
const DALLOCATION: u32 = C_SCRATCH + 2u * N;
const DCONTENT_WRITE: u32 = C_SCRATCH + 3u * N;
const PREFIX: u32 = C_SCRATCH + 4u * N;
const DRETENTION: u32 = C_SCRATCH + 5u * N;
const FREE_TERMS: u32 = C_SCRATCH + 6u * N;
// §3.1's scratch: the masked lookup's second coefficient, the sharpened weightings'
// gradients, de-allocation's retention gradient and retained memory's gradient.
const ROW_SELF: u32 = FREE_TERMS + R * N;
const DSHARP_FORWARD: u32 = ROW_SELF + N;
const DSHARP_BACKWARD: u32 = DSHARP_FORWARD + N;
const DRETAINED_PSI: u32 = DSHARP_BACKWARD + N;
const DRETAINED: u32 = DRETAINED_PSI + N;

fn xi(now: u32, part: u32) -> f32 {
    return work[now + F_XI + part];
}

// ξ's transforms from raw ξ at F_RAW, and the norm of every key (read keys, then the
// write key). Ends with a barrier.
fn interface_transforms(now: u32) {
    for (var p = lane; p < INTERFACE; p += WG) {
        let raw = work[now + F_RAW + p];
        var value = raw;
        if (p >= XI_READ_STRENGTHS && p < XI_WRITE_KEY) || p == XI_WRITE_STRENGTH {
            value = oneplus(raw);
        } else if (p >= XI_ERASE && p < XI_WRITE_VECTOR) || (p >= XI_FREE_GATES && p < XI_READ_MODES) {
            value = sigmoid(raw);
        }
        if p >= XI_STANDARD {
            // §3.1: masks σ(raw), sharpness oneplus(raw).
            work[now + F_XI + p] = select(oneplus(raw), sigmoid(raw), p < XI_FORWARD_SHARPNESS);
        } else if p >= XI_READ_MODES {
            // One invocation per head softmaxes its three modes.
            if (p - XI_READ_MODES) % 3u == 0u {
                let top = max(raw, max(work[now + F_RAW + p + 1u], work[now + F_RAW + p + 2u]));
                var total = 0.0;
                for (var m = 0u; m < 3u; m++) {
                    let e = exp(work[now + F_RAW + p + m] - top);
                    work[now + F_XI + p + m] = e;
                    total += e;
                }
                for (var m = 0u; m < 3u; m++) {
                    work[now + F_XI + p + m] *= 1.0 / total;
                }
            }
        } else {
            work[now + F_XI + p] = value;
        }
    }
    // The masked key norms below read the masks just written to F_XI (MASKING is a
    // constant, so the barrier stays in uniform control flow).
    if MASKING == 1u {
        sync();
    }
    for (var key = lane; key <= R; key += WG) {
        let at = select(now + F_RAW + XI_READ_KEYS + key * MW, now + F_RAW + XI_WRITE_KEY, key == R);
        if MASKING == 1u {
            work[now + F_KEY_NORMS + key] = masked_norm(at, mask_of(now, key));
        } else {
            work[now + F_KEY_NORMS + key] = norm_of(at, MW);
        }
    }
    sync();
}

fn floored(usage: f32) -> f32 {
    return USAGE_FLOOR + (1.0 - USAGE_FLOOR) * usage;
}

// ψ, the usage u_t, the allocation order φ and the allocation weighting a. ψ frees by
// the read weightings at `retention_reads` (the memory models': the step before's; the
// generative models': this step's, whose reads precede the write).
fn usage_and_allocation(now: u32, before: u32, retention_reads: u32) {
    let state = now + F_STATE;
    let old = before + F_STATE;
    for (var k = lane; k < N; k += WG) {
        var retention = 1.0;
        for (var i = 0u; i < R; i++) {
            retention *= 1.0 - xi(now, XI_FREE_GATES + i) * work[retention_reads + i * N + k];
        }
        let u = work[old + S_USAGE + k];
        let w = work[old + S_WRITE_WEIGHTS + k];
        let before_retention = u + w - u * w;
        work[now + F_RETENTION + k] = retention;
        work[now + F_USAGE_BEFORE + k] = before_retention;
        work[state + S_USAGE + k] = before_retention * retention;
    }
    sync();
    // Rank in ascending floored usage, ties to the lower slot: the stable sort's order.
    for (var k = lane; k < N; k += WG) {
        let mine = floored(work[state + S_USAGE + k]);
        var rank = 0u;
        for (var j = 0u; j < N; j++) {
            let other = floored(work[state + S_USAGE + j]);
            if other < mine || (other == mine && j < k) {
                rank += 1u;
            }
        }
        work[now + F_ORDER + rank] = f32(k);
        work[now + F_SORTED + rank] = mine;
    }
    sync();
    // a[φ_j] = (1 − û[φ_j]) Π_{m<j} û[φ_m], in order, as the CPU path multiplies.
    if lane == 0u {
        var product = 1.0;
        for (var j = 0u; j < N; j++) {
            let u = work[now + F_SORTED + j];
            work[now + F_ALLOCATION + u32(work[now + F_ORDER + j])] = (1.0 - u) * product;
            product *= u;
        }
    }
    sync();
}

// The write weighting w^w = g^w (g^a a + (1 − g^a) c^w) on M_{t−1}, erase and add, the
// rows' norms, the links and the precedence. Ends with a barrier.
fn write_half(now: u32, before: u32) {
    let state = now + F_STATE;
    let old = before + F_STATE;
    if MASKING == 1u {
        masked_content_weighting(old + S_MEMORY, now + F_XI + XI_WRITE_KEY,
            work[now + F_KEY_NORMS + R], mask_of(now, R), xi(now, XI_WRITE_STRENGTH),
            now + F_WRITE_SIMILARITY, now + F_CONTENT_WRITE, now + F_MASKED_NORMS + R * N);
    } else {
        content_weighting(old + S_MEMORY, old + S_NORMS, now + F_XI + XI_WRITE_KEY,
            work[now + F_KEY_NORMS + R], xi(now, XI_WRITE_STRENGTH), now + F_WRITE_SIMILARITY,
            now + F_CONTENT_WRITE, N);
    }
    let allocation_gate = xi(now, XI_ALLOCATION_GATE);
    let write_gate = xi(now, XI_WRITE_GATE);
    for (var k = lane; k < N; k += WG) {
        let blend = allocation_gate * work[now + F_ALLOCATION + k]
            + (1.0 - allocation_gate) * work[now + F_CONTENT_WRITE + k];
        work[state + S_WRITE_WEIGHTS + k] = write_gate * blend;
    }
    // De-allocation (§3.1): the write starts from M_{t−1} ⊙ ψ.
    var source = old + S_MEMORY;
    if DEALLOCATION == 1u {
        for (var i = lane; i < N * MW; i += WG) {
            work[now + F_RETAINED + i] = work[old + S_MEMORY + i] * work[now + F_RETENTION + i / MW];
        }
        source = now + F_RETAINED;
    }
    sync();
    erase_and_add(source, state + S_WRITE_WEIGHTS, now + F_XI + XI_ERASE,
        now + F_XI + XI_WRITE_VECTOR, state + S_MEMORY);
    var written = 0.0;
    for (var k = lane; k < N; k += WG) {
        written += work[state + S_WRITE_WEIGHTS + k];
    }
    written = sum1(written);
    row_norms(state + S_MEMORY, state + S_NORMS);
    // L_t[i][j] = (1 − w_i − w_j) L[i][j] + w_i p[j], diagonal 0; p_t = (1 − Σw) p + w.
    for (var at = lane; at < N * N; at += WG) {
        let i = at / N;
        let j = at % N;
        var link = 0.0;
        if i != j {
            let wi = work[state + S_WRITE_WEIGHTS + i];
            let wj = work[state + S_WRITE_WEIGHTS + j];
            link = (1.0 - wi - wj) * work[old + S_LINK + at] + wi * work[old + S_PRECEDENCE + j];
        }
        work[state + S_LINK + at] = link;
    }
    for (var k = lane; k < N; k += WG) {
        work[state + S_PRECEDENCE + k] = (1.0 - written) * work[old + S_PRECEDENCE + k]
            + work[state + S_WRITE_WEIGHTS + k];
    }
    if lane == 0u {
        work[now + F_WRITTEN] = written;
    }
    sync();
}

// The reads on `memory` (rows' norms at `norms`) and `link`, from the previous read
// weightings at `previous_reads`: w^r = π₀ b + π₁ c + π₂ f into `read_weights`, r = Mᵀ w^r
// into `read_vectors`. The memory models read M_t and L_t (after the write), the
// generative models M_{t−1} and L_{t−1} (before it). Ends with a barrier.
fn read_half(now: u32, memory: u32, norms: u32, link: u32, previous_reads: u32,
    read_weights: u32, read_vectors: u32) {
    // Forward f = L w_{t−1} and backward b = Lᵀ w_{t−1} of every read head.
    for (var at = lane; at < R * N; at += WG) {
        let i = at / N;
        let k = at % N;
        var forward = 0.0;
        var backward = 0.0;
        for (var j = 0u; j < N; j++) {
            let previous = work[previous_reads + i * N + j];
            forward += work[link + k * N + j] * previous;
            backward += work[link + j * N + k] * previous;
        }
        work[now + F_FORWARD + at] = forward;
        work[now + F_BACKWARD + at] = backward;
    }
    for (var i = 0u; i < R; i++) {
        if MASKING == 1u {
            masked_content_weighting(memory, now + F_XI + i * MW, work[now + F_KEY_NORMS + i],
                mask_of(now, i), xi(now, XI_READ_STRENGTHS + i), now + F_READ_SIMILARITY + i * N,
                now + F_CONTENT_READ + i * N, now + F_MASKED_NORMS + i * N);
        } else {
            content_weighting(memory, norms, now + F_XI + i * MW,
                work[now + F_KEY_NORMS + i], xi(now, XI_READ_STRENGTHS + i),
                now + F_READ_SIMILARITY + i * N, now + F_CONTENT_READ + i * N, N);
        }
    }
    // Link sharpness (§3.1): the read modes mix the sharpened weightings.
    var forward_at = now + F_FORWARD;
    var backward_at = now + F_BACKWARD;
    if LINK_SHARPNESS == 1u {
        for (var i = 0u; i < R; i++) {
            sharpen(now + F_FORWARD + i * N, xi(now, XI_FORWARD_SHARPNESS + i),
                now + F_FORWARD_SHARP + i * N, now + F_SHARP_TOP + i);
            sharpen(now + F_BACKWARD + i * N, xi(now, XI_BACKWARD_SHARPNESS + i),
                now + F_BACKWARD_SHARP + i * N, now + F_SHARP_TOP + R + i);
        }
        forward_at = now + F_FORWARD_SHARP;
        backward_at = now + F_BACKWARD_SHARP;
    }
    for (var at = lane; at < R * N; at += WG) {
        let modes = now + F_XI + XI_READ_MODES + 3u * (at / N);
        work[read_weights + at] = work[modes] * work[backward_at + at]
            + work[modes + 1u] * work[now + F_CONTENT_READ + at]
            + work[modes + 2u] * work[forward_at + at];
    }
    sync();
    for (var i = 0u; i < R; i++) {
        read_memory(memory, read_weights + i * N, read_vectors + i * MW);
    }
    sync();
}

// The initial state both orders start from (models.md §0): M_0 = 1e-6 with its norms,
// and zero usage, precedence, links and weightings.
fn dnc_initial(state: u32) {
    fill(state + S_MEMORY, N * MW, INITIAL_MEMORY);
    fill(state + S_USAGE, N, 0.0);
    fill(state + S_PRECEDENCE, N, 0.0);
    fill(state + S_LINK, N * N, 0.0);
    fill(state + S_WRITE_WEIGHTS, N, 0.0);
    fill(state + S_READ_WEIGHTS, R * N, 0.0);
    sync();
    row_norms(state + S_MEMORY, state + S_NORMS);
}
