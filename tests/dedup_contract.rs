//! The dedup contract checked statically: the name under which the browser shares its
//! event id against the record path the deduplicated server event reads (TAG2028,
//! TAG2030), with no finding on the legitimate forms.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use tagc::check::check_paths;
use tagc::diagnostic::Code;
use tagc::load::Limits;

/// A page whose form shares a random id (`share`) and a server event reading `event_id`.
fn config(source: &str, share: &str, event_id: &str) -> String {
    format!(
        r#"pixels:
  - name: main
    ids:
      production: "123456789012345"
events:
  registration:
    event: Lead
    event_id:
      source: {source}
      share: {share}
pages:
  - id: landing
    url: /
    buttons:
      - id: register
        selector: "form#registro"
        on: submit
        use: registration
server:
  events:
    - id: registration
      event: Lead
      action_source: website
      deduplicate_with: registration
      event_id: {event_id}
      event_source_url: request.url
      user_data:
        em: form.email
        client_user_agent: request.user_agent
"#
    )
}

/// The codes `tagc check` reports for `yaml`, and their messages and helps as one text.
fn check(yaml: &str) -> (Vec<Code>, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tagc.yaml");
    std::fs::write(&path, yaml).unwrap();
    let checked = check_paths(&[path], Limits::default()).unwrap();
    let text = checked
        .diagnostics
        .as_slice()
        .iter()
        .map(|d| format!("{d:?}"))
        .collect::<Vec<_>>()
        .join("\n");
    (checked.diagnostics.codes(), text)
}

const RANDOM: &str = "{from: random}";
const FORM: &str = "{via: form_field, name: event_id}";

#[test]
fn a_typo_in_the_server_path_is_an_error_that_names_the_fix() {
    for path in ["form.eventid", "form.evnt_id", "form.event_di"] {
        let (codes, text) = check(&config(RANDOM, FORM, path));
        assert_eq!(codes, [Code::SharedIdNotRead], "{path}: {text}");
        assert!(text.contains("did you mean `form.event_id`?"), "{text}");
    }
    // A cookie, and a data-layer key, alike.
    let (codes, text) = check(&config(
        RANDOM,
        "{via: cookie, name: tagc_eid}",
        "cookies.tagc_ied",
    ));
    assert_eq!(codes, [Code::SharedIdNotRead], "{text}");
    assert!(text.contains("`cookies.tagc_eid`"), "{text}");
    let (codes, _) = check(&config(
        RANDOM,
        "{via: data_layer, key: tagc_event_id}",
        "order.tagc_eventid",
    ));
    assert_eq!(codes, [Code::SharedIdNotRead]);
}

#[test]
fn the_shared_name_in_any_case_style_is_clean() {
    for path in [
        "form.event_id",
        "form.eventId",
        "order.EventID",
        "EVENT_ID",
        "event_id",
    ] {
        let (codes, text) = check(&config(RANDOM, FORM, path));
        assert!(codes.is_empty(), "{path}: {text}");
    }
    // A cookie name may hold dots.
    let (codes, text) = check(&config(
        RANDOM,
        "{via: cookie, name: tagc.eid}",
        "cookies.tagc.eid",
    ));
    assert!(codes.is_empty(), "{text}");
}

#[test]
fn an_unrelated_path_for_a_random_id_warns_until_the_copy_is_declared() {
    let (codes, text) = check(&config(RANDOM, FORM, "order.id"));
    assert_eq!(codes, [Code::SharedIdCopyUndeclared], "{text}");
    assert!(
        text.contains("copied_from: event_id") && text.contains("cannot tell"),
        "{text}"
    );
    let (codes, text) = check(&config(
        RANDOM,
        FORM,
        "{path: order.ref, copied_from: event_id}",
    ));
    assert!(codes.is_empty(), "{text}");
}

#[test]
fn an_id_the_server_knows_on_its_own_may_come_from_its_own_field() {
    // The order id from the data layer, shared as well: the backend has `order.id`.
    let (codes, text) = check(&config(
        "{from: data_layer, path: ecommerce.transaction_id}",
        "{via: data_layer, key: tagc_event_id}",
        "order.id",
    ));
    assert!(codes.is_empty(), "{text}");
}

#[test]
fn a_declaration_must_name_the_shared_id_and_belong_to_event_id() {
    let (codes, text) = check(&config(
        RANDOM,
        FORM,
        "{path: order.ref, copied_from: eventid}",
    ));
    assert_eq!(codes, [Code::SharedIdNotRead], "{text}");
    assert!(
        text.contains("did you mean `copied_from: event_id`?"),
        "{text}"
    );
    let yaml = config(RANDOM, FORM, "form.event_id").replace(
        "em: form.email",
        "em: {path: form.email, copied_from: email}",
    );
    let (codes, text) = check(&yaml);
    assert_eq!(codes, [Code::UnknownField], "{text}");
    // Nothing shared, nothing to copy.
    let yaml = config(RANDOM, FORM, "{path: form.event_id, copied_from: event_id}")
        .replace("      share: {via: form_field, name: event_id}\n", "");
    let (codes, text) = check(&yaml);
    assert!(codes.contains(&Code::SharedIdNotRead), "{text}");
}
