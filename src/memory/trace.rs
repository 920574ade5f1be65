//! What a controller-and-memory model did at each step, for the views and `engram trace`:
//! the controller's output and what its memory filled in.

use super::addressing::HeadAddressing;
use serde::Serialize;
use std::collections::BTreeMap;

/// One weighting per step (`[N]`) or one per head (`[R][N]`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Weights {
    Single(Vec<f32>),
    PerHead(Vec<Vec<f32>>),
}

/// What a model did at one time step. Fields a model does not have are absent.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct StepTrace {
    /// The controller's output `h_t`.
    pub hidden: Vec<f32>,
    /// `M_t`, `[N][W]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<Vec<Vec<f32>>>,
    /// `[R][N]`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub read_weights: Vec<Vec<f32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub write_weights: Option<Weights>,
    /// `[R][W]`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub read_vectors: Vec<Vec<f32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<Vec<f32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allocation: Option<Vec<f32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precedence: Option<Vec<f32>>,
    /// `[N][N]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<Vec<Vec<f32>>>,
    /// Named gates and scalars (e.g. `write_gate`, `read_modes`), each a list.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub gates: BTreeMap<String, Vec<f32>>,
    /// Each head's addressing, stage by stage (models.md §2–4), writes first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub addressing: Vec<HeadAddressing>,
}

/// Splits a flat row-major buffer into rows of `width`.
pub fn rows(values: &[f32], width: usize) -> Vec<Vec<f32>> {
    values
        .chunks_exact(width.max(1))
        .map(<[f32]>::to_vec)
        .collect()
}
