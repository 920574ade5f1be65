//! CPU kernels on f32 slices, each a forward/backward pair: the reference that every
//! other path (WebGPU, wasm) is checked against.

pub mod activation;
pub mod conv;
pub mod linalg;
pub mod loss;
pub mod matmul;
pub mod order;
