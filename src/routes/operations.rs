//! `GET /metrics`, `GET /openapi.yaml` and `GET /docs`: operating and integrating the service.

use std::sync::LazyLock;

use actix_web::{get, web, HttpResponse};

use super::openapi;
use crate::{
    error::{AppError, AppResult},
    services::outbox,
    state::AppState,
};

/// Prometheus text exposition: HTTP requests by route and status, latency histogram, database
/// pool usage, outgoing mail by status.
#[utoipa::path(operation_id = "getMetrics", tag = "operations", responses((status = 200, description = "Prometheus text format", content_type = "text/plain", body = String)))]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    crate::metrics::record_pool_state(state.db.pool());
    // Outbox figures come from the database, so they agree across instances; if it cannot
    // answer, the rest of the page is still worth serving.
    match state.db.run(outbox::counts).await {
        Ok(counts) => crate::metrics::record_outbox(&counts),
        Err(e) => tracing::warn!(error = %e, "outbox counts unavailable for /metrics"),
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(crate::metrics::render())
}

/// This API's OpenAPI 3.1 description (the same document as `openapi.yaml` in the repository).
#[utoipa::path(operation_id = "getOpenApiDocument", tag = "operations", responses((status = 200, description = "OpenAPI document", content_type = "application/yaml", body = Object)))]
#[get("/openapi.yaml")]
pub async fn openapi_yaml() -> AppResult<HttpResponse> {
    // Rendered once: the document is fixed for the life of the binary.
    static YAML: LazyLock<Result<String, String>> =
        LazyLock::new(|| openapi::yaml().map_err(|e| e.to_string()));
    let yaml = YAML.as_ref().map_err(AppError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/yaml; charset=utf-8")
        .body(yaml.clone()))
}

/// The same description as JSON, which the interactive documentation reads. Rendered once per
/// process and shared by every worker.
pub async fn openapi_json() -> AppResult<HttpResponse> {
    static JSON: LazyLock<Result<web::Bytes, String>> = LazyLock::new(|| {
        serde_json::to_vec(&openapi::document())
            .map(web::Bytes::from)
            .map_err(|e| e.to_string())
    });
    let json = JSON.as_ref().map_err(AppError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(json.clone()))
}

/// The interactive documentation lives at `/docs/`; its assets are built into the binary.
pub async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header(("Location", "/docs/"))
        .finish()
}
