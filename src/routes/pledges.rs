//! `/api/v1/pledges/*` and `/api/v1/moderation/queue`.

use crate::{domain::language::Language, routes::extract::Negotiated};
use actix_web::{get, http::header, patch, post, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{caching::body_etag, next_link, paged, query_text, PageBody};
use crate::{
    auth::tokens::hash_secret,
    cache::Rendered,
    db::idempotency::IdempotencyKey,
    domain::actor::Actor,
    domain::decisions::DecisionsInput,
    domain::entry::{under_pledge, EnteredPledgeInput},
    domain::errors::Invalid,
    domain::ids::*,
    domain::report::{ReportInput, ReturnInput, ReviewAction},
    domain::reveal::{RevealAt, RevealInput},
    domain::{
        account::OrganisationKind,
        pledge::{
            BeneficiaryGroup, CatalogueFilter, CatalogueSort, FocusArea, PledgeChanges,
            PledgeInput, PledgeType,
        },
        progress::Light,
        workflow::{Action, Status},
    },
    error::{AppError, AppResult},
    pagination::PageParams,
    routes::{extract::MaybeActor, problem::Problem},
    services::pledges::{
        self as service, entered, export, reveals, Created, HistoryEvent, PledgeView, QueueItem,
        Step,
    },
    services::reports::{self, ProgressReport},
    state::AppState,
};

/// Filters for `GET /pledges` and the exports; all optional, combined with AND.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PledgeFilter {
    /// Track slug.
    #[param(pattern = "^[a-z0-9][a-z0-9-]*$", example = "ldc5")]
    pub track: Option<String>,
    /// SDG number, 1 to 17.
    #[param(minimum = 1, maximum = 17)]
    pub sdg: Option<i32>,
    /// Focus area slug.
    #[param(value_type = Option<FocusArea>)]
    pub focus_area: Option<String>,
    /// What kind of commitment.
    #[serde(rename = "type")]
    #[param(rename = "type", value_type = Option<PledgeType>)]
    pub pledge_type: Option<String>,
    /// Target country, ISO 3166-1 alpha-3.
    #[param(pattern = "^[A-Za-z]{3}$", example = "NPL")]
    pub country: Option<String>,
    /// Target UN M49 region, as in `GET /countries` (exact: `Africa`, `Americas`, `Asia`,
    /// `Europe` or `Oceania`).
    #[param(pattern = "^[A-Z][A-Za-z ]*$", example = "Africa")]
    pub region: Option<String>,
    /// Pillar slug, as in `GET /focus-areas`.
    #[param(pattern = "^[a-z0-9][a-z0-9_-]*$", example = "infrastructure")]
    pub pillar: Option<String>,
    /// Who the pledge is meant to benefit.
    #[param(value_type = Option<BeneficiaryGroup>)]
    pub beneficiary_group: Option<String>,
    /// Only pledges targeting least developed countries (or only others).
    pub ldc: Option<bool>,
    /// Only pledges targeting landlocked developing countries (or only others).
    pub lldc: Option<bool>,
    /// Only pledges targeting small island developing States (or only others).
    pub sids: Option<bool>,
    /// Only pledges active in this year: from their start date's year to their end date's (a
    /// pledge with one date counts in that year, one with none in the year it was published).
    #[param(minimum = 1900, maximum = 2200, example = 2025)]
    pub year: Option<i32>,
    /// Organisation id.
    pub organisation: Option<String>,
    /// Organisation kind.
    #[param(value_type = Option<OrganisationKind>)]
    pub organisation_kind: Option<String>,
    /// Words to find, each whole, in the title, summary, description, organisation name or
    /// partners; case and accents do not matter (`donnees` finds `Données`).
    #[param(max_length = 500)]
    pub q: Option<String>,
    /// `newest` first (the default), or `relevance` to the words of `q` (needs `q`).
    #[param(value_type = Option<CatalogueSort>)]
    pub sort: Option<String>,
    /// Status; the public only ever sees `published` pledges.
    #[param(value_type = Option<Status>)]
    pub status: Option<String>,
    /// Traffic light: how published pledges are doing against their deliverables.
    #[param(value_type = Option<Light>)]
    pub light: Option<String>,
    /// Items per page (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// Opaque position from the previous page's `next_cursor`.
    #[param(min_length = 1)]
    pub cursor: Option<String>,
    /// The language to show titles and summaries in where the pledge has them in it (else its
    /// own); wins over `Accept-Language`.
    #[param(value_type = Option<Language>)]
    pub lang: Option<String>,
}

/// A query value that names nothing this service knows.
fn query_value<T: std::str::FromStr<Err = String>>(
    name: &str,
    value: &Option<String>,
) -> AppResult<Option<T>> {
    value
        .as_deref()
        .map(|v| {
            v.parse()
                .map_err(|e| AppError::InvalidQuery(format!("{name}: {e}")))
        })
        .transpose()
}

/// A text parameter in the form its pattern in the contract describes: `first` holds for the
/// first character, `rest` for every other; anything else is a 400.
fn shaped(
    name: &str,
    value: &Option<String>,
    first: fn(char) -> bool,
    rest: fn(char) -> bool,
) -> AppResult<Option<String>> {
    let Some(text) = value.as_deref() else {
        return Ok(None);
    };
    let mut chars = text.chars();
    if chars.next().is_some_and(first) && chars.all(rest) {
        Ok(Some(text.to_owned()))
    } else {
        Err(AppError::InvalidQuery(format!(
            "{name} is not in the form the contract describes"
        )))
    }
}

