//! What the property tests share: how many cases they run and where proptest keeps the
//! inputs of failures it found.

use proptest::test_runner::{Config, FileFailurePersistence};

/// Cases per property: `PROPTEST_CASES`, or a default that keeps `cargo xtask test` short
/// (`cargo xtask fuzz` runs thousands).
pub(crate) fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(64)
}

/// The configuration of a test binary's properties. Failures found are kept in
/// `tests/proptest-regressions/<binary>.txt` (committed: proptest replays those seeds
/// first, in every later run); each one fixed also gets a plain unit test with its input,
/// which survives changes to the strategies that make a seed mean another input.
pub(crate) fn config(binary: &'static str) -> Config {
    let path = format!(
        "{}/tests/proptest-regressions/{binary}.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    Config {
        cases: cases(),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(Box::leak(
            path.into_boxed_str(),
        )))),
        ..Config::default()
    }
}
