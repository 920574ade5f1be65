//! The GPU kernels pinned across refactors: for every model family's configurations
//! below, the generated WGSL (sequence and weight-gradient kernels), the weight-gradient
//! jobs and the work each sequence needs hash to the digest recorded in
//! `tests/fixtures/kernel_sources.txt`. A change meant to keep behaviour (a memory's
//! layout moved into its folder, a helper shared) leaves every digest as it was; a
//! change to a layout, a job or a shader fails here, and if meant rewrites the file:
//! `ENGRAM_WRITE_KERNEL_DIGESTS=1 cargo test --release --test suite kernel_sources`,
//! said so in its commit. No GPU is needed: the sources are generated on the host. A
//! comment's edit in a shader changes nothing here.

use crate::common::digests::{check_or_write, digest};
use engram::gpu::Kernels;
use engram::kinds::{Family, LatentMemoryKind, ModelKind};
use engram::models::ModelConfig;
use engram::train::TrainConfig;
use std::collections::BTreeMap;

const DIGESTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/kernel_sources.txt"
);

/// Every model at its preset for its family's first task, two read heads where it has
/// heads; the DNC with each §3.1 option and all three; gtmm with each memory.
fn configurations() -> Vec<(String, ModelConfig)> {
    let preset = |model: ModelKind, task: &str| {
        let task = Family::of(model).task(task).unwrap();
        TrainConfig::preset(model, task).architecture
    };
    let mut all = Vec::new();
    for model in [
        ModelKind::Lstm,
        ModelKind::Ntm,
        ModelKind::Dnc,
        ModelKind::Lru,
    ] {
        let mut config = preset(model, "copy");
        if model != ModelKind::Lstm {
            config.read_heads = 2;
        }
        all.push((model.to_string(), config));
    }
    let dnc = preset(ModelKind::Dnc, "copy");
    for (name, masking, deallocation, link_sharpness) in [
        ("masking", true, false, false),
        ("deallocation", false, true, false),
        ("link_sharpness", false, false, true),
        ("all", true, true, true),
    ] {
        let mut config = dnc.clone();
        config.dnc.masking = masking;
        config.dnc.deallocation = deallocation;
        config.dnc.link_sharpness = link_sharpness;
        all.push((format!("dnc-{name}"), config));
    }
    for memory in LatentMemoryKind::ALL {
        let mut config = preset(ModelKind::Gtmm, "recall");
        config.generative.as_mut().unwrap().memory = memory;
        all.push((format!("gtmm-{}", memory.name()), config));
    }
    for model in [
        ModelKind::NeuralGpu,
        ModelKind::NeuralGpuDep,
        ModelKind::NeuralGpuDiag,
    ] {
        all.push((model.to_string(), preset(model, "reverse")));
    }
    all
}

#[test]
fn every_model_s_kernels_are_generated_as_recorded() {
    let mut digests = BTreeMap::new();
    for (name, config) in configurations() {
        let model = engram::build(&config, 3).unwrap();
        let kernels = Kernels::new(model.config(), model.params()).unwrap();
        let mut all = kernels.sequence_source();
        all.push_str(&kernels.weight_source());
        all.push_str(&format!(
            "{:?}\n{}",
            kernels.jobs(),
            kernels.sequence_floats(10)
        ));
        // Without its empty lines: the WGSL's comments are stripped at compile time but
        // their lines kept, so that a comment's edit alone changes nothing here.
        let code: Vec<&str> = all.lines().filter(|l| !l.trim().is_empty()).collect();
        digests.insert(name, digest(code.join("\n").as_bytes()));
    }
    assert_eq!(
        digests.len(),
        4 + 4 + 5 + 3,
        "every configuration has its own name"
    );
    check_or_write(DIGESTS, "ENGRAM_WRITE_KERNEL_DIGESTS", &digests, "kernels");
}
