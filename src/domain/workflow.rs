//! The pledge moderation workflow as one pure state machine.
//!
//! ```text
//! draft --submit--> submitted --approve--> published --withdraw--> withdrawn
//!                    |  ^  \--reject(reason)--> rejected
//!    request_changes |  | submit (after edits)
//!                    v  |
//!             changes_requested
//! draft | submitted | changes_requested | inactive --withdraw--> withdrawn
//!
//! published --(final report accepted)--> completed
//! published --(two reporting years missed)--> inactive --(report accepted)--> published
//!
//! submitted --approve (a reveal ahead)--> scheduled --reveal--> published
//! submitted | changes_requested | scheduled --reschedule--> (the same status)
//! scheduled --withdraw--> withdrawn
//! ```
//!
//! An approval with a moment to reveal the pledge at (`reveal_at`, given with the approval or
//! set on the pledge before) leaves it `scheduled`: approved, seen by its organisation and the
//! staff only, counted in the staff figures, until that second, when it is revealed (by the
//! service's clock on every instance, or earlier by an organiser). See `reveal`.
//!
//! The last two lines are the lifecycle after publication, moved by reports and time rather
//! than by a user's action (`services::lifecycle`, rules in `progress`). A pledge withdrawn
//! after publication stays public, as withdrawn, with its date.
//!
//! Everything here is decided from plain facts the caller has already loaded (the pledge's
//! status, tracks and organisation, the acting user's role and membership), so the rules can
//! be tested exhaustively without a database and every route asks the same question the same
//! way: [`decide`]. Version checks (`If-Match`) and persistence stay with the caller.

use std::fmt;

use chrono::{DateTime, Utc};

use super::actor::Actor;
use super::ids::OrganisationId;
use super::vocabulary::vocabulary;

vocabulary!(
    /// Where a pledge is in the moderation workflow.
    Status {
        Draft => "draft",
        Submitted => "submitted",
        ChangesRequested => "changes_requested",
        Published => "published",
        Rejected => "rejected",
        Withdrawn => "withdrawn",
        Completed => "completed",
        Inactive => "inactive",
        Scheduled => "scheduled",
    }
);

impl Status {
    /// Waiting on moderation or on the organisation's edits: what staff counters show as pending.
    pub fn is_pending(self) -> bool {
        matches!(self, Status::Submitted | Status::ChangesRequested)
    }

    /// No action leads out of these: a rejected, withdrawn or completed pledge stays as it is,
    /// for the record.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Status::Rejected | Status::Withdrawn | Status::Completed
        )
    }

    /// Published and living on: `published`, `completed` or `inactive` (the lifecycle moves a
    /// published pledge between these by itself; see `progress`).
    pub fn is_public(self) -> bool {
        matches!(
            self,
            Status::Published | Status::Completed | Status::Inactive
        )
    }
}

vocabulary!(
    /// Something a user asks to do to a pledge (recorded in the audit trail by this name).
    Action {
        Edit => "edit",
        Submit => "submit",
        Approve => "approve",
        RequestChanges => "request_changes",
        Reject => "reject",
        Withdraw => "withdraw",
        Reveal => "reveal",
        Reschedule => "reschedule",
    }
);

impl Action {
    /// A moderation decision: only moderators and admins take these, never on their own
    /// organisation's pledges.
    pub fn is_decision(self) -> bool {
        matches!(
            self,
            Action::Approve | Action::RequestChanges | Action::Reject
        )
    }

    /// Setting or using the moment a pledge is revealed at: a matter of the event's timing,
    /// taken by organisers, moderators (of their tracks) and admins.
    pub fn is_about_timing(self) -> bool {
        matches!(self, Action::Reveal | Action::Reschedule)
    }

    /// The organisation is told why, so these cannot go without a reason.
    pub fn requires_reason(self) -> bool {
        matches!(self, Action::RequestChanges | Action::Reject)
    }
}

/// Platform roles are defined with the other account vocabulary.
pub use super::account::PlatformRole;

/// The facts about the acting user that the workflow needs, relative to one pledge.
///
/// Borrowed so callers can build it from rows they already hold without cloning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing<'a> {
    pub role: PlatformRole,
    /// Owner or member of the organisation that owns the pledge (any platform role).
    pub in_owning_organisation: bool,
    pub email_verified: bool,
    /// Track slugs a moderator is limited to; empty means every track. Ignored for other roles.
    pub moderation_scope: &'a [String],
}

impl<'a> Standing<'a> {
    /// The standing of `actor` towards a pledge of `organisation`, with the tracks it moderates.
    pub fn of(
        actor: &Actor,
        organisation: &OrganisationId,
        moderation_scope: &'a [String],
    ) -> Self {
        Standing {
            role: actor.role,
            in_owning_organisation: actor.belongs_to(organisation),
            email_verified: actor.email_verified,
            moderation_scope,
        }
    }
}

/// The facts about the pledge that the workflow needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PledgeContext<'a> {
    pub status: Status,
    /// Whether the owning organisation has been verified by a moderator.
    pub organisation_verified: bool,
    /// Track slugs the pledge carries.
    pub tracks: &'a [String],
}

