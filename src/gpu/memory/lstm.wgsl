// The LSTM controller (models.md §0), twin of `nn::lstm`: shared by the memory models and
// the generative models. A record holds the controller input at F_CIN (CIN floats) and,
// per layer, a block of LAYER_SIZE floats at F_LAYERS: the activated gates i, f, g, o;
// the cell; tanh(cell); the hidden state. Backward reads the gradient reaching the top
// layer's h_t at C_DH_TOP, carries dh and dc between steps at C_DH and C_DC, and leaves
// the input's gradient at C_DX.

fn layer_at(record_start: u32, l: u32) -> u32 {
    return record_start + F_LAYERS + l * LAYER_SIZE;
}

fn layer_inputs(l: u32) -> u32 {
    return select(H, CIN, l == 0u);
}

fn layer_input(record_start: u32, l: u32) -> u32 {
    if l == 0u {
        return record_start + F_CIN;
    }
    return layer_at(record_start, l - 1u) + HIDDEN;
}

// Zero h and c in the initial record.
fn controller_initial(first: u32) {
    for (var l = 0u; l < LAYERS; l++) {
        fill(layer_at(first, l) + CELL, H, 0.0);
        fill(layer_at(first, l) + HIDDEN, H, 0.0);
    }
}

// z = W_ih x + b_ih + W_hh h + b_hh; c' = f ⊙ c + i ⊙ g; h' = o ⊙ tanh(c').
fn lstm_forward(l: u32, now: u32, before: u32) {
    let p = layer_parameters(l);
    let inputs = layer_inputs(l);
    let x = layer_input(now, l);
    let at = layer_at(now, l);
    let previous = layer_at(before, l);
    for (var r = lane; r < 4u * H; r += WG) {
        var z = params[p.z + r] + params[p.w + r];
        let input_row = p.x + r * inputs;
        for (var c = 0u; c < inputs; c++) {
            z += params[input_row + c] * work[x + c];
        }
        let hidden_row = p.y + r * H;
        for (var c = 0u; c < H; c++) {
            z += params[hidden_row + c] * work[previous + HIDDEN + c];
        }
        work[at + GATES + r] = z;
    }
    sync();
    for (var k = lane; k < H; k += WG) {
        let i = sigmoid(work[at + k]);
        let f = sigmoid(work[at + H + k]);
        let g = tanh_stable(work[at + 2u * H + k]);
        let o = sigmoid(work[at + 3u * H + k]);
        let c = f * work[previous + CELL + k] + i * g;
        let tc = tanh_stable(c);
        work[at + k] = i;
        work[at + H + k] = f;
        work[at + 2u * H + k] = g;
        work[at + 3u * H + k] = o;
        work[at + CELL + k] = c;
        work[at + TANH_CELL + k] = tc;
        work[at + HIDDEN + k] = o * tc;
    }
    sync();
}

// Backward through layer l at step t. The gradient reaching h_t comes from above
// (C_DH_TOP for the top layer, C_DH_BELOW otherwise) plus C_DH[l] from step t+1; C_DC[l]
// carries dc. Writes dz to the gradient record (for the weight gradients), and
// Wᵀ dz to C_DX (layer 0: the gradient of [x_t; r_{t−1}]) or C_DH_BELOW, and to C_DH[l].
fn lstm_backward(l: u32, now: u32, before: u32, gradients: u32) {
    let p = layer_parameters(l);
    let inputs = layer_inputs(l);
    let at = layer_at(now, l);
    let previous = layer_at(before, l);
    let dz = gradients + G_DZ + l * 4u * H;
    let from_above = carry + select(C_DH_BELOW, C_DH_TOP, l == LAYERS - 1u);
    for (var k = lane; k < H; k += WG) {
        let i = work[at + k];
        let f = work[at + H + k];
        let g = work[at + 2u * H + k];
        let o = work[at + 3u * H + k];
        let tc = work[at + TANH_CELL + k];
        let dh = work[from_above + k] + work[carry + C_DH + l * H + k];
        let d_o = dh * tc;
        let dc = work[carry + C_DC + l * H + k] + dh * o * (1.0 - tc * tc);
        work[dz + k] = dc * g * i * (1.0 - i);
        work[dz + H + k] = dc * work[previous + CELL + k] * f * (1.0 - f);
        work[dz + 2u * H + k] = dc * i * (1.0 - g * g);
        work[dz + 3u * H + k] = d_o * o * (1.0 - o);
        work[carry + C_DC + l * H + k] = dc * f;
    }
    sync();
    let dx = carry + select(C_DH_BELOW, C_DX, l == 0u);
    fill(dx, inputs, 0.0);
    fill(carry + C_DH + l * H, H, 0.0);
    affine_backward_input(p.x, 4u * H, inputs, dz, dx);
    affine_backward_input(p.y, 4u * H, H, dz, carry + C_DH + l * H);
    sync();
}

