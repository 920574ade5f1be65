//! The backward passes of the DNC step's halves (models.md §3), in both orders: the
//! memory models' write-then-read [`step_backward`] and the generative models'
//! [`write_second_backward`] then [`read_first_backward`].

use super::options::{lookup_backward, retained, retained_backward, sharpen_backward};
use super::{DncState, DncStepCache, Interface, READ_MODES, USAGE_FLOOR};
use crate::memory::read_backward;
use crate::memory::write::erase_and_add_backward;
use crate::ops::linalg::{self, dot};

/// Backward of [`step`](super::step). `dnext` holds the gradient with respect to every part of the
/// new state (its contents are used as scratch); gradients with respect to the previous
/// state are accumulated into `dprevious`, and with respect to ξ into `dxi`.
pub fn step_backward(
    previous: &DncState,
    xi: &Interface,
    cache: &DncStepCache,
    next: &DncState,
    dnext: &mut DncState,
    dprevious: &mut DncState,
    dxi: &mut Interface,
) {
    let mut dmemory = std::mem::take(&mut dnext.memory);
    let mut dlink = std::mem::take(&mut dnext.link);
    read_half_backward(
        &next.memory,
        &cache.row_norms,
        &next.link,
        &previous.read_weights,
        xi,
        cache,
        next,
        dnext,
        &mut dmemory,
        &mut dlink,
        &mut dprevious.read_weights,
        dxi,
    );
    (dnext.memory, dnext.link) = (dmemory, dlink);
    let mut dretention_reads = std::mem::take(&mut dprevious.read_weights);
    write_half_backward(
        previous,
        &previous.read_weights,
        xi,
        cache,
        next,
        dnext,
        dprevious,
        &mut dretention_reads,
        dxi,
    );
    dprevious.read_weights = dretention_reads;
}

/// Backward of [`write_second`](super::write_second): `dnext` holds the gradient reaching the new state
/// (used as scratch; its read weights leave holding the gradient of this step's reads,
/// the retention's part included); accumulates into `dprevious` and `dxi`'s write part.
pub fn write_second_backward(
    previous: &DncState,
    xi: &Interface,
    cache: &DncStepCache,
    next: &DncState,
    dnext: &mut DncState,
    dprevious: &mut DncState,
    dxi: &mut Interface,
) {
    let mut dreads = std::mem::take(&mut dnext.read_weights);
    write_half_backward(
        previous,
        &next.read_weights,
        xi,
        cache,
        next,
        dnext,
        dprevious,
        &mut dreads,
        dxi,
    );
    dnext.read_weights = dreads;
}

/// Backward of [`read_first`](super::read_first), after [`write_second_backward`]: `dnext`'s read vectors
/// and read weights are the incoming gradients; accumulates into `dprevious` and
/// `dxi`'s read part.
pub fn read_first_backward(
    previous: &DncState,
    xi: &Interface,
    cache: &DncStepCache,
    next: &DncState,
    dnext: &mut DncState,
    dprevious: &mut DncState,
    dxi: &mut Interface,
) {
    let mut dmemory = std::mem::take(&mut dprevious.memory);
    let mut dlink = std::mem::take(&mut dprevious.link);
    let mut dprevious_reads = std::mem::take(&mut dprevious.read_weights);
    read_half_backward(
        &previous.memory,
        &cache.previous_row_norms,
        &previous.link,
        &previous.read_weights,
        xi,
        cache,
        next,
        dnext,
        &mut dmemory,
        &mut dlink,
        &mut dprevious_reads,
        dxi,
    );
    (dprevious.memory, dprevious.link, dprevious.read_weights) = (dmemory, dlink, dprevious_reads);
}

