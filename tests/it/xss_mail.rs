//! E-mails and calendar files of the XSS test: every queued e-mail as the SMTP transport would
//! send it, and every calendar file, checked for markup, injected headers and injected lines or
//! parameters.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result};

use crate::html_check::{check_mail, mail_template_styles};
use crate::smtp::Mail;
use crate::xss::Problems;
use crate::xss_fill::Site;

/// The text of a title as a calendar file can carry it: line ends as `\n`, no other control
/// characters (RFC 5545 TEXT has none).
fn calendar_text(text: &str) -> String {
    text.trim()
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect()
}

fn unescape_ics(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Problems in a calendar file: a CR or LF that does not end a content line; properties other
/// than kring writes or a property twice; a `SUMMARY` that is not the meeting's title (by the
/// meeting id in the `UID`, from `titles`); an `ATTENDEE` with other parameters than kring
/// writes, or (with `attendee`) another address.
pub fn check_ics(
    doc: &str,
    titles: &BTreeMap<String, String>,
    attendee: Option<&str>,
) -> Vec<String> {
    let mut problems = Vec::new();
    // The SMTP sink hands over the attachment with LF line ends.
    let eol = if doc.contains("\r\n") { "\r\n" } else { "\n" };
    if doc.split(eol).any(|line| line.contains(['\r', '\n'])) {
        problems.push("a CR or LF inside a content line".to_string());
    }
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(doc.as_bytes()));
    let calendar = match parser.next() {
        Some(Ok(calendar)) => calendar,
        other => {
            problems.push(format!("does not parse: {other:?}"));
            return problems;
        }
    };
    if parser.next().is_some() {
        problems.push("more than one calendar".into());
    }
    for p in &calendar.properties {
        if !["VERSION", "PRODID", "CALSCALE", "METHOD"].contains(&p.name.as_str()) {
            problems.push(format!("calendar property {}", p.name));
        }
    }
    if calendar.events.len() != 1 {
        problems.push(format!("{} events", calendar.events.len()));
        return problems;
    }
    let known = [
        "UID",
        "DTSTAMP",
        "SUMMARY",
        "DESCRIPTION",
        "DTSTART",
        "DTEND",
        "URL",
        "STATUS",
        "SEQUENCE",
        "ORGANIZER",
        "LOCATION",
        "ATTENDEE",
    ];
    let mut seen = BTreeSet::new();
    let mut uid = String::new();
    let mut summary = None;
    for p in &calendar.events[0].properties {
        let value = p.value.clone().unwrap_or_default();
        if !known.contains(&p.name.as_str()) {
            problems.push(format!("event property {}:{value}", p.name));
        }
        if !seen.insert(p.name.clone()) {
            problems.push(format!("{} twice", p.name));
        }
        let params: Vec<&str> = p
            .params
            .iter()
            .flatten()
            .map(|(name, _)| name.as_str())
            .collect();
        match p.name.as_str() {
            "UID" => uid = value,
            "SUMMARY" => summary = Some(unescape_ics(&value)),
            "ATTENDEE" => {
                if !params
                    .iter()
                    .all(|n| ["CN", "ROLE", "PARTSTAT", "RSVP"].contains(n))
                    || params.len() != 4
                {
                    problems.push(format!("ATTENDEE parameters {:?}", p.params));
                }
                if let Some(to) = attendee
                    && !value.eq_ignore_ascii_case(&format!("mailto:{to}"))
                {
                    problems.push(format!("ATTENDEE {value} instead of {to}"));
                }
            }
            "ORGANIZER" if params != ["CN"] => {
                problems.push(format!("ORGANIZER parameters {:?}", p.params));
            }
            _ => {}
        }
    }
    let meeting = uid.split('@').next().unwrap_or("");
    // kring adds the community's name. The `ical` crate drops whitespace at the end of a folded
    // line, so the comparison ignores whitespace.
    let solid = |s: &str| s.split_whitespace().collect::<String>();
    match (titles.get(meeting), summary) {
        (Some(title), Some(summary))
            if !solid(&summary).starts_with(&solid(&calendar_text(title))) =>
        {
            problems.push(format!("SUMMARY {summary:?} is not the title {title:?}"));
        }
        (Some(_), None) => problems.push("no SUMMARY".into()),
        _ => {}
    }
    problems
}

/// Every e-mail the payload instance queued, as the SMTP transport would send it (built by
/// `kring::mail::build_message` and read back with the SMTP sink's MIME decoder): harmless
/// HTML, no injected headers, sound calendar files. Reading the outbox instead of waiting for
/// the sink keeps the test fast; the bytes are the same.
pub async fn check_mails(site: &Site, problems: &mut Problems) -> Result<()> {
    let allowed = mail_template_styles()?;
    let from = site
        .app
        .state()
        .config
        .mail_from
        .parse()
        .context("the sender")?;
    let queued = kring::db::outbox::list(&site.app.db, None, 100_000, 0).await?;
    for row in &queued {
        let message = kring::mail::build_message(&from, row)?;
        let mail = Mail {
            from: String::new(),
            to: vec![row.recipient.clone()],
            data: String::from_utf8(message.formatted())?,
        };
        let to = &row.recipient;
        let what = format!("mail {:?} to {to}", mail.subject());
        for header in ["X-Injected", "ATTENDEE", "BEGIN", "END", "SUMMARY"] {
            if mail.header(header).is_some() {
                problems.push(&what, format!("a header {header} was injected"));
            }
        }
        match mail.html() {
            Some(html) => {
                for problem in check_mail(&html, &allowed) {
                    problems.push(&what, problem);
                }
            }
            None => problems.push(&what, "no HTML part"),
        }
        if let Some(doc) = mail.part("text/calendar") {
            problems.ics(&what, &doc, &site.meeting_titles, Some(to));
        }
    }
    Ok(())
}
