//! Questions a service asks, and turning what a person typed into checked answers.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
pub use townhall_types::FieldErrors;

/// What kind of answer a question takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuestionKind {
    /// One line of text.
    Text,
    /// A paragraph.
    LongText,
    /// A number, optionally between `min` and `max`.
    Number,
    /// A date, entered as day, month and year.
    Date,
    /// One of `choices`.
    SingleChoice,
    /// Any of `choices`.
    MultipleChoice,
    /// Yes or no.
    YesNo,
    /// An address from the gazetteer or a point given by its latitude and longitude (`accept`).
    Location,
    /// A photo, uploaded with the form.
    Photo,
    /// A day from the service's `[booking]` availability.
    Slot,
}

impl QuestionKind {
    /// Whether answers are picked from `choices`.
    pub fn has_choices(self) -> bool {
        matches!(
            self,
            QuestionKind::SingleChoice | QuestionKind::MultipleChoice
        )
    }
}

/// One of the answers offered by a choice question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// The stored value, e.g. `cycle-path`.
    pub value: String,
    /// What people see, e.g. "On a cycle path".
    pub label: String,
}

/// How a location may be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LocationKind {
    /// An address from the council's gazetteer, found by postcode.
    Address,
    /// A point (latitude and longitude), e.g. picked on a map.
    Point,
}

/// A checked format for text answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TextFormat {
    /// A UK vehicle registration, stored upper case without spaces.
    VehicleRegistration,
    /// A UK phone number.
    Phone,
}

/// Which dates a date question accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DateRule {
    /// Today or earlier.
    Past,
    /// Today or later.
    Future,
}

/// What the council already knows and fills in for a signed-in resident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Prefill {
    /// Their home address (a location question).
    HomeAddress,
    /// Their phone number.
    Phone,
}

/// One question of a service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Its code, unique in the service: lower-case letters, digits and hyphens.
    pub id: String,
    /// Its kind.
    #[serde(rename = "type")]
    pub kind: QuestionKind,
    /// The question as people read it.
    pub label: String,
    /// Help shown under the label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Whether it must be answered (default yes).
    #[serde(default = "yes")]
    pub required: bool,
    /// Its short name in "check your answers", e.g. "Depth".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The error when it is not answered, e.g. "Select where the pothole is".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_message: Option<String>,
    /// The answers offered (choice questions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Choice>,
    /// The smallest number accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// The largest number accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// The longest text accepted, in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
    /// A checked format for text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<TextFormat>,
    /// Which dates are accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dates: Option<DateRule>,
    /// How a location may be given (location questions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accept: Vec<LocationKind>,
    /// What is filled in for a signed-in resident.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefill: Option<Prefill>,
}

fn yes() -> bool {
    true
}

/// The longest text kept when a question sets no `max_length`.
const DEFAULT_MAX_TEXT: usize = 4_000;

impl Question {
    /// Its name in summaries and errors.
    pub fn short_name(&self) -> &str {
        self.summary.as_deref().unwrap_or(&self.label)
    }

    /// The label of a choice value.
    pub fn choice_label(&self, value: &str) -> Option<&str> {
        self.choices
            .iter()
            .find(|c| c.value == value)
            .map(|c| c.label.as_str())
    }

    fn missing(&self) -> String {
        if let Some(m) = &self.required_message {
            return m.clone();
        }
        let name = self.short_name().to_lowercase();
        match self.kind {
            QuestionKind::SingleChoice | QuestionKind::MultipleChoice | QuestionKind::Slot => {
                format!("Select {name}")
            }
            QuestionKind::YesNo => format!("Select yes or no for {name}"),
            // There is no map: a point is given as its latitude and longitude.
            QuestionKind::Location => match self.accept.as_slice() {
                [LocationKind::Address] => "Enter a postcode and choose an address".to_owned(),
                [LocationKind::Point] => "Enter the latitude and longitude of the place".to_owned(),
                _ => "Enter a postcode and choose an address, or enter the latitude and longitude of the place"
                    .to_owned(),
            },
            QuestionKind::Photo => "Choose a photo to upload".to_owned(),
            _ => format!("Enter {name}"),
        }
    }
}

