//! The shape of the workspace, as ARCHITECTURE.md describes it, checked on
//! every test run: `cargo metadata` for the dependencies, the sources for
//! the rest. A failure names the crate or file and the rule it breaks.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Each crate's layer: a crate depends only on crates of lower layers, so
/// dependencies point one way (ARCHITECTURE.md, "Code map"). A new
/// capability crate takes the layer above what it uses.
const LAYERS: &[(&str, u8)] = &[
    ("townhall-types", 0),
    ("townhall-linkage", 0),
    ("townhall-store", 1),
    ("townhall-authz", 1),
    ("townhall-events", 2),
    ("townhall-kernel", 3),
    ("townhall-jetstream", 3),
    ("townhall-places", 4),
    ("townhall-audit", 4),
    ("townhall-notify", 4),
    ("townhall-payments", 4),
    ("townhall-identity", 5),
    ("townhall-consent", 5),
    ("townhall-services", 5),
    ("townhall-waste", 5),
    ("townhall-cases", 6),
    ("townhall-index", 6),
    ("townhall-exchange", 7),
    ("townhall-sensors", 7),
    ("townhall-triggers", 8),
    ("townhall-web", 7),
    ("townhall-cli", 7),
    ("townhall-index-web", 9),
    ("townhall-consent-web", 9),
    ("townhall-identity-web", 9),
    ("townhall-cases-web", 9),
    ("townhall-exchange-web", 9),
    ("townhall-waste-web", 9),
    ("townhall-sensors-web", 9),
    ("townhall-sensors-cli", 9),
    ("townhall-triggers-web", 9),
    ("townhall-triggers-cli", 9),
    ("townhall-exchange-cli", 9),
    ("townhall-index-cli", 9),
    ("townhall-identity-cli", 9),
    ("townhall-audit-cli", 9),
    ("townhall", 10),
    ("townhall-testkit", 11),
];

/// The web layer: the kernel every page shares (`townhall-web`) and each
/// capability's pages and API (`townhall-NAME-web`).
fn is_web(name: &str) -> bool {
    name == "townhall-web" || name.ends_with("-web")
}

/// Whether a crate, by name, may name a dependency.
type Allowed = fn(&str) -> bool;

/// The only crates that may name these dependencies.
const ONLY: &[(&str, Allowed)] = &[
    // SQL through the store's driver-neutral layer, nowhere else.
    ("sqlx", |crate_name| crate_name == "townhall-store"),
    // HTTP in the web crates (the binary starts it; the test kit drives it).
    ("axum", |crate_name| {
        is_web(crate_name) || ["townhall", "townhall-testkit"].contains(&crate_name)
    }),
];

/// The longest a module may be, in lines before its tests.
const MODULE_LINES: usize = 800;

struct Package {
    name: String,
    manifest: PathBuf,
    /// Normal (not dev or build) dependencies, by name.
    uses: Vec<String>,
}

fn workspace() -> Vec<Package> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| Package {
            name: p["name"].as_str().unwrap().to_owned(),
            manifest: PathBuf::from(p["manifest_path"].as_str().unwrap()),
            uses: p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["kind"].is_null())
                .map(|d| d["name"].as_str().unwrap().to_owned())
                .collect(),
        })
        .collect()
}

fn layer(name: &str) -> Option<u8> {
    LAYERS.iter().find(|(n, _)| *n == name).map(|(_, l)| *l)
}

