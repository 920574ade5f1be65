// Least-recently-used access core (models.md §4), twin of `memory::lru::controller` and
// `memory::lru`, on the write and usage of `write.wgsl`. Raw head parameters at F_RAW are
// head-major blocks [k^i (MW); α^i (1)]: each head writes its key. The zeroed row and the
// least-used indicator are constants for differentiation, and usage reaches the loss
// only through them, so no gradient flows into usage.

// Carry scratch.
const CONTENT_SCRATCH: u32 = C_SCRATCH;
const DWRITE: u32 = C_SCRATCH + N;

fn core_initial(first: u32) {
    let state = first + F_STATE;
    fill(state + S_READ, RW, 0.0);
    fill(state + S_READ_WEIGHTS, R * N, 0.0);
    lru_initial(state);
}

fn core_forward(now: u32, before: u32) {
    let state = now + F_STATE;
    let old = before + F_STATE;
    affine(P_HEADS_WEIGHT, P_HEADS_BIAS, R * LRU_HEAD, H, controller_output(now), now + F_RAW);
    sync();
    // The write weightings from the previous step's reads.
    lru_write_weights(now, old, now + F_RAW, old + S_READ_WEIGHTS);
    for (var i = lane; i < R; i += WG) {
        work[now + F_KEY_NORMS + i] = norm_of(now + F_RAW + i * LRU_HEAD, MW);
    }
    sync();
    // M_t = M' + Σ_i w^{w,i} k^iᵀ.
    lru_write_memory(now, old, state, now + F_RAW);
    sync();
    row_norms(state + S_MEMORY, state + S_NORMS);
    sync();
    for (var i = 0u; i < R; i++) {
        content_weighting(state + S_MEMORY, state + S_NORMS, now + F_RAW + i * LRU_HEAD,
            work[now + F_KEY_NORMS + i], 1.0, now + F_SIMILARITY + i * N,
            state + S_READ_WEIGHTS + i * N, N);
        read_memory(state + S_MEMORY, state + S_READ_WEIGHTS + i * N, state + S_READ + i * MW);
    }
    lru_usage(now, old, state, state + S_READ_WEIGHTS);
    sync();
    lru_least_used(state);
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
        content_weighting_backward(state + S_MEMORY, state + S_NORMS, now + F_RAW + i * LRU_HEAD,
            work[now + F_KEY_NORMS + i], 1.0, now + F_SIMILARITY + i * N, weights,
            dnext + S_READ_WEIGHTS + i * N, dnext + S_MEMORY, draw + i * LRU_HEAD,
            carry + CONTENT_SCRATCH, N);
    }
    // The write (its key gradient added to the read's), the previous reads' part.
    lru_write_backward(now, old, dnext, dprevious, now + F_RAW, old + S_READ_WEIGHTS, draw,
        dprevious + S_READ_WEIGHTS, carry + DWRITE);
    affine_backward_input(P_HEADS_WEIGHT, R * LRU_HEAD, H, draw, carry + C_DH_TOP);
    sync();
}
