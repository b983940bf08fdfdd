//! GitHub-flavoured Markdown, for reports meant to be read in a pull-request comment or a
//! job summary: a cell of a table, or a piece of inline code.
//!
//! Markdown has no "raw text" context: every ASCII punctuation character can start some
//! markup, GitHub also renders inline HTML, and `@name` or `#1` would notify people or
//! link issues. So [`table_cell`] backslash-escapes the
//! characters that start emphasis, links, code, headings or table cells, turns `<`, `>`
//! and `&` into entities (no tag, comment or entity can open), and writes line breaks as
//! `<br>` (a table row is one line). Control characters and bidirectional overrides are
//! made visible first ([`super::terminal::visible`]).

/// Escapes text for one cell of a Markdown table (it is safe in running text too): the
/// result is one line that renders as exactly `s`, with no markup, link, HTML or cell
/// boundary of its own. Line breaks (`\n`, `\r\n`) become `<br>`.
#[must_use]
pub fn table_cell(s: &str) -> String {
    let lines: Vec<String> = s
        .split('\n')
        .map(|line| escape_line(line.strip_suffix('\r').unwrap_or(line)))
        .collect();
    lines.join("<br>")
}

fn escape_line(line: &str) -> String {
    let clean = super::terminal::visible(line);
    let mut out = String::with_capacity(clean.len());
    for c in clean.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '#' | '|' | '~' | '!' | '{' | '}'
            | '+' | '-' | '.' | '=' | ':' | '"' | '\'' | '$' | '@' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// `s` as inline code (`` `…` ``) that is also safe in a table cell: the fence is longer
/// than any run of backticks in `s` (padded with a space when `s` starts or ends with
/// one), `|` is written `\|` (GitHub splits cells before it reads code spans), and line
/// breaks become spaces. Control characters and bidirectional overrides are made visible.
#[must_use]
pub fn code_span(s: &str) -> String {
    let one_line = s.replace("\r\n", " ").replace(['\n', '\r'], " ");
    let clean = super::terminal::visible(&one_line).replace('|', "\\|");
    let mut longest = 0;
    let mut run = 0;
    for c in clean.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    if clean.is_empty() {
        // An empty code span does not exist: a space is the closest thing.
        return "` `".to_owned();
    }
    let pad = if clean.starts_with('`') || clean.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{clean}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_stays_one_cell_on_one_line() {
        assert_eq!(table_cell("a|b"), "a\\|b");
        assert_eq!(table_cell("one\ntwo\r\nthree"), "one<br>two<br>three");
        assert_eq!(table_cell("x\ry"), "x\\\\ry");
        let hostile = table_cell("| --- |\n| x | y |");
        assert!(!hostile.contains('\n'), "{hostile}");
        assert!(!hostile.contains(" | "), "{hostile}");
    }

    #[test]
    fn no_markup_or_html_survives() {
        assert_eq!(
            table_cell("<script>alert(1)</script>"),
            "&lt;script&gt;alert\\(1\\)&lt;/script&gt;"
        );
        assert_eq!(table_cell("]]>"), "\\]\\]&gt;");
        assert_eq!(
            table_cell("`code` *em* [l](u)"),
            "\\`code\\` \\*em\\* \\[l\\]\\(u\\)"
        );
        assert_eq!(table_cell("&amp; <!--"), "&amp;amp; &lt;\\!\\-\\-");
        assert_eq!(table_cell("%0A::error::x"), "%0A\\:\\:error\\:\\:x");
        assert_eq!(table_cell("a\\|b"), "a\\\\\\|b");
        assert_eq!(table_cell("@team #1"), "\\@team \\#1");
        assert_eq!(
            table_cell("\u{1b}[1m\u{202e}"),
            "\\\\u\\{1b\\}\\[1m\\\\u\\{202e\\}"
        );
    }

    #[test]
    fn code_spans_outlast_their_backticks() {
        assert_eq!(code_span("value"), "`value`");
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`x``"), "``` `x`` ```");
        assert_eq!(code_span(""), "` `");
        assert_eq!(code_span("a|b\nc"), "`a\\|b c`");
        assert_eq!(code_span("<b>]]>"), "`<b>]]>`");
    }
}
