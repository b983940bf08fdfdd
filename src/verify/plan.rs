//! The verification plan: what to check, derived from the resolved model.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::{IdShare, ParamValue, Source, Step};
use crate::resolve::{ResolvedButton, ResolvedEvent, ResolvedLocator, ResolvedPage, Site};
use crate::source::{SourceMap, Span};

use super::harness::{self, Fixture};
use super::{Location, PLAN_SCHEMA_ID, PLAN_VERSION};

/// The plan document (`dist/verify/plan.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "tagc verification plan")]
pub struct Plan {
    /// The JSON Schema of this document.
    #[serde(rename = "$schema", default)]
    pub schema: String,
    /// The version of this document's shape (currently 2).
    pub version: u32,
    /// The tagc version that wrote it.
    pub generator: String,
    /// The environment of the pixel ids.
    pub env: String,
    /// The site's name, if configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// The Conversions API mapping the server checks use, relative to this file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mapping: Option<String>,
    /// The directory of the per-page inline snippets the harness pages embed, relative
    /// to this file.
    pub snippets: String,
    /// How a visitor accepts tracking on a real site's consent banner
    /// (`site.verify.consent`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_step: Option<Step>,
    /// The site's pages and their URL patterns, in configuration order: the page a
    /// navigation lands on is the first whose pattern matches.
    #[serde(default)]
    pub pages: Vec<PlanPage>,
    /// Every check, server checks first, then browser, then dedup.
    pub checks: Vec<PlanCheck>,
    /// What only Events Manager can show, to confirm by hand.
    pub manual: Vec<String>,
}

/// A page of the site and its URL patterns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanPage {
    /// The page id.
    pub id: String,
    /// Its URL patterns, as in the configuration.
    pub url: Vec<String>,
}

/// One check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)] // nearly every check of a plan is a browser check
pub enum PlanCheck {
    /// A server event's sample record, mapped and sent.
    Server(ServerCheck),
    /// A page load or a button in a browser.
    Browser(BrowserCheck),
    /// A deduplicated browser/server pair.
    Dedup(DedupCheck),
}

impl PlanCheck {
    /// The fields every kind of check has: id, title, location.
    fn head(&self) -> (&str, &str, &Location) {
        match self {
            PlanCheck::Server(c) => (&c.id, &c.title, &c.location),
            PlanCheck::Browser(c) => (&c.id, &c.title, &c.location),
            PlanCheck::Dedup(c) => (&c.id, &c.title, &c.location),
        }
    }

    /// The check's id.
    #[must_use]
    pub fn id(&self) -> &str {
        self.head().0
    }

    /// The check's kind.
    #[must_use]
    pub fn kind(&self) -> super::CheckKind {
        match self {
            PlanCheck::Server(_) => super::CheckKind::Server,
            PlanCheck::Browser(_) => super::CheckKind::Browser,
            PlanCheck::Dedup(_) => super::CheckKind::Dedup,
        }
    }

    /// Its one-line description.
    #[must_use]
    pub fn title(&self) -> &str {
        self.head().1
    }

    /// Where it comes from.
    #[must_use]
    pub fn location(&self) -> &Location {
        self.head().2
    }
}

/// A server check: the sample record through the mapping, sent with `test_event_code`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerCheck {
    /// `server/{event id}`.
    pub id: String,
    /// What it checks, in one line.
    pub title: String,
    /// The server event in the configuration.
    pub location: Location,
    /// The server event's id in the mapping.
    pub event: String,
    /// The CAPI event name.
    pub event_name: String,
    /// The pixels it is posted to.
    pub pixels: Vec<String>,
    /// The sample record (`null` when the configuration has none: the check cannot run).
    pub record: Option<Value>,
    /// What Meta must answer, per pixel: HTTP 200, `events_received` = 1, no `messages`.
    pub expect_events_received: u64,
}

