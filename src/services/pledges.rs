//! Pledges: creation (idempotent), editing, the moderation workflow with its audit trail and
//! emails, the public catalogue and the moderation queue.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    db::{
        counters::{counted_change, Affected},
        new_id, now,
        schema::{
            countries, focus_areas, moderator_tracks, organisations, pillars, pledge_countries,
            pledge_events, pledge_focus_areas, pledge_sdgs, pledge_tracks, pledges,
            progress_reports, tracks, users,
        },
        write_tx, DbConnection,
    },
    domain::actor::Actor,
    domain::ids::{OrganisationId, PledgeId, UserId},
    domain::{
        account::PlatformRole,
        counters::{Contribution, PledgeFacts},
        pledge::{validate, Contact, PledgeChanges, PledgeInput, ValidPledge, Value, Vocabulary},
        workflow::{self, Action, PledgeContext, Refusal, Standing, Status},
    },
    email::Links,
    email::{
        enqueue,
        templates::{PledgeDecision, PledgeSubmitted},
    },
    error::{AppError, AppResult},
    pagination::{Page, PageParams},
    services::idempotency,
};

/// A pledge row as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pledges)]
pub struct PledgeRow {
    pub id: PledgeId,
    pub organisation_id: OrganisationId,
    pub created_by: UserId,
    pub status: String,
    pub version: i32,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub pledge_type: String,
    pub value_currency: Option<String>,
    pub value_amount_minor: Option<i64>,
    pub value_usd: Option<i64>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub targets_global: bool,
    pub ldc: bool,
    pub lldc: bool,
    pub sids: bool,
    pub pillars: String,
    pub regions: String,
    pub beneficiary_groups: String,
    pub partners: String,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub search_text: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub submitted_at: Option<NaiveDateTime>,
    pub published_at: Option<NaiveDateTime>,
}

impl PledgeRow {
    pub fn status(&self) -> Status {
        self.status.parse().unwrap_or(Status::Draft)
    }
}

/// The pledging organisation, as shown with a pledge.
#[derive(Debug, Clone, Serialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = organisations)]
pub struct OrganisationSummary {
    pub id: OrganisationId,
    pub name: String,
    pub kind: String,
    pub country: String,
    pub verified: bool,
}

/// A pledge with its organisation and tags, as loaded for display or for a decision.
#[derive(Debug, Clone)]
pub struct PledgeRecord {
    pub row: PledgeRow,
    pub organisation: OrganisationSummary,
    /// Whole USD disbursed so far: the sum of the pledge's yearly progress reports.
    pub usd_disbursed: i64,
    pub tracks: Vec<String>,
    pub sdgs: Vec<i32>,
    pub focus_areas: Vec<String>,
    pub countries: Vec<String>,
}

fn json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

impl PledgeRecord {
    /// The pledge as input, for merging a `PATCH` over it.
    fn to_input(&self) -> PledgeInput {
        let r = &self.row;
        PledgeInput {
            title: r.title.clone(),
            summary: r.summary.clone(),
            description: r.description.clone(),
            pledge_type: r.pledge_type.clone(),
            focus_areas: self.focus_areas.clone(),
            pillars: json_list(&r.pillars),
            sdgs: self.sdgs.iter().map(|&n| i64::from(n)).collect(),
            tracks: self.tracks.clone(),
            countries: self.countries.clone(),
            regions: json_list(&r.regions),
            global: r.targets_global,
            beneficiary_groups: json_list(&r.beneficiary_groups),
            value: self.value(),
            start_date: r.start_date,
            end_date: r.end_date,
            partners: json_list(&r.partners),
            contact: self.contact(),
        }
    }

    fn contact(&self) -> Option<Contact> {
        match (&self.row.contact_name, &self.row.contact_email) {
            (Some(name), Some(email)) => Some(Contact {
                name: name.clone(),
                email: email.clone(),
            }),
            _ => None,
        }
    }

    fn value(&self) -> Option<Value> {
        let r = &self.row;
        match (&r.value_currency, r.value_amount_minor, r.value_usd) {
            (Some(currency), Some(amount_minor), Some(usd)) => Some(Value {
                currency: currency.clone(),
                amount_minor,
                usd,
            }),
            _ => None,
        }
    }

