//! Yearly progress reports on published pledges: what was done, USD disbursed, people reached.
//! A report feeds the live counters' USD disbursed in the same transaction.

use chrono::Datelike;

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
    domain::{report::ReportInput, workflow::Status},
    email::{enqueue, templates::ReportDue},
    error::{AppError, AppResult},
};

/// The reports of a pledge, by year, for whoever may see the pledge.
pub fn list(
    conn: &mut DbConnection,
    pledge_id: &PledgeId,
    viewer: Option<&Actor>,
) -> AppResult<Vec<ProgressReport>> {
    visible_record(conn, pledge_id, viewer)?;
    reports::for_pledge(conn, pledge_id)
}

/// Files (or replaces) the report of a year, for the pledge's organisation. Returns the report
/// and whether it is new.
pub fn submit(
    conn: &mut DbConnection,
    pledge_id: &PledgeId,
    actor: &Actor,
    input: &ReportInput,
) -> AppResult<(ProgressReport, bool)> {
    let status = input.parse(now().year() + 1)?;
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
