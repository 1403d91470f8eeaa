//! Authentication building blocks: password hashing, access and emailed tokens, rate limits.
//! The HTTP extractor that turns a token into an `Actor` lives in `routes::extract`.

pub mod password;
pub mod rate_limit;
pub mod tokens;
