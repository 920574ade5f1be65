// The Neural GPU family's sequence kernels, one workgroup per sequence, one layer
// application per dispatch (the `Stage`; the host's list is ImageLayout::stages).
// `forward` embeds the input, runs the encoder's n_b steps and (5.1) reads every column,
// or (5.2) decodes twice: greedily, for the errors evaluation reports, then
// teacher-forced, for the loss and its gradient. `backward` walks the applications in
// reverse, leaving per application ∂z_u, ∂z_r and ∂z_c for the weight-gradient kernel.
// Twins of `CgruLayer::{forward, backward}`, `NeuralGpu::{decode, decode_backward}` and
// `masked_softmax_cross_entropy`.

// How a column's logits are scored.
const READ_ONLY: u32 = 0u;   // 5.1: loss and errors
const GREEDY: u32 = 1u;      // 5.2 in training: errors; the argmax goes on the tape
const TEACHER: u32 = 2u;     // 5.2 in training: loss; the target goes on the tape
const EVALUATE: u32 = 3u;    // 5.2 scored without training: loss and errors of the greedy
                             // decoding, as `Model::forward` and evaluation see it

// Whether this dispatch trains (the session scales the loss by 1/batch) or only scores.
fn training() -> bool {
    return run.loss_scale != 0.0;
}

// σc(x) = min(1, max(0, c·σ(x) − (c − 1)/2)).
fn gate(x: f32) -> f32 {
    return clamp(CUTOFF * sigmoid(x) - 0.5 * (CUTOFF - 1.0), 0.0, 1.0);
}

// dσc/dx from g = σc(x): c·σ(1 − σ) strictly inside (0, 1), else 0.
fn gate_derivative(g: f32) -> f32 {
    if g <= 0.0 || g >= 1.0 {
        return 0.0;
    }
    let s = (g + 0.5 * (CUTOFF - 1.0)) / CUTOFF;
    return CUTOFF * s * (1.0 - s);
}

// Output channel o of convolution g of application j of coder c at (y, x), bias included.
fn convolve(c: u32, j: u32, g: u32, o: u32, y: u32, x: u32, s: u32, r: u32, reset: bool, k: u32) -> f32 {
    let ins = in_maps(c);
    let weights = conv_weight(c, j, g);
    var total = params[conv_bias(c, j, g) + o];
    for (var i = 0u; i < ins; i++) {
        let w = weights + (o * ins + i) * 9u;
        for (var a = 0u; a < 3u; a++) {
            for (var b = 0u; b < 3u; b++) {
                let value = conv_input(c, i, i32(y + a) - 1, i32(x + b) - 1, s, r, reset, k);
                total += params[w + a * 3u + b] * value;
            }
        }
    }
    return total;
}

// ∂/∂(input channel i at (y, x)) of convolution g given ∂z at `dz`: Σ_o Σ_taps W·∂z.
fn convolve_transposed(c: u32, j: u32, g: u32, i: u32, y: u32, x: u32, dz: u32) -> f32 {
    let ins = in_maps(c);
    let weights = conv_weight(c, j, g);
    var total = 0.0;
    for (var o = 0u; o < M; o++) {
        for (var a = 0u; a < 3u; a++) {
            let yo = i32(y) - i32(a) + 1;
            if yo < 0 || yo >= i32(HEIGHT) {
                continue;
            }
            for (var b = 0u; b < 3u; b++) {
                let xo = i32(x) - i32(b) + 1;
                if xo < 0 || xo >= i32(width) {
                    continue;
                }
                let cell = o * plane() + u32(yo) * run.steps + u32(xo);
                total += params[weights + (o * ins + i) * 9u + a * 3u + b] * work[dz + cell];
            }
        }
    }
    return total;
}

// The sequence's training noise in `batch` (host twin: ImageLayout::training_noise),
// present only in training steps of a model with dropout or scheduled sampling.
fn noise() -> u32 {
    return run.noise_offset + sequence * run.noise_stride;
}

fn masked() -> bool {
    return DROPOUT == 1u && run.noise_stride != 0u;
}

// Dropout mask `index`: the encoder's 0..=n (0 on the embedded input, k + 1 after step
// k), the decoder's from n + 1 (after decoder step k).
fn mask(index: u32) -> u32 {
    return noise() + index * image_size();
}

fn apply_mask(at: u32, index: u32) {
    let size = image_size();
    for (var cell = lane; cell < size; cell += WG) {
        work[at + cell] *= batch[mask(index) + cell];
    }
}

