//! The moderators' daily digest: at the configured hour (UTC), each active moderator with
//! something waiting in their remit gets one email listing, per track, the pledges waiting
//! for a decision, how long the oldest has waited, and the reports waiting for review. Several
//! instances may run it at once: each moderator's digest of a day is claimed once.

use chrono::{NaiveDateTime, Timelike};
use diesel::prelude::*;

use crate::{
    db::{
        notify::{active_moderators, waiting},
        schema::moderator_digests,
        write_tx, DbConnection,
    },
    domain::digest::digest,
    email::{
        send,
        templates::{DigestLine, ModeratorDigest},
        Links,
    },
    error::AppResult,
};

/// Sends the digests due at `now` (none before `hour` UTC); returns how many went out.
pub fn send_due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    hour: u32,
    links: &Links,
) -> AppResult<usize> {
    if now.hour() < hour {
        return Ok(0);
    }
    let (by_track, total) = waiting(conn)?;
    let mut sent = 0;
    for moderator in active_moderators(conn)? {
        let Some(lines) = digest(&moderator.scope, &by_track, &total, now) else {
            continue;
        };
        let message = ModeratorDigest {
            public_url: links.public_url.clone(),
            day: now.date().to_string(),
            lines: lines
                .into_iter()
                .map(|l| DigestLine {
                    track: l.track,
                    pledges: l.waiting.pledges,
                    oldest_hours: l.oldest_hours.map(|h| h.max(0).unsigned_abs()),
                    reports: l.waiting.reports,
                    amendments: l.waiting.amendments,
                })
                .collect(),
            queue: format!("{}/api/v1/moderation/queue", links.public_url),
        };
        let went = write_tx(conn, |conn| -> AppResult<bool> {
            let claim = diesel::insert_into(moderator_digests::table)
                .values((
                    moderator_digests::user_id.eq(&moderator.id),
                    moderator_digests::day.eq(now.date()),
                    moderator_digests::sent_at.eq(now),
                ))
                .on_conflict_do_nothing();
            let claimed = match &mut *conn {
                DbConnection::Postgres(pg) => claim.execute(pg)?,
                DbConnection::Sqlite(sqlite) => claim.execute(sqlite)?,
            };
            if claimed == 0 {
                return Ok(false); // sent already today, here or by another instance
            }
            send(conn, &message, &moderator.email)?;
            Ok(true)
        })?;
        sent += usize::from(went);
    }
    Ok(sent)
}
