//! `townhall serve` as operators run it: a configuration file with two
//! councils, each answering on its own host name, stopped with SIGTERM.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use base64::Engine;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn townhall(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_townhall"))
        .args(args)
        .env_remove("TOWNHALL_DATABASE_URL")
        .output()
        .expect("run townhall")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn write_config(dir: &Path, port: u16, sites: &str) -> std::path::PathBuf {
    let config = dir.join("config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("consent.toml"), townhall_consent::demo::POLICY).unwrap();
    let path = dir.join("townhall.toml");
    std::fs::write(
        &path,
        format!(
            "version = 1\nlisten = \"127.0.0.1:{port}\"\nconfig_dir = \"{config}\"\n\
             secret_file = \"{secret}\"\n[database]\nurl = \"sqlite://{db}\"\n{sites}",
            config = config.display(),
            secret = dir.join("secret").display(),
            db = dir.join("townhall.db").display(),
        ),
    )
    .unwrap();
    path
}

const SITES: &str =
    "[[sites]]\ncouncil = \"riverside\"\npublic_url = \"https://riverside.example\"\n\
    [[sites]]\ncouncil = \"hillcrest\"\npublic_url = \"https://hillcrest.example\"\n";

fn create_councils(dir: &Path) {
    let data = dir.to_str().unwrap();
    for (slug, name) in [
        ("riverside", "Riverside Borough Council"),
        ("hillcrest", "Hillcrest District Council"),
    ] {
        let out = townhall(&[
            "admin",
            "--data-dir",
            data,
            "create-council",
            "--slug",
            slug,
            "--name",
            name,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// `townhall serve` with `config`, running.
fn serve(config: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_townhall"))
        .args(["serve", "--config", config.to_str().unwrap()])
        .env_remove("TOWNHALL_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Waits up to 30 seconds for the server on `port` to say it is ready.
async fn wait_ready(port: u16, within: Duration) {
    let started = Instant::now();
    loop {
        let ready = reqwest::get(format!("http://127.0.0.1:{port}/readyz")).await;
        if ready.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        assert!(
            started.elapsed() < within,
            "the server did not become ready"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `townhall demo` on the embedded store in `data`, with `more` arguments,
/// once it is ready (its first start seeds its council), and its port.
async fn demo(data: &str, more: &[&str]) -> (std::process::Child, u16) {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let demo = Command::new(env!("CARGO_BIN_EXE_townhall"))
        .args(["demo", "--data-dir", data, "--listen", &listen])
        .args(more)
        .env_remove("TOWNHALL_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_ready(port, Duration::from_secs(300)).await;
    (demo, port)
}

async fn page(port: u16, host: &str, path: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}{path}"))
        .header("host", host)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn serves_each_council_on_its_host_and_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    create_councils(dir.path());
    let port = free_port();
    let config = write_config(dir.path(), port, SITES);
    let mut server = serve(&config);

    wait_ready(port, Duration::from_secs(30)).await;

    let river = page(port, "riverside.example", "/").await;
    assert!(river.headers().contains_key("strict-transport-security"));
    assert!(river
        .text()
        .await
        .unwrap()
        .contains("Riverside Borough Council"));
    let hill = page(port, "Hillcrest.Example", "/")
        .await
        .text()
        .await
        .unwrap();
    assert!(hill.contains("Hillcrest District Council") && !hill.contains("Riverside"));
    let other = page(port, "127.0.0.1", "/").await;
    assert_eq!(other.status(), reqwest::StatusCode::MISDIRECTED_REQUEST);
    assert!(
        page(port, "riverside.example", "/dev/mailbox")
            .await
            .status()
            == reqwest::StatusCode::NOT_FOUND,
        "the demo mailbox is never served by `serve`"
    );

    let term = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server did not stop"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "graceful shutdown exits 0, not {status}");
}

#[test]
fn refuses_to_start_for_a_council_that_does_not_exist() {
    let dir = tempfile::tempdir().unwrap();
    create_councils(dir.path());
    let config = write_config(
        dir.path(),
        free_port(),
        &SITES.replace("\"hillcrest\"", "\"hilcrest\""),
    );
    let out = townhall(&["serve", "--config", config.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "there is no council 'hilcrest'; create it with `townhall admin create-council`"
        ),
        "{err}"
    );
}

/// What `serve` says when it refuses to start for two new councils whose
/// configuration directory holds `text` at `path` (beside the consent
/// policy).
fn refused_with(path: &str, text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    create_councils(dir.path());
    let config = write_config(dir.path(), free_port(), SITES);
    let file = dir.path().join("config").join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, text).unwrap();
    let out = townhall(&["serve", "--config", config.to_str().unwrap()]);
    assert!(!out.status.success());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// An agreement with an organisation the council has not registered as a
/// partner stops the server on start, naming the file and line.
#[test]
fn refuses_to_start_with_an_agreement_with_a_stranger() {
    let (file, text) = townhall_exchange::demo::AGREEMENTS[0];
    let err = refused_with(&format!("agreements/{file}"), text);
    // The line of the agreement's parties.
    let line = text.lines().position(|l| l.starts_with("parties")).unwrap() + 1;
    assert!(
        err.contains(&format!("gp-wellbeing-checks.toml:{line}: 'riverside-medical-centre' is not one of the council's partners (it has none yet); register it first")),
        "{err}"
    );
}

/// Trigger rules are checked on start against what the council has: one
/// reading a record of a council that keeps no resident index stops the
/// server, naming the file and line.
#[test]
fn refuses_to_start_with_a_rule_naming_what_the_council_does_not_have() {
    let (file, text) = townhall_triggers::demo::RULES[0];
    let err = refused_with(&format!("triggers/{file}"), text);
    let line = text.lines().position(|l| l.starts_with("system")).unwrap() + 1;
    assert!(
        err.contains(&format!(
            "bin-not-out-gp-call.toml:{line}: the council keeps no resident index (index.toml), so no record of 'adult_social_care' can be read"
        )),
        "{err}"
    );
}

/// Rounds are checked on start: a mistake in `waste.toml` names its file
/// and line, and a missed-collection service offering a bin no round knows
/// is refused, since a report of it could never be taken.
#[test]
fn refuses_to_start_with_rounds_that_do_not_fit_the_services() {
    let dir = tempfile::tempdir().unwrap();
    create_councils(dir.path());
    let data = dir.path().to_str().unwrap();
    let team = townhall(&[
        "admin",
        "--data-dir",
        data,
        "--council",
        "riverside",
        "create-team",
        "--name",
        "Waste and Recycling",
    ]);
    assert!(team.status.success(), "{team:?}");
    let config = write_config(dir.path(), free_port(), SITES);
    let services = dir.path().join("config/services");
    std::fs::create_dir_all(&services).unwrap();
    let (file, text) = townhall_services::demo::SERVICES
        .iter()
        .find(|(f, _)| *f == "report-missed-bin.toml")
        .unwrap();
    std::fs::write(services.join(file), text).unwrap();
    let rounds = r#"version = 1

[[containers]]
id = "general"
name = "General waste"
description = "grey 240 litre bin"

[[rounds]]
id = "general-high-street"
container = "general"
day = "monday"
every_weeks = 1
first = 2026-01-05
streets = [{ street = "High Street", district = "RV1" }]
"#;
    let waste = dir.path().join("config/waste.toml");
    std::fs::write(
        &waste,
        rounds.replace("day = \"monday\"", "day = \"mondays\""),
    )
    .unwrap();
    let out = townhall(&["serve", "--config", config.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("waste.toml:11: day 'mondays' must be a weekday, such as monday"),
        "{err}"
    );
    std::fs::write(&waste, rounds).unwrap();
    let out = townhall(&["serve", "--config", config.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("service report-missed-bin offers the bin 'recycling', which is not one of waste.toml's containers (general): a missed collection of it could never be reported"),
        "{err}"
    );
}

#[tokio::test]
async fn refuses_to_start_until_every_team_named_by_routing_exists() {
    let dir = tempfile::tempdir().unwrap();
    create_councils(dir.path());
    let port = free_port();
    let config = write_config(dir.path(), port, SITES);
    let services = dir.path().join("config/services");
    std::fs::create_dir_all(&services).unwrap();
    let (file, text) = townhall_services::demo::SERVICES
        .iter()
        .find(|(f, _)| *f == "report-pothole.toml")
        .unwrap();
    std::fs::write(services.join(file), text).unwrap();

    let out = townhall(&["serve", "--config", config.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("council 'riverside' (cases): service report-pothole routing rule 1 sends cases to team 'Highways', which does not exist"),
        "{err}"
    );
    assert_eq!(
        err.matches("which does not exist").count(),
        1,
        "said once: {err}"
    );

    // A mistake in a service file stops it too, with the file and line.
    std::fs::write(
        services.join(file),
        text.replace("deadline = \"5 working days\"", "deadline = \"soon\""),
    )
    .unwrap();
    let out = townhall(&["serve", "--config", config.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("report-pothole.toml:9: deadline 'soon' must be like"),
        "{err}"
    );

    let data = dir.path().to_str().unwrap();
    for council in ["riverside", "hillcrest"] {
        let out = townhall(&[
            "admin",
            "--data-dir",
            data,
            "--council",
            council,
            "create-team",
            "--name",
            "Highways",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    std::fs::write(services.join(file), text).unwrap();
    let mut server = serve(&config);
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        server.try_wait().unwrap().is_none(),
        "it starts once the team exists"
    );
    server.kill().unwrap();
    server.wait().unwrap();
}

/// A first start of the demo stopped half-way (here: only the council made)
/// is not taken for a whole demo council.
#[test]
fn a_demo_whose_first_seeding_stopped_half_way_is_not_reused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let made = townhall(&[
        "admin",
        "--data-dir",
        data,
        "create-council",
        "--slug",
        "riverside",
        "--name",
        "Riverside Borough Council",
    ]);
    assert!(made.status.success());
    let port = free_port().to_string();
    let out = townhall(&[
        "demo",
        "--data-dir",
        data,
        "--listen",
        &format!("127.0.0.1:{port}"),
    ]);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(
            "stopped before Riverside Borough Council was fully seeded; delete that directory"
        ),
        "{said}"
    );
}

/// `townhall admin partner`: a partner registered, a key made with its
/// private half printed once (and only its public half kept), listed and
/// retired; mistakes refused with what to type.
#[tokio::test]
async fn partners_and_their_keys_are_managed_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    create_councils(dir.path());
    let data = dir.path().to_str().unwrap();
    let partner = |args: &[&str]| {
        let mut all = vec![
            "admin",
            "--data-dir",
            data,
            "--council",
            "riverside",
            "partner",
        ];
        all.extend_from_slice(args);
        townhall(&all)
    };
    let register = [
        "register",
        "--id",
        "riverside-homes",
        "--name",
        "Riverside Homes",
        "--kind",
        "housing association",
        "--contact",
        "data.sharing@riversidehomes.example",
        "--dpo",
        "dpo@riversidehomes.example",
    ];
    let refused = partner(&register);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains(
            "--kind must be one of gp_practice, nhs_trust, police, housing_association, school, charity, council"
        ),
        "{refused:?}"
    );
    let mut fixed = register;
    fixed[6] = "housing_association";
    let done = partner(&fixed);
    assert!(done.status.success(), "{done:?}");
    let made = partner(&[
        "key",
        "create",
        "--partner",
        "riverside-homes",
        "--key-id",
        "rh-2027",
    ]);
    assert!(made.status.success(), "{made:?}");
    // Only the private key on standard output, so that it can be piped to a file.
    let printed = String::from_utf8(made.stdout).unwrap();
    let seed: [u8; 32] = base64::engine::general_purpose::STANDARD
        .decode(printed.trim())
        .unwrap()
        .try_into()
        .unwrap();
    assert!(String::from_utf8_lossy(&made.stderr).contains("shown this once"));
    let store = townhall_store::Store::open_dir(dir.path()).await.unwrap();
    let council = townhall_places::council_by_slug(&store, "riverside")
        .await
        .unwrap()
        .unwrap();
    let kept = townhall_exchange::partners::key(&store, council.id, "rh-2027")
        .await
        .unwrap()
        .unwrap();
    let signing = townhall_exchange::signature::SigningKey::from_seed("rh-2027", &seed).unwrap();
    assert_eq!(kept.public_key, signing.public_key());
    let listed = partner(&["key", "list", "--partner", "riverside-homes"]);
    let listed = String::from_utf8(listed.stdout).unwrap();
    // Valid from the start of this second: signatures carry whole seconds.
    assert!(
        listed.starts_with("rh-2027\triverside-homes\tfrom ")
            && listed.trim_end().ends_with(".000000Z\tno end"),
        "{listed}"
    );
    let early = partner(&[
        "key",
        "retire",
        "--key-id",
        "rh-2027",
        "--at",
        "2020-01-01T00:00:00Z",
    ]);
    assert!(String::from_utf8_lossy(&early.stderr)
        .contains("a key cannot stop being valid before it starts"));
    let retired = partner(&[
        "key",
        "retire",
        "--key-id",
        "rh-2027",
        "--at",
        "2099-01-01T00:00:00Z",
    ]);
    assert!(
        String::from_utf8_lossy(&retired.stdout).contains("until 2099-01-01T00:00:00.000000Z"),
        "{retired:?}"
    );
    let unknown = partner(&[
        "key",
        "create",
        "--partner",
        "riverside-police",
        "--key-id",
        "rp-1",
    ]);
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("there is no partner 'riverside-police'")
    );
    let hooked = partner(&[
        "webhook",
        "--partner",
        "riverside-homes",
        "--url",
        "https://riversidehomes.example/townhall",
        "--record-type",
        "person",
        "--record-type",
        "housing",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&hooked.stdout).trim(),
        "Messages to riverside-homes of person, housing now go to https://riversidehomes.example/townhall"
    );
    let plain = partner(&[
        "webhook",
        "--partner",
        "riverside-homes",
        "--url",
        "http://riversidehomes.example/",
    ]);
    assert!(
        String::from_utf8_lossy(&plain.stderr)
            .contains("a webhook address must be an https:// address"),
        "{plain:?}"
    );
    let nobody = partner(&["key", "list", "--partner", "nobody"]);
    assert!(!nobody.status.success());
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("there is no partner 'nobody'"));
    let twice = partner(&fixed);
    assert!(
        String::from_utf8_lossy(&twice.stderr)
            .contains("there is already a partner 'riverside-homes'"),
        "{twice:?}"
    );
}

/// `townhall admin partner staff`: a partner's staff given accounts with a
/// role, listed and closed; mistakes said before a password is asked for.
#[test]
fn a_partners_staff_are_given_accounts_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    create_councils(dir.path());
    let data = dir.path().to_str().unwrap();
    let staff = |args: &[&str], password: &str| {
        let mut all = vec![
            "admin",
            "--data-dir",
            data,
            "--council",
            "riverside",
            "partner",
        ];
        all.extend_from_slice(args);
        Command::new(env!("CARGO_BIN_EXE_townhall"))
            .args(&all)
            .env_remove("TOWNHALL_DATABASE_URL")
            .env("TOWNHALL_NEW_PASSWORD", password)
            .output()
            .expect("run townhall")
    };
    let registered = staff(
        &[
            "register",
            "--id",
            "riverside-homes",
            "--name",
            "Riverside Homes",
            "--kind",
            "housing_association",
            "--contact",
            "data.sharing@riversidehomes.example",
            "--dpo",
            "dpo@riversidehomes.example",
        ],
        "",
    );
    assert!(registered.status.success(), "{registered:?}");
    let add = |partner: &str, email: &str, role: &str, password: &str| {
        staff(
            &[
                "staff",
                "add",
                "--partner",
                partner,
                "--email",
                email,
                "--name",
                "Sam Carter",
                "--role",
                role,
            ],
            password,
        )
    };
    let good = "long enough passphrase 2026";
    for (output, said) in [
        (
            add(
                "riverside-homes",
                "sam@riversidehomes.example",
                "boss",
                good,
            ),
            "--role must be one of practitioner, manager",
        ),
        (
            add("riverside-homes", "not an address", "manager", good),
            "--email",
        ),
        (
            add(
                "riverside-zoo",
                "sam@riversidehomes.example",
                "manager",
                good,
            ),
            "there is no partner 'riverside-zoo'",
        ),
        (
            add(
                "riverside-homes",
                "sam@riversidehomes.example",
                "manager",
                "short",
            ),
            "Password must be 8 characters or more",
        ),
    ] {
        assert!(!output.status.success(), "{said}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(said),
            "{said}: {output:?}"
        );
    }
    let made = add(
        "riverside-homes",
        "sam@riversidehomes.example",
        "manager",
        good,
    );
    assert!(made.status.success(), "{made:?}");
    assert!(String::from_utf8_lossy(&made.stdout).contains(
        "Created an account for Sam Carter (Information governance manager, riverside-homes)"
    ));
    let again = add(
        "riverside-homes",
        "SAM@riversidehomes.example",
        "practitioner",
        good,
    );
    assert!(
        String::from_utf8_lossy(&again.stderr).contains(
            "a partner's staff account already has the email address sam@riversidehomes.example"
        ),
        "{again:?}"
    );
    let listed = staff(&["staff", "list", "--partner", "riverside-homes"], "");
    assert_eq!(
        String::from_utf8_lossy(&listed.stdout),
        "sam@riversidehomes.example\tSam Carter\tmanager\n"
    );
    let reset = |email: &str, password: &str| {
        staff(
            &[
                "staff",
                "reset-password",
                "--partner",
                "riverside-homes",
                "--email",
                email,
            ],
            password,
        )
    };
    let nobody = reset("kim@riversidehomes.example", good);
    assert!(
        String::from_utf8_lossy(&nobody.stderr).contains(
            "riverside-homes has nobody on its staff with the email address kim@riversidehomes.example"
        ),
        "{nobody:?}"
    );
    let weak = reset("sam@riversidehomes.example", "short");
    assert!(!weak.status.success());
    let done = reset("sam@riversidehomes.example", "another long passphrase");
    assert!(
        String::from_utf8_lossy(&done.stdout).contains(
            "Password changed for Sam Carter; they are signed out everywhere and any lock is lifted"
        ),
        "{done:?}"
    );
    let removed = staff(
        &[
            "staff",
            "remove",
            "--partner",
            "riverside-homes",
            "--email",
            "sam@riversidehomes.example",
        ],
        "",
    );
    assert!(removed.status.success(), "{removed:?}");
    let listed = staff(&["staff", "list", "--partner", "riverside-homes"], "");
    assert_eq!(String::from_utf8_lossy(&listed.stdout), "");
    let gone = staff(
        &[
            "staff",
            "remove",
            "--partner",
            "riverside-homes",
            "--email",
            "sam@riversidehomes.example",
        ],
        "",
    );
    assert!(String::from_utf8_lossy(&gone.stderr).contains(
        "riverside-homes has nobody on its staff with the email address sam@riversidehomes.example"
    ));
    let back = add(
        "riverside-homes",
        "sam@riversidehomes.example",
        "practitioner",
        good,
    );
    assert!(
        back.status.success(),
        "an address freed is given again: {back:?}"
    );
}

#[test]
fn api_keys_are_listed_and_their_limit_changed() {
    let dir = tempfile::tempdir().unwrap();
    create_councils(dir.path());
    let data = dir.path().to_str().unwrap();
    let admin = |args: &[&str]| {
        let mut all = vec![
            "admin",
            "--data-dir",
            data,
            "--council",
            "riverside",
            "api-key",
        ];
        all.extend_from_slice(args);
        townhall(&all)
    };
    // A key needs its scopes, each a scope Townhall knows, and none for the
    // accounts Townhall links itself.
    for (scopes, refusal) in [
        (&[][..], "--scope"),
        (&["--scope", "services"][..], "'services' is not a scope"),
        (
            &["--scope", "services:write"][..],
            "'services:write' is not a scope of this platform; use events:read, consent:read, open311:write, index:write:SYSTEM",
        ),
        (
            &["--scope", "index:write:Council Tax"][..],
            "is not a scope",
        ),
        (
            &["--scope", "index:write:accounts"][..],
            "no key may send them",
        ),
    ] {
        let mut args = vec!["create", "--name", "A refused key"];
        args.extend_from_slice(scopes);
        let refused = admin(&args);
        assert!(!refused.status.success(), "{scopes:?}");
        let said = String::from_utf8_lossy(&refused.stderr);
        assert!(said.contains(refusal), "{scopes:?}: {said}");
    }
    let made = admin(&[
        "create",
        "--name",
        "Street Reporter app",
        "--scope",
        "open311:write",
        "--scope",
        "consent:read",
        "--requests-per-minute",
        "30",
    ]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let secret = String::from_utf8(made.stdout).unwrap();
    let listed = String::from_utf8(admin(&["list"]).stdout).unwrap();
    assert!(
        !listed.contains(secret.trim()),
        "the secret is never shown again"
    );
    let row = listed
        .lines()
        .find(|l| l.contains("Street Reporter app"))
        .expect("the key is listed");
    let fields: Vec<&str> = row.split('\t').collect();
    assert_eq!(fields[2..4], ["consent:read open311:write", "30"], "{row}");
    let changed = admin(&[
        "limit",
        "--key-id",
        fields[0],
        "--requests-per-minute",
        "1200",
    ]);
    assert!(
        changed.status.success(),
        "{}",
        String::from_utf8_lossy(&changed.stderr)
    );
    let listed = String::from_utf8(admin(&["list"]).stdout).unwrap();
    assert!(listed.contains(&format!(
        "{}\tStreet Reporter app\tconsent:read open311:write\t1200\t",
        fields[0]
    )));
    let unknown = admin(&["limit", "--key-id", "nope", "--requests-per-minute", "5"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("has no API key 'nope'"));
    let zero = admin(&["limit", "--key-id", fields[0], "--requests-per-minute", "0"]);
    assert!(!zero.status.success(), "a limit of 0 is refused");
    let revoked = admin(&["revoke", "--key-id", fields[0]]);
    assert!(
        revoked.status.success(),
        "{}",
        String::from_utf8_lossy(&revoked.stderr)
    );
    let listed = String::from_utf8(admin(&["list"]).stdout).unwrap();
    let row = listed.lines().find(|l| l.starts_with(fields[0])).unwrap();
    assert!(
        !row.ends_with("\t-"),
        "the revocation time is listed: {row}"
    );
    let again = admin(&["revoke", "--key-id", fields[0]]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("still in use"));
}

#[tokio::test]
async fn the_postcodes_the_readme_suggests_each_hold_a_dozen_homes() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let line = readme
        .lines()
        .find(|l| l.contains("postcode: try"))
        .expect("the README suggests postcodes");
    let suggested: Vec<&str> = line.split('`').skip(1).step_by(2).collect();
    assert_eq!(suggested.len(), 3, "{line}");
    let dir = tempfile::tempdir().unwrap();
    let started = std::process::Command::new(env!("CARGO_BIN_EXE_townhall"))
        .args(["migrate", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(started.status.success());
    let store = townhall_store::Store::open_dir(dir.path()).await.unwrap();
    let seeded = townhall::platform()
        .unwrap()
        .seed_demo(&store, &dir.path().join("config"), &())
        .await
        .unwrap();
    let council = seeded.require::<townhall_places::Council>().unwrap();
    for postcode in suggested {
        let homes = townhall_places::addresses_at(&store, council.id, postcode)
            .await
            .unwrap();
        assert!(
            (10..=30).contains(&homes.len()),
            "{postcode}: {}",
            homes.len()
        );
    }
}

#[tokio::test]
async fn makes_the_jetstream_stream_it_is_given_or_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    create_councils(dir.path());
    let unique = uuid::Uuid::now_v7().simple().to_string();
    let stream = format!("TEST_{unique}");
    let jetstream = |url: &str| {
        format!(
            "{SITES}[jetstream]\nnats_url = \"{url}\"\nstream = \"{stream}\"\nsubject_prefix = \"test{unique}\"\n"
        )
    };
    // On the embedded store, which one machine holds, it makes no sense.
    let config = write_config(dir.path(), free_port(), &jetstream("nats://127.0.0.1:4222"));
    let out = townhall(&["serve", "--config", config.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("[jetstream] is for a deployment spread over several machines, which share one PostgreSQL store"), "{err}");
    // Nor when the command line swaps a configured PostgreSQL store for it.
    let text = std::fs::read_to_string(&config).unwrap();
    let sqlite = text
        .lines()
        .find_map(|l| l.strip_prefix("url = \""))
        .and_then(|l| l.strip_suffix('"'))
        .unwrap()
        .to_owned();
    std::fs::write(
        &config,
        text.replace(&sqlite, "postgres://townhall@127.0.0.1/townhall"),
    )
    .unwrap();
    let out = townhall(&[
        "serve",
        "--config",
        config.to_str().unwrap(),
        "--database-url",
        &sqlite,
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("[jetstream] is for a deployment spread over several machines"),
        "{err}"
    );

    let Some(database) = postgres_schema().await else {
        return;
    };
    for (slug, name) in [
        ("riverside", "Riverside Borough Council"),
        ("hillcrest", "Hillcrest District Council"),
    ] {
        let out = townhall(&[
            "admin",
            "--database-url",
            &database,
            "create-council",
            "--slug",
            slug,
            "--name",
            name,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let on_postgres = |config: std::path::PathBuf| {
        let text = std::fs::read_to_string(&config).unwrap();
        let (before, after) = text.split_once("[database]\n").unwrap();
        let after = after.split_once('\n').unwrap().1;
        std::fs::write(
            &config,
            format!("{before}[database]\nurl = \"{database}\"\n{after}"),
        )
        .unwrap();
        config
    };
    let config = on_postgres(write_config(
        dir.path(),
        free_port(),
        &jetstream("nats://127.0.0.1:1"),
    ));
    let out = townhall(&["serve", "--config", config.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("could not connect to NATS at nats://127.0.0.1:1"),
        "{err}"
    );

    let port = free_port();
    let config = on_postgres(write_config(
        dir.path(),
        port,
        &jetstream("nats://127.0.0.1:4222"),
    ));
    let mut server = serve(&config);
    wait_ready(port, Duration::from_secs(30)).await;
    let js =
        async_nats::jetstream::new(async_nats::connect("nats://127.0.0.1:4222").await.unwrap());
    let mut made = js.get_stream(&stream).await.unwrap();
    let subjects = made.info().await.unwrap().config.subjects.clone();
    server.kill().unwrap();
    server.wait().unwrap();
    js.delete_stream(&stream).await.unwrap();
    assert_eq!(subjects, [format!("test{unique}.>")]);
}

/// A URL for a new, empty schema of the PostgreSQL database the tests are
/// given (`TOWNHALL_TEST_DATABASE_URL`), if they are given one.
async fn postgres_schema() -> Option<String> {
    let base = std::env::var("TOWNHALL_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())?;
    let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
    let admin = townhall_store::Store::connect(&base).await.unwrap();
    townhall_store::sql::query(&format!("CREATE SCHEMA {schema}"))
        .execute(admin.reader())
        .await
        .unwrap();
    admin.close().await;
    let sep = if base.contains('?') { '&' } else { '?' };
    Some(format!("{base}{sep}options=-c%20search_path%3D{schema}"))
}

/// The README's walk through the hub, on the demo: a key made for Riverside
/// Medical Centre, Martin Hughes found by his details (his account confirmed
/// as his by Customer Services in the demo), and his phone number read
/// because he said yes to GP wellbeing checks.
#[tokio::test]
async fn the_demo_gp_finds_martin_and_reads_his_phone_number_as_the_readme_shows() {
    use townhall_exchange::signature::{nonce, Request, SigningKey};
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let (mut demo, port) = demo(data, &[]).await;
    let made = townhall(&[
        "admin",
        "partner",
        "--data-dir",
        data,
        "key",
        "create",
        "--partner",
        "riverside-medical-centre",
        "--key-id",
        "rmc-2026",
    ]);
    assert!(made.status.success(), "{made:?}");
    let seed: [u8; 32] = base64::engine::general_purpose::STANDARD
        .decode(String::from_utf8(made.stdout).unwrap().trim())
        .unwrap()
        .try_into()
        .unwrap();
    let key = SigningKey::from_seed("rmc-2026", &seed).unwrap();
    let client = reqwest::Client::new();
    let call = |method: &'static str, path_and_query: String, body: Vec<u8>| {
        let (path, query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
            None => (path_and_query.clone(), None),
        };
        let signed = key
            .sign_request(
                &Request {
                    method,
                    authority: "",
                    path: &path,
                    query: query.as_deref(),
                    headers: &[],
                    body: &body,
                },
                (now(), &nonce()),
            )
            .unwrap();
        client
            .request(
                method.parse().unwrap(),
                format!("http://127.0.0.1:{port}{path_and_query}"),
            )
            .header("content-digest", signed.content_digest)
            .header("signature-input", signed.signature_input)
            .header("signature", signed.signature)
            .body(body)
            .send()
    };
    let search = serde_json::json!({
        "purpose": "gp-wellbeing-checks",
        "given_name": "Martin",
        "family_name": "Hughes",
        "date_of_birth": "14/03/1951",
        "postcode": "RV4 3AX",
    });
    let found: serde_json::Value = call(
        "POST",
        "/api/hub/v1/people/search".into(),
        search.to_string().into_bytes(),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let person = found["person"]
        .as_str()
        .unwrap_or_else(|| panic!("{found}"));
    let read: serde_json::Value = call(
        "GET",
        format!("/api/hub/v1/people/{person}/person?purpose=gp-wellbeing-checks&fields=name,phone"),
        Vec::new(),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(read["fields"]["name"], "Martin Hughes", "{read}");
    assert!(read["fields"]["phone"].is_string(), "{read}");
    demo.kill().unwrap();
    demo.wait().unwrap();
}

/// The README's sensors walk-through, on the demo: a litter bin registered
/// from the command line, its fill level published with `mosquitto_pub`,
/// stored, and, past the demo's threshold, a report in the public feed.
#[tokio::test]
async fn the_demo_reads_a_litter_bin_published_with_mosquitto_pub() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let (mut demo, port) = demo(data, &["--mqtt", "mqtt://127.0.0.1:1883"]).await;
    // Martin's bin was put out at each of his last six collections.
    let martins = townhall(&[
        "sensors",
        "--data-dir",
        data,
        "device",
        "show",
        "urn:dev:tag:RV-00001",
    ]);
    let shown = String::from_utf8(martins.stdout).unwrap();
    assert_eq!(
        shown.lines().filter(|l| l.contains("\tlifted\t")).count(),
        6,
        "{shown}"
    );
    assert!(!shown.contains("not-presented"), "{shown}");
    // A new bin beside one the demo has, so inside the council's area.
    let listed = townhall(&[
        "sensors",
        "--data-dir",
        data,
        "device",
        "list",
        "--kind",
        "litter-bin",
    ]);
    assert!(listed.status.success(), "{listed:?}");
    let listed = String::from_utf8(listed.stdout).unwrap();
    assert_eq!(listed.lines().count(), 12, "{listed}");
    let place = listed
        .lines()
        .next()
        .unwrap()
        .split('\t')
        .nth(3)
        .unwrap()
        .to_owned();
    let (lat, lon) = place.split_once(", ").unwrap();
    let id = "urn:dev:litter-bin:RV-99";
    let added = townhall(&[
        "sensors",
        "--data-dir",
        data,
        "device",
        "add",
        "--id",
        id,
        "--kind",
        "litter-bin",
        "--label",
        "Litter bin, Riverside Park gate",
        "--owner",
        "Waste and Recycling",
        "--latitude",
        lat,
        "--longitude",
        lon,
    ]);
    assert!(added.status.success(), "{added:?}");
    let again = townhall(&[
        "sensors",
        "--data-dir",
        data,
        "device",
        "add",
        "--id",
        id,
        "--kind",
        "litter-bin",
        "--label",
        "Another",
        "--owner",
        "Waste",
        "--latitude",
        lat,
        "--longitude",
        lon,
    ]);
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already registered"),
        "{again:?}"
    );

    let feed = format!(
        "http://127.0.0.1:{port}/open311/v2/requests.json?service_code=report-full-litter-bin"
    );
    let reports = || async {
        reqwest::get(&feed)
            .await
            .unwrap()
            .json::<Vec<serde_json::Value>>()
            .await
            .unwrap()
            .len()
    };
    let before = reports().await;
    let pack = format!(r#"[{{"bn":"{id}:","n":"fill","u":"%","v":96}}]"#);
    let started = Instant::now();
    loop {
        // Published until the demo's subscription has taken it (it is
        // stored once however often it comes).
        let sent = Command::new("mosquitto_pub")
            .args([
                "-h",
                "127.0.0.1",
                "-q",
                "1",
                "-t",
                "townhall/riverside/readme",
                "-m",
                &pack,
            ])
            .output()
            .unwrap();
        assert!(sent.status.success(), "{sent:?}");
        let shown = townhall(&["sensors", "--data-dir", data, "device", "show", id]);
        if String::from_utf8_lossy(&shown.stdout).contains("fill\t96 %") && reports().await > before
        {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "{shown:?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(reports().await, before + 1, "one report for one filling");
    demo.kill().unwrap();
    demo.wait().unwrap();
}
