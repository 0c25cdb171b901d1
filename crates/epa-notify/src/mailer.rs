//! Sending one outbox message as an email: over SMTP (production), into
//! `.eml` files (the default, so a fresh install and the demo show every
//! message), or into memory (tests).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use epa_store::outbox::OutboxMessage;
use lettre::address::Envelope;
use lettre::message::header::{ContentDisposition, ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::ics;

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Plain connection upgraded with STARTTLS (port 587); refused without it.
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same machine or network.
    None,
}

/// The SMTP server's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
    pub password: Option<String>,
    /// How long one delivery may take before it counts as failed.
    pub timeout: Duration,
}

/// A message that could not be sent, with why.
#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    #[error("the message cannot be built: {0}")]
    Build(String),
    #[error("{0}")]
    Send(String),
}

/// One email as it was sent, kept by the memory transport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub outbox_id: uuid::Uuid,
    pub to: String,
    pub subject: String,
    /// The whole message as sent (RFC 5322).
    pub raw: String,
}

/// Where messages go.
#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// Each message as `<outbox id>.eml` in this directory.
    File(PathBuf),
    Memory(Arc<Mutex<Vec<Sent>>>),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Smtp(_) => f.write_str("Mailer::Smtp"),
            Mailer::File(dir) => write!(f, "Mailer::File({})", dir.display()),
            Mailer::Memory(_) => f.write_str("Mailer::Memory"),
        }
    }
}

impl Mailer {
    /// An SMTP transport for `settings`; the error names what is wrong.
    pub fn smtp(settings: &SmtpSettings) -> Result<Mailer, String> {
        if settings.host.trim().is_empty() {
            return Err(
                "smtp_host is empty: name the mail server, such as smtp.example.org".into(),
            );
        }
        let builder = match settings.security {
            Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host),
            Security::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host)
            }
            Security::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                &settings.host,
            )),
        }
        .map_err(|err| format!("smtp_host {:?} cannot be used: {err}", settings.host))?;
        let mut builder = builder.port(settings.port).timeout(Some(settings.timeout));
        match (&settings.username, &settings.password) {
            (Some(user), Some(password)) => {
                builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
            }
            (None, None) => {}
            (Some(_), None) => {
                return Err(
                    "smtp_username is set without smtp_password: set both or neither".into(),
                );
            }
            (None, Some(_)) => {
                return Err(
                    "smtp_password is set without smtp_username: set both or neither".into(),
                );
            }
        }
        Ok(Mailer::Smtp(builder.build()))
    }

    /// Files under `dir`, created now so a directory that cannot be written
    /// stops start-up rather than every delivery.
    pub fn file(dir: PathBuf) -> Result<Mailer, String> {
        std::fs::create_dir_all(&dir)
            .map_err(|err| format!("cannot create the mail directory {}: {err}", dir.display()))?;
        Ok(Mailer::File(dir))
    }

    /// Memory, with the list it fills.
    pub fn memory() -> (Mailer, Arc<Mutex<Vec<Sent>>>) {
        let sent = Arc::new(Mutex::new(Vec::new()));
        (Mailer::Memory(sent.clone()), sent)
    }

    /// Sends one outbox message from `from`.
    pub async fn send(&self, from: &Mailbox, message: &OutboxMessage) -> Result<(), MailerError> {
        let email = build(from, message)?;
        match self {
            Mailer::Smtp(transport) => transport.send(email).await.map(|_| ()).map_err(|err| {
                MailerError::Send(format!("the mail server refused or did not answer: {err}"))
            }),
            Mailer::File(dir) => {
                // Written whole under a temporary name, then renamed: a reader
                // never sees half a message, and a retry overwrites the same file.
                let path = dir.join(format!("{}.eml", message.id));
                let partial = dir.join(format!(".{}.eml.partial", message.id));
                let bytes = email.formatted();
                // Both in one task of the blocking pool: each `tokio::fs`
                // call is a round trip to it, a thread woken and one
                // parked, and a booking's three emails made six.
                let written = path.clone();
                tokio::task::spawn_blocking(move || {
                    std::fs::write(&partial, &bytes)?;
                    std::fs::rename(&partial, &written)
                })
                .await
                .unwrap_or_else(|err| Err(std::io::Error::other(err)))
                .map_err(|err| MailerError::Send(format!("cannot write {}: {err}", path.display())))
            }
            Mailer::Memory(sent) => {
                let raw = String::from_utf8_lossy(&email.formatted()).into_owned();
                sent.lock()
                    .map_err(|_| MailerError::Send("the memory transport is poisoned".into()))?
                    .push(Sent {
                        outbox_id: message.id,
                        to: message.recipient.clone(),
                        subject: message.subject.clone(),
                        raw,
                    });
                Ok(())
            }
        }
    }
}

