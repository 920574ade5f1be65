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
