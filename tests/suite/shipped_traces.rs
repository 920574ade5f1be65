//! Behaviour pinned across refactors: `engram trace --json` of every checkpoint the page
//! ships (`www/checkpoints/`) hashes to the digest recorded in
//! `tests/fixtures/shipped_traces.txt`. A change meant to keep behaviour (a module
//! moved, a type renamed) leaves every trace byte-identical; one that changes a single
//! bit of any logit or weighting fails here. A change meant to move numbers (a faster
//! kernel that sums in another order) rewrites the file deliberately:
//! `ENGRAM_WRITE_TRACE_DIGESTS=1 cargo test --release --test suite shipped_traces`, and
//! says so in its commit.

use crate::common::cli::engram;
use crate::common::digests::{check_or_write, digest};
use std::collections::BTreeMap;
use std::path::Path;

const DIGESTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/shipped_traces.txt"
);

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
        digests.insert(name, digest(&output.stdout));
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
    check_or_write(DIGESTS, "ENGRAM_WRITE_TRACE_DIGESTS", &digests, "trace");
}
