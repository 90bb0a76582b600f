//! A service file: reading it, checking every rule in it, and the checked result.

use std::collections::HashSet;
use townhall_types::text::FIELD_MAX_CHARS;

use serde::{Deserialize, Serialize};
use toml::Spanned;
use townhall_places::AreaKind;
use townhall_types::{fill_placeholders, SourceError, SourceText};

use crate::booking::Booking;
use crate::deadline::Deadline;
use crate::eligibility::Rule;
use crate::missed::MissedCollection;
use crate::question::{LocationKind, Prefill, Question, QuestionKind, TextFormat};
use crate::routing::Route;
use crate::workflow::{Status, Workflow, EXTERNAL_STATUSES, MESSAGE_PLACEHOLDERS};

/// "Is this the same problem?": earlier open cases of the same service this
/// close, this recent, are offered to the resident to join.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Duplicates {
    /// Distance, in metres.
    pub within_metres: f64,
    /// Age, in days.
    pub within_days: u32,
}

/// What the service costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fee {
    /// The amount in pence.
    pub amount_pence: u32,
    /// What it pays for, as it appears on the receipt.
    pub description: String,
}

impl Fee {
    /// The amount as people read it, e.g. "£60.00".
    pub fn display(&self) -> String {
        format!(
            "£{}.{:02}",
            self.amount_pence / 100,
            self.amount_pence % 100
        )
    }
}

/// A permit the service issues once a case is approved and paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Permit {
    /// What the permit is called, e.g. "Resident parking permit".
    pub name: String,
    /// How long it lasts from the day it is issued.
    pub valid_for_days: u32,
    /// The status at which it is issued, e.g. `issued`.
    pub issued_at: String,
}

/// One council service, checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Service {
    /// Its code, e.g. `report-pothole`; also its Open311 `service_code`.
    pub id: String,
    /// Its name, e.g. "Report a pothole".
    pub name: String,
    /// What it is for.
    pub description: String,
    /// The group it is listed under.
    pub group: String,
    /// Search words.
    pub keywords: Vec<String>,
    /// Whether people who are not signed in may use it.
    pub guests: bool,
    /// How long the council gives itself.
    pub deadline: Deadline,
    /// Duplicate detection, if the service uses it.
    pub duplicates: Option<Duplicates>,
    /// The questions, in the order asked.
    pub questions: Vec<Question>,
    /// Who may use it.
    pub eligibility: Vec<Rule>,
    /// What it costs.
    pub fee: Option<Fee>,
    /// Bookable days.
    pub booking: Option<Booking>,
    /// The permit it issues.
    pub permit: Option<Permit>,
    /// When a missed collection may be reported, if it takes such reports.
    pub missed_collection: Option<MissedCollection>,
    /// Where cases go.
    pub routing: Vec<Route>,
    /// The statuses cases move through.
    pub workflow: Workflow,
}

impl Service {
    /// The question giving the case's location, if any.
    pub fn location_question(&self) -> Option<&Question> {
        self.questions
            .iter()
            .find(|q| q.kind == QuestionKind::Location)
    }

