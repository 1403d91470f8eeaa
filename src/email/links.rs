//! The addresses emails point at, built from the public URL of the service.

/// The links messages carry: every one starts at the configured public URL.
#[derive(Debug, Clone)]
pub struct Links {
    pub public_url: String,
}

impl Links {
    pub fn from_settings(settings: &crate::config::Settings) -> Self {
        Links {
            public_url: settings.effective_public_url(),
        }
    }

    pub fn verify_email(&self, token: &str) -> String {
        format!("{}/verify-email?token={token}", self.public_url)
    }
    pub fn reset_password(&self, token: &str) -> String {
        format!("{}/reset-password?token={token}", self.public_url)
    }
    pub fn request_reset(&self) -> String {
        format!("{}/reset-password", self.public_url)
    }
    pub fn accept_invitation(&self, token: &str) -> String {
        format!("{}/accept-invitation?token={token}", self.public_url)
    }
    pub fn pledge(&self, id: &str) -> String {
        format!("{}/api/v1/pledges/{id}", self.public_url)
    }
    pub fn moderation_queue(&self) -> String {
        format!("{}/api/v1/moderation/queue", self.public_url)
    }
    /// A track's public catalogue (`all`: every published pledge): where the big screen's QR
    /// code leads.
    pub fn catalogue(&self, track: &str) -> String {
        if track == crate::domain::counters::GLOBAL_SCOPE {
            format!("{}/api/v1/pledges", self.public_url)
        } else {
            format!("{}/api/v1/pledges?track={track}", self.public_url)
        }
    }
    /// A private big screen: the track's page with the link's secret.
    pub fn private_screen(&self, track: &str, secret: &str) -> String {
        format!("{}/live/{track}?screen_key={secret}", self.public_url)
    }
}