/// An allowed step: what to record in the audit trail and the status to store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: Status,
    /// Equal to `from` for [`Action::Edit`], which changes content, not status.
    pub to: Status,
    pub action: Action,
}

/// Why an action was refused. [`Refusal::code`] is part of the API contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Refusal {
    /// The caller has no standing for this action on this pledge (role or membership).
    NotAllowed,
    /// The action does not lead anywhere from the pledge's current status.
    InvalidTransition,
    /// Submitting needs the acting user's email to be verified.
    EmailNotVerified,
    /// Approving needs the pledge's organisation to be verified.
    OrganisationNotVerified,
    /// A moderator (or admin) deciding a pledge of their own organisation.
    OwnOrganisation,
    /// A track-scoped moderator deciding a pledge outside their tracks.
    OutOfScope,
    /// Requesting changes and rejecting need a non-blank reason.
    ReasonRequired,
}

impl Refusal {
    pub const ALL: [Refusal; 7] = [
        Refusal::NotAllowed,
        Refusal::InvalidTransition,
        Refusal::EmailNotVerified,
        Refusal::OrganisationNotVerified,
        Refusal::OwnOrganisation,
        Refusal::OutOfScope,
        Refusal::ReasonRequired,
    ];

    /// Stable machine-readable code for problem responses.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::NotAllowed => "not_allowed",
            Refusal::InvalidTransition => "invalid_transition",
            Refusal::EmailNotVerified => "email_not_verified",
            Refusal::OrganisationNotVerified => "organisation_not_verified",
            Refusal::OwnOrganisation => "own_organisation",
            Refusal::OutOfScope => "out_of_scope",
            Refusal::ReasonRequired => "reason_required",
        }
    }

    /// Refused because of who asks, not because of what the pledge's version says: these are
    /// answered before `If-Match` is looked at; every other refusal comes after it, so that a
    /// stale version is a failed precondition whatever the state.
    pub fn is_about_the_caller(self) -> bool {
        matches!(
            self,
            Refusal::NotAllowed
                | Refusal::EmailNotVerified
                | Refusal::OwnOrganisation
                | Refusal::OutOfScope
        )
    }

    /// A sentence for people; clients should match on [`Refusal::code`], not on this.
    pub fn message(self) -> &'static str {
        match self {
            Refusal::NotAllowed => "You are not allowed to do this to this pledge.",
            Refusal::InvalidTransition => {
                "This action is not possible while the pledge is in its current status."
            }
            Refusal::EmailNotVerified => "Verify your email address before submitting a pledge.",
            Refusal::OrganisationNotVerified => {
                "The pledge's organisation must be verified before the pledge can be approved."
            }
            Refusal::OwnOrganisation => {
                "Moderators may not decide pledges of their own organisation."
            }
            Refusal::OutOfScope => "This pledge is outside the tracks you moderate.",
            Refusal::ReasonRequired => "A reason is required for this decision.",
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for Refusal {}

/// Where `action` leads from `from`, ignoring who asks; `None` if nowhere.
///
/// This is the diagram above and nothing else.
pub fn next_status(from: Status, action: Action) -> Option<Status> {
    use Action as A;
    use Status as S;
    match (from, action) {
        (S::Draft | S::ChangesRequested, A::Edit) => Some(from),
        (S::Draft | S::ChangesRequested, A::Submit) => Some(S::Submitted),
        (S::Submitted, A::Approve) => Some(S::Published),
        (S::Scheduled, A::Reveal) => Some(S::Published),
        (S::Submitted | S::ChangesRequested | S::Scheduled, A::Reschedule) => Some(from),
        (S::Submitted, A::RequestChanges) => Some(S::ChangesRequested),
        (S::Submitted, A::Reject) => Some(S::Rejected),
        (
            S::Draft
            | S::Submitted
            | S::ChangesRequested
            | S::Published
            | S::Inactive
            | S::Scheduled,
            A::Withdraw,
        ) => Some(S::Withdrawn),
        _ => None,
    }
}

/// A reason or comment as it should be stored: trimmed, and `None` when blank.
pub fn clean_reason(reason: Option<&str>) -> Option<&str> {
    reason.map(str::trim).filter(|r| !r.is_empty())
}

/// Decides whether `actor` may take `action` on `pledge`, and where it leads.
///
/// `reason` is the decision's reason, the approval comment or the withdrawal reason; it is
/// required (non-blank after trimming) for request_changes and reject, optional otherwise.
/// Store it through [`clean_reason`].
///
/// When several refusals apply, the first in this order wins, from the most permanent to the
/// most easily fixed, so a caller is never told to fix something that would not help:
///
/// 1. `not_allowed`: no standing for this action at all (wrong role, not in the organisation).
/// 2. `own_organisation`, then `out_of_scope`: the moderator may never decide this pledge.
///    These hold whatever the status, so they come before it.
/// 3. `invalid_transition`: the action does not lead anywhere from the current status.
/// 4. `email_not_verified`, `organisation_not_verified`: preconditions someone can meet later.
/// 5. `reason_required`: the request itself is incomplete.
///
/// Status affects standing in one place only: admins may withdraw a pledge they do not own
/// only while it is published (taking it down), so an admin withdrawing another organisation's
/// draft, pending or terminal pledge is `not_allowed`.
pub fn decide(
    action: Action,
    pledge: &PledgeContext<'_>,
    actor: &Standing<'_>,
    reason: Option<&str>,
) -> Result<Transition, Refusal> {
    let to = check(action, pledge, actor)?;
    if action.requires_reason() && clean_reason(reason).is_none() {
        return Err(Refusal::ReasonRequired);
    }
    Ok(Transition {
        from: pledge.status,
        to,
        action,
    })
}

/// The actions `actor` could take on `pledge` now, given a reason where one is required.
///
/// Lets responses advertise what the caller may do without repeating the rules.
pub fn available_actions(pledge: &PledgeContext<'_>, actor: &Standing<'_>) -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|&action| check(action, pledge, actor).is_ok())
        .collect()
}

