//! The reference vocabularies: reading them, and the tracks organisers add.

use crate::{
    db::{taxonomy as repo, write_tx, DbConnection},
    domain::{
        account::OrganisationKind,
        account::PlatformRole,
        actor::Actor,
        counters::GLOBAL_SCOPE,
        language::Language,
        pledge::PledgeType,
        progress::Light,
        taxonomy::{
            apply_track_changes, validate_new_track, Country, CountryFilter, FocusAreaEntry,
            NamedVocabularies, NewTrack, Sdg, Term, Track, TrackChanges,
        },
        workflow::Status,
    },
    error::{AppError, AppResult},
    i18n::messages,
};

/// The SDGs, titled in `language`.
pub fn list_sdgs(conn: &mut DbConnection, language: Language) -> AppResult<Vec<Sdg>> {
    Ok(repo::sdgs(conn)?
        .into_iter()
        .map(|sdg| sdg.in_language(language))
        .collect())
}

/// Partner2Connect's focus areas and pillars, named in `language` (a focus area or pillar
/// the message files do not name keeps its stored name).
pub fn list_focus_areas(
    conn: &mut DbConnection,
    language: Language,
) -> AppResult<Vec<FocusAreaEntry>> {
    let m = messages();
    let named = |id: String, stored: &mut String| {
        if m.has(Language::En, &id) {
            *stored = m.text(language, &id, &[]);
        }
    };
    let mut areas = repo::focus_areas(conn)?;
    for area in &mut areas {
        named(format!("focus-area-{}", area.slug), &mut area.name);
        named(
            format!("focus-area-{}-tagline", area.slug),
            &mut area.tagline,
        );
        for pillar in &mut area.pillars {
            named(format!("pillar-{}", pillar.slug), &mut pillar.name);
        }
    }
    Ok(areas)
}

/// Every value of the closed vocabularies with its name in `language`.
pub fn vocabularies(language: Language) -> NamedVocabularies {
    fn terms<'a>(
        prefix: &str,
        codes: impl IntoIterator<Item = &'a str>,
        language: Language,
    ) -> Vec<Term> {
        codes
            .into_iter()
            .map(|code| Term {
                code: code.to_owned(),
                name: messages().text(language, &format!("{prefix}-{code}"), &[]),
            })
            .collect()
    }
    NamedVocabularies {
        organisation_kinds: terms(
            "organisation-kind",
            OrganisationKind::ALL.iter().map(|k| k.as_str()),
            language,
        ),
        pledge_types: terms(
            "pledge-type",
            PledgeType::ALL.iter().map(|t| t.as_str()),
            language,
        ),
        statuses: terms("status", Status::ALL.iter().map(|s| s.as_str()), language),
        lights: terms("light", Light::ALL.iter().map(|l| l.as_str()), language),
    }
}

/// The countries, named in `language`.
pub fn list_countries(
    conn: &mut DbConnection,
    filter: &CountryFilter,
    language: Language,
) -> AppResult<Vec<Country>> {
    Ok(repo::countries(conn, filter)?
        .into_iter()
        .map(|country| country.in_language(language))
        .collect())
}

/// The tracks, named and described in `language` where their organisers entered it.
pub fn list_tracks(conn: &mut DbConnection, language: Language) -> AppResult<Vec<Track>> {
    Ok(repo::tracks(conn)?
        .into_iter()
        .map(|track| track.in_language(language))
        .collect())
}

/// A track's display name in `language`; `all` names every pledge.
pub fn track_name(conn: &mut DbConnection, slug: &str, language: Language) -> AppResult<String> {
    if slug == GLOBAL_SCOPE {
        return Ok(messages().text(language, "screen-all-pledges", &[]));
    }
    let track = repo::find_track(conn, slug)?.ok_or(AppError::NotFound("track"))?;
    Ok(track.in_language(language).name)
}

fn only_organisers(actor: &Actor) -> AppResult<()> {
    Ok(actor.require_role(&[PlatformRole::Organiser, PlatformRole::Admin])?)
}

/// Organisers and admins add the tracks of their events.
pub fn create_track(conn: &mut DbConnection, actor: &Actor, input: &NewTrack) -> AppResult<Track> {
    only_organisers(actor)?;
    let track = validate_new_track(input)?;
    write_tx(conn, |conn| {
        repo::insert_track(conn, &track)?;
        repo::find_track(conn, &track.slug)?.ok_or(AppError::NotFound("track"))
    })
}

/// Organisers and admins edit a track's name, description, place and dates (never its slug:
/// pledges, links and big screens refer to it).
pub fn update_track(
    conn: &mut DbConnection,
    actor: &Actor,
    slug: &str,
    changes: &TrackChanges,
) -> AppResult<Track> {
    only_organisers(actor)?;
    write_tx(conn, |conn| {
        let current = repo::find_track(conn, slug)?.ok_or(AppError::NotFound("track"))?;
        let fields = apply_track_changes(&current, changes)?;
        repo::update_track(conn, slug, &fields)?;
        repo::find_track(conn, slug)?.ok_or(AppError::NotFound("track"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vocabulary_value_is_named_in_every_language() {
        for language in Language::ALL {
            let named = vocabularies(language);
            for term in named
                .organisation_kinds
                .iter()
                .chain(&named.pledge_types)
                .chain(&named.statuses)
                .chain(&named.lights)
            {
                let unnamed = ["organisation-kind-", "pledge-type-", "status-", "light-"]
                    .iter()
                    .any(|id| term.name.starts_with(id));
                assert!(!unnamed, "{language}: {} unnamed", term.code);
            }
        }
        for (prefix, code) in [
            ("organisation-kind", "un_entity"),
            ("pledge-type", "advocacy"),
            ("status", "changes_requested"),
            ("light", "no_report"),
        ] {
            for language in Language::ALL {
                assert!(
                    messages().has(language, &format!("{prefix}-{code}")),
                    "{language}"
                );
            }
        }
        assert_eq!(
            vocabularies(Language::Fr).statuses[2].name,
            "Modifications demandées"
        );
    }
}
