//! Markdown to safe HTML: one renderer (pulldown-cmark) and one allow-list sanitiser (ammonia).

use std::sync::OnceLock;

/// HTML that went through the sanitiser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SafeHtml(String);

impl SafeHtml {
    /// The HTML.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Takes the HTML out.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// The one allow-list.
fn allow_list() -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("nofollow ugc noopener"))
        .rm_tags(["img"]);
    builder
}

fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(allow_list)
}

/// Renders Markdown and keeps only harmless markup: no scripts, event handlers, styles, images,
/// or `javascript:`/`data:` links; every link gets `rel="nofollow ugc noopener"`.
pub fn render(markdown: &str) -> SafeHtml {
    use pulldown_cmark::{Options, Parser, html};
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS,
    );
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, parser);
    SafeHtml(cleaner().clean(&raw).to_string())
}

/// Renders Markdown that sits under a heading of level `top - 1` on a page (minutes under
/// "Verslag"): its headings shift so the highest becomes `<h{top}>` (never beyond `<h6>`), and
/// raw HTML headings above `top` lose their tags (their text stays), so the page keeps one `<h1>`
/// and its heading order. Otherwise exactly as [`render`].
pub fn render_nested(markdown: &str, top: u8) -> SafeHtml {
    use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};
    let top = top.clamp(1, 6);
    let events: Vec<Event<'_>> = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS,
    )
    .collect();
    let highest = events
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(*level as usize),
            _ => None,
        })
        .min()
        .unwrap_or(1);
    let shift = |level: HeadingLevel| {
        let n = (level as usize + usize::from(top)).saturating_sub(highest);
        HeadingLevel::try_from(n.clamp(1, 6)).unwrap_or(HeadingLevel::H6)
    };
    let events = events.into_iter().map(|e| match e {
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Event::Start(Tag::Heading {
            level: shift(level),
            id,
            classes,
            attrs,
        }),
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(shift(level))),
        other => other,
    });
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, events);
    let above = ["h1", "h2", "h3", "h4", "h5"];
    let mut cleaner = allow_list();
    cleaner.rm_tags(above.iter().take(usize::from(top) - 1));
    SafeHtml(cleaner.clean(&raw).to_string())
}

#[cfg(test)]
mod tests {
    use super::{render, render_nested};

    #[test]
    fn nested_headings_start_below_the_page_heading() {
        let html = render_nested("# Verslag\n\n## Aanwezig\n\n<h1>Groot</h1>\n\n#### Diep", 3);
        let html = html.as_str();
        assert!(html.contains("<h3>Verslag</h3>"), "{html}");
        assert!(html.contains("<h4>Aanwezig</h4>"), "{html}");
        assert!(html.contains("<h6>Diep</h6>"), "{html}");
        assert!(!html.contains("<h1>") && html.contains("Groot"), "{html}");
        let html = render_nested("## Alleen\n\n### Onder", 3);
        assert!(html.as_str().contains("<h3>Alleen</h3>"), "{html:?}");
        assert!(html.as_str().contains("<h4>Onder</h4>"), "{html:?}");
    }

    #[test]
    fn renders_markdown() {
        let html = render("# Verslag\n\n- **besluit** genomen\n\n[site](https://kring.example)");
        assert!(html.as_str().contains("<h1>Verslag</h1>"));
        assert!(html.as_str().contains("<strong>besluit</strong>"));
        assert!(html.as_str().contains("rel=\"nofollow ugc noopener\""));
    }

    #[test]
    fn strips_script_and_dangerous_links() {
        for payload in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[klik](javascript:alert(1))",
            "[klik](data:text/html;base64,PHNjcmlwdD4=)",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<svg onload=alert(1)>",
            "<div style=\"background:url(javascript:alert(1))\">x</div>",
            "![x](javascript:alert(1))",
        ] {
            let html = render(payload).into_string().to_lowercase();
            assert!(!html.contains("<script"), "{payload}: {html}");
            assert!(!html.contains("javascript:"), "{payload}: {html}");
            assert!(
                !html.contains("onerror") && !html.contains("onload"),
                "{payload}: {html}"
            );
            assert!(!html.contains("data:text"), "{payload}: {html}");
            assert!(!html.contains("style="), "{payload}: {html}");
        }
    }
}
