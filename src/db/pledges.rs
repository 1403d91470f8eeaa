//! The pledge aggregate in storage: the pledge row, its tag tables (tracks, SDGs, focus areas,
//! countries), its audit events, and every query about them. Rows become domain values here:
//! a stored status that names no status is an error naming the pledge, never a default.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    mapping::{parse_stored, parse_stored_json},
    new_id, now,
    schema::{
        organisations, pledge_countries, pledge_events, pledge_focus_areas, pledge_sdgs,
        pledge_tracks, pledges, progress_reports, users,
    },
    DbConnection,
};
use crate::{
    domain::{
        account::OrganisationKind,
        actor::Actor,
        counters::{Contribution, PledgeFacts},
        ids::{OrganisationId, PledgeId, UserId},
        pledge::{is_visible, CatalogueFilter, ValidPledge},
        workflow::Status,
    },
    error::{AppError, AppResult},
    pagination::{Page, PageParams},
};

/// A pledge row as stored: its place in the workflow, and its content as JSON.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pledges)]
pub struct PledgeRow {
    pub id: PledgeId,
    pub organisation_id: OrganisationId,
    pub created_by: UserId,
    pub status: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub submitted_at: Option<NaiveDateTime>,
    pub published_at: Option<NaiveDateTime>,
    pub content: String,
}

/// What is written from a pledge's content: the content itself, and the facets the catalogue
/// filters, searches and counts on. A new field of the pledge lands in `content` with no
/// change here; only a new filter needs a facet.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = pledges, treat_none_as_null = true)]
struct Written {
    content: String,
    pledge_type: &'static str,
    value_usd: Option<i64>,
    start_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
    targets_global: bool,
    ldc: bool,
    lldc: bool,
    sids: bool,
    search_text: String,
}

impl Written {
    fn of(valid: &ValidPledge) -> AppResult<Self> {
        Ok(Written {
            content: serde_json::to_string(valid).map_err(AppError::internal)?,
            pledge_type: valid.pledge_type.as_str(),
            value_usd: valid.value.as_ref().map(|v| v.usd),
            start_date: valid.start_date,
            end_date: valid.end_date,
            targets_global: valid.global,
            ldc: valid.ldc,
            lldc: valid.lldc,
            sids: valid.sids,
            search_text: valid.search_text(),
        })
    }
}

impl PledgeRow {
    /// The stored status, read strictly.
    fn parsed_status(&self) -> AppResult<Status> {
        Ok(parse_stored("pledges", &self.id, &self.status)?)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organisations)]
struct OrganisationSummaryRow {
    id: OrganisationId,
    name: String,
    kind: String,
    country: String,
    verified: bool,
}

/// The pledging organisation, as shown with a pledge.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct OrganisationSummary {
    pub id: OrganisationId,
    pub name: String,
    pub kind: OrganisationKind,
    /// ISO 3166-1 alpha-3.
    #[schema(example = "GHA")]
    pub country: String,
    pub verified: bool,
}

impl TryFrom<OrganisationSummaryRow> for OrganisationSummary {
    type Error = AppError;
    fn try_from(row: OrganisationSummaryRow) -> AppResult<Self> {
        Ok(OrganisationSummary {
            kind: parse_stored("organisations", &row.id, &row.kind)?,
            id: row.id,
            name: row.name,
            country: row.country,
            verified: row.verified,
        })
    }
}

/// A pledge with its organisation and content, as loaded for display or for a decision.
#[derive(Debug, Clone)]
pub struct PledgeRecord {
    pub row: PledgeRow,
    /// The row's status, parsed.
    pub status: Status,
    pub organisation: OrganisationSummary,
    /// Whole USD disbursed so far: the sum of the pledge's yearly progress reports.
    pub usd_disbursed: i64,
    /// What the pledge says: the fields its organisation wrote, as validated.
    pub content: ValidPledge,
}

impl PledgeRecord {
    pub fn id(&self) -> &PledgeId {
        &self.row.id
    }

