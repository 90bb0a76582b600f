//! Turning what people typed into comparable values: names folded to plain
//! lower-case letters, UK postcodes split into their parts, dates of birth in
//! the forms councils' systems export, phone numbers and email addresses.

use time::{Date, Month};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Lower-case ASCII letters and digits separated by single spaces: accents
/// are removed (`Zoë` → `zoe`), letters written in ASCII the way their
/// language is usually transliterated (`Michał` → `michal`, `Straße` →
/// `strasse`, `Дмитрий` → `dmitrii`), and anything else becomes a space.
///
/// Every comparison after this one (sounds, edits counted in bytes)
/// assumes ASCII, so the result is ASCII whatever the input.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    let mut push = |c: char, out: &mut String| {
        if c.is_ascii_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c.to_ascii_lowercase());
        } else {
            space = true;
        }
    };
    for c in s.nfkd() {
        if c.is_ascii() {
            push(c, &mut out);
        } else if is_combining_mark(c) || invisible(c) {
            // An accent the decomposition set apart, or a character that
            // shows nothing (a soft hyphen or zero-width space pasted from a
            // word processor, a byte-order mark): dropped, not a space.
        } else if c.is_alphanumeric() {
            // A letter with no plain form: its transliteration, which may
            // be several letters (`ß` → `ss`) or words (`北京` → `bei jing`).
            match deunicode::deunicode_char(c) {
                Some(ascii) => ascii.chars().for_each(|a| push(a, &mut out)),
                None => push(' ', &mut out),
            }
        } else {
            push(' ', &mut out);
        }
    }
    out
}

/// Characters that print nothing: the soft hyphen, zero-width spaces and
/// joiners, direction marks and embeddings, the word joiner, the byte-order
/// mark.
fn invisible(c: char) -> bool {
    matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
}

/// A name: [`text`], with apostrophes dropped so `O'Brien` is `obrien`, and
/// with titles and suffixes people add (`Mr`, `Dr`, `Jr`) removed; cut to
/// [`LONGEST`] characters.
pub fn name(s: &str) -> String {
    let joined: String = s.chars().filter(|c| !matches!(c, '\'' | '’')).collect();
    let text = text(&joined);
    let words: Vec<&str> = text.split(' ').filter(|w| !TITLES.contains(w)).collect();
    cut(words.join(" "))
}

/// The most characters of a name, or of any text compared whole, that are
/// kept: no one's name is longer, and a value pasted into the wrong field
/// must not make every comparison with it slow.
pub const LONGEST: usize = 64;

/// `s` (ASCII, from [`text`]) cut to [`LONGEST`] characters.
pub fn cut(mut s: String) -> String {
    if s.len() > LONGEST {
        s.truncate(LONGEST);
        s.truncate(s.trim_end().len());
    }
    s
}

const TITLES: [&str; 12] = [
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "sir", "jr", "snr", "jnr",
];

/// An address line as tokens, with the usual abbreviations written out
/// (`12 High St.` and `12 high street` are the same tokens); at most
/// [`ADDRESS_TOKENS`] of them.
pub fn address(s: &str) -> Vec<String> {
    text(s)
        .split(' ')
        .filter(|t| !t.is_empty())
        .take(ADDRESS_TOKENS)
        .map(|t| {
            ABBREVIATIONS
                .iter()
                .find(|(short, _)| *short == t)
                .map_or(t, |(_, long)| long)
                .to_owned()
        })
        .collect()
}

/// The most words of an address line kept: enough for any real one.
pub const ADDRESS_TOKENS: usize = 24;

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

/// A date of birth in the forms councils' systems export: `YYYY-MM-DD`,
/// `DD/MM/YYYY` (or with `-`, `.` or spaces), `YYYYMMDD`, a month by name
/// (`13 Mar 1981`, `13-MAR-81`, `March 13, 1981`), a two-digit year
/// (`13/03/81`, see [`century`]), and any of these followed by a time that
/// is midnight (`1981-03-13 00:00:00.000`, `13/03/1981 00:00`,
/// `1981-03-13T00:00:00Z`), as a date kept in a date-and-time column is
/// exported. `None` when it is not a real date.
///
/// A time other than midnight makes the value unreadable rather than
/// ignored: a date of birth exported as `1981-03-12T23:00:00Z` is
/// midnight on the 13th in British Summer Time, written in UTC, and
/// reading it as the 12th would be wrong.
pub fn date(s: &str) -> Option<Date> {
    let (y, m, d) = date_parts(s)?;
    Date::from_calendar_date(i32::from(y), Month::try_from(m).ok()?, d).ok()
}

