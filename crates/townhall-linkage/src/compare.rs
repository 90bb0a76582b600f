//! Comparing two values: string similarity, sounds, nicknames, dates of
//! birth, postcodes, addresses. Each function answers one question about a
//! pair; [`crate::comparison`] turns the answers into levels.

use std::collections::HashMap;
use std::sync::OnceLock;

use rphonetic::DoubleMetaphone;
use time::Date;

/// Jaro–Winkler similarity, from 0 (nothing alike) to 1 (the same).
///
/// Normalised names are short ASCII words, compared millions of times, so
/// those are compared here on bytes with the matched positions kept in two
/// 64-bit masks (no allocation); anything else goes to strsim, whose
/// results these equal (a test checks).
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if !a.is_ascii() || !b.is_ascii() || x.len() > 64 || y.len() > 64 {
        return strsim::jaro_winkler(a, b);
    }
    let jaro = jaro_ascii(x, y);
    // Winkler's boost for a shared beginning, only for strings already alike.
    if jaro <= 0.7 {
        return jaro;
    }
    let prefix = x.iter().zip(y).take(4).take_while(|(p, q)| p == q).count();
    jaro + 0.1 * prefix as f64 * (1.0 - jaro)
}

/// The bytes of a string counted into 32 buckets (by their low five bits,
/// so `a`–`z` each have their own): how many characters two strings can
/// have in common, whatever their places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Letters([u8; 32]);

impl Letters {
    /// The counts of `s`.
    pub fn of(s: &str) -> Self {
        let mut counts = [0u8; 32];
        for b in s.bytes() {
            let slot = &mut counts[usize::from(b & 31)];
            *slot = slot.saturating_add(1);
        }
        Letters(counts)
    }

    /// At least as many as the characters the two strings share.
    fn shared(&self, other: &Letters) -> usize {
        self.0
            .iter()
            .zip(&other.0)
            .map(|(a, b)| usize::from(*a.min(b)))
            .sum()
    }
}

/// Whether the Jaro–Winkler similarity of `a` and `b` (whose [`Letters`]
/// are given) could reach `min`: Jaro matches are characters in common,
/// so there can be no more of them than the counts share, and no more
/// than that can make the similarity. Ruling pairs out this way costs a
/// fraction of working the similarity out.
pub fn jaro_winkler_could_reach(a: (&str, &Letters), b: (&str, &Letters), min: f64) -> bool {
    let (la, lb) = (a.0.len(), b.0.len());
    // Counted in bytes, the bound holds for ASCII only.
    if la == 0 || lb == 0 || la > 255 || lb > 255 || !a.0.is_ascii() || !b.0.is_ascii() {
        return true;
    }
    let m = a.1.shared(b.1).min(la).min(lb) as f64;
    let jaro = (m / la as f64 + m / lb as f64 + 1.0) / 3.0;
    let prefix =
        a.0.bytes()
            .zip(b.0.bytes())
            .take(4)
            .take_while(|(p, q)| p == q)
            .count();
    let bound = if jaro > 0.7 {
        jaro + 0.1 * prefix as f64 * (1.0 - jaro)
    } else {
        jaro
    };
    // Worked out as the similarity is, the bound equals it when it is
    // tight; the margin only guards against rounding.
    bound + 1e-12 >= min
}

