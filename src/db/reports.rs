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
        report::{DeliverableValue, ReportReview},
        workflow::Status,
    },
    error::{AppError, AppResult},
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
    review: String,
    deliverable_values: String,
    is_final: bool,
    reviewed_at: Option<NaiveDateTime>,
    return_reason: Option<String>,
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
    /// The value each deliverable reached by the end of the year.
    pub deliverables: Vec<DeliverableValue>,
    /// The pledge's final report.
    #[serde(rename = "final")]
    pub is_final: bool,
    /// Where the report is in its review; only accepted reports count, and only they are public.
    pub review: ReportReview,
    /// When a moderator accepted or returned it.
    pub reviewed_at: Option<DateTime<Utc>>,
    /// Why it was sent back (a returned report).
    pub return_reason: Option<String>,
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
            review: parse_stored("progress_reports", &row.id, &row.review)?,
            deliverables: parse_stored_json("progress_reports", &row.id, &row.deliverable_values)?,
            is_final: row.is_final,
            reviewed_at: row.reviewed_at.map(|t| t.and_utc()),
            return_reason: row.return_reason,
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

/// A pledge's reports, by year; with `accepted_only`, those the public sees.
pub fn for_pledge(
    conn: &mut DbConnection,
    pledge: &PledgeId,
    accepted_only: bool,
) -> AppResult<Vec<ProgressReport>> {
    if accepted_only {
        return accepted_for(conn, &[pledge.as_str()]);
    }
    parsed(
        progress_reports::table
            .filter(progress_reports::pledge_id.eq(pledge))
            .order(progress_reports::year.asc())
            .select(ReportRow::as_select())
            .load(conn)?,
    )
}

/// Rows as reports, strictly.
fn parsed(rows: Vec<ReportRow>) -> AppResult<Vec<ProgressReport>> {
    rows.into_iter().map(ProgressReport::try_from).collect()
}

/// What a report says, as filed.
#[derive(Debug, Clone)]
pub struct ReportContent<'a> {
    pub year: i32,
    pub status: ImplementationStatus,
    pub narrative: &'a str,
    pub usd_disbursed: i64,
    pub people_reached: Option<i64>,
    pub deliverables: &'a [DeliverableValue],
    pub is_final: bool,
}

/// The review of the report a pledge has for `year`, if any.
pub fn review_of(
    conn: &mut DbConnection,
    pledge: &PledgeId,
    year: i32,
) -> AppResult<Option<(ReportId, ReportReview)>> {
    progress_reports::table
        .filter(progress_reports::pledge_id.eq(pledge))
        .filter(progress_reports::year.eq(year))
        .select((progress_reports::id, progress_reports::review))
        .first::<(ReportId, String)>(conn)
        .optional()?
        .map(|(id, review)| {
            let review = parse_stored("progress_reports", &id, &review)?;
            Ok((id, review))
        })
        .transpose()
}

/// Stores the report of a year for review, replacing an earlier one of the same year (which
/// the caller checked may be replaced). Returns the report and whether it is new.
pub fn upsert(
    conn: &mut DbConnection,
    pledge: &PledgeId,
    reporter: &UserId,
    report: &ReportContent<'_>,
    at: NaiveDateTime,
) -> AppResult<(ProgressReport, bool)> {
    let existing = review_of(conn, pledge, report.year)?.map(|(id, _)| id);
    let values = serde_json::to_string(report.deliverables).map_err(AppError::internal)?;
    let submitted = ReportReview::Submitted.as_str();
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
                    progress_reports::deliverable_values.eq(&values),
                    progress_reports::is_final.eq(report.is_final),
                    progress_reports::review.eq(submitted),
                    progress_reports::reviewed_by.eq(None::<String>),
                    progress_reports::reviewed_at.eq(None::<NaiveDateTime>),
                    progress_reports::return_reason.eq(None::<String>),
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
                    progress_reports::deliverable_values.eq(&values),
                    progress_reports::is_final.eq(report.is_final),
                    progress_reports::review.eq(submitted),
                ))
                .execute(conn)?;
            id
        }
    };
    Ok((find(conn, &id)?, existing.is_none()))
}

/// One report.
pub fn find(conn: &mut DbConnection, id: &ReportId) -> AppResult<ProgressReport> {
    progress_reports::table
        .find(id)
        .select(ReportRow::as_select())
        .first::<ReportRow>(conn)?
        .try_into()
}

/// Records a moderator's review of a report: its new review, who and when, and the reason
/// of a return.
pub fn set_review(
    conn: &mut DbConnection,
    id: &ReportId,
    review: ReportReview,
    reviewer: &UserId,
    reason: Option<&str>,
    at: NaiveDateTime,
) -> AppResult<ProgressReport> {
    diesel::update(progress_reports::table.find(id))
        .set((
            progress_reports::review.eq(review.as_str()),
            progress_reports::reviewed_by.eq(Some(reviewer)),
            progress_reports::reviewed_at.eq(Some(at)),
            progress_reports::return_reason.eq(reason),
            progress_reports::updated_at.eq(at),
        ))
        .execute(conn)?;
    find(conn, id)
}

/// Reports waiting for review, oldest first: a page of `limit` after `after` (the last
/// report's `updated_at` and id).
pub fn awaiting_review(
    conn: &mut DbConnection,
    after: Option<(NaiveDateTime, ReportId)>,
    limit: i64,
) -> AppResult<Vec<ProgressReport>> {
    let mut query = progress_reports::table
        .filter(progress_reports::review.eq(ReportReview::Submitted.as_str()))
        .into_boxed();
    if let Some((at, id)) = after {
        query = query.filter(
            progress_reports::updated_at
                .gt(at)
                .or(progress_reports::updated_at
                    .eq(at)
                    .and(progress_reports::id.gt(id))),
        );
    }
    parsed(
        query
            .order((
                progress_reports::updated_at.asc(),
                progress_reports::id.asc(),
            ))
            .limit(limit)
            .select(ReportRow::as_select())
            .load(conn)?,
    )
}

/// The accepted reports of some pledges, by year, each with the pledge's id.
pub fn accepted_for(conn: &mut DbConnection, pledges: &[&str]) -> AppResult<Vec<ProgressReport>> {
    parsed(
        progress_reports::table
            .filter(progress_reports::pledge_id.eq_any(pledges))
            .filter(progress_reports::review.eq(ReportReview::Accepted.as_str()))
            .order(progress_reports::year.asc())
            .select(ReportRow::as_select())
            .load(conn)?,
    )
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
