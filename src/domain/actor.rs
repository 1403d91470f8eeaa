//! The authenticated caller as the rules see it: who, in which role, for which organisation.
//! Built by the HTTP layer from a verified token and a fresh read of the account.

use super::{
    account::{OrganisationRole, PlatformRole},
    errors::Forbidden,
    ids::{OrganisationId, UserId},
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: PlatformRole,
    pub organisation_id: Option<OrganisationId>,
    pub organisation_role: Option<OrganisationRole>,
    pub email_verified: bool,
}

impl Actor {
    pub fn belongs_to(&self, organisation_id: &OrganisationId) -> bool {
        self.organisation_id.as_ref() == Some(organisation_id)
    }

    pub fn is_owner_of(&self, organisation_id: &OrganisationId) -> bool {
        self.belongs_to(organisation_id) && self.organisation_role == Some(OrganisationRole::Owner)
    }

    pub fn is_staff(&self) -> bool {
        self.role.is_staff()
    }

    /// Staff, or a member of the organisation: those who see everything about its records.
    pub fn is_insider_of(&self, organisation_id: &OrganisationId) -> bool {
        self.is_staff() || self.belongs_to(organisation_id)
    }

    /// Fails unless the caller has one of `roles`.
    pub fn require_role(&self, roles: &[PlatformRole]) -> Result<(), Forbidden> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(Forbidden)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: PlatformRole, org: Option<(&str, OrganisationRole)>) -> Actor {
        Actor {
            id: UserId::from("u"),
            email: "a@example.org".into(),
            display_name: "A".into(),
            role,
            organisation_id: org.map(|(id, _)| OrganisationId::from(id)),
            organisation_role: org.map(|(_, r)| r),
            email_verified: true,
        }
    }

    #[test]
    fn membership_and_roles() {
        let org = OrganisationId::from("o");
        let owner = actor(PlatformRole::Pledger, Some(("o", OrganisationRole::Owner)));
        let member = actor(PlatformRole::Pledger, Some(("o", OrganisationRole::Member)));
        let moderator = actor(PlatformRole::Moderator, None);
        assert!(owner.is_owner_of(&org) && !member.is_owner_of(&org));
        assert!(member.is_insider_of(&org) && moderator.is_insider_of(&org));
        assert!(!actor(PlatformRole::Pledger, None).is_insider_of(&org));
        assert_eq!(owner.require_role(&[PlatformRole::Admin]), Err(Forbidden));
        assert!(moderator.require_role(&[PlatformRole::Moderator]).is_ok());
    }
}
