//! Typed identifiers: a pledge id cannot be passed where a user id is expected. Every id is a
//! UUIDv7 as text (ids sort by creation time, which keyset pages rely on).

/// Declares an id type: a transparent string in JSON, a `uuid` in the contract.
macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord,
            ::serde::Serialize, ::serde::Deserialize, ::utoipa::ToSchema,
        )]
        #[serde(transparent)]
        #[schema(value_type = String, format = "uuid")]
        pub struct $name(String);

        impl $name {
            /// A fresh id.
            pub fn generate() -> Self {
                Self(::uuid::Uuid::now_v7().to_string())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

id_type!(
    /// A private big-screen link.
    ScreenLinkId
);
id_type!(
    /// A pledge.
    PledgeId
);
id_type!(
    /// An organisation.
    OrganisationId
);
id_type!(
    /// A user account.
    UserId
);
id_type!(
    /// A yearly progress report.
    ReportId
);
id_type!(
    /// A proposed amendment to a published pledge.
    AmendmentId
);
id_type!(
    /// A message in the outbox.
    MessageId
);
id_type!(
    /// An invitation to join an organisation.
    InvitationId
);
id_type!(
    /// A bulk import.
    ImportId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_distinct_types_that_travel_as_plain_strings() {
        let id = PledgeId::generate();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{id}\""));
        let back: PledgeId = serde_json::from_str(&json).unwrap();
        assert_eq!(back, id);
        assert!(PledgeId::generate() > id, "ids sort by creation time");
    }
}
