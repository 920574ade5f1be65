// The two sequence kernels, one workgroup per sequence and one dispatch per time step
// (the stage's `step`): `forward` runs step t (read, maps, write) and leaves the loss
// gradient with respect to the logits; `backward`, dispatched from the last step down,
// walks step t back, leaving per step the gradients that the weight-gradient kernel
// turns into parameter gradients. Twins of `Gtmm::unroll` and `Gtmm::backprop`.
//
// The memory (one file per variant) provides `memory_initial`, `memory_read`,
// `memory_write`, `memory_write_backward` and `memory_read_backward`.

struct Stage {
    unused: u32,
    // The time step t this dispatch runs.
    step: u32,
    mode: u32,
    flags: u32,
}

@group(0) @binding(5) var<uniform> stage: Stage;

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    begin(group.x, local);
    let steps = sequence_length(group.x);
    let t = stage.step;
    if t >= steps {
        return;
    }
    if t == 0u {
        // h = c = 0, z_{−1} = 0 and the memory's initial state, in record 0.
        controller_initial(record(0u));
        fill(record(0u) + F_HZ, H + Z, 0.0);
        memory_initial(record(0u));
        if lane == 0u {
            for (var k = 0u; k < SCORES; k++) {
                scores[SCORES * sequence + k] = 0.0;
            }
        }
        sync();
    }
    let now = record(t + 1u);
    let before = record(t);
    // [z_{t−1}; u_t] and x_t.
    let input = input_at(t);
    for (var c = lane; c < CIN; c += WG) {
        if c < Z {
            work[now + F_CIN + c] = work[before + F_HZ + H + c];
        } else {
            work[now + F_CIN + c] = batch[input + D + c - Z];
        }
    }
    for (var d = lane; d < D; d += WG) {
        work[now + F_FRAME + d] = batch[input + d];
    }
    sync();
    lstm_forward(0u, now, before);
    // h_t into Ψ_t and into the write's input [h_t; z_t].
    for (var k = lane; k < H; k += WG) {
        let h = work[layer_at(now, 0u) + HIDDEN + k];
        work[now + F_CONTEXT + k] = h;
        work[now + F_HZ + k] = h;
    }
    sync();
    memory_read(t, now, before);
    maps_forward(t, now, gradient_record(t));
    memory_write(t, now, before);
}

@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    begin(group.x, local);
    let steps = sequence_length(group.x);
    let t = stage.step;
    if t >= steps {
        return;
    }
    if t == steps - 1u {
        fill(carry + C_DH, H, 0.0);
        fill(carry + C_DC, H, 0.0);
        fill(carry + C_DLATENT_NEXT, Z, 0.0);
        fill(carry + C_DSTATE, 2u * STATE, 0.0);
        sync();
    }
    let now = record(t + 1u);
    let before = record(t);
    let gradients = gradient_record(t);
    // The state gradients alternate between two regions: dnext for step t (from step
    // t+1) and dprevious, which step t fills for step t−1.
    let dnext = carry + C_DSTATE + (t % 2u) * STATE;
    let dprevious = carry + C_DSTATE + ((t + 1u) % 2u) * STATE;
    fill(dprevious, STATE, 0.0);
    fill(carry + C_DHZ, H + Z, 0.0);
    sync();
    decoder_backward(now, gradients);
    memory_write_backward(t, now, before, dnext, dprevious, gradients);
    maps_backward(t, now, gradients);
    memory_read_backward(t, now, before, dnext, dprevious, gradients);
    lstm_backward(0u, now, before, gradients);
    // ∂/∂z_{t−1} from this step's controller input.
    for (var j = lane; j < Z; j += WG) {
        work[carry + C_DLATENT_NEXT + j] = work[carry + C_DX + j];
    }
    sync();
}