/// A browser check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BrowserCheck {
    /// `browser/{page}/load` or `browser/{page}/{button}`.
    pub id: String,
    /// What it checks, in one line.
    pub title: String,
    /// The page or button in the configuration.
    pub location: Location,
    /// The page id (its snippet is `{snippets}/{page}.html`).
    pub page: String,
    /// The URL path (and query) of the offline harness page.
    pub path: String,
    /// The paths to load on a real site (`--base-url`): the page's `verify.urls`, or its
    /// patterns without parameters. A load check runs on each, a button check on the
    /// first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
    /// Why the check cannot run on a real site (every pattern has parameters and the page
    /// has no `verify.urls`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_skip: Option<String>,
    /// What a visitor does on a real site before the check observes: the page's
    /// `verify.before`, then the button's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
    /// Form values a visitor types before the action on a real site (selector → value).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fill: BTreeMap<String, String>,
    /// How long to wait for the element on a real site, in milliseconds (`--wait` when
    /// absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_ms: Option<u64>,
    /// What to do once the page has loaded.
    pub action: Action,
    /// The `fbq` calls expected: for a load, the whole sequence from the first call; for a
    /// button, the calls its action adds.
    pub expect: Vec<ExpectedCall>,
    /// With `consent: required`: `tagc.grant()` must produce `fbq('consent','grant')`.
    pub consent_required: bool,
    /// What the offline harness page plants (DOM, data layer, meta tags, cookies) so the
    /// configured sources find values.
    pub fixture: Fixture,
    /// Why no harness page can be built for this check (it can still run with
    /// `--base-url`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub harness_error: Option<String>,
}

/// What a browser check does after loading the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum Action {
    /// Nothing: the load events are checked.
    Load,
    /// A real mouse click on the element.
    Click {
        /// How the element is found.
        locator: Locator,
    },
    /// Submit the form (as a user pressing its submit button would).
    Submit {
        /// How the form is found.
        locator: Locator,
    },
}

/// How an element is found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Locator {
    /// A CSS selector.
    Selector {
        /// The selector.
        selector: String,
    },
    /// The innermost element with this whitespace-normalized visible text.
    Text {
        /// The text.
        text: String,
        /// Only inside an element matching this selector.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        within: Option<String>,
    },
}

/// One expected `fbq` call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectedCall {
    /// `consent`, `dataProcessingOptions`, `init`, `track`, `trackCustom`, `trackSingle`
    /// or `trackSingleCustom`.
    pub method: String,
    /// The exact arguments after the method, for setup calls (`consent`, `init`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<Value>>,
    /// The pixel of a `trackSingle*` call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pixel: Option<String>,
    /// The event name of a `track*` call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// Its parameters: exactly these keys.
    #[serde(default)]
    pub params: BTreeMap<String, ExpectedParam>,
    /// The `{eventID}` 4th argument, when the event deduplicates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<ExpectedEventId>,
    /// A call every page makes first (consent, data processing options, `init`,
    /// `PageView`): part of a full page load, not of a single-page app's route change.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub setup: bool,
}

/// An expected parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectedParam {
    /// `string`, `number`, `integer`, `boolean`, `string[]` or `contents`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The exact value: always for constants; for values read in the browser, the value
    /// the harness page plants (ignored against a real site).
    pub value: Value,
    /// Whether it is a constant of the configuration (compared against real sites too).
    pub constant: bool,
    /// Where a value read in the browser comes from (`attribute data-price of the closest
    /// .product-card`), shown instead of the harness value on a real site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// An expected `eventID`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectedEventId {
    /// The exact id on the harness page (`None` for a fresh random id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// How the id reaches the server, checked to carry the same value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared: Option<IdShare>,
}

/// A dedup check: the browser's `eventID` and the server's `event_id` for the same action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DedupCheck {
    /// `dedup/{server event id}`.
    pub id: String,
    /// What it checks, in one line.
    pub title: String,
    /// The server event's `deduplicate_with` in the configuration.
    pub location: Location,
    /// The browser check that fires the event.
    pub browser_check: String,
    /// The server check whose sample is mapped.
    pub server_check: String,
    /// The server event's id in the mapping.
    pub server_event: String,
    /// The event name both sides must send.
    pub event_name: String,
    /// How the browser hands its id over (`None`: the server already knows it, such as an
    /// order id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared: Option<IdShare>,
    /// The record path the server reads `event_id` from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_event_id_path: Option<String>,
    /// Where the browser reads its `eventID` when it is not a fresh random id
    /// (`data layer ecommerce.transaction_id`): a value the backend is assumed to know too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser_id_source: Option<String>,
    /// The server event's `event_id: {copied_from: NAME}`: the configuration declares
    /// that the backend copies the shared id into the record path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_copies_from: Option<String>,
}

