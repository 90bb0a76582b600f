//! Columns beyond the fields every system has (names, date of birth,
//! address, email, phone): the identifiers councils hold (NHS number,
//! National Insurance number, UPRN, one system's id kept by another as a
//! cross-reference), a middle name, sex, or anything a council declares.
//! Each column has a kind, which says how its values are read: an
//! identifier that fails its check is missing, not different.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::normalise;

/// A column beyond the core fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    /// Its name in explanations and saved models, e.g. `nhs_number`.
    pub name: String,
    /// How its values are read.
    pub kind: Kind,
}

/// How a column's values are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Text: letters and digits in any script, folded as names are.
    Text,
    /// A name (a middle name): as [`Kind::Text`], titles and apostrophes
    /// dropped.
    Name,
    /// An identifier with no check: its letters and digits, upper case.
    Identifier,
    /// An NHS number: 10 digits whose last is the modulus 11 check digit
    /// of the other nine (NHS Data Dictionary, "NHS Number").
    NhsNumber,
    /// A National Insurance number: two prefix letters, six digits and an
    /// optional suffix letter A–D, the prefix one HM Revenue & Customs
    /// allocates (HMRC National Insurance Manual, NIM39110). Kept without
    /// the suffix, which systems often drop.
    NiNumber,
    /// A Unique Property Reference Number: 1 to 12 digits, leading zeros
    /// dropped (GeoPlace, BS 7666).
    Uprn,
    /// Sex, as ISO/IEC 5218 codes it: `1`/`M`/`male` and `2`/`F`/`female`;
    /// `0`, `9` and anything else are not known (missing).
    Sex,
    /// A date, in any form [`normalise::date`] reads.
    Date,
    /// A number (decimal point `.`).
    Number,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 9] = [
        Kind::Text,
        Kind::Name,
        Kind::Identifier,
        Kind::NhsNumber,
        Kind::NiNumber,
        Kind::Uprn,
        Kind::Sex,
        Kind::Date,
        Kind::Number,
    ];

    /// What its values are read as, for reports.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Text => "text (it holds no letters or digits)",
            Kind::Name => "names (they hold no letters)",
            Kind::Identifier => "identifiers (they hold no letters or digits)",
            Kind::NhsNumber => "NHS numbers (10 digits with a valid check digit)",
            Kind::NiNumber => "National Insurance numbers (like QQ 12 34 56 C)",
            Kind::Uprn => "UPRNs (1 to 12 digits)",
            Kind::Sex => "sex (1, 2, M, F, male or female)",
            Kind::Date => "dates",
            Kind::Number => "numbers",
        }
    }

    /// Reads a value; `None` when it is empty or cannot be read.
    pub fn read(self, raw: &str) -> Option<Value> {
        match self {
            Kind::Text => text(normalise::text(raw)),
            Kind::Name => text(normalise::name(raw)),
            Kind::Identifier => {
                let id: String = raw
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .map(|c| c.to_ascii_uppercase())
                    .collect();
                text(id)
            }
            Kind::NhsNumber => nhs_number(raw).map(|n| Value::Text(n.into())),
            Kind::NiNumber => ni_number(raw).map(|n| Value::Text(n.into())),
            Kind::Uprn => uprn(raw).map(|n| Value::Text(n.into())),
            Kind::Sex => sex(raw).map(|s| Value::Text(s.into())),
            Kind::Date => Some(Value::Date {
                date: normalise::date(raw),
                typed: normalise::date_digits(raw)?,
            }),
            Kind::Number => {
                let n: f64 = raw.trim().parse().ok()?;
                n.is_finite().then_some(Value::Number(n))
            }
        }
    }

    /// Whether values of this kind identify a person on their own (a UPRN
    /// is a home's): pairs sharing one are trained on, as pairs sharing a
    /// name or date of birth are.
    pub fn identifies(self) -> bool {
        matches!(self, Kind::Identifier | Kind::NhsNumber | Kind::NiNumber)
    }
}

/// Text cut to [`normalise::LONGEST`] characters, if any is left.
fn text(s: String) -> Option<Value> {
    let s = normalise::cut(s);
    (!s.is_empty()).then(|| Value::Text(s.into()))
}

/// A value of a column, read.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text or an identifier, normalised.
    Text(Arc<str>),
    /// A date: the calendar's, when it is one, and its digits as typed
    /// (`YYYYMMDD`), so a mistyped one is still compared.
    Date {
        /// The date, when real.
        date: Option<Date>,
        /// Its digits.
        typed: [u8; 8],
    },
    /// A number (never NaN or infinite).
    Number(f64),
}

// Numbers are finite, so equality is an equivalence.
impl Eq for Value {}

