//! Yearly progress reports in storage, and the once-per-pledge-and-year reminder claims.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    mapping::{parse_stored, parse_stored_json},
    schema::{pledges, progress_reports, report_reminders},
    DbConnection,
};
use crate::{
    domain::{
        ids::{OrganisationId, PledgeId, ReportId, UserId},
        pledge::ImplementationStatus,
        workflow::Status,
    },
    error::AppResult,
};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = progress_reports)]
struct ReportRow {
    id: ReportId,
    pledge_id: PledgeId,
    year: i32,
    implementation_status: String,
    narrative: String,
    usd_disbursed: i64,
    people_reached: Option<i64>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// A yearly progress report as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProgressReport {
    pub id: ReportId,
    pub pledge_id: PledgeId,
    pub year: i32,
    pub implementation_status: ImplementationStatus,
    pub narrative: String,
    /// Whole US dollars disbursed during the year.
    pub usd_disbursed: i64,
    pub people_reached: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<ReportRow> for ProgressReport {
    type Error = crate::error::AppError;
    fn try_from(row: ReportRow) -> AppResult<Self> {
        Ok(ProgressReport {
            implementation_status: parse_stored(
                "progress_reports",
                &row.id,
                &row.implementation_status,
            )?,
            id: row.id,
            pledge_id: row.pledge_id,
            year: row.year,
            narrative: row.narrative,
            usd_disbursed: row.usd_disbursed,
            people_reached: row.people_reached,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        })
    }
}

/// A pledge's reports, by year.
pub fn for_pledge(conn: &mut DbConnection, pledge: &PledgeId) -> AppResult<Vec<ProgressReport>> {
    progress_reports::table
        .filter(progress_reports::pledge_id.eq(pledge))
        .order(progress_reports::year.asc())
        .select(ReportRow::as_select())
        .load(conn)?
        .into_iter()
        .map(ProgressReport::try_from)
        .collect()
}

/// What a report says, as filed.
#[derive(Debug, Clone)]
pub struct ReportContent<'a> {
    pub year: i32,
    pub status: ImplementationStatus,
    pub narrative: &'a str,
    pub usd_disbursed: i64,
    pub people_reached: Option<i64>,
}

/// Stores the report of a year, replacing an earlier one of the same year. Returns the report
/// and whether it is new.
pub fn upsert(
    conn: &mut DbConnection,
    pledge: &PledgeId,
    reporter: &UserId,
    report: &ReportContent<'_>,
    at: NaiveDateTime,
) -> AppResult<(ProgressReport, bool)> {
    let existing: Option<ReportId> = progress_reports::table
        .filter(progress_reports::pledge_id.eq(pledge))
        .filter(progress_reports::year.eq(report.year))
        .select(progress_reports::id)
        .first(conn)
        .optional()?;
    let id = match &existing {
        Some(id) => {
            diesel::update(progress_reports::table.find(id))
                .set((
                    progress_reports::implementation_status.eq(report.status.as_str()),
                    progress_reports::narrative.eq(report.narrative),
                    progress_reports::usd_disbursed.eq(report.usd_disbursed),
                    progress_reports::people_reached.eq(report.people_reached),
                    progress_reports::reported_by.eq(reporter),
                    progress_reports::updated_at.eq(at),
                ))
                .execute(conn)?;
            id.clone()
        }
        None => {
            let id = ReportId::generate();
            diesel::insert_into(progress_reports::table)
                .values((
                    progress_reports::id.eq(&id),
                    progress_reports::pledge_id.eq(pledge),
                    progress_reports::year.eq(report.year),
                    progress_reports::implementation_status.eq(report.status.as_str()),
                    progress_reports::narrative.eq(report.narrative),
                    progress_reports::usd_disbursed.eq(report.usd_disbursed),
                    progress_reports::people_reached.eq(report.people_reached),
                    progress_reports::reported_by.eq(reporter),
                    progress_reports::created_at.eq(at),
                    progress_reports::updated_at.eq(at),
                ))
                .execute(conn)?;
            id
        }
    };
    let stored = progress_reports::table
        .find(&id)
        .select(ReportRow::as_select())
        .first(conn)?;
    Ok((ProgressReport::try_from(stored)?, existing.is_none()))
}

/// A published pledge that owes a report.
#[derive(Debug, Clone)]
pub struct Due {
    pub pledge: PledgeId,
    pub title: String,
    pub organisation: OrganisationId,
}

/// Published pledges, published before `year` ended, with no report and no reminder for it.
pub fn due_without_reminder(conn: &mut DbConnection, year: i32) -> AppResult<Vec<Due>> {
    let Some(year_end) =
        NaiveDate::from_ymd_opt(year + 1, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0))
    else {
        return Ok(Vec::new());
    };
    let rows: Vec<(PledgeId, String, OrganisationId)> = pledges::table
        .filter(pledges::status.eq(Status::Published.as_str()))
        .filter(pledges::published_at.lt(year_end))
        .filter(diesel::dsl::not(
            pledges::id.eq_any(
                progress_reports::table
                    .filter(progress_reports::year.eq(year))
                    .select(progress_reports::pledge_id),
            ),
        ))
        .filter(diesel::dsl::not(
            pledges::id.eq_any(
                report_reminders::table
                    .filter(report_reminders::year.eq(year))
                    .select(report_reminders::pledge_id),
            ),
        ))
        .select((pledges::id, pledges::content, pledges::organisation_id))
        .load(conn)?;
    /// The one field of a pledge's content a reminder needs.
    #[derive(serde::Deserialize)]
    struct Titled {
        title: String,
    }
    rows.into_iter()
        .map(|(pledge, content, organisation)| {
            let Titled { title } = parse_stored_json("pledges", &pledge, &content)?;
            Ok(Due {
                pledge,
                title,
                organisation,
            })
        })
        .collect()
}

/// Claims the reminder of a pledge and year; false when another instance claimed it first.
pub fn claim_reminder(
    conn: &mut DbConnection,
    pledge: &PledgeId,
    year: i32,
    at: NaiveDateTime,
) -> AppResult<bool> {
    let claim = diesel::insert_into(report_reminders::table)
        .values((
            report_reminders::pledge_id.eq(pledge),
            report_reminders::year.eq(year),
            report_reminders::sent_at.eq(at),
        ))
        .on_conflict_do_nothing();
    let claimed = match &mut *conn {
        DbConnection::Postgres(pg) => claim.execute(pg)?,
        DbConnection::Sqlite(sqlite) => claim.execute(sqlite)?,
    };
    Ok(claimed > 0)
}