fn slug_start(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

impl PledgeFilter {
    /// The filter as the catalogue understands it, and the page asked for.
    fn parse(&self) -> AppResult<(CatalogueFilter, PageParams)> {
        // Read by `Negotiated` where it matters; refused here, as everywhere, when it names no
        // language of the service.
        if let Some(lang) = &self.lang {
            lang.parse::<Language>()
                .map_err(|e| AppError::InvalidQuery(format!("lang: {e}")))?;
        }
        if let Some(sdg) = self.sdg {
            if !(1..=17).contains(&sdg) {
                return Err(AppError::InvalidQuery(
                    "sdg must be between 1 and 17".to_owned(),
                ));
            }
        }
        if let Some(year) = self.year {
            if !(1900..=2200).contains(&year) {
                return Err(AppError::InvalidQuery(
                    "year must be between 1900 and 2200".to_owned(),
                ));
            }
        }
        query_text("q", self.q.as_deref(), 500)?;
        query_text("organisation", self.organisation.as_deref(), 100)?;
        let track = shaped("track", &self.track, slug_start, |c| {
            slug_start(c) || c == '-'
        })?;
        let country = shaped(
            "country",
            &self.country,
            |c| c.is_ascii_alphabetic(),
            |c| c.is_ascii_alphabetic(),
        )?
        .filter(|c| c.len() == 3)
        .map(|c| c.to_uppercase());
        if self.country.is_some() && country.is_none() {
            return Err(AppError::InvalidQuery(
                "country is an ISO 3166-1 alpha-3 code such as NPL".to_owned(),
            ));
        }
        let region = shaped(
            "region",
            &self.region,
            |c| c.is_ascii_uppercase(),
            |c| c.is_ascii_alphabetic() || c == ' ',
        )?;
        let pillar = shaped("pillar", &self.pillar, slug_start, |c| {
            slug_start(c) || c == '_' || c == '-'
        })?;
        let filter = CatalogueFilter {
            track,
            sdg: self.sdg,
            focus_area: query_value::<FocusArea>("focus_area", &self.focus_area)?,
            pledge_type: query_value::<PledgeType>("type", &self.pledge_type)?,
            country,
            region,
            pillar,
            beneficiary_group: query_value::<BeneficiaryGroup>(
                "beneficiary_group",
                &self.beneficiary_group,
            )?,
            ldc: self.ldc,
            lldc: self.lldc,
            sids: self.sids,
            year: self.year,
            organisation: self.organisation.as_deref().map(OrganisationId::from),
            organisation_kind: query_value::<OrganisationKind>(
                "organisation_kind",
                &self.organisation_kind,
            )?,
            words: self.q.clone(),
            status: query_value::<Status>("status", &self.status)?,
            light: query_value::<Light>("light", &self.light)?,
            sort: query_value::<CatalogueSort>("sort", &self.sort)?.unwrap_or_default(),
        };
        let page = PageParams {
            limit: self.limit,
            cursor: self.cursor.clone(),
        };
        Ok((filter, page))
    }
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QueueFilter {
    /// Only pledges carrying this track.
    pub track: Option<String>,
    /// Items per page (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// Opaque position from the previous page's `next_cursor`.
    #[param(min_length = 1)]
    pub cursor: Option<String>,
}

super::page_envelope!(PledgePage, PledgeView);
super::page_envelope!(QueuePage, QueueItem);
super::list_envelope!(History, HistoryEvent);

/// A pledge with its version as `ETag`.
fn with_etag(mut response: actix_web::HttpResponseBuilder, pledge: &PledgeView) -> HttpResponse {
    response
        .insert_header((header::ETAG, format!("\"{}\"", pledge.version)))
        .json(pledge)
}

/// The version in `If-Match` (`"3"`, `3` or `W/"3"`; `*` names none). A value that names no
/// version can match nothing: 412.
pub(crate) fn if_match(req: &HttpRequest) -> AppResult<Option<i32>> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .map_err(|_| AppError::PreconditionFailed)?
        .trim();
    if text == "*" {
        // "Any version": no particular version to hold the change to (decisions then ask for one).
        return Ok(None);
    }
    let text = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
    text.parse()
        .map(Some)
        .map_err(|_| AppError::PreconditionFailed)
}

/// A JSON body whose fields are all optional: no body at all counts as `{}`.
fn optional_body<T: DeserializeOwned + Default>(body: &web::Bytes) -> AppResult<T> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| AppError::MalformedJson(e.to_string()))
}

/// Registers a pledge as a draft of the caller's organisation. With `Idempotency-Key`, a retry
/// of the same request answers the first answer again instead of making a second pledge.
#[utoipa::path(operation_id = "createPledge", tag = "pledges", request_body = PledgeInput, security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "Makes retries safe: same key and body replay the first answer (24 h)")),
    responses(
        (status = 201, body = PledgeView, headers(
            ("ETag" = String, description = "The pledge's version"),
            ("Location" = String, description = "The pledge's address"),
            ("Idempotent-Replayed" = String, description = "`true` when this is the first answer to the same key, replayed"),
        )),
        (status = 400, description = "A malformed body, or an `Idempotency-Key` that is not ASCII"),
        (status = 403, description = "The caller belongs to no organisation (`no_organisation`)"),
        (status = 409, description = "The same key is still being processed"),
        (status = 422, description = "Invalid fields, or the key was used with another body"),
    ))]
