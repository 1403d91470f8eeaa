//! Authentication: passwords, tokens, the current user, rate limits.

pub mod current_user;
pub mod password;
pub mod rate_limit;
pub mod tokens;

pub use current_user::CurrentUser;
