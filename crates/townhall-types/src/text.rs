//! What text from outside may hold, decided once for every edge (forms, query
//! strings, paths, JSON bodies) so that both stores and every document format
//! see the same text.
//!
//! - Line breaks in any of their forms (CR LF, CR, NEL, the Unicode line and
//!   paragraph separators, and the vertical tab and form feed word processors
//!   write for a manual line or page break) become one `\n`.
//! - Tabs are kept.
//! - Every other control character (C0 U+0000–U+001F, DEL U+007F, C1
//!   U+0080–U+009F) and the noncharacters U+FFFE and U+FFFF are refused: none
//!   of them is typed on purpose, PostgreSQL cannot store U+0000, and XML 1.0
//!   forbids them.
//!
//! - No one answer is longer than [`FIELD_MAX_CHARS`]; fields that fit in
//!   less have their own limits where they are checked (a name
//!   [`NAME_MAX_CHARS`]).
//!
//! Lone surrogates cannot occur: text is UTF-8 by the time it is a `str`.

use std::borrow::Cow;

/// The longest text any one field may hold, in characters: above the longest
/// a service's paragraph question may set, so such limits speak first.
pub const FIELD_MAX_CHARS: usize = 10_000;

/// The longest name (given, family, or whole), in characters.
pub const NAME_MAX_CHARS: usize = 100;

/// Why text from outside was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// It holds a character no one types.
    #[error("contains a character that cannot be typed ({})", codepoint(*.0))]
    Forbidden(char),
    /// It is longer than [`FIELD_MAX_CHARS`].
    #[error("must be {FIELD_MAX_CHARS} characters or fewer")]
    TooLong,
}

/// `U+0001`, the way a character's number is written.
fn codepoint(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Whether text from outside may hold `c` (after line breaks are made `\n`).
/// The bidirectional overrides (U+202D, U+202E) are refused too: they make
/// text display in another order than it is (a name shown as someone
/// else's, "Trojan Source"), and nobody's writing needs them.
pub fn is_allowed(c: char) -> bool {
    if c == '\t' || is_line_break(c) {
        return true;
    }
    !(c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}' | '\u{202D}' | '\u{202E}'))
}

/// Characters that show as nothing at all (zero-width space, word joiner,
/// byte order mark): kept out of one-line answers, where two names that
/// look alike must be alike.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}')
}

/// Checks `text` and writes its line breaks as `\n`; borrowed when nothing
/// changes, which is nearly always.
pub fn clean(text: &str) -> Result<Cow<'_, str>, Refusal> {
    if let Some(c) = text.chars().find(|c| !is_allowed(*c)) {
        return Err(Refusal::Forbidden(c));
    }
    // Bytes bound characters from above: count only when it could matter.
    if text.len() > FIELD_MAX_CHARS && text.chars().count() > FIELD_MAX_CHARS {
        return Err(Refusal::TooLong);
    }
    if !text.chars().any(|c| c != '\n' && is_line_break(c)) {
        return Ok(Cow::Borrowed(text));
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() == Some(&'\n') {
            chars.next();
        }
        out.push(if is_line_break(c) { '\n' } else { c });
    }
    Ok(Cow::Owned(out))
}

/// One line: runs of white space holding a line break or tab become one
/// space, and the ends are trimmed. For answers a form takes on one line (a
/// name, a registration), after [`clean`].
pub fn single_line(text: &str) -> Cow<'_, str> {
    let text = text.trim();
    if !text
        .chars()
        .any(|c| c == '\t' || is_line_break(c) || is_invisible(c))
    {
        return Cow::Borrowed(text);
    }
    let visible: String = text.chars().filter(|c| !is_invisible(*c)).collect();
    Cow::Owned(visible.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// A person's name as they typed it, on one line and at most
/// [`NAME_MAX_CHARS`] long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

/// A name that is too long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be {NAME_MAX_CHARS} characters or fewer")]
pub struct NameTooLong;

impl PersonName {
    /// The name in `text`, or `None` when nothing was typed.
    pub fn parse(text: &str) -> Result<Option<Self>, NameTooLong> {
        let name = single_line(text);
        if name.chars().count() > NAME_MAX_CHARS {
            return Err(NameTooLong);
        }
        Ok((!name.is_empty()).then(|| PersonName(name.into_owned())))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// Full-width forms of ASCII (`ＲＶ１`, typed with a CJK input method or
/// pasted from East Asian documents) and the ideographic space, as ASCII, for
/// answers read as codes and numbers (postcodes, phone numbers, amounts).
pub fn ascii_forms(text: &str) -> Cow<'_, str> {
    let wide = |c: char| ('\u{FF01}'..='\u{FF5E}').contains(&c) || c == '\u{3000}';
    if !text.chars().any(wide) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\u{3000}' => ' ',
                c if wide(c) => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
                c => c,
            })
            .collect(),
    )
}

