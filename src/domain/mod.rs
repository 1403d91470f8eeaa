//! Pure domain code: types, rules and validation, with no I/O, no storage and no HTTP. Nothing
//! here imports from outside `domain`.

pub mod account;
pub mod actor;
pub mod amendment;
pub mod annual;
pub mod counters;
pub mod decisions;
pub mod digest;
pub mod entry;
pub mod errors;
pub mod goals;
pub mod history;
pub mod ids;
pub mod import;
pub mod language;
pub mod outbox;
pub mod pledge;
pub mod progress;
pub mod report;
pub mod reveal;
pub mod screen;
pub mod spreadsheet;
pub mod taxonomy;
pub mod translations;
pub mod validation;
pub mod vocabulary;
pub mod workflow;
