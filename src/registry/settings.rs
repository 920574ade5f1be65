//! A model's hyperparameters read and written by their registry key. The CLI's flags,
//! the page's controls and the schema's defaults all go through here.
//!
//! Each registry line says where its setting lives in a [`ModelConfig`] (its
//! [`Place`]); the key is that field's name in the configuration's JSON, the object a
//! checkpoint stores (`every_registry_key_is_a_configuration_key` holds the two
//! together). A new hyperparameter is a field of its model's configuration and a line
//! in the registry.
//!
//! (The places are accessors rather than a round trip through the configuration's
//! JSON, which added about 7.7 KB gzipped to each of the page's wasm modules.)

use super::hyperparameters::Place;
use super::{info, HyperparameterInfo};
use crate::error::{config_error, Result};
use crate::kinds::ModelKind;
use crate::models::ModelConfig;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Model `kind`'s hyperparameter `key`, if the registry gives it one.
pub fn setting(kind: ModelKind, key: &str) -> Option<&'static HyperparameterInfo> {
    info(kind).hyperparameters.iter().find(|h| h.key == key)
}

/// Model `kind`'s hyperparameter keys, in the registry's order.
pub fn keys(kind: ModelKind) -> impl Iterator<Item = &'static str> {
    info(kind).hyperparameters.iter().map(|h| h.key)
}

/// Every hyperparameter of any model, once each, in the registry's order (a model's
/// first, then the next model's new ones).
pub fn all_settings() -> Vec<&'static HyperparameterInfo> {
    let mut all: Vec<&'static HyperparameterInfo> = Vec::new();
    for model in &super::MODELS {
        for h in model.hyperparameters {
            if !all.iter().any(|a| a.key == h.key) {
                all.push(h);
            }
        }
    }
    all
}

/// The models that have hyperparameter `key`, by name.
pub fn models_with(key: &str) -> Vec<&'static str> {
    super::MODELS
        .iter()
        .filter(|m| m.hyperparameters.iter().any(|h| h.key == key))
        .map(|m| m.kind.name())
        .collect()
}

/// A setting's value: a number, an on/off option or one of its choices. The CLI parses
/// one from a flag, the page sends one per control, the schema shows one as a default.
/// (Its own small type rather than `serde_json::Value`, whose general reader and writer
/// added about 10 KB gzipped to each of the page's wasm modules.)
#[derive(Clone, Debug, PartialEq)]
pub enum Setting {
    Number(f64),
    Switch(bool),
    Choice(String),
}

impl std::fmt::Display for Setting {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            Setting::Number(number) => write!(f, "{number}"),
            Setting::Switch(on) => write!(f, "{on}"),
            Setting::Choice(choice) => write!(f, "\"{choice}\""),
        }
    }
}

impl Serialize for Setting {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            // A whole number stays one in JSON ("32", not "32.0").
            Setting::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => {
                serializer.serialize_i64(*n as i64)
            }
            Setting::Number(n) => serializer.serialize_f64(*n),
            Setting::Switch(on) => serializer.serialize_bool(*on),
            Setting::Choice(choice) => serializer.serialize_str(choice),
        }
    }
}

