//! Pixels, Graph API version, consent and Limited Data Use.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A Meta pixel (also called a dataset), with one id per environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pixel {
    /// A short name for this pixel, used by events that target only some pixels
    /// (`pixels: [main]`).
    #[schemars(example = &"main", regex(pattern = r"^[A-Za-z][A-Za-z0-9_-]*$"))]
    pub name: String,
    /// The pixel (dataset) id for each environment, chosen at build time with `--env`.
    /// Ids are digit strings: quote them so YAML keeps them as text.
    #[schemars(example = example_ids())]
    pub ids: BTreeMap<String, String>,
}

fn example_ids() -> serde_json::Value {
    serde_json::json!({"production": "123456789012345", "staging": "987654321098765"})
}

/// Graph API settings for the Conversions API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Graph {
    /// The Graph API version, such as `v25.0`.
    #[schemars(example = &"v25.0", regex(pattern = r"^v[0-9]{1,3}\.0$"))]
    pub version: String,
}

/// Consent mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Consent {
    /// The pixel sends events as soon as the page loads.
    None,
    /// Nothing is sent until the site grants consent: `fbq('consent', 'revoke')` comes
    /// before `init`, the `<noscript>` image is left out, and events flow once the site
    /// calls the consent hook.
    Required,
}

/// Limited Data Use, for visitors covered by US state privacy laws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "mode", rename_all = "snake_case", deny_unknown_fields)]
pub enum LimitedDataUse {
    /// Say explicitly that Limited Data Use is off (`dataProcessingOptions: []`).
    Off,
    /// Limited Data Use on; Meta works out the visitor's location.
    Geolocate,
    /// Limited Data Use on, with the location given.
    Explicit {
        /// Country code: `1` for the USA.
        #[schemars(example = 1)]
        country: u32,
        /// State code: `1000` California, `1001` Colorado, … `1013` Rhode Island.
        #[schemars(example = 1000)]
        state: u32,
    },
}
