//! Accounts and organisations: the validated vocabulary (email addresses, passwords, roles,
//! organisation kinds, token purposes), the account and organisation models, and the request
//! bodies of their use cases with the field rules that parse them. Pure code.

use std::{collections::HashSet, str::FromStr};

use chrono::NaiveDateTime;
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::{
    actor::Actor,
    errors::{FieldError, Invalid},
    ids::{InvitationId, OrganisationId, UserId},
    language::Language,
    validation::{country_code, email_address, field_error, field_errors, text, text_within},
};

/// Shortest password accepted (OWASP ASVS 2.1.1 asks for at least 12 characters).
pub const PASSWORD_MIN_CHARS: usize = 12;
/// Longest password accepted; long passphrases are welcome.
pub const PASSWORD_MAX_CHARS: usize = 256;
/// The strength estimate (zxcvbn, 0 to 4) a new password must reach: 3 means "safely
/// unguessable: moderate protection from an offline slow-hash scenario" (below 10^10 guesses).
pub const PASSWORD_MIN_SCORE: u8 = 3;
/// How much of a password the strength estimate looks at.
const PASSWORD_ESTIMATE_CHARS: usize = 100;

use super::vocabulary::vocabulary;

vocabulary!(
    /// What kind of entity an organisation is.
    OrganisationKind {
        Government => "government",
        PrivateSector => "private_sector",
        CivilSociety => "civil_society",
        Academia => "academia",
        InternationalOrganisation => "international_organisation",
        UnEntity => "un_entity",
        Other => "other",
    }
);

vocabulary!(
    /// A user's place in their organisation.
    OrganisationRole {
        Owner => "owner",
        Member => "member",
    }
);

vocabulary!(
    /// A user's role on the platform.
    PlatformRole {
        Pledger => "pledger",
        Moderator => "moderator",
        Organiser => "organiser",
        Admin => "admin",
    }
);

vocabulary!(
    /// What a single-use emailed token is good for.
    TokenPurpose {
        VerifyEmail => "verify_email",
        PasswordReset => "password_reset",
    }
);

impl PlatformRole {
    /// Coalition staff: see every pledge and every organisation.
    pub fn is_staff(self) -> bool {
        !matches!(self, PlatformRole::Pledger)
    }

    /// May decide pledges (approve, request changes, reject) and verify organisations.
    pub fn can_moderate(self) -> bool {
        matches!(self, PlatformRole::Moderator | PlatformRole::Admin)
    }
}

/// Parses a closed-vocabulary value from a request field, as a field error when unknown.
pub fn parse_field<T: FromStr<Err = String>>(field: &str, value: &str) -> Result<T, FieldError> {
    value
        .parse()
        .map_err(|message| FieldError::new(field, "unknown_value", message))
}

/// An email address, trimmed and lowercased: addresses are unique regardless of case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        email_address(raw).map_err(|e| field_error(field, e))?;
        Ok(Self(raw.trim().to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Checks a new password against the policy: its length (no composition rules), not one of
/// the 10,000 most common passwords, and a strength estimate, with advice when it falls short.
pub fn check_password(
    field: &str,
    password: &str,
    is_common: impl Fn(&str) -> bool,
) -> Result<(), FieldError> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(FieldError::new(
            field,
            "too_short",
            format!(
                "use at least {PASSWORD_MIN_CHARS} characters; a few unrelated words work well"
            ),
        ));
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("use at most {PASSWORD_MAX_CHARS} characters"),
        ));
    }
    if is_common(&password.to_lowercase()) {
        return Err(FieldError::new(
            field,
            "too_common",
            "this password is among the most common ones; choose another",
        ));
    }
    // The estimate weighs patterns a cracker tries first (repeats, sequences, keyboard walks,
    // dictionary words with substitutions). Its cost grows with length; the first characters
    // decide whether a password is guessable anyway.
    let prefix: String = password.chars().take(PASSWORD_ESTIMATE_CHARS).collect();
    let estimate = zxcvbn::zxcvbn(&prefix, &[]);
    if (estimate.score() as u8) < PASSWORD_MIN_SCORE {
        let mut advice: Vec<String> = Vec::new();
        if let Some(feedback) = estimate.feedback() {
            advice.extend(feedback.warning().map(|w| w.to_string()));
            advice.extend(feedback.suggestions().iter().map(ToString::to_string));
        }
        if advice.is_empty() {
            advice.push("Add another word or two; uncommon words are better.".to_owned());
        }
        return Err(FieldError::new(
            field,
            "too_weak",
            format!("this password is easy to guess. {}", advice.join(" ")),
        ));
    }
    Ok(())
}

