//! Hints for `tagc verify` on a real site: how a visitor accepts cookies, which concrete
//! URLs to load for a page, and what a visitor does before a button (open a modal, fill
//! a form). None of them changes the pixel code; `tagc check` validates them.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Site-wide verification hints.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteVerify {
    /// How a visitor accepts tracking on the consent banner (a `click` or a `text` step),
    /// with `consent: required`. `tagc verify` performs it on every page of a real site
    /// before it checks anything, then requires that consent really reached the pixel
    /// (`fbq('consent', 'grant')`) — a banner that never grants means Meta holds every
    /// event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(example = serde_json::json!({"click": "#cookie-accept"}), example = serde_json::json!({"text": "Aceptar"}))]
    pub consent: Option<Step>,
}

/// A page's verification hints.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PageVerify {
    /// Concrete paths (and query strings) to load for this page on a real site, each one
    /// matched by this page's URL patterns and by no earlier page's. Needed when every
    /// pattern has parameters or wildcards (`/p/{slug}`): such a page with no `urls` is
    /// skipped as "not verifiable on a real site", never loaded at an invented path. The
    /// load check runs on each; the buttons on the first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(example = vec!["/p/red-shoes"])]
    pub urls: Vec<String>,
    /// Steps a visitor takes before the page is checked, for the load check and every
    /// button of the page. A page a single-page app reaches by a route change starts with
    /// a `goto` and clicks the link: `[{goto: /app}, {click: "a[href='/app/pricing']"}]`;
    /// its load events are then checked as fired by the route change.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(example = serde_json::json!([{"goto": "/app"}, {"click": "a[href='/app/pricing']"}]))]
    pub before: Vec<Step>,
}

/// A button's verification hints.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ButtonVerify {
    /// Steps a visitor takes before the action, after the page's own: open the modal the
    /// button is in, pick a tab.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(example = serde_json::json!([{"click": "button.open-quote"}]))]
    pub before: Vec<Step>,
    /// Values for form fields (CSS selector → value), filled before the form is submitted,
    /// so `required` fields let it through; in alphabetical order of the selectors (fields
    /// that depend on each other, such as a region list filled once a country is chosen,
    /// go in `before: [{fill: …}, {fill: …}]` steps, which run in order). `true`/`false`
    /// set a checkbox; an option's value picks it in a `<select>`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(example = serde_json::json!({"#email": "ana@example.com", "#name": "Ana"}))]
    pub fill: BTreeMap<String, String>,
    /// How long to wait for the element to be ready (present, visible, still, enabled, not
    /// covered), in seconds; `tagc verify --wait` (10 s) otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(example = 15, range(min = 0.0, max = 600.0))]
    pub wait: Option<f64>,
}

/// One thing a visitor does. Each step waits (as long as the button's `wait`) until its
/// element is ready.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Click the element matching this CSS selector.
    Click(
        /// A CSS selector, searched in the document and in open shadow roots.
        #[schemars(example = &"#cookie-accept")]
        String,
    ),
    /// Click the element whose text (as `text:` locators read it) is this.
    Text(
        /// The element's text.
        #[schemars(example = &"Aceptar")]
        String,
    ),
    /// Wait until an element matching this CSS selector is visible.
    WaitFor(
        /// A CSS selector.
        #[schemars(example = &".product-grid")]
        String,
    ),
    /// Fill form fields: CSS selector → value.
    Fill(
        /// CSS selector → the value to type, choose or tick.
        #[schemars(example = serde_json::json!({"#email": "ana@example.com"}))]
        BTreeMap<String, String>,
    ),
    /// Load this path of the site (a full page load).
    Goto(
        /// A path of the site, starting with `/`.
        #[schemars(example = &"/app")]
        String,
    ),
}

impl Step {
    /// The step in words: `click \`#accept\``, `go to /app`.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Step::Click(s) => format!("clicking `{s}`"),
            Step::Text(t) => format!("clicking \"{t}\""),
            Step::WaitFor(s) => format!("waiting for `{s}`"),
            Step::Fill(f) => format!(
                "filling {}",
                f.keys()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Step::Goto(p) => format!("loading {p}"),
        }
    }
}
