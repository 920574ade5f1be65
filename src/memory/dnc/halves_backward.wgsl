// The backward of `halves.wgsl`'s halves (models.md §3), in the same order of ξ's
// parts: the reads, the links and precedence, then the write weighting, allocation,
// usage and retention. Twin of `memory::dnc::backward`.

// Backward of `read_half` for head i: r = Mᵀ w^r with w^r = π₀ b + π₁ c + π₂ f. The read
// vector's gradient is at `dread_vector`, the read weighting's at `dread` (it gains the
// read's part); accumulates dM into `dmemory`, dL into `dlink`, the previous weightings'
// gradient into `dprevious_reads` and dξ into C_DXI.
fn read_head_backward(i: u32, now: u32, memory: u32, norms: u32, link: u32, previous_reads: u32,
    read_weights: u32, dread_vector: u32, dread_weights: u32, dmemory: u32, dlink: u32,
    dprevious_reads: u32) {
    let dread = dread_weights + i * N;
    let modes = now + F_XI + XI_READ_MODES + 3u * i;
    read_memory_backward(memory, read_weights + i * N, dread_vector + i * MW, dmemory, dread);
    var forward_at = now + F_FORWARD;
    var backward_at = now + F_BACKWARD;
    if LINK_SHARPNESS == 1u {
        forward_at = now + F_FORWARD_SHARP;
        backward_at = now + F_BACKWARD_SHARP;
    }
    var partial = vec4<f32>(0.0);
    for (var k = lane; k < N; k += WG) {
        let d = work[dread + k];
        partial.x += d * work[backward_at + i * N + k];
        partial.y += d * work[now + F_CONTENT_READ + i * N + k];
        partial.z += d * work[forward_at + i * N + k];
        work[carry + DCONTENT + k] = work[modes + 1u] * d;
    }
    let dmodes = sum4(partial);
    if lane == 0u {
        work[carry + C_DXI + XI_READ_MODES + 3u * i] += dmodes.x;
        work[carry + C_DXI + XI_READ_MODES + 3u * i + 1u] += dmodes.y;
        work[carry + C_DXI + XI_READ_MODES + 3u * i + 2u] += dmodes.z;
    }
    var dstrength = 0.0;
    if MASKING == 1u {
        dstrength = masked_content_weighting_backward(memory, now + F_MASKED_NORMS + i * N,
            now + F_XI + i * MW, work[now + F_KEY_NORMS + i], mask_of(now, i),
            xi(now, XI_READ_STRENGTHS + i), now + F_READ_SIMILARITY + i * N,
            now + F_CONTENT_READ + i * N, carry + DCONTENT, dmemory, carry + C_DXI + i * MW,
            carry + C_DXI + XI_READ_MASKS + i * MW);
    } else {
        dstrength = content_weighting_backward(memory, norms,
            now + F_XI + i * MW, work[now + F_KEY_NORMS + i], xi(now, XI_READ_STRENGTHS + i),
            now + F_READ_SIMILARITY + i * N, now + F_CONTENT_READ + i * N, carry + DCONTENT,
            dmemory, carry + C_DXI + i * MW, carry + CONTENT_SCRATCH, N);
    }
    if lane == 0u {
        work[carry + C_DXI + XI_READ_STRENGTHS + i] += dstrength;
    }
    // The forward and backward weightings' gradients: mode · dread, or with link
    // sharpness (§3.1) through the sharpening (into DSHARP_*).
    let backward_mode = work[modes];
    let forward_mode = work[modes + 2u];
    if LINK_SHARPNESS == 1u {
        let dforward_sharpness = sharpen_backward(now + F_FORWARD + i * N,
            xi(now, XI_FORWARD_SHARPNESS + i), now + F_FORWARD_SHARP + i * N,
            work[now + F_SHARP_TOP + i], dread, forward_mode, carry + DSHARP_FORWARD);
        let dbackward_sharpness = sharpen_backward(now + F_BACKWARD + i * N,
            xi(now, XI_BACKWARD_SHARPNESS + i), now + F_BACKWARD_SHARP + i * N,
            work[now + F_SHARP_TOP + R + i], dread, backward_mode, carry + DSHARP_BACKWARD);
        if lane == 0u {
            work[carry + C_DXI + XI_FORWARD_SHARPNESS + i] += dforward_sharpness;
            work[carry + C_DXI + XI_BACKWARD_SHARPNESS + i] += dbackward_sharpness;
        }
    } else {
        for (var k = lane; k < N; k += WG) {
            work[carry + DSHARP_FORWARD + k] = forward_mode * work[dread + k];
            work[carry + DSHARP_BACKWARD + k] = backward_mode * work[dread + k];
        }
        sync();
    }
    // f = L w_{t−1}, b = Lᵀ w_{t−1}: dL += df w_{t−1}ᵀ + w_{t−1} dbᵀ,
    // dw_{t−1} += Lᵀ df + L db.
    let previous = previous_reads + i * N;
    let dforward = carry + DSHARP_FORWARD;
    let dbackward = carry + DSHARP_BACKWARD;
    for (var at = lane; at < N * N; at += WG) {
        let k = at / N;
        let j = at % N;
        work[dlink + at] += work[dforward + k] * work[previous + j]
            + work[previous + k] * work[dbackward + j];
    }
    for (var j = lane; j < N; j += WG) {
        var total = 0.0;
        for (var k = 0u; k < N; k++) {
            total += work[link + k * N + j] * work[dforward + k];
            total += work[link + j * N + k] * work[dbackward + k];
        }
        work[dprevious_reads + i * N + j] += total;
    }
    sync();
}

