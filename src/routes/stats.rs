//! `GET /api/v1/stats` (live, or as of a past date), `GET /api/v1/stats/history`,
//! `GET /api/v1/stats/stream` and the big-screen page `GET /live/{track}`.

use std::sync::{Arc, OnceLock};

use actix_web::{
    get,
    http::header::{self, HeaderValue},
    web::{self, Bytes, BytesMut},
    HttpRequest, HttpResponse,
};
use bytestring::ByteString;
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::{
    domain::{
        counters::{Scope, Snapshot},
        history::Interval,
        language::Language,
    },
    error::{AppError, AppResult},
    i18n::{text, Translator},
    live::Rendered,
    routes::extract::{lenient_language, MaybeActor},
    services::history::{self as figures_over_time, History},
    state::AppState,
};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// Track slug; none for all pledges.
    pub track: Option<String>,
    /// The secret of a private screen link for this track: the pending figures too, as staff
    /// see them. A wrong or revoked one is 404.
    pub screen_key: Option<String>,
}

/// Whether the caller sees the staff figures of `scope`: staff do, and so does the holder of a
/// working private screen link for it (any other key is 404, as an unknown track).
async fn sees_staff_figures(
    state: &AppState,
    scope: &Scope,
    screen_key: Option<String>,
    viewer: MaybeActor,
) -> AppResult<bool> {
    let Some(secret) = screen_key else {
        return Ok(viewer.0.is_some_and(|v| v.role.is_staff()));
    };
    let opened = state
        .db
        .run(move |conn| crate::services::screens::open_link(conn, &secret))
        .await?;
    if &opened != scope {
        return Err(AppError::NotFound("screen_link"));
    }
    Ok(true)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SnapshotQuery {
    /// Track slug; none for all pledges.
    pub track: Option<String>,
    /// The figures as they stood at the end of this UTC date (not after today), exactly as
    /// they were then; none for the live figures.
    #[param(value_type = Option<String>, format = Date, example = "2025-12-31")]
    pub as_of: Option<NaiveDate>,
    /// The secret of a private screen link for this track: the pending figures too, as staff
    /// see them. A wrong or revoked one is 404.
    pub screen_key: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Track slug; none for all pledges.
    pub track: Option<String>,
    /// The first date (UTC); by default 30 days, or 12 months, before `to`.
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    /// The last date (UTC), not after today; by default today.
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
    /// One point per day (by default) or per month (each month's last day).
    #[param(inline)]
    pub interval: Option<Interval>,
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
#[allow(dead_code)] // describes the stream's events; `Rendered` frames them
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

/// Live figures for a scope, served from memory; or, with `as_of`, the figures as they stood at
/// the end of that date, the same every time they are asked for. Staff also see the pending
/// figures.
#[utoipa::path(operation_id = "getStats", tag = "live counters", params(SnapshotQuery),
    security((), ("bearer" = [])),
    responses((status = 200, body = Snapshot, headers(("ETag" = String, description = "The snapshot's version"))), (status = 404, description = "Unknown track, or a wrong or revoked `screen_key`"),
        (status = 422, description = "`as_of` after today (`date_in_future`) or before the figures were first recorded (`before_history`)")))]
#[get("/api/v1/stats")]
pub async fn snapshot(
    state: web::Data<AppState>,
    query: web::Query<SnapshotQuery>,
    viewer: MaybeActor,
) -> AppResult<HttpResponse> {
    let query = query.into_inner();
    let scope = state.live.scope(query.track.as_deref())?;
    let staff = sees_staff_figures(&state, &scope, query.screen_key, viewer).await?;
    let today = Utc::now().date_naive();
    if let Some(day) = query.as_of.filter(|day| *day != today) {
        let past = state
            .db
            .run(move |conn| figures_over_time::as_of(conn, &scope, day, today, staff))
            .await?;
        // A past date's figures never change; the pending ones are for their viewer only.
        let caching = if staff {
            "private, no-store"
        } else {
            "public, max-age=3600"
        };
        return Ok(HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, caching))
            .json(past));
    }
    // A write this instance answered is in the figures read after it.
    state.live.catch_up().await?;
    let rendered = state.live.current(&scope);
    // Everything but the headers was rendered once for this version: the body and its tag are
    // shared, not copied, and the fixed header values are static.
    let etag = if staff {
        &rendered.staff_etag
    } else {
        &rendered.public_etag
    };
    let etag = HeaderValue::from_maybe_shared(etag.clone())
        .map_err(|e| AppError::internal(format!("a snapshot's ETag is no header value: {e}")))?;
    // Staff figures are for their viewer only: no shared cache keeps them, whether a token or a
    // private screen's key asked.
    let cache = HeaderValue::from_static(if staff {
        "private, no-store"
    } else {
        "no-cache"
    });
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::ETAG, etag))
        .insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        ))
        .body(body(&rendered, staff)))
}

