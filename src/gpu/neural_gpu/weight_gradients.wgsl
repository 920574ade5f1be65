// The Neural GPU family's parameter gradients, summed over every sequence of the dispatch
// and every step in a fixed order (no atomics: the same batch gives the same bits). One
// workgroup per row of one tensor (x: the row, z: the tensor), one invocation per
// element of the row:
//   z < 3·L·(r + coders − 1): convolution g = z mod 3 of layer l of coder c (of each
//   relaxed set of the encoder, summed over the steps that used it), row o:
//       ∂W[o, i, a, b] = Σ_{b, j, y, x} ∂z_j[o, y, x] · in_j[i, y + a − 1, x + b − 1],
//       ∂bias[o] = Σ ∂z_j[o, y, x]          (in_j = [p_k;] s_j, or [p_k;] r_j ⊙ s_j for c)
//   then the embedding (∂E[a, ·] = Σ_x x_a ∂s_0[·, 0, x]), the output layer
//   (∂W_o = Σ ∂logits_x ⊗ s[:, 0, x], ∂b_o = Σ ∂logits_x) and, for 5.2, the target
//   embedding (∂F[a, ·] = Σ over the columns x that were fed a of Σ_y ∂p[·, y, x]).

fn convolution_gradient(tensor: u32, o: u32, lane: u32) {
    // The encoder's tensors first (set by set, layer by layer, u r c), then the decoder's.
    let encoder = 3u * LAYERS * RELAX_SETS;
    var c = 0u;
    var relaxed_set = tensor / (3u * LAYERS);
    var sets = RELAX_SETS;
    var within = tensor % (3u * LAYERS);
    if tensor >= encoder {
        c = 1u;
        relaxed_set = 0u;
        sets = 1u;
        within = tensor - encoder;
    }
    let l = within / 3u;
    let g = within % 3u;
    let ins = in_maps(c);
    let taps = ins * 9u;
    // The parameters of the first application that used them.
    let first = relaxed_set * LAYERS + l;
    for (var e = lane; e <= taps; e += WG) {
        let i = e / 9u;
        let a = i32((e % 9u) / 3u) - 1;
        let b = i32(e % 3u) - 1;
        var total = 0.0;
        for (var sequence = 0u; sequence < run.sequences; sequence++) {
            enter(sequence);
            for (var step = relaxed_set; step < width; step += sets) {
                let j = step * LAYERS + l;
                var dz = candidate(c, j);
                if g == 0u {
                    dz = gate_u(c, j);
                } else if g == 1u {
                    dz = dz_r(c, j);
                }
                dz += o * plane();
                for (var y = 0u; y < HEIGHT; y++) {
                    for (var x = 0u; x < width; x++) {
                        let d = work[dz + y * run.steps + x];
                        if e == taps {
                            total += d;
                        } else {
                            let input = conv_input(c, i, i32(y) + a, i32(x) + b, state(c, j), gate_r(c, j), g == 2u, step);
                            total += d * input;
                        }
                    }
                }
            }
        }
        if e == taps {
            store(conv_bias(c, first, g) + o, total);
        } else {
            store(conv_weight(c, first, g) + o * taps + e, total);
        }
    }
}

// s[:, 0, x] as the output layer read it: the encoder's last image (5.1) or the decoder's
// image after step x (5.2).
fn read_image(x: u32) -> u32 {
    if CODERS == 2u {
        return state(1u, (x + 1u) * LAYERS);
    }
    return state(0u, applications());
}

@compute @workgroup_size(WG)
fn weight_gradients(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let row = group.x;
    let convolutions = 3u * LAYERS * (RELAX_SETS + CODERS - 1u);
    if group.z < convolutions {
        if row < M {
            convolution_gradient(group.z, row, lane);
        }
        return;
    }
    let tensor = group.z - convolutions;
    if tensor == 0u && row < A_IN {
        for (var channel = lane; channel < M; channel += WG) {
            var total = 0.0;
            for (var sequence = 0u; sequence < run.sequences; sequence++) {
                enter(sequence);
                let input = (run.batch_offset + sequence) * run.steps;
                for (var x = 0u; x < width; x++) {
                    total += batch[(input + x) * A_IN + row] * work[dout_at() + channel * plane() + x];
                }
            }
            store(P_EMBEDDING + row * M + channel, total);
        }
    } else if tensor == 1u && row < A_OUT {
        for (var channel = lane; channel <= M; channel += WG) {
            var total = 0.0;
            for (var sequence = 0u; sequence < run.sequences; sequence++) {
                enter(sequence);
                for (var x = 0u; x < width; x++) {
                    let d = work[dlogits_at() + x * A_OUT + row];
                    if channel == M {
                        total += d;
                    } else {
                        total += d * work[read_image(x) + channel * plane() + x];
                    }
                }
            }
            if channel == M {
                store(P_OUTPUT_BIAS + row, total);
            } else {
                store(P_OUTPUT_WEIGHT + row * M + channel, total);
            }
        }
    } else if tensor == 2u && row < A_OUT {
        for (var channel = lane; channel < M; channel += WG) {
            var total = 0.0;
            for (var sequence = 0u; sequence < run.sequences; sequence++) {
                enter(sequence);
                for (var x = 0u; x < width; x++) {
                    if u32(work[fed_at() + x]) != row {
                        continue;
                    }
                    for (var y = 0u; y < HEIGHT; y++) {
                        total += work[dtape_at() + channel * plane() + y * run.steps + x];
                    }
                }
            }
            store(P_TARGET_EMBEDDING + row * M + channel, total);
        }
    }
}
