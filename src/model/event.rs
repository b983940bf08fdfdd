//! Event definitions and event ids for deduplication.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::param::Source;
use super::params::ParamMap;

/// A reusable event definition, referenced with `use: NAME`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventDef {
    /// The Meta event name: a standard event (`Purchase`, `Lead`, …) or, with
    /// `custom: true`, a custom event name of at most 50 characters.
    #[schemars(example = &"Lead")]
    pub event: String,
    /// Set to `true` for a custom (non-standard) event, sent with `trackCustom`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<bool>,
    /// The event's parameters (custom data).
    #[serde(default, skip_serializing_if = "ParamMap::is_empty")]
    pub params: ParamMap,
    /// Parameter keys that are meant as custom parameters although they look like a
    /// misspelled standard one (`valor`, `content_id`): declaring them here silences
    /// `misspelled-standard-parameter` (TAG2027) for these keys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(example = serde_json::json!(["content_id"]))]
    pub custom_params: Vec<String>,
    /// Send only to these pixels (by name); all pixels when left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pixels: Vec<String>,
    /// The event id shared with a server event for deduplication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<EventId>,
}

/// An event fired when a page loads: a definition by name (`use`), or an inline event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventUse {
    /// The name of a definition under `events:`.
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    #[schemars(example = &"product_view")]
    pub use_: Option<String>,
    /// An inline Meta event name (instead of `use`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(example = &"ViewContent")]
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
}

/// The browser-side event id (`eventID`) that lets Meta deduplicate this event against
/// its server copy, and how the server learns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventId {
    /// Where the id comes from: `{from: random}` for a fresh id per action, or a value the
    /// server also knows, such as the order id in the data layer.
    #[schemars(example = serde_json::json!({"from": "data_layer", "path": "ecommerce.transaction_id"}))]
    pub source: Source,
    /// How the browser hands the id to the server. Required with `from: random`, since
    /// the server cannot know a random id otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<IdShare>,
}

/// How the browser hands an event id to the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "via", rename_all = "snake_case", deny_unknown_fields)]
pub enum IdShare {
    /// A hidden `<input>` added to the form that is submitted.
    FormField {
        /// The input's `name`.
        #[schemars(example = &"event_id")]
        name: String,
    },
    /// A `window.dataLayer.push({KEY: id})`.
    DataLayer {
        /// The data-layer key.
        #[schemars(example = &"tagc_event_id")]
        key: String,
    },
    /// A first-party cookie the server reads on its next request.
    Cookie {
        /// The cookie name (letters, digits and ``!#$%&'*+.^_`|~-``, as cookies allow).
        #[schemars(
            example = &"tagc_event_id",
            regex(pattern = r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
        )]
        name: String,
    },
}

/// Where a definition of an event is used from, to treat inline and `use` forms alike.
#[derive(Debug, Clone, Copy)]
pub struct EventFields<'a> {
    /// `use:`.
    pub use_: Option<&'a str>,
    /// `event:`.
    pub event: Option<&'a str>,
    /// `custom:`.
    pub custom: Option<bool>,
    /// `params:`.
    pub params: &'a ParamMap,
    /// `custom_params:`.
    pub custom_params: &'a [String],
    /// `pixels:`.
    pub pixels: &'a [String],
    /// `event_id:`.
    pub event_id: Option<&'a EventId>,
}

impl EventUse {
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
}

impl EventDef {
    /// The event fields as a borrowed view.
    #[must_use]
    pub fn fields(&self) -> EventFields<'_> {
        EventFields {
            use_: None,
            event: Some(&self.event),
            custom: self.custom,
            params: &self.params,
            custom_params: &self.custom_params,
            pixels: &self.pixels,
            event_id: self.event_id.as_ref(),
        }
    }
}

/// Re-exported for `model::IdSource` readers: an id source is a [`Source`].
pub type IdSource = Source;