/// A scope's headline figures over time: one point per day or per month, each the figures as
/// they stood at the end of its date (at most 1,100 points a request).
#[utoipa::path(operation_id = "getStatsHistory", tag = "live counters", params(HistoryQuery),
    security((), ("bearer" = [])),
    responses((status = 200, body = History), (status = 404, description = "Unknown track"),
        (status = 422, description = "`from` after `to` (`range_reversed`), `to` after today (`date_in_future`), too many points (`range_too_long`), or a date before the figures were first recorded (`before_history`)")))]
#[get("/api/v1/stats/history")]
pub async fn history(
    state: web::Data<AppState>,
    query: web::Query<HistoryQuery>,
) -> AppResult<HttpResponse> {
    let query = query.into_inner();
    let scope = state.live.scope(query.track.as_deref())?;
    let today = Utc::now().date_naive();
    let interval = query.interval.unwrap_or_default();
    let to = query.to.unwrap_or(today);
    let from = query
        .from
        .unwrap_or_else(|| figures_over_time::default_from(to, interval));
    let series = state
        .db
        .run(move |conn| figures_over_time::series(conn, &scope, (from, to), interval, today))
        .await?;
    let caching = if to < today {
        "public, max-age=3600"
    } else {
        "no-cache"
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, caching))
        .json(series))
}

/// Server-Sent Events: `event: stats` with the snapshot on connect, then on every change
/// (coalesced, at most four a second), each with its version as `id`; keep-alive comments in
/// between. A reconnecting client gets the latest snapshot at once.
#[utoipa::path(operation_id = "streamStats", tag = "live counters", params(StatsQuery),
    security((), ("bearer" = [])),
    responses((status = 200, content_type = "text/event-stream", body = StatsEvent, description = "`event: stats`, `id: <version>`, `data: <snapshot JSON>`"), (status = 404, description = "Unknown track, or a wrong or revoked `screen_key`")))]
