//! `/api/v1/imports`: bulk import of pledges from CSV (organisers and admins).

use actix_web::{get, http::header, post, web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::IntoParams;

use super::body;
use crate::{
    domain::{actor::Actor, ids::ImportId},
    error::{AppError, AppResult},
    services::imports::{self as service, DryRun, ImportView, Importer, Rows, BODY_LIMIT},
    services::pledges::export,
    state::AppState,
};

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Answer what the import would do, row by row, and write nothing.
    pub dry_run: Option<bool>,
    /// Import the pledges as `published` at their `published_at` (admins, migrating a
    /// registry); else they land `submitted`, for moderation.
    pub publish: Option<bool>,
}

/// Imports pledges from a CSV file in the columns of `GET /pledges/export.csv` (an export of
/// another registry imports as it is), with an optional `external_ref` column; rows are
/// numbered as a spreadsheet shows them (the header is row 1). A row whose reference
/// (`external_ref`, else the exported `id`) was imported before is skipped. Organisations are
/// matched by name (case aside) and country, and created when missing (give
/// `organisation_kind`). With `dry_run=true` the answer is what a commit would do, row by
/// row; without, the import runs in batches and its progress is at its `Location`.
#[utoipa::path(operation_id = "importPledges", tag = "imports", params(ImportQuery), security(("bearer" = [])),
    request_body(content = String, content_type = "text/csv", description = "A header row of the export's columns, then one pledge a row", example = json!("organisation_name,organisation_kind,organisation_country,title,summary,description,type,focus_areas,sdgs,countries,deliverables\nMinistry of ICT,government,NPL,Connecting 500 schools,Fibre for 500 rural schools by 2027.,Fibre and solar power for rural schools.,programmatic,access,4;9,NPL,\"[{\"\"what\"\":\"\"Connect schools\"\",\"\"indicator\"\":\"\"Schools connected\"\",\"\"unit\"\":\"\"schools\"\",\"\"target\"\":500,\"\"due_date\"\":\"\"2027-12-31\"\"}]\"\n")),
    responses(
        (status = 200, body = DryRun, description = "A dry run: what a commit would do, row by row"),
        (status = 202, body = ImportView, description = "The import started", headers(
            ("Location" = String, description = "Where its progress is"),
        )),
        (status = 403, description = "Neither an organiser nor an admin; or `publish` by a non-admin (`publish_needs_admin`)"),
        (status = 413, description = "A file over 64 MiB"),
        (status = 415, description = "The body is not `text/csv`"),
        (status = 422, description = "No header (`empty_file`, `malformed_csv`), or columns that are not the export's, repeated or missing (`validation_failed`, each column named as a field)"),
    ))]
#[post("/api/v1/imports")]
pub async fn import(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: Actor,
    query: web::Query<ImportQuery>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let query = query.into_inner();
    let publish = query.publish.unwrap_or(false);
    service::authorise(&user, publish)?;
    let csv = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("text/csv"));
    if !csv {
        return Err(AppError::UnsupportedMediaType);
    }
    // The export's columns: an export of another registry imports as it is.
    let rows = Rows::open(read_body(payload).await?, &export::csv_header())?;
    if query.dry_run.unwrap_or(false) {
        let report = state
            .db
            .run(move |conn| service::dry_run(conn, rows))
            .await?;
        return Ok(HttpResponse::Ok().json(report));
    }
    let importer = Importer {
        actor: user,
        publish,
    };
    let started = {
        let importer = importer.clone();
        state
            .db
            .write(move |conn| service::start(conn, &importer))
            .await?
    };
    let running = state.clone();
    let id = started.id.to_string();
    actix_web::rt::spawn(async move {
        let after_batch = || {
            running.views.clear();
            running.live.poke();
        };
        service::run(running.db.clone(), importer, id, rows, after_batch).await;
    });
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, format!("/api/v1/imports/{}", started.id)))
        .json(started))
}

/// The body, up to [`BODY_LIMIT`] bytes.
async fn read_body(mut payload: web::Payload) -> AppResult<web::Bytes> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            if body::is_late(&e) {
                AppError::RequestTimeout
            } else {
                AppError::BadRequest(format!("the body could not be read: {e}"))
            }
        })?;
        if body.len() + chunk.len() > BODY_LIMIT {
            return Err(AppError::PayloadTooLarge { limit: BODY_LIMIT });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// An import's progress: its status, rows done, created, skipped and refused, and the refused
/// rows' problems (for the account that started it, and admins).
#[utoipa::path(operation_id = "getImport", tag = "imports", params(("id" = ImportId, Path, description = "The import")),
    security(("bearer" = [])),
    responses((status = 200, body = ImportView)))]
#[get("/api/v1/imports/{id}")]
pub async fn progress(
    state: web::Data<AppState>,
    id: web::Path<ImportId>,
    user: Actor,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let view = state
        .db
        .run(move |conn| service::get(conn, &user, &id))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
