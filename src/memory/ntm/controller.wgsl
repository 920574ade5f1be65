// Neural Turing Machine core (models.md §2), twin of `memory::ntm::controller`:
// the heads' raw parameters from h_t, the write, then the reads, on the addressing of
// `addressing.wgsl`.

fn core_initial(first: u32) {
    let state = first + F_STATE;
    fill(state + S_READ, RW, 0.0);
    ntm_initial(state);
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
    // β, g, s, γ and ‖k‖: one invocation per head.
    for (var head = lane; head <= R; head += WG) {
        head_transforms(head, now);
    }
    ntm_erase(now);
    sync();
}

fn core_forward(now: u32, before: u32) {
    let state = now + F_STATE;
    let old = before + F_STATE;
    heads_forward(now);
    ntm_write(now, old, state);
    for (var i = 0u; i < R; i++) {
        address(i + 1u, now, state + S_MEMORY, state + S_NORMS, old + S_READ_WEIGHTS + i * N,
            state + S_READ_WEIGHTS + i * N);
        read_memory(state + S_MEMORY, state + S_READ_WEIGHTS + i * N, state + S_READ + i * MW);
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
    ntm_write_backward(now, old, state, dnext, dprevious, draw);
    // dh_t += Σ_heads Wᵀ draw.
    for (var c = lane; c < H; c += WG) {
        var total = 0.0;
        for (var r = 0u; r < WRITE_RAW; r++) {
            total += params[P_HEADS_WRITE_WEIGHT + r * H + c] * work[draw + r];
        }
        work[carry + C_DH_TOP + c] += read_heads_input_gradient(total, c, draw);
    }
    sync();
}