/// A location as given in a form, before it is found in the gazetteer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "by")]
pub enum LocationInput {
    /// An address, by its UPRN.
    Address {
        /// The UPRN.
        uprn: String,
    },
    /// A point.
    Point {
        /// WGS84 latitude.
        latitude: f64,
        /// WGS84 longitude.
        longitude: f64,
    },
}

/// A checked answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "type", content = "value")]
pub enum Answer {
    /// Text (one line or a paragraph).
    Text(String),
    /// A number.
    Number(f64),
    /// A date.
    Date(time::Date),
    /// One choice's value.
    Choice(String),
    /// Several choices' values.
    Choices(Vec<String>),
    /// Yes (true) or no.
    YesNo(bool),
    /// A location.
    Location(LocationInput),
    /// A photo: the id of the stored attachment.
    Photo(String),
    /// A booked day.
    Slot(time::Date),
}

/// A service's answers, by question id.
pub type Answers = BTreeMap<String, Answer>;

/// What was typed, field by field, as an HTML form sends it.
pub type FormInput = HashMap<String, Vec<String>>;

/// The first value sent for `field`, trimmed; empty when there is none.
pub fn field<'a>(input: &'a FormInput, name: &str) -> &'a str {
    input
        .get(name)
        .and_then(|v| v.first())
        .map(|s| s.trim())
        .unwrap_or("")
}

/// Checks the answers to `questions` in `input`. Photos and locations are read
/// from their own fields (`ID` holds an attachment id; `ID-uprn`, or
/// `ID-latitude` and `ID-longitude`); dates from `ID-day`, `ID-month`, `ID-year`.
pub fn check_answers(
    questions: &[Question],
    input: &FormInput,
    today: time::Date,
) -> Result<Answers, FieldErrors> {
    let mut answers = Answers::new();
    let mut errors = FieldErrors::default();
    for q in questions {
        match check_one(q, input, today) {
            Ok(Some(a)) => {
                answers.insert(q.id.clone(), a);
            }
            Ok(None) if q.required => errors.push(&q.id, q.missing()),
            Ok(None) => {}
            Err(message) => errors.push(&q.id, message),
        }
    }
    if errors.is_empty() {
        Ok(answers)
    } else {
        Err(errors)
    }
}

