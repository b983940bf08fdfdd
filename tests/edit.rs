//! `tagc::edit` and `tagc::escape::yaml`: buttons and pages inserted into a configuration's
//! text in place (insta snapshots of the resulting files), every original byte outside the
//! inserted range kept, every result checked by `tagc check`; hostile strings written as
//! YAML scalars read back unchanged; the compare-and-swap write and its undo.
//!
//! Regenerate with `INSTA_UPDATE=always cargo test --test edit` and read every `.snap`.

use std::path::{Path, PathBuf};

use serde_json::{Number, Value};
use tagc::edit::{
    self, EditError, NewButton, NewLocator, NewPage, NewParam, insert_button, insert_page,
};
use tagc::escape::yaml::scalar;
use tagc::load::Limits;
use tagc::model::{ParamType, Source, Trigger};
use tagc::source::FileId;

/// What every test configuration starts with: enough for `tagc check` to pass.
const HEAD: &str = "\
pixels:
  - name: main
    ids:
      production: \"123456789012345\"
graph:
  version: v25.0
consent: none
";

fn lead(id: &str, text: &str) -> NewButton {
    NewButton {
        id: id.to_owned(),
        locator: NewLocator::Text {
            text: text.to_owned(),
            within: None,
        },
        event: "Lead".to_owned(),
        custom: false,
        params: Vec::new(),
        on: Trigger::Click,
    }
}

/// The inserted text, after checking that `after` is `before` with one contiguous
/// insertion: the original's prefix and suffix byte-identical, nothing removed.
fn inserted<'a>(before: &str, after: &'a str) -> &'a str {
    let prefix = before
        .bytes()
        .zip(after.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let suffix = before
        .bytes()
        .rev()
        .zip(after.bytes().rev())
        .take_while(|(a, b)| a == b)
        .count()
        .min(before.len() - prefix);
    assert_eq!(
        prefix + suffix,
        before.len(),
        "an original byte changed:\n{after}"
    );
    assert!(after.len() > before.len(), "nothing inserted");
    &after[prefix..after.len() - suffix]
}

/// Writes `files` (name, text) to a temporary directory and checks `tagc.yaml` there:
/// no errors.
fn checks(files: &[(&str, &str)]) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    assert_no_errors(&dir.path().join("tagc.yaml"));
}

