//! Prometheus metrics: one process-wide recorder, rendered by `GET /metrics`.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::{
    db::{counters, DbPool},
    domain::{counters::Scope, outbox::OutboxStatus},
};

pub const HTTP_REQUESTS: &str = "http_requests_total";
pub const HTTP_DURATION: &str = "http_request_duration_seconds";
pub const COUNTER_CHECKS: &str = "pledgeboard_counter_checks_total";
pub const COUNTER_DRIFT_REPAIRS: &str = "pledgeboard_counter_drift_repairs_total";
pub const REVEALS: &str = "pledgeboard_reveals_total";

/// Latency buckets of [`HTTP_DURATION`], in seconds.
const HTTP_DURATION_BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the recorder on first use; later calls (more servers in one test process) share it.
pub fn init() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full(HTTP_DURATION.to_owned()),
                &HTTP_DURATION_BUCKETS,
            )
            // Refused only for an empty bucket list: then durations are summaries.
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "latency buckets refused");
                PrometheusBuilder::new()
            });
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        // Fails only if another recorder was installed first; then ours just stays unused.
        let _ = metrics::set_global_recorder(recorder);
        metrics::describe_counter!(
            HTTP_REQUESTS,
            "HTTP requests answered, by method, route and status"
        );
        metrics::describe_histogram!(
            HTTP_DURATION,
            metrics::Unit::Seconds,
            "HTTP request latency, by method and route"
        );
        metrics::describe_gauge!(
            "db_pool_connections",
            "Database pool connections, by state (idle, in_use)"
        );
        metrics::describe_gauge!("db_pool_max_connections", "Database pool size limit");
        metrics::describe_gauge!(
            "outbox_messages",
            "Outgoing email messages, by status (pending, sending, sent, dead)"
        );
        metrics::describe_counter!(
            COUNTER_CHECKS,
            "Scheduled checks of the live counters against a recount, by outcome (ok, failed)"
        );
        metrics::describe_counter!(
            COUNTER_DRIFT_REPAIRS,
            "Counter scopes found drifted from the pledges and repaired, by scope kind (global, track)"
        );
        metrics::describe_counter!(
            REVEALS,
            "Rounds of the reveal loop at a moment due, by outcome (revealed: pledges this \
             instance revealed; found_done: rounds another instance had done; failed)"
        );
        metrics::describe_counter!(
            counters::INCONSISTENT_CHANGES,
            "Counter changes that found the stored counters already drifted"
        );
        handle
    })
}

/// Records one answered request. `route` is the matched pattern, never the raw path, so ids do
/// not explode the number of series.
pub fn record_request(method: &str, route: &str, status: u16, seconds: f64) {
    let labels = [("method", method.to_owned()), ("route", route.to_owned())];
    metrics::histogram!(HTTP_DURATION, &labels).record(seconds);
    metrics::counter!(HTTP_REQUESTS, "method" => method.to_owned(), "route" => route.to_owned(), "status" => status.to_string())
        .increment(1);
}

pub fn record_pool_state(pool: &DbPool) {
    let state = pool.state();
    let idle = f64::from(state.idle_connections);
    let in_use = f64::from(state.connections - state.idle_connections);
    metrics::gauge!("db_pool_connections", "state" => "idle").set(idle);
    metrics::gauge!("db_pool_connections", "state" => "in_use").set(in_use);
    metrics::gauge!("db_pool_max_connections").set(f64::from(pool.max_size()));
}

/// Sets the outbox gauge for every status, zero for those with no messages.
pub fn record_outbox(counts: &[(OutboxStatus, i64)]) {
    for status in OutboxStatus::ALL {
        let n = counts
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(0, |(_, n)| *n);
        metrics::gauge!("outbox_messages", "status" => status.as_str()).set(n as f64);
    }
}

/// Counts one scheduled counter check: `None` if it failed, else the scopes it repaired.
pub fn record_counter_check(repaired: Option<&[Scope]>) {
    let outcome = if repaired.is_some() { "ok" } else { "failed" };
    metrics::counter!(COUNTER_CHECKS, "outcome" => outcome).increment(1);
    let Some(repaired) = repaired else { return };
    let tracks = repaired
        .iter()
        .filter(|s| matches!(s, Scope::Track(_)))
        .count();
    let global = repaired.len() - tracks;
    // Both series always exist once a check ran, so that they can be alerted on from zero.
    for (kind, n) in [("global", global), ("track", tracks)] {
        metrics::counter!(COUNTER_DRIFT_REPAIRS, "scope_kind" => kind)
            .increment(u64::try_from(n).unwrap_or(u64::MAX));
    }
}

pub fn render() -> String {
    init().render()
}
