//! One NTM head as a model drives it (models.md §2): its Linear's raw output, the
//! transformed parameters and the addressing, with the backward of all three; and the
//! write head's erase and add. Shared by the NTM core (write, then read) and the
//! generative models' NTM memory (read, then write).

use crate::memory::ntm::{address, address_backward, Addressing, HeadParams};
use crate::memory::write::{erase_and_add, erase_and_add_backward};
use crate::nn::Linear;
use crate::ops::activation::sigmoid;

/// About how many floats one head keeps per step, for the training memory estimate: its
/// raw parameters and its addressing's six N-vectors.
pub fn head_floats(slots: usize, width: usize, write: bool) -> usize {
    crate::memory::ntm::head_size(width, write) + 6 * slots + 8
}

/// A head at one step.
pub struct Head {
    pub raw: Vec<f32>,
    pub params: HeadParams,
    pub addressing: Addressing,
}

/// The memory a head addresses: `M` (`N × W`), its row norms, and the head's previous
/// weighting.
#[derive(Clone, Copy)]
pub struct Addressed<'a> {
    pub memory: &'a [f32],
    pub norms: &'a [f32],
    pub previous: &'a [f32],
}

/// Where a head's backward pass accumulates: the memory's and the previous weighting's
/// gradients.
pub struct AddressedGradients<'a> {
    pub memory: &'a mut [f32],
    pub previous: &'a mut [f32],
}

/// The write head's erase `e = σ(raw)` and add `a` (raw), after its `W + 6` addressing
/// values.
pub struct EraseAdd {
    pub erase: Vec<f32>,
    pub add: Vec<f32>,
}

impl Head {
    /// Runs `layer` on `input` and addresses `at`.
    pub fn new(
        layer: &Linear,
        params: &[f32],
        input: &[f32],
        at: Addressed<'_>,
        width: usize,
    ) -> Head {
        let mut raw = vec![0.0; layer.outputs];
        layer.forward(params, input, &mut raw);
        let head_params = HeadParams::from_raw(&raw, width);
        let addressing = address(at.memory, at.norms, &head_params, at.previous);
        Head {
            raw,
            params: head_params,
            addressing,
        }
    }

    /// A write head's erase and add vectors.
    pub fn erase_add(&self, width: usize) -> EraseAdd {
        EraseAdd {
            erase: self.raw[width + 6..2 * width + 6]
                .iter()
                .map(|&x| sigmoid(x))
                .collect(),
            add: self.raw[2 * width + 6..3 * width + 6].to_vec(),
        }
    }

    /// `M_t = M ⊙ (1 − w e⊤) + w a⊤` with this head's weighting.
    pub fn write(&self, memory: &[f32], written: &EraseAdd, next: &mut [f32]) {
        erase_and_add(
            memory,
            &self.addressing.weights,
            &written.erase,
            &written.add,
            next,
        );
    }

    /// Backward of the addressing and the raw transforms given `dweights`, then of
    /// `layer` on `input` (its input's gradient accumulated into `dinput`). `write` adds
    /// the erase and add gradients of a write head.
    #[allow(clippy::too_many_arguments)]
    pub fn backward(
        &self,
        layer: &Linear,
        params: &[f32],
        grads: &mut [f32],
        input: &[f32],
        at: Addressed<'_>,
        dweights: &[f32],
        into: AddressedGradients<'_>,
        write: Option<(&EraseAdd, &[f32], &[f32])>,
        dinput: &mut [f32],
    ) {
        let width = self.params.key.len();
        let grad = address_backward(
            at.memory,
            at.norms,
            &self.params,
            at.previous,
            &self.addressing,
            dweights,
            into.memory,
            into.previous,
        );
        let mut draw = vec![0.0; layer.outputs];
        self.params.raw_backward(&self.raw, &grad, &mut draw);
        if let Some((written, derase, dadd)) = write {
            for j in 0..width {
                let e = written.erase[j];
                draw[width + 6 + j] = derase[j] * e * (1.0 - e);
                draw[2 * width + 6 + j] = dadd[j];
            }
        }
        layer.backward(params, grads, input, &draw, Some(dinput));
    }

    /// Backward of [`Head::write`] from `M` (the memory written): accumulates into
    /// `dmemory` and `dweights`, and returns the erase and add gradients.
    pub fn write_backward(
        &self,
        memory: &[f32],
        written: &EraseAdd,
        dnext: &[f32],
        dmemory: &mut [f32],
        dweights: &mut [f32],
    ) -> (Vec<f32>, Vec<f32>) {
        let width = written.erase.len();
        let (mut derase, mut dadd) = (vec![0.0; width], vec![0.0; width]);
        erase_and_add_backward(
            memory,
            &self.addressing.weights,
            &written.erase,
            &written.add,
            dnext,
            dmemory,
            dweights,
            &mut derase,
            &mut dadd,
        );
        (derase, dadd)
    }
}