fn assert_no_errors(root: &Path) {
    let checked =
        tagc::check::check_paths(&[root.to_path_buf()], Limits::default()).expect("readable");
    let errors: Vec<String> = checked
        .diagnostics
        .as_slice()
        .iter()
        .filter(|d| d.severity == tagc::diagnostic::Severity::Error)
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// Inserts `button` into page `page` of `before` (a whole root file), checks the
/// insertion and the result, and returns the result.
fn button_into(before: &str, page: usize, button: &NewButton) -> String {
    let after = insert_button(before, page, button).expect("inserts");
    inserted(before, &after);
    checks(&[("tagc.yaml", &after)]);
    after
}

#[test]
fn block_list_two_spaces() {
    let before = format!(
        "{HEAD}
pages:
  - id: landing
    url: /
    buttons:
      - id: attend
        text: Asistir presencial
        event: Lead
  - id: other
    url: /other
"
    );
    let after = button_into(&before, 0, &lead("online", "Asistir online"));
    insta::assert_snapshot!("block_list_two_spaces", after);
}

#[test]
fn block_list_four_spaces() {
    let before = "\
pixels:
    -   name: main
        ids:
            production: \"123456789012345\"
graph:
    version: v25.0
consent: none
pages:
    -   id: landing
        url:
            - /
        buttons:
            -   id: attend
                text: Asistir presencial
                event: Lead
";
    let after = button_into(before, 0, &lead("online", "Asistir online"));
    insta::assert_snapshot!("block_list_four_spaces", after);
}

#[test]
fn indentless_sequences() {
    let before = "\
pixels:
- name: main
  ids:
    production: \"123456789012345\"
graph:
  version: v25.0
consent: none
pages:
- id: landing
  url:
  - /
  buttons:
  - id: attend
    text: Asistir presencial
    event: Lead
- id: other
  url: /other
";
    let after = button_into(before, 0, &lead("online", "Asistir online"));
    insta::assert_snapshot!("indentless_block_list", after);
    // A page without buttons in the same style: `buttons:` indentless too.
    let after = button_into(before, 1, &lead("contact", "Contactar"));
    insta::assert_snapshot!("indentless_new_buttons_key", after);
}

#[test]
fn flow_list() {
    let before = format!(
        "{HEAD}pages:
  - id: landing
    url: /
    buttons: [{{id: attend, text: Asistir presencial, event: Lead}}] # the only one
"
    );
    let after = button_into(&before, 0, &lead("online", "Asistir: online"));
    insta::assert_snapshot!("flow_list", after);

    let before = format!(
        "{HEAD}pages:
  - id: landing
    url: /
    buttons: [
      {{id: attend, text: Asistir presencial, event: Lead}},  # trailing comma
    ]
"
    );
    let after = button_into(&before, 0, &lead("online", "Asistir online"));
    insta::assert_snapshot!("flow_list_multiline_trailing_comma", after);
}

#[test]
fn empty_flow_list() {
    let before = format!("{HEAD}pages:\n  - id: landing\n    url: /\n    buttons: []\n");
    let after = button_into(&before, 0, &lead("attend", "Asistir presencial"));
    insta::assert_snapshot!("empty_flow_list", after);
}

#[test]
fn block_page_without_buttons() {
    let before = format!(
        "{HEAD}pages:
  - id: landing
    url:
      - /
      - /congreso/{{edition}}
    on_load:
      - event: ViewContent
        params:
          content_category: {{from: url_param, name: edition}}
    # a comment after on_load, deeper than the page's keys

  # a comment at the list's column
  - id: other
    url: /other
"
    );
    let after = button_into(&before, 0, &lead("attend", "Asistir presencial"));
    insta::assert_snapshot!("block_page_without_buttons", after);
    // Only `id` and `url`, as the last page, file without a final newline.
    let before = format!("{HEAD}pages:\n  - id: landing\n    url: /");
    let after = button_into(&before, 0, &lead("attend", "Asistir presencial"));
    insta::assert_snapshot!("block_page_without_buttons_no_final_newline", after);
}

#[test]
fn flow_page() {
    let before =
        format!("{HEAD}pages:\n  - {{id: landing, url: /}}  # flow\n  - {{id: b, url: /b, }}\n");
    let after = button_into(&before, 0, &lead("attend", "Asistir presencial"));
    insta::assert_snapshot!("flow_page", after);
    let after = button_into(&before, 1, &lead("attend", "Asistir presencial"));
    insta::assert_snapshot!("flow_page_trailing_comma", after);
}

#[test]
fn last_button_with_a_block_scalar_and_trailing_comments() {
    let before = format!(
        "{HEAD}pages:
  - id: landing
    url: /
    buttons:
      - id: attend
        text: Asistir presencial
        event: Lead
        params:
          content_name: |
            Congreso

            Web 2027
        # about attend, at its keys' column

      # at the dash column: stays after the new button

    # at the page's keys: stays after
# top level
  - id: other
    url: /other
"
    );
    let after = button_into(&before, 0, &lead("online", "Asistir online"));
    insta::assert_snapshot!("block_scalar_and_comments", after);
}

#[test]
fn crlf_file() {
    let before = format!(
        "{HEAD}pages:\n  - id: landing\n    url: /\n    buttons:\n      - id: attend\n        text: Asistir presencial\n        event: Lead\n"
    )
    .replace('\n', "\r\n");
    let after = button_into(&before, 0, &lead("online", "Asistir online"));
    let added = inserted(&before, &after);
    assert_eq!(added.matches("\r\n").count(), added.matches('\n').count());
    assert!(after.split_inclusive('\n').all(|l| l.ends_with("\r\n")));
    insta::assert_snapshot!("crlf", after.replace('\r', "␍"));
    let page = insert_page(&before, &new_page()).expect("inserts");
    inserted(&before, &page);
    assert!(page.split_inclusive('\n').all(|l| l.ends_with("\r\n")));
}

#[test]
fn pages_in_an_included_file() {
    let root = format!("{HEAD}include:\n  - pages.yaml\n");
    let before = "# The site's pages.\npages:\n  - id: landing # home\n    url: /\n    buttons:\n      - id: attend\n        text: Asistir presencial\n        event: Lead\n";
    let after = insert_button(before, 0, &lead("online", "Asistir online")).expect("inserts");
    inserted(before, &after);
    checks(&[("tagc.yaml", &root), ("pages.yaml", &after)]);
    insta::assert_snapshot!("included_file", after);
}

#[test]
fn the_issue_case_asistir_presencial_lead_without_value() {
    let before = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/event-landing/tagc.yaml"),
    )
    .expect("example");
    // The example without its `attend` button: pick adds it back.
    let without = before.replace(
        "      - id: attend\n        text: Asistir presencial\n        event: Lead\n",
        "",
    );
    assert_ne!(without, before);
    let after = button_into(
        &without,
        0,
        &lead("asistir-presencial", "Asistir presencial"),
    );
    let added = inserted(&without, &after);
    assert_eq!(
        added,
        "      - id: asistir-presencial\n        text: Asistir presencial\n        event: Lead\n"
    );
    insta::assert_snapshot!("issue_asistir_presencial", added);
}

