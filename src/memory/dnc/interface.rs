//! The DNC's interface vector ξ (models.md §3): its parts, in the order of the spec's
//! table, then the fields of the §3.1 options that are on, and their transforms with
//! the backward of each.

use super::DncOptions;
use crate::ops::activation::{oneplus, sigmoid, softmax_backward, softmax_in_place};

/// Read modes per head: backward, content, forward.
pub const READ_MODES: usize = 3;

/// Size of the interface vector ξ: `R·W + 3W + 5R + 3`, plus `W + R·W` with masking and
/// `2R` with link sharpness (models.md §3.1).
pub fn interface_size(width: usize, reads: usize, options: DncOptions) -> usize {
    Layout::new(width, reads, options).end
}

/// The interface vector after its transforms. Gradients use the same struct.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Interface {
    /// `R × W`, head-major.
    pub read_keys: Vec<f32>,
    pub read_strengths: Vec<f32>,
    pub write_key: Vec<f32>,
    pub write_strength: f32,
    pub erase: Vec<f32>,
    pub write_vector: Vec<f32>,
    pub free_gates: Vec<f32>,
    pub allocation_gate: f32,
    pub write_gate: f32,
    /// `R × 3`: per head (backward, content, forward), each row summing to 1.
    pub read_modes: Vec<f32>,
    /// Which §3.1 options are on; the fields below are empty when theirs is off.
    pub options: DncOptions,
    /// Masking: `m = σ(raw)` of the write head (`W`) and of each read head (`R × W`).
    pub write_mask: Vec<f32>,
    pub read_masks: Vec<f32>,
    /// Link sharpness: `s = oneplus(raw)` of each read head's forward and backward
    /// weighting (`R` each).
    pub forward_sharpness: Vec<f32>,
    pub backward_sharpness: Vec<f32>,
}

/// Offsets of the parts of ξ, in the order of models.md §3's table.
struct Layout {
    read_keys: usize,
    read_strengths: usize,
    write_key: usize,
    write_strength: usize,
    erase: usize,
    write_vector: usize,
    free_gates: usize,
    allocation_gate: usize,
    write_gate: usize,
    read_modes: usize,
    /// §3.1, appended: `[write mask; read masks; forward sharpness; backward sharpness]`,
    /// each present only when its option is on.
    write_mask: usize,
    read_masks: usize,
    forward_sharpness: usize,
    backward_sharpness: usize,
    end: usize,
}

impl Layout {
    fn new(width: usize, reads: usize, options: DncOptions) -> Self {
        let read_strengths = reads * width;
        let write_key = read_strengths + reads;
        let write_strength = write_key + width;
        let erase = write_strength + 1;
        let write_vector = erase + width;
        let free_gates = write_vector + width;
        let allocation_gate = free_gates + reads;
        let write_mask = allocation_gate + 2 + READ_MODES * reads;
        let (masks, sharpness) = options.field_lengths(width, reads);
        let read_masks = write_mask + masks;
        let forward_sharpness = read_masks + masks * reads;
        let backward_sharpness = forward_sharpness + sharpness;
        Layout {
            read_keys: 0,
            read_strengths,
            write_key,
            write_strength,
            erase,
            write_vector,
            free_gates,
            allocation_gate,
            write_gate: allocation_gate + 1,
            read_modes: allocation_gate + 2,
            write_mask,
            read_masks,
            forward_sharpness,
            backward_sharpness,
            end: backward_sharpness + sharpness,
        }
    }
}

impl Interface {
    pub fn zeros(width: usize, reads: usize, options: DncOptions) -> Self {
        let (masks, sharpness) = options.field_lengths(width, reads);
        Interface {
            read_keys: vec![0.0; reads * width],
            read_strengths: vec![0.0; reads],
            write_key: vec![0.0; width],
            write_strength: 0.0,
            erase: vec![0.0; width],
            write_vector: vec![0.0; width],
            free_gates: vec![0.0; reads],
            allocation_gate: 0.0,
            write_gate: 0.0,
            read_modes: vec![0.0; READ_MODES * reads],
            options,
            write_mask: vec![0.0; masks],
            read_masks: vec![0.0; masks * reads],
            forward_sharpness: vec![0.0; sharpness],
            backward_sharpness: vec![0.0; sharpness],
        }
    }

