// The two sequence kernels, one workgroup per sequence: `forward` unrolls the model over
// the sequence, keeping every step's record and the loss gradient with respect to the
// logits; `backward` walks the steps in reverse (BPTT), leaving per step the gradients
// that the weight-gradient kernel turns into parameter gradients. Twins of
// `MemoryModel::unroll` and `MemoryModel::backprop`.

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    begin(group.x, local);
    let steps = sequence_length(group.x);
    controller_initial(record(0u));
    core_initial(record(0u));
    if lane == 0u {
        // Whole sequences are not this objective's measure, nor are the bound's parts.
        for (var k = 0u; k < SCORES; k++) {
            scores[SCORES * sequence + k] = 0.0;
        }
    }
    sync();
    for (var t = 0u; t < steps; t++) {
        let now = record(t + 1u);
        let before = record(t);
        controller_input(t, now, before);
        sync();
        for (var l = 0u; l < LAYERS; l++) {
            lstm_forward(l, now, before);
        }
        core_forward(now, before);
        output_forward(t, now, gradient_record(t));
    }
}

@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    begin(group.x, local);
    let steps = sequence_length(group.x);
    fill(carry + C_DH, LAYERS * H, 0.0);
    fill(carry + C_DC, LAYERS * H, 0.0);
    fill(carry + C_DSTATE, 2u * STATE, 0.0);
    sync();
    for (var back = 0u; back < steps; back++) {
        let t = steps - 1u - back;
        let now = record(t + 1u);
        let before = record(t);
        let gradients = gradient_record(t);
        // The state gradients alternate between two regions: dnext for step t (from
        // step t+1) and dprevious, which step t fills for step t−1.
        let dnext = carry + C_DSTATE + (t % 2u) * STATE;
        let dprevious = carry + C_DSTATE + ((t + 1u) % 2u) * STATE;
        fill(dprevious, STATE, 0.0);
        fill(gradients + G_DRAW, GRAW, 0.0);
        fill(carry + C_DXI, DXI, 0.0);
        sync();
        output_backward(gradients, dnext);
        core_backward(now, before, dnext, dprevious, gradients);
        for (var down = 0u; down < LAYERS; down++) {
            lstm_backward(LAYERS - 1u - down, now, before, gradients);
        }
        // The controller read r_{t−1}: its gradient joins dprevious.
        for (var j = lane; j < RW; j += WG) {
            work[dprevious + S_READ + j] += work[carry + C_DX + X + j];
        }
        sync();
    }
}
