//! Each head's addressing at one step, stage by stage as models.md §2–4 compute it:
//! what `engram trace --json` records under `steps[t].addressing` and the page's
//! pipeline view walks through, so a reader sees *why* a head chose a slot, in the
//! trained model's own numbers. The stages are the cores' own intermediates (the values
//! the backward pass uses), not a recomputation. docs/cli.md, "Trace", lists every stage.

use serde::Serialize;
use std::collections::BTreeMap;

/// How a stage's values are read, so a view can scale them without knowing the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StageKind {
    /// N values in [0, 1] (a weighting, usage, retention, an indicator).
    Weighting,
    /// N cosine similarities in [−1, 1].
    Similarity,
    /// N slot indices: the order in which slots are taken (the DNC's free list φ).
    Order,
    /// W values of a key, erase or write vector.
    Vector,
}

/// One stage: a named row of values and the head parameters that act at this stage.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stage {
    /// Identifier, stable across versions (e.g. `content`, `gated`).
    pub name: &'static str,
    /// What the row is, with the spec's equation, for people.
    pub label: &'static str,
    pub kind: StageKind,
    pub values: Vec<f32>,
    /// Parameters applied here, by their spec symbol (e.g. `β`, `g`, `s`, `γ`); a slot
    /// index for `zeroed slot`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub scalars: BTreeMap<&'static str, Vec<f32>>,
}

/// One head's stages, first to last; the stage named `weighting` is the head's weighting.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HeadAddressing {
    /// `write`, `read.0`, … (the LRU's heads, which read and write: `head.0`, …).
    pub head: String,
    /// The memory its content lookup compares the key with: `previous` (`M_{t−1}`, the
    /// step before's `memory`, or the initial 1e-6 fill at t = 0) or `current` (`M_t`).
    pub memory: &'static str,
    pub stages: Vec<Stage>,
}

impl HeadAddressing {
    pub fn new(head: impl Into<String>, memory: &'static str) -> Self {
        HeadAddressing {
            head: head.into(),
            memory,
            stages: Vec::new(),
        }
    }

    /// Appends a stage with no parameters.
    pub fn stage(
        mut self,
        name: &'static str,
        label: &'static str,
        kind: StageKind,
        values: &[f32],
    ) -> Self {
        self.stages.push(Stage {
            name,
            label,
            kind,
            values: values.to_vec(),
            scalars: BTreeMap::new(),
        });
        self
    }

    /// Adds parameter `symbol` to the last stage.
    pub fn with(mut self, symbol: &'static str, values: &[f32]) -> Self {
        let stage = self
            .stages
            .last_mut()
            .expect("a parameter belongs to a stage added before it");
        stage.scalars.insert(symbol, values.to_vec());
        self
    }

    /// The stage called `name`, if this head has one.
    pub fn find(&self, name: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.name == name)
    }
}

/// The cosine-similarity and content-weighting stages every content lookup starts with;
/// with a `mask` (the DNC's masked lookup, models.md §3.1), the mask after the key.
pub fn content_lookup(
    head: HeadAddressing,
    key: &[f32],
    mask: &[f32],
    similarity: &[f32],
    content: &[f32],
    strength: f32,
) -> HeadAddressing {
    let mut head = head.stage("key", "key k", StageKind::Vector, key);
    if !mask.is_empty() {
        head = head.stage(
            "mask",
            "mask m = σ(raw): the lookup compares k ⊙ m with M[i] ⊙ m",
            StageKind::Weighting,
            mask,
        );
    }
    head.stage(
        "similarity",
        "cosine similarity K(k, M[i])",
        StageKind::Similarity,
        similarity,
    )
    .stage(
        "content",
        "content weighting softmax(β·K)",
        StageKind::Weighting,
        content,
    )
    .with("β", &[strength])
}