/// Text for a document whose format forbids some characters (XML 1.0):
/// anything [`is_allowed`] refuses, and the line breaks other than `\n`, `\r`,
/// written as U+FFFD, so text stored before these rules still makes a
/// well-formed document.
pub fn printable(text: &str) -> Cow<'_, str> {
    let bad = |c: char| !is_allowed(c) || matches!(c, '\u{0B}' | '\u{0C}');
    if !text.chars().any(bad) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if bad(c) { '\u{FFFD}' } else { c })
            .collect(),
    )
}

/// `text` as a sentence: its first letter a capital, ending with exactly
/// one full stop, however it was written.
pub fn sentence(text: &str) -> String {
    let text = text.trim().trim_end_matches('.');
    let mut chars = text.chars();
    let first: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    format!("{first}{}.", chars.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sentence_starts_with_a_capital_and_ends_with_one_full_stop() {
        assert_eq!(
            sentence("the bin was not put out"),
            "The bin was not put out."
        );
        assert_eq!(sentence(" Already one.. "), "Already one.");
        assert_eq!(sentence("éte"), "Éte.");
    }

    #[test]
    fn line_breaks_of_every_kind_become_one_newline() {
        assert_eq!(
            clean("a\r\nb\rc\u{0B}d\u{0C}e\u{85}f\u{2028}g\u{2029}h\ni").unwrap(),
            "a\nb\nc\nd\ne\nf\ng\nh\ni"
        );
        assert!(matches!(clean("plain\ttext"), Ok(Cow::Borrowed(_))));
    }

    #[test]
    fn control_characters_are_refused_by_number() {
        assert_eq!(clean("a\0b"), Err(Refusal::Forbidden('\0')));
        assert_eq!(
            clean("Vera\u{202E}sreckiV"),
            Err(Refusal::Forbidden('\u{202E}')),
            "a right-to-left override"
        );
        assert_eq!(
            clean("سلام\u{200F}"),
            Ok(Cow::Borrowed("سلام\u{200F}")),
            "a right-to-left mark"
        );
        assert_eq!(single_line("Ve\u{200B}ra\u{FEFF}"), "Vera");
        assert_eq!(
            clean("\u{1}").unwrap_err().to_string(),
            "contains a character that cannot be typed (U+0001)"
        );
        for c in ['\u{7F}', '\u{9B}', '\u{1B}', '\u{FFFE}', '\u{FFFF}'] {
            assert_eq!(clean(&format!("x{c}")), Err(Refusal::Forbidden(c)));
        }
        assert!(clean(&"é".repeat(FIELD_MAX_CHARS)).is_ok());
        assert_eq!(
            clean(&"a".repeat(FIELD_MAX_CHARS + 1)),
            Err(Refusal::TooLong)
        );
        assert_eq!(clean("Siân, 東京, 🙂").unwrap(), "Siân, 東京, 🙂");
    }

    #[test]
    fn one_line_answers_lose_their_breaks() {
        assert_eq!(single_line("  Jo\n Bloggs\t Jr \n"), "Jo Bloggs Jr");
        assert_eq!(single_line(" Jo Bloggs "), "Jo Bloggs");
    }

    #[test]
    fn names_are_one_line_and_at_most_a_hundred_characters() {
        assert_eq!(
            PersonName::parse(" Siân\n Jones ")
                .unwrap()
                .unwrap()
                .as_str(),
            "Siân Jones"
        );
        assert_eq!(PersonName::parse("  "), Ok(None));
        assert!(PersonName::parse(&"ŵ".repeat(NAME_MAX_CHARS)).is_ok());
        assert_eq!(
            PersonName::parse(&"a".repeat(NAME_MAX_CHARS + 1)),
            Err(NameTooLong)
        );
    }

    #[test]
    fn printable_text_replaces_what_xml_forbids() {
        assert_eq!(
            printable("a\u{0B}b\0c\r\nd\te"),
            "a\u{FFFD}b\u{FFFD}c\r\nd\te"
        );
    }
}
