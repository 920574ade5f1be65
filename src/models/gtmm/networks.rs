//! The memory-independent part of generative.md §8.1's step: the controller, the prior
//! and posterior maps, the encoder, the reparameterised latent, the KL and the decoder,
//! forward and backward, one step at a time on a [`Tape`].
//!
//! ```text
//! h_t   = LSTM([z_{t−1}; u_t])
//! Ψ_t   = [h_t; r_t]                                  (r_t: the memory's read)
//! [μp; sp] = prior.out(tanh(prior.hidden(Ψ_t)))
//! e_t   = tanh(encoder(x_t))
//! [μq; sq] = posterior.out(tanh(posterior.hidden([e_t; Ψ_t])))
//! ℓ = 6 tanh(s/6), σ = exp(ℓ)
//! z_t   = μq + σq ⊙ ε_t    (or the prior's, by mode)
//! o_t   = decoder.out(tanh(decoder.hidden(z_t)))
//! rec_t = Σ_d softplus(o) − x·o
//! KL_t  = Σ_j ℓp − ℓq + ½ e^{2(ℓq−ℓp)} + ½ (μq − μp)² e^{−2ℓp} − ½
//! ```
//! None of it depends on the memory, so it is compiled once, not once per memory.

use super::Sizes;
use crate::nn::{Linear, LstmCarry, LstmStack, LstmTape};
use crate::ops::activation::{sigmoid, softplus};

/// The bound on log-σ: `ℓ = LOG_SIGMA_BOUND · tanh(s / LOG_SIGMA_BOUND)`.
const LOG_SIGMA_BOUND: f32 = 6.0;

/// `(ℓ, dℓ/ds)` for a raw log-σ.
fn bounded_log_sigma(s: f32) -> (f32, f32) {
    let th = (s / LOG_SIGMA_BOUND).tanh();
    (LOG_SIGMA_BOUND * th, 1.0 - th * th)
}

/// `y ← tanh(y)`.
fn tanh_in_place(y: &mut [f32]) {
    y.iter_mut().for_each(|v| *v = v.tanh());
}

/// `dy ← dy ⊙ (1 − y²)` for `y = tanh(x)`.
fn tanh_backward(y: &[f32], dy: &mut [f32]) {
    for (d, &v) in dy.iter_mut().zip(y) {
        *d *= 1.0 - v * v;
    }
}

/// Where step t's latent comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LatentSource {
    /// `μq + σq ⊙ ε`.
    Posterior,
    /// `μp` (the recall test's recall frames).
    PriorMean,
    /// `μp + σp ⊙ ε` (generation).
    PriorSample,
}

/// The layers, by their checkpoint names.
pub struct Networks {
    pub sizes: Sizes,
    pub controller: LstmStack,
    pub encoder: Linear,
    /// (hidden, out) of each map.
    pub prior: (Linear, Linear),
    pub posterior: (Linear, Linear),
    pub decoder: (Linear, Linear),
}

/// Everything a forward pass keeps apart from the memory's states; per-step arrays are
/// `steps × width`, row-major.
pub struct Tape {
    pub steps: usize,
    pub controller: LstmTape,
    /// `[z_{t−1}; u_t]`.
    pub controller_inputs: Vec<f32>,
    pub reads: Vec<f32>,
    /// Ψ_t.
    pub context: Vec<f32>,
    pub prior_hidden: Vec<f32>,
    /// `[μp; sp]`.
    pub prior_raw: Vec<f32>,
    pub prior_log_sigma: Vec<f32>,
    pub encoded: Vec<f32>,
    /// `[e_t; Ψ_t]`.
    pub posterior_input: Vec<f32>,
    pub posterior_hidden: Vec<f32>,
    pub posterior_raw: Vec<f32>,
    pub posterior_log_sigma: Vec<f32>,
    pub latents: Vec<f32>,
    /// `[h_t; z_t]`, the write's input.
    pub write_inputs: Vec<f32>,
    pub decoder_hidden: Vec<f32>,
    pub logits: Vec<f32>,
    /// Per step, nats.
    pub reconstruction: Vec<f32>,
    pub kl: Vec<f32>,
}

/// Gradients flowing back through time outside the memory.
pub struct Carry {
    controller: LstmCarry,
    /// ∂/∂z_t from step t+1's controller input.
    dlatent_next: Vec<f32>,
}

