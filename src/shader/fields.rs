//! Named offsets in a region of `work`, from which the families' layouts generate the
//! WGSL constants that tell their shaders where everything is.

/// Named offsets in one kind of region, in the order they were added.
#[derive(Clone, Debug, Default)]
pub struct Fields {
    pub names: Vec<(&'static str, usize)>,
    pub size: usize,
}

impl Fields {
    pub fn add(&mut self, name: &'static str, length: usize) -> usize {
        let at = self.size;
        self.names.push((name, at));
        self.size += length;
        at
    }

    pub fn get(&self, name: &str) -> usize {
        self.names
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, at)| at)
            .expect("a field the layout itself added")
    }
}

/// The four regions of a sequence's part of `work` in the memory and generative
/// families: `steps + 1` forward records (with the recurrent state at `F_STATE`), `steps`
/// gradient records and one carry region.
#[derive(Clone, Debug)]
pub struct Regions {
    pub record: Fields,
    pub state: Fields,
    pub gradient_record: Fields,
    pub carry: Fields,
}

impl Regions {
    fn all(&self) -> [&Fields; 4] {
        [
            &self.record,
            &self.state,
            &self.gradient_record,
            &self.carry,
        ]
    }

    /// Floats of `work` per sequence of up to `steps` steps.
    pub fn sequence_floats(&self, steps: usize) -> usize {
        (steps + 1) * self.record.size + steps * self.gradient_record.size + self.carry.size
    }

    /// The offset of a generated field in its region: a forward record for `F_*`, the
    /// state (at `F_STATE`) for `S_*`, a gradient record for `G_*`, the carry for `C_*`.
    pub fn offset(&self, name: &str) -> Option<usize> {
        self.all()
            .into_iter()
            .find_map(|fields| fields.names.iter().find(|(n, _)| *n == name))
            .map(|&(_, at)| at)
    }

    /// Every field as a WGSL `const` (the shaders' view of this layout).
    pub fn write_wgsl(&self, out: &mut String) {
        for fields in self.all() {
            super::write_constants(out, fields.names.iter().copied());
        }
    }
}
