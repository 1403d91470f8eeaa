//! The pages the emailed links open: confirming an address, resetting a password, accepting an
//! invitation. Plain server-rendered forms over the same services as the API, so the links work
//! without a separate front end. Opening a link changes nothing (mail scanners open links);
//! only submitting the form does.

use actix_web::{http::header, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{client::client_ip, extract::lenient_language, problem::Problem};
use crate::{
    domain::{
        account::{AcceptInvitation, PasswordResetConfirm, PasswordResetRequest},
        language::Language,
    },
    error::{AppError, AppResult},
    i18n::{text, Arg, Translator},
    services::{accounts, organisations},
    state::AppState,
};

#[derive(Template)]
#[template(path = "pages/layout.html")]
struct Page<'a> {
    title: String,
    form: &'a str,
    token: &'a str,
    messages: Vec<String>,
    errors: Vec<String>,
    lang: &'static str,
    dir: &'static str,
    labels: Labels,
    t: Translator,
}

/// The words of the forms, in the page's language.
struct Labels {
    verify_button: String,
    email_label: String,
    request_button: String,
    password_label: String,
    reset_button: String,
    password_hint: String,
    name_label: String,
    choose_password_label: String,
    accept_button: String,
}

impl Labels {
    fn of(t: &Translator) -> Self {
        Labels {
            verify_button: t.msg("page-verify-button", &[]),
            email_label: t.msg("page-reset-email-label", &[]),
            request_button: t.msg("page-reset-request-button", &[]),
            password_label: t.msg("page-reset-password-label", &[]),
            reset_button: t.msg("page-reset-button", &[]),
            password_hint: t.msg("page-password-hint", &[]),
            name_label: t.msg("page-accept-name-label", &[]),
            choose_password_label: t.msg("page-accept-password-label", &[]),
            accept_button: t.msg("page-accept-button", &[]),
        }
    }
}

/// The language a page speaks: the link's `lang` (which the forms carry on), else the
/// browser's `Accept-Language`; a `lang` that names no language is ignored.
fn language_of(req: &HttpRequest) -> Language {
    lenient_language(
        req.query_string(),
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

impl<'a> Page<'a> {
    /// A page titled by the message `title` in `language`, showing `form` (none: "").
    fn new(language: Language, title: &str, form: &'a str, token: &'a str) -> Self {
        let t = Translator::new(language);
        Self {
            title: t.msg(title, &[]),
            form,
            token,
            messages: Vec::new(),
            errors: Vec::new(),
            lang: language.as_str(),
            dir: t.dir(),
            labels: Labels::of(&t),
            t,
        }
    }

    /// Adds the message `id` with `args`.
    fn say(mut self, id: &str, args: &[(&str, Arg<'_>)]) -> Self {
        let said = self.t.msg(id, args);
        self.messages.push(said);
        self
    }

    /// The page again with what went wrong: field messages for validation, else the problem.
    fn with_error(mut self, error: &AppError) -> Self {
        match error {
            AppError::Validation(fields) => {
                self.errors.extend(fields.iter().map(|f| f.message.clone()))
            }
            AppError::InvalidToken => {
                self.errors.push(self.t.msg("page-link-invalid", &[]));
                self.form = "";
            }
            other => self
                .errors
                .push(Problem::of_in(other, self.t.language).detail),
        }
        self
    }

    fn respond(self) -> AppResult<HttpResponse> {
        let html = self.render().map_err(AppError::internal)?;
        Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CONTENT_LANGUAGE, self.lang))
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
pub async fn verify_email_page(
    req: HttpRequest,
    query: web::Query<TokenQuery>,
) -> AppResult<HttpResponse> {
    let token = query.token.clone().unwrap_or_default();
    Page::new(language_of(&req), "page-verify-title", "verify", &token).respond()
}

/// `POST /verify-email`
pub async fn verify_email(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<TokenForm>,
) -> AppResult<HttpResponse> {
    let token = form.token.clone();
    let outcome = state
        .db
        .write(move |conn| accounts::verify_email(conn, &token))
        .await;
    let page = Page::new(language_of(&req), "page-verify-title", "", "");
    match outcome {
        Ok(()) => page.say("page-verify-done", &[]).respond(),
        Err(e) => page.with_error(&e).respond(),
    }
}

/// `GET /reset-password?token=…` (no token: ask for a link)
pub async fn reset_password_page(
    req: HttpRequest,
    query: web::Query<TokenQuery>,
) -> AppResult<HttpResponse> {
    let language = language_of(&req);
    match query.token.as_deref().filter(|t| !t.is_empty()) {
        Some(token) => Page::new(language, "page-reset-choose-title", "reset", token).respond(),
        None => Page::new(language, "page-reset-title", "request_reset", "").respond(),
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
    Page::new(language_of(&req), "page-reset-title", "", "")
        .say("page-reset-sent", &[])
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
    req: HttpRequest,
    form: web::Form<ResetForm>,
) -> AppResult<HttpResponse> {
    let language = language_of(&req);
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
        Ok(()) => Page::new(language, "page-reset-choose-title", "", "")
            .say("page-reset-done", &[])
            .respond(),
        Err(e) => Page::new(language, "page-reset-choose-title", "reset", &token)
            .with_error(&e)
            .respond(),
    }
}

/// `GET /accept-invitation?token=…`
pub async fn accept_invitation_page(
    req: HttpRequest,
    query: web::Query<TokenQuery>,
) -> AppResult<HttpResponse> {
    let token = query.token.clone().unwrap_or_default();
    Page::new(language_of(&req), "page-accept-title", "accept", &token).respond()
}

/// `POST /accept-invitation`
pub async fn accept_invitation(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<AcceptInvitation>,
) -> AppResult<HttpResponse> {
    let language = language_of(&req);
    let request = form.into_inner();
    let token = request.token.clone();
    match state
        .run_with_password(move |conn| organisations::accept_invitation(conn, &request))
        .await
    {
        Ok((user, org)) => Page::new(language, "page-welcome-title", "", "")
            .say(
                "page-welcome-done",
                &[
                    ("organisation", text(org.name.as_str())),
                    (
                        "role",
                        text(user.organisation_role.map_or("member", |r| r.as_str())),
                    ),
                    ("email", text(user.email.as_str())),
                ],
            )
            .respond(),
        Err(e) => Page::new(language, "page-accept-title", "accept", &token)
            .with_error(&e)
            .respond(),
    }
}