/// A date as it was typed, `YYYYMMDD`, whether or not the calendar has it
/// (a mistyped "31/11/1938" or "1945-04-93" is still evidence); `None`
/// when it is not a date in any of the forms [`date`] reads, or has a part
/// that is zero.
pub fn date_digits(s: &str) -> Option<[u8; 8]> {
    let (y, m, d) = date_parts(s)?;
    format!("{y:04}{m:02}{d:02}").into_bytes().try_into().ok()
}

/// The century of a two-digit year of birth: the latest year ending in
/// those digits that is not after `this_year` (in 2026, `81` is 1981 and
/// `19` is 2019). The pivot moves with the calendar, as a date of birth
/// is never in the future; a resident over a hundred whose year was
/// exported with two digits is read a century late, which the comparison
/// of dates then treats as a different year.
pub fn century(two_digits: u16, this_year: u16) -> u16 {
    let candidate = this_year - this_year % 100 + two_digits % 100;
    if candidate <= this_year {
        candidate
    } else {
        candidate.saturating_sub(100)
    }
}

/// Year, month and day as written, none of them zero, in the order the
/// form gives them: not checked against the calendar, so that a day
/// mistyped as 93 is still compared by its digits ([`date_digits`]).
fn date_parts(s: &str) -> Option<(u16, u8, u8)> {
    let day = without_midnight(s.trim())?;
    let tokens: Vec<&str> = day
        .split(['-', '/', '.', ' ', ','])
        .filter(|t| !t.is_empty())
        .collect();
    let number = |t: &str, len: std::ops::RangeInclusive<usize>| {
        (len.contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse::<u16>().ok())
            .flatten()
    };
    let year = |t: &str| match t.len() {
        4 => number(t, 4..=4),
        2 => number(t, 2..=2).map(|y| century(y, this_year())),
        _ => None,
    };
    let small = |t: &str| number(t, 1..=2).and_then(|n| u8::try_from(n).ok());
    let (y, m, d) = match tokens.as_slice() {
        [compact] if compact.len() == 8 && compact.bytes().all(|b| b.is_ascii_digit()) => (
            number(&compact[..4], 4..=4)?,
            small(&compact[4..6])?,
            small(&compact[6..])?,
        ),
        [a, b, c] => match (month_name(a), month_name(b)) {
            // March 13, 1981
            (Some(m), _) => (year(c)?, m, small(b)?),
            // 1981 Mar 13
            (_, Some(m)) if a.len() == 4 => (year(a)?, m, small(c)?),
            // 13 Mar 1981, 13-MAR-81
            (_, Some(m)) => (year(c)?, m, small(a)?),
            // 1981-03-13
            _ if a.len() == 4 => (year(a)?, small(b)?, small(c)?),
            // 13/03/1981, 13/03/81
            _ => (year(c)?, small(b)?, small(a)?),
        },
        _ => return None,
    };
    // A zero part is how systems write "no date" (`0000-00-00`), not a slip.
    (y > 0 && m > 0 && d > 0).then_some((y, m, d))
}

/// The date part of a date and time whose time is midnight (with seconds,
/// fractions, `AM` or a zone or not); the value itself when it has no
/// time; `None` when the time is not midnight.
fn without_midnight(s: &str) -> Option<&str> {
    let (s, am) = match s.len().checked_sub(3).and_then(|at| s.get(at..)) {
        Some(end) if end.eq_ignore_ascii_case(" am") => (&s[..s.len() - 3], true),
        _ => (s, false),
    };
    let Some((day, time)) = s.rsplit_once([' ', 'T']).filter(|(_, t)| t.contains(':')) else {
        return (!am).then_some(s);
    };
    let time = time.trim_end_matches(['Z', 'z']);
    let time = match time.rfind(['+', '-']) {
        Some(at) => &time[..at],
        None => time,
    };
    let mut parts = time.split(':');
    let hour = parts.next()?;
    let midnight_hour = match (am, hour) {
        (true, "12") => true,
        (_, h) => !h.is_empty() && h.bytes().all(|b| b == b'0'),
    };
    let zero = |p: &str| !p.is_empty() && p.bytes().all(|b| b == b'0' || b == b'.');
    (midnight_hour && parts.all(zero)).then_some(day.trim_end())
}