#[test]
fn a_button_with_parameters_selector_and_submit() {
    let before = format!(
        "{HEAD}pages:\n  - id: shop\n    url: /p/{{slug}}\n    buttons:\n      - id: view\n        selector: a.more\n        event: ViewContent\n"
    );
    let button = NewButton {
        id: "add".to_owned(),
        locator: NewLocator::Selector("button.add-to-cart[data-x=\"1\"]".to_owned()),
        event: "AddToCart".to_owned(),
        custom: false,
        params: vec![
            (
                "value".to_owned(),
                NewParam::Source(Source::Attribute {
                    name: "data-price".to_owned(),
                    closest: Some(".product-card".to_owned()),
                    ty: ParamType::Number,
                }),
            ),
            ("currency".to_owned(), NewParam::Text("EUR".to_owned())),
            (
                "content_name".to_owned(),
                NewParam::Source(Source::UrlParam {
                    name: "slug".to_owned(),
                    ty: ParamType::String,
                }),
            ),
        ],
        on: Trigger::Click,
    };
    let after = button_into(&before, 0, &button);
    insta::assert_snapshot!("params_and_selector", inserted(&before, &after));

    let form = NewButton {
        id: "signup".to_owned(),
        locator: NewLocator::Text {
            text: "Sign up".to_owned(),
            within: Some("form#newsletter".to_owned()),
        },
        event: "JoinWaitlist".to_owned(),
        custom: true,
        params: vec![("value".to_owned(), NewParam::Number(Number::from(25)))],
        on: Trigger::Submit,
    };
    let after = insert_button(&before, 0, &form).expect("inserts");
    insta::assert_snapshot!("custom_submit_within", inserted(&before, &after));
}

fn new_page() -> NewPage {
    NewPage {
        id: "gracias".to_owned(),
        url: "/gracias/{id}".to_owned(),
        button: lead("volver", "Volver al inicio"),
    }
}

#[test]
fn a_new_page_into_block_pages() {
    let before = format!(
        "{HEAD}pages:\n  - id: landing\n    url: /\n    buttons:\n      - id: attend\n        text: Asistir presencial\n        event: Lead\n\n# the end\n"
    );
    let after = insert_page(&before, &new_page()).expect("inserts");
    inserted(&before, &after);
    checks(&[("tagc.yaml", &after)]);
    insta::assert_snapshot!("new_page_block", after);
}

#[test]
fn a_new_page_into_flow_pages() {
    let before = format!("{HEAD}pages: [{{id: landing, url: /}}]\n");
    let after = insert_page(&before, &new_page()).expect("inserts");
    inserted(&before, &after);
    checks(&[("tagc.yaml", &after)]);
    insta::assert_snapshot!("new_page_flow", after);
}