impl Networks {
    pub fn new_tape(&self, steps: usize) -> Tape {
        let s = &self.sizes;
        let (z, context) = (s.latent, s.context());
        Tape {
            steps,
            controller: self.controller.new_tape(steps),
            controller_inputs: vec![0.0; steps * s.controller_input()],
            reads: vec![0.0; steps * s.read_width],
            context: vec![0.0; steps * context],
            prior_hidden: vec![0.0; steps * s.map],
            prior_raw: vec![0.0; steps * 2 * z],
            prior_log_sigma: vec![0.0; steps * z],
            encoded: vec![0.0; steps * s.encoder],
            posterior_input: vec![0.0; steps * (s.encoder + context)],
            posterior_hidden: vec![0.0; steps * s.map],
            posterior_raw: vec![0.0; steps * 2 * z],
            posterior_log_sigma: vec![0.0; steps * z],
            latents: vec![0.0; steps * z],
            write_inputs: vec![0.0; steps * (s.hidden + z)],
            decoder_hidden: vec![0.0; steps * s.decoder],
            logits: vec![0.0; steps * s.frame],
            reconstruction: vec![0.0; steps],
            kl: vec![0.0; steps],
        }
    }

    pub fn new_carry(&self, steps: usize) -> Carry {
        Carry {
            controller: self.controller.new_carry(steps),
            dlatent_next: vec![0.0; self.sizes.latent],
        }
    }

    /// The controller's step on `[z_{t−1}; u_t]`; returns nothing, `h_t` is on the tape.
    pub fn controller_forward(&self, p: &[f32], tape: &mut Tape, t: usize, actions: &[f32]) {
        let z = self.sizes.latent;
        let width = self.sizes.controller_input();
        let (previous, current) = tape.controller_inputs.split_at_mut(t * width);
        let input = &mut current[..width];
        if t > 0 {
            input[..z].copy_from_slice(&tape.latents[(t - 1) * z..t * z]);
        }
        debug_assert_eq!(previous.len(), t * width);
        input[z..].copy_from_slice(actions);
        self.controller
            .forward_step(p, &mut tape.controller, t, input);
    }

