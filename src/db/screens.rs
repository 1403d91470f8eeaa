//! What the big screens read beside the counters: each scope's goals (`goal_sets`), the latest
//! published pledges for the ticker, and the private screen links (`screen_links`, the secret
//! stored as its SHA-256 only).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::{
    db::{
        now,
        schema::{goal_sets, organisations, pledge_facets, pledges, screen_links},
        DbConnection,
    },
    domain::{
        counters::Scope,
        errors::Corrupt,
        goals::Goal,
        ids::{PledgeId, ScreenLinkId, UserId},
        screen::{LatestPledge, ScreenLink},
        workflow::Status,
    },
    error::AppResult,
};

use super::counters::key;

/// The goal revision of every scope that ever had goals: cheap, to see which changed.
pub fn goal_revisions(conn: &mut DbConnection) -> AppResult<Vec<(String, i64)>> {
    Ok(goal_sets::table
        .select((goal_sets::scope, goal_sets::revision))
        .load(conn)?)
}

/// The goals of the given scopes (storage keys), read strictly.
pub fn goals(conn: &mut DbConnection, keys: &[String]) -> AppResult<Vec<(String, Vec<Goal>)>> {
    let rows: Vec<(String, String)> = goal_sets::table
        .filter(goal_sets::scope.eq_any(keys))
        .select((goal_sets::scope, goal_sets::goals))
        .load(conn)?;
    rows.into_iter()
        .map(|(scope, json)| {
            let goals = serde_json::from_str(&json).map_err(|e| Corrupt {
                table: "goal_sets",
                id: scope.clone(),
                detail: e.to_string(),
            })?;
            Ok((scope, goals))
        })
        .collect()
}

/// Replaces the goals of `scope`, moving its revision on. Call inside a write transaction.
pub fn replace_goals(
    conn: &mut DbConnection,
    scope: &Scope,
    goals: &[Goal],
    by: &UserId,
) -> AppResult<()> {
    let scope = key(scope);
    let json = serde_json::to_string(goals)
        .map_err(|e| crate::error::AppError::internal(format!("goals do not serialise: {e}")))?;
    let at = now();
    let updated = diesel::update(goal_sets::table.find(&scope))
        .set((
            goal_sets::revision.eq(goal_sets::revision + 1),
            goal_sets::goals.eq(&json),
            goal_sets::updated_by.eq(by),
            goal_sets::updated_at.eq(at),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(goal_sets::table)
            .values((
                goal_sets::scope.eq(&scope),
                goal_sets::revision.eq(1_i64),
                goal_sets::goals.eq(&json),
                goal_sets::updated_by.eq(by),
                goal_sets::updated_at.eq(at),
            ))
            .execute(conn)?;
    }
    if let DbConnection::Postgres(pg) = conn {
        // Delivered on commit: every instance re-renders the scope's snapshot.
        diesel::sql_query(format!("NOTIFY {}", super::counters::CHANNEL)).execute(pg)?;
    }
    Ok(())
}

/// A ticker row: id, content, organisation name and country, USD, publication date.
type Row = (
    String,
    String,
    String,
    String,
    Option<i64>,
    Option<NaiveDateTime>,
);

/// How many of the newest published pledges a track's ticker looks among first (see
/// [`latest_published`]).
const TICKER_WINDOW: i64 = 2_000;

/// The latest published pledges of `scope`, newest first, at most `limit`, reading a bounded
/// number of rows however many pledges there are.
///
/// Every pledge: one range of the `pledges_published` index (status, published_at), newest
/// first. A track: the same walk, each pledge checked against the track in the primary key of
/// the catalogue's index (`pledge_facets`: pledge_id, facet, value), over the newest
/// [`TICKER_WINDOW`] published pledges only, whose lower publication date one more range of
/// `pledges_published` reads first. When the window holds `limit` of the track's pledges they
/// are the newest of all (every pledge outside it was published earlier); only a track with
/// fewer among them falls back to reading its own published pledges through
/// `pledge_facets_page` (facet, value, status, pledge_id) and sorting those, which a track that
/// rarely publishes keeps few. Plans checked with `EXPLAIN QUERY PLAN` on SQLite (1,000,000
/// pledges) and `EXPLAIN ANALYZE` on PostgreSQL 15 (100,000 pledges: 23 rows walked for a track
/// holding a quarter of them).
pub fn latest_published(
    conn: &mut DbConnection,
    scope: &Scope,
    limit: usize,
) -> AppResult<Vec<LatestPledge>> {
    let published = Status::Published.as_str();
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let newest = || {
        pledges::table
            .inner_join(organisations::table)
            .filter(pledges::status.eq(published))
            .filter(pledges::published_at.is_not_null())
            .order((pledges::published_at.desc(), pledges::id.desc()))
            .limit(limit)
            .select((
                pledges::id,
                pledges::content,
                organisations::name,
                organisations::country,
                pledges::value_usd,
                pledges::published_at,
            ))
            .into_boxed()
    };
    let rows: Vec<Row> = match scope {
        Scope::All => newest().load(conn)?,
        Scope::Track(slug) => {
            let in_track = diesel::dsl::exists(
                pledge_facets::table
                    .filter(pledge_facets::pledge_id.eq(pledges::id))
                    .filter(pledge_facets::facet.eq("track"))
                    .filter(pledge_facets::value.eq(slug.as_str())),
            );
            let window_start: Option<Option<NaiveDateTime>> = pledges::table
                .filter(pledges::status.eq(published))
                .filter(pledges::published_at.is_not_null())
                .order(pledges::published_at.desc())
                .offset(TICKER_WINDOW - 1)
                .select(pledges::published_at)
                .first(conn)
                .optional()?;
            let mut recent = newest().filter(in_track);
            if let Some(Some(start)) = window_start {
                recent = recent.filter(pledges::published_at.ge(start));
            }
            let rows: Vec<Row> = recent.load(conn)?;
            // Fewer than asked from a full window: the track's own pledges, wherever they are.
            if i64::try_from(rows.len()).unwrap_or(i64::MAX) < limit && window_start.is_some() {
                newest()
                    .filter(
                        pledges::id.eq_any(
                            pledge_facets::table
                                .filter(pledge_facets::facet.eq("track"))
                                .filter(pledge_facets::value.eq(slug.as_str()))
                                .filter(pledge_facets::status.eq(published))
                                .select(pledge_facets::pledge_id),
                        ),
                    )
                    .load(conn)?
            } else {
                rows
            }
        }
    };
    rows.into_iter()
        .map(|(id, content, organisation, country, usd, published_at)| {
            let corrupt = |detail: &str| Corrupt {
                table: "pledges",
                id: id.clone(),
                detail: detail.to_owned(),
            };
            let content: serde_json::Value = serde_json::from_str(&content)
                .map_err(|e| corrupt(&format!("content is not JSON: {e}")))?;
            let title = content
                .get("title")
                .and_then(serde_json::Value::as_str)
                .ok_or_else(|| corrupt("content has no title"))?
                .to_owned();
            let published_at = published_at.ok_or_else(|| corrupt("no publication date"))?;
            Ok(LatestPledge::new(
                PledgeId::from(id),
                &title,
                organisation,
                country,
                usd,
                published_at.and_utc(),
            ))
        })
        .collect()
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = screen_links)]
struct LinkRow {
    id: ScreenLinkId,
    scope: String,
    label: String,
    created_by: UserId,
    created_at: NaiveDateTime,
    revoked_at: Option<NaiveDateTime>,
}