    /// What this pledge contributes to the live counters in its current state.
    pub fn facts(&self) -> PledgeFacts {
        PledgeFacts {
            id: self.row.id.to_string(),
            organisation_id: self.organisation.id.to_string(),
            organisation_kind: self.organisation.kind.clone(),
            pledge_type: self.row.pledge_type.clone(),
            usd: self.row.value_usd.unwrap_or(0),
            usd_disbursed: self.usd_disbursed,
            sdgs: self.sdgs.clone(),
            focus_areas: self.focus_areas.clone(),
            countries: self.countries.clone(),
            targets_ldc: self.row.ldc,
            tracks: self.tracks.clone(),
            published_on: self.row.published_at.map(|t| t.date()),
        }
    }

    pub fn contribution(&self) -> Option<(PledgeFacts, Contribution)> {
        Contribution::for_status(&self.row.status).map(|c| (self.facts(), c))
    }
}

/// A pledge as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PledgeView {
    pub id: PledgeId,
    /// `draft`, `submitted`, `changes_requested`, `published`, `rejected` or `withdrawn`.
    pub status: String,
    /// Increases with every change; send it back in `If-Match` (it is also the `ETag`).
    pub version: i32,
    #[schema(value_type = Object)]
    pub organisation: serde_json::Value,
    pub title: String,
    pub summary: String,
    pub description: String,
    #[serde(rename = "type")]
    pub pledge_type: String,
    pub focus_areas: Vec<String>,
    pub pillars: Vec<String>,
    pub sdgs: Vec<i32>,
    pub tracks: Vec<String>,
    pub countries: Vec<String>,
    pub regions: Vec<String>,
    pub global: bool,
    /// Derived: at least one target country is a least developed country.
    pub ldc: bool,
    /// Derived: at least one target country is a landlocked developing country.
    pub lldc: bool,
    /// Derived: at least one target country is a small island developing State.
    pub sids: bool,
    pub beneficiary_groups: Vec<String>,
    pub value: Option<Value>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub partners: Vec<String>,
    /// Whole US dollars disbursed so far, from the yearly progress reports.
    pub usd_disbursed: i64,
    /// Shown to the pledging organisation and staff only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub submitted_at: Option<NaiveDateTime>,
    pub published_at: Option<NaiveDateTime>,
}

/// Whether `viewer` may see the pledge at all: published ones are public; others belong to
/// their organisation and the staff.
fn may_view(row: &PledgeRow, viewer: Option<&Actor>) -> bool {
    row.status() == Status::Published
        || viewer.is_some_and(|v| v.role.is_staff() || v.belongs_to(&row.organisation_id))
}

/// Whether `viewer` sees everything (contact, full history): its organisation and the staff.
fn is_insider(row: &PledgeRow, viewer: Option<&Actor>) -> bool {
    viewer.is_some_and(|v| v.role.is_staff() || v.belongs_to(&row.organisation_id))
}

fn view(record: PledgeRecord, viewer: Option<&Actor>) -> PledgeView {
    let insider = is_insider(&record.row, viewer);
    let value = record.value();
    let contact = if insider { record.contact() } else { None };
    let r = record.row;
    PledgeView {
        status: r.status,
        version: r.version,
        organisation: serde_json::to_value(&record.organisation).unwrap_or_default(),
        pillars: json_list(&r.pillars),
        regions: json_list(&r.regions),
        beneficiary_groups: json_list(&r.beneficiary_groups),
        partners: json_list(&r.partners),
        id: r.id,
        title: r.title,
        summary: r.summary,
        description: r.description,
        pledge_type: r.pledge_type,
        focus_areas: record.focus_areas,
        sdgs: record.sdgs,
        tracks: record.tracks,
        countries: record.countries,
        global: r.targets_global,
        ldc: r.ldc,
        lldc: r.lldc,
        sids: r.sids,
        value,
        usd_disbursed: record.usd_disbursed,
        start_date: r.start_date,
        end_date: r.end_date,
        contact,
        created_at: r.created_at,
        updated_at: r.updated_at,
        submitted_at: r.submitted_at,
        published_at: r.published_at,
    }
}

// ---------------------------------------------------------------------------------------------
// Loading

