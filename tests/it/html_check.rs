//! An HTML checker for the XSS tests. It parses markup with html5ever (through `scraper`), the
//! way a browser builds its tree, walks every element and lists what could run script or act on
//! the reader's behalf. Three strengths: user content (`*_html` fields, snippets) allows only
//! harmless markup; whole pages allow kring's own scripts, forms and inline SVG; e-mails allow
//! kring's own inline styles. [`signature`] counts the sensitive elements of a page, so a test
//! can compare a page full of payloads with the same page full of harmless text.

use std::collections::{BTreeMap, BTreeSet};

use scraper::{ElementRef, Html};

const SVG: &str = "http://www.w3.org/2000/svg";
const MATHML: &str = "http://www.w3.org/1998/Math/MathML";

/// Attributes that hold a URL (or a list of them) a browser may load or navigate to.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "srcset",
    "data",
    "poster",
    "background",
    "lowsrc",
    "dynsrc",
    "codebase",
    "cite",
    "longdesc",
    "usemap",
    "classid",
    "icon",
    "manifest",
    "archive",
    "ping",
    "to",
    "from",
    "values",
];

/// Elements that never belong in a kring page, page or user content alike.
const NEVER: &[&str] = &[
    "iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal", "isindex",
];

/// Elements that user content must not contain, besides [`NEVER`].
const NOT_IN_CONTENT: &[&str] = &[
    "script", "style", "link", "meta", "form", "input", "button", "select", "textarea", "option",
    "template", "noscript", "svg", "math", "title", "body", "head", "html",
];

/// Elements counted by [`signature`].
const COUNTED: &[&str] = &[
    "script", "style", "link", "meta", "form", "input", "button", "select", "textarea", "option",
    "template", "noscript", "svg", "math", "img", "video", "audio", "source", "iframe", "object",
    "embed", "base",
];

/// The URL as a browser reads its scheme: entities are already decoded by the parser; ASCII
/// whitespace and control characters are dropped (browsers strip them at the ends and drop tabs
/// and newlines inside) and the rest lower-cased.
fn normalise_url(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// The dangerous scheme a URL attribute starts with, if any (`srcset` and friends: any of its
/// comma-separated candidates). kring writes no `data:` URLs, so any is a user's.
fn dangerous_scheme(value: &str) -> Option<&'static str> {
    value.split(',').find_map(|candidate| {
        let url = normalise_url(candidate);
        ["javascript:", "vbscript:", "livescript:", "data:"]
            .into_iter()
            .find(|s| url.starts_with(s))
    })
}

fn is_htmx(name: &str) -> bool {
    name.starts_with("hx-") || name.starts_with("data-hx-")
}

fn describe(el: &ElementRef<'_>) -> String {
    let mut html = el.html();
    if html.len() > 160 {
        let mut cut = 160;
        while !html.is_char_boundary(cut) {
            cut -= 1;
        }
        html.truncate(cut);
        html.push('…');
    }
    html
}

fn elements(doc: &Html) -> impl Iterator<Item = ElementRef<'_>> {
    doc.tree.nodes().filter_map(ElementRef::wrap)
}

/// The rules for every element, wherever it is: no frames or plugins, no event handlers, no
/// `srcdoc`, no `javascript:`, `vbscript:` or `data:` URLs.
fn common(el: &ElementRef<'_>, problems: &mut Vec<String>) {
    let name = el.value().name();
    if NEVER.contains(&name) {
        problems.push(format!("<{name}> element: {}", describe(el)));
    }
    if name == "meta" && el.value().attr("http-equiv").is_some() {
        problems.push(format!("<meta http-equiv>: {}", describe(el)));
    }
    for (attr, value) in el.value().attrs() {
        let attr = attr.to_ascii_lowercase();
        if attr.starts_with("on") {
            problems.push(format!("event handler {attr}: {}", describe(el)));
        }
        if attr == "srcdoc" || attr.starts_with("hx-on") || attr.starts_with("data-hx-on") {
            problems.push(format!("{attr} attribute: {}", describe(el)));
        }
        if URL_ATTRIBUTES.contains(&attr.as_str())
            && let Some(scheme) = dangerous_scheme(value)
        {
            problems.push(format!("{scheme} URL in {attr}: {}", describe(el)));
        }
    }
}

/// Problems in user content: a sanitised `*_html` value or a search snippet. Only harmless
/// markup may remain: no scripts, styles, forms or form controls, SVG or MathML, no event
/// handlers, `style` or htmx attributes, and no `javascript:`, `vbscript:` or `data:` URLs.
pub fn check_content(html: &str) -> Vec<String> {
    let doc = Html::parse_fragment(html);
    let mut problems = Vec::new();
    // The fragment parser wraps the content in <html>; that one is ours.
    let root = doc.root_element();
    for el in root.descendants().skip(1).filter_map(ElementRef::wrap) {
        common(&el, &mut problems);
        let value = el.value();
        let name = value.name();
        if NOT_IN_CONTENT.contains(&name) {
            problems.push(format!("<{name}> in user content: {}", describe(&el)));
        }
        let ns: &str = &value.name.ns;
        if ns == SVG || ns == MATHML {
            problems.push(format!("SVG/MathML element <{name}>: {}", describe(&el)));
        }
        for (attr, _) in value.attrs() {
            if attr.eq_ignore_ascii_case("style") || is_htmx(&attr.to_ascii_lowercase()) {
                problems.push(format!(
                    "{attr} attribute in user content: {}",
                    describe(&el)
                ));
            }
        }
    }
    problems
}

