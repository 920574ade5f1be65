// The LRU-access memory in the generative order (generative.md §8.2), twin of
// `memory::lru::latent`, on the write and usage of `write.wgsl`:
//
//   w^{r,i}_t[j] = softmax_j K(k^i, M_{t−1}[j]),   r^i = M_{t−1}ᵀ w^{r,i}_t     (k = heads.read(h))
//   [v^i; α̂^i] = heads.write([h_t; z_t]),  α^i = σ(α̂^i)
//   w^{w,i}_t = α^i w^{r,i}_t + (1 − α^i) w^{lu}_{t−1}
//   M_t = M' + Σ_i w^{w,i}_t (v^i)ᵀ     (M' = M_{t−1} with row argmin w^u_{t−1} zeroed)
//   w^u_t = γ w^u_{t−1} + Σ_i (w^{r,i}_t + w^{w,i}_t),  w^{lu}_t as models.md §4
//
// Usage, w^{lu} and the zeroed row are constants for differentiation (decision 2).

fn memory_initial(first: u32) {
    lru_initial(first + F_STATE);
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

fn memory_write(t: u32, now: u32, before: u32) {
    let state = now + F_STATE;
    let old = before + F_STATE;
    affine(P_HEADS_WRITE_WEIGHT, P_HEADS_WRITE_BIAS, R * LRU_HEAD, H + Z, now + F_HZ,
        now + F_WRITE_RAW);
    sync();
    // The write weightings from this step's reads.
    lru_write_weights(now, old, now + F_WRITE_RAW, now + F_READ_WEIGHTS);
    sync();
    lru_write_memory(now, old, state, now + F_WRITE_RAW);
    lru_usage(now, old, state, now + F_READ_WEIGHTS);
    sync();
    row_norms(state + S_MEMORY, state + S_NORMS);
    lru_least_used(state);
    sync();
}

// Leaves the gradient of this step's read weightings through the write weightings at
// C_DREAD_WEIGHTS.
fn memory_write_backward(t: u32, now: u32, before: u32, dnext: u32, dprevious: u32, gradients: u32) {
    let old = before + F_STATE;
    let draw = gradients + G_DWRITE_RAW;
    fill(draw, R * LRU_HEAD, 0.0);
    fill(carry + C_DREAD_WEIGHTS, R * N, 0.0);
    sync();
    // The write, this step's reads' part at C_DREAD_WEIGHTS.
    lru_write_backward(now, old, dnext, dprevious, now + F_WRITE_RAW, now + F_READ_WEIGHTS, draw,
        carry + C_DREAD_WEIGHTS, carry + C_DWRITE);
    affine_backward_input(P_HEADS_WRITE_WEIGHT, R * LRU_HEAD, H + Z, draw, carry + C_DHZ);
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
