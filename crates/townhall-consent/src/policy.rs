//! The consent policy file: purposes and recipients, validated on load.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use toml::Spanned;
use townhall_types::{SourceError, SourceText};

/// The lawful basis for processing (UK GDPR Article 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalBasis {
    /// The person agreed.
    Consent,
    /// Needed for a contract with the person.
    Contract,
    /// Required by law.
    LegalObligation,
    /// To protect someone's life.
    VitalInterests,
    /// A task in the public interest or an official function.
    PublicTask,
    /// A legitimate interest that the person's rights do not override.
    LegitimateInterests,
}

impl LegalBasis {
    /// Plain-English name.
    pub fn label(self) -> &'static str {
        match self {
            LegalBasis::Consent => "your consent",
            LegalBasis::Contract => "a contract with you",
            LegalBasis::LegalObligation => "a legal obligation",
            LegalBasis::VitalInterests => "protecting someone's life",
            LegalBasis::PublicTask => "the council's public tasks",
            LegalBasis::LegitimateInterests => "legitimate interests",
        }
    }
}

/// What happens when a resident has not chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Default {
    /// Not shared until the resident says yes.
    OptIn,
    /// Shared unless the resident says no.
    OptOut,
    /// Always shared; the resident cannot refuse, and is told why.
    RequiredByLaw,
}

impl Default {
    /// What residents are told of it, in the privacy notice and beside
    /// their choices.
    pub fn to_residents(self) -> &'static str {
        match self {
            Default::OptIn => "Only if you say yes",
            Default::OptOut => "Shared unless you say no",
            Default::RequiredByLaw => "Required by law: you cannot say no",
        }
    }
}

/// Someone data may be shared with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    /// Stable id, e.g. `gp`.
    pub id: String,
    /// Name shown to residents, e.g. "Your GP practice".
    pub name: String,
    /// Contact for questions about sharing.
    #[serde(default)]
    pub contact: Option<String>,
}

/// A reason data may be used or shared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Purpose {
    /// Stable id, e.g. `gp-wellbeing-checks`.
    pub id: String,
    /// Tick-box label, e.g. "Health and wellbeing checks by my GP".
    pub title: String,
    /// One or two plain-English sentences on what happens.
    pub description: String,
    /// The lawful basis.
    pub legal_basis: LegalBasis,
    /// What happens before the resident chooses.
    pub default: Default,
    /// Why the default is not opt-in, shown to the resident. Required unless opt-in.
    #[serde(default)]
    pub reason: Option<String>,
    /// Who may receive data for this purpose.
    pub recipients: Vec<String>,
    /// The fields that may be shared.
    pub fields: Vec<String>,
    /// Whether the data is special category (health, for example).
    #[serde(default)]
    pub sensitive: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    version: u32,
    policy_url: Option<String>,
    #[serde(default)]
    recipients: Vec<Spanned<Recipient>>,
    #[serde(default)]
    purposes: Vec<Spanned<Purpose>>,
}

/// A consent policy file had a mistake.
pub type PolicyError = SourceError;

/// The council's declared purposes and recipients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Policy {
    /// Where the council's privacy notice is.
    pub policy_url: Option<String>,
    /// Everyone data may go to.
    pub recipients: Vec<Recipient>,
    /// Every purpose.
    pub purposes: Vec<Purpose>,
}

