//! Open data: the catalogue as CSV or NDJSON, with the catalogue's filters and visibility.
//! Produced a page at a time, so memory stays flat however many pledges match.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use indexmap::IndexMap;
use serde::Deserialize;

use super::PledgeView;
use crate::{
    db::DbConnection,
    domain::{
        actor::Actor,
        pledge::{CatalogueFilter, ValidPledge, PRIVATE_FIELDS},
    },
    error::{AppError, AppResult},
    pagination::{Page, PageParams},
};

/// Rows per database round trip.
const BATCH: i64 = 100;

/// The columns that place a pledge, before its own fields.
const LEADING: [&str; 6] = [
    "id",
    "status",
    "organisation_id",
    "organisation_name",
    "organisation_kind",
    "organisation_country",
];

/// How it is doing and its workflow dates, after its own fields.
const TRAILING: [&str; 5] = [
    "light",
    "usd_disbursed",
    "created_at",
    "submitted_at",
    "published_at",
];

/// The pledge's own columns: one per public field of [`ValidPledge`], in its order, a nested
/// object giving one column per member (`value_currency`); taken from a specimen with every
/// field filled, so a field added to the pledge is a column here too.
static CONTENT_COLUMNS: LazyLock<Vec<Vec<String>>> = LazyLock::new(|| {
    let mut paths = Vec::new();
    if let Ok(text) = serde_json::to_string(&ValidPledge::specimen()) {
        if let Ok(Node::Object(fields)) = serde_json::from_str::<Node>(&text) {
            for (name, node) in fields {
                if !PRIVATE_FIELDS.contains(&name.as_str()) {
                    node.paths(vec![name], &mut paths);
                }
            }
        }
    }
    paths
});

/// JSON read with its objects' member order kept, to name columns in the pledge's order.
#[derive(Deserialize)]
#[serde(untagged)]
enum Node {
    Object(IndexMap<String, Node>),
    Leaf(serde::de::IgnoredAny),
}

impl Node {
    fn paths(self, at: Vec<String>, out: &mut Vec<Vec<String>>) {
        match self {
            Node::Object(members) => {
                for (name, node) in members {
                    let mut path = at.clone();
                    path.push(name);
                    node.paths(path, out);
                }
            }
            Node::Leaf(_) => out.push(at),
        }
    }
}

/// The CSV header.
pub fn csv_header() -> Vec<String> {
    let content = CONTENT_COLUMNS.iter().map(|path| path.join("_"));
    LEADING
        .iter()
        .map(|c| (*c).to_owned())
        .chain(content)
        .chain(TRAILING.iter().map(|c| (*c).to_owned()))
        .collect()
}

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

pub use crate::domain::spreadsheet::neutralise;

/// A JSON value as one cell: lists joined with `;`, lists of objects (deliverables) as their
/// JSON, absent values empty.
fn cell(value: Option<&serde_json::Value>) -> String {
    match value {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(text)) => text.clone(),
        Some(list @ serde_json::Value::Array(items)) if items.iter().any(|i| i.is_object()) => {
            list.to_string()
        }
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .map(|item| cell(Some(item)))
            .collect::<Vec<_>>()
            .join(";"),
        Some(other) => other.to_string(),
    }
}

fn timestamp(at: Option<DateTime<Utc>>) -> String {
    at.map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// The CSV record of a pledge, in the order of [`csv_header`].
pub fn csv_record(p: &PledgeView) -> AppResult<Vec<String>> {
    let content = serde_json::to_value(&p.content).map_err(AppError::internal)?;
    let own = CONTENT_COLUMNS.iter().map(|path| {
        let found = path.iter().try_fold(&content, |json, key| json.get(key));
        cell(found)
    });
    Ok([
        p.id.to_string(),
        p.status.to_string(),
        p.organisation.id.to_string(),
        p.organisation.name.clone(),
        p.organisation.kind.to_string(),
        p.organisation.country.clone(),
    ]
    .into_iter()
    .chain(own)
    .chain([
        p.light.map(|l| l.to_string()).unwrap_or_default(),
        p.usd_disbursed.to_string(),
        timestamp(Some(p.created_at)),
        timestamp(p.submitted_at),
        timestamp(p.published_at),
    ])
    .map(|cell| neutralise(&cell))
    .collect())
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
                    .write_record(csv_header())
                    .map_err(AppError::internal)?;
            }
            for item in items {
                writer
                    .write_record(csv_record(item)?)
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
    fn every_public_field_of_a_pledge_is_a_column_in_its_order() {
        let header = csv_header();
        let position = |name: &str| header.iter().position(|c| c == name);
        assert_eq!(&header[..3], ["id", "status", "organisation_id"]);
        for column in ["title", "description", "type", "sdgs", "value_usd", "sids"] {
            assert!(
                position(column).is_some(),
                "{column} missing from {header:?}"
            );
        }
        assert!(position("title") < position("summary"));
        assert!(position("value_currency") < position("value_usd"));
        assert!(!header.iter().any(|c| c.starts_with("contact")));
        assert_eq!(header.last().map(String::as_str), Some("published_at"));
    }

    #[test]
    fn cells_join_lists_and_leave_absent_values_empty() {
        let json = serde_json::json!({"sdgs": [4, 9], "tracks": ["a", "b"], "value": null});
        assert_eq!(cell(json.get("sdgs")), "4;9");
        assert_eq!(cell(json.get("tracks")), "a;b");
        assert_eq!(cell(json.get("value")), "");
        assert_eq!(cell(json.get("missing")), "");
        assert_eq!(cell(Some(&serde_json::json!(true))), "true");
    }

    #[test]
    fn formula_cells_stay_text() {
        for cell in ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(neutralise(cell).starts_with('\''), "{cell:?}");
        }
        assert_eq!(neutralise("Connect schools"), "Connect schools");
        assert_eq!(neutralise(""), "");
    }
}