/// The manual step written into every plan.
pub const MANUAL_STEP: &str = "In Events Manager → your dataset → Test Events, enter the test code used by `tagc verify --test-event-code`: every server event listed above appears with \"Server\", every browser event with \"Browser\" (browse the staging site with the same code), and each deduplicated pair is marked \"Deduplicated\". Meta offers no API to read test events back, so this step is by hand. Test events are not dropped from production data.";

/// Turns a span into a report location.
#[must_use]
pub fn location(sources: &SourceMap, span: Span) -> Location {
    Location {
        file: sources
            .try_get(span.file)
            .map_or_else(String::new, |f| f.name().to_owned()),
        line: span.start.line.max(1),
        column: span.start.col.max(1),
    }
}

/// Derives the plan of a resolved site. `snippets` is where the per-page snippets are,
/// relative to the plan; `mapping` the mapping's path, when there are server events.
#[must_use]
pub fn build(site: &Site, sources: &SourceMap, snippets: &str, mapping: Option<&str>) -> Plan {
    let mut plan = header(site, snippets, mapping);
    let mut checks = Vec::new();
    let _ = derive(
        site,
        sources,
        |group| group,
        |group| {
            checks.extend(group);
            Ok(())
        },
    );
    plan.checks = checks;
    plan
}

/// `build(…).to_json()`, byte for byte, without holding every check in memory: each page's
/// checks are serialized on the core that derived them.
#[must_use]
pub fn render(site: &Site, sources: &SourceMap, snippets: &str, mapping: Option<&str>) -> String {
    let mut out = Vec::new();
    // Writing into memory cannot fail.
    let _ = render_to(&mut out, site, sources, snippets, mapping);
    String::from_utf8(out).unwrap_or_default()
}

/// [`render`] into `out`, a few hundred pages at a time: what `tagc build` writes. Only
/// one batch of pages' checks is in memory at once, whatever the site's size.
///
/// # Errors
/// When `out` fails.
pub fn render_to(
    out: &mut dyn std::io::Write,
    site: &Site,
    sources: &SourceMap,
    snippets: &str,
    mapping: Option<&str>,
) -> std::io::Result<()> {
    let plan = header(site, snippets, mapping);
    let mut doc = Document::begin(out, &plan)?;
    derive(site, sources, |group| lines(&group), |g| doc.group(&g))?;
    doc.end(&plan)
}

/// Between two checks' lines in the document.
const CHECK_SEPARATOR: &str = ",\n    ";

/// `checks` as the document's lines: one compact JSON line each, joined by
/// [`CHECK_SEPARATOR`].
fn lines(checks: &[PlanCheck]) -> String {
    let mut out = String::new();
    for (i, c) in checks.iter().enumerate() {
        if i > 0 {
            out.push_str(CHECK_SEPARATOR);
        }
        out.push_str(&serde_json::to_string(c).unwrap_or_default());
    }
    out
}

/// How many pages' checks are derived (on every core) before they are handed on: the
/// memory a plan takes while it is written, whatever the site's size.
const PAGE_BATCH: usize = 1024;

/// The plan's fields, with no checks.
fn header(site: &Site, snippets: &str, mapping: Option<&str>) -> Plan {
    Plan {
        schema: PLAN_SCHEMA_ID.to_owned(),
        version: PLAN_VERSION,
        generator: format!("tagc {}", env!("CARGO_PKG_VERSION")),
        env: site.env.clone(),
        site: site.name.clone(),
        mapping: (!site.server.events.is_empty())
            .then(|| mapping.map(str::to_owned))
            .flatten(),
        snippets: snippets.to_owned(),
        consent_step: site.verify_consent.clone(),
        pages: site
            .pages
            .iter()
            .map(|p| PlanPage {
                id: p.id.clone(),
                url: p.url.iter().map(|u| u.pattern.clone()).collect(),
            })
            .collect(),
        checks: Vec::new(),
        manual: vec![MANUAL_STEP.to_owned()],
    }
}

