// The Neural GPU family's weight-gradient kernels' bindings, shared by
// `weight_gradients.wgsl` and `diagonal_weights.wgsl`: each sums over the dispatch's
// sequences in a fixed order, and the chunks after a batch's first add to what is there.

@group(0) @binding(0) var<uniform> run: Run;
@group(0) @binding(1) var<storage, read> batch: array<f32>;
@group(0) @binding(2) var<storage, read> work: array<f32>;
@group(0) @binding(3) var<storage, read_write> grads: array<f32>;
@group(0) @binding(5) var<storage, read> params: array<f32>;

fn store(p: u32, value: f32) {
    if run.accumulate != 0u {
        grads[p] += value;
    } else {
        grads[p] = value;
    }
}
