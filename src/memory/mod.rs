//! The memories, each in one folder (`ntm/`, `dnc/`, `lru/`, `introspective/`,
//! `none/`): its maths as pure functions with explicit backward passes (models.md §0–§4,
//! generative.md §8.2), what it is ([`Memory`]: its state, cache and sizes) and its
//! implementation of each order a model drives a memory in ([`controller`]: write, then
//! read; [`latent`]: read, then write), one type for both where the maths is one
//! (decision 53), its trace stages
//! and its part of the GPU kernels (`gpu.rs`: its fields in a step record, its heads'
//! weight-gradient jobs, and its `*.wgsl`; [`gpu`] names the parts, [`core_gpu`] and
//! [`latent_gpu`] pick a memory's by kind).
//!
//! Memory is `N × W`, row-major. Every `*_backward` *accumulates* into the gradient
//! buffers it is given, so callers can sum contributions from several consumers.

pub mod addressing;
mod boxed;
pub mod content;
pub mod controller;
pub mod dnc;
pub mod gpu;
pub mod introspective;
pub mod latent;
pub mod lru;
pub mod none;
pub mod ntm;
pub mod trace;
pub mod write;

pub use controller::{BoxedCore, MemoryCore};
pub use latent::{BoxedMemory, LatentMemory, MemoryView};

use crate::kinds::{CoreKind, LatentMemoryKind};
use crate::nn::{Linear, ParamStore};
use crate::ops::linalg;
use crate::rng::Pcg32;
use boxed::Erased;
use dnc::DncOptions;

/// The memory `kind` as a controller drives it, its heads registered into `params`.
pub fn controller_core(
    kind: CoreKind,
    sizes: MemorySizes,
    options: DncOptions,
    params: &mut ParamStore,
    rng: &mut Pcg32,
) -> Box<BoxedCore> {
    match kind {
        CoreKind::NoMemory => Box::new(Erased(none::NoMemory)),
        CoreKind::Ntm => Box::new(Erased(ntm::Ntm::new(sizes, params, rng))),
        CoreKind::Dnc => Box::new(Erased(dnc::DncCore::new(sizes, options, params, rng))),
        CoreKind::Lru => Box::new(Erased(lru::LruCore::new(sizes, params, rng))),
    }
}

/// The latent memory `kind` of a generative model, its heads registered into `params`.
pub fn latent_memory(
    kind: LatentMemoryKind,
    sizes: MemorySizes,
    params: &mut ParamStore,
    rng: &mut Pcg32,
) -> Box<BoxedMemory> {
    match kind {
        LatentMemoryKind::None => Box::new(Erased(none::NoMemory)),
        LatentMemoryKind::Introspective => Box::new(Erased(
            introspective::IntrospectiveMemory::new(sizes, params, rng),
        )),
        LatentMemoryKind::Ntm => Box::new(Erased(ntm::Ntm::new(sizes, params, rng))),
        LatentMemoryKind::Lru => Box::new(Erased(lru::LruMemory::new(sizes, params, rng))),
        LatentMemoryKind::Dnc => Box::new(Erased(dnc::DncMemory::new(sizes, params, rng))),
    }
}

/// The memory `kind`'s part of a controller model's GPU kernels.
pub fn core_gpu(kind: CoreKind) -> &'static gpu::CoreGpu {
    match kind {
        CoreKind::NoMemory => &none::gpu::CORE,
        CoreKind::Ntm => &ntm::gpu::CORE,
        CoreKind::Dnc => &dnc::gpu::CORE,
        CoreKind::Lru => &lru::gpu::CORE,
    }
}

/// The latent memory `kind`'s part of a generative model's GPU kernels.
pub fn latent_gpu(kind: LatentMemoryKind) -> &'static gpu::LatentGpu {
    match kind {
        LatentMemoryKind::None => &none::gpu::LATENT,
        LatentMemoryKind::Introspective => &introspective::gpu::LATENT,
        LatentMemoryKind::Ntm => &ntm::gpu::LATENT,
        LatentMemoryKind::Lru => &lru::gpu::LATENT,
        LatentMemoryKind::Dnc => &dnc::gpu::LATENT,
    }
}

