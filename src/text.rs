//! How tagc compares an element's text with a button's `text:` — one definition, below
//! every stage that needs it: resolve (the site's buttons), validate (an empty `text:`
//! step), the browser recorder and the verify harness, and the runtime's `tidy`
//! (`src/emit/templates/text.js.j2`, checked against it by `tests/text.rs`).

/// Collapses runs of whitespace to one space and trims, exactly as the runtime's `tidy`
/// does before comparing an element's text (`src/emit/templates/text.js.j2`): whitespace
/// is JavaScript's `\s`, which has U+FEFF and not U+0085 (unlike Rust's).
#[must_use]
pub fn normalize_text(s: &str) -> String {
    let js_space = |c: char| (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}';
    s.split(js_space)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