impl<'de> Deserialize<'de> for Setting {
    fn deserialize<D: Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Setting, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Setting;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number, true or false, or a choice's name")
            }
            fn visit_bool<E>(self, on: bool) -> std::result::Result<Setting, E> {
                Ok(Setting::Switch(on))
            }
            fn visit_i64<E>(self, n: i64) -> std::result::Result<Setting, E> {
                Ok(Setting::Number(n as f64))
            }
            fn visit_u64<E>(self, n: u64) -> std::result::Result<Setting, E> {
                Ok(Setting::Number(n as f64))
            }
            fn visit_f64<E>(self, n: f64) -> std::result::Result<Setting, E> {
                Ok(Setting::Number(n))
            }
            fn visit_str<E>(self, choice: &str) -> std::result::Result<Setting, E> {
                Ok(Setting::Choice(choice.to_string()))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl HyperparameterInfo {
    /// `value` as this setting takes it, or why not: one of the choices, a boolean, or a
    /// number within the bounds (a whole one where the setting is whole). A fraction
    /// comes back as its shortest f32 decimal, so a value that went through JavaScript
    /// compares equal to its original.
    pub fn check(&self, value: &Setting) -> Result<Setting> {
        let key = self.key;
        if !self.choices.is_empty() {
            return match value {
                Setting::Choice(choice) if self.choices.contains(&choice.as_str()) => {
                    Ok(value.clone())
                }
                _ => Err(config_error(format!(
                    "{key} must be one of {}, got {value}",
                    self.choices.join(", "),
                ))),
            };
        }
        if self.boolean {
            return match value {
                Setting::Switch(_) => Ok(value.clone()),
                _ => Err(config_error(format!(
                    "{key} must be true or false, got {value}"
                ))),
            };
        }
        let number = match value {
            Setting::Number(number) if number.is_finite() => *number,
            _ => return Err(config_error(format!("{key} must be a number, got {value}"))),
        };
        if self.integer && number.fract() != 0.0 {
            return Err(config_error(format!(
                "{key} must be a whole number, got {number}"
            )));
        }
        if !(self.min..=self.max).contains(&number) {
            return Err(config_error(format!(
                "{key} must be between {} and {}, got {number}",
                self.min, self.max
            )));
        }
        Ok(Setting::Number(if self.integer {
            number
        } else {
            shortest_decimal(number as f32)
        }))
    }

    /// This setting's value written as text (a command line's): a choice, `true` or
    /// `false`, or a number, checked as [`HyperparameterInfo::check`] does.
    pub fn parse(&self, text: &str) -> Result<Setting> {
        let text = text.trim();
        let value = if !self.choices.is_empty() {
            Setting::Choice(text.to_string())
        } else if self.boolean {
            match text {
                "true" | "1" => Setting::Switch(true),
                "false" | "0" => Setting::Switch(false),
                _ => Setting::Choice(text.to_string()),
            }
        } else {
            match text.parse::<f64>() {
                Ok(number) => Setting::Number(number),
                Err(_) => Setting::Choice(text.to_string()),
            }
        };
        self.check(&value)
    }
}

/// Hyperparameter `key` of `config`, as the schema and the page show it (an f32 as its
/// shortest decimal); `None` where the model has no such setting.
pub fn read(config: &ModelConfig, key: &str) -> Option<Setting> {
    Some(match setting(config.model, key)?.place {
        Place::Whole(get, _) => Setting::Number(get(config) as f64),
        Place::Fraction(get, _) => Setting::Number(shortest_decimal(get(config))),
        Place::Switch(get, _) => Setting::Switch(get(config)),
        Place::Choice(get, _) => Setting::Choice(get(config).to_string()),
    })
}

/// Sets hyperparameter `key` of `config` to `value`, checked against the registry's
/// bounds; refuses a key that is not one of the model's settings, naming them, and
/// changes nothing then. The configuration as a whole is checked by its `validate`.
pub fn write(config: &mut ModelConfig, key: &str, value: &Setting) -> Result<()> {
    let Some(info) = setting(config.model, key) else {
        let own: Vec<&str> = keys(config.model).collect();
        return Err(config_error(format!(
            "{key} is not a setting of {} (its settings: {})",
            config.model,
            own.join(", ")
        )));
    };
    match (info.place, info.check(value)?) {
        (Place::Whole(_, set), Setting::Number(n)) => set(config, n as usize),
        (Place::Fraction(_, set), Setting::Number(n)) => set(config, n as f32),
        (Place::Switch(_, set), Setting::Switch(on)) => set(config, on),
        (Place::Choice(_, set), Setting::Choice(choice)) => set(config, &choice),
        _ => unreachable!("a checked value has its setting's type"),
    }
    Ok(())
}

/// The f64 of the decimal with the fewest places that reads back as `value` (1.2, not
/// 1.2000000476837158, for `1.2f32`). Computed rather than by printing and parsing,
/// which would bring the standard library's float parser and its 10 KB table into the
/// page's wasm.
pub fn shortest_decimal(value: f32) -> f64 {
    let mut scale = 1.0_f64;
    for _ in 0..10 {
        let decimal = (f64::from(value) * scale).round() / scale;
        if decimal as f32 == value {
            return decimal;
        }
        scale *= 10.0;
    }
    f64::from(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::MODELS;
    use crate::tasks::TaskConfig;
    use crate::train::TrainConfig;
    use serde_json::Value;

    /// The configuration as its JSON object, as a checkpoint stores it.
    fn object(config: &ModelConfig) -> serde_json::Map<String, Value> {
        match serde_json::to_value(config) {
            Ok(Value::Object(fields)) => fields,
            other => panic!("not an object: {other:?}"),
        }
    }

    #[test]
    fn the_shortest_decimal_is_the_printed_one() {
        // The standard library prints the shortest decimal that reads back as the f32.
        for value in [1.2_f32, 0.1, 1.0, 0.0, 3.25, 1e-4, 0.3333, 7.0e6, -2.5] {
            let printed: f64 = value.to_string().parse().unwrap();
            assert_eq!(shortest_decimal(value), printed, "{value}");
        }
        assert_eq!(shortest_decimal(1.2), 1.2);
    }

    fn preset(kind: ModelKind) -> ModelConfig {
        let family = crate::kinds::Family::of(kind);
        let task: TaskConfig = family.task(family.tasks()[0]).unwrap();
        TrainConfig::preset(kind, task).architecture
    }

    #[test]
    fn every_registry_key_is_a_configuration_key() {
        for model in &MODELS {
            let config = preset(model.kind);
            let fields = object(&config);
            for h in model.hyperparameters {
                // An option that is off is left out of the JSON.
                let stored = fields
                    .get(h.key)
                    .cloned()
                    .or_else(|| h.boolean.then_some(Value::Bool(false)));
                let stored = stored.map(|v| h.check(&serde_json::from_value(v).unwrap()).unwrap());
                assert_eq!(
                    read(&config, h.key),
                    stored,
                    "{}'s registry key {} reads another field than its configuration's",
                    model.kind,
                    h.key
                );
            }
        }
    }

    #[test]
    fn a_written_setting_reads_back_and_changes_only_itself() {
        for model in &MODELS {
            for h in model.hyperparameters {
                let before = preset(model.kind);
                let mut config = before.clone();
                // A value other than the preset's, within bounds.
                let current = read(&config, h.key).unwrap();
                let value = match &current {
                    Setting::Choice(current) => {
                        let other = h.choices.iter().find(|c| *c != current).unwrap();
                        Setting::Choice(other.to_string())
                    }
                    Setting::Switch(on) => Setting::Switch(!on),
                    Setting::Number(n) if *n == h.max => Setting::Number(h.min),
                    Setting::Number(_) => Setting::Number(h.max),
                };
                assert_ne!(value, current, "{}", h.key);
                write(&mut config, h.key, &value).unwrap();
                assert_eq!(read(&config, h.key), Some(value.clone()), "{}", h.key);
                let (mut a, mut b) = (object(&before), object(&config));
                a.remove(h.key);
                b.remove(h.key);
                assert_eq!(a, b, "writing {} changed another field", h.key);
            }
        }
    }

    #[test]
    fn out_of_range_and_foreign_settings_are_refused_by_name() {
        let mut ntm = preset(ModelKind::Ntm);
        let cases = [
            (
                "memory_slots",
                Setting::Number(0.0),
                "memory_slots must be between 1 and",
            ),
            ("memory_slots", Setting::Number(2.5), "whole number"),
            (
                "memory_slots",
                Setting::Number(f64::NAN),
                "must be a number",
            ),
            (
                "memory_slots",
                Setting::Choice("many".into()),
                "must be a number, got \"many\"",
            ),
            ("maps", Setting::Number(8.0), "maps is not a setting of ntm"),
        ];
        for (key, value, expected) in cases {
            let error = write(&mut ntm, key, &value).unwrap_err().to_string();
            assert!(error.contains(expected), "{key}: {error}");
        }
        assert_eq!(
            ntm,
            preset(ModelKind::Ntm),
            "a refused value changes nothing"
        );
        let mut gtmm = preset(ModelKind::Gtmm);
        let error = write(&mut gtmm, "memory", &Setting::Choice("tape".into())).unwrap_err();
        assert!(
            error.to_string().contains("one of none, introspective"),
            "{error}"
        );
        let mut dnc = preset(ModelKind::Dnc);
        assert!(write(&mut dnc, "dnc_masking", &Setting::Number(1.0)).is_err());
    }

    #[test]
    fn text_is_parsed_as_the_setting_takes_it() {
        let slots = setting(ModelKind::Ntm, "memory_slots").unwrap();
        assert_eq!(slots.parse(" 64 ").unwrap(), Setting::Number(64.0));
        assert!(slots.parse("64k").is_err());
        let cutoff = setting(ModelKind::NeuralGpu, "gate_cutoff").unwrap();
        assert_eq!(cutoff.parse("1.2").unwrap(), Setting::Number(1.2));
        let masking = setting(ModelKind::Dnc, "dnc_masking").unwrap();
        assert_eq!(masking.parse("true").unwrap(), Setting::Switch(true));
        assert!(masking.parse("yes").is_err());
        let memory = setting(ModelKind::Gtmm, "memory").unwrap();
        assert_eq!(memory.parse("lru").unwrap(), Setting::Choice("lru".into()));
    }

    #[test]
    fn a_setting_is_json_s_number_boolean_or_string() {
        for (json, setting) in [
            ("32", Setting::Number(32.0)),
            ("1.25", Setting::Number(1.25)),
            ("true", Setting::Switch(true)),
            ("\"dnc\"", Setting::Choice("dnc".into())),
        ] {
            assert_eq!(serde_json::from_str::<Setting>(json).unwrap(), setting);
            assert_eq!(serde_json::to_string(&setting).unwrap(), json);
        }
        assert!(serde_json::from_str::<Setting>("[1]").is_err());
    }
}