/// Everything in [`decide`] except the reason, which depends on the request rather than on
/// the pledge and the actor.
fn check(
    action: Action,
    pledge: &PledgeContext<'_>,
    actor: &Standing<'_>,
) -> Result<Status, Refusal> {
    if !has_standing(action, pledge.status, actor) {
        return Err(Refusal::NotAllowed);
    }
    if action.is_decision() {
        // A conflict of interest whatever the decider's role, admins included.
        if actor.in_owning_organisation {
            return Err(Refusal::OwnOrganisation);
        }
        if !in_scope(pledge, actor) {
            return Err(Refusal::OutOfScope);
        }
    }
    if action.is_about_timing() && !in_scope(pledge, actor) {
        return Err(Refusal::OutOfScope);
    }
    let to = next_status(pledge.status, action).ok_or(Refusal::InvalidTransition)?;
    match action {
        Action::Submit if !actor.email_verified => Err(Refusal::EmailNotVerified),
        Action::Approve if !pledge.organisation_verified => Err(Refusal::OrganisationNotVerified),
        _ => Ok(to),
    }
}

/// Who may take an action at all: the owning organisation works on its pledges, moderators
/// and admins decide, admins can also take down published pledges, and the staff time reveals.
fn has_standing(action: Action, status: Status, actor: &Standing<'_>) -> bool {
    match action {
        Action::Edit | Action::Submit => actor.in_owning_organisation,
        Action::Approve | Action::RequestChanges | Action::Reject => {
            matches!(actor.role, PlatformRole::Moderator | PlatformRole::Admin)
        }
        Action::Withdraw => {
            actor.in_owning_organisation
                || (actor.role == PlatformRole::Admin && status.is_public())
        }
        Action::Reveal | Action::Reschedule => actor.role.is_staff(),
    }
}

