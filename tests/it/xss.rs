//! XSS: every payload of `xss_payloads.txt` (script tags, event handlers, `javascript:` and
//! `data:` URLs, SVG and MathML tricks, malformed and nested tags, Markdown link and image
//! tricks, header and calendar line injection) goes into every text field users and
//! administrators write, through the API. Then every `*_html` field and snippet the API returns,
//! every page that shows the texts, every e-mail and every calendar file must be free of anything
//! that could run (`html_check`). Pages are also compared with the same pages of a second
//! instance filled with harmless text: the counts of scripts, forms, form controls, SVG, styles
//! and htmx attributes must be equal, so nothing a user wrote became an element.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Result, bail, ensure};
use futures_util::StreamExt;
use serde_json::Value;
use tokio::sync::watch;

use crate::harness::{Backend, Options, TestApp};
use crate::html_check::{
    check_content, check_mail, check_page, check_page_and_sign, differences, mail_template_styles,
    signature,
};
use crate::xss_fill::{Role, Site, Who, api_search, fill, guest_pages};
use crate::xss_mail::{check_ics, check_mails};

/// The payloads, decoded (see the head of the file for the escapes).
pub fn payloads() -> Vec<String> {
    include_str!("xss_payloads.txt")
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with("-- "))
        .map(decode)
        .collect()
}

/// `\n`, `\r`, `\t`, `\0`, `\\` and `\u{…}`; any other backslash stays as it is.
fn decode(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek().copied() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('0') => out.push('\0'),
            Some('\\') => out.push('\\'),
            Some('u') => {
                chars.next();
                let hex: String = chars
                    .by_ref()
                    .skip_while(|c| *c == '{')
                    .take_while(|c| *c != '}')
                    .collect();
                let code = u32::from_str_radix(&hex, 16).expect("a \\u{…} escape");
                out.push(char::from_u32(code).expect("a character"));
                continue;
            }
            _ => {
                out.push('\\');
                continue;
            }
        }
        chars.next();
    }
    out
}

/// The problems found, each with what it was found in.
pub struct Problems {
    texts: Vec<String>,
    list: Vec<String>,
}

impl Problems {
    fn new(texts: &[String]) -> Self {
        Self {
            texts: texts.to_vec(),
            list: Vec::new(),
        }
    }

    /// A problem in `what`; when that is "kind slot …" (`note 12 edit`), with the payload.
    pub fn push(&mut self, what: &str, problem: impl Into<String>) {
        let slot = what
            .split(' ')
            .nth(1)
            .and_then(|w| w.parse::<usize>().ok())
            .and_then(|i| self.texts.get(i));
        let payload = slot
            .map(|t| format!(" [payload {t:?}]"))
            .unwrap_or_default();
        self.list
            .push(format!("{what}: {}{payload}", problem.into()));
    }

    /// Checks every `*_html` field and every `snippet` in an API answer.
    pub fn json(&mut self, what: &str, value: &Value) {
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    if let (true, Some(html)) =
                        (key.ends_with("_html") || key == "snippet", v.as_str())
                    {
                        for problem in check_content(html) {
                            self.push(what, format!("{key}: {problem}"));
                        }
                    } else {
                        self.json(what, v);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| self.json(what, v)),
            _ => {}
        }
    }

    /// Checks a calendar file (see [`check_ics`]).
    pub fn ics(
        &mut self,
        what: &str,
        doc: &str,
        titles: &BTreeMap<String, String>,
        attendee: Option<&str>,
    ) {
        for problem in check_ics(doc, titles, attendee) {
            self.push(what, problem);
        }
    }
}

