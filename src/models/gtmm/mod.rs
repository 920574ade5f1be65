//! Generative temporal models with memory (generative.md; Gemici et al. 2017): a
//! variational sequence model whose latents are stored in, and read back from, an
//! introspective, NTM, LRU or DNC memory, or in none (the VRNN-style baseline).
//!
//! The step and its backward pass are in `unroll`, the memories in [`crate::memory`], the
//! sampling noise in [`noise`] and the per-step record the views draw in [`trace`].

pub mod config;
mod networks;
pub mod noise;
pub mod trace;
mod unroll;

pub use config::GenerativeConfig;
pub use trace::FrameTrace;
pub use unroll::Mode;

use super::{Model, ModelConfig, SequenceRef, StepTrace};
use crate::kinds::LatentMemoryKind;
use crate::memory::{latent_memory, LatentMemory, MemorySizes};
use crate::nn::{Linear, LstmStack, ParamStore};
use crate::objective::Objective;
use crate::ops::loss::{BoundParts, SequenceScore};
use crate::rng::Pcg32;
use networks::Networks;
use std::sync::atomic::{AtomicU32, Ordering};

/// The sizes of one model.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    /// D.
    pub frame: usize,
    /// A.
    pub actions: usize,
    /// Z.
    pub latent: usize,
    /// H.
    pub hidden: usize,
    /// E.
    pub encoder: usize,
    /// P.
    pub map: usize,
    /// G.
    pub decoder: usize,
    /// R·W.
    pub read_width: usize,
}

impl Sizes {
    /// |Ψ| = H + R·W.
    pub fn context(&self) -> usize {
        self.hidden + self.read_width
    }

    /// The controller's input `[z_{t−1}; u_t]`.
    pub fn controller_input(&self) -> usize {
        self.latent + self.actions
    }
}

/// A generative model with memory `M`.
pub struct Gtmm<M: LatentMemory + ?Sized> {
    config: ModelConfig,
    generative: GenerativeConfig,
    params: ParamStore,
    nets: Networks,
    memory: Box<M>,
    /// β of the KL term in training (f32 bits), set per step by the trainer.
    kl_weight: AtomicU32,
}

/// Builds a generative model with its configured memory, registering into `params`.
pub fn build(config: &ModelConfig, seed: u64, params: ParamStore) -> Box<dyn Model> {
    let generative = config
        .generative
        .clone()
        .expect("a validated gtmm configuration has its generative settings");
    // One `Gtmm` for every memory (see `memory::boxed`); its memory is boxed.
    Box::new(Gtmm::new(config, seed, params, |sizes, params, rng| {
        latent_memory(generative.memory, sizes, params, rng)
    }))
}

/// The memory sizes a configuration asks for: R = 0 without memory; W = Z for the
/// introspective memory (it stores latents).
pub fn memory_sizes(config: &ModelConfig, generative: &GenerativeConfig) -> MemorySizes {
    let (reads, width) = match generative.memory {
        LatentMemoryKind::None => (0, 0),
        LatentMemoryKind::Introspective => (config.read_heads, generative.latent),
        _ => (config.read_heads, config.memory_width),
    };
    MemorySizes {
        latent: generative.latent,
        width,
        reads,
        ..config.memory_sizes()
    }
}

