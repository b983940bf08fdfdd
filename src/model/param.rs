//! Event parameters: literal values, or sources read in the browser when the event fires.

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The value of one event parameter.
///
/// A plain YAML value (text, number, boolean or list) is sent as it is. A mapping with a
/// `from:` key is a [`Source`], read in the browser when the event fires.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    /// A constant.
    Literal(serde_json::Value),
    /// A value read in the browser at fire time.
    Source(Source),
}

impl<'de> Deserialize<'de> for ParamValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        if v.is_object() {
            Source::deserialize(v)
                .map(ParamValue::Source)
                .map_err(serde::de::Error::custom)
        } else {
            Ok(ParamValue::Literal(v))
        }
    }
}

impl Serialize for ParamValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ParamValue::Literal(v) => v.serialize(s),
            ParamValue::Source(src) => src.serialize(s),
        }
    }
}

impl JsonSchema for ParamValue {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ParamValue".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let source = generator.subschema_for::<Source>();
        json_schema!({
            "description": "A parameter value: a constant (text, number, boolean or list), or a mapping with `from:` that reads the value in the browser when the event fires.",
            "examples": [49.9, "EUR", ["SKU-1"], {"from": "attribute", "name": "data-price", "type": "number"}],
            "if": {"type": "object"},
            "then": source,
            "else": {
                "type": ["string", "number", "boolean", "array"],
                "items": {"type": ["string", "number", "boolean", "object"]}
            }
        })
    }
}

/// The type a dynamic value is converted to before it is sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ParamType {
    /// Text.
    #[default]
    #[serde(rename = "string")]
    String,
    /// A number such as a price (`"49,90 €"` is read as 49.9).
    #[serde(rename = "number")]
    Number,
    /// A whole number such as a quantity.
    #[serde(rename = "integer")]
    Integer,
    /// `true` or `false`.
    #[serde(rename = "boolean")]
    Boolean,
    /// A list of texts, such as `content_ids`. A single value becomes a one-item list.
    #[serde(rename = "string[]")]
    StringList,
    /// A list of products: objects with `id`, `quantity` and optionally `item_price`.
    #[serde(rename = "contents")]
    Contents,
}

impl ParamType {
    /// The name used in the configuration.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Number => "number",
            Self::Integer => "integer",
            Self::Boolean => "boolean",
            Self::StringList => "string[]",
            Self::Contents => "contents",
        }
    }
}

/// Where a value is read in the browser when the event fires. Missing values are left out
/// of the event, never sent as `undefined` or `NaN`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "from", rename_all = "snake_case", deny_unknown_fields)]
pub enum Source {
    /// An attribute of the clicked element, or of its closest ancestor matching `closest`.
    Attribute {
        /// The attribute name.
        #[schemars(example = &"data-price")]
        name: String,
        /// A CSS selector: read the attribute from the nearest ancestor (or the element
        /// itself) that matches it, such as the product card around an "Add to cart" button.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(example = &".product-card")]
        closest: Option<String>,
        /// The type to convert to.
        #[serde(default, rename = "type")]
        ty: ParamType,
    },
    /// The visible text of an element: the clicked element, or the first match of `selector`.
    Text {
        /// A CSS selector for the element to read; the clicked element when left out.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(example = &"h1.product-title")]
        selector: Option<String>,
        /// The type to convert to.
        #[serde(default, rename = "type")]
        ty: ParamType,
    },
    /// A query-string parameter of the page URL.
    Query {
        /// The parameter name.
        #[schemars(example = &"utm_campaign")]
        name: String,
        /// The type to convert to.
        #[serde(default, rename = "type")]
        ty: ParamType,
    },
    /// A `{name}` segment of the page's URL pattern, such as `slug` in `/events/{slug}`.
    UrlParam {
        /// The name between braces in the page's URL pattern.
        #[schemars(example = &"slug")]
        name: String,
        /// The type to convert to.
        #[serde(default, rename = "type")]
        ty: ParamType,
    },
    /// A value in `window.dataLayer`: the most recent entry that has this dotted path.
    DataLayer {
        /// A dotted path inside a data-layer entry.
        #[schemars(example = &"ecommerce.value")]
        path: String,
        /// The type to convert to.
        #[serde(default, rename = "type")]
        ty: ParamType,
    },
    /// A value under `window`, by dotted path.
    Window {
        /// A dotted path under `window`.
        #[schemars(example = &"shop.cart.total")]
        path: String,
        /// The type to convert to.
        #[serde(default, rename = "type")]
        ty: ParamType,
    },
    /// A cookie.
    Cookie {
        /// The cookie name.
        #[schemars(example = &"plan")]
        name: String,
        /// The type to convert to.
        #[serde(default, rename = "type")]
        ty: ParamType,
    },
    /// The `content` of a `<meta name="…">` or `<meta property="…">` tag.
    Meta {
        /// The meta tag's `name` or `property`.
        #[schemars(example = &"og:title")]
        name: String,
        /// The type to convert to.
        #[serde(default, rename = "type")]
        ty: ParamType,
    },
    /// A fresh random id (for `event_id` only).
    Random,
}

impl Source {
    /// The declared type (text for `random`).
    #[must_use]
    pub fn ty(&self) -> ParamType {
        match self {
            Source::Attribute { ty, .. }
            | Source::Text { ty, .. }
            | Source::Query { ty, .. }
            | Source::UrlParam { ty, .. }
            | Source::DataLayer { ty, .. }
            | Source::Window { ty, .. }
            | Source::Cookie { ty, .. }
            | Source::Meta { ty, .. } => *ty,
            Source::Random => ParamType::String,
        }
    }

    /// The `from:` keyword of this source.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Attribute { .. } => "attribute",
            Source::Text { .. } => "text",
            Source::Query { .. } => "query",
            Source::UrlParam { .. } => "url_param",
            Source::DataLayer { .. } => "data_layer",
            Source::Window { .. } => "window",
            Source::Cookie { .. } => "cookie",
            Source::Meta { .. } => "meta",
            Source::Random => "random",
        }
    }

    /// The name or path this source reads, for messages and heuristics.
    #[must_use]
    pub fn target(&self) -> &str {
        match self {
            Source::Attribute { name, .. }
            | Source::Query { name, .. }
            | Source::UrlParam { name, .. }
            | Source::Cookie { name, .. }
            | Source::Meta { name, .. } => name,
            Source::DataLayer { path, .. } | Source::Window { path, .. } => path,
            Source::Text { selector, .. } => selector.as_deref().unwrap_or(""),
            Source::Random => "",
        }
    }

    /// Where the value is read, in words: `attribute data-price of the closest
    /// .product-card`, `data layer ecommerce.value`.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Source::Attribute {
                name,
                closest: Some(c),
                ..
            } => format!("attribute {name} of the closest {c}"),
            Source::Attribute { name, .. } => format!("attribute {name} of the element"),
            Source::Text {
                selector: Some(s), ..
            } => format!("text of {s}"),
            Source::Text { .. } => "text of the element".to_owned(),
            Source::Query { name, .. } => format!("query parameter {name}"),
            Source::UrlParam { name, .. } => format!("URL parameter {{{name}}}"),
            Source::DataLayer { path, .. } => format!("data layer {path}"),
            Source::Window { path, .. } => format!("window.{path}"),
            Source::Cookie { name, .. } => format!("cookie {name}"),
            Source::Meta { name, .. } => format!("meta {name}"),
            Source::Random => "a random id".to_owned(),
        }
    }
}