fn check_one(q: &Question, input: &FormInput, today: time::Date) -> Result<Option<Answer>, String> {
    let name = q.short_name();
    let value = field(input, &q.id);
    Ok(Some(match q.kind {
        QuestionKind::Text | QuestionKind::LongText => {
            if value.is_empty() {
                return Ok(None);
            }
            // One line means one line, whatever was pasted into it.
            let value = match q.kind {
                QuestionKind::Text => townhall_types::text::single_line(value),
                _ => std::borrow::Cow::Borrowed(value),
            };
            let value = value.as_ref();
            let limit = q.max_length.unwrap_or(DEFAULT_MAX_TEXT);
            if value.chars().count() > limit {
                return Err(format!("{name} must be {limit} characters or fewer"));
            }
            Answer::Text(match q.format {
                None => value.to_owned(),
                Some(TextFormat::VehicleRegistration) => {
                    vehicle_registration(value).ok_or_else(|| {
                        format!(
                            "Enter {} in the right format, like AB12 CDE",
                            name.to_lowercase()
                        )
                    })?
                }
                Some(TextFormat::Phone) => phone(value).ok_or_else(|| {
                    format!(
                        "Enter {} in the right format, like 01632 960 001 or 07700 900 982",
                        name.to_lowercase()
                    )
                })?,
            })
        }
        QuestionKind::Number => {
            if value.is_empty() {
                return Ok(None);
            }
            let n = number(value).ok_or_else(|| format!("{name} must be a number, like 1,250"))?;
            match (q.min, q.max) {
                (Some(lo), Some(hi)) if n < lo || n > hi => {
                    return Err(format!("{name} must be between {lo} and {hi}"))
                }
                (Some(lo), None) if n < lo => return Err(format!("{name} must be {lo} or more")),
                (None, Some(hi)) if n > hi => return Err(format!("{name} must be {hi} or less")),
                _ => {}
            }
            Answer::Number(n)
        }
        QuestionKind::Date => {
            let parts = ["day", "month", "year"].map(|p| field(input, &format!("{}-{p}", q.id)));
            let Some(date) = read_date(parts, name)? else {
                return Ok(None);
            };
            match q.dates {
                Some(DateRule::Past) if date > today => {
                    return Err(format!("{name} must be today or in the past"))
                }
                Some(DateRule::Future) if date < today => {
                    return Err(format!("{name} must be today or in the future"))
                }
                _ => {}
            }
            Answer::Date(date)
        }
        QuestionKind::SingleChoice => {
            if value.is_empty() {
                return Ok(None);
            }
            q.choice_label(value)
                .ok_or_else(|| format!("Select one of the options for {}", name.to_lowercase()))?;
            Answer::Choice(value.to_owned())
        }
        QuestionKind::MultipleChoice => {
            let values: Vec<String> = input
                .get(&q.id)
                .into_iter()
                .flatten()
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .collect();
            if values.is_empty() {
                return Ok(None);
            }
            if values.iter().any(|v| q.choice_label(v).is_none()) {
                return Err(format!(
                    "Select only the options shown for {}",
                    name.to_lowercase()
                ));
            }
            Answer::Choices(values)
        }
        QuestionKind::YesNo => match value {
            "" => return Ok(None),
            "yes" => Answer::YesNo(true),
            "no" => Answer::YesNo(false),
            _ => return Err(format!("Select yes or no for {}", name.to_lowercase())),
        },
        QuestionKind::Location => {
            let uprn = field(input, &format!("{}-uprn", q.id));
            let lat = field(input, &format!("{}-latitude", q.id));
            let lon = field(input, &format!("{}-longitude", q.id));
            if !uprn.is_empty() && q.accept.contains(&LocationKind::Address) {
                if !uprn.chars().all(|c| c.is_ascii_digit()) || uprn.len() > 12 {
                    return Err("Choose an address from the list".to_owned());
                }
                Answer::Location(LocationInput::Address {
                    uprn: uprn.to_owned(),
                })
            } else if (!lat.is_empty() || !lon.is_empty())
                && q.accept.contains(&LocationKind::Point)
            {
                let (Ok(latitude), Ok(longitude)) = (lat.parse::<f64>(), lon.parse::<f64>()) else {
                    return Err(
                        "Enter the latitude and longitude as numbers, like 52.2053 and -0.1218"
                            .to_owned(),
                    );
                };
                if !(-90.0..=90.0).contains(&latitude) || !(-180.0..=180.0).contains(&longitude) {
                    return Err(
                        "Enter a latitude between -90 and 90 and a longitude between -180 and 180"
                            .to_owned(),
                    );
                }
                Answer::Location(LocationInput::Point {
                    latitude,
                    longitude,
                })
            } else {
                return Ok(None);
            }
        }
        QuestionKind::Photo => {
            if value.is_empty() {
                return Ok(None);
            }
            Answer::Photo(value.to_owned())
        }
        QuestionKind::Slot => {
            if value.is_empty() {
                return Ok(None);
            }
            let date =
                time::Date::parse(value, &time::format_description::well_known::Iso8601::DATE)
                    .map_err(|_| format!("Select {} from the list", name.to_lowercase()))?;
            Answer::Slot(date)
        }
    }))
}

/// A date from the three boxes of a date input, as people type them:
/// the day `27` or `07`, the month as a number (`3`, `03`) or, as the GOV.UK
/// Design System's date input asks, a name or its abbreviation (`March`,
/// `mar`, `Sept.`), and the year in four digits. `None` unless it is a real
/// date between 1900 and 2200.
pub fn date_from_parts([day, month, year]: [&str; 3]) -> Option<time::Date> {
    use townhall_types::text::ascii_forms;
    let day: u8 = ascii_forms(day).trim().parse().ok()?;
    let month = month_from(ascii_forms(month).trim())?;
    let year = ascii_forms(year);
    let year = year.trim();
    if year.len() != 4 {
        return None;
    }
    let year: i32 = year.parse().ok()?;
    if !(1900..=2200).contains(&year) {
        return None;
    }
    time::Date::from_calendar_date(year, month, day).ok()
}

