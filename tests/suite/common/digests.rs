//! Behaviour pinned by digest: a test computes a digest per named thing, and compares
//! them with the ones recorded in a fixture file (`name digest` per line), or, with the
//! fixture's environment variable set, writes them there instead (a deliberate change,
//! said so in its commit).

use std::collections::BTreeMap;

/// FNV-1a, 64 bits: enough to tell two outputs apart, and no dependency.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `bytes` as the fixture records it: its digest and its length.
pub fn digest(bytes: &[u8]) -> String {
    format!("{:016x} {}", fnv1a(bytes), bytes.len())
}

/// Compares `digests` with the fixture at `path`, or writes them there when the
/// environment variable `write` is set. `what` says what a digest is of.
pub fn check_or_write(path: &str, write: &str, digests: &BTreeMap<String, String>, what: &str) {
    if std::env::var_os(write).is_some() {
        let lines: String = digests
            .iter()
            .map(|(name, d)| format!("{name} {d}\n"))
            .collect();
        std::fs::write(path, lines).unwrap();
        return;
    }
    let recorded: BTreeMap<String, String> = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .filter_map(|line| line.split_once(' '))
        .map(|(name, d)| (name.to_string(), d.to_string()))
        .collect();
    assert_eq!(
        recorded.keys().collect::<Vec<_>>(),
        digests.keys().collect::<Vec<_>>(),
        "the recorded names are the ones computed ({path})"
    );
    for (name, digest) in digests {
        assert_eq!(
            &recorded[name], digest,
            "{name}: its {what} (digest, bytes) changed; if that was meant, {write}=1 rewrites {path}"
        );
    }
}
