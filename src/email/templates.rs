//! Message kinds. Each kind composes its message in the recipient's language from the Fluent
//! messages (`i18n`): a subject, a greeting, paragraphs, what it sets apart (a pledge's title,
//! a moderator's reason, a list), a link with its button label. Two templates under
//! `templates/email/` lay out every kind alike, as text and as HTML (askama escapes every value
//! in the HTML part; Arabic is laid out right to left).

use askama::Template;

use crate::{
    domain::language::Language,
    error::{AppError, AppResult},
    i18n::{number, text, Arg, Translator},
};

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

/// A message as its kind composes it in one language, before layout.
#[derive(Debug, Clone, Default)]
pub struct Composed {
    pub subject: String,
    pub greeting: String,
    pub before: Vec<String>,
    /// Lines set apart (a pledge's title and tags); the first one stands out.
    pub quote: Vec<String>,
    /// A label and the words someone wrote (a moderator's reason), shown as they were written.
    pub reason: Option<(String, String)>,
    pub items: Vec<String>,
    /// The sentence that leads to the link.
    pub link_intro: Option<String>,
    /// The button label and the address.
    pub link: Option<(String, String)>,
    pub after: Vec<String>,
}

/// A kind of message.
pub trait Message {
    /// Stable name of the kind, e.g. `verify_email`.
    const KIND: &'static str;

    /// Base URL of the service, for the footer.
    fn public_url(&self) -> &str;

    /// The message in `t`'s language.
    fn compose(&self, t: &Translator) -> Composed;

    /// Renders both parts for `to` in `language`.
    fn render(&self, to: &str, language: Language) -> AppResult<Email> {
        render(
            Self::KIND,
            self.public_url(),
            &self.compose(&Translator::new(language)),
            to,
            language,
        )
    }
}

#[derive(Template)]
#[template(path = "email/message.txt")]
struct Text<'a> {
    m: &'a Composed,
    public_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/message.html")]
struct Html<'a> {
    m: &'a Composed,
    lang: &'a str,
    dir: &'a str,
    /// The side a line starts on.
    start: &'a str,
    paste_link: String,
    footer: String,
}

fn render(
    kind: &'static str,
    public_url: &str,
    composed: &Composed,
    to: &str,
    language: Language,
) -> AppResult<Email> {
    let t = Translator::new(language);
    let mut composed = composed.clone();
    // Pages the link opens speak the recipient's language too.
    if let Some((_, link)) = composed.link.as_mut() {
        if link.starts_with(public_url) && !link.contains("/api/") {
            let separator = if link.contains('?') { '&' } else { '?' };
            *link = format!("{link}{separator}lang={}", language.as_str());
        }
    }
    let text = Text {
        m: &composed,
        public_url,
    }
    .render()
    .map_err(|e| AppError::internal(format!("rendering {kind} (text): {e}")))?;
    let html = Html {
        m: &composed,
        lang: language.as_str(),
        dir: t.dir(),
        start: if language.is_rtl() { "right" } else { "left" },
        paste_link: composed
            .link
            .as_ref()
            .map(|(_, link)| t.msg("email-paste-link", &[("link", self::text(link.as_str()))]))
            .unwrap_or_default(),
        footer: t.msg("email-footer", &[("url", self::text(public_url))]),
    }
    .render()
    .map_err(|e| AppError::internal(format!("rendering {kind} (html): {e}")))?;
    Ok(Email {
        kind,
        to: to.to_owned(),
        subject: composed.subject.clone(),
        text,
        html,
    })
}

/// Declares a message kind: its fields (plus `public_url`) and how it composes itself.
macro_rules! email_kind {
    ($(#[$doc:meta])* $name:ident, $kind:literal, { $($field:ident : $ty:ty),* $(,)? }, |$m:ident, $t:ident| $compose:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name {
            /// Base URL of the service, for links in the footer.
            pub public_url: String,
            $(pub $field: $ty,)*
        }

        impl Message for $name {
            const KIND: &'static str = $kind;

            fn public_url(&self) -> &str {
                &self.public_url
            }

            fn compose(&self, $t: &Translator) -> Composed {
                let $m = self;
                $compose
            }
        }
    };
}

fn greeting(t: &Translator) -> String {
    t.msg("email-greeting", &[])
}

/// The reason a moderator gave, if any.
fn reason(t: &Translator, reason: &str) -> Option<(String, String)> {
    (!reason.trim().is_empty()).then(|| (t.msg("email-reason", &[]), reason.to_owned()))
}

