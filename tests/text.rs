//! One definition of an element's text for `text:` locators, tested with one vector file
//! (`tests/data/text.json`) against every place that reads it: the configuration's side
//! (`resolve::normalize_text`), the label function itself in Chromium, the generated
//! runtime (a real click fires the event, or does not), and `tagc verify`'s locator.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;
use tagc::browser::serve::{Route, Routes, Server};
use tagc::browser::{Browser, BrowserError, LaunchOptions, MetaMode, Target};

#[derive(Deserialize)]
struct Vector {
    name: String,
    html: String,
    label: String,
    text: String,
    matches: bool,
}

fn vectors() -> Vec<Vector> {
    #[derive(Deserialize)]
    struct File {
        vectors: Vec<Vector>,
    }
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/text.json"),
    )
    .unwrap();
    serde_json::from_str::<File>(&text).unwrap().vectors
}

fn page(head: &str, body: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\">{head}</head><body>{body}</body></html>"
    )
}

#[test]
fn the_configuration_side_normalizes_as_the_runtime_does() {
    for v in vectors() {
        assert_eq!(
            tagc::resolve::normalize_text(&v.text) == v.label,
            v.matches,
            "{}",
            v.name
        );
    }
}

/// The label function, the runtime's clicks and verify's locator, for every vector.
#[test]
fn the_runtime_and_verify_read_text_alike() {
    let vs = vectors();
    // The label function alone.
    let mut body = String::new();
    for (i, v) in vs.iter().enumerate() {
        body.push_str(&format!("<div data-v=\"{i}\">{}</div>", v.html));
    }
    let mut routes = Routes::default().with("/labels", Route::html(page("", &body)));

    // A configuration with one page per vector, its button found by the vector's text.
    let dir = tempfile::tempdir().unwrap();
    let mut yaml = String::from(
        "pixels:\n  - name: main\n    ids: {production: \"123456789012345\"}\npages:\n",
    );
    for (i, v) in vs.iter().enumerate() {
        yaml.push_str(&format!(
            "  - id: v{i}\n    url: /v{i}\n    buttons:\n      - id: b\n        text: {}\n        event: Lead\n",
            serde_json::to_string(&v.text).unwrap()
        ));
    }
    let config = dir.path().join("tagc.yaml");
    std::fs::write(&config, yaml).unwrap();
    let out = assert_cmd::Command::cargo_bin("tagc")
        .unwrap()
        .arg("build")
        .arg(&config)
        .arg("--out")
        .arg(dir.path().join("dist"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (i, v) in vs.iter().enumerate() {
        let snippet =
            std::fs::read_to_string(dir.path().join(format!("dist/pixel/pages/v{i}.html")))
                .unwrap();
        routes = routes.with(
            &format!("/v{i}"),
            Route::html(page(
                &snippet,
                &format!("<div id=\"wrap\">{}</div>", v.html),
            )),
        );
    }
    let server = Server::start_routes(routes).unwrap();
    let mut browser = Browser::launch(&LaunchOptions::default()).unwrap();
    let mut tab = browser.new_page(MetaMode::Recorder).unwrap();

    tab.goto(&server.url("/labels")).unwrap();
    let labels = tab
        .eval(&format!(
            "(() => {{ {} return [...document.querySelectorAll('[data-v]')].map((d) => label(d.firstElementChild)); }})()",
            tagc::emit::text_js()
        ))
        .unwrap();
    let want: Vec<Value> = vs.iter().map(|v| Value::from(v.label.clone())).collect();
    assert_eq!(labels, Value::Array(want), "label()");

    for (i, v) in vs.iter().enumerate() {
        tab.goto(&server.url(&format!("/v{i}"))).unwrap();
        // A visitor's click on the element: the runtime fires Lead only when it matches.
        let before = tab.wait_calls(2, Duration::from_secs(5)).unwrap().len();
        tab.click("#wrap > *").unwrap();
        let calls = tab.fbq_calls().unwrap();
        let fired = calls[before..]
            .iter()
            .any(|c| *c == serde_json::json!(["track", "Lead"]));
        assert_eq!(fired, v.matches, "runtime, {}: {calls:?}", v.name);
        // tagc verify's locator finds it by the same text, or says no element has it.
        let found = tab.click_target(
            &Target::Text {
                text: &v.text,
                within: None,
            },
            Duration::ZERO,
        );
        match (found, v.matches) {
            (Ok(_), true) | (Err(BrowserError::NoText { .. }), false) => {}
            (other, _) => panic!("verify, {}: {other:?}", v.name),
        }
    }
}
