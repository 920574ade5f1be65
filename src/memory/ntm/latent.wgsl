// The NTM memory in the generative order (generative.md §8.2), twin of
// `memory::ntm::latent`, on the addressing of `addressing.wgsl`:
// R read heads address M_{t−1} from h_t (content, interpolation with the head's previous
// weighting, shift, sharpening); then the write head addresses M_{t−1} from [h_t; z_t]
// and M_t = M_{t−1} ⊙ (1 − w eᵀ) + w aᵀ, with e = σ(ê) and a learned from [h_t; z_t].

fn memory_initial(first: u32) {
    ntm_initial(first + F_STATE);
}

fn memory_read(t: u32, now: u32, before: u32) {
    let state = now + F_STATE;
    let old = before + F_STATE;
    // The read heads' raw parameters from h_t, one invocation per row across the heads.
    for (var r = lane; r < R * READ_RAW; r += WG) {
        let head = r / READ_RAW;
        let row = r % READ_RAW;
        let weight = P_HEADS_READ_0_WEIGHT + head * READ_HEAD_STRIDE + row * H;
        var total = params[P_HEADS_READ_0_BIAS + head * READ_HEAD_STRIDE + row];
        for (var c = 0u; c < H; c++) {
            total += params[weight + c] * work[now + F_CONTEXT + c];
        }
        work[now + F_RAW + WRITE_RAW + r] = total;
    }
    sync();
    for (var head = 1u + lane; head <= R; head += WG) {
        head_transforms(head, now);
    }
    sync();
    for (var i = 0u; i < R; i++) {
        address(i + 1u, now, old + S_MEMORY, old + S_NORMS, old + S_READ_WEIGHTS + i * N,
            state + S_READ_WEIGHTS + i * N);
        read_memory(old + S_MEMORY, state + S_READ_WEIGHTS + i * N, now + F_CONTEXT + H + i * MW);
    }
    sync();
}

fn memory_write(t: u32, now: u32, before: u32) {
    let state = now + F_STATE;
    let old = before + F_STATE;
    affine(P_HEADS_WRITE_WEIGHT, P_HEADS_WRITE_BIAS, WRITE_RAW, H + Z, now + F_HZ, now + F_RAW);
    sync();
    if lane == 0u {
        head_transforms(0u, now);
    }
    ntm_erase(now);
    sync();
    ntm_write(now, old, state);
}

// Erase and add (the write head's raw erase and add gradients), its addressing, and
// [h_t; z_t]'s gradient through the write head.
fn memory_write_backward(t: u32, now: u32, before: u32, dnext: u32, dprevious: u32, gradients: u32) {
    let state = now + F_STATE;
    let old = before + F_STATE;
    let draw = gradients + G_DRAW;
    fill(draw, WRITE_RAW, 0.0);
    sync();
    ntm_write_backward(now, old, state, dnext, dprevious, draw);
    affine_backward_input(P_HEADS_WRITE_WEIGHT, WRITE_RAW, H + Z, draw, carry + C_DHZ);
    sync();
}

// The reads: dnext's read weightings hold the gradient of this step's weightings (from
// the next step, where they are the previous ones); the read vectors' is at C_DCONTEXT.
fn memory_read_backward(t: u32, now: u32, before: u32, dnext: u32, dprevious: u32, gradients: u32) {
    let state = now + F_STATE;
    let old = before + F_STATE;
    let draw = gradients + G_DRAW;
    fill(draw + WRITE_RAW, R * READ_RAW, 0.0);
    sync();
    for (var i = 0u; i < R; i++) {
        let weights = state + S_READ_WEIGHTS + i * N;
        read_memory_backward(old + S_MEMORY, weights, carry + C_DCONTEXT + H + i * MW,
            dprevious + S_MEMORY, dnext + S_READ_WEIGHTS + i * N);
        address_backward(i + 1u, now, old + S_MEMORY, old + S_NORMS,
            old + S_READ_WEIGHTS + i * N, weights, dnext + S_READ_WEIGHTS + i * N,
            dprevious + S_MEMORY, dprevious + S_READ_WEIGHTS + i * N,
            draw + head_raw(i + 1u) - F_RAW);
    }
    // dh_t += Σ_heads Wᵀ draw.
    for (var c = lane; c < H; c += WG) {
        work[carry + C_DH_TOP + c] += read_heads_input_gradient(0.0, c, draw);
    }
    sync();
}
