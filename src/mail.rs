//! E-mail: rendering a message from its Dutch text and HTML templates, and the SMTP transport.

use std::time::Duration;

use anyhow::Context;
use askama::Template;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::db::outbox::{Mail, NewMail};

/// What every e-mail template may use besides its own fields.
#[derive(Clone, Debug)]
pub struct MailContext {
    /// Public URL of the instance, without trailing slash.
    pub base_url: String,
}

/// An e-mail kind: its subject and its two bodies.
pub trait MailContent {
    /// The subject line.
    fn subject(&self) -> String;
    /// The plain-text body.
    fn text(&self, ctx: &MailContext) -> askama::Result<String>;
    /// The HTML body.
    fn html(&self, ctx: &MailContext) -> askama::Result<String>;
}

/// Renders an e-mail for the outbox.
pub fn render(to: &str, content: &impl MailContent, ctx: &MailContext) -> anyhow::Result<NewMail> {
    Ok(NewMail {
        to: to.to_string(),
        subject: content.subject(),
        text: content.text(ctx).context("rendering e-mail text")?,
        html: content.html(ctx).context("rendering e-mail HTML")?,
        sensitive: false,
        calendar: None,
        list_unsubscribe: None,
    })
}

/// Declares the text and HTML templates of a mail struct and its subject.
macro_rules! mail_templates {
    ($ty:ident, $text:literal, $html:literal, $subject:expr) => {
        const _: () = {
            #[derive(Template)]
            #[template(path = $text)]
            struct Text<'a> {
                m: &'a $ty,
                ctx: &'a MailContext,
            }
            #[derive(Template)]
            #[template(path = $html)]
            struct Html<'a> {
                m: &'a $ty,
                ctx: &'a MailContext,
            }
            impl MailContent for $ty {
                fn subject(&self) -> String {
                    let f: fn(&$ty) -> String = $subject;
                    f(self)
                }
                fn text(&self, ctx: &MailContext) -> askama::Result<String> {
                    Text { m: self, ctx }.render()
                }
                fn html(&self, ctx: &MailContext) -> askama::Result<String> {
                    Html { m: self, ctx }.render()
                }
            }
        };
    };
}

/// The sign-in link e-mail.
#[derive(Clone, Debug)]
pub struct SignInLink {
    /// Recipient's name.
    pub name: String,
    /// The one-time link.
    pub link: String,
    /// Validity in minutes.
    pub minutes: i64,
}

mail_templates!(SignInLink, "mail/signin.txt", "mail/signin.html", |_| {
    "Je inloglink voor kring".to_string()
});

/// What happened to a registration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistrationEvent {
    /// Accepted at once: welcome and sign-in link.
    Accepted,
    /// Received; a facilitator decides.
    Pending,
    /// On the waitlist, with a position.
    Waitlisted,
    /// A seat came free: accepted now (sign-in link) or, under manual approval, up for review.
    Promoted,
    /// Declined, with a reason.
    Declined,
    /// Withdrawn.
    Withdrawn,
    /// A member's seat was ended by a facilitator (with a reason when given).
    Ended,
}

/// The e-mail for a registration's status change.
#[derive(Clone, Debug)]
pub struct RegistrationMail {
    /// What happened.
    pub event: RegistrationEvent,
    /// Registrant's name.
    pub name: String,
    /// Community name.
    pub community: String,
    /// Link to the community page.
    pub community_url: String,
    /// Sign-in link, for accepted and promoted-to-accepted.
    pub link: Option<String>,
    /// Waitlist position.
    pub position: Option<i64>,
    /// Reason for declining.
    pub reason: Option<String>,
    /// Contact person of the programme, "Naam (adres)".
    pub contact: Option<String>,
}

