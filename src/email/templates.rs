//! Message kinds: each has a subject line, a text part and an HTML part rendered from the
//! templates under `templates/email/` (askama escapes values in `.html` files, not in `.txt`).

use askama::Template;

use crate::error::{AppError, AppResult};

/// A rendered message, ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// Stable name of the message kind, e.g. `verify_email`.
    pub kind: &'static str,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Declares a message kind: its context type (the fields its templates use, plus `public_url`),
/// the two templates and the subject line.
macro_rules! email_kind {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $text_path:literal, $html_path:literal, $subject:expr, { $($field:ident : $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name {
            /// Base URL of the service, for links in the footer.
            pub public_url: String,
            $(pub $field: $ty,)*
        }

        impl $name {
            pub const KIND: &'static str = $kind;

            /// Renders both parts for `to`.
            pub fn render(&self, to: &str) -> AppResult<Email> {
                #[derive(Template)]
                #[template(path = $text_path)]
                struct Text<'a> {
                    public_url: &'a str,
                    $($field: &'a $ty,)*
                }

                #[derive(Template)]
                #[template(path = $html_path)]
                struct Html<'a> {
                    public_url: &'a str,
                    $($field: &'a $ty,)*
                }

                let text = Text { public_url: &self.public_url, $($field: &self.$field,)* }
                    .render()
                    .map_err(|e| AppError::internal(format!("rendering {} (text): {e}", $kind)))?;
                let html = Html { public_url: &self.public_url, $($field: &self.$field,)* }
                    .render()
                    .map_err(|e| AppError::internal(format!("rendering {} (html): {e}", $kind)))?;
                let subject_of: fn(&Self) -> String = $subject;
                Ok(Email { kind: $kind, to: to.to_owned(), subject: subject_of(self), text, html })
            }
        }
    };
}

email_kind!(
    /// Sent on registration: a single-use link that proves the address.
    VerifyEmail, "verify_email", "email/verify_email.txt", "email/verify_email.html", |_| "Confirm your email address for pledgeboard".to_owned(),
    { display_name: String, link: String, valid_hours: u32 }
);

email_kind!(
    /// Sent on a password reset request for an existing account.
    PasswordReset, "password_reset", "email/password_reset.txt", "email/password_reset.html", |_| "Reset your pledgeboard password".to_owned(),
    { display_name: String, link: String, valid_minutes: u32 }
);

email_kind!(
    /// Sent when someone registers with an address that already has an account: the owner
    /// learns of it, the registrant learns nothing.
    AccountExists, "account_exists", "email/account_exists.txt", "email/account_exists.html",
    |_| "Someone tried to register with your email address".to_owned(),
    { reset_url: String }
);

email_kind!(
    /// Sent after a password reset: every session was signed out.
    PasswordChanged, "password_changed", "email/password_changed.txt", "email/password_changed.html",
    |_| "Your pledgeboard password was changed".to_owned(),
    { display_name: String, reset_url: String }
);

email_kind!(
    /// An invitation to join an organisation.
    Invitation, "invitation", "email/invitation.txt", "email/invitation.html",
    |m: &Invitation| format!("Join {} on pledgeboard", m.organisation),
    { inviter: String, organisation: String, role: String, link: String, valid_days: u32 }
);

email_kind!(
    /// To the contact of an organisation a pledge was entered for: confirm it by taking the
    /// organisation over as its owner.
    PledgeEntered, "pledge_entered", "email/pledge_entered.txt", "email/pledge_entered.html",
    |m: &PledgeEntered| format!("Confirm the pledge of {} on pledgeboard", m.organisation),
    { inviter: String, organisation: String, title: String, source: String, link: String, valid_days: u32 }
);

email_kind!(
    /// To the moderators of a pledge's tracks when it is submitted.
    PledgeSubmitted, "pledge_submitted", "email/pledge_submitted.txt", "email/pledge_submitted.html",
    |m: &PledgeSubmitted| format!("New pledge to review: {}", m.title),
    { title: String, organisation: String, tracks: String, link: String }
);

email_kind!(
    /// To the pledging organisation when a moderator decides.
    PledgeDecision, "pledge_decision", "email/pledge_decision.txt", "email/pledge_decision.html",
    |m: &PledgeDecision| match m.decision.as_str() {
        "approved" => format!("Your pledge is published: {}", m.title),
        "changes requested" => format!("Changes requested to your pledge: {}", m.title),
        _ => format!("Your pledge was not accepted: {}", m.title),
    },
    { title: String, decision: String, reason: String, link: String }
);

email_kind!(
    /// To the pledging organisation when a moderator accepts or returns a progress report.
    ReportDecision, "report_decision", "email/report_decision.txt", "email/report_decision.html",
    |m: &ReportDecision| format!("Your progress report {} was {}: {}", m.year, m.decision, m.title),
    { title: String, year: i32, decision: String, reason: String, link: String }
);

email_kind!(
    /// To the organisation of a published pledge with no progress report for last year.
    ReportDue, "report_due", "email/report_due.txt", "email/report_due.html",
    |m: &ReportDue| format!("Progress report due: {} ({})", m.title, m.year),
    { title: String, year: i32, link: String }
);

email_kind!(
    /// To the organisation of a pledge that missed a reporting year, before the next deadline:
    /// missing it too makes the pledge inactive.
    SecondReminder, "report_second_reminder", "email/report_second_reminder.txt", "email/report_second_reminder.html",
    |m: &SecondReminder| format!("Second reminder: progress report {} due by {} ({})", m.year, m.due, m.title),
    { title: String, year: i32, due: String, link: String }
);

email_kind!(
    /// To the organisation of a pledge that turned inactive after two missed reporting years.
    PledgeInactive, "pledge_inactive", "email/pledge_inactive.txt", "email/pledge_inactive.html",
    |m: &PledgeInactive| format!("Your pledge is now inactive: {}", m.title),
    { title: String, since_year: i32, link: String }
);

/// One line of a moderator's digest: a track (or all of them), as the templates show it.
#[derive(Debug, Clone)]
pub struct DigestLine {
    pub track: String,
    pub pledges: u64,
    /// Whole hours the oldest pledge has waited; empty when none waits.
    pub oldest_hours: String,
    pub reports: u64,
}

email_kind!(
    /// To each moderator once a day when something waits in their remit.
    ModeratorDigest, "moderator_digest", "email/moderator_digest.txt", "email/moderator_digest.html",
    |m: &ModeratorDigest| format!("Waiting for moderation on {}", m.day),
    { day: String, lines: Vec<DigestLine>, queue: String }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_user_values_and_text_keeps_them() {
        let email = VerifyEmail {
            public_url: "https://pledges.example.org".into(),
            display_name: "<script>alert('x')</script> & Co".into(),
            link: "https://pledges.example.org/verify?token=abc".into(),
            valid_hours: 48,
        }
        .render("amina@ict.gov.gh")
        .unwrap();
        assert_eq!(email.kind, "verify_email");
        assert_eq!(email.subject, "Confirm your email address for pledgeboard");
        assert!(email.text.contains("<script>alert('x')</script> & Co"));
        assert!(!email.html.contains("<script>"), "{}", email.html);
        assert!(
            email
                .html
                .contains("Hello &#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62; &#38; Co,"),
            "{}",
            email.html
        );
        assert!(email.text.contains("token=abc") && email.html.contains("token=abc"));
        assert!(email.text.contains("48 hours"));
    }
}