    /// What this pledge contributes to the live counters in its current state.
    pub fn facts(&self) -> PledgeFacts {
        let c = &self.content;
        PledgeFacts {
            id: self.row.id.to_string(),
            organisation_id: self.organisation.id.to_string(),
            organisation_kind: self.organisation.kind.as_str().to_owned(),
            pledge_type: c.pledge_type.as_str().to_owned(),
            usd: c.value.as_ref().map_or(0, |v| v.usd),
            usd_disbursed: self.usd_disbursed,
            sdgs: c.sdgs.clone(),
            focus_areas: c
                .focus_areas
                .iter()
                .map(|a| a.as_str().to_owned())
                .collect(),
            countries: c.countries.clone(),
            targets_ldc: c.ldc,
            tracks: c.tracks.clone(),
            published_on: self.row.published_at.map(|t| t.date()),
        }
    }

    pub fn contribution(&self) -> Option<(PledgeFacts, Contribution)> {
        Contribution::for_status(self.status.as_str()).map(|c| (self.facts(), c))
    }
}

/// The content of a stored pledge, read strictly: JSON that is not a valid pledge is an error
/// naming the row.
fn content(row: &PledgeRow) -> AppResult<ValidPledge> {
    Ok(parse_stored_json("pledges", &row.id, &row.content)?)
}

/// Loads pledges with their organisations and disbursements, in the order of `rows`.
pub fn records(conn: &mut DbConnection, rows: Vec<PledgeRow>) -> AppResult<Vec<PledgeRecord>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let org_ids: HashSet<&OrganisationId> = rows.iter().map(|r| &r.organisation_id).collect();
    let orgs: HashMap<OrganisationId, OrganisationSummary> = organisations::table
        .filter(organisations::id.eq_any(org_ids))
        .select(OrganisationSummaryRow::as_select())
        .load::<OrganisationSummaryRow>(conn)?
        .into_iter()
        .map(|o| OrganisationSummary::try_from(o).map(|o| (o.id.clone(), o)))
        .collect::<AppResult<_>>()?;
    let mut disbursed: HashMap<PledgeId, i64> = HashMap::new();
    for (id, usd) in progress_reports::table
        .filter(progress_reports::pledge_id.eq_any(&ids))
        .select((progress_reports::pledge_id, progress_reports::usd_disbursed))
        .load::<(PledgeId, i64)>(conn)?
    {
        let sum = disbursed.entry(id).or_default();
        *sum = sum.saturating_add(usd);
    }
    rows.into_iter()
        .map(|row| {
            let organisation = orgs
                .get(&row.organisation_id)
                .cloned()
                .ok_or_else(|| AppError::internal("pledge without organisation"))?;
            Ok(PledgeRecord {
                status: row.parsed_status()?,
                usd_disbursed: disbursed.get(&row.id).copied().unwrap_or(0),
                organisation,
                content: content(&row)?,
                row,
            })
        })
        .collect()
}

/// The pledge if `viewer` may see it; `NotFound` otherwise, as if it did not exist.
pub fn visible_record(
    conn: &mut DbConnection,
    id: &PledgeId,
    viewer: Option<&Actor>,
) -> AppResult<PledgeRecord> {
    find_record(conn, id)?
        .filter(|r| is_visible(r.status, &r.row.organisation_id, viewer))
        .ok_or(AppError::NotFound("pledge"))
}

pub fn find_record(conn: &mut DbConnection, id: &PledgeId) -> AppResult<Option<PledgeRecord>> {
    let row = pledges::table
        .find(id)
        .select(PledgeRow::as_select())
        .first(conn)
        .optional()?;
    Ok(records(conn, row.into_iter().collect())?.pop())
}

/// Writes the pledge's content, its facets and its tag rows from a validated pledge.
pub fn store(conn: &mut DbConnection, id: &PledgeId, valid: &ValidPledge) -> AppResult<()> {
    diesel::update(pledges::table.find(id))
        .set(Written::of(valid)?)
        .execute(conn)?;
    write_tags(conn, id, valid)
}