#[post("/api/v1/pledges")]
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: Actor,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let request: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| AppError::MalformedJson(e.to_string()))?;
    let key = req
        .headers()
        .get("Idempotency-Key")
        .map(|v| {
            v.to_str()
                .map_err(|_| AppError::BadRequest("Idempotency-Key must be ASCII".to_owned()))
        })
        .transpose()?
        // serde_json orders object keys, so equal bodies hash equally however they were sent.
        .map(|key| IdempotencyKey::new(key, hash_secret(&request.to_string())))
        .transpose()?;
    let input: PledgeInput =
        serde_json::from_value(request).map_err(|e| AppError::MalformedJson(e.to_string()))?;
    let valid = service::check(&state.db, &state.vocabularies, input).await?;
    let created = state
        .db
        .write(move |conn| service::create(conn, &user, &valid, key.as_ref()))
        .await?;
    state.live.poke();
    Ok(match created {
        Created::New(pledge) => {
            let mut response = HttpResponse::Created();
            response.insert_header((header::LOCATION, format!("/api/v1/pledges/{}", pledge.id)));
            with_etag(response, &pledge)
        }
        Created::Replayed(body) => {
            // Only the headers are rebuilt from the first answer; its body goes out verbatim.
            let first: Option<serde_json::Value> = serde_json::from_str(&body).ok();
            let mut response = HttpResponse::Created();
            response.insert_header(("Idempotent-Replayed", "true"));
            if let Some(pledge) = first {
                if let (Some(version), Some(id)) =
                    (pledge["version"].as_i64(), pledge["id"].as_str())
                {
                    response
                        .insert_header((header::ETAG, format!("\"{version}\"")))
                        .insert_header((header::LOCATION, format!("/api/v1/pledges/{id}")));
                }
            }
            response.content_type("application/json").body(body)
        }
    })
}

/// Enters a pledge on an organisation's behalf (organisers and admins): for an existing
/// organisation or a new one, with where it was made. It lands `submitted`, goes to moderation
/// like any other, and shows `confirmed: false` until the organisation's contact, invited by
/// email to own the organisation, accepts.
#[utoipa::path(operation_id = "enterPledge", tag = "pledges", request_body = EnteredPledgeInput, security(("bearer" = [])),
    responses(
        (status = 201, body = PledgeView, headers(
            ("ETag" = String, description = "The pledge's version"),
            ("Location" = String, description = "The pledge's address"),
        )),
        (status = 403, description = "The caller is neither an organiser nor an admin"),
        (status = 404, description = "No such organisation (`organisation_id`)"),
        (status = 422, description = "Invalid fields; the pledge's are named under `pledge.`"),
    ))]
#[post("/api/v1/entered-pledges")]
pub async fn enter(
    state: web::Data<AppState>,
    user: Actor,
    body: web::Json<EnteredPledgeInput>,
) -> AppResult<HttpResponse> {
    user.require_role(&entered::ENTERING_ROLES)?;
    let body = body.into_inner();
    let entry = body.parse(Utc::now());
    let pledge = service::check(&state.db, &state.vocabularies, body.pledge)
        .await
        .map_err(|e| match e {
            AppError::Validation(errors) => under_pledge(Invalid(errors)).into(),
            other => other,
        });
    let (entry, valid) = match (entry, pledge) {
        (Ok(entry), Ok(valid)) => (entry, valid),
        (Err(Invalid(mut errors)), Err(AppError::Validation(more))) => {
            errors.extend(more);
            return Err(AppError::Validation(errors));
        }
        (Err(invalid), _) => return Err(invalid.into()),
        (_, Err(e)) => return Err(e),
    };
    let links = state.links.clone();
    let pledge = state
        .db
        .write(move |conn| entered::enter(conn, &user, &entry, &valid, &links))
        .await?;
    state.live.poke();
    let mut response = HttpResponse::Created();
    response.insert_header((header::LOCATION, format!("/api/v1/pledges/{}", pledge.id)));
    Ok(with_etag(response, &pledge))
}

/// The catalogue: published pledges (plus, for an organisation, its own; for staff, all),
/// newest first, with keyset pagination.
#[utoipa::path(operation_id = "listPledges", tag = "pledges", params(PledgeFilter), security((), ("bearer" = [])),
    responses((status = 200, body = PledgePage, description = "A page", headers(("Link" = String, description = "`<...>; rel=\"next\"`: the next page, same query; absent on the last page")))))]
#[get("/api/v1/pledges")]
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeActor,
    filter: web::Query<PledgeFilter>,
    Negotiated(language): Negotiated,
) -> AppResult<HttpResponse> {
    let Some(viewer) = viewer.0 else {
        return in_language(
            public_page(&state, &req, filter.into_inner(), language).await,
            language,
        );
    };
    let mut page = state
        .db
        .run(move |conn| {
            let (filter, page) = filter.parse()?;
            service::list(conn, Some(&viewer), &filter, &page)
        })
        .await?;
    page.items = page
        .items
        .into_iter()
        .map(|p| p.in_language(language))
        .collect();
    in_language(Ok(paged(&req, page)), language)
}

