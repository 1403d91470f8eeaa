//! The reference vocabularies pledges are tagged with: SDGs, P2C focus areas and pillars,
//! countries with their UN groupings, and pledging tracks.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::{Queryable, Selectable};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema;

/// A Sustainable Development Goal.
#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = schema::sdgs)]
pub struct Sdg {
    /// Goal number, 1 to 17.
    #[schema(minimum = 1, maximum = 17, example = 9)]
    pub number: i32,
    /// The official short title, e.g. "Industry, Innovation and Infrastructure".
    pub short_title: String,
    /// The goal as adopted in UN General Assembly resolution A/RES/70/1.
    pub title: String,
    /// The goal's colour in the SDG communication guidelines, as `#RRGGBB`.
    pub colour: String,
}

/// A pillar: one line of action inside a focus area.
#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = schema::pillars)]
pub struct Pillar {
    pub slug: String,
    #[serde(skip)]
    pub focus_area: String,
    pub name: String,
    #[serde(skip)]
    pub position: i32,
}

/// A Partner2Connect focus area with its pillars.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FocusArea {
    /// `access`, `adoption`, `value_creation` or `accelerate`.
    pub slug: String,
    pub name: String,
    /// P2C's description, e.g. "Connecting people everywhere".
    pub tagline: String,
    pub pillars: Vec<Pillar>,
}

/// A focus area row, before its pillars are attached.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = schema::focus_areas)]
pub struct FocusAreaRow {
    pub slug: String,
    pub name: String,
    pub tagline: String,
    pub position: i32,
}

impl FocusArea {
    /// Groups pillars under their focus areas, keeping the focus areas' and pillars' order.
    pub fn assemble(areas: Vec<FocusAreaRow>, pillars: Vec<Pillar>) -> Vec<FocusArea> {
        areas
            .into_iter()
            .map(|area| FocusArea {
                pillars: pillars
                    .iter()
                    .filter(|p| p.focus_area == area.slug)
                    .cloned()
                    .collect(),
                slug: area.slug,
                name: area.name,
                tagline: area.tagline,
            })
            .collect()
    }
}

/// A country or territory (ISO 3166-1) with its UN M49 region and UN-OHRLLS groupings.
#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = schema::countries)]
pub struct Country {
    /// ISO 3166-1 alpha-3 code, the identifier used everywhere in this API.
    #[schema(example = "GHA")]
    #[diesel(column_name = alpha3)]
    pub code: String,
    #[schema(example = "GH")]
    pub alpha2: String,
    /// ISO 3166-1 numeric code (also the UN M49 code), zero-padded.
    #[schema(example = "288")]
    pub numeric_code: String,
    pub name: String,
    /// UN M49 region (Africa, Americas, Asia, Europe, Oceania); none for Antarctica.
    pub region: Option<String>,
    /// UN M49 sub-region, e.g. "Sub-Saharan Africa".
    pub subregion: Option<String>,
    /// On the UN list of least developed countries (December 2024, 44 countries).
    pub ldc: bool,
    /// On the UN list of landlocked developing countries (32 countries).
    pub lldc: bool,
    /// On the UN-OHRLLS list of small island developing States (UN members and associate members).
    pub sids: bool,
}

/// A pledging track: an event or campaign pledges are announced under.
#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = schema::tracks)]
pub struct Track {
    #[schema(example = "ldc5")]
    pub slug: String,
    pub name: String,
    pub description: String,
    pub location: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pillars_are_grouped_under_their_focus_area_in_order() {
        let areas = vec![
            FocusAreaRow {
                slug: "access".into(),
                name: "Access".into(),
                tagline: "t".into(),
                position: 1,
            },
            FocusAreaRow {
                slug: "adoption".into(),
                name: "Adoption".into(),
                tagline: "t".into(),
                position: 2,
            },
        ];
        let pillar = |slug: &str, area: &str, position| Pillar {
            slug: slug.into(),
            focus_area: area.into(),
            name: slug.into(),
            position,
        };
        let pillars = vec![
            pillar("a1", "access", 1),
            pillar("b1", "adoption", 1),
            pillar("a2", "access", 2),
        ];
        let grouped = FocusArea::assemble(areas, pillars);
        assert_eq!(
            grouped[0]
                .pillars
                .iter()
                .map(|p| p.slug.as_str())
                .collect::<Vec<_>>(),
            ["a1", "a2"]
        );
        assert_eq!(grouped[1].pillars.len(), 1);
    }
}
