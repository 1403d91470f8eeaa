//! Who hears about a pledge: the active moderators (with the tracks they are limited to) for
//! submissions, the active members of an organisation for decisions and reminders.

use std::collections::HashMap;

use diesel::prelude::*;

use chrono::NaiveDateTime;

use super::{
    schema::{moderator_tracks, pledge_amendments, pledges, progress_reports, users},
    sql::Statement,
    DbConnection,
};
use crate::{
    domain::{
        account::PlatformRole,
        amendment::AmendmentStatus,
        digest::Waiting,
        ids::{OrganisationId, UserId},
        report::ReportReview,
        workflow::Status,
    },
    error::AppResult,
};

/// An active moderator, as a recipient.
#[derive(Debug, Clone)]
pub struct Moderator {
    pub id: UserId,
    pub email: String,
    pub organisation_id: Option<OrganisationId>,
    /// Tracks the moderator is limited to; empty: every track.
    pub scope: Vec<String>,
}

/// Every moderator whose account is not disabled, with their scope.
pub fn active_moderators(conn: &mut DbConnection) -> AppResult<Vec<Moderator>> {
    let moderators: Vec<(UserId, String, Option<OrganisationId>)> = users::table
        .filter(users::role.eq(PlatformRole::Moderator.as_str()))
        .filter(users::disabled.eq(false))
        .select((users::id, users::email, users::organisation_id))
        .load(conn)?;
    let mut scopes: HashMap<UserId, Vec<String>> = HashMap::new();
    for (user, track) in moderator_tracks::table
        .select((moderator_tracks::user_id, moderator_tracks::track))
        .load::<(UserId, String)>(conn)?
    {
        scopes.entry(user).or_default().push(track);
    }
    Ok(moderators
        .into_iter()
        .map(|(id, email, organisation_id)| Moderator {
            scope: scopes.remove(&id).unwrap_or_default(),
            id,
            email,
            organisation_id,
        })
        .collect())
}

/// The addresses of an organisation's members whose accounts are not disabled.
pub fn member_emails(
    conn: &mut DbConnection,
    organisation: &OrganisationId,
) -> AppResult<Vec<String>> {
    Ok(users::table
        .filter(users::organisation_id.eq(organisation))
        .filter(users::disabled.eq(false))
        .select(users::email)
        .load(conn)?)
}

/// What waits for moderators: per track (pledges by their tracks, reports and amendments by
/// their pledge's), and in all.
pub fn waiting(conn: &mut DbConnection) -> AppResult<(Vec<(String, Waiting)>, Waiting)> {
    #[derive(QueryableByName)]
    struct PerTrack {
        #[diesel(sql_type = diesel::sql_types::Text)]
        track: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamp>)]
        oldest: Option<NaiveDateTime>,
    }
    #[derive(QueryableByName)]
    struct CountPerTrack {
        #[diesel(sql_type = diesel::sql_types::Text)]
        track: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let submitted = Status::Submitted.as_str();
    let mut pledges_sql = Statement::new(conn);
    pledges_sql
        .sql("SELECT f.value AS track, COUNT(*) AS n, MIN(p.submitted_at) AS oldest ")
        .sql("FROM pledge_facets f JOIN pledges p ON p.id = f.pledge_id ")
        .sql("WHERE f.facet = 'track' AND p.status = ")
        .bind(submitted)
        .sql(" GROUP BY f.value");
    let mut reports_sql = Statement::new(conn);
    reports_sql
        .sql("SELECT f.value AS track, COUNT(*) AS n ")
        .sql("FROM progress_reports r JOIN pledge_facets f ")
        .sql("ON f.pledge_id = r.pledge_id AND f.facet = 'track' WHERE r.review = ")
        .bind(ReportReview::Submitted.as_str())
        .sql(" GROUP BY f.value");
    // Open amendments of pledges still amended (the facet rows carry the pledge's status).
    let amendable = [Status::Published.as_str(), Status::Inactive.as_str()];
    let mut amendments_sql = Statement::new(conn);
    amendments_sql
        .sql("SELECT f.value AS track, COUNT(*) AS n ")
        .sql("FROM pledge_amendments a JOIN pledge_facets f ")
        .sql("ON f.pledge_id = a.pledge_id AND f.facet = 'track' WHERE a.status = ")
        .bind(AmendmentStatus::Proposed.as_str())
        .sql(" AND f.status IN (")
        .bind(amendable[0])
        .sql(", ")
        .bind(amendable[1])
        .sql(") GROUP BY f.value");
    let mut by_track: std::collections::BTreeMap<String, Waiting> = Default::default();
    let empty = || Waiting {
        pledges: 0,
        oldest: None,
        reports: 0,
        amendments: 0,
    };
    for row in pledges_sql.load::<PerTrack>(conn)? {
        let w = by_track.entry(row.track).or_insert_with(empty);
        w.pledges = u64::try_from(row.n).unwrap_or(0);
        w.oldest = row.oldest;
    }
    for row in reports_sql.load::<CountPerTrack>(conn)? {
        by_track.entry(row.track).or_insert_with(empty).reports = u64::try_from(row.n).unwrap_or(0);
    }
    for row in amendments_sql.load::<CountPerTrack>(conn)? {
        by_track.entry(row.track).or_insert_with(empty).amendments =
            u64::try_from(row.n).unwrap_or(0);
    }
    let amendments: i64 = pledge_amendments::table
        .inner_join(pledges::table)
        .filter(pledge_amendments::status.eq(AmendmentStatus::Proposed.as_str()))
        .filter(pledges::status.eq_any(amendable))
        .count()
        .get_result(conn)?;
    let (count, oldest): (i64, Option<NaiveDateTime>) = pledges::table
        .filter(pledges::status.eq(submitted))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::min(pledges::submitted_at),
        ))
        .first(conn)?;
    let reports: i64 = progress_reports::table
        .filter(progress_reports::review.eq(ReportReview::Submitted.as_str()))
        .count()
        .get_result(conn)?;
    let total = Waiting {
        pledges: u64::try_from(count).unwrap_or(0),
        oldest,
        reports: u64::try_from(reports).unwrap_or(0),
        amendments: u64::try_from(amendments).unwrap_or(0),
    };
    Ok((by_track.into_iter().collect(), total))
}