/// A form action kring itself would write: empty or a path on this site.
fn local_action(value: &str) -> bool {
    let v = normalise_url(value);
    v.is_empty() || (v.starts_with('/') && !v.starts_with("//") && !v.starts_with("/\\"))
}

/// Problems in a whole page (or a standalone SVG) of kring: the rules of every element, plus
/// scripts only as same-origin files from `/assets/` without inline code, no `<style>` elements
/// or `style` attributes (kring's pages use none), forms and buttons that post to kring only, and
/// style sheets from `/assets/` only.
pub fn check_page(html: &str) -> Vec<String> {
    page_problems(&Html::parse_document(html))
}

/// [`check_page`] and [`signature`] of one page, parsed once.
pub fn check_page_and_sign(html: &str) -> (Vec<String>, BTreeMap<String, usize>) {
    let doc = Html::parse_document(html);
    (page_problems(&doc), signature_of(&doc))
}

fn page_problems(doc: &Html) -> Vec<String> {
    let mut problems = Vec::new();
    for el in elements(doc) {
        common(&el, &mut problems);
        let value = el.value();
        match value.name() {
            "script" => {
                let src = value.attr("src").unwrap_or("");
                let inline = el.text().any(|t| !t.trim().is_empty());
                if !src.starts_with("/assets/") || inline {
                    problems.push(format!("script: {}", describe(&el)));
                }
            }
            "style" => problems.push(format!("<style> element: {}", describe(&el))),
            "link" if !value.attr("href").unwrap_or("").starts_with("/assets/") => {
                problems.push(format!("link to elsewhere: {}", describe(&el)));
            }
            _ => {}
        }
        for (attr, v) in value.attrs() {
            let attr = attr.to_ascii_lowercase();
            if attr == "style" {
                problems.push(format!("style attribute: {}", describe(&el)));
            }
            if (attr == "action" || attr == "formaction") && !local_action(v) {
                problems.push(format!("form to elsewhere: {}", describe(&el)));
            }
        }
    }
    problems
}

/// Problems in the HTML part of an e-mail: the rules of every element, and nothing active at
/// all (no scripts, styles, forms, SVG or MathML); links only to http(s) and mailto; `style`
/// attributes only with a value that kring's mail templates contain literally (`allowed`).
pub fn check_mail(html: &str, allowed: &BTreeSet<String>) -> Vec<String> {
    let doc = Html::parse_document(html);
    let mut problems = Vec::new();
    for el in elements(&doc) {
        common(&el, &mut problems);
        let value = el.value();
        let name = value.name();
        if [
            "script", "style", "link", "form", "input", "button", "select", "textarea", "svg",
            "math", "img", "template",
        ]
        .contains(&name)
        {
            problems.push(format!("<{name}> in an e-mail: {}", describe(&el)));
        }
        for (attr, v) in value.attrs() {
            let attr = attr.to_ascii_lowercase();
            if attr == "style" && !allowed.contains(v) {
                problems.push(format!("style not from a template: {}", describe(&el)));
            }
            if attr == "href" {
                let url = normalise_url(v);
                if !["http://", "https://", "mailto:"]
                    .iter()
                    .any(|s| url.starts_with(s))
                {
                    problems.push(format!("link in an e-mail: {}", describe(&el)));
                }
            }
        }
    }
    problems
}

/// The `style="…"` values that kring's mail templates write, read from `templates/mail`.
pub fn mail_template_styles() -> std::io::Result<BTreeSet<String>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/mail");
    let mut styles = BTreeSet::new();
    for entry in std::fs::read_dir(dir)? {
        let text = std::fs::read_to_string(entry?.path())?;
        for part in text.split("style=\"").skip(1) {
            if let Some(end) = part.find('"') {
                styles.insert(part[..end].to_string());
            }
        }
    }
    Ok(styles)
}

/// How many of each sensitive thing a page has: elements that run, load, post or draw
/// ([`COUNTED`]), elements in the SVG and MathML namespaces, htmx, `style` and `name` attributes
/// (form fields). Two renderings
/// of one page that differ only in the text users wrote must have the same signature.
pub fn signature(html: &str) -> BTreeMap<String, usize> {
    signature_of(&Html::parse_document(html))
}

fn signature_of(doc: &Html) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for el in elements(doc) {
        let value = el.value();
        let name = value.name();
        if COUNTED.contains(&name) {
            *counts.entry(format!("<{name}>")).or_default() += 1;
        }
        let ns: &str = &value.name.ns;
        if ns == SVG || ns == MATHML {
            *counts.entry(format!("{ns} elements")).or_default() += 1;
        }
        for (attr, _) in value.attrs() {
            let attr = attr.to_ascii_lowercase();
            if is_htmx(&attr) || attr == "style" || attr == "name" {
                *counts.entry(format!("{attr}=")).or_default() += 1;
            }
        }
    }
    counts
}

/// The differences between two signatures, as readable lines.
pub fn differences(
    got: &BTreeMap<String, usize>,
    expected: &BTreeMap<String, usize>,
) -> Vec<String> {
    let keys: BTreeSet<&String> = got.keys().chain(expected.keys()).collect();
    keys.into_iter()
        .filter_map(|k| {
            let (g, e) = (
                got.get(k).copied().unwrap_or(0),
                expected.get(k).copied().unwrap_or(0),
            );
            (g != e).then(|| format!("{k}: {g} with payloads, {e} with harmless text"))
        })
        .collect()
}
