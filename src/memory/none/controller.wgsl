// The LSTM baseline's core (models.md §1): no memory, no state, nothing to read.

fn core_initial(first: u32) {}

fn core_forward(now: u32, before: u32) {}

fn core_backward(now: u32, before: u32, dnext: u32, dprevious: u32, gradients: u32) {}
