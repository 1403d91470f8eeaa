//! pledgeboard: a REST service for commitment-pledging coalitions. See `ARCHITECTURE.md`.

pub mod config;
pub mod db;
pub mod domain;
pub mod email;
pub mod error;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod routes;
pub mod services;
pub mod startup;
pub mod telemetry;