// Scheduled sampling's uniform draw for decoder step k, or −1 where it feeds the target.
fn sample_draw(k: u32) -> f32 {
    let masks = select(0u, run.steps + 1u + (CODERS - 1u) * run.steps, DROPOUT == 1u);
    return batch[noise() + masks * image_size() + k];
}

// A symbol drawn from softmax(logits) with the uniform `draw` (twin of noise::sample).
fn sample_symbol(logits: u32, draw: f32) -> u32 {
    var largest = work[logits];
    for (var a = 1u; a < A_OUT; a++) {
        largest = max(largest, work[logits + a]);
    }
    var total = 0.0;
    for (var a = 0u; a < A_OUT; a++) {
        total += exp(work[logits + a] - largest);
    }
    var threshold = draw * total;
    for (var a = 0u; a < A_OUT; a++) {
        threshold -= exp(work[logits + a] - largest);
        if threshold < 0.0 {
            return a;
        }
    }
    return A_OUT - 1u;
}

// s_0[:, 0, x] = E[i_x] (x < n_b; the input row is one-hot, so Σ_a x_a E[a]).
fn embed() {
    let size = image_size();
    let s = state(0u, 0u);
    for (var cell = lane; cell < size; cell += WG) {
        let channel = cell / plane();
        let y = (cell % plane()) / run.steps;
        let x = cell % run.steps;
        var value = 0.0;
        if y == 0u && x < width {
            let input = (sequence * run.steps + x) * A_IN;
            for (var a = 0u; a < A_IN; a++) {
                value += batch[input + a] * params[P_EMBEDDING + a * M + channel];
            }
        }
        if masked() {
            value *= batch[mask(0u) + cell];
        }
        work[s + cell] = value;
    }
}

// Application j of coder c: out = u ⊙ s + (1 − u) ⊙ c, u = σc(conv_u(in)),
// r = σc(conv_r(in)), c = tanh(conv_c(in with r ⊙ s)), in = s or [p; s]; columns ≥ n_b
// stay 0. Applications past the sequence's n_b steps copy the image through. `w` is n_b
// (passed, not read from `width`, so the branches around barriers are visibly uniform).
fn cgru_forward(c: u32, j: u32, k: u32, w: u32) {
    let s = state(c, j);
    let out = state(c, j + 1u);
    let u = gate_u(c, j);
    let r = gate_r(c, j);
    let cand = candidate(c, j);
    let size = image_size();
    if j / LAYERS >= w {
        for (var cell = lane; cell < size; cell += WG) {
            work[out + cell] = work[s + cell];
        }
        sync();
        return;
    }
    for (var index = lane; index < 2u * size; index += WG) {
        let g = index / size;
        let cell = index % size;
        let o = cell / plane();
        let y = (cell % plane()) / run.steps;
        let x = cell % run.steps;
        var value = 0.0;
        if x < width {
            value = gate(convolve(c, j, g, o, y, x, s, 0u, false, k));
        }
        work[select(u, r, g == 1u) + cell] = value;
    }
    sync();
    for (var cell = lane; cell < size; cell += WG) {
        let o = cell / plane();
        let y = (cell % plane()) / run.steps;
        let x = cell % run.steps;
        var cv = 0.0;
        var value = 0.0;
        if x < width {
            cv = tanh_stable(convolve(c, j, 2u, o, y, x, s, r, true, k));
            let uu = work[u + cell];
            value = uu * work[s + cell] + (1.0 - uu) * cv;
        }
        work[cand + cell] = cv;
        work[out + cell] = value;
    }
    sync();
}

// logits_x = W_o s[:, 0, x] + b_o, one invocation per symbol.
fn read_column(s: u32, x: u32) {
    for (var a = lane; a < A_OUT; a += WG) {
        var total = params[P_OUTPUT_BIAS + a];
        for (var channel = 0u; channel < M; channel++) {
            total += params[P_OUTPUT_WEIGHT + a * M + channel] * work[s + channel * plane() + x];
        }
        work[logits_at() + x * A_OUT + a] = total;
    }
}

