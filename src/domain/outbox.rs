//! Outgoing email as the outbox keeps it: a message, and the states of its delivery. Pure code:
//! `db::outbox` stores messages, `email` delivers them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::{ids::MessageId, vocabulary::vocabulary};

vocabulary!(
    /// Where a message is in its delivery: waiting for an attempt (`pending`), claimed by a
    /// worker that is sending it (`sending`), delivered (`sent`), or given up after the last
    /// attempt (`dead`).
    OutboxStatus {
        Pending => "pending",
        Sending => "sending",
        Sent => "sent",
        Dead => "dead",
    }
);

impl OutboxStatus {
    /// Only a message that was given up goes back in the queue by hand: a pending or sending one
    /// is still being tried, a sent one arrived.
    pub fn can_be_retried(self) -> bool {
        self == OutboxStatus::Dead
    }
}

/// One stored message. Its bodies and its claim are never listed: bodies may hold tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct OutboxMessage {
    pub id: MessageId,
    /// Stable name of the message kind, e.g. `verify_email`.
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    #[serde(skip)]
    pub text_body: String,
    #[serde(skip)]
    pub html_body: String,
    pub status: OutboxStatus,
    /// Attempts made so far, the one in progress included.
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    /// The worker holding the claim, while `sending`.
    #[serde(skip)]
    pub claimed_by: Option<String>,
    /// When the claim lapses and another worker may take the message over.
    #[serde(skip)]
    pub claimed_until: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_travel_as_their_stored_text() {
        for status in OutboxStatus::ALL {
            assert_eq!(status.as_str().parse::<OutboxStatus>(), Ok(status));
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::Value::from(status.as_str())
            );
        }
        assert!("lost".parse::<OutboxStatus>().is_err());
    }

    #[test]
    fn only_dead_messages_can_be_retried() {
        let retryable: Vec<_> = OutboxStatus::ALL
            .into_iter()
            .filter(|s| s.can_be_retried())
            .collect();
        assert_eq!(retryable, [OutboxStatus::Dead]);
    }
}
