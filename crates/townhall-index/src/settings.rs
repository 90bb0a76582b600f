//! The comparisons a council writes, as Splink's settings are written: the
//! columns beyond the built-in fields (identifiers, a middle name, sex, or
//! anything its systems hold), how their values are read and compared, and
//! blocking rules of its own. One TOML file, checked on load with file:line
//! errors; the built-in set is itself such a file
//! (`default_settings.toml`, printed by `townhall index settings
//! --print-default`).

use std::collections::HashSet;

use serde::Deserialize;
use toml::Spanned;
use townhall_linkage::blocking::{KeyPart, Rule, MAX_RULES};
use townhall_linkage::column::{Column, Kind};
use townhall_linkage::comparison::{Comparison, Test};
use townhall_linkage::model::Model;
use townhall_types::{SourceError, SourceText};

/// The built-in settings, as a file to start from.
pub const DEFAULT: &str = include_str!("default_settings.toml");

/// Checked settings.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkSettings {
    /// The columns declared, in the file's order.
    pub columns: Vec<ColumnSettings>,
    /// The blocking rules declared.
    pub blocking: Vec<Vec<Part>>,
}

/// One declared column.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnSettings {
    /// Its name and kind.
    pub column: Column,
    /// Its names in files beside `column.name`, compared without case,
    /// spaces, hyphens or underscores.
    pub names: Vec<String>,
    /// Its levels, best first.
    pub tests: Vec<Test>,
}

/// A part of a declared blocking rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// A part of the built-in fields.
    Core(KeyPart),
    /// A declared column's value.
    Column(String),
}