/// The email for one outbox message: plain text, with HTML as its
/// alternative when there is one, and an invite as both a `text/calendar`
/// alternative (what Outlook and Gmail act on) and an `invite.ics`
/// attachment (what other clients open).
pub fn build(from: &Mailbox, message: &OutboxMessage) -> Result<Message, MailerError> {
    let to = recipient(&message.recipient)?;
    // The envelope given, lettre does not read it back out of the headers
    // it has just written (parsing each address again): with the bare
    // recipient below, an eighth of an email's building.
    let envelope = Envelope::new(Some(from.email.clone()), vec![to.email.clone()])
        .map_err(|err| MailerError::Build(err.to_string()))?;
    let builder = Message::builder()
        .from(from.clone())
        .to(to)
        .envelope(envelope)
        .subject(&message.subject)
        .message_id(Some(format!("<{}@openepa>", message.id)));
    let text = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(message.body.clone());
    let mut alternative = MultiPart::alternative().singlepart(text);
    if let Some(html) = &message.html {
        alternative = alternative.singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .body(html.clone()),
        );
    }
    let email = match &message.calendar {
        None => builder.multipart(alternative),
        Some(calendar) => {
            let method = ics::method_of(calendar).unwrap_or(ics::Method::Request);
            let inline = ContentType::parse(&format!(
                "text/calendar; charset=utf-8; method={}",
                method.as_str()
            ))
            .map_err(|err| MailerError::Build(err.to_string()))?;
            // Base64, so no quoted-printable soft break meets iCalendar's
            // own line folding (some clients mishandle the two together).
            alternative = alternative.singlepart(
                SinglePart::builder()
                    .header(inline)
                    .header(ContentTransferEncoding::Base64)
                    .body(calendar.clone()),
            );
            let attachment = SinglePart::builder()
                .header(
                    ContentType::parse("application/ics; name=\"invite.ics\"")
                        .map_err(|err| MailerError::Build(err.to_string()))?,
                )
                .header(ContentDisposition::attachment("invite.ics"))
                .header(ContentTransferEncoding::Base64)
                .body(calendar.clone());
            builder.multipart(
                MultiPart::mixed()
                    .multipart(alternative)
                    .singlepart(attachment),
            )
        }
    };
    email.map_err(|err| MailerError::Build(err.to_string()))
}

/// An outbox message's recipient: a bare address, as the product stores
/// them, read as one (lettre's reading of a mailbox runs a parser for a
/// display name and its quoting), or failing that as `Name <address>`.
fn recipient(text: &str) -> Result<Mailbox, MailerError> {
    match text.parse::<Address>() {
        Ok(address) => Ok(Mailbox::new(None, address)),
        Err(_) => text
            .parse()
            .map_err(|err| MailerError::Build(format!("recipient {text:?}: {err}"))),
    }
}

/// `Name <address>` (or a bare address) read as a mailbox.
pub fn mailbox(text: &str) -> Result<Mailbox, String> {
    text.trim()
        .parse()
        .map_err(|err: lettre::address::AddressError| err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use uuid::Uuid;

    fn to(recipient: &str) -> OutboxMessage {
        OutboxMessage {
            id: Uuid::nil(),
            created_at: Utc::now(),
            kind: "test".to_owned(),
            recipient: recipient.to_owned(),
            subject: "Booked".to_owned(),
            body: "Hello".to_owned(),
            html: None,
            calendar: None,
            attempts: 0,
            next_attempt_at: Utc::now(),
            sent_at: None,
            last_error: None,
            failed_at: None,
        }
    }

    fn from() -> Mailbox {
        mailbox("OpenEPA <epa@epao.example>").unwrap()
    }

    #[test]
    fn the_envelope_and_the_headers_name_the_same_people() {
        for (recipient, header) in [
            ("assessor@demo.test", "To: assessor@demo.test"),
            ("Asha Patel <assessor@demo.test>", "Asha Patel"),
        ] {
            let email = build(&from(), &to(recipient)).unwrap();
            let envelope = email.envelope();
            assert_eq!(
                envelope.from().map(ToString::to_string).as_deref(),
                Some("epa@epao.example")
            );
            let rcpt: Vec<String> = envelope.to().iter().map(ToString::to_string).collect();
            assert_eq!(rcpt, ["assessor@demo.test"], "{recipient}");
            let raw = String::from_utf8(email.formatted()).unwrap();
            assert!(raw.contains(header), "{recipient}: {raw}");
            assert!(raw.contains("From: OpenEPA <epa@epao.example>"), "{raw}");
        }
    }

    #[test]
    fn a_recipient_that_is_no_address_is_refused_for_what_it_is() {
        for recipient in ["", "nobody", "a@", "Name <not an address>"] {
            let err = build(&from(), &to(recipient)).unwrap_err();
            assert!(
                matches!(&err, MailerError::Build(text) if text.contains(&format!("{recipient:?}"))),
                "{recipient}: {err:?}"
            );
        }
    }

    #[tokio::test]
    async fn a_file_is_written_whole_under_its_id_and_nothing_else_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = Mailer::file(dir.path().to_path_buf()).unwrap();
        let message = to("ada@example.test");
        mailer.send(&from(), &message).await.unwrap();
        // A retry overwrites the same file.
        mailer.send(&from(), &message).await.unwrap();
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, [format!("{}.eml", message.id)]);
        let written = std::fs::read_to_string(dir.path().join(&names[0])).unwrap();
        assert!(written.contains("Subject: Booked"), "{written}");
        assert!(written.contains("\r\n\r\nHello\r\n"), "{written}");
    }

    #[tokio::test]
    async fn a_file_that_cannot_be_written_is_a_failed_delivery_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = Mailer::file(dir.path().join("mail")).unwrap();
        std::fs::remove_dir(dir.path().join("mail")).unwrap();
        let message = to("ada@example.test");
        let err = mailer.send(&from(), &message).await.unwrap_err();
        assert!(
            matches!(&err, MailerError::Send(text) if text.contains(&format!("{}.eml", message.id))),
            "{err:?}"
        );
    }
}
