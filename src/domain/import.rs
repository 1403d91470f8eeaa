//! Bulk import from CSV, the pure part: the file's columns are the catalogue export's (so an
//! export of one registry imports into another), read back into the pledge form's input and
//! checked by the form's own rules; every problem is reported with its row and column.
//!
//! Rows are numbered as a spreadsheet shows them: the header is row 1, the first pledge row 2.
//! A cell the export kept from running as a formula (a leading apostrophe) is read as written.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use csv::StringRecord;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    account::{parse_field, OrganisationKind},
    errors::FieldError,
    pledge::{validate, PledgeInput, ValidPledge, Vocabulary, DERIVED_FIELDS, PRIVATE_FIELDS},
    validation::text_within,
    vocabulary::vocabulary,
};

/// An explicit reference to import a row under; without it the exported `id` is the reference.
pub const EXTERNAL_REF: &str = "external_ref";
/// The exported pledge id: the reference when there is no [`EXTERNAL_REF`].
pub const ID: &str = "id";
pub const ORGANISATION_NAME: &str = "organisation_name";
pub const ORGANISATION_KIND: &str = "organisation_kind";
pub const ORGANISATION_COUNTRY: &str = "organisation_country";
pub const PUBLISHED_AT: &str = "published_at";
/// The longest external reference kept.
pub const EXTERNAL_REF_MAX: usize = 200;

/// The columns a file must have.
const REQUIRED: [&str; 3] = [ORGANISATION_NAME, ORGANISATION_COUNTRY, "title"];

/// One problem of one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RowError {
    /// The row as a spreadsheet numbers it (the header is row 1).
    #[schema(example = 2)]
    pub row: u64,
    /// The column the problem is in (empty for a row that is not a CSV record).
    #[schema(example = "sdgs")]
    pub column: String,
    /// Stable machine-readable reason: the form's codes (`required`, `unknown_value`, ...) and
    /// `invalid_number`, `invalid_boolean`, `invalid_date`, `malformed_json`, `malformed_row`.
    #[schema(example = "out_of_range")]
    pub code: String,
    pub message: String,
}

impl RowError {
    pub fn new(row: u64, column: &str, code: &str, message: impl Into<String>) -> Self {
        RowError {
            row,
            column: column.to_owned(),
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// What a content column holds, from the pledge's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Number,
    Boolean,
    /// A list written as its items joined with `;`.
    Texts,
    Numbers,
    /// A list of objects, written as its JSON (deliverables).
    Json,
}

/// A content column: where its value goes in the pledge's input, and its kind.
#[derive(Debug, Clone)]
struct Content {
    path: Vec<String>,
    kind: Kind,
}

/// The content columns, from a pledge with every field filled (as the export names them).
fn content_columns() -> Vec<(String, Content)> {
    fn walk(at: Vec<String>, json: &serde_json::Value, out: &mut Vec<(String, Content)>) {
        let kind = match json {
            serde_json::Value::Object(members) => {
                for (name, member) in members {
                    let mut path = at.clone();
                    path.push(name.clone());
                    walk(path, member, out);
                }
                return;
            }
            serde_json::Value::Array(items) => match items.first() {
                Some(serde_json::Value::Object(_)) => Kind::Json,
                Some(serde_json::Value::Number(_)) => Kind::Numbers,
                _ => Kind::Texts,
            },
            serde_json::Value::Number(_) => Kind::Number,
            serde_json::Value::Bool(_) => Kind::Boolean,
            _ => Kind::Text,
        };
        out.push((at.join("_"), Content { path: at, kind }));
    }
    let mut out = Vec::new();
    if let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(ValidPledge::specimen()) {
        for (name, value) in fields {
            let skipped =
                DERIVED_FIELDS.contains(&name.as_str()) || PRIVATE_FIELDS.contains(&name.as_str());
            if !skipped {
                walk(vec![name], &value, &mut out);
            }
        }
    }
    out
}

/// Where each column of a file is, from its header.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Column name → its position.
    positions: HashMap<String, usize>,
    content: Vec<(String, Content)>,
}

/// A whole-file problem with the header: the column it names, with its code.
pub type HeaderProblems = Vec<FieldError>;

impl Layout {
    /// Reads the header. `known` are the columns of the export (all accepted; those that are
    /// not the pledge's own, its organisation's, its reference or its publication date are
    /// ignored): any other column, a repeated one or a missing required one is refused, named.
    pub fn from_header(header: &StringRecord, known: &[String]) -> Result<Self, HeaderProblems> {
        let mut problems = Vec::new();
        let mut positions = HashMap::new();
        for (i, raw) in header.iter().enumerate() {
            let name = raw.trim().trim_start_matches('\u{feff}').to_owned();
            if name != EXTERNAL_REF && !known.contains(&name) {
                problems.push(FieldError::new(
                    &name,
                    "unknown_column",
                    "not a column of the catalogue export (nor external_ref)",
                ));
            } else if positions.insert(name.clone(), i).is_some() {
                problems.push(FieldError::new(&name, "duplicate_column", "given twice"));
            }
        }
        for column in REQUIRED {
            if !positions.contains_key(column) {
                problems.push(FieldError::new(column, "missing_column", "required"));
            }
        }
        if problems.is_empty() {
            Ok(Layout {
                positions,
                content: content_columns(),
            })
        } else {
            Err(problems)
        }
    }