/// The reference data pledges are validated against.
pub fn load_vocabulary(conn: &mut DbConnection) -> AppResult<Vocabulary> {
    let countries: Vec<(String, Option<String>, bool, bool, bool)> = countries::table
        .select((
            countries::alpha3,
            countries::region,
            countries::ldc,
            countries::lldc,
            countries::sids,
        ))
        .load(conn)?;
    Ok(Vocabulary {
        tracks: tracks::table
            .select(tracks::slug)
            .load::<String>(conn)?
            .into_iter()
            .collect(),
        focus_areas: focus_areas::table
            .select(focus_areas::slug)
            .load::<String>(conn)?
            .into_iter()
            .collect(),
        pillars: pillars::table
            .select((pillars::slug, pillars::focus_area))
            .load::<(String, String)>(conn)?
            .into_iter()
            .collect(),
        regions: countries.iter().filter_map(|c| c.1.clone()).collect(),
        countries: countries
            .into_iter()
            .map(|(code, _, ldc, lldc, sids)| (code, (ldc, lldc, sids)))
            .collect(),
    })
}

/// Loads pledges with their organisations and tags, in the order of `rows`.
fn records(conn: &mut DbConnection, rows: Vec<PledgeRow>) -> AppResult<Vec<PledgeRecord>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let org_ids: HashSet<&OrganisationId> = rows.iter().map(|r| &r.organisation_id).collect();
    let orgs: HashMap<OrganisationId, OrganisationSummary> = organisations::table
        .filter(organisations::id.eq_any(org_ids))
        .select(OrganisationSummary::as_select())
        .load::<OrganisationSummary>(conn)?
        .into_iter()
        .map(|o| (o.id.clone(), o))
        .collect();
    fn group<T>(pairs: Vec<(PledgeId, T)>) -> HashMap<PledgeId, Vec<T>> {
        let mut map: HashMap<PledgeId, Vec<T>> = HashMap::new();
        for (id, value) in pairs {
            map.entry(id).or_default().push(value);
        }
        map
    }
    let mut track_map = group(
        pledge_tracks::table
            .filter(pledge_tracks::pledge_id.eq_any(&ids))
            .order((pledge_tracks::pledge_id, pledge_tracks::track))
            .select((pledge_tracks::pledge_id, pledge_tracks::track))
            .load::<(PledgeId, String)>(conn)?,
    );
    let mut sdg_map = group(
        pledge_sdgs::table
            .filter(pledge_sdgs::pledge_id.eq_any(&ids))
            .order((pledge_sdgs::pledge_id, pledge_sdgs::sdg))
            .select((pledge_sdgs::pledge_id, pledge_sdgs::sdg))
            .load::<(PledgeId, i32)>(conn)?,
    );
    let mut area_map = group(
        pledge_focus_areas::table
            .filter(pledge_focus_areas::pledge_id.eq_any(&ids))
            .order((
                pledge_focus_areas::pledge_id,
                pledge_focus_areas::focus_area,
            ))
            .select((
                pledge_focus_areas::pledge_id,
                pledge_focus_areas::focus_area,
            ))
            .load::<(PledgeId, String)>(conn)?,
    );
    let mut country_map = group(
        pledge_countries::table
            .filter(pledge_countries::pledge_id.eq_any(&ids))
            .order((pledge_countries::pledge_id, pledge_countries::country))
            .select((pledge_countries::pledge_id, pledge_countries::country))
            .load::<(PledgeId, String)>(conn)?,
    );
    let mut disbursed: HashMap<PledgeId, i64> = HashMap::new();
    for (id, usd) in progress_reports::table
        .filter(progress_reports::pledge_id.eq_any(&ids))
        .select((progress_reports::pledge_id, progress_reports::usd_disbursed))
        .load::<(PledgeId, i64)>(conn)?
    {
        *disbursed.entry(id).or_default() += usd;
    }
    rows.into_iter()
        .map(|row| {
            let organisation = orgs
                .get(&row.organisation_id)
                .cloned()
                .ok_or_else(|| AppError::internal("pledge without organisation"))?;
            Ok(PledgeRecord {
                usd_disbursed: disbursed.get(&row.id).copied().unwrap_or(0),
                organisation,
                tracks: track_map.remove(&row.id).unwrap_or_default(),
                sdgs: sdg_map.remove(&row.id).unwrap_or_default(),
                focus_areas: area_map.remove(&row.id).unwrap_or_default(),
                countries: country_map.remove(&row.id).unwrap_or_default(),
                row,
            })
        })
        .collect()
}

pub fn find_record(conn: &mut DbConnection, id: &PledgeId) -> AppResult<Option<PledgeRecord>> {
    let row = pledges::table
        .find(id)
        .select(PledgeRow::as_select())
        .first(conn)
        .optional()?;
    Ok(records(conn, row.into_iter().collect())?.pop())
}