/// Checks free text: trimmed length within bounds and no control characters.
pub fn check_text(field: &str, value: &str, min: usize, max: usize) -> Result<(), FieldError> {
    text_within(value, min, max).map_err(|e| field_error(field, e))
}

/// Collects field errors from several checks, so a client learns every problem at once.
#[derive(Debug, Default)]
pub struct FieldChecks(Vec<FieldError>);

impl FieldChecks {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the value of a passing check, records the error of a failing one.
    pub fn take<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.0.push(error);
                None
            }
        }
    }

    /// Starts with the body's own field rules (its `validator` derive): every error at once.
    pub fn from_rules(body: &impl Validate) -> Self {
        let mut checks = Self::new();
        if let Err(errors) = body.validate() {
            checks.0.extend(field_errors(&errors));
        }
        checks
    }

    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    /// All checks passed, or every error found, in the order of their fields.
    pub fn finish(self) -> Result<(), Invalid> {
        self.finish_with(Some(()))
    }

    /// The value assembled from the checks' results when every check passed, or every error
    /// found. A check that fails always leaves its error here, so a missing value comes with
    /// the errors that explain it.
    pub fn finish_with<T>(self, value: Option<T>) -> Result<T, Invalid> {
        match value {
            Some(value) if self.0.is_empty() => Ok(value),
            _ => {
                let mut errors = self.0;
                errors.sort_by(|a, b| a.field.cmp(&b.field));
                Err(Invalid(errors))
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Models

/// A user account. The password is known only as its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub role: PlatformRole,
    pub organisation_id: Option<OrganisationId>,
    pub organisation_role: Option<OrganisationRole>,
    pub email_verified: bool,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Moves on whenever the account's sessions end (password reset, logout, a replayed
    /// refresh token, disabling, a role change); access tokens carry the one they were issued in.
    pub session_generation: i32,
    /// The language its emails and linked pages speak.
    pub language: Language,
}

impl User {
    /// Whether an access token issued in session generation `generation` still stands.
    pub fn accepts_session(&self, generation: i32) -> bool {
        !self.disabled && self.session_generation == generation
    }

    /// The caller this account acts as.
    pub fn actor(self) -> Actor {
        Actor {
            id: self.id,
            email: self.email,
            display_name: self.display_name,
            role: self.role,
            organisation_id: self.organisation_id,
            organisation_role: self.organisation_role,
            email_verified: self.email_verified,
        }
    }
}

/// An organisation that pledges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
    pub kind: OrganisationKind,
    /// ISO 3166-1 alpha-3 code.
    pub country: String,
    pub website: Option<String>,
    /// Set by a moderator once the organisation is confirmed to be who it says it is.
    pub verified: bool,
    pub verified_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Organisation {
    /// Who may see an organisation: anyone once verified, before that its own people and the
    /// staff.
    pub fn visible_to(&self, viewer: Option<&Actor>) -> bool {
        self.verified || viewer.is_some_and(|v| v.is_insider_of(&self.id))
    }

    /// Whether an edit changes who the organisation says it is (name, kind or country), which
    /// withdraws a verification.
    pub fn identity_changed_by(&self, edit: &OrganisationEdit) -> bool {
        edit.name.as_ref().is_some_and(|n| *n != self.name)
            || edit.kind.is_some_and(|k| k != self.kind)
            || edit.country.as_ref().is_some_and(|c| *c != self.country)
    }
}

/// How long an emailed invitation stays valid.
pub const INVITATION_DAYS: u32 = 14;

/// An invitation to join an organisation, sent by email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: InvitationId,
    pub organisation_id: OrganisationId,
    pub email: String,
    pub role: OrganisationRole,
    pub expires_at: NaiveDateTime,
}

// ---------------------------------------------------------------------------------------------
// Organisation fields

/// The error for a well-formed country code that names no known country.
pub fn unknown_country(field: &str, code: &str) -> Invalid {
    Invalid::field(field, "unknown_value", format!("unknown country {code}"))
}

/// Checks the tracks a moderator is limited to against the tracks that exist.
pub fn check_moderation_tracks(
    requested: &[String],
    known: &HashSet<String>,
) -> Result<(), Invalid> {
    let mut checks = FieldChecks::new();
    for (i, track) in requested.iter().enumerate() {
        if !known.contains(track) {
            checks.push(FieldError::new(
                format!("moderation_tracks[{i}]"),
                "unknown_value",
                format!("unknown track {track:?}"),
            ));
        }
    }
    checks.finish()
}

// ---------------------------------------------------------------------------------------------
// Request bodies and what they parse into

// `POST /auth/register`: an organisation with its first user, its owner.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    #[validate(custom(function = "email_address"))]
    #[schema(format = "email", max_length = 254, example = "amina@ict.gov.gh")]
    pub email: String,
    /// 12 to 256 characters, not among the 10,000 most common passwords, and hard enough to
    /// guess (a few unrelated words work well).
    #[schema(
        min_length = 12,
        max_length = 256,
        example = "quietly orbiting marmalade"
    )]
    pub password: String,
    #[validate(custom(function = "text::<1, 100>"))]
    #[schema(min_length = 1, max_length = 100, example = "Amina")]
    pub display_name: String,
    #[validate(nested)]
    pub organisation: NewOrganisation,
    /// The language of the account's emails and linked pages; by default the one the request
    /// was answered in (`lang`, else `Accept-Language`).
    #[serde(default)]
    #[schema(value_type = Option<Language>)]
    pub language: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganisation {
    #[validate(custom(function = "text::<2, 200>"))]
    #[schema(
        min_length = 2,
        max_length = 200,
        example = "Ministry of Communications"
    )]
    pub name: String,
    #[schema(value_type = OrganisationKind, example = "government")]
    pub kind: String,
    /// ISO 3166-1 alpha-3 code of a country in `GET /countries`.
    #[validate(custom(function = "country_code"))]
    #[schema(pattern = "^[A-Z]{3}$", example = "GHA")]
    pub country: String,
    /// An absolute `http://` or `https://` address.
    #[validate(custom(function = "crate::domain::validation::website"))]
    #[schema(
        pattern = "^https?://",
        max_length = 500,
        example = "https://moc.gov.gh"
    )]
    pub website: Option<String>,
}