/// Backward of [`read_half`]: `dnext`'s read vectors and read weights are the incoming
/// gradients (used as scratch); accumulates into `dmemory`, `dlink`, `dprevious_reads`
/// and `dxi`.
#[allow(clippy::too_many_arguments)]
fn read_half_backward(
    memory: &[f32],
    norms: &[f32],
    link: &[f32],
    previous_reads: &[f32],
    xi: &Interface,
    cache: &DncStepCache,
    next: &DncState,
    dnext: &mut DncState,
    dmemory: &mut [f32],
    dlink: &mut [f32],
    dprevious_reads: &mut [f32],
    dxi: &mut Interface,
) {
    let n = norms.len();
    let width = xi.write_key.len();
    let reads = xi.free_gates.len();
    // Reads: r = M_tᵀ w^r, w^r = π₀ b + π₁ c + π₂ f.
    for i in 0..reads {
        let heads = i * n..(i + 1) * n;
        let keys = i * width..(i + 1) * width;
        read_backward(
            memory,
            &next.read_weights[heads.clone()],
            &dnext.read_vectors[keys.clone()],
            dmemory,
            &mut dnext.read_weights[heads.clone()],
        );
        let dread = &dnext.read_weights[heads.clone()];
        let modes = &xi.read_modes[i * READ_MODES..(i + 1) * READ_MODES];
        let (forward, backward) = cache.directional(heads.clone());
        dxi.read_modes[i * READ_MODES] += dot(dread, backward);
        dxi.read_modes[i * READ_MODES + 1] += dot(dread, &cache.content_read[heads.clone()]);
        dxi.read_modes[i * READ_MODES + 2] += dot(dread, forward);
        let dcontent: Vec<f32> = dread.iter().map(|d| modes[1] * d).collect();
        // Head i's mask gradient (empty without masking), borrowed beside `read_keys`.
        let mask_width = dxi.write_mask.len();
        let dmask = &mut dxi.read_masks[i * mask_width..(i + 1) * mask_width];
        dxi.read_strengths[i] += lookup_backward(
            memory,
            norms,
            &xi.read_keys[keys.clone()],
            xi.read_mask(i),
            xi.read_strengths[i],
            &cache.read_similarity[heads.clone()],
            &cache.content_read[heads.clone()],
            &dcontent,
            dmemory,
            &mut dxi.read_keys[keys],
            dmask,
        );
        let mut dforward: Vec<f32> = dread.iter().map(|d| modes[2] * d).collect();
        let mut dbackward: Vec<f32> = dread.iter().map(|d| modes[0] * d).collect();
        if xi.options.link_sharpness {
            // Through the sharpening (§3.1) to the link matrix's weightings.
            let (mut df, mut db) = (vec![0.0; n], vec![0.0; n]);
            dxi.forward_sharpness[i] += sharpen_backward(
                &cache.forward[heads.clone()],
                xi.forward_sharpness[i],
                forward,
                &dforward,
                &mut df,
            );
            dxi.backward_sharpness[i] += sharpen_backward(
                &cache.backward[heads.clone()],
                xi.backward_sharpness[i],
                backward,
                &dbackward,
                &mut db,
            );
            (dforward, dbackward) = (df, db);
        }
        // f = L_t w_{t−1}, b = L_tᵀ w_{t−1}.
        let previous_read = &previous_reads[heads.clone()];
        linalg::outer_accumulate(&dforward, previous_read, dlink);
        linalg::outer_accumulate(previous_read, &dbackward, dlink);
        let dprevious_read = &mut dprevious_reads[heads];
        linalg::matvec_transposed_accumulate(link, &dforward, dprevious_read);
        linalg::matvec_accumulate(link, &dbackward, dprevious_read);
    }
}

