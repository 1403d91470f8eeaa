//! A pledge entered on an organisation's behalf by the secretariat (`POST /entered-pledges`):
//! for an existing organisation or a new one, with the address of the organisation's contact
//! (who is invited to confirm it and take the organisation over) and where it was announced.
//! The pledge itself is the form's [`PledgeInput`], checked by the same rules. Pure code.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::{
    account::{parse_field, EmailAddress, FieldChecks, NewOrganisation, OrganisationDetails},
    errors::{FieldError, Invalid},
    ids::OrganisationId,
    pledge::PledgeInput,
    reveal::RevealAt,
    validation::{email_address, text},
};

/// The longest `source` accepted.
pub const SOURCE_MAX: usize = 500;

/// A pledge entered on an organisation's behalf.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = EnteredPledgeInput::example)]
pub struct EnteredPledgeInput {
    /// An existing organisation; give this or `organisation`.
    pub organisation_id: Option<OrganisationId>,
    /// A new organisation, created unverified; give this or `organisation_id`.
    #[validate(nested)]
    pub organisation: Option<NewOrganisation>,
    /// The organisation's contact: invited to confirm the pledge and own the organisation.
    #[validate(custom(function = "email_address"))]
    #[schema(
        format = "email",
        max_length = 254,
        example = "minister.office@ict.gov.np"
    )]
    pub contact_email: String,
    /// Where the pledge was made.
    #[validate(custom(function = "text::<3, SOURCE_MAX>"))]
    #[schema(
        min_length = 3,
        max_length = 500,
        example = "announced in plenary, LDC5, 6 March"
    )]
    pub source: String,
    /// The moment the pledge is to be revealed at, when it was announced ahead of its reveal
    /// (RFC 3339, after now, at most 366 days ahead): its approval keeps it, as if set with
    /// `PUT /pledges/{id}/reveal-at`.
    #[schema(example = "2023-03-06T10:30:00Z")]
    pub reveal_at: Option<DateTime<Utc>>,
    /// The pledge, as the organisation would write it (checked as `POST /pledges` checks it).
    pub pledge: PledgeInput,
}

impl EnteredPledgeInput {
    /// A valid body for a new organisation, as the contract's example.
    pub fn example() -> serde_json::Value {
        serde_json::json!({
            "organisation": {
                "name": "Ministry of Communications and Information Technology",
                "kind": "government",
                "country": "NPL",
            },
            "contact_email": "minister.office@ict.gov.np",
            "source": "announced in plenary, LDC5, 6 March",
            "pledge": PledgeInput::example(),
        })
    }
}

/// Which organisation an entered pledge is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnteredFor {
    Existing(OrganisationId),
    New(OrganisationDetails),
}

/// An entered pledge's particulars, checked (the pledge is checked on its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub organisation: EnteredFor,
    pub contact: EmailAddress,
    pub source: String,
    pub reveal_at: Option<RevealAt>,
}

impl EnteredPledgeInput {
    /// Every rule of the particulars at once (the pledge's are [`super::pledge::validate`]'s,
    /// named under `pledge.`); a moment to reveal at is ahead of `now`.
    pub fn parse(&self, now: DateTime<Utc>) -> Result<Entry, Invalid> {
        let mut checks = FieldChecks::from_rules(self);
        let reveal_at = self
            .reveal_at
            .and_then(|at| checks.take(RevealAt::parse("reveal_at", at, now)));
        let contact = EmailAddress::parse("contact_email", &self.contact_email).ok();
        let organisation = match (&self.organisation_id, &self.organisation) {
            (Some(id), None) => Some(EnteredFor::Existing(id.clone())),
            (None, Some(org)) => checks
                .take(parse_field("organisation.kind", &org.kind))
                .map(|kind| {
                    EnteredFor::New(OrganisationDetails {
                        name: org.name.trim().to_owned(),
                        kind,
                        country: org.country.clone(),
                        website: org.website.as_ref().map(|w| w.trim().to_owned()),
                    })
                }),
            _ => {
                checks.push(FieldError::new(
                    "organisation_id",
                    "required",
                    "give either organisation_id or organisation",
                ));
                None
            }
        };
        let entry = organisation
            .zip(contact)
            .map(|(organisation, contact)| Entry {
                organisation,
                contact,
                source: self.source.trim().to_owned(),
                reveal_at,
            });
        checks.finish_with(entry)
    }
}