/// A registration that passed every field rule (the country is still to be looked up).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub email: EmailAddress,
    pub display_name: String,
    pub organisation: OrganisationDetails,
    /// The language asked for, if any.
    pub language: Option<Language>,
}

/// A new organisation's fields, checked and trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationDetails {
    pub name: String,
    pub kind: OrganisationKind,
    pub country: String,
    pub website: Option<String>,
}

impl RegisterRequest {
    /// Every field rule at once; `is_common` tells a too common password.
    pub fn parse(&self, is_common: impl Fn(&str) -> bool) -> Result<Registration, Invalid> {
        let mut checks = FieldChecks::from_rules(self);
        // A malformed address is among the rules' errors already.
        let email = EmailAddress::parse("email", &self.email).ok();
        checks.take(check_password("password", &self.password, is_common));
        let org = &self.organisation;
        let kind = checks.take(parse_field::<OrganisationKind>(
            "organisation.kind",
            &org.kind,
        ));
        let language = optional_language(&mut checks, self.language.as_deref());
        let registration = email
            .zip(kind)
            .zip(language)
            .map(|((email, kind), language)| Registration {
                email,
                display_name: self.display_name.trim().to_owned(),
                organisation: OrganisationDetails {
                    name: org.name.trim().to_owned(),
                    kind,
                    country: org.country.clone(),
                    website: org.website.as_ref().map(|w| w.trim().to_owned()),
                },
                language,
            });
        checks.finish_with(registration)
    }
}

/// A `language` field: none given, or one of the six; `None` when it names another.
fn optional_language(checks: &mut FieldChecks, given: Option<&str>) -> Option<Option<Language>> {
    match given {
        None => Some(None),
        Some(tag) => checks
            .take(parse_field::<Language>("language", tag))
            .map(Some),
    }
}

