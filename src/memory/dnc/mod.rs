//! DNC memory step (models.md §3): usage, sorted allocation, content write, erase/add,
//! temporal links, precedence, and reads mixing backward, content and forward modes.
//!
//! This folder is the DNC: the step here and in `backward.rs`, the interface vector
//! (`interface.rs`), the §3.1 improvements (`options.rs`), the DNC a model holds
//! (`memory.rs`: `Dnc<Heads>`, its interface's parameters for either order), the core a
//! controller drives (`controller.rs`), the generative model's latent memory
//! (`latent.rs`) and their WGSL
//! (`halves.wgsl` and `halves_backward.wgsl` shared by both, `improvements.wgsl`,
//! `controller.wgsl`, `latent.wgsl`).

mod backward;
mod controller;
pub(crate) mod gpu;
mod interface;
mod latent;
mod memory;
mod options;

pub use backward::{read_first_backward, step_backward, write_second_backward};
pub use interface::{interface_size, Interface, READ_MODES};
pub use memory::{Dnc, DncCache, DncCore, DncMemory, InterfaceHalves};
pub use options::DncOptions;

use super::content::row_norms;
use super::write::erase_and_add;
use super::{read, INITIAL_MEMORY_VALUE};
use crate::ops::linalg;
use options::{lookup, retained, sharpen};

/// Floor applied to usage before allocation: `û = ε + (1 − ε) u`.
const USAGE_FLOOR: f32 = 1e-6;

/// The DNC's recurrent memory state. Gradients with respect to it use the same struct.
/// About how many floats one step's state and cache hold, for the training memory
/// estimate: the state (memory, usage, precedence, the N × N link, write and read
/// weightings, read vectors) and the cache (ξ raw and transformed, ψ, usage, order and
/// allocation, content weightings and similarities, the links' forward and backward
/// weightings, rows' norms).
pub fn step_floats(slots: usize, width: usize, reads: usize, options: DncOptions) -> usize {
    let (n, w, r) = (slots, width, reads);
    let state = n * w + 3 * n + n * n + r * n + r * w;
    let sharpened = if options.link_sharpness { 2 * r * n } else { 0 };
    let cache = 2 * interface_size(w, r, options) + 10 * n + 4 * r * n + sharpened;
    state + cache
}

#[derive(Clone, Debug, PartialEq)]
pub struct DncState {
    /// `N × W`.
    pub memory: Vec<f32>,
    pub usage: Vec<f32>,
    pub precedence: Vec<f32>,
    /// `N × N`, `link[i][j]`: how much slot i was written right after slot j.
    pub link: Vec<f32>,
    pub write_weights: Vec<f32>,
    /// `R × N`.
    pub read_weights: Vec<f32>,
    /// `R × W`.
    pub read_vectors: Vec<f32>,
}

impl DncState {
    /// The initial state of models.md §0 (`fill` = 1e-6 for memory), or all zeros, the
    /// starting point for gradients.
    fn filled(slots: usize, width: usize, reads: usize, memory_fill: f32) -> Self {
        DncState {
            memory: vec![memory_fill; slots * width],
            usage: vec![0.0; slots],
            precedence: vec![0.0; slots],
            link: vec![0.0; slots * slots],
            write_weights: vec![0.0; slots],
            read_weights: vec![0.0; reads * slots],
            read_vectors: vec![0.0; reads * width],
        }
    }

    pub fn initial(slots: usize, width: usize, reads: usize) -> Self {
        Self::filled(slots, width, reads, INITIAL_MEMORY_VALUE)
    }

    pub fn zeros(slots: usize, width: usize, reads: usize) -> Self {
        Self::filled(slots, width, reads, 0.0)
    }

    pub fn slots(&self) -> usize {
        self.usage.len()
    }
}

/// Intermediates of one step that the backward pass and the views need.
#[derive(Clone, Debug, Default)]
pub struct DncStepCache {
    /// ψ
    pub retention: Vec<f32>,
    /// `u + w^w_{t−1} − u ⊙ w^w_{t−1}`, usage before retention.
    pub usage_before_retention: Vec<f32>,
    /// φ: slot indices in ascending order of floored usage.
    pub order: Vec<usize>,
    /// Floored usage û in the order φ.
    pub sorted_usage: Vec<f32>,
    pub allocation: Vec<f32>,
    /// Row norms of `M_{t−1}` and of `M_t`.
    pub previous_row_norms: Vec<f32>,
    pub row_norms: Vec<f32>,
    pub write_similarity: Vec<f32>,
    pub content_write: Vec<f32>,
    /// `R × N` each.
    pub forward: Vec<f32>,
    pub backward: Vec<f32>,
    /// With link sharpness (models.md §3.1), `forward` and `backward` sharpened (`R × N`
    /// each; empty without).
    pub forward_sharpened: Vec<f32>,
    pub backward_sharpened: Vec<f32>,
    pub read_similarity: Vec<f32>,
    pub content_read: Vec<f32>,
}

