//! The variational step of generative.md §8.1 unrolled over a sequence, and its exact
//! backward pass.
//!
//! ```text
//! h_t   = LSTM([z_{t−1}; u_t])
//! r_t   = read(M_{t−1}, h_t),  Ψ_t = [h_t; r_t]
//! [μp; sp] = prior.out(tanh(prior.hidden(Ψ_t)))
//! e_t   = tanh(encoder(x_t))
//! [μq; sq] = posterior.out(tanh(posterior.hidden([e_t; Ψ_t])))
//! ℓ = 6 tanh(s/6), σ = exp(ℓ)
//! z_t   = μq + σq ⊙ ε_t       (the mode decides: see [`Mode`])
//! o_t   = decoder.out(tanh(decoder.hidden(z_t)))
//! M_t   = write(M_{t−1}, [h_t; z_t])
//! rec_t = Σ_d softplus(o) − x·o
//! KL_t  = Σ_j ℓp − ℓq + ½ e^{2(ℓq−ℓp)} + ½ (μq − μp)² e^{−2ℓp} − ½
//! ```

use super::memory::LatentMemory;
use super::Gtmm;
use crate::nn::LstmTape;
use crate::ops::activation::{sigmoid, softplus};
use crate::tasks::SequenceRef;

/// The bound on log-σ: `ℓ = LOG_SIGMA_BOUND · tanh(s / LOG_SIGMA_BOUND)`.
const LOG_SIGMA_BOUND: f32 = 6.0;

/// Where each step's latent comes from (generative.md §8.1, Modes).
#[derive(Clone, Copy, Debug)]
pub enum Mode<'a> {
    /// z from the posterior (training and the bound).
    Inference,
    /// The posterior outside the flagged frames; on them the prior mean, without x_t.
    RecallTest(&'a [f32]),
    /// The posterior on the first `prompt` frames, then samples from the prior.
    Generation { prompt: usize },
}

impl Mode<'_> {
    /// Whether step t's latent comes from the posterior.
    fn observed(&self, t: usize) -> bool {
        match *self {
            Mode::Inference => true,
            Mode::RecallTest(flags) => flags.get(t).is_none_or(|&f| f == 0.0),
            Mode::Generation { prompt } => t < prompt,
        }
    }
}

/// `(ℓ, dℓ/ds)` for a raw log-σ.
fn bounded_log_sigma(s: f32) -> (f32, f32) {
    let th = (s / LOG_SIGMA_BOUND).tanh();
    (LOG_SIGMA_BOUND * th, 1.0 - th * th)
}

/// Everything a forward pass keeps; per-step arrays are `steps × width`, row-major.
pub struct Unrolled<M: LatentMemory> {
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
    /// `[h_t; z_t]`.
    pub write_inputs: Vec<f32>,
    pub decoder_hidden: Vec<f32>,
    pub logits: Vec<f32>,
    /// Per step, nats.
    pub reconstruction: Vec<f32>,
    pub kl: Vec<f32>,
    /// `steps + 1` states; `states[0]` is the initial one.
    pub states: Vec<M::State>,
    pub caches: Vec<M::Cache>,
}