#[get("/api/v1/stats/stream")]
pub async fn stream(
    state: web::Data<AppState>,
    query: web::Query<StatsQuery>,
    viewer: MaybeActor,
) -> AppResult<HttpResponse> {
    let query = query.into_inner();
    let scope = state.live.scope(query.track.as_deref())?;
    let private = query.screen_key.clone().map(|secret| PrivateScreen {
        secret,
        state: state.clone(),
        scope: scope.clone(),
    });
    let staff = sees_staff_figures(&state, &scope, query.screen_key, viewer).await?;
    // Every event is framed once per version and shared by all subscribers: a subscriber
    // holds three watch receivers and no timer of its own (the live counters pace the events).
    let event = move |rendered: &Rendered| {
        if staff {
            rendered.staff_event.clone()
        } else {
            rendered.public_event.clone()
        }
    };
    // Subscribed before the first snapshot is read, so no later one is missed.
    let mut snapshots = state.live.subscribe(&scope);
    snapshots.borrow_and_update();
    // The first event is the latest snapshot, which the paced one may not have caught up with:
    // a write this instance answered is in it.
    state.live.catch_up().await?;
    let follow = Follow {
        snapshots,
        sent: state.live.current(&scope),
        closing: state.live.closing(),
        keep_alive: state.live.keep_alive(),
        private,
    };
    let events = futures_util::stream::unfold((follow, true), move |(mut f, first)| async move {
        if *f.closing.borrow() {
            return None;
        }
        let frame = if first {
            f.keep_alive.borrow_and_update();
            let mut frame = BytesMut::from(RETRY.as_bytes());
            frame.extend_from_slice(&event(&f.sent));
            frame.freeze()
        } else {
            loop {
                tokio::select! {
                    changed = f.snapshots.changed() => {
                        changed.ok()?;
                        let rendered: Arc<Rendered> = f.snapshots.borrow_and_update().clone();
                        // The snapshot sent first as it reaches the paced channel, or one
                        // older than it that was on its way there.
                        if Arc::ptr_eq(&rendered, &f.sent) || rendered.version < f.sent.version {
                            continue;
                        }
                        f.sent = rendered;
                        break event(&f.sent);
                    }
                    ticked = f.keep_alive.changed() => {
                        ticked.ok()?;
                        // With each keep-alive, a private screen checks that its link still
                        // works: a revoked one ends the stream, and reconnecting is refused.
                        if let Some(p) = &f.private {
                            let key = Some(p.secret.clone());
                            sees_staff_figures(&p.state, &p.scope, key, MaybeActor(None))
                                .await
                                .ok()?;
                        }
                        break Bytes::from_static(b": keep-alive\n\n");
                    }
                    _ = f.closing.changed() => return None,
                }
            }
        };
        Some((Ok::<_, std::convert::Infallible>(frame), (f, false)))
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(header::ContentEncoding::Identity)
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(events))
}

/// How long a client waits before reconnecting, sent first on every stream.
const RETRY: &str = "retry: 2000\n\n";

/// What a stream follows.
struct Follow {
    snapshots: tokio::sync::watch::Receiver<Arc<Rendered>>,
    /// The snapshot of the last event sent.
    sent: Arc<Rendered>,
    closing: tokio::sync::watch::Receiver<bool>,
    keep_alive: tokio::sync::watch::Receiver<u64>,
    /// A private screen's link, checked again with every keep-alive: the stream of a revoked
    /// link ends, and reconnecting is refused.
    private: Option<PrivateScreen>,
}

struct PrivateScreen {
    secret: String,
    state: web::Data<AppState>,
    scope: Scope,
}

/// The big-screen page, as built into the binary. Its script takes the scope from the page
/// (`data-scope`), so the script itself is the same for every track and can be allowed by hash.
const LIVE_PAGE: &str = include_str!("../../static/live.html");

/// The CSP hashes of the big-screen page's inline scripts.
pub static LIVE_PAGE_SCRIPT_HASHES: std::sync::LazyLock<Vec<String>> =
    std::sync::LazyLock::new(|| super::headers::inline_script_hashes(LIVE_PAGE));

/// The big-screen page's own query: a private screen link's secret, if any. Anything else
/// a venue adds to the address is ignored.
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    pub screen_key: Option<String>,
}

/// The page's fixed words, by placeholder.
const SCREEN_WORDS: [(&str, &str); 10] = [
    ("__L_STAFF__", "screen-staff-figures"),
    ("__L_CONNECTING__", "screen-connecting"),
    ("__L_COMMITMENTS__", "screen-commitments"),
    ("__L_PLEDGED__", "screen-pledged"),
    ("__L_ENTITIES__", "screen-entities"),
    ("__L_GOVERNMENTS__", "screen-governments"),
    ("__L_COUNTRIES__", "screen-countries"),
    ("__L_LDC__", "screen-ldc"),
    ("__L_SCAN__", "screen-scan"),
    ("__L_LATEST__", "screen-latest"),
];

/// The words the page's script writes, with `%name%` where it puts a figure, a date or a
/// time in the page's language: the sentences keep each language's word order.
fn screen_labels(t: &Translator) -> serde_json::Value {
    let marker = |name: &str| text(format!("%{name}%"));
    let goal = |kind: &str| {
        t.msg(
            "screen-goal",
            &[
                ("kind", text(kind.to_owned())),
                ("target", marker("target")),
                ("deadline", marker("deadline")),
            ],
        )
    };
    serde_json::json!({
        "live": t.msg("screen-live", &[]),
        "reconnecting": t.msg("screen-reconnecting", &[]),
        "goal_usd_pledged": goal("usd_pledged"),
        "goal_pledges": goal("pledges"),
        "goal_entities": goal("entities"),
        "pending": t.msg(
            "screen-pending",
            &[
                ("pledges", marker("pledges")),
                ("usd", marker("usd")),
                ("scheduled", marker("scheduled")),
            ],
        ),
        "goal_reached": t.msg("screen-goal-reached", &[]),
        "milestone_usd": t.msg("screen-milestone-usd", &[("amount", marker("amount"))]),
        "milestone_pledges": t.msg("screen-milestone-pledges", &[("count", marker("count"))]),
        "updated": t.msg("screen-updated", &[("time", marker("time"))]),
    })
}

