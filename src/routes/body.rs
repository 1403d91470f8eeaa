//! Request bodies, before any handler reads them: a deadline (headers have one, the server's
//! client request timeout; a body dripped a byte at a time would otherwise hold a connection
//! for as long as the client likes), and for JSON bodies, a top level that is an object (serde
//! would read a struct from an array, so `["a@b.org", "pw"]` must be refused here).

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use actix_web::{
    body::MessageBody,
    dev::{Payload, ServiceRequest, ServiceResponse},
    error::PayloadError,
    middleware::Next,
    web::{self, Bytes},
    HttpMessage,
};
use futures_util::Stream;
use tokio::time::{sleep_until, Instant, Sleep};

use crate::state::AppState;

/// What a reader of a late body sees: an I/O error of kind `TimedOut`.
pub const LATE_BODY: &str = "the request body did not arrive in time";

/// What a reader of a JSON body that is not an object sees: an I/O error of kind
/// `InvalidData` with this message.
pub const NOT_AN_OBJECT: &str = "the request body must be a JSON object";

/// Wraps the request's body so that reading it fails once the deadline has passed since the
/// request arrived, or at once when a JSON body does not start as an object.
pub async fn check_body(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let timeout = req
        .app_data::<web::Data<AppState>>()
        .map_or(Duration::from_secs(30), |s| {
            Duration::from_secs(s.settings.body_read_timeout_secs.max(1))
        });
    let json = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            v.starts_with("application/json") || v.contains("+json")
        });
    let inner = req.take_payload();
    let deadline = Box::pin(sleep_until(Instant::now() + timeout));
    let stream: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> = Box::pin(Deadline {
        inner,
        deadline,
        // Only JSON bodies are looked at; once the first significant byte passed, none are.
        shape_checked: !json,
    });
    req.set_payload(Payload::from(stream));
    next.call(req).await
}

struct Deadline {
    inner: Payload,
    deadline: Pin<Box<Sleep>>,
    shape_checked: bool,
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Poll::Ready(item) = Pin::new(&mut self.inner).poll_next(cx) {
            if let Some(Ok(chunk)) = &item {
                if !self.shape_checked {
                    match chunk.iter().find(|b| !b.is_ascii_whitespace()) {
                        Some(b'{') => self.shape_checked = true,
                        Some(_) => {
                            self.shape_checked = true;
                            return Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                                std::io::ErrorKind::InvalidData,
                                NOT_AN_OBJECT,
                            )))));
                        }
                        None => {}
                    }
                }
            }
            return Poll::Ready(item);
        }
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                LATE_BODY,
            ))))),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Whether a payload error is the deadline's.
pub fn is_late(err: &PayloadError) -> bool {
    matches!(err, PayloadError::Io(e) if e.kind() == std::io::ErrorKind::TimedOut)
}

/// Whether a payload error says the JSON body is not an object.
pub fn is_not_an_object(err: &PayloadError) -> bool {
    matches!(err, PayloadError::Io(e) if e.kind() == std::io::ErrorKind::InvalidData
        && e.to_string() == NOT_AN_OBJECT)
}