    /// The cell of `column` in `record`, trimmed, as written before the export kept it from
    /// running as a formula; `None` when the column is absent or the cell empty.
    fn cell<'r>(&self, record: &'r StringRecord, column: &str) -> Option<&'r str> {
        let raw = record.get(*self.positions.get(column)?)?.trim();
        let written = match raw.strip_prefix('\'') {
            Some(rest)
                if matches!(
                    rest.chars().next(),
                    Some('=' | '+' | '-' | '@' | '\t' | '\r')
                ) =>
            {
                rest
            }
            _ => raw,
        };
        (!written.is_empty()).then_some(written)
    }

    /// Reads one row into what it asks to import; every problem of the row at once.
    pub fn read(
        &self,
        row: u64,
        record: &StringRecord,
        vocabulary: &Vocabulary,
    ) -> Result<ImportRow, Vec<RowError>> {
        let mut errors = Vec::new();
        let external_ref = self
            .cell(record, EXTERNAL_REF)
            .or_else(|| self.cell(record, ID))
            .map(str::to_owned);
        if let Some(reference) = &external_ref {
            if reference.chars().count() > EXTERNAL_REF_MAX {
                let column = if self.cell(record, EXTERNAL_REF).is_some() {
                    EXTERNAL_REF
                } else {
                    ID
                };
                errors.push(RowError::new(
                    row,
                    column,
                    "too_long",
                    format!("takes at most {EXTERNAL_REF_MAX} characters"),
                ));
            }
        }
        let organisation = self.organisation(row, record, vocabulary, &mut errors);
        let published_at = self
            .cell(record, PUBLISHED_AT)
            .and_then(|cell| match timestamp(cell) {
                Some(at) => Some(at),
                None => {
                    errors.push(RowError::new(
                        row,
                        PUBLISHED_AT,
                        "invalid_date",
                        "a date (2024-03-06) or a UTC time (2024-03-06T10:00:00Z)",
                    ));
                    None
                }
            });
        let input = self.input(row, record, &mut errors);
        let valid = input.and_then(|input| match validate(&input, vocabulary) {
            Ok(valid) => Some(valid),
            Err(invalid) => {
                // A cell already refused is not refused again for being absent.
                let refused: HashSet<String> = errors.iter().map(|e| e.column.clone()).collect();
                let more: Vec<RowError> = invalid
                    .0
                    .into_iter()
                    .map(|e| RowError {
                        row,
                        column: self.column_of(&e.field),
                        code: e.code,
                        message: e.message,
                    })
                    .filter(|e| !refused.contains(&e.column))
                    .collect();
                errors.extend(more);
                None
            }
        });
        match (valid, organisation) {
            (Some(pledge), Some(organisation)) if errors.is_empty() => Ok(ImportRow {
                row,
                external_ref,
                organisation,
                pledge,
                published_at,
            }),
            _ => Err(errors),
        }
    }

    /// The row's organisation: its name and country (by which it is matched), and its kind
    /// (needed to create it).
    fn organisation(
        &self,
        row: u64,
        record: &StringRecord,
        vocabulary: &Vocabulary,
        errors: &mut Vec<RowError>,
    ) -> Option<OrganisationRef> {
        let name = match self.cell(record, ORGANISATION_NAME) {
            None => {
                errors.push(RowError::new(
                    row,
                    ORGANISATION_NAME,
                    "required",
                    "name the organisation",
                ));
                None
            }
            Some(name) => match text_within(name, 2, 200) {
                Ok(()) => Some(name.to_owned()),
                Err(e) => {
                    let found = super::validation::field_error(ORGANISATION_NAME, e);
                    errors.push(RowError::new(
                        row,
                        ORGANISATION_NAME,
                        &found.code,
                        found.message,
                    ));
                    None
                }
            },
        };
        let country = match self.cell(record, ORGANISATION_COUNTRY) {
            Some(code)
                if vocabulary
                    .countries
                    .contains_key(&code.to_ascii_uppercase()) =>
            {
                Some(code.to_ascii_uppercase())
            }
            Some(code) => {
                errors.push(RowError::new(
                    row,
                    ORGANISATION_COUNTRY,
                    "unknown_value",
                    format!("unknown country {code}"),
                ));
                None
            }
            None => {
                errors.push(RowError::new(
                    row,
                    ORGANISATION_COUNTRY,
                    "required",
                    "the organisation's country, ISO 3166-1 alpha-3",
                ));
                None
            }
        };
        let kind = match self.cell(record, ORGANISATION_KIND) {
            None => None,
            Some(kind) => match parse_field::<OrganisationKind>(ORGANISATION_KIND, kind) {
                Ok(kind) => Some(kind),
                Err(e) => {
                    errors.push(RowError::new(row, ORGANISATION_KIND, &e.code, e.message));
                    return None;
                }
            },
        };
        Some(OrganisationRef {
            name: name?,
            country: country?,
            kind,
        })
    }

    /// The pledge form's input from the row's content columns: each cell that cannot be read
    /// as its column's kind is an error and left out, as is a money value given in part, so
    /// that the form's rules still look at the rest.
    fn input(
        &self,
        row: u64,
        record: &StringRecord,
        errors: &mut Vec<RowError>,
    ) -> Option<PledgeInput> {
        let mut json = serde_json::Map::new();
        for (column, content) in &self.content {
            let Some(cell) = self.cell(record, column) else {
                continue;
            };
            match value_of(cell, content.kind) {
                Ok(value) => place(&mut json, &content.path, value),
                Err((code, message)) => errors.push(RowError::new(row, column, code, message)),
            }
        }
        // A money value is whole or absent: a member left out of one given is required.
        let mut partial = HashSet::new();
        for (column, content) in &self.content {
            if let [parent, member] = content.path.as_slice() {
                let started = json.get(parent).and_then(|v| v.as_object());
                if started.is_some_and(|object| !object.contains_key(member)) {
                    let message = format!("needed with the other {parent}_ columns");
                    errors.push(RowError::new(row, column, "required", message));
                    partial.insert(parent.clone());
                }
            }
        }
        for parent in partial {
            json.remove(&parent);
        }
        match serde_json::from_value(serde_json::Value::Object(json)) {
            Ok(input) => Some(input),
            Err(e) => {
                errors.push(RowError::new(row, "", "malformed_row", e.to_string()));
                None
            }
        }
    }

    /// The column a field of the pledge form is read from: `sdgs[2]` from `sdgs`,
    /// `value.currency` from `value_currency`, `value` (a rule about the whole value) from its
    /// first column, `value_currency`.
    fn column_of(&self, field: &str) -> String {
        let base = field.split('[').next().unwrap_or(field).replace('.', "_");
        let columns = || self.content.iter().map(|(name, _)| name);
        columns()
            .find(|name| **name == base)
            .or_else(|| columns().find(|name| name.starts_with(&format!("{base}_"))))
            .cloned()
            .unwrap_or(base)
    }
}

