//! A generative model's sequence owned by a test: frames and actions step-major
//! (`T × (D + A)`), which frames are scored, and the length; the target is the input
//! (each frame is its own target).

use engram::models::SequenceRef;

pub struct FrameSequence {
    pub input: Vec<f32>,
    pub mask: Vec<f32>,
    pub steps: usize,
}

impl FrameSequence {
    /// The model's view of it, its noise drawn from `noise_seed`.
    pub fn view(&self, noise_seed: u64) -> SequenceRef<'_> {
        SequenceRef {
            input: &self.input,
            target: &self.input,
            mask: &self.mask,
            alternative: None,
            recall: None,
            steps: self.steps,
            noise_seed,
            batch_seed: 0,
        }
    }
}
