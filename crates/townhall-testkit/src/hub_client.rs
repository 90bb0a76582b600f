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

/// Checks, with the client, a webhook the hub sent: `headers` as the
/// receiver got them, `body` as it got it. What the client says:
/// `{"verified": true}`, or `false` with an `"error"`.
pub async fn verify_webhook(
    (method, url): (&str, &str),
    headers: &[(String, String)],
    body: &[u8],
    (hub_key_id, hub_public_key): (&str, &str),
) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("a directory");
    let header_file = dir.path().join("headers.json");
    let body_file = dir.path().join("body");
    let lines: serde_json::Map<String, serde_json::Value> = headers
        .iter()
        .map(|(n, v)| (n.clone(), serde_json::Value::String(v.clone())))
        .collect();
    std::fs::write(&header_file, serde_json::Value::Object(lines).to_string()).expect("write");
    std::fs::write(&body_file, body).expect("write");
    run(&[
        "--verify-webhook",
        "--method",
        method,
        "--url",
        url,
        "--headers-file",
        header_file.to_str().expect("a path"),
        "--body-file",
        body_file.to_str().expect("a path"),
        "--hub-key-id",
        hub_key_id,
        "--hub-public-key",
        hub_public_key,
    ])
    .await
}