/// The checker fails on known-bad markup, and passes what kring writes itself.
pub async fn checker_catches_known_bad_markup(_: Backend) -> Result<()> {
    for bad in [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
        "<a href=\" JaVaScRiPt:alert(1)\">x</a>",
        "<a href=\"data:text/html,x\">x</a>",
        "<a href=\"vbscript:x\">x</a>",
        "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
        "<math><mi>x</mi></math>",
        "<p style=\"color:red\">x</p>",
        "<form action=\"/x\"><input name=a></form>",
        "<div hx-get=\"/uitloggen\" hx-trigger=\"load\">x</div>",
        "<iframe srcdoc=\"x\"></iframe>",
        "<img srcset=\"https://a/b.png 1x, javascript:alert(1) 2x\">",
        "<details open ontoggle=alert(1)>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    ] {
        ensure!(!check_content(bad).is_empty(), "content passed: {bad}");
    }
    let good = "<p><a href=\"https://kring.example\" rel=\"nofollow ugc noopener\">x</a> \
                <strong>b</strong> &lt;script&gt;</p><ul><li><mark>m</mark></li></ul>";
    ensure!(check_content(good).is_empty(), "{:?}", check_content(good));

    let page = |head: &str, body: &str| {
        format!(
            "<!DOCTYPE html><html lang=\"nl\"><head><title>t</title>{head}</head><body>{body}</body></html>"
        )
    };
    let own = page(
        "<script src=\"/assets/htmx.min.js\" defer></script><link rel=\"stylesheet\" href=\"/assets/k.css\">",
        "<form method=\"post\" action=\"/notities\"><input name=\"a\"><button>b</button></form>\
         <svg viewBox=\"0 0 1 1\"><a href=\"/p\"><path d=\"M0 0\"><title>t</title></path></a></svg>",
    );
    ensure!(check_page(&own).is_empty(), "{:?}", check_page(&own));
    for (head, body) in [
        ("<script>alert(1)</script>", ""),
        ("<script src=\"https://xss.example/a.js\"></script>", ""),
        ("<script src=\"/assets/a.js\">alert(1)</script>", ""),
        (
            "<link rel=\"stylesheet\" href=\"https://xss.example/a.css\">",
            "",
        ),
        ("<base href=\"https://xss.example/\">", ""),
        ("<meta http-equiv=\"refresh\" content=\"0\">", ""),
        ("", "<form action=\"https://xss.example/\"></form>"),
        ("", "<form action=\"//xss.example/\"></form>"),
        ("", "<button formaction=\"javascript:alert(1)\">x</button>"),
        ("", "<p style=\"color:red\">x</p>"),
        ("", "<style>p{}</style>"),
        ("", "<p onmouseover=\"alert(1)\">x</p>"),
        (
            "",
            "<svg><set attributeName=\"href\" to=\"javascript:alert(1)\"/></svg>",
        ),
        ("", "<object data=\"x\"></object>"),
    ] {
        ensure!(
            !check_page(&page(head, body)).is_empty(),
            "page passed: {head}{body}"
        );
    }
    let more = page(
        "<script src=\"/assets/htmx.min.js\" defer></script><link rel=\"stylesheet\" href=\"/assets/k.css\">",
        "<form method=\"post\" action=\"/notities\"><input name=\"a\"><button>b</button></form>\
         <svg viewBox=\"0 0 1 1\"><a href=\"/p\"><path d=\"M0 0\"><title>t</title></path></a></svg>\
         <form action=\"/uitloggen\" method=\"post\"><button>x</button></form>",
    );
    ensure!(!differences(&signature(&more), &signature(&own)).is_empty());
    ensure!(differences(&signature(&own), &signature(&own)).is_empty());

    let allowed: BTreeSet<String> = ["color:#1f5f3f;".to_string()].into();
    let mail = page(
        "",
        "<p><a href=\"https://kring.example/a\" style=\"color:#1f5f3f;\">a</a></p>",
    );
    ensure!(check_mail(&mail, &allowed).is_empty(), "mail");
    for body in [
        "<p style=\"color:red\">x</p>",
        "<a href=\"/relatief\">x</a>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<form></form>",
        "<img src=\"https://xss.example/pixel.png\">",
    ] {
        ensure!(
            !check_mail(&page("", body), &allowed).is_empty(),
            "mail passed: {body}"
        );
    }
    ensure!(
        mail_template_styles()?.len() > 3,
        "styles from the mail templates"
    );

    let titles: BTreeMap<String, String> = [("m1".to_string(), "Groen, dak".to_string())].into();
    let entry = |summary: &str, attendee: &str| kring::ical::Entry {
        uid: "m1@kring".into(),
        sequence: 0,
        method: kring::ical::Method::Request,
        summary: summary.into(),
        description: "Beschrijving".into(),
        starts: chrono::Utc::now(),
        ends: chrono::Utc::now(),
        location: None,
        url: "https://kring/bijeenkomsten/m1".into(),
        organizer: ("noreply@kring".into(), "kring".into()),
        attendee: Some(("a@b.nl".into(), attendee.into())),
    };
    let doc = kring::ical::document(&entry("Groen, dak", "Anna"));
    ensure!(
        check_ics(&doc, &titles, Some("a@b.nl")).is_empty(),
        "{:?}",
        check_ics(&doc, &titles, Some("a@b.nl"))
    );
    ensure!(!check_ics(&doc, &titles, Some("c@d.nl")).is_empty());
    let injected = doc.replace("SEQUENCE:0\r\n", "SEQUENCE:0\r\nATTENDEE:mailto:evil@x\r\n");
    ensure!(!check_ics(&injected, &titles, None).is_empty());
    let bare_cr = doc.replace("SEQUENCE:0\r\n", "SEQUENCE:0\rX-INJECTED:ja\r\n");
    ensure!(!check_ics(&bare_cr, &titles, None).is_empty());
    let other = kring::ical::document(&entry("Ander", "Anna"));
    ensure!(!check_ics(&other, &titles, None).is_empty());
    Ok(())
}

