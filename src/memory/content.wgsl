// Content-based addressing (models.md §0), twin of `memory::content`:
//   K(u, v) = (u · v) / (‖u‖ ‖v‖ + 1e-6)
//   c[i] = softmax_i( β · K(k, M[i]) )
// The memory is `N × MW` at `memory` with its row norms at `norms`; the key (MW floats)
// at `key` has norm `key_norm`. Only the first `slots` rows are addressed (N, except for
// the generative models' introspective memory, which addresses its filled slots).

const DENOMINATOR_EPSILON: f32 = 1e-6;

// Writes K(k, M[i]) to `similarity` and the weighting to `weights`. Ends with a barrier.
fn content_weighting(
    memory: u32, norms: u32, key: u32, key_norm: f32, strength: f32,
    similarity: u32, weights: u32, slots: u32,
) {
    var largest = -3.0e38;
    for (var i = lane; i < slots; i += WG) {
        var product = 0.0;
        for (var j = 0u; j < MW; j++) {
            product += work[key + j] * work[memory + i * MW + j];
        }
        let s = product / (key_norm * work[norms + i] + DENOMINATOR_EPSILON);
        work[similarity + i] = s;
        largest = max(largest, strength * s);
    }
    strength_softmax(similarity, strength, largest, weights, slots);
}

// c[i] = softmax_i(β · K[i]) of the similarities at `similarity`, given each invocation's
// largest β·K among those it wrote. Ends with a barrier.
fn strength_softmax(similarity: u32, strength: f32, largest: f32, weights: u32, slots: u32) {
    let shift = max1(largest);
    var total = 0.0;
    for (var i = lane; i < slots; i += WG) {
        let e = exp(strength * work[similarity + i] - shift);
        work[weights + i] = e;
        total += e;
    }
    let inverse = 1.0 / sum1(total);
    for (var i = lane; i < slots; i += WG) {
        work[weights + i] *= inverse;
    }
    sync();
}

// Σ_i w[i]·dw[i] over the first `slots` entries, on every invocation: the term every
// softmax-like weighting's backward subtracts (∂/∂z_i = w_i (dw_i − Σ w·dw)).
fn weighted_sum(weights: u32, dweights: u32, slots: u32) -> f32 {
    var weighted = 0.0;
    for (var i = lane; i < slots; i += WG) {
        weighted += work[weights + i] * work[dweights + i];
    }
    return sum1(weighted);
}

// One row's part of the cosine's backward, given the row's score ∂L/∂(β·K) (already
// times β: `scaled`), its similarity `s` and norms. K = dot / D with D = ‖k‖‖m‖ + ε:
//   ∂K/∂k = m/D − dot/D² · ‖m‖ k/‖k‖ ;  ∂K/∂m = k/D − dot/D² · ‖k‖ m/‖m‖
// Returns (along the other vector, the key's own coefficient, the row's own coefficient).
fn cosine_row_backward(scaled: f32, s: f32, key_norm: f32, row_norm: f32) -> vec3<f32> {
    let denominator = key_norm * row_norm + DENOMINATOR_EPSILON;
    let along_self = scaled * s / denominator;
    return vec3<f32>(
        scaled / denominator,
        along_self * row_norm / key_norm,
        along_self * key_norm / row_norm,
    );
}

// Row `i`'s part of a content lookup's backward, given dc at `dweights` and
// `weighted` = Σ w·dc: adds dβ's term score·K and the cosine's part along the key itself
// to `partial` (.x, .y), and returns the parts along the other vector and along the row
// itself.
fn content_row_backward(i: u32, weighted: f32, weights: u32, dweights: u32, similarity: u32,
    norms: u32, strength: f32, key_norm: f32, partial: ptr<function, vec4<f32>>) -> vec2<f32> {
    let score = work[weights + i] * (work[dweights + i] - weighted);
    let s = work[similarity + i];
    (*partial).x += score * s;
    let parts = cosine_row_backward(score * strength, s, key_norm, work[norms + i]);
    (*partial).y += parts.y;
    return vec2<f32>(parts.x, parts.z);
}

// Backward of `content_weighting` given dc at `dweights`: accumulates into `dmemory` and
// `dkey` and returns dβ. `scratch` holds N floats. Ends with a barrier.
fn content_weighting_backward(
    memory: u32, norms: u32, key: u32, key_norm: f32, strength: f32,
    similarity: u32, weights: u32, dweights: u32, dmemory: u32, dkey: u32, scratch: u32,
    slots: u32,
) -> f32 {
    let weighted = weighted_sum(weights, dweights, slots);
    var partial = vec4<f32>(0.0);
    for (var i = lane; i < slots; i += WG) {
        let row = content_row_backward(i, weighted, weights, dweights, similarity, norms,
            strength, key_norm, &partial);
        let along_other = row.x;
        let row_self = row.y;
        work[scratch + i] = along_other;
        for (var j = 0u; j < MW; j++) {
            let at = i * MW + j;
            work[dmemory + at] += along_other * work[key + j] - row_self * work[memory + at];
        }
    }
    let totals = sum4(partial);
    for (var j = lane; j < MW; j += WG) {
        var total = 0.0;
        for (var i = 0u; i < slots; i++) {
            total += work[scratch + i] * work[memory + i * MW + j];
        }
        work[dkey + j] += total - totals.y * work[key + j];
    }
    sync();
    return totals.x;
}
