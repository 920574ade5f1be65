//! A sequence through generative.md §8.1's step, and its exact backward pass: the
//! memory's read and write around the memory-independent maps of [`super::networks`].

use super::networks::{LatentSource, Tape};
use super::Gtmm;
use crate::memory::{LatentMemory, StateGradients, Step};
use crate::tasks::SequenceRef;

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
    fn source(&self, t: usize) -> LatentSource {
        match *self {
            Mode::Inference => LatentSource::Posterior,
            Mode::RecallTest(flags) if flags.get(t).is_some_and(|&f| f != 0.0) => {
                LatentSource::PriorMean
            }
            Mode::RecallTest(_) => LatentSource::Posterior,
            Mode::Generation { prompt } if t < prompt => LatentSource::Posterior,
            Mode::Generation { .. } => LatentSource::PriorSample,
        }
    }
}

/// A forward pass: the maps' tape and the memory's states (`steps + 1`, the initial one
/// first) and caches.
pub struct Unrolled<M: LatentMemory + ?Sized> {
    pub tape: Tape,
    pub states: Vec<M::State>,
    pub caches: Vec<M::Cache>,
}

impl<M: LatentMemory + ?Sized> Gtmm<M> {
    /// Runs the model over `input` (`steps × (D + A)`: frame, then actions) with noise
    /// `eps` (`steps × Z`) in `mode`. Reads precede the write (§8.2).
    pub fn unroll(&self, input: &[f32], steps: usize, eps: &[f32], mode: Mode<'_>) -> Unrolled<M> {
        let p = self.params.values();
        let s = self.nets.sizes;
        let (z, d) = (s.latent, s.frame);
        let width = d + s.actions;
        let mut run = Unrolled {
            tape: self.nets.new_tape(steps),
            states: Vec::with_capacity(steps + 1),
            caches: Vec::with_capacity(steps),
        };
        run.states.push(self.memory.initial_state());
        for t in 0..steps {
            let (frame, actions) = input[t * width..(t + 1) * width].split_at(d);
            self.nets.controller_forward(p, &mut run.tape, t, actions);
            let hidden = self.nets.hidden(&run.tape, t);
            let (reads, mut cache) = self.memory.read(p, hidden, &run.states[t], t);
            let eps_t = &eps[t * z..(t + 1) * z];
            self.nets
                .maps_forward(p, &mut run.tape, t, &reads, frame, eps_t, mode.source(t));
            let write_input = &run.tape.write_inputs[t * (s.hidden + z)..(t + 1) * (s.hidden + z)];
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
        self.nets.decode(self.params.values(), latent)
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
        let p = self.params.values();
        let s = self.nets.sizes;
        let (z, d, h) = (s.latent, s.frame, s.hidden);
        let width = d + s.actions;
        let tape = &run.tape;
        let mut carry = self.nets.new_carry(tape.steps);
        let mut dstate = self.memory.zero_state();
        for t in (0..tape.steps).rev() {
            let m = sequence.mask[t] * scale;
            let frame = &sequence.input[t * width..t * width + d];
            let mut dlatent = self
                .nets
                .decoder_backward(p, grads, tape, &mut carry, t, frame, m);
            // The write, from [h_t; z_t].
            let mut dprevious = self.memory.zero_state();
            let mut dwrite_input = vec![0.0; h + z];
            let d = StateGradients {
                next: &mut dstate,
                previous: &mut dprevious,
            };
            let write_input = &tape.write_inputs[t * (h + z)..(t + 1) * (h + z)];
            self.memory.backward_write(
                p,
                grads,
                write_input,
                Step::of(&run.states, &run.caches, t),
                d,
                &mut dwrite_input,
            );
            for (a, b) in dlatent.iter_mut().zip(&dwrite_input[h..]) {
                *a += b;
            }
            let eps_t = &eps[t * z..(t + 1) * z];
            let dcontext =
                self.nets
                    .maps_backward(p, grads, tape, t, frame, eps_t, &dlatent, m * kl_weight);
            // Ψ = [h; r]: the read.
            let mut dhidden = dwrite_input[..h].to_vec();
            for (a, b) in dhidden.iter_mut().zip(&dcontext[..h]) {
                *a += b;
            }
            let d = StateGradients {
                next: &mut dstate,
                previous: &mut dprevious,
            };
            let hidden = self.nets.hidden(tape, t);
            self.memory.backward_read(
                p,
                grads,
                hidden,
                Step::of(&run.states, &run.caches, t),
                d,
                &dcontext[h..],
                &mut dhidden,
            );
            self.nets
                .controller_backward(p, tape, &mut carry, t, &dhidden);
            dstate = dprevious;
        }
        self.nets.finish_backward(grads, tape, &carry);
    }
}