/// A cell as the JSON value of its column's kind, or why it is not one.
fn value_of(cell: &str, kind: Kind) -> Result<serde_json::Value, (&'static str, String)> {
    let number = |text: &str| -> Result<serde_json::Value, (&'static str, String)> {
        let text = text.trim();
        if let Ok(whole) = text.parse::<i64>() {
            return Ok(whole.into());
        }
        text.parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(serde_json::Value::Number)
            .ok_or(("invalid_number", format!("{text:?} is not a number")))
    };
    let items = || cell.split(';').map(str::trim).filter(|i| !i.is_empty());
    match kind {
        Kind::Text => Ok(cell.into()),
        Kind::Number => number(cell),
        Kind::Boolean => match cell.to_ascii_lowercase().as_str() {
            "true" => Ok(true.into()),
            "false" => Ok(false.into()),
            _ => Err(("invalid_boolean", format!("{cell:?}: true or false"))),
        },
        Kind::Texts => Ok(items().collect::<Vec<_>>().into()),
        Kind::Numbers => items()
            .map(number)
            .collect::<Result<Vec<_>, _>>()
            .map(serde_json::Value::Array),
        Kind::Json => serde_json::from_str(cell)
            .map_err(|e| ("malformed_json", format!("not a JSON list: {e}"))),
    }
}

