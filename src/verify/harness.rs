//! Offline harness pages: for each browser check, a page that embeds the page's own
//! inline snippet (byte for byte what ships) and plants what the configured sources read —
//! an element matching the button's selector, the attributes its parameters read from
//! `closest` ancestors, data-layer entries, meta tags, cookies, query parameters — with
//! known sample values, so the expected `fbq` calls are exact.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::emit::escape::html_attr;
use crate::model::{ParamType, ParamValue, Source};
use crate::resolve::{ResolvedButton, ResolvedEvent, ResolvedLocator, ResolvedPage};
use crate::urlpattern::UrlPattern;

/// What a harness page plants.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// `<meta>` tags in `<head>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub meta: Vec<MetaTag>,
    /// `window.dataLayer` entries, pushed before the snippet runs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_layer: Vec<Value>,
    /// Values under `window`, by dotted path.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub window: BTreeMap<String, Value>,
    /// Cookies set before the snippet runs.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cookies: BTreeMap<String, String>,
    /// The body's elements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub body: Vec<Element>,
}

/// A `<meta>` tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetaTag {
    /// `name` or `property`.
    pub attr: String,
    /// Its value (`og:title`).
    pub key: String,
    /// The `content`.
    pub content: String,
}

/// An element of the harness body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Element {
    /// The tag name.
    pub tag: String,
    /// Attributes (`id` and `class` included), sorted.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attrs: BTreeMap<String, String>,
    /// Text content (before the children).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Child elements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Element>,
}

/// What a fixture planted, to compute the values the runtime must read.
#[derive(Debug, Clone, Default)]
pub struct Planted {
    /// Whether a clicked element exists (load checks have none).
    has_element: bool,
    /// The clicked element's text, when a text locator fixes it.
    element_text: Option<String>,
    /// Planted event-id values by source key.
    ids: BTreeMap<String, String>,
}

/// A fixture and what follows from it.
#[derive(Debug, Clone, Default)]
pub struct Built {
    /// The fixture.
    pub fixture: Fixture,
    /// What it planted.
    pub planted: Planted,
    /// The URL path (and query) to load.
    pub path: String,
    /// Why the harness cannot reproduce this check, if it cannot.
    pub error: Option<String>,
}

const SAMPLE_TEXT: &str = "Sample text";

/// A sample value of a type: its text form (attributes, URLs, meta tags), its JSON form
/// (data layer, `window`), and the value the runtime converts either to.
fn sample(ty: ParamType, name: &str) -> (String, Value, Option<Value>) {
    let slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    match ty {
        ParamType::String => {
            let s = format!("sample-{slug}");
            (s.clone(), Value::from(s.clone()), Some(Value::from(s)))
        }
        ParamType::Number => (
            "24.90".into(),
            serde_json::json!(24.9),
            Some(serde_json::json!(24.9)),
        ),
        ParamType::Integer => ("3".into(), serde_json::json!(3), Some(serde_json::json!(3))),
        ParamType::Boolean => ("true".into(), Value::Bool(true), Some(Value::Bool(true))),
        ParamType::StringList => (
            "SKU-1".into(),
            serde_json::json!(["SKU-1", "SKU-2"]),
            Some(serde_json::json!(["SKU-1"])),
        ),
        ParamType::Contents => (
            String::new(),
            serde_json::json!([{"id": "SKU-1", "quantity": 2, "item_price": 24.9}]),
            None,
        ),
    }
}

/// What the runtime makes of a text of the page (the clicked element's text), for the
/// plain forms the harness plants.
fn convert_text(ty: ParamType, text: &str) -> Option<Value> {
    let t = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.is_empty() {
        return None;
    }
    match ty {
        ParamType::String => Some(Value::from(t)),
        ParamType::StringList => Some(serde_json::json!([t])),
        ParamType::Number => t
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number),
        ParamType::Integer => t.parse::<f64>().ok().map(|f| Value::from(f.round() as i64)),
        ParamType::Boolean => Some(Value::Bool(matches!(
            t.to_ascii_lowercase().as_str(),
            "true" | "1" | "yes"
        ))),
        ParamType::Contents => None,
    }
}

/// The value the runtime reads for a JSON-planted sample (data layer, `window`).
fn json_expected(ty: ParamType, json: &Value) -> Option<Value> {
    match ty {
        ParamType::StringList | ParamType::Contents => Some(json.clone()),
        _ => sample(ty, "").2.map(|_| json.clone()),
    }
}

