//! What the GPU kernels are built from, with no GPU needed: the WGSL sources as the
//! engine carries them (`wgsl!`), named offsets in the `work` buffer ([`Fields`],
//! [`Regions`]) and the weight-gradient jobs ([`WeightGradientJob`], found through
//! [`Parameters`]). Each memory lays out its own part with these (its folder's `gpu.rs`
//! in `crate::memory`), and `crate::gpu` puts the parts together and runs them.

#[macro_use]
pub(crate) mod wgsl;

mod fields;
mod jobs;

pub use fields::{Fields, Regions};
pub use jobs::{lstm_layer_jobs, Parameters, WeightGradientJob};

use std::fmt::Write;

/// Writes each constant as a WGSL line `const NAME: u32 = VALUE;`.
pub fn write_constants<'a>(
    out: &mut String,
    constants: impl IntoIterator<Item = (&'a str, usize)>,
) {
    for (name, value) in constants {
        writeln!(out, "const {name}: u32 = {value}u;").expect("writing to a String");
    }
}

/// A kernel's whole source: its generated `prelude`, then each part on a line of its own.
pub fn join_sources<'a>(prelude: String, parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut source = prelude;
    for part in parts {
        source.push('\n');
        source.push_str(part);
    }
    source
}
