// The DNC memory in the generative order (generative.md §8.2), twin of
// `memory::dnc::latent`, on the halves of `halves.wgsl`: the read half
// (`interface.read` from h_t: read keys, strengths and modes) uses M_{t−1}, L_{t−1} and
// the previous read weightings; the write half (`interface.write` from [h_t; z_t]: write
// key and strength, erase, write vector, free gates, allocation and write gates) runs
// usage, allocation, the write and the links, freeing by this step's read weightings.
//
// Both heads fill raw ξ at F_RAW in models.md §3's order: interface.read's first
// READ_SPLIT rows are ξ's keys and strengths, its last 3R the read modes;
// interface.write's rows are everything between.

const READ_SPLIT: u32 = XI_WRITE_KEY;
const WRITE_ROWS: u32 = XI_READ_MODES - XI_WRITE_KEY;

fn memory_initial(first: u32) {
    dnc_initial(first + F_STATE);
}

// Where row r of interface.read lands in raw ξ.
fn read_row_in_xi(r: u32) -> u32 {
    return select(XI_READ_MODES + r - READ_SPLIT, r, r < READ_SPLIT);
}

fn memory_read(t: u32, now: u32, before: u32) {
    let state = now + F_STATE;
    let old = before + F_STATE;
    for (var r = lane; r < READ_SPLIT + 3u * R; r += WG) {
        var total = params[P_INTERFACE_READ_BIAS + r];
        for (var c = 0u; c < H; c++) {
            total += params[P_INTERFACE_READ_WEIGHT + r * H + c] * work[now + F_CONTEXT + c];
        }
        work[now + F_RAW + read_row_in_xi(r)] = total;
    }
    sync();
    // The write part of ξ is transformed again once it exists (memory_write).
    interface_transforms(now);
    read_half(now, old + S_MEMORY, old + S_NORMS, old + S_LINK, old + S_READ_WEIGHTS,
        state + S_READ_WEIGHTS, now + F_CONTEXT + H);
}

fn memory_write(t: u32, now: u32, before: u32) {
    let state = now + F_STATE;
    affine(P_INTERFACE_WRITE_WEIGHT, P_INTERFACE_WRITE_BIAS, WRITE_ROWS, H + Z, now + F_HZ,
        now + F_RAW + XI_WRITE_KEY);
    sync();
    interface_transforms(now);
    usage_and_allocation(now, before, state + S_READ_WEIGHTS);
    write_half(now, before);
}

// The write half's backward; this step's read weightings gain ψ's part (in dnext's).
fn memory_write_backward(t: u32, now: u32, before: u32, dnext: u32, dprevious: u32, gradients: u32) {
    let state = now + F_STATE;
    let old = before + F_STATE;
    fill(carry + C_DXI, INTERFACE, 0.0);
    sync();
    links_backward(now, before, dnext, dprevious);
    write_backward(now, before, dnext, dprevious);
    write_weighting_backward(now, before, dnext, dprevious, state + S_READ_WEIGHTS,
        dnext + S_READ_WEIGHTS);
    interface_backward(now, gradients + G_DRAW);
    affine_backward_input(P_INTERFACE_WRITE_WEIGHT, WRITE_ROWS, H + Z,
        gradients + G_DRAW + XI_WRITE_KEY, carry + C_DHZ);
    sync();
}

fn memory_read_backward(t: u32, now: u32, before: u32, dnext: u32, dprevious: u32, gradients: u32) {
    let state = now + F_STATE;
    let old = before + F_STATE;
    for (var i = 0u; i < R; i++) {
        read_head_backward(i, now, old + S_MEMORY, old + S_NORMS, old + S_LINK,
            old + S_READ_WEIGHTS, state + S_READ_WEIGHTS, carry + C_DCONTEXT + H,
            dnext + S_READ_WEIGHTS, dprevious + S_MEMORY, dprevious + S_LINK,
            dprevious + S_READ_WEIGHTS);
    }
    // ξ's read parts now have their gradients (the write parts are unchanged).
    interface_backward(now, gradients + G_DRAW);
    for (var c = lane; c < H; c += WG) {
        var total = 0.0;
        for (var r = 0u; r < READ_SPLIT + 3u * R; r++) {
            total += params[P_INTERFACE_READ_WEIGHT + r * H + c]
                * work[gradients + G_DRAW + read_row_in_xi(r)];
        }
        work[carry + C_DH_TOP + c] += total;
    }
    sync();
}