impl RegistrationMail {
    fn title(&self) -> String {
        let c = &self.community;
        match self.event {
            RegistrationEvent::Accepted => format!("Welkom bij {c}"),
            RegistrationEvent::Pending => format!("We hebben je aanmelding voor {c} ontvangen"),
            RegistrationEvent::Waitlisted => format!("Je staat op de wachtlijst van {c}"),
            RegistrationEvent::Promoted if self.link.is_some() => {
                format!("Er is plek: welkom bij {c}")
            }
            RegistrationEvent::Promoted => format!("Er is plek vrijgekomen in {c}"),
            RegistrationEvent::Declined => format!("Je aanmelding voor {c}"),
            RegistrationEvent::Withdrawn => format!("Je aanmelding voor {c} is ingetrokken"),
            RegistrationEvent::Ended => format!("Je deelname aan {c} is beëindigd"),
        }
    }

    fn is(&self, name: &str) -> bool {
        let event = match self.event {
            RegistrationEvent::Accepted => "accepted",
            RegistrationEvent::Pending => "pending",
            RegistrationEvent::Waitlisted => "waitlisted",
            RegistrationEvent::Promoted => "promoted",
            RegistrationEvent::Declined => "declined",
            RegistrationEvent::Withdrawn => "withdrawn",
            RegistrationEvent::Ended => "ended",
        };
        event == name
    }
}

mail_templates!(
    RegistrationMail,
    "mail/registration.txt",
    "mail/registration.html",
    RegistrationMail::title
);

/// What a meeting e-mail announces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MeetingEvent {
    /// A new meeting.
    Invitation,
    /// Time or place changed.
    Update,
    /// Cancelled.
    Cancellation,
}

/// The e-mail that carries a meeting's calendar entry.
#[derive(Clone, Debug)]
pub struct MeetingMail {
    /// What happened.
    pub event: MeetingEvent,
    /// Recipient's name.
    pub name: String,
    /// Community name.
    pub community: String,
    /// Meeting title.
    pub title: String,
    /// "dinsdag 16 maart 2027, 14.00–16.00 uur".
    pub when: String,
    /// Address or "online".
    pub place: String,
    /// Join link (members only).
    pub online_url: Option<String>,
    /// Page of the meeting.
    pub url: String,
    /// Reason for cancelling.
    pub reason: Option<String>,
}

impl MeetingMail {
    fn subject_line(&self) -> String {
        match self.event {
            MeetingEvent::Invitation => format!("Uitnodiging: {} ({})", self.title, self.when),
            MeetingEvent::Update => format!("Gewijzigd: {} ({})", self.title, self.when),
            MeetingEvent::Cancellation => format!("Afgelast: {} ({})", self.title, self.when),
        }
    }

    fn is(&self, name: &str) -> bool {
        let event = match self.event {
            MeetingEvent::Invitation => "invitation",
            MeetingEvent::Update => "update",
            MeetingEvent::Cancellation => "cancellation",
        };
        event == name
    }
}

mail_templates!(
    MeetingMail,
    "mail/meeting.txt",
    "mail/meeting.html",
    MeetingMail::subject_line
);

/// "A date poll is open": members are asked to answer.
#[derive(Clone, Debug)]
pub struct PollMail {
    /// Recipient's name.
    pub name: String,
    /// Community name.
    pub community: String,
    /// Poll title.
    pub title: String,
    /// The slots in Dutch.
    pub slots: Vec<String>,
    /// Where to answer.
    pub url: String,
    /// When answering closes, in Dutch.
    pub closes: Option<String>,
}

mail_templates!(
    PollMail,
    "mail/poll.txt",
    "mail/poll.html",
    |m: &PollMail| format!("Datumprikker: {}", m.title)
);

/// "The minutes are published".
#[derive(Clone, Debug)]
pub struct MinutesMail {
    /// Recipient's name.
    pub name: String,
    /// Community name.
    pub community: String,
    /// Meeting title.
    pub title: String,
    /// When it was.
    pub when: String,
    /// Where to read them.
    pub url: String,
    /// Decisions.
    pub decisions: Vec<String>,
}

