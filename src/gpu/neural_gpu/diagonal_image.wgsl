// The Diagonal Neural GPU's addressing of `work`, its hard activations and its width-3
// convolutions, shared by its sequence kernels and its weight-gradient kernel (each
// declares the bindings `run`, `params`, `batch` and `work`). Host twin of the offsets:
// gpu::neural_gpu::DiagonalLayout. neural_gpu.md §5.3:
//
//   s_0 = hτ(E[i_x] + e)   r = hσ(conv_r(s) + 0.5)   c = hτ(conv_c(r ⊙ s))
//   g = hσ(conv_g(s) + 0.7)   s' = g ⊙ shift(s) + (1 − g) ⊙ c
//
// Rows are channel-major [m][n] at the batch's width n = run.steps (I = m·n floats);
// sequence b uses its first n_b columns and reads 0 beyond them, the zero padding it
// would see at width n_b alone. Per sequence:
//
//   states (n + 1)·I | a_r n·I | a_c n·I | a_g n·I | ∂a_r n·I | ∂a_c n·I | ∂a_g n·I |
//   a_0 (then ∂a_0) I | logits n·A_OUT | ∂logits n·A_OUT | ∂s I | ∂acc I | totals 4

fn image_size() -> u32 {
    return M * run.steps;
}

// s_j, the input of step j (s_{n_b}: the sequence's last).
fn state(j: u32) -> u32 {
    return base + j * image_size();
}

// Pre-activation k (0: a_r, 1: a_c, 2: a_g) of step j, and (3 + k) its gradient.
fn region(k: u32, j: u32) -> u32 {
    return base + ((1u + k) * run.steps + 1u + j) * image_size();
}

fn embedded_at() -> u32 {
    return base + (7u * run.steps + 1u) * image_size();
}

fn logits_at() -> u32 {
    return embedded_at() + image_size();
}

fn dlogits_at() -> u32 {
    return logits_at() + run.steps * A_OUT;
}

fn dout_at() -> u32 {
    return dlogits_at() + run.steps * A_OUT;
}

fn dacc_at() -> u32 {
    return dout_at() + image_size();
}

// Loss, errors against the target, errors against the alternative, saturation cost.
fn totals_at() -> u32 {
    return dacc_at() + image_size();
}

// The twin of DiagonalLayout::sequence_floats.
fn sequence_floats() -> u32 {
    return totals_at() + 4u - base;
}

fn hard_sigmoid(a: f32) -> f32 {
    return clamp(0.5 * a + 0.5, 0.0, 1.0);
}

fn hard_sigmoid_derivative(a: f32) -> f32 {
    return select(0.0, 0.5, a > -1.0 && a < 1.0);
}

fn hard_tanh(a: f32) -> f32 {
    return clamp(a, -1.0, 1.0);
}

fn hard_tanh_derivative(a: f32) -> f32 {
    return select(0.0, 1.0, a > -1.0 && a < 1.0);
}

// max(0, |a| − 0.9) and its derivative sign(a)·[|a| > 0.9].
fn saturation_excess(a: f32) -> f32 {
    return max(0.0, abs(a) - SATURATION_LIMIT);
}

fn saturation_sign(a: f32) -> f32 {
    return select(0.0, sign(a), abs(a) - SATURATION_LIMIT > 0.0);
}

// Where channel c of shift(s) reads from: 0 in place, −1 (x − 1) or +1 (x + 1).
fn shift_of(c: u32) -> i32 {
    if c < SHIFT_FIRST_RIGHT {
        return 0;
    }
    if c < SHIFT_FIRST_LEFT {
        return -1;
    }
    return 1;
}

// Input channel i at column x of a convolution of step j: s_j, or r ⊙ s_j for the
// candidate's; 0 outside the sequence's columns.
fn conv_input(j: u32, i: u32, x: i32, gated: bool) -> f32 {
    if x < 0 || x >= i32(width) {
        return 0.0;
    }
    let cell = i * run.steps + u32(x);
    var value = work[state(j) + cell];
    if gated {
        value *= hard_sigmoid(work[region(0u, j) + cell]);
    }
    return value;
}
