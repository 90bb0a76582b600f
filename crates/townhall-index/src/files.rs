//! Reading systems' exports of people, and writing who is who.
//!
//! A CSV file's columns are recognised by the names systems usually give
//! them (`first_name`, `given_name`, `forename`; `surname`, `last_name`;
//! `dob`, `date_of_birth`; the FEBRL names too), or named in a mapping file:
//!
//! ```toml
//! [columns]
//! record_id = "PersonRef"
//! first_name = "Forename"
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use townhall_linkage::column::Column;
use townhall_linkage::record::RawPerson;

use crate::fields::FIELDS;
use crate::settings::ColumnSettings;

/// A file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file could not be opened, read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The file's content is not what was expected.
    #[error("{path}: {message}")]
    Content {
        /// The file.
        path: String,
        /// What is wrong, and where.
        message: String,
    },
}

/// The usual names of each field's column, compared without case, spaces,
/// hyphens or underscores.
fn usual_names(field: &str) -> &'static [&'static str] {
    match field {
        "record_id" => &[
            "recordid",
            "recid",
            "id",
            "uniqueid",
            "personid",
            "personref",
            "ref",
            "reference",
            "accountref",
            "accountid",
            "accountnumber",
            "customerid",
            "clientid",
            "tenantref",
            "tenantid",
            "tenancyref",
        ],
        "first_name" => &["firstname", "givenname", "forename", "forenames", "first"],
        "surname" => &["surname", "lastname", "familyname", "last"],
        "date_of_birth" => &["dob", "dateofbirth", "birthdate", "born"],
        "postcode" => &["postcode", "postalcode", "zip", "zipcode"],
        "address" => &[
            "addressline1",
            "address1",
            "address",
            "streetaddress",
            "addr1",
        ],
        "address_2" => &["addressline2", "address2", "addr2"],
        "address_3" => &["addressline3", "address3", "addr3"],
        "street_number" => &["streetnumber", "housenumber"],
        "town" => &["town", "posttown", "city", "locality", "suburb", "village"],
        "email" => &["email", "emailaddress"],
        "phone" => &["phone", "telephone", "phonenumber", "tel", "mobile"],
        _ => &[],
    }
}

fn squash(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Column names for fields, from a mapping file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Field → column name.
    pub columns: BTreeMap<String, String>,
}

impl Mapping {
    /// Reads and checks a mapping file: each key a built-in field or one
    /// of the declared `columns`.
    pub fn load(path: &Path, columns: &[ColumnSettings]) -> Result<Self, FileError> {
        let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
        let mapping: Mapping = toml::from_str(&text).map_err(|e| FileError::Content {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let known = |k: &str| FIELDS.contains(&k) || columns.iter().any(|c| c.column.name == k);
        if let Some(unknown) = mapping.columns.keys().find(|k| !known(k)) {
            return Err(FileError::Content {
                path: path.display().to_string(),
                message: format!(
                    "'{unknown}' is not a field; the fields are {}, and the declared columns {}",
                    FIELDS.join(", "),
                    columns
                        .iter()
                        .map(|c| c.column.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        Ok(mapping)
    }
}

fn io(path: &Path, e: impl std::fmt::Display) -> FileError {
    FileError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// The people of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The system they come from: the file's name without its extension,
    /// unless named otherwise ([`Table::named`]).
    pub source: String,
    /// The file.
    pub path: String,
    /// Each record's id in its system (its number in the file, from 1, when
    /// there is no id column).
    pub ids: Vec<String>,
    /// Each record.
    pub people: Vec<RawPerson>,
    /// Where each record starts in the file: a CSV line (the header is
    /// line 1) or a Parquet row (the first is row 1).
    pub places: Vec<u64>,
    /// What [`Table::places`] count.
    pub place: Place,
    /// The field each recognised column holds, for the report.
    pub recognised: Vec<(String, String)>,
    /// The columns beyond the built-in fields whose values each record's
    /// [`RawPerson::extra`] holds, in order.
    pub columns: Vec<Column>,
}

/// Where records are in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Lines of a CSV file.
    Line,
    /// Rows of a Parquet file.
    Row,
}

impl Place {
    fn word(self) -> &'static str {
        match self {
            Place::Line => "line",
            Place::Row => "row",
        }
    }
}

/// A recognised column some of whose values could not be read: they are
/// treated as missing, so the pairs they are in lose that evidence.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Unreadable {
    /// The field the column holds.
    pub field: String,
    /// The column's name in the file.
    pub column: String,
    /// Values present (not empty).
    pub values: usize,
    /// Values present that could not be read.
    pub unreadable: usize,
    /// What the values are read as, e.g. `dates`.
    pub what: String,
    /// The first value that could not be read.
    pub example: String,
    /// Where it is, e.g. `line 7`.
    pub at: String,
}

impl Unreadable {
    /// Whether most of the column could not be read: more likely the wrong
    /// column, or a form nobody expected, than a few mistakes.
    pub fn mostly(&self) -> bool {
        self.unreadable * 2 > self.values
    }
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} of {} values could not be read as {}, e.g. '{}' on {}",
            self.column,
            grouped(self.unreadable),
            grouped(self.values),
            self.what,
            self.example,
            self.at
        )
    }
}

/// A count with its thousands grouped: `20,000`.
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
    out
}

