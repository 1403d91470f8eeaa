//! Integration tests: the real service over HTTP. One test binary, so the crate links once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod admin;
mod authorization;
mod binary;
mod caching;
mod catalogue;
mod contract;
mod cors;
mod counters;
mod email;
mod errors;
mod export;
mod helpers;
mod lifecycle;
mod live;
mod operations;
mod pages;
mod pledges;
mod reports;
mod security;
mod smtp;
mod storage;
mod taxonomy;
mod tokens;
mod tracks;