/// A date typed in GOV.UK's three boxes, read with GOV.UK's error messages
/// (the date input pattern): `Ok(None)` when all three are empty; when a
/// part is missing, which ("Date of birth must include a month and year");
/// a year not written in four numbers, so; anything else that is no day,
/// "must be a real date". `name` names the question, e.g. "Date of birth".
pub fn read_date(parts: [&str; 3], name: &str) -> Result<Option<time::Date>, String> {
    let parts = parts.map(str::trim);
    let missing: Vec<&str> = ["day", "month", "year"]
        .into_iter()
        .zip(parts)
        .filter(|(_, typed)| typed.is_empty())
        .map(|(part, _)| part)
        .collect();
    match missing.as_slice() {
        [_, _, _] => return Ok(None),
        [] => {}
        [one] => return Err(format!("{name} must include a {one}")),
        [a, b] => return Err(format!("{name} must include a {a} and {b}")),
        _ => {}
    }
    let year = townhall_types::text::ascii_forms(parts[2]);
    if year.trim().len() != 4 || !year.trim().chars().all(|c| c.is_ascii_digit()) {
        return Err("Year must include 4 numbers".into());
    }
    date_from_parts(parts)
        .map(Some)
        .ok_or_else(|| format!("{name} must be a real date"))
}

/// `3`, `03`, `march`, `Mar`, `mar.` or `Sept` → March or September.
fn month_from(typed: &str) -> Option<time::Month> {
    if let Ok(n) = typed.parse::<u8>() {
        return time::Month::try_from(n).ok();
    }
    let word = typed.trim_end_matches('.').to_lowercase();
    if word.len() < 3 {
        return None;
    }
    let mut month = time::Month::January;
    for _ in 0..12 {
        let full = month.to_string().to_lowercase();
        if full.starts_with(&word) || (month == time::Month::September && word == "sept") {
            return Some(month);
        }
        month = month.next();
    }
    None
}

/// A number as people type it: `1250`, `1,250`, `1 250`, `-3.5`, `0.75`.
/// Thousands separators (commas or spaces) must group three digits, so that
/// `1,5`, which some people write for one and a half, is refused rather than
/// read as fifteen.
fn number(typed: &str) -> Option<f64> {
    let typed = townhall_types::text::ascii_forms(typed);
    let typed = typed.trim();
    let (sign, unsigned) = match typed.strip_prefix(['-', '\u{2212}']) {
        Some(rest) => ("-", rest),
        None => ("", typed.strip_prefix('+').unwrap_or(typed)),
    };
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (unsigned, None),
    };
    let groups: Vec<&str> = whole.split([',', ' ', '\u{a0}', '\u{202f}']).collect();
    let grouped = groups.len() > 1;
    let digits_only = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let groups_ok = groups.iter().enumerate().all(|(i, g)| match (i, grouped) {
        (_, false) => digits_only(g),
        (0, true) => digits_only(g) && g.len() <= 3,
        (_, true) => digits_only(g) && g.len() == 3,
    });
    let fraction_ok = fraction.is_none_or(digits_only);
    if !groups_ok || !fraction_ok {
        return None;
    }
    let plain = format!("{sign}{}.{}", groups.concat(), fraction.unwrap_or("0"));
    plain.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// `ab12 cde` → `AB12CDE`, if it looks like a UK registration (2 to 7 letters
