//! Pledges: creation (idempotent), editing, the moderation workflow with its audit trail and
//! emails, the public catalogue (and its exports) and the moderation queue.

pub mod entered;
pub mod export;
pub mod reveals;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    cache::Vocabularies,
    db::idempotency::{self, IdempotencyKey},
    db::{
        counters::{counted_change, Affected},
        notify::{active_moderators, member_emails},
        now,
        pledges::{
            bump_version, catalogue, check_version, events, find_record, insert_new,
            moderation_queue, record_change_event, record_event, set_reveal_at, set_status, store,
            visible_record, Event, OrganisationSummary, PledgeRecord,
        },
        users::scope_of,
        write_tx, Database, DbConnection,
    },
    domain::language::Language,
    domain::{
        account::PlatformRole,
        actor::Actor,
        amendment::{visible_changes, FieldChange},
        ids::{PledgeId, UserId},
        pledge::{is_insider, CatalogueFilter, PledgeChanges, PledgeInput, ValidPledge},
        progress::Light,
        reveal::{self, RevealAt},
        workflow::{self, Action, Standing, Status},
    },
    email::{
        send,
        templates::{PledgeDecision, PledgeSubmitted},
        Links,
    },
    error::{AppError, AppResult},
    pagination::{Page, PageParams},
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
    /// Whole US dollars disbursed so far, from the accepted yearly progress reports.
    pub usd_disbursed: i64,
    /// How the pledge is doing, from its deliverables, accepted reports and the date (the rule
    /// is documented with `PledgeLight`); none before publication.
    pub light: Option<Light>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    /// When it was withdrawn (a pledge withdrawn after publication stays public).
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// `false` while a pledge entered by the secretariat on the organisation's behalf is not
    /// yet confirmed by the organisation; `true` for every other pledge.
    pub confirmed: bool,
    /// Who entered it on the organisation's behalf (shown to the organisation and staff).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entered_by: Option<UserId>,
    /// Where a pledge entered on the organisation's behalf was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "announced in plenary, LDC5, 6 March")]
    pub source: Option<String>,
    /// When the organisation confirmed a pledge entered on its behalf.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmed_at: Option<DateTime<Utc>>,
    /// The moment the pledge is to become public: set on a pledge awaiting its decision
    /// (its approval keeps it) or approved and `scheduled`; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reveal_at: Option<DateTime<Utc>>,
    /// The language `title` and `summary` are shown in: a translation into the language asked
    /// for, or the pledge's own (`language`).
    pub shown_language: Language,
}

impl PledgeView {
    /// The pledge with its title and summary in `language` when it has them in it.
    pub fn in_language(mut self, language: Language) -> Self {
        let (title, summary, shown) = self.content.text_in(language);
        let (title, summary) = (title.to_owned(), summary.to_owned());
        self.content.title = title;
        self.content.summary = summary;
        self.shown_language = shown;
        self
    }
}

