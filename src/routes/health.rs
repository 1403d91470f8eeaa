//! `GET /livez` and `GET /readyz`: for orchestrators and load balancers.

use std::time::Duration;

use actix_web::{get, web, HttpResponse};

use super::Health;
use crate::{
    db,
    error::{AppError, AppResult},
    state::AppState,
};

/// How long readiness waits for a pooled connection before declaring the database unavailable.
const READY_CHECKOUT_TIMEOUT: Duration = Duration::from_secs(2);

/// The process is up and serving HTTP. Touches nothing else.
#[utoipa::path(operation_id = "checkLiveness", tag = "operations", responses((status = 200, body = Health)))]
#[get("/livez")]
pub async fn livez() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok",
        database: None,
    })
}

/// The service can do useful work: the database answers and takes a write.
#[utoipa::path(operation_id = "checkReadiness", tag = "operations",
    responses(
        (status = 200, body = Health),
        (status = 503, description = "The database cannot be reached or cannot write"),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let pool = state.db.pool().clone();
    let instance = state.instance.clone();
    tokio::task::spawn_blocking(move || -> AppResult<()> {
        let mut conn = pool
            .get_timeout(READY_CHECKOUT_TIMEOUT)
            .map_err(|e| AppError::Unavailable(format!("no database connection: {e}")))?;
        db::ping(&mut conn)
            .map_err(|e| AppError::Unavailable(format!("database ping failed: {e}")))?;
        db::probe_write(&mut conn, &instance)
            .map_err(|e| AppError::Unavailable(format!("the database cannot write: {e}")))
    })
    .await??;
    Ok(HttpResponse::Ok().json(Health {
        status: "ready",
        database: Some(state.db.backend().name()),
    }))
}
