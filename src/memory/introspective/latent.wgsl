// The introspective memory (generative.md §8.2), twin of
// `memory::introspective`: a FIFO of the model's own latents (MW = Z).
//
//   [k^i; β̂^i] = heads.read(h_t),  β^i = oneplus(β̂^i)
//   w^i[j] = softmax_{j < min(t, N)} β^i K(k^i, M_{t−1}[j]),  0 on unfilled slots
//   r^i = M_{t−1}ᵀ w^i                     (r = 0 at t = 0)
//   M_t = M_{t−1} with slot t mod N ← z_t
//
// Gradients reach the stored latents through the memory: slot j of M_{t−1} is the latent
// written there last, so its gradient joins that latent's at the write.

const HEAD_RAW: u32 = Z + 1u;

fn memory_initial(first: u32) {
    fill(first + F_STATE, STATE, 0.0);
}

fn memory_read(t: u32, now: u32, before: u32) {
    let raw = now + F_READ_RAW;
    affine(P_HEADS_READ_WEIGHT, P_HEADS_READ_BIAS, R * HEAD_RAW, H, now + F_CONTEXT, raw);
    let filled = min(t, N);
    for (var i = lane; i < R * N; i += WG) {
        work[now + F_READ_WEIGHTS + i] = 0.0;
        work[now + F_SIMILARITY + i] = 0.0;
    }
    sync();
    let memory = before + F_STATE + S_MEMORY;
    let norms = before + F_STATE + S_NORMS;
    if filled > 0u {
        for (var i = 0u; i < R; i++) {
            let key = raw + i * HEAD_RAW;
            content_weighting(memory, norms, key, norm_of(key, MW), oneplus(work[key + Z]),
                now + F_SIMILARITY + i * N, now + F_READ_WEIGHTS + i * N, filled);
        }
    }
    for (var i = 0u; i < R; i++) {
        read_memory(memory, now + F_READ_WEIGHTS + i * N, now + F_CONTEXT + H + i * MW);
    }
    sync();
}

// Slot t mod N ← z_t; the others are copied; then the rows' norms.
fn memory_write(t: u32, now: u32, before: u32) {
    let slot = t % N;
    for (var i = lane; i < N * MW; i += WG) {
        var value = work[before + F_STATE + S_MEMORY + i];
        if i / MW == slot {
            value = work[now + F_HZ + H + i % MW];
        }
        work[now + F_STATE + S_MEMORY + i] = value;
    }
    sync();
    row_norms(now + F_STATE + S_MEMORY, now + F_STATE + S_NORMS);
    sync();
}

// The slot's gradient goes to z_t; the overwritten latent gets none.
fn memory_write_backward(t: u32, now: u32, before: u32, dnext: u32, dprevious: u32, gradients: u32) {
    let slot = t % N;
    for (var i = lane; i < N * MW; i += WG) {
        if i / MW == slot {
            work[carry + C_DHZ + H + i % MW] += work[dnext + S_MEMORY + i];
        } else {
            work[dprevious + S_MEMORY + i] += work[dnext + S_MEMORY + i];
        }
    }
    sync();
}

fn memory_read_backward(t: u32, now: u32, before: u32, dnext: u32, dprevious: u32, gradients: u32) {
    let raw = now + F_READ_RAW;
    let draw = gradients + G_DREAD_RAW;
    fill(draw, R * HEAD_RAW, 0.0);
    sync();
    let filled = min(t, N);
    if filled > 0u {
        let memory = before + F_STATE + S_MEMORY;
        let norms = before + F_STATE + S_NORMS;
        for (var i = 0u; i < R; i++) {
            let weights = now + F_READ_WEIGHTS + i * N;
            fill(carry + C_DWEIGHTS, N, 0.0);
            sync();
            read_memory_backward(memory, weights, carry + C_DCONTEXT + H + i * MW,
                dprevious + S_MEMORY, carry + C_DWEIGHTS);
            let key = raw + i * HEAD_RAW;
            let strength = oneplus(work[key + Z]);
            let dstrength = content_weighting_backward(memory, norms, key, norm_of(key, MW),
                strength, now + F_SIMILARITY + i * N, weights, carry + C_DWEIGHTS,
                dprevious + S_MEMORY, draw + i * HEAD_RAW, carry + C_CONTENT_SCRATCH, filled);
            if lane == 0u {
                work[draw + i * HEAD_RAW + Z] = dstrength * sigmoid(work[key + Z]);
            }
            sync();
        }
        affine_backward_input(P_HEADS_READ_WEIGHT, R * HEAD_RAW, H, draw, carry + C_DH_TOP);
        sync();
    }
}