/// The pledge if `viewer` may see it; `NotFound` otherwise, as if it did not exist.
pub(crate) fn visible_record(
    conn: &mut DbConnection,
    id: &PledgeId,
    viewer: Option<&Actor>,
) -> AppResult<PledgeRecord> {
    find_record(conn, id)?
        .filter(|r| may_view(&r.row, viewer))
        .ok_or(AppError::NotFound("pledge"))
}

pub fn get(
    conn: &mut DbConnection,
    id: &PledgeId,
    viewer: Option<&Actor>,
) -> AppResult<PledgeView> {
    Ok(view(visible_record(conn, id, viewer)?, viewer))
}

// ---------------------------------------------------------------------------------------------
// Writing

fn to_json(list: &[String]) -> String {
    serde_json::to_string(list).expect("strings serialise")
}

/// Writes the pledge's columns and tag rows from a validated pledge.
fn store(conn: &mut DbConnection, id: &PledgeId, valid: &ValidPledge) -> AppResult<()> {
    diesel::update(pledges::table.find(id))
        .set((
            pledges::title.eq(&valid.title),
            pledges::summary.eq(&valid.summary),
            pledges::description.eq(&valid.description),
            pledges::pledge_type.eq(valid.pledge_type.as_str()),
            pledges::value_currency.eq(valid.value.as_ref().map(|v| v.currency.clone())),
            pledges::value_amount_minor.eq(valid.value.as_ref().map(|v| v.amount_minor)),
            pledges::value_usd.eq(valid.value.as_ref().map(|v| v.usd)),
            pledges::start_date.eq(valid.start_date),
            pledges::end_date.eq(valid.end_date),
            pledges::targets_global.eq(valid.global),
            pledges::ldc.eq(valid.ldc),
            pledges::lldc.eq(valid.lldc),
            pledges::sids.eq(valid.sids),
            pledges::pillars.eq(to_json(&valid.pillars)),
            pledges::regions.eq(to_json(&valid.regions)),
            pledges::beneficiary_groups.eq(to_json(&valid.beneficiary_groups)),
            pledges::partners.eq(to_json(&valid.partners)),
            pledges::contact_name.eq(valid.contact.as_ref().map(|c| c.name.clone())),
            pledges::contact_email.eq(valid.contact.as_ref().map(|c| c.email.clone())),
            pledges::search_text.eq(valid.search_text()),
        ))
        .execute(conn)?;
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
                pledge_focus_areas::focus_area.eq(area),
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
pub(crate) struct Event<'a> {
    pub action: &'a str,
    pub from: Option<Status>,
    pub to: Status,
    pub reason: Option<&'a str>,
    pub version: i32,
}

/// Appends one audit event.
pub(crate) fn record_event(
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
fn insert_new(
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
            pledges::title.eq(""),
            pledges::summary.eq(""),
            pledges::description.eq(""),
            pledges::pledge_type.eq(valid.pledge_type.as_str()),
            pledges::search_text.eq(""),
            pledges::created_at.eq(at),
            pledges::updated_at.eq(at),
        ))
        .execute(conn)?;
    store(conn, &id, valid)?;
    Ok(id)
}

/// Creates a draft for the actor's organisation. With an idempotency key, the answer is
/// recorded in the same transaction, so a retry replays it instead of creating another pledge.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &PledgeInput,
    idempotency_key: Option<&str>,
) -> AppResult<PledgeView> {
    let organisation_id = actor.organisation_id.clone().ok_or_else(|| {
        AppError::Denied(
            "no_organisation",
            "only members of an organisation register pledges".to_owned(),
        )
    })?;
    let vocabulary = load_vocabulary(conn)?;
    let valid = validate(input, &vocabulary)?;
    write_tx(conn, |conn| {
        let id = insert_new(
            conn,
            &organisation_id,
            &actor.id,
            &valid,
            Status::Draft,
            now(),
        )?;
        record_event(
            conn,
            &id,
            actor,
            Event {
                action: "create",
                from: None,
                to: Status::Draft,
                reason: None,
                version: 1,
            },
        )?;
        let record = find_record(conn, &id)?.ok_or(AppError::NotFound("pledge"))?;
        let created = view(record, Some(actor));
        if let Some(key) = idempotency_key {
            idempotency::complete(
                conn,
                &actor.id,
                key,
                201,
                &serde_json::to_string(&created).expect("serialises"),
            )?;
        }
        Ok(created)
    })
}

