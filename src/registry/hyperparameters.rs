//! The hyperparameters as data: each one's key, label, bounds and where it lives in a
//! model's configuration. The registry's model lines list them; [`super::settings`]
//! reads and writes them.

use crate::kinds::LatentMemoryKind;
use crate::models::config::{MAX_HIDDEN, MAX_LAYERS, MAX_READ_HEADS, MAX_SLOTS, MAX_WIDTH};
use crate::models::gtmm::config::{MAX_LATENT, MAX_MLP};
use crate::models::neural_gpu::{MAX_CGRU_LAYERS, MAX_HEIGHT, MAX_MAPS};
use crate::models::ModelConfig;
use serde::Serialize;

/// Where a setting lives in a model's configuration: how to read it and write it, in
/// the setting's own type. Written only with a value that passed
/// [`HyperparameterInfo::check`].
#[derive(Clone, Copy, Debug)]
pub enum Place {
    Whole(fn(&ModelConfig) -> usize, fn(&mut ModelConfig, usize)),
    Fraction(fn(&ModelConfig) -> f32, fn(&mut ModelConfig, f32)),
    Switch(fn(&ModelConfig) -> bool, fn(&mut ModelConfig, bool)),
    Choice(fn(&ModelConfig) -> &'static str, fn(&mut ModelConfig, &str)),
}

/// The [`Place`] of a whole-number field: `whole!(hidden)` for a field of the
/// configuration, `whole!(image.maps)` for one of its family's settings (read as 0, and
/// not written, where the model has none: a model without them has no such key).
macro_rules! whole {
    ($field:ident) => {
        Place::Whole(|c| c.$field, |c, v| c.$field = v)
    };
    ($part:ident . $field:ident) => {
        Place::Whole(
            |c| c.$part.as_ref().map_or(0, |p| p.$field),
            |c, v| {
                if let Some(p) = &mut c.$part {
                    p.$field = v
                }
            },
        )
    };
}

/// A hyperparameter as data: its key in the configuration, a label, and bounds.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct HyperparameterInfo {
    pub key: &'static str,
    pub label: &'static str,
    pub min: f64,
    pub max: f64,
    /// Whole numbers only.
    pub integer: bool,
    /// For a setting that names one of several options (gtmm's memory), the options;
    /// `min`, `max` and `integer` are then unused. Empty for numbers.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub choices: &'static [&'static str],
    /// An on/off option (a checkbox); `min`, `max`, `integer` and `choices` unused.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub boolean: bool,
    /// Where the setting comes from, for a reader who wants the source (the page's
    /// tooltip): the label itself stays in the visitor's words. Empty for most.
    #[serde(skip_serializing_if = "str::is_empty")]
    pub detail: &'static str,
    /// Where it lives in a model's configuration ([`super::settings`] reads and writes it).
    #[serde(skip)]
    pub place: Place,
}

/// An on/off option.
const fn switch(
    key: &'static str,
    label: &'static str,
    detail: &'static str,
    place: Place,
) -> HyperparameterInfo {
    HyperparameterInfo {
        key,
        label,
        min: 0.0,
        max: 1.0,
        integer: true,
        choices: &[],
        boolean: true,
        detail,
        place,
    }
}

const fn whole(
    key: &'static str,
    label: &'static str,
    min: usize,
    max: usize,
    place: Place,
) -> HyperparameterInfo {
    HyperparameterInfo {
        key,
        label,
        min: min as f64,
        max: max as f64,
        integer: true,
        choices: &[],
        boolean: false,
        detail: "",
        place,
    }
}

/// A whole-number setting from 1 to `max`, keyed by its field's name:
/// `sized!(image.maps, "Feature maps m", MAX_MAPS)` is the key `maps`, read and written
/// at `config.image.maps`.
macro_rules! sized {
    ($field:ident, $label:expr, $max:expr) => {
        whole(stringify!($field), $label, 1, $max, whole!($field))
    };
    ($part:ident . $field:ident, $label:expr, $max:expr) => {
        whole(stringify!($field), $label, 1, $max, whole!($part.$field))
    };
}

