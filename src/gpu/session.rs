//! A model resident on the GPU: its parameters, gradients and optimiser moments live in
//! device buffers, and one training step is one command encoder, submitted once, whose
//! only readback is the step's loss, bit errors and gradient norm (16 bytes).
//!
//! Per step, for each chunk of the batch that fits the device's buffer limits: the
//! forward kernel (one workgroup per sequence), the backward kernel, and the
//! weight-gradient kernel (every linear layer at once); then `measure` (loss totals and
//! the gradient norm) and `update` (clipping and the optimiser). With the whole batch in
//! one chunk that is 5 dispatches.

use super::buffers::{buffer, floats, BatchBuffers, ModelBuffers, STORAGE};
use super::context::{GpuContext, GpuUnavailable};
use super::layout::Layout;
use super::program::{Program, RUN_STRIDE, SETTINGS_SIZE};
use super::readback::read_back;
use super::uniforms::{Run, Settings};
use crate::models::Model;
use crate::nn::OptimizerConfig;
use crate::tasks::Batch;
use std::rc::Rc;

/// What a training step measured, summed over its batch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepScores {
    pub loss_nats: f64,
    pub errors: f64,
    /// Global gradient norm before clipping.
    pub gradient_norm: f32,
}

/// The GPU path measures the memory models' objective (sigmoid bits): its loss and bit
/// errors, not whole sequences.
impl From<StepScores> for crate::ops::loss::SequenceScore {
    fn from(scores: StepScores) -> Self {
        crate::ops::loss::SequenceScore {
            loss_nats: scores.loss_nats,
            errors: scores.errors,
            ..Default::default()
        }
    }
}

/// Bytes read back per step: loss, bit errors, gradient norm and one float of padding.
pub const READBACK_BYTES: u64 = 16;

pub struct GpuSession {
    context: Rc<GpuContext>,
    layout: Layout,
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
}

fn megabytes(bytes: u64) -> String {
    format!("{:.3} MB", bytes as f64 / 1e6)
}