/// Says which language an answer asked for (each pledge says which it shows: its own when it
/// has no translation into the asked one); `caching` adds `Accept-Language` to its `Vary`.
fn in_language(answer: AppResult<HttpResponse>, language: Language) -> AppResult<HttpResponse> {
    let mut answer = answer?;
    answer.headers_mut().insert(
        header::CONTENT_LANGUAGE,
        header::HeaderValue::from_static(language.as_str()),
    );
    Ok(answer)
}

/// A page of the catalogue as the public sees it, from the cache of rendered answers when it is
/// there (the first page of a track's catalogue is what a hall full of phones opens at once).
async fn public_page(
    state: &AppState,
    req: &HttpRequest,
    filter: PledgeFilter,
    language: Language,
) -> AppResult<HttpResponse> {
    let key = format!("catalogue?{}#{language}", req.query_string());
    cached_public(state, &key, async {
        let page = state
            .db
            .run(move |conn| {
                let (filter, page) = filter.parse()?;
                service::list(conn, None, &filter, &page)
            })
            .await?;
        let link = next_link(req, page.next_cursor.as_deref());
        let body = PageBody {
            items: page
                .items
                .into_iter()
                .map(|p| p.in_language(language))
                .collect(),
            next_cursor: page.next_cursor,
        };
        Ok((serde_json::to_vec(&body).map_err(AppError::internal)?, link))
    })
    .await
}

/// The public answer cached under `key`, or the one `render` makes (its JSON body and, for a
/// page, its `Link`), stored for the readers after it unless something was written meanwhile.
async fn cached_public(
    state: &AppState,
    key: &str,
    render: impl std::future::Future<Output = AppResult<(Vec<u8>, Option<String>)>>,
) -> AppResult<HttpResponse> {
    if let Some(hit) = state.views.get(key) {
        return Ok(rendered_answer(hit));
    }
    // Taken before `render` reads: an answer read before a write is not stored after it.
    let generation = state.views.generation();
    let (body, link) = render.await?;
    let body = web::Bytes::from(body);
    let rendered = Rendered {
        etag: body_etag(&body),
        body,
        link,
    };
    state.views.put(key, rendered.clone(), generation);
    Ok(rendered_answer(rendered))
}

/// A cached public answer, as sent.
fn rendered_answer(rendered: Rendered) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    response.insert_header((header::ETAG, rendered.etag));
    if let Some(link) = rendered.link {
        response.insert_header(("Link", link));
    }
    response
        .content_type("application/json")
        .body(rendered.body)
}

/// One pledge, with its version as `ETag`. 404 for anyone who may not see it.
#[utoipa::path(operation_id = "getPledge", tag = "pledges", params(("id" = PledgeId, Path, description = "The pledge")),
    security((), ("bearer" = [])),
    responses((status = 200, body = PledgeView, headers(("ETag" = String, description = "The pledge's version")))))]
#[get("/api/v1/pledges/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    id: web::Path<PledgeId>,
    viewer: MaybeActor,
    Negotiated(language): Negotiated,
) -> AppResult<HttpResponse> {
    let Some(viewer) = viewer.0 else {
        return in_language(
            public_pledge(&state, id.into_inner(), language).await,
            language,
        );
    };
    let pledge = state
        .db
        .run(move |conn| service::get(conn, &id, Some(&viewer)))
        .await?
        .in_language(language);
    in_language(Ok(with_etag(HttpResponse::Ok(), &pledge)), language)
}

/// A pledge as the public sees it, from the cache of rendered answers when it is there. Only
/// a signed-in caller can write, so only they need the version as the ETag; the public gets the
/// body's hash, which also moves when the organisation or the disbursements do.
async fn public_pledge(
    state: &AppState,
    id: PledgeId,
    language: Language,
) -> AppResult<HttpResponse> {
    cached_public(state, &format!("{id}#{language}"), async {
        let key = id.clone();
        let pledge = state
            .db
            .run(move |conn| service::get(conn, &key, None))
            .await?
            .in_language(language);
        Ok((
            serde_json::to_vec(&pledge).map_err(AppError::internal)?,
            None,
        ))
    })
    .await
}

/// Edits a draft or a pledge sent back for changes. Needs `If-Match` with the version read.
#[utoipa::path(operation_id = "updatePledge", tag = "pledges", request_body = PledgeChanges, security(("bearer" = [])),
    params(("id" = PledgeId, Path, description = "The pledge"), ("If-Match" = String, Header, pattern = r#"^(W/)?"?[0-9]+"?$"#, description = "The version (ETag) the edit is based on")),
    responses(
        (status = 200, body = PledgeView, headers(("ETag" = String, description = "The pledge's new version"))),
        (status = 403, description = "Not the caller's organisation's pledge"),
        (status = 409, description = "The pledge's status does not allow edits"),
        (status = 412, description = "The pledge changed since it was read"),
        (status = 422),
        (status = 428, description = "If-Match is missing"),
    ))]
#[patch("/api/v1/pledges/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<PledgeId>,
    user: Actor,
    changes: web::Json<PledgeChanges>,
) -> AppResult<HttpResponse> {
    let version = if_match(&req)?;
    let vocabularies = state.vocabularies.clone();
    let pledge = state
        .db
        .write(move |conn| {
            service::update(
                conn,
                &id,
                &user,
                version,
                changes.into_inner(),
                &vocabularies,
            )
        })
        .await?;
    state.live.poke();
    Ok(with_etag(HttpResponse::Ok(), &pledge))
}

