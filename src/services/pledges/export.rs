//! Open data: the catalogue as CSV or NDJSON, with the catalogue's filters and visibility.
//! Produced a page at a time, so memory stays flat however many pledges match.

use super::PledgeView;
use crate::{
    db::DbConnection,
    domain::{actor::Actor, pledge::CatalogueFilter},
    error::{AppError, AppResult},
    pagination::{Page, PageParams},
};

/// Rows per database round trip.
const BATCH: i64 = 100;

pub const CSV_HEADER: &[&str] = &[
    "id",
    "status",
    "title",
    "summary",
    "organisation_id",
    "organisation_name",
    "organisation_kind",
    "organisation_country",
    "type",
    "focus_areas",
    "pillars",
    "sdgs",
    "tracks",
    "countries",
    "regions",
    "global",
    "ldc",
    "lldc",
    "sids",
    "beneficiary_groups",
    "value_currency",
    "value_amount_minor",
    "value_usd",
    "start_date",
    "end_date",
    "partners",
    "created_at",
    "submitted_at",
    "published_at",
];

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Ndjson,
}

/// One batch of the export, starting after `cursor`.
pub fn batch(
    conn: &mut DbConnection,
    viewer: Option<&Actor>,
    filter: &CatalogueFilter,
    cursor: Option<String>,
) -> AppResult<Page<PledgeView>> {
    let page = PageParams {
        limit: Some(BATCH),
        cursor,
    };
    super::list(conn, viewer, filter, &page)
}

/// A spreadsheet runs cells that start with `=`, `+`, `-`, `@`, a tab or a carriage return as
/// formulas: such cells get a leading apostrophe so they stay text.
pub fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

fn join<T: ToString>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(";")
}

fn opt<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// The CSV record of a pledge, in the order of [`CSV_HEADER`].
pub fn csv_record(p: &PledgeView) -> Vec<String> {
    let c = &p.content;
    let value = c.value.as_ref();
    vec![
        p.id.to_string(),
        p.status.to_string(),
        c.title.clone(),
        c.summary.clone(),
        p.organisation.id.to_string(),
        p.organisation.name.clone(),
        p.organisation.kind.to_string(),
        p.organisation.country.clone(),
        c.pledge_type.to_string(),
        join(&c.focus_areas),
        join(&c.pillars),
        join(&c.sdgs),
        join(&c.tracks),
        join(&c.countries),
        join(&c.regions),
        c.global.to_string(),
        c.ldc.to_string(),
        c.lldc.to_string(),
        c.sids.to_string(),
        join(&c.beneficiary_groups),
        value.map(|v| v.currency.clone()).unwrap_or_default(),
        value
            .map(|v| v.amount_minor.to_string())
            .unwrap_or_default(),
        value.map(|v| v.usd.to_string()).unwrap_or_default(),
        opt(&c.start_date),
        opt(&c.end_date),
        join(&c.partners),
        p.created_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        p.submitted_at
            .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default(),
        p.published_at
            .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default(),
    ]
    .into_iter()
    .map(|cell| neutralise(&cell))
    .collect()
}

/// Renders a batch; the CSV header comes with the first.
pub fn render(format: Format, items: &[PledgeView], first: bool) -> AppResult<Vec<u8>> {
    match format {
        Format::Ndjson => {
            let mut out = Vec::new();
            for item in items {
                serde_json::to_writer(&mut out, item).map_err(AppError::internal)?;
                out.push(b'\n');
            }
            Ok(out)
        }
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(Vec::new());
            if first {
                writer
                    .write_record(CSV_HEADER)
                    .map_err(AppError::internal)?;
            }
            for item in items {
                writer
                    .write_record(csv_record(item))
                    .map_err(AppError::internal)?;
            }
            writer
                .into_inner()
                .map_err(|e| AppError::internal(e.error()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_stay_text() {
        for cell in ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(neutralise(cell).starts_with('\''), "{cell:?}");
        }
        assert_eq!(neutralise("Connect schools"), "Connect schools");
        assert_eq!(neutralise(""), "");
    }
}
