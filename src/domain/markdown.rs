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

fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        builder
            .url_schemes(["http", "https", "mailto"].into_iter().collect())
            .link_rel(Some("nofollow ugc noopener"))
            .rm_tags(["img"]);
        builder
    })
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

#[cfg(test)]
mod tests {
    use super::render;

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