/// Puts `value` at `path` in `json`, making the objects on the way.
fn place(
    json: &mut serde_json::Map<String, serde_json::Value>,
    path: &[String],
    value: serde_json::Value,
) {
    match path {
        [] => {}
        [last] => {
            json.insert(last.clone(), value);
        }
        [first, rest @ ..] => {
            let inner = json
                .entry(first.clone())
                .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
            if let serde_json::Value::Object(inner) = inner {
                place(inner, rest, value);
            }
        }
    }
}

/// A publication date as the export writes it (`2024-03-06T10:00:00Z`), or a day.
fn timestamp(cell: &str) -> Option<NaiveDateTime> {
    DateTime::parse_from_rfc3339(cell)
        .map(|t| t.naive_utc())
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(cell, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
}

/// An organisation as a row names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationRef {
    pub name: String,
    /// ISO 3166-1 alpha-3, upper case.
    pub country: String,
    pub kind: Option<OrganisationKind>,
}

impl OrganisationRef {
    /// What organisations are matched on: the name whatever its case, and the country.
    pub fn key(&self) -> (String, String) {
        (self.name.to_lowercase(), self.country.clone())
    }
}

/// A row that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    pub row: u64,
    pub external_ref: Option<String>,
    pub organisation: OrganisationRef,
    pub pledge: ValidPledge,
    pub published_at: Option<NaiveDateTime>,
}

vocabulary!(
    /// What becomes of a row: `create`d, `skip`ped (imported before, by its reference), or
    /// refused with its `error`s.
    RowOutcome {
        Create => "create",
        Skip => "skip",
        Error => "error",
    }
);

vocabulary!(
    /// Where a committed import stands: `running` (batch after batch), `done`, `failed` (the
    /// database refused a batch), or `interrupted` (running, but no batch committed for
    /// [`STALLED_AFTER_SECS`]: the process running it stopped). What was committed before a
    /// failure or an interruption stays, and running the same file again creates the rest.
    ImportStatus {
        Running => "running",
        Done => "done",
        Failed => "failed",
        Interrupted => "interrupted",
    }
);

/// A running import commits a batch every second or so: none for this long means the process
/// running it stopped.
pub const STALLED_AFTER_SECS: i64 = 300;

impl ImportStatus {
    /// The status as of `now`, for an import last moved on at `updated_at` (an interruption is
    /// seen, never stored).
    pub fn as_of(self, updated_at: NaiveDateTime, now: NaiveDateTime) -> Self {
        let stalled = (now - updated_at).num_seconds() > STALLED_AFTER_SECS;
        if self == ImportStatus::Running && stalled {
            ImportStatus::Interrupted
        } else {
            self
        }
    }
}

/// What an import has done so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// Rows read (the header aside).
    pub rows_done: i64,
    pub created: i64,
    pub skipped: i64,
    /// Rows refused.
    pub errors: i64,
    /// Their problems, the first [`PROBLEMS_KEPT`].
    pub problems: Vec<RowError>,
}

/// How many problems an import keeps to show.
pub const PROBLEMS_KEPT: usize = 1_000;