/// Where an approval leads: `scheduled` while the moment to reveal the pledge at is still
/// ahead, `published` otherwise (none given, or one that has passed).
pub fn approved_status(reveal_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Status {
    match reveal_at {
        Some(at) if at > now => Status::Scheduled,
        _ => Status::Published,
    }
}

/// A moderator with a track scope decides only pledges carrying one of those tracks; admins
/// and unscoped moderators decide any pledge.
fn in_scope(pledge: &PledgeContext<'_>, actor: &Standing<'_>) -> bool {
    actor.role != PlatformRole::Moderator || covers(actor.moderation_scope, pledge.tracks)
}

/// Whether a moderator limited to `scope` (empty: every track) is concerned by a pledge
/// carrying `tracks`.
pub fn covers(scope: &[String], tracks: &[String]) -> bool {
    scope.is_empty() || tracks.iter().any(|track| scope.contains(track))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kinds of caller the table covers, each relative to the pledge under test.
    #[derive(Debug, Clone, Copy)]
    enum Kind {
        /// A pledger of another organisation.
        Outsider,
        Member,
        /// Owners and members have the same workflow rights.
        Owner,
        ModeratorOther,
        ModeratorOwn,
        Admin,
        AdminOwn,
        Organiser,
        OrganiserOwn,
    }

    const KINDS: [Kind; 9] = [
        Kind::Outsider,
        Kind::Member,
        Kind::Owner,
        Kind::ModeratorOther,
        Kind::ModeratorOwn,
        Kind::Admin,
        Kind::AdminOwn,
        Kind::Organiser,
        Kind::OrganiserOwn,
    ];

    fn actor(kind: Kind) -> Standing<'static> {
        let (role, in_owning_organisation) = match kind {
            Kind::Outsider => (PlatformRole::Pledger, false),
            Kind::Member | Kind::Owner => (PlatformRole::Pledger, true),
            Kind::ModeratorOther => (PlatformRole::Moderator, false),
            Kind::ModeratorOwn => (PlatformRole::Moderator, true),
            Kind::Admin => (PlatformRole::Admin, false),
            Kind::AdminOwn => (PlatformRole::Admin, true),
            Kind::Organiser => (PlatformRole::Organiser, false),
            Kind::OrganiserOwn => (PlatformRole::Organiser, true),
        };
        Standing {
            role,
            in_owning_organisation,
            email_verified: true,
            moderation_scope: &[],
        }
    }

    fn tracks(slugs: &[&str]) -> Vec<String> {
        slugs.iter().map(|s| s.to_string()).collect()
    }

    fn pledge(status: Status, tracks: &[String]) -> PledgeContext<'_> {
        PledgeContext {
            status,
            organisation_verified: true,
            tracks,
        }
    }

    fn outcome(result: Result<Transition, Refusal>) -> &'static str {
        match result {
            Ok(t) => t.to.as_str(),
            Err(r) => r.code(),
        }
    }

    // Abbreviations for the table only, so each row fits on one line.
    const NA: &str = "not_allowed";
    const IT: &str = "invalid_transition";
    const OO: &str = "own_organisation";
    const DR: &str = "draft";
    const SU: &str = "submitted";
    const CR: &str = "changes_requested";
    const PU: &str = "published";
    const RE: &str = "rejected";
    const WD: &str = "withdrawn";
    const SC: &str = "scheduled";

    use Action as A;
    use Status as S;

    /// Expected outcome for every (status, action) and each kind, in `KINDS` order:
    /// outsider, member, owner, moderator (other org), moderator (own org), admin,
    /// admin (own org), organiser, organiser (own org). A status name means allowed, leading
    /// there; anything else is the refusal code. Written out by hand from the design.
    #[rustfmt::skip]
    const TABLE: [(Status, Action, [&str; 9]); 72] = [
        //                                  outsd member owner  mod   modown admin admown org  orgown
        (S::Draft, A::Edit,                [NA,   DR,    DR,    NA,   DR,    NA,   DR,    NA,  DR]),
        (S::Draft, A::Submit,              [NA,   SU,    SU,    NA,   SU,    NA,   SU,    NA,  SU]),
        (S::Draft, A::Approve,             [NA,   NA,    NA,    IT,   OO,    IT,   OO,    NA,  NA]),
        (S::Draft, A::RequestChanges,      [NA,   NA,    NA,    IT,   OO,    IT,   OO,    NA,  NA]),
        (S::Draft, A::Reject,              [NA,   NA,    NA,    IT,   OO,    IT,   OO,    NA,  NA]),
        (S::Draft, A::Withdraw,            [NA,   WD,    WD,    NA,   WD,    NA,   WD,    NA,  WD]),
        (S::Draft, A::Reveal,              [NA,   NA,    NA,    IT,   IT,    IT,   IT,    IT,  IT]),
        (S::Draft, A::Reschedule,          [NA,   NA,    NA,    IT,   IT,    IT,   IT,    IT,  IT]),

        (S::Submitted, A::Edit,            [NA,   IT,    IT,    NA,   IT,    NA,   IT,    NA,  IT]),
        (S::Submitted, A::Submit,          [NA,   IT,    IT,    NA,   IT,    NA,   IT,    NA,  IT]),
        (S::Submitted, A::Approve,         [NA,   NA,    NA,    PU,   OO,    PU,   OO,    NA,  NA]),
        (S::Submitted, A::RequestChanges,  [NA,   NA,    NA,    CR,   OO,    CR,   OO,    NA,  NA]),
        (S::Submitted, A::Reject,          [NA,   NA,    NA,    RE,   OO,    RE,   OO,    NA,  NA]),
        (S::Submitted, A::Withdraw,        [NA,   WD,    WD,    NA,   WD,    NA,   WD,    NA,  WD]),
        (S::Submitted, A::Reveal,          [NA,   NA,    NA,    IT,   IT,    IT,   IT,    IT,  IT]),
        (S::Submitted, A::Reschedule,      [NA,   NA,    NA,    SU,   SU,    SU,   SU,    SU,  SU]),

        (S::ChangesRequested, A::Edit,     [NA,   CR,    CR,    NA,   CR,    NA,   CR,    NA,  CR]),
        (S::ChangesRequested, A::Submit,   [NA,   SU,    SU,    NA,   SU,    NA,   SU,    NA,  SU]),
        (S::ChangesRequested, A::Approve,  [NA,   NA,    NA,    IT,   OO,    IT,   OO,    NA,  NA]),
        (S::ChangesRequested, A::RequestChanges,
                                           [NA,   NA,    NA,    IT,   OO,    IT,   OO,    NA,  NA]),
        (S::ChangesRequested, A::Reject,   [NA,   NA,    NA,    IT,   OO,    IT,   OO,    NA,  NA]),
        (S::ChangesRequested, A::Withdraw, [NA,   WD,    WD,    NA,   WD,    NA,   WD,    NA,  WD]),
        (S::ChangesRequested, A::Reveal,   [NA,   NA,    NA,    IT,   IT,    IT,   IT,    IT,  IT]),
        (S::ChangesRequested, A::Reschedule,
                                           [NA,   NA,    NA,    CR,   CR,    CR,   CR,    CR,  CR]),

        (S::Published, A::Edit,            [NA,   IT,    IT,    NA,   IT,    NA,   IT,    NA,  IT]),
        (S::Published, A::Submit,          [NA,   IT,    IT,    NA,   IT,    NA,   IT,    NA,  IT]),
        (S::Published, A::Approve,         [NA,   NA,    NA,    IT,   OO,    IT,   OO,    NA,  NA]),
        (S::Published, A::RequestChanges,  [NA,   NA,    NA,    IT,   OO,    IT,   OO,    NA,  NA]),
        (S::Published, A::Reject,          [NA,   NA,    NA,    IT,   OO,    IT,   OO,    NA,  NA]),
        (S::Published, A::Withdraw,        [NA,   WD,    WD,    NA,   WD,    WD,   WD,    NA,  WD]),
        (S::Published, A::Reveal,          [NA,   NA,    NA,    IT,   IT,    IT,   IT,    IT,  IT]),
        (S::Published, A::Reschedule,      [NA,   NA,    NA,    IT,   IT,    IT,   IT,    IT,  IT]),

        (S::Rejected, A::Edit,             [NA,   IT,    IT,    NA,   IT,    NA,   IT,    NA,  IT]),
        (S::Rejected, A::Submit,           [NA,   IT,    IT,    NA,   IT,    NA,   IT,    NA,  IT]),
        (S::Rejected, A::Approve,          [NA,   NA,    NA,    IT,   OO,    IT,   OO,    NA,  NA]),
        (S::Rejected, A::RequestChanges,   [NA,   NA,    NA,    IT,   OO,    IT,   OO,    NA,  NA]),
        (S::Rejected, A::Reject,           [NA,   NA,    NA,    IT,   OO,    IT,   OO,    NA,  NA]),
        (S::Rejected, A::Withdraw,         [NA,   IT,    IT,    NA,   IT,    NA,   IT,    NA,  IT]),
        (S::Rejected, A::Reveal,           [NA,   NA,    NA,    IT,   IT,    IT,   IT,    IT,  IT]),
        (S::Rejected, A::Reschedule,       [NA,   NA,    NA,    IT,   IT,    IT,   IT,    IT,  IT]),

        (S::Withdrawn, A::Edit,            [NA,   IT,    IT,    NA,   IT,    NA,   IT,    NA,  IT]),
        (S::Withdrawn, A::Submit,          [NA,   IT,    IT,    NA,   IT,    NA,   IT,    NA,  IT]),
        (S::Withdrawn, A::Approve,         [NA,   NA,    NA,    IT,   OO,    IT,   OO,    NA,  NA]),
        (S::Withdrawn, A::RequestChanges,  [NA,   NA,    NA,    IT,   OO,    IT,   OO,    NA,  NA]),
        (S::Withdrawn, A::Reject,          [NA,   NA,    NA,    IT,   OO,    IT,   OO,    NA,  NA]),
        (S::Withdrawn, A::Withdraw,        [NA,   IT,    IT,    NA,   IT,    NA,   IT,    NA,  IT]),
        (S::Withdrawn, A::Reveal,          [NA,   NA,    NA,    IT,   IT,    IT,   IT,    IT,  IT]),
        (S::Withdrawn, A::Reschedule,      [NA,   NA,    NA,    IT,   IT,    IT,   IT,    IT,  IT]),

        (S::Completed, A::Edit,            [NA,   IT,    IT,    NA,   IT,    NA,   IT,    NA,  IT]),
        (S::Completed, A::Submit,          [NA,   IT,    IT,    NA,   IT,    NA,   IT,    NA,  IT]),
        (S::Completed, A::Approve,         [NA,   NA,    NA,    IT,   OO,    IT,   OO,    NA,  NA]),
        (S::Completed, A::RequestChanges,  [NA,   NA,    NA,    IT,   OO,    IT,   OO,    NA,  NA]),
        (S::Completed, A::Reject,          [NA,   NA,    NA,    IT,   OO,    IT,   OO,    NA,  NA]),
        (S::Completed, A::Withdraw,        [NA,   IT,    IT,    NA,   IT,    IT,   IT,    NA,  IT]),
        (S::Completed, A::Reveal,          [NA,   NA,    NA,    IT,   IT,    IT,   IT,    IT,  IT]),
        (S::Completed, A::Reschedule,      [NA,   NA,    NA,    IT,   IT,    IT,   IT,    IT,  IT]),

        (S::Inactive, A::Edit,             [NA,   IT,    IT,    NA,   IT,    NA,   IT,    NA,  IT]),
        (S::Inactive, A::Submit,           [NA,   IT,    IT,    NA,   IT,    NA,   IT,    NA,  IT]),
        (S::Inactive, A::Approve,          [NA,   NA,    NA,    IT,   OO,    IT,   OO,    NA,  NA]),
        (S::Inactive, A::RequestChanges,   [NA,   NA,    NA,    IT,   OO,    IT,   OO,    NA,  NA]),
        (S::Inactive, A::Reject,           [NA,   NA,    NA,    IT,   OO,    IT,   OO,    NA,  NA]),
        (S::Inactive, A::Withdraw,         [NA,   WD,    WD,    NA,   WD,    WD,   WD,    NA,  WD]),
        (S::Inactive, A::Reveal,           [NA,   NA,    NA,    IT,   IT,    IT,   IT,    IT,  IT]),
        (S::Inactive, A::Reschedule,       [NA,   NA,    NA,    IT,   IT,    IT,   IT,    IT,  IT]),

        (S::Scheduled, A::Edit,            [NA,   IT,    IT,    NA,   IT,    NA,   IT,    NA,  IT]),
        (S::Scheduled, A::Submit,          [NA,   IT,    IT,    NA,   IT,    NA,   IT,    NA,  IT]),
        (S::Scheduled, A::Approve,         [NA,   NA,    NA,    IT,   OO,    IT,   OO,    NA,  NA]),
        (S::Scheduled, A::RequestChanges,  [NA,   NA,    NA,    IT,   OO,    IT,   OO,    NA,  NA]),
        (S::Scheduled, A::Reject,          [NA,   NA,    NA,    IT,   OO,    IT,   OO,    NA,  NA]),
        (S::Scheduled, A::Withdraw,        [NA,   WD,    WD,    NA,   WD,    NA,   WD,    NA,  WD]),
        (S::Scheduled, A::Reveal,          [NA,   NA,    NA,    PU,   PU,    PU,   PU,    PU,  PU]),
        (S::Scheduled, A::Reschedule,      [NA,   NA,    NA,    SC,   SC,    SC,   SC,    SC,  SC]),
    ];

    #[test]
    fn every_status_action_and_actor_matches_the_table() {
        let slugs = tracks(&["ldc5"]);
        let mut failures = Vec::new();
        for status in Status::ALL {
            for action in Action::ALL {
                let rows: Vec<_> = TABLE
                    .iter()
                    .filter(|(s, a, _)| *s == status && *a == action)
                    .collect();
                assert_eq!(
                    rows.len(),
                    1,
                    "table needs exactly one row for {status} {action}"
                );
                let expected = rows[0].2;
                for (kind, want) in KINDS.into_iter().zip(expected) {
                    let got = outcome(decide(
                        action,
                        &pledge(status, &slugs),
                        &actor(kind),
                        Some("a reason"),
                    ));
                    if got != want {
                        failures.push(format!(
                            "{status} {action} {kind:?}: want {want}, got {got}"
                        ));
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn transitions_record_from_to_and_action() {
        let slugs = tracks(&[]);
        let t = decide(
            A::Edit,
            &pledge(S::ChangesRequested, &slugs),
            &actor(Kind::Member),
            None,
        );
        assert_eq!(
            t,
            Ok(Transition {
                from: S::ChangesRequested,
                to: S::ChangesRequested,
                action: A::Edit
            })
        );
        let t = decide(
            A::Reject,
            &pledge(S::Submitted, &slugs),
            &actor(Kind::Admin),
            Some("no"),
        );
        assert_eq!(
            t,
            Ok(Transition {
                from: S::Submitted,
                to: S::Rejected,
                action: A::Reject
            })
        );
    }

    #[test]
    fn submitting_needs_a_verified_email() {
        let slugs = tracks(&[]);
        let unverified = Standing {
            email_verified: false,
            ..actor(Kind::Member)
        };
        for status in [S::Draft, S::ChangesRequested] {
            let p = pledge(status, &slugs);
            assert_eq!(
                decide(A::Submit, &p, &unverified, None),
                Err(Refusal::EmailNotVerified)
            );
            // Only submitting is gated: drafting and withdrawing are not.
            assert!(decide(A::Edit, &p, &unverified, None).is_ok());
            assert!(decide(A::Withdraw, &p, &unverified, None).is_ok());
        }
        // Standing and status are reported first.
        let outsider = Standing {
            email_verified: false,
            ..actor(Kind::Outsider)
        };
        assert_eq!(
            decide(A::Submit, &pledge(S::Draft, &slugs), &outsider, None),
            Err(Refusal::NotAllowed)
        );
        assert_eq!(
            decide(A::Submit, &pledge(S::Published, &slugs), &unverified, None),
            Err(Refusal::InvalidTransition)
        );
    }

    #[test]
    fn approving_needs_a_verified_organisation() {
        let slugs = tracks(&[]);
        let p = PledgeContext {
            organisation_verified: false,
            ..pledge(S::Submitted, &slugs)
        };
        for kind in [Kind::ModeratorOther, Kind::Admin] {
            let a = actor(kind);
            assert_eq!(
                decide(A::Approve, &p, &a, None),
                Err(Refusal::OrganisationNotVerified)
            );
            // The organisation can still be asked for changes or turned down.
            assert!(decide(A::RequestChanges, &p, &a, Some("more detail")).is_ok());
            assert!(decide(A::Reject, &p, &a, Some("out of remit")).is_ok());
        }
        // Submitting does not wait for verification: moderators verify while reviewing.
        let draft = PledgeContext {
            organisation_verified: false,
            ..pledge(S::Draft, &slugs)
        };
        assert!(decide(A::Submit, &draft, &actor(Kind::Member), None).is_ok());
    }

    #[test]
    fn request_changes_and_reject_need_a_non_blank_reason() {
        let slugs = tracks(&[]);
        let p = pledge(S::Submitted, &slugs);
        let moderator = actor(Kind::ModeratorOther);
        for action in [A::RequestChanges, A::Reject] {
            for reason in [None, Some(""), Some("   "), Some(" \t\n ")] {
                assert_eq!(
                    decide(action, &p, &moderator, reason),
                    Err(Refusal::ReasonRequired),
                    "{action} with {reason:?}"
                );
            }
            assert!(decide(action, &p, &moderator, Some("  Please add a budget. ")).is_ok());
        }
        // Approve's comment and withdraw's reason are optional.
        assert!(decide(A::Approve, &p, &moderator, None).is_ok());
        assert!(decide(A::Approve, &p, &moderator, Some("  ")).is_ok());
        assert!(decide(A::Withdraw, &p, &actor(Kind::Member), None).is_ok());
        // A missing reason is reported last.
        assert_eq!(
            decide(A::Reject, &pledge(S::Draft, &slugs), &moderator, None),
            Err(Refusal::InvalidTransition)
        );
        assert_eq!(
            decide(A::Reject, &p, &actor(Kind::Organiser), None),
            Err(Refusal::NotAllowed)
        );
    }

    #[test]
    fn an_approval_waits_scheduled_while_its_reveal_is_ahead() {
        let now = chrono::TimeZone::with_ymd_and_hms(&Utc, 2023, 3, 6, 10, 30, 0).unwrap();
        let second = chrono::Duration::seconds(1);
        assert_eq!(approved_status(None, now), S::Published);
        assert_eq!(approved_status(Some(now + second), now), S::Scheduled);
        // The moment itself, or one already passed, publishes at once.
        assert_eq!(approved_status(Some(now), now), S::Published);
        assert_eq!(approved_status(Some(now - second), now), S::Published);
    }

    #[test]
    fn scoped_moderators_time_only_their_tracks_and_pledgers_never() {
        let scope = tracks(&["ldc5"]);
        let moderator = Standing {
            moderation_scope: &scope,
            ..actor(Kind::ModeratorOther)
        };
        let inside = tracks(&["ldc5"]);
        let outside = tracks(&["p2c"]);
        for action in [A::Reveal, A::Reschedule] {
            let scheduled = pledge(S::Scheduled, &inside);
            assert!(decide(action, &scheduled, &moderator, None).is_ok());
            assert_eq!(
                decide(action, &pledge(S::Scheduled, &outside), &moderator, None),
                Err(Refusal::OutOfScope)
            );
            // Organisers are not scoped; the organisation itself does not time its reveal.
            let organiser = Standing {
                moderation_scope: &scope,
                ..actor(Kind::Organiser)
            };
            assert!(decide(action, &pledge(S::Scheduled, &outside), &organiser, None).is_ok());
            assert_eq!(
                decide(action, &scheduled, &actor(Kind::Owner), None),
                Err(Refusal::NotAllowed)
            );
        }
    }

    #[test]
    fn clean_reason_trims_and_drops_blank() {
        assert_eq!(clean_reason(None), None);
        assert_eq!(clean_reason(Some("")), None);
        assert_eq!(clean_reason(Some(" \n")), None);
        assert_eq!(clean_reason(Some("  needs dates \n")), Some("needs dates"));
    }

    #[test]
    fn scoped_moderators_decide_only_their_tracks() {
        let scope = tracks(&["ldc5", "green-digital-action-cop28"]);
        let moderator = Standing {
            moderation_scope: &scope,
            ..actor(Kind::ModeratorOther)
        };

        let inside = tracks(&["p2c", "ldc5"]);
        let p = pledge(S::Submitted, &inside);
        for action in [A::Approve, A::RequestChanges, A::Reject] {
            assert!(
                decide(action, &p, &moderator, Some("r")).is_ok(),
                "{action}"
            );
        }

        let outside = tracks(&["p2c", "sdg-digital-day-2023"]);
        let no_tracks = tracks(&[]);
        for slugs in [&outside, &no_tracks] {
            let p = pledge(S::Submitted, slugs);
            for action in [A::Approve, A::RequestChanges, A::Reject] {
                assert_eq!(
                    decide(action, &p, &moderator, Some("r")),
                    Err(Refusal::OutOfScope),
                    "{action} on {slugs:?}"
                );
            }
            // Scope holds whatever the status, so it is reported before the status.
            assert_eq!(
                decide(A::Approve, &pledge(S::Published, slugs), &moderator, None),
                Err(Refusal::OutOfScope)
            );
        }

        // An empty scope means every track.
        let p = pledge(S::Submitted, &outside);
        assert!(decide(A::Approve, &p, &actor(Kind::ModeratorOther), None).is_ok());
    }

    #[test]
    fn own_organisation_is_reported_before_scope() {
        let scope = tracks(&["ldc5"]);
        let slugs = tracks(&["p2c"]);
        let moderator = Standing {
            moderation_scope: &scope,
            ..actor(Kind::ModeratorOwn)
        };
        assert_eq!(
            decide(A::Approve, &pledge(S::Submitted, &slugs), &moderator, None),
            Err(Refusal::OwnOrganisation)
        );
    }

    #[test]
    fn admins_are_never_scoped() {
        let scope = tracks(&["ldc5"]);
        let admin = Standing {
            moderation_scope: &scope,
            ..actor(Kind::Admin)
        };
        for slugs in [tracks(&["p2c"]), tracks(&[])] {
            let p = pledge(S::Submitted, &slugs);
            for action in [A::Approve, A::RequestChanges, A::Reject] {
                assert!(decide(action, &p, &admin, Some("r")).is_ok(), "{action}");
            }
        }
    }

    #[test]
    fn scope_means_nothing_outside_moderation() {
        // A scope left on a user whose role changed gives no extra rights and takes none away.
        let scope = tracks(&["ldc5"]);
        let slugs = tracks(&["p2c"]);
        let member = Standing {
            moderation_scope: &scope,
            ..actor(Kind::Member)
        };
        assert!(decide(A::Submit, &pledge(S::Draft, &slugs), &member, None).is_ok());
        let organiser = Standing {
            moderation_scope: &scope,
            ..actor(Kind::Organiser)
        };
        let ldc5 = tracks(&["ldc5"]);
        assert_eq!(
            decide(A::Approve, &pledge(S::Submitted, &ldc5), &organiser, None),
            Err(Refusal::NotAllowed)
        );
    }

    #[test]
    fn terminal_states_allow_nothing() {
        let slugs = tracks(&["ldc5"]);
        for status in Status::ALL.into_iter().filter(|s| s.is_terminal()) {
            for action in Action::ALL {
                assert_eq!(next_status(status, action), None, "{status} {action}");
                for kind in KINDS {
                    assert!(
                        decide(action, &pledge(status, &slugs), &actor(kind), Some("r")).is_err(),
                        "{status} {action} {kind:?}"
                    );
                }
            }
            for kind in KINDS {
                assert!(available_actions(&pledge(status, &slugs), &actor(kind)).is_empty());
            }
        }
    }

    #[test]
    fn available_actions_follow_decide() {
        let slugs = tracks(&["ldc5"]);
        let draft = pledge(S::Draft, &slugs);
        assert_eq!(
            available_actions(&draft, &actor(Kind::Member)),
            vec![A::Edit, A::Submit, A::Withdraw]
        );
        let submitted = pledge(S::Submitted, &slugs);
        assert_eq!(
            available_actions(&submitted, &actor(Kind::ModeratorOther)),
            vec![A::Approve, A::RequestChanges, A::Reject, A::Reschedule]
        );
        assert_eq!(
            available_actions(&submitted, &actor(Kind::Member)),
            vec![A::Withdraw]
        );
        let published = pledge(S::Published, &slugs);
        assert_eq!(
            available_actions(&published, &actor(Kind::Admin)),
            vec![A::Withdraw]
        );
        assert!(available_actions(&published, &actor(Kind::Outsider)).is_empty());
        let unverified = Standing {
            email_verified: false,
            ..actor(Kind::Member)
        };
        assert_eq!(
            available_actions(&draft, &unverified),
            vec![A::Edit, A::Withdraw]
        );
    }

    #[test]
    fn status_names_round_trip() {
        let names = [
            "draft",
            "submitted",
            "changes_requested",
            "published",
            "rejected",
            "withdrawn",
            "completed",
            "inactive",
            "scheduled",
        ];
        assert_eq!(Status::ALL.len(), names.len());
        for (status, name) in Status::ALL.into_iter().zip(names) {
            assert_eq!(status.as_str(), name);
            assert_eq!(name.parse::<Status>(), Ok(status));
            assert_eq!(serde_json::to_value(status).unwrap(), name);
        }
        let err = "Draft".parse::<Status>().unwrap_err();
        assert!(
            err.contains("\"Draft\"") && err.contains("changes_requested"),
            "{err}"
        );
        let pending: Vec<_> = Status::ALL.into_iter().filter(|s| s.is_pending()).collect();
        assert_eq!(pending, vec![S::Submitted, S::ChangesRequested]);
        let terminal: Vec<_> = Status::ALL
            .into_iter()
            .filter(|s| s.is_terminal())
            .collect();
        assert_eq!(terminal, vec![S::Rejected, S::Withdrawn, S::Completed]);
        let public: Vec<_> = Status::ALL.into_iter().filter(|s| s.is_public()).collect();
        assert_eq!(public, vec![S::Published, S::Completed, S::Inactive]);
    }

    #[test]
    fn action_names_round_trip() {
        let names = [
            "edit",
            "submit",
            "approve",
            "request_changes",
            "reject",
            "withdraw",
            "reveal",
            "reschedule",
        ];
        assert_eq!(Action::ALL.len(), names.len());
        for (action, name) in Action::ALL.into_iter().zip(names) {
            assert_eq!(action.as_str(), name);
            assert_eq!(name.parse::<Action>(), Ok(action));
            assert_eq!(serde_json::to_value(action).unwrap(), name);
        }
        assert!("request-changes".parse::<Action>().is_err());
    }

    #[test]
    fn platform_role_names_round_trip() {
        let names = ["pledger", "moderator", "organiser", "admin"];
        for (&role, name) in PlatformRole::ALL.iter().zip(names) {
            assert_eq!(role.as_str(), name);
            assert_eq!(name.parse::<PlatformRole>().unwrap(), role);
            assert_eq!(serde_json::to_value(role).unwrap(), name);
        }
        assert!("organizer".parse::<PlatformRole>().is_err());
        assert!(!PlatformRole::Pledger.is_staff());
        assert!(PlatformRole::Organiser.is_staff());
        assert!(!PlatformRole::Organiser.can_moderate());
    }

    #[test]
    fn refusal_codes_are_distinct_and_messages_present() {
        let mut codes: Vec<_> = Refusal::ALL.into_iter().map(Refusal::code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), Refusal::ALL.len());
        for refusal in Refusal::ALL {
            assert!(!refusal.message().is_empty());
            assert_eq!(refusal.to_string(), refusal.message());
        }
    }
}