/// `{"reason"}` for requesting changes and rejecting (required), `{"reason"}` for withdrawing
/// (optional); `{}` or no body for submitting and revealing.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepBody {
    pub reason: Option<String>,
    pub comment: Option<String>,
}

/// An approval: an optional comment for the organisation, and an optional moment to reveal
/// the pledge at.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalBody {
    pub comment: Option<String>,
    /// Read as the comment when there is none.
    pub reason: Option<String>,
    /// The moment (RFC 3339) the pledge becomes public, after now and at most 366 days ahead;
    /// until then it is `scheduled`, seen by its organisation and the staff only. Without it, a
    /// moment set on the pledge before (`PUT /pledges/{id}/reveal-at`) holds; with neither, or
    /// once that moment has passed, the approval publishes at once.
    #[schema(example = "2023-03-06T10:30:00Z")]
    pub reveal_at: Option<DateTime<Utc>>,
}

/// The body of a refusal (requesting changes, rejecting): the reason the organisation is told.
/// Read as a [`StepBody`]; described apart because its reason is required.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct RefusalBody {
    #[schema(min_length = 1, example = "Please state the amount in US dollars too.")]
    pub reason: String,
    pub comment: Option<String>,
}

async fn step(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<PledgeId>,
    user: Actor,
    body: web::Bytes,
    action: Action,
) -> AppResult<HttpResponse> {
    let version = if_match(&req)?;
    // An approval carries an optional comment and moment; every other step its reason.
    let (note, reveal_at) = if action == Action::Approve {
        let body: ApprovalBody = optional_body(&body)?;
        let moment = body
            .reveal_at
            .map(|at| RevealAt::parse("reveal_at", at, Utc::now()))
            .transpose()
            .map_err(Invalid::from)?;
        (body.comment.or(body.reason), moment)
    } else {
        (optional_body::<StepBody>(&body)?.reason, None)
    };
    let links = state.links.clone();
    let pledge = state
        .db
        .write(move |conn| {
            let step = Step {
                action,
                expected_version: version,
                reason: note.as_deref(),
                reveal_at,
            };
            service::transition(conn, &id, &user, step, &links)
        })
        .await?;
    state.live.poke();
    if pledge.status == Status::Scheduled {
        state.reveals.notify_one();
    }
    Ok(with_etag(HttpResponse::Ok(), &pledge))
}

macro_rules! step_route {
    ($(#[$doc:meta])* $name:ident, $id:literal, $path:literal, $action:expr, body = $body:ty, $body_doc:literal, if_match = $if_match_type:ty, $pattern:literal, $if_match:literal $(, $status:literal: $why:literal)*) => {
        $(#[$doc])*
        #[utoipa::path(operation_id = $id, tag = "pledges", security(("bearer" = [])),
            request_body(content = $body, description = $body_doc),
            params(("id" = PledgeId, Path, description = "The pledge"),
                ("If-Match" = $if_match_type, Header, pattern = $pattern, description = $if_match)),
            responses(
                (status = 200, body = PledgeView, headers(("ETag" = String, description = "The pledge's new version"))),
                (status = 403), (status = 409, description = "Not possible from the pledge's status"),
                (status = 412) $(, (status = $status, description = $why))*
            ))]
        #[post($path)]
        pub async fn $name(
            state: web::Data<AppState>,
            req: HttpRequest,
            id: web::Path<PledgeId>,
            user: Actor,
            body: web::Bytes,
        ) -> AppResult<HttpResponse> {
            step(state, req, id, user, body, $action).await
        }
    };
}

step_route!(
    /// Sends a draft (or a pledge with requested changes) to the moderators. Needs a verified email.
    submit, "submitPledge", "/api/v1/pledges/{id}/submit", Action::Submit,
    body = StepBody, "May be omitted (the same as `{}`)",
    if_match = Option<String>, r#"^((W/)?"?[0-9]+"?|\*)$"#, "Optional: the version the caller saw"
);
step_route!(
    /// Withdraws a pledge (its organisation; admins for published ones).
    withdraw, "withdrawPledge", "/api/v1/pledges/{id}/withdraw", Action::Withdraw,
    body = StepBody, "May be omitted (the same as `{}`)",
    if_match = Option<String>, r#"^((W/)?"?[0-9]+"?|\*)$"#, "Optional: the version the caller saw"
);
step_route!(
    /// Publishes a submitted pledge (moderators and admins; needs a verified organisation), or,
    /// with a moment to reveal it at still ahead, approves it `scheduled` until that second.
    approve, "approvePledge", "/api/v1/pledges/{id}/approve", Action::Approve,
    body = ApprovalBody, "May be omitted (the same as `{}`)",
    if_match = String, r#"^(W/)?"?[0-9]+"?$"#, "The version the moderator saw",
    422: "`reveal_at` is not after now, or more than 366 days ahead",
    428: "If-Match is missing"
);
step_route!(
    /// Reveals a `scheduled` pledge now, ahead of its moment (organisers, moderators of its
    /// tracks, admins): it is published as of now, and the public figures and streams move.
    reveal, "revealPledge", "/api/v1/pledges/{id}/reveal", Action::Reveal,
    body = StepBody, "May be omitted (the same as `{}`)",
    if_match = String, r#"^(W/)?"?[0-9]+"?$"#, "The version the caller saw",
    428: "If-Match is missing"
);
step_route!(
    /// Sends a submitted pledge back to its organisation with a reason.
    request_changes, "requestPledgeChanges", "/api/v1/pledges/{id}/request-changes", Action::RequestChanges,
    body = RefusalBody, "The reason is required",
    if_match = String, r#"^(W/)?"?[0-9]+"?$"#, "The version the moderator saw",
    422: "The reason is missing", 428: "If-Match is missing"
);
step_route!(
    /// Rejects a submitted pledge with a reason.
    reject, "rejectPledge", "/api/v1/pledges/{id}/reject", Action::Reject,
    body = RefusalBody, "The reason is required",
    if_match = String, r#"^(W/)?"?[0-9]+"?$"#, "The version the moderator saw",
    422: "The reason is missing", 428: "If-Match is missing"
);