// Precedence and links: p_t = (1 − Σ w) p + w; L_t[i][j] = (1 − w_i − w_j) L[i][j] + w_i p[j].
// The write weighting's gradient accumulates in dnext's S_WRITE_WEIGHTS.
fn links_backward(now: u32, before: u32, dnext: u32, dprevious: u32) {
    let state = now + F_STATE;
    let old = before + F_STATE;
    let written = work[now + F_WRITTEN];
    var through = 0.0;
    for (var k = lane; k < N; k += WG) {
        through += work[dnext + S_PRECEDENCE + k] * work[old + S_PRECEDENCE + k];
    }
    through = sum1(through);
    for (var k = lane; k < N; k += WG) {
        let dp = work[dnext + S_PRECEDENCE + k];
        work[dprevious + S_PRECEDENCE + k] += (1.0 - written) * dp;
        work[dnext + S_WRITE_WEIGHTS + k] += dp - through;
    }
    sync();
    for (var at = lane; at < N * N; at += WG) {
        let i = at / N;
        let j = at % N;
        if i != j {
            let wi = work[state + S_WRITE_WEIGHTS + i];
            let wj = work[state + S_WRITE_WEIGHTS + j];
            work[dprevious + S_LINK + at] += (1.0 - wi - wj) * work[dnext + S_LINK + at];
        }
    }
    for (var k = lane; k < N; k += WG) {
        var dwrite = 0.0;
        var dprecedence = 0.0;
        for (var j = 0u; j < N; j++) {
            if j != k {
                let row = work[dnext + S_LINK + k * N + j];
                let column = work[dnext + S_LINK + j * N + k];
                dwrite += row * (work[old + S_PRECEDENCE + j] - work[old + S_LINK + k * N + j]);
                dwrite -= column * work[old + S_LINK + j * N + k];
                dprecedence += column * work[state + S_WRITE_WEIGHTS + j];
            }
        }
        work[dnext + S_WRITE_WEIGHTS + k] += dwrite;
        work[dprevious + S_PRECEDENCE + k] += dprecedence;
    }
    sync();
}

