//! The pages the emailed links open: confirming an address, resetting a password, accepting an
//! invitation. Plain server-rendered forms over the same services as the API, so the links work
//! without a separate front end. Opening a link changes nothing (mail scanners open links);
//! only submitting the form does.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::client::client_ip;
use crate::{
    domain::account::{AcceptInvitation, PasswordResetConfirm, PasswordResetRequest},
    error::{AppError, AppResult},
    services::{accounts, organisations},
    state::AppState,
};

#[derive(Template)]
#[template(path = "pages/layout.html")]
struct Page<'a> {
    title: &'a str,
    form: &'a str,
    token: &'a str,
    messages: Vec<String>,
    errors: Vec<String>,
}

impl<'a> Page<'a> {
    fn new(title: &'a str, form: &'a str, token: &'a str) -> Self {
        Self {
            title,
            form,
            token,
            messages: Vec::new(),
            errors: Vec::new(),
        }
    }

    fn say(mut self, message: impl Into<String>) -> Self {
        self.messages.push(message.into());
        self
    }

    /// The page again with what went wrong: field messages for validation, else the problem.
    fn with_error(mut self, error: &AppError) -> Self {
        match error {
            AppError::Validation(fields) => {
                self.errors.extend(fields.iter().map(|f| f.message.clone()))
            }
            AppError::InvalidToken => {
                self.errors
                    .push("This link is invalid, already used or expired.".to_owned());
                self.form = "";
            }
            other => self.errors.push(other.to_string()),
        }
        self
    }

    fn respond(self) -> AppResult<HttpResponse> {
        let html = self.render().map_err(AppError::internal)?;
        Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header(("Cache-Control", "no-store"))
            .insert_header(("Referrer-Policy", "no-referrer"))
            .insert_header((
                "Content-Security-Policy",
                "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
            ))
            .body(html))
    }
}

#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    pub token: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    pub token: String,
}

/// `GET /verify-email?token=…`
pub async fn verify_email_page(query: web::Query<TokenQuery>) -> AppResult<HttpResponse> {
    let token = query.token.clone().unwrap_or_default();
    Page::new("Confirm your email address", "verify", &token).respond()
}

/// `POST /verify-email`
pub async fn verify_email(
    state: web::Data<AppState>,
    form: web::Form<TokenForm>,
) -> AppResult<HttpResponse> {
    let token = form.token.clone();
    let outcome = state
        .db
        .write(move |conn| accounts::verify_email(conn, &token))
        .await;
    let page = Page::new("Confirm your email address", "", "");
    match outcome {
        Ok(()) => page
            .say("Your email address is confirmed. You can now submit pledges.")
            .respond(),
        Err(e) => page.with_error(&e).respond(),
    }
}

/// `GET /reset-password?token=…` (no token: ask for a link)
pub async fn reset_password_page(query: web::Query<TokenQuery>) -> AppResult<HttpResponse> {
    match query.token.as_deref().filter(|t| !t.is_empty()) {
        Some(token) => Page::new("Choose a new password", "reset", token).respond(),
        None => Page::new("Reset your password", "request_reset", "").respond(),
    }
}

#[derive(Debug, Deserialize)]
pub struct EmailForm {
    pub email: String,
}

/// `POST /reset-password/request`
pub async fn request_reset(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<EmailForm>,
) -> AppResult<HttpResponse> {
    state
        .rate_limits
        .password_reset(client_ip(&req, state.settings.proxy_hops()))?;
    let links = state.links.clone();
    let request = PasswordResetRequest {
        email: form.into_inner().email,
    };
    state
        .db
        .write(move |conn| accounts::request_password_reset(conn, &request, &links))
        .await?;
    Page::new("Reset your password", "", "")
        .say("If this address has an account, a reset link is on its way. It works for 30 minutes.")
        .respond()
}

#[derive(Debug, Deserialize)]
pub struct ResetForm {
    pub token: String,
    pub password: String,
}

/// `POST /reset-password`
pub async fn reset_password(
    state: web::Data<AppState>,
    form: web::Form<ResetForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let token = form.token.clone();
    let links = state.links.clone();
    let request = PasswordResetConfirm {
        token: form.token,
        password: form.password,
    };
    match state
        .run_with_password(move |conn| accounts::confirm_password_reset(conn, &request, &links))
        .await
    {
        Ok(()) => Page::new("Choose a new password", "", "")
            .say("Your password is changed and every session was signed out. Sign in with the new password.")
            .respond(),
        Err(e) => Page::new("Choose a new password", "reset", &token).with_error(&e).respond(),
    }
}

/// `GET /accept-invitation?token=…`
pub async fn accept_invitation_page(query: web::Query<TokenQuery>) -> AppResult<HttpResponse> {
    let token = query.token.clone().unwrap_or_default();
    Page::new("Join your organisation on pledgeboard", "accept", &token).respond()
}

/// `POST /accept-invitation`
pub async fn accept_invitation(
    state: web::Data<AppState>,
    form: web::Form<AcceptInvitation>,
) -> AppResult<HttpResponse> {
    let request = form.into_inner();
    let token = request.token.clone();
    match state
        .run_with_password(move |conn| organisations::accept_invitation(conn, &request))
        .await
    {
        Ok((user, org)) => Page::new("Welcome to pledgeboard", "", "")
            .say(format!(
                "You are now a member of {} as {}. Sign in with {}.",
                org.name,
                user.organisation_role
                    .map(|r| r.as_str())
                    .unwrap_or_default(),
                user.email
            ))
            .respond(),
        Err(e) => Page::new("Join your organisation on pledgeboard", "accept", &token)
            .with_error(&e)
            .respond(),
    }
}
