// The DNC's improvements (models.md §3.1) on the GPU, twin of `memory::dnc::options`:
// the masked lookup, link sharpness and de-allocation's write backward, each with its
// backward, used by `halves.wgsl` when the layout's MASKING, LINK_SHARPNESS or
// DEALLOCATION is 1 (write_backward also serves the plain DNC).

// Head `head`'s mask (§3.1; head R is the write head's).
fn mask_of(now: u32, head: u32) -> u32 {
    return now + F_XI + select(XI_READ_MASKS + head * MW, XI_WRITE_MASK, head == R);
}

// ‖v ⊙ m‖ = sqrt(Σ (v m)² + 1e-6), by one invocation.
fn masked_norm(at: u32, mask: u32) -> f32 {
    var total = 0.0;
    for (var j = 0u; j < MW; j++) {
        let v = work[at + j] * work[mask + j];
        total += v * v;
    }
    return sqrt(total + NORM_EPSILON);
}

// Masked lookup (§3.1), twin of `memory::dnc::options::lookup`: c[i] = softmax(β ·
// K(k ⊙ m, M[i] ⊙ m)); the masked rows' norms go to `norms` (N) for the backward pass.
// Ends with a barrier.
fn masked_content_weighting(memory: u32, key: u32, key_norm: f32, mask: u32, strength: f32,
    similarity: u32, weights: u32, norms: u32) {
    var largest = -3.0e38;
    for (var i = lane; i < N; i += WG) {
        let row_norm = masked_norm(memory + i * MW, mask);
        work[norms + i] = row_norm;
        var product = 0.0;
        for (var j = 0u; j < MW; j++) {
            let m = work[mask + j];
            product += work[key + j] * m * work[memory + i * MW + j] * m;
        }
        let s = product / (key_norm * row_norm + DENOMINATOR_EPSILON);
        work[similarity + i] = s;
        largest = max(largest, strength * s);
    }
    strength_softmax(similarity, strength, largest, weights, N);
}

// Backward of `masked_content_weighting` given dc at `dweights`: the cosine's backward on
// the masked vectors (as `content_weighting_backward`), then through the mask into
// `dmemory`, `dkey` and `dmask`. Returns dβ; ends with a barrier.
fn masked_content_weighting_backward(memory: u32, norms: u32, key: u32, key_norm: f32,
    mask: u32, strength: f32, similarity: u32, weights: u32, dweights: u32, dmemory: u32,
    dkey: u32, dmask: u32) -> f32 {
    let weighted = weighted_sum(weights, dweights, N);
    var partial = vec4<f32>(0.0);
    for (var i = lane; i < N; i += WG) {
        let row = content_row_backward(i, weighted, weights, dweights, similarity, norms,
            strength, key_norm, &partial);
        let along_other = row.x;
        let row_self = row.y;
        work[carry + CONTENT_SCRATCH + i] = along_other;
        work[carry + ROW_SELF + i] = row_self;
        for (var j = 0u; j < MW; j++) {
            let m = work[mask + j];
            let at = i * MW + j;
            // ∂/∂(M ⊙ m)[i][j], then ∂(M ⊙ m)/∂M = m.
            work[dmemory + at] += (along_other * work[key + j] * m - row_self * work[memory + at] * m) * m;
        }
    }
    let totals = sum4(partial);
    for (var j = lane; j < MW; j += WG) {
        let m = work[mask + j];
        let k = work[key + j];
        var dmasked_key = 0.0;
        var through_rows = 0.0;
        for (var i = 0u; i < N; i++) {
            let row = work[memory + i * MW + j];
            let along_other = work[carry + CONTENT_SCRATCH + i];
            dmasked_key += along_other * row * m;
            through_rows += (along_other * k * m - work[carry + ROW_SELF + i] * row * m) * row;
        }
        dmasked_key -= totals.y * k * m;
        work[dkey + j] += dmasked_key * m;
        work[dmask + j] += dmasked_key * k + through_rows;
    }
    sync();
    return totals.x;
}

