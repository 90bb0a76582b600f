//! Data-sharing agreements as files: one TOML file each, read and checked
//! on load (errors name the file and line), against the council's consent
//! policy and what the hub can serve ([`crate::records`]).
//!
//! An agreement names its parties, its purpose (one of the consent
//! policy's), its lawful basis (UK GDPR Article 6, and the Article 9
//! condition when it shares special-category data), exactly which fields of
//! which record types it shares and in which direction, how long they are
//! kept, when it starts, ends and is reviewed, the conditions on whom it
//! covers, and who signed it. The form follows the ICO's Data Sharing Code
//! of Practice, "What should be in a data sharing agreement?".

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::Date;
use toml::Spanned;
use townhall_consent::{ConsentDefault, LegalBasis, Policy};
use townhall_types::{SourceError, SourceText};

use crate::records::{self, Field, RecordType};

/// An agreement file had a mistake.
pub type AgreementError = SourceError;

/// The council's own name among an agreement's signatories.
pub const COUNCIL: &str = "council";

/// Which way the data goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From the council to the partners.
    CouncilToPartner,
    /// From the partners to the council.
    PartnerToCouncil,
    /// Both ways.
    Both,
}

/// A condition for processing special-category data (UK GDPR Article
/// 9(2)), with the Data Protection Act 2018 Schedule 1 conditions it
/// relies on where it needs one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Article9Condition {
    /// (a) The person's explicit consent.
    ExplicitConsent,
    /// (b) Employment, social security and social protection law.
    EmploymentSocialSecurity,
    /// (c) To protect someone's vital interests when they cannot consent.
    VitalInterests,
    /// (f) Legal claims or judicial acts.
    LegalClaims,
    /// (g) Substantial public interest.
    SubstantialPublicInterest,
    /// (h) Health or social care.
    HealthOrSocialCare,
    /// (i) Public health.
    PublicHealth,
    /// (j) Archiving, research or statistics.
    ArchivingResearchStatistics,
}

impl Article9Condition {
    /// In words, for the public register.
    pub fn label(self) -> &'static str {
        match self {
            Article9Condition::ExplicitConsent => "your explicit consent (Article 9(2)(a))",
            Article9Condition::EmploymentSocialSecurity => {
                "employment, social security and social protection law (Article 9(2)(b))"
            }
            Article9Condition::VitalInterests => "protecting someone's life (Article 9(2)(c))",
            Article9Condition::LegalClaims => "legal claims (Article 9(2)(f))",
            Article9Condition::SubstantialPublicInterest => {
                "substantial public interest (Article 9(2)(g))"
            }
            Article9Condition::HealthOrSocialCare => "health or social care (Article 9(2)(h))",
            Article9Condition::PublicHealth => "public health (Article 9(2)(i))",
            Article9Condition::ArchivingResearchStatistics => {
                "archiving, research or statistics (Article 9(2)(j))"
            }
        }
    }
}

/// Whom an agreement covers, beyond what its purpose's consent default says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// Only residents who said yes to the purpose.
    ResidentConsented,
    /// Only residents who have not said no to the purpose.
    ResidentNotOptedOut,
}

/// Someone who signed an agreement for one of its parties.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signatory {
    /// The party: [`COUNCIL`] or a partner's id.
    pub party: String,
    /// Their name.
    pub name: String,
    /// Their role, e.g. "Data Protection Officer".
    pub role: String,
    /// When they signed.
    #[serde(serialize_with = "iso_date")]
    pub signed: Date,
}

/// The fields of one record type an agreement shares, and which way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shared {
    /// The record type.
    #[serde(rename = "type", serialize_with = "record_type_name")]
    pub record_type: &'static RecordType,
    /// Exactly the fields shared, in the file's order.
    pub fields: Vec<&'static Field>,
    /// Which way this record type goes: the agreement's `direction` unless
    /// its `[[records]]` entry says otherwise.
    pub direction: Direction,
}

/// A day as ISO 8601 writes it, `2026-04-01`.
fn iso_date<S: serde::Serializer>(day: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&day.to_string())
}

