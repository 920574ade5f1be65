//! Each memory's part of a step record on the GPU, in the order its WGSL (in the memory's
//! folder of `src/memory/`) reads it: the fields of the recurrent state (`S_*`) and of a
//! step's cache (`F_*`). The memory models' layout (`gpu::memory`) and the generative
//! models' (`gpu::gtmm`) both lay out the NTM's and the DNC's from here, since their
//! kernels share the addressing (`addressing.wgsl`) and the DNC's halves (`halves.wgsl`).

use super::fields::Fields;
use crate::memory::dnc::{interface_size, DncOptions};
use crate::memory::ntm::head_size as ntm_head_size;

/// The NTM's state (memory, row norms, write and read weightings) and cache (the heads'
/// raw outputs, the erase vector, each head's addressing); returns the raw outputs' size.
pub(crate) fn ntm_fields(
    state: &mut Fields,
    cache: &mut Fields,
    n: usize,
    w: usize,
    r: usize,
) -> usize {
    state.add("S_MEMORY", n * w);
    state.add("S_NORMS", n);
    state.add("S_WRITE_WEIGHTS", n);
    state.add("S_READ_WEIGHTS", r * n);
    let raw = ntm_head_size(w, true) + r * ntm_head_size(w, false);
    cache.add("F_RAW", raw);
    cache.add("F_ERASE", w);
    cache.add("F_HEADS", (r + 1) * (5 * n + 10));
    raw
}

/// The DNC's state (memory, norms, usage, precedence, links, weightings) and cache (ξ raw
/// and transformed, the write's and the reads' intermediates, the §3.1 improvements'
/// fields); returns ξ's size and the carry scratch the improvements add.
pub(crate) fn dnc_fields(
    state: &mut Fields,
    cache: &mut Fields,
    options: DncOptions,
    n: usize,
    w: usize,
    r: usize,
) -> (usize, usize) {
    for (name, length) in [
        ("S_MEMORY", n * w),
        ("S_NORMS", n),
        ("S_USAGE", n),
        ("S_PRECEDENCE", n),
        ("S_LINK", n * n),
        ("S_WRITE_WEIGHTS", n),
        ("S_READ_WEIGHTS", r * n),
    ] {
        state.add(name, length);
    }
    let size = interface_size(w, r, options);
    cache.add("F_RAW", size);
    cache.add("F_XI", size);
    for name in [
        "F_RETENTION",
        "F_USAGE_BEFORE",
        "F_ORDER",
        "F_SORTED",
        "F_ALLOCATION",
        "F_WRITE_SIMILARITY",
        "F_CONTENT_WRITE",
    ] {
        cache.add(name, n);
    }
    for name in [
        "F_FORWARD",
        "F_BACKWARD",
        "F_READ_SIMILARITY",
        "F_CONTENT_READ",
    ] {
        cache.add(name, r * n);
    }
    cache.add("F_KEY_NORMS", r + 1);
    cache.add("F_WRITTEN", 1);
    (size, dnc_improvement_fields(cache, options, n, w, r))
}

/// The records of models.md §3.1's options (each empty when its option is off): the
/// masked rows' norms per head, the retained memory `M_{t−1} ⊙ ψ`, the sharpened
/// weightings and their maxima. Returns the carry scratch they add to the DNC's (the
/// masked lookup's second coefficient, the sharpened weightings' gradients, ψ's
/// de-allocation part, and with de-allocation the retained memory's gradient), laid out
/// in `halves.wgsl`. The generative models' DNC memory calls it with every option off.
fn dnc_improvement_fields(
    cache: &mut Fields,
    options: DncOptions,
    n: usize,
    w: usize,
    r: usize,
) -> usize {
    let on = |option: bool, size: usize| if option { size } else { 0 };
    cache.add("F_MASKED_NORMS", on(options.masking, (r + 1) * n));
    cache.add("F_RETAINED", on(options.deallocation, n * w));
    cache.add("F_FORWARD_SHARP", on(options.link_sharpness, r * n));
    cache.add("F_BACKWARD_SHARP", on(options.link_sharpness, r * n));
    cache.add("F_SHARP_TOP", on(options.link_sharpness, 2 * r));
    4 * n + on(options.deallocation, n * w)
}