// `PATCH /me`.
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileChangesRequest {
    #[validate(custom(function = "text::<1, 100>"))]
    #[schema(min_length = 1, max_length = 100, example = "Amina")]
    pub display_name: Option<String>,
    /// The language of the account's emails and linked pages.
    #[schema(value_type = Option<Language>)]
    pub language: Option<String>,
}

/// What a user changes of their own account, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileChanges {
    pub display_name: Option<String>,
    pub language: Option<Language>,
}

impl ProfileChangesRequest {
    pub fn parse(&self) -> Result<ProfileChanges, Invalid> {
        let mut checks = FieldChecks::from_rules(self);
        let language = optional_language(&mut checks, self.language.as_deref());
        let changes = language.map(|language| ProfileChanges {
            display_name: self.display_name.as_ref().map(|n| n.trim().to_owned()),
            language,
        });
        checks.finish_with(changes)
    }
}

// `POST /auth/login`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(format = "email", max_length = 254, example = "amina@ict.gov.gh")]
    pub email: String,
    #[schema(max_length = 256, example = "quietly orbiting marmalade")]
    pub password: String,
}

// `POST /auth/refresh` and `POST /auth/logout`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

// `POST /auth/password-reset`.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    #[validate(custom(function = "email_address"))]
    #[schema(format = "email", max_length = 254, example = "amina@ict.gov.gh")]
    pub email: String,
}

// `POST /auth/password-reset/confirm`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirm {
    /// The token of the emailed link.
    pub token: String,
    /// The new password, under the same rules as at registration.
    #[schema(
        min_length = 12,
        max_length = 256,
        example = "quietly orbiting marmalade"
    )]
    pub password: String,
}

impl PasswordResetConfirm {
    pub fn check(&self, is_common: impl Fn(&str) -> bool) -> Result<(), Invalid> {
        Ok(check_password("password", &self.password, is_common)?)
    }
}

// `POST /admin/users`: a coalition staff account.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStaff {
    #[validate(custom(function = "email_address"))]
    #[schema(
        format = "email",
        max_length = 254,
        example = "moderator@coalition.example.org"
    )]
    pub email: String,
    #[validate(custom(function = "text::<1, 100>"))]
    #[schema(min_length = 1, max_length = 100, example = "Coalition moderator")]
    pub display_name: String,
    /// A staff role: `admin`, `moderator` or `organiser` (`pledger` is refused).
    #[schema(value_type = PlatformRole, example = "moderator")]
    pub role: String,
    #[schema(
        min_length = 12,
        max_length = 256,
        example = "quietly orbiting marmalade"
    )]
    pub password: String,
}

/// A staff account's fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffAccount {
    pub email: EmailAddress,
    pub display_name: String,
    pub role: PlatformRole,
}

impl NewStaff {
    pub fn parse(&self, is_common: impl Fn(&str) -> bool) -> Result<StaffAccount, Invalid> {
        let mut checks = FieldChecks::from_rules(self);
        let email = EmailAddress::parse("email", &self.email).ok();
        let role = checks.take(parse_field::<PlatformRole>("role", &self.role));
        if role == Some(PlatformRole::Pledger) {
            checks.push(FieldError::new(
                "role",
                "not_staff",
                "staff roles are admin, moderator and organiser",
            ));
        }
        checks.take(check_password("password", &self.password, is_common));
        let staff = email.zip(role).map(|(email, role)| StaffAccount {
            email,
            display_name: self.display_name.trim().to_owned(),
            role,
        });
        checks.finish_with(staff)
    }
}

// `PATCH /admin/users/{id}`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChanges {
    #[schema(value_type = Option<PlatformRole>)]
    pub role: Option<String>,
    /// A disabled user's tokens stop working at once.
    pub disabled: Option<bool>,
    /// For moderators: the tracks they moderate (empty: all tracks).
    pub moderation_tracks: Option<Vec<String>>,
}