/// The plan's checks in groups, in document order — the server checks, each page's
/// browser checks, the dedup checks — each group passed through `each` (on the core that
/// derived it) and then, in order, to `sink`; [`PAGE_BATCH`] pages at a time.
///
/// # Errors
/// The first error of `sink`, which stops the derivation.
fn derive<T: Send>(
    site: &Site,
    sources: &SourceMap,
    each: impl Fn(Vec<PlanCheck>) -> T + Sync,
    mut sink: impl FnMut(T) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut checks = Vec::new();
    for e in &site.server.events {
        checks.push(PlanCheck::Server(ServerCheck {
            id: format!("server/{}", e.id),
            title: format!(
                "{} ({}) from the sample record, sent to {}",
                e.event,
                e.action_source.as_str(),
                if e.pixels.len() == 1 {
                    format!("pixel {}", e.pixels[0])
                } else {
                    format!("{} pixels", e.pixels.len())
                }
            ),
            location: location(sources, e.origin),
            event: e.id.clone(),
            event_name: e.event.clone(),
            pixels: e.pixels.clone(),
            record: e.sample.clone().map(Value::Object),
            expect_events_received: 1,
        }));
    }
    sink(each(checks))?;
    // Values a harness page plants for an order-id event id: the server sample's id, so
    // the two sides of a deduplicated pair carry the same id, as in production.
    let server_ids: BTreeMap<&str, String> = site
        .server
        .events
        .iter()
        .filter_map(|e| {
            let path = e.event_id.as_ref()?.path()?;
            let sample = Value::Object(e.sample.clone()?);
            let v = crate::mapping::RecordPath::new(path).get(&sample)?;
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => return None,
            };
            Some((e.id.as_str(), text))
        })
        .collect();
    let router = harness::Router::new(&site.pages);
    // Pages are independent: their checks are derived on every core, in page order, a
    // batch at a time.
    for (bi, batch) in site.pages.chunks(PAGE_BATCH).enumerate() {
        let per_page = crate::par::map(batch, |i, page| {
            let pi = bi * PAGE_BATCH + i;
            let mut out = Vec::with_capacity(page.buttons.len() + 1);
            out.push(PlanCheck::Browser(load_check(
                site,
                page,
                &router,
                pi,
                sources,
                &server_ids,
            )));
            for b in &page.buttons {
                out.push(PlanCheck::Browser(button_check(
                    site,
                    page,
                    b,
                    &router,
                    pi,
                    sources,
                    &server_ids,
                )));
            }
            each(out)
        });
        for group in per_page {
            sink(group)?;
        }
    }
    let mut checks = Vec::new();
    let mut browser_of: BTreeMap<&str, String> = BTreeMap::new();
    for page in &site.pages {
        for e in &page.on_load {
            for s in &e.deduplicated_by {
                browser_of
                    .entry(s.as_str())
                    .or_insert_with(|| format!("browser/{}/load", page.id));
            }
        }
        for b in &page.buttons {
            for s in &b.event.deduplicated_by {
                browser_of
                    .entry(s.as_str())
                    .or_insert_with(|| format!("browser/{}/{}", page.id, b.id));
            }
        }
    }
    for e in &site.server.events {
        let Some(d) = &e.dedup else { continue };
        let Some(browser) = browser_of.get(e.id.as_str()) else {
            continue;
        };
        checks.push(PlanCheck::Dedup(DedupCheck {
            id: format!("dedup/{}", e.id),
            title: format!(
                "{} eventID in the browser equals event_id on the server",
                d.browser_event
            ),
            location: location(sources, e.origin),
            browser_check: browser.clone(),
            server_check: format!("server/{}", e.id),
            server_event: e.id.clone(),
            event_name: e.event.clone(),
            shared: d.browser_event_id.as_ref().and_then(|i| i.share.clone()),
            server_event_id_path: e
                .event_id
                .as_ref()
                .and_then(|f| f.path())
                .map(str::to_owned),
            browser_id_source: d
                .browser_event_id
                .as_ref()
                .filter(|i| !matches!(i.source, Source::Random))
                .map(|i| i.source.describe()),
            server_copies_from: e
                .event_id
                .as_ref()
                .and_then(|f| f.spec())
                .and_then(|s| s.copied_from.clone()),
        }));
    }
    sink(each(checks))
}

