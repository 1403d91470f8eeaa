//! Pledges: creation (idempotent), editing, the moderation workflow with its audit trail and
//! emails, the public catalogue and the moderation queue.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    db::{
        now,
        pledges::{
            bump_version, find_record, insert_new, moderation_scope, record_event, records, store,
            visible_record, Event, OrganisationSummary, PledgeRecord, PledgeRow,
        },
        schema::{
            moderator_tracks, organisations, pledge_countries, pledge_events, pledge_focus_areas,
            pledge_sdgs, pledge_tracks, pledges, tracks, users,
        },
        write_tx, DbConnection,
    },
    domain::{
        account::PlatformRole,
        actor::Actor,
        counters::{Contribution, PledgeFacts},
        ids::{PledgeId, UserId},
        pledge::{is_insider, validate, PledgeChanges, PledgeInput, ValidPledge},
        workflow::{self, Action, PledgeContext, Standing, Status},
    },
    email::{
        enqueue,
        templates::{PledgeDecision, PledgeSubmitted},
        Links,
    },
    error::{AppError, AppResult},
    pagination::{Page, PageParams},
    services::{idempotency, stats},
};

/// A pledge as the API shows it: its content as validated, with its place in the workflow.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PledgeView {
    pub id: PledgeId,
    pub status: Status,
    /// Increases with every change; send it back in `If-Match` (it is also the `ETag`).
    pub version: i32,
    pub organisation: OrganisationSummary,
    #[serde(flatten)]
    pub content: ValidPledge,
    /// Whole US dollars disbursed so far, from the yearly progress reports.
    pub usd_disbursed: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub submitted_at: Option<NaiveDateTime>,
    pub published_at: Option<NaiveDateTime>,
}

fn view(record: PledgeRecord, viewer: Option<&Actor>) -> PledgeView {
    let insider = is_insider(&record.row.organisation_id, viewer);
    let mut content = record.content;
    if !insider {
        content.contact = None;
    }
    let r = record.row;
    PledgeView {
        id: r.id,
        status: record.status,
        version: r.version,
        organisation: record.organisation,
        content,
        usd_disbursed: record.usd_disbursed,
        created_at: r.created_at,
        updated_at: r.updated_at,
        submitted_at: r.submitted_at,
        published_at: r.published_at,
    }
}

// ---------------------------------------------------------------------------------------------
// Loading

pub fn get(
    conn: &mut DbConnection,
    id: &PledgeId,
    viewer: Option<&Actor>,
) -> AppResult<PledgeView> {
    Ok(view(visible_record(conn, id, viewer)?, viewer))
}

// ---------------------------------------------------------------------------------------------
// Writing

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
    let vocabulary = crate::db::pledges::load_vocabulary(conn)?;
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
        status: record.status,
        organisation_verified: record.organisation.verified,
        tracks: &record.content.tracks,
    };
    let who = Standing {
        role: actor.role,
        in_owning_organisation: actor.belongs_to(&record.row.organisation_id),
        email_verified: actor.email_verified,
        moderation_scope: &scope,
    };
    Ok(workflow::decide(action, &context, &who, reason)?)
}

/// Edits a draft or a pledge sent back for changes (its organisation only).
pub fn update(
    conn: &mut DbConnection,
    id: &PledgeId,
    actor: &Actor,
    expected_version: Option<i32>,
    changes: PledgeChanges,
) -> AppResult<PledgeView> {
    let vocabulary = crate::db::pledges::load_vocabulary(conn)?;
    write_tx(conn, |conn| {
        let record = visible_record(conn, id, Some(actor))?;
        decide(conn, &record, actor, Action::Edit, None)?;
        check_version(&record.row, expected_version, true)?;
        let valid = validate(&changes.apply_to(record.content.to_input()), &vocabulary)?;
        let version = bump_version(conn, &record.row)?;
        store(conn, id, &valid)?;
        let status = record.status;
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
        stats::record_change(conn, record.contribution(), updated.contribution())?;
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
    write_tx(conn, |conn| {
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
        stats::record_change(conn, record.contribution(), updated.contribution())?;
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
                tracks: if record.content.tracks.is_empty() {
                    "none".to_owned()
                } else {
                    record.content.tracks.join(", ")
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
                    scope.is_empty() || record.content.tracks.iter().any(|t| scope.contains(&t));
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
    let insider = is_insider(&record.row.organisation_id, viewer);
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

/// What every pledge that counts contributes now (published and pending ones), for a recount.
pub fn counted_facts(conn: &mut DbConnection) -> AppResult<Vec<(PledgeFacts, Contribution)>> {
    let counted = [
        Status::Submitted,
        Status::ChangesRequested,
        Status::Published,
    ]
    .map(|s| s.as_str());
    let mut out = Vec::new();
    let mut after: Option<PledgeId> = None;
    // In batches, so memory stays bounded however many pledges there are.
    loop {
        let mut query = pledges::table
            .filter(pledges::status.eq_any(counted))
            .select(PledgeRow::as_select())
            .into_boxed();
        if let Some(last) = &after {
            query = query.filter(pledges::id.gt(last.clone()));
        }
        let rows = query.order(pledges::id.asc()).limit(500).load(conn)?;
        let Some(last) = rows.last().map(|r| r.id.clone()) else {
            break;
        };
        out.extend(
            records(conn, rows)?
                .iter()
                .filter_map(PledgeRecord::contribution),
        );
        after = Some(last);
    }
    Ok(out)
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
