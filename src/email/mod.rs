//! Email that is never lost: messages are rows in an outbox (`db::outbox`) written in the
//! caller's transaction (`outbox::enqueue`), and a worker inside the service delivers them
//! (`worker`), through SMTP or, by default, as `.eml` files (`transport`).

pub mod links;
pub mod outbox;
pub mod retry;
pub mod templates;
pub mod transport;
pub mod worker;

pub use links::Links;
pub use outbox::enqueue;
pub use templates::{Email, Message};

use crate::{
    db::{users::language_of, DbConnection},
    domain::language::Language,
    error::AppResult,
};

/// Queues `message` for `to` in the transaction of `conn`, in the language of the account that
/// address belongs to (English for an address with no account yet).
pub fn send<M: Message>(conn: &mut DbConnection, message: &M, to: &str) -> AppResult<()> {
    let language = language_of(conn, to)?.unwrap_or(Language::En);
    enqueue(conn, &message.render(to, language)?)?;
    Ok(())
}