/// A decision as a message selector (`changes requested` is `changes_requested`).
fn selector(decision: &str) -> Arg<'static> {
    text(decision.replace(' ', "_"))
}

/// A pledge's tracks as listed in a message.
fn tracks_line(t: &Translator, tracks: &str) -> String {
    t.msg("pledge-submitted-tracks", &[("tracks", text(tracks))])
}

email_kind!(
    /// Sent on registration: a single-use link that proves the address.
    VerifyEmail, "verify_email", { display_name: String, link: String, valid_hours: u32 },
    |m, t| Composed {
        subject: t.msg("verify-email-subject", &[]),
        greeting: t.msg("email-greeting-named", &[("name", text(m.display_name.as_str()))]),
        before: vec![t.msg("verify-email-body", &[])],
        link: Some((t.msg("verify-email-action", &[]), m.link.clone())),
        after: vec![t.msg("verify-email-after", &[("hours", number(m.valid_hours))])],
        ..Composed::default()
    }
);

email_kind!(
    /// Sent on a password reset request for an existing account.
    PasswordReset, "password_reset", { display_name: String, link: String, valid_minutes: u32 },
    |m, t| Composed {
        subject: t.msg("password-reset-subject", &[]),
        greeting: t.msg("email-greeting-named", &[("name", text(m.display_name.as_str()))]),
        before: vec![t.msg("password-reset-body", &[])],
        link: Some((t.msg("password-reset-action", &[]), m.link.clone())),
        after: vec![t.msg("password-reset-after", &[("minutes", number(m.valid_minutes))])],
        ..Composed::default()
    }
);

email_kind!(
    /// Sent when someone registers with an address that already has an account: the owner
    /// learns of it, the registrant learns nothing.
    AccountExists, "account_exists", { reset_url: String },
    |m, t| Composed {
        subject: t.msg("account-exists-subject", &[]),
        greeting: greeting(t),
        before: vec![t.msg("account-exists-body", &[]), t.msg("account-exists-body-2", &[])],
        link: Some((t.msg("account-exists-action", &[]), m.reset_url.clone())),
        after: vec![t.msg("account-exists-after", &[])],
        ..Composed::default()
    }
);

email_kind!(
    /// Sent after a password reset: every session was signed out.
    PasswordChanged, "password_changed", { display_name: String, reset_url: String },
    |m, t| Composed {
        subject: t.msg("password-changed-subject", &[]),
        greeting: t.msg("email-greeting-named", &[("name", text(m.display_name.as_str()))]),
        before: vec![t.msg("password-changed-body", &[]), t.msg("password-changed-body-2", &[])],
        link: Some((t.msg("password-changed-action", &[]), m.reset_url.clone())),
        ..Composed::default()
    }
);

email_kind!(
    /// An invitation to join an organisation.
    Invitation, "invitation", { inviter: String, organisation: String, role: String, link: String, valid_days: u32 },
    |m, t| Composed {
        subject: t.msg("invitation-subject", &[("organisation", text(m.organisation.as_str()))]),
        greeting: greeting(t),
        before: vec![
            t.msg("invitation-body", &[
                ("inviter", text(m.inviter.as_str())),
                ("organisation", text(m.organisation.as_str())),
                ("role", text(m.role.as_str())),
            ]),
            t.msg("invitation-body-2", &[]),
        ],
        link: Some((t.msg("invitation-action", &[]), m.link.clone())),
        after: vec![t.msg("invitation-after", &[("days", number(m.valid_days))])],
        ..Composed::default()
    }
);

email_kind!(
    /// To the contact of an organisation a pledge was entered for: confirm it by taking the
    /// organisation over as its owner.
    PledgeEntered, "pledge_entered", { inviter: String, organisation: String, title: String, source: String, link: String, valid_days: u32 },
    |m, t| {
        let organisation = ("organisation", text(m.organisation.as_str()));
        Composed {
            subject: t.msg("pledge-entered-subject", std::slice::from_ref(&organisation)),
            greeting: greeting(t),
            before: vec![t.msg(
                "pledge-entered-body",
                &[("inviter", text(m.inviter.as_str())), organisation.clone()],
            )],
            quote: vec![
                m.title.clone(),
                t.msg("pledge-entered-source", &[("source", text(m.source.as_str()))]),
            ],
            link_intro: Some(t.msg("pledge-entered-body-2", &[organisation])),
            link: Some((t.msg("pledge-entered-action", &[]), m.link.clone())),
            after: vec![t.msg("invitation-after", &[("days", number(m.valid_days))])],
            ..Composed::default()
        }
    }
);

