//! The `tagc scan --format json` report (`schema/scan.schema.json`, `tagc schema scan`).

use schemars::JsonSchema;
use serde::Serialize;

use crate::browser::{Locator, Navigates};

/// The report's format version; a change that is not an addition bumps it. Version 2:
/// the pages scanned are a list (`pages`, one for `tagc scan URL`, several for `--all`),
/// beside the pages skipped and those that could not be scanned.
pub const SCAN_REPORT_VERSION: u32 = 2;

/// The `$id` of the report's JSON Schema.
pub const SCHEMA_ID: &str = "https://tagc.dev/schema/scan.schema.json";

/// Where the report's schema is committed, from the crate root.
pub const SCHEMA_PATH: &str = "schema/scan.schema.json";

/// The JSON Schema of the report as text (`tagc schema scan`, committed as
/// `schema/scan.schema.json`).
#[must_use]
pub fn schema_text() -> String {
    crate::schema::to_text(&crate::schema::schema_for::<ScanDocument>(SCHEMA_ID))
}

/// What `tagc scan` found: the JSON document (`--format json`).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ScanDocument {
    /// The report's format version ([`SCAN_REPORT_VERSION`]).
    pub version: u32,
    /// With `--all`: the site's address the example paths were joined to; `null` for
    /// `tagc scan URL`.
    pub base_url: Option<String>,
    /// The pages scanned: the one URL, or with `--all` each page of the configuration that
    /// has an example path, in configuration order.
    pub pages: Vec<ScanReport>,
    /// With `--all`: the pages of the configuration that have no path to load, and why
    /// (the sentence `tagc verify` reports).
    pub skipped: Vec<SkippedPage>,
    /// With `--all`: the pages that could not be scanned (unreachable, an HTTP error, a
    /// step that failed); `tagc scan` then exits 2.
    pub errors: Vec<PageFailure>,
}

impl ScanDocument {
    /// An empty document of the current version.
    #[must_use]
    pub fn new(base_url: Option<String>) -> ScanDocument {
        ScanDocument {
            version: SCAN_REPORT_VERSION,
            base_url,
            pages: Vec::new(),
            skipped: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// The document of `tagc scan URL`: one page.
    #[must_use]
    pub fn single(page: ScanReport) -> ScanDocument {
        let mut d = ScanDocument::new(None);
        d.pages.push(page);
        d
    }
}

/// A page of the configuration `--all` did not scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct SkippedPage {
    /// The page id.
    pub page: String,
    /// Why: no `verify.urls` and no literal URL pattern.
    pub reason: String,
}

/// A page `--all` could not scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct PageFailure {
    /// The page id.
    pub page: String,
    /// The URL loaded.
    pub url: String,
    /// What went wrong.
    pub message: String,
}

/// What `tagc scan` found on one page.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ScanReport {
    /// The URL asked for.
    pub url: String,
    /// The document's URL once loaded (after redirects).
    pub final_url: String,
    /// The document's HTTP status, when seen.
    pub status: Option<u16>,
    /// Whether the network went quiet before the deadline; `false`: the page was scanned
    /// as it was at the deadline.
    pub settled: bool,
    /// Milliseconds from the navigation to the inventory (load, quiet, extra delay).
    pub waited_ms: u64,
    /// The environment the configuration was resolved for; `null` without `--config`.
    pub env: Option<String>,
    /// The configuration's page for the URL's path; `null` without `--config`.
    pub config_page: Option<ConfigPage>,
    /// With `--all`: the page of the configuration whose example path this is (it differs
    /// from `config_page` when the path is redirected to, or matched by, another page).
    pub example_of: Option<String>,
    /// The visitor's steps performed before the inventory, in words, in order: the
    /// configuration's consent step (`site.verify.consent`), then with `--all` the page's
    /// `verify.before`.
    pub steps: Vec<String>,
    /// Whether the page was scrolled to the bottom and back before the inventory (so that
    /// lazily rendered elements are listed); `false` with `--no-scroll` or for a page that
    /// fits in the viewport.
    pub scrolled: bool,
    /// The `fbq` calls the page made by itself while it was loaded, settled and scrolled
    /// (Meta's library is replaced by a recorder: none reached Meta).
    pub page_calls: PageCalls,
    /// Every element a visitor can act on, in document order.
    pub elements: Vec<ScannedElement>,
    /// Configured buttons of the page that fire on no listed element.
    pub missing: Vec<MissingButton>,
    /// Counts.
    pub summary: Summary,
}

