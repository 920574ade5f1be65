//! What every family's kernels share: the `Run` uniform and the activations in WGSL,
//! the uniforms' sizes and strides, the scores a sequence leaves, and the `Stage` uniform
//! that tells a dispatch which step it runs. The bottom of `gpu`: the families' layouts,
//! the pipelines and the buffers all read it, and it reads none of them.

/// The `Run` uniform's declaration and the activations, in every family's kernels.
pub const RUN: &str = wgsl!("shaders/run.wgsl");
pub const ACTIVATIONS: &str = wgsl!("shaders/activations.wgsl");

/// Size of the `Run` uniform (shaders/run.wgsl) and the stride between the copies a
/// step writes, one per chunk of its batch (a multiple of every adapter's uniform offset
/// alignment).
pub const RUN_SIZE: u64 = 64;
pub const RUN_STRIDE: u64 = 256;
/// Size of the Neural GPU's `Stage` uniform and the stride between a step's stages.
pub const STAGE_SIZE: u64 = 16;
pub const STAGE_STRIDE: u64 = 256;
/// Size of the optimiser's `Settings` uniform.
pub const SETTINGS_SIZE: u64 = 64;

/// Scores each sequence leaves: loss (nats), errors, whether it is wrong, the generative
/// models' recall-frame reconstruction and KL and all frames' KL (nats), and the Diagonal
/// Neural GPU's saturation cost.
pub const SCORES_PER_SEQUENCE: usize = 7;

/// The `Stage` uniform: which step, layer application or time step a dispatch runs
/// (the Neural GPU's `stage.wgsl`, the generative models' time steps).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct Stage {
    /// 0: the encoder, 1: the decoder.
    pub coder: u32,
    /// The layer application j (step j / L, layer j mod L).
    pub application: u32,
    /// How the decoder scores and feeds its columns (`sequence.wgsl`'s `GREEDY`, ...).
    pub mode: u32,
    /// [`Stage::FINISH`], [`Stage::FIRST`].
    pub flags: u32,
}

impl Stage {
    /// The forward's last stage: it writes the sequence's scores.
    pub const FINISH: u32 = 1;
    /// The backward's first stage: it clears the gradients it accumulates.
    pub const FIRST: u32 = 2;
}

/// The stages of one step: the forward's, then the backward's.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stages {
    pub forward: Vec<Stage>,
    pub backward: Vec<Stage>,
}
