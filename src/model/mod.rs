//! The tracking-config language: the Rust types that a `tagc.yaml` deserializes into.
//!
//! These types are the single source of truth for the JSON Schema (`tagc schema`,
//! committed as `schema/tagc.schema.json`); their doc comments are the descriptions
//! editors show on hover. Every struct denies unknown fields, so a typo is an error
//! with a location rather than a silently ignored key.
//!
//! A configuration may be split over several files with `include:`; each file has this
//! same shape, and [`crate::resolve`] merges them.

mod event;
mod page;
mod param;
mod params;
mod pixel;
mod server;
mod verify;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use event::{EventDef, EventFields, EventId, EventUse, IdShare, IdSource};
pub use page::{Button, Locator, Page, Trigger, UrlPatterns};
pub use param::{ParamType, ParamValue, Source};
pub use params::ParamMap;
pub use pixel::{Consent, Graph, LimitedDataUse, Pixel};
pub use server::{
    ActionSource, FieldSource, FieldSpec, ServerDefaults, ServerEvent, ServerSection, TimeFormat,
    UserData,
};
pub use server::{AppData, Extinfo, MessagingChannel, RecordDataProcessing};
pub use verify::{ButtonVerify, PageVerify, SiteVerify, Step};

/// A tagc tracking configuration (or one file of it, when split with `include:`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "tagc tracking configuration", example = example_config())]
pub struct Config {
    /// Other configuration files merged into this one. Paths are relative to this file; `*`,
    /// `?` and `**` globs are expanded in sorted order. Every diagnostic names the file it
    /// comes from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(example = vec!["pages/*.yaml", "server.yaml"])]
    pub include: Vec<String>,

    /// Site-wide settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<Site>,

    /// The Meta pixels (datasets) this site sends events to. Required in the root file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pixels: Vec<Pixel>,

    /// The Graph API version the server side targets. Access tokens never go here: they
    /// come from the `META_ACCESS_TOKEN` environment variable or `--token-file`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graph: Option<Graph>,

    /// Whether the pixel waits for the visitor's consent before sending anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<Consent>,

    /// Limited Data Use (US state privacy laws). Leave out to send no data-processing
    /// options at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limited_data_use: Option<LimitedDataUse>,

    /// Reusable event definitions, referenced from pages and buttons with `use: NAME`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub events: BTreeMap<String, EventDef>,

    /// The pages of the site: which URLs they cover, what fires when they load, and their
    /// buttons. The first page whose URL pattern matches a URL is the one that applies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pages: Vec<Page>,

    /// Server-side events sent with the Conversions API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<ServerSection>,

    /// Changes this configuration means to make, which `tagc diff --fail-on` then does
    /// not fail on: written in the pull request that makes them, reviewed with it. A rule
    /// that matches no change is reported as stale, so remove it once the change is merged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acknowledge: Vec<Acknowledgement>,
}

/// One change `tagc diff` should not fail on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Acknowledgement {
    /// The change, as `KIND:SUBJECT` (`tagc diff --list-kinds` lists the kinds; the
    /// subject is the item's path in the diff report, `*` matches any run of characters).
    #[schemars(
        example = &"page.removed:page/wishlist",
        regex(pattern = r"^[a-z_.*]+:\S+$")
    )]
    pub change: String,
    /// Why the team means it, for reviewers and for the report.
    #[schemars(example = &"The wishlist was retired in Q3")]
    pub reason: String,
}

/// Site-wide settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// A name for humans (shown in reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(example = &"Example Conference 2027")]
    pub name: Option<String>,
    /// The site's origin, used to build absolute URLs in the verification plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(example = &"https://shop.example.com", regex(pattern = r"^https?://[^/\s]+$"))]
    pub url: Option<String>,
    /// How `tagc verify` checks the site like a visitor (real sites only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<SiteVerify>,
}

fn example_config() -> serde_json::Value {
    serde_json::json!({
        "pixels": [{"name": "main", "ids": {"production": "123456789012345"}}],
        "pages": [{"id": "home", "url": "/", "buttons": [
            {"id": "signup", "text": "Sign up", "event": "Lead"}
        ]}]
    })
}