/// Sets or moves the moment a pledge becomes public (organisers, moderators of its tracks,
/// admins): on a pledge awaiting its decision, which its approval then keeps, or on an approved
/// `scheduled` one, whose organisation is told the new moment. At that second, on every
/// instance, the pledge is revealed: public, counted in the public figures, sent on the
/// streams. The audit trail records each moment set (for the organisation and staff).
#[utoipa::path(operation_id = "schedulePledgeReveal", tag = "pledges", request_body = RevealInput, security(("bearer" = [])),
    params(("id" = PledgeId, Path, description = "The pledge"),
        ("If-Match" = String, Header, pattern = r#"^(W/)?"?[0-9]+"?$"#, description = "The version the caller saw")),
    responses(
        (status = 200, body = PledgeView, headers(("ETag" = String, description = "The pledge's new version"))),
        (status = 403, description = "Not staff, or a moderator outside the pledge's tracks"),
        (status = 409, description = "Not awaiting a decision nor scheduled"),
        (status = 412),
        (status = 422, description = "The moment is not after now, or more than 366 days ahead"),
        (status = 428, description = "If-Match is missing"),
    ))]
#[put("/api/v1/pledges/{id}/reveal-at")]
pub async fn schedule_reveal(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<PledgeId>,
    user: Actor,
    body: web::Json<RevealInput>,
) -> AppResult<HttpResponse> {
    let version = if_match(&req)?;
    let moment = body.parse(Utc::now())?;
    let links = state.links.clone();
    let pledge = state
        .db
        .write(move |conn| reveals::reschedule(conn, &id, &user, version, moment, &links))
        .await?;
    state.reveals.notify_one();
    Ok(with_etag(HttpResponse::Ok(), &pledge))
}

/// The audit trail: what happened and when (public for published pledges); who and why for the
/// organisation and staff.
#[utoipa::path(operation_id = "getPledgeHistory", tag = "pledges", params(("id" = PledgeId, Path, description = "The pledge")),
    security((), ("bearer" = [])), responses((status = 200, body = History)))]
#[get("/api/v1/pledges/{id}/history")]
pub async fn history(
    state: web::Data<AppState>,
    id: web::Path<PledgeId>,
    viewer: MaybeActor,
) -> AppResult<HttpResponse> {
    let items = state
        .db
        .run(move |conn| service::history(conn, &id, viewer.0.as_ref()))
        .await?;
    Ok(HttpResponse::Ok().json(History { items }))
}

/// Submitted pledges awaiting a decision, oldest first, with how long each has waited.
#[utoipa::path(operation_id = "listModerationQueue", tag = "moderation", params(QueueFilter), security(("bearer" = [])),
    responses(
        (status = 200, body = QueuePage, description = "A page", headers(("Link" = String, description = "`<...>; rel=\"next\"`: the next page, same query; absent on the last page"))),
        (status = 403, description = "Not a moderator or admin"),
    ))]
#[get("/api/v1/moderation/queue")]
pub async fn queue(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: Actor,
    filter: web::Query<QueueFilter>,
) -> AppResult<HttpResponse> {
    let page = state
        .db
        .run(move |conn| {
            let page = PageParams {
                limit: filter.limit,
                cursor: filter.cursor.clone(),
            };
            service::queue(conn, &user, filter.track.as_deref(), &page)
        })
        .await?;
    Ok(paged(&req, page))
}

super::page_envelope!(ReportPage, ProgressReport);

/// What became of one decision of a bulk request: the pledge as decided, or the problem that
/// left it as it was (the same problem a single decision would have answered).
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionResult {
    pub pledge_id: PledgeId,
    /// The status a single decision would have answered with.
    #[schema(example = 200)]
    pub status: u16,
    pub pledge: Option<PledgeView>,
    pub problem: Option<Problem>,
}

/// The results of a bulk decision, in the order of the decisions.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionResults {
    pub results: Vec<DecisionResult>,
}

/// Approves, sends back or rejects several submitted pledges at once (moderators of their
/// tracks, admins), each decision naming the version it was taken on. Each stands or falls
/// alone, exactly as one decision would: the answer says per pledge what happened.
#[utoipa::path(operation_id = "decidePledges", tag = "moderation", request_body = DecisionsInput, security(("bearer" = [])),
    responses(
        (status = 200, body = DecisionResults, description = "One result per decision, in order"),
        (status = 403, description = "Not a moderator or admin"),
        (status = 422, description = "No decision, more than 100, an unknown decision, two on one pledge"),
    ))]