/// The setup calls every page makes first: consent, data processing options, `init` per
/// pixel, `PageView`.
fn setup_calls(site: &Site) -> Vec<ExpectedCall> {
    let call = |method: &str, args: Vec<Value>| ExpectedCall {
        method: method.to_owned(),
        args: Some(args),
        pixel: None,
        event: None,
        params: BTreeMap::new(),
        event_id: None,
        setup: true,
    };
    let mut out = Vec::new();
    if site.consent_required {
        out.push(call("consent", vec![Value::from("revoke")]));
    }
    if let Some(l) = site.limited_data_use {
        use crate::model::LimitedDataUse as L;
        out.push(call(
            "dataProcessingOptions",
            match l {
                L::Off => vec![Value::Array(Vec::new())],
                L::Geolocate => vec![serde_json::json!(["LDU"]), Value::from(0), Value::from(0)],
                L::Explicit { country, state } => {
                    vec![
                        serde_json::json!(["LDU"]),
                        Value::from(country),
                        Value::from(state),
                    ]
                }
            },
        ));
    }
    for p in &site.pixels {
        out.push(call("init", vec![Value::from(p.id.clone())]));
    }
    out.push(ExpectedCall {
        method: "track".to_owned(),
        args: None,
        pixel: None,
        event: Some(crate::meta::events::PAGE_VIEW.to_owned()),
        params: BTreeMap::new(),
        event_id: None,
        setup: true,
    });
    out
}

/// The calls one event fire makes: one `track*` call, or one `trackSingle*` per pixel.
fn event_calls(e: &ResolvedEvent, planted: &harness::Planted) -> Vec<ExpectedCall> {
    let params: BTreeMap<String, ExpectedParam> = e
        .params
        .iter()
        .filter_map(|(k, v)| match v {
            ParamValue::Literal(c) => Some((
                k.clone(),
                ExpectedParam {
                    kind: literal_kind(c).to_owned(),
                    value: c.clone(),
                    constant: true,
                    source: None,
                },
            )),
            ParamValue::Source(s) => planted.expected(k, s).map(|value| {
                (
                    k.clone(),
                    ExpectedParam {
                        kind: s.ty().as_str().to_owned(),
                        value,
                        constant: false,
                        source: Some(s.describe()),
                    },
                )
            }),
        })
        .collect();
    let event_id = e.event_id.as_ref().map(|id| ExpectedEventId {
        value: match &id.source {
            Source::Random => None,
            other => planted.expected_id(other),
        },
        shared: id.share.clone(),
    });
    let base = |method: &str, pixel: Option<String>| ExpectedCall {
        method: method.to_owned(),
        args: None,
        pixel,
        event: Some(e.event.clone()),
        params: params.clone(),
        event_id: event_id.clone(),
        setup: false,
    };
    match &e.pixels {
        None => vec![base(if e.custom { "trackCustom" } else { "track" }, None)],
        Some(ids) => ids
            .iter()
            .map(|id| {
                base(
                    if e.custom {
                        "trackSingleCustom"
                    } else {
                        "trackSingle"
                    },
                    Some(id.clone()),
                )
            })
            .collect(),
    }
}

fn literal_kind(v: &Value) -> &'static str {
    match v {
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::Bool(_) => "boolean",
        Value::Array(a) if a.iter().all(Value::is_object) && !a.is_empty() => "contents",
        Value::Array(_) => "string[]",
        _ => "string",
    }
}

fn load_check(
    site: &Site,
    page: &ResolvedPage,
    router: &harness::Router,
    index: usize,
    sources: &SourceMap,
    server_ids: &BTreeMap<&str, String>,
) -> BrowserCheck {
    let events: Vec<&ResolvedEvent> = page.on_load.iter().collect();
    let built = harness::fixture(page, router, index, None, &events, server_ids);
    let mut expect = setup_calls(site);
    for e in &events {
        expect.extend(event_calls(e, &built.planted));
    }
    let names: Vec<&str> = events.iter().map(|e| e.event.as_str()).collect();
    let (urls, site_skip) = site_urls(page);
    BrowserCheck {
        id: format!("browser/{}/load", page.id),
        title: if names.is_empty() {
            format!("loading {} fires PageView", page.id)
        } else {
            format!("loading {} fires PageView, {}", page.id, names.join(", "))
        },
        location: location(sources, page.origin),
        page: page.id.clone(),
        path: built.path,
        urls,
        site_skip,
        steps: page.verify.before.clone(),
        fill: BTreeMap::new(),
        wait_ms: None,
        action: Action::Load,
        expect,
        consent_required: site.consent_required,
        fixture: built.fixture,
        harness_error: built.error,
    }
}

