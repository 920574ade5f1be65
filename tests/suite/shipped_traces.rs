//! Behaviour pinned across refactors: `engram trace --json` of every checkpoint the page
//! ships (`www/checkpoints/`) hashes to the digest recorded in
//! `tests/fixtures/shipped_traces.txt`. A change meant to keep behaviour (a module
//! moved, a type renamed) leaves every trace byte-identical; one that changes a single
//! bit of any logit or weighting fails here. A change meant to move numbers (a faster
//! kernel that sums in another order) rewrites the file deliberately:
//! `ENGRAM_WRITE_TRACE_DIGESTS=1 cargo test --release --test suite shipped_traces`, and
//! says so in its commit.

use crate::common::cli::engram;
use std::collections::BTreeMap;
use std::path::Path;

const DIGESTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/shipped_traces.txt"
);

/// FNV-1a, 64 bits: enough to tell two traces apart, and no dependency.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn shipped_trace_digests() -> BTreeMap<String, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/checkpoints");
    let mut digests = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).expect("www/checkpoints") {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "safetensors") {
            continue;
        }
        let output = engram(&["trace", "--json", "--checkpoint", path.to_str().unwrap()]);
        assert!(
            output.status.success(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        digests.insert(
            name,
            format!("{:016x} {}", fnv1a(&output.stdout), output.stdout.len()),
        );
    }
    digests
}

#[test]
fn every_shipped_checkpoint_traces_byte_for_byte_as_recorded() {
    let digests = shipped_trace_digests();
    assert!(
        digests.len() >= 15,
        "the page ships {} checkpoints",
        digests.len()
    );
    if std::env::var_os("ENGRAM_WRITE_TRACE_DIGESTS").is_some() {
        let lines: String = digests
            .iter()
            .map(|(name, d)| format!("{name} {d}\n"))
            .collect();
        std::fs::write(DIGESTS, lines).unwrap();
        return;
    }
    let recorded: BTreeMap<String, String> = std::fs::read_to_string(DIGESTS)
        .expect("tests/fixtures/shipped_traces.txt")
        .lines()
        .filter_map(|line| line.split_once(' '))
        .map(|(name, d)| (name.to_string(), d.to_string()))
        .collect();
    assert_eq!(
        recorded.keys().collect::<Vec<_>>(),
        digests.keys().collect::<Vec<_>>(),
        "the recorded checkpoints are the shipped ones"
    );
    for (name, digest) in &digests {
        assert_eq!(
            &recorded[name], digest,
            "{name}: its trace (digest, bytes) changed"
        );
    }
}
