//! The annual report pack (`GET /reports/annual/{year}`): tallied from the pledges' dated facts
//! and the counters' history, and sealed once its year has ended, so that a closed year's pack
//! is the same bytes every time it is downloaded.

use std::collections::BTreeMap;

use chrono::{NaiveDate, Utc};

use crate::{
    db::{
        annual as repo, counters::figures_on, pledges as pledge_repo, taxonomy as tracks_repo,
        Database, DbConnection,
    },
    domain::{
        annual::{AnnualPack, Period, PledgeYear, Tally, YearEnd},
        counters::{Scope, GLOBAL_SCOPE},
        history::end_of,
        progress::Light,
    },
    error::{AppError, AppResult},
};

/// Pledges read per round trip while tallying.
const BATCH: i64 = 500;

/// The pack of `year` as JSON: the sealed one of a closed year (sealed now if it was not yet),
/// or the running year's up to `today`.
pub async fn pack(db: &Database, year: i32, today: NaiveDate) -> AppResult<String> {
    let period = Period::of(year, today)?;
    if period.closed {
        if let Some(sealed) = db.run(move |conn| repo::sealed(conn, year)).await? {
            return Ok(sealed);
        }
    }
    // Tallied on a read connection: a large registry takes a while, and writers need not wait.
    let body = db
        .run(move |conn| {
            let pack = tally(conn, period)?;
            serde_json::to_string(&pack).map_err(AppError::internal)
        })
        .await?;
    if !period.closed {
        return Ok(body);
    }
    // Whoever seals first wins; everyone gets the sealed bytes.
    db.write(move |conn| repo::seal(conn, year, &body, Utc::now()))
        .await
}

/// Tallies the pack of `period` from storage.
fn tally(conn: &mut DbConnection, period: Period) -> AppResult<AnnualPack> {
    let tracks = tracks_repo::tracks(conn)?;
    let mut names: BTreeMap<String, String> = tracks
        .iter()
        .map(|t| (t.slug.clone(), t.name.clone()))
        .collect();
    names.insert(GLOBAL_SCOPE.to_owned(), "All pledges".to_owned());
    let mut tally = Tally::new(period, tracks.iter().map(|t| t.slug.clone()));
    let until = end_of(period.last).naive_utc();
    let mut after = String::new();
    loop {
        let batch = pledge_repo::batch_published_before(conn, until, &after, BATCH)?;
        let Some(last) = batch.last() else { break };
        after = last.id().to_string();
        for record in &batch {
            let Some(published_at) = record.row.published_at else {
                continue;
            };
            tally.add(&PledgeYear {
                tracks: record.content.tracks.clone(),
                published_on: published_at.date(),
                withdrawn_on: record.row.withdrawn_at.map(|at| at.date()),
                usd: record.content.value.as_ref().map_or(0, |v| v.usd),
                light: record
                    .light_as_of(period.last, Some(period.last))
                    .unwrap_or(Light::NoReport),
                accepted: record
                    .accepted
                    .iter()
                    .filter_map(|r| Some((r.reviewed_at?.date_naive(), r.usd_disbursed)))
                    .collect(),
            });
        }
    }
    let mut year_ends = BTreeMap::new();
    let scopes =
        std::iter::once(Scope::All).chain(tracks.iter().map(|t| Scope::Track(t.slug.clone())));
    for scope in scopes {
        if let Some(figures) = figures_on(conn, &scope, period.last)? {
            year_ends.insert(
                scope.as_str().to_owned(),
                YearEnd::of(period.last, &figures),
            );
        }
    }
    Ok(tally.pack(&names, year_ends, Utc::now()))
}