// Column x's softmax cross-entropy with label smoothing, its gradient (scaled by the
// batch mean), its errors and the symbol the decoder writes to the tape; invocation 0.
fn score_column(x: u32, mode: u32) {
    let logits = logits_at() + x * A_OUT;
    let dlogits = dlogits_at() + x * A_OUT;
    let row = (sequence * run.steps + x) * A_OUT;
    let targets = run.target_offset + row;
    let alternatives = run.alternative_offset + row;
    var chosen = 0u;
    var wanted = 0u;
    for (var a = 1u; a < A_OUT; a++) {
        if work[logits + a] > work[logits + chosen] {
            chosen = a;
        }
        if batch[targets + a] > batch[targets + wanted] {
            wanted = a;
        }
    }
    let greedy = mode == GREEDY || mode == EVALUATE;
    var fed = select(wanted, chosen, greedy);
    if mode == TEACHER && SAMPLING == 1u && run.noise_stride != 0u {
        let draw = sample_draw(x);
        if draw >= 0.0 {
            fed = sample_symbol(logits, draw);
        }
    }
    work[fed_at() + x] = f32(fed);
    let m = batch[run.mask_offset + sequence * run.steps + x];
    if m == 0.0 {
        for (var a = 0u; a < A_OUT; a++) {
            work[dlogits + a] = 0.0;
        }
        return;
    }
    let totals = totals_at();
    if mode != TEACHER {
        work[totals + 1u] += select(0.0, m, batch[targets + chosen] < 0.5);
        work[totals + 2u] += select(0.0, m, batch[alternatives + chosen] < 0.5);
    }
    if mode != GREEDY {
        var largest = work[logits];
        for (var a = 1u; a < A_OUT; a++) {
            largest = max(largest, work[logits + a]);
        }
        var sum = 0.0;
        for (var a = 0u; a < A_OUT; a++) {
            sum += exp(work[logits + a] - largest);
        }
        let log_sum = log(sum);
        // Label smoothing is part of the training loss only.
        let smoothing = select(0.0, SMOOTHING, training());
        let floor = smoothing / f32(A_OUT);
        var loss = 0.0;
        for (var a = 0u; a < A_OUT; a++) {
            let q = (1.0 - smoothing) * batch[targets + a] + floor;
            let log_p = work[logits + a] - largest - log_sum;
            loss -= q * log_p;
            work[dlogits + a] = run.loss_scale * m * (exp(log_p) - q);
        }
        work[totals] += m * loss;
    }
}

// The image the decoder of 5.2 starts from: the encoder's last.
fn start_decoder() {
    let size = image_size();
    let start = state(1u, 0u);
    let last = state(0u, applications());
    for (var cell = lane; cell < size; cell += WG) {
        work[start + cell] = work[last + cell];
    }
}

// Reads and scores column x (invocation 0 scores, so the others wait for it).
fn read_and_score(s: u32, x: u32, mode: u32) {
    read_column(s, x);
    sync();
    if lane == 0u {
        score_column(x, mode);
    }
    sync();
}

// One layer application of every sequence (the dispatch's stage): the encoder's first
// also embeds the input, the decoder's first takes the encoder's image, and the last
// layer of a step reads its output (every column after the encoder of 5.1, column k
// after decoder step k of 5.2).
@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    begin(group.x, local);
    let w = sequence_width(group.x);
    let c = stage.coder;
    let j = stage.application;
    // The step of a decoder application (the tape it sees); the encoder has no tape.
    let k = select(0u, j / LAYERS, c == 1u);
    if c == 0u && j == 0u {
        if lane < 3u {
            work[totals_at() + lane] = 0.0;
        }
        embed();
        sync();
    }
    if c == 1u && j == 0u {
        start_decoder();
        sync();
    }
    cgru_forward(c, j, k, w);
    // Dropout after each step: the encoder's always, the decoder's in its teacher-forced
    // pass (the greedy decoding that measures errors runs without it, as on the CPU).
    let step = j / LAYERS;
    if masked() && j % LAYERS == LAYERS - 1u && step < w {
        if c == 0u {
            apply_mask(state(0u, j + 1u), step + 1u);
            sync();
        } else if stage.mode == TEACHER {
            apply_mask(state(1u, j + 1u), run.steps + 1u + step);
            sync();
        }
    }
    if c == 0u && CODERS == 1u && j + 1u == applications() {
        let last = state(0u, applications());
        for (var x = 0u; x < w; x++) {
            read_and_score(last, x, READ_ONLY);
        }
    }
    if c == 1u && j % LAYERS == LAYERS - 1u && k < w {
        read_and_score(state(1u, j + 1u), k, stage.mode);
    }
    if (stage.flags & FINISH) != 0u && lane == 0u {
        let totals = totals_at();
        let errors = min(work[totals + 1u], work[totals + 2u]);
        for (var k = 3u; k < SCORES; k++) {
            scores[SCORES * sequence + k] = 0.0;
        }
        scores[SCORES * sequence] = work[totals];
        scores[SCORES * sequence + 1u] = errors;
        scores[SCORES * sequence + 2u] = select(0.0, 1.0, errors > 0.0);
    }
}