/// and digits, with at least one of each).
fn vehicle_registration(text: &str) -> Option<String> {
    let compact: String = townhall_types::text::ascii_forms(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let ok = (2..=7).contains(&compact.len())
        && compact.chars().all(|c| c.is_ascii_alphanumeric())
        && compact.chars().any(|c| c.is_ascii_digit())
        && compact.chars().any(|c| c.is_ascii_alphabetic());
    ok.then_some(compact)
}

/// A UK number, national (`01632 960 001`) or international (`+44 1632
/// 960001`, `0044…`, `+44 (0)1632…`), 10 or 11 digits once in national form,
/// with whatever spaces, brackets, hyphens, full stops or slashes people put
/// between the digits.
fn phone(text: &str) -> Option<String> {
    let digits: String = townhall_types::text::ascii_forms(text)
        .chars()
        .filter(|c| {
            !c.is_whitespace()
                && !matches!(c, '-' | '\u{2010}'..='\u{2015}' | '(' | ')' | '.' | '/')
        })
        .collect();
    let national = match digits
        .strip_prefix("+44")
        .or_else(|| digits.strip_prefix("0044"))
    {
        Some(rest) if rest.starts_with('0') => rest.to_owned(),
        Some(rest) => format!("0{rest}"),
        None => digits,
    };
    let ok = national.starts_with('0')
        && (10..=11).contains(&national.len())
        && national.chars().all(|c| c.is_ascii_digit());
    ok.then_some(national)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(id: &str, kind: QuestionKind) -> Question {
        Question {
            id: id.into(),
            kind,
            label: format!("The {id}"),
            hint: None,
            required: true,
            summary: None,
            required_message: None,
            choices: vec![],
            min: None,
            max: None,
            max_length: None,
            format: None,
            dates: None,
            accept: vec![LocationKind::Address, LocationKind::Point],
            prefill: None,
        }
    }

    fn form(pairs: &[(&str, &str)]) -> FormInput {
        let mut f = FormInput::new();
        for (k, v) in pairs {
            f.entry((*k).to_owned()).or_default().push((*v).to_owned());
        }
        f
    }

    const TODAY: time::Date = time::macros::date!(2026 - 11 - 23);

    #[test]
    fn each_kind_of_answer_is_checked_and_errors_name_the_field() {
        let mut depth = q("depth", QuestionKind::Number);
        depth.min = Some(1.0);
        depth.max = Some(200.0);
        depth.summary = Some("Depth".into());
        let mut reg = q("reg", QuestionKind::Text);
        reg.format = Some(TextFormat::VehicleRegistration);
        reg.summary = Some("Registration".into());
        let mut when = q("when", QuestionKind::Date);
        when.dates = Some(DateRule::Past);
        when.summary = Some("Date".into());
        let mut kind = q("kind", QuestionKind::SingleChoice);
        kind.choices = vec![Choice {
            value: "road".into(),
            label: "In the road".into(),
        }];
        kind.required_message = Some("Select where the pothole is".into());
        let questions = vec![depth, reg, when, kind, q("where", QuestionKind::Location)];

        let bad = form(&[
            ("depth", "900"),
            ("reg", "!!"),
            ("when-day", "31"),
            ("when-month", "2"),
            ("when-year", "2026"),
            ("where-latitude", "north"),
            ("where-longitude", "1"),
        ]);
        let e = check_answers(&questions, &bad, TODAY).unwrap_err();
        assert_eq!(e.get("depth"), Some("Depth must be between 1 and 200"));
        assert_eq!(
            e.get("reg"),
            Some("Enter registration in the right format, like AB12 CDE")
        );
        assert_eq!(e.get("when"), Some("Date must be a real date"));
        assert_eq!(e.get("kind"), Some("Select where the pothole is"));
        assert!(e.get("where").unwrap().starts_with("Enter the latitude"));

        let good = form(&[
            ("depth", "12"),
            ("reg", "ab12 cde"),
            ("when-day", "1"),
            ("when-month", "11"),
            ("when-year", "2026"),
            ("kind", "road"),
            ("where-uprn", "100012345678"),
        ]);
        let a = check_answers(&questions, &good, TODAY).unwrap();
        assert_eq!(a["depth"], Answer::Number(12.0));
        assert_eq!(a["reg"], Answer::Text("AB12CDE".into()));
        assert_eq!(a["when"], Answer::Date(time::macros::date!(2026 - 11 - 01)));
        assert_eq!(
            a["where"],
            Answer::Location(LocationInput::Address {
                uprn: "100012345678".into()
            })
        );
    }

    #[test]
    fn future_dates_optional_answers_and_choices() {
        let mut when = q("when", QuestionKind::Date);
        when.dates = Some(DateRule::Past);
        let mut extras = q("extras", QuestionKind::MultipleChoice);
        extras.required = false;
        extras.choices = vec![Choice {
            value: "a".into(),
            label: "A".into(),
        }];
        let questions = vec![when, extras];
        let e = check_answers(
            &questions,
            &form(&[
                ("when-day", "1"),
                ("when-month", "1"),
                ("when-year", "2027"),
                ("extras", "zz"),
            ]),
            TODAY,
        )
        .unwrap_err();
        assert_eq!(e.get("when"), Some("The when must be today or in the past"));
        assert_eq!(
            e.get("extras"),
            Some("Select only the options shown for the extras")
        );
        let a = check_answers(
            &questions,
            &form(&[
                ("when-day", "1"),
                ("when-month", "1"),
                ("when-year", "2026"),
            ]),
            TODAY,
        )
        .unwrap();
        assert!(
            !a.contains_key("extras"),
            "an optional question may be left out"
        );
    }

    #[test]
    fn phone_numbers_and_registrations_are_normalised() {
        assert_eq!(phone("+44 7700 900982").as_deref(), Some("07700900982"));
        assert_eq!(phone("(01632) 960-001").as_deref(), Some("01632960001"));
        assert_eq!(phone("12345"), None);
        for typed in [
            "+44 (0)7700 900982",
            "0044 7700 900 982",
            "07700.900.982",
            "(07700) 900-982",
            "+447700900982",
        ] {
            assert_eq!(phone(typed).as_deref(), Some("07700900982"), "{typed}");
        }
        assert_eq!(phone("+33 1 23 45 67 89"), None);
        assert_eq!(
            phone("07700\u{a0}900\u{2013}982").as_deref(),
            Some("07700900982"),
            "no-break space and an en dash, as a word processor writes them"
        );
        assert_eq!(
            phone("０７７００ ９００９８２").as_deref(),
            Some("07700900982")
        );
        assert_eq!(vehicle_registration("ab12 cde").as_deref(), Some("AB12CDE"));
        assert_eq!(vehicle_registration("ABCDEFGH"), None);
        assert_eq!(
            vehicle_registration("ＡＢ１２ ＣＤＥ").as_deref(),
            Some("AB12CDE")
        );
    }

    #[test]
    fn a_date_is_read_with_gov_uk_messages() {
        let name = "Date of birth";
        let read = |d, m, y| read_date([d, m, y], name);
        assert_eq!(read("", " ", ""), Ok(None));
        assert_eq!(
            read("3", "", ""),
            Err("Date of birth must include a month and year".into())
        );
        assert_eq!(
            read("3", "4", ""),
            Err("Date of birth must include a year".into())
        );
        assert_eq!(
            read("", "4", "1990"),
            Err("Date of birth must include a day".into())
        );
        assert_eq!(
            read("3", "4", "90"),
            Err("Year must include 4 numbers".into())
        );
        assert_eq!(
            read("31", "2", "1990"),
            Err("Date of birth must be a real date".into())
        );
        assert_eq!(
            read("3", "April", "1990"),
            Ok(time::Date::from_calendar_date(1990, time::Month::April, 3).ok())
        );
    }

    #[test]
    fn dates_take_month_names_and_abbreviations() {
        let nov = time::Date::from_calendar_date(2026, time::Month::November, 23).ok();
        for month in ["11", "011", "November", "nov", "NOV.", " Nov ", "novem"] {
            assert_eq!(date_from_parts(["23", month, "2026"]), nov, "{month}");
        }
        let sep = time::Date::from_calendar_date(2026, time::Month::September, 5).ok();
        assert_eq!(date_from_parts(["05", "Sept", "2026"]), sep);
        assert_eq!(date_from_parts(["5", "sep", "2026"]), sep);
        assert_eq!(
            date_from_parts(["５", "９", "２０２６"]),
            sep,
            "full-width digits"
        );
        for bad in [
            ["31", "feb", "2026"],
            ["1", "no", "2026"],
            ["1", "13", "2026"],
            ["1", "1", "26"],
        ] {
            assert_eq!(date_from_parts(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn numbers_take_thousands_separators() {
        assert_eq!(number("1,250"), Some(1250.0));
        assert_eq!(number(" 1 250 000 "), Some(1_250_000.0));
        assert_eq!(number("12,345.5"), Some(12_345.5));
        assert_eq!(number("-3.5"), Some(-3.5));
        assert_eq!(number("0.75"), Some(0.75));
        assert_eq!(number("42"), Some(42.0));
        // As pasted from a word processor: no-break and narrow spaces, a real minus.
        assert_eq!(number("1\u{a0}250"), Some(1250.0));
        assert_eq!(number("1\u{202f}250\u{202f}000"), Some(1_250_000.0));
        assert_eq!(number("\u{2212}3"), Some(-3.0));
        assert_eq!(
            number("１，２５０"),
            Some(1250.0),
            "full-width digits and comma"
        );
        for bad in [
            "1,5", "1,2,3", ",100", "1.2.3", "12a", "", "inf", "NaN", "1e400", "1,0000",
        ] {
            assert_eq!(number(bad), None, "{bad}");
        }
    }
}
