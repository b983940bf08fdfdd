//! Pages, their URL patterns, load events and buttons.

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::event::{EventFields, EventId, EventUse};
use super::params::ParamMap;
use super::verify::{ButtonVerify, PageVerify};

/// A page (or a group of pages sharing a URL pattern) of the site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// A unique id for this page, used in reports and references (`page_id/button_id`).
    #[schemars(example = &"product", regex(pattern = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"))]
    pub id: String,
    /// The URL path pattern(s) this page covers. Exact paths (`/pricing`), `{name}`
    /// segments (`/events/{slug}`), `*` within one segment (`/blog/*`) and `**` across
    /// segments (`/docs/**`). `/checkout/*` does not match `/checkout/step/2`.
    pub url: UrlPatterns,
    /// Events fired when the page loads (after the automatic `PageView`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub on_load: Vec<EventUse>,
    /// Buttons, links and forms that fire events.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buttons: Vec<Button>,
    /// How `tagc verify` checks this page on a real site: the concrete URLs to load, the
    /// steps that reach it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<PageVerify>,
}

/// One URL pattern or a list of them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UrlPatterns(pub Vec<String>);

impl<'de> Deserialize<'de> for UrlPatterns {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum OneOrMany {
            One(String),
            Many(Vec<String>),
        }
        Ok(match OneOrMany::deserialize(d)? {
            OneOrMany::One(s) => UrlPatterns(vec![s]),
            OneOrMany::Many(v) => UrlPatterns(v),
        })
    }
}

impl Serialize for UrlPatterns {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.as_slice() {
            [one] => one.serialize(s),
            many => many.serialize(s),
        }
    }
}

impl JsonSchema for UrlPatterns {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "UrlPatterns".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A URL path pattern, or a list of them. Patterns start with `/`.",
            "examples": ["/", "/events/{slug}", ["/checkout", "/checkout/*"]],
            "if": {"type": "array"},
            "then": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "else": {"type": "string"}
        })
    }
}

/// What makes a button fire.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// A click on the element (or anything inside it).
    #[default]
    Click,
    /// The submission of a form (the element is the `<form>`, or a field inside it).
    Submit,
}

/// A button, link or form that fires an event.
///
/// (The event fields repeat those of [`super::EventUse`] rather than being flattened into
/// it: serde cannot combine `flatten` with `deny_unknown_fields`, and a typo must stay an
/// error. [`Button::fields`] gives the shared view.)
///
/// Locate it with exactly one of `selector` (CSS) or `text` (its visible label, the way
/// Meta's Event Setup Tool picks a button), and give the event with exactly one of `use`
/// (a definition under `events:`) or `event` (inline).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Button {
    /// A unique id within the page.
    #[schemars(example = &"attend", regex(pattern = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"))]
    pub id: String,
    /// A CSS selector for the element.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(example = &"button.add-to-cart")]
    pub selector: Option<String>,
    /// The element's visible text (whitespace-trimmed, exact match).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(example = &"Asistir presencial")]
    pub text: Option<String>,
    /// With `text`: only look inside elements matching this CSS selector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(example = &"main")]
    pub within: Option<String>,
    /// `click` (default) or `submit` (for forms).
    #[serde(default, skip_serializing_if = "is_click")]
    pub on: Trigger,
    /// The name of an event definition under `events:`.
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    /// An inline Meta event name (instead of `use`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(example = &"AddToCart")]
    pub event: Option<String>,
    /// Set to `true` for a custom (non-standard) event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<bool>,
    /// Parameters; with `use`, these are added to (and override) the definition's.
    #[serde(default, skip_serializing_if = "ParamMap::is_empty")]
    pub params: ParamMap,
    /// Parameter keys that are meant as custom parameters although they look like a
    /// misspelled standard one (`valor`, `content_id`): declaring them here silences
    /// `misspelled-standard-parameter` (TAG2027) for these keys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(example = serde_json::json!(["content_id"]))]
    pub custom_params: Vec<String>,
    /// Send only to these pixels (by name).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pixels: Vec<String>,
    /// The event id shared with a server event for deduplication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<Box<EventId>>,
    /// How `tagc verify` reaches and uses this element on a real site: steps before (open
    /// a modal), form values, how long to wait for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<Box<ButtonVerify>>,
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_click(t: &Trigger) -> bool {
    *t == Trigger::Click
}

/// How a button is found on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locator<'a> {
    /// By CSS selector.
    Selector(&'a str),
    /// By visible text, optionally within a container.
    Text {
        /// The text.
        text: &'a str,
        /// The container selector.
        within: Option<&'a str>,
    },
}

impl Button {
    /// The event fields as a borrowed view.
    #[must_use]
    pub fn fields(&self) -> EventFields<'_> {
        EventFields {
            use_: self.use_.as_deref(),
            event: self.event.as_deref(),
            custom: self.custom,
            params: &self.params,
            custom_params: &self.custom_params,
            pixels: &self.pixels,
            event_id: self.event_id.as_deref(),
        }
    }

    /// The locator, if exactly one of `selector` and `text` is set.
    #[must_use]
    pub fn locator(&self) -> Option<Locator<'_>> {
        match (&self.selector, &self.text) {
            (Some(s), None) => Some(Locator::Selector(s)),
            (None, Some(t)) => Some(Locator::Text {
                text: t,
                within: self.within.as_deref(),
            }),
            _ => None,
        }
    }
}
