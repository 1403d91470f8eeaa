//! Yearly progress reports on published pledges: what was done, USD disbursed, people reached.
//! A report feeds the live counters' USD disbursed in the same transaction.

use chrono::Datelike;
use serde::Deserialize;
use utoipa::ToSchema;

pub use crate::db::reports::ProgressReport;
use crate::{
    db::pledges::{record_event, visible_record, Event},
    db::{
        counters::{counted_change, Affected},
        notify::member_emails,
        now,
        reports::{self, ReportContent},
        write_tx, DbConnection,
    },
    domain::actor::Actor,
    domain::ids::PledgeId,
    domain::{
        account::{check_text, parse_field, FieldChecks},
        pledge::{ImplementationStatus, USD_MAX},
        workflow::Status,
    },
    email::{enqueue, templates::ReportDue},
    error::{AppError, AppResult, FieldError},
};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    /// The year reported on; one report per pledge and year (sending it again replaces it).
    /// From 2000 to next year.
    #[schema(minimum = 2000, example = 2024)]
    pub year: i32,
    #[schema(value_type = ImplementationStatus, example = "in_progress")]
    pub implementation_status: String,
    #[schema(
        min_length = 1,
        max_length = 10000,
        example = "120 schools connected; 300 teachers trained."
    )]
    pub narrative: String,
    /// Whole US dollars disbursed during the year.
    #[schema(minimum = 0, maximum = 1_000_000_000_000_i64, example = 250000)]
    pub usd_disbursed: Option<i64>,
    #[schema(minimum = 0, example = 12000)]
    pub people_reached: Option<i64>,
}

/// The reports of a pledge, by year, for whoever may see the pledge.
pub fn list(
    conn: &mut DbConnection,
    pledge_id: &PledgeId,
    viewer: Option<&Actor>,
) -> AppResult<Vec<ProgressReport>> {
    visible_record(conn, pledge_id, viewer)?;
    reports::for_pledge(conn, pledge_id)
}

fn check(input: &ReportInput) -> AppResult<ImplementationStatus> {
    let mut checks = FieldChecks::new();
    let latest = now().year() + 1;
    if !(2000..=latest).contains(&input.year) {
        checks.push(FieldError::new(
            "year",
            "out_of_range",
            format!("report on a year from 2000 to {latest}"),
        ));
    }
    let status = checks.take(parse_field::<ImplementationStatus>(
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
    if input.usd_disbursed.is_some_and(|v| v > USD_MAX) {
        checks.push(FieldError::new(
            "usd_disbursed",
            "too_large",
            format!("at most {USD_MAX} US dollars"),
        ));
    }
    if input.people_reached.is_some_and(|v| v < 0) {
        checks.push(FieldError::new(
            "people_reached",
            "negative",
            "the number cannot be negative",
        ));
    }
    checks.finish()?;
    // An unknown status is among the errors above, so it is known here.
    status.ok_or_else(|| AppError::field("implementation_status", "required", "state the status"))
}

/// Files (or replaces) the report of a year, for the pledge's organisation. Returns the report
/// and whether it is new.
pub fn submit(
    conn: &mut DbConnection,
    pledge_id: &PledgeId,
    actor: &Actor,
    input: &ReportInput,
) -> AppResult<(ProgressReport, bool)> {
    let status = check(input)?;
    counted_change(conn, Affected::pledge(pledge_id), |conn| {
        let before = visible_record(conn, pledge_id, Some(actor))?;
        if !actor.belongs_to(&before.row.organisation_id) {
            return Err(AppError::Forbidden);
        }
        if before.status != Status::Published {
            return Err(AppError::Conflict(
                "not_published",
                "progress is reported on published pledges".to_owned(),
            ));
        }
        let content = ReportContent {
            year: input.year,
            status,
            narrative: input.narrative.trim(),
            usd_disbursed: input.usd_disbursed.unwrap_or(0),
            people_reached: input.people_reached,
        };
        let (report, new) = reports::upsert(conn, pledge_id, &actor.id, &content, now())?;
        let note = format!("progress report {}", input.year);
        let event = Event {
            action: "progress_report",
            from: Some(Status::Published),
            to: Status::Published,
            reason: Some(&note),
            version: before.row.version,
        };
        record_event(conn, pledge_id, actor, event)?;
        Ok((report, new))
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
    let mut reminded = 0;
    for due in reports::due_without_reminder(conn, year)? {
        let sent = write_tx(conn, |conn| -> AppResult<bool> {
            if !reports::claim_reminder(conn, &due.pledge, year, now())? {
                return Ok(false); // another instance got there first
            }
            let message = ReportDue {
                public_url: links.public_url.clone(),
                title: due.title.clone(),
                year,
                link: format!("{}/reports", links.pledge(due.pledge.as_str())),
            };
            for email in member_emails(conn, &due.organisation)? {
                enqueue(conn, &message.render(&email)?)?;
            }
            Ok(true)
        })?;
        reminded += usize::from(sent);
    }
    Ok(reminded)
}
