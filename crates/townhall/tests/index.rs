//! `townhall index link` through the binary: two systems' exports with
//! different column names, linked across, the model saved and used again,
//! and mistakes in the command refused with their reason.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Output};

fn townhall(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_townhall"))
        .args(args)
        .output()
        .expect("run townhall")
}

const FIRST: [&str; 12] = [
    "Martin", "Lizzy", "Omar", "Leila", "Priya", "Sam", "Grace", "Harry", "Aisha", "Tom", "Chloe",
    "Noah",
];
const SURNAMES: [&str; 10] = [
    "Hughes", "Parker", "Haddad", "Ahmed", "Shah", "Lee", "Okafor", "Nowak", "Wright", "Evans",
];

/// 300 residents: every one in council tax, every other one in housing,
/// where some names are mistyped and dates written another way.
fn exports(dir: &Path) {
    let mut tax = String::from("account_ref,first_name,surname,dob,postcode\n");
    let mut housing = String::from("TenancyID,Forename,Family Name,Born,Post Code\n");
    for i in 0..300usize {
        let first = FIRST[i % FIRST.len()];
        let surname = SURNAMES[(i / FIRST.len()) % SURNAMES.len()];
        let (year, month, day) = (1940 + i % 60, 1 + (i * 7) % 12, 1 + (i * 13) % 28);
        let postcode = format!(
            "RV{} {}A{}",
            1 + i % 9,
            i % 10,
            (b'A' + (i % 26) as u8) as char
        );
        tax.push_str(&format!(
            "CT{i:04},{first},{surname},{year}-{month:02}-{day:02},{postcode}\n"
        ));
        if i % 2 == 0 {
            let first = if i % 10 == 0 {
                format!("{}e", first)
            } else {
                first.to_owned()
            };
            housing.push_str(&format!(
                "H{i:04},{first},{surname},{day:02}/{month:02}/{year},{}\n",
                postcode.replace(' ', "")
            ));
        }
    }
    std::fs::write(dir.join("council_tax.csv"), tax).unwrap();
    std::fs::write(dir.join("housing.csv"), housing).unwrap();
    std::fs::write(
        dir.join("housing.toml"),
        "[columns]\nrecord_id = \"TenancyID\"\nsurname = \"Family Name\"\n",
    )
    .unwrap();
}

fn clusters(path: &Path) -> HashMap<String, String> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("source,record_id,cluster_id,match_probability")
    );
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            (format!("{}:{}", cells[0], cells[1]), cells[2].to_owned())
        })
        .collect()
}

#[test]
fn two_systems_are_linked_across_and_the_model_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    exports(dir.path());
    let p = |name: &str| dir.path().join(name).display().to_string();
    let stdout = link_exports(
        dir.path(),
        "clusters.csv",
        &["--save-model", &p("model.json")],
    );
    assert!(stdout.contains("council_tax: 300 records"), "{stdout}");
    assert!(stdout.contains("housing: 150 records"), "{stdout}");
    assert!(stdout.contains("first_name=Forename"), "{stdout}");
    // Where the time went, stage by stage, from reading to writing.
    let stages = stdout
        .lines()
        .find_map(|l| l.strip_prefix("time by stage: "))
        .unwrap_or_else(|| panic!("no time by stage in {stdout}"));
    let names: Vec<&str> = stages
        .split(", ")
        .filter_map(|s| s.strip_suffix(" s")?.rsplit_once(' '))
        .map(|(stage, _)| stage)
        .collect();
    assert_eq!(names.first(), Some(&"reading"), "{stages}");
    assert_eq!(names.last(), Some(&"writing"), "{stages}");
    assert!(names.contains(&"training"), "{stages}");

    let found = clusters(&dir.path().join("clusters.csv"));
    assert_eq!(found.len(), 450, "one row per record");
    let mut linked = 0;
    for i in (0..300).step_by(2) {
        let tax = &found[&format!("council_tax:CT{i:04}")];
        let home = &found[&format!("housing:H{i:04}")];
        if tax == home {
            linked += 1;
        }
    }
    assert!(
        linked >= 145,
        "{linked} of 150 tenants found in council tax"
    );
    // Nobody in council tax is joined to another council-tax record.
    let mut per_cluster: HashMap<&String, usize> = HashMap::new();
    for (key, cluster) in &found {
        if key.starts_with("council_tax:") {
            *per_cluster.entry(cluster).or_default() += 1;
        }
    }
    assert!(per_cluster.values().all(|n| *n == 1));

    // The saved model links the same files the same way, without training.
    let again = townhall(&[
        "index",
        "link",
        &p("council_tax.csv"),
        &p("housing.csv"),
        "--link-only",
        "--map",
        &p("housing.toml"),
        "--output",
        &p("again.csv"),
        "--model",
        &p("model.json"),
    ]);
    assert!(again.status.success());
    assert!(!String::from_utf8_lossy(&again.stdout).contains("trained on"));
    assert_eq!(clusters(&dir.path().join("again.csv")), found);
}