    /// Read head `i`'s mask (models.md §3.1), empty without masking.
    pub fn read_mask(&self, i: usize) -> &[f32] {
        let width = self.write_mask.len();
        &self.read_masks[i * width..(i + 1) * width]
    }

    /// Splits and transforms raw ξ (models.md §3 table, §3.1's fields after it).
    pub fn from_raw(raw: &[f32], width: usize, reads: usize, options: DncOptions) -> Self {
        let at = Layout::new(width, reads, options);
        let sigmoids =
            |range: std::ops::Range<usize>| raw[range].iter().map(|&x| sigmoid(x)).collect();
        let oneplus_all =
            |range: std::ops::Range<usize>| raw[range].iter().map(|&x| oneplus(x)).collect();
        let mut read_modes = raw[at.read_modes..at.read_modes + READ_MODES * reads].to_vec();
        read_modes
            .chunks_exact_mut(READ_MODES)
            .for_each(softmax_in_place);
        Interface {
            read_keys: raw[at.read_keys..at.read_strengths].to_vec(),
            read_strengths: raw[at.read_strengths..at.write_key]
                .iter()
                .map(|&x| oneplus(x))
                .collect(),
            write_key: raw[at.write_key..at.write_strength].to_vec(),
            write_strength: oneplus(raw[at.write_strength]),
            erase: raw[at.erase..at.write_vector]
                .iter()
                .map(|&x| sigmoid(x))
                .collect(),
            write_vector: raw[at.write_vector..at.free_gates].to_vec(),
            free_gates: raw[at.free_gates..at.allocation_gate]
                .iter()
                .map(|&x| sigmoid(x))
                .collect(),
            allocation_gate: sigmoid(raw[at.allocation_gate]),
            write_gate: sigmoid(raw[at.write_gate]),
            read_modes,
            options,
            write_mask: sigmoids(at.write_mask..at.read_masks),
            read_masks: sigmoids(at.read_masks..at.forward_sharpness),
            forward_sharpness: oneplus_all(at.forward_sharpness..at.backward_sharpness),
            backward_sharpness: oneplus_all(at.backward_sharpness..at.end),
        }
    }

    /// Maps `grad` (with respect to the transformed values) back onto raw ξ.
    pub fn raw_backward(&self, raw: &[f32], grad: &Interface, draw: &mut [f32]) {
        let width = self.write_key.len();
        let reads = self.free_gates.len();
        let at = Layout::new(width, reads, self.options);
        let sigmoid_grad = |value: f32, g: f32| g * value * (1.0 - value);
        draw[at.read_keys..at.read_strengths].copy_from_slice(&grad.read_keys);
        for i in 0..reads {
            draw[at.read_strengths + i] =
                grad.read_strengths[i] * sigmoid(raw[at.read_strengths + i]);
            draw[at.free_gates + i] = sigmoid_grad(self.free_gates[i], grad.free_gates[i]);
            let modes = i * READ_MODES..(i + 1) * READ_MODES;
            softmax_backward(
                &self.read_modes[modes.clone()],
                &grad.read_modes[modes.clone()],
                &mut draw[at.read_modes + modes.start..at.read_modes + modes.end],
            );
        }
        draw[at.write_key..at.write_strength].copy_from_slice(&grad.write_key);
        draw[at.write_strength] = grad.write_strength * sigmoid(raw[at.write_strength]);
        for j in 0..width {
            draw[at.erase + j] = sigmoid_grad(self.erase[j], grad.erase[j]);
        }
        draw[at.write_vector..at.free_gates].copy_from_slice(&grad.write_vector);
        draw[at.allocation_gate] = sigmoid_grad(self.allocation_gate, grad.allocation_gate);
        draw[at.write_gate] = sigmoid_grad(self.write_gate, grad.write_gate);
        let masks = self.write_mask.iter().chain(&self.read_masks);
        let dmasks = grad.write_mask.iter().chain(&grad.read_masks);
        for (k, (&m, &g)) in masks.zip(dmasks).enumerate() {
            draw[at.write_mask + k] = sigmoid_grad(m, g);
        }
        // oneplus(x) = 1 + softplus(x): its derivative is σ(x).
        for k in 0..self.forward_sharpness.len() {
            let (f, b) = (at.forward_sharpness + k, at.backward_sharpness + k);
            draw[f] = grad.forward_sharpness[k] * sigmoid(raw[f]);
            draw[b] = grad.backward_sharpness[k] * sigmoid(raw[b]);
        }
    }
}