email_kind!(
    /// To the moderators of a pledge's tracks when it is submitted.
    PledgeSubmitted, "pledge_submitted", { title: String, organisation: String, tracks: String, link: String },
    |m, t| Composed {
        subject: t.msg("pledge-submitted-subject", &[("title", text(m.title.as_str()))]),
        greeting: greeting(t),
        before: vec![t.msg("pledge-submitted-body", &[("organisation", text(m.organisation.as_str()))])],
        quote: vec![m.title.clone(), tracks_line(t, &m.tracks)],
        link_intro: Some(t.msg("pledge-submitted-body-2", &[])),
        link: Some((t.msg("pledge-submitted-action", &[]), m.link.clone())),
        ..Composed::default()
    }
);

email_kind!(
    /// To the pledging organisation when a moderator decides: `decision` is `approved`,
    /// `changes requested` or `rejected`; or `scheduled` (approved, to be revealed `when`, also
    /// sent when the moment moves) and `revealed` (public now, as announced).
    PledgeDecision, "pledge_decision", { title: String, decision: String, reason: String, when: String, link: String },
    |m, t| {
        let args = [
            ("title", text(m.title.as_str())),
            ("decision", selector(&m.decision)),
            ("when", text(m.when.as_str())),
        ];
        Composed {
            subject: t.msg("pledge-decision-subject", &args),
            greeting: greeting(t),
            before: vec![t.msg("pledge-decision-body", &args)],
            reason: reason(t, &m.reason),
            link_intro: Some(t.msg("pledge-decision-body-2", &[])),
            link: Some((t.msg("pledge-decision-action", &[]), m.link.clone())),
            ..Composed::default()
        }
    }
);

email_kind!(
    /// To the moderators of a published pledge's tracks when its organisation proposes an
    /// amendment.
    AmendmentProposed, "amendment_proposed", { title: String, organisation: String, tracks: String, fields: String, link: String },
    |m, t| Composed {
        subject: t.msg("amendment-proposed-subject", &[("title", text(m.title.as_str()))]),
        greeting: greeting(t),
        before: vec![t.msg("amendment-proposed-body", &[("organisation", text(m.organisation.as_str()))])],
        quote: vec![
            m.title.clone(),
            tracks_line(t, &m.tracks),
            t.msg("amendment-proposed-fields", &[("fields", text(m.fields.as_str()))]),
        ],
        link_intro: Some(t.msg("amendment-proposed-after", &[])),
        link: Some((t.msg("amendment-proposed-action", &[]), m.link.clone())),
        ..Composed::default()
    }
);

email_kind!(
    /// To the pledging organisation when a moderator approves or refuses its amendment:
    /// `decision` is `approved` or `refused`.
    AmendmentDecision, "amendment_decision", { title: String, decision: String, reason: String, link: String },
    |m, t| {
        let args = [("title", text(m.title.as_str())), ("decision", selector(&m.decision))];
        Composed {
            subject: t.msg("amendment-decision-subject", &args),
            greeting: greeting(t),
            before: vec![t.msg("amendment-decision-body", &args)],
            reason: reason(t, &m.reason),
            link_intro: Some(t.msg("pledge-decision-body-2", &[])),
            link: Some((t.msg("pledge-decision-action", &[]), m.link.clone())),
            ..Composed::default()
        }
    }
);

email_kind!(
    /// To the pledging organisation when a moderator accepts or returns a progress report:
    /// `decision` is `accepted` or `returned`.
    ReportDecision, "report_decision", { title: String, year: i32, decision: String, reason: String, link: String },
    |m, t| {
        let args = [
            ("title", text(m.title.as_str())),
            ("year", text(m.year.to_string())),
            ("decision", selector(&m.decision)),
        ];
        Composed {
            subject: t.msg("report-decision-subject", &args),
            greeting: greeting(t),
            before: vec![t.msg("report-decision-body", &args)],
            reason: reason(t, &m.reason),
            link_intro: Some(t.msg("report-decision-body-2", &[])),
            link: Some((t.msg("report-decision-action", &[]), m.link.clone())),
            ..Composed::default()
        }
    }
);

