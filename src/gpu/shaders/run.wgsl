// The `Run` uniform of the sequence and weight-gradient kernels: where this dispatch's
// chunk of the batch starts and how the batch buffer is laid out. Its host twin is
// `session::Run`.

struct Run {
    // First sequence of this dispatch within the batch.
    batch_offset: u32,
    // Sequences in this dispatch.
    sequences: u32,
    // Padded steps per sequence in the batch buffer (and forward records per sequence − 1).
    steps: u32,
    // Floats of `work` per sequence.
    sequence_stride: u32,
    // Offsets of the batch's parts in `batch`.
    target_offset: u32,
    mask_offset: u32,
    length_offset: u32,
    // 1 / (sequences in the whole batch): the loss is the batch mean.
    loss_scale: f32,
    // Weight gradients add to what is there (every chunk after the first).
    accumulate: u32,
    // Offset of the second acceptable targets (the targets' own when the task has none).
    alternative_offset: u32,
    // The Neural GPU's training noise (dropout masks, scheduled sampling's draws): where
    // it starts in `batch` and the floats per sequence (0: none, as when scoring).
    noise_offset: u32,
    noise_stride: u32,
    // β of the KL term in the generative models' loss (their KL warm-up).
    kl_weight: f32,
    // The Diagonal Neural GPU's saturation-cost weight (its recipe adapts it).
    regulariser_weight: f32,
    padding0: u32,
    padding1: u32,
}
