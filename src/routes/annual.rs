//! `GET /api/v1/reports/annual/{year}`: the annual report pack, as JSON or CSV.

use actix_web::{get, http::header, web, HttpResponse};
use chrono::{Datelike, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::{
    domain::annual::{csv, AnnualPack},
    error::{AppError, AppResult},
    services::annual,
    state::AppState,
};

/// The pack's file formats.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PackFormat {
    #[default]
    Json,
    /// One figure a row: `year,scope,measure,key,value`.
    Csv,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PackQuery {
    /// `json` (by default) or `csv`.
    #[param(inline)]
    pub format: Option<PackFormat>,
}

/// The annual report pack of a year, for every track and in total: pledges published that
/// year, progress reports accepted in it, the traffic lights at its end, and the figures of
/// its last day (pledged, disbursed, and the USD breakdowns, which overlap when a pledge has
/// several tags). A closed year's pack is sealed the first time it is asked for and reads the
/// same, byte for byte, ever after; the running year's is counted up to today.
#[utoipa::path(operation_id = "getAnnualPack", tag = "reports",
    params(("year" = i32, Path, description = "The year, from 2000 to the current one", minimum = 2000, maximum = 9999), PackQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The pack (JSON, or `text/csv` with `format=csv`)",
            content((AnnualPack = "application/json"), (String = "text/csv"))),
        (status = 422, description = "A year after the current one (`date_in_future`) or before 2000 (`year_out_of_range`)")))]
#[get("/api/v1/reports/annual/{year}")]
pub async fn pack(
    state: web::Data<AppState>,
    year: web::Path<i32>,
    query: web::Query<PackQuery>,
) -> AppResult<HttpResponse> {
    let year = year.into_inner();
    let today = Utc::now().date_naive();
    let body = annual::pack(&state.db, year, today).await?;
    let caching = if year < today.year() {
        "public, max-age=86400"
    } else {
        "no-cache"
    };
    let mut answer = HttpResponse::Ok();
    answer.insert_header((header::CACHE_CONTROL, caching));
    Ok(match query.format.unwrap_or_default() {
        PackFormat::Json => answer.content_type("application/json").body(body),
        PackFormat::Csv => {
            let pack: AnnualPack = serde_json::from_str(&body).map_err(AppError::internal)?;
            answer
                .content_type("text/csv; charset=utf-8")
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"pledgeboard-annual-{year}.csv\""),
                ))
                .body(csv(&pack))
        }
    })
}
