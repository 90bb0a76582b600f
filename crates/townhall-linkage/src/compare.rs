//! Comparing two values: string similarity, sounds, nicknames, dates of
//! birth, postcodes, addresses. Each function answers one question about a
//! pair; [`crate::comparison`] turns the answers into levels.

use std::collections::HashMap;
use std::sync::OnceLock;

use rphonetic::DoubleMetaphone;
use time::Date;

/// Jaro–Winkler similarity, from 0 (nothing alike) to 1 (the same).
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    strsim::jaro_winkler(a, b)
}

/// Damerau–Levenshtein distance: insertions, deletions, substitutions and
/// transpositions of adjacent characters, each counting one.
pub fn damerau_levenshtein(a: &str, b: &str) -> usize {
    strsim::damerau_levenshtein(a, b)
}

/// A name's Double Metaphone codes: how it sounds, in its primary and
/// alternate pronunciations.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sound {
    /// The code of the usual pronunciation.
    pub primary: String,
    /// The code of another common one (often the same).
    pub alternate: String,
}

/// The Double Metaphone codes of `name` (already normalised).
pub fn sound(name: &str) -> Sound {
    static ENCODER: OnceLock<DoubleMetaphone> = OnceLock::new();
    let encoder = ENCODER.get_or_init(|| DoubleMetaphone::new(Some(6)));
    let result = encoder.double_metaphone(name);
    Sound {
        primary: result.primary(),
        alternate: result.alternate(),
    }
}

/// Whether two names sound alike: any of their codes are the same.
pub fn sounds_alike(a: &Sound, b: &Sound) -> bool {
    let codes = |s: &Sound| [s.primary.clone(), s.alternate.clone()];
    let (ca, cb) = (codes(a), codes(b));
    ca.iter().filter(|c| !c.is_empty()).any(|c| cb.contains(c))
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
    let typed = |d: Date| format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day());
    if damerau_levenshtein(&typed(a), &typed(b)) == 1 {
        return DateAgreement::OneTypo;
    }
    match (a.year() == b.year(), am == bm) {
        (true, true) => DateAgreement::SameMonth,
        (true, false) => DateAgreement::SameYear,
        _ => DateAgreement::Different,
    }
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
    if a.concat() == b.concat() {
        return 1.0;
    }
    let word = |t: &str| t.len() >= 4 && t.bytes().all(|c| c.is_ascii_alphabetic());
    let alike =
        |x: &String, y: &String| x == y || (word(x) && word(y) && damerau_levenshtein(x, y) <= 1);
    let shared = a
        .iter()
        .filter(|t| b.iter().any(|u| alike(t, u)))
        .count()
        .min(b.len());
    let all = a.len() + b.len() - shared;
    shared as f64 / all as f64
}

/// Towns or localities one typing slip apart at most, spaces aside.
pub fn same_town(a: &str, b: &str) -> bool {
    a == b || damerau_levenshtein(a, b) <= 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Month;

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
    fn damerau_levenshtein_counts_a_swap_as_one() {
        assert_eq!(damerau_levenshtein("smith", "smtih"), 1);
        assert_eq!(damerau_levenshtein("kitten", "sitting"), 3);
        assert_eq!(damerau_levenshtein("ca", "abc"), 2);
        assert_eq!(damerau_levenshtein("", "abc"), 3);
    }

    #[test]
    fn names_that_sound_alike() {
        assert_eq!(sound("smith").primary, "SM0");
        assert_eq!(sound("smith").alternate, "XMT");
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