/// What every memory is, whichever order a model drives it in ([`MemoryCore`]: write,
/// then read; [`LatentMemory`]: read, then write).
pub trait Memory: Send + Sync {
    /// The recurrent state after a step. Gradients with respect to it use the same type.
    type State: Send + Sync;
    /// What a step keeps for its backward pass.
    type Cache: Send + Sync;

    /// `R·W`, the width of the read vectors a step gives the model.
    fn read_width(&self) -> usize;
    fn initial_state(&self) -> Self::State;
    fn zero_state(&self) -> Self::State;
    /// About how many floats a step's state and cache hold (for the memory estimate).
    fn step_floats(&self) -> usize;
}

/// One step of a memory as its backward pass reads it.
pub struct Step<'a, S, C> {
    /// The state before the step.
    pub previous: &'a S,
    /// What the step kept for its backward pass.
    pub cache: &'a C,
    /// The state after the step.
    pub next: &'a S,
}

impl<'a, S, C> Step<'a, S, C> {
    /// Step `t` of a run that kept its `states` (the initial one first) and `caches`.
    pub fn of(states: &'a [S], caches: &'a [C], t: usize) -> Self {
        Step {
            previous: &states[t],
            cache: &caches[t],
            next: &states[t + 1],
        }
    }
}

/// The gradients with respect to a step's two states, as its backward pass uses them.
pub struct StateGradients<'a, S> {
    /// The gradient reaching the state after the step (from the loss and the next
    /// step); the backward pass may use it as scratch.
    pub next: &'a mut S,
    /// Where the gradient with respect to the state before the step accumulates.
    pub previous: &'a mut S,
}

/// The value every memory cell starts at (models.md §0).
pub const INITIAL_MEMORY_VALUE: f32 = 1e-6;

/// Read vector `r = Mᵀ w`.
pub fn read(memory: &[f32], weights: &[f32], read_vector: &mut [f32]) {
    read_vector.fill(0.0);
    linalg::matvec_transposed_accumulate(memory, weights, read_vector);
}

/// Backward of [`read`]: `dM += w drᵀ`, `dw += M dr`.
pub fn read_backward(
    memory: &[f32],
    weights: &[f32],
    dread: &[f32],
    dmemory: &mut [f32],
    dweights: &mut [f32],
) {
    linalg::outer_accumulate(weights, dread, dmemory);
    linalg::matvec_accumulate(memory, dread, dweights);
}

/// The sizes every memory is built from (a controller model's have no latent: Z = 0).
#[derive(Clone, Copy, Debug)]
pub struct MemorySizes {
    /// H.
    pub hidden: usize,
    /// Z.
    pub latent: usize,
    /// N.
    pub slots: usize,
    /// W.
    pub width: usize,
    /// R.
    pub reads: usize,
}

/// The sizes and options a controller model's memory is laid out with on the GPU
/// ([`gpu::CoreGpu`]).
pub struct CoreShape {
    /// N.
    pub slots: usize,
    /// W.
    pub width: usize,
    /// R.
    pub reads: usize,
    /// H, the width of the controller's output that the heads read.
    pub hidden: usize,
    /// models.md §3.1's options (the DNC's; off for the others).
    pub options: DncOptions,
}

/// Registers a head Linear from `h` (reads) or from `[h; z]` (writes).
pub(crate) fn head(
    params: &mut ParamStore,
    name: &str,
    sizes: MemorySizes,
    from_latent: bool,
    outputs: usize,
    rng: &mut Pcg32,
) -> Linear {
    let inputs = sizes.hidden + if from_latent { sizes.latent } else { 0 };
    Linear::register(params, name, inputs, outputs, rng)
}