/// Replaces the pledge's tag rows: the facets that take several values.
fn write_tags(conn: &mut DbConnection, id: &PledgeId, valid: &ValidPledge) -> AppResult<()> {
    diesel::delete(pledge_tracks::table.filter(pledge_tracks::pledge_id.eq(id))).execute(conn)?;
    diesel::delete(pledge_sdgs::table.filter(pledge_sdgs::pledge_id.eq(id))).execute(conn)?;
    diesel::delete(pledge_focus_areas::table.filter(pledge_focus_areas::pledge_id.eq(id)))
        .execute(conn)?;
    diesel::delete(pledge_countries::table.filter(pledge_countries::pledge_id.eq(id)))
        .execute(conn)?;
    // One row at a time: the lists are short, and multi-row inserts are not portable here.
    for track in &valid.tracks {
        diesel::insert_into(pledge_tracks::table)
            .values((
                pledge_tracks::pledge_id.eq(id),
                pledge_tracks::track.eq(track),
            ))
            .execute(conn)?;
    }
    for sdg in &valid.sdgs {
        diesel::insert_into(pledge_sdgs::table)
            .values((pledge_sdgs::pledge_id.eq(id), pledge_sdgs::sdg.eq(sdg)))
            .execute(conn)?;
    }
    for area in &valid.focus_areas {
        diesel::insert_into(pledge_focus_areas::table)
            .values((
                pledge_focus_areas::pledge_id.eq(id),
                pledge_focus_areas::focus_area.eq(area.as_str()),
            ))
            .execute(conn)?;
    }
    for country in &valid.countries {
        diesel::insert_into(pledge_countries::table)
            .values((
                pledge_countries::pledge_id.eq(id),
                pledge_countries::country.eq(country),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// One entry of the audit trail, before it is stored.
pub struct Event<'a> {
    pub action: &'a str,
    pub from: Option<Status>,
    pub to: Status,
    pub reason: Option<&'a str>,
    pub version: i32,
}

/// How many pledges belong to organisations whose id starts with `prefix` (the demo data's).
pub fn count_of_organisations_with_prefix(conn: &mut DbConnection, prefix: &str) -> AppResult<i64> {
    let pattern = format!("{}%", prefix.replace('%', "\\%").replace('_', "\\_"));
    Ok(pledges::table
        .filter(pledges::organisation_id.like(pattern).escape('\\'))
        .count()
        .get_result(conn)?)
}

/// Stores a new status; entering `submitted` or `published` stamps when.
pub fn set_status(
    conn: &mut DbConnection,
    id: &PledgeId,
    status: Status,
    at: NaiveDateTime,
) -> AppResult<()> {
    let target = pledges::table.find(id);
    diesel::update(target)
        .set(pledges::status.eq(status.as_str()))
        .execute(conn)?;
    match status {
        Status::Submitted => {
            diesel::update(target)
                .set(pledges::submitted_at.eq(at))
                .execute(conn)?;
        }
        Status::Published => {
            diesel::update(target)
                .set(pledges::published_at.eq(at))
                .execute(conn)?;
        }
        _ => {}
    }
    Ok(())
}

/// Appends one audit event.
pub fn record_event(
    conn: &mut DbConnection,
    pledge_id: &PledgeId,
    actor: &Actor,
    event: Event<'_>,
) -> AppResult<()> {
    diesel::insert_into(pledge_events::table)
        .values((
            pledge_events::id.eq(new_id()),
            pledge_events::pledge_id.eq(pledge_id),
            pledge_events::actor_id.eq(&actor.id),
            pledge_events::actor_role.eq(actor.role.as_str()),
            pledge_events::action.eq(event.action),
            pledge_events::from_status.eq(event.from.map(|s| s.as_str())),
            pledge_events::to_status.eq(event.to.as_str()),
            pledge_events::reason.eq(event.reason),
            pledge_events::version.eq(event.version),
            pledge_events::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Inserts a new pledge at version 1 with the given status, and its tags; returns its id.
pub fn insert_new(
    conn: &mut DbConnection,
    organisation_id: &OrganisationId,
    creator_id: &UserId,
    valid: &ValidPledge,
    status: Status,
    at: NaiveDateTime,
) -> AppResult<PledgeId> {
    let id = PledgeId::generate();
    diesel::insert_into(pledges::table)
        .values((
            pledges::id.eq(&id),
            pledges::organisation_id.eq(organisation_id),
            pledges::created_by.eq(creator_id),
            pledges::status.eq(status.as_str()),
            pledges::version.eq(1),
            pledges::created_at.eq(at),
            pledges::updated_at.eq(at),
            Written::of(valid)?,
        ))
        .execute(conn)?;
    write_tags(conn, &id, valid)?;
    Ok(id)
}

/// Moves the version on, guarded by the version read: a concurrent writer makes this fail.
pub fn bump_version(conn: &mut DbConnection, row: &PledgeRow) -> AppResult<i32> {
    let updated = diesel::update(
        pledges::table
            .find(&row.id)
            .filter(pledges::version.eq(row.version)),
    )
    .set((
        pledges::version.eq(row.version + 1),
        pledges::updated_at.eq(now()),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(AppError::PreconditionFailed);
    }
    Ok(row.version + 1)
}

/// Stores an already published pledge (demo data and imports): it skips the workflow, so its
/// history says so. The caller recounts the counters afterwards.
pub fn insert_published(
    conn: &mut DbConnection,
    organisation_id: &OrganisationId,
    creator_id: &UserId,
    valid: &ValidPledge,
    published_at: NaiveDateTime,
) -> AppResult<PledgeId> {
    let id = insert_new(
        conn,
        organisation_id,
        creator_id,
        valid,
        Status::Published,
        published_at,
    )?;
    diesel::update(pledges::table.find(&id))
        .set((
            pledges::submitted_at.eq(published_at),
            pledges::published_at.eq(published_at),
        ))
        .execute(conn)?;
    diesel::insert_into(pledge_events::table)
        .values((
            pledge_events::id.eq(new_id()),
            pledge_events::pledge_id.eq(&id),
            pledge_events::actor_id.eq(creator_id),
            pledge_events::actor_role.eq("import"),
            pledge_events::action.eq("import"),
            pledge_events::from_status.eq(None::<String>),
            pledge_events::to_status.eq(Status::Published.as_str()),
            pledge_events::reason.eq(None::<String>),
            pledge_events::version.eq(1),
            pledge_events::created_at.eq(published_at),
        ))
        .execute(conn)?;
    Ok(id)
}

// ---------------------------------------------------------------------------------------------
// Listings

/// Escapes `%`, `_` and `\` for a LIKE pattern.
fn like_pattern(words: &str) -> String {
    let escaped = words
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// A page of the catalogue as `viewer` may see it (published pledges for the public, plus its
/// own for an organisation, all for staff), newest first.
pub fn catalogue(
    conn: &mut DbConnection,
    viewer: Option<&Actor>,
    filter: &CatalogueFilter,
    page: &PageParams,
) -> AppResult<Page<PledgeRecord>> {
    let limit = page.limit()?;
    let mut query = pledges::table.select(PledgeRow::as_select()).into_boxed();
    let published = Status::Published.as_str();
    match viewer {
        Some(v) if v.is_staff() => {}
        Some(Actor {
            organisation_id: Some(own),
            ..
        }) => {
            query = query.filter(
                pledges::status
                    .eq(published)
                    .or(pledges::organisation_id.eq(own.clone())),
            );
        }
        _ => query = query.filter(pledges::status.eq(published)),
    }
    if let Some(status) = filter.status {
        query = query.filter(pledges::status.eq(status.as_str()));
    }
    if let Some(track) = &filter.track {
        query = query.filter(
            pledges::id.eq_any(
                pledge_tracks::table
                    .filter(pledge_tracks::track.eq(track.clone()))
                    .select(pledge_tracks::pledge_id),
            ),
        );
    }
    if let Some(sdg) = filter.sdg {
        query = query.filter(
            pledges::id.eq_any(
                pledge_sdgs::table
                    .filter(pledge_sdgs::sdg.eq(sdg))
                    .select(pledge_sdgs::pledge_id),
            ),
        );
    }
    if let Some(area) = filter.focus_area {
        query = query.filter(
            pledges::id.eq_any(
                pledge_focus_areas::table
                    .filter(pledge_focus_areas::focus_area.eq(area.as_str()))
                    .select(pledge_focus_areas::pledge_id),
            ),
        );
    }
    if let Some(kind) = filter.pledge_type {
        query = query.filter(pledges::pledge_type.eq(kind.as_str()));
    }
    if let Some(code) = &filter.country {
        query = query.filter(
            pledges::id.eq_any(
                pledge_countries::table
                    .filter(pledge_countries::country.eq(code.clone()))
                    .select(pledge_countries::pledge_id),
            ),
        );
    }
    if let Some(ldc) = filter.ldc {
        query = query.filter(pledges::ldc.eq(ldc));
    }
    if let Some(org) = &filter.organisation {
        query = query.filter(pledges::organisation_id.eq(org.clone()));
    }
    if let Some(kind) = filter.organisation_kind {
        query = query.filter(
            pledges::organisation_id.eq_any(
                organisations::table
                    .filter(organisations::kind.eq(kind.as_str()))
                    .select(organisations::id),
            ),
        );
    }
    if let Some(words) = filter.words.as_deref().filter(|q| !q.trim().is_empty()) {
        query = query.filter(pledges::search_text.like(like_pattern(words)).escape('\\'));
    }
    if let Some([last]) = page.cursor(1)?.as_deref() {
        query = query.filter(pledges::id.lt(last.clone()));
    }
    let rows = query
        .order(pledges::id.desc())
        .limit(limit + 1)
        .load(conn)?;
    let page = Page::from_overfetch(rows, limit, |r| vec![r.id.to_string()]);
    Ok(Page {
        items: records(conn, page.items)?,
        next_cursor: page.next_cursor,
    })
}

/// How queue positions are written in cursors.
const QUEUE_TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.f";

/// Submitted pledges, oldest first: outside `exclude` (the moderator's own organisation), within
/// `scope` (a moderator's tracks; empty: all) and `track` when given.
pub fn moderation_queue(
    conn: &mut DbConnection,
    exclude: Option<&OrganisationId>,
    scope: &[String],
    track: Option<&str>,
    page: &PageParams,
) -> AppResult<Page<PledgeRecord>> {
    let limit = page.limit()?;
    let mut query = pledges::table
        .filter(pledges::status.eq(Status::Submitted.as_str()))
        .select(PledgeRow::as_select())
        .into_boxed();
    if let Some(own) = exclude {
        query = query.filter(pledges::organisation_id.ne(own.clone()));
    }
    if !scope.is_empty() {
        query = query.filter(
            pledges::id.eq_any(
                pledge_tracks::table
                    .filter(pledge_tracks::track.eq_any(scope.to_vec()))
                    .select(pledge_tracks::pledge_id),
            ),
        );
    }
    if let Some(track) = track {
        query = query.filter(
            pledges::id.eq_any(
                pledge_tracks::table
                    .filter(pledge_tracks::track.eq(track.to_owned()))
                    .select(pledge_tracks::pledge_id),
            ),
        );
    }
    if let Some([at, id]) = page.cursor(2)?.as_deref() {
        let at = NaiveDateTime::parse_from_str(at, QUEUE_TIME_FORMAT).map_err(|_| {
            AppError::InvalidQuery("cursor is not one this service issued".to_owned())
        })?;
        query = query.filter(
            pledges::submitted_at.gt(at).or(pledges::submitted_at
                .eq(at)
                .and(pledges::id.gt(PledgeId::from(id.as_str())))),
        );
    }
    let rows = query
        .order((pledges::submitted_at.asc(), pledges::id.asc()))
        .limit(limit + 1)
        .load(conn)?;
    let page = Page::from_overfetch(rows, limit, |r| {
        vec![
            r.submitted_at
                .map(|t| t.format(QUEUE_TIME_FORMAT).to_string())
                .unwrap_or_default(),
            r.id.to_string(),
        ]
    });
    Ok(Page {
        items: records(conn, page.items)?,
        next_cursor: page.next_cursor,
    })
}

/// One stored step of a pledge's audit trail, with the actor's display name.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub action: String,
    pub from: Option<Status>,
    pub to: Status,
    pub actor_role: String,
    pub actor_name: String,
    pub reason: Option<String>,
    pub version: i32,
    pub at: NaiveDateTime,
}

/// The audit trail of a pledge, oldest first.
pub fn events(conn: &mut DbConnection, id: &PledgeId) -> AppResult<Vec<StoredEvent>> {
    type Row = (
        String,
        String,
        Option<String>,
        String,
        String,
        String,
        Option<String>,
        i32,
        NaiveDateTime,
    );
    let rows: Vec<Row> = pledge_events::table
        .inner_join(users::table)
        .filter(pledge_events::pledge_id.eq(id))
        .order(pledge_events::id.asc())
        .select((
            pledge_events::id,
            pledge_events::action,
            pledge_events::from_status,
            pledge_events::to_status,
            pledge_events::actor_role,
            users::display_name,
            pledge_events::reason,
            pledge_events::version,
            pledge_events::created_at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(
            |(event_id, action, from, to, actor_role, actor_name, reason, version, at)| {
                Ok(StoredEvent {
                    from: from
                        .map(|f| parse_stored("pledge_events", &event_id, &f))
                        .transpose()?,
                    to: parse_stored("pledge_events", &event_id, &to)?,
                    action,
                    actor_role,
                    actor_name,
                    reason,
                    version,
                    at,
                })
            },
        )
        .collect()
}