impl UserChanges {
    /// The new platform role, if one is asked for.
    pub fn role(&self) -> Result<Option<PlatformRole>, Invalid> {
        self.role
            .as_deref()
            .map(|r| parse_field::<PlatformRole>("role", r))
            .transpose()
            .map_err(Invalid::from)
    }
}

// `PATCH /organisations/{id}`.
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationChanges {
    #[validate(custom(function = "text::<2, 200>"))]
    #[schema(min_length = 2, max_length = 200)]
    pub name: Option<String>,
    #[schema(value_type = Option<OrganisationKind>)]
    pub kind: Option<String>,
    /// ISO 3166-1 alpha-3 code of a country in `GET /countries`.
    #[validate(custom(function = "country_code"))]
    #[schema(pattern = "^[A-Z]{3}$", example = "GHA")]
    pub country: Option<String>,
    /// An absolute `http://` or `https://` address; `null` removes the website.
    #[serde(default, deserialize_with = "crate::domain::validation::double_option")]
    #[validate(custom(function = "crate::domain::validation::website"))]
    #[schema(value_type = Option<String>, pattern = "^https?://", max_length = 500)]
    pub website: Option<Option<String>>,
}

/// An organisation edit, checked and trimmed: `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrganisationEdit {
    pub name: Option<String>,
    pub kind: Option<OrganisationKind>,
    pub country: Option<String>,
    /// `Some(None)` removes the website.
    pub website: Option<Option<String>>,
}

impl OrganisationChanges {
    pub fn parse(&self) -> Result<OrganisationEdit, Invalid> {
        let mut checks = FieldChecks::from_rules(self);
        let kind = self
            .kind
            .as_deref()
            .and_then(|k| checks.take(parse_field::<OrganisationKind>("kind", k)));
        checks.finish()?;
        Ok(OrganisationEdit {
            name: self.name.as_ref().map(|n| n.trim().to_owned()),
            kind,
            country: self.country.clone(),
            website: self
                .website
                .as_ref()
                .map(|w| w.as_ref().map(|w| w.trim().to_owned())),
        })
    }
}

// `POST /organisations/{id}/invitations`.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    #[validate(custom(function = "email_address"))]
    #[schema(format = "email", max_length = 254, example = "kofi@ict.gov.gh")]
    pub email: String,
    /// `member` when absent.
    #[schema(value_type = Option<OrganisationRole>)]
    pub role: Option<String>,
}

impl NewInvitation {
    /// The invited address and the role offered.
    pub fn parse(&self) -> Result<(EmailAddress, OrganisationRole), Invalid> {
        let mut checks = FieldChecks::from_rules(self);
        let email = EmailAddress::parse("email", &self.email).ok();
        let role = match self.role.as_deref() {
            None => Some(OrganisationRole::Member),
            Some(r) => checks.take(parse_field::<OrganisationRole>("role", r)),
        };
        checks.finish_with(email.zip(role))
    }
}

// `POST /invitations/accept` (and the form of the page the emailed link opens).
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitation {
    /// The token of the emailed link.
    pub token: String,
    #[validate(custom(function = "text::<1, 100>"))]
    #[schema(min_length = 1, max_length = 100, example = "Kofi")]
    pub display_name: String,
    #[schema(
        min_length = 12,
        max_length = 256,
        example = "quietly orbiting marmalade"
    )]
    pub password: String,
}

impl AcceptInvitation {
    pub fn check(&self, is_common: impl Fn(&str) -> bool) -> Result<(), Invalid> {
        let mut checks = FieldChecks::from_rules(self);
        checks.take(check_password("password", &self.password, is_common));
        checks.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        let email = EmailAddress::parse("email", "  Amina@ICT.gov.GH ").unwrap();
        assert_eq!(email.as_str(), "amina@ict.gov.gh");
        assert!(EmailAddress::parse("email", "not-an-email").is_err());
        assert!(EmailAddress::parse("email", &format!("{}@example.org", "a".repeat(250))).is_err());
    }