impl Table {
    /// What a field's or column's values are read as, for the report.
    fn what(&self, field: &str) -> &'static str {
        if let Some(c) = self.columns.iter().find(|c| c.name == field) {
            return c.kind.describe();
        }
        match field {
            "first_name" | "surname" => "names (they hold no letters)",
            "date_of_birth" => "dates",
            "postcode" => "postcodes",
            "email" => "email addresses",
            "phone" => "phone numbers (10 digits or more)",
            _ => "text (it holds no letters or digits)",
        }
    }

    /// Whether a value of a field or column can be read: what the
    /// comparisons would otherwise treat as missing, and, for dates, a date
    /// the calendar lacks (`1945-04-93`, or `03/25/1981` written month
    /// first): its digits are still compared, but a column of them is a
    /// column read wrongly, and is said.
    fn readable(&self, field: &str, value: &str) -> bool {
        use townhall_linkage::column::Kind;
        use townhall_linkage::normalise;
        if let Some(c) = self.columns.iter().find(|c| c.name == field) {
            return match c.kind {
                Kind::Date => normalise::date(value).is_some(),
                kind => kind.read(value).is_some(),
            };
        }
        match field {
            "first_name" | "surname" => !normalise::name(value).is_empty(),
            "date_of_birth" => normalise::date(value).is_some(),
            "postcode" => normalise::postcode(value).is_some(),
            "email" => normalise::email(value).is_some(),
            "phone" => normalise::phone(value).is_some(),
            _ => !normalise::text(value).is_empty(),
        }
    }

    /// Keeps, of the declared columns, only `active`, in its order (the
    /// columns some file of a run has).
    pub fn keep_columns(&mut self, active: &[Column]) {
        let from: Vec<Option<usize>> = active
            .iter()
            .map(|a| self.columns.iter().position(|c| c == a))
            .collect();
        for p in &mut self.people {
            let old = std::mem::take(&mut p.extra);
            p.extra = from
                .iter()
                .map(|i| i.and_then(|i| old.get(i).cloned()).unwrap_or_default())
                .collect();
        }
        self.columns = active.to_vec();
    }
}

/// Reads a file of people: Parquet when its name ends in `.parquet` or
/// `.pq`, CSV otherwise; with the values of the declared `columns` it has.
pub fn read(
    path: &Path,
    mapping: &Mapping,
    columns: &[ColumnSettings],
) -> Result<Table, FileError> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("parquet" | "pq") => read_parquet(path, mapping, columns),
        _ => read_csv(path, mapping, columns),
    }
}