email_kind!(
    /// To the organisation of a published pledge with no progress report for last year.
    ReportDue, "report_due", { title: String, year: i32, link: String },
    |m, t| {
        let args = [("title", text(m.title.as_str())), ("year", text(m.year.to_string()))];
        Composed {
            subject: t.msg("report-due-subject", &args),
            greeting: greeting(t),
            before: vec![t.msg("report-due-body", &args)],
            link_intro: Some(t.msg("report-due-body-2", &args)),
            link: Some((t.msg("email-file-report-action", &[]), m.link.clone())),
            ..Composed::default()
        }
    }
);

email_kind!(
    /// To the organisation of a pledge that missed a reporting year, before the next deadline:
    /// missing it too makes the pledge inactive.
    SecondReminder, "report_second_reminder", { title: String, year: i32, due: String, link: String },
    |m, t| {
        let args = [
            ("title", text(m.title.as_str())),
            ("year", text(m.year.to_string())),
            ("due", text(m.due.as_str())),
        ];
        Composed {
            subject: t.msg("second-reminder-subject", &args),
            greeting: greeting(t),
            before: vec![t.msg("second-reminder-body", &args)],
            link_intro: Some(t.msg("email-file-report", &[])),
            link: Some((t.msg("email-file-report-action", &[]), m.link.clone())),
            ..Composed::default()
        }
    }
);

email_kind!(
    /// To the organisation of a pledge that turned inactive after two missed reporting years.
    PledgeInactive, "pledge_inactive", { title: String, since_year: i32, link: String },
    |m, t| {
        let args = [("title", text(m.title.as_str())), ("year", text(m.since_year.to_string()))];
        Composed {
            subject: t.msg("pledge-inactive-subject", &args),
            greeting: greeting(t),
            before: vec![t.msg("pledge-inactive-body", &args)],
            link_intro: Some(t.msg("email-file-report", &[])),
            link: Some((t.msg("email-file-report-action", &[]), m.link.clone())),
            ..Composed::default()
        }
    }
);

/// One line of a moderator's digest: a track (none: all of them together).
#[derive(Debug, Clone)]
pub struct DigestLine {
    pub track: Option<String>,
    pub pledges: u64,
    /// Whole hours the oldest pledge has waited; none when no pledge waits.
    pub oldest_hours: Option<u64>,
    pub reports: u64,
    pub amendments: u64,
}

impl DigestLine {
    fn say(&self, t: &Translator) -> String {
        let track = self
            .track
            .clone()
            .unwrap_or_else(|| t.msg("digest-all-tracks", &[]));
        let mut args = vec![
            ("track", text(track)),
            ("pledges", number(self.pledges as f64)),
            ("reports", number(self.reports as f64)),
            ("amendments", number(self.amendments as f64)),
        ];
        match self.oldest_hours {
            Some(hours) => {
                args.push(("hours", number(hours as f64)));
                t.msg("digest-line-oldest", &args)
            }
            None => t.msg("digest-line", &args),
        }
    }
}

