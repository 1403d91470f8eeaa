//! Pledges entered by the secretariat on an organisation's behalf (a minister's announcement
//! from the podium): the pledge goes to moderation like any other, and the organisation's
//! contact is invited to own the organisation; accepting confirms its entered pledges
//! (`db::pledges::confirm_entered`).

use chrono::Duration;

use super::{announce, view, PledgeView};
use crate::{
    auth::tokens,
    db::{
        self,
        counters::{counted_change, Affected},
        now,
        pledges::{insert, record_change_event, set_reveal_at, Event, Placement},
        DbConnection,
    },
    domain::{
        account::{
            unknown_country, Invitation, Organisation, OrganisationRole, PlatformRole,
            INVITATION_DAYS,
        },
        actor::Actor,
        entry::{EnteredFor, Entry},
        ids::{InvitationId, OrganisationId, PledgeId},
        pledge::ValidPledge,
        reveal,
        workflow::{Action, Status},
    },
    email::{send, templates::PledgeEntered, Links},
    error::{AppError, AppResult},
};

/// Who may enter a pledge on an organisation's behalf.
pub const ENTERING_ROLES: [PlatformRole; 2] = [PlatformRole::Organiser, PlatformRole::Admin];

/// Enters `valid` for the organisation `entry` names (created, unverified, when new), as
/// submitted; in the same transaction the moderators hear of it and the organisation's contact
/// gets an invitation to own the organisation, which confirms the pledge when accepted.
pub fn enter(
    conn: &mut DbConnection,
    actor: &Actor,
    entry: &Entry,
    valid: &ValidPledge,
    links: &Links,
) -> AppResult<PledgeView> {
    actor.require_role(&ENTERING_ROLES)?;
    if let EnteredFor::New(details) = &entry.organisation {
        if !db::taxonomy::country_exists(conn, &details.country)? {
            return Err(unknown_country("organisation.country", &details.country).into());
        }
    }
    let id = PledgeId::generate();
    counted_change(conn, Affected::pledge(&id), |conn| {
        let organisation = organisation(conn, &entry.organisation)?;
        let at = now();
        let placement = Placement {
            id: id.clone(),
            entered_by: Some(&actor.id),
            source: Some(&entry.source),
            ..Placement::new(&organisation.id, &actor.id, Status::Submitted, at)
        };
        let mut record = insert(conn, &placement, valid)?;
        let mut changes = Vec::new();
        if let Some(moment) = entry.reveal_at {
            set_reveal_at(conn, &id, moment.at().naive_utc())?;
            record.row.reveal_at = Some(moment.at().naive_utc());
            changes = reveal::change(None, moment.at());
        }
        let event = Event {
            action: "enter",
            from: None,
            to: Status::Submitted,
            reason: Some(&entry.source),
            version: 1,
        };
        record_change_event(conn, record.id(), actor, event, &changes)?;
        invite_owner(conn, actor, entry, &organisation, valid, links)?;
        announce(conn, &record, Action::Submit, None, links)?;
        Ok(view(record, Some(actor)))
    })
}

/// The organisation an entry is for: found, or created unverified from its details.
fn organisation(conn: &mut DbConnection, entered_for: &EnteredFor) -> AppResult<Organisation> {
    match entered_for {
        EnteredFor::Existing(id) => {
            db::organisations::find(conn, id)?.ok_or(AppError::NotFound("organisation"))
        }
        EnteredFor::New(details) => {
            let at = now();
            let organisation = Organisation {
                id: OrganisationId::generate(),
                name: details.name.clone(),
                kind: details.kind,
                country: details.country.clone(),
                website: details.website.clone(),
                verified: false,
                verified_at: None,
                created_at: at,
                updated_at: at,
            };
            db::organisations::insert(conn, &organisation)?;
            Ok(organisation)
        }
    }
}

/// Invites the organisation's contact to own it, naming the pledge to confirm.
fn invite_owner(
    conn: &mut DbConnection,
    actor: &Actor,
    entry: &Entry,
    organisation: &Organisation,
    valid: &ValidPledge,
    links: &Links,
) -> AppResult<()> {
    let token = tokens::random_secret();
    let invitation = Invitation {
        id: InvitationId::generate(),
        organisation_id: organisation.id.clone(),
        email: entry.contact.as_str().to_owned(),
        role: OrganisationRole::Owner,
        expires_at: now() + Duration::days(INVITATION_DAYS.into()),
    };
    db::tokens::insert_invitation(conn, &invitation, &actor.id, &tokens::hash_secret(&token))?;
    let message = PledgeEntered {
        public_url: links.public_url.clone(),
        inviter: actor.display_name.clone(),
        organisation: organisation.name.clone(),
        title: valid.title.clone(),
        source: entry.source.clone(),
        link: links.accept_invitation(&token),
        valid_days: INVITATION_DAYS,
    };
    send(conn, &message, &invitation.email)?;
    Ok(())
}
