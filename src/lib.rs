//! pledgeboard: a REST service for commitment-pledging coalitions. See `ARCHITECTURE.md`.

pub mod auth;
pub mod cache;
pub mod config;
pub mod connections;
pub mod db;
pub mod domain;
pub mod email;
pub mod error;
pub mod i18n;
pub mod live;
pub mod metrics;
pub mod pagination;
pub mod routes;
pub mod services;
pub mod startup;
pub mod state;
pub mod telemetry;
