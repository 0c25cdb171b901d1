//! The text of the emails about a person's own account: an invitation and
//! a password reset. Each carries a single-use link; the outbox keeps the
//! worded email in the use case's transaction.

use chrono::{DateTime, Utc};

use super::email::{Content, Email};

/// An email about an account, with the facts it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountMessage<'a> {
    /// To someone invited: set a password to start.
    Invitation {
        name: &'a str,
        invited_by: &'a str,
        role: &'a str,
        organisation: &'a str,
        link: &'a str,
        expires_at: DateTime<Utc>,
    },
    /// To someone who asked to reset their password.
    PasswordReset {
        name: &'a str,
        link: &'a str,
        expires_at: DateTime<Utc>,
    },
}

fn when(at: DateTime<Utc>) -> String {
    at.with_timezone(&chrono_tz::Europe::London)
        .format("%H:%M on %-d %B %Y (UK time)")
        .to_string()
}

impl AccountMessage<'_> {
    pub fn render(&self) -> Email {
        match *self {
            AccountMessage::Invitation {
                name,
                invited_by,
                role,
                organisation,
                link,
                expires_at,
            } => Content {
                paragraphs: vec![
                    format!("Hello {name},"),
                    format!(
                        "{invited_by} has invited you to OpenEPA as {role} for {organisation}."
                    ),
                ],
                next: format!(
                    "Set your password to start. The link works once, until {}. If it has \
                     expired, ask {invited_by} to invite you again. If you did not expect this \
                     email, you can ignore it.",
                    when(expires_at)
                ),
                link: Some((link.to_owned(), "Set your password".to_owned())),
                ..Content::default()
            }
            .email(
                "invitation",
                "You are invited to OpenEPA: set your password".to_owned(),
            ),
            AccountMessage::PasswordReset {
                name,
                link,
                expires_at,
            } => Content {
                paragraphs: vec![
                    format!("Hello {name},"),
                    "Someone (we hope you) asked to reset your OpenEPA password.".to_owned(),
                ],
                next: format!(
                    "Choose a new password with the link below. It works once, until {}. If \
                     you did not ask, ignore this email: your password stays as it is.",
                    when(expires_at)
                ),
                link: Some((link.to_owned(), "Choose a new password".to_owned())),
                ..Content::default()
            }
            .email("password_reset", "Reset your OpenEPA password".to_owned()),
        }
    }
}

/// The role's name as the email says it.
pub fn role_words(role: epa_domain::policy::Role) -> &'static str {
    use epa_domain::policy::Role;
    match role {
        Role::EpaoAdmin => "an EPAO administrator",
        Role::EpaoOperations => "EPAO operations staff",
        Role::Assessor => "an End-Point Assessor",
        Role::QualityAssurer => "a quality assurer",
        Role::ProviderUser => "a training provider contact",
        Role::EmployerUser => "an employer contact",
        Role::Apprentice => "an apprentice",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn snapshot(name: &str, message: AccountMessage<'_>) {
        let email = message.render();
        insta::assert_snapshot!(
            name,
            format!(
                "kind: {}\nsubject: {}\n\n{}",
                email.kind, email.subject, email.body
            )
        );
        insta::assert_snapshot!(format!("{name}_html"), email.html);
    }

    #[test]
    fn account_emails_are_worded_from_their_facts() {
        let at = Utc.with_ymd_and_hms(2026, 11, 9, 9, 0, 0).unwrap();
        snapshot(
            "invitation",
            AccountMessage::Invitation {
                name: "Sam Tutor",
                invited_by: "Ada Admin",
                role: role_words(epa_domain::policy::Role::ProviderUser),
                organisation: "Northfield Training",
                link: "https://epa.example/invitations/SECRET",
                expires_at: at,
            },
        );
        snapshot(
            "password_reset",
            AccountMessage::PasswordReset {
                name: "Sam Tutor",
                link: "https://epa.example/password-resets/SECRET",
                expires_at: at,
            },
        );
    }
}
