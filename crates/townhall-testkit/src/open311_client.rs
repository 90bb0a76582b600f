//! Code for America's `open311` client from PyPI, for the interoperability
//! test: installed by `scripts/install-open311-client` when missing, and run
//! by `tools/open311-client/run.py` against a real server.

use std::path::PathBuf;

fn tools() -> PathBuf {
    crate::tools::root().join("tools/open311-client")
}

/// Installs it once per test process, when it is missing.
fn ensure_installed() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    crate::tools::install_once(
        &ONCE,
        || tools().join(".venv/bin/python").is_file(),
        "install-open311-client",
        "the Open311 interoperability test needs Python 3 and PyPI",
    );
}

/// Lists services, creates a pothole report and reads it back through the
/// client against the GeoReport v2 `endpoint`; what the client saw.
pub async fn run(endpoint: &str, api_key: &str) -> serde_json::Value {
    ensure_installed();
    let out = tokio::process::Command::new(tools().join(".venv/bin/python"))
        .arg(tools().join("run.py"))
        .arg(endpoint)
        .arg(api_key)
        .output()
        .await
        .expect("run the open311 client");
    assert!(
        out.status.success(),
        "the open311 client failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the client's report is JSON")
}
