//! Flags shared by several commands, and their parsers.

use clap::Args;
use engram::kinds::Family;
use engram::models::gtmm::{GenerativeConfig, LatentMemoryKind};
use engram::models::neural_gpu::NeuralGpuConfig;
use engram::tasks::{TaskConfig, FRAME_TASK_NAMES, SYMBOL_TASK_NAMES, TASK_NAMES};
use engram::train::BackendChoice;
use engram::ModelKind;

/// Model size flags; each overrides the preset's value.
#[derive(Args, Clone, Debug, Default)]
pub struct SizeArgs {
    /// Memory slots N; for gtmm, also where its latents are stored: none,
    /// introspective, ntm, lru or dnc (`--memory dnc --slots 32`).
    #[arg(long = "memory", value_name = "N|KIND", value_parser = parse_memory)]
    pub memory: Option<MemoryArg>,
    /// Memory slots N (the same as `--memory N`). Each size flag also answers to its
    /// registry key, as `engram schema` lists it (`--memory-slots`, `--memory-width`,
    /// `--read-heads`).
    #[arg(long = "slots", visible_alias = "memory-slots", value_name = "N")]
    pub slots: Option<usize>,
    /// Memory width W.
    #[arg(long = "width", visible_alias = "memory-width", value_name = "W")]
    pub memory_width: Option<usize>,
    /// Read heads R.
    #[arg(long = "reads", visible_alias = "read-heads", value_name = "R")]
    pub read_heads: Option<usize>,
    /// Controller LSTM size H.
    #[arg(long, value_name = "H")]
    pub hidden: Option<usize>,
    /// Controller LSTM layers.
    #[arg(long, value_name = "L")]
    pub layers: Option<usize>,
    /// Neural GPU: feature maps m of the mental image.
    #[arg(long, value_name = "M")]
    pub maps: Option<usize>,
    /// Neural GPU: rows h of the mental image.
    #[arg(long, value_name = "H")]
    pub height: Option<usize>,
    /// Neural GPU: CGRU layers per step.
    #[arg(long, value_name = "L")]
    pub cgru_layers: Option<usize>,
    /// Neural GPU: the gate cutoff c of σc (1.0: the plain sigmoid).
    #[arg(long, value_name = "C")]
    pub gate_cutoff: Option<f32>,
    /// gtmm: latent size Z.
    #[arg(long, value_name = "Z")]
    pub latent: Option<usize>,
    /// gtmm: the encoder's width E.
    #[arg(long, value_name = "E")]
    pub encoder_hidden: Option<usize>,
    /// gtmm: the prior's and posterior's hidden width P.
    #[arg(long, value_name = "P")]
    pub map_hidden: Option<usize>,
    /// gtmm: the decoder's hidden width G.
    #[arg(long, value_name = "G")]
    pub decoder_hidden: Option<usize>,
}

/// `--memory`: a slot count, or a generative model's memory variant.
#[derive(Clone, Copy, Debug)]
pub enum MemoryArg {
    Slots(usize),
    Kind(LatentMemoryKind),
}

fn parse_memory(text: &str) -> Result<MemoryArg, String> {
    match text.parse::<usize>() {
        Ok(n) => Ok(MemoryArg::Slots(n)),
        Err(_) => text.parse().map(MemoryArg::Kind),
    }
}

impl SizeArgs {
    /// Memory slots from `--slots` or `--memory N`.
    pub fn memory_slots(&self) -> Option<usize> {
        match self.memory {
            Some(MemoryArg::Slots(n)) => Some(n),
            _ => self.slots,
        }
    }

    /// The memory variant from `--memory KIND`.
    pub fn memory_kind(&self) -> Option<LatentMemoryKind> {
        match self.memory {
            Some(MemoryArg::Kind(kind)) => Some(kind),
            _ => None,
        }
    }

    /// `generative` with every gtmm flag given applied.
    pub fn apply_to_generative(&self, generative: &mut GenerativeConfig) {
        if let Some(kind) = self.memory_kind() {
            generative.memory = kind;
        }
        generative.latent = self.latent.unwrap_or(generative.latent);
        generative.encoder_hidden = self.encoder_hidden.unwrap_or(generative.encoder_hidden);
        generative.map_hidden = self.map_hidden.unwrap_or(generative.map_hidden);
        generative.decoder_hidden = self.decoder_hidden.unwrap_or(generative.decoder_hidden);
    }

    /// `image` with every Neural GPU flag given applied.
    pub fn apply_to_image(&self, image: &mut NeuralGpuConfig) {
        image.override_sizes(self.maps, self.height, self.cgru_layers, self.gate_cutoff);
    }
}

pub fn parse_model(text: &str) -> Result<ModelKind, String> {
    text.parse()
}

pub fn parse_task(text: &str) -> Result<String, String> {
    if TASK_NAMES.contains(&text)
        || SYMBOL_TASK_NAMES.contains(&text)
        || FRAME_TASK_NAMES.contains(&text)
    {
        Ok(text.to_string())
    } else {
        Err(format!(
            "unknown task '{text}' (bit-vector tasks: {}; symbol tasks: {}; image-sequence tasks: {})",
            TASK_NAMES.join(", "),
            SYMBOL_TASK_NAMES.join(", "),
            FRAME_TASK_NAMES.join(", ")
        ))
    }
}

/// The default configuration of task `name` for `model`'s family: a symbol task for the
/// Neural GPU family, a bit-vector task for the others.
pub fn task_for(model: ModelKind, name: &str) -> Result<TaskConfig, String> {
    Family::of(model)
        .task(name)
        .map_err(|e| format!("{e} for {model}"))
}

/// A positive whole number (one item of a comma-separated list such as `5,10,20`).
pub fn parse_positive(text: &str) -> Result<usize, String> {
    let text = text.trim();
    text.parse::<usize>()
        .ok()
        .filter(|&v| v > 0)
        .ok_or_else(|| format!("'{text}' is not a positive whole number"))
}

/// The most lengths one `--lengths` may name: a sweep, not a typo's 10⁹ evaluations.
const MAX_LENGTHS: usize = 4096;

/// The lengths `--lengths` names, in the order given.
#[derive(Clone, Debug)]
pub struct Lengths(pub Vec<usize>);

/// `--lengths`: a comma-separated list of lengths and ranges, `4,8,16`, `1-64` (every
/// length from 1 to 64) or `4-64:4` (every fourth: 4, 8, …, 64).
pub fn parse_lengths(text: &str) -> Result<Lengths, String> {
    let mut lengths = Vec::new();
    for item in text.split(',') {
        let item = item.trim();
        let Some((from, rest)) = item.split_once('-') else {
            lengths.push(parse_positive(item)?);
            continue;
        };
        let (to, step) = rest.split_once(':').unwrap_or((rest, "1"));
        let (from, to, step) = (
            parse_positive(from)?,
            parse_positive(to)?,
            parse_positive(step)?,
        );
        if from > to {
            return Err(format!("the range '{item}' runs backwards ({from} > {to})"));
        }
        if (to - from) / step + lengths.len() >= MAX_LENGTHS {
            return Err(format!("'{text}' names more than {MAX_LENGTHS} lengths"));
        }
        lengths.extend((from..=to).step_by(step));
    }
    Ok(Lengths(lengths))
}

pub fn parse_backend(text: &str) -> Result<BackendChoice, String> {
    text.parse()
}
