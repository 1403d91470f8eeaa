//! Yearly progress reports on published pledges: what was done, the value each deliverable
//! reached, USD disbursed, people reached. A moderator reviews each report; an accepted report
//! feeds the live counters' USD disbursed (and the pledge's traffic light) in the transaction
//! that accepts it. The review's rules are `domain::report`'s.

use chrono::Datelike;

pub use crate::db::reports::ProgressReport;
use crate::{
    db::pledges::{
        bump_version, record_event, refresh_facets, set_status, visible_record, Event, PledgeRecord,
    },
    db::{
        counters::{counted_change, Affected},
        notify::member_emails,
        now,
        reports::{self, ReportContent},
        users::moderation_scope,
        write_tx, DbConnection,
    },
    domain::{
        account::PlatformRole,
        actor::Actor,
        ids::{PledgeId, ReportId},
        pledge::is_insider,
        report::{may_file, ReportInput, ReviewAction},
        workflow::{covers, Status},
    },
    email::{
        send,
        templates::{ReportDecision, ReportDue},
        Links,
    },
    error::{AppError, AppResult},
    pagination::{timed_key, Page, PageParams},
};

/// The reports of a pledge, by year, for whoever may see the pledge.
pub fn list(
    conn: &mut DbConnection,
    pledge_id: &PledgeId,
    viewer: Option<&Actor>,
) -> AppResult<Vec<ProgressReport>> {
    let record = visible_record(conn, pledge_id, viewer)?;
    // The public sees accepted reports; the organisation and staff see every report's review.
    let everything = is_insider(&record.row.organisation_id, viewer);
    reports::for_pledge(conn, pledge_id, !everything)
}

/// Files (or files again) the report of a year for review, for the pledge's organisation.
/// Returns the report and whether it is new. Nothing counts until a moderator accepts it.
pub fn submit(
    conn: &mut DbConnection,
    pledge_id: &PledgeId,
    actor: &Actor,
    input: &ReportInput,
) -> AppResult<(ProgressReport, bool)> {
    write_tx(conn, |conn| {
        let before = visible_record(conn, pledge_id, Some(actor))?;
        if !actor.belongs_to(&before.row.organisation_id) {
            return Err(AppError::Forbidden);
        }
        if !matches!(before.status, Status::Published | Status::Inactive) {
            return Err(AppError::Conflict(
                "not_published",
                "progress is reported on published pledges (inactive ones included)".to_owned(),
            ));
        }
        let status = input.parse(now().year() + 1, before.content.deliverables.len())?;
        let existing = reports::review_of(conn, pledge_id, input.year)?;
        may_file(existing.map(|(_, review)| review))
            .map_err(|(code, message)| AppError::Conflict(code, message))?;
        let content = ReportContent {
            year: input.year,
            status,
            narrative: input.narrative.trim(),
            usd_disbursed: input.usd_disbursed.unwrap_or(0),
            people_reached: input.people_reached,
            deliverables: &input.deliverables,
            is_final: input.is_final,
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

/// A moderator's review of the report a pledge has for `year`: accepting it makes its figures
/// count; returning it (with a reason) sends it back to the organisation. Either way the
/// organisation hears of it by email, and the pledge's history records it.
pub fn review(
    conn: &mut DbConnection,
    pledge_id: &PledgeId,
    year: i32,
    actor: &Actor,
    action: ReviewAction,
    reason: Option<&str>,
    links: &Links,
) -> AppResult<ProgressReport> {
    if !matches!(actor.role, PlatformRole::Moderator | PlatformRole::Admin) {
        return Err(AppError::Forbidden);
    }
    counted_change(conn, Affected::pledge(pledge_id), |conn| {
        let record = visible_record(conn, pledge_id, Some(actor))?;
        may_review(conn, &record, actor)?;
        if !matches!(record.status, Status::Published | Status::Inactive) {
            return Err(AppError::Conflict(
                "not_published",
                "reports are reviewed on published pledges (inactive ones included)".to_owned(),
            ));
        }
        let (id, current) =
            reports::review_of(conn, pledge_id, year)?.ok_or(AppError::NotFound("report"))?;
        let next = action
            .apply(current)
            .map_err(|(code, message)| AppError::Conflict(code, message))?;
        let report = reports::set_review(conn, &id, next, &actor.id, reason, now())?;
        if action == ReviewAction::Accept {
            // The lifecycle: a final report completes the pledge; any report lifts inactivity.
            let next = if report.is_final {
                Some((Status::Completed, "complete"))
            } else if record.status == Status::Inactive {
                Some((Status::Published, "reactivate"))
            } else {
                None
            };
            match next {
                Some((status, step)) => {
                    let version = bump_version(conn, &record.row)?;
                    set_status(conn, pledge_id, status, now())?;
                    record_event(
                        conn,
                        pledge_id,
                        actor,
                        Event {
                            action: step,
                            from: Some(record.status),
                            to: status,
                            reason: None,
                            version,
                        },
                    )?;
                }
                // Its values may move the pledge's traffic light, which the catalogue
                // filters on.
                None => refresh_facets(conn, pledge_id)?,
            }
        }
        let (event, decision) = match action {
            ReviewAction::Accept => ("report_accepted", "accepted"),
            ReviewAction::Return => ("report_returned", "returned for changes"),
        };
        let note = format!("progress report {year}");
        record_event(
            conn,
            pledge_id,
            actor,
            Event {
                action: event,
                from: Some(record.status),
                to: record.status,
                reason: Some(reason.unwrap_or(&note)),
                version: record.row.version,
            },
        )?;
        let message = ReportDecision {
            public_url: links.public_url.clone(),
            title: record.content.title.clone(),
            year,
            decision: decision.to_owned(),
            reason: reason.unwrap_or_default().to_owned(),
            link: format!("{}/reports", links.pledge(pledge_id.as_str())),
        };
        for email in member_emails(conn, &record.row.organisation_id)? {
            send(conn, &message, &email)?;
        }
        Ok(report)
    })
}

/// A moderator reviews the reports of pledges in their tracks, never their own organisation's.
fn may_review(conn: &mut DbConnection, record: &PledgeRecord, actor: &Actor) -> AppResult<()> {
    if actor.belongs_to(&record.row.organisation_id) {
        return Err(AppError::Denied(
            "own_organisation",
            "reports of your own organisation's pledges are reviewed by someone else".to_owned(),
        ));
    }
    if actor.role == PlatformRole::Moderator {
        let scope = moderation_scope(conn, &actor.id)?;
        if !covers(&scope, &record.content.tracks) {
            return Err(AppError::Denied(
                "out_of_scope",
                "this pledge is outside your tracks".to_owned(),
            ));
        }
    }
    Ok(())
}

/// The reports waiting for review, oldest first (staff).
pub fn awaiting_review(
    conn: &mut DbConnection,
    actor: &Actor,
    page: &PageParams,
) -> AppResult<Page<ProgressReport>> {
    if !matches!(actor.role, PlatformRole::Moderator | PlatformRole::Admin) {
        return Err(AppError::Forbidden);
    }
    let limit = page.limit()?;
    let after = page
        .timed_cursor()?
        .map(|(at, id)| (at, ReportId::from(id)));
    let items = reports::awaiting_review(conn, after, limit + 1)?;
    Ok(Page::from_overfetch(items, limit, |r| {
        timed_key(r.updated_at.naive_utc(), r.id.as_str())
    }))
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
                send(conn, &message, &email)?;
            }
            Ok(true)
        })?;
        reminded += usize::from(sent);
    }
    Ok(reminded)
}
