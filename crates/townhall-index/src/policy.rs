//! The index's rules, as data (`index.toml`): the source systems it holds,
//! when a pair is linked or put to a reviewer, which teams review, and which
//! teams may see a person whole and for which consent purpose.

use std::collections::HashSet;

use serde::Deserialize;
use toml::Spanned;
use townhall_consent::Policy as ConsentPolicy;
use townhall_types::{SourceError, SourceText};

use crate::settings::LinkSettings;

/// The fields of a person the single view can show, named as consent
/// purposes name them. `services_involved` is which systems hold them:
/// knowing someone is on adult social care's books is personal data too.
pub const VIEW_FIELDS: &[&str] = &[
    "name",
    "date_of_birth",
    "address",
    "email",
    "phone",
    "services_involved",
];

/// A council's index rules, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexPolicy {
    /// The systems records come from.
    pub systems: Vec<System>,
    /// Pairs at or above this probability are one person.
    pub link_from: f64,
    /// Pairs from this probability up to `link_from` go to review.
    pub review_from: f64,
    /// Whether pairs whose first names differ entirely while their dates of
    /// birth agree (twins) go to review however high they score.
    pub review_twins: bool,
    /// Teams whose members decide review pairs.
    pub reviewers: Vec<String>,
    /// Who may see a person whole, and why.
    pub views: Vec<View>,
    /// The columns beyond the built-in fields and their comparisons: the
    /// built-in settings unless the council gives its own
    /// (`linkage.toml` beside `index.toml`).
    pub linkage: LinkSettings,
}

/// A source system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct System {
    /// Its id, e.g. `council_tax`.
    pub id: String,
    /// Its name for people, e.g. "Council Tax".
    pub name: String,
    /// Whether it holds each person once (an electoral register): two of
    /// its records are never one person, nor joined in one by other links.
    pub deduplicated: bool,
    /// Who gave its details.
    pub details: Details,
}

/// Who gave a system's details, and so how far a link may rest on them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Details {
    /// The council's service, which checked them as it does.
    Kept,
    /// People themselves, typing them (online accounts' sign-up form);
    /// only the `checked` contacts were proved (an email address, by the
    /// link its owner followed). A pair with one of its records is linked
    /// without a reviewer only when a checked contact agrees exactly and no
    /// record gives it with another date of birth (a parent's address on a
    /// child's record): anyone can type a neighbour's name and birthday.
    SelfAsserted {
        /// The fields checked, by name ([`CHECKABLE`]).
        checked: Vec<String>,
    },
}

/// The fields a self-asserted system may declare checked: contacts, which a
/// person can prove theirs (by following a link, by a code sent to them).
/// Names, birthdays and addresses are anybody's to type.
pub const CHECKABLE: &[&str] = &["email", "phone"];