/// Jaro similarity of two ASCII strings of at most 64 bytes.
fn jaro_ascii(x: &[u8], y: &[u8]) -> f64 {
    if x.is_empty() && y.is_empty() {
        return 1.0;
    }
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    let window = (x.len().max(y.len()) / 2).saturating_sub(1);
    let (mut x_matched, mut y_matched) = (0u64, 0u64);
    let mut matches = 0usize;
    for (i, c) in x.iter().enumerate() {
        let (from, to) = (i.saturating_sub(window), (i + window + 1).min(y.len()));
        if let Some(j) = (from..to).find(|&j| y_matched & (1 << j) == 0 && y[j] == *c) {
            y_matched |= 1 << j;
            x_matched |= 1 << i;
            matches += 1;
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut out_of_order = 0usize;
    let mut j = 0;
    for (i, c) in x.iter().enumerate() {
        if x_matched & (1 << i) != 0 {
            while y_matched & (1 << j) == 0 {
                j += 1;
            }
            if *c != y[j] {
                out_of_order += 1;
            }
            j += 1;
        }
    }
    let m = matches as f64;
    let transpositions = (out_of_order / 2) as f64;
    (m / x.len() as f64 + m / y.len() as f64 + (m - transpositions) / m) / 3.0
}

/// Whether the Damerau–Levenshtein distance of `a` and `b` is at most 1:
/// equal, or one character inserted, deleted or changed, or two adjacent
/// ones swapped. One pass over the bytes, without the distance's table:
/// every comparison asks only this, for millions of pairs.
pub fn within_one_edit(a: impl AsRef<[u8]>, b: impl AsRef<[u8]>) -> bool {
    let (a, b) = (a.as_ref(), b.as_ref());
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let start = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if start == short.len() {
        return true;
    }
    if short.len() == long.len() {
        // One changed, or this and the next swapped.
        short[start + 1..] == long[start + 1..]
            || (start + 1 < short.len()
                && short[start] == long[start + 1]
                && short[start + 1] == long[start]
                && short[start + 2..] == long[start + 2..])
    } else {
        short[start..] == long[start + 1..]
    }
}

/// A name's Double Metaphone codes: how it sounds, in its primary and
/// alternate pronunciations.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sound {
    /// The code of the usual pronunciation.
    pub primary: Code,
    /// The code of another common one (often the same).
    pub alternate: Code,
}

/// A Double Metaphone code of at most [`Code::LEN`] letters, held in place:
/// two codes are compared as one machine word, millions of times a run.
#[derive(Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Code([u8; Code::LEN]);

impl Code {
    /// The longest code kept.
    pub const LEN: usize = 6;

    fn new(code: &str) -> Self {
        let mut out = [0; Code::LEN];
        for (slot, b) in out.iter_mut().zip(code.bytes()) {
            *slot = b;
        }
        Code(out)
    }

    /// The letters of the code.
    pub fn as_str(&self) -> &str {
        let len = self.0.iter().position(|b| *b == 0).unwrap_or(Code::LEN);
        std::str::from_utf8(&self.0[..len]).unwrap_or_default()
    }

    /// Whether the name gave no code.
    pub fn is_empty(&self) -> bool {
        self.0[0] == 0
    }
}

impl std::fmt::Debug for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

/// The Double Metaphone codes of `name` (normalised by
/// [`crate::normalise::name`]).
///
/// Double Metaphone is defined on English letters, and the encoder indexes
/// its input by byte, so it is given only the ASCII letters and spaces of
/// `name`: a name in any other script must be transliterated first, as
/// the normaliser does.
pub fn sound(name: &str) -> Sound {
    static ENCODER: OnceLock<DoubleMetaphone> = OnceLock::new();
    let encoder = ENCODER.get_or_init(|| DoubleMetaphone::new(Some(Code::LEN)));
    let letters: String = name
        .chars()
        .filter(|c| c.is_ascii_alphabetic() || *c == ' ')
        .collect();
    let result = encoder.double_metaphone(letters.trim());
    Sound {
        primary: Code::new(&result.primary()),
        alternate: Code::new(&result.alternate()),
    }
}

/// Whether two names sound alike: any of their codes are the same.
pub fn sounds_alike(a: &Sound, b: &Sound) -> bool {
    [a.primary, a.alternate]
        .into_iter()
        .filter(|c| !c.is_empty())
        .any(|c| c == b.primary || c == b.alternate)
}

/// The nickname groups a name belongs to (empty for most names).
pub fn nickname_groups(name: &str) -> &'static [u16] {
    static GROUPS: OnceLock<HashMap<&'static str, Vec<u16>>> = OnceLock::new();
    let groups = GROUPS.get_or_init(|| {
        let mut map: HashMap<&'static str, Vec<u16>> = HashMap::new();
        let lines = include_str!("nicknames.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'));
        for (group, line) in (0u16..).zip(lines) {
            for name in line.split_whitespace() {
                map.entry(name).or_default().push(group);
            }
        }
        map
    });
    groups.get(name).map_or(&[], Vec::as_slice)
}

/// Whether one name is a nickname of the other (William and Bill, Liz and
/// Elizabeth, or two nicknames of one name: Bill and Will).
pub fn nicknames(a: &[u16], b: &[u16]) -> bool {
    a.iter().any(|g| b.contains(g))
}

/// How two dates of birth agree, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DateAgreement {
    /// The same day.
    Exact,
    /// Day and month swapped (3 July and 7 March of one year).
    Transposed,
    /// One digit wrong or two neighbouring digits swapped, as typed `YYYYMMDD`.
    OneTypo,
    /// The same month of the same year.
    SameMonth,
    /// The same year.
    SameYear,
    /// None of these.
    Different,
}