pub(crate) fn view(record: PledgeRecord, viewer: Option<&Actor>) -> PledgeView {
    let insider = is_insider(&record.row.organisation_id, viewer);
    let light = record.light(now().date());
    let mut content = record.content;
    if !insider {
        content.contact = None;
    }
    let r = record.row;
    PledgeView {
        light,
        id: r.id,
        status: record.status,
        version: r.version,
        organisation: record.organisation,
        shown_language: content.language,
        content,
        usd_disbursed: record.usd_disbursed,
        created_at: r.created_at.and_utc(),
        updated_at: r.updated_at.and_utc(),
        submitted_at: r.submitted_at.map(|t| t.and_utc()),
        published_at: r.published_at.map(|t| t.and_utc()),
        withdrawn_at: r.withdrawn_at.map(|t| t.and_utc()),
        confirmed: r.entered_by.is_none() || r.confirmed_at.is_some(),
        entered_by: r.entered_by.filter(|_| insider),
        source: r.source,
        confirmed_at: r.confirmed_at.map(|t| t.and_utc()),
        reveal_at: r.reveal_at.map(|t| t.and_utc()),
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

/// How `POST /pledges` answered.
pub enum Created {
    New(Box<PledgeView>),
    /// A repeat of a finished request with the same key: the first answer, verbatim.
    Replayed(String),
}

impl Created {
    /// The pledge made by this request; `None` for a replay.
    pub fn pledge(self) -> Option<PledgeView> {
        match self {
            Created::New(view) => Some(*view),
            Created::Replayed(_) => None,
        }
    }
}

/// Checks a pledge body against the vocabulary held in memory; when that copy is missing or
/// does not know a value the body names, the vocabulary is reloaded first (on a read
/// connection), so that a track added a moment ago on any instance is accepted.
pub async fn check(
    db: &Database,
    vocabularies: &Arc<Vocabularies>,
    input: PledgeInput,
) -> AppResult<ValidPledge> {
    if let Some(answer) = vocabularies.validate(&input) {
        return Ok(answer?);
    }
    let vocabularies = vocabularies.clone();
    db.run(move |conn| {
        let loaded = crate::db::taxonomy::vocabulary(conn)?;
        Ok(vocabularies.hold(loaded, &input)?)
    })
    .await
}

/// Creates a draft for the actor's organisation. With an idempotency key, the key and its
/// answer are recorded in the transaction that creates the pledge, so a retry replays the
/// first answer instead of creating another pledge, and a crash leaves nothing half done.
/// The body was checked beforehand ([`check`]), off the writer.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    valid: &ValidPledge,
    key: Option<&IdempotencyKey>,
) -> AppResult<Created> {
    let organisation_id = actor.organisation_id.clone().ok_or_else(|| {
        AppError::Denied(
            "no_organisation",
            "only members of an organisation register pledges".to_owned(),
        )
    })?;
    if let Some(key) = key {
        if let Some(first) = idempotency::replay(conn, &actor.id, key)? {
            return Ok(Created::Replayed(first));
        }
    }
    write_tx(conn, |conn| {
        if let Some(key) = key {
            // A duplicate may have finished since the look above.
            if let Some(first) = idempotency::replay(conn, &actor.id, key)? {
                return Ok(Created::Replayed(first));
            }
        }
        let record = insert_new(
            conn,
            &organisation_id,
            &actor.id,
            valid,
            Status::Draft,
            now(),
        )?;
        record_event(
            conn,
            record.id(),
            actor,
            Event {
                action: "create",
                from: None,
                to: Status::Draft,
                reason: None,
                version: 1,
            },
        )?;
        let created = view(record, Some(actor));
        if let Some(key) = key {
            let body = serde_json::to_string(&created).map_err(AppError::internal)?;
            idempotency::record(conn, &actor.id, key, &body)?;
        }
        Ok(Created::New(Box::new(created)))
    })
}

/// Several moderation decisions at once (`POST /moderation/decisions`): each is taken as
/// [`transition`] takes one, in its own transaction, so each stands or falls alone and a
/// pledge is never half-decided. The answers come in the order of the decisions.
pub fn decide_many(
    conn: &mut DbConnection,
    actor: &Actor,
    decisions: &[crate::domain::decisions::Checked],
    links: &Links,
) -> AppResult<Vec<AppResult<PledgeView>>> {
    if !matches!(actor.role, PlatformRole::Moderator | PlatformRole::Admin) {
        return Err(AppError::Forbidden);
    }
    Ok(decisions
        .iter()
        .map(|d| {
            let step = Step {
                action: d.decision.action(),
                expected_version: Some(d.version),
                reason: d.reason.as_deref(),
                reveal_at: d.reveal_at,
            };
            transition(conn, &d.pledge, actor, step, links)
        })
        .collect())
}

/// Asks the workflow whether `actor` may do `action` to `record`, then holds the step to the
/// version the caller read: a refusal about the caller comes first (403), then a stale or
/// missing `If-Match` (412, 428), then what the pledge's state says (409, 422).
fn decide(
    conn: &mut DbConnection,
    record: &PledgeRecord,
    actor: &Actor,
    action: Action,
    reason: Option<&str>,
    expected_version: Option<i32>,
) -> AppResult<workflow::Transition> {
    let scope = scope_of(conn, actor)?;
    let who = Standing::of(actor, &record.row.organisation_id, &scope);
    let decision = workflow::decide(action, &record.context(), &who, reason);
    if let Err(refusal) = decision {
        if refusal.is_about_the_caller() {
            return Err(refusal.into());
        }
    }
    // Edits always name the version they change, and so do the staff's steps; other steps of
    // the organisation may omit it.
    let required = action.is_decision() || action.is_about_timing() || action == Action::Edit;
    check_version(&record.row, expected_version, required)?;
    Ok(decision?)
}

/// Edits a draft or a pledge sent back for changes (its organisation only).
pub fn update(
    conn: &mut DbConnection,
    id: &PledgeId,
    actor: &Actor,
    expected_version: Option<i32>,
    changes: PledgeChanges,
    vocabularies: &Vocabularies,
) -> AppResult<PledgeView> {
    counted_change(conn, Affected::pledge(id), |conn| {
        let record = visible_record(conn, id, Some(actor))?;
        decide(conn, &record, actor, Action::Edit, None, expected_version)?;
        let valid = vocabularies.apply(conn, &record.content, &changes)?;
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
        Ok(view(updated, Some(actor)))
    })
}

/// One workflow step as asked.
#[derive(Debug, Clone, Copy)]
pub struct Step<'a> {
    pub action: Action,
    /// The version the caller read (`If-Match`).
    pub expected_version: Option<i32>,
    /// The reason, or an approval's comment.
    pub reason: Option<&'a str>,
    /// An approval's moment to reveal the pledge at, over one set on the pledge before.
    pub reveal_at: Option<RevealAt>,
}