/// Where a source's sample is planted and under which name.
fn source_key(s: &Source) -> String {
    format!("{}:{}", s.kind(), s.target())
}

impl Planted {
    /// The value the runtime must send for parameter `param` read from `s`; `None` when
    /// the runtime leaves it out (nothing to read).
    #[must_use]
    pub fn expected(&self, param: &str, s: &Source) -> Option<Value> {
        let ty = s.ty();
        match s {
            Source::Random => None,
            Source::Attribute { .. } if !self.has_element => None,
            Source::Text { selector: None, .. } => {
                if !self.has_element {
                    return None;
                }
                convert_text(ty, self.element_text.as_deref().unwrap_or(SAMPLE_TEXT))
            }
            Source::DataLayer { .. } | Source::Window { .. } => {
                let (_, json, _) = sample(ty, param);
                json_expected(ty, &json)
            }
            _ => sample(ty, param).2,
        }
    }

    /// The `eventID` the runtime must send for an id read from `s`.
    #[must_use]
    pub fn expected_id(&self, s: &Source) -> Option<String> {
        self.ids.get(&source_key(s)).cloned()
    }
}

/// Builds the fixture of a check: the load of `page` (`button` = `None`) or a button.
#[must_use]
pub fn fixture(
    page: &ResolvedPage,
    router: &Router,
    index: usize,
    button: Option<&ResolvedButton>,
    events: &[&ResolvedEvent],
    server_ids: &BTreeMap<&str, String>,
) -> Built {
    let mut b = Builder::default();
    b.planted.has_element = button.is_some();
    let mut query: Vec<(String, String)> = Vec::new();
    let mut url_params: BTreeMap<String, String> = BTreeMap::new();
    let mut closest: Vec<(String, String, String)> = Vec::new(); // (selector, attr, value)
    let mut own_attrs: Vec<(String, String)> = Vec::new();
    let mut data_layer = Map::new();

    let mut plant = |b: &mut Builder, param: &str, s: &Source, id_value: Option<String>| {
        let ty = s.ty();
        let (text, json, _) = sample(ty, param);
        let text = id_value.clone().unwrap_or(text);
        let json = id_value.map_or(json, Value::from);
        match s {
            Source::Attribute {
                name, closest: c, ..
            } => match c {
                Some(c) => closest.push((c.clone(), name.clone(), text)),
                None => own_attrs.push((name.clone(), text)),
            },
            Source::Text {
                selector: Some(sel),
                ..
            } => match chain(sel, "span") {
                Ok(mut els) => {
                    if let Some(leaf) = leaf_mut(&mut els) {
                        leaf.text = Some(text);
                    }
                    b.extra.extend(nest(els));
                }
                Err(e) => {
                    b.error.get_or_insert(e);
                }
            },
            Source::Text { selector: None, .. } => {
                if b.planted.element_text.is_none() {
                    b.element_text = Some(text);
                }
            }
            Source::Query { name, .. } => query.push((name.clone(), text)),
            Source::UrlParam { name, .. } => {
                url_params.insert(name.clone(), text);
            }
            Source::DataLayer { path, .. } => {
                let keys: Vec<&str> = path.split('.').collect();
                crate::mapping::insert_at(&mut data_layer, &keys, json);
            }
            Source::Window { path, .. } => {
                b.fixture.window.insert(path.clone(), json);
            }
            Source::Cookie { name, .. } => {
                b.fixture.cookies.insert(name.clone(), text);
            }
            Source::Meta { name, .. } => b.fixture.meta.push(MetaTag {
                attr: if name.contains(':') {
                    "property"
                } else {
                    "name"
                }
                .to_owned(),
                key: name.clone(),
                content: text,
            }),
            Source::Random => {}
        }
    };

    if let Some(ResolvedLocator::Text { text, .. }) = button.map(|b| &b.locator) {
        b.planted.element_text = Some(text.clone());
    }
    for e in events {
        for (k, v) in &e.params {
            if let ParamValue::Source(s) = v {
                plant(&mut b, k, s, None);
            }
        }
        if let Some(id) = &e.event_id
            && !matches!(id.source, Source::Random)
        {
            let value = e
                .deduplicated_by
                .iter()
                .find_map(|s| server_ids.get(s.as_str()).cloned())
                .unwrap_or_else(|| "ORDER-1001".to_owned());
            b.planted.ids.insert(source_key(&id.source), value.clone());
            plant(&mut b, "event_id", &id.source, Some(value));
        }
    }
    if !data_layer.is_empty() {
        b.fixture.data_layer.push(Value::Object(data_layer));
    }

    // The clicked element, its ancestors from the selector, `closest` wrappers.
    if let Some(btn) = button {
        let submit = btn.on == crate::model::Trigger::Submit;
        let built = match &btn.locator {
            ResolvedLocator::Selector { selector } => {
                chain(selector, if submit { "form" } else { "button" })
            }
            ResolvedLocator::Text { text, within } => {
                let leaf = Element {
                    tag: if submit { "form" } else { "button" }.to_owned(),
                    text: Some(text.clone()),
                    ..Element::default()
                };
                match within {
                    Some(w) => chain(w, "div").map(|mut els| {
                        els.push(leaf);
                        els
                    }),
                    None => Ok(vec![leaf]),
                }
            }
        };
        match built {
            Ok(mut els) => {
                if let Some(leaf) = leaf_mut(&mut els) {
                    if let Some(t) = &b.element_text {
                        if leaf.text.is_none() {
                            leaf.text = Some(t.clone());
                            b.planted.element_text = Some(t.clone());
                        }
                    } else if leaf.text.is_none() && leaf.tag != "form" {
                        leaf.text = Some("Go".to_owned());
                        b.planted.element_text = Some("Go".to_owned());
                    }
                    for (k, v) in &own_attrs {
                        leaf.attrs.insert(k.clone(), v.clone());
                    }
                    if submit && leaf.tag == "form" {
                        // An input's value is not part of the form's text.
                        leaf.children.push(Element {
                            tag: "input".to_owned(),
                            attrs: BTreeMap::from([
                                ("type".to_owned(), "submit".to_owned()),
                                ("value".to_owned(), "Send".to_owned()),
                            ]),
                            text: None,
                            children: Vec::new(),
                        });
                    }
                }
                for (sel, attr, value) in &closest {
                    match place_closest(&mut els, sel, attr, value) {
                        Ok(()) => {}
                        Err(e) => {
                            b.error.get_or_insert(e);
                        }
                    }
                }
                b.fixture.body.extend(nest(els));
            }
            Err(e) => {
                b.error.get_or_insert(e);
            }
        }
    }
    b.fixture.body.append(&mut b.extra);

    // The URL: the first pattern of the page that has every `{param}` read, planted.
    let pattern = page
        .url
        .iter()
        .find(|p| {
            url_params
                .keys()
                .all(|name| p.pattern.contains(&format!("{{{name}}}")))
        })
        .or(page.url.first());
    let path = match pattern {
        Some(p) => fill(&p.pattern, &url_params),
        None => "/".to_owned(),
    };
    match router.first_match(&path) {
        Some(i) if i == index => {}
        Some(i) => {
            b.error.get_or_insert(format!(
                "the harness path {path} would match page `{}` first",
                router.id(i)
            ));
        }
        None => {
            b.error.get_or_insert(format!(
                "the harness path {path} matches none of the page's URL patterns"
            ));
        }
    }
    let path = if query.is_empty() {
        path
    } else {
        let q: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        format!("{path}?{}", q.join("&"))
    };
    b.planted.element_text = b.planted.element_text.or(b.element_text);
    Built {
        fixture: b.fixture,
        planted: b.planted,
        path,
        error: b.error,
    }
}