/// Which column holds each field: a mapped column where the file has it
/// (files from other systems fall back to the usual names, and
/// [`unused_mappings`] catches typos), else a column with a usual name.
fn recognise(
    path: &Path,
    headers: &[String],
    mapping: &Mapping,
    declared: &[ColumnSettings],
) -> Result<BTreeMap<String, usize>, FileError> {
    let mut columns = BTreeMap::new();
    let fields = FIELDS.iter().map(|f| {
        (
            *f,
            usual_names(f)
                .iter()
                .map(|n| (*n).to_owned())
                .collect::<Vec<_>>(),
        )
    });
    let extra = declared.iter().map(|c| {
        let names = std::iter::once(&c.column.name)
            .chain(&c.names)
            .map(|n| squash(n))
            .collect::<Vec<_>>();
        (c.column.name.as_str(), names)
    });
    for (field, usual) in fields.chain(extra) {
        let mapped = mapping
            .columns
            .get(field)
            .and_then(|name| headers.iter().position(|h| h == name));
        let position = mapped.or_else(|| headers.iter().position(|h| usual.contains(&squash(h))));
        if let Some(p) = position {
            columns.insert(field.to_owned(), p);
        }
    }
    let named = ["first_name", "surname", "date_of_birth"];
    if !named.iter().any(|f| columns.contains_key(*f)) {
        return Err(FileError::Content {
            path: path.display().to_string(),
            message: format!(
                "no column for a name or date of birth was found among {headers:?}; name them with --map"
            ),
        });
    }
    Ok(columns)
}

/// An empty table for `path`, with the columns recognised.
fn table_for(
    path: &Path,
    headers: &[String],
    columns: &BTreeMap<String, usize>,
    place: Place,
    declared: &[ColumnSettings],
) -> Table {
    Table {
        source: path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        path: path.display().to_string(),
        ids: Vec::new(),
        people: Vec::new(),
        places: Vec::new(),
        place,
        recognised: columns
            .iter()
            .map(|(f, p)| (f.clone(), headers[*p].clone()))
            .collect(),
        columns: declared.iter().map(|c| c.column.clone()).collect(),
    }
}

/// Which column of a file's rows holds each field: found once per file,
/// not by name for every value of a million rows.
struct Layout {
    record_id: Option<usize>,
    first_name: Option<usize>,
    surname: Option<usize>,
    date_of_birth: Option<usize>,
    street_number: Option<usize>,
    address: Option<usize>,
    address_2: Option<usize>,
    address_3: Option<usize>,
    postcode: Option<usize>,
    town: Option<usize>,
    email: Option<usize>,
    phone: Option<usize>,
    /// The declared columns', in their order.
    extra: Vec<Option<usize>>,
}

impl Layout {
    fn of(columns: &BTreeMap<String, usize>, declared: &[ColumnSettings]) -> Self {
        let at = |field: &str| columns.get(field).copied();
        Layout {
            record_id: at("record_id"),
            first_name: at("first_name"),
            surname: at("surname"),
            date_of_birth: at("date_of_birth"),
            street_number: at("street_number"),
            address: at("address"),
            address_2: at("address_2"),
            address_3: at("address_3"),
            postcode: at("postcode"),
            town: at("town"),
            email: at("email"),
            phone: at("phone"),
            extra: declared.iter().map(|c| at(&c.column.name)).collect(),
        }
    }
}

impl Table {
    /// Adds the `n`th record (from 0), found at `place` in the file, whose
    /// values `get` gives by their column (empty for none).
    fn push(
        &mut self,
        layout: &Layout,
        n: usize,
        place: u64,
        get: impl Fn(Option<usize>) -> String,
    ) {
        let first_line = match (get(layout.street_number), get(layout.address)) {
            (number, street) if number.is_empty() => street,
            (number, street) => format!("{number} {street}"),
        };
        // Further lines after line breaks, as the engine reads an address.
        let address = [get(layout.address_2), get(layout.address_3)]
            .into_iter()
            .filter(|line| !line.trim().is_empty())
            .fold(first_line, |address, line| format!("{address}\n{line}"));
        self.places.push(place);
        self.ids.push(match layout.record_id {
            Some(_) => get(layout.record_id),
            None => (n + 1).to_string(),
        });
        self.people.push(RawPerson {
            first_name: get(layout.first_name),
            surname: get(layout.surname),
            date_of_birth: get(layout.date_of_birth),
            postcode: get(layout.postcode),
            address,
            town: get(layout.town),
            email: get(layout.email),
            phone: get(layout.phone),
            extra: layout.extra.iter().map(|at| get(*at)).collect(),
        });
    }
}

