//! A deadline for reading request bodies. Headers have one (the server's client request
//! timeout); a body dripped a byte at a time would otherwise hold a connection and a worker's
//! attention for as long as the client likes.

use std::{
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

/// Wraps the request's body so that reading it fails once `timeout` has passed since the
/// request arrived.
pub async fn body_deadline(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let timeout = req
        .app_data::<web::Data<AppState>>()
        .map_or(Duration::from_secs(30), |s| {
            Duration::from_secs(s.settings.body_read_timeout_secs.max(1))
        });
    let inner = req.take_payload();
    let deadline = Box::pin(sleep_until(Instant::now() + timeout));
    let stream: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> =
        Box::pin(Deadline { inner, deadline });
    req.set_payload(Payload::from(stream));
    next.call(req).await
}

struct Deadline {
    inner: Payload,
    deadline: Pin<Box<Sleep>>,
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Poll::Ready(item) = Pin::new(&mut self.inner).poll_next(cx) {
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

use std::future::Future;
