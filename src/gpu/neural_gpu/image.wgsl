// The Neural GPU family's addressing of `work` and its 3 × 3 convolutions, shared by the
// sequence kernels and the weight-gradient kernel (each declares the bindings `run`,
// `params`, `batch` and `work`). Host twin of the offsets: gpu::neural_gpu::ImageLayout.
//
// Images are channel-major [m][h][n] at the batch's width n = run.steps; sequence b uses
// its first n_b columns (its width) and keeps the others at 0, so the convolutions see
// the zero padding they would see at width n_b alone (neural_gpu.md §5.1, Width).

fn plane() -> u32 {
    return HEIGHT * run.steps;
}

fn image_size() -> u32 {
    return M * plane();
}

// Layer applications A = n·L of one coder.
fn applications() -> u32 {
    return run.steps * LAYERS;
}

fn coder_size() -> u32 {
    return (5u * applications() + 1u) * image_size();
}

// Coder c's region: 0 the encoder, 1 the decoder.
fn coder(c: u32) -> u32 {
    return base + c * coder_size();
}

// The input of application j (j = A: the image after the last).
fn state(c: u32, j: u32) -> u32 {
    return coder(c) + j * image_size();
}

// u of application j; the backward overwrites it with ∂loss/∂z_u.
fn gate_u(c: u32, j: u32) -> u32 {
    return coder(c) + (applications() + 1u + j) * image_size();
}

fn gate_r(c: u32, j: u32) -> u32 {
    return coder(c) + (2u * applications() + 1u + j) * image_size();
}

// c of application j; the backward overwrites it with ∂loss/∂z_c.
fn candidate(c: u32, j: u32) -> u32 {
    return coder(c) + (3u * applications() + 1u + j) * image_size();
}

fn dz_r(c: u32, j: u32) -> u32 {
    return coder(c) + (4u * applications() + 1u + j) * image_size();
}

fn logits_at() -> u32 {
    return base + CODERS * coder_size();
}

fn dlogits_at() -> u32 {
    return logits_at() + run.steps * A_OUT;
}

// The symbol each decoder step wrote to the tape (as f32).
fn fed_at() -> u32 {
    return dlogits_at() + run.steps * A_OUT;
}

// ∂loss/∂(the image the backward has reached); after the backward, ∂loss/∂s_0.
fn dout_at() -> u32 {
    return fed_at() + run.steps;
}

fn dacc_at() -> u32 {
    return dout_at() + image_size();
}

// ∂loss/∂p, column x holding only what the steps after x sent it (the steps that saw
// F[y_x] there).
fn dtape_at() -> u32 {
    return dacc_at() + image_size();
}

// The sequence's loss, errors against the target and errors against the alternative,
// summed over the columns scored so far (by invocation 0, across dispatches).
fn totals_at() -> u32 {
    return dtape_at() + image_size();
}

// The twin of ImageLayout::sequence_floats.
fn sequence_floats() -> u32 {
    return totals_at() + 3u - base;
}

// Input channels of coder c's convolutions: m for the encoder, 2m ([p; d]) for the decoder.
fn in_maps(c: u32) -> u32 {
    return M * (1u + c);
}

// Convolution g (0: gate_u, 1: gate_r, 2: cand) of coder c's layer application j (layer
// j mod L; with relaxation the encoder's step j / L uses set (j / L) mod r, the sets
// following each other RELAX_SET_SIZE apart): its weight [m][in_maps][3][3], followed
// by its bias [m].
fn conv_weight(c: u32, j: u32, g: u32) -> u32 {
    var relaxed_set = 0u;
    if c == 0u {
        relaxed_set = (j / LAYERS) % RELAX_SETS;
    }
    return layer_base(c, j % LAYERS) + relaxed_set * RELAX_SET_SIZE + g * (M * in_maps(c) * 9u + M);
}

fn conv_bias(c: u32, j: u32, g: u32) -> u32 {
    return conv_weight(c, j, g) + M * in_maps(c) * 9u;
}

// Input channel i of coder c's convolution at (y, x), 0 outside the sequence's image:
// for the decoder, channels < m are the tape as decoder step k sees it (F[y_x] in every
// row of columns x < k), the others the state at `s`; times r (at `r`) when `reset`.
fn conv_input(c: u32, i: u32, y: i32, x: i32, s: u32, r: u32, reset: bool, k: u32) -> f32 {
    if y < 0 || y >= i32(HEIGHT) || x < 0 || x >= i32(width) {
        return 0.0;
    }
    var channel = i;
    if c == 1u {
        if i < M {
            if u32(x) >= k {
                return 0.0;
            }
            let symbol = u32(work[fed_at() + u32(x)]);
            return params[P_TARGET_EMBEDDING + symbol * M + i];
        }
        channel = i - M;
    }
    let cell = channel * plane() + u32(y) * run.steps + u32(x);
    var value = work[s + cell];
    if reset {
        value *= work[r + cell];
    }
    return value;
}