impl<M: LatentMemory + ?Sized> Gtmm<M> {
    /// Registers the parameters in the order of generative.md §8.4's list: controller,
    /// encoder, prior, posterior, decoder, then the memory's heads.
    pub fn new(
        config: &ModelConfig,
        seed: u64,
        mut params: ParamStore,
        make_memory: impl FnOnce(MemorySizes, &mut ParamStore, &mut Pcg32) -> Box<M>,
    ) -> Self {
        let generative = config
            .generative
            .clone()
            .expect("a validated gtmm configuration has its generative settings");
        let mut rng = Pcg32::new(seed);
        let memory_sizes = memory_sizes(config, &generative);
        let (z, h) = (generative.latent, config.hidden);
        let (e, p, g) = (
            generative.encoder_hidden,
            generative.map_hidden,
            generative.decoder_hidden,
        );
        let context = h + memory_sizes.reads * memory_sizes.width;
        let controller = LstmStack::register(
            &mut params,
            "controller",
            z + generative.action_width,
            h,
            1,
            &mut rng,
        );
        let encoder = Linear::register(
            &mut params,
            "encoder",
            generative.frame_pixels(),
            e,
            &mut rng,
        );
        let prior = (
            Linear::register(&mut params, "prior.hidden", context, p, &mut rng),
            Linear::register(&mut params, "prior.out", p, 2 * z, &mut rng),
        );
        let posterior = (
            Linear::register(&mut params, "posterior.hidden", e + context, p, &mut rng),
            Linear::register(&mut params, "posterior.out", p, 2 * z, &mut rng),
        );
        let decoder = (
            Linear::register(&mut params, "decoder.hidden", z, g, &mut rng),
            Linear::register(
                &mut params,
                "decoder.out",
                g,
                generative.frame_pixels(),
                &mut rng,
            ),
        );
        let memory = make_memory(memory_sizes, &mut params, &mut rng);
        debug_assert_eq!(memory.read_width(), context - h);
        let sizes = Sizes {
            frame: generative.frame_pixels(),
            actions: generative.action_width,
            latent: z,
            hidden: h,
            encoder: e,
            map: p,
            decoder: g,
            read_width: memory.read_width(),
        };
        Gtmm {
            config: config.clone(),
            generative,
            params,
            nets: Networks {
                sizes,
                controller,
                encoder,
                prior,
                posterior,
                decoder,
            },
            memory,
            kl_weight: AtomicU32::new(1f32.to_bits()),
        }
    }

    pub fn sizes(&self) -> Sizes {
        self.nets.sizes
    }

    fn noise(&self, sequence: &SequenceRef<'_>) -> Vec<f32> {
        noise::latent_noise(sequence.noise_seed, sequence.steps, self.generative.latent)
    }

    /// The bound's parts of an inference run, by recall flag.
    fn bound_parts(reconstruction: &[f32], kl: &[f32], recall: Option<&[f32]>) -> BoundParts {
        let mut parts = BoundParts::default();
        for t in 0..reconstruction.len() {
            let (rec, kl) = (reconstruction[t] as f64, kl[t] as f64);
            if recall.is_some_and(|r| r[t] != 0.0) {
                parts.recall_reconstruction += rec;
                parts.recall_kl += kl;
                parts.recall_frames += 1.0;
            } else {
                parts.other_reconstruction += rec;
                parts.other_kl += kl;
                parts.other_frames += 1.0;
            }
        }
        parts
    }

    /// Pixels of the flagged frames where `σ(o) > 0.5` differs from the frame, and the
    /// number of flagged frames; `logits_at(t)` gives step t's logits.
    fn recall_errors(
        &self,
        input: &[f32],
        recall: Option<&[f32]>,
        logits_at: impl Fn(usize) -> Vec<f32>,
    ) -> (f64, f64) {
        let Some(recall) = recall else {
            return (0.0, 0.0);
        };
        let s = self.sizes();
        let width = s.frame + s.actions;
        let (mut errors, mut frames) = (0.0, 0.0);
        for (t, &flag) in recall.iter().enumerate() {
            if flag == 0.0 {
                continue;
            }
            let frame = &input[t * width..t * width + s.frame];
            let logits = logits_at(t);
            errors += logits
                .iter()
                .zip(frame)
                .filter(|(&o, &x)| (o > 0.0) != (x > 0.5))
                .count() as f64;
            frames += 1.0;
        }
        (errors, frames)
    }
}

impl<M: LatentMemory + ?Sized> Model for Gtmm<M> {
    fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// Per step: the maps' tape (`networks::Tape`'s per-step vectors), ε, the frame and
    /// the memory's state and cache; two states' gradients for the walk back. Twice that:
    /// scoring keeps an inference run and a recall-test run at once.
    fn sequence_floats(&self, steps: usize) -> usize {
        let s = self.nets.sizes;
        let (h, z, context) = (s.hidden, s.latent, s.context());
        let tape = [
            7 * h,                               // LSTM gates, cell, tanh(cell), hidden
            s.controller_input(),                // [z_{t−1}; u_t]
            s.read_width + context,              // reads, Ψ
            2 * s.map + 6 * z, // map hidden units; [μ; s] and ℓ of prior and posterior
            s.encoder + s.encoder + context, // e and [e; Ψ]
            z + h + z + s.decoder + s.frame + 2, // z, [h; z], decoder, logits, rec, KL
            z + s.frame + s.actions, // ε and the input
        ];
        let memory = self.memory.step_floats();
        2 * (steps * (tape.iter().sum::<usize>() + memory) + 2 * memory)
    }

