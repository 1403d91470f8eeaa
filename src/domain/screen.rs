//! What the big screen shows beside the figures: the latest published pledges (its ticker), and
//! the private screen links organisers hand to a hall's screen so it shows the pending figures
//! too.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::{
    account::FieldChecks,
    errors::Invalid,
    ids::{PledgeId, ScreenLinkId, UserId},
    validation::text,
};

/// How many of the latest published pledges a snapshot carries: enough for a ticker, small
/// enough that every stream event stays a few kilobytes.
pub const TICKER_LENGTH: usize = 5;

/// The longest title a ticker entry carries, in characters.
pub const TICKER_TITLE_MAX: usize = 80;

/// One entry of the ticker: a recently published pledge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LatestPledge {
    pub id: PledgeId,
    /// The pledge's title, cut to 80 characters.
    pub title: String,
    /// The pledging organisation's name.
    pub organisation: String,
    /// The organisation's country (ISO 3166-1 alpha-3).
    #[schema(example = "NPL")]
    pub country: String,
    /// The pledge's value in whole USD; none for pledges without one.
    pub usd: Option<i64>,
    pub published_at: DateTime<Utc>,
}

impl LatestPledge {
    /// A ticker entry, its title cut (on a character boundary) to [`TICKER_TITLE_MAX`].
    pub fn new(
        id: PledgeId,
        title: &str,
        organisation: String,
        country: String,
        usd: Option<i64>,
        published_at: DateTime<Utc>,
    ) -> Self {
        let title = match title.char_indices().nth(TICKER_TITLE_MAX) {
            Some((cut, _)) => format!("{}…", title[..cut].trim_end()),
            None => title.to_owned(),
        };
        Self {
            id,
            title,
            organisation,
            country,
            usd,
            published_at,
        }
    }
}

/// `POST /screen-links`.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewScreenLinkInput {
    /// The track the screen shows (`all` for every pledge).
    #[schema(example = "ldc5")]
    pub track: String,
    /// Where the screen stands, to tell links apart.
    #[serde(default)]
    #[validate(custom(function = "text::<0, 100>"))]
    #[schema(max_length = 100, example = "Plenary hall")]
    pub label: String,
}

impl NewScreenLinkInput {
    /// The label, trimmed, once the body's rules pass.
    pub fn parse(&self) -> Result<String, Invalid> {
        FieldChecks::from_rules(self).finish()?;
        Ok(self.label.trim().to_owned())
    }
}

/// A private screen link, as organisers list it (never with its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ScreenLink {
    pub id: ScreenLinkId,
    /// The track it shows (`all` for every pledge).
    pub track: String,
    pub label: String,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    /// When it stopped working; none while it works.
    pub revoked_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticker_titles_are_cut_on_a_character_boundary() {
        let at = Utc::now();
        let long = "é".repeat(100);
        let entry = LatestPledge::new(
            PledgeId::from("p"),
            &long,
            "O".into(),
            "NPL".into(),
            None,
            at,
        );
        assert_eq!(entry.title.chars().count(), TICKER_TITLE_MAX + 1);
        assert!(entry.title.ends_with('…'));
        let short = LatestPledge::new(
            PledgeId::from("p"),
            "Short",
            "O".into(),
            "NPL".into(),
            None,
            at,
        );
        assert_eq!(short.title, "Short");
    }

    #[test]
    fn a_screen_label_is_trimmed_and_bounded() {
        let input = |label: &str| NewScreenLinkInput {
            track: "ldc5".into(),
            label: label.into(),
        };
        assert_eq!(input("  Hall A ").parse().unwrap(), "Hall A");
        let err = input(&"x".repeat(101)).parse().unwrap_err();
        assert_eq!(err.0[0].code, "too_long");
    }
}
