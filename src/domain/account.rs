//! Accounts and organisations: the validated vocabulary (email addresses, passwords, roles,
//! organisation kinds). Pure code.

use std::str::FromStr;

use validator::ValidateEmail;

use super::errors::{FieldError, Invalid};

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
        let normalised = raw.trim().to_lowercase();
        if normalised.len() > 254 || !normalised.validate_email() {
            return Err(FieldError::new(
                field,
                "invalid_email",
                "this is not a valid email address",
            ));
        }
        Ok(Self(normalised))
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
    let chars = value.trim().chars().count();
    if chars < min {
        return Err(FieldError::new(
            field,
            "required",
            format!("{field} needs at least {min} characters"),
        ));
    }
    if chars > max {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("{field} takes at most {max} characters"),
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(FieldError::new(
            field,
            "invalid_characters",
            "control characters are not allowed",
        ));
    }
    Ok(())
}

/// Checks an optional website: an absolute http(s) URL.
pub fn check_website(field: &str, value: &str) -> Result<(), FieldError> {
    match url::Url::parse(value.trim()) {
        Ok(url)
            if matches!(url.scheme(), "http" | "https")
                && url.host().is_some()
                && value.len() <= 500 =>
        {
            Ok(())
        }
        _ => Err(FieldError::new(
            field,
            "invalid_url",
            "use an absolute http:// or https:// address",
        )),
    }
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

    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    /// All checks passed, or every error found.
    pub fn finish(self) -> Result<(), Invalid> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Invalid(self.0))
        }
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
        assert!(check_website("website", "https://moc.gov.gh").is_ok());
        assert!(check_website("website", "javascript:alert(1)").is_err());
        assert!(check_website("website", "moc.gov.gh").is_err());
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
}
