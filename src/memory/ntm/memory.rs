//! The NTM as both orders drive it (models.md §2): R read heads and one write head, each
//! with its own Linear (`heads.read.{i}` from `h_t`, `heads.write` from `h_t`, or from
//! `[h_t; z_t]` in a generative model), the state they share, and the two halves of a
//! step, forward and backward. A controller model writes, then reads `M_t`
//! (`controller.rs`); a generative model reads `M_{t−1}`, then writes (`latent.rs`).
//! Both orders are these halves, composed differently.

use super::head::{head_floats, Addressed, AddressedGradients, EraseAdd, Head};
use crate::memory::content::row_norms;
use crate::memory::ntm::head_size;
use crate::memory::{head, read, read_backward, Memory, MemorySizes, INITIAL_MEMORY_VALUE};
use crate::nn::{Linear, ParamStore};
use crate::rng::Pcg32;

/// The NTM's heads. Its parameters are the same in both orders, so a checkpoint's heads
/// mean the same whichever model holds them.
pub struct Ntm {
    read_heads: Vec<Linear>,
    write_head: Linear,
    pub(super) slots: usize,
    pub(super) width: usize,
}

/// The state after a step; gradients use the same type.
pub struct NtmState {
    pub memory: Vec<f32>,
    /// `‖M[i]‖`, shared by every head addressing this memory (empty in gradients).
    pub(super) row_norms: Vec<f32>,
    /// `R × N`: the read heads' weightings at this step (the next step's "previous").
    pub read_weights: Vec<f32>,
    pub write_weights: Vec<f32>,
    /// `R × W`: this step's read vectors.
    pub read_vectors: Vec<f32>,
}

/// The write head at one step, with the erase and add it wrote.
pub struct Written {
    pub head: Head,
    pub erase_add: EraseAdd,
}

/// What a step keeps for its backward pass: the read heads, and the write once it ran.
pub struct NtmCache {
    pub reads: Vec<Head>,
    pub write: Option<Written>,
    /// The generative order's read weightings and vectors, from the read until the write
    /// moves them into the new state (empty in the controller order).
    pub(super) read_weights: Vec<f32>,
    pub(super) read_vectors: Vec<f32>,
}

impl Ntm {
    /// Registers the read heads, then the write head (the order of a checkpoint's
    /// parameters and of the initialising draws).
    pub fn new(sizes: MemorySizes, params: &mut ParamStore, rng: &mut Pcg32) -> Self {
        let w = sizes.width;
        let read_heads = (0..sizes.reads)
            .map(|i| {
                let name = format!("heads.read.{i}");
                head(params, &name, sizes, false, head_size(w, false), rng)
            })
            .collect();
        let write_head = head(params, "heads.write", sizes, true, head_size(w, true), rng);
        Ntm {
            read_heads,
            write_head,
            slots: sizes.slots,
            width: w,
        }
    }

    pub(super) fn state(&self, memory_fill: f32) -> NtmState {
        let reads = self.read_heads.len();
        NtmState {
            memory: vec![memory_fill; self.slots * self.width],
            row_norms: Vec::new(),
            read_weights: vec![0.0; reads * self.slots],
            write_weights: vec![0.0; self.slots],
            read_vectors: vec![0.0; reads * self.width],
        }
    }

    /// The write half: the write head addresses `M_{t−1}` from `input` (`h_t`, or
    /// `[h_t; z_t]`) and its last weighting, and writes
    /// `M_t = M_{t−1} ⊙ (1 − w e⊤) + w a⊤` into `next`, with `M_t`'s rows' norms and the
    /// write weighting.
    pub fn write(
        &self,
        params: &[f32],
        input: &[f32],
        previous: &NtmState,
        next: &mut NtmState,
    ) -> Written {
        let w = self.width;
        let at = addressed(previous, &previous.write_weights);
        let head = Head::new(&self.write_head, params, input, at, w);
        let erase_add = head.erase_add(w);
        head.write(&previous.memory, &erase_add, &mut next.memory);
        next.row_norms = row_norms(&next.memory, w);
        next.write_weights.copy_from_slice(&head.addressing.weights);
        Written { head, erase_add }
    }

    /// The read half: each read head addresses `memory` (with its rows' `norms`) from
    /// `hidden` and its weighting in `previous`, and reads it. The weightings go into
    /// `weights` (`R × N`), the read vectors into `vectors` (`R × W`).
    #[allow(clippy::too_many_arguments)]
    pub fn read(
        &self,
        params: &[f32],
        hidden: &[f32],
        memory: &[f32],
        norms: &[f32],
        previous: &NtmState,
        weights: &mut [f32],
        vectors: &mut [f32],
    ) -> Vec<Head> {
        let (n, w) = (self.slots, self.width);
        let heads: Vec<Head> = self
            .read_heads
            .iter()
            .enumerate()
            .map(|(i, layer)| {
                let at = Addressed {
                    memory,
                    norms,
                    previous: &previous.read_weights[i * n..(i + 1) * n],
                };
                Head::new(layer, params, hidden, at, w)
            })
            .collect();
        for (i, head) in heads.iter().enumerate() {
            read(
                memory,
                &head.addressing.weights,
                &mut vectors[i * w..(i + 1) * w],
            );
            weights[i * n..(i + 1) * n].copy_from_slice(&head.addressing.weights);
        }
        heads
    }

