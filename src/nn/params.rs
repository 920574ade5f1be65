//! Named parameters in one flat f32 buffer.
//!
//! Every tensor of a model lives at an offset in one `Vec<f32>`; the gradient buffer has
//! the same layout. Optimisers and clipping then run as single loops, and checkpoints
//! walk the entries by name (the checkpoint names of models.md §7).

use crate::rng::Pcg32;
use std::ops::Range;

/// One named tensor in a [`ParamStore`].
#[derive(Clone, Debug, PartialEq)]
pub struct ParamEntry {
    pub name: String,
    pub shape: Vec<usize>,
    pub offset: usize,
}

impl ParamEntry {
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn range(&self) -> Range<usize> {
        self.offset..self.offset + self.len()
    }
}

/// A model's parameters: entries in registration order over one flat buffer.
#[derive(Clone, Debug, Default)]
pub struct ParamStore {
    entries: Vec<ParamEntry>,
    values: Vec<f32>,
}

impl ParamStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a tensor initialised uniformly in `[−bound, bound]` and returns its offset.
    pub fn add_uniform(
        &mut self,
        name: &str,
        shape: &[usize],
        bound: f32,
        rng: &mut Pcg32,
    ) -> usize {
        let offset = self.values.len();
        let len: usize = shape.iter().product();
        self.values
            .extend((0..len).map(|_| rng.uniform(-bound, bound)));
        self.entries.push(ParamEntry {
            name: name.to_string(),
            shape: shape.to_vec(),
            offset,
        });
        offset
    }

    /// Registers a tensor with every entry `value` and returns its offset.
    pub fn add_constant(&mut self, name: &str, shape: &[usize], value: f32) -> usize {
        let offset = self.values.len();
        let len: usize = shape.iter().product();
        self.values.resize(offset + len, value);
        self.entries.push(ParamEntry {
            name: name.to_string(),
            shape: shape.to_vec(),
            offset,
        });
        offset
    }

    pub fn entries(&self) -> &[ParamEntry] {
        &self.entries
    }

    pub fn entry(&self, name: &str) -> Option<&ParamEntry> {
        self.entries.iter().find(|e| e.name == name)
    }

    pub fn values(&self) -> &[f32] {
        &self.values
    }

    pub fn values_mut(&mut self) -> &mut [f32] {
        &mut self.values
    }

    /// Total number of scalars.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The values of one tensor by name.
    pub fn get(&self, name: &str) -> Option<&[f32]> {
        self.entry(name).map(|e| &self.values[e.range()])
    }
}