// w^w = g^w (g^a a + (1 − g^a) c^w), the write content weighting, the allocation (φ
// constant), usage and retention (whose read weightings are at `retention_reads`, their
// gradient at `dretention_reads`).
fn write_weighting_backward(now: u32, before: u32, dnext: u32, dprevious: u32,
    retention_reads: u32, dretention_reads: u32) {
    let state = now + F_STATE;
    let old = before + F_STATE;
    let allocation_gate = xi(now, XI_ALLOCATION_GATE);
    let write_gate = xi(now, XI_WRITE_GATE);
    var partial = vec4<f32>(0.0);
    for (var k = lane; k < N; k += WG) {
        let allocation = work[now + F_ALLOCATION + k];
        let content = work[now + F_CONTENT_WRITE + k];
        let dwrite = work[dnext + S_WRITE_WEIGHTS + k];
        partial.x += dwrite * (allocation_gate * allocation + (1.0 - allocation_gate) * content);
        let dmix = write_gate * dwrite;
        partial.y += dmix * (allocation - content);
        work[carry + DALLOCATION + k] = allocation_gate * dmix;
        work[carry + DCONTENT_WRITE + k] = (1.0 - allocation_gate) * dmix;
    }
    let gates = sum4(partial);
    if lane == 0u {
        work[carry + C_DXI + XI_WRITE_GATE] += gates.x;
        work[carry + C_DXI + XI_ALLOCATION_GATE] += gates.y;
    }
    var dstrength = 0.0;
    if MASKING == 1u {
        dstrength = masked_content_weighting_backward(old + S_MEMORY, now + F_MASKED_NORMS + R * N,
            now + F_XI + XI_WRITE_KEY, work[now + F_KEY_NORMS + R], mask_of(now, R),
            xi(now, XI_WRITE_STRENGTH), now + F_WRITE_SIMILARITY, now + F_CONTENT_WRITE,
            carry + DCONTENT_WRITE, dprevious + S_MEMORY, carry + C_DXI + XI_WRITE_KEY,
            carry + C_DXI + XI_WRITE_MASK);
    } else {
        dstrength = content_weighting_backward(old + S_MEMORY, old + S_NORMS,
            now + F_XI + XI_WRITE_KEY, work[now + F_KEY_NORMS + R], xi(now, XI_WRITE_STRENGTH),
            now + F_WRITE_SIMILARITY, now + F_CONTENT_WRITE, carry + DCONTENT_WRITE,
            dprevious + S_MEMORY, carry + C_DXI + XI_WRITE_KEY, carry + CONTENT_SCRATCH, N);
    }
    // Allocation in sorted order s_j, P_j = Π_{m<j} s_m, a_j = (1 − s_j) P_j:
    // ∂/∂s_k = −P_k da_k + P_k S_k with S_k = da_{k+1}(1 − s_{k+1}) + s_{k+1} S_{k+1}.
    if lane == 0u {
        work[carry + C_DXI + XI_WRITE_STRENGTH] += dstrength;
        work[carry + PREFIX] = 1.0;
        for (var j = 1u; j < N; j++) {
            work[carry + PREFIX + j] = work[carry + PREFIX + j - 1u] * work[now + F_SORTED + j - 1u];
        }
        var suffix = 0.0;
        for (var back = 0u; back < N; back++) {
            let k = N - 1u - back;
            let slot = u32(work[now + F_ORDER + k]);
            let sorted = work[now + F_SORTED + k];
            let da = work[carry + DALLOCATION + slot];
            let dsorted = work[carry + PREFIX + k] * (suffix - da);
            work[dnext + S_USAGE + slot] += (1.0 - USAGE_FLOOR) * dsorted;
            suffix = da * (1.0 - sorted) + sorted * suffix;
        }
    }
    sync();
    // u_t = (u + w − u w) ⊙ ψ.
    for (var k = lane; k < N; k += WG) {
        let du = work[dnext + S_USAGE + k];
        let retention = work[now + F_RETENTION + k];
        work[dprevious + S_USAGE + k] += du * retention * (1.0 - work[old + S_WRITE_WEIGHTS + k]);
        work[dprevious + S_WRITE_WEIGHTS + k] += du * retention * (1.0 - work[old + S_USAGE + k]);
        // ψ's gradient: the usage's part, and de-allocation's (§3.1; 0 without it).
        work[carry + DRETENTION + k] = du * work[now + F_USAGE_BEFORE + k]
            + work[carry + DRETAINED_PSI + k];
    }
    sync();
    // ψ = Π_i (1 − f^i w^{r,i}); the product over the other heads avoids dividing by a
    // factor that may be 0.
    for (var at = lane; at < R * N; at += WG) {
        let i = at / N;
        let k = at % N;
        var others = 1.0;
        for (var l = 0u; l < R; l++) {
            if l != i {
                others *= 1.0 - xi(now, XI_FREE_GATES + l) * work[retention_reads + l * N + k];
            }
        }
        let g = work[carry + DRETENTION + k] * others;
        work[carry + FREE_TERMS + at] = -g * work[retention_reads + at];
        work[dretention_reads + at] -= g * xi(now, XI_FREE_GATES + i);
    }
    sync();
    for (var i = lane; i < R; i += WG) {
        var total = 0.0;
        for (var k = 0u; k < N; k++) {
            total += work[carry + FREE_TERMS + i * N + k];
        }
        work[carry + C_DXI + XI_FREE_GATES + i] += total;
    }
    sync();
}

// dξ (transformed) → raw ξ gradients, one invocation per part (per head for the modes).
fn interface_backward(now: u32, draw: u32) {
    for (var p = lane; p < INTERFACE; p += WG) {
        let d = work[carry + C_DXI + p];
        let raw = work[now + F_RAW + p];
        let value = work[now + F_XI + p];
        if p >= XI_FORWARD_SHARPNESS {
            work[draw + p] = d * sigmoid(raw);
        } else if p >= XI_STANDARD {
            work[draw + p] = d * value * (1.0 - value);
        } else if p >= XI_READ_MODES {
            if (p - XI_READ_MODES) % 3u == 0u {
                var weighted = 0.0;
                for (var m = 0u; m < 3u; m++) {
                    weighted += work[now + F_XI + p + m] * work[carry + C_DXI + p + m];
                }
                for (var m = 0u; m < 3u; m++) {
                    work[draw + p + m] = work[now + F_XI + p + m] * (work[carry + C_DXI + p + m] - weighted);
                }
            }
        } else if (p >= XI_READ_STRENGTHS && p < XI_WRITE_KEY) || p == XI_WRITE_STRENGTH {
            work[draw + p] = d * sigmoid(raw);
        } else if (p >= XI_ERASE && p < XI_WRITE_VECTOR) || (p >= XI_FREE_GATES && p < XI_READ_MODES) {
            work[draw + p] = d * value * (1.0 - value);
        } else {
            work[draw + p] = d;
        }
    }
    sync();
}
