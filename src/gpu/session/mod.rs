//! A model resident on the GPU: its parameters, gradients and optimiser moments live in
//! device buffers, and one training step is one command encoder, submitted once, whose
//! only readback is the step's totals: loss, errors, gradient norm, wrong sequences and
//! the generative models' bound parts (32 bytes).
//!
//! Per step, for each chunk of the batch that fits the device's buffer limits: the
//! forward kernel (one workgroup per sequence; one dispatch per stage where the family
//! has stages), the backward kernel, and the weight-gradient kernel (every parameter
//! tensor at once); the family's own (see [`super::kernels`]); then `measure` (loss
//! totals and the gradient norm) and `update` (clipping and the optimiser). With the
//! whole batch in one chunk and one stage each that is 5 dispatches.

mod readout;
mod upload;

use super::buffers::{
    buffer, floats, BatchBuffers, ModelBuffers, SCORES_PER_SEQUENCE, STORAGE, TOTALS,
};
use super::context::{GpuContext, GpuUnavailable};
use super::kernels::Kernels;
use super::program::Program;
use super::readback::read_back;
use super::shared::{RUN_STRIDE, SETTINGS_SIZE, STAGE_STRIDE};
use super::uniforms::Settings;
use crate::models::neural_gpu::relaxation::RelaxedSets;
use crate::models::Model;
use crate::nn::OptimizerConfig;
use crate::ops::loss::BoundParts;
use crate::tasks::Batch;
use std::rc::Rc;

/// What a training step measured, summed over its batch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepScores {
    pub loss_nats: f64,
    /// Bit errors (memory models) or symbol errors (the Neural GPU family).
    pub errors: f64,
    /// Global gradient norm before clipping.
    pub gradient_norm: f32,
    /// Sequences with a wrong symbol (the symbol objective; 0 for the memory models).
    pub wrong_sequences: f64,
    /// Positions scored (the batch's mask, summed on the host; the generative models:
    /// recall frames, the frames their errors are counted on).
    pub scored: f64,
    /// The generative models' −ELBO parts (zero for the others).
    pub bound: BoundParts,
    /// The Diagonal Neural GPU's saturation cost, summed over the batch (0 for others).
    pub regulariser: f64,
}

impl From<StepScores> for crate::ops::loss::SequenceScore {
    fn from(scores: StepScores) -> Self {
        crate::ops::loss::SequenceScore {
            loss_nats: scores.loss_nats,
            errors: scores.errors,
            scored: scores.scored,
            wrong_sequences: scores.wrong_sequences,
            bound: scores.bound,
            regulariser: scores.regulariser,
        }
    }
}

/// Bytes read back per step: loss, errors, gradient norm, wrong sequences, the recall
/// frames' reconstruction and KL, all frames' KL, and the saturation cost.
pub const READBACK_BYTES: u64 = (TOTALS * std::mem::size_of::<f32>()) as u64;

pub struct GpuSession {
    context: Rc<GpuContext>,
    kernels: Kernels,
    program: Program,
    parameters: usize,
    buffers: ModelBuffers,
    readback: wgpu::Buffer,
    sized: Option<BatchBuffers>,
    optimizer: OptimizerConfig,
    clip_norm: f32,
    /// Optimiser updates applied so far (Adam's t).
    updates: u32,
    /// Bytes per buffer this session may use, below the device's own limit.
    buffer_limit: u64,
    /// Parameter-sharing relaxation's sets, and the pull the next step applies.
    relaxed: Option<RelaxedSets>,
    pull: Option<f32>,
    /// β of the generative models' KL term in the next steps (their KL warm-up).
    kl_weight: f32,
    /// The Diagonal Neural GPU's saturation-cost weight in the next steps.
    regulariser_weight: f32,
    /// Noise for the next training step's gradient (its recipe's), which the weight
    /// gradients are added to.
    gradient_noise: Option<Vec<f32>>,
}