impl Table {
    /// The same table under another source name.
    pub fn named(self, source: String) -> Self {
        Table { source, ..self }
    }

    /// The column that holds `field`, if one was recognised.
    pub fn column(&self, field: &str) -> Option<&str> {
        self.recognised
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, c)| c.as_str())
    }

    /// Where record `i` is, e.g. `line 7`.
    pub fn at(&self, i: usize) -> String {
        format!("{} {}", self.place.word(), self.places[i])
    }

    /// Refuses ids that would make different people one: an empty id, or
    /// one id on two records.
    fn check_ids(&self) -> Result<(), FileError> {
        let Some(column) = self.column("record_id") else {
            return Ok(());
        };
        let refuse = |message: String| {
            Err(FileError::Content {
                path: self.path.clone(),
                message,
            })
        };
        let mut seen = std::collections::HashMap::with_capacity(self.ids.len());
        for (i, id) in self.ids.iter().enumerate() {
            if id.is_empty() {
                return refuse(format!(
                    "{}: the record has no id in column '{column}'",
                    self.at(i)
                ));
            }
            if let Some(first) = seen.insert(id.as_str(), i) {
                return refuse(format!(
                    "the records on {} and {} both have the id '{id}' (column '{column}'): \
                     each record needs its own id, or different people would be taken for one",
                    self.at(first),
                    self.at(i),
                ));
            }
        }
        Ok(())
    }

    /// The recognised columns some of whose values could not be read, in
    /// the order of the fields.
    pub fn unreadable(&self) -> Vec<Unreadable> {
        use rayon::prelude::*;
        fn value<'p>(p: &'p RawPerson, extra: Option<usize>, field: &str) -> &'p str {
            if let Some(i) = extra {
                return p.extra.get(i).map_or("", String::as_str);
            }
            match field {
                "first_name" => &p.first_name,
                "surname" => &p.surname,
                "date_of_birth" => &p.date_of_birth,
                "postcode" => &p.postcode,
                "town" => &p.town,
                "email" => &p.email,
                "phone" => &p.phone,
                _ => "",
            }
        }
        self.recognised
            .iter()
            .filter(|(field, _)| {
                !matches!(
                    field.as_str(),
                    "record_id" | "address" | "address_2" | "address_3" | "street_number"
                )
            })
            .filter_map(|(field, column)| {
                // The column is found once, not for each of a million values.
                let extra = self.columns.iter().position(|c| &c.name == field);
                let value = |p| value(p, extra, field);
                let (values, unreadable, first) = self
                    .people
                    .par_iter()
                    .enumerate()
                    .map(|(i, p)| {
                        let v = value(p);
                        match (v.is_empty(), v.is_empty() || self.readable(field, v)) {
                            (true, _) => (0, 0, None),
                            (false, true) => (1, 0, None),
                            (false, false) => (1, 1, Some(i)),
                        }
                    })
                    .reduce(
                        || (0, 0, None),
                        |a, b| {
                            let first = match (a.2, b.2) {
                                (Some(x), Some(y)) => Some(x.min(y)),
                                (x, y) => x.or(y),
                            };
                            (a.0 + b.0, a.1 + b.1, first)
                        },
                    );
                let first = first?;
                Some(Unreadable {
                    what: self.what(field).to_owned(),
                    field: field.clone(),
                    column: column.clone(),
                    values,
                    unreadable,
                    example: value(&self.people[first]).to_owned(),
                    at: self.at(first),
                })
            })
            .collect()
    }
}

/// Refuses a file any of whose columns is mostly unreadable, unless
/// `allow` (the values then count as missing, as the others do).
pub fn check_readable(table: &Table, report: &[Unreadable], allow: bool) -> Result<(), FileError> {
    match report.iter().find(|u| u.mostly()) {
        Some(u) if !allow => Err(FileError::Content {
            path: table.path.clone(),
            message: format!(
                "{u}: most of the column cannot be read. Name the right column with --map, \
                 convert the values, or give --allow-unreadable to link without them"
            ),
        }),
        _ => Ok(()),
    }
}

