//! The compute pipelines of one model: the sequence kernels (forward, backward), the
//! weight-gradient kernel and the optimiser kernels, with their bind group layouts.
//! The family's kernels ([`super::kernels`]) give the sources of the first two; the
//! optimiser's, in `shaders/`, serve every family.

use super::context::{GpuContext, GpuUnavailable};
use super::kernels::Kernels;
use super::shared::SCORES_PER_SEQUENCE;

/// The optimiser's kernels, which serve every family.
const OPTIMIZER: &str = wgsl!("shaders/optimizer.wgsl");

pub struct Program {
    pub forward: wgpu::ComputePipeline,
    pub backward: wgpu::ComputePipeline,
    pub sequence_layout: wgpu::BindGroupLayout,
    pub weight_gradients: wgpu::ComputePipeline,
    pub weight_layout: wgpu::BindGroupLayout,
    pub measure: wgpu::ComputePipeline,
    pub update: wgpu::ComputePipeline,
    pub relax: wgpu::ComputePipeline,
    pub optimizer_layout: wgpu::BindGroupLayout,
}

/// A bind group layout entry for a compute buffer.
fn entry(binding: u32, ty: wgpu::BufferBindingType, dynamic: bool) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty,
            has_dynamic_offset: dynamic,
            min_binding_size: None,
        },
        count: None,
    }
}

fn storage(binding: u32, read_only: bool) -> wgpu::BindGroupLayoutEntry {
    entry(
        binding,
        wgpu::BufferBindingType::Storage { read_only },
        false,
    )
}

fn uniform(binding: u32, dynamic: bool) -> wgpu::BindGroupLayoutEntry {
    entry(binding, wgpu::BufferBindingType::Uniform, dynamic)
}

impl Program {
    /// Compiles every kernel; a shader the device rejects is reported with its message.
    pub async fn new(context: &GpuContext, kernels: &Kernels) -> Result<Program, GpuUnavailable> {
        let device = &context.device;
        let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let sequence_layout = bind_group_layout(
            device,
            "sequence",
            &[
                uniform(0, true),
                storage(1, true),
                storage(2, true),
                storage(3, false),
                storage(4, false),
                uniform(5, true),
            ],
        );
        let weight_layout = bind_group_layout(
            device,
            "weight gradients",
            &[
                uniform(0, true),
                storage(1, true),
                storage(2, true),
                storage(3, false),
                storage(4, true),
                storage(5, true),
            ],
        );
        let optimizer_layout = bind_group_layout(
            device,
            "optimizer",
            &[
                uniform(0, false),
                storage(1, false),
                storage(2, false),
                storage(3, false),
                storage(4, false),
            ],
        );
        // The scores' stride, from the host's constant, for the kernels that write them.
        let scores = format!("const SCORES: u32 = {SCORES_PER_SEQUENCE}u;\n");
        // AdaMax's per-entry clip, from `nn::optim`'s constants.
        let adamax = format!(
            "const ADAMAX_CLIP_MULTIPLIER: f32 = {:?};\nconst ADAMAX_CLIP_EPSILON: f32 = {:?};\n",
            f64::from(crate::nn::optim::ADAMAX_CLIP_MULTIPLIER),
            f64::from(crate::nn::optim::ADAMAX_CLIP_EPSILON),
        );
        let sequence = module(
            device,
            "sequence",
            &format!("{scores}{}", kernels.sequence_source()),
        );
        let weights = module(device, "weight gradients", &kernels.weight_source());
        let optimizer = module(device, "optimizer", &format!("{scores}{adamax}{OPTIMIZER}"));
        let program = Program {
            forward: pipeline(device, &sequence_layout, &sequence, "forward"),
            backward: pipeline(device, &sequence_layout, &sequence, "backward"),
            weight_gradients: pipeline(device, &weight_layout, &weights, "weight_gradients"),
            measure: pipeline(device, &optimizer_layout, &optimizer, "measure"),
            update: pipeline(device, &optimizer_layout, &optimizer, "update"),
            relax: pipeline(device, &optimizer_layout, &optimizer, "relax"),
            sequence_layout,
            weight_layout,
            optimizer_layout,
        };
        match scope.pop().await {
            None => Ok(program),
            Some(error) => Err(GpuUnavailable(format!(
                "the GPU could not build the {} kernels: {error}",
                kernels.model()
            ))),
        }
    }
}

fn bind_group_layout(
    device: &wgpu::Device,
    label: &str,
    entries: &[wgpu::BindGroupLayoutEntry],
) -> wgpu::BindGroupLayout {
    device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some(label),
        entries,
    })
}

fn module(device: &wgpu::Device, label: &str, source: &str) -> wgpu::ShaderModule {
    device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(label),
        source: wgpu::ShaderSource::Wgsl(source.into()),
    })
}

fn pipeline(
    device: &wgpu::Device,
    layout: &wgpu::BindGroupLayout,
    module: &wgpu::ShaderModule,
    entry_point: &str,
) -> wgpu::ComputePipeline {
    let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some(entry_point),
        bind_group_layouts: &[Some(layout)],
        ..Default::default()
    });
    device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some(entry_point),
        layout: Some(&pipeline_layout),
        module,
        entry_point: Some(entry_point),
        compilation_options: Default::default(),
        cache: None,
    })
}