/// One memory step of models.md §3 from `previous` under interface `xi`: write, then
/// read `M_t`; returns the new state and the cache.
pub fn step(previous: &DncState, xi: &Interface) -> (DncState, DncStepCache) {
    let (mut next, mut cache) = start_step(previous, xi);
    write_half(previous, &previous.read_weights, xi, &mut next, &mut cache);
    let (memory, link) = (
        std::mem::take(&mut next.memory),
        std::mem::take(&mut next.link),
    );
    let row_norms = std::mem::take(&mut cache.row_norms);
    read_half(
        &memory,
        &row_norms,
        &link,
        &previous.read_weights,
        xi,
        &mut next,
        &mut cache,
    );
    (next.memory, next.link, cache.row_norms) = (memory, link, row_norms);
    (next, cache)
}

/// The generative models' order (generative.md §8.2) is [`read_first`] then
/// [`write_second`]: read `M_{t−1}` through `L_{t−1}` and the previous read weights,
/// then write, with the retention ψ taken from this step's read weights.
///
/// The read half: only `xi`'s read keys, strengths and modes are
/// used. The returned state holds the read weights and vectors; [`write_second`]
/// completes it.
pub fn read_first(previous: &DncState, xi: &Interface) -> (DncState, DncStepCache) {
    let (mut next, mut cache) = start_step(previous, xi);
    let norms = std::mem::take(&mut cache.previous_row_norms);
    read_half(
        &previous.memory,
        &norms,
        &previous.link,
        &previous.read_weights,
        xi,
        &mut next,
        &mut cache,
    );
    cache.previous_row_norms = norms;
    (next, cache)
}

/// The write half of the generative order, after [`read_first`].
pub fn write_second(
    previous: &DncState,
    xi: &Interface,
    next: &mut DncState,
    cache: &mut DncStepCache,
) {
    let reads = std::mem::take(&mut next.read_weights);
    write_half(previous, &reads, xi, next, cache);
    next.read_weights = reads;
}

fn start_step(previous: &DncState, xi: &Interface) -> (DncState, DncStepCache) {
    let n = previous.slots();
    let width = xi.write_key.len();
    let reads = xi.free_gates.len();
    // The sharpened link weightings (§3.1), `R × N` each when link sharpness is on.
    let sharpened = if xi.options.link_sharpness {
        reads * n
    } else {
        0
    };
    let cache = DncStepCache {
        previous_row_norms: row_norms(&previous.memory, width),
        retention: vec![1.0; n],
        usage_before_retention: vec![0.0; n],
        allocation: vec![0.0; n],
        write_similarity: vec![0.0; n],
        content_write: vec![0.0; n],
        forward: vec![0.0; reads * n],
        backward: vec![0.0; reads * n],
        forward_sharpened: vec![0.0; sharpened],
        backward_sharpened: vec![0.0; sharpened],
        read_similarity: vec![0.0; reads * n],
        content_read: vec![0.0; reads * n],
        ..DncStepCache::default()
    };
    (DncState::zeros(n, width, reads), cache)
}

