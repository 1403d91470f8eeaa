//! Structured logs through `tracing`: JSON lines by default, each carrying the request's span
//! (and so its `request_id`).

use tracing_subscriber::{fmt, layer::SubscriberExt, util::SubscriberInitExt, EnvFilter};

/// Installs the global subscriber. `RUST_LOG` overrides the default `info` level.
/// Safe to call more than once: later calls change nothing.
pub fn init(format: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    let _ = if format == "pretty" {
        registry
            .with(fmt::layer().with_writer(std::io::stdout))
            .try_init()
    } else {
        registry
            .with(
                fmt::layer()
                    .json()
                    .with_current_span(true)
                    .with_span_list(false)
                    // No span events: the access log line is an event of its own
                    // (`routes::access_log`), and spans the layer times cost a clock read
                    // each time they are entered.
                    .with_writer(std::io::stdout),
            )
            .try_init()
    };
}