#[test]
fn mistakes_in_the_command_are_refused_with_their_reason() {
    let dir = tempfile::tempdir().unwrap();
    exports(dir.path());
    let p = |name: &str| dir.path().join(name).display().to_string();
    for (args, expected) in [
        (
            vec!["index", "link", &p("missing.csv"), "--output", &p("o.csv")][..].to_vec(),
            "missing.csv",
        ),
        (
            vec![
                "index",
                "link",
                &p("council_tax.csv"),
                "--output",
                &p("o.csv"),
                "--threshold",
                "95",
            ],
            "'95' is not a probability between 0 and 1",
        ),
        (
            vec![
                "index",
                "link",
                &p("council_tax.csv"),
                "--output",
                &p("o.csv"),
                "--link-only",
            ],
            "--link-only needs two or more files",
        ),
        (
            vec![
                "index",
                "link",
                &p("council_tax.csv"),
                "--output",
                &p("o.csv"),
                "--model",
                &p("housing.toml"),
            ],
            "housing.toml",
        ),
    ] {
        let out = townhall(&args);
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{expected} in {stderr}");
    }
    assert!(
        !dir.path().join("o.csv").exists(),
        "nothing written on failure"
    );
}

/// Runs `townhall` and returns its standard output, failing with both
/// outputs if it does not succeed.
fn ok(args: &[String]) -> String {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = townhall(&args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "townhall {args:?}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Runs `townhall`, expecting it to fail, and returns its standard error.
fn refused(args: &[String]) -> String {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = townhall(&args);
    assert!(!out.status.success(), "townhall {args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `townhall index link` on the two exports in `dir`, across, with
/// housing's mapping and `extra` arguments, writing `out`; its standard
/// output, after checking it succeeded.
fn link_exports(dir: &Path, out: &str, extra: &[&str]) -> String {
    let p = |name: &str| dir.join(name).display().to_string();
    let mut args: Vec<String> = ["index", "link"].map(str::to_owned).to_vec();
    args.extend([p("council_tax.csv"), p("housing.csv")]);
    args.extend(["--link-only".into(), "--map".into(), p("housing.toml")]);
    args.extend(["--output".into(), p(out)]);
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    ok(&args)
}

/// `args` for the store in `data`.
fn with_data(data: &str, args: &[&str]) -> Vec<String> {
    args.iter()
        .copied()
        .chain(["--data-dir", data])
        .map(str::to_owned)
        .collect()
}

/// A council (Testshire) in a new store in `data`, with the demo's consent
/// and index rules in its configuration folder, which is returned.
fn council(data: &str) -> std::path::PathBuf {
    ok(&with_data(data, &["migrate"]));
    ok(&[
        "admin",
        "--data-dir",
        data,
        "create-council",
        "--slug",
        "testshire",
        "--name",
        "Testshire Council",
    ]
    .map(str::to_owned));
    let config = Path::new(data).join("config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("consent.toml"), townhall_consent::demo::POLICY).unwrap();
    std::fs::write(config.join("index.toml"), townhall_index::demo::POLICY).unwrap();
    config
}

#[test]
fn a_councils_index_is_imported_linked_explained_and_exported() {
    let dir = tempfile::tempdir().unwrap();
    exports(dir.path());
    let p = |name: &str| dir.path().join(name).display().to_string();
    let data = p("data");
    council(&data);
    let with = |args: &[&str]| with_data(&data, args);

    let tax = p("council_tax.csv");
    let housing = p("housing.csv");
    let map = p("housing.toml");
    let out = ok(&with(&["index", "import", "--system", "council_tax", &tax]));
    assert!(
        out.contains("council_tax: 300 records added, 0 updated"),
        "{out}"
    );
    let import_housing = with(&[
        "index", "import", "--system", "housing", &housing, "--map", &map,
    ]);
    let out = ok(&import_housing);
    assert!(
        out.contains("housing: 150 records added, 0 updated"),
        "{out}"
    );
    let out = ok(&import_housing);
    assert!(
        out.contains("housing: 0 records added, 150 updated"),
        "importing again changes nothing twice: {out}"
    );
    // Without ids, or with one id twice, nothing is imported.
    std::fs::write(p("no_ids.csv"), "first_name,surname\nMartin,Hughes\n").unwrap();
    let err = refused(&with(&[
        "index",
        "import",
        "--system",
        "housing",
        &p("no_ids.csv"),
    ]));
    assert!(
        err.contains("no column holds the records' ids in housing"),
        "{err}"
    );
    std::fs::write(
        p("twice.csv"),
        "record_id,first_name,surname\nH1,Martin,Hughes\nH1,Leila,Ahmed\n",
    )
    .unwrap();
    let err = refused(&with(&[
        "index",
        "import",
        "--system",
        "housing",
        &p("twice.csv"),
    ]));
    assert!(
        err.contains("the records on line 2 and line 3 both have the id 'H1'"),
        "{err}"
    );
    let err = refused(&with(&["index", "import", "--system", "parking", &tax]));
    assert!(
        err.contains(
            "the system 'parking' is not declared in index.toml; it declares: accounts, council_tax"
        ),
        "{err}"
    );

    let out = ok(&with(&["index", "link"]));
    assert!(out.contains("450 records"), "{out}");
    let err = refused(&with(&[
        "index",
        "export",
        "--output",
        &p("early.csv"),
        "--council",
        "nowhere",
    ]));
    assert!(err.contains("there is no council 'nowhere'"), "{err}");

    let out = ok(&with(&[
        "index",
        "explain",
        "council_tax:CT0002",
        "housing:H0002",
    ]));
    let weight = |line: &str| {
        line.split_whitespace()
            .last()
            .unwrap()
            .parse::<f64>()
            .unwrap()
    };
    let lines: Vec<&str> = out.lines().skip(1).collect();
    let (terms, total) = lines.split_at(lines.len() - 1);
    let sum: f64 = terms.iter().map(|l| weight(l)).sum();
    assert!(
        (sum - weight(total[0])).abs() < 0.05,
        "the terms add up to the total: {out}"
    );
    assert!(
        out.contains("first_name") && out.contains("date_of_birth"),
        "{out}"
    );
    let err = refused(&with(&["index", "explain", "CT0002", "housing:H0002"]));
    assert!(
        err.contains("'CT0002' is not a record: write system:record_id"),
        "{err}"
    );
    let err = refused(&with(&[
        "index",
        "explain",
        "council_tax:CT9999",
        "housing:H0002",
    ]));
    assert!(
        err.contains("the index has no record council_tax:CT9999"),
        "{err}"
    );

    let out = ok(&with(&["index", "export", "--output", &p("persons.csv")]));
    assert!(out.contains("450 records written"), "{out}");
    let persons = clusters(&dir.path().join("persons.csv"));
    assert_eq!(persons.len(), 450);
    assert_eq!(persons["council_tax:CT0002"], persons["housing:H0002"]);
    assert_ne!(persons["council_tax:CT0002"], persons["council_tax:CT0004"]);

    let err = refused(&with(&["index", "link", "--output", &p("x.csv")]));
    assert!(err.contains("--output applies to linking files"), "{err}");
}

/// Runs `townhall index link` on `files` (and `extra` arguments) in `dir`,
/// writing `o.csv`.
fn link_in(dir: &Path, files: &[(&str, &str)], extra: &[&str]) -> Output {
    for (name, content) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    let out = dir.join("o.csv").display().to_string();
    let mut args = vec!["index".to_owned(), "link".to_owned()];
    args.extend(
        extra
            .iter()
            .map(|a| a.replace("DIR", &dir.display().to_string())),
    );
    args.extend(["--output".to_owned(), out]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    townhall(&args)
}

#[test]
fn names_in_any_script_are_linked_without_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let out = link_in(
        dir.path(),
        &[(
            "p.csv",
            "id,first_name,surname,dob\n1,Michał,Nowak,1990-01-01\n2,Anna,Lee,1985-05-05\n\
             3,Stanisław,Wąsowski,1970-02-03\n4,Małgorzata,Dąbrowska,1966-06-06\n5,Zoë,Ørsted,1999-09-09\n\
             6,Дмитрий,Иванов,1980-01-02\n7,محمد,علي,1975-03-04\n8,王,芳,1991-07-08\n9,😀,👩🏽,2000-01-01\n",
        )],
        &["DIR/p.csv"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let found = clusters(&dir.path().join("o.csv"));
    assert_eq!(found.len(), 9, "a row for each record");
    assert_ne!(found["p:1"], found["p:2"]);
    // The one value with no letters at all is said, not hidden.
    assert!(
        stdout.contains("first_name: 1 of 9 values could not be read as names"),
        "{stdout}"
    );
}

#[test]
fn dates_exported_with_times_two_digit_years_and_month_names_are_read_and_the_rest_said() {
    let dir = tempfile::tempdir().unwrap();
    exports(dir.path());
    // Council tax exports its dates of birth from a date-and-time column;
    // housing writes two-digit years or months by name, and one date wrongly.
    let rewrite = |name: &str, date: &dyn Fn(usize, &str) -> String| {
        let path = dir.path().join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines = text.lines();
        let mut out = format!("{}\n", lines.next().unwrap());
        for (n, line) in lines.enumerate() {
            let mut cells: Vec<String> = line.split(',').map(str::to_owned).collect();
            cells[3] = date(n, &cells[3]);
            out.push_str(&cells.join(","));
            out.push('\n');
        }
        std::fs::write(path, out).unwrap();
    };
    rewrite("council_tax.csv", &|_, iso| format!("{iso} 00:00:00.000"));
    const MONTHS: [&str; 12] = [
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ];
    rewrite("housing.csv", &|n, uk| {
        let (d, m, y) = (&uk[..2], &uk[3..5], &uk[6..]);
        match n {
            7 => "13.03.8l".to_owned(),
            n if n % 2 == 0 => format!("{d}/{m}/{}", &y[2..]),
            _ => format!("{d}-{}-{y}", MONTHS[m.parse::<usize>().unwrap() - 1]),
        }
    });
    let stdout = link_exports(dir.path(), "o.csv", &[]);
    assert!(
        stdout.contains(
            "Born: 1 of 150 values could not be read as dates, e.g. '13.03.8l' on line 9"
        ),
        "{stdout}"
    );
    assert!(
        !stdout.contains("dob:"),
        "every council tax date is read: {stdout}"
    );
    let found = clusters(&dir.path().join("o.csv"));
    let linked = (0..300)
        .step_by(2)
        .filter(|i| found[&format!("council_tax:CT{i:04}")] == found[&format!("housing:H{i:04}")])
        .count();
    assert!(
        linked >= 145,
        "{linked} of 150 tenants found in council tax"
    );

    // A column mostly unreadable is more likely the wrong one: refused,
    // unless asked for.
    let c = "id,first_name,surname,dob\n1,Ann,Lee,born in spring\n2,Bob,Roe,n/k\n3,Cat,Day,1990-01-01\n";
    std::fs::remove_file(dir.path().join("o.csv")).unwrap();
    let out = link_in(dir.path(), &[("c.csv", c)], &["DIR/c.csv"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains(
            "dob: 2 of 3 values could not be read as dates, e.g. 'born in spring' on line 2"
        ) && stderr.contains("--allow-unreadable"),
        "{stderr}"
    );
    assert!(!dir.path().join("o.csv").exists(), "nothing written");
    let out = link_in(dir.path(), &[], &["DIR/c.csv", "--allow-unreadable"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(clusters(&dir.path().join("o.csv")).len(), 3);
}

#[test]
fn ids_that_are_not_unique_are_refused_with_where_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let twice = "id,first_name,surname,dob\nP1,Ann,Lee,1990-01-01\nP2,Bob,Roe,1980-01-01\nP1,Cat,Day,1970-01-01\n";
    let out = link_in(dir.path(), &[("twice.csv", twice)], &["DIR/twice.csv"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("twice.csv: the records on line 2 and line 4 both have the id 'P1'"),
        "{stderr}"
    );

    let people = "id,first_name,surname,dob\nP1,Ann,Lee,1990-01-01\n";
    let others = "id,first_name,surname,dob\nP1,Bob,Roe,1980-01-01\n";
    let out = link_in(
        dir.path(),
        &[("a/people.csv", people), ("b/people.csv", others)],
        &["DIR/a/people.csv", "DIR/b/people.csv"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("a/people.csv and ")
            && stderr.contains("b/people.csv would both be the source 'people'"),
        "{stderr}"
    );

    // Named, they are two systems, and Ann and Bob stay two people.
    let out = link_in(
        dir.path(),
        &[],
        &["DIR/a/people.csv=housing", "DIR/b/people.csv=benefits"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let found = clusters(&dir.path().join("o.csv"));
    assert_ne!(found["housing:P1"], found["benefits:P1"]);
    let out = link_in(
        dir.path(),
        &[],
        &[
            "DIR/a/people.csv",
            "DIR/b/people.csv",
            "--source",
            "housing",
            "--source",
            "benefits",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(clusters(&dir.path().join("o.csv")), found);
    let out = link_in(
        dir.path(),
        &[],
        &[
            "DIR/a/people.csv",
            "DIR/b/people.csv",
            "--source",
            "housing",
        ],
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("give it once per file (2 files, 1 sources)")
    );
}

/// A valid NHS number made from `n`: nine digits and their modulus 11 check
/// digit, skipping bases whose remainder allows none.
fn nhs_number(n: usize) -> String {
    (n * 7919..)
        .map(|base| format!("{:09}", 400_000_000 + base % 100_000_000))
        .find_map(|nine| {
            let sum: u32 = nine
                .bytes()
                .zip((2..=10).rev())
                .map(|(d, w)| u32::from(d - b'0') * w)
                .sum();
            match 11 - sum % 11 {
                10 => None,
                11 => Some(format!("{nine}0")),
                c => Some(format!("{nine}{c}")),
            }
        })
        .unwrap()
}

/// [`exports`], with both systems holding the NHS number. In housing, one
/// tenant in ten has married and taken another surname, another one in ten
/// has married and moved (the evidence of a name and a home is gone), and
/// tenant H0000's number is mistyped; returns that mistyped number.
fn exports_with_nhs_numbers(dir: &Path) -> String {
    exports(dir);
    let add_nhs = |name: &str, change: &dyn Fn(usize, Vec<String>) -> Vec<String>| {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines = text.lines();
        let mut out = format!("{},NHS No\n", lines.next().unwrap());
        for (n, line) in lines.enumerate() {
            let cells: Vec<String> = line.split(',').map(str::to_owned).collect();
            let id: usize = cells[0]
                .trim_start_matches(char::is_alphabetic)
                .parse()
                .unwrap();
            let mut cells = change(n, cells);
            cells.push(nhs_number(id));
            out.push_str(&cells.join(","));
            out.push('\n');
        }
        std::fs::write(path, out).unwrap();
    };
    add_nhs("council_tax.csv", &|_, cells| cells);
    add_nhs("housing.csv", &|n, mut cells| {
        if n % 10 == 3 || n % 10 == 7 {
            cells[2] = "Okonkwo-Brennan".into();
        }
        if n % 10 == 7 {
            cells[4] = "RV9 9ZZ".into();
        }
        cells
    });
    let housing = dir.join("housing.csv");
    let text = std::fs::read_to_string(&housing).unwrap();
    let right = nhs_number(0);
    let last = right.as_bytes()[9] - b'0';
    let wrong = format!("{}{}", &right[..9], (last + 1) % 10);
    std::fs::write(&housing, text.replacen(&right, &wrong, 1)).unwrap();
    wrong
}

/// The housing tenants who married and moved, by their record ids.
fn married_and_moved() -> impl Iterator<Item = usize> {
    (0..300).step_by(2).filter(|i| (i / 2) % 10 == 7)
}

#[test]
fn identifiers_are_recognised_checked_and_link_people_their_names_would_not() {
    let dir = tempfile::tempdir().unwrap();
    let wrong = exports_with_nhs_numbers(dir.path());
    std::fs::write(dir.path().join("none.toml"), "").unwrap();

    let p = |name: &str| dir.path().join(name).display().to_string();
    let link = |out: &str, extra: &[&str]| {
        let stdout = link_exports(dir.path(), out, extra);
        (stdout, clusters(&dir.path().join(out)))
    };
    let renamed = |found: &HashMap<String, String>| {
        married_and_moved()
            .filter(|i| {
                found[&format!("council_tax:CT{i:04}")] == found[&format!("housing:H{i:04}")]
            })
            .count()
    };
    let (stdout, with) = link("with.csv", &[]);
    assert!(
        stdout.contains("nhs_number=NHS No"),
        "recognised by a usual name: {stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "NHS No: 1 of 150 values could not be read as NHS numbers (10 digits with a valid check digit), e.g. '{wrong}' on line 2"
        )),
        "the wrong check digit is said: {stdout}"
    );
    assert_eq!(
        renamed(&with),
        15,
        "the NHS number links the married tenants who moved"
    );
    assert_eq!(
        with["council_tax:CT0000"], with["housing:H0000"],
        "the tenant whose number is unreadable is found by the rest"
    );

    let (stdout, without) = link("without.csv", &["--settings", &p("none.toml")]);
    assert!(!stdout.contains("nhs_number"), "{stdout}");
    assert!(
        renamed(&without) < 3,
        "without it, another name is another person"
    );
}

#[test]
fn settings_are_printed_to_start_from_and_checked_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = townhall(&["index", "settings", "--print-default"]);
    assert!(out.status.success());
    let default = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(default.contains("name = \"nhs_number\""), "{default}");
    let path = dir.path().join("s.toml");
    std::fs::write(&path, &default).unwrap();
    let out = townhall(&["index", "settings", "--check", &path.display().to_string()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("column nhs_number: 1 levels"), "{stdout}");
    std::fs::write(
        &path,
        format!("{default}\n[[column]]\nname = \"shoe_size\"\nkind = \"number\"\nlevels = [{{ jaro_winkler = 0.9 }}]\n"),
    )
    .unwrap();
    let out = townhall(&["index", "settings", "--check", &path.display().to_string()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = default.lines().count() + 2;
    assert!(
        stderr.contains(&format!("s.toml:{line}: shoe_size: the level jaro_winkler does not apply to a column of kind number")),
        "{stderr}"
    );
}

#[test]
fn a_councils_index_links_on_the_identifiers_its_systems_hold() {
    let dir = tempfile::tempdir().unwrap();
    exports_with_nhs_numbers(dir.path());
    let p = |name: &str| dir.path().join(name).display().to_string();
    let data = p("data");
    let config = council(&data);
    let with = |args: &[&str]| with_data(&data, args);
    let out = ok(&with(&[
        "index",
        "import",
        "--system",
        "council_tax",
        &p("council_tax.csv"),
    ]));
    assert!(out.contains("300 records added"), "{out}");
    let out = ok(&with(&[
        "index",
        "import",
        "--system",
        "housing",
        &p("housing.csv"),
        "--map",
        &p("housing.toml"),
    ]));
    assert!(
        out.contains("NHS No: 1 of 150 values could not be read as NHS numbers"),
        "the import says what it could not read: {out}"
    );
    ok(&with(&["index", "link"]));
    ok(&with(&["index", "export", "--output", &p("persons.csv")]));
    let persons = clusters(&dir.path().join("persons.csv"));
    for i in married_and_moved() {
        assert_eq!(
            persons[&format!("council_tax:CT{i:04}")],
            persons[&format!("housing:H{i:04}")],
            "tenant {i}"
        );
    }
    let out = ok(&with(&[
        "index",
        "explain",
        "council_tax:CT0014",
        "housing:H0014",
    ]));
    assert!(
        out.lines()
            .any(|l| l.starts_with("nhs_number") && l.contains("exact match")),
        "{out}"
    );

    // A council's own settings replace the built-in ones: without the NHS
    // number, the tenants who married and moved are strangers.
    std::fs::write(config.join("linkage.toml"), "").unwrap();
    ok(&with(&["index", "link"]));
    ok(&with(&["index", "export", "--output", &p("persons.csv")]));
    let persons = clusters(&dir.path().join("persons.csv"));
    let found = married_and_moved()
        .filter(|i| {
            persons[&format!("council_tax:CT{i:04}")] == persons[&format!("housing:H{i:04}")]
        })
        .count();
    assert!(found < 3, "{found}");
    std::fs::write(config.join("linkage.toml"), "[[column]]\nname = \"x\"\n").unwrap();
    let err = refused(&with(&["index", "link"]));
    assert!(
        err.contains("linkage.toml:1: missing field `kind`"),
        "{err}"
    );
}

#[test]
fn two_records_of_a_source_declared_deduplicated_are_never_one_person() {
    // The electoral register holds each person once: two of its entries
    // are two electors, however alike they look (a father and his son of
    // one name and birthday are rare; a register's own check is not).
    let dir = tempfile::tempdir().unwrap();
    exports(dir.path());
    let register = "record_id,first_name,surname,dob,postcode\n\
                    E1,Conor,Thompson,1960-05-01,RV4 3AD\nE2,Conor,Thompson,1960-05-01,RV4 3AD\n\
                    E3,Sophie,Thompson,1962-08-09,RV4 3AD\n";
    let files = [("register.csv", register)];
    let args = ["DIR/council_tax.csv", "DIR/register.csv"];
    let linked = |extra: &[&str]| {
        let out = link_in(dir.path(), &files, &[&args[..], extra].concat());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{err}");
        clusters(&dir.path().join("o.csv"))
    };
    let found = linked(&[]);
    assert_eq!(
        found["register:E1"], found["register:E2"],
        "alike, if nothing says otherwise"
    );
    let found = linked(&["--deduplicated", "register"]);
    assert_ne!(found["register:E1"], found["register:E2"]);
    assert_ne!(found["register:E1"], found["register:E3"]);

    let unknown = [&args[..], &["--deduplicated", "electoral_register"]].concat();
    let out = link_in(dir.path(), &files, &unknown);
    assert_eq!(out.status.code(), Some(1), "refused as any other bad input");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("'electoral_register' is none of the files' sources (council_tax, register)"),
        "{err}"
    );
}

#[test]
fn the_pairs_for_review_are_written_where_asked() {
    let dir = tempfile::tempdir().unwrap();
    exports(dir.path());
    // Twins in the two systems: one surname, birthday and home, first
    // names nothing alike. With --review-twins they are a pair for review.
    let append = |name: &str, line: &str| {
        let path = dir.path().join(name);
        let text = std::fs::read_to_string(&path).unwrap() + line;
        std::fs::write(path, text).unwrap();
    };
    append(
        "council_tax.csv",
        "CT9001,Hassan,Haddad,2012-03-04,RV1 2AB\n",
    );
    append("housing.csv", "H9002,Amira,Haddad,04/03/2012,RV12AB\n");
    let review = dir.path().join("review.csv");
    let stdout = link_exports(
        dir.path(),
        "clusters.csv",
        &[
            "--review-twins",
            "--review-output",
            &review.display().to_string(),
        ],
    );
    let counted: usize = stdout
        .split(" for review")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count for review in {stdout}"));
    let text = std::fs::read_to_string(&review).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("source_a,record_id_a,source_b,record_id_b,match_probability")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), counted, "{text}");
    let twins = rows
        .iter()
        .find(|r| r.starts_with("council_tax,CT9001,housing,H9002,"))
        .unwrap_or_else(|| panic!("the twins are not for review: {text}"));
    let p: f64 = twins.rsplit(',').next().unwrap().parse().unwrap();
    assert!((0.5..=1.0).contains(&p), "{twins}");
    let found = clusters(&dir.path().join("clusters.csv"));
    assert_ne!(found["council_tax:CT9001"], found["housing:H9002"]);
    // Files only: the council's index keeps its review queue in the store.
    let refused = refused(
        &[
            "index",
            "link",
            "--review-output",
            &review.display().to_string(),
        ]
        .map(str::to_owned),
    );
    assert!(
        refused.contains("--review-output applies to linking files"),
        "{refused}"
    );
}
