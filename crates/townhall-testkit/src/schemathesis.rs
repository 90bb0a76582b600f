//! schemathesis from PyPI, for the API conformance test: installed by
//! `scripts/install-schemathesis` when missing, and run against a real server
//! and the OpenAPI document it serves.

use std::path::PathBuf;

fn tools() -> PathBuf {
    crate::tools::root().join("tools/schemathesis")
}

/// Installs it once per test process, when it is missing.
fn ensure_installed() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    crate::tools::install_once(
        &ONCE,
        || tools().join(".venv/bin/schemathesis").is_file(),
        "install-schemathesis",
        "the API conformance test needs Python 3 and PyPI",
    );
}

/// What schemathesis is told beyond the document. A report's body is
/// checked against its service's definition (`GET services/{code}`: which
/// codes exist, which attributes each asks for, the council's area), which
/// no static document can state, so a body the document allows may still
/// be refused with the 400 it describes. Every other check stays on for
/// that operation. Its cases are drawn from valid data only: schemathesis
/// 4.32 cannot copy a body holding a file (`media`) when it breaks one value
/// of it, and stops with "Unsupported type: 'Binary'" at random; broken
/// reports are sent by the Open311 and text-input tests instead.
const CONFIG: &str = r#"
[checks]
enabled = true

[[operations]]
include-name = "POST /open311/v2/requests.{format}"
checks.positive_data_acceptance.enabled = false
generation.mode = "positive"
"#;

/// What a run found: whether every check passed, and its report.
pub struct Run {
    /// Every check passed on every case.
    pub passed: bool,
    /// schemathesis's report, with the failures and how to reproduce them.
    pub report: String,
}

/// Runs every schemathesis check on every operation of the document at
/// `{base}/api/openapi.json`, `examples` cases each, sending `api_key` as a
/// bearer token.
pub async fn run(base: &str, api_key: &str, examples: u32) -> Run {
    ensure_installed();
    let config = tempfile::NamedTempFile::new().expect("a config file");
    std::fs::write(config.path(), CONFIG).expect("write the config");
    let out = tokio::process::Command::new(tools().join(".venv/bin/schemathesis"))
        .arg("--config-file")
        .arg(config.path())
        .args(["run", &format!("{base}/api/openapi.json"), "--url", base])
        .args(["--workers", "1", "--no-color"])
        .args(["--max-examples", &examples.to_string()])
        .args(["--generation-database", "none"])
        .args(["--header", &format!("Authorization: Bearer {api_key}")])
        // It keeps state in `.schemathesis/` where it runs: not in the project.
        .current_dir(std::env::temp_dir())
        .output()
        .await
        .expect("run schemathesis");
    Run {
        passed: out.status.success(),
        report: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}
