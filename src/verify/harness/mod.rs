//! Offline harness pages: for each browser check, a page that embeds the page's own
//! inline snippet (byte for byte what ships) and plants what the configured sources read —
//! an element matching the button's selector, the attributes its parameters read from
//! `closest` ancestors, data-layer entries, meta tags, cookies, query parameters — with
//! known sample values, so the expected `fbq` calls are exact.
//!
//! `sample` holds the sample values and what the runtime makes of them, `dom` builds
//! elements from CSS selectors, `path` fills URL patterns, `router` finds the page a
//! path belongs to, and `html` writes the page.

mod dom;
mod html;
mod path;
mod router;
mod sample;

pub use dom::elements_for;
pub use html::render;
pub use router::Router;
pub use sample::{Planted, expected_value};

use dom::{chain, leaf_mut, nest, place_closest};
use path::{encode, fill};
use sample::{sample, source_key};

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::model::{ParamValue, Source};
use crate::resolve::{ResolvedButton, ResolvedEvent, ResolvedLocator, ResolvedPage};

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
        for (k, v) in e.params.iter() {
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

#[derive(Default)]
struct Builder {
    fixture: Fixture,
    planted: Planted,
    extra: Vec<Element>,
    element_text: Option<String>,
    error: Option<String>,
}