#[post("/api/v1/moderation/decisions")]
pub async fn decide_many(
    state: web::Data<AppState>,
    user: Actor,
    body: web::Json<DecisionsInput>,
) -> AppResult<HttpResponse> {
    let decisions = body.parse(Utc::now())?;
    let links = state.links.clone();
    let ids: Vec<PledgeId> = decisions.iter().map(|d| d.pledge.clone()).collect();
    let outcomes = state
        .db
        .write(move |conn| service::decide_many(conn, &user, &decisions, &links))
        .await?;
    state.live.poke();
    // Some approvals may wait for a reveal now.
    state.reveals.notify_one();
    let results = ids
        .into_iter()
        .zip(outcomes)
        .map(|(pledge_id, outcome)| match outcome {
            Ok(pledge) => DecisionResult {
                pledge_id,
                status: 200,
                pledge: Some(pledge),
                problem: None,
            },
            Err(e) => {
                let problem = Problem::of(&e);
                DecisionResult {
                    pledge_id,
                    status: problem.status,
                    pledge: None,
                    problem: Some(problem),
                }
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(DecisionResults { results }))
}

/// Progress reports waiting for review, oldest first (moderators and admins).
#[utoipa::path(operation_id = "listReportsToReview", tag = "moderation", params(PageParams), security(("bearer" = [])),
    responses(
        (status = 200, body = ReportPage, description = "A page", headers(("Link" = String, description = "`<...>; rel=\"next\"`: the next page, same query; absent on the last page"))),
        (status = 403, description = "Not a moderator or admin"),
    ))]
#[get("/api/v1/moderation/reports")]
pub async fn reports_to_review(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: Actor,
    page: web::Query<PageParams>,
) -> AppResult<HttpResponse> {
    let page = state
        .db
        .run(move |conn| reports::awaiting_review(conn, &user, &page))
        .await?;
    Ok(paged(&req, page))
}

/// Accepts a submitted progress report (moderators of the pledge's tracks, admins): its
/// figures count from now on, and the organisation is told by email.
#[utoipa::path(operation_id = "acceptProgressReport", tag = "moderation",
    params(("id" = PledgeId, Path, description = "The pledge"), ("year" = i32, Path, minimum = 2000, description = "The year reported on")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = ProgressReport, description = "The report, accepted"),
        (status = 403, description = "Not a moderator of the pledge's tracks, or the caller's own organisation's pledge"),
        (status = 404, description = "No such pledge, or no report for that year"),
        (status = 409, description = "The report is not waiting for review (`report_not_submitted`), or the pledge is no longer published (`not_published`)"),
    ))]
#[post("/api/v1/pledges/{id}/reports/{year}/accept")]
pub async fn accept_report(
    state: web::Data<AppState>,
    path: web::Path<(PledgeId, i32)>,
    user: Actor,
) -> AppResult<HttpResponse> {
    let (id, year) = path.into_inner();
    let links = state.links.clone();
    let report = state
        .db
        .write(move |conn| {
            reports::review(conn, &id, year, &user, ReviewAction::Accept, None, &links)
        })
        .await?;
    state.live.poke();
    Ok(HttpResponse::Ok().json(report))
}

/// Sends a submitted progress report back to its organisation with a reason; its figures do
/// not count, and the organisation may file it again.
#[utoipa::path(operation_id = "returnProgressReport", tag = "moderation",
    params(("id" = PledgeId, Path, description = "The pledge"), ("year" = i32, Path, minimum = 2000, description = "The year reported on")),
    request_body = ReturnInput, security(("bearer" = [])),
    responses(
        (status = 200, body = ProgressReport, description = "The report, returned"),
        (status = 403, description = "Not a moderator of the pledge's tracks, or the caller's own organisation's pledge"),
        (status = 404, description = "No such pledge, or no report for that year"),
        (status = 409, description = "The report is not waiting for review (`report_not_submitted`), or the pledge is no longer published (`not_published`)"),
        (status = 422, description = "The reason is missing"),
    ))]
#[post("/api/v1/pledges/{id}/reports/{year}/return")]
pub async fn return_report(
    state: web::Data<AppState>,
    path: web::Path<(PledgeId, i32)>,
    user: Actor,
    body: web::Json<ReturnInput>,
) -> AppResult<HttpResponse> {
    let (id, year) = path.into_inner();
    let reason = body.parse()?.to_owned();
    let links = state.links.clone();
    let report = state
        .db
        .write(move |conn| {
            let reason = Some(reason.as_str());
            reports::review(conn, &id, year, &user, ReviewAction::Return, reason, &links)
        })
        .await?;
    Ok(HttpResponse::Ok().json(report))
}