/// The pledge's own field errors, named where they are in this body (`pledge.title`).
pub fn under_pledge(invalid: Invalid) -> Invalid {
    Invalid(
        invalid
            .0
            .into_iter()
            .map(|e| FieldError {
                field: format!("pledge.{}", e.field),
                ..e
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::account::OrganisationKind;

    fn now() -> DateTime<Utc> {
        chrono::TimeZone::with_ymd_and_hms(&Utc, 2023, 3, 6, 9, 0, 0).unwrap()
    }

    fn body(json: serde_json::Value) -> EnteredPledgeInput {
        serde_json::from_value(json).unwrap()
    }

    fn fields(invalid: Invalid) -> Vec<String> {
        invalid.0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn an_existing_organisation_or_a_new_one() {
        let existing = body(serde_json::json!({
            "organisation_id": "org-1", "contact_email": " Amina@ICT.gov.gh ",
            "source": " announced in plenary ", "pledge": {},
        }))
        .parse(now())
        .unwrap();
        assert_eq!(existing.organisation, EnteredFor::Existing("org-1".into()));
        assert_eq!(existing.contact.as_str(), "amina@ict.gov.gh");
        assert_eq!(existing.source, "announced in plenary");
        assert_eq!(existing.reveal_at, None);

        let new = body(serde_json::json!({
            "organisation": {"name": " Ministry of ICT ", "kind": "government", "country": "NPL"},
            "contact_email": "a@b.org", "source": "plenary", "pledge": {},
            "reveal_at": "2023-03-06T10:30:00+01:00",
        }))
        .parse(now())
        .unwrap();
        assert_eq!(
            new.reveal_at.map(RevealAt::at),
            Some(now() + chrono::Duration::minutes(30))
        );
        let EnteredFor::New(details) = new.organisation else {
            panic!("a new organisation");
        };
        assert_eq!(details.name, "Ministry of ICT");
        assert_eq!(details.kind, OrganisationKind::Government);
    }

    #[test]
    fn the_contracts_example_is_valid() {
        let example: EnteredPledgeInput =
            serde_json::from_value(EnteredPledgeInput::example()).unwrap();
        assert!(example.parse(now()).is_ok());
    }

    #[test]
    fn neither_or_both_organisations_are_refused() {
        let neither = body(serde_json::json!({
            "contact_email": "a@b.org", "source": "plenary", "pledge": {},
        }));
        assert_eq!(
            fields(neither.parse(now()).unwrap_err()),
            ["organisation_id"]
        );
        let both = body(serde_json::json!({
            "organisation_id": "org-1",
            "organisation": {"name": "Ministry", "kind": "government", "country": "NPL"},
            "contact_email": "a@b.org", "source": "plenary", "pledge": {},
        }));
        assert_eq!(fields(both.parse(now()).unwrap_err()), ["organisation_id"]);
    }

    #[test]
    fn every_particular_is_reported_at_once() {
        let bad = body(serde_json::json!({
            "organisation": {"name": "M", "kind": "guild", "country": "npl"},
            "contact_email": "not an address", "source": "", "pledge": {},
            "reveal_at": "2023-03-06T08:59:00Z",
        }));
        let found = fields(bad.parse(now()).unwrap_err());
        for field in [
            "contact_email",
            "organisation.country",
            "organisation.kind",
            "organisation.name",
            "reveal_at",
            "source",
        ] {
            assert!(found.iter().any(|f| f == field), "{field} in {found:?}");
        }
    }

    #[test]
    fn the_pledges_errors_are_named_under_pledge() {
        let named = under_pledge(Invalid::field("sdgs[0]", "out_of_range", "1 to 17"));
        assert_eq!(fields(named), ["pledge.sdgs[0]"]);
    }
}