/// The configuration's page for the scanned URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ConfigPage {
    /// Its id; `null` when no page's pattern matches the path.
    pub id: Option<String>,
}

/// One element a visitor can act on.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ScannedElement {
    /// Its position in `elements`.
    pub index: usize,
    /// The tag name, lower case.
    pub tag: String,
    /// Its role (explicit or implied by the tag).
    pub role: Option<String>,
    /// The visible text (the runtime's label).
    pub text: String,
    /// A locator that designates it and nothing else; `null` when none was found.
    pub locator: Option<ReportLocator>,
    /// Whether it has a box and is not `visibility: hidden`.
    pub visible: bool,
    /// Its box, in CSS pixels of the document (the top of the page is 0), as laid out for
    /// the scan's viewport.
    pub rect: ReportRect,
    /// Whether it is disabled.
    pub disabled: bool,
    /// Whether it is inside an open shadow root.
    pub in_shadow: bool,
    /// Where activating it goes.
    pub navigates: Option<ReportNavigates>,
    /// `tracked`, `untracked`, `ambiguous` or `ignored`.
    pub status: Status,
    /// The configured buttons that fire on it.
    pub tracked_by: Vec<TrackedBy>,
    /// The standard event its text suggests.
    pub suggestion: Option<Suggested>,
    /// For an untracked element: the id its suggested `buttons:` entry gets (unique in the
    /// page).
    pub suggested_id: Option<String>,
    /// Whether it is a call to action: a suggestion, or a form or a form's submit control
    /// (what `--fail-on untracked` counts).
    pub call_to_action: bool,
    /// The group of alike elements it belongs to (a grid's "Add to cart" buttons): one
    /// selector proven to match exactly them, the same for each member.
    pub group: Option<ReportGroup>,
}

/// A box in CSS pixels of the document.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
pub struct ReportRect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

/// Alike elements (same tag, text and stable classes) that one selector designates
/// exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ReportGroup {
    /// The selector matching exactly the group: `.product-card button.add`.
    pub selector: String,
    /// How many elements it matches.
    pub count: usize,
    /// The ancestor class prefixing the selector (`.product-card`), if any.
    pub container: Option<String>,
    /// A data attribute of the containers telling them apart (`data-id`): read it with
    /// `{from: attribute, name: data-id, closest: .product-card}`.
    pub closest_attribute: Option<String>,
}

impl From<&crate::browser::Group> for ReportGroup {
    fn from(g: &crate::browser::Group) -> Self {
        ReportGroup {
            selector: g.selector.clone(),
            count: g.count,
            container: g.container.clone(),
            closest_attribute: g.closest_attribute.clone(),
        }
    }
}

/// How an element relates to the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// A configured button fires on it, and on nothing else visible.
    Tracked,
    /// No configured button fires on it.
    Untracked,
    /// A configured button that fires on it fires on other visible elements too.
    Ambiguous,
    /// Inside an `--ignore` selector.
    Ignored,
}

impl Status {
    /// The word used in reports.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Tracked => "tracked",
            Status::Untracked => "untracked",
            Status::Ambiguous => "ambiguous",
            Status::Ignored => "ignored",
        }
    }
}

/// A locator, as a configuration writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ReportLocator {
    /// `text:`, with `within:` when the text is unique only inside a container.
    Text {
        /// The visible text.
        text: String,
        /// The container's selector.
        #[serde(skip_serializing_if = "Option::is_none")]
        within: Option<String>,
    },
    /// `selector:`.
    Selector {
        /// The CSS selector.
        selector: String,
    },
}

impl From<&Locator> for ReportLocator {
    fn from(l: &Locator) -> Self {
        match l {
            Locator::Text { text, within } => ReportLocator::Text {
                text: text.clone(),
                within: within.clone(),
            },
            l => ReportLocator::Selector {
                selector: l.selector().unwrap_or_default().to_owned(),
            },
        }
    }
}

