//! What a session's device buffers hold, read back: parameters, optimiser moments and
//! gradients for the host, and the sequence kernels' records for inspecting them.

use super::super::buffers::{buffer, floats};
use super::super::context::GpuUnavailable;
use super::super::kernels::Kernels;
use super::super::memory::Layout;
use super::super::readback::read_back;
use super::GpuSession;
use crate::gpu::shared::{RUN_STRIDE, STAGE_STRIDE};
use crate::tasks::Batch;

impl GpuSession {
    /// The forward records of every sequence of `batch`, from the forward kernel (one
    /// `Vec` per sequence, `steps + 1` records of the layout's `record_size` floats; the
    /// fields' offsets are its `offset`'s) for the memory and generative models. Reads
    /// back the whole work buffer, so it is for inspecting the kernels, not for
    /// training.
    pub async fn forward_records(
        &mut self,
        batch: &Batch,
    ) -> Result<Vec<Vec<f32>>, GpuUnavailable> {
        let record = self.kernels.record_size().ok_or_else(|| {
            GpuUnavailable("the Neural GPU's kernels keep no per-step records".into())
        })?;
        let stages = self.kernels.stages(batch.steps, false).forward.len();
        let chunks = self.upload(batch, false)?;
        let stride = self.kernels.sequence_floats(batch.steps);
        let mut records = Vec::with_capacity(batch.size);
        for (c, &(first, sequences)) in chunks.iter().enumerate() {
            let sized = self.sized.as_ref().expect("sized by upload");
            let mut encoder = self
                .context
                .device
                .create_command_encoder(&Default::default());
            {
                let mut pass = encoder.begin_compute_pass(&Default::default());
                pass.set_pipeline(&self.program.forward);
                for stage in 0..stages {
                    pass.set_bind_group(
                        0,
                        &sized.sequence_group,
                        &[
                            (c as u64 * RUN_STRIDE) as u32,
                            (stage as u64 * STAGE_STRIDE) as u32,
                        ],
                    );
                    pass.dispatch_workgroups(sequences as u32, 1, 1);
                }
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

    /// This model's kernels and the layout of its records.
    pub fn kernels(&self) -> &Kernels {
        &self.kernels
    }

    /// The memory models' record layout (`None` for the Neural GPU family).
    pub fn layout(&self) -> Option<&Layout> {
        self.kernels.memory()
    }

    /// The first `floats` of the `work` buffer (the last batch's records), read back from
    /// the device, for inspecting the kernels.
    pub async fn work(&self, floats: usize) -> Result<Vec<f32>, GpuUnavailable> {
        let sized = self
            .sized
            .as_ref()
            .ok_or_else(|| GpuUnavailable("no batch has run".into()))?;
        self.read(&sized.work, floats).await
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