// ∂s[:, 0, x] += W_oᵀ ∂logits_x, one invocation per channel.
fn read_column_backward(x: u32) {
    let dout = dout_at();
    for (var channel = lane; channel < M; channel += WG) {
        var total = 0.0;
        for (var a = 0u; a < A_OUT; a++) {
            total += params[P_OUTPUT_WEIGHT + a * M + channel] * work[dlogits_at() + x * A_OUT + a];
        }
        work[dout + channel * plane() + x] += total;
    }
}

// Backward of application j of coder c from ∂out (at dout_at), leaving ∂in there: ∂z_u
// and ∂z_c over u and c, ∂z_r in its own region, and for the decoder ∂p of the tape
// columns step k saw (x < k) added to dtape_at.
fn cgru_backward(c: u32, j: u32, k: u32, w: u32) {
    if j / LAYERS >= w {
        return;
    }
    let s = state(c, j);
    let u = gate_u(c, j);
    let r = gate_r(c, j);
    let cand = candidate(c, j);
    let dr = dz_r(c, j);
    let dout = dout_at();
    let dacc = dacc_at();
    let dtape = dtape_at();
    let size = image_size();
    // out = u ⊙ s + (1 − u) ⊙ c, c = tanh(z_c)
    for (var cell = lane; cell < size; cell += WG) {
        let d = work[dout + cell];
        let uu = work[u + cell];
        let cv = work[cand + cell];
        work[u + cell] = d * (work[s + cell] - cv) * gate_derivative(uu);
        work[cand + cell] = d * (1.0 - uu) * (1.0 - cv * cv);
        work[dacc + cell] = d * uu;
    }
    sync();
    // z_c's input was [p; r ⊙ s]; the state's channels follow the tape's in the decoder.
    let state_channels = c * M;
    for (var cell = lane; cell < size; cell += WG) {
        let channel = cell / plane();
        let y = (cell % plane()) / run.steps;
        let x = cell % run.steps;
        let dreset = convolve_transposed(c, j, 2u, state_channels + channel, y, x, cand);
        let rv = work[r + cell];
        work[dr + cell] = dreset * work[s + cell] * gate_derivative(rv);
        work[dacc + cell] += dreset * rv;
        if c == 1u && x < k {
            work[dtape + cell] += convolve_transposed(c, j, 2u, channel, y, x, cand);
        }
    }
    sync();
    // z_u's and z_r's input was [p; s].
    for (var cell = lane; cell < size; cell += WG) {
        let channel = cell / plane();
        let y = (cell % plane()) / run.steps;
        let x = cell % run.steps;
        var value = 0.0;
        if x < width {
            value = work[dacc + cell]
                + convolve_transposed(c, j, 0u, state_channels + channel, y, x, u)
                + convolve_transposed(c, j, 1u, state_channels + channel, y, x, dr);
        }
        work[dout + cell] = value;
        if c == 1u && x < k {
            work[dtape + cell] += convolve_transposed(c, j, 0u, channel, y, x, u)
                + convolve_transposed(c, j, 1u, channel, y, x, dr);
        }
    }
    sync();
}

// One layer application's backward for every sequence, in the reverse of the forward's
// order; the first clears the gradients the applications accumulate and (5.1) takes the
// loss's gradient at every column, the last layer of decoder step k takes column k's.
@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    begin(group.x, local);
    let w = sequence_width(group.x);
    let c = stage.coder;
    let j = stage.application;
    // The step of a decoder application (the tape it sees); the encoder has no tape.
    let k = select(0u, j / LAYERS, c == 1u);
    if (stage.flags & FIRST) != 0u {
        let size = image_size();
        for (var cell = lane; cell < size; cell += WG) {
            work[dout_at() + cell] = 0.0;
            work[dtape_at() + cell] = 0.0;
        }
        sync();
        if CODERS == 1u {
            for (var x = 0u; x < w; x++) {
                read_column_backward(x);
            }
            sync();
        }
    }
    let step = j / LAYERS;
    let last_layer = j % LAYERS == LAYERS - 1u;
    if c == 1u && last_layer && k < w {
        read_column_backward(k);
        sync();
        if masked() {
            apply_mask(dout_at(), run.steps + 1u + k);
            sync();
        }
    }
    if c == 0u && last_layer && step < w && masked() {
        apply_mask(dout_at(), step + 1u);
        sync();
    }
    cgru_backward(c, j, k, w);
    if c == 0u && j == 0u && masked() {
        apply_mask(dout_at(), 0u);
        sync();
    }
}