/// The month a name or its abbreviation of three letters or more stands
/// for (`Mar`, `MARCH`, `Sept`).
fn month_name(t: &str) -> Option<u8> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    if t.len() < 3 || !t.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let t = t.to_ascii_lowercase();
    (1u8..)
        .zip(MONTHS)
        .find(|(_, name)| name.starts_with(&t))
        .map(|(m, _)| m)
}

/// This year, as the pivot of two-digit years.
fn this_year() -> u16 {
    static YEAR: std::sync::OnceLock<u16> = std::sync::OnceLock::new();
    *YEAR.get_or_init(|| u16::try_from(time::OffsetDateTime::now_utc().year()).unwrap_or(2000))
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
/// both sides, and at most 254 characters (RFC 5321's limit).
pub fn email(s: &str) -> Option<String> {
    let e = s.trim().to_ascii_lowercase();
    if e.len() > 254 {
        return None;
    }
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
        assert_eq!(
            name(&"Ann ".repeat(100)).len(),
            63,
            "cut, without a trailing space"
        );
        assert_eq!(name("Łukasz"), "lukasz");
        assert_eq!(name("Michał"), "michal");
        assert_eq!(name("Małgorzata Wąsowska"), "malgorzata wasowska");
        assert_eq!(text("Straße"), "strasse");
        assert_eq!(text("Zoe\u{308}"), "zoe", "a combining accent");
        assert_eq!(text("Дмитрий"), "dmitrii");
        assert_eq!(text("Ｊｏｈｎ"), "john", "full-width letters");
        assert_eq!(text("Ann 😀 Lee"), "ann lee", "a symbol is a space");
        // As pasted from a word processor: a soft hyphen, a zero-width space
        // and a byte-order mark print nothing; a no-break space is a space.
        assert_eq!(name("Anne\u{ad}marie"), "annemarie");
        assert_eq!(name("\u{feff}Smith\u{200b}"), "smith");
        assert_eq!(name("O\u{2019}Brien"), "obrien");
        assert_eq!(name("Mary\u{a0}Ann"), "mary ann");
        assert_eq!(name("\u{202e}Lee\u{202c}"), "lee");
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
    fn dates_the_calendar_lacks_keep_their_digits_but_no_date_has_none() {
        for (typed, digits) in [
            ("19450493", b"19450493"),
            ("1956-02-30", b"19560230"),
            ("31/13/1956", b"19561331"),
        ] {
            assert_eq!(date(typed), None, "{typed}");
            assert_eq!(date_digits(typed), Some(*digits), "{typed}");
        }
        for none in ["0000-00-00", "00/00/0000", "00000000", "1956-00-07", ""] {
            assert_eq!(date_digits(none), None, "{none}");
        }
    }

    #[test]
    fn dates_with_a_midnight_time_month_names_and_two_digit_years() {
        let d = Date::from_calendar_date(1981, Month::March, 13).unwrap();
        for s in [
            "1981-03-13 00:00:00.000",
            "13/03/81",
            "13/03/1981 00:00:00",
            "13/03/1981 00:00",
            "1981-03-13T00:00:00Z",
            "1981-03-13T00:00:00+01:00",
            "13/03/1981 12:00:00 AM",
            "13 Mar 1981",
            "13-MAR-81",
            "13 March 1981",
            "March 13, 1981",
            "1981 Mar 13",
            "13.03.81",
        ] {
            assert_eq!(date(s), Some(d), "{s}");
        }
        assert_eq!(
            date("1 Sept 2001").map(|d| d.month()),
            Some(Month::September)
        );
        for bad in [
            "1981-03-12T23:00:00Z",
            "13/03/1981 09:30",
            "13/03/1981 12:00:00 PM",
            "13 Mrch 1981",
            "13 Ma 1981",
            "13/03/981",
            "AM",
            "00:00",
        ] {
            assert_eq!(date(bad), None, "{bad}");
        }
    }

    #[test]
    fn two_digit_years_are_never_in_the_future() {
        assert_eq!(century(81, 2026), 1981);
        assert_eq!(century(26, 2026), 2026);
        assert_eq!(century(27, 2026), 1927);
        assert_eq!(century(0, 2026), 2000);
        assert_eq!(century(99, 2100), 2099);
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
