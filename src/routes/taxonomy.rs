//! `GET /api/v1/sdgs`, `/focus-areas`, `/countries`, `/tracks`: reference data; `POST /tracks`
//! and `PATCH /tracks/{slug}` for organisers.

use actix_web::{get, http::header, patch, post, web, HttpResponse, HttpResponseBuilder};

use super::{
    extract::{LangParam, Negotiated},
    list_envelope,
};
use crate::{
    domain::actor::Actor,
    domain::language::Language,
    domain::taxonomy::{
        Country, CountryFilter, FocusAreaEntry, NamedVocabularies, NewTrack, Sdg, Track,
        TrackChanges,
    },
    error::AppResult,
    services::taxonomy as service,
    state::AppState,
};

list_envelope!(SdgList, Sdg);
list_envelope!(FocusAreaList, FocusAreaEntry);
list_envelope!(CountryList, Country);
list_envelope!(TrackList, Track);

/// Reference data changes only with a migration (or, for tracks, by staff): let clients and
/// proxies keep it for a few minutes.
fn cacheable_answer() -> HttpResponseBuilder {
    let mut answer = HttpResponse::Ok();
    answer.insert_header(("Cache-Control", "public, max-age=300"));
    answer
}

/// Like [`cacheable`], in a language: says which (`caching` then adds `Accept-Language` to
/// `Vary`, as for every answer with a `Content-Language`).
fn cacheable_in<T: serde::Serialize>(language: Language, body: T) -> HttpResponse {
    cacheable_answer()
        .insert_header((header::CONTENT_LANGUAGE, language.as_str()))
        .json(body)
}

/// The 17 Sustainable Development Goals, titled in the language asked for (`lang`, else
/// `Accept-Language`, else English): the official short titles and goal texts in the six UN
/// languages.
#[utoipa::path(operation_id = "listSdgs", tag = "taxonomy",
    params(LangParam, ("Accept-Language" = Option<String>, Header, description = "Preferred languages (RFC 9110); `lang` wins")),
    responses(
        (status = 200, body = SdgList, headers(
            ("Content-Language" = Language, description = "The language of the titles"),
            ("Vary" = String, description = "`Accept-Language`"),
        )),
        (status = 400, description = "`lang` names no language of the service"),
    ))]
#[get("/api/v1/sdgs")]
pub async fn list_sdgs(
    state: web::Data<AppState>,
    language: Negotiated,
) -> AppResult<HttpResponse> {
    let Negotiated(language) = language;
    let items = state
        .db
        .run(move |conn| service::list_sdgs(conn, language))
        .await?;
    Ok(cacheable_in(language, SdgList { items }))
}

/// Partner2Connect's four focus areas, each with its pillars, named in the language asked for
/// (`lang`, else `Accept-Language`, else English).
#[utoipa::path(operation_id = "listFocusAreas", tag = "taxonomy",
    params(LangParam, ("Accept-Language" = Option<String>, Header, description = "Preferred languages (RFC 9110); `lang` wins")),
    responses((status = 200, body = FocusAreaList, headers(
        ("Content-Language" = Language, description = "The language of the names"),
        ("Vary" = String, description = "`Accept-Language`")))))]
#[get("/api/v1/focus-areas")]
pub async fn list_focus_areas(
    state: web::Data<AppState>,
    language: Negotiated,
) -> AppResult<HttpResponse> {
    let Negotiated(language) = language;
    let items = state
        .db
        .run(move |conn| service::list_focus_areas(conn, language))
        .await?;
    Ok(cacheable_in(language, FocusAreaList { items }))
}

/// The names of the closed vocabularies (organisation kinds, pledge types, statuses, traffic
/// lights) in the language asked for; the codes are the same in every language.
#[utoipa::path(operation_id = "listVocabularies", tag = "taxonomy",
    params(LangParam, ("Accept-Language" = Option<String>, Header, description = "Preferred languages (RFC 9110); `lang` wins")),
    responses((status = 200, body = NamedVocabularies, headers(
        ("Content-Language" = Language, description = "The language of the names"),
        ("Vary" = String, description = "`Accept-Language`")))))]
#[get("/api/v1/vocabularies")]
pub async fn list_vocabularies(language: Negotiated) -> AppResult<HttpResponse> {
    let Negotiated(language) = language;
    Ok(cacheable_in(language, service::vocabularies(language)))
}

