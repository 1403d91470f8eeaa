//! Amendments to published pledges in storage: one row per proposal, its content kept whole as
//! the JSON of the validated pledge it proposes, read strictly. At most one per pledge is open
//! (`proposed`), which a partial unique index holds.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{
    mapping::{parse_stored, parse_stored_json},
    schema::{pledge_amendments, pledges},
    DbConnection,
};
use crate::{
    domain::{
        amendment::{AmendmentRefusal, AmendmentStatus},
        ids::{AmendmentId, PledgeId, UserId},
        pledge::ValidPledge,
        workflow::Status,
    },
    error::{AppError, AppResult},
};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pledge_amendments)]
struct AmendmentRow {
    id: AmendmentId,
    pledge_id: PledgeId,
    status: String,
    content: String,
    proposed_by: UserId,
    proposed_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    decided_by: Option<UserId>,
    decided_at: Option<NaiveDateTime>,
    reason: Option<String>,
}

/// An amendment as stored.
#[derive(Debug, Clone)]
pub struct Amendment {
    pub id: AmendmentId,
    pub pledge_id: PledgeId,
    pub status: AmendmentStatus,
    /// The pledge as it would read once the amendment is approved.
    pub content: ValidPledge,
    pub proposed_by: UserId,
    pub proposed_at: NaiveDateTime,
    /// Its last change: proposed, edited or decided.
    pub updated_at: NaiveDateTime,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<NaiveDateTime>,
    /// Why a moderator refused it.
    pub reason: Option<String>,
}

impl TryFrom<AmendmentRow> for Amendment {
    type Error = AppError;
    fn try_from(row: AmendmentRow) -> AppResult<Self> {
        Ok(Amendment {
            status: parse_stored("pledge_amendments", &row.id, &row.status)?,
            content: parse_stored_json("pledge_amendments", &row.id, &row.content)?,
            id: row.id,
            pledge_id: row.pledge_id,
            proposed_by: row.proposed_by,
            proposed_at: row.proposed_at,
            updated_at: row.updated_at,
            decided_by: row.decided_by,
            decided_at: row.decided_at,
            reason: row.reason,
        })
    }
}

fn json(content: &ValidPledge) -> AppResult<String> {
    serde_json::to_string(content).map_err(AppError::internal)
}

/// The pledge's latest amendment, open or not.
pub fn latest(conn: &mut DbConnection, pledge: &PledgeId) -> AppResult<Option<Amendment>> {
    pledge_amendments::table
        .filter(pledge_amendments::pledge_id.eq(pledge))
        .order((
            pledge_amendments::proposed_at.desc(),
            pledge_amendments::id.desc(),
        ))
        .select(AmendmentRow::as_select())
        .first(conn)
        .optional()?
        .map(Amendment::try_from)
        .transpose()
}

fn find(conn: &mut DbConnection, id: &AmendmentId) -> AppResult<Amendment> {
    pledge_amendments::table
        .find(id)
        .select(AmendmentRow::as_select())
        .first(conn)?
        .try_into()
}

/// Records a new open amendment. A second open one for the pledge (a race the caller's checks
/// lost) is refused as such.
pub fn insert(
    conn: &mut DbConnection,
    pledge: &PledgeId,
    proposer: &UserId,
    content: &ValidPledge,
    at: NaiveDateTime,
) -> AppResult<Amendment> {
    let id = AmendmentId::generate();
    diesel::insert_into(pledge_amendments::table)
        .values((
            pledge_amendments::id.eq(&id),
            pledge_amendments::pledge_id.eq(pledge),
            pledge_amendments::status.eq(AmendmentStatus::Proposed.as_str()),
            pledge_amendments::content.eq(json(content)?),
            pledge_amendments::proposed_by.eq(proposer),
            pledge_amendments::proposed_at.eq(at),
            pledge_amendments::updated_at.eq(at),
        ))
        .execute(conn)
        .map_err(|e| match e {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ) => AmendmentRefusal::AmendmentOpen.into(),
            other => AppError::from(other),
        })?;
    find(conn, &id)
}

/// Replaces an open amendment's content.
pub fn set_content(
    conn: &mut DbConnection,
    id: &AmendmentId,
    content: &ValidPledge,
    at: NaiveDateTime,
) -> AppResult<Amendment> {
    diesel::update(pledge_amendments::table.find(id))
        .set((
            pledge_amendments::content.eq(json(content)?),
            pledge_amendments::updated_at.eq(at),
        ))
        .execute(conn)?;
    find(conn, id)
}

/// Closes an amendment: approved or refused by `decider` (a refusal with its reason), or
/// withdrawn by its organisation.
pub fn settle(
    conn: &mut DbConnection,
    id: &AmendmentId,
    status: AmendmentStatus,
    decider: Option<&UserId>,
    reason: Option<&str>,
    at: NaiveDateTime,
) -> AppResult<Amendment> {
    diesel::update(pledge_amendments::table.find(id))
        .set((
            pledge_amendments::status.eq(status.as_str()),
            pledge_amendments::decided_by.eq(decider),
            pledge_amendments::decided_at.eq(decider.map(|_| at)),
            pledge_amendments::reason.eq(reason),
            pledge_amendments::updated_at.eq(at),
        ))
        .execute(conn)?;
    find(conn, id)
}

/// Withdraws the pledge's open amendment, if it has one, saying why: the pledge left the
/// states in which it is amended. Returns whether there was one.
pub fn close_open(
    conn: &mut DbConnection,
    pledge: &PledgeId,
    reason: &str,
    at: NaiveDateTime,
) -> AppResult<bool> {
    let closed = diesel::update(
        pledge_amendments::table
            .filter(pledge_amendments::pledge_id.eq(pledge))
            .filter(pledge_amendments::status.eq(AmendmentStatus::Proposed.as_str())),
    )
    .set((
        pledge_amendments::status.eq(AmendmentStatus::Withdrawn.as_str()),
        pledge_amendments::reason.eq(reason),
        pledge_amendments::updated_at.eq(at),
    ))
    .execute(conn)?;
    Ok(closed > 0)
}

/// Open amendments of pledges that can still be amended (published or inactive), oldest change
/// first: a page of `limit` after `after` (the last one's `updated_at` and id).
pub fn waiting(
    conn: &mut DbConnection,
    after: Option<(NaiveDateTime, AmendmentId)>,
    limit: i64,
) -> AppResult<Vec<Amendment>> {
    let mut query = pledge_amendments::table
        .inner_join(pledges::table)
        .filter(pledge_amendments::status.eq(AmendmentStatus::Proposed.as_str()))
        .filter(pledges::status.eq_any([Status::Published.as_str(), Status::Inactive.as_str()]))
        .into_boxed();
    if let Some((at, id)) = after {
        query = query.filter(
            pledge_amendments::updated_at
                .gt(at)
                .or(pledge_amendments::updated_at
                    .eq(at)
                    .and(pledge_amendments::id.gt(id))),
        );
    }
    query
        .order((
            pledge_amendments::updated_at.asc(),
            pledge_amendments::id.asc(),
        ))
        .limit(limit)
        .select(AmendmentRow::as_select())
        .load::<AmendmentRow>(conn)?
        .into_iter()
        .map(Amendment::try_from)
        .collect()
}
