//! Pure domain code: types, rules and validation, with no I/O.

pub mod taxonomy;
pub mod validation;