/// What a set of files is linked with: the columns they have, read in
/// this order, and the comparisons and rules those add.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Active {
    /// The declared columns some file has.
    pub columns: Vec<Column>,
    /// Their comparisons.
    pub comparisons: Vec<Comparison>,
    /// The declared blocking rules whose columns are all there.
    pub rules: Vec<Rule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    column: Vec<Spanned<ColumnFile>>,
    #[serde(default)]
    blocking: Vec<Spanned<BlockingFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnFile {
    name: String,
    kind: Kind,
    #[serde(default)]
    names: Vec<String>,
    levels: Vec<LevelFile>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum LevelFile {
    Exact,
    SameInitial,
    DamerauLevenshtein(u8),
    JaroWinkler(f64),
    DayAndMonthSwapped,
    OneTypingSlip,
    SameMonth,
    Within(f64),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BlockingFile {
    on: Vec<String>,
}

/// The built-in key parts, by name.
const PARTS: [(&str, KeyPart); 11] = [
    ("first_name", KeyPart::FirstName),
    ("first_initial", KeyPart::FirstInitial),
    ("surname", KeyPart::Surname),
    ("surname_sound", KeyPart::SurnameSound),
    ("date_of_birth", KeyPart::DateOfBirth),
    ("birth_year", KeyPart::BirthYear),
    ("postcode", KeyPart::Postcode),
    ("postcode_district", KeyPart::PostcodeDistrict),
    ("address", KeyPart::Address),
    ("email", KeyPart::Email),
    ("phone", KeyPart::Phone),
];

impl Default for LinkSettings {
    /// The built-in settings ([`DEFAULT`]).
    fn default() -> Self {
        // A test checks the built-in file is valid.
        LinkSettings::parse("default_settings.toml", DEFAULT).unwrap_or(LinkSettings {
            columns: Vec::new(),
            blocking: Vec::new(),
        })
    }
}

impl LinkSettings {
    /// Reads and checks `text` (from `file`).
    pub fn parse(file: &str, text: &str) -> Result<Self, SourceError> {
        let source = SourceText::new(file, text);
        let parsed: File = toml::from_str(text)
            .map_err(|e| source.unreadable(e.span().map(|s| s.start), e.message()))?;
        let mut names = HashSet::new();
        let mut columns = Vec::new();
        for c in &parsed.column {
            let at = c.span().start;
            let c = c.get_ref();
            let name = &c.name;
            if name.is_empty()
                || !name
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
            {
                return Err(source.error(
                    at,
                    format!(
                        "column name '{name}' must be lower-case letters, digits and underscores"
                    ),
                ));
            }
            if crate::fields::FIELDS.contains(&name.as_str()) {
                return Err(source.error(
                    at,
                    format!("'{name}' is a built-in field, compared already; name another column"),
                ));
            }
            if !names.insert(name.clone()) {
                return Err(source.error(at, format!("the column '{name}' is declared twice")));
            }
            if c.levels.is_empty() {
                return Err(source.error(
                    at,
                    format!(
                        "the column '{name}' needs at least one level, e.g. levels = [\"exact\"]"
                    ),
                ));
            }
            let tests = c
                .levels
                .iter()
                .map(|l| test(*l, c.kind).map_err(|m| source.error(at, format!("{name}: {m}"))))
                .collect::<Result<Vec<_>, _>>()?;
            columns.push(ColumnSettings {
                column: Column {
                    name: name.clone(),
                    kind: c.kind,
                },
                names: c.names.clone(),
                tests,
            });
        }
        let mut blocking = Vec::new();
        // Each pair carries the rules that found it as bits of one word.
        let room = MAX_RULES - townhall_linkage::blocking::people().len();
        for (i, b) in parsed.blocking.iter().enumerate() {
            let at = b.span().start;
            if i >= room {
                return Err(source.error(
                    at,
                    format!("at most {room} blocking rules can be added to the built-in ones"),
                ));
            }
            if b.get_ref().on.is_empty() {
                return Err(source.error(at, "a blocking rule needs at least one part in `on`"));
            }
            let parts = b
                .get_ref()
                .on
                .iter()
                .map(|p| {
                    if names.contains(p) {
                        Ok(Part::Column(p.clone()))
                    } else if let Some((_, k)) = PARTS.iter().find(|(n, _)| n == p) {
                        Ok(Part::Core(*k))
                    } else {
                        Err(source.error(
                            at,
                            format!(
                                "'{p}' is neither a declared column nor a built-in part ({})",
                                PARTS.map(|(n, _)| n).join(", ")
                            ),
                        ))
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            blocking.push(parts);
        }
        Ok(LinkSettings { columns, blocking })
    }

    /// The comparisons and rules for files that have the declared columns
    /// named in `present`, in the order of the declaration.
    pub fn active(&self, present: &[&str]) -> Active {
        let mut active = Active::default();
        for c in &self.columns {
            if !present.contains(&c.column.name.as_str()) {
                continue;
            }
            let at = u8::try_from(active.columns.len()).unwrap_or(u8::MAX);
            active
                .comparisons
                .push(Comparison::of_column(at, c.column.clone(), c.tests.clone()));
            active.columns.push(c.column.clone());
        }
        let column_at = |name: &str| {
            active
                .columns
                .iter()
                .position(|c| c.name == name)
                .and_then(|i| u8::try_from(i).ok())
        };
        for parts in &self.blocking {
            let key: Option<Vec<KeyPart>> = parts
                .iter()
                .map(|p| match p {
                    Part::Core(k) => Some(*k),
                    Part::Column(name) => column_at(name).map(KeyPart::Extra),
                })
                .collect();
            if let Some(key) = key {
                let mut rule = Rule::on(&key);
                rule.name = parts
                    .iter()
                    .map(|p| match p {
                        Part::Core(k) => PARTS
                            .iter()
                            .find(|(_, c)| c == k)
                            .map_or("?", |(n, _)| n)
                            .to_owned(),
                        Part::Column(n) => n.clone(),
                    })
                    .collect::<Vec<_>>()
                    .join(" + ");
                active.rules.push(rule);
            }
        }
        active
    }
}

impl LinkSettings {
    /// What records are linked with under a saved `model`: its columns, in
    /// its order, and the rules the settings declare on them. Refused
    /// unless the settings declare those columns as they were when the
    /// model was trained (the files' columns are recognised by them).
    pub fn for_model(&self, model: &Model) -> Result<Active, String> {
        let columns = model.columns();
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        let active = self.active(&names);
        if active.columns == columns {
            Ok(active)
        } else {
            Err(format!(
                "the model compares the columns {}, which the settings must declare as they were when it was trained",
                names.join(", ")
            ))
        }
    }
}

/// The test of a level, if it suits the column's kind.
fn test(level: LevelFile, kind: Kind) -> Result<Test, String> {
    let texty = !matches!(kind, Kind::Date | Kind::Number);
    Ok(match level {
        LevelFile::Exact => Test::Exact,
        LevelFile::SameInitial if texty => Test::SameInitial,
        LevelFile::DamerauLevenshtein(n @ (1 | 2)) if texty => Test::DamerauLevenshtein(n),
        LevelFile::DamerauLevenshtein(n) if texty => {
            return Err(format!("damerau_levenshtein is 1 or 2 edits, not {n}"))
        }
        LevelFile::JaroWinkler(t) if texty && t > 0.0 && t <= 1.0 => Test::JaroWinkler(t),
        LevelFile::JaroWinkler(t) if texty => {
            return Err(format!(
                "jaro_winkler is a similarity above 0 and at most 1, like 0.9, not {t}"
            ))
        }
        LevelFile::DayAndMonthSwapped if kind == Kind::Date => Test::DateTransposed,
        LevelFile::OneTypingSlip if kind == Kind::Date => Test::DateOneTypo,
        LevelFile::SameMonth if kind == Kind::Date => Test::DateSameMonth,
        LevelFile::Within(d) if kind == Kind::Number && d.is_finite() && d >= 0.0 => {
            Test::Within(d)
        }
        LevelFile::Within(d) if kind == Kind::Number => {
            return Err(format!("within is a distance of 0 or more, not {d}"))
        }
        other => {
            let name = match other {
                LevelFile::SameInitial => "same_initial",
                LevelFile::DamerauLevenshtein(_) => "damerau_levenshtein",
                LevelFile::JaroWinkler(_) => "jaro_winkler",
                LevelFile::DayAndMonthSwapped => "day_and_month_swapped",
                LevelFile::OneTypingSlip => "one_typing_slip",
                LevelFile::SameMonth => "same_month",
                LevelFile::Within(_) => "within",
                LevelFile::Exact => "exact",
            };
            return Err(format!(
                "the level {name} does not apply to a column of kind {}",
                serde_json::to_string(&kind)
                    .unwrap_or_default()
                    .trim_matches('"')
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_settings_are_valid() {
        let s = LinkSettings::parse("default_settings.toml", DEFAULT).unwrap();
        assert_eq!(s, LinkSettings::default());
        let names: Vec<&str> = s.columns.iter().map(|c| c.column.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "nhs_number",
                "ni_number",
                "uprn",
                "soc_sec_id",
                "middle_name",
                "sex"
            ]
        );
        let active = s.active(&["soc_sec_id", "sex"]);
        assert_eq!(active.columns.len(), 2);
        assert_eq!(active.comparisons[0].name(), "soc_sec_id");
        assert_eq!(active.rules.len(), 1, "only the rule on a column present");
        assert_eq!(active.rules[0].parts, [KeyPart::Extra(0)]);
        assert_eq!(active.rules[0].name, "soc_sec_id");
    }

    #[test]
    fn mistakes_are_refused_with_their_line() {
        for (text, line, message) in [
            ("[[column]]\nname = \"x\"\nkind = \"text\"\nlevels = [\"exact\"]\nshoe = 1\n", 5, "unknown field `shoe`"),
            ("[[column]]\nname = \"x\"\nkind = \"colour\"\nlevels = [\"exact\"]\n", 3, "unknown variant `colour`"),
            ("\n[[column]]\nname = \"surname\"\nkind = \"text\"\nlevels = [\"exact\"]\n", 2, "'surname' is a built-in field"),
            ("[[column]]\nname = \"d\"\nkind = \"date\"\nlevels = [{ jaro_winkler = 0.9 }]\n", 1, "d: the level jaro_winkler does not apply to a column of kind date"),
            ("[[column]]\nname = \"t\"\nkind = \"text\"\nlevels = [{ jaro_winkler = 1.5 }]\n", 1, "not 1.5"),
            ("[[column]]\nname = \"t\"\nkind = \"text\"\nlevels = [{ damerau_levenshtein = 3 }]\n", 1, "1 or 2 edits, not 3"),
            ("[[column]]\nname = \"t\"\nkind = \"text\"\nlevels = []\n", 1, "at least one level"),
            ("[[column]]\nname = \"n\"\nkind = \"number\"\nlevels = [{ within = -1.0 }]\n", 1, "0 or more"),
            ("[[column]]\nname = \"t\"\nkind = \"text\"\nlevels = [\"exact\"]\n[[column]]\nname = \"t\"\nkind = \"text\"\nlevels = [\"exact\"]\n", 5, "declared twice"),
            ("[[blocking]]\non = [\"shoe_size\"]\n", 1, "'shoe_size' is neither a declared column"),
            ("[[blocking]]\non = []\n", 1, "at least one part"),
        ] {
            let e = LinkSettings::parse("s.toml", text).unwrap_err();
            assert_eq!(e.line, line, "{e}");
            assert!(e.message.contains(message), "{e}");
        }
        // One rule too many, refused at its line.
        let room = MAX_RULES - townhall_linkage::blocking::people().len();
        let text = "[[blocking]]\non = [\"email\"]\n".repeat(room + 1);
        let e = LinkSettings::parse("s.toml", &text).unwrap_err();
        assert_eq!(e.line, 2 * room + 1, "{e}");
        assert!(
            e.message
                .contains(&format!("at most {room} blocking rules")),
            "{e}"
        );
        assert!(LinkSettings::parse("s.toml", &text[..text.len() / (room + 1) * room]).is_ok());
    }
}