/// Streams an export: the first batch is read before answering, so a bad filter is still a
/// clean 400; the rest follows batch by batch.
async fn stream_export(
    state: web::Data<AppState>,
    viewer: MaybeActor,
    filter: PledgeFilter,
    format: export::Format,
) -> AppResult<HttpResponse> {
    let viewer = viewer.0;
    let (filter, page) = filter.parse()?;
    // An export is the whole selection: a page size means nothing here, but a wrong one is
    // still refused like anywhere else the parameter is taken.
    page.limit()?;
    if page.cursor.is_some() {
        return Err(AppError::InvalidQuery(
            "an export has no pages: leave out cursor".to_owned(),
        ));
    }
    let (first_filter, first_viewer) = (filter.clone(), viewer.clone());
    let first = state
        .db
        .run(move |conn| export::batch(conn, first_viewer.as_ref(), &first_filter, None))
        .await?;
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<web::Bytes, std::io::Error>>(4);
    let db = state.db.clone();
    tokio::task::spawn_blocking(move || {
        let send = |bytes: Vec<u8>| sender.blocking_send(Ok(web::Bytes::from(bytes))).is_ok();
        let send = |rendered: AppResult<Vec<u8>>| match rendered {
            Ok(bytes) => send(bytes),
            Err(e) => {
                tracing::error!(error = %e, "export stopped early");
                let _ = sender.blocking_send(Err(std::io::Error::other("export failed")));
                false
            }
        };
        if !send(export::render(format, &first.items, true)) {
            return;
        }
        let mut cursor = first.next_cursor;
        let Ok(mut conn) = db.get() else { return };
        while let Some(after) = cursor.take() {
            match export::batch(&mut conn, viewer.as_ref(), &filter, Some(after)) {
                Ok(page) => {
                    if !send(export::render(format, &page.items, false)) {
                        return; // the client went away
                    }
                    cursor = page.next_cursor;
                }
                Err(e) => {
                    // Headers are gone: cutting the stream short is the only signal left.
                    tracing::error!(error = %e, "export stopped early");
                    let _ = sender.blocking_send(Err(std::io::Error::other("export failed")));
                    return;
                }
            }
        }
    });
    let (content_type, name) = match format {
        export::Format::Csv => ("text/csv; charset=utf-8", "pledges.csv"),
        export::Format::Ndjson => ("application/x-ndjson", "pledges.ndjson"),
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .streaming(tokio_stream_from(receiver)))
}

fn tokio_stream_from<T>(
    mut receiver: tokio::sync::mpsc::Receiver<T>,
) -> impl futures_util::Stream<Item = T> {
    futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx))
}

/// The catalogue as CSV (same filters and visibility as `GET /pledges`; lists joined with `;`;
/// cells that a spreadsheet would run as formulas are prefixed with `'`).
#[utoipa::path(operation_id = "exportPledgesCsv", tag = "pledges", params(PledgeFilter), security((), ("bearer" = [])),
    responses((status = 200, content_type = "text/csv", body = String, headers(("Content-Disposition" = String, description = "`attachment; filename=\"pledges.csv\"`")))))]
#[get("/api/v1/pledges/export.csv")]
pub async fn export_csv(
    state: web::Data<AppState>,
    viewer: MaybeActor,
    filter: web::Query<PledgeFilter>,
) -> AppResult<HttpResponse> {
    stream_export(state, viewer, filter.into_inner(), export::Format::Csv).await
}

/// The catalogue as newline-delimited JSON, one pledge (as in `GET /pledges/{id}`) a line.
#[utoipa::path(operation_id = "exportPledgesNdjson", tag = "pledges", params(PledgeFilter), security((), ("bearer" = [])),
    responses((status = 200, content_type = "application/x-ndjson", body = String, headers(("Content-Disposition" = String, description = "`attachment; filename=\"pledges.ndjson\"`")))))]
#[get("/api/v1/pledges/export.ndjson")]
pub async fn export_ndjson(
    state: web::Data<AppState>,
    viewer: MaybeActor,
    filter: web::Query<PledgeFilter>,
) -> AppResult<HttpResponse> {
    stream_export(state, viewer, filter.into_inner(), export::Format::Ndjson).await
}

super::list_envelope!(ReportList, ProgressReport);

/// A pledge's yearly progress reports (visible to whoever may see the pledge).
#[utoipa::path(operation_id = "listProgressReports", tag = "pledges", params(("id" = PledgeId, Path, description = "The pledge")),
    security((), ("bearer" = [])), responses((status = 200, body = ReportList)))]
#[get("/api/v1/pledges/{id}/reports")]
pub async fn list_reports(
    state: web::Data<AppState>,
    id: web::Path<PledgeId>,
    viewer: MaybeActor,
) -> AppResult<HttpResponse> {
    let items = state
        .db
        .run(move |conn| reports::list(conn, &id, viewer.0.as_ref()))
        .await?;
    Ok(HttpResponse::Ok().json(ReportList { items }))
}

/// Files the progress report of a year on a published pledge (its organisation), for review;
/// sending the same year again replaces it while it is not accepted. Once a moderator accepts
/// it, its USD disbursed feeds the live counters and its values the pledge's traffic light.
#[utoipa::path(operation_id = "submitProgressReport", tag = "pledges", params(("id" = PledgeId, Path, description = "The pledge")), request_body = ReportInput, security(("bearer" = [])),
    responses(
        (status = 201, body = ProgressReport, description = "A new year's report"),
        (status = 200, body = ProgressReport, description = "The year's report, replaced"),
        (status = 403, description = "Not the caller's organisation's pledge"),
        (status = 409, description = "The pledge is not published, or the year's report was accepted (`report_accepted`)"),
        (status = 422),
    ))]
#[post("/api/v1/pledges/{id}/reports")]
pub async fn submit_report(
    state: web::Data<AppState>,
    id: web::Path<PledgeId>,
    user: Actor,
    body: web::Json<ReportInput>,
) -> AppResult<HttpResponse> {
    let (report, created) = state
        .db
        .write(move |conn| reports::submit(conn, &id, &user, &body))
        .await?;
    state.live.poke();
    Ok(if created {
        HttpResponse::Created().json(report)
    } else {
        HttpResponse::Ok().json(report)
    })
}
