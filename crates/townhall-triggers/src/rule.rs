//! A trigger rule, as a council writes it in `triggers/*.toml`: what must
//! happen (a signal, so many times, over consecutive collections or within
//! so many days, or a signal absent for so long), what must be true of the
//! person (their age, a field of one of their records, their consent), and
//! whom to refer them to. Checked on load against what the council has
//! (its consent purposes, partners and agreements, the index's systems, its
//! teams), each mistake with its file and line.
//!
//! ```toml
//! version = 1
//! id = "bin-not-out-gp-call"
//! name = "Bin not put out twice: ask the GP to call"
//! live = false
//!
//! [when]
//! signal = "bin-not-presented"
//! times = 2
//! over = "consecutive-collections"
//!
//! [[facts]]
//! fact = "age"
//! at_least = 70
//!
//! [[facts]]
//! fact = "record"
//! system = "adult_social_care"
//! field = "mobility_need"
//! is = ["yes"]
//!
//! [[facts]]
//! fact = "consent"
//! purpose = "gp-wellbeing-checks"
//!
//! [then]
//! refer_to = "riverside-medical-centre"
//! agreement = "gp-wellbeing-checks"
//! not_again_within_days = 56
//! ```

use serde::Deserialize;
use toml::Spanned;
use townhall_types::{is_config_id, SourceError, SourceText};

/// The record type a referral to a partner is, through the hub, and its
/// one field: why the council thinks the person may need help.
pub const REFERRAL: (&str, &str) = ("wellbeing_concern", "reason_for_concern");

/// The fields every record has, naming or reaching the person: never a
/// rule's to decide on.
const IDENTITY_FIELDS: [&str; 5] = ["name", "date_of_birth", "address", "email", "phone"];

/// What happened, as a rule names it: each is read from a domain event and
/// is about a home (and so the people living there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// A collection vehicle found a home's bin not put out.
    BinNotPresented,
    /// A collection vehicle lifted a home's bin.
    BinLifted,
}

impl Signal {
    const ALL: [Signal; 2] = [Signal::BinNotPresented, Signal::BinLifted];

    /// As a rule writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::BinNotPresented => "bin-not-presented",
            Signal::BinLifted => "bin-lifted",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Over what the signal is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// So many times in a row at the home's scheduled collections of the
    /// bin (a collection missed by the vehicle breaks nothing: only the
    /// days the bin was due count).
    ConsecutiveCollections {
        /// How many.
        times: u8,
    },
    /// So many times within so many days.
    WithinDays {
        /// How many.
        times: u8,
        /// In how many days.
        days: u16,
    },
    /// Not once for so many days (a home whose bin has not been lifted for
    /// three weeks).
    AbsentForDays {
        /// How many days.
        days: u16,
    },
}

/// What must be true of the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    /// Their age, from the date of birth their records hold, at least this.
    AgeAtLeast(u8),
    /// A field of a record of theirs in one system holds one of these values.
    Record {
        /// The system (as the resident index names it).
        system: String,
        /// The field.
        field: String,
        /// The values that make it true, compared without case.
        is: Vec<String>,
    },
    /// They (every account of theirs) have said yes to this purpose of the
    /// consent policy.
    Consent(String),
}

/// Whom a firing refers the person to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    /// A partner, through the data-exchange hub, under an agreement that
    /// says which fields go.
    Partner {
        /// The partner's id.
        partner: String,
        /// The agreement's id.
        agreement: String,
    },
    /// A team of the council.
    Team(String),
}

/// A checked rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Its id.
    pub id: String,
    /// How people know it.
    pub name: String,
    /// Whether it refers anyone; a rule that is not live is only evaluated
    /// (its dry runs and firings say what it would have done).
    pub live: bool,
    /// The signal.
    pub signal: Signal,
    /// Over what it is counted.
    pub window: Window,
    /// What must be true of the person, all of it.
    pub facts: Vec<Fact>,
    /// Whom to refer them to.
    pub recipient: Recipient,
    /// A person referred is not referred again by this rule within so many
    /// days: one episode, one referral.
    pub not_again_within_days: u16,
}

