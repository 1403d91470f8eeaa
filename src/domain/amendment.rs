//! Amendments to a published pledge: its organisation proposes new content, the published
//! content stays what everyone sees until a moderator approves the proposal, or refuses it with
//! a reason.
//!
//! ```text
//! (none) --propose--> proposed --approve--> approved   (the proposal becomes the published pledge)
//!                     |  ^   \--refuse(reason)--> refused
//!                edit |  |    \--withdraw--> withdrawn
//!                     +--+
//! ```
//!
//! A pledge has at most one open (`proposed`) amendment; once it is decided or withdrawn, the
//! organisation may propose another. Only published and inactive pledges are amended (a
//! completed or withdrawn pledge is settled). The rules are decided here from plain facts, as
//! [`super::workflow::decide`] decides a pledge's steps, and [`diff`] says what a proposal
//! changes, field by field, for the proposal's view and the pledge's history.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::pledge::{ValidPledge, DERIVED_FIELDS, PRIVATE_FIELDS};
use super::vocabulary::vocabulary;
use super::workflow::{clean_reason, covers, PlatformRole, PledgeContext, Standing, Status};

vocabulary!(
    /// Where an amendment is: `proposed` (open: waiting for a moderator, and editable by the
    /// organisation), `approved` (it became the published pledge), `refused` (with a reason) or
    /// `withdrawn` (by the organisation).
    AmendmentStatus {
        Proposed => "proposed",
        Approved => "approved",
        Refused => "refused",
        Withdrawn => "withdrawn",
    }
);

vocabulary!(
    /// Something a user asks to do with a pledge's amendment.
    AmendmentAction {
        Propose => "propose",
        Edit => "edit",
        Withdraw => "withdraw",
        Approve => "approve",
        Refuse => "refuse",
    }
);

impl AmendmentAction {
    /// Taken by moderators and admins, never on their own organisation's pledges.
    pub fn is_decision(self) -> bool {
        matches!(self, Self::Approve | Self::Refuse)
    }

    /// The name of the step in the pledge's history.
    pub fn event(self) -> &'static str {
        match self {
            Self::Propose => "amendment_proposed",
            Self::Edit => "amendment_edited",
            Self::Withdraw => "amendment_withdrawn",
            Self::Approve => "amendment_approved",
            Self::Refuse => "amendment_refused",
        }
    }
}

/// Why an amendment step was refused. [`AmendmentRefusal::code`] is part of the API contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AmendmentRefusal {
    /// No standing for this step: not in the pledge's organisation, or not staff for a decision.
    NotAllowed,
    /// A moderator (or admin) deciding an amendment of their own organisation's pledge.
    OwnOrganisation,
    /// A track-scoped moderator deciding an amendment outside their tracks.
    OutOfScope,
    /// Proposing needs a verified email, as submitting does.
    EmailNotVerified,
    /// Approving needs the pledge's organisation to be verified, as publishing does.
    OrganisationNotVerified,
    /// The pledge is not published (or inactive): there is nothing public to amend.
    NotAmendable,
    /// A proposal while another is open.
    AmendmentOpen,
    /// The pledge never had an amendment.
    NoAmendment,
    /// The pledge's latest amendment was already decided or withdrawn.
    NotOpen,
    /// The proposal would change nothing in the published pledge.
    Unchanged,
    /// Refusing needs a non-blank reason.
    ReasonRequired,
}

impl AmendmentRefusal {
    pub const ALL: [AmendmentRefusal; 11] = [
        Self::NotAllowed,
        Self::OwnOrganisation,
        Self::OutOfScope,
        Self::EmailNotVerified,
        Self::OrganisationNotVerified,
        Self::NotAmendable,
        Self::AmendmentOpen,
        Self::NoAmendment,
        Self::NotOpen,
        Self::Unchanged,
        Self::ReasonRequired,
    ];

