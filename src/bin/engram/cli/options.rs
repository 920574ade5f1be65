//! Flags shared by several commands, and their parsers.

use engram::kinds::Family;
use engram::registry::settings;
use engram::tasks::{TaskConfig, FRAME_TASK_NAMES, SYMBOL_TASK_NAMES, TASK_NAMES};
use engram::train::BackendChoice;
use engram::{ModelConfig, ModelKind};

/// The model's hyperparameters as flags, one per registry key (`memory_slots` is
/// `--memory-slots`), built from the registry: a setting added there is a flag here.
/// Each flag's help names its bounds and the models that have it; a flag given for a
/// model without that setting is refused by [`SettingArgs::apply`] with the model's own
/// flags named.
#[derive(Clone, Debug, Default)]
pub struct SettingArgs {
    /// Each setting given: its registry key and the text, in the registry's order.
    given: Vec<(&'static str, String)>,
}

/// Shorter names the memory sizes also answer to (`--slots 32`).
const ALIASES: [(&str, &str); 3] = [
    ("memory_slots", "slots"),
    ("memory_width", "width"),
    ("read_heads", "reads"),
];

/// `--memory`: the generative models' latent memory (`--memory dnc`), and for every
/// model a whole number there means the slot count (`--memory 16`: the same as
/// `--memory-slots 16`).
const MEMORY: &str = "memory";

fn flag(key: &str) -> String {
    key.replace('_', "-")
}

impl clap::Args for SettingArgs {
    fn augment_args(mut command: clap::Command) -> clap::Command {
        for info in settings::all_settings() {
            let mut help = info.label.to_string();
            if !info.choices.is_empty() {
                help += &format!(": {}", info.choices.join(", "));
            } else if !info.boolean {
                help += &format!(" ({} to {})", info.min, info.max);
            }
            if info.key == MEMORY {
                help += "; a number: the slot count N";
            }
            help += &format!(" [{}]", settings::models_with(info.key).join(", "));
            let mut arg = clap::Arg::new(info.key)
                .long(flag(info.key))
                .help(help.clone())
                .help_heading(
                    "Model settings (the registry's; `engram schema` lists each model's)",
                );
            arg = if info.boolean {
                arg.action(clap::ArgAction::SetTrue)
            } else {
                arg.value_name(if info.key == MEMORY {
                    "KIND|N"
                } else if info.integer {
                    "N"
                } else {
                    "X"
                })
            };
            if !info.detail.is_empty() {
                arg = arg.long_help(format!("{help}\n{}", info.detail));
            }
            if let Some((_, alias)) = ALIASES.iter().find(|(key, _)| *key == info.key) {
                arg = arg.visible_alias(*alias);
            }
            command = command.arg(arg);
        }
        command
    }

    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        Self::augment_args(command)
    }
}

impl clap::FromArgMatches for SettingArgs {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let mut args = SettingArgs::default();
        args.update_from_arg_matches(matches)?;
        Ok(args)
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        for info in settings::all_settings() {
            let text = if info.boolean {
                matches.get_flag(info.key).then(|| "true".to_string())
            } else {
                matches.get_one::<String>(info.key).cloned()
            };
            if let Some(text) = text {
                self.given.push((info.key, text));
            }
        }
        Ok(())
    }
}

impl SettingArgs {
    /// Sets every setting given on `config`, each checked against its registry bounds.
    /// Refuses a flag that is not a setting of the model, naming the model's flags.
    pub fn apply(&self, config: &mut ModelConfig) -> Result<(), String> {
        self.apply_to(config, false)
    }

    /// [`SettingArgs::apply`], passing over the settings the model does not have (a
    /// bench of every model with `--memory-slots 64` sizes the memory models only).
    pub fn apply_where_taken(&self, config: &mut ModelConfig) -> Result<(), String> {
        self.apply_to(config, true)
    }

    fn apply_to(&self, config: &mut ModelConfig, pass_over_others: bool) -> Result<(), String> {
        let model = config.model;
        let mut slots = None;
        for (key, text) in &self.given {
            let (key, text) = match text.trim().parse::<usize>() {
                Ok(_) if *key == MEMORY => ("memory_slots", text),
                _ => (*key, text),
            };
            if key == "memory_slots" && slots.replace(text).is_some() {
                return Err("give the slot count once: --memory N or --memory-slots N".into());
            }
            let info = settings::setting(model, key);
            if info.is_none() && pass_over_others {
                continue;
            }
            let Some(info) = info else {
                let own: Vec<String> = settings::keys(model)
                    .map(|key| format!("--{}", flag(key)))
                    .collect();
                return Err(format!(
                    "--{} is not a setting of {model} (its settings: {})",
                    flag(key),
                    own.join(", ")
                ));
            };
            // The registry's message names the key; the command line's, the flag.
            let as_flag = |e: engram::EngramError| match e {
                engram::EngramError::Config(message) => {
                    message.replacen(key, &format!("--{}", flag(key)), 1)
                }
                other => other.to_string(),
            };
            let value = info.parse(text).map_err(as_flag)?;
            settings::write(config, key, &value).map_err(as_flag)?;
        }
        Ok(())
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