impl Policy {
    /// Reads and checks a policy file's text. `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Self, PolicyError> {
        let source = SourceText::new(file, text);
        let err = |offset: usize, message: String| source.error(offset, message);
        let parsed: PolicyFile = toml::from_str(text)
            .map_err(|e| source.unreadable(e.span().map(|s| s.start), e.message()))?;
        source.version_one(parsed.version, 0)?;
        let mut recipient_ids = HashSet::new();
        for r in &parsed.recipients {
            if !townhall_types::is_config_id(&r.get_ref().id) {
                return Err(err(
                    r.span().start,
                    format!(
                        "recipient id '{}' must be lower-case letters, digits and hyphens",
                        r.get_ref().id
                    ),
                ));
            }
            if !recipient_ids.insert(r.get_ref().id.clone()) {
                return Err(err(
                    r.span().start,
                    format!("recipient '{}' is declared twice", r.get_ref().id),
                ));
            }
        }
        let mut purpose_ids = HashSet::new();
        for p in &parsed.purposes {
            let at = p.span().start;
            let purpose = p.get_ref();
            if !townhall_types::is_config_id(&purpose.id) {
                return Err(err(
                    at,
                    format!(
                        "purpose id '{}' must be lower-case letters, digits and hyphens",
                        purpose.id
                    ),
                ));
            }
            if !purpose_ids.insert(purpose.id.clone()) {
                return Err(err(
                    at,
                    format!("purpose '{}' is declared twice", purpose.id),
                ));
            }
            if purpose.recipients.is_empty() {
                return Err(err(
                    at,
                    format!("purpose '{}' names no recipients", purpose.id),
                ));
            }
            if let Some(unknown) = purpose
                .recipients
                .iter()
                .find(|r| !recipient_ids.contains(*r))
            {
                return Err(err(
                    at,
                    format!(
                        "purpose '{}' names recipient '{unknown}', which is not declared",
                        purpose.id
                    ),
                ));
            }
            if purpose.fields.is_empty() {
                return Err(err(
                    at,
                    format!(
                        "purpose '{}' lists no fields; list the minimum fields it needs",
                        purpose.id
                    ),
                ));
            }
            let needs_reason = purpose.default != Default::OptIn;
            if needs_reason
                && purpose
                    .reason
                    .as_deref()
                    .is_none_or(|r| r.trim().is_empty())
            {
                return Err(err(
                    at,
                    format!(
                        "purpose '{}' is not opt-in, so it needs a 'reason' to show residents",
                        purpose.id
                    ),
                ));
            }
            if purpose.default == Default::RequiredByLaw
                && !matches!(
                    purpose.legal_basis,
                    LegalBasis::LegalObligation
                        | LegalBasis::PublicTask
                        | LegalBasis::VitalInterests
                )
            {
                return Err(err(at, format!("purpose '{}' is required by law, so its legal_basis must be legal_obligation, public_task or vital_interests", purpose.id)));
            }
            if purpose.default == Default::OptIn && purpose.legal_basis != LegalBasis::Consent {
                return Err(err(
                    at,
                    format!(
                        "purpose '{}' is opt-in, so its legal_basis must be consent",
                        purpose.id
                    ),
                ));
            }
        }
        Ok(Policy {
            policy_url: parsed.policy_url,
            recipients: parsed
                .recipients
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
            purposes: parsed
                .purposes
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
        })
    }

    /// A purpose by id.
    pub fn purpose(&self, id: &str) -> Option<&Purpose> {
        self.purposes.iter().find(|p| p.id == id)
    }

    /// A recipient by id.
    pub fn recipient(&self, id: &str) -> Option<&Recipient> {
        self.recipients.iter().find(|r| r.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
version = 1

[[recipients]]
id = "gp"
name = "Your GP practice"

[[purposes]]
id = "gp-checks"
title = "Health and wellbeing checks by my GP"
description = "We may ask your GP to call you."
legal_basis = "consent"
default = "opt_in"
recipients = ["gp"]
fields = ["name", "phone"]
"#;

    #[test]
    fn a_good_file_loads() {
        let p = Policy::parse("consent.toml", GOOD).unwrap();
        assert_eq!(p.purposes.len(), 1);
        assert_eq!(p.purpose("gp-checks").unwrap().recipients, ["gp"]);
    }

    #[test]
    fn mistakes_are_reported_with_file_and_line() {
        let cases = [
            (
                GOOD.replace("recipients = [\"gp\"]", "recipients = [\"police\"]"),
                8,
                "recipient 'police', which is not declared",
            ),
            (
                GOOD.replace("default = \"opt_in\"", "default = \"opt_out\""),
                8,
                "needs a 'reason'",
            ),
            (
                GOOD.replace("legal_basis = \"consent\"", "legal_basis = \"public_task\""),
                8,
                "must be consent",
            ),
            (
                GOOD.replace("title =", "colour = \"red\"\ntitle ="),
                10,
                "unknown field `colour`",
            ),
            (
                GOOD.replace("default = \"opt_in\"", "default = \"maybe\""),
                13,
                "unknown variant `maybe`",
            ),
        ];
        for (text, line, needle) in cases {
            let e = Policy::parse("consent.toml", &text).unwrap_err();
            assert!(e.message.contains(needle), "{e}");
            assert_eq!(e.line, line, "{e}");
            assert!(e.to_string().starts_with("consent.toml:"), "{e}");
        }
    }
}
