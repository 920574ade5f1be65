//! Helpers shared by the integration tests. Each test file uses some of them, so the
//! others are dead code in that crate.
#![allow(dead_code, unused_macros)]

pub mod cli;
pub mod digests;
// Native only: the blocking adapter search has no browser equivalent.
#[cfg(not(target_arch = "wasm32"))]
#[macro_use]
pub mod gpu;
pub mod gtmm;
pub mod neural_gpu;
