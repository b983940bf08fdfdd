//! The offline harness builds, from a button's CSS selector, the element it clicks. Here
//! each built element is written into a harness page by the harness's own page writer,
//! loaded in real headless Chromium, and `document.querySelector(selector)` must return
//! exactly that element (the last one in document order), not an ancestor, a sibling or
//! a filler.
//!
//! Chromium comes from Debian's `chromium` package; set `TAGC_CHROMIUM` to use another.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use serde_json::json;
use tagc::browser::{Browser, LaunchOptions, MetaMode};
use tagc::verify::harness::{Fixture, elements_for, render};

/// (selector, tag for a selected element the selector names no tag for, the tag built).
#[rustfmt::skip]
const BUILT: &[(&str, &str, &str)] = &[
    // Tags, ids, classes, escapes.
    ("button.add-to-cart", "button", "button"),
    ("form#registro", "form", "form"),
    ("#join", "button", "button"),
    ("BUTTON.Buy", "button", "button"),
    ("*.x", "span", "span"),
    ("#a\\:b", "button", "button"),
    (".\\31 23.caf\\e9 x", "button", "button"),
    ("#p12 .product:nth-child(3) > button.add-to-cart[data-x='1']", "button", "button"),
    (".plan-card a.choose-plan", "button", "a"),
    ("form#signup button[type=submit]", "form", "button"),
    (".a .a", "button", "button"),
    ("main div > .x > .x", "button", "button"),
    ("body.home .buy", "button", "button"),
    // Attributes: every operator, the `i` flag, escaped and hostile values.
    ("[data-testid=\"buy-now\"]", "button", "button"),
    ("a[href^='tel:']", "button", "a"),
    ("input[name='email' i]", "input", "input"),
    ("[data-x=\"a\\\"b\"]", "button", "button"),
    ("[lang|=en][class~=buy][data-v$=end][data-w*=mid][data-k=AbC i]", "button", "button"),
    ("[data-sku][data-price]", "div", "div"),
    ("[ID=x]#x", "button", "button"),
    ("button[data-x=\"</script><script>window.__pwned='sel'</script>\"]", "button", "button"),
    // Positions.
    (".grid > :nth-child(4)", "button", "button"),
    ("ul > li:nth-child(2n+1) button", "button", "button"),
    ("ul > li:nth-child(even) button", "button", "button"),
    ("ol li:nth-child(-n+3):nth-child(3n) > a", "button", "a"),
    ("ul > li:first-child > button", "button", "button"),
    ("ul li:last-child button", "button", "button"),
    ("ul > li:only-child > a", "button", "a"),
    ("div > span:first-of-type", "button", "span"),
    ("ul > li:nth-child(3):first-of-type > a", "button", "a"),
    ("li:nth-child(2) > button", "button", "button"),
    ("section:first-child .buy", "button", "button"),
    // `:not()`.
    ("button:not(.disabled)", "button", "button"),
    ("button:not(.a, #b, [disabled], span)", "button", "button"),
    ("a.go:not([href^=\"javascript:\"]):not(:not(.go))", "button", "a"),
    ("li:nth-child(2):not(:last-child) + li > a", "button", "a"),
    // Sibling combinators.
    ("h2 + button", "button", "button"),
    (".label ~ .price", "span", "span"),
    (".a + .b + .c", "button", "button"),
    ("span + span", "button", "span"),
    ("span ~ span:nth-child(5)", "button", "span"),
    ("li:nth-child(2) + li > a", "button", "a"),
    ("main > h1 ~ p:last-child", "button", "p"),
    ("section:first-of-type > h2 + button:last-child", "button", "button"),
    ("div + div > div ~ div div", "div", "div"),
    // The first selector of a list.
    ("button.buy, a.other", "button", "button"),
];

/// Selectors the harness refuses, with a fragment of the reason.
#[rustfmt::skip]
const REFUSED: &[(&str, &str)] = &[
    ("a:hover", "`:hover`"),
    ("x-widget button", "the element `x-widget`"),
    ("#a#b", "every condition"),
    ("a + b:first-child", "every condition"),
    ("span:nth-child(3):first-of-type", "every condition"), // the fillers are spans
    ("li:not(:first-child) > a", "every condition"), // no fillers for `:not()`
    ("button:last-child", "`:last-child` on the outermost element"),
    ("li:nth-child(0) a", "`:nth-child()` position"),
    ("li:nth-child(2 of .x)", "`:nth-child(… of …)`"),
    ("li:nth-last-child(2)", "`:nth-last-child()`"),
    ("button:not(.a .b)", "combinator"),
    ("div:has(> img)", "`:has()`"),
    ("& > .x", "`&`"),
];

/// The URL of a `data:` page holding `html`.
fn data_url(html: &str) -> String {
    let mut url = String::from("data:text/html;charset=utf-8,");
    for b in html.bytes() {
        if b.is_ascii_alphanumeric() {
            url.push(char::from(b));
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

#[test]
fn chromium_selects_exactly_the_built_element() {
    let mut browser = Browser::launch(&LaunchOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let mut page = browser.new_page(MetaMode::Recorder).unwrap();
    let mut failures = Vec::new();
    for &(selector, leaf_tag, tag) in BUILT {
        let body = elements_for(selector, leaf_tag).unwrap_or_else(|e| panic!("{selector}: {e}"));
        let fixture = Fixture {
            body,
            ..Fixture::default()
        };
        let html = render(&fixture, "", "harness_dom");
        page.goto(&data_url(&html)).unwrap();
        // The selected element is the last one, and no planted value ran as script.
        let got = page
            .eval(&format!(
                "(() => {{
                  const all = document.body.querySelectorAll('*');
                  const leaf = all[all.length - 1];
                  return [document.querySelector({sel}) === leaf, leaf.localName, window.__pwned || null];
                }})()",
                sel = json!(selector)
            ))
            .unwrap();
        if got != json!([true, tag, null]) {
            failures.push((selector, got, html));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn what_the_harness_cannot_build_is_refused_with_a_reason() {
    for &(selector, reason) in REFUSED {
        let err = elements_for(selector, "button").err().unwrap_or_default();
        assert!(
            err.contains(reason)
                && err.ends_with("run this check against a real page with --base-url"),
            "{selector}: {err}"
        );
        assert!(
            err.contains(&format!("of `{selector}`")),
            "{selector}: {err}"
        );
    }
}