/// Usage, allocation, the write and the temporal links: fills `next`'s memory, usage,
/// precedence, link and write weights. `retention_reads` (`R × N`) are the read weights
/// the free gates release.
fn write_half(
    previous: &DncState,
    retention_reads: &[f32],
    xi: &Interface,
    next: &mut DncState,
    cache: &mut DncStepCache,
) {
    let n = previous.slots();
    let width = xi.write_key.len();
    // Usage: ψ = Π_i (1 − f^i w^{r,i}_{t−1});  u_t = (u + w^w − u ⊙ w^w) ⊙ ψ.
    for (i, previous_read) in retention_reads.chunks_exact(n).enumerate() {
        for k in 0..n {
            cache.retention[k] *= 1.0 - xi.free_gates[i] * previous_read[k];
        }
    }
    for k in 0..n {
        let (u, w) = (previous.usage[k], previous.write_weights[k]);
        cache.usage_before_retention[k] = u + w - u * w;
        next.usage[k] = cache.usage_before_retention[k] * cache.retention[k];
    }

    // Allocation: a[φ_j] = (1 − û[φ_j]) Π_{m<j} û[φ_m], φ sorting û ascending, stable.
    let floored: Vec<f32> = next
        .usage
        .iter()
        .map(|&u| USAGE_FLOOR + (1.0 - USAGE_FLOOR) * u)
        .collect();
    cache.order = crate::ops::order::ascending_order(&floored);
    cache.sorted_usage = cache.order.iter().map(|&k| floored[k]).collect();
    let mut product = 1.0;
    for (&slot, &u) in cache.order.iter().zip(&cache.sorted_usage) {
        cache.allocation[slot] = (1.0 - u) * product;
        product *= u;
    }

    // Write weighting and write.
    lookup(
        &previous.memory,
        &cache.previous_row_norms,
        &xi.write_key,
        &xi.write_mask,
        xi.write_strength,
        &mut cache.write_similarity,
        &mut cache.content_write,
    );
    for k in 0..n {
        let mix = xi.allocation_gate * cache.allocation[k]
            + (1.0 - xi.allocation_gate) * cache.content_write[k];
        next.write_weights[k] = xi.write_gate * mix;
    }
    // De-allocation (§3.1) erases what the free gates release: the write starts from
    // M_{t−1} ⊙ ψ.
    let base = xi
        .options
        .deallocation
        .then(|| retained(&previous.memory, &cache.retention));
    erase_and_add(
        base.as_deref().unwrap_or(&previous.memory),
        &next.write_weights,
        &xi.erase,
        &xi.write_vector,
        &mut next.memory,
    );
    cache.row_norms = row_norms(&next.memory, width);

    // Temporal links and precedence.
    let ww = &next.write_weights;
    for i in 0..n {
        for j in 0..n {
            next.link[i * n + j] = if i == j {
                0.0
            } else {
                (1.0 - ww[i] - ww[j]) * previous.link[i * n + j] + ww[i] * previous.precedence[j]
            };
        }
    }
    let written: f32 = ww.iter().sum();
    for k in 0..n {
        next.precedence[k] = (1.0 - written) * previous.precedence[k] + ww[k];
    }
}

/// The reads: forward and backward weightings through `link` from `previous_reads`,
/// content weightings of `memory` (with its row norms), mixed by the read modes; fills
/// `next`'s read weights and vectors.
fn read_half(
    memory: &[f32],
    norms: &[f32],
    link: &[f32],
    previous_reads: &[f32],
    xi: &Interface,
    next: &mut DncState,
    cache: &mut DncStepCache,
) {
    let n = norms.len();
    let width = xi.write_key.len();
    let reads = xi.free_gates.len();
    // Reads.
    for i in 0..reads {
        let heads = i * n..(i + 1) * n;
        let previous_read = &previous_reads[heads.clone()];
        linalg::matvec(link, previous_read, &mut cache.forward[heads.clone()]);
        linalg::matvec_transposed_accumulate(
            link,
            previous_read,
            &mut cache.backward[heads.clone()],
        );
        if xi.options.link_sharpness {
            let (f, b) = (
                &cache.forward[heads.clone()],
                &cache.backward[heads.clone()],
            );
            sharpen(
                f,
                xi.forward_sharpness[i],
                &mut cache.forward_sharpened[heads.clone()],
            );
            sharpen(
                b,
                xi.backward_sharpness[i],
                &mut cache.backward_sharpened[heads.clone()],
            );
        }
        lookup(
            memory,
            norms,
            &xi.read_keys[i * width..(i + 1) * width],
            xi.read_mask(i),
            xi.read_strengths[i],
            &mut cache.read_similarity[heads.clone()],
            &mut cache.content_read[heads.clone()],
        );
        let modes = &xi.read_modes[i * READ_MODES..(i + 1) * READ_MODES];
        let (forward, backward) = cache.directional(heads.clone());
        for (k, slot) in heads.clone().enumerate() {
            next.read_weights[slot] = modes[0] * backward[k]
                + modes[1] * cache.content_read[slot]
                + modes[2] * forward[k];
        }
        read(
            memory,
            &next.read_weights[heads],
            &mut next.read_vectors[i * width..(i + 1) * width],
        );
    }
}

impl DncStepCache {
    /// The forward and backward weightings the read modes mix for the heads' `slots`:
    /// sharpened with link sharpness (§3.1), else as the link matrix gives them.
    pub fn directional(&self, slots: std::ops::Range<usize>) -> (&[f32], &[f32]) {
        if self.forward_sharpened.is_empty() {
            (&self.forward[slots.clone()], &self.backward[slots])
        } else {
            (
                &self.forward_sharpened[slots.clone()],
                &self.backward_sharpened[slots],
            )
        }
    }
}
