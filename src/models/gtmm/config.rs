//! The generative family's part of a model configuration (generative.md §8.4 Config:
//! `memory`, `latent`, `frame_size`, `action_width`, `encoder_hidden`, `map_hidden`,
//! `decoder_hidden`), flattened into `engram_config` beside the shared keys (`hidden`
//! is the controller H; `memory_slots`, `memory_width`, `read_heads` are N, W, R).

use crate::error::{check_range, Result};
use crate::kinds::LatentMemoryKind;
use serde::{Deserialize, Serialize};

/// Latent size Z, encoder E, prior/posterior hidden P, decoder hidden G: generous for
/// experiments, small enough that a typo cannot ask for gigabytes.
pub const MAX_LATENT: usize = 256;
pub const MAX_MLP: usize = 1024;
pub const MAX_FRAME_SIDE: usize = 32;
pub const MAX_ACTIONS: usize = 16;

/// The variational model's sizes and options.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenerativeConfig {
    pub memory: LatentMemoryKind,
    /// Z.
    pub latent: usize,
    /// S: frames are S × S, D = S².
    pub frame_size: usize,
    /// A: conditioning inputs per step (walk's actions).
    pub action_width: usize,
    /// E.
    pub encoder_hidden: usize,
    /// P, the prior's and the posterior's hidden layer.
    pub map_hidden: usize,
    /// G.
    pub decoder_hidden: usize,
    /// KL warm-up: β rises linearly from 0 to 1 over this many training steps (0: off,
    /// β = 1 throughout). Reported bounds always use β = 1.
    #[serde(default)]
    pub kl_warmup: u64,
}

impl Default for GenerativeConfig {
    /// The tiny defaults of generative.md: Z = 8, E = P = G = 64, 8 × 8 frames, no
    /// actions, the DNC memory.
    fn default() -> Self {
        GenerativeConfig {
            memory: LatentMemoryKind::Dnc,
            latent: 8,
            frame_size: 8,
            action_width: 0,
            encoder_hidden: 64,
            map_hidden: 64,
            decoder_hidden: 64,
            kl_warmup: 0,
        }
    }
}

impl GenerativeConfig {
    pub fn frame_pixels(&self) -> usize {
        self.frame_size * self.frame_size
    }

    pub fn validate(&self) -> Result<()> {
        check_range("latent", self.latent, 1, MAX_LATENT)?;
        check_range("frame_size", self.frame_size, 1, MAX_FRAME_SIDE)?;
        check_range("action_width", self.action_width, 0, MAX_ACTIONS)?;
        check_range("encoder_hidden", self.encoder_hidden, 1, MAX_MLP)?;
        check_range("map_hidden", self.map_hidden, 1, MAX_MLP)?;
        check_range("decoder_hidden", self.decoder_hidden, 1, MAX_MLP)?;
        Ok(())
    }

    /// β at training step `step` (1-based).
    pub fn kl_weight(&self, step: u64) -> f32 {
        if self.kl_warmup == 0 {
            1.0
        } else {
            (step as f32 / self.kl_warmup as f32).min(1.0)
        }
    }
}
