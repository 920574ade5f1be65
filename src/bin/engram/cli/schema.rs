//! `engram schema`: every model with its family, objective and metrics, tasks,
//! hyperparameters (bounds and preset defaults), views and GPU support — the registry
//! the page builds its controls from.

use clap::Args;
use engram::registry::settings::Setting;
use engram::schema::schema;

#[derive(Args)]
pub struct SchemaArgs {
    /// Print JSON (the page's `schema()` returns the same).
    #[arg(long)]
    json: bool,
}

pub fn run(args: SchemaArgs) -> Result<(), String> {
    let schema = schema();
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&schema).expect("the schema always serialises")
        );
        return Ok(());
    }
    for model in &schema.models {
        let metrics: Vec<&str> = model.metrics.iter().map(|m| m.label).collect();
        let tasks: Vec<&str> = model.tasks.iter().map(|t| t.name).collect();
        println!("{}: {}", model.name, model.label);
        println!("  objective {:?}: {}", model.objective, metrics.join(", "));
        println!("  tasks: {}", tasks.join(", "));
        for h in &model.hyperparameters {
            if h.info.boolean {
                let default = if h.default == Setting::Switch(true) {
                    "on"
                } else {
                    "off"
                };
                println!(
                    "  --{:<20} {:<24} on/off, default {default}",
                    h.info.key.replace('_', "-"),
                    h.info.label,
                );
                continue;
            }
            if !h.info.choices.is_empty() {
                println!(
                    "  --{:<20} {:<24} {}, default {}",
                    h.info.key.replace('_', "-"),
                    h.info.label,
                    h.info.choices.join(" | "),
                    h.default
                );
                continue;
            }
            println!(
                "  --{:<20} {:<24} {} to {}, default {}",
                h.info.key.replace('_', "-"),
                h.info.label,
                h.info.min,
                h.info.max,
                h.default
            );
        }
    }
    Ok(())
}