/// Where an element goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ReportNavigates {
    /// A link.
    Link {
        /// Its absolute URL.
        href: String,
    },
    /// A form or a submit control.
    Form {
        /// Where it is submitted.
        action: String,
        /// `get`, `post` or `dialog`.
        method: String,
    },
}

impl From<&Navigates> for ReportNavigates {
    fn from(n: &Navigates) -> Self {
        match n {
            Navigates::Link { href } => ReportNavigates::Link { href: href.clone() },
            Navigates::Form { action, method } => ReportNavigates::Form {
                action: action.clone(),
                method: method.clone(),
            },
        }
    }
}

/// A configured button firing on an element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct TrackedBy {
    /// The button id.
    pub button: String,
    /// Its event.
    pub event: String,
    /// `click` or `submit`.
    pub on: String,
}

/// A standard event suggested by an element's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Suggested {
    /// The event.
    pub event: String,
    /// The keyword table's phrase that matched.
    pub keyword: String,
}

/// A configured button that fires on no listed element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct MissingButton {
    /// The button id.
    pub button: String,
    /// Its event.
    pub event: String,
    /// Its locator.
    pub locator: ReportLocator,
}

/// Counts over `elements`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Summary {
    /// Listed elements.
    pub elements: usize,
    /// Visible ones.
    pub visible: usize,
    /// Tracked ones.
    pub tracked: usize,
    /// Untracked ones.
    pub untracked: usize,
    /// Untracked visible calls to action (what `--fail-on untracked` fails on).
    pub untracked_cta: usize,
    /// Ambiguous ones.
    pub ambiguous: usize,
    /// Ignored ones.
    pub ignored: usize,
    /// Configured buttons not found.
    pub missing: usize,
}

/// The page's own `fbq` calls, as recorded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
pub struct PageCalls {
    /// Each call's arguments, in order (`["init", "123456789012345"]`,
    /// `["track", "Lead", {…}]`).
    pub calls: Vec<serde_json::Value>,
    /// The pixel ids the page initialised (`fbq('init', id)`), in order, once each.
    pub pixel_ids: Vec<String>,
    /// The events the page sent (`track`, `trackCustom`, `trackSingle`,
    /// `trackSingleCustom`), in order, as many times as sent.
    pub events: Vec<String>,
}

impl PageCalls {
    /// Reads recorded calls: the pixel ids of `init` calls and the event names of the
    /// `track…` calls (`trackSingle(id, event)` names its event second).
    #[must_use]
    pub fn from_calls(calls: Vec<serde_json::Value>) -> PageCalls {
        let mut pixel_ids: Vec<String> = Vec::new();
        let mut events = Vec::new();
        for c in &calls {
            let arg = |i: usize| c.get(i).and_then(serde_json::Value::as_str);
            match arg(0) {
                Some("init") => {
                    if let Some(id) = c.get(1).map(|v| match v {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    }) && !pixel_ids.contains(&id)
                    {
                        pixel_ids.push(id);
                    }
                }
                Some("track" | "trackCustom") => {
                    if let Some(e) = arg(1) {
                        events.push(e.to_owned());
                    }
                }
                Some("trackSingle" | "trackSingleCustom") => {
                    if let Some(e) = arg(2) {
                        events.push(e.to_owned());
                    }
                }
                _ => {}
            }
        }
        PageCalls {
            calls,
            pixel_ids,
            events,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn page_calls_name_pixels_once_and_events_in_order() {
        let c = PageCalls::from_calls(vec![
            json!(["init", "111"]),
            json!(["init", "111"]),
            json!(["init", 222]),
            json!(["track", "PageView"]),
            json!(["trackSingle", "111", "Lead", {"value": 1}]),
            json!(["trackCustom", "Pulsado"]),
            json!(["consent", "grant"]),
        ]);
        assert_eq!(c.pixel_ids, ["111", "222"]);
        assert_eq!(c.events, ["PageView", "Lead", "Pulsado"]);
        assert_eq!(c.calls.len(), 7);
    }
}