pub(super) const CONTROLLER: HyperparameterInfo = sized!(hidden, "Controller size", MAX_HIDDEN);
pub(super) const LAYERS: HyperparameterInfo = sized!(layers, "Controller layers", MAX_LAYERS);
pub(super) const SLOTS: HyperparameterInfo = sized!(memory_slots, "Memory slots N", MAX_SLOTS);
pub(super) const WIDTH: HyperparameterInfo = sized!(memory_width, "Memory width W", MAX_WIDTH);
pub(super) const READS: HyperparameterInfo = sized!(read_heads, "Read heads R", MAX_READ_HEADS);
pub(super) const MAPS: HyperparameterInfo = sized!(image.maps, "Feature maps m", MAX_MAPS);
pub(super) const HEIGHT: HyperparameterInfo = sized!(image.height, "Image rows h", MAX_HEIGHT);
pub(super) const CGRU_LAYERS: HyperparameterInfo =
    sized!(image.cgru_layers, "CGRU layers per step", MAX_CGRU_LAYERS);
pub(super) const GATE_CUTOFF: HyperparameterInfo = HyperparameterInfo {
    key: "gate_cutoff",
    label: "Gate cutoff c",
    min: 1.0,
    max: 2.0,
    integer: false,
    choices: &[],
    boolean: false,
    detail: "",
    place: Place::Fraction(
        |c| c.image.as_ref().map_or(0.0, |i| i.gate_cutoff),
        |c, v| {
            if let Some(i) = &mut c.image {
                i.gate_cutoff = v
            }
        },
    ),
};
/// Where a generative model stores its latents (`LatentMemoryKind`'s names).
pub(super) const LATENT_MEMORY: HyperparameterInfo = HyperparameterInfo {
    key: "memory",
    label: "Latent memory",
    min: 0.0,
    max: 0.0,
    integer: false,
    choices: &LatentMemoryKind::NAMES,
    boolean: false,
    detail: "",
    place: Place::Choice(
        |c| c.generative.as_ref().map_or("none", |g| g.memory.name()),
        |c, v| {
            let named = LatentMemoryKind::ALL.into_iter().find(|m| m.name() == v);
            if let (Some(g), Some(memory)) = (&mut c.generative, named) {
                g.memory = memory
            }
        },
    ),
};
/// The DNC's improvements (models.md §3.1): labelled in a visitor's words, with the
/// paper (Csordás & Schmidhuber 2019, "Improving Differentiable Neural Computers Through
/// Memory Masking, De-allocation, and Link Distribution Sharpness Control") and section
/// as the detail.
pub(super) const DNC_MASKING: HyperparameterInfo = switch(
    "dnc_masking",
    "Masked lookup",
    "A learned mask picks which part of a slot a content lookup compares (Csordás & Schmidhuber 2019; models.md §3.1)",
    Place::Switch(|c| c.dnc.masking, |c, v| c.dnc.masking = v),
);
pub(super) const DNC_DEALLOCATION: HyperparameterInfo = switch(
    "dnc_deallocation",
    "De-allocation",
    "A freed slot is wiped, so old contents cannot match a later lookup (Csordás & Schmidhuber 2019; models.md §3.1)",
    Place::Switch(|c| c.dnc.deallocation, |c, v| c.dnc.deallocation = v),
);
pub(super) const DNC_LINK_SHARPNESS: HyperparameterInfo = switch(
    "dnc_link_sharpness",
    "Link sharpness",
    "The temporal links are sharpened so reading forward or backward follows one slot (Csordás & Schmidhuber 2019; models.md §3.1)",
    Place::Switch(|c| c.dnc.link_sharpness, |c, v| c.dnc.link_sharpness = v),
);

pub(super) const LATENT: HyperparameterInfo =
    sized!(generative.latent, "Latent size Z", MAX_LATENT);
pub(super) const MAP_HIDDEN: HyperparameterInfo =
    sized!(generative.map_hidden, "Prior/posterior hidden P", MAX_MLP);
pub(super) const ENCODER_HIDDEN: HyperparameterInfo =
    sized!(generative.encoder_hidden, "Encoder width E", MAX_MLP);
pub(super) const DECODER_HIDDEN: HyperparameterInfo =
    sized!(generative.decoder_hidden, "Decoder width G", MAX_MLP);