#[test]
fn a_new_page_into_a_file_without_pages() {
    let before = format!("{HEAD}# no pages yet");
    let after = insert_page(&before, &new_page()).expect("inserts");
    inserted(&before, &after);
    checks(&[("tagc.yaml", &after)]);
    insta::assert_snapshot!("new_page_no_pages", after);
    // Indentless style, and an included file that is empty.
    let before = HEAD
        .replace("  - name", "- name")
        .replace("    ids", "  ids")
        .replace("      production", "    production");
    let after = insert_page(&before, &new_page()).expect("inserts");
    inserted(&before, &after);
    checks(&[("tagc.yaml", &after)]);
    assert!(after.ends_with("pages:\n- id: gracias\n  url: \"/gracias/{id}\"\n  buttons:\n  - id: volver\n    text: Volver al inicio\n    event: Lead\n"), "{after}");
    for empty in ["", "\n", "# nothing yet\r\n\r\n"] {
        let after = insert_page(empty, &new_page()).expect("inserts");
        assert_eq!(&after[..empty.len()], empty);
        let eol = if empty.contains('\r') { "\r\n" } else { "\n" };
        assert!(
            after[empty.len()..].starts_with(&format!("pages:{eol}  - id: gracias{eol}")),
            "{after:?}"
        );
    }
}

#[test]
fn aliases_and_anchors_are_refused() {
    let before = format!("{HEAD}pages:\n  - &p\n    id: a\n    url: /\n  - *p\n");
    let err = insert_button(&before, 1, &lead("x", "X")).expect_err("an alias");
    assert!(matches!(err, EditError::Alias { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("pages[1]") && msg.contains("*p") && msg.contains("by hand"),
        "{msg}"
    );
    let err = insert_button(&before, 0, &lead("x", "X")).expect_err("anchored");
    assert!(err.to_string().contains("&p"), "{err}");

    let before = format!(
        "{HEAD}pages:\n  - id: a\n    url: /\n    buttons: &shared\n      - {{id: b, text: B, event: Lead}}\n  - id: c\n    url: /c\n    buttons: *shared\n"
    );
    let err = insert_button(&before, 0, &lead("x", "X")).expect_err("anchored list");
    assert!(
        err.to_string()
            .contains("pages[0].buttons is anchored (`&shared`)"),
        "{err}"
    );
    let err = insert_button(&before, 1, &lead("x", "X")).expect_err("alias list");
    assert!(
        err.to_string()
            .contains("pages[1].buttons is an alias (`*shared`)"),
        "{err}"
    );
}

#[test]
fn bad_input_is_a_clear_error() {
    let before = format!("{HEAD}pages:\n  - id: a\n    url: /\n");
    let err = insert_button(&before, 3, &lead("x", "X")).expect_err("no page 3");
    assert_eq!(
        err.to_string(),
        "the file has no page number 3 (it has 1); choose one of its pages"
    );
    let err = insert_button("pages: [", 0, &lead("x", "X")).expect_err("not YAML");
    assert!(matches!(err, EditError::Parse(_)), "{err}");
}

/// Every hostile string is written so that the loader reads it back unchanged, as a value
/// in block and flow context and as a key — and as a button's text inserted into a file.
#[test]
fn hostile_scalars_round_trip() {
    let hostile = [
        "",
        " ",
        " leading",
        "trailing ",
        "\"double\" and 'single' quotes",
        "'",
        "\"",
        "</script><script>alert(1)</script>",
        "a: b",
        "a:b",
        "key: value # comment",
        "# comment",
        "a #b",
        "*alias",
        "&anchor",
        "!tag",
        "!!str",
        "-",
        "- item",
        "-1",
        "?",
        "? key",
        "%YAML",
        "@handle",
        "`backtick`",
        "|",
        ">",
        "[a, b]",
        "{a: b}",
        ",",
        "yes",
        "no",
        "Yes",
        "NO",
        "on",
        "off",
        "y",
        "n",
        "true",
        "False",
        "null",
        "Null",
        "~",
        "017",
        "08540",
        "1e5",
        "0x1F",
        "0o17",
        "1_000",
        ".inf",
        "-.inf",
        ".NaN",
        "3.14",
        "+1",
        "line\u{2028}separator",
        "paragraph\u{2029}separator",
        "next\u{85}line",
        "tab\there",
        "\ttab",
        "cr\rhere",
        "crlf\r\nhere",
        "lf\nhere",
        "trailing newline\n",
        "nul\0here",
        "bell\u{7}esc\u{1b}del\u{7f}c1\u{9f}",
        "bom\u{feff}here",
        "\u{fffe}\u{ffff}",
        "emoji 🎉👍🏽",
        "Añadir al carrito",
        "zero\u{200b}width",
        "rtl \u{202e}override",
        "back\\slash",
        "\\n is not a newline",
        "...",
        "---",
        "--- x",
        "a  b   c",
        "(paren)",
        "/path/{slug}",
    ];
    let long = "x".repeat(300);
    for s in hostile.iter().copied().chain([long.as_str()]) {
        let w = scalar(s);
        assert!(
            !w.contains(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}']),
            "{s:?} → {w}"
        );
        for (text, pointer) in [
            (format!("k: {w}\n"), "/k"),
            (format!("- [{w}, x]\n"), "/0/0"),
            (format!("k: {{a: {w}, b: 1}}\n"), "/k/a"),
            (format!("# {w}\nk: {w}\n"), "/k"),
        ] {
            let doc = tagc::load::yaml::parse(FileId(0), &text, Limits::default())
                .unwrap_or_else(|d| panic!("{s:?} as {text:?}: {d:?}"));
            assert_eq!(
                doc.value.pointer(pointer),
                Some(&Value::String(s.to_owned())),
                "{s:?} written as {text:?}"
            );
        }
        let as_key = format!("{w}: 1\n");
        let doc = tagc::load::yaml::parse(FileId(0), &as_key, Limits::default())
            .unwrap_or_else(|d| panic!("{s:?} as a key: {d:?}"));
        assert_eq!(
            doc.value
                .as_object()
                .and_then(|m| m.keys().next())
                .map(String::as_str),
            Some(s),
            "{s:?} as a key"
        );
        // As a button's text and page URL (the edit's own re-parse checks them exactly).
        let before =
            "pages:\n  - id: a\n    url: /\n    buttons:\n      - {id: b, text: B, event: Lead}\n";
        insert_button(before, 0, &lead("x", s)).unwrap_or_else(|e| panic!("{s:?}: {e}"));
        let page = NewPage {
            id: "p".to_owned(),
            url: s.to_owned(),
            button: lead("x", s),
        };
        insert_page(before, &page).unwrap_or_else(|e| panic!("{s:?}: {e}"));
        insert_page("pages: []\n", &page).unwrap_or_else(|e| panic!("{s:?}: {e}"));
    }
}

fn temp_config(dir: &Path, bytes: &[u8]) -> PathBuf {
    let path = dir.join("tagc.yaml");
    std::fs::write(&path, bytes).expect("write");
    path
}

#[test]
fn a_bom_file_keeps_its_bom() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = format!("{HEAD}pages:\n  - id: landing\n    url: /\n");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(text.as_bytes());
    let path = temp_config(dir.path(), &bytes);
    let original = edit::read(&path).expect("reads");
    assert!(original.has_bom());
    assert_eq!(original.text(), text);
    assert_eq!(original.bytes(), bytes);
    let after =
        insert_button(original.text(), 0, &lead("attend", "Asistir presencial")).expect("inserts");
    edit::write_cas(&path, &original, &after).expect("writes");
    let written = std::fs::read(&path).expect("read");
    assert!(written.starts_with(b"\xEF\xBB\xBF"));
    assert_eq!(&written[3..], after.as_bytes());
    inserted(&text, &after);
    assert_no_errors(&path);
    insta::assert_snapshot!("bom", after);
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["tagc.yaml"]);
}