/// First-match-wins routing of concrete paths to pages, indexed by the first path segment
/// so that a site with thousands of pages is not matched pattern by pattern.
#[derive(Debug, Default)]
pub struct Router {
    ids: Vec<String>,
    patterns: Vec<Vec<UrlPattern>>,
    /// Pages with a pattern whose first segment is this literal text, ascending.
    by_first: std::collections::HashMap<String, Vec<usize>>,
    /// Pages with a pattern whose first segment has a wildcard or parameter, ascending.
    wild: Vec<usize>,
}

fn first_segment(path: &str) -> &str {
    let p = path.strip_prefix('/').unwrap_or(path);
    p.split('/').next().unwrap_or_default()
}

impl Router {
    /// The router of a site's pages, in order.
    #[must_use]
    pub fn new(pages: &[ResolvedPage]) -> Router {
        let mut r = Router::default();
        for (i, page) in pages.iter().enumerate() {
            r.ids.push(page.id.clone());
            let mut parsed = Vec::new();
            let (mut literal, mut wild) = (Vec::new(), false);
            for u in &page.url {
                let Ok(p) = UrlPattern::parse(&u.pattern) else {
                    continue;
                };
                let first = first_segment(&u.pattern);
                if first.contains(['{', '*']) {
                    wild = true;
                } else {
                    literal.push(first.to_owned());
                }
                parsed.push(p);
            }
            r.patterns.push(parsed);
            if wild {
                r.wild.push(i);
            }
            literal.sort();
            literal.dedup();
            for l in literal {
                r.by_first.entry(l).or_default().push(i);
            }
        }
        r
    }