    /// Stable machine-readable code for problem responses.
    pub fn code(self) -> &'static str {
        match self {
            Self::NotAllowed => "not_allowed",
            Self::OwnOrganisation => "own_organisation",
            Self::OutOfScope => "out_of_scope",
            Self::EmailNotVerified => "email_not_verified",
            Self::OrganisationNotVerified => "organisation_not_verified",
            Self::NotAmendable => "not_amendable",
            Self::AmendmentOpen => "amendment_open",
            Self::NoAmendment => "not_found",
            Self::NotOpen => "amendment_not_open",
            Self::Unchanged => "amendment_unchanged",
            Self::ReasonRequired => "reason_required",
        }
    }

    /// Refused because of who asks: answered before `If-Match` is looked at, so that a stale
    /// version is a failed precondition whatever the amendment's state.
    pub fn is_about_the_caller(self) -> bool {
        matches!(
            self,
            Self::NotAllowed | Self::OwnOrganisation | Self::OutOfScope | Self::EmailNotVerified
        )
    }

    /// A sentence for people; clients should match on [`AmendmentRefusal::code`].
    pub fn message(self) -> &'static str {
        match self {
            Self::NotAllowed => "You are not allowed to do this to this pledge's amendment.",
            Self::OwnOrganisation => {
                "Moderators may not decide amendments of their own organisation's pledges."
            }
            Self::OutOfScope => "This pledge is outside the tracks you moderate.",
            Self::EmailNotVerified => "Verify your email address before proposing an amendment.",
            Self::OrganisationNotVerified => {
                "The pledge's organisation must be verified before its amendment is approved."
            }
            Self::NotAmendable => "Only published (or inactive) pledges are amended.",
            Self::AmendmentOpen => {
                "This pledge already has an open amendment: edit or withdraw it first."
            }
            Self::NoAmendment => "This pledge has no amendment.",
            Self::NotOpen => "This pledge's amendment was already decided or withdrawn.",
            Self::Unchanged => "The amendment would change nothing in the published pledge.",
            Self::ReasonRequired => "A reason is required to refuse an amendment.",
        }
    }
}

impl fmt::Display for AmendmentRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for AmendmentRefusal {}

/// Whether a pledge in `status` is amended: published, or inactive (it is public and lives on).
pub fn is_amendable(status: Status) -> bool {
    matches!(status, Status::Published | Status::Inactive)
}

/// Decides whether `actor` may take `action` on the amendment of `pledge`, whose latest
/// amendment is in `current` (`None`: it never had one), and the amendment's status after it.
///
/// When several refusals apply, the first in this order wins, from the most permanent to the
/// most easily fixed:
///
/// 1. `not_allowed`: the organisation proposes, edits and withdraws; moderators and admins
///    decide.
/// 2. `own_organisation`, then `out_of_scope`: a decider who may never decide this pledge.
/// 3. `not_amendable`: the pledge is not published or inactive (withdrawing an open amendment
///    stays possible whatever became of the pledge).
/// 4. `amendment_open` for a proposal; `not_found`, `amendment_not_open` for the other steps.
/// 5. `email_not_verified` for a proposal, `organisation_not_verified` for an approval.
/// 6. `reason_required` to refuse.
pub fn decide(
    action: AmendmentAction,
    pledge: &PledgeContext<'_>,
    current: Option<AmendmentStatus>,
    actor: &Standing<'_>,
    reason: Option<&str>,
) -> Result<AmendmentStatus, AmendmentRefusal> {
    use AmendmentAction as A;
    use AmendmentRefusal as R;
    let standing = if action.is_decision() {
        matches!(actor.role, PlatformRole::Moderator | PlatformRole::Admin)
    } else {
        actor.in_owning_organisation
    };
    if !standing {
        return Err(R::NotAllowed);
    }
    if action.is_decision() {
        if actor.in_owning_organisation {
            return Err(R::OwnOrganisation);
        }
        if actor.role == PlatformRole::Moderator && !covers(actor.moderation_scope, pledge.tracks) {
            return Err(R::OutOfScope);
        }
    }
    if action != A::Withdraw && !is_amendable(pledge.status) {
        return Err(R::NotAmendable);
    }
    let next = match (action, current) {
        (A::Propose, Some(AmendmentStatus::Proposed)) => return Err(R::AmendmentOpen),
        (A::Propose, _) => AmendmentStatus::Proposed,
        (_, None) => return Err(R::NoAmendment),
        (_, Some(status)) if status != AmendmentStatus::Proposed => return Err(R::NotOpen),
        (A::Edit, _) => AmendmentStatus::Proposed,
        (A::Withdraw, _) => AmendmentStatus::Withdrawn,
        (A::Approve, _) => AmendmentStatus::Approved,
        (A::Refuse, _) => AmendmentStatus::Refused,
    };
    if action == A::Propose && !actor.email_verified {
        return Err(R::EmailNotVerified);
    }
    if action == A::Approve && !pledge.organisation_verified {
        return Err(R::OrganisationNotVerified);
    }
    if action == A::Refuse && clean_reason(reason).is_none() {
        return Err(R::ReasonRequired);
    }
    Ok(next)
}