    #[test]
    fn password_policy_is_length_commonness_and_strength() {
        let never_common = |_: &str| false;
        assert_eq!(
            check_password("password", "short", never_common)
                .unwrap_err()
                .code,
            "too_short"
        );
        assert!(check_password("password", "correct horse battery", never_common).is_ok());
        // The README's first session uses this one.
        assert!(check_password("password", "a long admin passphrase", never_common).is_ok());
        assert!(
            check_password("password", "quietly orbiting marmalade", never_common).is_ok(),
            "no composition rules"
        );
        let long: String = "orbit marmalade quietly tundra "
            .repeat(10)
            .chars()
            .take(256)
            .collect();
        assert!(check_password("password", &long, never_common).is_ok());
        let too_long = format!("{long}x");
        assert_eq!(
            check_password("password", &too_long, never_common)
                .unwrap_err()
                .code,
            "too_long"
        );
        let common = |p: &str| p == "password1234";
        assert_eq!(
            check_password("password", "PassWord1234", common)
                .unwrap_err()
                .code,
            "too_common"
        );
        // Length counts characters, not bytes.
        assert_eq!(
            check_password("password", "ébène ôté à", never_common)
                .unwrap_err()
                .code,
            "too_short"
        );
        assert!(check_password("password", "ébène ôté àgréé", never_common).is_ok());
        for trivial in [
            "password1234",
            "aaaaaaaaaaaa",
            "123456789012",
            "qwertyuiopas",
        ] {
            let error = check_password("password", trivial, never_common).unwrap_err();
            assert_eq!(error.code, "too_weak", "{trivial}");
            assert!(
                error.message.len() > 30,
                "advice comes with it: {}",
                error.message
            );
        }
    }

    #[test]
    fn vocabularies_round_trip_and_name_the_choices() {
        for kind in OrganisationKind::ALL {
            assert_eq!(kind.as_str().parse::<OrganisationKind>().unwrap(), kind);
        }
        let error = parse_field::<OrganisationKind>("organisation.kind", "company").unwrap_err();
        assert_eq!(error.code, "unknown_value");
        assert!(error.message.contains("private_sector"));
        assert!(PlatformRole::Moderator.is_staff() && !PlatformRole::Pledger.is_staff());
    }

    #[test]
    fn text_and_websites_are_checked() {
        assert!(check_text("name", "  ", 1, 10).is_err());
        assert!(check_text("name", "Ministry", 1, 10).is_ok());
        assert_eq!(
            check_text("name", "a\u{0}b", 1, 10).unwrap_err().code,
            "invalid_characters"
        );
        assert!(crate::domain::validation::website("https://moc.gov.gh").is_ok());
        assert!(crate::domain::validation::website("javascript:alert(1)").is_err());
        assert!(crate::domain::validation::website("moc.gov.gh").is_err());
    }

    #[test]
    fn checks_collect_every_error() {
        let mut checks = FieldChecks::new();
        assert_eq!(checks.take(Ok::<_, FieldError>(1)), Some(1));
        checks.take(check_text("a", "", 1, 5));
        checks.take(check_text("b", "", 1, 5));
        match checks.finish() {
            Err(Invalid(errors)) => assert_eq!(errors.len(), 2),
            other => panic!("{other:?}"),
        }
    }

    fn register_request(email: &str, kind: &str, country: &str) -> RegisterRequest {
        RegisterRequest {
            email: email.into(),
            password: "correct horse battery".into(),
            display_name: "  Amina ".into(),
            organisation: NewOrganisation {
                name: " Ministry of Communications ".into(),
                kind: kind.into(),
                country: country.into(),
                website: Some(" https://moc.gov.gh ".into()),
            },
            language: None,
        }
    }

    #[test]
    fn a_registration_may_name_one_of_the_six_languages() {
        let never_common = |_: &str| false;
        let mut request = register_request("amina@ict.gov.gh", "government", "GHA");
        request.language = Some("ar".into());
        assert_eq!(
            request.parse(never_common).unwrap().language,
            Some(Language::Ar)
        );
        request.language = Some("de".into());
        let Invalid(errors) = request.parse(never_common).unwrap_err();
        assert_eq!(
            (errors[0].field.as_str(), errors[0].code.as_str()),
            ("language", "unknown_value")
        );
        let changes = ProfileChangesRequest {
            display_name: Some(" Amina K. ".into()),
            language: Some("fr".into()),
        };
        assert_eq!(
            changes.parse().unwrap(),
            ProfileChanges {
                display_name: Some("Amina K.".into()),
                language: Some(Language::Fr)
            }
        );
        let blank = ProfileChangesRequest {
            display_name: Some(String::new()),
            language: None,
        };
        assert_eq!(blank.parse().unwrap_err().0[0].field, "display_name");
    }