impl GpuSession {
    /// Puts `model`'s parameters on the device, with fresh optimiser moments.
    pub async fn new(
        context: Rc<GpuContext>,
        model: &dyn Model,
        optimizer: OptimizerConfig,
        clip_norm: f32,
    ) -> Result<GpuSession, GpuUnavailable> {
        let layout = Layout::new(model.config(), model.params())
            .map_err(|e| GpuUnavailable(format!("the GPU path cannot run this model: {e}")))?;
        let program = Program::new(&context, &layout).await?;
        let parameters = model.params().len();
        let params = buffer(&context, "parameters", floats(parameters), STORAGE);
        let grads = buffer(&context, "gradients", floats(parameters), STORAGE);
        let moments = buffer(&context, "moments", floats(2 * parameters), STORAGE);
        let jobs = buffer(
            &context,
            "weight-gradient jobs",
            std::mem::size_of_val(layout.jobs()) as u64,
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
            .write_buffer(&jobs, 0, bytemuck::cast_slice(layout.jobs()));
        Ok(GpuSession {
            context,
            layout,
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

    /// Sequences per dispatch for sequences of `steps` steps, within the device's limits.
    fn chunk(&self, sequences: usize, steps: usize) -> Result<usize, GpuUnavailable> {
        let limits = self.context.device.limits();
        let largest = limits
            .max_storage_buffer_binding_size
            .min(limits.max_buffer_size)
            .min(self.buffer_limit);
        let per_sequence = floats(self.layout.sequence_floats(steps));
        let fit = (largest / per_sequence) as usize;
        if fit == 0 {
            return Err(GpuUnavailable(format!(
                "one sequence of {steps} steps needs {} of GPU memory; this device allows {} per buffer",
                megabytes(per_sequence),
                megabytes(largest)
            )));
        }
        let groups = limits.max_compute_workgroups_per_dimension as usize;
        Ok(sequences.min(fit).min(groups))
    }

    /// Grows the batch-sized buffers to hold `batch` in chunks of `chunk` sequences
    /// (they never shrink).
    fn fit(&mut self, batch: &Batch, chunk: usize) {
        let work_floats = chunk * self.layout.sequence_floats(batch.steps);
        let needed = (batch.size, batch.steps, work_floats);
        if self.sized.as_ref().is_some_and(|s| s.holds(needed)) {
            return;
        }
        let grown = self.sized.as_ref().map_or(needed, |s| s.grown(needed));
        self.sized = Some(BatchBuffers::new(
            &self.context,
            &self.program,
            &self.buffers,
            grown,
            (batch.input_width, batch.output_width),
            chunk,
        ));
    }

    /// Uploads the batch and the per-chunk `Run` uniforms; returns the chunks as
    /// (first sequence, sequences).
    fn upload(
        &mut self,
        batch: &Batch,
        with_gradients: bool,
    ) -> Result<Vec<(usize, usize)>, GpuUnavailable> {
        let chunk = self.chunk(batch.size, batch.steps)?;
        self.fit(batch, chunk);
        let sized = self.sized.as_ref().expect("sized by fit");
        let mut data = Vec::with_capacity(
            batch.input.len() + batch.target.len() + batch.mask.len() + batch.size,
        );
        data.extend_from_slice(&batch.input);
        data.extend_from_slice(&batch.target);
        data.extend_from_slice(&batch.mask);
        data.extend(batch.lengths.iter().map(|&l| l as f32));
        let queue = &self.context.queue;
        queue.write_buffer(&sized.batch, 0, bytemuck::cast_slice(&data));
        let chunks: Vec<(usize, usize)> = (0..batch.size)
            .step_by(chunk)
            .map(|first| (first, chunk.min(batch.size - first)))
            .collect();
        let stride = self.layout.sequence_floats(batch.steps) as u32;
        for (c, &(first, sequences)) in chunks.iter().enumerate() {
            let run = Run {
                batch_offset: first as u32,
                sequences: sequences as u32,
                steps: batch.steps as u32,
                sequence_stride: stride,
                target_offset: batch.input.len() as u32,
                mask_offset: (batch.input.len() + batch.target.len()) as u32,
                length_offset: (batch.input.len() + batch.target.len() + batch.mask.len()) as u32,
                loss_scale: if with_gradients {
                    1.0 / batch.size as f32
                } else {
                    0.0
                },
                accumulate: u32::from(c > 0),
                padding: [0; 3],
            };
            queue.write_buffer(&sized.runs, c as u64 * RUN_STRIDE, bytemuck::bytes_of(&run));
        }
        Ok(chunks)
    }

    fn write_settings(&self, sequences: usize, update: u32) {
        let settings = Settings::new(
            &self.optimizer,
            self.clip_norm,
            self.parameters,
            sequences,
            update,
        );
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
            let (row_tiles, col_tiles) = self.weight_tiles();
            for (c, &(_, sequences)) in chunks.iter().enumerate() {
                let offset = [(c as u64 * RUN_STRIDE) as u32];
                pass.set_bind_group(0, &sized.sequence_group, &offset);
                pass.set_pipeline(&self.program.forward);
                pass.dispatch_workgroups(sequences as u32, 1, 1);
                if train {
                    pass.set_pipeline(&self.program.backward);
                    pass.dispatch_workgroups(sequences as u32, 1, 1);
                    pass.set_bind_group(0, &sized.weight_group, &offset);
                    pass.set_pipeline(&self.program.weight_gradients);
                    pass.dispatch_workgroups(row_tiles, col_tiles, self.layout.jobs().len() as u32);
                }
            }
            pass.set_bind_group(0, &sized.optimizer_group, &[]);
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
            floats(2 * batch.size),
            &self.readback,
            0,
            READBACK_BYTES,
        );
        encoder.finish()
    }

    /// Workgroups of the weight-gradient kernel along rows and columns (16 × 16 tiles of
    /// the largest layer; smaller layers' extra tiles return at once).
    fn weight_tiles(&self) -> (u32, u32) {
        let jobs = self.layout.jobs();
        let rows = jobs.iter().map(|j| j.rows).max().unwrap_or(1);
        let cols = jobs.iter().map(|j| j.cols + 1).max().unwrap_or(1);
        (rows.div_ceil(16), cols.div_ceil(16))
    }

    fn update_groups(&self) -> (u32, u32) {
        let groups = (self.parameters as u32).div_ceil(256);
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

    /// Dispatches and submissions per training step on `batch`.
    pub fn dispatches_per_step(&self, batch: &Batch) -> Result<usize, GpuUnavailable> {
        let chunk = self.chunk(batch.size, batch.steps)?;
        Ok(3 * batch.size.div_ceil(chunk) + 2)
    }

    /// One training step on `batch`: gradient of the batch-mean loss, clipping and the
    /// optimiser update, all on the device. A non-finite loss or gradient leaves the
    /// parameters untouched (the caller sees it in the scores).
    pub async fn train_step(&mut self, batch: &Batch) -> Result<StepScores, GpuUnavailable> {
        self.run(batch, true).await
    }

    /// The summed loss and bit errors of `batch` under the current parameters.
    pub async fn score(&mut self, batch: &Batch) -> Result<StepScores, GpuUnavailable> {
        self.run(batch, false).await
    }

    async fn run(&mut self, batch: &Batch, train: bool) -> Result<StepScores, GpuUnavailable> {
        self.check()?;
        let chunks = self.upload(batch, train)?;
        let next_update = self.updates + 1;
        self.write_settings(batch.size, next_update);
        let commands = self.encode(batch, &chunks, train);
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
        let scores = StepScores {
            loss_nats: f64::from(totals[0]),
            errors: f64::from(totals[1]),
            gradient_norm: totals[2],
        };
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

    /// The forward records of every sequence of `batch`, from the forward kernel (one
    /// `Vec` per sequence, `steps + 1` records of [`Layout::record_size`] floats; the
    /// fields' offsets are [`Layout::offset`]'s). Reads back the whole work buffer, so it
    /// is for inspecting the kernels, not for training.
    pub async fn forward_records(
        &mut self,
        batch: &Batch,
    ) -> Result<Vec<Vec<f32>>, GpuUnavailable> {
        let chunks = self.upload(batch, false)?;
        let stride = self.layout.sequence_floats(batch.steps);
        let record = self.layout.record_size();
        let mut records = Vec::with_capacity(batch.size);
        for (c, &(first, sequences)) in chunks.iter().enumerate() {
            let sized = self.sized.as_ref().expect("sized by upload");
            let mut encoder = self
                .context
                .device
                .create_command_encoder(&Default::default());
            {
                let mut pass = encoder.begin_compute_pass(&Default::default());
                pass.set_bind_group(0, &sized.sequence_group, &[(c as u64 * RUN_STRIDE) as u32]);
                pass.set_pipeline(&self.program.forward);
                pass.dispatch_workgroups(sequences as u32, 1, 1);
            }
            self.context.queue.submit([encoder.finish()]);
            let work = self.read(&sized.work, sequences * stride).await?;
            for b in 0..sequences {
                let steps = batch.lengths[first + b];
                records.push(work[b * stride..b * stride + (steps + 1) * record].to_vec());
            }
        }
        Ok(records)
    }

    /// The layout of this model's records.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The parameters, read back from the device.
    pub async fn parameters(&self) -> Result<Vec<f32>, GpuUnavailable> {
        self.read(&self.buffers.params, self.parameters).await
    }

    /// The optimiser's moments (first, then second), read back from the device.
    pub async fn moments(&self) -> Result<Vec<f32>, GpuUnavailable> {
        self.read(&self.buffers.moments, 2 * self.parameters).await
    }

    /// The last step's gradient (after clipping), read back from the device.
    pub async fn gradients(&self) -> Result<Vec<f32>, GpuUnavailable> {
        self.read(&self.buffers.grads, self.parameters).await
    }

    /// Changes the learning rate from the next step on, keeping the moments.
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

    async fn read(&self, source: &wgpu::Buffer, count: usize) -> Result<Vec<f32>, GpuUnavailable> {
        self.check()?;
        let bytes = floats(count);
        let staging = buffer(
            &self.context,
            "parameter readback",
            bytes,
            wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        );
        let mut encoder =
            self.context
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("read"),
                });
        encoder.copy_buffer_to_buffer(source, 0, &staging, 0, bytes.next_multiple_of(4));
        self.context.queue.submit([encoder.finish()]);
        read_back(&self.context, &staging, bytes).await
    }
}
