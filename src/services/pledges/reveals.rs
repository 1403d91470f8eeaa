//! Reveals at a given moment (rules in `domain::reveal`): the staff set or move the moment, and
//! every instance reveals what is due at its second. An early reveal is a workflow step
//! ([`super::transition`] with `reveal`).

use chrono::{DateTime, Utc};

use super::{announce, decide, view, PledgeView};
use crate::{
    db::{
        counters::{counted_change, Affected},
        pledges::{
            bump_version, due_reveals, find_record, record_change_event, record_system_event,
            set_reveal_at, set_status, visible_record, Event,
        },
        write_tx, DbConnection,
    },
    domain::{
        actor::Actor,
        ids::PledgeId,
        reveal::{self, RevealAt},
        workflow::{Action, Status},
    },
    email::Links,
    error::{AppError, AppResult},
};

/// The most pledges one reveal transaction makes public; more due at once take several.
const BATCH: i64 = 500;

/// Sets or moves the moment a pledge is revealed at, while it awaits its decision or is
/// scheduled (organisers, moderators of its tracks, admins; `If-Match` required). The
/// organisation of a scheduled pledge is told the new moment.
pub fn reschedule(
    conn: &mut DbConnection,
    id: &PledgeId,
    actor: &Actor,
    expected_version: Option<i32>,
    moment: RevealAt,
    links: &Links,
) -> AppResult<PledgeView> {
    write_tx(conn, |conn| {
        let record = visible_record(conn, id, Some(actor))?;
        let step = decide(
            conn,
            &record,
            actor,
            Action::Reschedule,
            None,
            expected_version,
        )?;
        let version = bump_version(conn, &record.row)?;
        set_reveal_at(conn, id, moment.at().naive_utc())?;
        let before = record.row.reveal_at.map(|t| t.and_utc());
        record_change_event(
            conn,
            id,
            actor,
            Event {
                action: Action::Reschedule.as_str(),
                from: Some(step.from),
                to: step.to,
                reason: None,
                version,
            },
            &reveal::change(before, moment.at()),
        )?;
        let updated = find_record(conn, id)?.ok_or(AppError::NotFound("pledge"))?;
        announce(conn, &updated, Action::Reschedule, None, links)?;
        Ok(view(updated, Some(actor)))
    })
}

/// Reveals the scheduled pledges due at `now`, each as of its own moment, in one counted
/// transaction, so the public figures and the streams move together; returns how many. Every
/// instance runs this at the second: whichever commits first reveals, the others find the
/// pledges revealed when they get the lock, and change nothing.
pub fn reveal_due(conn: &mut DbConnection, now: DateTime<Utc>, links: &Links) -> AppResult<usize> {
    let due = due_reveals(conn, now.naive_utc(), BATCH)?;
    if due.is_empty() {
        return Ok(0);
    }
    counted_change(conn, Affected::Pledges(&due), |conn| {
        let mut revealed = 0;
        for id in &due {
            // Read again under the lock: another instance may have revealed it, or a
            // moderator moved its moment, since the look above.
            let Some(record) = find_record(conn, id)? else {
                continue;
            };
            let Some(moment) = record.row.reveal_at else {
                continue;
            };
            if record.status != Status::Scheduled || !reveal::is_due(moment.and_utc(), now) {
                continue;
            }
            let version = bump_version(conn, &record.row)?;
            set_status(conn, id, Status::Published, moment)?;
            record_system_event(
                conn,
                &record.row,
                Event {
                    action: Action::Reveal.as_str(),
                    from: Some(Status::Scheduled),
                    to: Status::Published,
                    reason: None,
                    version,
                },
            )?;
            let updated = find_record(conn, id)?.ok_or(AppError::NotFound("pledge"))?;
            announce(conn, &updated, Action::Reveal, None, links)?;
            revealed += 1;
        }
        Ok(revealed)
    })
}