/// Countries and territories (ISO 3166-1) with UN M49 regions and the UN groupings.
///
/// `ldc` follows the UN list of least developed countries as of December 2024 (44 countries,
/// after the graduations of Bhutan in 2023 and São Tomé and Príncipe in 2024); `lldc` the UN
/// list of 32 landlocked developing countries; `sids` the UN-OHRLLS list of small island
/// developing States (UN members and associate members of the regional commissions) as of 2024.
/// Names come in the language asked for (`lang`, else `Accept-Language`, else English), from
/// ISO 3166-1 as translated in Debian's iso-codes.
#[utoipa::path(operation_id = "listCountries", tag = "taxonomy",
    params(CountryFilter, ("Accept-Language" = Option<String>, Header, description = "Preferred languages (RFC 9110); `lang` wins")),
    responses(
        (status = 200, body = CountryList, headers(
            ("Content-Language" = Language, description = "The language of the names"),
            ("Vary" = String, description = "`Accept-Language`"),
        )),
        (status = 400, description = "A filter or `lang` names nothing this service knows"),
    )
)]
#[get("/api/v1/countries")]
pub async fn list_countries(
    state: web::Data<AppState>,
    filter: web::Query<CountryFilter>,
    language: Negotiated,
) -> AppResult<HttpResponse> {
    let filter = filter.into_inner();
    let Negotiated(language) = language;
    let items = state
        .db
        .run(move |conn| service::list_countries(conn, &filter, language))
        .await?;
    Ok(cacheable_in(language, CountryList { items }))
}

/// Pledging tracks: the events and campaigns pledges are announced under, named and described
/// in the language asked for where their organisers entered it (each track says which
/// language it is shown in; `translations` holds every one entered).
#[utoipa::path(operation_id = "listTracks", tag = "taxonomy",
    params(LangParam, ("Accept-Language" = Option<String>, Header, description = "Preferred languages (RFC 9110); `lang` wins")),
    responses((status = 200, body = TrackList, headers(
        ("Content-Language" = Language, description = "The language asked for"),
        ("Vary" = String, description = "`Accept-Language`")))))]
#[get("/api/v1/tracks")]
pub async fn list_tracks(
    state: web::Data<AppState>,
    language: Negotiated,
) -> AppResult<HttpResponse> {
    let Negotiated(language) = language;
    let items = state
        .db
        .run(move |conn| service::list_tracks(conn, language))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_LANGUAGE, language.as_str()))
        .json(TrackList { items }))
}

/// Adds a pledging track (organisers and admins). It has live counters and a big-screen page
/// at once.
#[utoipa::path(operation_id = "createTrack", tag = "taxonomy", request_body = NewTrack, security(("bearer" = [])),
    responses(
        (status = 201, body = Track, headers(("Location" = String, description = "The track's big-screen page"))),
        (status = 403, description = "Not an organiser or admin"),
        (status = 409, description = "The slug is taken"),
        (status = 422),
    ))]
#[post("/api/v1/tracks")]
pub async fn create_track(
    state: web::Data<AppState>,
    user: Actor,
    body: web::Json<NewTrack>,
) -> AppResult<HttpResponse> {
    let track = state
        .db
        .write(move |conn| service::create_track(conn, &user, &body))
        .await?;
    // Known to the live counters before the answer, so its page and stream work at once.
    state.live.refresh().await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/live/{}", track.slug)))
        .json(track))
}

/// Edits a track's name, description, place or dates (organisers and admins).
#[utoipa::path(operation_id = "updateTrack", tag = "taxonomy", request_body = TrackChanges,
    params(("slug" = String, Path, description = "The track's slug")), security(("bearer" = [])),
    responses(
        (status = 200, body = Track),
        (status = 403, description = "Not an organiser or admin"),
        (status = 422),
    ))]
#[patch("/api/v1/tracks/{slug}")]
pub async fn update_track(
    state: web::Data<AppState>,
    user: Actor,
    slug: web::Path<String>,
    body: web::Json<TrackChanges>,
) -> AppResult<HttpResponse> {
    let track = state
        .db
        .write(move |conn| service::update_track(conn, &user, &slug, &body))
        .await?;
    Ok(HttpResponse::Ok().json(track))
}
