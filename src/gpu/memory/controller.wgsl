// The memory models' controller input, output layer and loss (§6): twins of
// `nn::linear` and `ops::loss`; the LSTM itself is `lstm.wgsl`.
//
// A record holds, in order: the controller input [x_t; r_{t−1}] (CIN floats) at F_CIN;
// per layer a block of LAYER_SIZE floats at F_LAYERS (activated gates i, f, g, o; cell;
// tanh(cell); hidden); then the core's state, which starts with the read vectors r_t, so
// that [h_t; r_t] (the output layer's input) is contiguous; the logits at F_LOGITS.

// The top layer's h_t, followed by r_t.
fn controller_output(record_start: u32) -> u32 {
    return layer_at(record_start, LAYERS - 1u) + HIDDEN;
}

// [x_t; r_{t−1}] into the record of step t.
fn controller_input(t: u32, now: u32, before: u32) {
    for (var c = lane; c < CIN; c += WG) {
        if c < X {
            work[now + F_CIN + c] = batch[input_at(t) + c];
        } else {
            work[now + F_CIN + c] = work[before + F_STATE + S_READ + c - X];
        }
    }
}

// Logits y_t = W_y [h_t; r_t] + b_y, the masked sigmoid cross-entropy and its gradient
// (scaled by `run.loss_scale`) into the gradient record; the sequence's loss and bit
// errors into `scores`.
fn output_forward(t: u32, now: u32, gradients: u32) {
    let logits = now + F_LOGITS;
    affine(P_OUTPUT_WEIGHT, P_OUTPUT_BIAS, Y, H + RW, controller_output(now), logits);
    sync();
    let mask = mask_at(t);
    var score = vec4<f32>(0.0);
    for (var j = lane; j < Y; j += WG) {
        let y = work[logits + j];
        let expected = batch[target_at(t) + j];
        score.x += mask * (softplus(y) - expected * y);
        if (y > 0.0) != (expected > 0.5) {
            score.y += mask;
        }
        work[gradients + G_DLOGITS + j] = run.loss_scale * mask * (sigmoid(y) - expected);
    }
    let total = sum4(score);
    if lane == 0u {
        scores[SCORES * sequence] += total.x;
        scores[SCORES * sequence + 1u] += total.y;
    }
}

// [dh_t; dr_t] = W_yᵀ dy_t: dh_t to C_DH_TOP, dr_t added to the state gradient `dnext`.
fn output_backward(gradients: u32, dnext: u32) {
    let dlogits = gradients + G_DLOGITS;
    for (var c = lane; c < H + RW; c += WG) {
        var total = 0.0;
        for (var j = 0u; j < Y; j++) {
            total += params[P_OUTPUT_WEIGHT + j * (H + RW) + c] * work[dlogits + j];
        }
        if c < H {
            work[carry + C_DH_TOP + c] = total;
        } else {
            work[dnext + S_READ + c - H] += total;
        }
    }
    sync();
}
