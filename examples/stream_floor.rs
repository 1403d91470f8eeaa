//! The framework's own cost of an idle stream subscriber, for `bench/run.sh` to measure beside
//! the service's: an actix-web server with one Server-Sent Events route and nothing else, which
//! sends the bytes of `EVENT_FILE` (the service's own first event, as the script captures it)
//! and then waits, as an idle subscriber's stream does between changes.
//!
//! `cargo run --release --example stream_floor -- ADDRESS EVENT_FILE`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use actix_web::{web, App, HttpResponse, HttpServer};
use bytes::Bytes;

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, address, event_file] = args.as_slice() else {
        panic!("usage: stream_floor ADDRESS EVENT_FILE");
    };
    let event = Bytes::from(std::fs::read(event_file).expect("event file"));
    HttpServer::new(move || {
        let event = event.clone();
        App::new().route(
            "/api/v1/stats/stream",
            web::get().to(move || {
                let first =
                    futures_util::stream::once(std::future::ready(
                        Ok::<_, std::convert::Infallible>(event.clone()),
                    ));
                // Then nothing more: the subscriber is idle.
                let rest = futures_util::stream::pending();
                let response = HttpResponse::Ok()
                    .content_type("text/event-stream")
                    .streaming(futures_util::StreamExt::chain(first, rest));
                std::future::ready(response)
            }),
        )
    })
    .bind(address)?
    .run()
    .await
}
