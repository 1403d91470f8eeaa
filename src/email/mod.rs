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
pub use templates::Email;
