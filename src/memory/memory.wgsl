// Reading and writing an `N × MW` memory in `work`, shared by every memory but none, in
// both orders.

// Every memory cell starts here (models.md §0).
const INITIAL_MEMORY: f32 = 1e-6;

// r = Mᵀ w: one invocation per column of memory (`N × MW` at `memory`).
fn read_memory(memory: u32, weights: u32, read_vector: u32) {
    for (var j = lane; j < MW; j += WG) {
        var total = 0.0;
        for (var k = 0u; k < N; k++) {
            total += work[weights + k] * work[memory + k * MW + j];
        }
        work[read_vector + j] = total;
    }
}

// Backward of `read_memory`: dM += w drᵀ and dw += M dr. Ends with a barrier.
fn read_memory_backward(memory: u32, weights: u32, dread: u32, dmemory: u32, dweights: u32) {
    for (var i = lane; i < N * MW; i += WG) {
        work[dmemory + i] += work[weights + i / MW] * work[dread + i % MW];
    }
    for (var k = lane; k < N; k += WG) {
        var total = 0.0;
        for (var j = 0u; j < MW; j++) {
            total += work[memory + k * MW + j] * work[dread + j];
        }
        work[dweights + k] += total;
    }
    sync();
}

// ‖M[i]‖ for every row of memory.
fn row_norms(memory: u32, norms: u32) {
    for (var k = lane; k < N; k += WG) {
        work[norms + k] = norm_of(memory + k * MW, MW);
    }
}

// M_t = M_{t−1} ⊙ (1 − w eᵀ) + w aᵀ (models.md §2, §3): one invocation per cell.
fn erase_and_add(previous: u32, weights: u32, erase: u32, add: u32, next: u32) {
    for (var i = lane; i < N * MW; i += WG) {
        let w = work[weights + i / MW];
        let j = i % MW;
        work[next + i] = work[previous + i] * (1.0 - w * work[erase + j]) + w * work[add + j];
    }
}

// Backward of `erase_and_add` given dM_t at `dnext`: accumulates dM_{t−1}, dw, de and da.
// Ends with a barrier.
fn erase_and_add_backward(
    previous: u32, weights: u32, erase: u32, add: u32, dnext: u32,
    dprevious: u32, dweights: u32, derase: u32, dadd: u32,
) {
    for (var i = lane; i < N * MW; i += WG) {
        let w = work[weights + i / MW];
        work[dprevious + i] += work[dnext + i] * (1.0 - w * work[erase + i % MW]);
    }
    for (var j = lane; j < MW; j += WG) {
        var erase_total = 0.0;
        var add_total = 0.0;
        for (var k = 0u; k < N; k++) {
            let d = work[dnext + k * MW + j] * work[weights + k];
            erase_total -= d * work[previous + k * MW + j];
            add_total += d;
        }
        work[derase + j] += erase_total;
        work[dadd + j] += add_total;
    }
    for (var k = lane; k < N; k += WG) {
        var total = 0.0;
        for (var j = 0u; j < MW; j++) {
            let old = work[previous + k * MW + j];
            total += work[dnext + k * MW + j] * (work[add + j] - old * work[erase + j]);
        }
        work[dweights + k] += total;
    }
    sync();
}
