//! Amendments to published pledges: the organisation proposes new content (with the body of a
//! pledge edit), edits or withdraws it while it is open; a moderator approves it, which makes it
//! the published pledge, or refuses it with a reason. Until then the public sees the published
//! pledge unchanged, and the counters do not move. The rules are `domain::amendment`'s.
//!
//! Every step moves the pledge's version, so a moderator's `If-Match` holds the decision to the
//! proposal they read; every step is written to the pledge's history with what it changes,
//! field by field, and announced by email in its transaction.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    cache::Vocabularies,
    db::{
        amendments::{self, Amendment},
        counters::{counted_change, Affected},
        notify::{active_moderators, member_emails},
        now,
        pledges::{
            bump_version, check_version, find_record, find_records, record_change_event, store,
            visible_record, Event, OrganisationSummary, PledgeRecord,
        },
        users::scope_of,
        write_tx, DbConnection,
    },
    domain::{
        actor::Actor,
        amendment::{self, diff, AmendmentAction, AmendmentRefusal, AmendmentStatus, FieldChange},
        ids::{AmendmentId, PledgeId, UserId},
        pledge::{PledgeChanges, ValidPledge},
        workflow::{clean_reason, covers, Standing},
    },
    email::{
        send,
        templates::{AmendmentDecision, AmendmentProposed},
        Links,
    },
    error::{AppError, AppResult},
    pagination::{timed_key, Page, PageParams},
};

/// An amendment as the organisation and staff see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AmendmentView {
    pub id: AmendmentId,
    pub pledge_id: PledgeId,
    pub status: AmendmentStatus,
    /// The pledge's version now (also the `ETag`): send it in `If-Match` to edit, approve or
    /// refuse the amendment.
    pub pledge_version: i32,
    /// The published pledge's title and organisation, as the public sees them now.
    pub title: String,
    pub organisation: OrganisationSummary,
    /// What the proposal changes in the published pledge as it is now, field by field.
    pub changes: Vec<FieldChange>,
    /// The pledge as it will read once the amendment is approved.
    pub proposed: ValidPledge,
    pub proposed_by: UserId,
    pub proposed_at: DateTime<Utc>,
    /// Its last change (proposed, edited, decided or withdrawn).
    pub updated_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    /// Why a moderator refused it.
    pub reason: Option<String>,
}

fn view(record: &PledgeRecord, amendment: Amendment) -> AmendmentView {
    let utc = |t: NaiveDateTime| t.and_utc();
    AmendmentView {
        id: amendment.id,
        pledge_id: amendment.pledge_id,
        status: amendment.status,
        pledge_version: record.row.version,
        title: record.content.title.clone(),
        organisation: record.organisation.clone(),
        changes: diff(&record.content, &amendment.content),
        proposed: amendment.content,
        proposed_by: amendment.proposed_by,
        proposed_at: utc(amendment.proposed_at),
        updated_at: utc(amendment.updated_at),
        decided_at: amendment.decided_at.map(utc),
        reason: amendment.reason,
    }
}

/// The pledge's latest amendment, for its organisation and staff; `404` for anyone else, as if
/// there were none.
pub fn get(conn: &mut DbConnection, id: &PledgeId, viewer: &Actor) -> AppResult<AmendmentView> {
    let record = visible_record(conn, id, Some(viewer))?;
    if !viewer.is_insider_of(&record.row.organisation_id) {
        return Err(AppError::NotFound("amendment"));
    }
    let latest = amendments::latest(conn, id)?.ok_or(AppError::NotFound("amendment"))?;
    Ok(view(&record, latest))
}

/// What a step needs to know before it writes: the pledge, its latest amendment, and the
/// amendment's status after the step.
struct Checked {
    record: PledgeRecord,
    latest: Option<Amendment>,
    next: AmendmentStatus,
}

/// Asks `domain::amendment` whether `actor` may take `action`, then holds the step to the
/// version the caller read: a refusal about the caller comes first (403), then a stale or
/// missing `If-Match` (412, 428), then what the amendment's state says (404, 409, 422).
fn check(
    conn: &mut DbConnection,
    id: &PledgeId,
    actor: &Actor,
    action: AmendmentAction,
    expected_version: Option<i32>,
    reason: Option<&str>,
) -> AppResult<Checked> {
    let record = visible_record(conn, id, Some(actor))?;
    let latest = amendments::latest(conn, id)?;
    let scope = scope_of(conn, actor)?;
    let who = Standing::of(actor, &record.row.organisation_id, &scope);
    let current = latest.as_ref().map(|a| a.status);
    let decision = amendment::decide(action, &record.context(), current, &who, reason);
    if let Err(refusal) = decision {
        if refusal.is_about_the_caller() {
            return Err(refusal.into());
        }
    }
    // Decisions and edits name the version they were taken on; a proposal or a withdrawal may
    // omit it, as a submission may.
    let required = action.is_decision() || action == AmendmentAction::Edit;
    check_version(&record.row, expected_version, required)?;
    Ok(Checked {
        next: decision?,
        record,
        latest,
    })
}

