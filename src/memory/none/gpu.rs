//! No memory on the GPU: nothing to lay out, and WGSL that gives the sequence kernels'
//! memory calls nothing to do.

use crate::memory::gpu::{CoreFields, CoreGpu, LatentGpu};
use crate::shader::Fields;

pub(crate) static CORE: CoreGpu = CoreGpu {
    fields: |_, _, _| CoreFields::default(),
    heads: |_, _, _, _, _| Ok(()),
    sources: &[wgsl!("controller.wgsl")],
};

pub(crate) static LATENT: LatentGpu = LatentGpu {
    lay_out: |_, _, _| Ok((Fields::default(), Fields::default())),
    sources: &[wgsl!("latent.wgsl")],
};
