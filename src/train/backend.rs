//! Where training steps run: the CPU kernels, or the GPU path (falling back to the CPU
//! when it cannot run, with the reason kept for the person watching).

use crate::error::{EngramError, Result};
use crate::gpu::{GpuContext, GpuUnavailable};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Which backend to train on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendChoice {
    /// A hardware GPU adapter if it trains faster than the CPU (measured over a few
    /// steps), else the CPU. Software adapters (lavapipe, SwiftShader) run the same
    /// kernels on the CPU, far slower than the CPU path, so `auto` passes them over.
    #[default]
    Auto,
    Cpu,
    /// Any GPU adapter, software ones included. Refused with the reason when there is none.
    Gpu,
}

impl BackendChoice {
    pub const ALL: [BackendChoice; 3] =
        [BackendChoice::Auto, BackendChoice::Cpu, BackendChoice::Gpu];

    pub fn name(self) -> &'static str {
        match self {
            BackendChoice::Auto => "auto",
            BackendChoice::Cpu => "cpu",
            BackendChoice::Gpu => "gpu",
        }
    }
}

impl fmt::Display for BackendChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for BackendChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        BackendChoice::ALL
            .into_iter()
            .find(|b| b.name() == s)
            .ok_or_else(|| format!("unknown backend '{s}' (expected auto, cpu or gpu)"))
    }
}

/// The backend in use, for a badge or a log line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BackendStatus {
    /// "cpu" or "gpu".
    pub kind: &'static str,
    /// The adapter ("NVIDIA H100 (Vulkan)") or the CPU ("CPU, 2 threads").
    pub device: String,
    /// Why the GPU is not in use, when it was asked for (or `auto` looked for it).
    pub fallback: Option<String>,
    /// What `auto` measured when it chose between the CPU and a GPU.
    pub rates: Option<MeasuredRates>,
}

/// Training rates `auto` measured on each backend, sequences per second.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MeasuredRates {
    pub cpu: f64,
    pub gpu: f64,
}

impl MeasuredRates {
    /// Whether the CPU wins (a tie stays on the CPU, which needs no device).
    pub fn prefers_cpu(&self) -> bool {
        self.cpu >= self.gpu
    }
}

/// A GPU context for `choice`, or why there is none. `Ok(None)`: the CPU was chosen.
pub async fn open_gpu(choice: BackendChoice) -> Result<Option<GpuContext>, GpuUnavailable> {
    if choice == BackendChoice::Cpu {
        return Ok(None);
    }
    let context = GpuContext::new().await?;
    if choice == BackendChoice::Auto && context.is_software() {
        return Err(GpuUnavailable(format!(
            "only a software GPU adapter was found ({}), and the CPU path is faster",
            context.describe()
        )));
    }
    Ok(Some(context))
}

/// Turns a GPU failure into the error that `choice` calls for: `gpu` insists, `auto`
/// falls back (returns the reason).
pub fn fallback_or_error(choice: BackendChoice, reason: GpuUnavailable) -> Result<String> {
    match choice {
        BackendChoice::Gpu => Err(EngramError::Gpu(reason.0)),
        _ => Ok(reason.0),
    }
}