    /// Backward of [`Ntm::write`]: `dnext` (the gradient reaching `M_t` and the write
    /// weighting) is used as scratch; accumulates into `dprevious`, the parameters'
    /// gradients and `dinput`.
    #[allow(clippy::too_many_arguments)]
    pub fn backward_write(
        &self,
        params: &[f32],
        grads: &mut [f32],
        input: &[f32],
        written: &Written,
        previous: &NtmState,
        dnext: &mut NtmState,
        dprevious: &mut NtmState,
        dinput: &mut [f32],
    ) {
        let Written { head, erase_add } = written;
        let (derase, dadd) = head.write_backward(
            &previous.memory,
            erase_add,
            &dnext.memory,
            &mut dprevious.memory,
            &mut dnext.write_weights,
        );
        let into = AddressedGradients {
            memory: &mut dprevious.memory,
            previous: &mut dprevious.write_weights,
        };
        head.backward(
            &self.write_head,
            params,
            grads,
            input,
            addressed(previous, &previous.write_weights),
            &dnext.write_weights,
            into,
            Some((erase_add, &derase, &dadd)),
            dinput,
        );
    }

    /// Backward of [`Ntm::read`] over `memory` and its `norms`: `dvectors` reaches the
    /// read vectors and `dweights` the weightings (from the next step, where they are the
    /// previous ones); accumulates into `dmemory`, `dprevious_weights`, the parameters'
    /// gradients and `dhidden`.
    #[allow(clippy::too_many_arguments)]
    pub fn backward_read(
        &self,
        params: &[f32],
        grads: &mut [f32],
        hidden: &[f32],
        heads: &[Head],
        (memory, norms): (&[f32], &[f32]),
        previous: &NtmState,
        (dvectors, dweights): (&[f32], &[f32]),
        dmemory: &mut [f32],
        dprevious_weights: &mut [f32],
        dhidden: &mut [f32],
    ) {
        let (n, w) = (self.slots, self.width);
        for (i, (layer, head)) in self.read_heads.iter().zip(heads).enumerate() {
            let slots = i * n..(i + 1) * n;
            let mut dweights = dweights[slots.clone()].to_vec();
            read_backward(
                memory,
                &head.addressing.weights,
                &dvectors[i * w..(i + 1) * w],
                dmemory,
                &mut dweights,
            );
            let at = Addressed {
                memory,
                norms,
                previous: &previous.read_weights[slots.clone()],
            };
            let into = AddressedGradients {
                memory: dmemory,
                previous: &mut dprevious_weights[slots],
            };
            head.backward(
                layer, params, grads, hidden, at, &dweights, into, None, dhidden,
            );
        }
    }
}

impl Memory for Ntm {
    type State = NtmState;
    type Cache = NtmCache;

    fn read_width(&self) -> usize {
        self.read_heads.len() * self.width
    }
    fn zero_state(&self) -> NtmState {
        self.state(0.0)
    }
    /// Memory 1e-6 and read vectors 0 (models.md §0), but every head's weighting starts
    /// one-hot on slot 0, not at 0: with constant memory and zero weightings every write
    /// lands equally on every row, the rows stay identical, content addressing stays
    /// uniform and so does every shift of it, a fixed point no gradient can leave
    /// (the read heads' gradient is exactly 0). docs/architecture.md records this decision.
    fn initial_state(&self) -> NtmState {
        let mut state = self.state(INITIAL_MEMORY_VALUE);
        state.row_norms = row_norms(&state.memory, self.width);
        state.write_weights[0] = 1.0;
        for head in state.read_weights.chunks_exact_mut(self.slots) {
            head[0] = 1.0;
        }
        state
    }

    /// About how many floats a step holds: the state (memory, rows' norms, weightings,
    /// read vectors), every head's cache and the written erase and add vectors.
    fn step_floats(&self) -> usize {
        let (n, w, r) = (self.slots, self.width, self.read_heads.len());
        let state = n * w + 2 * n + r * n + r * w;
        state + head_floats(n, w, true) + r * head_floats(n, w, false) + 2 * w
    }
}

/// `state`'s memory as a head addresses it, from its last weighting `last`.
fn addressed<'a>(state: &'a NtmState, last: &'a [f32]) -> Addressed<'a> {
    Addressed {
        memory: &state.memory,
        norms: &state.row_norms,
        previous: last,
    }
}