// Link sharpness (§3.1), twin of `memory::dnc::options::sharpen`: `out` =
// ((w + ε)/max)^s normalised; the max (+ ε) is kept at `top_at`. Ends with a barrier.
fn sharpen(weights: u32, exponent: f32, out: u32, top_at: u32) {
    var largest = 0.0;
    for (var k = lane; k < N; k += WG) {
        largest = max(largest, work[weights + k]);
    }
    let top = max1(largest) + SHARPNESS_EPSILON;
    var total = 0.0;
    for (var k = lane; k < N; k += WG) {
        let p = pow((work[weights + k] + SHARPNESS_EPSILON) / top, exponent);
        work[out + k] = p;
        total += p;
    }
    let sum = sum1(total);
    for (var k = lane; k < N; k += WG) {
        work[out + k] /= sum;
    }
    if lane == 0u {
        work[top_at] = top;
    }
    sync();
}

// Backward of `sharpen` given dout = mode · dread: the link weighting's gradient into
// `dweights` (N, overwritten); returns the exponent's. With g = out (dout − Σ dout out):
// ∂/∂w = s g / (w + ε), ∂/∂s = Σ g ln((w + ε)/max). Ends with a barrier.
fn sharpen_backward(weights: u32, exponent: f32, out: u32, top: f32, dread: u32, mode: f32,
    dweights: u32) -> f32 {
    var inner = 0.0;
    for (var k = lane; k < N; k += WG) {
        inner += mode * work[dread + k] * work[out + k];
    }
    inner = sum1(inner);
    var dexponent = 0.0;
    for (var k = lane; k < N; k += WG) {
        let g = work[out + k] * (mode * work[dread + k] - inner);
        let shifted = work[weights + k] + SHARPNESS_EPSILON;
        work[dweights + k] = exponent * g / shifted;
        dexponent += g * log(shifted / top);
    }
    return sum1(dexponent);
}

// The write's backward through erase and add, on M_{t−1} or, with de-allocation (§3.1),
// on M_{t−1} ⊙ ψ: then dM_{t−1} gains dR ⊙ ψ and ψ the gradient Σ_j dR[i][j] M[i][j]
// (DRETAINED_PSI, which `write_weighting_backward` adds to the usage's part). Ends with a
// barrier.
fn write_backward(now: u32, before: u32, dnext: u32, dprevious: u32) {
    let state = now + F_STATE;
    let old = before + F_STATE;
    if DEALLOCATION == 1u {
        fill(carry + DRETAINED, N * MW, 0.0);
        sync();
        erase_and_add_backward(now + F_RETAINED, state + S_WRITE_WEIGHTS, now + F_XI + XI_ERASE,
            now + F_XI + XI_WRITE_VECTOR, dnext + S_MEMORY, carry + DRETAINED,
            dnext + S_WRITE_WEIGHTS, carry + C_DXI + XI_ERASE, carry + C_DXI + XI_WRITE_VECTOR);
        for (var i = lane; i < N * MW; i += WG) {
            work[dprevious + S_MEMORY + i] += work[carry + DRETAINED + i] * work[now + F_RETENTION + i / MW];
        }
        for (var k = lane; k < N; k += WG) {
            var total = 0.0;
            for (var j = 0u; j < MW; j++) {
                total += work[carry + DRETAINED + k * MW + j] * work[old + S_MEMORY + k * MW + j];
            }
            work[carry + DRETAINED_PSI + k] = total;
        }
    } else {
        erase_and_add_backward(old + S_MEMORY, state + S_WRITE_WEIGHTS, now + F_XI + XI_ERASE,
            now + F_XI + XI_WRITE_VECTOR, dnext + S_MEMORY, dprevious + S_MEMORY,
            dnext + S_WRITE_WEIGHTS, carry + C_DXI + XI_ERASE, carry + C_DXI + XI_WRITE_VECTOR);
        fill(carry + DRETAINED_PSI, N, 0.0);
    }
    sync();
}