/// Whether two dates of birth cannot be one person's: neither a typing
/// slip, a swap of day and month nor a day wrong in the right month turns
/// one into the other. The first of January says only the year to a
/// system that knew nothing more (and is the day a placeholder takes), so
/// against it only a year beyond a slip conflicts. A date in 1900 or before
/// is a placeholder (nobody it could be is living) and conflicts with none.
pub fn births_conflict(a: Date, b: Date) -> bool {
    if a.year() <= 1900 || b.year() <= 1900 {
        return false;
    }
    let year_only = |d: Date| d.month() == time::Month::January && d.day() == 1;
    if year_only(a) || year_only(b) {
        let (x, y) = (a.year().to_string(), b.year().to_string());
        return !within_one_edit(&x, &y);
    }
    matches!(
        dates(a, b),
        DateAgreement::Different | DateAgreement::SameYear
    )
}

/// How dates of birth `a` and `b` agree.
pub fn dates(a: Date, b: Date) -> DateAgreement {
    if a == b {
        return DateAgreement::Exact;
    }
    let (am, ad) = (u8::from(a.month()), a.day());
    let (bm, bd) = (u8::from(b.month()), b.day());
    if a.year() == b.year() && am == bd && ad == bm {
        return DateAgreement::Transposed;
    }
    if within_one_edit(typed(a), typed(b)) {
        return DateAgreement::OneTypo;
    }
    match (a.year() == b.year(), am == bm) {
        (true, true) => DateAgreement::SameMonth,
        (true, false) => DateAgreement::SameYear,
        _ => DateAgreement::Different,
    }
}

