//! Putting a batch on the device: how many sequences one dispatch takes within the
//! device's buffer limits, growing the batch-sized buffers to hold them, and writing the
//! batch's inputs, targets, masks and per-chunk stage records.

use super::super::buffers::{floats, BatchBuffers};
use super::super::context::GpuUnavailable;
use super::super::shared::{RUN_STRIDE, STAGE_STRIDE};
use super::super::uniforms::Run;
use super::GpuSession;
use crate::tasks::Batch;

fn megabytes(bytes: u64) -> String {
    format!("{:.3} MB", bytes as f64 / 1e6)
}

impl GpuSession {
    /// Sequences per dispatch for sequences of `steps` steps, within the device's limits.
    pub(super) fn chunk(&self, sequences: usize, steps: usize) -> Result<usize, GpuUnavailable> {
        let limits = self.context.device.limits();
        let largest = limits
            .max_storage_buffer_binding_size
            .min(limits.max_buffer_size)
            .min(self.buffer_limit);
        let per_sequence = floats(self.kernels.sequence_floats(steps));
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
    pub(super) fn fit(&mut self, batch: &Batch, chunk: usize, noise_floats: usize) {
        let work_floats = chunk * self.kernels.sequence_floats(batch.steps);
        let needed = (batch.size, batch.steps, work_floats, noise_floats);
        if self.sized.as_ref().is_some_and(|s| s.holds(needed)) {
            return;
        }
        let grown = self.sized.as_ref().map_or(needed, |s| s.grown(needed));
        let stages = self.kernels.stages(grown.1, true);
        self.sized = Some(BatchBuffers::new(
            &self.context,
            &self.program,
            &self.buffers,
            grown,
            (batch.input_width, batch.output_width),
            chunk,
            stages.forward.len() + stages.backward.len(),
        ));
    }

    /// Uploads the batch and the per-chunk `Run` uniforms; returns the chunks as
    /// (first sequence, sequences).
    pub(super) fn upload(
        &mut self,
        batch: &Batch,
        with_gradients: bool,
    ) -> Result<Vec<(usize, usize)>, GpuUnavailable> {
        let chunk = self.chunk(batch.size, batch.steps)?;
        let noise = self.kernels.noise(batch, with_gradients);
        self.fit(batch, chunk, noise.len());
        let sized = self.sized.as_ref().expect("sized by fit");
        let alternative = batch.alternative.as_deref().unwrap_or(&[]);
        let mut data = Vec::with_capacity(
            batch.input.len()
                + batch.target.len()
                + alternative.len()
                + batch.mask.len()
                + batch.size,
        );
        data.extend_from_slice(&batch.input);
        data.extend_from_slice(&batch.target);
        data.extend_from_slice(alternative);
        data.extend_from_slice(&batch.mask);
        data.extend(batch.lengths.iter().map(|&l| l as f32));
        let noise_offset = data.len();
        data.extend_from_slice(&noise);
        let target_offset = batch.input.len();
        // Without alternatives the targets are their own alternative.
        let alternative_offset = if alternative.is_empty() {
            target_offset
        } else {
            target_offset + batch.target.len()
        };
        let mask_offset = target_offset + batch.target.len() + alternative.len();
        let length_offset = mask_offset + batch.mask.len();
        let queue = &self.context.queue;
        queue.write_buffer(&sized.batch, 0, bytemuck::cast_slice(&data));
        let chunks: Vec<(usize, usize)> = (0..batch.size)
            .step_by(chunk)
            .map(|first| (first, chunk.min(batch.size - first)))
            .collect();
        let stride = self.kernels.sequence_floats(batch.steps) as u32;
        for (c, &(first, sequences)) in chunks.iter().enumerate() {
            let run = Run {
                batch_offset: first as u32,
                sequences: sequences as u32,
                steps: batch.steps as u32,
                sequence_stride: stride,
                target_offset: target_offset as u32,
                mask_offset: mask_offset as u32,
                length_offset: length_offset as u32,
                loss_scale: if with_gradients {
                    1.0 / batch.size as f32
                } else {
                    0.0
                },
                // The first chunk adds to the uploaded gradient noise, if any.
                accumulate: u32::from(c > 0 || (with_gradients && self.gradient_noise.is_some())),
                alternative_offset: alternative_offset as u32,
                noise_offset: noise_offset as u32,
                noise_stride: (noise.len() / batch.size.max(1)) as u32,
                kl_weight: self.kl_weight,
                regulariser_weight: self.regulariser_weight,
                padding: [0; 2],
            };
            queue.write_buffer(&sized.runs, c as u64 * RUN_STRIDE, bytemuck::bytes_of(&run));
        }
        let stages = self.kernels.stages(batch.steps, with_gradients);
        let mut bytes =
            vec![0u8; (stages.forward.len() + stages.backward.len()) * STAGE_STRIDE as usize];
        for (i, stage) in stages.forward.iter().chain(&stages.backward).enumerate() {
            let at = i * STAGE_STRIDE as usize;
            bytes[at..at + std::mem::size_of_val(stage)].copy_from_slice(bytemuck::bytes_of(stage));
        }
        queue.write_buffer(&sized.stages, 0, &bytes);
        Ok(chunks)
    }
}