/// Reads a CSV file of people.
pub fn read_csv(
    path: &Path,
    mapping: &Mapping,
    declared: &[ColumnSettings],
) -> Result<Table, FileError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| io(path, e))?;
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| io(path, e))?
        .iter()
        .map(str::to_owned)
        .collect();
    let columns = recognise(path, &headers, mapping, declared)?;
    let mut table = table_for(path, &headers, &columns, Place::Line, declared);
    let layout = Layout::of(&columns, declared);
    for (n, row) in reader.records().enumerate() {
        let row = row.map_err(|e| FileError::Content {
            path: path.display().to_string(),
            message: format!("line {}: {e}", n + 2),
        })?;
        let line = row.position().map_or(n as u64 + 2, csv::Position::line);
        table.push(&layout, n, line, |at| {
            at.and_then(|p| row.get(p)).unwrap_or_default().to_owned()
        });
    }
    table.check_ids()?;
    Ok(table)
}

/// Reads a Parquet file of people: every value is read as text (numbers
/// and dates as they print), nulls as missing.
pub fn read_parquet(
    path: &Path,
    mapping: &Mapping,
    declared: &[ColumnSettings],
) -> Result<Table, FileError> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    let file = std::fs::File::open(path).map_err(|e| io(path, e))?;
    let reader = SerializedFileReader::new(file).map_err(|e| FileError::Content {
        path: path.display().to_string(),
        message: format!("not a Parquet file: {e}"),
    })?;
    let headers: Vec<String> = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .root_schema()
        .get_fields()
        .iter()
        .map(|f| f.name().to_owned())
        .collect();
    let columns = recognise(path, &headers, mapping, declared)?;
    let mut table = table_for(path, &headers, &columns, Place::Row, declared);
    let layout = Layout::of(&columns, declared);
    let rows = reader.get_row_iter(None).map_err(|e| io(path, e))?;
    for (n, row) in rows.enumerate() {
        let row = row.map_err(|e| FileError::Content {
            path: path.display().to_string(),
            message: format!("row {}: {e}", n + 1),
        })?;
        let values: Vec<String> = row
            .get_column_iter()
            .map(|(_, value)| match value {
                Field::Null => String::new(),
                Field::Str(s) => s.trim().to_owned(),
                other => other.to_string().trim_matches('"').to_owned(),
            })
            .collect();
        table.push(&layout, n, n as u64 + 1, |at| {
            at.and_then(|p| values.get(p)).cloned().unwrap_or_default()
        });
    }
    table.check_ids()?;
    Ok(table)
}

/// The mapping's columns that none of `tables` has: most likely typos.
pub fn unused_mappings(mapping: &Mapping, tables: &[Table]) -> Vec<String> {
    mapping
        .columns
        .iter()
        .filter(|(field, column)| {
            !tables.iter().any(|t| {
                t.recognised
                    .iter()
                    .any(|(f, c)| f == *field && c == *column)
            })
        })
        .map(|(field, column)| format!("'{column}' (for {field})"))
        .collect()
}

/// One record's line in the output: its source, id, cluster and the
/// probability it belongs there.
pub struct ClusterRow<'a, C> {
    /// The system.
    pub source: &'a str,
    /// The record's id there.
    pub record_id: &'a str,
    /// Its cluster's id, written as it displays (so that a million ids
    /// need not be made strings first).
    pub cluster_id: C,
    /// The probability it belongs to the cluster.
    pub probability: f64,
}

/// Writes the clusters as CSV: `source,record_id,cluster_id,match_probability`.
pub fn write_clusters<'a, C: std::fmt::Display>(
    path: &Path,
    rows: impl IntoIterator<Item = ClusterRow<'a, C>>,
) -> Result<(), FileError> {
    use std::fmt::Write as _;
    let mut writer = csv::Writer::from_path(path).map_err(|e| io(path, e))?;
    writer
        .write_record(["source", "record_id", "cluster_id", "match_probability"])
        .map_err(|e| io(path, e))?;
    let (mut cluster, mut probability) = (String::new(), String::new());
    for r in rows {
        cluster.clear();
        probability.clear();
        let _ = write!(cluster, "{}", r.cluster_id);
        let _ = write!(probability, "{:.6}", r.probability);
        writer
            .write_record([r.source, r.record_id, &cluster, &probability])
            .map_err(|e| io(path, e))?;
    }
    writer.flush().map_err(|e| io(path, e))
}

