//! Helpers shared by the integration tests. Each test file uses some of them, so the
//! others are dead code in that crate.
#![allow(dead_code)]

pub mod cli;
pub mod gpu;
pub mod neural_gpu;
