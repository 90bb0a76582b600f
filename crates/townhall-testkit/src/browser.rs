//! A real headless Chromium for page tests, driven over WebDriver by ChromeDriver,
//! with a virtual passkey authenticator and axe-core for accessibility checks.
//!
//! The first use installs Chromium, ChromeDriver and axe-core with
//! `scripts/install-browser-tools` when they are missing.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

use crate::tools::root;

fn axe_path() -> PathBuf {
    root().join("tools/browser/node_modules/axe-core/axe.min.js")
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// Installs the browser tools once per test process, when they are missing.
fn ensure_tools() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    crate::tools::install_once(
        &ONCE,
        || on_path("chromium") && on_path("chromedriver") && axe_path().is_file(),
        "install-browser-tools",
        "the browser tests need Chromium, ChromeDriver and axe-core",
    );
}

/// A headless Chromium session, closed (with its ChromeDriver) when dropped.
pub struct Browser {
    /// The WebDriver client.
    pub client: Client,
    driver: tokio::process::Child,
}

impl Browser {
    /// Starts ChromeDriver on a free port and opens a headless Chromium session.
    pub async fn start() -> Self {
        ensure_tools();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        // ChromeDriver and the Chromium it starts share a new process group, so
        // that a test that fails half-way still takes the whole browser down.
        let driver = tokio::process::Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .expect("start chromedriver");
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--window-size=1280,900"
                ]
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let mut last = None;
        for _ in 0..100 {
            match ClientBuilder::native()
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => return Self { client, driver },
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("could not start a Chromium session: {last:?}");
    }

    /// Adds a virtual platform authenticator (like a phone's fingerprint
    /// reader) that always verifies its user.
    pub async fn add_virtual_authenticator(&self) {
        self.client
            .issue_cmd(SessionPost {
                path: "webauthn/authenticator",
                body: json!({
                    "protocol": "ctap2",
                    "transport": "internal",
                    "hasResidentKey": true,
                    "hasUserVerification": true,
                    "isUserConsenting": true,
                    "isUserVerified": true
                }),
            })
            .await
            .expect("add a virtual authenticator");
    }

    /// Opens `url` and checks the page with axe-core (WCAG 2.2 A and AA);
    /// panics listing every violation.
    pub async fn visit(&self, url: &str) {
        self.client.goto(url).await.expect("open page");
        self.check_accessibility().await;
    }

    /// Runs axe-core on the current page at a desktop's width and a small
    /// phone's (375 CSS pixels); panics listing every violation.
    pub async fn check_accessibility(&self) {
        let source = std::fs::read_to_string(axe_path()).expect("read axe.min.js");
        self.client
            .execute(&source, vec![])
            .await
            .expect("inject axe-core");
        for width in [375, 1280] {
            self.client
                .set_window_size(width, 900)
                .await
                .expect("resize the window");
            self.run_axe(width).await;
        }
    }

    async fn run_axe(&self, width: u32) {
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { runOnly: { type: 'tag', values:
                     ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } })
                   .then(r => done(r.violations.map(v =>
                       v.id + ' (' + v.impact + '): ' + v.help + ' at ' +
                       v.nodes.map(n => n.target.join(' ')).join(', '))))
                   .catch(e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await
            .expect("run axe-core");
        let url = self.client.current_url().await.expect("url");
        let violations: Vec<String> = serde_json::from_value(result).unwrap_or_default();
        assert!(
            violations.is_empty(),
            "accessibility problems on {url} at {width} pixels wide:\n  {}",
            violations.join("\n  ")
        );
    }

    /// Types `text` into the field named `name`, replacing what was there.
    pub async fn fill(&self, name: &str, text: &str) {
        let field = self
            .client
            .find(Locator::Css(&format!("[name=\"{name}\"]")))
            .await
            .expect("field");
        field.clear().await.expect("clear field");
        field.send_keys(text).await.expect("type");
    }

    /// Presses Tab, as someone using only a keyboard does, until the element
    /// matching the CSS `selector` has the focus; panics if 80 presses do
    /// not reach it.
    pub async fn tab_to(&self, selector: &str) {
        for _ in 0..80 {
            let focused = self
                .client
                .execute(
                    "return document.activeElement !== null && document.activeElement.matches(arguments[0])",
                    vec![json!(selector)],
                )
                .await
                .expect("ask what has the focus");
            if focused == json!(true) {
                return;
            }
            self.press(fantoccini::key::Key::Tab).await;
        }
        let url = self.client.current_url().await.expect("url");
        panic!("{selector} cannot be reached with the Tab key on {url}");
    }

    /// Presses `key` in whatever has the focus.
    pub async fn press(&self, key: fantoccini::key::Key) {
        self.type_keys(&char::from(key).to_string()).await;
    }

    /// Types `text` into whatever has the focus.
    pub async fn type_keys(&self, text: &str) {
        self.client
            .active_element()
            .await
            .expect("the focused element")
            .send_keys(text)
            .await
            .expect("type");
    }

    /// Chooses the option with `value` in the select called `name`.
    pub async fn select(&self, name: &str, value: &str) {
        self.client
            .find(Locator::Css(&format!("select[name=\"{name}\"]")))
            .await
            .expect("select")
            .select_by_value(value)
            .await
            .expect("choose option");
    }

    /// Clicks the button or link matching the CSS `selector`.
    pub async fn click(&self, selector: &str) {
        self.client
            .find(Locator::Css(selector))
            .await
            .expect("element to click")
            .click()
            .await
            .expect("click");
    }

    /// Waits up to 10 seconds for the address to end with `path`.
    pub async fn wait_for_path(&self, path: &str) {
        for _ in 0..100 {
            let url = self.client.current_url().await.expect("url");
            if url.path() == path {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let url = self.client.current_url().await.expect("url");
        let text = self.text("main").await;
        panic!("expected to reach {path}, still at {url}:\n{text}");
    }

    /// Waits up to 10 seconds for an element matching `selector` whose text
    /// contains `text`, as after a form is sent or a script has answered.
    pub async fn wait_for_text(&self, selector: &str, text: &str) {
        for _ in 0..100 {
            if let Ok(element) = self.client.find(Locator::Css(selector)).await {
                if element.text().await.is_ok_and(|t| t.contains(text)) {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let url = self.client.current_url().await.expect("url");
        let main = self.text("main").await;
        panic!("expected '{text}' in {selector} at {url}, the page says:\n{main}");
    }

    /// The text of the first element matching `selector`.
    pub async fn text(&self, selector: &str) -> String {
        self.client
            .find(Locator::Css(selector))
            .await
            .expect("element")
            .text()
            .await
            .expect("text")
    }
}

impl Browser {
    /// Ends the session, closing Chromium; dropping then stops ChromeDriver.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(group) = self.driver.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{group}")])
                .status();
        }
        let _ = self.driver.start_kill();
    }
}

/// A POST to a session endpoint that fantoccini has no method for.
#[derive(Debug)]
struct SessionPost {
    path: &'static str,
    body: Value,
}

impl WebDriverCompatibleCommand for SessionPost {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}
