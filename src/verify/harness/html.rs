//! The harness page's HTML: the fixture around the page's own inline snippet.

use serde::Serialize;

use super::{Element, Fixture};
use crate::escape::html::html_attr;

/// The harness page: the fixture around the page's inline snippet.
#[must_use]
pub fn render(fixture: &Fixture, snippet: &str, title: &str) -> String {
    let mut h = String::from("<!doctype html>\n<html><head><meta charset=\"utf-8\">\n");
    h.push_str(&format!("<title>{}</title>\n", html_attr(title)));
    for m in &fixture.meta {
        h.push_str(&format!(
            "<meta {}=\"{}\" content=\"{}\">\n",
            if m.attr == "property" {
                "property"
            } else {
                "name"
            },
            html_attr(&m.key),
            html_attr(&m.content)
        ));
    }
    let mut setup = String::new();
    for (k, v) in &fixture.cookies {
        setup.push_str(&format!(
            "document.cookie = {} + '=' + encodeURIComponent({}) + '; path=/';\n",
            js(k),
            js(v)
        ));
    }
    for (path, v) in &fixture.window {
        setup.push_str(&format!(
            "(function (p, v) {{ var o = window; for (var i = 0; i < p.length - 1; i++) o = o[p[i]] = o[p[i]] || {{}}; o[p[p.length - 1]] = v; }})({}, {});\n",
            js(&path.split('.').collect::<Vec<_>>()),
            js(v)
        ));
    }
    if !fixture.data_layer.is_empty() {
        setup.push_str(&format!(
            "window.dataLayer = (window.dataLayer || []).concat({});\n",
            js(&fixture.data_layer)
        ));
    }
    // Forms submit nowhere: the page must stay for the check to read the calls.
    setup.push_str("document.addEventListener('submit', function (e) { e.preventDefault(); });\n");
    h.push_str(&format!("<script>\n{setup}</script>\n"));
    h.push_str(snippet);
    h.push_str("\n</head><body>\n");
    for e in &fixture.body {
        element(&mut h, e);
        h.push('\n');
    }
    h.push_str("</body></html>\n");
    h
}

fn js<T: Serialize + ?Sized>(v: &T) -> String {
    crate::escape::html::js(v).unwrap_or_else(|_| "null".to_owned())
}

pub(super) fn element(out: &mut String, e: &Element) {
    let tag: String = e.tag.chars().filter(char::is_ascii_alphanumeric).collect();
    let tag = if tag.is_empty() {
        "div".to_owned()
    } else {
        tag
    };
    out.push('<');
    out.push_str(&tag);
    for (k, v) in &e.attrs {
        let name: String = k
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
            .collect();
        if name.is_empty() {
            continue;
        }
        out.push_str(&format!(" {name}=\"{}\"", html_attr(v)));
    }
    out.push('>');
    if let Some(t) = &e.text {
        out.push_str(&html_attr(t));
    }
    for c in &e.children {
        element(out, c);
    }
    if !matches!(tag.as_str(), "input" | "img" | "br" | "hr" | "meta") {
        out.push_str(&format!("</{tag}>"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::harness::MetaTag;

    #[test]
    fn hostile_values_stay_inert_in_the_page() {
        let f = Fixture {
            meta: vec![MetaTag {
                attr: "name".into(),
                key: "x\"><script>alert(1)</script>".into(),
                content: "</script>".into(),
            }],
            data_layer: vec![serde_json::json!({"a": "</script><script>alert(1)</script>"})],
            body: vec![Element {
                tag: "button".into(),
                text: Some("<img src=x onerror=alert(1)>".into()),
                ..Element::default()
            }],
            ..Fixture::default()
        };
        let page = render(&f, "<script>/*snippet*/</script>", "t");
        assert_eq!(page.matches("<script>").count(), 2, "{page}");
        assert!(!page.contains("<img"));
    }
}
