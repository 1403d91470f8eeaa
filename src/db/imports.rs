//! The `imports` repository: one row per committed bulk import, with its progress, rewritten
//! in the transaction of every batch it commits.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{
    mapping::{parse_stored, parse_stored_json},
    now,
    schema::imports,
    DbConnection,
};
use crate::{
    domain::{
        ids::UserId,
        import::{ImportStatus, Progress, RowError},
    },
    error::{AppError, AppResult},
};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = imports)]
struct ImportRow {
    id: String,
    created_by: UserId,
    publish: bool,
    status: String,
    rows_done: i64,
    created: i64,
    skipped: i64,
    errors: i64,
    problems: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    finished_at: Option<NaiveDateTime>,
}

/// An import as stored.
#[derive(Debug, Clone)]
pub struct ImportRecord {
    pub id: String,
    pub created_by: UserId,
    pub publish: bool,
    pub status: ImportStatus,
    pub progress: Progress,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConnection, id: &str, by: &UserId, publish: bool) -> AppResult<()> {
    let at = now();
    diesel::insert_into(imports::table)
        .values((
            imports::id.eq(id),
            imports::created_by.eq(by),
            imports::publish.eq(publish),
            imports::status.eq(ImportStatus::Running.as_str()),
            imports::created_at.eq(at),
            imports::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records where an import stands; a status other than `running` ends it.
pub fn record(
    conn: &mut DbConnection,
    id: &str,
    progress: &Progress,
    status: ImportStatus,
) -> AppResult<()> {
    let at = now();
    let problems = serde_json::to_string(&progress.problems).map_err(AppError::internal)?;
    diesel::update(imports::table.find(id))
        .set((
            imports::status.eq(status.as_str()),
            imports::rows_done.eq(progress.rows_done),
            imports::created.eq(progress.created),
            imports::skipped.eq(progress.skipped),
            imports::errors.eq(progress.errors),
            imports::problems.eq(problems),
            imports::updated_at.eq(at),
            imports::finished_at.eq((status != ImportStatus::Running).then_some(at)),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> AppResult<Option<ImportRecord>> {
    let Some(row) = imports::table
        .find(id)
        .select(ImportRow::as_select())
        .first::<ImportRow>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let problems: Vec<RowError> = parse_stored_json("imports", &row.id, &row.problems)?;
    Ok(Some(ImportRecord {
        status: parse_stored("imports", &row.id, &row.status)?,
        progress: Progress {
            rows_done: row.rows_done,
            created: row.created,
            skipped: row.skipped,
            errors: row.errors,
            problems,
        },
        id: row.id,
        created_by: row.created_by,
        publish: row.publish,
        created_at: row.created_at,
        updated_at: row.updated_at,
        finished_at: row.finished_at,
    }))
}