impl GpuSession {
    /// Puts `model`'s parameters on the device, with fresh optimiser moments.
    pub async fn new(
        context: Rc<GpuContext>,
        model: &dyn Model,
        optimizer: OptimizerConfig,
        clip_norm: f32,
    ) -> Result<GpuSession, GpuUnavailable> {
        let kernels = Kernels::new(model.config(), model.params())
            .map_err(|e| GpuUnavailable(format!("the GPU path cannot run this model: {e}")))?;
        let program = Program::new(&context, &kernels).await?;
        let parameters = model.params().len();
        let params = buffer(&context, "parameters", floats(parameters), STORAGE);
        let grads = buffer(&context, "gradients", floats(parameters), STORAGE);
        let moments = buffer(&context, "moments", floats(2 * parameters), STORAGE);
        let jobs = buffer(
            &context,
            "weight-gradient jobs",
            std::mem::size_of_val(kernels.jobs()) as u64,
            STORAGE,
        );
        let settings = buffer(
            &context,
            "optimizer settings",
            SETTINGS_SIZE,
            wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
        );
        let readback = buffer(
            &context,
            "readback",
            READBACK_BYTES,
            wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        );
        context
            .queue
            .write_buffer(&params, 0, bytemuck::cast_slice(model.params().values()));
        context
            .queue
            .write_buffer(&moments, 0, &vec![0u8; floats(2 * parameters) as usize]);
        context
            .queue
            .write_buffer(&jobs, 0, bytemuck::cast_slice(kernels.jobs()));
        Ok(GpuSession {
            context,
            kernels,
            program,
            parameters,
            buffers: ModelBuffers {
                params,
                grads,
                moments,
                jobs,
                settings,
            },
            readback,
            sized: None,
            optimizer,
            clip_norm,
            updates: 0,
            buffer_limit: u64::MAX,
            relaxed: model.relaxed_sets(),
            pull: None,
            kl_weight: 1.0,
            regulariser_weight: 0.0,
            gradient_noise: None,
        })
    }

    pub fn context(&self) -> &GpuContext {
        &self.context
    }

    /// Uses at most `bytes` per buffer (the device's own limits always apply): a batch
    /// whose records do not fit runs in several chunks, and a sequence that does not fit
    /// alone is refused.
    pub fn limit_buffer_bytes(&mut self, bytes: u64) {
        self.buffer_limit = bytes;
    }

    /// Sets β of the generative models' KL term for the steps that follow.
    pub fn set_kl_weight(&mut self, kl_weight: f32) {
        self.kl_weight = kl_weight;
    }

    /// Sets the saturation cost's weight for the steps that follow (the Diagonal Neural
    /// GPU's recipe adapts it).
    pub fn set_regulariser_weight(&mut self, weight: f32) {
        self.regulariser_weight = weight;
    }

    /// Noise that the next training step's gradient starts from (one float per
    /// parameter), before the weight gradients are added to it.
    pub fn set_gradient_noise(&mut self, noise: Option<Vec<f32>>) {
        self.gradient_noise = noise.filter(|n| n.len() == self.parameters);
    }

    /// Sets relaxation's pull for the steps that follow (`None`: no pull).
    pub fn set_pull(&mut self, pull: Option<f32>) {
        self.pull = pull;
    }

    /// The relaxed sets and the pull a training step applies, if any.
    fn relaxation(&self) -> Option<(RelaxedSets, f32)> {
        Some((self.relaxed?, self.pull?))
    }

    fn write_settings(&self, sequences: usize, update: u32) {
        let mut settings = Settings::new(
            &self.optimizer,
            self.clip_norm,
            self.parameters,
            sequences,
            update,
        );
        if let Some((sets, pull)) = self.relaxation() {
            settings = settings.relaxing(sets, pull);
        }
        self.context
            .queue
            .write_buffer(&self.buffers.settings, 0, bytemuck::bytes_of(&settings));
    }