    /// `h_t`.
    pub fn hidden<'a>(&self, tape: &'a Tape, t: usize) -> &'a [f32] {
        self.controller.output(&tape.controller, t)
    }

    /// Everything between the read and the write: Ψ, the prior, the encoder and the
    /// posterior, the latent from `source`, the KL, the decoder and rec; leaves `[h; z]`
    /// on the tape for the write.
    #[allow(clippy::too_many_arguments)]
    pub fn maps_forward(
        &self,
        p: &[f32],
        tape: &mut Tape,
        t: usize,
        reads: &[f32],
        frame: &[f32],
        eps: &[f32],
        source: LatentSource,
    ) {
        let s = &self.sizes;
        let (z, d, h) = (s.latent, s.frame, s.hidden);
        let cw = s.context();
        let hidden = self.controller.output(&tape.controller, t);
        let context = &mut tape.context[t * cw..(t + 1) * cw];
        context[..h].copy_from_slice(hidden);
        context[h..].copy_from_slice(reads);
        tape.reads[t * reads.len()..(t + 1) * reads.len()].copy_from_slice(reads);
        let write_input = &mut tape.write_inputs[t * (h + z)..(t + 1) * (h + z)];
        write_input[..h].copy_from_slice(hidden);
        // Prior.
        let prior_hidden = &mut tape.prior_hidden[t * s.map..(t + 1) * s.map];
        self.prior.0.forward(p, context, prior_hidden);
        tanh_in_place(prior_hidden);
        let prior_raw = &mut tape.prior_raw[t * 2 * z..(t + 1) * 2 * z];
        self.prior.1.forward(p, prior_hidden, prior_raw);
        // Encoder and posterior.
        let encoded = &mut tape.encoded[t * s.encoder..(t + 1) * s.encoder];
        self.encoder.forward(p, frame, encoded);
        tanh_in_place(encoded);
        let pw = s.encoder + cw;
        let posterior_input = &mut tape.posterior_input[t * pw..(t + 1) * pw];
        posterior_input[..s.encoder].copy_from_slice(encoded);
        posterior_input[s.encoder..].copy_from_slice(context);
        let posterior_hidden = &mut tape.posterior_hidden[t * s.map..(t + 1) * s.map];
        self.posterior
            .0
            .forward(p, posterior_input, posterior_hidden);
        tanh_in_place(posterior_hidden);
        let posterior_raw = &mut tape.posterior_raw[t * 2 * z..(t + 1) * 2 * z];
        self.posterior.1.forward(p, posterior_hidden, posterior_raw);
        // The latent and the KL.
        let mut kl = 0.0f32;
        for j in 0..z {
            let (mu_p, mu_q) = (prior_raw[j], posterior_raw[j]);
            let (lp, _) = bounded_log_sigma(prior_raw[z + j]);
            let (lq, _) = bounded_log_sigma(posterior_raw[z + j]);
            tape.prior_log_sigma[t * z + j] = lp;
            tape.posterior_log_sigma[t * z + j] = lq;
            let e = eps[j];
            let latent = match source {
                LatentSource::Posterior => mu_q + lq.exp() * e,
                LatentSource::PriorMean => mu_p,
                LatentSource::PriorSample => mu_p + lp.exp() * e,
            };
            tape.latents[t * z + j] = latent;
            write_input[h + j] = latent;
            let gap = mu_q - mu_p;
            kl +=
                lp - lq + 0.5 * (2.0 * (lq - lp)).exp() + 0.5 * gap * gap * (-2.0 * lp).exp() - 0.5;
        }
        tape.kl[t] = kl;
        // Decoder and rec.
        let latent = &tape.latents[t * z..(t + 1) * z];
        let decoder_hidden = &mut tape.decoder_hidden[t * s.decoder..(t + 1) * s.decoder];
        self.decoder.0.forward(p, latent, decoder_hidden);
        tanh_in_place(decoder_hidden);
        let logits = &mut tape.logits[t * d..(t + 1) * d];
        self.decoder.1.forward(p, decoder_hidden, logits);
        tape.reconstruction[t] = logits
            .iter()
            .zip(frame)
            .map(|(&o, &x)| softplus(o) - x * o)
            .sum();
    }

    /// The decoder's logits for `latent` (the prediction from the prior mean).
    pub fn decode(&self, p: &[f32], latent: &[f32]) -> Vec<f32> {
        let s = &self.sizes;
        let mut hidden = vec![0.0; s.decoder];
        self.decoder.0.forward(p, latent, &mut hidden);
        tanh_in_place(&mut hidden);
        let mut logits = vec![0.0; s.frame];
        self.decoder.1.forward(p, &hidden, &mut logits);
        logits
    }

    /// Backward through step t's decoder (`m · ∂rec/∂o = m (σ(o) − x)`): returns
    /// ∂/∂z_t, with the gradient from step t+1's controller input added.
    #[allow(clippy::too_many_arguments)]
    pub fn decoder_backward(
        &self,
        p: &[f32],
        grads: &mut [f32],
        tape: &Tape,
        carry: &mut Carry,
        t: usize,
        frame: &[f32],
        m: f32,
    ) -> Vec<f32> {
        let s = &self.sizes;
        let (z, d) = (s.latent, s.frame);
        let dlogits: Vec<f32> = tape.logits[t * d..(t + 1) * d]
            .iter()
            .zip(frame)
            .map(|(&o, &x)| m * (sigmoid(o) - x))
            .collect();
        let decoder_hidden = &tape.decoder_hidden[t * s.decoder..(t + 1) * s.decoder];
        let mut ddecoder = vec![0.0; s.decoder];
        self.decoder
            .1
            .backward(p, grads, decoder_hidden, &dlogits, Some(&mut ddecoder));
        tanh_backward(decoder_hidden, &mut ddecoder);
        let mut dlatent = std::mem::take(&mut carry.dlatent_next);
        self.decoder.0.backward(
            p,
            grads,
            &tape.latents[t * z..(t + 1) * z],
            &ddecoder,
            Some(&mut dlatent),
        );
        dlatent
    }

    /// Backward through z (posterior sample), the β-weighted KL (`c = scale · m · β`), the
    /// posterior, the encoder and the prior: returns ∂/∂Ψ_t.
    #[allow(clippy::too_many_arguments)]
    pub fn maps_backward(
        &self,
        p: &[f32],
        grads: &mut [f32],
        tape: &Tape,
        t: usize,
        frame: &[f32],
        eps: &[f32],
        dlatent: &[f32],
        c: f32,
    ) -> Vec<f32> {
        let s = &self.sizes;
        let z = s.latent;
        let cw = s.context();
        let prior_raw = &tape.prior_raw[t * 2 * z..(t + 1) * 2 * z];
        let posterior_raw = &tape.posterior_raw[t * 2 * z..(t + 1) * 2 * z];
        let mut dprior_raw = vec![0.0; 2 * z];
        let mut dposterior_raw = vec![0.0; 2 * z];
        for j in 0..z {
            let (mu_p, mu_q) = (prior_raw[j], posterior_raw[j]);
            let (lp, dlp_ds) = bounded_log_sigma(prior_raw[z + j]);
            let (lq, dlq_ds) = bounded_log_sigma(posterior_raw[z + j]);
            let gap = mu_q - mu_p;
            let ratio = (2.0 * (lq - lp)).exp();
            let precision = (-2.0 * lp).exp();
            // ∂KL/∂μq = (μq − μp) e^{−2ℓp}; ∂KL/∂ℓq = e^{2(ℓq−ℓp)} − 1;
            // ∂KL/∂ℓp = 1 − e^{2(ℓq−ℓp)} − (μq − μp)² e^{−2ℓp}; z = μq + e^{ℓq} ε.
            let dmu_q = dlatent[j] + c * gap * precision;
            let dlq = dlatent[j] * lq.exp() * eps[j] + c * (ratio - 1.0);
            let dlp = c * (1.0 - ratio - gap * gap * precision);
            dposterior_raw[j] = dmu_q;
            dposterior_raw[z + j] = dlq * dlq_ds;
            dprior_raw[j] = -c * gap * precision;
            dprior_raw[z + j] = dlp * dlp_ds;
        }
        // Posterior: [e; Ψ] → hidden → [μq; sq].
        let posterior_hidden = &tape.posterior_hidden[t * s.map..(t + 1) * s.map];
        let mut dmap = vec![0.0; s.map];
        self.posterior
            .1
            .backward(p, grads, posterior_hidden, &dposterior_raw, Some(&mut dmap));
        tanh_backward(posterior_hidden, &mut dmap);
        let pw = s.encoder + cw;
        let mut dposterior_input = vec![0.0; pw];
        self.posterior.0.backward(
            p,
            grads,
            &tape.posterior_input[t * pw..(t + 1) * pw],
            &dmap,
            Some(&mut dposterior_input),
        );
        let encoded = &tape.encoded[t * s.encoder..(t + 1) * s.encoder];
        let mut dencoded = dposterior_input[..s.encoder].to_vec();
        tanh_backward(encoded, &mut dencoded);
        self.encoder.backward(p, grads, frame, &dencoded, None);
        let mut dcontext = dposterior_input[s.encoder..].to_vec();
        // Prior: Ψ → hidden → [μp; sp].
        let prior_hidden = &tape.prior_hidden[t * s.map..(t + 1) * s.map];
        dmap.fill(0.0);
        self.prior
            .1
            .backward(p, grads, prior_hidden, &dprior_raw, Some(&mut dmap));
        tanh_backward(prior_hidden, &mut dmap);
        self.prior.0.backward(
            p,
            grads,
            &tape.context[t * cw..(t + 1) * cw],
            &dmap,
            Some(&mut dcontext),
        );
        dcontext
    }

    /// Backward through the controller's step t given ∂/∂h_t; keeps ∂/∂z_{t−1} for the
    /// step before.
    pub fn controller_backward(
        &self,
        p: &[f32],
        tape: &Tape,
        carry: &mut Carry,
        t: usize,
        dhidden: &[f32],
    ) {
        let mut dinput = vec![0.0; self.sizes.controller_input()];
        self.controller.backward_step(
            p,
            &tape.controller,
            t,
            dhidden,
            &mut carry.controller,
            &mut dinput,
        );
        dinput.truncate(self.sizes.latent);
        carry.dlatent_next = dinput;
    }

    /// The controller's weight gradients, once the walk back through time is over.
    pub fn finish_backward(&self, grads: &mut [f32], tape: &Tape, carry: &Carry) {
        self.controller.accumulate_weight_gradients(
            grads,
            &tape.controller,
            &tape.controller_inputs,
            tape.steps,
            &carry.controller,
        );
    }
}