mail_templates!(
    MinutesMail,
    "mail/minutes.txt",
    "mail/minutes.html",
    |m: &MinutesMail| format!("Verslag: {}", m.title)
);

/// One agenda item in an e-mail.
#[derive(Clone, Debug)]
pub struct AgendaLine {
    /// Planned start, "14.00 uur".
    pub at: String,
    /// Title.
    pub title: String,
    /// Length in minutes.
    pub minutes: i64,
    /// Description (may be empty).
    pub description: String,
    /// The guest speaker's name.
    pub speaker: Option<String>,
}

/// "The agenda of a meeting": sent when a facilitator publishes it, and again ("Bijgewerkte
/// agenda") on every later publication.
#[derive(Clone, Debug)]
pub struct AgendaMail {
    /// Recipient's name.
    pub name: String,
    /// Community name.
    pub community: String,
    /// Meeting title.
    pub title: String,
    /// "dinsdag 16 maart 2027, 14.00–16.00 uur".
    pub when: String,
    /// Address or "online".
    pub place: String,
    /// Page of the meeting.
    pub url: String,
    /// The items in order with their planned starts.
    pub items: Vec<AgendaLine>,
    /// Minutes the agenda outlasts the meeting (0 when it fits).
    pub overrun_minutes: i64,
    /// An earlier version was sent before.
    pub updated: bool,
}

mail_templates!(
    AgendaMail,
    "mail/agenda.txt",
    "mail/agenda.html",
    |m: &AgendaMail| if m.updated {
        format!("Bijgewerkte agenda: {} ({})", m.title, m.when)
    } else {
        format!("Agenda: {} ({})", m.title, m.when)
    }
);

/// Sends mail over SMTP.
#[derive(Clone)]
pub struct Transport {
    smtp: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Transport {
    /// Builds a transport from `smtp://host:port`, `smtp+starttls://user:pass@host:587` or
    /// `smtps://user:pass@host:465`.
    pub fn from_url(url: &str, from: &str) -> anyhow::Result<Self> {
        let lettre_url = match url.strip_prefix("smtp+starttls://") {
            Some(rest) if rest.contains('?') => format!("smtp://{rest}&tls=required"),
            Some(rest) => format!("smtp://{rest}?tls=required"),
            None => url.to_string(),
        };
        let smtp = AsyncSmtpTransport::<Tokio1Executor>::from_url(&lettre_url)
            .context("KRING_SMTP_URL is not a usable SMTP URL")?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = from
            .parse()
            .context("KRING_MAIL_FROM is not a valid address")?;
        Ok(Self { smtp, from })
    }

    /// Delivers one queued e-mail.
    pub async fn send(&self, mail: &Mail) -> Result<(), DeliveryError> {
        let message = build_message(&self.from, mail).map_err(|e| DeliveryError {
            message: format!("{e:#}"),
            permanent: true,
        })?;
        self.smtp.send(message).await.map_err(|e| DeliveryError {
            permanent: e.is_permanent(),
            message: format!("SMTP delivery: {e}"),
        })?;
        Ok(())
    }
}

/// Why a delivery failed.
#[derive(Debug)]
pub struct DeliveryError {
    /// What went wrong, for the outbox and the log.
    pub message: String,
    /// Retrying cannot help (a malformed address, an SMTP 5xx answer).
    pub permanent: bool,
}

/// Builds the MIME message of a queued e-mail: text and HTML as alternatives.
pub fn build_message(from: &Mailbox, mail: &Mail) -> anyhow::Result<Message> {
    let to: Mailbox = mail.recipient.parse().context("recipient address")?;
    let mut builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone());
    if let Some(url) = &mail.list_unsubscribe {
        builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{url}>"),
        ));
    }
    let body = match (&mail.calendar, &mail.calendar_method) {
        // Invitations: the calendar as an alternative (calendar programs show the invitation) and
        // as an attachment (for programs that only offer attachments).
        (Some(ics), Some(method)) => {
            let kind: ContentType = format!("text/calendar; method={method}; charset=UTF-8")
                .parse()
                .context("calendar content type")?;
            let file: ContentType = "application/ics".parse().context("ics content type")?;
            MultiPart::mixed()
                .multipart(
                    MultiPart::alternative()
                        .singlepart(SinglePart::plain(mail.body_text.clone()))
                        .singlepart(SinglePart::html(mail.body_html.clone()))
                        .singlepart(SinglePart::builder().header(kind).body(ics.clone())),
                )
                .singlepart(Attachment::new("uitnodiging.ics".to_string()).body(ics.clone(), file))
        }
        _ => MultiPart::alternative_plain_html(mail.body_text.clone(), mail.body_html.clone()),
    };
    builder.multipart(body).context("building e-mail")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_mail_has_link_in_both_parts_and_escapes_html() {
        let ctx = MailContext {
            base_url: "https://kring.example".into(),
        };
        let mail = render(
            "a@b.nl",
            &SignInLink {
                name: "<b>Anna</b>".into(),
                link: "https://kring.example/inloggen/abc".into(),
                minutes: 15,
            },
            &ctx,
        )
        .unwrap();
        assert_eq!(mail.subject, "Je inloglink voor kring");
        assert!(mail.text.contains("https://kring.example/inloggen/abc"));
        assert!(mail.text.contains("15 minuten"));
        assert!(
            mail.html
                .contains("href=\"https://kring.example/inloggen/abc\"")
        );
        assert!(mail.html.contains("&#60;b&#62;Anna") || mail.html.contains("&lt;b&gt;Anna"));
        assert!(!mail.html.contains("<b>Anna"));
    }

    #[tokio::test]
    async fn starttls_urls_are_understood() {
        assert!(
            Transport::from_url(
                "smtp+starttls://u:p@mail.example:587",
                "kring <noreply@localhost>"
            )
            .is_ok()
        );
        assert!(Transport::from_url("smtp://127.0.0.1:2525", "kring <noreply@localhost>").is_ok());
        assert!(Transport::from_url("smtp://127.0.0.1:2525", "geen adres").is_err());
    }
}

