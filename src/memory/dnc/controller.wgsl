// Differentiable Neural Computer core (models.md §3), twin of `memory::dnc::controller`: ξ from h_t,
// the write half, then the read half on M_t and L_t (`halves.wgsl`).

fn core_initial(first: u32) {
    let state = first + F_STATE;
    fill(state + S_READ, RW, 0.0);
    dnc_initial(state);
}

// ξ from h_t and its transforms.
fn interface_forward(now: u32) {
    affine(P_INTERFACE_WEIGHT, P_INTERFACE_BIAS, INTERFACE, H, controller_output(now), now + F_RAW);
    sync();
    interface_transforms(now);
}

fn core_forward(now: u32, before: u32) {
    let state = now + F_STATE;
    let old = before + F_STATE;
    interface_forward(now);
    usage_and_allocation(now, before, old + S_READ_WEIGHTS);
    write_half(now, before);
    read_half(now, state + S_MEMORY, state + S_NORMS, state + S_LINK, old + S_READ_WEIGHTS,
        state + S_READ_WEIGHTS, state + S_READ);
}

fn core_backward(now: u32, before: u32, dnext: u32, dprevious: u32, gradients: u32) {
    let state = now + F_STATE;
    let old = before + F_STATE;
    for (var i = 0u; i < R; i++) {
        read_head_backward(i, now, state + S_MEMORY, state + S_NORMS, state + S_LINK,
            old + S_READ_WEIGHTS, state + S_READ_WEIGHTS, dnext + S_READ,
            dnext + S_READ_WEIGHTS, dnext + S_MEMORY, dnext + S_LINK, dprevious + S_READ_WEIGHTS);
    }
    links_backward(now, before, dnext, dprevious);
    write_backward(now, before, dnext, dprevious);
    write_weighting_backward(now, before, dnext, dprevious, old + S_READ_WEIGHTS,
        dprevious + S_READ_WEIGHTS);
    interface_backward(now, gradients + G_DRAW);
    affine_backward_input(P_INTERFACE_WEIGHT, INTERFACE, H, gradients + G_DRAW, carry + C_DH_TOP);
    sync();
}