/// The big-screen page in `language` with what depends on the language only (its fixed words,
/// the words its script writes, `lang` and `dir`) in place: built once per language and process,
/// as the API description is, rather than on every page load.
fn page_in(language: Language) -> &'static str {
    static PAGES: [OnceLock<String>; Language::ALL.len()] =
        [const { OnceLock::new() }; Language::ALL.len()];
    let index = Language::ALL
        .iter()
        .position(|l| *l == language)
        .unwrap_or_default();
    PAGES[index].get_or_init(|| {
        let t = Translator::new(language);
        let mut html = LIVE_PAGE.to_owned();
        for (placeholder, id) in SCREEN_WORDS {
            html = html.replace(placeholder, &escape_html(&t.msg(id, &[])));
        }
        html.replace("__LANG__", language.as_str())
            .replace("__DIR__", t.dir())
            .replace("__LABELS__", &escape_html(&screen_labels(&t).to_string()))
    })
}

/// The big-screen page for a track (`all` for every pledge): self-contained, updated live,
/// with a QR code to the track's public catalogue. With a private screen link's secret
/// (`screen_key`) it shows the pending figures too; a wrong or revoked one is 404.
pub async fn page(
    state: web::Data<AppState>,
    req: HttpRequest,
    track: web::Path<String>,
    query: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    // `lang` in the address (a venue's screen is set once), else the browser's language.
    let language = lenient_language(
        req.query_string(),
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let t = Translator::new(language);
    let slug = track.into_inner();
    let scope = state.live.scope(Some(&slug))?;
    let private = query.into_inner().screen_key;
    let is_private = private.is_some();
    if is_private {
        sees_staff_figures(&state, &scope, private, MaybeActor(None)).await?;
    }
    let title = state
        .db
        .run({
            let slug = slug.clone();
            move |conn| crate::services::taxonomy::track_name(conn, &slug, language)
        })
        .await?;
    let catalogue = state.links.catalogue(&slug);
    let html = page_in(language)
        .replace(
            "__PAGE_TITLE__",
            &escape_html(&t.msg("screen-page-title", &[("track", text(title.as_str()))])),
        )
        .replace("__TITLE__", &escape_html(&title))
        .replace("__SCOPE__", &escape_js(&slug))
        .replace("__QR__", &qr_svg(&catalogue)?)
        // Shown under the code for those who type it: without the scheme, which the page
        // names nowhere (it loads nothing from anywhere else).
        .replace(
            "__CATALOGUE__",
            &escape_html(
                catalogue
                    .split_once("://")
                    .map_or(&*catalogue, |(_, rest)| rest),
            ),
        );
    // Its Content-Security-Policy comes with every HTML page's (routes::headers).
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_LANGUAGE, language.as_str()))
        .insert_header((
            header::CACHE_CONTROL,
            // The private page's address is a secret: no cache keeps it.
            if is_private {
                "private, no-store"
            } else {
                "no-cache"
            },
        ))
        .body(html))
}

/// A QR code of `url` as inline SVG markup (no XML declaration), drawn here: no service
/// outside is asked.
fn qr_svg(url: &str) -> AppResult<String> {
    use qrcode::{render::svg, EcLevel, QrCode};
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)
        .map_err(|e| AppError::internal(format!("no QR code for {url}: {e}")))?;
    let image = code
        .render::<svg::Color>()
        .min_dimensions(256, 256)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    // Inline SVG in HTML needs neither the XML declaration nor the namespace.
    let start = image.find("<svg").unwrap_or(0);
    Ok(image[start..].replacen(
        " xmlns=\"http://www.w3.org/2000/svg\"",
        " role=\"img\" aria-label=\"QR code\"",
        1,
    ))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_of_each_language_is_built_once_with_its_words() {
        for language in Language::ALL {
            let page = page_in(language);
            assert!(std::ptr::eq(page, page_in(language)), "{language:?}");
            assert!(page.contains(&format!("lang=\"{}\"", language.as_str())));
            assert!(!page.contains("__L_") && !page.contains("__LABELS__"));
            // What depends on the track is left for each request.
            assert!(page.contains("__TITLE__") && page.contains("__SCOPE__"));
        }
        assert!(page_in(Language::Ar).contains("dir=\"rtl\""));
        assert_ne!(page_in(Language::Fr), page_in(Language::En));
    }
}