fn button_check(
    site: &Site,
    page: &ResolvedPage,
    b: &ResolvedButton,
    router: &harness::Router,
    index: usize,
    sources: &SourceMap,
    server_ids: &BTreeMap<&str, String>,
) -> BrowserCheck {
    let built = harness::fixture(page, router, index, Some(b), &[&b.event], server_ids);
    let locator = match &b.locator {
        ResolvedLocator::Selector { selector } => Locator::Selector {
            selector: selector.clone(),
        },
        ResolvedLocator::Text { text, within } => Locator::Text {
            text: text.clone(),
            within: within.clone(),
        },
    };
    let what = match &locator {
        Locator::Selector { selector } => format!("`{selector}`"),
        Locator::Text { text, .. } => format!("\"{text}\""),
    };
    let (action, verb) = match b.on {
        crate::model::Trigger::Submit => (Action::Submit { locator }, "submitting"),
        crate::model::Trigger::Click => (Action::Click { locator }, "clicking"),
    };
    let (mut urls, site_skip) = site_urls(page);
    urls.truncate(1);
    let mut steps = page.verify.before.clone();
    steps.extend(b.verify.before.iter().cloned());
    BrowserCheck {
        id: format!("browser/{}/{}", page.id, b.id),
        title: format!("{verb} {what} on {} fires {}", page.id, b.event.event),
        location: location(sources, b.origin),
        page: page.id.clone(),
        path: built.path,
        urls,
        site_skip,
        steps,
        fill: b.verify.fill.clone(),
        wait_ms: b
            .verify
            .wait
            .filter(|w| w.is_finite() && *w >= 0.0)
            .map(|w| (w * 1000.0).round() as u64),
        action,
        expect: event_calls(&b.event, &built.planted),
        consent_required: site.consent_required,
        fixture: built.fixture,
        harness_error: built.error,
    }
}

/// The paths a real site is checked at, or why there are none
/// ([`ResolvedPage::example_paths`], the rule `tagc scan --all` shares).
fn site_urls(page: &ResolvedPage) -> (Vec<String>, Option<String>) {
    match page.example_paths() {
        Ok(paths) => (paths, None),
        Err(why) => (Vec::new(), Some(why)),
    }
}

/// The JSON Schema of the plan document, as committed in [`super::PLAN_SCHEMA_PATH`].
#[must_use]
pub fn schema_text() -> String {
    crate::schema::to_text(&crate::schema::schema_for::<Plan>(PLAN_SCHEMA_ID))
}

impl Plan {
    /// The plan as JSON ending in a newline, laid out for diffs: the header fields one
    /// per line, then one line per check (a site with thousands of buttons has tens of
    /// thousands of checks; indenting each of them would triple the file).
    #[must_use]
    pub fn to_json(&self) -> String {
        self.document(&[lines(&self.checks)])
    }

    /// The document with `groups` (each the [`lines`] of some checks; empty ones are
    /// skipped) in place of `self.checks`.
    fn document(&self, groups: &[String]) -> String {
        let mut out = Vec::with_capacity(groups.iter().map(|c| c.len() + 6).sum::<usize>() + 1024);
        // Writing into memory cannot fail.
        let _ = Document::begin(&mut out, self).and_then(|mut doc| {
            for g in groups {
                doc.group(g)?;
            }
            doc.end(self)
        });
        String::from_utf8(out).unwrap_or_default()
    }

    /// Reads a plan document.
    ///
    /// # Errors
    /// When the text is not a plan of a version this tagc understands.
    pub fn from_json(text: &str) -> Result<Plan, String> {
        let p: Plan = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if p.version != PLAN_VERSION {
            return Err(format!(
                "plan version {} is not supported (this tagc reads version {PLAN_VERSION}); rebuild it with this tagc",
                p.version
            ));
        }
        Ok(p)
    }
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// The plan document written as it is made: [`Document::begin`] writes the header fields,
/// [`Document::group`] each group of check lines, [`Document::end`] the rest.
struct Document<'w> {
    out: &'w mut dyn std::io::Write,
    /// Whether a check has been written (else `checks` is `[]`).
    any: bool,
}

