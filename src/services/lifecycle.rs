//! The lifecycle of published pledges, as time moves it: a second reminder when a reporting
//! year is missed and the next deadline nears, and `inactive` (with a notice) once two years
//! are missed. An accepted report lifts inactivity (`services::reports`). The rules are
//! `domain::progress`'s; this applies them to every published pledge on a given day, so tests
//! give the day instead of waiting for it.

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;

use crate::{
    db::{
        counters::{counted_change, Affected},
        notify::member_emails,
        now,
        pledges::{
            batch_in_status, bump_version, record_system_event, set_status, Event, PledgeRecord,
        },
        schema::lifecycle_notices,
        DbConnection,
    },
    domain::{
        progress::{Notice, Reporting},
        workflow::Status,
    },
    email::{
        send,
        templates::{PledgeInactive, SecondReminder},
        Links,
    },
    error::AppResult,
};

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    /// Pledges whose organisation got the second reminder.
    pub reminded: usize,
    /// Pledges turned inactive.
    pub inactive: usize,
}

/// Published pledges looked at per round trip.
const BATCH: i64 = 500;

/// Applies the reporting rules to every published pledge as they stand on `today`. Several
/// instances may run it at once: each notice is claimed once per pledge, kind and year, and a
/// pledge turns inactive once.
pub fn apply(conn: &mut DbConnection, today: NaiveDate, links: &Links) -> AppResult<Round> {
    let mut round = Round::default();
    let mut after = String::new();
    loop {
        let batch = batch_in_status(conn, Status::Published, &after, BATCH)?;
        let Some(last) = batch.last() else {
            return Ok(round);
        };
        after = last.id().to_string();
        for record in &batch {
            let Some(published) = record.row.published_at else {
                continue;
            };
            let years: Vec<i32> = record.accepted.iter().map(|r| r.year).collect();
            let reporting = Reporting::on(published.year(), &years, today);
            match reporting.notice(today) {
                Some(Notice::SecondReminder { year, due }) => {
                    round.reminded += usize::from(remind(conn, record, year, due, links)?);
                }
                Some(Notice::Inactive { since_year }) => {
                    round.inactive += usize::from(deactivate(conn, record, since_year, links)?);
                }
                None => {}
            }
        }
    }
}

/// Claims a notice; false when it was sent already (by this instance or another).
fn claim(conn: &mut DbConnection, record: &PledgeRecord, kind: &str, year: i32) -> AppResult<bool> {
    let claim = diesel::insert_into(lifecycle_notices::table)
        .values((
            lifecycle_notices::pledge_id.eq(record.id()),
            lifecycle_notices::kind.eq(kind),
            lifecycle_notices::year.eq(year),
            lifecycle_notices::sent_at.eq(now()),
        ))
        .on_conflict_do_nothing();
    let claimed = match &mut *conn {
        DbConnection::Postgres(pg) => claim.execute(pg)?,
        DbConnection::Sqlite(sqlite) => claim.execute(sqlite)?,
    };
    Ok(claimed > 0)
}

fn remind(
    conn: &mut DbConnection,
    record: &PledgeRecord,
    year: i32,
    due: NaiveDate,
    links: &Links,
) -> AppResult<bool> {
    crate::db::write_tx(conn, |conn| {
        if !claim(conn, record, "second_reminder", year)? {
            return Ok(false);
        }
        let message = SecondReminder {
            public_url: links.public_url.clone(),
            title: record.content.title.clone(),
            year,
            due: due.to_string(),
            link: format!("{}/reports", links.pledge(record.id().as_str())),
        };
        for email in member_emails(conn, &record.row.organisation_id)? {
            send(conn, &message, &email)?;
        }
        Ok(true)
    })
}

/// Turns a published pledge inactive, records it in its history and tells its organisation.
fn deactivate(
    conn: &mut DbConnection,
    record: &PledgeRecord,
    since_year: i32,
    links: &Links,
) -> AppResult<bool> {
    counted_change(conn, Affected::pledge(record.id()), |conn| {
        if !claim(conn, record, "inactive", since_year)? {
            return Ok(false);
        }
        let version = bump_version(conn, &record.row)?;
        set_status(conn, record.id(), Status::Inactive, now())?;
        let note = format!("no accepted progress report since {since_year}");
        record_system_event(
            conn,
            &record.row,
            Event {
                action: "inactive",
                from: Some(Status::Published),
                to: Status::Inactive,
                reason: Some(&note),
                version,
            },
        )?;
        let message = PledgeInactive {
            public_url: links.public_url.clone(),
            title: record.content.title.clone(),
            since_year,
            link: format!("{}/reports", links.pledge(record.id().as_str())),
        };
        for email in member_emails(conn, &record.row.organisation_id)? {
            send(conn, &message, &email)?;
        }
        Ok(true)
    })
}