impl<M: LatentMemory> Gtmm<M> {
    /// Runs the model over `input` (`steps × (D + A)`: frame, then actions) with noise
    /// `eps` (`steps × Z`) in `mode`.
    pub fn unroll(&self, input: &[f32], steps: usize, eps: &[f32], mode: Mode<'_>) -> Unrolled<M> {
        let s = self.sizes();
        let p = self.params.values();
        let (z, d) = (s.latent, s.frame);
        let context_width = s.context();
        let mut run = Unrolled {
            steps,
            controller: self.controller.new_tape(steps),
            controller_inputs: vec![0.0; steps * s.controller_input()],
            reads: vec![0.0; steps * self.memory.read_width()],
            context: vec![0.0; steps * context_width],
            prior_hidden: vec![0.0; steps * s.map],
            prior_raw: vec![0.0; steps * 2 * z],
            prior_log_sigma: vec![0.0; steps * z],
            encoded: vec![0.0; steps * s.encoder],
            posterior_input: vec![0.0; steps * (s.encoder + context_width)],
            posterior_hidden: vec![0.0; steps * s.map],
            posterior_raw: vec![0.0; steps * 2 * z],
            posterior_log_sigma: vec![0.0; steps * z],
            latents: vec![0.0; steps * z],
            write_inputs: vec![0.0; steps * (s.hidden + z)],
            decoder_hidden: vec![0.0; steps * s.decoder],
            logits: vec![0.0; steps * d],
            reconstruction: vec![0.0; steps],
            kl: vec![0.0; steps],
            states: Vec::with_capacity(steps + 1),
            caches: Vec::with_capacity(steps),
        };
        run.states.push(self.memory.initial_state());
        let input_width = d + s.actions;
        for t in 0..steps {
            let row = &input[t * input_width..(t + 1) * input_width];
            let (frame, actions) = row.split_at(d);
            // Controller: [z_{t−1}; u_t].
            let ci = s.controller_input();
            let (before, current) = run.controller_inputs.split_at_mut(t * ci);
            let controller_input = &mut current[..ci];
            if t > 0 {
                controller_input[..z].copy_from_slice(&run.latents[(t - 1) * z..t * z]);
                debug_assert_eq!(before.len(), t * ci);
            }
            controller_input[z..].copy_from_slice(actions);
            self.controller
                .forward_step(p, &mut run.controller, t, controller_input);
            let hidden = self.controller.output(&run.controller, t);
            // Reads precede the write (§8.2).
            let (reads, cache) = self.memory.read(p, hidden, &run.states[t], t);
            let context = &mut run.context[t * context_width..(t + 1) * context_width];
            context[..s.hidden].copy_from_slice(hidden);
            context[s.hidden..].copy_from_slice(&reads);
            run.reads[t * reads.len()..(t + 1) * reads.len()].copy_from_slice(&reads);
            // Prior and posterior.
            let prior_hidden = &mut run.prior_hidden[t * s.map..(t + 1) * s.map];
            self.prior.0.forward(p, context, prior_hidden);
            prior_hidden.iter_mut().for_each(|v| *v = v.tanh());
            let prior_raw = &mut run.prior_raw[t * 2 * z..(t + 1) * 2 * z];
            self.prior.1.forward(p, prior_hidden, prior_raw);
            let encoded = &mut run.encoded[t * s.encoder..(t + 1) * s.encoder];
            self.encoder.forward(p, frame, encoded);
            encoded.iter_mut().for_each(|v| *v = v.tanh());
            let pw = s.encoder + context_width;
            let posterior_input = &mut run.posterior_input[t * pw..(t + 1) * pw];
            posterior_input[..s.encoder].copy_from_slice(encoded);
            posterior_input[s.encoder..].copy_from_slice(context);
            let posterior_hidden = &mut run.posterior_hidden[t * s.map..(t + 1) * s.map];
            self.posterior
                .0
                .forward(p, posterior_input, posterior_hidden);
            posterior_hidden.iter_mut().for_each(|v| *v = v.tanh());
            let posterior_raw = &mut run.posterior_raw[t * 2 * z..(t + 1) * 2 * z];
            self.posterior.1.forward(p, posterior_hidden, posterior_raw);
            // Latent, KL.
            let observed = mode.observed(t);
            let use_prior_mean = matches!(mode, Mode::RecallTest(_)) && !observed;
            let mut kl = 0.0f32;
            for j in 0..z {
                let (mu_p, mu_q) = (prior_raw[j], posterior_raw[j]);
                let (lp, _) = bounded_log_sigma(prior_raw[z + j]);
                let (lq, _) = bounded_log_sigma(posterior_raw[z + j]);
                run.prior_log_sigma[t * z + j] = lp;
                run.posterior_log_sigma[t * z + j] = lq;
                let e = eps[t * z + j];
                run.latents[t * z + j] = if observed {
                    mu_q + lq.exp() * e
                } else if use_prior_mean {
                    mu_p
                } else {
                    mu_p + lp.exp() * e
                };
                let gap = mu_q - mu_p;
                kl += lp - lq + 0.5 * (2.0 * (lq - lp)).exp() + 0.5 * gap * gap * (-2.0 * lp).exp()
                    - 0.5;
            }
            run.kl[t] = kl;
            // Decoder.
            let latent = &run.latents[t * z..(t + 1) * z];
            let decoder_hidden = &mut run.decoder_hidden[t * s.decoder..(t + 1) * s.decoder];
            self.decoder.0.forward(p, latent, decoder_hidden);
            decoder_hidden.iter_mut().for_each(|v| *v = v.tanh());
            let logits = &mut run.logits[t * d..(t + 1) * d];
            self.decoder.1.forward(p, decoder_hidden, logits);
            run.reconstruction[t] = logits
                .iter()
                .zip(frame)
                .map(|(&o, &x)| softplus(o) - x * o)
                .sum();
            // Write.
            let wi = s.hidden + z;
            let write_input = &mut run.write_inputs[t * wi..(t + 1) * wi];
            write_input[..s.hidden].copy_from_slice(hidden);
            write_input[s.hidden..].copy_from_slice(latent);
            let mut cache = cache;
            let state = self
                .memory
                .write(p, write_input, &run.states[t], &mut cache, t);
            run.states.push(state);
            run.caches.push(cache);
        }
        run
    }