/// The open amendment a step acts on (the checks found it open).
fn open(latest: Option<Amendment>) -> AppResult<Amendment> {
    latest.ok_or(AppError::NotFound("amendment"))
}

/// Writes a step of the pledge's history: what it changes in the published pledge.
fn record_step(
    conn: &mut DbConnection,
    record: &PledgeRecord,
    actor: &Actor,
    action: AmendmentAction,
    version: i32,
    reason: Option<&str>,
    changes: &[FieldChange],
) -> AppResult<()> {
    let event = Event {
        action: action.event(),
        from: Some(record.status),
        to: record.status,
        reason,
        version,
    };
    record_change_event(conn, record.id(), actor, event, changes)
}

/// Proposes an amendment to a published pledge: `changes` (the body of a pledge edit) merged
/// over the published content, checked whole. One open amendment per pledge.
pub fn propose(
    conn: &mut DbConnection,
    id: &PledgeId,
    actor: &Actor,
    expected_version: Option<i32>,
    changes: &PledgeChanges,
    vocabularies: &Vocabularies,
    links: &Links,
) -> AppResult<AmendmentView> {
    write_tx(conn, |conn| {
        let Checked { record, .. } = check(
            conn,
            id,
            actor,
            AmendmentAction::Propose,
            expected_version,
            None,
        )?;
        let proposed = vocabularies.apply(conn, &record.content, changes)?;
        let changed = changed(&record.content, &proposed)?;
        // Inserted before the version moves: of two proposals racing on PostgreSQL, the second
        // waits on the first's open row and then hears `amendment_open`, not a stale version.
        let amendment = amendments::insert(conn, id, &actor.id, &proposed, now())?;
        let version = bump_version(conn, &record.row)?;
        let step = AmendmentAction::Propose;
        record_step(conn, &record, actor, step, version, None, &changed)?;
        announce_proposal(conn, &record, &changed, links)?;
        Ok(view(&with_version(record, version), amendment))
    })
}

/// Edits the open amendment: `changes` merged over what it proposes. Needs `If-Match`.
pub fn edit(
    conn: &mut DbConnection,
    id: &PledgeId,
    actor: &Actor,
    expected_version: Option<i32>,
    changes: &PledgeChanges,
    vocabularies: &Vocabularies,
) -> AppResult<AmendmentView> {
    write_tx(conn, |conn| {
        let step = AmendmentAction::Edit;
        let checked = check(conn, id, actor, step, expected_version, None)?;
        let (record, amendment) = (checked.record, open(checked.latest)?);
        let proposed = vocabularies.apply(conn, &amendment.content, changes)?;
        let changed = changed(&record.content, &proposed)?;
        let version = bump_version(conn, &record.row)?;
        let amendment = amendments::set_content(conn, &amendment.id, &proposed, now())?;
        record_step(conn, &record, actor, step, version, None, &changed)?;
        Ok(view(&with_version(record, version), amendment))
    })
}

/// What a proposal changes; a proposal that changes nothing is refused.
fn changed(published: &ValidPledge, proposed: &ValidPledge) -> AppResult<Vec<FieldChange>> {
    let changes = diff(published, proposed);
    if changes.is_empty() {
        return Err(AmendmentRefusal::Unchanged.into());
    }
    Ok(changes)
}

/// The organisation withdraws its open amendment; the published pledge stays as it is.
pub fn withdraw(
    conn: &mut DbConnection,
    id: &PledgeId,
    actor: &Actor,
    expected_version: Option<i32>,
) -> AppResult<AmendmentView> {
    write_tx(conn, |conn| {
        let step = AmendmentAction::Withdraw;
        let checked = check(conn, id, actor, step, expected_version, None)?;
        let (record, amendment) = (checked.record, open(checked.latest)?);
        let changes = diff(&record.content, &amendment.content);
        let version = bump_version(conn, &record.row)?;
        let amendment = amendments::settle(conn, &amendment.id, checked.next, None, None, now())?;
        record_step(conn, &record, actor, step, version, None, &changes)?;
        Ok(view(&with_version(record, version), amendment))
    })
}