    /// The first page (by index) whose patterns match `path`.
    #[must_use]
    pub fn first_match(&self, path: &str) -> Option<usize> {
        let empty = Vec::new();
        let literal = self.by_first.get(first_segment(path)).unwrap_or(&empty);
        let mut candidates: Vec<usize> = literal.iter().chain(&self.wild).copied().collect();
        candidates.sort_unstable();
        candidates.dedup();
        candidates.into_iter().find(|&i| {
            self.patterns
                .get(i)
                .is_some_and(|ps| ps.iter().any(|p| p.matches(path).is_some()))
        })
    }

    /// The id of page `i`.
    #[must_use]
    pub fn id(&self, i: usize) -> &str {
        self.ids.get(i).map_or("", String::as_str)
    }
}

#[derive(Default)]
struct Builder {
    fixture: Fixture,
    planted: Planted,
    extra: Vec<Element>,
    element_text: Option<String>,
    error: Option<String>,
}

/// Replaces `{name}` with planted values, `**` with two segments and `*` with one letter.
fn fill(pattern: &str, params: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("**") {
            out.push_str("any/path");
            rest = &rest[2..];
        } else if c == '*' {
            out.push('x');
            rest = &rest[1..];
        } else if c == '{' {
            let end = rest.find('}').unwrap_or(rest.len() - 1);
            let name = &rest[1..end];
            out.push_str(&encode(
                params
                    .get(name)
                    .map_or_else(|| format!("sample-{name}"), Clone::clone)
                    .as_str(),
            ));
            rest = &rest[end + 1..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    if out.is_empty() { "/".to_owned() } else { out }
}

/// Percent-encodes everything but unreserved characters.
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The innermost element of a chain.
fn leaf_mut(els: &mut [Element]) -> Option<&mut Element> {
    els.last_mut()
}

/// Turns an outermost-first chain into one nested element (plus `:nth-child` fillers,
/// already inside each element's `children`).
fn nest(mut els: Vec<Element>) -> Vec<Element> {
    let Some(mut inner) = els.pop() else {
        return Vec::new();
    };
    let mut fillers_inner = take_fillers(&mut inner);
    while let Some(mut parent) = els.pop() {
        let fillers_parent = take_fillers(&mut parent);
        parent.children.extend(fillers_inner);
        parent.children.push(inner);
        inner = parent;
        fillers_inner = fillers_parent;
    }
    let mut out = fillers_inner;
    out.push(inner);
    out
}

const NTH: &str = "data-tagc-nth";

fn take_fillers(e: &mut Element) -> Vec<Element> {
    let n: usize = e
        .attrs
        .remove(NTH)
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    (1..n)
        .map(|_| Element {
            tag: "span".to_owned(),
            ..Element::default()
        })
        .collect()
}

/// Parses a CSS selector into the chain of elements it describes, outermost first. Only
/// what can be built is accepted: tag, `#id`, `.class`, `[attr]`, `[attr op value]`,
/// `:nth-child(N)`, `:first-child`, descendant and `>` combinators; the first selector of
/// a list is used.
fn chain(selector: &str, leaf_tag: &str) -> Result<Vec<Element>, String> {
    let first = split_top(selector, ',')
        .into_iter()
        .next()
        .unwrap_or_default();
    let mut compounds: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for c in first.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                cur.push(c);
            }
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                cur.push(c);
            }
            (None, '[' | '(') => {
                depth += 1;
                cur.push(c);
            }
            (None, ']' | ')') => {
                depth -= 1;
                cur.push(c);
            }
            (None, '+' | '~') if depth == 0 => {
                return Err(format!(
                    "the harness cannot build sibling combinators (`{c}`) of `{selector}`; run this check against a real page with --base-url"
                ));
            }
            (None, c) if depth == 0 && (c.is_whitespace() || c == '>') => {
                if !cur.is_empty() {
                    compounds.push(std::mem::take(&mut cur));
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if !cur.is_empty() {
        compounds.push(cur);
    }
    if compounds.is_empty() {
        return Err(format!(
            "`{selector}` selects nothing the harness can build"
        ));
    }
    let n = compounds.len();
    compounds
        .iter()
        .enumerate()
        .map(|(i, c)| compound(c, if i + 1 == n { leaf_tag } else { "div" }, selector))
        .collect()
}

fn split_top(s: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0i32;
    for c in s.chars() {
        match c {
            '[' | '(' => depth += 1,
            ']' | ')' => depth -= 1,
            _ => {}
        }
        if c == sep && depth == 0 {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out.into_iter().map(|s| s.trim().to_owned()).collect()
}

fn compound(c: &str, default_tag: &str, selector: &str) -> Result<Element, String> {
    let unsupported = |what: &str| {
        format!(
            "the harness cannot build `{what}` of `{selector}`; run this check against a real page with --base-url"
        )
    };
    let mut e = Element::default();
    let chars: Vec<char> = c.chars().collect();
    let mut i = 0;
    let ident = |i: &mut usize| -> String {
        let mut s = String::new();
        while let Some(&ch) = chars.get(*i) {
            if ch.is_alphanumeric() || ch == '-' || ch == '_' || !ch.is_ascii() {
                s.push(ch);
                *i += 1;
            } else if ch == '\\' {
                if let Some(&next) = chars.get(*i + 1) {
                    s.push(next);
                }
                *i += 2;
            } else {
                break;
            }
        }
        s
    };
    if chars.first().is_some_and(|ch| ch.is_alphabetic()) {
        e.tag = ident(&mut i).to_ascii_lowercase();
    } else if chars.first() == Some(&'*') {
        i += 1;
    }
    let mut classes: Vec<String> = Vec::new();
    while let Some(&ch) = chars.get(i) {
        match ch {
            '#' => {
                i += 1;
                let id = ident(&mut i);
                e.attrs.insert("id".to_owned(), id);
            }
            '.' => {
                i += 1;
                classes.push(ident(&mut i));
            }
            '[' => {
                let end = chars[i..]
                    .iter()
                    .position(|&x| x == ']')
                    .map(|p| i + p)
                    .ok_or_else(|| unsupported(c))?;
                let inner: String = chars[i + 1..end].iter().collect();
                i = end + 1;
                let (name, value) = match inner.find('=') {
                    Some(eq) => {
                        let name = inner[..eq]
                            .trim_end_matches(['~', '|', '^', '$', '*'])
                            .trim();
                        let mut v = inner[eq + 1..].trim();
                        if let Some(stripped) = v.strip_suffix(" i").or(v.strip_suffix(" s")) {
                            v = stripped.trim();
                        }
                        let v = v.trim_matches(|q| q == '"' || q == '\'');
                        (name.to_owned(), v.to_owned())
                    }
                    None => (inner.trim().to_owned(), String::new()),
                };
                e.attrs.insert(name, value);
            }
            ':' => {
                let rest: String = chars[i..].iter().collect();
                if let Some(arg) = rest.strip_prefix(":nth-child(") {
                    let close = arg.find(')').ok_or_else(|| unsupported(c))?;
                    let n: usize = arg[..close]
                        .trim()
                        .parse()
                        .map_err(|_| unsupported(&format!(":nth-child({})", &arg[..close])))?;
                    e.attrs.insert(NTH.to_owned(), n.max(1).to_string());
                    i += ":nth-child(".len() + close + 1;
                } else if rest.starts_with(":first-child") {
                    i += ":first-child".len();
                } else {
                    let name: String = rest.chars().take_while(|&x| x != ' ').collect();
                    return Err(unsupported(&name));
                }
            }
            _ => return Err(unsupported(c)),
        }
    }
    if e.tag.is_empty() {
        e.tag = default_tag.to_owned();
    }
    if !classes.is_empty() {
        e.attrs.insert("class".to_owned(), classes.join(" "));
    }
    Ok(e)
}

/// Whether element `e` satisfies compound `want` (tag, id, classes, attributes).
fn satisfies(e: &Element, want: &Element) -> bool {
    (want.tag == "div" || want.tag == e.tag)
        && want.attrs.iter().all(|(k, v)| match k.as_str() {
            "class" => {
                let have: Vec<&str> = e
                    .attrs
                    .get("class")
                    .map(|c| c.split(' ').collect())
                    .unwrap_or_default();
                v.split(' ').all(|c| have.contains(&c))
            }
            NTH => true,
            _ => e.attrs.get(k) == Some(v),
        })
}

/// Puts `attr=value` on the nearest element of the chain matching `selector`'s last
/// compound, or wraps the chain in elements built from `selector`.
fn place_closest(
    els: &mut Vec<Element>,
    selector: &str,
    attr: &str,
    value: &str,
) -> Result<(), String> {
    let mut wanted = chain(selector, "div")?;
    let Some(last) = wanted.last().cloned() else {
        return Ok(());
    };
    if let Some(e) = els.iter_mut().rev().find(|e| satisfies(e, &last)) {
        e.attrs.insert(attr.to_owned(), value.to_owned());
        return Ok(());
    }
    if let Some(l) = wanted.last_mut() {
        l.attrs.insert(attr.to_owned(), value.to_owned());
    }
    wanted.append(els);
    *els = wanted;
    Ok(())
}

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
    crate::emit::escape::js(v).unwrap_or_else(|_| "null".to_owned())
}

fn element(out: &mut String, e: &Element) {
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

    fn html(els: Vec<Element>) -> String {
        let mut s = String::new();
        for e in &nest(els) {
            element(&mut s, e);
        }
        s
    }

    #[test]
    fn selectors_become_matching_elements() {
        assert_eq!(
            html(
                chain(
                    "#p12 .product:nth-child(3) > button.add-to-cart[data-x='1']",
                    "button"
                )
                .unwrap()
            ),
            r#"<div id="p12"><span></span><span></span><div class="product"><button class="add-to-cart" data-x="1"></button></div></div>"#
        );
        assert_eq!(
            html(chain("form#registro", "form").unwrap()),
            r#"<form id="registro"></form>"#
        );
        assert!(chain("a + b", "button").unwrap_err().contains("--base-url"));
        assert!(chain("li:not(.x)", "button").unwrap_err().contains(":not"));
    }

    #[test]
    fn closest_attributes_land_on_a_matching_ancestor_or_a_wrapper() {
        let mut els = chain("button.add-to-cart", "button").unwrap();
        place_closest(&mut els, ".product-card", "data-sku", "SKU-1").unwrap();
        place_closest(&mut els, ".product-card", "data-price", "24.90").unwrap();
        assert_eq!(
            html(els),
            r#"<div class="product-card" data-price="24.90" data-sku="SKU-1"><button class="add-to-cart"></button></div>"#
        );
    }

    #[test]
    fn the_router_finds_the_first_matching_page_by_index() {
        let page = |id: &str, urls: &[&str]| ResolvedPage {
            id: id.into(),
            url: urls
                .iter()
                .map(|u| crate::resolve::ResolvedPattern {
                    pattern: (*u).into(),
                    regex: String::new(),
                })
                .collect(),
            on_load: Vec::new(),
            buttons: Vec::new(),
            origin: crate::source::Span::default(),
            on_load_origins: Vec::new(),
        };
        let pages = [
            page("home", &["/"]),
            page("any", &["/{lang}/about"]),
            page("shop", &["/shop/{slug}", "/en/about"]),
        ];
        let r = Router::new(&pages);
        assert_eq!(r.first_match("/"), Some(0));
        assert_eq!(r.first_match("/shop/x"), Some(2));
        assert_eq!(
            r.first_match("/en/about"),
            Some(1),
            "the wildcard page comes first"
        );
        assert_eq!(r.first_match("/nowhere"), None);
        assert_eq!(r.id(2), "shop");
    }

    #[test]
    fn url_patterns_are_filled() {
        let p = BTreeMap::from([("edition".to_owned(), "sample edition".to_owned())]);
        assert_eq!(
            fill("/congreso/{edition}", &p),
            "/congreso/sample%20edition"
        );
        assert_eq!(fill("/s/**", &p), "/s/any/path");
        assert_eq!(fill("/p-*", &p), "/p-x");
        assert_eq!(fill("/c/{slug}", &p), "/c/sample-slug");
    }

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