    /// The decoder's logits for latent `latent` (the prediction from the prior mean).
    pub fn decode(&self, latent: &[f32]) -> Vec<f32> {
        let p = self.params.values();
        let s = self.sizes();
        let mut hidden = vec![0.0; s.decoder];
        self.decoder.0.forward(p, latent, &mut hidden);
        hidden.iter_mut().for_each(|v| *v = v.tanh());
        let mut logits = vec![0.0; s.frame];
        self.decoder.1.forward(p, &hidden, &mut logits);
        logits
    }

    /// Backward through an inference run: accumulates `∂/∂θ` of
    /// `scale · Σ_t mask_t (rec_t + β KL_t)` into `grads`.
    pub fn backprop(
        &self,
        run: &Unrolled<M>,
        sequence: &SequenceRef<'_>,
        eps: &[f32],
        scale: f32,
        kl_weight: f32,
        grads: &mut [f32],
    ) {
        let (input, mask) = (sequence.input, sequence.mask);
        let s = self.sizes();
        let p = self.params.values();
        let (z, d, h) = (s.latent, s.frame, s.hidden);
        let context_width = s.context();
        let input_width = d + s.actions;
        let steps = run.steps;
        let mut carry = self.controller.new_carry(steps);
        let mut dstate = self.memory.zero_state();
        let mut dlatent_next = vec![0.0; z];
        let mut dcontroller_input = vec![0.0; s.controller_input()];
        for t in (0..steps).rev() {
            let m = mask[t] * scale;
            let frame = &input[t * input_width..t * input_width + d];
            let hidden = self.controller.output(&run.controller, t);
            let latent = &run.latents[t * z..(t + 1) * z];
            // Decoder: ∂rec/∂o = σ(o) − x.
            let logits = &run.logits[t * d..(t + 1) * d];
            let dlogits: Vec<f32> = logits
                .iter()
                .zip(frame)
                .map(|(&o, &x)| m * (sigmoid(o) - x))
                .collect();
            let decoder_hidden = &run.decoder_hidden[t * s.decoder..(t + 1) * s.decoder];
            let mut ddecoder = vec![0.0; s.decoder];
            self.decoder
                .1
                .backward(p, grads, decoder_hidden, &dlogits, Some(&mut ddecoder));
            tanh_backward(decoder_hidden, &mut ddecoder);
            let mut dlatent = std::mem::take(&mut dlatent_next);
            self.decoder
                .0
                .backward(p, grads, latent, &ddecoder, Some(&mut dlatent));
            // The write, from [h_t; z_t].
            let mut dprevious = self.memory.zero_state();
            let wi = h + z;
            let mut dwrite_input = vec![0.0; wi];
            self.memory.backward_write(
                p,
                grads,
                &run.write_inputs[t * wi..(t + 1) * wi],
                &run.states[t],
                &run.caches[t],
                &run.states[t + 1],
                &mut dstate,
                &mut dprevious,
                &mut dwrite_input,
            );
            let mut dhidden = dwrite_input[..h].to_vec();
            for (a, b) in dlatent.iter_mut().zip(&dwrite_input[h..]) {
                *a += b;
            }
            // z = μq + σq ε, and the KL (models.md's step, β-weighted).
            let prior_raw = &run.prior_raw[t * 2 * z..(t + 1) * 2 * z];
            let posterior_raw = &run.posterior_raw[t * 2 * z..(t + 1) * 2 * z];
            let mut dprior_raw = vec![0.0; 2 * z];
            let mut dposterior_raw = vec![0.0; 2 * z];
            let c = m * kl_weight;
            for j in 0..z {
                let (mu_p, mu_q) = (prior_raw[j], posterior_raw[j]);
                let (lp, dlp_ds) = bounded_log_sigma(prior_raw[z + j]);
                let (lq, dlq_ds) = bounded_log_sigma(posterior_raw[z + j]);
                let sigma_q = lq.exp();
                let gap = mu_q - mu_p;
                let ratio = (2.0 * (lq - lp)).exp();
                let precision = (-2.0 * lp).exp();
                let dmu_q = dlatent[j] + c * gap * precision;
                let dlq = dlatent[j] * sigma_q * eps[t * z + j] + c * (ratio - 1.0);
                let dlp = c * (1.0 - ratio - gap * gap * precision);
                dposterior_raw[j] = dmu_q;
                dposterior_raw[z + j] = dlq * dlq_ds;
                dprior_raw[j] = -c * gap * precision;
                dprior_raw[z + j] = dlp * dlp_ds;
            }
            // Posterior: [e; Ψ] → hidden → [μq; sq].
            let mut dcontext = vec![0.0; context_width];
            let posterior_hidden = &run.posterior_hidden[t * s.map..(t + 1) * s.map];
            let mut dmap = vec![0.0; s.map];
            self.posterior
                .1
                .backward(p, grads, posterior_hidden, &dposterior_raw, Some(&mut dmap));
            tanh_backward(posterior_hidden, &mut dmap);
            let pw = s.encoder + context_width;
            let mut dposterior_input = vec![0.0; pw];
            self.posterior.0.backward(
                p,
                grads,
                &run.posterior_input[t * pw..(t + 1) * pw],
                &dmap,
                Some(&mut dposterior_input),
            );
            let encoded = &run.encoded[t * s.encoder..(t + 1) * s.encoder];
            let mut dencoded = dposterior_input[..s.encoder].to_vec();
            tanh_backward(encoded, &mut dencoded);
            self.encoder.backward(p, grads, frame, &dencoded, None);
            for (a, b) in dcontext.iter_mut().zip(&dposterior_input[s.encoder..]) {
                *a += b;
            }
            // Prior: Ψ → hidden → [μp; sp].
            let prior_hidden = &run.prior_hidden[t * s.map..(t + 1) * s.map];
            dmap.fill(0.0);
            self.prior
                .1
                .backward(p, grads, prior_hidden, &dprior_raw, Some(&mut dmap));
            tanh_backward(prior_hidden, &mut dmap);
            let context = &run.context[t * context_width..(t + 1) * context_width];
            self.prior
                .0
                .backward(p, grads, context, &dmap, Some(&mut dcontext));
            // Ψ = [h; r]: the read.
            for (a, b) in dhidden.iter_mut().zip(&dcontext[..h]) {
                *a += b;
            }
            self.memory.backward_read(
                p,
                grads,
                hidden,
                &run.states[t],
                &run.caches[t],
                &run.states[t + 1],
                &mut dstate,
                &dcontext[h..],
                &mut dprevious,
                &mut dhidden,
            );
            // Controller: [z_{t−1}; u_t].
            self.controller.backward_step(
                p,
                &run.controller,
                t,
                &dhidden,
                &mut carry,
                &mut dcontroller_input,
            );
            dlatent_next = dcontroller_input[..z].to_vec();
            dstate = dprevious;
        }
        self.controller.accumulate_weight_gradients(
            grads,
            &run.controller,
            &run.controller_inputs,
            steps,
            &carry,
        );
    }
}

/// `dy ← dy ⊙ (1 − y²)` for `y = tanh(x)`.
fn tanh_backward(y: &[f32], dy: &mut [f32]) {
    for (d, &v) in dy.iter_mut().zip(y) {
        *d *= 1.0 - v * v;
    }
}
