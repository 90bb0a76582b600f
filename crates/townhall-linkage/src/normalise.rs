//! Turning what people typed into comparable values: names folded to plain
//! lower-case letters, UK postcodes split into their parts, dates of birth in
//! the forms councils' systems export, phone numbers and email addresses.

use time::{Date, Month};
use unicode_normalization::UnicodeNormalization;

/// Lower-case letters and digits separated by single spaces: accents are
/// removed (`Zoë` → `zoe`), letters without a plain form kept (`ł`), and
/// anything else becomes a space.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.nfkd() {
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.extend(c.to_lowercase());
        } else if !c.is_ascii() && !c.is_alphanumeric() {
            // A combining accent left by the decomposition: dropped.
        } else {
            space = true;
        }
    }
    out
}

/// A name: [`text`], with apostrophes dropped so `O'Brien` is `obrien`, and
/// with titles and suffixes people add (`Mr`, `Dr`, `Jr`) removed.
pub fn name(s: &str) -> String {
    let joined: String = s.chars().filter(|c| !matches!(c, '\'' | '’')).collect();
    text(&joined)
        .split(' ')
        .filter(|w| !TITLES.contains(w))
        .collect::<Vec<_>>()
        .join(" ")
}

const TITLES: [&str; 12] = [
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "sir", "jr", "snr", "jnr",
];

/// An address line as tokens, with the usual abbreviations written out
/// (`12 High St.` and `12 high street` are the same tokens).
pub fn address(s: &str) -> Vec<String> {
    text(s)
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(|t| {
            ABBREVIATIONS
                .iter()
                .find(|(short, _)| *short == t)
                .map_or(t, |(_, long)| long)
                .to_owned()
        })
        .collect()
}

const ABBREVIATIONS: [(&str, &str); 16] = [
    ("st", "street"),
    ("rd", "road"),
    ("ave", "avenue"),
    ("av", "avenue"),
    ("ln", "lane"),
    ("dr", "drive"),
    ("cl", "close"),
    ("ct", "court"),
    ("cres", "crescent"),
    ("pl", "place"),
    ("gdns", "gardens"),
    ("sq", "square"),
    ("ter", "terrace"),
    ("terr", "terrace"),
    ("apt", "flat"),
    ("apartment", "flat"),
];

/// A UK postcode in its parts, for agreement at every level.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Postcode {
    /// The whole postcode, e.g. `RV1 2AB`: a street or part of one.
    pub unit: String,
    /// The outward code and the sector digit, e.g. `RV1 2`: a few thousand addresses.
    pub sector: String,
    /// The outward code, e.g. `RV1`: a town or part of a city.
    pub district: String,
    /// The leading letters, e.g. `RV`.
    pub area: String,
}

/// Parses a postcode written in any case, with or without spaces. A UK
/// postcode is split into its parts; any other code of 3 to 10 letters and
/// digits (with at least one digit) (a zip code, an Australian postcode) is kept whole, with each
/// shorter prefix standing for the larger areas (`2615`: sector `261`,
/// district `26`, area `2`). `None` for anything else.
pub fn postcode(s: &str) -> Option<Postcode> {
    uk_postcode(s).or_else(|| other_postcode(s))
}

fn other_postcode(s: &str) -> Option<Postcode> {
    let compact: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let shaped = (3..=10).contains(&compact.len())
        && compact.bytes().all(|b| b.is_ascii_alphanumeric())
        && compact.bytes().any(|b| b.is_ascii_digit());
    if !shaped {
        return None;
    }
    let prefix = |drop: usize| compact[..compact.len() - drop].to_owned();
    Some(Postcode {
        unit: compact.clone(),
        sector: prefix(1),
        district: prefix(2),
        area: compact[..1].to_owned(),
    })
}

/// A UK postcode: an outward code of 2 to 4 characters starting with a
/// letter, and an inward code of a digit and two letters.
fn uk_postcode(s: &str) -> Option<Postcode> {
    let compact: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if !(5..=7).contains(&compact.len()) || !compact.is_ascii() {
        return None;
    }
    let (outward, inward) = compact.split_at(compact.len() - 3);
    let inward_ok = inward.as_bytes()[0].is_ascii_digit()
        && inward.as_bytes()[1..].iter().all(u8::is_ascii_alphabetic);
    let outward_ok = outward.as_bytes()[0].is_ascii_alphabetic()
        && outward.bytes().all(|b| b.is_ascii_alphanumeric())
        && outward.bytes().any(|b| b.is_ascii_digit());
    if !inward_ok || !outward_ok {
        return None;
    }
    let area: String = outward
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect();
    Some(Postcode {
        unit: format!("{outward} {inward}"),
        sector: format!("{outward} {}", &inward[..1]),
        district: outward.to_owned(),
        area,
    })
}

/// A date of birth as `YYYY-MM-DD`, `DD/MM/YYYY` (or with `-` or `.`), or
/// `YYYYMMDD`; `None` when it is not a real date.
pub fn date(s: &str) -> Option<Date> {
    let (y, m, d) = date_parts(s)?;
    Date::from_calendar_date(i32::from(y), Month::try_from(m).ok()?, d).ok()
}

