//! The host twins of the kernels' uniforms: `Run` (shaders/run.wgsl) and `Settings`
//! (shaders/optimizer.wgsl), laid out byte for byte as WGSL lays them out.

use super::shared::Stage;
use super::shared::{RUN_SIZE, SETTINGS_SIZE, STAGE_SIZE};
use crate::models::neural_gpu::relaxation::RelaxedSets;
use crate::nn::{adamax_beta2, OptimizerConfig, OptimizerKind};

/// The `Run` uniform of shaders/run.wgsl.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
pub struct Run {
    pub batch_offset: u32,
    pub sequences: u32,
    pub steps: u32,
    pub sequence_stride: u32,
    pub target_offset: u32,
    pub mask_offset: u32,
    pub length_offset: u32,
    pub loss_scale: f32,
    pub accumulate: u32,
    pub alternative_offset: u32,
    pub noise_offset: u32,
    pub noise_stride: u32,
    pub kl_weight: f32,
    pub regulariser_weight: f32,
    pub padding: [u32; 2],
}

/// The `Settings` uniform of shaders/optimizer.wgsl.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
pub struct Settings {
    pub parameters: u32,
    pub sequences: u32,
    pub kind: u32,
    pub relax_sets: u32,
    pub clip_norm: f32,
    pub learning_rate: f32,
    pub beta1: f32,
    pub beta2: f32,
    pub epsilon: f32,
    pub step_size: f32,
    pub root_correction2: f32,
    pub decay: f32,
    pub momentum: f32,
    pub relax_first: u32,
    pub relax_size: u32,
    pub relax_pull: f32,
}

const _: () = assert!(std::mem::size_of::<Run>() as u64 == RUN_SIZE);
const _: () = assert!(std::mem::size_of::<Settings>() as u64 == SETTINGS_SIZE);
const _: () = assert!(std::mem::size_of::<Stage>() as u64 == STAGE_SIZE);

impl Settings {
    /// The settings for update number `update` (Adam's t, from 1).
    pub fn new(
        optimizer: &OptimizerConfig,
        clip_norm: f32,
        parameters: usize,
        sequences: usize,
        update: u32,
    ) -> Settings {
        let t = update as i32;
        let correction1 = 1.0 - optimizer.beta1.powi(t);
        let correction2 = 1.0 - optimizer.beta2.powi(t);
        Settings {
            parameters: parameters as u32,
            sequences: sequences as u32,
            kind: match optimizer.kind {
                OptimizerKind::Adam => 0,
                OptimizerKind::Rmsprop => 1,
                OptimizerKind::Adamax => 2,
            },
            relax_sets: 0,
            clip_norm,
            learning_rate: optimizer.learning_rate,
            beta1: optimizer.beta1,
            // AdaMax's β2 follows its schedule from the updates before this one.
            beta2: match optimizer.kind {
                OptimizerKind::Adamax => adamax_beta2(update.saturating_sub(1)),
                _ => optimizer.beta2,
            },
            epsilon: optimizer.epsilon,
            step_size: optimizer.learning_rate / correction1,
            root_correction2: correction2.sqrt(),
            decay: optimizer.decay,
            momentum: optimizer.momentum,
            relax_first: 0,
            relax_size: 0,
            relax_pull: 0.0,
        }
    }

    /// These settings with relaxation's pull on `sets`.
    pub fn relaxing(self, sets: RelaxedSets, pull: f32) -> Settings {
        Settings {
            relax_sets: sets.sets as u32,
            relax_first: sets.first as u32,
            relax_size: sets.size as u32,
            relax_pull: pull,
            ..self
        }
    }
}