/// Submit, withdraw, a moderator's decision, or an early reveal. Decisions need `If-Match`;
/// every step is written to the audit trail and announced by email in the same transaction.
/// An approval with a moment ahead to reveal at (given, or set on the pledge) leaves the pledge
/// `scheduled` until then.
pub fn transition(
    conn: &mut DbConnection,
    id: &PledgeId,
    actor: &Actor,
    step: Step<'_>,
    links: &Links,
) -> AppResult<PledgeView> {
    let Step {
        action,
        expected_version,
        reveal_at,
        ..
    } = step;
    let reason = workflow::clean_reason(step.reason);
    counted_change(conn, Affected::pledge(id), |conn| {
        let record = visible_record(conn, id, Some(actor))?;
        let decided = decide(conn, &record, actor, action, reason, expected_version)?;
        let at = now();
        let reveal = reveal_at
            .map(RevealAt::at)
            .or(record.row.reveal_at.map(|t| t.and_utc()));
        let to = match action {
            Action::Approve => workflow::approved_status(reveal, at.and_utc()),
            _ => decided.to,
        };
        let version = bump_version(conn, &record.row)?;
        set_status(conn, id, to, at)?;
        let event = Event {
            action: action.as_str(),
            from: Some(decided.from),
            to,
            reason,
            version,
        };
        match reveal.filter(|_| to == Status::Scheduled) {
            Some(moment) => {
                set_reveal_at(conn, id, moment.naive_utc())?;
                let before = record.row.reveal_at.map(|t| t.and_utc());
                let changes = reveal::change(before, moment);
                record_change_event(conn, id, actor, event, &changes)?;
            }
            None => record_event(conn, id, actor, event)?,
        }
        let updated = find_record(conn, id)?.ok_or(AppError::NotFound("pledge"))?;
        announce(conn, &updated, action, reason, links)?;
        Ok(view(updated, Some(actor)))
    })
}