/// One field an amendment changes: its value in the published pledge and in the proposal
/// (`null` where a field is empty or left out).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FieldChange {
    /// A pledge field, as in the pledge's body.
    #[schema(example = "value")]
    pub field: String,
    /// The published value: any JSON value, as the field reads in a pledge.
    #[schema(example = json!({"currency": "USD", "amount_minor": 5000000000u64, "usd": 50000000}))]
    pub before: serde_json::Value,
    /// The proposed value.
    #[schema(example = json!({"currency": "USD", "amount_minor": 7500000000u64, "usd": 75000000}))]
    pub after: serde_json::Value,
}

/// What `after` changes in `before`, field by field in the fields' alphabetical order. The
/// derived flags (`ldc`, `lldc`, `sids`) follow the countries and are not listed apart.
pub fn diff(before: &ValidPledge, after: &ValidPledge) -> Vec<FieldChange> {
    let fields = |pledge: &ValidPledge| match serde_json::to_value(pledge) {
        Ok(serde_json::Value::Object(fields)) => fields,
        _ => serde_json::Map::new(),
    };
    let (old, new) = (fields(before), fields(after));
    let names: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let null = serde_json::Value::Null;
    names
        .into_iter()
        .filter(|field| !DERIVED_FIELDS.contains(&field.as_str()))
        .filter_map(|field| {
            let (was, now) = (
                old.get(field).unwrap_or(&null),
                new.get(field).unwrap_or(&null),
            );
            (was != now).then(|| FieldChange {
                field: field.clone(),
                before: was.clone(),
                after: now.clone(),
            })
        })
        .collect()
}