#[test]
fn write_cas_refuses_a_file_changed_since_it_was_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = format!("{HEAD}pages:\n  - id: landing\n    url: /\n");
    let path = temp_config(dir.path(), text.as_bytes());
    let original = edit::read(&path).expect("reads");
    let after = insert_button(original.text(), 0, &lead("attend", "A")).expect("inserts");
    // Someone saves the file meanwhile.
    let theirs = format!("{text}# edited in the editor\n");
    std::fs::write(&path, &theirs).expect("write");
    let err = edit::write_cas(&path, &original, &after).expect_err("changed");
    assert!(matches!(err, EditError::Changed { .. }));
    assert!(
        err.to_string()
            .contains("changed on disk since it was read; nothing written"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&path).expect("read"), theirs);
}

#[test]
fn undo_writes_the_original_bytes_back_with_their_permissions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = format!("{HEAD}pages:\n  - id: landing\n    url: /\n");
    let path = temp_config(dir.path(), text.as_bytes());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    }
    let original = edit::read(&path).expect("reads");
    let after = insert_button(original.text(), 0, &lead("attend", "A")).expect("inserts");
    edit::write_cas(&path, &original, &after).expect("writes");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), after);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }
    edit::undo(&path, &original).expect("undoes");
    assert_eq!(std::fs::read(&path).expect("read"), original.bytes());
    let err = edit::read(&dir.path().join("missing.yaml")).expect_err("missing");
    assert!(err.to_string().starts_with("cannot read "), "{err}");
}

