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
    /// Scalars registered (`values.len()`, unless only the layout is kept).
    size: usize,
    /// Keep the entries, allocate and initialise nothing: what a configuration implies,
    /// known before anything large exists (checkpoints are checked against it).
    layout_only: bool,
}

impl ParamStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// A store that records names, shapes and offsets but holds no values: a model built
    /// on it describes its parameters and must not run.
    pub fn layout_only() -> Self {
        ParamStore {
            layout_only: true,
            ..Self::default()
        }
    }

    /// Reserves `len` scalars for a new entry and returns its offset; `values` fills them
    /// unless only the layout is kept.
    fn reserve(&mut self, name: &str, shape: &[usize], values: impl Iterator<Item = f32>) -> usize {
        let offset = self.size;
        let len: usize = shape.iter().product();
        if !self.layout_only {
            self.values.extend(values.take(len));
        }
        self.size += len;
        self.entries.push(ParamEntry {
            name: name.to_string(),
            shape: shape.to_vec(),
            offset,
        });
        offset
    }

    /// Registers a tensor initialised uniformly in `[−bound, bound]` and returns its offset.
    pub fn add_uniform(
        &mut self,
        name: &str,
        shape: &[usize],
        bound: f32,
        rng: &mut Pcg32,
    ) -> usize {
        self.reserve(
            name,
            shape,
            std::iter::repeat_with(|| rng.uniform(-bound, bound)),
        )
    }

    /// Registers a tensor with every entry `value` and returns its offset.
    pub fn add_constant(&mut self, name: &str, shape: &[usize], value: f32) -> usize {
        self.reserve(name, shape, std::iter::repeat(value))
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
        self.size
    }

    pub fn is_empty(&self) -> bool {
        self.size == 0
    }

    /// The values of one tensor by name.
    pub fn get(&self, name: &str) -> Option<&[f32]> {
        self.entry(name).map(|e| &self.values[e.range()])
    }
}