/// A purpose for which some teams may see a person across systems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// The consent purpose relied on.
    pub purpose: String,
    /// The recipient, one of the purpose's.
    pub recipient: String,
    /// The teams allowed.
    pub teams: Vec<String>,
    /// The person's fields shown: those of [`VIEW_FIELDS`] the purpose covers.
    pub fields: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    systems: Vec<Spanned<SystemFile>>,
    link_from: Spanned<f64>,
    review_from: Spanned<f64>,
    #[serde(default)]
    review_twins: bool,
    #[serde(default)]
    reviewers: Vec<String>,
    #[serde(default)]
    views: Vec<Spanned<ViewFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SystemFile {
    id: String,
    name: String,
    #[serde(default)]
    deduplicated: bool,
    #[serde(default)]
    self_asserted: bool,
    checked: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ViewFile {
    purpose: String,
    recipient: String,
    teams: Vec<String>,
}

impl IndexPolicy {
    /// Reads and checks `text` (from `file`), against the council's consent policy.
    pub fn parse(file: &str, text: &str, consent: &ConsentPolicy) -> Result<Self, SourceError> {
        let source = SourceText::new(file, text);
        let parsed: File = toml::from_str(text)
            .map_err(|e| source.unreadable(e.span().map(|s| s.start), e.message()))?;
        source.version_one(parsed.version, 0)?;
        if parsed.systems.is_empty() {
            return Err(source.error(0, "declare at least one system under [[systems]]"));
        }
        let mut ids = HashSet::new();
        for s in &parsed.systems {
            let id = &s.get_ref().id;
            if id.is_empty()
                || !id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                return Err(source.error(
                    s.span().start,
                    format!("system id '{id}' must be lower-case letters, digits and underscores"),
                ));
            }
            if !ids.insert(id.clone()) {
                return Err(
                    source.error(s.span().start, format!("system '{id}' is declared twice"))
                );
            }
            let system = s.get_ref();
            if system.checked.is_some() && !system.self_asserted {
                return Err(source.error(
                    s.span().start,
                    format!("system '{id}' lists checked fields but is not self_asserted; a council system's details are all taken as checked"),
                ));
            }
            if let Some(unknown) = system
                .checked
                .iter()
                .flatten()
                .find(|f| !CHECKABLE.contains(&f.as_str()))
            {
                return Err(source.error(
                    s.span().start,
                    format!(
                        "system '{id}': '{unknown}' is not a field that can be checked; use {}",
                        CHECKABLE.join(", ")
                    ),
                ));
            }
        }
        let (link_from, review_from) = (*parsed.link_from.get_ref(), *parsed.review_from.get_ref());
        if !(link_from > 0.0 && link_from < 1.0) {
            return Err(source.error(
                parsed.link_from.span().start,
                format!(
                    "link_from must be a probability between 0 and 1, like 0.95, not {link_from}"
                ),
            ));
        }
        if !(review_from > 0.0 && review_from < link_from) {
            return Err(source.error(
                parsed.review_from.span().start,
                format!("review_from must be above 0 and below link_from ({link_from}), not {review_from}"),
            ));
        }
        let mut views = Vec::new();
        for v in &parsed.views {
            let at = v.span().start;
            let view = v.get_ref();
            let Some(purpose) = consent.purpose(&view.purpose) else {
                return Err(source.error(
                    at,
                    format!("'{}' is not a purpose of the consent policy", view.purpose),
                ));
            };
            if !purpose.recipients.contains(&view.recipient) {
                return Err(source.error(
                    at,
                    format!(
                        "'{}' is not a recipient of the purpose '{}'; it has: {}",
                        view.recipient,
                        view.purpose,
                        purpose.recipients.join(", ")
                    ),
                ));
            }
            let fields: Vec<String> = VIEW_FIELDS
                .iter()
                .filter(|f| purpose.fields.iter().any(|p| p == *f))
                .map(|f| (*f).to_owned())
                .collect();
            if fields.is_empty() {
                return Err(source.error(
                    at,
                    format!(
                        "the purpose '{}' covers none of the fields a person is shown with ({})",
                        view.purpose,
                        VIEW_FIELDS.join(", ")
                    ),
                ));
            }
            if view.teams.is_empty() {
                return Err(source.error(at, "name at least one team that may use this view"));
            }
            views.push(View {
                purpose: view.purpose.clone(),
                recipient: view.recipient.clone(),
                teams: view.teams.clone(),
                fields,
            });
        }
        Ok(IndexPolicy {
            systems: parsed
                .systems
                .into_iter()
                .map(|s| {
                    let s = s.into_inner();
                    System {
                        id: s.id,
                        name: s.name,
                        deduplicated: s.deduplicated,
                        details: if s.self_asserted {
                            Details::SelfAsserted {
                                checked: s.checked.unwrap_or_default(),
                            }
                        } else {
                            Details::Kept
                        },
                    }
                })
                .collect(),
            link_from,
            review_from,
            review_twins: parsed.review_twins,
            reviewers: parsed.reviewers,
            views,
            linkage: LinkSettings::default(),
        })
    }

    /// The source number of `system` for linking: its place among the
    /// systems (one no longer declared comes after them all).
    pub fn source_of(&self, system: &str) -> u32 {
        let at = self.systems.iter().position(|s| s.id == system);
        u32::try_from(at.unwrap_or(self.systems.len())).unwrap_or(u32::MAX)
    }

    /// The source number of each of `systems` ([`IndexPolicy::source_of`]),
    /// and whether each source holds each person once: what a run is told
    /// (`Mode::Sources`).
    pub fn sources<'a>(&self, systems: impl Iterator<Item = &'a str>) -> (Vec<u32>, Vec<bool>) {
        let of = systems.map(|s| self.source_of(s)).collect();
        let deduplicated = self.systems.iter().map(|s| s.deduplicated).collect();
        (of, deduplicated)
    }

    /// The system with this id.
    pub fn system(&self, id: &str) -> Option<&System> {
        self.systems.iter().find(|s| s.id == id)
    }

    /// The name of a system, or its id if it is no longer declared.
    pub fn system_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.system(id).map_or(id, |s| s.name.as_str())
    }

    /// The views open to `team`.
    pub fn views_for<'a>(&'a self, team: &'a str) -> impl Iterator<Item = &'a View> + 'a {
        self.views
            .iter()
            .filter(move |v| v.teams.iter().any(|t| t == team))
    }

    /// Whether members of `team` review pairs.
    pub fn reviews(&self, team: &str) -> bool {
        self.reviewers.iter().any(|t| t == team)
    }

    /// Every team the file names, to check they exist.
    pub fn teams(&self) -> impl Iterator<Item = &str> {
        self.reviewers
            .iter()
            .chain(self.views.iter().flat_map(|v| &v.teams))
            .map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn consent() -> ConsentPolicy {
        ConsentPolicy::parse(
            "consent.toml",
            r#"
version = 1
policy_url = "https://example.org/privacy"
[[recipients]]
id = "early-help"
name = "Early Help"
[[purposes]]
id = "early-help-families"
title = "Early help for families"
description = "Sharing between services that support families."
legal_basis = "public_task"
default = "opt_out"
reason = "A duty to promote children's welfare."
recipients = ["early-help"]
fields = ["name", "date_of_birth", "address", "household"]
"#,
        )
        .unwrap()
    }

    const GOOD: &str = r#"version = 1
link_from = 0.95
review_from = 0.5
reviewers = ["Customer Services"]

[[systems]]
id = "council_tax"
name = "Council Tax"

[[views]]
purpose = "early-help-families"
recipient = "early-help"
teams = ["Early Help"]
"#;

    #[test]
    fn a_good_file_is_read_with_the_fields_its_purpose_covers() {
        let p = IndexPolicy::parse("index.toml", GOOD, &consent()).unwrap();
        assert_eq!(p.system_name("council_tax"), "Council Tax");
        assert!(
            !p.systems[0].deduplicated,
            "systems may hold duplicates unless declared"
        );
        let register = GOOD.replace(
            "[[views]]",
            "[[systems]]\nid = \"electoral_register\"\nname = \"Electoral register\"\ndeduplicated = true\n\n[[views]]",
        );
        let p2 = IndexPolicy::parse("index.toml", &register, &consent()).unwrap();
        assert_eq!(
            p2.sources(
                [
                    "electoral_register",
                    "council_tax",
                    "electoral_register",
                    "old"
                ]
                .into_iter()
            ),
            (vec![1, 0, 1, 2], vec![false, true])
        );
        assert_eq!(p.views[0].fields, ["name", "date_of_birth", "address"]);
        assert_eq!(
            p.systems[0].details,
            Details::Kept,
            "a council system's details are taken as checked"
        );
        let accounts = GOOD.replace(
            "[[views]]",
            "[[systems]]\nid = \"accounts\"\nname = \"Online accounts\"\nself_asserted = true\nchecked = [\"email\"]\n\n[[views]]",
        );
        assert_eq!(
            IndexPolicy::parse("index.toml", &accounts, &consent())
                .unwrap()
                .systems[1]
                .details,
            Details::SelfAsserted {
                checked: vec!["email".into()]
            }
        );
        assert_eq!(p.views_for("Early Help").count(), 1);
        assert_eq!(p.views_for("Highways").count(), 0);
        assert!(p.reviews("Customer Services"));
        assert!(
            !p.review_twins,
            "twins are linked unless the council says otherwise"
        );
        let twins = GOOD.replace("reviewers =", "review_twins = true\nreviewers =");
        assert!(
            IndexPolicy::parse("index.toml", &twins, &consent())
                .unwrap()
                .review_twins
        );
    }

    #[test]
    fn mistakes_are_named_with_their_line() {
        let cases = [
            (
                GOOD.replace("\"council_tax\"", "\"Council Tax\""),
                "index.toml:6: system id 'Council Tax' must be",
            ),
            (
                GOOD.replace("review_from = 0.5", "review_from = 0.97"),
                "index.toml:3: review_from must be above 0 and below link_from (0.95)",
            ),
            (
                GOOD.replace("link_from = 0.95", "link_from = 1.5"),
                "index.toml:2: link_from must be a probability",
            ),
            (
                GOOD.replace(
                    "purpose = \"early-help-families\"",
                    "purpose = \"marketing\"",
                ),
                "'marketing' is not a purpose",
            ),
            (
                GOOD.replace("recipient = \"early-help\"", "recipient = \"gp\""),
                "'gp' is not a recipient of the purpose 'early-help-families'; it has: early-help",
            ),
            (
                GOOD.replace("[\"Early Help\"]", "[]"),
                "name at least one team",
            ),
            (
                GOOD.replace("version = 1", "version = 2"),
                "version 2 is not supported",
            ),
            (
                format!("{GOOD}\n[[systems]]\nid = \"council_tax\"\nname = \"Again\"\n"),
                "system 'council_tax' is declared twice",
            ),
            (
                GOOD.replace(
                    "name = \"Council Tax\"",
                    "name = \"Council Tax\"\nowner = \"x\"",
                ),
                "unknown field `owner`",
            ),
            (
                GOOD.replace(
                    "name = \"Council Tax\"",
                    "name = \"Council Tax\"\nchecked = [\"email\"]",
                ),
                "index.toml:6: system 'council_tax' lists checked fields but is not self_asserted",
            ),
            (
                GOOD.replace(
                    "name = \"Council Tax\"",
                    "name = \"Council Tax\"\nself_asserted = true\nchecked = [\"e-mail\"]",
                ),
                "index.toml:6: system 'council_tax': 'e-mail' is not a field that can be checked; use email, phone",
            ),
        ];
        for (text, expected) in cases {
            let e = IndexPolicy::parse("index.toml", &text, &consent()).unwrap_err();
            assert!(
                e.to_string().contains(expected),
                "{e} should contain {expected}"
            );
        }
    }
}
