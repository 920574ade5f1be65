// The Diagonal Neural GPU's parameter gradients, summed over every sequence of the
// dispatch and every step in a fixed order (no atomics: the same batch gives the same
// bits). One workgroup per row of one tensor (x: the row, z: the tensor), one invocation
// per element of the row:
//   z = 0, 1, 2: the convolution of a_r, a_c, a_g, row o:
//       ∂K[o, i, t] = Σ_{b, j, x} ∂a_j[o, x]·in_j[i, x + t − 1],  ∂bias[o] = Σ ∂a_j[o, x]
//       (in_j = s_j, or r_j ⊙ s_j for a_c)
//   z = 3: the embedding, ∂E[a, c] = Σ_x x_a·∂a_0[c, x] (row a), ∂e = Σ_x ∂a_0 (row A_IN)
//   z = 4: the output, ∂O[a, c] = Σ_x ∂logits_x[a]·s_{n_b}[c, x] (row a),
//       ∂o = Σ_x ∂logits_x (row A_OUT)

// Convolution `k` (0: a_r, 1: a_c, 2: a_g) at `weights`, row o.
fn convolution_gradient(k: u32, weights: u32, o: u32, lane: u32) {
    for (var e = lane; e <= 3u * M; e += WG) {
        let i = e / 3u;
        let t = i32(e % 3u) - 1;
        var total = 0.0;
        for (var sequence = 0u; sequence < run.sequences; sequence++) {
            enter(sequence);
            for (var j = 0u; j < width; j++) {
                let dz = region(3u + k, j) + o * run.steps;
                for (var x = 0u; x < width; x++) {
                    if e == 3u * M {
                        total += work[dz + x];
                    } else {
                        total += work[dz + x] * conv_input(j, i, i32(x) + t, k == 1u);
                    }
                }
            }
        }
        if e == 3u * M {
            store(weights + M * M * 3u + o, total);
        } else {
            store(weights + o * 3u * M + e, total);
        }
    }
}

fn embedding_gradient(row: u32, lane: u32) {
    for (var c = lane; c < M; c += WG) {
        var total = 0.0;
        for (var sequence = 0u; sequence < run.sequences; sequence++) {
            enter(sequence);
            let input = (run.batch_offset + sequence) * run.steps;
            for (var x = 0u; x < width; x++) {
                var value = 1.0;
                if row < A_IN {
                    value = batch[(input + x) * A_IN + row];
                }
                total += value * work[embedded_at() + c * run.steps + x];
            }
        }
        if row < A_IN {
            store(P_EMBEDDING_WEIGHT + row * M + c, total);
        } else {
            store(P_EMBEDDING_BIAS + c, total);
        }
    }
}

fn output_gradient(row: u32, lane: u32) {
    let elements = select(M, A_OUT, row == A_OUT);
    for (var e = lane; e < elements; e += WG) {
        var total = 0.0;
        for (var sequence = 0u; sequence < run.sequences; sequence++) {
            enter(sequence);
            for (var x = 0u; x < width; x++) {
                if row == A_OUT {
                    total += work[dlogits_at() + x * A_OUT + e];
                } else {
                    total += work[dlogits_at() + x * A_OUT + row] * work[state(width) + e * run.steps + x];
                }
            }
        }
        if row == A_OUT {
            store(P_OUTPUT_BIAS + e, total);
        } else {
            store(P_OUTPUT_WEIGHT + row * M + e, total);
        }
    }
}

@compute @workgroup_size(WG)
fn weight_gradients(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let row = group.x;
    switch group.z {
        case 0u: {
            if row < M {
                convolution_gradient(0u, P_RESET, row, lane);
            }
        }
        case 1u: {
            if row < M {
                convolution_gradient(1u, P_CANDIDATE, row, lane);
            }
        }
        case 2u: {
            if row < M {
                convolution_gradient(2u, P_GATE, row, lane);
            }
        }
        case 3u: {
            if row <= A_IN {
                embedding_gradient(row, lane);
            }
        }
        default: {
            if row <= A_OUT {
                output_gradient(row, lane);
            }
        }
    }
}
