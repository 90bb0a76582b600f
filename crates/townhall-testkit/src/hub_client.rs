//! pyauth's `http-message-signatures` from PyPI (RFC 9421), for the
//! data-exchange hub's interoperability test: installed by
//! `scripts/install-hub-client` when missing, and run by
//! `tools/hub-client/client.py`, a partner's client built on it.

use std::path::PathBuf;

fn tools() -> PathBuf {
    crate::tools::root().join("tools/hub-client")
}

/// Installs it once per test process, when it is missing.
fn ensure_installed() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    crate::tools::install_once(
        &ONCE,
        || tools().join(".venv/bin/python").is_file(),
        "install-hub-client",
        "the hub's interoperability test needs Python 3 and PyPI",
    );
}

/// Sends one request signed by the client with `args` (its command-line
/// options: `--url`, `--key-id`, `--private-key`, `--hub-key-id`,
/// `--hub-public-key`, …): what the client reports, `{"status",
/// "verified", "body"}` (and `"error"` when the hub's signature fails).
pub async fn run(args: &[&str]) -> serde_json::Value {
    ensure_installed();
    let out = tokio::process::Command::new(tools().join(".venv/bin/python"))
        .arg(tools().join("client.py"))
        .args(args)
        .output()
        .await
        .expect("run the hub client");
    assert!(
        out.status.success(),
        "the hub client failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the client's report is JSON")
}
