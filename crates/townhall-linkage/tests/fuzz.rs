//! The fuzz target over rows of a system's export
//! (`fuzz/fuzz_targets/csv_row.rs`), run by cargo-fuzz for a bounded time
//! from its seeds (`fuzz/seeds/csv_row`): no input it finds may panic. A
//! crash leaves its input in `fuzz/artifacts/csv_row/`, to be kept as a
//! seed once fixed. The first run installs cargo-fuzz with
//! `scripts/install-fuzz`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;

#[test]
fn rows_of_any_bytes_never_panic_in_a_bounded_fuzzing_run() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let installed = Command::new(root.join("scripts/install-fuzz"))
        .status()
        .expect("run scripts/install-fuzz");
    assert!(installed.success(), "scripts/install-fuzz failed");
    // The corpus the fuzzer grows goes to a folder of its own: the seeds stay as they are.
    let corpus = tempfile::tempdir().unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(&root)
        // cargo-fuzz passes libFuzzer's instrumentation as -Z flags, which
        // the stable compiler takes when told it may.
        .env("RUSTC_BOOTSTRAP", "1")
        .args([
            "fuzz",
            "run",
            "--sanitizer",
            "none",
            "--debug-assertions",
            "csv_row",
        ])
        .arg(corpus.path())
        .arg("fuzz/seeds/csv_row")
        .args(["--", "-max_total_time=60", "-max_len=2048"])
        .output()
        .expect("run cargo fuzz");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tail: String = stderr
        .lines()
        .rev()
        .take(40)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        out.status.success(),
        "the fuzzer found a failing row:\n{tail}"
    );
    assert!(stderr.contains("Done "), "the fuzzer ran: {tail}");
}
