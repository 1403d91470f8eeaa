//! The pledge aggregate in storage: the pledge row, its tag tables (tracks, SDGs, focus areas,
//! countries), the catalogue's index (`pledge_facets` and the full-text search), its audit
//! events, and every query about them. Rows become domain values here:
//! a stored status that names no status is an error naming the pledge, never a default.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    mapping::{parse_stored, parse_stored_json},
    new_id, now,
    reports::ProgressReport,
    schema::{organisations, pledge_events, pledge_facets, pledges, users},
    sql::Statement,
    DbConnection,
};
use crate::{
    domain::{
        account::OrganisationKind,
        actor::Actor,
        amendment::FieldChange,
        counters::{Contribution, PledgeFacts},
        ids::{OrganisationId, PledgeId, UserId},
        pledge::{is_visible, CatalogueFilter, CatalogueSort, Facet, PledgeText, ValidPledge},
        progress::{light_of, Accepted, Light},
        workflow::{PledgeContext, Status},
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
    pub withdrawn_at: Option<NaiveDateTime>,
    /// The staff member who entered it on the organisation's behalf, if one did.
    pub entered_by: Option<UserId>,
    /// Where a pledge entered on an organisation's behalf was announced.
    pub source: Option<String>,
    /// When the organisation confirmed a pledge entered on its behalf.
    pub confirmed_at: Option<NaiveDateTime>,
    /// The moment a pledge awaiting its decision, or approved and `scheduled`, is to be
    /// revealed at (UTC); cleared once it is public or out of the workflow.
    pub reveal_at: Option<NaiveDateTime>,
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
    /// Whole USD disbursed so far: the sum of the pledge's accepted progress reports.
    pub usd_disbursed: i64,
    /// What the pledge says: the fields its organisation wrote, as validated.
    pub content: ValidPledge,
    /// Its accepted progress reports, by year.
    pub accepted: Vec<ProgressReport>,
}

impl PledgeRecord {
    pub fn id(&self) -> &PledgeId {
        &self.row.id
    }

    /// Its traffic light on `today`; none before it is published.
    pub fn light(&self, today: NaiveDate) -> Option<Light> {
        self.light_as_of(today, None)
    }

    /// Its traffic light at the end of `day`, from the reports accepted by then (all of them
    /// without `accepted_by`); none before it is published.
    pub fn light_as_of(&self, day: NaiveDate, accepted_by: Option<NaiveDate>) -> Option<Light> {
        let published = self.row.published_at?.date();
        let accepted: Vec<Accepted<'_>> = self
            .accepted
            .iter()
            .filter(|r| {
                accepted_by.is_none_or(|by| r.reviewed_at.is_some_and(|at| at.date_naive() <= by))
            })
            .map(|r| Accepted {
                year: r.year,
                status: r.implementation_status,
                is_final: r.is_final,
                values: &r.deliverables,
            })
            .collect();
        Some(light_of(
            published,
            self.content.start_date,
            &self.content.deliverables,
            &accepted,
            day,
        ))
    }

    /// The facts about the pledge its workflow and its amendments are decided on.
    pub fn context(&self) -> PledgeContext<'_> {
        PledgeContext {
            status: self.status,
            organisation_verified: self.organisation.verified,
            tracks: &self.content.tracks,
        }
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
            regions: c.regions.clone(),
            active: self.status == Status::Published,
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
    let mut accepted: HashMap<PledgeId, Vec<ProgressReport>> = HashMap::new();
    for report in super::reports::accepted_for(conn, &ids)? {
        accepted
            .entry(report.pledge_id.clone())
            .or_default()
            .push(report);
    }
    rows.into_iter()
        .map(|row| {
            let organisation = orgs
                .get(&row.organisation_id)
                .cloned()
                .ok_or_else(|| AppError::internal("pledge without organisation"))?;
            let accepted = accepted.remove(&row.id).unwrap_or_default();
            Ok(PledgeRecord {
                status: row.parsed_status()?,
                usd_disbursed: accepted
                    .iter()
                    .fold(0i64, |sum, r| sum.saturating_add(r.usd_disbursed)),
                accepted,
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
        .filter(|r| {
            let was_published = r.row.published_at.is_some();
            is_visible(r.status, was_published, &r.row.organisation_id, viewer)
        })
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

/// Several pledges by id, in no particular order; ids of no pledge are skipped.
pub fn find_records(conn: &mut DbConnection, ids: &[&PledgeId]) -> AppResult<Vec<PledgeRecord>> {
    let rows = pledges::table
        .filter(pledges::id.eq_any(ids.iter().map(|id| id.as_str())))
        .select(PledgeRow::as_select())
        .load(conn)?;
    records(conn, rows)
}

/// Writes the pledge's content and the catalogue's index of it from a validated pledge.
pub fn store(conn: &mut DbConnection, id: &PledgeId, valid: &ValidPledge) -> AppResult<()> {
    diesel::update(pledges::table.find(id))
        .set(Written::of(valid)?)
        .execute(conn)?;
    reindex(conn, id, true)
}

/// What the catalogue's index of a pledge is written from besides its content.
struct IndexSource {
    status: String,
    published_at: Option<NaiveDateTime>,
    organisation_id: OrganisationId,
    organisation_kind: String,
    organisation_name: String,
    /// The traffic light, once published.
    light: Option<Light>,
}

/// Rewrites the catalogue's index of a pledge from its record as stored: its facet rows (with
/// its status and light), and with `search`, its full-text entry.
fn write_index(conn: &mut DbConnection, record: &PledgeRecord, search: bool) -> AppResult<()> {
    let source = IndexSource {
        light: record.light(now().date()),
        status: record.row.status.clone(),
        published_at: record.row.published_at,
        organisation_id: record.organisation.id.clone(),
        organisation_kind: record.organisation.kind.as_str().to_owned(),
        organisation_name: record.organisation.name.clone(),
    };
    write_facets(conn, record.id(), &record.content, &source)?;
    if search {
        write_search(conn, record.id(), &record.content, &source)?;
    }
    Ok(())
}

/// Reads a pledge and rewrites its index ([`write_index`]).
fn reindex(conn: &mut DbConnection, id: &PledgeId, search: bool) -> AppResult<()> {
    match find_record(conn, id)? {
        Some(record) => write_index(conn, &record, search),
        None => Ok(()),
    }
}

/// Rewrites the catalogue's facets of a pledge (after a report on it was accepted: its light
/// may have changed).
pub fn refresh_facets(conn: &mut DbConnection, id: &PledgeId) -> AppResult<()> {
    reindex(conn, id, false)
}

/// Brings the stored traffic light of every published pledge up to `today` (lights move with
/// time alone: a due date passes, a reporting year is missed). Returns how many changed.
pub fn refresh_lights(conn: &mut DbConnection, today: NaiveDate) -> AppResult<usize> {
    let mut changed = 0;
    // A completed pledge's light is settled.
    for status in [Status::Published, Status::Inactive] {
        let mut after = String::new();
        loop {
            let batch = batch_in_status(conn, status, &after, LIGHT_BATCH)?;
            let Some(last) = batch.last() else {
                break;
            };
            after = last.id().to_string();
            changed += refresh_batch_lights(conn, &batch, today)?;
        }
    }
    Ok(changed)
}

/// Rewrites the light facet of the pledges of a batch whose light moved; how many did.
fn refresh_batch_lights(
    conn: &mut DbConnection,
    batch: &[PledgeRecord],
    today: NaiveDate,
) -> AppResult<usize> {
    let ids: Vec<&str> = batch.iter().map(|r| r.id().as_str()).collect();
    let stored: HashMap<String, String> = pledge_facets::table
        .filter(pledge_facets::pledge_id.eq_any(&ids))
        .filter(pledge_facets::facet.eq(Facet::Light.as_str()))
        .select((pledge_facets::pledge_id, pledge_facets::value))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let mut changed = 0;
    for record in batch {
        let Some(light) = record.light(today) else {
            continue;
        };
        if stored.get(record.id().as_str()).map(String::as_str) == Some(light.as_str()) {
            continue;
        }
        super::write_tx(conn, |conn| -> AppResult<()> {
            diesel::delete(
                pledge_facets::table
                    .filter(pledge_facets::pledge_id.eq(record.id()))
                    .filter(pledge_facets::facet.eq(Facet::Light.as_str())),
            )
            .execute(conn)?;
            diesel::insert_into(pledge_facets::table)
                .values((
                    pledge_facets::pledge_id.eq(record.id()),
                    pledge_facets::facet.eq(Facet::Light.as_str()),
                    pledge_facets::value.eq(light.as_str()),
                    pledge_facets::status.eq(&record.row.status),
                ))
                .execute(conn)?;
            Ok(())
        })?;
        changed += 1;
    }
    Ok(changed)
}

/// Published pledges whose lights are refreshed per round trip.
const LIGHT_BATCH: i64 = 500;

/// A batch of pledges in `status`, by id, after `after` (empty: from the first).
pub fn batch_in_status(
    conn: &mut DbConnection,
    status: Status,
    after: &str,
    limit: i64,
) -> AppResult<Vec<PledgeRecord>> {
    let selected = pledges::table
        .filter(pledges::status.eq(status.as_str()))
        .into_boxed();
    batch_of(conn, selected, after, limit)
}

/// A batch of the pledges published before `until` (whatever became of them since), by id,
/// after `after` (empty: from the first).
pub fn batch_published_before(
    conn: &mut DbConnection,
    until: NaiveDateTime,
    after: &str,
    limit: i64,
) -> AppResult<Vec<PledgeRecord>> {
    let selected = pledges::table
        .filter(pledges::published_at.lt(until))
        .into_boxed();
    batch_of(conn, selected, after, limit)
}

/// The records of a batch of the `selected` pledges, by id, after `after`.
fn batch_of(
    conn: &mut DbConnection,
    selected: pledges::BoxedQuery<'_, super::MultiBackend>,
    after: &str,
    limit: i64,
) -> AppResult<Vec<PledgeRecord>> {
    let rows = selected
        .filter(pledges::id.gt(after))
        .order(pledges::id.asc())
        .limit(limit)
        .select(PledgeRow::as_select())
        .load::<PledgeRow>(conn)?;
    records(conn, rows)
}

/// Replaces the pledge's rows in `pledge_facets`: one per value it can be filtered on, each
/// with the pledge's status.
fn write_facets(
    conn: &mut DbConnection,
    id: &PledgeId,
    valid: &ValidPledge,
    source: &IndexSource,
) -> AppResult<()> {
    diesel::delete(pledge_facets::table.filter(pledge_facets::pledge_id.eq(id))).execute(conn)?;
    let mut facets = valid.facets(source.published_at.map(|t| t.date()));
    facets.push((Facet::Organisation, source.organisation_id.to_string()));
    facets.push((Facet::OrganisationKind, source.organisation_kind.clone()));
    if let Some(light) = source.light {
        facets.push((Facet::Light, light.as_str().to_owned()));
    }
    let mut insert = Statement::new(conn);
    insert.sql("INSERT INTO pledge_facets (pledge_id, facet, value, status) VALUES ");
    for (i, (facet, value)) in facets.into_iter().enumerate() {
        insert.sql(if i == 0 { "(" } else { ", (" });
        insert
            .bind(id.as_str())
            .sql(", ")
            .bind(facet.as_str())
            .sql(", ");
        insert
            .bind(value)
            .sql(", ")
            .bind(source.status.as_str())
            .sql(")");
    }
    insert.execute(conn)?;
    Ok(())
}

/// The weights of the search's fields in SQLite's bm25, in the order of `pledge_search`'s
/// columns (title, summary, description, organisation, partners); PostgreSQL's `setweight`
/// letters (A, B, C, B, C) rank them alike.
const BM25_WEIGHTS: &str = "10.0, 4.0, 1.0, 4.0, 1.0";

/// Replaces the pledge's full-text entry: title, summary, description, organisation name and
/// partners. SQLite keeps it in the FTS5 table `pledge_search` under the pledge's `seq` (given
/// here on its first write); PostgreSQL in the pledge's `search_vector`. The text goes in as
/// written: the index folds case and accents, and keeps every script's words.
fn write_search(
    conn: &mut DbConnection,
    id: &PledgeId,
    valid: &ValidPledge,
    source: &IndexSource,
) -> AppResult<()> {
    let partners = valid.partners.join("\n");
    // A pledge is found by the words of any of its translations, weighted as its own.
    let translated = |own: &str, pick: fn(&PledgeText) -> &str| {
        std::iter::once(own)
            .chain(valid.translations.values().map(pick))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let titles = translated(&valid.title, |t| &t.title);
    let summaries = translated(&valid.summary, |t| &t.summary);
    let fields = [
        titles.as_str(),
        summaries.as_str(),
        valid.description.as_str(),
        source.organisation_name.as_str(),
        partners.as_str(),
    ];
    let mut statements = Vec::new();
    if matches!(conn, DbConnection::Sqlite(_)) {
        let mut seq = Statement::new(conn);
        seq.sql("UPDATE pledges SET seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM pledges) ")
            .sql("WHERE id = ")
            .bind(id.as_str())
            .sql(" AND seq IS NULL");
        let mut delete = Statement::new(conn);
        delete
            .sql("DELETE FROM pledge_search WHERE rowid = (SELECT seq FROM pledges WHERE id = ")
            .bind(id.as_str())
            .sql(")");
        let mut insert = Statement::new(conn);
        insert.sql(
            "INSERT INTO pledge_search (rowid, title, summary, description, organisation, \
             partners) SELECT seq",
        );
        for field in fields {
            insert.sql(", ").bind(field);
        }
        insert.sql(" FROM pledges WHERE id = ").bind(id.as_str());
        statements.extend([seq, delete, insert]);
    } else {
        let mut update = Statement::new(conn);
        update.sql("UPDATE pledges SET search_vector = ");
        for (i, (field, weight)) in fields
            .into_iter()
            .zip(["A", "B", "C", "B", "C"])
            .enumerate()
        {
            if i > 0 {
                update.sql(" || ");
            }
            update
                .sql("setweight(to_tsvector('simple', unaccent(")
                .bind(field)
                .sql(&format!(")), '{weight}')"));
        }
        update.sql(" WHERE id = ").bind(id.as_str());
        statements.push(update);
    }
    for statement in statements {
        statement.execute(conn)?;
    }
    Ok(())
}

/// Rewrites the catalogue's index of every pledge of an organisation, after its name or kind
/// changed.
pub fn reindex_organisation(conn: &mut DbConnection, id: &OrganisationId) -> AppResult<()> {
    let rows = pledges::table
        .filter(pledges::organisation_id.eq(id))
        .select(PledgeRow::as_select())
        .load::<PledgeRow>(conn)?;
    for record in records(conn, rows)? {
        write_index(conn, &record, true)?;
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

/// Stores a new status; entering `submitted` or `published` stamps when. A pledge that comes to
/// rest (withdrawn, completed) has its open amendment withdrawn.
pub fn set_status(
    conn: &mut DbConnection,
    id: &PledgeId,
    status: Status,
    at: NaiveDateTime,
) -> AppResult<()> {
    let target = pledges::table.find(id);
    // Public now, or out of the workflow: there is nothing left to reveal.
    let keeps_moment = matches!(
        status,
        Status::Submitted | Status::ChangesRequested | Status::Scheduled
    );
    if keeps_moment {
        diesel::update(target)
            .set(pledges::status.eq(status.as_str()))
            .execute(conn)?;
    } else {
        diesel::update(target)
            .set((
                pledges::status.eq(status.as_str()),
                pledges::reveal_at.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
    }
    match status {
        Status::Submitted => {
            diesel::update(target)
                .set(pledges::submitted_at.eq(at))
                .execute(conn)?;
        }
        Status::Published => {
            // Published once: an inactive pledge coming back keeps its date.
            diesel::update(target.filter(pledges::published_at.is_null()))
                .set(pledges::published_at.eq(at))
                .execute(conn)?;
        }
        Status::Withdrawn => {
            diesel::update(target)
                .set(pledges::withdrawn_at.eq(at))
                .execute(conn)?;
        }
        _ => {}
    }
    if status.is_terminal() {
        // Withdrawn or completed: nothing is amended any more.
        super::amendments::close_open(conn, id, &format!("the pledge is {status}"), at)?;
    }
    // The facet rows carry the status (and a pledge without dates counts in the year it was
    // published).
    reindex(conn, id, false)
}

/// Sets the moment a pledge is to be revealed at (see `domain::reveal`).
pub fn set_reveal_at(conn: &mut DbConnection, id: &PledgeId, at: NaiveDateTime) -> AppResult<()> {
    diesel::update(pledges::table.find(id))
        .set(pledges::reveal_at.eq(at))
        .execute(conn)?;
    Ok(())
}

/// The scheduled pledges whose moment has come by `now`, soonest first, at most `limit`.
pub fn due_reveals(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: i64,
) -> AppResult<Vec<PledgeId>> {
    Ok(pledges::table
        .filter(pledges::status.eq(Status::Scheduled.as_str()))
        .filter(pledges::reveal_at.le(now))
        .order((pledges::reveal_at.asc(), pledges::id.asc()))
        .limit(limit)
        .select(pledges::id)
        .load(conn)?)
}

/// The moment of the next reveal, if any pledge is scheduled (read from a small partial index).
pub fn next_reveal(conn: &mut DbConnection) -> AppResult<Option<NaiveDateTime>> {
    Ok(pledges::table
        .filter(pledges::status.eq(Status::Scheduled.as_str()))
        .filter(pledges::reveal_at.is_not_null())
        .order(pledges::reveal_at.asc())
        .select(pledges::reveal_at)
        .first::<Option<NaiveDateTime>>(conn)
        .optional()?
        .flatten())
}

/// Appends one audit event.
pub fn record_event(
    conn: &mut DbConnection,
    pledge_id: &PledgeId,
    actor: &Actor,
    event: Event<'_>,
) -> AppResult<()> {
    insert_event(conn, pledge_id, &actor.id, actor.role.as_str(), event, None)
}

/// Appends one audit event with what it changed in the pledge, field by field (an amendment's
/// steps).
pub fn record_change_event(
    conn: &mut DbConnection,
    pledge_id: &PledgeId,
    actor: &Actor,
    event: Event<'_>,
    changes: &[FieldChange],
) -> AppResult<()> {
    let changes = serde_json::to_string(changes).map_err(AppError::internal)?;
    let role = actor.role.as_str();
    insert_event(conn, pledge_id, &actor.id, role, event, Some(changes))
}

/// Appends one audit event of the service itself (the lifecycle's steps), under the pledge's
/// creator with the role `system`.
pub fn record_system_event(
    conn: &mut DbConnection,
    row: &PledgeRow,
    event: Event<'_>,
) -> AppResult<()> {
    insert_event(conn, &row.id, &row.created_by, "system", event, None)
}

fn insert_event(
    conn: &mut DbConnection,
    pledge_id: &PledgeId,
    actor_id: &UserId,
    actor_role: &str,
    event: Event<'_>,
    changes: Option<String>,
) -> AppResult<()> {
    diesel::insert_into(pledge_events::table)
        .values((
            pledge_events::id.eq(new_id()),
            pledge_events::pledge_id.eq(pledge_id),
            pledge_events::actor_id.eq(actor_id),
            pledge_events::actor_role.eq(actor_role),
            pledge_events::action.eq(event.action),
            pledge_events::from_status.eq(event.from.map(|s| s.as_str())),
            pledge_events::to_status.eq(event.to.as_str()),
            pledge_events::reason.eq(event.reason),
            pledge_events::version.eq(event.version),
            pledge_events::created_at.eq(now()),
            pledge_events::changes.eq(changes),
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
) -> AppResult<PledgeRecord> {
    let placement = Placement::new(organisation_id, creator_id, status, at);
    insert(conn, &placement, valid)
}

/// Where and how a new pledge is written: its id (known beforehand when the caller counts it),
/// its organisation, creator, status and time, and where it came from when not from its
/// organisation's own form.
#[derive(Debug, Clone)]
pub struct Placement<'a> {
    pub id: PledgeId,
    pub organisation_id: &'a OrganisationId,
    pub creator_id: &'a UserId,
    pub status: Status,
    /// Its creation time, and its submission and publication time when it starts there.
    pub at: NaiveDateTime,
    pub entered_by: Option<&'a UserId>,
    pub source: Option<&'a str>,
    pub external_ref: Option<&'a str>,
}

impl<'a> Placement<'a> {
    pub fn new(
        organisation_id: &'a OrganisationId,
        creator_id: &'a UserId,
        status: Status,
        at: NaiveDateTime,
    ) -> Self {
        Placement {
            id: PledgeId::generate(),
            organisation_id,
            creator_id,
            status,
            at,
            entered_by: None,
            source: None,
            external_ref: None,
        }
    }
}

/// Inserts a new pledge as `placement` says, with its index; returns its record.
pub fn insert(
    conn: &mut DbConnection,
    placement: &Placement<'_>,
    valid: &ValidPledge,
) -> AppResult<PledgeRecord> {
    let Placement { status, at, .. } = *placement;
    let organisation: OrganisationSummary = organisations::table
        .find(placement.organisation_id)
        .select(OrganisationSummaryRow::as_select())
        .first::<OrganisationSummaryRow>(conn)?
        .try_into()?;
    let published = (status == Status::Published).then_some(at);
    let submitted = matches!(status, Status::Submitted | Status::Published).then_some(at);
    let written = Written::of(valid)?;
    // The record is built from what is written rather than read back: the answer to a
    // creation costs no query.
    let row = PledgeRow {
        id: placement.id.clone(),
        organisation_id: placement.organisation_id.clone(),
        created_by: placement.creator_id.clone(),
        status: status.as_str().to_owned(),
        version: 1,
        created_at: at,
        updated_at: at,
        submitted_at: submitted,
        published_at: published,
        content: written.content.clone(),
        withdrawn_at: None,
        entered_by: placement.entered_by.cloned(),
        source: placement.source.map(str::to_owned),
        confirmed_at: None,
        reveal_at: None,
    };
    diesel::insert_into(pledges::table)
        .values((
            pledges::id.eq(&row.id),
            pledges::organisation_id.eq(&row.organisation_id),
            pledges::created_by.eq(&row.created_by),
            pledges::status.eq(&row.status),
            pledges::version.eq(row.version),
            pledges::created_at.eq(at),
            pledges::updated_at.eq(at),
            pledges::submitted_at.eq(submitted),
            pledges::published_at.eq(published),
            pledges::entered_by.eq(&row.entered_by),
            pledges::source.eq(&row.source),
            pledges::external_ref.eq(placement.external_ref),
            written,
        ))
        .execute(conn)?;
    let source = IndexSource {
        // Nothing reported yet.
        light: published.map(|_| Light::NoReport),
        status: row.status.clone(),
        published_at: published,
        organisation_id: organisation.id.clone(),
        organisation_kind: organisation.kind.as_str().to_owned(),
        organisation_name: organisation.name.clone(),
    };
    write_facets(conn, &row.id, valid, &source)?;
    write_search(conn, &row.id, valid, &source)?;
    Ok(PledgeRecord {
        row,
        status,
        organisation,
        usd_disbursed: 0,
        content: valid.clone(),
        accepted: Vec::new(),
    })
}

/// Checks `If-Match` against the pledge's version: a stale one fails (412), a missing one
/// fails when the step must name the version it was taken on (428).
pub fn check_version(row: &PledgeRow, expected: Option<i32>, required: bool) -> AppResult<()> {
    match expected {
        None if required => Err(AppError::PreconditionRequired),
        Some(v) if v != row.version => Err(AppError::PreconditionFailed),
        _ => Ok(()),
    }
}

/// The organisation confirms the pledges entered on its behalf (its new owner accepted the
/// invitation): each is marked confirmed, with an audit event under the owner's name.
/// Returns how many.
pub fn confirm_entered(
    conn: &mut DbConnection,
    organisation_id: &OrganisationId,
    owner: &Actor,
) -> AppResult<usize> {
    let waiting = pledges::table
        .filter(pledges::organisation_id.eq(organisation_id))
        .filter(pledges::entered_by.is_not_null())
        .filter(pledges::confirmed_at.is_null());
    let rows = waiting
        .select(PledgeRow::as_select())
        .load::<PledgeRow>(conn)?;
    diesel::update(waiting)
        .set(pledges::confirmed_at.eq(now()))
        .execute(conn)?;
    for row in &rows {
        let status = row.parsed_status()?;
        record_event(
            conn,
            &row.id,
            owner,
            Event {
                action: "confirm",
                from: Some(status),
                to: status,
                reason: None,
                version: row.version,
            },
        )?;
    }
    Ok(rows.len())
}

/// Which of `refs` are already taken, as a pledge's external reference or as a pledge's own id
/// (a file exported by this very registry).
pub fn known_refs(conn: &mut DbConnection, refs: &[&str]) -> AppResult<HashSet<String>> {
    if refs.is_empty() {
        return Ok(HashSet::new());
    }
    let mut known: HashSet<String> = pledges::table
        .filter(pledges::external_ref.eq_any(refs))
        .select(pledges::external_ref.assume_not_null())
        .load::<String>(conn)?
        .into_iter()
        .collect();
    known.extend(
        pledges::table
            .filter(pledges::id.eq_any(refs))
            .select(pledges::id)
            .load::<String>(conn)?,
    );
    Ok(known)
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
    let placement = Placement::new(organisation_id, creator_id, Status::Published, published_at);
    Ok(insert_imported(conn, &placement, valid)?.row.id)
}

/// Stores a pledge loaded in bulk, in the status `placement` gives, with the one audit event
/// that says it was imported then (in the role `import`, under the account that loaded it).
pub fn insert_imported(
    conn: &mut DbConnection,
    placement: &Placement<'_>,
    valid: &ValidPledge,
) -> AppResult<PledgeRecord> {
    let record = insert(conn, placement, valid)?;
    diesel::insert_into(pledge_events::table)
        .values((
            pledge_events::id.eq(new_id()),
            pledge_events::pledge_id.eq(record.id()),
            pledge_events::actor_id.eq(placement.creator_id),
            pledge_events::actor_role.eq("import"),
            pledge_events::action.eq("import"),
            pledge_events::from_status.eq(None::<String>),
            pledge_events::to_status.eq(placement.status.as_str()),
            pledge_events::reason.eq(None::<String>),
            pledge_events::version.eq(1),
            pledge_events::created_at.eq(placement.at),
        ))
        .execute(conn)?;
    Ok(record)
}

// ---------------------------------------------------------------------------------------------
// Listings

/// One pledge of a catalogue page, with its place in the page's order.
#[derive(Debug, QueryableByName)]
struct Hit {
    #[diesel(sql_type = diesel::sql_types::Text)]
    id: String,
    /// SQLite's search order (`seq`), when searching there.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pos: i64,
    /// Relevance, higher first, when sorting by it.
    #[diesel(sql_type = diesel::sql_types::Double)]
    score: f64,
}

/// How a catalogue query is driven, which decides its order and its cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Drive {
    /// The pledges, newest first (index `pledges_status_id`); cursor: the last id.
    Pledges,
    /// The first facet asked for, newest first (index `pledge_facets_page`); cursor: the id.
    Facet,
    /// SQLite's full-text index in its own order, newest first; cursor: the last `seq`.
    SqliteSearch,
    /// PostgreSQL's full-text index, newest first; cursor: the last id.
    PostgresSearch,
    /// Either full-text index, by relevance; cursor: the last (score, seq or id).
    Relevance,
}

fn bad_cursor() -> AppError {
    AppError::InvalidQuery("cursor is not one this service issued".to_owned())
}

/// Appends ` AND <condition>` for each facet after the first (checked pledge by pledge through
/// the primary key of `pledge_facets`), the viewer's visibility and the status asked for.
fn narrow(
    sql: &mut Statement,
    viewer: Option<&Actor>,
    filter: &CatalogueFilter,
    facets: &[(Facet, String)],
    id_column: &str,
    status_column: &str,
) {
    for (facet, value) in facets {
        sql.sql(" AND EXISTS (SELECT 1 FROM pledge_facets f WHERE f.pledge_id = ")
            .sql(id_column)
            .sql(" AND f.facet = ")
            .bind(facet.as_str())
            .sql(" AND f.value = ")
            .bind(value.as_str())
            .sql(")");
    }
    // What the public sees: published pledges, or those in another public state when asked
    // for (completed, inactive, withdrawn after publication).
    let public = filter
        .status
        .filter(|s| s.is_public() || *s == Status::Withdrawn)
        .unwrap_or(Status::Published);
    let public_only = |sql: &mut Statement| {
        sql.sql(status_column).sql(" = ").bind(public.as_str());
        if public == Status::Withdrawn {
            sql.sql(" AND p.published_at IS NOT NULL");
        }
    };
    match viewer {
        Some(v) if v.is_staff() => {}
        Some(Actor {
            organisation_id: Some(own),
            ..
        }) => {
            sql.sql(" AND ((");
            public_only(sql);
            sql.sql(") OR p.organisation_id = ")
                .bind(own.as_str())
                .sql(")");
        }
        _ => {
            sql.sql(" AND ");
            public_only(sql);
        }
    }
    if let Some(status) = filter.status {
        sql.sql(" AND ")
            .sql(status_column)
            .sql(" = ")
            .bind(status.as_str());
    }
}

/// A page of the catalogue as `viewer` may see it (published pledges for the public, plus its
/// own for an organisation, all for staff), newest first or, with words, by relevance.
///
/// Every shape reads only the rows of its page, however deep the cursor (plans checked with
/// `EXPLAIN QUERY PLAN` on SQLite and `EXPLAIN` on PostgreSQL 15, 100,000 pledges):
/// - no filter: `pledges_status_id` walked backwards from the cursor;
/// - filters: the first facet of [`CatalogueFilter::facets`] drives through
///   `pledge_facets_page` (facet, value, status, pledge_id), in id order with no sort step; each
///   other filter is a lookup in `pledge_facets`' primary key (pledge_id, facet, value) per
///   candidate, so a pair reads about page ÷ (share of the second filter) rows;
/// - words, newest first: SQLite's FTS5 yields matches in descending `seq` from the cursor on
///   (no sort), joined to `pledges` through `pledges_seq`; PostgreSQL takes the GIN index's
///   matches (bitmap heap scan, then a sort of those few) for a rare word, and walks
///   `pledges_pkey` backwards testing each row for a common one (its statistics choose);
/// - words by relevance: every match is ranked (bm25 / `ts_rank`), then the page after the
///   cursor's (score, key) is kept with a top-N sort: no offset, and a cost bounded by the
///   number of matches (about 10,000 to 17,000 for `broadband` in the demo data: 150 to 200 ms
///   on a busy 2-core machine, where a rare word answers in a few milliseconds).
///
/// On SQLite the search shapes say `CROSS JOIN` so that the full-text index stays the outer
/// loop: left to itself, the planner may walk every published pledge and probe the index once
/// for each (seen for `sort=relevance` at 100,000 pledges).
pub fn catalogue(
    conn: &mut DbConnection,
    viewer: Option<&Actor>,
    filter: &CatalogueFilter,
    page: &PageParams,
) -> AppResult<Page<PledgeRecord>> {
    let limit = page.limit()?;
    let postgres = matches!(conn, DbConnection::Postgres(_));
    let words = filter.search_words();
    let drive = match (words, filter.sort) {
        (None, CatalogueSort::Relevance) => {
            return Err(AppError::InvalidQuery(
                "sort=relevance needs words to search for (q)".to_owned(),
            ))
        }
        (Some(_), CatalogueSort::Relevance) => Drive::Relevance,
        (Some(_), CatalogueSort::Newest) if postgres => Drive::PostgresSearch,
        (Some(_), CatalogueSort::Newest) => Drive::SqliteSearch,
        (None, CatalogueSort::Newest) if filter.facets().is_empty() => Drive::Pledges,
        (None, CatalogueSort::Newest) => Drive::Facet,
    };
    let mut facets = filter.facets();
    let cursor = page.cursor(if drive == Drive::Relevance { 2 } else { 1 })?;
    let mut sql = Statement::new(conn);
    match drive {
        Drive::Pledges | Drive::PostgresSearch => {
            sql.sql(
                "SELECT p.id AS id, CAST(0 AS BIGINT) AS pos, CAST(0 AS DOUBLE PRECISION) AS score \
                 FROM pledges p WHERE 1 = 1",
            );
            if let Some(words) = words {
                sql.sql(" AND p.search_vector @@ plainto_tsquery('simple', unaccent(")
                    .bind(words)
                    .sql("))");
            }
            narrow(&mut sql, viewer, filter, &facets, "p.id", "p.status");
            if let Some([last]) = cursor.as_deref() {
                sql.sql(" AND p.id < ").bind(last.as_str());
            }
            sql.sql(" ORDER BY p.id DESC LIMIT ").bind(limit + 1);
        }
        Drive::Facet => {
            let (facet, value) = facets.remove(0);
            sql.sql(
                "SELECT d.pledge_id AS id, CAST(0 AS BIGINT) AS pos, \
                 CAST(0 AS DOUBLE PRECISION) AS score \
                 FROM pledge_facets d JOIN pledges p ON p.id = d.pledge_id WHERE d.facet = ",
            )
            .bind(facet.as_str())
            .sql(" AND d.value = ")
            .bind(value);
            narrow(&mut sql, viewer, filter, &facets, "d.pledge_id", "d.status");
            if let Some([last]) = cursor.as_deref() {
                sql.sql(" AND d.pledge_id < ").bind(last.as_str());
            }
            sql.sql(" ORDER BY d.pledge_id DESC LIMIT ").bind(limit + 1);
        }
        Drive::SqliteSearch => {
            sql.sql(
                "SELECT p.id AS id, s.rowid AS pos, CAST(0 AS DOUBLE PRECISION) AS score \
                 FROM pledge_search s CROSS JOIN pledges p ON p.seq = s.rowid \
                 WHERE pledge_search MATCH ",
            )
            .bind(fts5_query(words.unwrap_or_default()));
            narrow(&mut sql, viewer, filter, &facets, "p.id", "p.status");
            if let Some([last]) = cursor.as_deref() {
                let last: i64 = last.parse().map_err(|_| bad_cursor())?;
                sql.sql(" AND s.rowid < ").bind(last);
            }
            sql.sql(" ORDER BY s.rowid DESC LIMIT ").bind(limit + 1);
        }
        Drive::Relevance => {
            let words = words.unwrap_or_default();
            if postgres {
                sql.sql(
                    "WITH hits AS MATERIALIZED (SELECT p.id AS id, CAST(0 AS BIGINT) AS pos, \
                     CAST(ts_rank(p.search_vector, query) AS DOUBLE PRECISION) AS score \
                     FROM pledges p, plainto_tsquery('simple', unaccent(",
                )
                .bind(words)
                .sql(")) query WHERE p.search_vector @@ query");
            } else {
                sql.sql(&format!(
                    "WITH hits AS MATERIALIZED (SELECT p.id AS id, s.rowid AS pos, \
                     -bm25(pledge_search, {BM25_WEIGHTS}) AS score \
                     FROM pledge_search s CROSS JOIN pledges p ON p.seq = s.rowid \
                     WHERE pledge_search MATCH "
                ))
                .bind(fts5_query(words));
            }
            narrow(&mut sql, viewer, filter, &facets, "p.id", "p.status");
            sql.sql(") SELECT id, pos, score FROM hits");
            let key = if postgres { "id" } else { "pos" };
            if let Some([score, last]) = cursor.as_deref() {
                let score: f64 = score.parse().map_err(|_| bad_cursor())?;
                sql.sql(" WHERE score < ")
                    .bind(score)
                    .sql(" OR (score = ")
                    .bind(score)
                    .sql(&format!(" AND {key} < "));
                if postgres {
                    sql.bind(last.as_str());
                } else {
                    sql.bind(last.parse::<i64>().map_err(|_| bad_cursor())?);
                }
                sql.sql(")");
            }
            sql.sql(&format!(" ORDER BY score DESC, {key} DESC LIMIT "))
                .bind(limit + 1);
        }
    }
    let hits: Vec<Hit> = sql.load(conn)?;
    let page = Page::from_overfetch(hits, limit, |hit| match drive {
        Drive::Pledges | Drive::Facet | Drive::PostgresSearch => vec![hit.id.clone()],
        Drive::SqliteSearch => vec![hit.pos.to_string()],
        Drive::Relevance if postgres => vec![hit.score.to_string(), hit.id.clone()],
        Drive::Relevance => vec![hit.score.to_string(), hit.pos.to_string()],
    });
    let ids: Vec<&str> = page.items.iter().map(|h| h.id.as_str()).collect();
    let mut rows: HashMap<PledgeId, PledgeRow> = pledges::table
        .filter(pledges::id.eq_any(&ids))
        .select(PledgeRow::as_select())
        .load::<PledgeRow>(conn)?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    let ordered = page
        .items
        .iter()
        .filter_map(|h| rows.remove(&PledgeId::from(h.id.as_str())))
        .collect();
    Ok(Page {
        items: records(conn, ordered)?,
        next_cursor: page.next_cursor,
    })
}

/// Words as an FTS5 query that means only "all of these words": each is quoted (a quote in it
/// doubled), so no character of the input is taken as FTS5 syntax.
fn fts5_query(words: &str) -> String {
    words
        .split_whitespace()
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" ")
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
                pledge_facets::table
                    .filter(pledge_facets::facet.eq(Facet::Track.as_str()))
                    .filter(pledge_facets::value.eq_any(scope.to_vec()))
                    .select(pledge_facets::pledge_id),
            ),
        );
    }
    if let Some(track) = track {
        query = query.filter(
            pledges::id.eq_any(
                pledge_facets::table
                    .filter(pledge_facets::facet.eq(Facet::Track.as_str()))
                    .filter(pledge_facets::value.eq(track.to_owned()))
                    .select(pledge_facets::pledge_id),
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
    /// What the step changed in the pledge, field by field (an amendment's steps); else empty.
    pub changes: Vec<FieldChange>,
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
        Option<String>,
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
            pledge_events::changes,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(
            |(event_id, action, from, to, actor_role, actor_name, reason, version, at, changes)| {
                Ok(StoredEvent {
                    changes: match changes {
                        Some(json) => parse_stored_json("pledge_events", &event_id, &json)?,
                        None => Vec::new(),
                    },
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
