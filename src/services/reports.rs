//! Yearly progress reports on published pledges: what was done, USD disbursed, people reached.
//! A report feeds the live counters' USD disbursed in the same transaction.

use chrono::{Datelike, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    db::{
        counters::{counted_change, Affected},
        new_id, now,
        schema::progress_reports,
        write_tx, DbConnection,
    },
    domain::actor::Actor,
    domain::ids::PledgeId,
    domain::{
        account::{check_text, parse_field, FieldChecks},
        pledge::ImplementationStatus,
        workflow::Status,
    },
    error::{AppError, AppResult, FieldError},
    services::pledges::{record_event, visible_record, Event},
};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    /// The year reported on; one report per pledge and year (sending it again replaces it).
    #[schema(example = 2024)]
    pub year: i32,
    /// `not_started`, `in_progress`, `completed` or `discontinued`.
    pub implementation_status: String,
    pub narrative: String,
    /// Whole US dollars disbursed during the year.
    pub usd_disbursed: Option<i64>,
    pub people_reached: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = progress_reports)]
pub struct ProgressReport {
    pub id: String,
    pub pledge_id: String,
    pub year: i32,
    pub implementation_status: String,
    pub narrative: String,
    pub usd_disbursed: i64,
    pub people_reached: Option<i64>,
    #[serde(skip)]
    pub reported_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The reports of a pledge, by year, for whoever may see the pledge.
pub fn list(
    conn: &mut DbConnection,
    pledge_id: &PledgeId,
    viewer: Option<&Actor>,
) -> AppResult<Vec<ProgressReport>> {
    visible_record(conn, pledge_id, viewer)?;
    Ok(progress_reports::table
        .filter(progress_reports::pledge_id.eq(pledge_id))
        .order(progress_reports::year.asc())
        .select(ProgressReport::as_select())
        .load(conn)?)
}

fn check(input: &ReportInput) -> AppResult<()> {
    let mut checks = FieldChecks::new();
    let latest = now().year() + 1;
    if !(2000..=latest).contains(&input.year) {
        checks.push(FieldError::new(
            "year",
            "out_of_range",
            format!("report on a year from 2000 to {latest}"),
        ));
    }
    checks.take(parse_field::<ImplementationStatus>(
        "implementation_status",
        &input.implementation_status,
    ));
    checks.take(check_text("narrative", &input.narrative, 1, 10_000));
    if input.usd_disbursed.is_some_and(|v| v < 0) {
        checks.push(FieldError::new(
            "usd_disbursed",
            "negative",
            "the amount cannot be negative",
        ));
    }
    if input.people_reached.is_some_and(|v| v < 0) {
        checks.push(FieldError::new(
            "people_reached",
            "negative",
            "the number cannot be negative",
        ));
    }
    Ok(checks.finish()?)
}

/// Files (or replaces) the report of a year, for the pledge's organisation. Returns the report
/// and whether it is new.
pub fn submit(
    conn: &mut DbConnection,
    pledge_id: &PledgeId,
    actor: &Actor,
    input: &ReportInput,
) -> AppResult<(ProgressReport, bool)> {
    check(input)?;
    counted_change(conn, Affected::pledge(pledge_id), |conn| {
        let before = visible_record(conn, pledge_id, Some(actor))?;
        if !actor.belongs_to(&before.row.organisation_id) {
            return Err(AppError::Forbidden);
        }
        if before.row.status() != Status::Published {
            return Err(AppError::Conflict(
                "not_published",
                "progress is reported on published pledges".to_owned(),
            ));
        }
        let at = now();
        let existing: Option<String> = progress_reports::table
            .filter(progress_reports::pledge_id.eq(pledge_id))
            .filter(progress_reports::year.eq(input.year))
            .select(progress_reports::id)
            .first(conn)
            .optional()?;
        let usd = input.usd_disbursed.unwrap_or(0);
        let id = match &existing {
            Some(id) => {
                diesel::update(progress_reports::table.find(id))
                    .set((
                        progress_reports::implementation_status.eq(&input.implementation_status),
                        progress_reports::narrative.eq(input.narrative.trim()),
                        progress_reports::usd_disbursed.eq(usd),
                        progress_reports::people_reached.eq(input.people_reached),
                        progress_reports::reported_by.eq(&actor.id),
                        progress_reports::updated_at.eq(at),
                    ))
                    .execute(conn)?;
                id.clone()
            }
            None => {
                let id = new_id();
                diesel::insert_into(progress_reports::table)
                    .values((
                        progress_reports::id.eq(&id),
                        progress_reports::pledge_id.eq(pledge_id),
                        progress_reports::year.eq(input.year),
                        progress_reports::implementation_status.eq(&input.implementation_status),
                        progress_reports::narrative.eq(input.narrative.trim()),
                        progress_reports::usd_disbursed.eq(usd),
                        progress_reports::people_reached.eq(input.people_reached),
                        progress_reports::reported_by.eq(&actor.id),
                        progress_reports::created_at.eq(at),
                        progress_reports::updated_at.eq(at),
                    ))
                    .execute(conn)?;
                id
            }
        };
        let note = format!("progress report {}", input.year);
        let event = Event {
            action: "progress_report",
            from: Some(Status::Published),
            to: Status::Published,
            reason: Some(&note),
            version: before.row.version,
        };
        record_event(conn, pledge_id, actor, event)?;
        let report = progress_reports::table
            .find(&id)
            .select(ProgressReport::as_select())
            .first(conn)?;
        Ok((report, existing.is_none()))
    })
}

/// Queues a "progress report due" email for every published pledge that was published before
/// `year` ended and has no report for `year`: once per pledge and year, to its organisation's
/// active users. Several instances may run it at once; the reminder record makes it happen once.
/// Returns how many pledges were reminded.
pub fn send_due_reminders(
    conn: &mut DbConnection,
    year: i32,
    links: &crate::email::Links,
) -> AppResult<usize> {
    use crate::{
        db::schema::{pledges, report_reminders, users},
        email::{enqueue, templates::ReportDue},
    };
    let Some(year_end) =
        chrono::NaiveDate::from_ymd_opt(year + 1, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0))
    else {
        return Ok(0);
    };
    let candidates: Vec<(String, String, String)> = pledges::table
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
        .select((pledges::id, pledges::title, pledges::organisation_id))
        .load(conn)?;
    let mut reminded = 0;
    for (id, title, organisation) in candidates {
        let sent = write_tx(conn, |conn| -> AppResult<bool> {
            let claim = diesel::insert_into(report_reminders::table)
                .values((
                    report_reminders::pledge_id.eq(&id),
                    report_reminders::year.eq(year),
                    report_reminders::sent_at.eq(now()),
                ))
                .on_conflict_do_nothing();
            let claimed = match &mut *conn {
                DbConnection::Postgres(pg) => claim.execute(pg)?,
                DbConnection::Sqlite(sqlite) => claim.execute(sqlite)?,
            };
            if claimed == 0 {
                return Ok(false); // another instance got there first
            }
            let members: Vec<String> = users::table
                .filter(users::organisation_id.eq(&organisation))
                .filter(users::disabled.eq(false))
                .select(users::email)
                .load(conn)?;
            let message = ReportDue {
                public_url: links.public_url.clone(),
                title: title.clone(),
                year,
                link: format!("{}/api/v1/pledges/{id}/reports", links.public_url),
            };
            for email in members {
                enqueue(conn, &message.render(&email)?)?;
            }
            Ok(true)
        })?;
        reminded += usize::from(sent);
    }
    Ok(reminded)
}