#[test]
fn dependencies_point_one_way() {
    let mut wrong = Vec::new();
    for p in workspace() {
        let Some(mine) = layer(&p.name) else {
            wrong.push(format!("{} has no layer in tidy.rs's LAYERS", p.name));
            continue;
        };
        for d in p.uses.iter().filter(|d| d.starts_with("townhall")) {
            match layer(d) {
                Some(theirs) if theirs < mine => {}
                _ => wrong.push(format!("{} (layer {mine}) depends on {d}", p.name)),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Whether `name` is a capability crate: one whose manifest the platform
/// lists (capability `NAME` is the crate `townhall-NAME`, checked once).
fn is_capability(name: &str) -> bool {
    static CRATES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    CRATES
        .get_or_init(|| {
            let members = workspace();
            let crates: Vec<String> = townhall::platform()
                .unwrap()
                .capabilities()
                .iter()
                .map(|c| format!("townhall-{}", c.name))
                .collect();
            for c in &crates {
                assert!(
                    members.iter().any(|p| &p.name == c),
                    "the capability listed as '{c}' has no crate of that name"
                );
            }
            crates
        })
        .iter()
        .any(|c| c == name)
}

#[test]
fn capabilities_use_each_other_only_where_said() {
    let short = |name: &str| name.trim_start_matches("townhall-").to_owned();
    let mut used = std::collections::BTreeSet::new();
    for p in workspace().into_iter().filter(|p| is_capability(&p.name)) {
        for d in p.uses.iter().filter(|d| is_capability(d)) {
            used.insert((short(&p.name), short(d)));
        }
    }
    assert_said("Capabilities that use each other", &used);
}

/// Fails unless the edges `used` are exactly those listed, each with its
/// reason, in the ARCHITECTURE.md section titled `title`.
fn assert_said(title: &str, used: &std::collections::BTreeSet<(String, String)>) {
    let said = said_in(title);
    let unsaid: Vec<_> = used.difference(&said).collect();
    let gone: Vec<_> = said.difference(used).collect();
    assert!(
        unsaid.is_empty() && gone.is_empty(),
        "'{title}': used without a reason in ARCHITECTURE.md: {unsaid:?}; said but not used: {gone:?}"
    );
}

/// The edges `- `from` → `to`: why` listed, each with its reason, in the
/// ARCHITECTURE.md section titled `title`.
fn said_in(title: &str) -> std::collections::BTreeSet<(String, String)> {
    let architecture = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ARCHITECTURE.md"),
    )
    .unwrap();
    let section = architecture
        .split(&format!("## {title}"))
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .unwrap_or_else(|| panic!("ARCHITECTURE.md has a section '{title}'"));
    section
        .lines()
        .filter_map(|line| {
            let (edge, why) = line.strip_prefix("- `")?.split_once(": ")?;
            let (from, to) = edge.split_once("` → `")?;
            (!why.trim().is_empty()).then(|| (from.to_owned(), to.trim_end_matches('`').to_owned()))
        })
        .collect()
}

/// What the web and command-line kernels hand every page or command: the
/// person signed in (identity's types) and the council (places').
const HANDED: &[(&str, &[&str])] = &[
    ("townhall-web", &["townhall-identity", "townhall-places"]),
    ("townhall-cli", &["townhall-places"]),
];

#[test]
fn pages_and_commands_use_other_capabilities_only_where_said() {
    // A capability's web or command-line crate uses its capability, what
    // that capability uses, and what its kernel hands every page or command
    // (the signed-in person, the council); anything else is listed.
    let short = |name: &str| name.trim_start_matches("townhall-").to_owned();
    let packages = workspace();
    let uses = |name: &str| -> Vec<String> {
        packages
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.uses.clone())
            .unwrap_or_default()
    };
    let mut used = std::collections::BTreeSet::new();
    for p in &packages {
        let Some((capability, kernel)) = p
            .name
            .strip_suffix("-web")
            .map(|c| (c, "townhall-web"))
            .or_else(|| p.name.strip_suffix("-cli").map(|c| (c, "townhall-cli")))
            .filter(|(c, _)| is_capability(c))
        else {
            continue;
        };
        let own: Vec<String> = std::iter::once(capability.to_owned())
            .chain(uses(capability))
            .chain(
                HANDED
                    .iter()
                    .filter(|(k, _)| *k == kernel)
                    .flat_map(|(_, c)| c.iter().map(|c| (*c).to_owned())),
            )
            .collect();
        for d in p
            .uses
            .iter()
            .filter(|d| is_capability(d) && !own.contains(d))
        {
            used.insert((short(&p.name), short(d)));
        }
    }
    assert_said("Pages and commands that use other capabilities", &used);
}

#[test]
fn only_their_crates_name_sql_and_http() {
    let mut wrong = Vec::new();
    for p in workspace() {
        for (dependency, allowed) in ONLY {
            if p.uses.iter().any(|d| d == dependency) && !allowed(&p.name) {
                wrong.push(format!("{} depends on {dependency}", p.name));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_crate_keeps_the_workspace_lints() {
    // They deny unsafe code, unwrap/expect/panic in library code, and
    // (with clippy's -D warnings) undocumented public items.
    let wrong: Vec<String> = workspace()
        .into_iter()
        .filter(|p| {
            let manifest = std::fs::read_to_string(&p.manifest).unwrap();
            !manifest.contains("[lints]\nworkspace = true")
        })
        .map(|p| p.name)
        .collect();
    assert!(
        wrong.is_empty(),
        "without [lints] workspace = true: {wrong:?}"
    );
}

/// Every Rust source under each crate's `src/`.
fn sources() -> BTreeMap<String, PathBuf> {
    fn walk(dir: &Path, found: &mut BTreeMap<String, PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.insert(path.display().to_string(), path);
            }
        }
    }
    let mut found = BTreeMap::new();
    for p in workspace() {
        let src = p.manifest.parent().unwrap().join("src");
        if src.is_dir() {
            walk(&src, &mut found);
        }
    }
    found
}

#[test]
fn the_web_and_command_line_crates_open_no_transactions() {
    // Handlers and commands parse, call one command of a capability, and
    // answer; a workflow that needs a transaction is a command in its
    // capability.
    let web: Vec<PathBuf> = workspace()
        .into_iter()
        .filter(|p| is_web(&p.name) || p.name.ends_with("-cli"))
        .map(|p| p.manifest.parent().unwrap().join("src"))
        .collect();
    assert!(web.len() > 4, "the web and command-line crates are found");
    let wrong: Vec<String> = sources()
        .into_iter()
        .filter(|(_, path)| web.iter().any(|w| path.starts_with(w)))
        .flat_map(|(name, path)| {
            std::fs::read_to_string(&path)
                .unwrap()
                .lines()
                .enumerate()
                .filter(|(_, line)| {
                    [".begin()", "Store::begin(", ".commit()", ".rollback()"]
                        .iter()
                        .any(|call| line.contains(call))
                })
                .map(|(n, line)| format!("{name}:{}: {}", n + 1, line.trim()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn no_module_is_too_long_to_live_in() {
    let wrong: Vec<String> = sources()
        .into_iter()
        .filter_map(|(name, path)| {
            let text = std::fs::read_to_string(&path).unwrap();
            let lines = text
                .lines()
                .take_while(|l| !l.starts_with("#[cfg(test)]"))
                .count();
            (lines > MODULE_LINES).then(|| format!("{name}: {lines} lines"))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "longer than {MODULE_LINES} lines before their tests; split them by what they hold:\n{}",
        wrong.join("\n")
    );
}

/// The first segment of each path a `use`-style text names: `a::b` gives
/// `a`, `{a, b::c, d as e}` gives `a`, `b`, `d`.
fn first_segments(text: &str) -> Vec<String> {
    let ident = |t: &str| -> String {
        t.trim()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    match text.trim_start().strip_prefix('{') {
        Some(group) => {
            let mut depth = 0;
            let mut parts = vec![String::new()];
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => parts.push(String::new()),
                    _ => {}
                }
                if let Some(last) = parts.last_mut() {
                    last.push(c);
                }
            }
            parts
                .iter()
                .map(|p| ident(p.trim_start_matches(',')))
                .collect()
        }
        None => vec![ident(text)],
    }
}

/// A crate's code without comments or tests.
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let code = text.split("#[cfg(test)]").next().unwrap();
    code.lines()
        .map(|l| l.split("//").next().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The crate-level modules each module of `src` names in its code (not its
/// comments or tests): `crate::x`, `crate::{x, y}`, `super::x` in a
/// top-level module, and `crate::Item` where the crate root re-exports
/// `Item` from `x`, make it use `x`.
fn module_uses(src: &Path) -> BTreeMap<String, std::collections::BTreeSet<String>> {
    let files: Vec<PathBuf> = sources()
        .into_values()
        .filter(|p| p.starts_with(src))
        .collect();
    let module_of = |path: &Path| -> String {
        let top = path.strip_prefix(src).unwrap().components().next().unwrap();
        Path::new(top.as_os_str())
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned()
    };
    let modules: std::collections::BTreeSet<String> = files.iter().map(|p| module_of(p)).collect();
    // What the crate root re-exports, by the module it comes from.
    let mut from: BTreeMap<String, String> = BTreeMap::new();
    for root in ["lib.rs", "main.rs"] {
        let root = src.join(root);
        if !root.exists() {
            continue;
        }
        for statement in code_of(&root).split("pub use ").skip(1) {
            let statement = statement.split(';').next().unwrap();
            let statement = statement.trim().trim_start_matches("crate::");
            let Some((module, rest)) = statement.split_once("::") else {
                continue;
            };
            if modules.contains(module) {
                for item in first_segments(rest) {
                    from.insert(item, module.to_owned());
                }
            }
        }
    }
    let mut uses: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for path in &files {
        let module = module_of(path);
        if module == "lib" || module == "main" {
            continue;
        }
        let top_level = path.strip_prefix(src).unwrap().components().count() == 1;
        let code = code_of(path);
        let mut named = Vec::new();
        for (at, _) in code.match_indices("crate::") {
            named.extend(first_segments(&code[at + "crate::".len()..]));
        }
        if top_level {
            for (at, _) in code.match_indices("super::") {
                named.extend(first_segments(&code[at + "super::".len()..]));
            }
        }
        let entry = uses.entry(module.clone()).or_default();
        for name in named {
            let other = if modules.contains(&name) {
                Some(name)
            } else {
                from.get(&name).cloned()
            };
            if let Some(other) = other.filter(|o| *o != module) {
                entry.insert(other);
            }
        }
    }
    uses
}

#[test]
fn no_module_depends_on_itself_through_others() {
    // Inside a crate too, dependencies point one way: a cycle of modules is
    // one module that has not been admitted to, and cannot be split later.
    let mut wrong = Vec::new();
    for p in workspace() {
        let src = p.manifest.parent().unwrap().join("src");
        let uses = module_uses(&src);
        for start in uses.keys() {
            // A path back to `start`, if there is one.
            let mut stack = vec![vec![start.clone()]];
            let mut seen = std::collections::BTreeSet::new();
            while let Some(path) = stack.pop() {
                let last = path.last().unwrap();
                for next in uses.get(last).into_iter().flatten() {
                    if next == start {
                        wrong.push(format!("{}: {} -> {start}", p.name, path.join(" -> ")));
                    } else if seen.insert(next.clone()) {
                        let mut longer = path.clone();
                        longer.push(next.clone());
                        stack.push(longer);
                    }
                }
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(
        wrong.is_empty(),
        "modules in a cycle:\n{}",
        wrong.join("\n")
    );
}
