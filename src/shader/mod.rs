//! What the GPU kernels are built from, with no GPU needed: the WGSL sources as the
//! engine carries them ([`wgsl!`]), named offsets in the `work` buffer ([`Fields`],
//! [`Regions`]) and the weight-gradient jobs ([`WeightGradientJob`], found through
//! [`Parameters`]). Each memory lays out its own part with these (its folder's `gpu.rs`
//! in `crate::memory`), and `crate::gpu` puts the parts together and runs them.

#[macro_use]
pub(crate) mod wgsl;

mod fields;
mod jobs;

pub use fields::{Fields, Regions};
pub use jobs::{lstm_layer_jobs, Parameters, WeightGradientJob};
