//! Mistakes in the declarative files councils write (policies, services), located
//! by file and line so whoever wrote the file can find them.

/// A mistake in a declarative file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct SourceError {
    /// The file.
    pub file: String,
    /// The line of the mistake, from 1.
    pub line: usize,
    /// What is wrong, and how to put it right.
    pub message: String,
}

/// A file's name and text, to turn byte offsets into line numbers.
#[derive(Debug, Clone, Copy)]
pub struct SourceText<'a> {
    file: &'a str,
    text: &'a str,
}

impl<'a> SourceText<'a> {
    /// The file called `file` (as it should be named in errors), holding `text`.
    pub fn new(file: &'a str, text: &'a str) -> Self {
        Self { file, text }
    }

    /// The text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// A parser's complaint at byte `offset` (the file's start when it
    /// names none). A complaint without words (the TOML parser's about a
    /// NUL byte, for one) is said as what to look for.
    pub fn unreadable(&self, offset: Option<usize>, message: &str) -> SourceError {
        let message = message.trim();
        self.error(
            offset.unwrap_or(0),
            if message.is_empty() {
                "this cannot be read as TOML: look for a character that cannot be typed, such as a NUL"
            } else {
                message
            },
        )
    }

    /// Checks a file's `version` (written at byte `offset`): every file
    /// format here is at version 1.
    pub fn version_one(&self, version: u32, offset: usize) -> Result<(), SourceError> {
        if version == 1 {
            Ok(())
        } else {
            Err(self.error(
                offset,
                format!("version {version} is not supported; use version = 1"),
            ))
        }
    }

    /// A mistake found at byte `offset` of the text.
    pub fn error(&self, offset: usize, message: impl Into<String>) -> SourceError {
        let offset = offset.min(self.text.len());
        SourceError {
            file: self.file.to_owned(),
            line: self.text.as_bytes()[..offset]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1,
            message: message.into(),
        }
    }
}

/// Whether `id` may name something in a configuration file (a service, a
/// purpose, an agreement, …): 1 to 60 lower-case letters, digits and
/// hyphens, with no hyphen first or last, so it reads well in an address.
pub fn is_config_id(id: &str) -> bool {
    (1..=60).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.starts_with('-')
        && !id.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines() {
        let s = SourceText::new("a.toml", "one\ntwo\nthree");
        assert_eq!(s.error(0, "x").line, 1);
        assert_eq!(s.error(4, "x").line, 2);
        assert_eq!(s.error(999, "x").to_string(), "a.toml:3: x");
    }

    #[test]
    fn configuration_ids_read_well_in_an_address() {
        for good in ["a", "report-pothole", "w01"] {
            assert!(is_config_id(good), "{good}");
        }
        for bad in ["", "-a", "a-", "Report", "a b", "a_b", &"a".repeat(61)] {
            assert!(!is_config_id(bad), "{bad}");
        }
    }

    #[test]
    fn a_complaint_without_words_says_what_to_look_for() {
        let src = SourceText::new("waste.toml", "version = 1\nday = \"x\"\n");
        let e = src.unreadable(Some(12), "  ");
        assert_eq!((e.line, e.file.as_str()), (2, "waste.toml"));
        assert!(
            e.message.contains("cannot be read as TOML"),
            "{}",
            e.message
        );
        assert_eq!(src.unreadable(None, "invalid key").line, 1);
        assert_eq!(src.unreadable(None, "invalid key").message, "invalid key");
    }
}