impl<'w> Document<'w> {
    /// Writes `plan`'s fields up to its checks.
    fn begin(out: &'w mut dyn std::io::Write, plan: &Plan) -> std::io::Result<Self> {
        use erased::Json as _;
        let mut first = true;
        let mut field = |out: &mut dyn std::io::Write, k: &str, v: &str| {
            let sep = if std::mem::take(&mut first) {
                "{\n  "
            } else {
                ",\n  "
            };
            write!(out, "{sep}{}: {v}", quote(k))
        };
        field(out, "$schema", &plan.schema.json())?;
        field(out, "version", &plan.version.json())?;
        field(out, "generator", &plan.generator.json())?;
        field(out, "env", &plan.env.json())?;
        if let Some(site) = &plan.site {
            field(out, "site", &site.json())?;
        }
        if let Some(m) = &plan.mapping {
            field(out, "mapping", &m.json())?;
        }
        field(out, "snippets", &plan.snippets.json())?;
        if let Some(step) = &plan.consent_step {
            field(out, "consent_step", &step.json())?;
        }
        field(out, "pages", &plan.pages.json())?;
        field(out, "checks", "")?;
        Ok(Document { out, any: false })
    }

    /// Writes the [`lines`] of some checks (nothing when there are none).
    fn group(&mut self, lines: &str) -> std::io::Result<()> {
        if lines.is_empty() {
            return Ok(());
        }
        let sep = if std::mem::replace(&mut self.any, true) {
            CHECK_SEPARATOR
        } else {
            "[\n    "
        };
        self.out.write_all(sep.as_bytes())?;
        self.out.write_all(lines.as_bytes())
    }

    /// Closes the checks and writes `plan`'s fields after them.
    fn end(self, plan: &Plan) -> std::io::Result<()> {
        use erased::Json as _;
        let checks = if self.any { "\n  ]" } else { "[]" };
        write!(
            self.out,
            "{checks},\n  {}: {}\n}}\n",
            quote("manual"),
            plan.manual.json()
        )
    }
}

/// Serializing header fields of different types through one closure.
mod erased {
    /// A value written as compact JSON.
    pub trait Json {
        fn json(&self) -> String;
    }

    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap_or_default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(checks: Vec<PlanCheck>) -> Plan {
        Plan {
            schema: PLAN_SCHEMA_ID.to_owned(),
            version: PLAN_VERSION,
            generator: "tagc test".to_owned(),
            env: "production".to_owned(),
            site: None,
            mapping: None,
            snippets: crate::dist::layout::relative(
                crate::dist::layout::VERIFY_PLAN,
                crate::dist::layout::PAGE_SNIPPETS,
            ),
            consent_step: None,
            pages: Vec::new(),
            checks,
            manual: vec![MANUAL_STEP.to_owned()],
        }
    }

    /// Empty groups (a site without server events has an empty first group) leave no
    /// blank line or stray separator, and a plan without checks says `[]`.
    #[test]
    fn empty_groups_are_skipped() {
        let empty = plan(Vec::new());
        let text = empty.to_json();
        assert!(text.contains("\n  \"checks\": [],\n"), "{text}");
        assert_eq!(Plan::from_json(&text).unwrap(), empty);
        let check = PlanCheck::Dedup(DedupCheck {
            id: "dedup/x".into(),
            title: "t".into(),
            location: Location {
                file: "tagc.yaml".into(),
                line: 1,
                column: 1,
            },
            browser_check: "browser/p/b".into(),
            server_check: "server/x".into(),
            server_event: "x".into(),
            event_name: "Lead".into(),
            shared: None,
            server_event_id_path: None,
            browser_id_source: None,
            server_copies_from: None,
        });
        let one = plan(vec![check.clone()]);
        let line = serde_json::to_string(&check).unwrap();
        let grouped = one.document(&[String::new(), line.clone(), String::new()]);
        assert_eq!(grouped, one.to_json());
        assert!(
            grouped.contains(&format!("\"checks\": [\n    {line}\n  ],")),
            "{grouped}"
        );
    }
}
