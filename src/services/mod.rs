//! Use cases: each public function takes a connection and does one thing the API offers,
//! inside a transaction where it writes. Handlers call exactly one of these.

pub mod accounts;
pub mod amendments;
pub mod annual;
pub mod demo;
pub mod digest;
pub mod history;
pub mod imports;
pub mod lifecycle;
pub mod organisations;
pub mod outbox;
pub mod pledges;
pub mod reports;
pub mod screens;
pub mod taxonomy;