/// Backward of [`write_half`]: `dnext`'s memory, link, write weights, usage and
/// precedence are the incoming gradients (taken or used as scratch); accumulates into
/// `dprevious`, `dretention_reads` and `dxi`.
#[allow(clippy::too_many_arguments)]
fn write_half_backward(
    previous: &DncState,
    retention_reads: &[f32],
    xi: &Interface,
    cache: &DncStepCache,
    next: &DncState,
    dnext: &mut DncState,
    dprevious: &mut DncState,
    dretention_reads: &mut [f32],
    dxi: &mut Interface,
) {
    let n = previous.slots();
    let reads = xi.free_gates.len();
    let dlink = std::mem::take(&mut dnext.link);
    // Precedence: p_t = (1 − Σ w^w) p + w^w.
    let ww = &next.write_weights;
    let mut dwrite = std::mem::take(&mut dnext.write_weights);
    let written: f32 = ww.iter().sum();
    let dprecedence = &dnext.precedence;
    let through_sum = dot(dprecedence, &previous.precedence);
    for k in 0..n {
        dprevious.precedence[k] += (1.0 - written) * dprecedence[k];
        dwrite[k] += dprecedence[k] - through_sum;
    }

    // Links: L_t[i][j] = (1 − w_i − w_j) L[i][j] + w_i p[j], diagonal fixed at 0.
    for i in 0..n {
        for j in 0..n {
            let g = dlink[i * n + j];
            if i == j || g == 0.0 {
                continue;
            }
            let old = previous.link[i * n + j];
            dprevious.link[i * n + j] += (1.0 - ww[i] - ww[j]) * g;
            dwrite[i] += g * (previous.precedence[j] - old);
            dwrite[j] -= g * old;
            dprevious.precedence[j] += g * ww[i];
        }
    }

    // Write: M_t = M ⊙ (1 − w eᵀ) + w vᵀ, where with de-allocation (§3.1) M is
    // M_{t−1} ⊙ ψ, whose gradient reaches ψ as well.
    let mut dretention = vec![0.0; n];
    let base = xi
        .options
        .deallocation
        .then(|| retained(&previous.memory, &cache.retention));
    let mut dbase = base.as_ref().map(|base| vec![0.0; base.len()]);
    erase_and_add_backward(
        base.as_deref().unwrap_or(&previous.memory),
        ww,
        &xi.erase,
        &xi.write_vector,
        &dnext.memory,
        dbase.as_deref_mut().unwrap_or(&mut dprevious.memory),
        &mut dwrite,
        &mut dxi.erase,
        &mut dxi.write_vector,
    );
    if let Some(dbase) = &dbase {
        retained_backward(
            &previous.memory,
            &cache.retention,
            dbase,
            &mut dprevious.memory,
            &mut dretention,
        );
    }

    // w^w = g^w (g^a a + (1 − g^a) c^w).
    let mut dallocation = vec![0.0; n];
    let mut dcontent_write = vec![0.0; n];
    for k in 0..n {
        let mix = xi.allocation_gate * cache.allocation[k]
            + (1.0 - xi.allocation_gate) * cache.content_write[k];
        dxi.write_gate += dwrite[k] * mix;
        let dmix = xi.write_gate * dwrite[k];
        dxi.allocation_gate += dmix * (cache.allocation[k] - cache.content_write[k]);
        dallocation[k] = xi.allocation_gate * dmix;
        dcontent_write[k] = (1.0 - xi.allocation_gate) * dmix;
    }
    dxi.write_strength += lookup_backward(
        &previous.memory,
        &cache.previous_row_norms,
        &xi.write_key,
        &xi.write_mask,
        xi.write_strength,
        &cache.write_similarity,
        &cache.content_write,
        &dcontent_write,
        &mut dprevious.memory,
        &mut dxi.write_key,
        &mut dxi.write_mask,
    );

    // Allocation, with φ constant. In sorted order s_j, P_j = Π_{m<j} s_m, a_j = (1 − s_j) P_j:
    // ∂/∂s_k = −P_k da_k + P_k S_k with S_k = Σ_{j>k} da_j (1 − s_j) Π_{k<m<j} s_m,
    // computed by the suffix recursion S_k = da_{k+1}(1 − s_{k+1}) + s_{k+1} S_{k+1}.
    let mut dusage = std::mem::take(&mut dnext.usage);
    let sorted = &cache.sorted_usage;
    let mut prefix = vec![1.0f32; n];
    for j in 1..n {
        prefix[j] = prefix[j - 1] * sorted[j - 1];
    }
    let mut suffix = 0.0f32;
    for k in (0..n).rev() {
        let da = dallocation[cache.order[k]];
        let dsorted = prefix[k] * (suffix - da);
        dusage[cache.order[k]] += (1.0 - USAGE_FLOOR) * dsorted;
        suffix = da * (1.0 - sorted[k]) + sorted[k] * suffix;
    }

    // Usage: u_t = (u + w − u w) ⊙ ψ.
    for k in 0..n {
        let du = dusage[k];
        dprevious.usage[k] += du * cache.retention[k] * (1.0 - previous.write_weights[k]);
        dprevious.write_weights[k] += du * cache.retention[k] * (1.0 - previous.usage[k]);
        dretention[k] += du * cache.usage_before_retention[k];
    }
    // Retention: ψ = Π_i (1 − f^i w^{r,i}); the product over the other heads avoids
    // dividing by a factor that may be 0.
    for k in 0..n {
        if dretention[k] == 0.0 {
            continue;
        }
        for i in 0..reads {
            let others: f32 = (0..reads)
                .filter(|&l| l != i)
                .map(|l| 1.0 - xi.free_gates[l] * retention_reads[l * n + k])
                .product();
            let g = dretention[k] * others;
            dxi.free_gates[i] -= g * retention_reads[i * n + k];
            dretention_reads[i * n + k] -= g * xi.free_gates[i];
        }
    }
    dnext.link = dlink;
    dnext.write_weights = dwrite;
    dnext.usage = dusage;
}
