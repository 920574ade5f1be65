//! The one adapter that puts a family's memories behind one trait object: [`Erased`]
//! boxes a memory's states and caches, so that every memory is a
//! `dyn MemoryCore<State = Boxed, Cache = Boxed>` ([`super::controller::BoxedCore`]) or a
//! `dyn LatentMemory<State = Boxed, Cache = Boxed>` ([`super::latent::BoxedMemory`]).
//! [`Memory`] and each order's trait implement themselves for `Erased<M>` once, by
//! unboxing and calling `M`.
//!
//! A model generic over its memory is compiled once per memory: in the page's wasm that
//! was five copies of the generative model and four of the controller-and-memory model.
//! Behind a trait object each model is compiled once, at the cost of boxing a step's
//! state and cache (two small allocations beside the vectors they hold) and a type check
//! per call.

use super::{Memory, StateGradients, Step};
use std::any::Any;

/// A memory's state or cache, boxed.
pub type Boxed = Box<dyn Any + Send + Sync>;

/// Memory `M` with its states and caches boxed.
pub struct Erased<M>(pub M);

/// The value inside `boxed`, which a memory of type-matched state made.
pub fn unbox<T: 'static>(boxed: &Boxed) -> &T {
    boxed.downcast_ref().unwrap_or_else(|| mismatched())
}

pub fn unbox_mut<T: 'static>(boxed: &mut Boxed) -> &mut T {
    boxed.downcast_mut().unwrap_or_else(|| mismatched())
}

/// One panic for every unboxing (not one per type): a model hands a memory only the
/// states and caches it made, so this never runs.
#[cold]
#[inline(never)]
fn mismatched() -> ! {
    panic!("a boxed state or cache reaches the memory that made it")
}

/// `step` with its states and cache unboxed.
pub fn unbox_step<'a, S: 'static, C: 'static>(step: Step<'a, Boxed, Boxed>) -> Step<'a, S, C> {
    Step {
        previous: unbox(step.previous),
        cache: unbox(step.cache),
        next: unbox(step.next),
    }
}

/// `d` with its states unboxed.
pub fn unbox_gradients<'a, S: 'static>(d: StateGradients<'a, Boxed>) -> StateGradients<'a, S> {
    StateGradients {
        next: unbox_mut(d.next),
        previous: unbox_mut(d.previous),
    }
}

impl<M> Memory for Erased<M>
where
    M: Memory,
    M::State: 'static,
    M::Cache: 'static,
{
    type State = Boxed;
    type Cache = Boxed;
    fn read_width(&self) -> usize {
        self.0.read_width()
    }
    fn initial_state(&self) -> Boxed {
        Box::new(self.0.initial_state())
    }
    fn zero_state(&self) -> Boxed {
        Box::new(self.0.zero_state())
    }
    fn step_floats(&self) -> usize {
        self.0.step_floats()
    }
}