#[test]
fn hostile_text_is_written_escaped_and_checks() {
    let before = format!(
        "{HEAD}pages:\n  - id: landing\n    url: /\n    buttons:\n      - id: attend\n        text: Asistir presencial\n        event: Lead\n"
    );
    let button = lead("hostile", "Say \"hi\" </script> # not: a comment\u{85}next");
    let after = button_into(&before, 0, &button);
    insta::assert_snapshot!("hostile_text", inserted(&before, &after));
}

#[test]
fn the_last_button_may_be_anchored_or_an_alias() {
    let before = format!(
        "{HEAD}pages:
  - id: a
    url: /
    buttons:
      - &shared {{id: x, text: X, event: Lead}}
  - id: c
    url: /c
    buttons:
      - *shared
    verify:
      urls: [/c]
"
    );
    let after = button_into(&before, 0, &lead("z2", "Z"));
    assert!(
        after.contains("{id: x, text: X, event: Lead}\n      - id: z2\n        text: Z\n        event: Lead\n  - id: c\n"),
        "{after}"
    );
    let after = button_into(&before, 1, &lead("z2", "Z"));
    assert!(
        after.contains(
            "      - *shared\n      - id: z2\n        text: Z\n        event: Lead\n    verify:"
        ),
        "{after}"
    );
}

#[test]
fn a_multi_line_quoted_value_belongs_to_its_button() {
    let before = format!(
        "{HEAD}pages:
  - id: a
    url: /
    buttons:
      - id: x
        text: \"Asistir
          presencial\"
        event: Lead
    verify:
      urls: [/]
"
    );
    let after = button_into(&before, 0, &lead("z2", "Z"));
    assert!(
        after.contains("          presencial\"\n        event: Lead\n      - id: z2\n"),
        "{after}"
    );
}

/// The re-parse guard at work: a `|+` block scalar keeps its trailing blank lines, which
/// the indentation run leaves after the insertion; the value would change, so the edit is
/// refused rather than written.
#[test]
fn an_edit_that_would_change_the_document_is_refused() {
    let before = format!(
        "{HEAD}pages:
  - id: a
    url: /
    buttons:
      - id: x
        text: X
        event: Lead
        params:
          content_name: |+
            kept

  - id: b
    url: /b
"
    );
    let err = insert_button(&before, 0, &lead("y", "Y")).expect_err("refused");
    assert!(matches!(err, EditError::Internal(_)), "{err}");
    assert!(
        err.to_string().contains("the rest of the document changed")
            && err.to_string().contains("nothing was written"),
        "{err}"
    );
}

#[test]
fn a_null_buttons_key_is_not_a_list() {
    let before = format!("{HEAD}pages:\n  - id: a\n    url: /\n    buttons:\n");
    let err = insert_button(&before, 0, &lead("y", "Y")).expect_err("not a list");
    assert_eq!(
        err.to_string(),
        "pages[0].buttons is not a list; add the entry by hand"
    );
}

#[test]
fn a_file_that_is_not_utf8_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = temp_config(dir.path(), b"pages: [\xff]\n");
    let err = edit::read(&path).expect_err("not UTF-8");
    assert!(matches!(err, EditError::NotUtf8 { .. }));
    assert!(
        err.to_string()
            .ends_with("is not UTF-8 text; save it as UTF-8 and try again"),
        "{err}"
    );
}

/// A configuration reached through a symbolic link is edited where it lives: the link
/// stays a link.
#[cfg(unix)]
#[test]
fn a_symbolic_link_is_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = format!("{HEAD}pages:\n  - id: landing\n    url: /\n");
    let real = temp_config(dir.path(), text.as_bytes());
    let link = dir.path().join("link.yaml");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    let original = edit::read(&link).expect("reads");
    let after = insert_button(original.text(), 0, &lead("attend", "A")).expect("inserts");
    edit::write_cas(&link, &original, &after).expect("writes");
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("meta")
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&real).expect("read"), after);
}
