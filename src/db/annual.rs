//! Sealed annual report packs: one row per closed year, written once.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::{schema::annual_packs, DbConnection};
use crate::error::AppResult;

/// The sealed pack of `year`, if there is one.
pub fn sealed(conn: &mut DbConnection, year: i32) -> AppResult<Option<String>> {
    Ok(annual_packs::table
        .find(year)
        .select(annual_packs::body)
        .first(conn)
        .optional()?)
}

/// Seals `body` as the pack of `year` unless one is sealed already; the sealed pack.
pub fn seal(
    conn: &mut DbConnection,
    year: i32,
    body: &str,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let insert = diesel::insert_into(annual_packs::table)
        .values((
            annual_packs::year.eq(year),
            annual_packs::generated_at.eq(now.naive_utc()),
            annual_packs::body.eq(body),
        ))
        .on_conflict_do_nothing();
    match conn {
        DbConnection::Postgres(pg) => insert.execute(pg)?,
        DbConnection::Sqlite(sqlite) => insert.execute(sqlite)?,
    };
    Ok(sealed(conn, year)?.unwrap_or_else(|| body.to_owned()))
}
