//! The per-step record of a generative model (generative.md §8.4, Trace): what
//! `engram trace --json` prints and the page's frame rows, KL chart and read map draw.

use super::unroll::Unrolled;
use super::Gtmm;
use crate::memory::LatentMemory;
use crate::ops::activation::sigmoid;
use crate::tasks::SequenceRef;
use serde::Serialize;

/// One step.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FrameStep {
    /// x_t.
    pub frame: Vec<f32>,
    /// o_t, the decoder's logits.
    pub logits: Vec<f32>,
    /// σ(o_t): the reconstruction (or, where z_t came from the prior, the generation).
    pub reconstruction: Vec<f32>,
    /// σ(o(μp_t)): the prediction from memory, a decoder pass on the prior mean.
    pub prediction: Vec<f32>,
    pub prior_mean: Vec<f32>,
    pub prior_log_sigma: Vec<f32>,
    pub posterior_mean: Vec<f32>,
    pub posterior_log_sigma: Vec<f32>,
    pub latent: Vec<f32>,
    pub noise: Vec<f32>,
    /// −log p(x_t | z_t), nats.
    pub reconstruction_nats: f32,
    /// KL(q ‖ p) at step t, nats.
    pub kl_nats: f32,
    /// Whether the frame is in the task's recall set.
    pub recall: bool,
    /// `R × N`.
    pub read_weights: Vec<Vec<f32>>,
    pub write_weights: Vec<Vec<f32>>,
    /// r_t.
    pub reads: Vec<f32>,
    /// M_t (`N × W`; empty without memory).
    pub memory: Vec<Vec<f32>>,
}

/// A sequence's record.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FrameTrace {
    pub frame_size: usize,
    pub steps: Vec<FrameStep>,
}

impl<M: LatentMemory + ?Sized> Gtmm<M> {
    pub(super) fn record(
        &self,
        run: &Unrolled<M>,
        sequence: SequenceRef<'_>,
        eps: &[f32],
    ) -> FrameTrace {
        let s = self.sizes();
        let (z, d) = (s.latent, s.frame);
        let input_width = d + s.actions;
        let read_width = s.read_width;
        let tape = &run.tape;
        let steps = (0..tape.steps)
            .map(|t| {
                let view = self.memory.view(&run.states[t + 1], &run.caches[t]);
                let prior = &tape.prior_raw[t * 2 * z..(t + 1) * 2 * z];
                let posterior = &tape.posterior_raw[t * 2 * z..(t + 1) * 2 * z];
                FrameStep {
                    frame: sequence.input[t * input_width..t * input_width + d].to_vec(),
                    logits: tape.logits[t * d..(t + 1) * d].to_vec(),
                    reconstruction: tape.logits[t * d..(t + 1) * d]
                        .iter()
                        .map(|&o| sigmoid(o))
                        .collect(),
                    prediction: self.decode(&prior[..z]).into_iter().map(sigmoid).collect(),
                    prior_mean: prior[..z].to_vec(),
                    prior_log_sigma: tape.prior_log_sigma[t * z..(t + 1) * z].to_vec(),
                    posterior_mean: posterior[..z].to_vec(),
                    posterior_log_sigma: tape.posterior_log_sigma[t * z..(t + 1) * z].to_vec(),
                    latent: tape.latents[t * z..(t + 1) * z].to_vec(),
                    noise: eps[t * z..(t + 1) * z].to_vec(),
                    reconstruction_nats: tape.reconstruction[t],
                    kl_nats: tape.kl[t],
                    recall: sequence.recall.is_some_and(|r| r[t] != 0.0),
                    read_weights: view.read_weights,
                    write_weights: view.write_weights,
                    reads: tape.reads[t * read_width..(t + 1) * read_width].to_vec(),
                    memory: view.memory,
                }
            })
            .collect();
        FrameTrace {
            frame_size: self.generative.frame_size,
            steps,
        }
    }
}
