// The activations of models.md §0, shared by every family's kernels.

fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        return 1.0 / (1.0 + exp(-x));
    }
    let e = exp(x);
    return e / (1.0 + e);
}

fn softplus(x: f32) -> f32 {
    return max(x, 0.0) + log(1.0 + exp(-abs(x)));
}

fn oneplus(x: f32) -> f32 {
    return 1.0 + softplus(x);
}

// tanh through exp(−2|x|), finite for every input on every backend.
fn tanh_stable(x: f32) -> f32 {
    let e = exp(-2.0 * abs(x));
    let t = (1.0 - e) / (1.0 + e);
    return select(-t, t, x >= 0.0);
}
