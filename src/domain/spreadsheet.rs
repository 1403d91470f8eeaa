//! Cells of the files the service hands to spreadsheets (CSV exports and report packs).

/// A spreadsheet runs cells that start with `=`, `+`, `-`, `@`, a tab or a carriage return as
/// formulas: such cells get a leading apostrophe so they stay text.
pub fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}