impl LinkRow {
    fn into_link(self) -> AppResult<ScreenLink> {
        let track = match super::counters::scope_of_key(&self.scope)? {
            Scope::All => crate::domain::counters::GLOBAL_SCOPE.to_owned(),
            Scope::Track(slug) => slug,
        };
        Ok(ScreenLink {
            id: self.id,
            track,
            label: self.label,
            created_by: self.created_by,
            created_at: self.created_at.and_utc(),
            revoked_at: self.revoked_at.map(|t| t.and_utc()),
        })
    }
}

/// Stores a new link with the hash of its secret.
pub fn insert_link(
    conn: &mut DbConnection,
    id: &ScreenLinkId,
    scope: &Scope,
    label: &str,
    secret_hash: &str,
    by: &UserId,
) -> AppResult<ScreenLink> {
    diesel::insert_into(screen_links::table)
        .values((
            screen_links::id.eq(id),
            screen_links::scope.eq(key(scope)),
            screen_links::label.eq(label),
            screen_links::secret_hash.eq(secret_hash),
            screen_links::created_by.eq(by),
            screen_links::created_at.eq(now()),
        ))
        .execute(conn)?;
    find_link(conn, id)?.ok_or(crate::error::AppError::NotFound("screen_link"))
}

pub fn find_link(conn: &mut DbConnection, id: &ScreenLinkId) -> AppResult<Option<ScreenLink>> {
    screen_links::table
        .find(id)
        .select(LinkRow::as_select())
        .first(conn)
        .optional()?
        .map(LinkRow::into_link)
        .transpose()
}

/// The links of one scope (every scope when none), newest first.
pub fn links(conn: &mut DbConnection, scope: Option<&Scope>) -> AppResult<Vec<ScreenLink>> {
    let mut query = screen_links::table
        .order(screen_links::id.desc())
        .select(LinkRow::as_select())
        .into_boxed();
    if let Some(scope) = scope {
        query = query.filter(screen_links::scope.eq(key(scope)));
    }
    query
        .load(conn)?
        .into_iter()
        .map(LinkRow::into_link)
        .collect()
}

/// Revokes a link (a revoked one keeps its first date); false if there is no such link.
pub fn revoke_link(conn: &mut DbConnection, id: &ScreenLinkId) -> AppResult<bool> {
    let found = diesel::update(
        screen_links::table
            .find(id)
            .filter(screen_links::revoked_at.is_null()),
    )
    .set(screen_links::revoked_at.eq(now()))
    .execute(conn)?;
    Ok(found > 0 || find_link(conn, id)?.is_some())
}

/// The scope a working (not revoked) link shows, by the hash of its secret.
pub fn scope_of_secret(conn: &mut DbConnection, secret_hash: &str) -> AppResult<Option<Scope>> {
    let scope: Option<String> = screen_links::table
        .filter(screen_links::secret_hash.eq(secret_hash))
        .filter(screen_links::revoked_at.is_null())
        .select(screen_links::scope)
        .first(conn)
        .optional()?;
    Ok(scope
        .map(|s| super::counters::scope_of_key(&s))
        .transpose()?)
}