/// A moderator's decision on the open amendment, taken on the version in `If-Match`. Approving
/// makes the proposal the published pledge in this one transaction: its content, the
/// catalogue's index and the counters (by exactly the difference) move together. Refusing
/// (with a reason) changes nothing public. The organisation hears either way.
pub fn decide(
    conn: &mut DbConnection,
    id: &PledgeId,
    actor: &Actor,
    action: AmendmentAction,
    expected_version: Option<i32>,
    reason: Option<&str>,
    links: &Links,
) -> AppResult<AmendmentView> {
    if !action.is_decision() {
        return Err(AppError::internal(
            "an amendment decision is approve or refuse",
        ));
    }
    let reason = clean_reason(reason);
    counted_change(conn, Affected::pledge(id), |conn| {
        let checked = check(conn, id, actor, action, expected_version, reason)?;
        let (record, amendment) = (checked.record, open(checked.latest)?);
        let changes = diff(&record.content, &amendment.content);
        let version = bump_version(conn, &record.row)?;
        if action == AmendmentAction::Approve {
            // Rewrites the catalogue's index (facets and search) from the new content too.
            store(conn, id, &amendment.content)?;
        }
        let at = now();
        let settled = amendments::settle(
            conn,
            &amendment.id,
            checked.next,
            Some(&actor.id),
            reason,
            at,
        )?;
        record_step(conn, &record, actor, action, version, reason, &changes)?;
        let decided = find_record(conn, id)?.ok_or(AppError::NotFound("pledge"))?;
        let message = AmendmentDecision {
            public_url: links.public_url.clone(),
            title: decided.content.title.clone(),
            decision: match action {
                AmendmentAction::Approve => "approved",
                _ => "refused",
            }
            .to_owned(),
            reason: reason.unwrap_or_default().to_owned(),
            link: format!("{}/history", links.pledge(id.as_str())),
        };
        for email in member_emails(conn, &decided.row.organisation_id)? {
            send(conn, &message, &email)?;
        }
        Ok(view(&decided, settled))
    })
}

/// The record as it is after a step moved its version (its content is unchanged).
fn with_version(mut record: PledgeRecord, version: i32) -> PledgeRecord {
    record.row.version = version;
    record
}

/// Tells the moderators of the pledge's tracks (never those of its own organisation) of a
/// proposal, as a submission is told.
fn announce_proposal(
    conn: &mut DbConnection,
    record: &PledgeRecord,
    changes: &[FieldChange],
    links: &Links,
) -> AppResult<()> {
    let tracks = &record.content.tracks;
    let message = AmendmentProposed {
        public_url: links.public_url.clone(),
        title: record.content.title.clone(),
        organisation: record.organisation.name.clone(),
        tracks: if tracks.is_empty() {
            "none".to_owned()
        } else {
            tracks.join(", ")
        },
        fields: changes
            .iter()
            .map(|c| c.field.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        link: format!("{}/amendment", links.pledge(record.id().as_str())),
    };
    for moderator in active_moderators(conn)? {
        let own = moderator.organisation_id.as_ref() == Some(&record.organisation.id);
        if covers(&moderator.scope, tracks) && !own {
            send(conn, &message, &moderator.email)?;
        }
    }
    Ok(())
}

/// Open amendments waiting for a decision, oldest change first (moderators and admins).
pub fn waiting(
    conn: &mut DbConnection,
    actor: &Actor,
    page: &PageParams,
) -> AppResult<Page<AmendmentView>> {
    if !actor.role.can_moderate() {
        return Err(AppError::Forbidden);
    }
    let limit = page.limit()?;
    let after = page
        .timed_cursor()?
        .map(|(at, id)| (at, AmendmentId::from(id)));
    let found = amendments::waiting(conn, after, limit + 1)?;
    let ids: Vec<&PledgeId> = found.iter().map(|a| &a.pledge_id).collect();
    let pledges = find_records(conn, &ids)?;
    let items = found
        .into_iter()
        .map(|a| {
            let record = pledges
                .iter()
                .find(|r| r.id() == &a.pledge_id)
                .ok_or_else(|| AppError::internal("amendment without its pledge"))?;
            Ok(view(record, a))
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(Page::from_overfetch(items, limit, |a| {
        timed_key(a.updated_at.naive_utc(), a.id.as_str())
    }))
}
