// The memory-independent part of generative.md §8.1's step, twin of
// `models::gtmm::networks`: the prior and posterior maps, the encoder, the
// reparameterised latent, the KL, the decoder and rec, forward and backward.
//
//   [μp; sp] = prior.out(tanh(prior.hidden(Ψ_t)))
//   e_t      = tanh(encoder(x_t))
//   [μq; sq] = posterior.out(tanh(posterior.hidden([e_t; Ψ_t])))
//   ℓ = 6 tanh(s/6), σ = exp(ℓ);  z_t = μq + σq ⊙ ε_t
//   o_t      = decoder.out(tanh(decoder.hidden(z_t)))
//   rec_t    = Σ_d softplus(o) − x·o
//   KL_t     = Σ_j ℓp − ℓq + ½ e^{2(ℓq−ℓp)} + ½ (μq − μp)² e^{−2ℓp} − ½

// The bound on log-σ: ℓ = LOG_SIGMA_BOUND · tanh(s / LOG_SIGMA_BOUND).
const LOG_SIGMA_BOUND: f32 = 6.0;

// Per sequence, the host's data in the batch buffer's noise region: ε (`steps × Z`),
// then the recall flags (`steps`).
fn noise_at(t: u32, j: u32) -> f32 {
    return batch[run.noise_offset + sequence * run.noise_stride + t * Z + j];
}

fn recall_flag(t: u32) -> f32 {
    return batch[run.noise_offset + sequence * run.noise_stride + run.steps * Z + t];
}

fn bounded_log_sigma(s: f32) -> f32 {
    return LOG_SIGMA_BOUND * tanh_stable(s / LOG_SIGMA_BOUND);
}

// dℓ/ds = 1 − tanh²(s/6).
fn bounded_log_sigma_slope(s: f32) -> f32 {
    let th = tanh_stable(s / LOG_SIGMA_BOUND);
    return 1.0 - th * th;
}

fn tanh_all(at: u32, length: u32) {
    for (var i = lane; i < length; i += WG) {
        work[at + i] = tanh_stable(work[at + i]);
    }
}

// dx = Wᵀ dy for W (`rows × cols`) in `params` (dx set, not accumulated).
fn transpose_times(weight: u32, rows: u32, cols: u32, dy: u32, dx: u32) {
    fill(dx, cols, 0.0);
    affine_backward_input(weight, rows, cols, dy, dx);
}

// dx = (Wᵀ dy) ⊙ (1 − y²) for y = tanh(x) at `y`.
fn transpose_times_tanh(weight: u32, rows: u32, cols: u32, dy: u32, y: u32, dx: u32) {
    for (var c = lane; c < cols; c += WG) {
        var total = 0.0;
        for (var r = 0u; r < rows; r++) {
            total += params[weight + r * cols + c] * work[dy + r];
        }
        let v = work[y + c];
        work[dx + c] = total * (1.0 - v * v);
    }
}

// The decoder on the latent at `latent`: hidden units at `hidden`, logits at `logits`.
fn decode(latent: u32, hidden: u32, logits: u32) {
    affine(P_DECODER_HIDDEN_WEIGHT, P_DECODER_HIDDEN_BIAS, G, Z, latent, hidden);
    sync();
    tanh_all(hidden, G);
    sync();
    affine(P_DECODER_OUT_WEIGHT, P_DECODER_OUT_BIAS, D, G, hidden, logits);
    sync();
}