email_kind!(
    /// To each moderator once a day when something waits in their remit.
    ModeratorDigest, "moderator_digest", { day: String, lines: Vec<DigestLine>, queue: String },
    |m, t| Composed {
        subject: t.msg("digest-subject", &[("day", text(m.day.as_str()))]),
        greeting: greeting(t),
        before: vec![t.msg("digest-body", &[("day", text(m.day.as_str()))])],
        items: m.lines.iter().map(|line| line.say(t)).collect(),
        link_intro: Some(t.msg("digest-body-2", &[])),
        link: Some((t.msg("digest-action", &[]), m.queue.clone())),
        ..Composed::default()
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    fn verify() -> VerifyEmail {
        VerifyEmail {
            public_url: "https://pledges.example.org".into(),
            display_name: "<script>alert('x')</script> & Co".into(),
            link: "https://pledges.example.org/verify-email?token=abc".into(),
            valid_hours: 48,
        }
    }

    #[test]
    fn html_escapes_user_values_and_text_keeps_them() {
        let email = verify().render("amina@ict.gov.gh", Language::En).unwrap();
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
        // The page the link opens speaks the recipient's language.
        assert!(
            email.text.contains("verify-email?token=abc&lang=en"),
            "{}",
            email.text
        );
        assert!(email
            .text
            .ends_with("-- \npledgeboard, https://pledges.example.org"));
    }

    #[test]
    fn every_kind_speaks_each_language_and_arabic_runs_right_to_left() {
        let decision = PledgeDecision {
            public_url: "https://pledges.example.org".into(),
            title: "Connect 50 clinics".into(),
            decision: "changes requested".into(),
            reason: "Give the figures of 2024.".into(),
            when: String::new(),
            link: "https://pledges.example.org/api/v1/pledges/p1".into(),
        };
        for (language, subject, body) in [
            (
                Language::En,
                "Changes requested to your pledge",
                "changes requested.",
            ),
            (
                Language::Fr,
                "Modifications demandées pour votre engagement",
                "modifications demandées.",
            ),
            (
                Language::Es,
                "Se piden cambios en su compromiso",
                "se piden cambios.",
            ),
            (
                Language::Ru,
                "По вашему обязательству запрошены изменения",
                "запрошены изменения.",
            ),
            (Language::Ar, "طُلبت تعديلات على تعهدك", "طُلبت تعديلات."),
            (Language::Zh, "您的承诺需要修改", "需要修改。"),
        ] {
            let email = decision.render("org@example.org", language).unwrap();
            assert!(
                email.subject.starts_with(subject),
                "{language}: {}",
                email.subject
            );
            assert!(
                email.subject.ends_with("Connect 50 clinics"),
                "{}",
                email.subject
            );
            assert!(email.text.contains(body), "{language}: {}", email.text);
            assert!(email.text.contains("Give the figures of 2024."));
            assert!(
                email
                    .html
                    .contains(&format!("lang=\"{}\"", language.as_str())),
                "{}",
                email.html
            );
            let rtl = email.html.contains("dir=\"rtl\"");
            assert_eq!(rtl, language == Language::Ar, "{language}");
            // API links are left as they are; only pages get `lang`.
            assert!(!email.text.contains("p1?lang"));
        }
        let russian = verify().render("a@example.org", Language::Ru).unwrap();
        assert!(russian.text.contains("48 часов"), "{}", russian.text);
        assert!(russian.text.contains("lang=ru"));
    }

    #[test]
    fn a_scheduled_pledge_is_told_its_moment_and_its_reveal_in_each_language() {
        let scheduled = PledgeDecision {
            public_url: "https://pledges.example.org".into(),
            title: "Connect 50 clinics".into(),
            decision: "scheduled".into(),
            reason: String::new(),
            when: "2023-03-06 10:30 UTC".into(),
            link: "https://pledges.example.org/api/v1/pledges/p1".into(),
        };
        let revealed = PledgeDecision {
            decision: "revealed".into(),
            when: String::new(),
            ..scheduled.clone()
        };
        let approved = PledgeDecision {
            decision: "approved".into(),
            ..revealed.clone()
        };
        for language in Language::ALL {
            let email = scheduled.render("org@example.org", language).unwrap();
            assert!(
                email.subject.contains("2023-03-06 10:30 UTC"),
                "{}",
                email.subject
            );
            assert!(
                email.text.contains("2023-03-06 10:30 UTC"),
                "{}",
                email.text
            );
            let shown = revealed.render("org@example.org", language).unwrap();
            let published = approved.render("org@example.org", language).unwrap();
            assert!(!shown.text.contains("2023"), "{}", shown.text);
            // Three different messages, none falling back to another's words.
            assert_ne!(email.subject, shown.subject);
            assert_ne!(shown.text, published.text, "{language}");
        }
        let english = revealed.render("org@example.org", Language::En).unwrap();
        assert!(english.subject.starts_with("Your pledge is now public"));
    }

    #[test]
    fn a_digest_lists_each_track_with_plural_forms() {
        let digest = ModeratorDigest {
            public_url: "https://pledges.example.org".into(),
            day: "2026-03-06".into(),
            lines: vec![
                DigestLine {
                    track: None,
                    pledges: 2,
                    oldest_hours: Some(5),
                    reports: 1,
                    amendments: 0,
                },
                DigestLine {
                    track: Some("ldc5".into()),
                    pledges: 1,
                    oldest_hours: None,
                    reports: 0,
                    amendments: 1,
                },
            ],
            queue: "https://pledges.example.org/api/v1/moderation/queue".into(),
        };
        let email = digest.render("mod@example.org", Language::En).unwrap();
        assert!(
            email.text.contains(
                "- All tracks: 2 pledges waiting for a decision, the oldest for 5 hours; \
                 1 progress report waiting for review; 0 amendments waiting for a decision"
            ),
            "{}",
            email.text
        );
        assert!(email.text.contains("- ldc5: 1 pledge waiting for a decision; 0 progress reports waiting for review; 1 amendment waiting for a decision"), "{}", email.text);
        let russian = digest.render("mod@example.org", Language::Ru).unwrap();
        assert!(
            russian.text.contains("2 обязательства ожидают решения"),
            "{}",
            russian.text
        );
    }
}