/// A date as typed, `YYYYMMDD`, without an allocation: dates are compared
/// millions of times.
fn typed(d: Date) -> [u8; 8] {
    let mut out = [b'0'; 8];
    let mut digits = |at: std::ops::Range<usize>, mut n: u32| {
        for i in at.rev() {
            out[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    digits(0..4, d.year().unsigned_abs());
    digits(4..6, u32::from(u8::from(d.month())));
    digits(6..8, u32::from(d.day()));
    out
}

/// The share of tokens two addresses have in common (Jaccard: shared over
/// all), from 0 to 1. House numbers count as tokens like any word and must
/// be equal (next door is another home); a word of four letters or more is
/// shared with one a typing slip away; and lines that differ only in their
/// spaces ("hancocks treet") are the same line.
pub fn token_overlap(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    // Records prepared together share one copy of each line.
    if std::ptr::eq(a, b) {
        return 1.0;
    }
    let length = |t: &[String]| t.iter().map(String::len).sum::<usize>();
    if length(a) == length(b)
        && a.iter()
            .flat_map(|t| t.bytes())
            .eq(b.iter().flat_map(|t| t.bytes()))
    {
        return 1.0;
    }
    let shared = a
        .iter()
        .filter(|t| b.iter().any(|u| word_alike(t, u)))
        .count()
        .min(b.len());
    let all = a.len() + b.len() - shared;
    shared as f64 / all as f64
}

/// Whether every word of the shorter address line is in the other (a
/// flat's number left out of one), slips in long words forgiven as in
/// [`token_overlap`].
pub fn within(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    !short.is_empty() && short.iter().all(|t| long.iter().any(|u| word_alike(t, u)))
}

/// Two words of an address line alike: equal, or long words of letters one
/// typing slip apart (`Crescent`, `Cresent`; never `12` and `14`).
fn word_alike(x: &str, y: &str) -> bool {
    let word = |t: &str| t.len() >= 4 && t.bytes().all(|c| c.is_ascii_alphabetic());
    x == y || (word(x) && word(y) && within_one_edit(x, y))
}

/// Towns or localities one typing slip apart at most, spaces aside.
pub fn same_town(a: &str, b: &str) -> bool {
    within_one_edit(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Month;

    #[test]
    fn the_jaro_winkler_bound_rules_out_names_with_little_in_common() {
        let could = |a: &str, b: &str, min| {
            jaro_winkler_could_reach((a, &Letters::of(a)), (b, &Letters::of(b)), min)
        };
        assert!(!could("john", "mary", 0.8));
        assert!(!could("ann.lee@mail.example", "bob.roe@post.example", 0.9));
        assert!(
            could("martha", "marhta", 0.92),
            "anagrams are not ruled out"
        );
        assert!(could("zoë", "zoe", 0.99), "not ASCII: not ruled out");
    }

    #[test]
    fn jaro_winkler_matches_published_values() {
        // Winkler's (1990) examples, as every implementation reproduces them.
        let close = |a, b, want: f64| {
            let got = jaro_winkler(a, b);
            assert!((got - want).abs() < 0.001, "{a}/{b}: {got} not {want}");
        };
        close("martha", "marhta", 0.961);
        close("dwayne", "duane", 0.840);
        close("dixon", "dicksonx", 0.813);
        close("same", "same", 1.0);
        close("abc", "xyz", 0.0);
    }

    #[test]
    fn jaro_winkler_on_bytes_equals_strsim() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "martha",
            "marhta",
            "dwayne",
            "duane",
            "dixon",
            "dicksonx",
            "jack",
            "jackson",
            "webb",
            "webbw",
            "abby",
            "abyb",
            "catherine",
            "kathryn",
            "jessica",
            "jessi ca",
            "crate",
            "trace",
            "aaaaab",
            "baaaaa",
            "abcdefghij",
            "jihgfedcba",
        ];
        for a in words {
            for b in words {
                let (mine, theirs) = (jaro_winkler(a, b), strsim::jaro_winkler(a, b));
                assert!(
                    (mine - theirs).abs() < 1e-12,
                    "{a} / {b}: {mine} not {theirs}"
                );
            }
        }
    }

    #[test]
    fn one_edit_is_what_damerau_levenshtein_calls_one() {
        let words = [
            "", "a", "ab", "ba", "abc", "acb", "bac", "abd", "abcd", "abdc", "smith", "smtih",
            "smyth", "smiths", "mith", "kitten", "sitting", "ca", "webb", "webbw", "aronson",
        ];
        for a in words {
            for b in words {
                assert_eq!(
                    within_one_edit(a, b),
                    strsim::damerau_levenshtein(a, b) <= 1,
                    "{a} / {b}"
                );
            }
        }
    }

    #[test]
    fn names_that_sound_alike() {
        assert_eq!(sound("smith").primary.as_str(), "SM0");
        assert_eq!(sound("smith").alternate.as_str(), "XMT");
        assert!(sounds_alike(&sound("smith"), &sound("smyth")));
        assert!(sounds_alike(&sound("schmidt"), &sound("smith")));
        assert!(sounds_alike(&sound("catherine"), &sound("kathryn")));
        assert!(sounds_alike(&sound("stephen"), &sound("steven")));
        assert!(!sounds_alike(&sound("smith"), &sound("jones")));
        assert!(!sounds_alike(&Sound::default(), &Sound::default()));
    }

    #[test]
    fn nicknames_are_equivalent_both_ways() {
        let same = |a, b| nicknames(nickname_groups(a), nickname_groups(b));
        assert!(same("william", "bill"));
        assert!(same("bill", "william"));
        assert!(same("bill", "will"));
        assert!(same("liz", "elizabeth"));
        assert!(same("sam", "samantha") && same("sam", "samuel"));
        assert!(
            !same("samantha", "samuel"),
            "two formal names are not one person"
        );
        assert!(!same("william", "robert"));
        assert!(!same("zebedee", "zebedee"), "unknown names have no group");
    }

    #[test]
    fn dates_of_birth_agree_at_levels() {
        let d = |y, m, day| Date::from_calendar_date(y, Month::try_from(m).unwrap(), day).unwrap();
        assert_eq!(dates(d(1956, 3, 7), d(1956, 3, 7)), DateAgreement::Exact);
        assert_eq!(
            dates(d(1956, 3, 7), d(1956, 7, 3)),
            DateAgreement::Transposed
        );
        assert_eq!(dates(d(1956, 3, 7), d(1956, 3, 8)), DateAgreement::OneTypo);
        assert_eq!(dates(d(1956, 3, 7), d(1965, 3, 7)), DateAgreement::OneTypo);
        assert_eq!(
            dates(d(1956, 3, 7), d(1956, 3, 28)),
            DateAgreement::SameMonth
        );
        assert_eq!(
            dates(d(1956, 3, 7), d(1956, 11, 20)),
            DateAgreement::SameYear
        );
        assert_eq!(
            dates(d(1956, 3, 7), d(1971, 11, 20)),
            DateAgreement::Different
        );
    }

    #[test]
    fn births_conflict_beyond_a_slip_a_swap_or_a_day() {
        let d = |y, m, day| Date::from_calendar_date(y, Month::try_from(m).unwrap(), day).unwrap();
        let martin = d(1952, 4, 11);
        for same in [
            d(1952, 4, 11),
            d(1952, 11, 4),
            d(1952, 4, 12),
            d(1925, 4, 11),
            d(1952, 4, 29),
        ] {
            assert!(!births_conflict(martin, same), "{same}");
        }
        // His son, born in another year; someone born the same year.
        assert!(births_conflict(martin, d(1988, 4, 17)));
        assert!(births_conflict(martin, d(1952, 9, 30)));
        // A year known only (1 January): the year must agree, or nearly.
        assert!(!births_conflict(martin, d(1952, 1, 1)));
        assert!(!births_conflict(martin, d(1953, 1, 1)));
        assert!(births_conflict(martin, d(1988, 1, 1)));
        // A placeholder conflicts with nobody.
        assert!(!births_conflict(martin, d(1900, 1, 1)));
    }

    #[test]
    fn a_line_within_another_is_the_flat_number_left_out() {
        let t = |s: &str| s.split(' ').map(str::to_owned).collect::<Vec<_>>();
        assert!(within(&t("17 hudson rise"), &t("flat 10 17 hudson rise")));
        assert!(within(&t("flat 10 17 hudson rise"), &t("17 hudsn rise")));
        assert!(!within(&t("17 hudson rise"), &t("19 hudson rise")));
        assert!(!within(&t("17 hudson rise"), &[]));
    }

    #[test]
    fn address_tokens_overlap() {
        let t = |s: &str| s.split(' ').map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(
            token_overlap(&t("12 high street"), &t("12 high street")),
            1.0
        );
        assert_eq!(token_overlap(&t("12 high street"), &t("12 high st")), 0.5);
        assert_eq!(token_overlap(&t("12 high street"), &[]), 0.0);
        assert_eq!(
            token_overlap(&t("17 hancock street"), &t("17 hancocks treet")),
            1.0,
            "only the spaces differ"
        );
        assert_eq!(
            token_overlap(&t("17 hancock street"), &t("17 hancok street")),
            1.0,
            "one slip in a word"
        );
        assert_eq!(
            token_overlap(&t("17 hancock street"), &t("18 hancock street")),
            0.5,
            "next door is another home"
        );
        assert!(same_town("leichhardt", "leicjhardt"));
        assert!(!same_town("riverside", "northgate"));
    }
}