    #[test]
    fn registrations_parse_into_checked_trimmed_values() {
        let never_common = |_: &str| false;
        let parsed = register_request(" Amina@ICT.gov.gh", "government", "GHA")
            .parse(never_common)
            .unwrap();
        assert_eq!(parsed.email.as_str(), "amina@ict.gov.gh");
        assert_eq!(parsed.display_name, "Amina");
        assert_eq!(
            parsed.organisation,
            OrganisationDetails {
                name: "Ministry of Communications".into(),
                kind: OrganisationKind::Government,
                country: "GHA".into(),
                website: Some("https://moc.gov.gh".into()),
            }
        );
        assert!(country_code("gha").is_err(), "the contract says uppercase");
        let Invalid(errors) = register_request("nope", "company", "G1")
            .parse(never_common)
            .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["email", "organisation.country", "organisation.kind"]
        );
    }

    #[test]
    fn staff_roles_exclude_pledgers_and_edits_keep_what_is_absent() {
        let staff = |role: &str| NewStaff {
            email: "mod@example.org".into(),
            display_name: "Mod".into(),
            role: role.into(),
            password: "correct horse battery".into(),
        };
        assert_eq!(
            staff("moderator").parse(|_| false).unwrap().role,
            PlatformRole::Moderator
        );
        let Invalid(errors) = staff("pledger").parse(|_| false).unwrap_err();
        assert_eq!(errors[0].code, "not_staff");
        let edit = OrganisationChanges {
            website: Some(None),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!(
            edit,
            OrganisationEdit {
                website: Some(None),
                ..Default::default()
            }
        );
        let (email, role) = NewInvitation {
            email: "b@example.org".into(),
            role: None,
        }
        .parse()
        .unwrap();
        assert_eq!(
            (email.as_str(), role),
            ("b@example.org", OrganisationRole::Member)
        );
    }

    #[test]
    fn identity_changes_and_visibility() {
        let at = NaiveDateTime::default();
        let org = Organisation {
            id: OrganisationId::from("o"),
            name: "Ministry".into(),
            kind: OrganisationKind::Government,
            country: "GHA".into(),
            website: None,
            verified: false,
            verified_at: None,
            created_at: at,
            updated_at: at,
        };
        let same = OrganisationEdit {
            name: Some("Ministry".into()),
            website: Some(Some("https://moc.gov.gh".into())),
            ..Default::default()
        };
        assert!(!org.identity_changed_by(&same));
        let renamed = OrganisationEdit {
            kind: Some(OrganisationKind::Other),
            ..Default::default()
        };
        assert!(org.identity_changed_by(&renamed));
        let member = User {
            id: UserId::from("u"),
            email: "u@example.org".into(),
            password_hash: String::new(),
            display_name: "U".into(),
            role: PlatformRole::Pledger,
            organisation_id: Some(org.id.clone()),
            organisation_role: Some(OrganisationRole::Member),
            email_verified: true,
            disabled: false,
            created_at: at,
            updated_at: at,
            session_generation: 0,
            language: Language::En,
        };
        let outsider = User {
            organisation_id: None,
            ..member.clone()
        };
        assert!(org.visible_to(Some(&member.actor())));
        assert!(!org.visible_to(Some(&outsider.actor())) && !org.visible_to(None));
    }

    #[test]
    fn token_purposes_and_moderation_tracks() {
        assert_eq!(
            "password_reset".parse::<TokenPurpose>().unwrap(),
            TokenPurpose::PasswordReset
        );
        assert_eq!(TokenPurpose::VerifyEmail.as_str(), "verify_email");
        let known: HashSet<String> = ["wsis".to_owned()].into();
        assert!(check_moderation_tracks(&["wsis".into()], &known).is_ok());
        let Invalid(errors) =
            check_moderation_tracks(&["wsis".into(), "nope".into()], &known).unwrap_err();
        assert_eq!(errors[0].field, "moderation_tracks[1]");
    }
}