impl Progress {
    /// Counts one row's outcome.
    pub fn count(&mut self, outcome: RowOutcome, problems: &[RowError]) {
        self.rows_done += 1;
        match outcome {
            RowOutcome::Create => self.created += 1,
            RowOutcome::Skip => self.skipped += 1,
            RowOutcome::Error => self.errors += 1,
        }
        let room = PROBLEMS_KEPT.saturating_sub(self.problems.len());
        self.problems.extend(problems.iter().take(room).cloned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary() -> Vocabulary {
        let mut v = Vocabulary::default();
        v.tracks.insert("ldc5".to_owned());
        v.focus_areas.insert("access".to_owned());
        v.pillars
            .insert("infrastructure".to_owned(), "access".to_owned());
        v.countries.insert("NPL".to_owned(), (true, true, false));
        v.countries.insert("GHA".to_owned(), (false, false, false));
        v.regions.insert("Asia".to_owned());
        v
    }

    /// The export's columns, as the service passes them.
    fn known() -> Vec<String> {
        let mut columns: Vec<String> = [
            "id",
            "status",
            "organisation_id",
            ORGANISATION_NAME,
            ORGANISATION_KIND,
            ORGANISATION_COUNTRY,
        ]
        .map(str::to_owned)
        .to_vec();
        columns.extend(content_columns().into_iter().map(|(name, _)| name));
        columns.extend(
            ["ldc", "lldc", "sids", "light", "created_at", PUBLISHED_AT].map(str::to_owned),
        );
        columns
    }

    fn layout(header: &[&str]) -> Layout {
        Layout::from_header(&StringRecord::from(header.to_vec()), &known()).unwrap()
    }

    const HEADER: [&str; 16] = [
        "id",
        ORGANISATION_NAME,
        ORGANISATION_KIND,
        ORGANISATION_COUNTRY,
        "title",
        "summary",
        "description",
        "type",
        "focus_areas",
        "sdgs",
        "countries",
        "value_currency",
        "value_amount_minor",
        "value_usd",
        "deliverables",
        PUBLISHED_AT,
    ];

    fn row(cells: [&str; 16]) -> StringRecord {
        StringRecord::from(cells.to_vec())
    }

    fn good() -> [&'static str; 16] {
        [
            "ext-1",
            "Ministry of ICT",
            "government",
            "npl",
            "Connecting 500 schools",
            "Fibre for 500 rural schools by 2027.",
            "'-- a description that starts with dashes",
            "financial",
            "access",
            "4; 9",
            "NPL",
            "USD",
            "5000000000",
            "50000000",
            r#"[{"what":"Connect schools","indicator":"Schools connected","unit":"schools","baseline":0.0,"target":500.0,"due_date":"2027-12-31"}]"#,
            "2024-03-06T10:00:00Z",
        ]
    }

    #[test]
    fn a_row_of_the_export_reads_back_into_the_pledge() {
        let read = layout(&HEADER)
            .read(2, &row(good()), &vocabulary())
            .unwrap();
        assert_eq!(read.external_ref.as_deref(), Some("ext-1"));
        assert_eq!(read.organisation.country, "NPL");
        assert_eq!(read.organisation.kind, Some(OrganisationKind::Government));
        assert_eq!(read.pledge.sdgs, [4, 9]);
        assert_eq!(read.pledge.value.as_ref().map(|v| v.usd), Some(50_000_000));
        assert_eq!(
            read.pledge.description,
            "-- a description that starts with dashes"
        );
        assert!(read.pledge.ldc, "derived again from the countries");
        assert_eq!(read.pledge.deliverables.len(), 1);
        assert_eq!(
            read.published_at.map(|t| t.to_string()).as_deref(),
            Some("2024-03-06 10:00:00")
        );
    }

    #[test]
    fn every_problem_names_its_row_and_column() {
        let mut cells = good();
        cells[3] = "XXX";
        cells[9] = "4;nine";
        cells[12] = "";
        cells[14] = "[not json";
        cells[15] = "yesterday";
        let errors = layout(&HEADER)
            .read(7, &row(cells), &vocabulary())
            .unwrap_err();
        let found: Vec<(u64, &str, &str)> = errors
            .iter()
            .map(|e| (e.row, e.column.as_str(), e.code.as_str()))
            .collect();
        for expected in [
            (7, ORGANISATION_COUNTRY, "unknown_value"),
            (7, "sdgs", "invalid_number"),
            (7, "deliverables", "malformed_json"),
            (7, PUBLISHED_AT, "invalid_date"),
        ] {
            assert!(found.contains(&expected), "{expected:?} in {found:?}");
        }
    }

    #[test]
    fn the_forms_rules_are_named_by_column() {
        let mut cells = good();
        cells[9] = "4;99";
        cells[10] = "";
        cells[11] = "";
        let errors = layout(&HEADER)
            .read(3, &row(cells), &vocabulary())
            .unwrap_err();
        let columns: Vec<&str> = errors.iter().map(|e| e.column.as_str()).collect();
        assert!(columns.contains(&"sdgs"), "{errors:?}");
        assert!(columns.contains(&"value_currency"), "{errors:?}");
        assert!(errors.iter().all(|e| e.row == 3));
    }

    #[test]
    fn the_header_is_checked_whole() {
        let header = StringRecord::from(vec!["title", "title", "colour"]);
        let problems = Layout::from_header(&header, &known()).unwrap_err();
        let found: Vec<(&str, &str)> = problems
            .iter()
            .map(|p| (p.field.as_str(), p.code.as_str()))
            .collect();
        assert!(found.contains(&("title", "duplicate_column")));
        assert!(found.contains(&("colour", "unknown_column")));
        assert!(found.contains(&(ORGANISATION_NAME, "missing_column")));
    }

    #[test]
    fn an_external_reference_wins_over_the_exported_id() {
        let mut header = HEADER.to_vec();
        header.push(EXTERNAL_REF);
        let mut cells = good().to_vec();
        cells.push("registry-a:17");
        let read = layout(&header)
            .read(2, &StringRecord::from(cells), &vocabulary())
            .unwrap();
        assert_eq!(read.external_ref.as_deref(), Some("registry-a:17"));
    }

    #[test]
    fn progress_counts_outcomes_and_keeps_the_first_problems() {
        let mut progress = Progress::default();
        progress.count(RowOutcome::Create, &[]);
        progress.count(RowOutcome::Skip, &[]);
        let problem = RowError::new(4, "sdgs", "required", "at least one");
        for _ in 0..PROBLEMS_KEPT + 5 {
            progress.count(RowOutcome::Error, std::slice::from_ref(&problem));
        }
        assert_eq!((progress.created, progress.skipped), (1, 1));
        assert_eq!(progress.errors, PROBLEMS_KEPT as i64 + 5);
        assert_eq!(progress.rows_done, PROBLEMS_KEPT as i64 + 7);
        assert_eq!(progress.problems.len(), PROBLEMS_KEPT);
    }

    #[test]
    fn a_running_import_that_stopped_moving_on_was_interrupted() {
        let at = NaiveDate::from_ymd_opt(2026, 3, 6)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .unwrap();
        let later = |secs| at + chrono::Duration::seconds(secs);
        let running = ImportStatus::Running;
        assert_eq!(running.as_of(at, later(STALLED_AFTER_SECS)), running);
        assert_eq!(
            running.as_of(at, later(STALLED_AFTER_SECS + 1)),
            ImportStatus::Interrupted
        );
        for ended in [ImportStatus::Done, ImportStatus::Failed] {
            assert_eq!(ended.as_of(at, later(STALLED_AFTER_SECS * 10)), ended);
        }
    }

    #[test]
    fn cells_read_as_their_columns_kind() {
        assert_eq!(
            value_of("a; b;", Kind::Texts),
            Ok(serde_json::json!(["a", "b"]))
        );
        assert_eq!(value_of("TRUE", Kind::Boolean), Ok(serde_json::json!(true)));
        assert!(value_of("maybe", Kind::Boolean).is_err());
        assert_eq!(value_of("2.5", Kind::Number), Ok(serde_json::json!(2.5)));
        let mut json = serde_json::Map::new();
        place(&mut json, &["value".to_owned(), "usd".to_owned()], 5.into());
        assert_eq!(
            serde_json::Value::Object(json),
            serde_json::json!({"value": {"usd": 5}})
        );
    }
}