/// The invitation of a guest speaker, with their personal guest link.
#[derive(Clone, Debug)]
pub struct SpeakerMail {
    /// Speaker's name.
    pub name: String,
    /// Who invites (the facilitator).
    pub inviter: String,
    /// Community name.
    pub community: String,
    /// Meeting title.
    pub title: String,
    /// "dinsdag 16 maart 2027, 14.00–16.00 uur".
    pub when: String,
    /// Address or "online".
    pub place: String,
    /// Whether there is a join link on the guest page.
    pub online: bool,
    /// The personal guest link.
    pub link: String,
    /// Last day the link works, in Dutch.
    pub valid_until: String,
}

mail_templates!(
    SpeakerMail,
    "mail/speaker.txt",
    "mail/speaker.html",
    |m: &SpeakerMail| format!("Uitnodiging als spreker: {}", m.title)
);

/// "Someone mentioned you": an `@name` in a note or a comment. A notification, so it carries
/// `List-Unsubscribe` (set by the sender) and the link to the preferences.
#[derive(Clone, Debug)]
pub struct MentionMail {
    /// Recipient's name.
    pub name: String,
    /// Who wrote the mention.
    pub author: String,
    /// The note's title.
    pub title: String,
    /// The note's community.
    pub community: String,
    /// True when the mention is in a comment, false when in the note itself.
    pub in_comment: bool,
    /// The start of the text, as plain text.
    pub excerpt: String,
    /// Where to read it.
    pub url: String,
}

mail_templates!(
    MentionMail,
    "mail/mention.txt",
    "mail/mention.html",
    |m: &MentionMail| format!("{} noemde je in \u{201c}{}\u{201d}", m.author, m.title)
);