    /// Records the sequence kernels for every chunk, then `measure` (and `update` when
    /// training), and the copy of the step's totals into the readback buffer.
    fn encode(&self, batch: &Batch, chunks: &[(usize, usize)], train: bool) -> wgpu::CommandBuffer {
        let sized = self.sized.as_ref().expect("sized by upload");
        let mut encoder =
            self.context
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("step"),
                });
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("step"),
                timestamp_writes: None,
            });
            let (x, y, z) = self.kernels.weight_groups();
            let stages = self.kernels.stages(batch.steps, train);
            for (c, &(_, sequences)) in chunks.iter().enumerate() {
                let run = (c as u64 * RUN_STRIDE) as u32;
                let kernels = [
                    (&self.program.forward, stages.forward.len()),
                    (&self.program.backward, stages.backward.len()),
                ];
                let mut first_stage = 0;
                for (pipeline, count) in kernels {
                    pass.set_pipeline(pipeline);
                    for stage in first_stage..first_stage + count {
                        let stage = (stage as u64 * STAGE_STRIDE) as u32;
                        pass.set_bind_group(0, &sized.sequence_group, &[run, stage]);
                        pass.dispatch_workgroups(sequences as u32, 1, 1);
                    }
                    first_stage += count;
                }
                if train {
                    pass.set_bind_group(0, &sized.weight_group, &[run]);
                    pass.set_pipeline(&self.program.weight_gradients);
                    pass.dispatch_workgroups(x, y, z);
                }
            }
            pass.set_bind_group(0, &sized.optimizer_group, &[]);
            if let (true, Some((sets, _))) = (train, self.relaxation()) {
                pass.set_pipeline(&self.program.relax);
                let (x, y) = self.groups_of(sets.size);
                pass.dispatch_workgroups(x, y, 1);
            }
            pass.set_pipeline(&self.program.measure);
            pass.dispatch_workgroups(1, 1, 1);
            if train {
                let (x, y) = self.update_groups();
                pass.set_pipeline(&self.program.update);
                pass.dispatch_workgroups(x, y, 1);
            }
        }
        encoder.copy_buffer_to_buffer(
            &sized.scores,
            floats(SCORES_PER_SEQUENCE * batch.size),
            &self.readback,
            0,
            READBACK_BYTES,
        );
        encoder.finish()
    }

    fn update_groups(&self) -> (u32, u32) {
        self.groups_of(self.parameters)
    }

    /// Workgroups of 256 for `count` invocations, within the per-dimension limit.
    fn groups_of(&self, count: usize) -> (u32, u32) {
        let groups = (count as u32).div_ceil(256);
        let most = self
            .context
            .device
            .limits()
            .max_compute_workgroups_per_dimension;
        if groups <= most {
            (groups, 1)
        } else {
            (most, groups.div_ceil(most))
        }
    }

    /// Dispatches per training step on `batch` (in one submission).
    pub fn dispatches_per_step(&self, batch: &Batch) -> Result<usize, GpuUnavailable> {
        let chunk = self.chunk(batch.size, batch.steps)?;
        let stages = self.kernels.stages(batch.steps, true);
        let per_chunk = stages.forward.len() + stages.backward.len() + 1;
        let relax = usize::from(self.relaxation().is_some());
        Ok(per_chunk * batch.size.div_ceil(chunk) + 2 + relax)
    }

    /// One training step on `batch`: gradient of the batch-mean loss, clipping and the
    /// optimiser update, all on the device. A non-finite loss or gradient leaves the
    /// parameters untouched (the caller sees it in the scores).
    pub async fn train_step(&mut self, batch: &Batch) -> Result<StepScores, GpuUnavailable> {
        self.run(batch, true).await
    }

    /// The summed loss and errors of `batch` under the current parameters, as evaluation
    /// measures them (no label smoothing; the decoder of 5.2 decodes greedily).
    pub async fn score(&mut self, batch: &Batch) -> Result<StepScores, GpuUnavailable> {
        if self.kernels.model().is_generative() {
            return Err(GpuUnavailable(
                "the generative models' evaluation (its recall test) runs on the CPU".into(),
            ));
        }
        self.run(batch, false).await
    }

    async fn run(&mut self, batch: &Batch, train: bool) -> Result<StepScores, GpuUnavailable> {
        self.check()?;
        let chunks = self.upload(batch, train)?;
        let next_update = self.updates + 1;
        self.write_settings(batch.size, next_update);
        let commands = self.encode(batch, &chunks, train);
        let noise = self.gradient_noise.take();
        if let (true, Some(noise)) = (train, &noise) {
            self.context
                .queue
                .write_buffer(&self.buffers.grads, 0, bytemuck::cast_slice(noise));
        }
        let scope = self
            .context
            .device
            .push_error_scope(wgpu::ErrorFilter::Validation);
        self.context.queue.submit([commands]);
        let error = scope.pop().await;
        if let Some(error) = error {
            return Err(GpuUnavailable(format!("a GPU step failed: {error}")));
        }
        let totals = read_back(&self.context, &self.readback, READBACK_BYTES).await?;
        let mut scores = StepScores {
            loss_nats: f64::from(totals[0]),
            errors: f64::from(totals[1]),
            gradient_norm: totals[2],
            wrong_sequences: f64::from(totals[3]),
            scored: batch.mask.iter().map(|&m| f64::from(m)).sum(),
            bound: BoundParts::default(),
            regulariser: f64::from(totals[7]),
        };
        if self.kernels.model().is_generative() {
            scores.bound = bound_parts(batch, &scores, &totals);
            scores.scored = scores.bound.recall_frames;
        }
        if train && scores.loss_nats.is_finite() && scores.gradient_norm.is_finite() {
            self.updates = next_update;
        }
        Ok(scores)
    }

    fn check(&self) -> Result<(), GpuUnavailable> {
        match self.context.failure() {
            Some(reason) => Err(GpuUnavailable(reason)),
            None => Ok(()),
        }
    }

    /// The learning rate of the next step, keeping the moments (the trainer sets it
    /// before every step, from the rate it owns).
    pub fn set_learning_rate(&mut self, learning_rate: f32) {
        self.optimizer.learning_rate = learning_rate;
    }

    /// Optimiser updates applied so far.
    pub fn updates(&self) -> u32 {
        self.updates
    }

    /// Replaces the parameters and optimiser state (e.g. to continue from the CPU path).
    pub fn load(&mut self, parameters: &[f32], moments: &[f32], updates: u32) {
        assert_eq!(parameters.len(), self.parameters);
        assert_eq!(moments.len(), 2 * self.parameters);
        let queue = &self.context.queue;
        queue.write_buffer(&self.buffers.params, 0, bytemuck::cast_slice(parameters));
        queue.write_buffer(&self.buffers.moments, 0, bytemuck::cast_slice(moments));
        self.updates = updates;
    }
}

/// The bound's parts from a step's totals: the kernels sum the recall frames' rec and KL
/// and every frame's KL; the rest follows from the loss (Σ rec + KL over the scored
/// frames) and the frame counts from the batch.
fn bound_parts(batch: &Batch, scores: &StepScores, totals: &[f32]) -> BoundParts {
    let scored: f64 = batch.mask.iter().map(|&m| f64::from(m)).sum();
    let recall_frames: f64 = match &batch.recall {
        Some(flags) => flags
            .iter()
            .zip(&batch.mask)
            .map(|(&r, &m)| f64::from(r * m))
            .sum(),
        None => 0.0,
    };
    let (recall_reconstruction, recall_kl, kl) = (
        f64::from(totals[4]),
        f64::from(totals[5]),
        f64::from(totals[6]),
    );
    BoundParts {
        recall_reconstruction,
        recall_kl,
        recall_frames,
        other_reconstruction: scores.loss_nats - kl - recall_reconstruction,
        other_kl: kl - recall_kl,
        other_frames: scored - recall_frames,
    }
}