    fn params(&self) -> &ParamStore {
        &self.params
    }

    fn params_mut(&mut self) -> &mut ParamStore {
        &mut self.params
    }

    fn objective(&self) -> Objective {
        Objective::VariationalBound
    }

    /// Reconstruction logits with ε = 0 (each latent at its posterior mean).
    fn forward(&self, input: &[f32], steps: usize) -> Vec<f32> {
        let eps = vec![0.0; steps * self.generative.latent];
        self.unroll(input, steps, &eps, Mode::Inference).tape.logits
    }

    /// The loss `scale · Σ_t m_t (rec_t + β KL_t)` with z from the posterior; the score
    /// reports the bound at β = 1 and, as its errors, the pixel errors of the prediction
    /// from the prior mean on the recall frames (teacher-forced: the earlier latents
    /// come from the posterior; [`Model::score`] runs the recall test itself).
    fn forward_backward(
        &self,
        sequence: SequenceRef<'_>,
        scale: f32,
        grads: &mut [f32],
    ) -> SequenceScore {
        let eps = self.noise(&sequence);
        let run = self.unroll(sequence.input, sequence.steps, &eps, Mode::Inference);
        let kl_weight = f32::from_bits(self.kl_weight.load(Ordering::Relaxed));
        self.backprop(&run, &sequence, &eps, scale, kl_weight, grads);
        let z = self.generative.latent;
        let (errors, frames) = self.recall_errors(sequence.input, sequence.recall, |t| {
            self.decode(&run.tape.prior_raw[t * 2 * z..t * 2 * z + z])
        });
        self.score_of(&run, sequence.mask, sequence.recall, errors, frames)
    }

    /// The bound of an inference run, and the recall pixel errors of the recall test
    /// (generative.md, Metrics).
    fn score(&self, sequence: SequenceRef<'_>) -> SequenceScore {
        let eps = self.noise(&sequence);
        let run = self.unroll(sequence.input, sequence.steps, &eps, Mode::Inference);
        let (errors, frames) = match sequence.recall {
            Some(recall) => {
                let test = self.unroll(
                    sequence.input,
                    sequence.steps,
                    &eps,
                    Mode::RecallTest(recall),
                );
                let d = self.generative.frame_pixels();
                self.recall_errors(sequence.input, Some(recall), |t| {
                    test.tape.logits[t * d..(t + 1) * d].to_vec()
                })
            }
            None => (0.0, 0.0),
        };
        self.score_of(&run, sequence.mask, sequence.recall, errors, frames)
    }

    /// Reconstruction logits (ε = 0); the per-step record is [`Model::frame_trace`]'s.
    fn trace(&self, input: &[f32], steps: usize) -> (Vec<f32>, Vec<StepTrace>) {
        (self.forward(input, steps), Vec::new())
    }

    fn frame_trace(
        &self,
        sequence: SequenceRef<'_>,
        mode: Mode<'_>,
        noise: Option<&[f32]>,
    ) -> Option<FrameTrace> {
        let z = self.generative.latent;
        let eps = match noise {
            Some(noise) if noise.len() == sequence.steps * z => noise.to_vec(),
            Some(_) => return None,
            None => self.noise(&sequence),
        };
        let run = self.unroll(sequence.input, sequence.steps, &eps, mode);
        Some(self.record(&run, sequence, &eps))
    }

    fn set_training_step(&self, step: u64) {
        self.kl_weight
            .store(self.generative.kl_weight(step).to_bits(), Ordering::Relaxed);
    }
}

impl<M: LatentMemory + ?Sized> Gtmm<M> {
    fn score_of(
        &self,
        run: &unroll::Unrolled<M>,
        mask: &[f32],
        recall: Option<&[f32]>,
        errors: f64,
        frames: f64,
    ) -> SequenceScore {
        let tape = &run.tape;
        let loss_nats = (0..tape.steps)
            .map(|t| mask[t] as f64 * (tape.reconstruction[t] as f64 + tape.kl[t] as f64))
            .sum();
        SequenceScore {
            loss_nats,
            errors,
            scored: frames,
            wrong_sequences: 0.0,
            bound: Self::bound_parts(&tape.reconstruction, &tape.kl, recall),
            regulariser: 0.0,
        }
    }
}
