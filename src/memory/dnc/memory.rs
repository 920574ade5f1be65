//! The DNC as a model holds it: its interface's parameters, laid out for the order the
//! model drives it in, with the sizes and options both orders share. A controller model
//! has one Linear from `h_t` to ξ (`interface`, [`DncCore`], `controller.rs`); a
//! generative model has a read half from `h_t` and a write half from `[h_t; z_t]`
//! (`interface.read`, `interface.write`, [`DncMemory`], `latent.rs`).

use super::{DncOptions, DncState, DncStepCache, Interface};
use crate::memory::Memory;
use crate::nn::Linear;

/// A DNC whose interface's parameters are `Heads`.
pub struct Dnc<Heads> {
    pub(super) heads: Heads,
    /// models.md §3.1's options (none in the generative order).
    pub(super) options: DncOptions,
    pub(super) slots: usize,
    pub(super) width: usize,
    pub(super) reads: usize,
}

/// The DNC a controller drives: one Linear from `h_t` to ξ.
pub type DncCore = Dnc<Linear>;

/// The DNC a generative model drives.
pub type DncMemory = Dnc<InterfaceHalves>;

/// The generative order's interface: ξ's read part from `h_t` (keys, strengths, modes)
/// and its write part from `[h_t; z_t]`.
pub struct InterfaceHalves {
    pub(super) read: Linear,
    pub(super) write: Linear,
}

/// What a step keeps for its backward pass.
pub struct DncCache {
    /// Raw ξ in models.md §3's order (in the generative order, the write part is zero
    /// until the write).
    pub(super) raw: Vec<f32>,
    pub(super) xi: Interface,
    pub(super) step: DncStepCache,
    /// The generative order's state after the read, completed by the write.
    pub(super) partial: Option<DncState>,
}

impl<Heads: Send + Sync> Memory for Dnc<Heads> {
    type State = DncState;
    type Cache = DncCache;

    fn read_width(&self) -> usize {
        self.reads * self.width
    }
    fn initial_state(&self) -> DncState {
        DncState::initial(self.slots, self.width, self.reads)
    }
    fn zero_state(&self) -> DncState {
        DncState::zeros(self.slots, self.width, self.reads)
    }
    fn step_floats(&self) -> usize {
        super::step_floats(self.slots, self.width, self.reads, self.options)
    }
}