/// A date as it was typed, `YYYYMMDD`, whether or not the calendar has it
/// (a mistyped "31/11/1938" is still evidence); `None` when it is not a
/// date in any of the forms [`date`] reads.
pub fn date_digits(s: &str) -> Option<[u8; 8]> {
    let (y, m, d) = date_parts(s)?;
    format!("{y:04}{m:02}{d:02}").into_bytes().try_into().ok()
}

/// Year, month and day, each in its range but not checked together.
fn date_parts(s: &str) -> Option<(u16, u8, u8)> {
    let s = s.trim();
    let mut parts = s.split(['-', '/', '.']);
    let (y, m, d) = match [parts.next(), parts.next(), parts.next(), parts.next()] {
        [Some(y), Some(m), Some(d), None] if y.len() == 4 => (y, m, d),
        [Some(d), Some(m), Some(y), None] if y.len() == 4 => (y, m, d),
        [Some(compact), None, ..]
            if compact.len() == 8 && compact.bytes().all(|b| b.is_ascii_digit()) =>
        {
            (&compact[..4], &compact[4..6], &compact[6..])
        }
        _ => return None,
    };
    let (y, m, d) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

/// A UK phone number as its national digits (`01632 960001`, `+44 1632
/// 960001` and `(01632) 960-001` are all `01632960001`); `None` when fewer
/// than 10 digits remain.
pub fn phone(s: &str) -> Option<String> {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let national = if let Some(rest) = digits.strip_prefix("0044") {
        format!("0{rest}")
    } else if let (Some(rest), true) = (digits.strip_prefix("44"), s.trim_start().starts_with('+'))
    {
        format!("0{rest}")
    } else {
        digits
    };
    (national.len() >= 10).then_some(national)
}

/// An email address in lower case; `None` unless it has one `@` with text on
/// both sides.
pub fn email(s: &str) -> Option<String> {
    let e = s.trim().to_ascii_lowercase();
    let (local, domain) = e.split_once('@')?;
    (!local.is_empty() && domain.contains('.') && !domain.contains('@')).then_some(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_to_plain_letters() {
        assert_eq!(text("  Zoë   Ñúñez-García "), "zoe nunez garcia");
        assert_eq!(name("O'Brien"), "obrien");
        assert_eq!(name("Dr. Siobhán  O’Neill"), "siobhan oneill");
        assert_eq!(name("Mr John Smith Jr"), "john smith");
        assert_eq!(name(""), "");
        assert_eq!(name("Łukasz"), "łukasz");
    }

    #[test]
    fn address_abbreviations_are_written_out() {
        assert_eq!(address("12 High St."), ["12", "high", "street"]);
        assert_eq!(
            address("Apt 3, 4 Mill Rd"),
            ["flat", "3", "4", "mill", "road"]
        );
        assert!(address("  ").is_empty());
    }

    #[test]
    fn postcodes_split_into_their_parts() {
        let p = postcode("sw1a1aa").unwrap();
        assert_eq!(p.unit, "SW1A 1AA");
        assert_eq!(p.sector, "SW1A 1");
        assert_eq!(p.district, "SW1A");
        assert_eq!(p.area, "SW");
        assert_eq!(postcode(" M1 1AE ").unwrap().district, "M1");
        assert_eq!(postcode("RV1 2AB").unwrap().area, "RV");
        for bad in ["", "ab", "SW1A-1AA", "a postcode", "12345678901"] {
            assert_eq!(postcode(bad), None, "{bad}");
        }
        // Codes from elsewhere are kept whole, their prefixes the larger areas.
        let au = postcode("2615").unwrap();
        assert_eq!(
            (
                au.unit.as_str(),
                au.sector.as_str(),
                au.district.as_str(),
                au.area.as_str()
            ),
            ("2615", "261", "26", "2")
        );
        assert_eq!(
            postcode("SWAA 1AA").unwrap().unit,
            "SWAA1AA",
            "not UK-shaped"
        );
    }

    #[test]
    fn dates_in_the_forms_systems_export() {
        let d = Date::from_calendar_date(1956, Month::March, 7).unwrap();
        for s in [
            "1956-03-07",
            "07/03/1956",
            "7.3.1956",
            "19560307",
            "07-03-1956",
        ] {
            assert_eq!(date(s), Some(d), "{s}");
        }
        for bad in ["1956-02-30", "31/13/1956", "", "1956", "abcdefgh"] {
            assert_eq!(date(bad), None, "{bad}");
        }
    }

    #[test]
    fn phones_and_emails() {
        assert_eq!(phone("+44 1632 960001").as_deref(), Some("01632960001"));
        assert_eq!(phone("(01632) 960-001").as_deref(), Some("01632960001"));
        assert_eq!(phone("0044 7700 900982").as_deref(), Some("07700900982"));
        assert_eq!(phone("12345"), None);
        assert_eq!(
            email(" Martin.Hughes@Mail.Example ").as_deref(),
            Some("martin.hughes@mail.example")
        );
        assert_eq!(email("no-at-sign"), None);
        assert_eq!(email("a@b"), None);
    }
}
