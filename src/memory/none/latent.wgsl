// The baseline's memory (`memory = none`): nothing is read or written, Ψ_t = h_t.

fn memory_initial(first: u32) {}

fn memory_read(t: u32, now: u32, before: u32) {}

fn memory_write(t: u32, now: u32, before: u32) {}

fn memory_write_backward(t: u32, now: u32, before: u32, dnext: u32, dprevious: u32, gradients: u32) {}

fn memory_read_backward(t: u32, now: u32, before: u32, dnext: u32, dprevious: u32, gradients: u32) {}