// Everything between the read and the write (Ψ_t is in the record): the maps, z_t from
// the posterior, the KL, the decoder, rec and `loss_scale · m · ∂rec/∂o` into the
// gradient record; the sequence's scores: loss (rec + KL), the pixel errors of the
// prediction from the prior mean on recall frames, and the bound's recall parts.
fn maps_forward(t: u32, now: u32, gradients: u32) {
    affine(P_PRIOR_HIDDEN_WEIGHT, P_PRIOR_HIDDEN_BIAS, P, CTX, now + F_CONTEXT, now + F_PRIOR_HIDDEN);
    affine(P_ENCODER_WEIGHT, P_ENCODER_BIAS, E, D, now + F_FRAME, now + F_ENCODED);
    sync();
    tanh_all(now + F_PRIOR_HIDDEN, P);
    tanh_all(now + F_ENCODED, E);
    sync();
    affine(P_PRIOR_OUT_WEIGHT, P_PRIOR_OUT_BIAS, 2u * Z, P, now + F_PRIOR_HIDDEN, now + F_PRIOR_RAW);
    affine(P_POSTERIOR_HIDDEN_WEIGHT, P_POSTERIOR_HIDDEN_BIAS, P, E + CTX, now + F_ENCODED,
        now + F_POSTERIOR_HIDDEN);
    sync();
    tanh_all(now + F_POSTERIOR_HIDDEN, P);
    sync();
    affine(P_POSTERIOR_OUT_WEIGHT, P_POSTERIOR_OUT_BIAS, 2u * Z, P, now + F_POSTERIOR_HIDDEN,
        now + F_POSTERIOR_RAW);
    sync();
    var kl = 0.0;
    for (var j = lane; j < Z; j += WG) {
        let mu_p = work[now + F_PRIOR_RAW + j];
        let mu_q = work[now + F_POSTERIOR_RAW + j];
        let lp = bounded_log_sigma(work[now + F_PRIOR_RAW + Z + j]);
        let lq = bounded_log_sigma(work[now + F_POSTERIOR_RAW + Z + j]);
        work[now + F_HZ + H + j] = mu_q + exp(lq) * noise_at(t, j);
        let gap = mu_q - mu_p;
        kl += lp - lq + 0.5 * exp(2.0 * (lq - lp)) + 0.5 * gap * gap * exp(-2.0 * lp) - 0.5;
    }
    let kl_total = sum1(kl);
    decode(now + F_HZ + H, now + F_DECODER_HIDDEN, now + F_LOGITS);
    let mask = mask_at(t);
    let flag = recall_flag(t);
    var rec = 0.0;
    for (var d = lane; d < D; d += WG) {
        let o = work[now + F_LOGITS + d];
        let x = work[now + F_FRAME + d];
        rec += softplus(o) - x * o;
        work[gradients + G_DLOGITS + d] = run.loss_scale * mask * (sigmoid(o) - x);
    }
    let rec_total = sum1(rec);
    // The prediction from the prior mean and its pixel errors, counted on recall frames
    // (teacher-forced, as the CPU path's training score). Decoded on every frame: a
    // branch on the flag would put the reductions' barriers in non-uniform control flow.
    let prediction = carry + C_PREDICTION;
    decode(now + F_PRIOR_RAW, prediction, prediction + G);
    var wrong = 0.0;
    for (var d = lane; d < D; d += WG) {
        if (work[prediction + G + d] > 0.0) != (work[now + F_FRAME + d] > 0.5) {
            wrong += 1.0;
        }
    }
    let errors = flag * sum1(wrong);
    if lane == 0u {
        work[now + F_REC] = rec_total;
        work[now + F_KL] = kl_total;
        let at = SCORES * sequence;
        scores[at] += mask * (rec_total + kl_total);
        scores[at + 1u] += errors;
        scores[at + 3u] += mask * flag * rec_total;
        scores[at + 4u] += mask * flag * kl_total;
        scores[at + 5u] += mask * kl_total;
    }
    sync();
}

// Backward through the decoder: ∂/∂z_t into C_DLATENT, with the gradient from step
// t+1's controller input (C_DLATENT_NEXT) added.
fn decoder_backward(now: u32, gradients: u32) {
    transpose_times_tanh(P_DECODER_OUT_WEIGHT, D, G, gradients + G_DLOGITS,
        now + F_DECODER_HIDDEN, gradients + G_DDECODER_HIDDEN);
    sync();
    for (var j = lane; j < Z; j += WG) {
        var total = work[carry + C_DLATENT_NEXT + j];
        for (var r = 0u; r < G; r++) {
            total += params[P_DECODER_HIDDEN_WEIGHT + r * Z + j] * work[gradients + G_DDECODER_HIDDEN + r];
        }
        work[carry + C_DLATENT + j] = total;
    }
    sync();
}