fn record_type_name<S: serde::Serializer>(
    r: &&'static RecordType,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_str(r.name)
}

/// A data-sharing agreement, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Agreement {
    /// Its id, e.g. `gp-wellbeing-checks`.
    pub id: String,
    /// Its title, e.g. "GP wellbeing checks".
    pub title: String,
    /// What it is for, in plain English, for the public register.
    pub summary: String,
    /// The partners it is with, by id.
    pub parties: Vec<String>,
    /// The consent policy's purpose it serves.
    pub purpose: String,
    /// Which of the purpose's recipients the parties are, as the consent
    /// policy names them (e.g. `gp`): the recipient whose consent is asked.
    pub recipient: String,
    /// The lawful basis (UK GDPR Article 6).
    pub article_6: LegalBasis,
    /// The condition for special-category data (Article 9), if it shares any.
    pub article_9: Option<Article9Condition>,
    /// Which way the data goes, unless a record type says otherwise.
    pub direction: Direction,
    /// What it shares.
    pub records: Vec<Shared>,
    /// How long a recipient keeps what it receives, in days.
    pub retention_days: u32,
    /// The first day it is in force.
    #[serde(serialize_with = "iso_date")]
    pub starts: Date,
    /// The last day it is in force.
    #[serde(serialize_with = "iso_date")]
    pub expires: Date,
    /// When it is to be reviewed.
    #[serde(serialize_with = "iso_date")]
    pub review: Date,
    /// Whom it covers.
    pub conditions: Vec<Condition>,
    /// Who signed it, for each party and the council.
    pub signatories: Vec<Signatory>,
}

/// Where an agreement stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Its first day is still to come.
    NotYetInForce,
    /// It is in force.
    InForce,
    /// Its last day has passed.
    Ended,
}

impl Agreement {
    /// Where it stands on `day`: an agreement stops working the day after
    /// it expires, with nothing restarted.
    pub fn standing(&self, day: Date) -> Standing {
        if day < self.starts {
            Standing::NotYetInForce
        } else if day > self.expires {
            Standing::Ended
        } else {
            Standing::InForce
        }
    }

    /// The fields of `record_type` it shares, if it shares that type.
    pub fn fields_of(&self, record_type: &str) -> Option<&[&'static Field]> {
        self.shared(record_type).map(|s| s.fields.as_slice())
    }

    /// What it shares of `record_type`, if anything.
    pub fn shared(&self, record_type: &str) -> Option<&Shared> {
        self.records
            .iter()
            .find(|s| s.record_type.name == record_type)
    }