/// A pair of records, each as its source and id, and the probability they
/// are one person.
pub struct PairRow<'a> {
    /// One record.
    pub a: (&'a str, &'a str),
    /// The other.
    pub b: (&'a str, &'a str),
    /// The probability they are one person.
    pub probability: f64,
}

/// Writes pairs as CSV:
/// `source_a,record_id_a,source_b,record_id_b,match_probability`.
pub fn write_pairs<'a>(
    path: &Path,
    rows: impl IntoIterator<Item = PairRow<'a>>,
) -> Result<(), FileError> {
    use std::fmt::Write as _;
    let mut writer = csv::Writer::from_path(path).map_err(|e| io(path, e))?;
    writer
        .write_record([
            "source_a",
            "record_id_a",
            "source_b",
            "record_id_b",
            "match_probability",
        ])
        .map_err(|e| io(path, e))?;
    let mut probability = String::new();
    for r in rows {
        probability.clear();
        let _ = write!(probability, "{:.6}", r.probability);
        writer
            .write_record([r.a.0, r.a.1, r.b.0, r.b.1, &probability])
            .map_err(|e| io(path, e))?;
    }
    writer.flush().map_err(|e| io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_by_thousands() {
        for (n, text) in [
            (0, "0"),
            (999, "999"),
            (1_000, "1,000"),
            (4_812, "4,812"),
            (20_000, "20,000"),
            (1_085_622, "1,085,622"),
        ] {
            assert_eq!(grouped(n), text);
        }
    }

    #[test]
    fn febrl_columns_are_recognised() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("febrl_a.csv");
        std::fs::write(
            &path,
            "rec_id,given_name,surname,street_number,address_1,address_2,suburb,postcode,state,date_of_birth,soc_sec_id\n\
             rec-1070-org, michaela, neumann, 8, stanley street, miami, winston hills, 4223, nsw, 19151111, 5304218\n",
        )
        .unwrap();
        let declared = crate::settings::LinkSettings::default().columns;
        let t = read_csv(&path, &Mapping::default(), &declared).unwrap();
        assert_eq!(t.source, "febrl_a");
        let at = t
            .columns
            .iter()
            .position(|c| c.name == "soc_sec_id")
            .unwrap();
        assert_eq!(
            t.people[0].extra[at], "5304218",
            "an identifier recognised by its name"
        );
        assert_eq!(t.ids, ["rec-1070-org"]);
        let p = &t.people[0];
        assert_eq!(p.first_name, "michaela");
        assert_eq!(
            p.address, "8 stanley street\nmiami",
            "the second address line after a line break"
        );
        assert_eq!(p.date_of_birth, "19151111");
        assert_eq!(p.postcode, "4223");
    }

    /// Writes a Parquet file with a text column per name, an integer id and
    /// some nulls, as a system's export would.
    fn parquet_export(path: &Path) {
        use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
        use parquet::file::writer::SerializedFileWriter;
        use parquet::schema::parser::parse_message_type;

        let schema = parse_message_type(
            "message people { required int64 person_ref; optional binary forename (UTF8); \
             optional binary surname (UTF8); optional binary dob (UTF8); optional binary town (UTF8); }",
        )
        .unwrap();
        let file = std::fs::File::create(path).unwrap();
        let mut writer =
            SerializedFileWriter::new(file, std::sync::Arc::new(schema), Default::default())
                .unwrap();
        let mut group = writer.next_row_group().unwrap();
        let mut column = group.next_column().unwrap().unwrap();
        column
            .typed::<Int64Type>()
            .write_batch(&[101, 102], None, None)
            .unwrap();
        column.close().unwrap();
        let text = |values: &[&str]| -> Vec<ByteArray> {
            values.iter().map(|v| ByteArray::from(*v)).collect()
        };
        // (values present, definition levels: 1 present, 0 null)
        let columns: [(&[&str], [i16; 2]); 4] = [
            (&["Martin", "Leila"], [1, 1]),
            (&["Hughes", "Ahmed"], [1, 1]),
            (&["1952-04-11"], [1, 0]),
            (&["Riverside"], [0, 1]),
        ];
        for (values, levels) in columns {
            let mut column = group.next_column().unwrap().unwrap();
            column
                .typed::<ByteArrayType>()
                .write_batch(&text(values), Some(&levels), None)
                .unwrap();
            column.close().unwrap();
        }
        group.close().unwrap();
        writer.close().unwrap();
    }

    #[test]
    fn dates_the_calendar_lacks_are_said_and_a_month_first_column_is_mostly_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("parking.csv");
        std::fs::write(
            &path,
            "record_id,surname,date_of_birth\n1,Nowak,03/25/1981\n2,Lee,12/31/1975\n\
             3,Shah,1945-04-93\n4,Hughes,11/04/1952\n",
        )
        .unwrap();
        let t = read(&path, &Mapping::default(), &[]).unwrap();
        let report = t.unreadable();
        let dob = report.iter().find(|u| u.field == "date_of_birth").unwrap();
        assert_eq!((dob.values, dob.unreadable), (4, 3));
        assert_eq!(dob.example, "03/25/1981");
        assert!(dob.mostly());
        assert!(check_readable(&t, &report, false).is_err());
    }

    #[test]
    fn parquet_exports_are_read_like_csv() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("housing.parquet");
        parquet_export(&path);
        let t = read(&path, &Mapping::default(), &[]).unwrap();
        assert_eq!(t.source, "housing");
        assert_eq!(t.ids, ["101", "102"]);
        assert_eq!(t.people[0].first_name, "Martin");
        assert_eq!(t.people[0].date_of_birth, "1952-04-11");
        assert_eq!(t.people[0].town, "", "a null is missing");
        assert_eq!(t.people[1].date_of_birth, "");
        assert_eq!(t.people[1].town, "Riverside");
        assert!(t
            .recognised
            .contains(&("record_id".to_owned(), "person_ref".to_owned())));
        let not_parquet = dir.path().join("broken.parquet");
        std::fs::write(&not_parquet, "record_id,first_name\n1,Martin\n").unwrap();
        let e = read(&not_parquet, &Mapping::default(), &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a Parquet file"), "{e}");
    }

    #[test]
    fn a_mapping_names_columns_and_mistakes_are_precise() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("council_tax.csv");
        std::fs::write(
            &path,
            "Ref,Forename,Family,Born\nCT1,Martin,Hughes,11/04/1952\n",
        )
        .unwrap();
        let map = dir.path().join("map.toml");
        std::fs::write(
            &map,
            "[columns]\nrecord_id = \"Ref\"\nsurname = \"Family\"\n",
        )
        .unwrap();
        let t = read_csv(&path, &Mapping::load(&map, &[]).unwrap(), &[]).unwrap();
        assert_eq!(t.ids, ["CT1"]);
        assert_eq!(t.people[0].surname, "Hughes");
        assert_eq!(
            t.people[0].first_name, "Martin",
            "recognised by its usual name"
        );
        assert_eq!(t.people[0].date_of_birth, "11/04/1952");

        std::fs::write(&map, "[columns]\nsurname = \"Nope\"\n").unwrap();
        let mapping = Mapping::load(&map, &[]).unwrap();
        let t = read_csv(&path, &mapping, &[]).unwrap();
        assert_eq!(unused_mappings(&mapping, &[t]), ["'Nope' (for surname)"]);
        std::fs::write(&map, "[columns]\nshoe_size = \"Born\"\n").unwrap();
        assert!(Mapping::load(&map, &[])
            .unwrap_err()
            .to_string()
            .contains("'shoe_size' is not a field"));
        let bare = dir.path().join("bare.csv");
        std::fs::write(&bare, "a,b\n1,2\n").unwrap();
        assert!(read_csv(&bare, &Mapping::default(), &[])
            .unwrap_err()
            .to_string()
            .contains("name them with --map"));
        let ragged = dir.path().join("ragged.csv");
        std::fs::write(&ragged, "first_name,surname\nAnn,Lee\nBob\n").unwrap();
        assert!(read_csv(&ragged, &Mapping::default(), &[])
            .unwrap_err()
            .to_string()
            .contains("line 3"));
    }
}
