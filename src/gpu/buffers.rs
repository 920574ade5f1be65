//! The GPU buffers of a session: those that live as long as the model (parameters,
//! gradients, optimiser moments, the weight-gradient jobs, the optimiser's settings)
//! and those sized for the batch (the batch itself, the `work` records, the scores, the
//! per-chunk `Run` uniforms), with the bind groups that tie them to the kernels.

use super::context::GpuContext;
use super::program::Program;
pub use super::shared::SCORES_PER_SEQUENCE;
use super::shared::{RUN_SIZE, RUN_STRIDE, STAGE_SIZE, STAGE_STRIDE};

pub const STORAGE: wgpu::BufferUsages = wgpu::BufferUsages::STORAGE
    .union(wgpu::BufferUsages::COPY_DST)
    .union(wgpu::BufferUsages::COPY_SRC);

/// The batch's totals after the per-sequence scores (`measure` writes them).
pub const TOTALS: usize = 8;

pub fn floats(count: usize) -> u64 {
    (count * std::mem::size_of::<f32>()) as u64
}

/// A buffer of at least `bytes` (rounded up so every copy and binding is aligned).
pub fn buffer(
    context: &GpuContext,
    label: &str,
    bytes: u64,
    usage: wgpu::BufferUsages,
) -> wgpu::Buffer {
    context.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size: bytes.max(16).next_multiple_of(16),
        usage,
        mapped_at_creation: false,
    })
}

/// The buffers that live as long as the model.
pub struct ModelBuffers {
    pub params: wgpu::Buffer,
    pub grads: wgpu::Buffer,
    /// First moments, then second moments.
    pub moments: wgpu::Buffer,
    pub jobs: wgpu::Buffer,
    pub settings: wgpu::Buffer,
}

/// Sequences, padded steps, `work` floats and training-noise floats a set of batch
/// buffers holds.
pub type Capacity = (usize, usize, usize, usize);

/// Buffers sized for the largest batch seen so far.
pub struct BatchBuffers {
    capacity: Capacity,
    pub batch: wgpu::Buffer,
    pub work: wgpu::Buffer,
    pub scores: wgpu::Buffer,
    pub runs: wgpu::Buffer,
    /// The sequence kernels' stages, one per dispatch of a step.
    pub stages: wgpu::Buffer,
    pub sequence_group: wgpu::BindGroup,
    pub weight_group: wgpu::BindGroup,
    pub optimizer_group: wgpu::BindGroup,
}

impl BatchBuffers {
    /// Buffers for `capacity`, for batches of `input_width` and `output_width` that
    /// run in chunks of `chunk` sequences, in steps of up to `stages` dispatches.
    pub fn new(
        context: &GpuContext,
        program: &Program,
        model: &ModelBuffers,
        capacity: Capacity,
        widths: (usize, usize),
        chunk: usize,
        stages: usize,
    ) -> BatchBuffers {
        let (sequences, steps, work_floats, noise_floats) = capacity;
        // Inputs, targets, their alternatives, the mask, the lengths, then the noise.
        let batch_floats =
            sequences * steps * (widths.0 + 2 * widths.1 + 1) + sequences + noise_floats;
        let batch = buffer(context, "batch", floats(batch_floats), STORAGE);
        let work = buffer(context, "work", floats(work_floats), STORAGE);
        let scores = buffer(
            context,
            "scores",
            floats(SCORES_PER_SEQUENCE * sequences + TOTALS),
            STORAGE,
        );
        let chunks = sequences.div_ceil(chunk.max(1)) as u64;
        let runs = buffer(
            context,
            "runs",
            chunks * RUN_STRIDE,
            wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
        );
        let run = wgpu::BindingResource::Buffer(wgpu::BufferBinding {
            buffer: &runs,
            offset: 0,
            size: wgpu::BufferSize::new(RUN_SIZE),
        });
        let stages = buffer(
            context,
            "stages",
            stages.max(1) as u64 * STAGE_STRIDE,
            wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
        );
        let stage = wgpu::BindingResource::Buffer(wgpu::BufferBinding {
            buffer: &stages,
            offset: 0,
            size: wgpu::BufferSize::new(STAGE_SIZE),
        });
        let bind = |layout: &wgpu::BindGroupLayout, resources: Vec<wgpu::BindingResource>| {
            let entries: Vec<wgpu::BindGroupEntry> = resources
                .into_iter()
                .enumerate()
                .map(|(i, resource)| wgpu::BindGroupEntry {
                    binding: i as u32,
                    resource,
                })
                .collect();
            context
                .device
                .create_bind_group(&wgpu::BindGroupDescriptor {
                    label: None,
                    layout,
                    entries: &entries,
                })
        };
        let sequence_group = bind(
            &program.sequence_layout,
            vec![
                run.clone(),
                model.params.as_entire_binding(),
                batch.as_entire_binding(),
                work.as_entire_binding(),
                scores.as_entire_binding(),
                stage,
            ],
        );
        let weight_group = bind(
            &program.weight_layout,
            vec![
                run,
                batch.as_entire_binding(),
                work.as_entire_binding(),
                model.grads.as_entire_binding(),
                model.jobs.as_entire_binding(),
                model.params.as_entire_binding(),
            ],
        );
        let optimizer_group = bind(
            &program.optimizer_layout,
            vec![
                model.settings.as_entire_binding(),
                model.grads.as_entire_binding(),
                model.params.as_entire_binding(),
                model.moments.as_entire_binding(),
                scores.as_entire_binding(),
            ],
        );
        BatchBuffers {
            capacity,
            batch,
            work,
            scores,
            runs,
            stages,
            sequence_group,
            weight_group,
            optimizer_group,
        }
    }

    /// Whether these buffers can hold `needed`.
    pub fn holds(&self, needed: Capacity) -> bool {
        let (s, t, w, n) = self.capacity;
        s >= needed.0 && t >= needed.1 && w >= needed.2 && n >= needed.3
    }

    /// The larger of these buffers' capacity and `needed`, in each dimension.
    pub fn grown(&self, needed: Capacity) -> Capacity {
        let (s, t, w, n) = self.capacity;
        (
            s.max(needed.0),
            t.max(needed.1),
            w.max(needed.2),
            n.max(needed.3),
        )
    }
}