// Backward through z (posterior sample), the β-weighted KL (c = loss_scale · m · β), the
// posterior, the encoder and the prior, given ∂/∂z_t (C_DLATENT plus the write's part in
// C_DHZ): leaves ∂/∂Ψ_t at C_DCONTEXT and ∂/∂h_t from Ψ and the write at C_DH_TOP.
fn maps_backward(t: u32, now: u32, gradients: u32) {
    let c = run.loss_scale * mask_at(t) * run.kl_weight;
    for (var j = lane; j < Z; j += WG) {
        let mu_p = work[now + F_PRIOR_RAW + j];
        let mu_q = work[now + F_POSTERIOR_RAW + j];
        let sp = work[now + F_PRIOR_RAW + Z + j];
        let sq = work[now + F_POSTERIOR_RAW + Z + j];
        let lp = bounded_log_sigma(sp);
        let lq = bounded_log_sigma(sq);
        let gap = mu_q - mu_p;
        let ratio = exp(2.0 * (lq - lp));
        let inverse_variance = exp(-2.0 * lp);
        let dlatent = work[carry + C_DLATENT + j] + work[carry + C_DHZ + H + j];
        // ∂KL/∂μq = (μq − μp) e^{−2ℓp}; ∂KL/∂ℓq = e^{2(ℓq−ℓp)} − 1;
        // ∂KL/∂ℓp = 1 − e^{2(ℓq−ℓp)} − (μq − μp)² e^{−2ℓp}; z = μq + e^{ℓq} ε.
        let dlq = dlatent * exp(lq) * noise_at(t, j) + c * (ratio - 1.0);
        let dlp = c * (1.0 - ratio - gap * gap * inverse_variance);
        work[gradients + G_DPOSTERIOR_RAW + j] = dlatent + c * gap * inverse_variance;
        work[gradients + G_DPOSTERIOR_RAW + Z + j] = dlq * bounded_log_sigma_slope(sq);
        work[gradients + G_DPRIOR_RAW + j] = -c * gap * inverse_variance;
        work[gradients + G_DPRIOR_RAW + Z + j] = dlp * bounded_log_sigma_slope(sp);
    }
    sync();
    transpose_times_tanh(P_POSTERIOR_OUT_WEIGHT, 2u * Z, P, gradients + G_DPOSTERIOR_RAW,
        now + F_POSTERIOR_HIDDEN, gradients + G_DPOSTERIOR_HIDDEN);
    transpose_times_tanh(P_PRIOR_OUT_WEIGHT, 2u * Z, P, gradients + G_DPRIOR_RAW,
        now + F_PRIOR_HIDDEN, gradients + G_DPRIOR_HIDDEN);
    sync();
    transpose_times(P_POSTERIOR_HIDDEN_WEIGHT, P, E + CTX, gradients + G_DPOSTERIOR_HIDDEN,
        carry + C_DPOSTERIOR_INPUT);
    sync();
    for (var k = lane; k < E; k += WG) {
        let v = work[now + F_ENCODED + k];
        work[gradients + G_DENCODED + k] = work[carry + C_DPOSTERIOR_INPUT + k] * (1.0 - v * v);
    }
    for (var k = lane; k < CTX; k += WG) {
        var total = work[carry + C_DPOSTERIOR_INPUT + E + k];
        for (var r = 0u; r < P; r++) {
            total += params[P_PRIOR_HIDDEN_WEIGHT + r * CTX + k] * work[gradients + G_DPRIOR_HIDDEN + r];
        }
        work[carry + C_DCONTEXT + k] = total;
        if k < H {
            work[carry + C_DH_TOP + k] = total + work[carry + C_DHZ + k];
        }
    }
    sync();
}