/// Queues the emails a step causes: moderators hear of submissions, the organisation of
/// decisions.
pub(crate) fn announce(
    conn: &mut DbConnection,
    record: &PledgeRecord,
    action: Action,
    reason: Option<&str>,
    links: &Links,
) -> AppResult<()> {
    match action {
        Action::Submit => {
            let message = PledgeSubmitted {
                public_url: links.public_url.clone(),
                title: record.content.title.clone(),
                organisation: record.organisation.name.clone(),
                tracks: if record.content.tracks.is_empty() {
                    "none".to_owned()
                } else {
                    record.content.tracks.join(", ")
                },
                link: links.moderation_queue(),
            };
            for moderator in active_moderators(conn)? {
                let concerned = workflow::covers(&moderator.scope, &record.content.tracks);
                // A moderator never decides their own organisation's pledges: no need to ask.
                let own = moderator.organisation_id.as_ref() == Some(&record.organisation.id);
                if concerned && !own {
                    send(conn, &message, &moderator.email)?;
                }
            }
        }
        Action::Approve
        | Action::RequestChanges
        | Action::Reject
        | Action::Reveal
        | Action::Reschedule => {
            let decision = match (action, record.status) {
                (Action::Approve | Action::Reschedule, Status::Scheduled) => "scheduled",
                // A reschedule before the decision is the staff's matter until the decision.
                (Action::Reschedule, _) => return Ok(()),
                (Action::Approve, _) => "approved",
                (Action::Reveal, _) => "revealed",
                (Action::RequestChanges, _) => "changes requested",
                _ => "rejected",
            };
            let when = record
                .row
                .reveal_at
                .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
                .unwrap_or_default();
            let message = PledgeDecision {
                public_url: links.public_url.clone(),
                title: record.content.title.clone(),
                decision: decision.to_owned(),
                reason: reason.unwrap_or_default().to_owned(),
                when,
                link: links.pledge(record.id().as_str()),
            };
            for email in member_emails(conn, &record.organisation.id)? {
                send(conn, &message, &email)?;
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
    /// `create`, `enter` (on the organisation's behalf), `confirm`, `import`, `edit`, `submit`,
    /// `approve`, `request_changes`, `reject`, `withdraw`, the lifecycle's and the progress
    /// reports' steps, or an amendment's: `amendment_proposed`, `amendment_edited`,
    /// `amendment_withdrawn`, `amendment_approved`, `amendment_refused`.
    #[schema(example = "amendment_approved")]
    pub action: String,
    pub from_status: Option<Status>,
    pub to_status: Status,
    /// The role the actor acted in (`pledger`, `moderator`, `admin`, ...; `import` for data
    /// loaded in bulk).
    pub actor_role: String,
    /// Who acted and why: shown to the organisation and staff only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub version: i32,
    pub at: DateTime<Utc>,
    /// What an amendment's step changes in the published pledge, field by field (empty for
    /// other steps). The public sees the changes an approval made, other than the contact;
    /// the organisation and staff see every step's.
    pub changes: Vec<FieldChange>,
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
    Ok(events(conn, id)?
        .into_iter()
        .map(|e| HistoryEvent {
            changes: visible_changes(&e.action, e.changes, insider),
            action: e.action,
            from_status: e.from,
            to_status: e.to,
            actor_role: e.actor_role,
            actor: insider.then_some(e.actor_name),
            reason: if insider { e.reason } else { None },
            version: e.version,
            at: e.at.and_utc(),
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// The catalogue

/// The catalogue: published pledges for the public, plus its own for an organisation, all for
/// staff; newest first, a page at a time (stable while pledges are added).
pub fn list(
    conn: &mut DbConnection,
    viewer: Option<&Actor>,
    filter: &CatalogueFilter,
    page: &PageParams,
) -> AppResult<Page<PledgeView>> {
    let found = catalogue(conn, viewer, filter, page)?;
    Ok(Page {
        items: found.items.into_iter().map(|r| view(r, viewer)).collect(),
        next_cursor: found.next_cursor,
    })
}

// ---------------------------------------------------------------------------------------------
// The moderation queue

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
    track: Option<&str>,
    page: &PageParams,
) -> AppResult<Page<QueueItem>> {
    if !actor.role.can_moderate() {
        return Err(AppError::Forbidden);
    }
    let scope = scope_of(conn, actor)?;
    let found = moderation_queue(conn, actor.organisation_id.as_ref(), &scope, track, page)?;
    let at = now();
    let items = found
        .items
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
        next_cursor: found.next_cursor,
    })
}