/// What the council has, that a rule may name.
#[derive(Debug, Clone, Copy, Default)]
pub struct Known<'a> {
    /// The consent policy's purposes.
    pub purposes: &'a [&'a str],
    /// Registered partners, each with the agreements it is party to.
    pub partners: &'a [(&'a str, &'a [&'a str])],
    /// The resident index's systems.
    pub systems: &'a [&'a str],
    /// The council's teams.
    pub teams: &'a [&'a str],
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: Spanned<u32>,
    id: Spanned<String>,
    name: Spanned<String>,
    #[serde(default)]
    live: bool,
    when: Spanned<WhenEntry>,
    #[serde(default)]
    facts: Vec<Spanned<FactEntry>>,
    then: Spanned<ThenEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WhenEntry {
    signal: Spanned<String>,
    times: Option<Spanned<i64>>,
    over: Option<Spanned<String>>,
    within_days: Option<Spanned<i64>>,
    absent_for_days: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FactEntry {
    fact: Spanned<String>,
    at_least: Option<Spanned<i64>>,
    system: Option<Spanned<String>>,
    field: Option<Spanned<String>>,
    is: Option<Spanned<Vec<String>>>,
    purpose: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThenEntry {
    refer_to: Option<Spanned<String>>,
    agreement: Option<Spanned<String>>,
    team: Option<Spanned<String>>,
    not_again_within_days: Spanned<i64>,
}

/// A number in a range, or the mistake at its place.
fn within<T: TryFrom<i64>>(
    source: &SourceText<'_>,
    value: &Spanned<i64>,
    (least, most): (i64, i64),
    what: &str,
) -> Result<T, SourceError> {
    let n = *value.get_ref();
    if (least..=most).contains(&n) {
        if let Ok(n) = T::try_from(n) {
            return Ok(n);
        }
    }
    Err(source.error(
        value.span().start,
        format!("{what} is from {least} to {most}, not {n}"),
    ))
}

/// Reads and checks a rule file's text (`file` names it in errors) against
/// what the council has.
pub fn parse(file: &str, text: &str, known: Known<'_>) -> Result<Rule, SourceError> {
    let source = SourceText::new(file, text);
    let f: File = toml::from_str(text)
        .map_err(|e| source.unreadable(e.span().map(|s| s.start), e.message()))?;
    source.version_one(*f.version.get_ref(), f.version.span().start)?;
    if !is_config_id(f.id.get_ref()) {
        return Err(source.error(
            f.id.span().start,
            format!(
                "id '{}' must be lower-case letters, digits and hyphens",
                f.id.get_ref()
            ),
        ));
    }
    let name = f.name.get_ref().trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(source.error(
            f.name.span().start,
            "name is one line of 1 to 120 characters",
        ));
    }
    let (signal, window) = when(&source, &f.when)?;
    let facts = f
        .facts
        .iter()
        .map(|entry| fact(&source, entry, known))
        .collect::<Result<Vec<_>, _>>()?;
    let recipient = then(&source, &f.then, known)?;
    Ok(Rule {
        id: f.id.into_inner(),
        name: name.to_owned(),
        live: f.live,
        signal,
        window,
        facts,
        recipient,
        not_again_within_days: within(
            &source,
            &f.then.get_ref().not_again_within_days,
            (1, 3660),
            "not_again_within_days",
        )?,
    })
}

fn when(
    source: &SourceText<'_>,
    entry: &Spanned<WhenEntry>,
) -> Result<(Signal, Window), SourceError> {
    let w = entry.get_ref();
    let signal = Signal::parse(w.signal.get_ref()).ok_or_else(|| {
        source.error(
            w.signal.span().start,
            format!(
                "signal '{}' is not known: {}",
                w.signal.get_ref(),
                Signal::ALL.map(Signal::as_str).join(", ")
            ),
        )
    })?;
    let times = |what: &str| -> Result<u8, SourceError> {
        match &w.times {
            Some(t) => within(source, t, (1, 20), "times"),
            None => Err(source.error(entry.span().start, format!("{what} needs times = N"))),
        }
    };
    let given: Vec<usize> = [
        w.over.as_ref().map(|s| s.span().start),
        w.within_days.as_ref().map(|s| s.span().start),
        w.absent_for_days.as_ref().map(|s| s.span().start),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let Some(second) = given.iter().max().filter(|_| given.len() > 1) {
        return Err(source.error(
            *second,
            "[when] takes one of over, within_days and absent_for_days, not more",
        ));
    }
    let window = match (&w.over, &w.within_days, &w.absent_for_days) {
        (Some(over), None, None) => {
            if over.get_ref() != "consecutive-collections" {
                return Err(source.error(
                    over.span().start,
                    format!("over '{}' is not known: write over = \"consecutive-collections\"", over.get_ref()),
                ));
            }
            if !matches!(signal, Signal::BinNotPresented | Signal::BinLifted) {
                return Err(source.error(over.span().start, "only a bin's signals are counted over collections"));
            }
            Window::ConsecutiveCollections {
                times: times("over = \"consecutive-collections\"")?,
            }
        }
        (None, Some(days), None) => Window::WithinDays {
            times: times("within_days")?,
            days: within(source, days, (1, 366), "within_days")?,
        },
        (None, None, Some(days)) => {
            if let Some(t) = &w.times {
                return Err(source.error(
                    t.span().start,
                    "a signal absent for so many days is counted no times: leave times out",
                ));
            }
            Window::AbsentForDays {
                days: within(source, days, (1, 366), "absent_for_days")?,
            }
        }
        _ => {
            return Err(source.error(
                entry.span().start,
                "[when] needs one of over = \"consecutive-collections\", within_days = N or absent_for_days = N",
            ))
        }
    };
    Ok((signal, window))
}

fn fact(
    source: &SourceText<'_>,
    entry: &Spanned<FactEntry>,
    known: Known<'_>,
) -> Result<Fact, SourceError> {
    let f = entry.get_ref();
    let at = entry.span().start;
    let missing =
        |what: &str| source.error(at, format!("fact = \"{}\" needs {what}", f.fact.get_ref()));
    let unused = [
        ("at_least", f.at_least.as_ref().map(|s| s.span().start)),
        ("system", f.system.as_ref().map(|s| s.span().start)),
        ("field", f.field.as_ref().map(|s| s.span().start)),
        ("is", f.is.as_ref().map(|s| s.span().start)),
        ("purpose", f.purpose.as_ref().map(|s| s.span().start)),
    ];
    let takes: &[&str] = match f.fact.get_ref().as_str() {
        "age" => &["at_least"],
        "record" => &["system", "field", "is"],
        "consent" => &["purpose"],
        other => {
            return Err(source.error(
                f.fact.span().start,
                format!("fact '{other}' is not known: age, record or consent"),
            ))
        }
    };
    if let Some((key, Some(offset))) = unused
        .iter()
        .find(|(k, o)| o.is_some() && !takes.contains(k))
    {
        return Err(source.error(
            *offset,
            format!("fact = \"{}\" takes no {key}", f.fact.get_ref()),
        ));
    }
    Ok(match f.fact.get_ref().as_str() {
        "age" => Fact::AgeAtLeast(within(
            source,
            f.at_least
                .as_ref()
                .ok_or_else(|| missing("at_least = YEARS"))?,
            (0, 120),
            "at_least",
        )?),
        "record" => {
            let system = f.system.as_ref().ok_or_else(|| missing("system"))?;
            if !known.systems.contains(&system.get_ref().as_str()) {
                return Err(source.error(
                    system.span().start,
                    if known.systems.is_empty() {
                        format!(
                            "the council keeps no resident index (index.toml), so no record of '{}' can be read",
                            system.get_ref()
                        )
                    } else {
                        format!("the resident index has no system '{}'", system.get_ref())
                    },
                ));
            }
            let field = f.field.as_ref().ok_or_else(|| missing("field"))?;
            // A rule decides on what a system records of someone, never on
            // who they are or how to reach them, which its words would
            // otherwise carry to pages and firings.
            if IDENTITY_FIELDS.contains(&field.get_ref().as_str()) {
                return Err(source.error(
                    field.span().start,
                    format!(
                        "a record fact reads a field a system declares, not '{}', which says who someone is or how to reach them",
                        field.get_ref()
                    ),
                ));
            }
            let is = f.is.as_ref().ok_or_else(|| missing("is = [VALUES]"))?;
            if is.get_ref().is_empty() || is.get_ref().iter().any(|v| v.trim().is_empty()) {
                return Err(source.error(
                    is.span().start,
                    "is lists the values that make the fact true",
                ));
            }
            Fact::Record {
                system: system.get_ref().clone(),
                field: field.get_ref().clone(),
                is: is.get_ref().iter().map(|v| v.trim().to_owned()).collect(),
            }
        }
        _ => {
            let purpose = f.purpose.as_ref().ok_or_else(|| missing("purpose"))?;
            if !known.purposes.contains(&purpose.get_ref().as_str()) {
                return Err(source.error(
                    purpose.span().start,
                    format!("the consent policy has no purpose '{}'", purpose.get_ref()),
                ));
            }
            Fact::Consent(purpose.get_ref().clone())
        }
    })
}

fn then(
    source: &SourceText<'_>,
    entry: &Spanned<ThenEntry>,
    known: Known<'_>,
) -> Result<Recipient, SourceError> {
    let t = entry.get_ref();
    match (&t.refer_to, &t.agreement, &t.team) {
        (Some(partner), Some(agreement), None) => {
            let Some((_, agreements)) =
                known.partners.iter().find(|(p, _)| *p == partner.get_ref())
            else {
                return Err(source.error(
                    partner.span().start,
                    format!("there is no partner '{}'", partner.get_ref()),
                ));
            };
            if !agreements.contains(&agreement.get_ref().as_str()) {
                return Err(source.error(
                    agreement.span().start,
                    format!(
                        "'{}' is not an agreement with {}",
                        agreement.get_ref(),
                        partner.get_ref()
                    ),
                ));
            }
            Ok(Recipient::Partner {
                partner: partner.get_ref().clone(),
                agreement: agreement.get_ref().clone(),
            })
        }
        (None, None, Some(team)) => {
            if !known.teams.contains(&team.get_ref().as_str()) {
                return Err(source.error(
                    team.span().start,
                    format!("there is no team '{}'", team.get_ref()),
                ));
            }
            Ok(Recipient::Team(team.get_ref().clone()))
        }
        (Some(_), None, None) => Err(source.error(
            entry.span().start,
            "a referral to a partner names the agreement it is made under: agreement = \"…\"",
        )),
        _ => Err(source.error(
            entry.span().start,
            "[then] refers to a partner (refer_to and agreement) or to a team (team), not both",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARTNERS: &[(&str, &[&str])] = &[("riverside-medical-centre", &["gp-wellbeing-checks"])];

    fn known() -> Known<'static> {
        Known {
            purposes: &["gp-wellbeing-checks", "housing-support"],
            partners: PARTNERS,
            systems: &["adult_social_care", "housing"],
            teams: &["Adult Social Care"],
        }
    }

    #[test]
    fn the_demo_rule_reads() {
        let (file, text) = crate::demo::RULES[0];
        let rule = parse(file, text, known()).unwrap();
        assert_eq!(rule.id, "bin-not-out-gp-call");
        assert!(rule.live);
        assert_eq!(rule.signal, Signal::BinNotPresented);
        assert_eq!(rule.window, Window::ConsecutiveCollections { times: 2 });
        assert_eq!(
            rule.facts,
            vec![
                Fact::AgeAtLeast(70),
                Fact::Record {
                    system: "adult_social_care".into(),
                    field: "mobility_need".into(),
                    is: vec!["yes".into()],
                },
                Fact::Consent("gp-wellbeing-checks".into()),
            ]
        );
        assert_eq!(
            rule.recipient,
            Recipient::Partner {
                partner: "riverside-medical-centre".into(),
                agreement: "gp-wellbeing-checks".into(),
            }
        );
        assert_eq!(rule.not_again_within_days, 56);
    }

    #[test]
    fn windows_and_a_team_read() {
        let text = "version = 1\nid = \"x\"\nname = \"X\"\nlive = true\n\
                    [when]\nsignal = \"bin-not-presented\"\ntimes = 3\nwithin_days = 30\n\
                    [then]\nteam = \"Adult Social Care\"\nnot_again_within_days = 30\n";
        let rule = parse("x.toml", text, known()).unwrap();
        assert_eq!(rule.window, Window::WithinDays { times: 3, days: 30 });
        assert_eq!(rule.recipient, Recipient::Team("Adult Social Care".into()));
        assert!(rule.facts.is_empty());
        let text = text
            .replace("times = 3\nwithin_days = 30", "absent_for_days = 21")
            .replace("bin-not-presented", "bin-lifted");
        let rule = parse("x.toml", &text, known()).unwrap();
        assert_eq!(rule.window, Window::AbsentForDays { days: 21 });
    }

    /// Each mistake is reported at its own line, saying what to write.
    #[test]
    fn mistakes_are_reported_with_their_line() {
        let (_, demo) = crate::demo::RULES[0];
        let cases: &[(&str, &str, &str)] = &[
            ("version = 1", "version = 2", "version 2 is not supported"),
            (
                "id = \"bin-not-out-gp-call\"",
                "id = \"Bin Rule\"",
                "lower-case",
            ),
            (
                "signal = \"bin-not-presented\"",
                "signal = \"bin-full\"",
                "signal 'bin-full' is not known",
            ),
            ("times = 2", "times = 0", "times is from 1 to 20, not 0"),
            (
                "over = \"consecutive-collections\"",
                "over = \"weeks\"",
                "over 'weeks' is not known",
            ),
            (
                "over = \"consecutive-collections\"",
                "over = \"consecutive-collections\"\nwithin_days = 3",
                "not more",
            ),
            (
                "over = \"consecutive-collections\"",
                "every = 3",
                "unknown field",
            ),
            (
                "at_least = 70",
                "at_least = 700",
                "at_least is from 0 to 120",
            ),
            (
                "system = \"adult_social_care\"",
                "system = \"social\"",
                "no system 'social'",
            ),
            ("is = [\"yes\"]", "is = []", "lists the values"),
            (
                "purpose = \"gp-wellbeing-checks\"",
                "purpose = \"gp\"",
                "no purpose 'gp'",
            ),
            (
                "fact = \"age\"",
                "fact = \"income\"",
                "fact 'income' is not known",
            ),
            (
                "at_least = 70",
                "at_least = 70\npurpose = \"gp-wellbeing-checks\"",
                "takes no purpose",
            ),
            (
                "refer_to = \"riverside-medical-centre\"",
                "refer_to = \"the-surgery\"",
                "no partner 'the-surgery'",
            ),
            (
                "agreement = \"gp-wellbeing-checks\"",
                "agreement = \"housing-support\"",
                "not an agreement with riverside-medical-centre",
            ),
            (
                "agreement = \"gp-wellbeing-checks\"",
                "agreement = \"gp-wellbeing-checks\"\nteam = \"Adult Social Care\"",
                "not both",
            ),
            (
                "not_again_within_days = 56",
                "not_again_within_days = 0",
                "from 1 to 3660",
            ),
            (
                "\nlive = true",
                "\nlive = true\nlater = true",
                "unknown field",
            ),
            (
                "field = \"mobility_need\"",
                "field = \"phone\"",
                "not 'phone', which says who someone is",
            ),
        ];
        for (from, to, want) in cases {
            assert!(demo.contains(from), "{from}");
            let text = demo.replacen(from, to, 1);
            let line = text[..text.find(to).unwrap()].matches('\n').count() + 1;
            let e = parse("rule.toml", &text, known()).unwrap_err();
            assert!(e.to_string().contains(want), "{to}: {e}");
            assert!(
                (e.line as isize - line as isize).abs() <= 2,
                "{to}: line {} for a mistake on line {line}",
                e.line
            );
        }
    }
}
