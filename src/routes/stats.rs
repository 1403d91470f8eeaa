//! `GET /api/v1/stats`, `GET /api/v1/stats/stream` and the big-screen page `GET /live/{track}`.

use std::{sync::Arc, time::Duration};

use actix_web::{get, http::header, web, HttpResponse, Responder};
use actix_web_lab::sse;
use bytestring::ByteString;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::{
    domain::counters::Snapshot, error::AppResult, live::Rendered, routes::extract::MaybeActor,
    state::AppState,
};

/// The shortest gap between two stream events: changes in between are coalesced.
const STREAM_MIN_GAP: Duration = Duration::from_millis(250);

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// Track slug; none for all pledges.
    pub track: Option<String>,
}

fn body(rendered: &Rendered, staff: bool) -> ByteString {
    if staff {
        rendered.staff.clone()
    } else {
        rendered.public.clone()
    }
}

/// One event of `GET /stats/stream`.
#[derive(ToSchema)]
#[allow(dead_code)] // describes the stream's events; they are written by `sse::Data`
pub struct StatsEvent {
    #[schema(pattern = "^stats$", example = "stats")]
    event: String,
    /// The snapshot's version.
    #[schema(pattern = "^[0-9]+$")]
    id: String,
    /// The snapshot as JSON, as `GET /stats` answers it.
    #[schema(content_media_type = "application/json")]
    data: String,
}

/// Live figures for a scope. Staff also see the pending figures. Served from memory.
#[utoipa::path(operation_id = "getStats", tag = "live counters", params(StatsQuery),
    security((), ("bearer" = [])),
    responses((status = 200, body = Snapshot, headers(("ETag" = String, description = "The snapshot's version"))), (status = 404, description = "Unknown track")))]
#[get("/api/v1/stats")]
pub async fn snapshot(
    state: web::Data<AppState>,
    query: web::Query<StatsQuery>,
    viewer: MaybeActor,
) -> AppResult<HttpResponse> {
    // A write this instance answered is in the figures read after it.
    state.live.catch_up().await?;
    let scope = state.live.scope(query.track.as_deref())?;
    let staff = viewer.0.is_some_and(|v| v.role.is_staff());
    let rendered = state.live.current(&scope);
    let etag = if staff {
        &rendered.staff_etag
    } else {
        &rendered.public_etag
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::ETAG, etag.as_str()))
        .content_type("application/json")
        .body(body(&rendered, staff)))
}

/// Server-Sent Events: `event: stats` with the snapshot on connect, then on every change
/// (coalesced, at most four a second), each with its version as `id`; keep-alive comments in
/// between. A reconnecting client gets the latest snapshot at once.
#[utoipa::path(operation_id = "streamStats", tag = "live counters", params(StatsQuery),
    security((), ("bearer" = [])),
    responses((status = 200, content_type = "text/event-stream", body = StatsEvent, description = "`event: stats`, `id: <version>`, `data: <snapshot JSON>`"), (status = 404, description = "Unknown track")))]
#[get("/api/v1/stats/stream")]
pub async fn stream(
    state: web::Data<AppState>,
    query: web::Query<StatsQuery>,
    viewer: MaybeActor,
) -> AppResult<impl Responder> {
    let scope = state.live.scope(query.track.as_deref())?;
    let staff = viewer.0.is_some_and(|v| v.role.is_staff());
    let receiver = state.live.subscribe(&scope);
    let closing = state.live.closing();
    let events = futures_util::stream::unfold(
        (receiver, closing, true),
        move |(mut receiver, mut closing, first)| async move {
            if *closing.borrow() {
                return None;
            }
            if !first {
                tokio::select! {
                    _ = tokio::time::sleep(STREAM_MIN_GAP) => {}
                    _ = closing.changed() => return None,
                }
                tokio::select! {
                    changed = receiver.changed() => changed.ok()?,
                    _ = closing.changed() => return None,
                }
            }
            let rendered: Arc<Rendered> = receiver.borrow_and_update().clone();
            let event = sse::Event::Data(
                sse::Data::new(body(&rendered, staff))
                    .event("stats")
                    .id(rendered.version.to_string()),
            );
            Some((
                Ok::<_, std::convert::Infallible>(event),
                (receiver, closing, false),
            ))
        },
    );
    Ok(sse::Sse::from_stream(events)
        .with_keep_alive(Duration::from_secs(15))
        .with_retry_duration(Duration::from_secs(2))
        .customize()
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header(("X-Accel-Buffering", "no")))
}

/// The big-screen page, as built into the binary. Its script takes the scope from the page
/// (`data-scope`), so the script itself is the same for every track and can be allowed by hash.
const LIVE_PAGE: &str = include_str!("../../static/live.html");

/// The CSP hashes of the big-screen page's inline scripts.
pub static LIVE_PAGE_SCRIPT_HASHES: std::sync::LazyLock<Vec<String>> =
    std::sync::LazyLock::new(|| super::headers::inline_script_hashes(LIVE_PAGE));

/// The big-screen page for a track (`all` for every pledge): self-contained, updated live.
pub async fn page(state: web::Data<AppState>, track: web::Path<String>) -> AppResult<HttpResponse> {
    let slug = track.into_inner();
    state.live.scope(Some(&slug))?;
    let title = state
        .db
        .run({
            let slug = slug.clone();
            move |conn| crate::services::taxonomy::track_name(conn, &slug)
        })
        .await?;
    let html = LIVE_PAGE
        .replace("__TITLE__", &escape_html(&title))
        .replace("__SCOPE__", &escape_js(&slug));
    // Its Content-Security-Policy comes with every HTML page's (routes::headers).
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(html))
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Slugs are plain, but the page must stay safe whatever a track is called.
fn escape_js(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect()
}
