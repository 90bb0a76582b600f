//! The tools nobody here wrote that tests drive, each kept under `tools/` and
//! installed by its own script under `scripts/` on first use.

use std::path::PathBuf;
use std::sync::Once;

/// The project's root folder.
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `scripts/{script}` once per test process (guarded by `once`) unless
/// `installed` already holds; `needs` says what the script needs, for the
/// message when it fails.
pub(crate) fn install_once(
    once: &'static Once,
    installed: impl Fn() -> bool,
    script: &str,
    needs: &str,
) {
    once.call_once(|| {
        if installed() {
            return;
        }
        let path = root().join("scripts").join(script);
        let status = std::process::Command::new(&path)
            .status()
            .unwrap_or_else(|e| panic!("run scripts/{script}: {e}"));
        assert!(status.success(), "scripts/{script} failed; {needs}");
    });
}
