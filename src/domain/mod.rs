//! Pure domain code: types, rules and validation, with no I/O.

pub mod account;
pub mod counters;
pub mod pledge;
pub mod taxonomy;
pub mod validation;
pub mod workflow;