/// Checks `If-Match` against the current version.
fn check_version(row: &PledgeRow, expected: Option<i32>, required: bool) -> AppResult<()> {
    match expected {
        None if required => Err(AppError::PreconditionRequired),
        Some(v) if v != row.version => Err(AppError::PreconditionFailed),
        _ => Ok(()),
    }
}

/// Moves the version on, guarded by the version read: a concurrent writer makes this fail.
fn bump_version(conn: &mut DbConnection, row: &PledgeRow) -> AppResult<i32> {
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

fn refusal(refusal: Refusal) -> AppError {
    match refusal {
        Refusal::InvalidTransition => {
            AppError::Conflict(refusal.code(), refusal.message().to_owned())
        }
        Refusal::ReasonRequired => AppError::field("reason", "required", refusal.message()),
        other => AppError::Denied(other.code(), other.message().to_owned()),
    }
}

fn moderation_scope(conn: &mut DbConnection, user_id: &UserId) -> AppResult<Vec<String>> {
    Ok(moderator_tracks::table
        .filter(moderator_tracks::user_id.eq(user_id))
        .select(moderator_tracks::track)
        .load(conn)?)
}

/// Asks the workflow whether `actor` may do `action` to `record`.
fn decide(
    conn: &mut DbConnection,
    record: &PledgeRecord,
    actor: &Actor,
    action: Action,
    reason: Option<&str>,
) -> AppResult<workflow::Transition> {
    let scope = if actor.role == PlatformRole::Moderator {
        moderation_scope(conn, &actor.id)?
    } else {
        Vec::new()
    };
    let context = PledgeContext {
        status: record.row.status(),
        organisation_verified: record.organisation.verified,
        tracks: &record.tracks,
    };
    let who = Standing {
        role: actor.role,
        in_owning_organisation: actor.belongs_to(&record.row.organisation_id),
        email_verified: actor.email_verified,
        moderation_scope: &scope,
    };
    workflow::decide(action, &context, &who, reason).map_err(refusal)
}

/// Edits a draft or a pledge sent back for changes (its organisation only).
pub fn update(
    conn: &mut DbConnection,
    id: &PledgeId,
    actor: &Actor,
    expected_version: Option<i32>,
    changes: PledgeChanges,
) -> AppResult<PledgeView> {
    let vocabulary = load_vocabulary(conn)?;
    counted_change(conn, Affected::pledge(id), |conn| {
        let record = visible_record(conn, id, Some(actor))?;
        decide(conn, &record, actor, Action::Edit, None)?;
        check_version(&record.row, expected_version, true)?;
        let valid = validate(&changes.apply_to(record.to_input()), &vocabulary)?;
        let version = bump_version(conn, &record.row)?;
        store(conn, id, &valid)?;
        let status = record.row.status();
        record_event(
            conn,
            id,
            actor,
            Event {
                action: Action::Edit.as_str(),
                from: Some(status),
                to: status,
                reason: None,
                version,
            },
        )?;
        let updated = find_record(conn, id)?.ok_or(AppError::NotFound("pledge"))?;
        Ok(view(updated, Some(actor)))
    })
}

/// Submit, withdraw or a moderator's decision. Decisions need `If-Match`; every step is written
/// to the audit trail and announced by email in the same transaction.
pub fn transition(
    conn: &mut DbConnection,
    id: &PledgeId,
    actor: &Actor,
    action: Action,
    expected_version: Option<i32>,
    reason: Option<&str>,
    links: &Links,
) -> AppResult<PledgeView> {
    let reason = workflow::clean_reason(reason);
    counted_change(conn, Affected::pledge(id), |conn| {
        let record = visible_record(conn, id, Some(actor))?;
        let step = decide(conn, &record, actor, action, reason)?;
        check_version(&record.row, expected_version, action.is_decision())?;
        let version = bump_version(conn, &record.row)?;
        let at = now();
        let target = pledges::table.find(id);
        diesel::update(target)
            .set(pledges::status.eq(step.to.as_str()))
            .execute(conn)?;
        match step.to {
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
        record_event(
            conn,
            id,
            actor,
            Event {
                action: action.as_str(),
                from: Some(step.from),
                to: step.to,
                reason,
                version,
            },
        )?;
        let updated = find_record(conn, id)?.ok_or(AppError::NotFound("pledge"))?;
        announce(conn, &updated, action, reason, links)?;
        Ok(view(updated, Some(actor)))
    })
}

/// Queues the emails a step causes: moderators hear of submissions, the organisation of
/// decisions.
fn announce(
    conn: &mut DbConnection,
    record: &PledgeRecord,
    action: Action,
    reason: Option<&str>,
    links: &Links,
) -> AppResult<()> {
    let link = format!("{}/api/v1/pledges/{}", links.public_url, record.row.id);
    match action {
        Action::Submit => {
            let moderators: Vec<(String, String, Option<String>)> = users::table
                .filter(users::role.eq(PlatformRole::Moderator.as_str()))
                .filter(users::disabled.eq(false))
                .select((users::id, users::email, users::organisation_id))
                .load(conn)?;
            let scopes: Vec<(String, String)> = moderator_tracks::table
                .select((moderator_tracks::user_id, moderator_tracks::track))
                .load(conn)?;
            let message = PledgeSubmitted {
                public_url: links.public_url.clone(),
                title: record.row.title.clone(),
                organisation: record.organisation.name.clone(),
                tracks: if record.tracks.is_empty() {
                    "none".to_owned()
                } else {
                    record.tracks.join(", ")
                },
                link: format!("{}/api/v1/moderation/queue", links.public_url),
            };
            for (id, email, organisation) in moderators {
                let scope: Vec<&String> = scopes
                    .iter()
                    .filter(|(u, _)| *u == id)
                    .map(|(_, t)| t)
                    .collect();
                let concerned =
                    scope.is_empty() || record.tracks.iter().any(|t| scope.contains(&t));
                // A moderator never decides their own organisation's pledges: no need to ask.
                let own = organisation.as_deref() == Some(record.organisation.id.as_str());
                if concerned && !own {
                    enqueue(conn, &message.render(&email)?)?;
                }
            }
        }
        Action::Approve | Action::RequestChanges | Action::Reject => {
            let decision = match action {
                Action::Approve => "approved",
                Action::RequestChanges => "changes requested",
                _ => "rejected",
            };
            let members: Vec<String> = users::table
                .filter(users::organisation_id.eq(&record.organisation.id))
                .filter(users::disabled.eq(false))
                .select(users::email)
                .load(conn)?;
            let message = PledgeDecision {
                public_url: links.public_url.clone(),
                title: record.row.title.clone(),
                decision: decision.to_owned(),
                reason: reason.unwrap_or_default().to_owned(),
                link,
            };
            for email in members {
                enqueue(conn, &message.render(&email)?)?;
            }
        }
        Action::Edit | Action::Withdraw => {}
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// History

/// One step in a pledge's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryEvent {
    /// `create`, `edit`, `submit`, `approve`, `request_changes`, `reject` or `withdraw`.
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    /// The role the actor acted in (`pledger`, `moderator`, `admin`, ...).
    pub actor_role: String,
    /// Who acted and why: shown to the organisation and staff only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub version: i32,
    pub at: NaiveDateTime,
}

/// The audit trail: public for published pledges (what happened and when), complete for the
/// organisation and staff (who, and the reasons given).
pub fn history(
    conn: &mut DbConnection,
    id: &PledgeId,
    viewer: Option<&Actor>,
) -> AppResult<Vec<HistoryEvent>> {
    let record = visible_record(conn, id, viewer)?;
    let insider = is_insider(&record.row, viewer);
    #[derive(Queryable)]
    struct Row {
        action: String,
        from_status: Option<String>,
        to_status: String,
        actor_role: String,
        actor: String,
        reason: Option<String>,
        version: i32,
        at: NaiveDateTime,
    }
    let rows: Vec<Row> = pledge_events::table
        .inner_join(users::table)
        .filter(pledge_events::pledge_id.eq(id))
        .order(pledge_events::id.asc())
        .select((
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
    Ok(rows
        .into_iter()
        .map(|r| HistoryEvent {
            action: r.action,
            from_status: r.from_status,
            to_status: r.to_status,
            actor_role: r.actor_role,
            actor: insider.then_some(r.actor),
            reason: if insider { r.reason } else { None },
            version: r.version,
            at: r.at,
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// The catalogue

/// Filters for `GET /pledges` and the exports; all optional, combined with AND.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PledgeFilter {
    /// Track slug.
    pub track: Option<String>,
    /// SDG number, 1 to 17.
    pub sdg: Option<i32>,
    /// Focus area slug.
    pub focus_area: Option<String>,
    /// `financial`, `policy`, `programmatic` or `advocacy`.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub pledge_type: Option<String>,
    /// Target country, ISO 3166-1 alpha-3.
    pub country: Option<String>,
    /// Only pledges targeting least developed countries (or only others).
    pub ldc: Option<bool>,
    /// Organisation id.
    pub organisation: Option<String>,
    /// Organisation kind, e.g. `government`.
    pub organisation_kind: Option<String>,
    /// Words to find in the title, summary or description.
    pub q: Option<String>,
    /// Status; the public only ever sees `published` pledges.
    pub status: Option<String>,
    /// Items per page, 1 to 100 (default 50).
    pub limit: Option<i64>,
    /// Opaque position from the previous page.
    pub cursor: Option<String>,
}

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

/// The catalogue: published pledges for the public, plus its own for an organisation, all for
/// staff; newest first, a page at a time (stable while pledges are added).
pub fn list(
    conn: &mut DbConnection,
    viewer: Option<&Actor>,
    filter: &PledgeFilter,
) -> AppResult<Page<PledgeView>> {
    let page = PageParams {
        limit: filter.limit,
        cursor: filter.cursor.clone(),
    };
    let limit = page.limit()?;
    let mut query = pledges::table.select(PledgeRow::as_select()).into_boxed();
    match viewer {
        Some(v) if v.role.is_staff() => {}
        Some(Actor {
            organisation_id: Some(own),
            ..
        }) => {
            query = query.filter(
                pledges::status
                    .eq(Status::Published.as_str())
                    .or(pledges::organisation_id.eq(own.clone())),
            );
        }
        _ => query = query.filter(pledges::status.eq(Status::Published.as_str())),
    }
    if let Some(status) = &filter.status {
        status.parse::<Status>().map_err(AppError::InvalidQuery)?;
        query = query.filter(pledges::status.eq(status.clone()));
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
        if !(1..=17).contains(&sdg) {
            return Err(AppError::InvalidQuery(
                "sdg must be between 1 and 17".to_owned(),
            ));
        }
        query = query.filter(
            pledges::id.eq_any(
                pledge_sdgs::table
                    .filter(pledge_sdgs::sdg.eq(sdg))
                    .select(pledge_sdgs::pledge_id),
            ),
        );
    }
    if let Some(area) = &filter.focus_area {
        query = query.filter(
            pledges::id.eq_any(
                pledge_focus_areas::table
                    .filter(pledge_focus_areas::focus_area.eq(area.clone()))
                    .select(pledge_focus_areas::pledge_id),
            ),
        );
    }
    if let Some(kind) = &filter.pledge_type {
        kind.parse::<crate::domain::pledge::PledgeType>()
            .map_err(AppError::InvalidQuery)?;
        query = query.filter(pledges::pledge_type.eq(kind.clone()));
    }
    if let Some(country) = &filter.country {
        let code = country.trim().to_uppercase();
        query = query.filter(
            pledges::id.eq_any(
                pledge_countries::table
                    .filter(pledge_countries::country.eq(code))
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
    if let Some(kind) = &filter.organisation_kind {
        kind.parse::<crate::domain::account::OrganisationKind>()
            .map_err(AppError::InvalidQuery)?;
        query = query.filter(
            pledges::organisation_id.eq_any(
                organisations::table
                    .filter(organisations::kind.eq(kind.clone()))
                    .select(organisations::id),
            ),
        );
    }
    if let Some(words) = filter.q.as_deref().filter(|q| !q.trim().is_empty()) {
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
    let items = records(conn, page.items)?
        .into_iter()
        .map(|r| view(r, viewer))
        .collect();
    Ok(Page {
        items,
        next_cursor: page.next_cursor,
    })
}

// ---------------------------------------------------------------------------------------------
// The moderation queue

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QueueFilter {
    /// Only pledges carrying this track.
    pub track: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueueItem {
    pub pledge: PledgeView,
    /// Seconds since the pledge was (last) submitted.
    pub waiting_seconds: i64,
}

/// Submitted pledges awaiting a decision, oldest first: for moderators (only their tracks, if
/// scoped) and admins; never their own organisation's.
pub fn queue(
    conn: &mut DbConnection,
    actor: &Actor,
    filter: &QueueFilter,
) -> AppResult<Page<QueueItem>> {
    if !actor.role.can_moderate() {
        return Err(AppError::Forbidden);
    }
    let page = PageParams {
        limit: filter.limit,
        cursor: filter.cursor.clone(),
    };
    let limit = page.limit()?;
    let mut query = pledges::table
        .filter(pledges::status.eq(Status::Submitted.as_str()))
        .select(PledgeRow::as_select())
        .into_boxed();
    if let Some(own) = &actor.organisation_id {
        query = query.filter(pledges::organisation_id.ne(own.clone()));
    }
    let scope = if actor.role == PlatformRole::Moderator {
        moderation_scope(conn, &actor.id)?
    } else {
        Vec::new()
    };
    if !scope.is_empty() {
        query = query.filter(
            pledges::id.eq_any(
                pledge_tracks::table
                    .filter(pledge_tracks::track.eq_any(scope))
                    .select(pledge_tracks::pledge_id),
            ),
        );
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
    if let Some([at, id]) = page.cursor(2)?.as_deref() {
        let at = NaiveDateTime::parse_from_str(at, "%Y-%m-%dT%H:%M:%S%.f").map_err(|_| {
            AppError::InvalidQuery("cursor is not one this service issued".to_owned())
        })?;
        query = query.filter(
            pledges::submitted_at
                .gt(at)
                .or(pledges::submitted_at.eq(at).and(pledges::id.gt(id.clone()))),
        );
    }
    let rows = query
        .order((pledges::submitted_at.asc(), pledges::id.asc()))
        .limit(limit + 1)
        .load(conn)?;
    let page = Page::from_overfetch(rows, limit, |r| {
        vec![
            r.submitted_at
                .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.f").to_string())
                .unwrap_or_default(),
            r.id.to_string(),
        ]
    });
    let at = now();
    let items = records(conn, page.items)?
        .into_iter()
        .map(|r| QueueItem {
            waiting_seconds: r
                .row
                .submitted_at
                .map(|s| (at - s).num_seconds().max(0))
                .unwrap_or(0),
            pledge: view(r, Some(actor)),
        })
        .collect();
    Ok(Page {
        items,
        next_cursor: page.next_cursor,
    })
}

/// Limits a moderator to some tracks (none: all tracks).
pub fn set_moderation_scope(
    conn: &mut DbConnection,
    user_id: &UserId,
    track_slugs: &[String],
) -> AppResult<()> {
    let known: HashSet<String> = tracks::table
        .select(tracks::slug)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let mut checks = crate::domain::account::FieldChecks::new();
    for (i, t) in track_slugs.iter().enumerate() {
        if !known.contains(t) {
            checks.push(crate::error::FieldError::new(
                format!("moderation_tracks[{i}]"),
                "unknown_value",
                format!("unknown track {t:?}"),
            ));
        }
    }
    checks.finish()?;
    diesel::delete(moderator_tracks::table.filter(moderator_tracks::user_id.eq(user_id)))
        .execute(conn)?;
    for track in track_slugs.iter().collect::<HashSet<_>>() {
        diesel::insert_into(moderator_tracks::table)
            .values((
                moderator_tracks::user_id.eq(user_id),
                moderator_tracks::track.eq(track),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// How `POST /pledges` answered.
pub enum Created {
    New(Box<PledgeView>),
    /// A repeat of a finished request with the same key: the first answer, verbatim.
    Replayed {
        status: u16,
        body: String,
    },
}

/// Creates a pledge, honouring an `Idempotency-Key` when one is given. `request` is the body as
/// received: the key is bound to it.
pub fn create_idempotent(
    conn: &mut DbConnection,
    actor: &Actor,
    request: &serde_json::Value,
    idempotency_key: Option<&str>,
) -> AppResult<Created> {
    let input: PledgeInput = serde_json::from_value(request.clone())
        .map_err(|e| AppError::MalformedJson(e.to_string()))?;
    let Some(key) = idempotency_key else {
        return create(conn, actor, &input, None).map(|v| Created::New(Box::new(v)));
    };
    // serde_json orders object keys, so equal bodies hash equally however their keys were sent.
    let hash = crate::auth::tokens::hash_secret(&request.to_string());
    match idempotency::begin(conn, &actor.id, key, &hash)? {
        idempotency::Begin::Replay { status, body } => Ok(Created::Replayed { status, body }),
        idempotency::Begin::Proceed => match create(conn, actor, &input, Some(key)) {
            Ok(view) => Ok(Created::New(Box::new(view))),
            Err(e) => {
                idempotency::abandon(conn, &actor.id, key)?;
                Err(e)
            }
        },
    }
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