    /// The question by id.
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FeeFile {
    amount: String,
    description: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkflowFile {
    statuses: Vec<Spanned<Status>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceFile {
    version: Spanned<u32>,
    id: Spanned<String>,
    name: String,
    description: String,
    group: String,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    guests: bool,
    deadline: Spanned<String>,
    #[serde(default)]
    duplicates: Option<Spanned<Duplicates>>,
    #[serde(default)]
    questions: Vec<Spanned<Question>>,
    #[serde(default)]
    eligibility: Vec<Spanned<Rule>>,
    #[serde(default)]
    fee: Option<Spanned<FeeFile>>,
    #[serde(default)]
    booking: Option<Spanned<Booking>>,
    #[serde(default)]
    permit: Option<Spanned<Permit>>,
    #[serde(default)]
    missed_collection: Option<Spanned<MissedCollection>>,
    routing: Spanned<Vec<Spanned<Route>>>,
    workflow: Spanned<WorkflowFile>,
}

/// The council's areas, so routing rules can be checked against real codes.
pub trait KnownAreas {
    /// Whether the council has an area of this kind with this code.
    fn has(&self, kind: AreaKind, code: &str) -> bool;
}

impl KnownAreas for townhall_places::Boundaries {
    fn has(&self, kind: AreaKind, code: &str) -> bool {
        townhall_places::Boundaries::has(self, kind, code)
    }
}

/// `"60.00"` → 6000.
fn pence(amount: &str) -> Option<u32> {
    let (pounds, pennies) = amount.split_once('.').unwrap_or((amount, "00"));
    if pennies.len() != 2 || pounds.is_empty() {
        return None;
    }
    let pounds: u32 = pounds.parse().ok()?;
    let pennies: u32 = pennies.parse().ok()?;
    pounds.checked_mul(100)?.checked_add(pennies)
}

/// Reads and checks the service file `file` (its name, for errors) holding `text`.
pub fn parse(file: &str, text: &str, areas: &dyn KnownAreas) -> Result<Service, SourceError> {
    let src = SourceText::new(file, text);
    let f: ServiceFile =
        toml::from_str(text).map_err(|e| src.unreadable(e.span().map(|s| s.start), e.message()))?;
    src.version_one(*f.version.get_ref(), f.version.span().start)?;
    let id = f.id.get_ref();
    if !townhall_types::is_config_id(id) {
        return Err(src.error(
            f.id.span().start,
            format!("service id '{id}' must be lower-case letters, digits and hyphens"),
        ));
    }
    let stem = std::path::Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(id);
    if stem != id {
        return Err(src.error(
            f.id.span().start,
            format!("service '{id}' must be in a file called {id}.toml, not {stem}.toml"),
        ));
    }
    for (what, value) in [
        ("name", &f.name),
        ("description", &f.description),
        ("group", &f.group),
    ] {
        if value.trim().is_empty() {
            return Err(src.error(0, format!("the service's {what} must not be empty")));
        }
    }
    let deadline =
        Deadline::parse(f.deadline.get_ref()).map_err(|m| src.error(f.deadline.span().start, m))?;

    let questions = check_questions(&src, &f)?;
    let location = questions.iter().find(|q| q.kind == QuestionKind::Location);
    let question = |id: &str| questions.iter().find(|q| q.id == id);

    if let Some(d) = &f.duplicates {
        let dup = d.get_ref();
        if location.is_none() {
            return Err(src.error(
                d.span().start,
                "duplicates needs a location question to measure distance from",
            ));
        }
        if !(1.0..=5_000.0).contains(&dup.within_metres) || !(1..=365).contains(&dup.within_days) {
            return Err(src.error(
                d.span().start,
                "duplicates: within_metres must be 1 to 5000 and within_days 1 to 365",
            ));
        }
    }

    for r in &f.eligibility {
        let at = r.span().start;
        match r.get_ref() {
            Rule::SignedIn { .. } if f.guests => {
                return Err(src.error(at, "a signed-in rule contradicts guests = true"));
            }
            Rule::InZone { zones, .. } => {
                if location.is_none() {
                    return Err(src.error(at, "an in-zone rule needs a location question"));
                }
                if let Some(z) = zones.iter().find(|z| !areas.has(AreaKind::Zone, z)) {
                    return Err(src.error(
                        at,
                        format!("zone '{z}' is not one of the council's parking zones"),
                    ));
                }
            }
            Rule::OnePer { answer, .. } => match question(answer) {
                Some(q)
                    if q.required
                        && matches!(q.kind, QuestionKind::Text | QuestionKind::SingleChoice) => {}
                Some(_) => {
                    return Err(src.error(at, format!("one-per: question '{answer}' must be a required text or single-choice question")));
                }
                None => {
                    return Err(src.error(
                        at,
                        format!(
                            "one-per names question '{answer}', which the service does not ask"
                        ),
                    ))
                }
            },
            Rule::SignedIn { .. } => {}
        }
    }

    let fee = match &f.fee {
        Some(fee) => {
            let amount_pence = pence(fee.get_ref().amount.trim())
                .filter(|p| *p > 0)
                .ok_or_else(|| {
                    src.error(
                        fee.span().start,
                        format!(
                            "fee amount '{}' must be pounds and pence, like \"60.00\"",
                            fee.get_ref().amount
                        ),
                    )
                })?;
            Some(Fee {
                amount_pence,
                description: fee.get_ref().description.clone(),
            })
        }
        None => None,
    };

    if let Some(m) = &f.missed_collection {
        m.get_ref().check(&src, m.span().start, &questions)?;
    }
    let has_slot = questions.iter().any(|q| q.kind == QuestionKind::Slot);
    if let Some(b) = &f.booking {
        let booking = b.get_ref();
        let at = b.span().start;
        if let Some(w) = booking
            .weekdays
            .iter()
            .find(|w| townhall_types::day::weekday(w).is_none())
        {
            return Err(src.error(
                at,
                format!("booking weekday '{w}' must be a day name in lower case, like \"tuesday\""),
            ));
        }
        if booking.weekdays.is_empty() || booking.capacity_per_day == 0 {
            return Err(src.error(
                at,
                "booking needs at least one weekday and a capacity_per_day above 0",
            ));
        }
        if booking.earliest_days_ahead > booking.latest_days_ahead
            || booking.latest_days_ahead > 366
        {
            return Err(src.error(at, "booking: earliest_days_ahead must not be after latest_days_ahead, which is at most 366"));
        }
        if !has_slot {
            return Err(src.error(
                at,
                "a [booking] table needs a question of type \"slot\" to choose the day",
            ));
        }
    } else if has_slot {
        return Err(src.error(
            0,
            "a slot question needs a [booking] table saying which days can be booked",
        ));
    }

    if let Some(p) = &f.permit {
        if !(1..=1_100).contains(&p.get_ref().valid_for_days) {
            return Err(src.error(p.span().start, "permit valid_for_days must be 1 to 1100"));
        }
        if f.guests {
            return Err(src.error(
                p.span().start,
                "a service that issues permits cannot allow guests",
            ));
        }
    }

    let routing = check_routing(&src, &f, &questions, areas)?;
    let workflow = check_workflow(&src, &f.workflow)?;
    if let Some(p) = &f.permit {
        if workflow.status(&p.get_ref().issued_at).is_none() {
            return Err(src.error(
                p.span().start,
                format!(
                    "permit issued_at names '{}', which is not a status of this workflow",
                    p.get_ref().issued_at
                ),
            ));
        }
    }
    Ok(Service {
        id: id.clone(),
        name: f.name,
        description: f.description,
        group: f.group,
        keywords: f.keywords,
        guests: f.guests,
        deadline,
        duplicates: f.duplicates.map(Spanned::into_inner),
        eligibility: f.eligibility.into_iter().map(Spanned::into_inner).collect(),
        fee,
        booking: f.booking.map(Spanned::into_inner),
        permit: f.permit.map(Spanned::into_inner),
        missed_collection: f.missed_collection.map(Spanned::into_inner),
        questions,
        routing,
        workflow,
    })
}

fn check_questions(src: &SourceText, f: &ServiceFile) -> Result<Vec<Question>, SourceError> {
    let mut ids = HashSet::new();
    let mut locations = 0;
    for q in &f.questions {
        let at = q.span().start;
        let q = q.get_ref();
        let err = |m: String| Err(src.error(at, format!("question '{}': {m}", q.id)));
        if !townhall_types::is_config_id(&q.id) {
            return err("its id must be lower-case letters, digits and hyphens".into());
        }
        if !ids.insert(q.id.as_str()) {
            return err("is declared twice".into());
        }
        if q.label.trim().is_empty() {
            return err("its label must not be empty".into());
        }
        if q.kind.has_choices() {
            if q.choices.len() < 2 {
                return err("a choice question needs at least two choices".into());
            }
            let mut values = HashSet::new();
            if let Some(c) = q.choices.iter().find(|c| {
                !townhall_types::is_config_id(&c.value) || !values.insert(c.value.as_str())
            }) {
                return err(format!(
                    "choice value '{}' must be unique, lower-case letters, digits and hyphens",
                    c.value
                ));
            }
        } else if !q.choices.is_empty() {
            return err(
                "'choices' only applies to single-choice and multiple-choice questions".into(),
            );
        }
        let text = matches!(q.kind, QuestionKind::Text | QuestionKind::LongText);
        if (q.min.is_some() || q.max.is_some()) && q.kind != QuestionKind::Number {
            return err("'min' and 'max' only apply to number questions".into());
        }
        if let (Some(lo), Some(hi)) = (q.min, q.max) {
            if lo > hi {
                return err(format!("min ({lo}) is larger than max ({hi})"));
            }
        }
        if (q.max_length.is_some() || q.format.is_some()) && !text {
            return err(
                "'max_length' and 'format' only apply to text and long-text questions".into(),
            );
        }
        if let Some(n) = q.max_length.filter(|n| *n == 0 || *n > FIELD_MAX_CHARS) {
            return err(format!(
                "max_length ({n}) must be between 1 and {FIELD_MAX_CHARS}, the most any answer may hold"
            ));
        }
        if q.dates.is_some() && q.kind != QuestionKind::Date {
            return err("'dates' only applies to date questions".into());
        }
        if q.kind == QuestionKind::Location {
            locations += 1;
            if q.accept.is_empty() {
                return err("a location question must say what it accepts: accept = [\"address\"], [\"point\"] or both".into());
            }
        } else if !q.accept.is_empty() {
            return err("'accept' only applies to location questions".into());
        }
        match q.prefill {
            Some(Prefill::HomeAddress)
                if !(q.kind == QuestionKind::Location
                    && q.accept.contains(&LocationKind::Address)) =>
            {
                return err(
                    "prefill = \"home-address\" needs a location question that accepts addresses"
                        .into(),
                );
            }
            Some(Prefill::Phone) if q.format != Some(TextFormat::Phone) => {
                return err(
                    "prefill = \"phone\" needs a text question with format = \"phone\"".into(),
                );
            }
            _ => {}
        }
    }
    if locations > 1 {
        return Err(src.error(0, "a service may have only one location question"));
    }
    Ok(f.questions.iter().map(|q| q.get_ref().clone()).collect())
}

fn check_routing(
    src: &SourceText,
    f: &ServiceFile,
    questions: &[Question],
    areas: &dyn KnownAreas,
) -> Result<Vec<Route>, SourceError> {
    let rules = f.routing.get_ref();
    let Some(last) = rules.last() else {
        return Err(src.error(f.routing.span().start, "routing needs at least one rule"));
    };
    let has_location = questions.iter().any(|q| q.kind == QuestionKind::Location);
    for (n, r) in rules.iter().enumerate() {
        let at = r.span().start;
        let rule = r.get_ref();
        let err = |m: String| Err(src.error(at, format!("routing rule {}: {m}", n + 1)));
        let when = &rule.when;
        if rule.team.trim().is_empty() {
            return err("team must not be empty".into());
        }
        if when.is_empty() && n + 1 < rules.len() {
            return err(format!(
                "it has no conditions, so the {} rule(s) after it can never apply",
                rules.len() - n - 1
            ));
        }
        match (&when.answer, when.is.is_empty()) {
            (Some(a), false) => {
                let Some(q) = questions.iter().find(|q| &q.id == a) else {
                    return err(format!(
                        "it tests question '{a}', which the service does not ask"
                    ));
                };
                let allowed: Vec<&str> = match q.kind {
                    QuestionKind::YesNo => vec!["yes", "no"],
                    k if k.has_choices() => q.choices.iter().map(|c| c.value.as_str()).collect(),
                    _ => {
                        return err(format!(
                            "question '{a}' is not a choice or yes/no question, so it cannot route"
                        ))
                    }
                };
                if let Some(v) = when.is.iter().find(|v| !allowed.contains(&v.as_str())) {
                    return err(format!(
                        "'{v}' is not an answer to '{a}'; use one of {}",
                        allowed.join(", ")
                    ));
                }
            }
            (Some(a), true) => {
                return err(format!(
                    "it tests question '{a}' but lists no values in 'is'"
                ))
            }
            (None, false) => {
                return err("'is' needs 'answer' to say which question it tests".into())
            }
            (None, true) => {}
        }
        let by_place = !when.ward.is_empty() || !when.parish.is_empty() || when.in_parish.is_some();
        if by_place && !has_location {
            return err("it routes by place, but the service has no location question".into());
        }
        if let Some(w) = when.ward.iter().find(|w| !areas.has(AreaKind::Ward, w)) {
            return err(format!("ward '{w}' is not one of the council's wards"));
        }
        if let Some(p) = when.parish.iter().find(|p| !areas.has(AreaKind::Parish, p)) {
            return err(format!("parish '{p}' is not one of the council's parishes"));
        }
        let mut missing = Vec::new();
        fill_placeholders(&rule.team, &[("parish", "")], &mut missing);
        if let Some(m) = missing.first() {
            return err(format!("team uses (({m})), but only ((parish)) is known"));
        }
        if rule.team.contains("((parish))") && !when.needs_parish() {
            return err(
                "team uses ((parish)), so the rule needs in_parish = true or a parish list".into(),
            );
        }
    }
    if !last.get_ref().when.is_empty() {
        return Err(src.error(
            last.span().start,
            "the last routing rule must have no conditions, so every case goes somewhere",
        ));
    }
    Ok(rules.iter().map(|r| r.get_ref().clone()).collect())
}

fn check_workflow(src: &SourceText, w: &Spanned<WorkflowFile>) -> Result<Workflow, SourceError> {
    let statuses = &w.get_ref().statuses;
    if statuses.is_empty() {
        return Err(src.error(w.span().start, "the workflow needs at least one status"));
    }
    let ids: Vec<&str> = statuses.iter().map(|s| s.get_ref().id.as_str()).collect();
    for (n, s) in statuses.iter().enumerate() {
        let at = s.span().start;
        let st = s.get_ref();
        let err = |m: String| Err(src.error(at, format!("status '{}': {m}", st.id)));
        if !townhall_types::is_config_id(&st.id) {
            return err("its id must be lower-case letters, digits and hyphens".into());
        }
        if ids[..n].contains(&st.id.as_str()) {
            return err("is declared twice".into());
        }
        if let Some(next) = st.next.iter().find(|x| !ids.contains(&x.as_str())) {
            return err(format!(
                "next names '{next}', which is not a status of this workflow"
            ));
        }
        if let Some(message) = &st.message {
            let mut missing = Vec::new();
            let known: Vec<(&str, &str)> = MESSAGE_PLACEHOLDERS.iter().map(|p| (*p, "")).collect();
            fill_placeholders(message, &known, &mut missing);
            if let Some(m) = missing.first() {
                return err(format!(
                    "the message uses (({m})); known placeholders are (({}))",
                    MESSAGE_PLACEHOLDERS.join(")), ((")
                ));
            }
        }
        if let Some(x) = st
            .external
            .as_deref()
            .filter(|x| !EXTERNAL_STATUSES.contains(x))
        {
            return err(format!("external status '{x}' is not a FixMyStreet status"));
        }
    }
    let workflow = Workflow {
        statuses: statuses.iter().map(|s| s.get_ref().clone()).collect(),
    };
    if !workflow.statuses.iter().any(|s| s.closed) {
        return Err(src.error(
            w.span().start,
            "the workflow needs at least one status with closed = true",
        ));
    }
    if let Some(lost) = workflow.unreachable().first() {
        return Err(src.error(
            w.span().start,
            format!("status '{lost}' cannot be reached from '{}'", ids[0]),
        ));
    }
    Ok(workflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Areas;

    impl KnownAreas for Areas {
        fn has(&self, kind: AreaKind, code: &str) -> bool {
            matches!(
                (kind, code),
                (AreaKind::Ward, "W01") | (AreaKind::Parish, "P01") | (AreaKind::Zone, "ZA")
            )
        }
    }

    const GOOD: &str = r#"version = 1
id = "report-thing"
name = "Report a thing"
description = "A thing."
group = "Things"
guests = true
deadline = "5 working days"

[[questions]]
id = "where"
type = "location"
label = "Where?"
accept = ["point"]

[[questions]]
id = "kind"
type = "single-choice"
label = "Which?"
choices = [{ value = "a", label = "A" }, { value = "b", label = "B" }]

[[routing]]
when = { answer = "kind", is = ["a"] }
team = "Team A"

[[routing]]
team = "Everyone else"

[workflow]
[[workflow.statuses]]
id = "open"
label = "Open"
next = ["done"]
message = "Got it: ((reference))"

[[workflow.statuses]]
id = "done"
label = "Done"
closed = true
"#;

    fn load(text: &str) -> Result<Service, SourceError> {
        parse("services/report-thing.toml", text, &Areas)
    }

    #[test]
    fn a_good_file_loads() {
        let s = load(GOOD).unwrap();
        assert_eq!(s.id, "report-thing");
        assert_eq!(s.location_question().unwrap().id, "where");
        assert!(s.workflow.allows("open", "done"));
        assert!(!s.workflow.allows("done", "open"));
    }

    #[test]
    fn each_mistake_is_reported_with_its_line() {
        let cases: &[(&str, &str, usize, &str)] = &[
            (
                "version = 1",
                "version = 2",
                1,
                "version 2 is not supported",
            ),
            (
                "id = \"report-thing\"",
                "id = \"Report Thing\"",
                2,
                "must be lower-case",
            ),
            (
                "id = \"report-thing\"",
                "id = \"other\"",
                2,
                "must be in a file called other.toml",
            ),
            (
                "deadline = \"5 working days\"",
                "deadline = \"soon\"",
                7,
                "must be like \"48 hours\"",
            ),
            (
                "guests = true",
                "guests = true\ncolour = \"red\"",
                7,
                "unknown field `colour`",
            ),
            (
                "accept = [\"point\"]",
                "accept = []",
                9,
                "must say what it accepts",
            ),
            (
                "{ value = \"b\", label = \"B\" }",
                "{ value = \"a\", label = \"B\" }",
                15,
                "choice value 'a' must be unique",
            ),
            (
                "is = [\"a\"]",
                "is = [\"c\"]",
                21,
                "'c' is not an answer to 'kind'",
            ),
            (
                "answer = \"kind\"",
                "answer = \"colour\"",
                21,
                "tests question 'colour', which the service does not ask",
            ),
            (
                "when = { answer = \"kind\", is = [\"a\"] }",
                "when = { ward = [\"W99\"] }",
                21,
                "ward 'W99' is not one of the council's wards",
            ),
            (
                "when = { answer = \"kind\", is = [\"a\"] }\nteam = \"Team A\"",
                "when = { ward = [\"W01\"] }\nteam = \"((parish)) Clerk\"",
                21,
                "needs in_parish = true",
            ),
            (
                "when = { answer = \"kind\", is = [\"a\"] }\nteam = \"Team A\"",
                "team = \"First\"",
                21,
                "the 1 rule(s) after it can never apply",
            ),
            (
                "next = [\"done\"]",
                "next = [\"finished\"]",
                29,
                "next names 'finished'",
            ),
            (
                "Got it: ((reference))",
                "Got it: ((ref))",
                29,
                "the message uses ((ref))",
            ),
            (
                "closed = true",
                "closed = false",
                28,
                "at least one status with closed = true",
            ),
            (
                "next = [\"done\"]\n",
                "",
                28,
                "status 'done' cannot be reached from 'open'",
            ),
        ];
        for (from, to, line, needle) in cases {
            assert!(GOOD.contains(from), "{from}");
            let e = load(&GOOD.replacen(from, to, 1)).unwrap_err();
            assert!(e.message.contains(needle), "{to}: {e}");
            assert_eq!(e.line, *line, "{to}: {e}");
        }
    }

    #[test]
    fn rules_for_fees_bookings_permits_and_eligibility_are_checked() {
        let with = |extra: &str| load(&format!("{GOOD}\n{extra}"));
        let e = with("[fee]\namount = \"12.5\"\ndescription = \"x\"").unwrap_err();
        assert!(e.message.contains("must be pounds and pence"), "{e}");
        assert_eq!(
            with("[fee]\namount = \"12.50\"\ndescription = \"x\"")
                .unwrap()
                .fee
                .unwrap()
                .amount_pence,
            1250
        );
        let e = with(
            "[booking]\ncapacity_per_day = 5\nweekdays = [\"tuesday\"]\nlatest_days_ahead = 10",
        )
        .unwrap_err();
        assert!(
            e.message.contains("needs a question of type \"slot\""),
            "{e}"
        );
        let e = with("[[eligibility]]\nrule = \"in-zone\"\nzones = [\"ZQ\"]\nmessage = \"m\"")
            .unwrap_err();
        assert!(
            e.message
                .contains("zone 'ZQ' is not one of the council's parking zones"),
            "{e}"
        );
        let e = with("[[eligibility]]\nrule = \"signed-in\"\nmessage = \"m\"").unwrap_err();
        assert!(e.message.contains("contradicts guests = true"), "{e}");
        let e = with("[permit]\nname = \"P\"\nvalid_for_days = 365\nissued_at = \"issued\"")
            .unwrap_err();
        assert!(e.message.contains("cannot allow guests"), "{e}");
    }
}
