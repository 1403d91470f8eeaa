//! Where messages go: an SMTP server (`SMTP_URL`), or by default `.eml` files in
//! `<data-dir>/mail/`. Both get the same MIME message with a stable `Message-ID`.

use std::{path::PathBuf, time::Duration};

use lettre::{
    message::{Mailbox, MultiPart},
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};

use crate::domain::outbox::OutboxMessage;

/// How long one SMTP conversation may take; well under the claim lease.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(PathBuf),
}

impl Transport {
    /// SMTP when a URL is given (`smtp://`, `smtps://`, with `?tls=required|opportunistic` and
    /// credentials as in lettre's URL format), the mail folder otherwise.
    pub fn from_settings(smtp_url: Option<&str>, mail_dir: PathBuf) -> Result<Self, String> {
        match smtp_url.filter(|u| !u.trim().is_empty()) {
            Some(url) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map(|builder| Transport::Smtp(builder.timeout(Some(SMTP_TIMEOUT)).build()))
                .map_err(|e| format!("invalid SMTP URL: {e}")),
            None => {
                std::fs::create_dir_all(&mail_dir).map_err(|e| {
                    format!("cannot create mail folder {}: {e}", mail_dir.display())
                })?;
                Ok(Transport::Files(mail_dir))
            }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Transport::Smtp(_) => "smtp".to_owned(),
            Transport::Files(dir) => format!("files in {}", dir.display()),
        }
    }

    /// Delivers one message; an error says why, for the retry log.
    pub async fn send(
        &self,
        message: &OutboxMessage,
        from: &str,
        domain: &str,
    ) -> Result<(), String> {
        let mime = build(message, from, domain)?;
        match self {
            Transport::Smtp(smtp) => smtp.send(mime).await.map(|_| ()).map_err(|e| e.to_string()),
            Transport::Files(dir) => {
                // Named by message id and renamed into place: a resend after a crash replaces
                // the same file rather than adding a copy, and no reader sees half a message.
                let final_path = dir.join(format!("{}.eml", message.id));
                let temp_path = dir.join(format!(".{}.eml.tmp", message.id));
                let bytes = mime.formatted();
                tokio::fs::write(&temp_path, bytes)
                    .await
                    .map_err(|e| e.to_string())?;
                tokio::fs::rename(&temp_path, &final_path)
                    .await
                    .map_err(|e| e.to_string())
            }
        }
    }
}

/// The `Message-ID` of an outbox message: the same on every attempt, so a receiver can tell a
/// retry after an unclear failure from a new message.
pub fn message_id(message: &OutboxMessage, domain: &str) -> String {
    format!("<{}@{}>", message.id, domain)
}

fn build(message: &OutboxMessage, from: &str, domain: &str) -> Result<Message, String> {
    let from: Mailbox = from
        .parse()
        .map_err(|e| format!("invalid sender {from:?}: {e}"))?;
    let to: Mailbox = message
        .recipient
        .parse()
        .map_err(|e| format!("invalid recipient: {e}"))?;
    Message::builder()
        .from(from)
        .to(to)
        .subject(message.subject.clone())
        .message_id(Some(message_id(message, domain)))
        .date_now()
        .multipart(MultiPart::alternative_plain_html(
            message.text_body.clone(),
            message.html_body.clone(),
        ))
        .map_err(|e| format!("cannot build message: {e}"))
}