/// A page as loaded.
struct Loaded {
    path: String,
    html: String,
    /// Compare with the same page of the harmless instance.
    compare: bool,
}

/// Loads every page of `site` (following `rel="next"` where asked), by key.
async fn load(site: &Site) -> Result<BTreeMap<String, Loaded>> {
    let visits: Vec<(String, Who, String, bool, bool)> = site
        .visits
        .iter()
        .map(|(k, v)| (k.clone(), v.who, v.path.clone(), v.follow, v.compare))
        .collect();
    let loaded: Vec<Result<Vec<(String, Loaded)>>> = futures_util::stream::iter(visits)
        .map(|(key, who, path, follow, compare)| async move {
            let mut pages = Vec::new();
            let mut next = Some(path);
            while let Some(path) = next.take() {
                let html = site.page(who, &path).await?;
                if follow && pages.len() < 50 {
                    next = next_link(&html);
                }
                let key = if pages.is_empty() {
                    key.clone()
                } else {
                    format!("{key} page {}", pages.len() + 1)
                };
                pages.push((
                    key,
                    Loaded {
                        path,
                        html,
                        compare,
                    },
                ));
            }
            Ok(pages)
        })
        .buffer_unordered(4)
        .collect()
        .await;
    let mut out = BTreeMap::new();
    for pages in loaded {
        out.extend(pages?);
    }
    for (key, (path, html)) in &site.captured {
        let page = Loaded {
            path: path.clone(),
            html: html.clone(),
            compare: true,
        };
        out.insert(key.clone(), page);
    }
    Ok(out)
}

fn next_link(html: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse("a[rel~=next]").ok()?;
    doc.select(&selector)
        .next()
        .and_then(|a| a.value().attr("href"))
        .map(str::to_string)
}

/// Every kind of write, with the field texts it carries.
const KINDS: &[&str] = &[
    "topic",
    "note",
    "comment",
    "organisation",
    "practice",
    "meeting",
    "speaker",
    "agenda",
    "minutes",
    "poll",
    "registration",
    "waiting",
    "decline",
    "community",
    "programme",
    "enrolment",
    "token",
    "account",
];

pub async fn payloads_never_become_markup(backend: Backend) -> Result<()> {
    let texts = payloads();
    ensure!(texts.len() >= 50, "at least 50 payloads");
    let harmless: Vec<String> = (0..texts.len())
        .map(|i| format!("Veilige tekst {i} over alert, script, javascript, onerror en titel"))
        .collect();
    let mut problems = Problems::new(&texts);
    // No SMTP: the e-mails stay in the outbox, where `check_mails` reads them.
    let quiet = || Options {
        no_smtp: true,
        ..Options::default()
    };
    let (a_app, b_app) = tokio::try_join!(
        TestApp::start_with(&backend, quiet()),
        TestApp::start_with(&backend, quiet())
    )?;
    let (lead, follow) = watch::channel((0, BTreeSet::new()));
    let mut ignored = Problems::new(&[]);
    let (mut a, mut b) = tokio::try_join!(
        fill(a_app, &texts, Role::Lead(lead), &mut problems),
        fill(b_app, &harmless, Role::Follow(follow), &mut ignored)
    )?;
    // Only payloads a field refuses cleanly (422) are left out; a test that wrote nothing would
    // prove nothing.
    for kind in KINDS {
        let written = (0..texts.len())
            .filter(|i| a.accepted.contains(&format!("{kind}:{i}")))
            .count();
        ensure!(
            written + 3 >= texts.len(),
            "only {written} of {} {kind} writes were accepted",
            texts.len()
        );
    }
    guest_pages(&mut a).await?;
    guest_pages(&mut b).await?;
    for q in ["alert", "script", "javascript", "onerror", "titel"] {
        api_search(&a, q, &mut problems).await?;
    }
    check_mails(&a, &mut problems).await?;
    let (pages_a, pages_b) = tokio::try_join!(load(&a), load(&b))?;
    for (key, page) in &pages_a {
        let what = format!("{key} ({})", page.path);
        let (found, sign) = check_page_and_sign(&page.html);
        for problem in found {
            problems.push(&what, problem);
        }
        if !page.compare {
            continue;
        }
        match pages_b.get(key) {
            Some(harmless) => {
                for d in differences(&sign, &signature(&harmless.html)) {
                    problems.push(&what, d);
                }
            }
            None => problems.push(&what, "not on the instance with harmless text"),
        }
    }
    a.app.stop().await;
    b.app.stop().await;
    if !problems.list.is_empty() {
        bail!(
            "{} problems (the first 150):\n{}",
            problems.list.len(),
            problems
                .list
                .iter()
                .take(150)
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    Ok(())
}