    /// Reads and checks an agreement file's text against the council's
    /// consent `policy` and its `partners` (by id). `file` names it in
    /// errors.
    pub fn parse(
        file: &str,
        text: &str,
        policy: &Policy,
        partners: &[&str],
    ) -> Result<Self, AgreementError> {
        let source = SourceText::new(file, text);
        let err = |offset: usize, message: String| source.error(offset, message);
        let parsed: AgreementFile = toml::from_str(text)
            .map_err(|e| source.unreadable(e.span().map(|s| s.start), e.message()))?;
        source.version_one(*parsed.version.get_ref(), parsed.version.span().start)?;
        for text in [&parsed.title, &parsed.summary] {
            readable(text, &err)?;
        }
        if !townhall_types::is_config_id(parsed.id.get_ref()) {
            return Err(err(
                parsed.id.span().start,
                format!(
                    "id '{}' must be lower-case letters, digits and hyphens",
                    parsed.id.get_ref()
                ),
            ));
        }
        if parsed.parties.get_ref().is_empty() {
            return Err(err(
                parsed.parties.span().start,
                "parties names no partner: an agreement is with at least one".into(),
            ));
        }
        if let Some(bad) = parsed
            .parties
            .get_ref()
            .iter()
            .find(|p| !townhall_types::is_config_id(p) || *p == COUNCIL)
        {
            return Err(err(
                parsed.parties.span().start,
                format!("party '{bad}' must be a partner's id (lower-case letters, digits and hyphens; the council is always a party)"),
            ));
        }
        if let Some(stranger) = parsed
            .parties
            .get_ref()
            .iter()
            .find(|p| !partners.contains(&p.as_str()))
        {
            return Err(err(
                parsed.parties.span().start,
                format!(
                    "'{stranger}' is not one of the council's partners ({}); register it first",
                    if partners.is_empty() {
                        "it has none yet".to_owned()
                    } else {
                        partners.join(", ")
                    }
                ),
            ));
        }
        let Some(purpose) = policy
            .purposes
            .iter()
            .find(|p| &p.id == parsed.purpose.get_ref())
        else {
            return Err(err(
                parsed.purpose.span().start,
                format!(
                    "purpose '{}' is not in the consent policy; it has: {}",
                    parsed.purpose.get_ref(),
                    policy
                        .purposes
                        .iter()
                        .map(|p| p.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        };
        let recipient = match &parsed.recipient {
            Some(r) if purpose.recipients.contains(r.get_ref()) => r.get_ref().clone(),
            Some(r) => {
                return Err(err(
                    r.span().start,
                    format!(
                        "recipient '{}' is not one of purpose '{}''s recipients in the consent policy ({})",
                        r.get_ref(),
                        purpose.id,
                        purpose.recipients.join(", ")
                    ),
                ))
            }
            None => match &purpose.recipients[..] {
                [only] => only.clone(),
                several => {
                    return Err(err(
                        parsed.purpose.span().start,
                        format!(
                            "purpose '{}' has several recipients ({}): say which the parties are with recipient = \"…\"",
                            purpose.id,
                            several.join(", ")
                        ),
                    ))
                }
            },
        };
        if *parsed.article_6.get_ref() != purpose.legal_basis {
            return Err(err(
                parsed.article_6.span().start,
                format!(
                    "article_6 must be the purpose's lawful basis, as residents were told: '{}' is {:?} in the consent policy",
                    purpose.id, purpose.legal_basis
                ),
            ));
        }
        let records = shared(&parsed, purpose, &err)?;
        let (starts, expires, review) = (
            date(&parsed.starts, &err)?,
            date(&parsed.expires, &err)?,
            date(&parsed.review, &err)?,
        );
        if expires < starts {
            return Err(err(
                parsed.expires.span().start,
                format!("expires ({expires}) is before starts ({starts})"),
            ));
        }
        if review < starts || review > expires {
            return Err(err(
                parsed.review.span().start,
                format!(
                    "review ({review}) must fall between starts ({starts}) and expires ({expires})"
                ),
            ));
        }
        if *parsed.retention_days.get_ref() == 0 {
            return Err(err(
                parsed.retention_days.span().start,
                "retention_days must be at least 1: say how long a recipient keeps what it receives".into(),
            ));
        }
        let conditions: Vec<Condition> = parsed.conditions.get_ref().clone();
        if purpose.default == ConsentDefault::OptIn
            && conditions.contains(&Condition::ResidentNotOptedOut)
        {
            return Err(err(
                parsed.conditions.span().start,
                format!(
                    "purpose '{}' is opt-in, so only residents who said yes are covered: use resident_consented, not resident_not_opted_out",
                    purpose.id
                ),
            ));
        }
        let signatories = signatories(&parsed, starts, &err)?;
        Ok(Agreement {
            id: parsed.id.into_inner(),
            title: parsed.title.into_inner(),
            summary: parsed.summary.into_inner(),
            parties: parsed.parties.into_inner(),
            purpose: purpose.id.clone(),
            recipient,
            article_6: parsed.article_6.into_inner(),
            article_9: parsed.article_9,
            direction: parsed.direction,
            records,
            retention_days: parsed.retention_days.into_inner(),
            starts,
            expires,
            review,
            conditions,
            signatories,
        })
    }
}

/// The record types and fields the file shares: each known to the hub,
/// each field once and one the purpose allows.
fn shared(
    parsed: &AgreementFile,
    purpose: &townhall_consent::Purpose,
    err: &dyn Fn(usize, String) -> SourceError,
) -> Result<Vec<Shared>, SourceError> {
    if parsed.records.is_empty() {
        return Err(err(
            0,
            "no [[records]]: name the record types and exactly which fields are shared".into(),
        ));
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(parsed.records.len());
    for r in &parsed.records {
        let file = r.get_ref();
        let Some(record_type) = records::record_type(file.record_type.get_ref()) else {
            return Err(err(
                file.record_type.span().start,
                format!(
                    "record type '{}' is not one the hub exchanges; it exchanges: {}",
                    file.record_type.get_ref(),
                    records::RECORD_TYPES
                        .iter()
                        .map(|r| r.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        };
        let at_fields = file.fields.span().start;
        if file.fields.get_ref().is_empty() {
            return Err(err(
                at_fields,
                format!("record type '{}' names no fields", record_type.name),
            ));
        }
        let mut fields = Vec::with_capacity(file.fields.get_ref().len());
        for name in file.fields.get_ref() {
            let Some(field) = record_type.field(name) else {
                return Err(err(
                    at_fields,
                    format!(
                        "'{name}' is not a field of '{}'; its fields are: {}",
                        record_type.name,
                        record_type
                            .fields
                            .iter()
                            .map(|f| f.name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            };
            if !purpose.fields.iter().any(|f| f == name) {
                return Err(err(
                    at_fields,
                    format!(
                        "'{name}' is not among the fields the consent policy lets purpose '{}' share ({}): residents were not told of it",
                        purpose.id,
                        purpose.fields.join(", ")
                    ),
                ));
            }
            if !seen.insert(field.name) {
                return Err(err(at_fields, format!("field '{name}' is named twice")));
            }
            fields.push(field);
        }
        let special: Vec<&str> = fields
            .iter()
            .filter(|f| f.special.is_some())
            .map(|f| f.name)
            .collect();
        if !special.is_empty() && parsed.article_9.is_none() {
            return Err(err(
                at_fields,
                format!(
                    "{} {} special-category data (UK GDPR Article 9): name the condition that allows sharing it, e.g. article_9 = \"health_or_social_care\"",
                    special.join(", "),
                    if special.len() == 1 { "is" } else { "are" }
                ),
            ));
        }
        out.push(Shared {
            record_type,
            fields,
            direction: file.direction.unwrap_or(parsed.direction),
        });
    }
    Ok(out)
}

/// The signatories: one at least for the council and for each party, none
/// signing after the agreement starts.
fn signatories(
    parsed: &AgreementFile,
    starts: Date,
    err: &dyn Fn(usize, String) -> SourceError,
) -> Result<Vec<Signatory>, SourceError> {
    let mut out = Vec::with_capacity(parsed.signatories.len());
    for s in &parsed.signatories {
        let at = s.span().start;
        let file = s.get_ref();
        if file.party != COUNCIL && !parsed.parties.get_ref().contains(&file.party) {
            return Err(err(
                at,
                format!(
                    "'{}' signed, but is not a party; parties: {COUNCIL}, {}",
                    file.party,
                    parsed.parties.get_ref().join(", ")
                ),
            ));
        }
        readable(&file.name, err)?;
        readable(&file.role, err)?;
        let signed = date(&file.signed, err)?;
        if signed > starts {
            return Err(err(
                file.signed.span().start,
                format!("signed on {signed}, after the agreement starts ({starts}): it can start only once signed"),
            ));
        }
        out.push(Signatory {
            party: file.party.clone(),
            name: file.name.get_ref().clone(),
            role: file.role.get_ref().clone(),
            signed,
        });
    }
    let unsigned: Vec<&str> = std::iter::once(COUNCIL)
        .chain(parsed.parties.get_ref().iter().map(String::as_str))
        .filter(|party| !out.iter().any(|s| s.party == *party))
        .collect();
    if !unsigned.is_empty() {
        return Err(err(
            0,
            format!(
                "nobody has signed for {}: every party and the council sign ([[signatories]])",
                unsigned.join(", ")
            ),
        ));
    }
    Ok(out)
}

/// Refuses text the public register could not show as written: empty, or
/// holding a character nobody types (TOML's escapes can write any).
fn readable(
    text: &Spanned<String>,
    err: &dyn Fn(usize, String) -> SourceError,
) -> Result<(), SourceError> {
    let at = text.span().start;
    match townhall_types::text::clean(text.get_ref()) {
        Ok(_) if text.get_ref().trim().is_empty() => Err(err(at, "must not be empty".into())),
        Ok(_) => Ok(()),
        Err(refusal) => Err(err(
            at,
            format!("'{}' {refusal}", text.get_ref().escape_debug()),
        )),
    }
}

/// A TOML date (`2027-03-31`), as a calendar date.
fn date(
    value: &Spanned<toml::value::Datetime>,
    err: &dyn Fn(usize, String) -> SourceError,
) -> Result<Date, SourceError> {
    let at = value.span().start;
    let v = value.get_ref();
    let (Some(d), None) = (v.date, v.time) else {
        return Err(err(
            at,
            format!("'{v}' must be a date alone, e.g. 2027-03-31"),
        ));
    };
    time::Month::try_from(d.month)
        .ok()
        .and_then(|m| Date::from_calendar_date(i32::from(d.year), m, d.day).ok())
        .ok_or_else(|| err(at, format!("'{v}' is not a date")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgreementFile {
    version: Spanned<u32>,
    id: Spanned<String>,
    title: Spanned<String>,
    summary: Spanned<String>,
    parties: Spanned<Vec<String>>,
    purpose: Spanned<String>,
    #[serde(default)]
    recipient: Option<Spanned<String>>,
    article_6: Spanned<LegalBasis>,
    #[serde(default)]
    article_9: Option<Article9Condition>,
    direction: Direction,
    retention_days: Spanned<u32>,
    starts: Spanned<toml::value::Datetime>,
    expires: Spanned<toml::value::Datetime>,
    review: Spanned<toml::value::Datetime>,
    #[serde(default = "no_conditions")]
    conditions: Spanned<Vec<Condition>>,
    #[serde(default)]
    records: Vec<Spanned<RecordsFile>>,
    #[serde(default)]
    signatories: Vec<Spanned<SignatoryFile>>,
}

fn no_conditions() -> Spanned<Vec<Condition>> {
    Spanned::new(0..0, Vec::new())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordsFile {
    #[serde(rename = "type")]
    record_type: Spanned<String>,
    fields: Spanned<Vec<String>>,
    #[serde(default)]
    direction: Option<Direction>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignatoryFile {
    party: String,
    name: Spanned<String>,
    role: Spanned<String>,
    signed: Spanned<toml::value::Datetime>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const GP: &str = include_str!("../demo/agreements/gp-wellbeing-checks.toml");

    const PARTNERS: &[&str] = &["riverside-medical-centre", "riverside-homes"];

    fn policy() -> Policy {
        Policy::parse("consent.toml", townhall_consent::demo::POLICY).unwrap()
    }

    fn day(iso: &str) -> Date {
        Date::parse(
            iso,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .unwrap()
    }

    #[test]
    fn the_gp_agreement_shares_exactly_its_fields_while_in_force() {
        let a = Agreement::parse("gp.toml", GP, &policy(), PARTNERS).unwrap();
        assert_eq!(a.parties, ["riverside-medical-centre"]);
        assert_eq!(a.article_9, Some(Article9Condition::ExplicitConsent));
        let person: Vec<&str> = a
            .fields_of("person")
            .unwrap()
            .iter()
            .map(|f| f.name)
            .collect();
        assert_eq!(person, ["name", "date_of_birth", "address", "phone"]);
        assert!(a.fields_of("care_needs").is_none());
        assert_eq!(a.standing(day("2026-03-31")), Standing::NotYetInForce);
        assert_eq!(a.standing(day("2026-04-01")), Standing::InForce);
        assert_eq!(a.standing(day("2028-03-31")), Standing::InForce);
        assert_eq!(a.standing(day("2028-04-01")), Standing::Ended);
    }

    /// Each mistake, made in the GP agreement, is refused at its line.
    #[test]
    fn mistakes_are_refused_at_their_line() {
        let cases: &[(&str, &str, usize, &str)] = &[
            ("retention_days = 90", "retention_days = 90\nshared_with = \"everyone\"", 15, "unknown field `shared_with`"),
            ("version = 1", "version = 2", 5, "version 2 is not supported"),
            ("parties = [\"riverside-medical-centre\"]", "parties = [\"riverside-clinic\"]", 9, "'riverside-clinic' is not one of the council's partners (riverside-medical-centre, riverside-homes); register it first"),
            ("purpose = \"gp-wellbeing-checks\"", "purpose = \"gp-checks\"", 10, "purpose 'gp-checks' is not in the consent policy; it has: gp-wellbeing-checks"),
            ("article_6 = \"consent\"", "article_6 = \"public_task\"", 11, "article_6 must be the purpose's lawful basis"),
            ("purpose = \"gp-wellbeing-checks\"", "purpose = \"gp-wellbeing-checks\"\nrecipient = \"housing-support\"", 11, "recipient 'housing-support' is not one of purpose 'gp-wellbeing-checks''s recipients in the consent policy (gp)"),
            ("expires = 2028-03-31", "expires = 2026-03-31", 16, "expires (2026-03-31) is before starts (2026-04-01)"),
            ("review = 2027-03-31", "review = 2029-01-01", 17, "review (2029-01-01) must fall between"),
            ("article_9 = \"explicit_consent\"\n", "", 25, "reason_for_concern is special-category data (UK GDPR Article 9): name the condition"),
            ("fields = [\"name\", \"date_of_birth\", \"address\", \"phone\"]", "fields = [\"name\", \"email\"]", 22, "'email' is not among the fields the consent policy lets purpose 'gp-wellbeing-checks' share"),
            ("fields = [\"name\", \"date_of_birth\", \"address\", \"phone\"]", "fields = [\"name\", \"nhs_number\"]", 22, "'nhs_number' is not a field of 'person'; its fields are: name, date_of_birth"),
            ("type = \"person\"", "type = \"medical_records\"", 21, "record type 'medical_records' is not one the hub exchanges"),
            ("conditions = [\"resident_consented\"]", "conditions = [\"resident_not_opted_out\"]", 18, "is opt-in, so only residents who said yes are covered"),
            ("signed = 2026-03-24", "signed = 2026-05-01", 43, "signed on 2026-05-01, after the agreement starts (2026-04-01)"),
            ("party = \"riverside-medical-centre\"", "party = \"riverside-police\"", 39, "'riverside-police' signed, but is not a party"),
            ("starts = 2026-04-01", "starts = 2026-04-01T09:00:00", 15, "must be a date alone"),
            ("retention_days = 90", "retention_days = 0", 14, "retention_days must be at least 1"),
            ("title = \"GP wellbeing checks\"", "title = \"GP wellbeing\\u0007 checks\"", 7, "contains a character that cannot be typed (U+0007)"),
            ("name = \"Dr Amara Osei\"", "name = \"  \"", 41, "must not be empty"),
        ];
        let policy = policy();
        for (from, to, line, said) in cases {
            assert!(GP.contains(from), "{from}");
            let text = GP.replacen(from, to, 1);
            let e = Agreement::parse("gp.toml", &text, &policy, PARTNERS).unwrap_err();
            assert!(e.message.contains(said), "{to}: {e}");
            assert_eq!((e.file.as_str(), e.line), ("gp.toml", *line), "{to}: {e}");
        }
    }

    #[test]
    fn the_demo_agreements_load() {
        let policy = policy();
        for (name, text) in crate::demo::AGREEMENTS {
            let a = Agreement::parse(name, text, &policy, PARTNERS).unwrap();
            assert_eq!(format!("{}.toml", a.id), *name);
        }
    }

    #[test]
    fn every_party_and_the_council_sign() {
        let text = GP.replacen(
            "[[signatories]]\nparty = \"council\"\nname = \"Dana Whitfield\"\nrole = \"Data Protection Officer, Riverside Borough Council\"\nsigned = 2026-03-20\n",
            "",
            1,
        );
        let e = Agreement::parse("gp.toml", &text, &policy(), PARTNERS).unwrap_err();
        assert_eq!(
            e.to_string(),
            "gp.toml:1: nobody has signed for council: every party and the council sign ([[signatories]])"
        );
    }
}