/// The changes of a history step (`event`) a viewer may see: the organisation and staff see
/// every step's, the public only what an approval made public (never the contact): a proposal
/// that was not approved was never public.
pub fn visible_changes(event: &str, changes: Vec<FieldChange>, insider: bool) -> Vec<FieldChange> {
    if insider {
        return changes;
    }
    if event != AmendmentAction::Approve.event() {
        return Vec::new();
    }
    changes
        .into_iter()
        .filter(|c| !PRIVATE_FIELDS.contains(&c.field.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::pledge::{Contact, Money};

    /// The kinds of caller the table covers, relative to the pledge under test.
    #[derive(Debug, Clone, Copy)]
    enum Kind {
        Outsider,
        Member,
        ModeratorOther,
        ModeratorOwn,
        Admin,
        AdminOwn,
        Organiser,
    }

    const KINDS: [Kind; 7] = [
        Kind::Outsider,
        Kind::Member,
        Kind::ModeratorOther,
        Kind::ModeratorOwn,
        Kind::Admin,
        Kind::AdminOwn,
        Kind::Organiser,
    ];

    fn actor(kind: Kind) -> Standing<'static> {
        let (role, in_owning_organisation) = match kind {
            Kind::Outsider => (PlatformRole::Pledger, false),
            Kind::Member => (PlatformRole::Pledger, true),
            Kind::ModeratorOther => (PlatformRole::Moderator, false),
            Kind::ModeratorOwn => (PlatformRole::Moderator, true),
            Kind::Admin => (PlatformRole::Admin, false),
            Kind::AdminOwn => (PlatformRole::Admin, true),
            Kind::Organiser => (PlatformRole::Organiser, false),
        };
        Standing {
            role,
            in_owning_organisation,
            email_verified: true,
            moderation_scope: &[],
        }
    }

    fn pledge(status: Status, tracks: &[String]) -> PledgeContext<'_> {
        PledgeContext {
            status,
            organisation_verified: true,
            tracks,
        }
    }

    fn outcome(result: Result<AmendmentStatus, AmendmentRefusal>) -> &'static str {
        match result {
            Ok(status) => status.as_str(),
            Err(refusal) => refusal.code(),
        }
    }

    // Abbreviations for the table only.
    const NA: &str = "not_allowed";
    const OO: &str = "own_organisation";
    const AO: &str = "amendment_open";
    const NF: &str = "not_found";
    const NO: &str = "amendment_not_open";
    const PR: &str = "proposed";
    const AP: &str = "approved";
    const RF: &str = "refused";
    const WD: &str = "withdrawn";

    use AmendmentAction as A;
    use AmendmentStatus as S;

    /// On a published pledge, for each latest amendment (none, or its status) and action, the
    /// outcome for each kind in `KINDS` order: outsider, member, moderator (other
    /// organisation), moderator (own), admin, admin (own), organiser. Written by hand.
    #[rustfmt::skip]
    const TABLE: [(Option<S>, A, [&str; 7]); 25] = [
        //                              outsd member mod  modown admin admown orgsr
        (None, A::Propose,             [NA,   PR,    NA,  PR,    NA,   PR,    NA]),
        (None, A::Edit,                [NA,   NF,    NA,  NF,    NA,   NF,    NA]),
        (None, A::Withdraw,            [NA,   NF,    NA,  NF,    NA,   NF,    NA]),
        (None, A::Approve,             [NA,   NA,    NF,  OO,    NF,   OO,    NA]),
        (None, A::Refuse,              [NA,   NA,    NF,  OO,    NF,   OO,    NA]),

        (Some(S::Proposed), A::Propose,  [NA, AO,    NA,  AO,    NA,   AO,    NA]),
        (Some(S::Proposed), A::Edit,     [NA, PR,    NA,  PR,    NA,   PR,    NA]),
        (Some(S::Proposed), A::Withdraw, [NA, WD,    NA,  WD,    NA,   WD,    NA]),
        (Some(S::Proposed), A::Approve,  [NA, NA,    AP,  OO,    AP,   OO,    NA]),
        (Some(S::Proposed), A::Refuse,   [NA, NA,    RF,  OO,    RF,   OO,    NA]),

        (Some(S::Approved), A::Propose,  [NA, PR,    NA,  PR,    NA,   PR,    NA]),
        (Some(S::Approved), A::Edit,     [NA, NO,    NA,  NO,    NA,   NO,    NA]),
        (Some(S::Approved), A::Withdraw, [NA, NO,    NA,  NO,    NA,   NO,    NA]),
        (Some(S::Approved), A::Approve,  [NA, NA,    NO,  OO,    NO,   OO,    NA]),
        (Some(S::Approved), A::Refuse,   [NA, NA,    NO,  OO,    NO,   OO,    NA]),

        (Some(S::Refused), A::Propose,   [NA, PR,    NA,  PR,    NA,   PR,    NA]),
        (Some(S::Refused), A::Edit,      [NA, NO,    NA,  NO,    NA,   NO,    NA]),
        (Some(S::Refused), A::Withdraw,  [NA, NO,    NA,  NO,    NA,   NO,    NA]),
        (Some(S::Refused), A::Approve,   [NA, NA,    NO,  OO,    NO,   OO,    NA]),
        (Some(S::Refused), A::Refuse,    [NA, NA,    NO,  OO,    NO,   OO,    NA]),

        (Some(S::Withdrawn), A::Propose, [NA, PR,    NA,  PR,    NA,   PR,    NA]),
        (Some(S::Withdrawn), A::Edit,    [NA, NO,    NA,  NO,    NA,   NO,    NA]),
        (Some(S::Withdrawn), A::Withdraw,[NA, NO,    NA,  NO,    NA,   NO,    NA]),
        (Some(S::Withdrawn), A::Approve, [NA, NA,    NO,  OO,    NO,   OO,    NA]),
        (Some(S::Withdrawn), A::Refuse,  [NA, NA,    NO,  OO,    NO,   OO,    NA]),
    ];

    #[test]
    fn every_amendment_state_action_and_actor_matches_the_table() {
        let tracks = vec!["ldc5".to_owned()];
        let mut failures = Vec::new();
        let states = std::iter::once(None).chain(AmendmentStatus::ALL.into_iter().map(Some));
        for current in states {
            for action in AmendmentAction::ALL {
                let rows: Vec<_> = TABLE
                    .iter()
                    .filter(|(c, a, _)| *c == current && *a == action)
                    .collect();
                assert_eq!(rows.len(), 1, "one row for {current:?} {action}");
                for (kind, want) in KINDS.into_iter().zip(rows[0].2) {
                    let got = outcome(decide(
                        action,
                        &pledge(Status::Published, &tracks),
                        current,
                        &actor(kind),
                        Some("a reason"),
                    ));
                    if got != want {
                        failures.push(format!("{current:?} {action} {kind:?}: {want} ≠ {got}"));
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn only_published_and_inactive_pledges_are_amended_but_an_amendment_is_always_withdrawn() {
        let tracks = Vec::new();
        for status in Status::ALL {
            let amendable = matches!(status, Status::Published | Status::Inactive);
            for action in AmendmentAction::ALL {
                let who = if action.is_decision() {
                    Kind::ModeratorOther
                } else {
                    Kind::Member
                };
                let current = (action != A::Propose).then_some(S::Proposed);
                let got = outcome(decide(
                    action,
                    &pledge(status, &tracks),
                    current,
                    &actor(who),
                    Some("why"),
                ));
                let want = if amendable || action == A::Withdraw {
                    match action {
                        A::Propose | A::Edit => PR,
                        A::Withdraw => WD,
                        A::Approve => AP,
                        A::Refuse => RF,
                    }
                } else {
                    "not_amendable"
                };
                assert_eq!(got, want, "{status} {action}");
            }
        }
    }

    #[test]
    fn proposals_need_a_verified_email_refusals_a_reason_and_moderators_their_tracks() {
        let tracks = vec!["ldc5".to_owned()];
        let published = pledge(Status::Published, &tracks);
        let unverified = Standing {
            email_verified: false,
            ..actor(Kind::Member)
        };
        assert_eq!(
            decide(A::Propose, &published, None, &unverified, None),
            Err(AmendmentRefusal::EmailNotVerified)
        );
        // An edit of an open proposal is not a new proposal.
        assert_eq!(
            decide(A::Edit, &published, Some(S::Proposed), &unverified, None),
            Ok(S::Proposed)
        );
        let moderator = actor(Kind::ModeratorOther);
        for blank in [None, Some(""), Some("   ")] {
            assert_eq!(
                decide(A::Refuse, &published, Some(S::Proposed), &moderator, blank),
                Err(AmendmentRefusal::ReasonRequired)
            );
        }
        assert_eq!(
            decide(A::Approve, &published, Some(S::Proposed), &moderator, None),
            Ok(S::Approved)
        );
        // An organisation that lost its verification (a rename) has its amendments refused,
        // not approved, until a moderator verifies it again.
        let unverified = PledgeContext {
            organisation_verified: false,
            ..published
        };
        assert_eq!(
            decide(A::Approve, &unverified, Some(S::Proposed), &moderator, None),
            Err(AmendmentRefusal::OrganisationNotVerified)
        );
        assert_eq!(
            decide(
                A::Refuse,
                &unverified,
                Some(S::Proposed),
                &moderator,
                Some("no")
            ),
            Ok(S::Refused)
        );
        let elsewhere = ["cop28".to_owned()];
        let scoped = Standing {
            moderation_scope: &elsewhere,
            ..moderator
        };
        assert_eq!(
            decide(A::Approve, &published, Some(S::Proposed), &scoped, None),
            Err(AmendmentRefusal::OutOfScope)
        );
        // An admin is never limited to tracks.
        let admin = Standing {
            moderation_scope: &elsewhere,
            ..actor(Kind::Admin)
        };
        assert_eq!(
            decide(A::Refuse, &published, Some(S::Proposed), &admin, Some("no")),
            Ok(S::Refused)
        );
    }

    #[test]
    fn refusals_about_the_caller_are_told_apart_and_codes_are_distinct() {
        let codes: std::collections::HashSet<_> =
            AmendmentRefusal::ALL.iter().map(|r| r.code()).collect();
        assert_eq!(codes.len(), AmendmentRefusal::ALL.len());
        let about_caller: Vec<_> = AmendmentRefusal::ALL
            .into_iter()
            .filter(|r| r.is_about_the_caller())
            .collect();
        assert_eq!(
            about_caller,
            [
                AmendmentRefusal::NotAllowed,
                AmendmentRefusal::OwnOrganisation,
                AmendmentRefusal::OutOfScope,
                AmendmentRefusal::EmailNotVerified
            ]
        );
        for refusal in AmendmentRefusal::ALL {
            assert!(!refusal.to_string().is_empty());
        }
    }

    #[test]
    fn the_diff_lists_each_changed_field_in_order_with_both_values() {
        let before = ValidPledge::specimen();
        assert!(diff(&before, &before).is_empty(), "no change, no entry");

        let mut after = before.clone();
        after.title = "Connecting 800 rural schools".to_owned();
        after.value = Some(Money {
            currency: "USD".to_owned(),
            amount_minor: 7_500_000_000,
            usd: 75_000_000,
        });
        after.sdgs = vec![4, 9, 17];
        after.countries = vec!["GHA".to_owned()];
        after.ldc = false;
        after.lldc = false;
        after.contact = None;
        after.end_date = None;
        let changes = diff(&before, &after);
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        // By name; the derived flags follow the countries silently.
        assert_eq!(
            fields,
            ["contact", "countries", "end_date", "sdgs", "title", "value"]
        );
        let title = &changes[4];
        assert_eq!(title.before, "Connecting 500 rural schools");
        assert_eq!(title.after, "Connecting 800 rural schools");
        assert_eq!(changes[3].after, serde_json::json!([4, 9, 17]));
        assert_eq!(changes[5].after["usd"], 75_000_000);
        // A field emptied is `null` after; one filled in was `null` before.
        assert_eq!(changes[0].after, serde_json::Value::Null);
        assert_eq!(changes[2].after, serde_json::Value::Null);
        let back = diff(&after, &before);
        assert_eq!(back[0].before, serde_json::Value::Null);
        assert_eq!(back[0].field, "contact");
    }

    #[test]
    fn the_public_sees_only_approved_changes_and_never_the_contact() {
        let before = ValidPledge::specimen();
        let mut after = before.clone();
        after.contact = Some(Contact {
            name: "Kofi Boateng".to_owned(),
            email: "kofi@example.org".to_owned(),
        });
        after.summary = "Fibre and solar power for 800 rural schools by 2028.".to_owned();
        let changes = diff(&before, &after);
        assert_eq!(changes.len(), 2);
        let approved = A::Approve.event();
        let public = visible_changes(approved, changes.clone(), false);
        assert_eq!(public.len(), 1);
        assert_eq!(public[0].field, "summary");
        assert_eq!(visible_changes(approved, changes.clone(), true).len(), 2);
        // What was only proposed (or refused) stays with the organisation and staff.
        for step in [A::Propose, A::Edit, A::Withdraw, A::Refuse] {
            assert!(visible_changes(step.event(), changes.clone(), false).is_empty());
            assert_eq!(
                visible_changes(step.event(), changes.clone(), true).len(),
                2
            );
        }
    }
}
