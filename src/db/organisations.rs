//! The `organisations` repository: organisations as stored, read back as [`Organisation`]s.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::{
    db::{mapping::parse_stored, now, schema::organisations, DbConnection},
    domain::{
        account::{Organisation, OrganisationEdit},
        errors::Corrupt,
        ids::OrganisationId,
    },
    error::AppResult,
    pagination::{Page, PageParams},
};

/// An organisation as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organisations)]
struct OrganisationRow {
    id: OrganisationId,
    name: String,
    kind: String,
    country: String,
    website: Option<String>,
    verified: bool,
    verified_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl OrganisationRow {
    fn into_organisation(self) -> Result<Organisation, Corrupt> {
        let kind = parse_stored("organisations", &self.id, &self.kind)?;
        Ok(Organisation {
            id: self.id,
            name: self.name,
            kind,
            country: self.country,
            website: self.website,
            verified: self.verified,
            verified_at: self.verified_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

pub fn find(conn: &mut DbConnection, id: &OrganisationId) -> AppResult<Option<Organisation>> {
    let row = organisations::table
        .find(id)
        .select(OrganisationRow::as_select())
        .first(conn)
        .optional()?;
    Ok(row.map(OrganisationRow::into_organisation).transpose()?)
}

/// The organisations that may be the ones `named` (name, country) by name whatever its case,
/// oldest first; the caller compares names itself (SQLite's `lower` folds ASCII only,
/// PostgreSQL's every script, so both foldings are asked for).
pub fn named(conn: &mut DbConnection, named: &[(&str, &str)]) -> AppResult<Vec<Organisation>> {
    if named.is_empty() {
        return Ok(Vec::new());
    }
    let names: Vec<String> = named
        .iter()
        .flat_map(|(name, _)| {
            [
                (*name).to_owned(),
                name.to_lowercase(),
                name.to_ascii_lowercase(),
            ]
        })
        .collect();
    let countries: Vec<&str> = named.iter().map(|(_, country)| *country).collect();
    let rows = organisations::table
        .filter(organisations::country.eq_any(&countries))
        .filter(
            organisations::name
                .eq_any(&names)
                .or(super::lower(organisations::name).eq_any(&names)),
        )
        .order(organisations::id.asc())
        .select(OrganisationRow::as_select())
        .load::<OrganisationRow>(conn)?;
    Ok(rows
        .into_iter()
        .map(OrganisationRow::into_organisation)
        .collect::<Result<_, _>>()?)
}

/// Organisations by name then id, a page at a time; only verified ones unless
/// `include_unverified`.
pub fn page(
    conn: &mut DbConnection,
    include_unverified: bool,
    page: &PageParams,
) -> AppResult<Page<Organisation>> {
    let limit = page.limit()?;
    let mut query = organisations::table
        .select(OrganisationRow::as_select())
        .into_boxed();
    if !include_unverified {
        query = query.filter(organisations::verified.eq(true));
    }
    if let Some([name, id]) = page.cursor(2)?.as_deref() {
        query = query.filter(
            organisations::name.gt(name.clone()).or(organisations::name
                .eq(name.clone())
                .and(organisations::id.gt(id.clone()))),
        );
    }
    let rows = query
        .order((organisations::name.asc(), organisations::id.asc()))
        .limit(limit + 1)
        .load::<OrganisationRow>(conn)?
        .into_iter()
        .map(OrganisationRow::into_organisation)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_overfetch(rows, limit, |o| {
        vec![o.name.clone(), o.id.to_string()]
    }))
}

/// How many organisations have an id starting with `prefix` (the demo data's).
pub fn count_with_id_prefix(conn: &mut DbConnection, prefix: &str) -> AppResult<i64> {
    Ok(organisations::table
        .filter(organisations::id.like(format!("{prefix}%")))
        .count()
        .get_result(conn)?)
}

pub fn insert(conn: &mut DbConnection, org: &Organisation) -> AppResult<()> {
    diesel::insert_into(organisations::table)
        .values((
            organisations::id.eq(&org.id),
            organisations::name.eq(&org.name),
            organisations::kind.eq(org.kind.as_str()),
            organisations::country.eq(&org.country),
            organisations::website.eq(&org.website),
            organisations::verified.eq(org.verified),
            organisations::verified_at.eq(org.verified_at),
            organisations::created_at.eq(org.created_at),
            organisations::updated_at.eq(org.updated_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Applies an edit; `withdraw_verification` clears a verification (a changed identity).
pub fn update(
    conn: &mut DbConnection,
    id: &OrganisationId,
    edit: &OrganisationEdit,
    withdraw_verification: bool,
) -> AppResult<()> {
    let target = organisations::table.find(id);
    if let Some(name) = &edit.name {
        diesel::update(target)
            .set(organisations::name.eq(name))
            .execute(conn)?;
    }
    if let Some(kind) = edit.kind {
        diesel::update(target)
            .set(organisations::kind.eq(kind.as_str()))
            .execute(conn)?;
    }
    if let Some(country) = &edit.country {
        diesel::update(target)
            .set(organisations::country.eq(country))
            .execute(conn)?;
    }
    if let Some(website) = &edit.website {
        diesel::update(target)
            .set(organisations::website.eq(website))
            .execute(conn)?;
    }
    if withdraw_verification {
        diesel::update(target)
            .set((
                organisations::verified.eq(false),
                organisations::verified_at.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
    }
    diesel::update(target)
        .set(organisations::updated_at.eq(now()))
        .execute(conn)?;
    Ok(())
}

/// Marks an organisation verified now, unless it already is.
pub fn mark_verified(conn: &mut DbConnection, id: &OrganisationId) -> AppResult<()> {
    let at = now();
    diesel::update(
        organisations::table
            .find(id)
            .filter(organisations::verified.eq(false)),
    )
    .set((
        organisations::verified.eq(true),
        organisations::verified_at.eq(at),
        organisations::updated_at.eq(at),
    ))
    .execute(conn)?;
    Ok(())
}