/// The NHS number in `raw` (spaces and hyphens allowed), if its check
/// digit is right: each of the first nine digits is multiplied by 10 down
/// to 2, the products summed, and 11 less the remainder of dividing by 11
/// is the check digit (11 counts as 0; 10 means no valid number). Ten of
/// one digit (`0000000000`, `9999999999`), placeholders for "not known", are
/// not numbers.
pub fn nhs_number(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Ten of one digit pass the check (54·d ≡ −d mod 11), and systems type
    // them for "not known": they are nobody's number.
    if digits.bytes().all(|b| b == digits.as_bytes()[0]) {
        return None;
    }
    let d: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
    let sum: u32 = d[..9].iter().zip((2..=10).rev()).map(|(x, w)| x * w).sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return None,
        c => c,
    };
    (check == d[9]).then_some(digits)
}

/// The National Insurance number in `raw` (any case and spacing), without
/// its suffix, if its form is one HMRC allocates: the first letter not D,
/// F, I, Q, U or V; the second not D, F, I, O, Q, U or V; not the prefixes
/// BG, GB, KN, NK, NT, TN or ZZ; six digits; a suffix A, B, C or D, or none.
pub fn ni_number(raw: &str) -> Option<String> {
    let s: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let b = s.as_bytes();
    let suffix_ok = match b.len() {
        8 => true,
        9 => matches!(b[8], b'A'..=b'D'),
        _ => false,
    };
    let prefix_ok = b.len() >= 8
        && b[0].is_ascii_uppercase()
        && b[1].is_ascii_uppercase()
        && !b"DFIQUV".contains(&b[0])
        && !b"DFIOQUV".contains(&b[1])
        && !["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"].contains(&&s[..2]);
    (suffix_ok && prefix_ok && b[2..8].iter().all(u8::is_ascii_digit)).then(|| s[..8].to_owned())
}

/// The UPRN in `raw`: 1 to 12 digits, not all zeros, leading zeros
/// dropped (`000100023336956` from a zero-padded export is
/// `100023336956`).
pub fn uprn(raw: &str) -> Option<String> {
    let s = raw.trim();
    let s = s.strip_suffix(".0").unwrap_or(s);
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = s.trim_start_matches('0');
    (!n.is_empty() && n.len() <= 12).then(|| n.to_owned())
}

/// Sex as ISO/IEC 5218 codes it, `1` or `2`; `None` when not known.
fn sex(raw: &str) -> Option<&'static str> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "1" | "m" | "male" | "man" => Some("1"),
        "2" | "f" | "female" | "woman" => Some("2"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nhs_numbers_with_a_valid_check_digit() {
        // The NHS Data Dictionary's worked example and numbers from the
        // range set aside for testing (999 000 0000 onwards).
        assert_eq!(nhs_number("943 476 5919").as_deref(), Some("9434765919"));
        assert_eq!(nhs_number("401-023-2137").as_deref(), Some("4010232137"));
        assert_eq!(nhs_number("9990000018").as_deref(), Some("9990000018"));
        for bad in [
            "9434765918",
            "943476591",
            "94347659190",
            "943476591X",
            "",
            "0000000001",
            "0000000000",
            "1111111111",
            "999 999 9999",
        ] {
            assert_eq!(nhs_number(bad), None, "{bad}");
        }
        // A remainder giving 10 is no valid number.
        assert_eq!(nhs_number("1000000010"), None);
    }

    #[test]
    fn national_insurance_numbers_in_the_forms_hmrc_allocates() {
        assert_eq!(ni_number("AB 12 34 56 C").as_deref(), Some("AB123456"));
        assert_eq!(ni_number("ab123456").as_deref(), Some("AB123456"));
        assert_eq!(ni_number("AB123456D").as_deref(), Some("AB123456"));
        for bad in [
            "QQ123456C",
            "DA123456A",
            "AO123456A",
            "GB123456A",
            "TN123456A",
            "AB12345",
            "AB123456E",
            "A1123456A",
            "",
        ] {
            assert_eq!(ni_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn uprns_drop_leading_zeros_and_nothing_else() {
        assert_eq!(uprn("000100023336956").as_deref(), Some("100023336956"));
        assert_eq!(uprn("10023336956.0").as_deref(), Some("10023336956"));
        assert_eq!(uprn("0"), None);
        assert_eq!(uprn("1234567890123"), None);
        assert_eq!(uprn("12a"), None);
    }

    #[test]
    fn kinds_read_their_values() {
        assert_eq!(
            Kind::Identifier.read(" 512-0987 "),
            Some(Value::Text("5120987".into()))
        );
        assert_eq!(Kind::Sex.read("Female"), Kind::Sex.read("2"));
        assert_eq!(Kind::Sex.read("9"), None);
        assert_eq!(
            Kind::Name.read("Ann-Marie"),
            Some(Value::Text("ann marie".into()))
        );
        assert_eq!(Kind::Number.read("12.5"), Some(Value::Number(12.5)));
        assert_eq!(Kind::Number.read("NaN"), None);
        assert!(matches!(
            Kind::Date.read("31/11/1938"),
            Some(Value::Date { date: None, .. })
        ));
        assert_eq!(
            Kind::NhsNumber.read("9434765918"),
            None,
            "a wrong check digit is missing"
        );
    }
}
