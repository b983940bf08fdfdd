//! The server-side event mapping: how a backend record becomes a Conversions API event.
//!
//! [`Mapping::from_site`] turns the resolved model into a language-neutral document —
//! `dist/capi/mapping.json`, described by `schema/capi-mapping.schema.json` — that says,
//! for each server event, which record path feeds each CAPI field, how each customer-data
//! key is normalized and hashed, which constants are sent, what is required, and which
//! browser event it deduplicates with. A team can apply it from any backend; this crate
//! applies it with [`Mapping::compile`] and [`Mapper::apply`].

mod apply;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::meta::{self, StdParamType};
use crate::model::{FieldSource, LimitedDataUse, TimeFormat};
use crate::normalize;
use crate::resolve::{ResolvedServerEvent, Site};

pub use crate::event_time::{
    TimeError, TimeFormatName, TimeReader, TimeSpecError, parse_rfc3339, time_zone,
};
pub use crate::record_path::{RecordPath, insert_at};
pub use apply::{Applied, ApplyContext, Mapper, MappingError, MappingWarning};

/// The version of the mapping document's shape.
pub const FORMAT_VERSION: u32 = 1;

/// The `$schema` URL written into every mapping document.
pub const SCHEMA_ID: &str = "https://tagc.dev/schema/capi-mapping.schema.json";

/// The path of the committed mapping schema, relative to the repository root.
pub const SCHEMA_PATH: &str = "schema/capi-mapping.schema.json";

/// The mapping document (`dist/capi/mapping.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "tagc Conversions API mapping")]
pub struct Mapping {
    /// The JSON Schema of this document.
    #[serde(rename = "$schema", default)]
    pub schema: String,
    /// The version of this document's shape (currently 1).
    pub version: u32,
    /// The tagc version that wrote it.
    pub generator: String,
    /// The environment the pixel ids belong to.
    pub env: String,
    /// The Graph API version to post to (`v25.0`): `POST {graph}/{version}/{pixel}/events`.
    pub graph_version: String,
    /// Normalization defaults applied to every record.
    pub defaults: Defaults,
    /// Data-processing options added to every event (Limited Data Use), when configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_processing_options: Option<DataProcessing>,
    /// One entry per server event.
    pub events: Vec<MappedEvent>,
}

/// Normalization defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// Country calling code prepended to phone numbers written without one (`34`), for
    /// records without a readable country of their own (whose calling code is used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_country_code: Option<String>,
    /// ISO 3166-1 alpha-2 country used when a record has none (`es`); also decides
    /// country-specific rules such as US zip codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// Limited Data Use, as sent on every event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataProcessing {
    /// `["LDU"]`, or `[]` to state that LDU is off.
    pub options: Vec<String>,
    /// `data_processing_options_country` (`1` USA, `0` geolocate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<i64>,
    /// `data_processing_options_state` (`0` geolocate, `1000`–`1013`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<i64>,
}

/// How one server event is built from a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MappedEvent {
    /// The server event's id in the configuration (`tagc send --event ID`).
    pub id: String,
    /// The CAPI `event_name`.
    pub event_name: String,
    /// The CAPI `action_source`.
    pub action_source: String,
    /// The pixel (dataset) ids the event is posted to.
    pub pixels: Vec<String>,
    /// The browser event this one deduplicates with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deduplicates_with: Option<Dedup>,
    /// `event_id`: the deduplication key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<Source>,
    /// `event_time`: from the record, or the time of sending.
    pub event_time: EventTime,
    /// `event_source_url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_source_url: Option<Source>,
    /// `user_data`: each CAPI key with its source and transformation.
    pub user_data: BTreeMap<String, UserField>,
    /// `custom_data`: each key with its source and type.
    pub custom_data: BTreeMap<String, CustomField>,
    /// `opt_out`: a boolean (`true`, `false`, or the text `true`/`false`/`1`/`0`); the
    /// event is then used for attribution only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opt_out: Option<Source>,
    /// `referrer_url`: the HTTP referrer of the page (text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer_url: Option<Source>,
    /// `messaging_channel` (`whatsapp`, `messenger`, `instagram`), sent on every event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messaging_channel: Option<String>,
    /// `app_data`, for `action_source: app`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_data: Option<MappedAppData>,
    /// Limited Data Use read from each record; it replaces the document-wide
    /// `data_processing_options` for records that have the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_processing_options: Option<RecordDataProcessing>,
    /// CAPI fields that must be present, or the record is rejected (`event_id`,
    /// `event_source_url`, `user_data.client_user_agent`, `custom_data.value`, …).
    pub required: Vec<String>,
}

/// How `app_data` is built: both tracking flags are required booleans; `extinfo` is
/// sent as Meta's 16-item list, in slot order, with `""` for unmapped or missing slots.
/// `ext_info_version` must give `a2` or `i2`, and `os_version` must be present.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MappedAppData {
    /// `advertiser_tracking_enabled` (App Tracking Transparency on iOS 14.5+).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advertiser_tracking_enabled: Option<Source>,
    /// `application_tracking_enabled` (the app's own ad-tracking setting).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_tracking_enabled: Option<Source>,
    /// The 16 `extinfo` slots, in Meta's order.
    pub extinfo: Vec<ExtinfoSlot>,
}

/// One `extinfo` slot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtinfoSlot {
    /// The slot's name (`ext_info_version`, `os_version`, `screen_width`, …).
    pub slot: String,
    /// `string`, or `integer` for screen sizes, CPU cores and disk sizes.
    #[serde(rename = "type")]
    pub kind: CustomType,
    /// A dotted record path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// A constant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

/// Limited Data Use read from a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordDataProcessing {
    /// The record path saying whether LDU applies: `true`/`"LDU"`/`["LDU"]` (on) or
    /// `false`/`""`/`[]` (off; `data_processing_options: []` is sent). When the record
    /// has no such field, the document-wide `data_processing_options` apply, if any.
    pub path: String,
    /// `data_processing_options_country` (`1` USA, `0` geolocate); `0` when LDU is on
    /// and this is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<Source>,
    /// `data_processing_options_state` (`0` geolocate, `1000`–`1013`); `0` when LDU is
    /// on and this is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<Source>,
}

/// The browser side of a deduplicated pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Dedup {
    /// The browser event as the configuration names it (definition or `PAGE/BUTTON`).
    pub with: String,
    /// The browser event's name; equal to `event_name`.
    pub browser_event: String,
    /// Where the browser's `eventID` comes from (the configuration's `event_id`), whose
    /// value must reach this event's `event_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser_event_id: Option<Value>,
}

/// A value read from the record, or a constant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// A dotted record path (`order.customer.email`); numeric segments index lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// A constant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

/// Where `event_time` comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventTime {
    /// The record path; the time of sending when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// How the record writes it: `unix` (seconds), `unix_ms`, `rfc3339`, `strftime` (the
    /// `pattern`); `auto` accepts Unix seconds or RFC 3339 text.
    pub format: TimeFormatName,
    /// For `format: strftime`: the pattern, in strftime/strptime conversions (`%Y-%m-%d
    /// %H:%M:%S`; `%z`/`%:z` read an offset, `%Q` an IANA zone, `%s` Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// For `format: strftime`: the IANA time zone of local times written without an
    /// offset (`Europe/Madrid`). A local time skipped by a DST change is read with the
    /// offset before the change (so it lands after the gap); one repeated by a DST change
    /// is the earlier of the two instants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
}

/// How a `user_data` key is produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserField {
    /// A dotted record path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// A constant (allowed for `country`, `ct`, `st`, `zp` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// `sha256`: normalized, then SHA-256 (64 lowercase hex); `hashed`: the record already
    /// holds the hash (checked, lowercased); `none`: sent as it is, after validation.
    pub transform: Transform,
    /// What normalization does to the value before hashing (or how it is validated).
    pub rule: String,
}

/// A `user_data` transformation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    /// Normalize, then SHA-256.
    Sha256,
    /// Already a SHA-256 hash.
    Hashed,
    /// Never hashed (ids such as `client_ip_address`, `fbp`).
    None,
}

/// How a `custom_data` key is produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomField {
    /// A dotted record path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// A constant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// The type the value is converted to.
    #[serde(rename = "type")]
    pub kind: CustomType,
    /// For `contents`: each output key of an item and its path relative to the item.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub each: BTreeMap<String, String>,
}

/// The type of a `custom_data` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CustomType {
    /// A number; numeric text such as `"84.80"` is converted.
    Number,
    /// A whole number.
    Integer,
    /// An ISO 4217 code, sent uppercase.
    Currency,
    /// Text; numbers are written as text.
    String,
    /// A list of ids (a single id becomes a one-item list).
    StringList,
    /// A list of `{id, quantity, item_price, …}` items.
    Contents,
    /// Any JSON value, sent as it is.
    Any,
}

impl Mapping {
    /// The mapping of a resolved site.
    #[must_use]
    pub fn from_site(site: &Site) -> Mapping {
        let server = &site.server;
        Mapping {
            schema: SCHEMA_ID.to_owned(),
            version: FORMAT_VERSION,
            generator: format!("tagc {}", env!("CARGO_PKG_VERSION")),
            env: site.env.clone(),
            graph_version: server.graph_version.clone(),
            defaults: Defaults {
                phone_country_code: server.defaults.phone_country_code.clone(),
                country: server
                    .defaults
                    .country
                    .as_ref()
                    .map(|c| c.to_ascii_lowercase()),
            },
            data_processing_options: site.limited_data_use.map(|l| match l {
                LimitedDataUse::Off => DataProcessing {
                    options: Vec::new(),
                    country: None,
                    state: None,
                },
                LimitedDataUse::Geolocate => DataProcessing {
                    options: vec!["LDU".into()],
                    country: Some(0),
                    state: Some(0),
                },
                LimitedDataUse::Explicit { country, state } => DataProcessing {
                    options: vec!["LDU".into()],
                    country: Some(i64::from(country)),
                    state: Some(i64::from(state)),
                },
            }),
            events: server
                .events
                .iter()
                .map(mapped_event)
                .map(|mut m| {
                    // A pattern's time zone: the field's own, else `server.defaults.timezone`.
                    if m.event_time.format == TimeFormatName::Strftime
                        && m.event_time.timezone.is_none()
                    {
                        m.event_time.timezone.clone_from(&server.defaults.timezone);
                    }
                    m
                })
                .collect(),
        }
    }

    /// The mapping as pretty JSON ending in a newline (the bytes of `capi/mapping.json`).
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Reads a mapping document.
    ///
    /// # Errors
    /// When the text is not a mapping of a version this tagc understands.
    pub fn from_json(text: &str) -> Result<Mapping, String> {
        let m: Mapping = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if m.version != FORMAT_VERSION {
            return Err(format!(
                "mapping version {} is not supported (this tagc reads version {FORMAT_VERSION}); rebuild it with this tagc",
                m.version
            ));
        }
        Ok(m)
    }

    /// The event with this id.
    #[must_use]
    pub fn event(&self, id: &str) -> Option<&MappedEvent> {
        self.events.iter().find(|e| e.id == id)
    }
}

/// The JSON Schema of the mapping document, as committed in [`SCHEMA_PATH`].
#[must_use]
pub fn schema_text() -> String {
    crate::schema::to_text(&crate::schema::schema_for::<Mapping>(SCHEMA_ID))
}

fn source(f: &FieldSource) -> Source {
    Source {
        path: f.path().map(str::to_owned),
        value: f.constant().cloned(),
    }
}

fn mapped_event(e: &ResolvedServerEvent) -> MappedEvent {
    // Meta's requirements for this event name and action source, from its one table.
    let mut required = meta::requirements(&e.event, e.action_source.as_str());
    if e.dedup.is_some() {
        // tagc's own requirement: without the browser's id the pair is not deduplicated.
        required.insert(meta::requirements::UNIVERSAL.len(), "event_id".to_owned());
    }
    let user_data = e
        .user_data
        .entries()
        .into_iter()
        .map(|(key, src)| {
            let hashed_input = src.spec().is_some_and(|s| s.hashed);
            let (transform, rule) = match normalize::Field::from_key(key) {
                Some(_) if hashed_input => (
                    Transform::Hashed,
                    "already a SHA-256 hash: must be 64 hex characters; sent lowercased".to_owned(),
                ),
                Some(field) => (Transform::Sha256, field.rule().to_owned()),
                None => (Transform::None, id_rule(key).to_owned()),
            };
            (
                key.to_owned(),
                UserField {
                    path: src.path().map(str::to_owned),
                    value: src.constant().cloned(),
                    transform,
                    rule,
                },
            )
        })
        .collect();
    let custom_data = e
        .custom_data
        .iter()
        .map(|(key, src)| {
            let kind = match key.as_str() {
                "currency" => CustomType::Currency,
                k => match meta::standard_param_type(k) {
                    Some(StdParamType::Number) => CustomType::Number,
                    Some(StdParamType::Integer) => CustomType::Integer,
                    Some(StdParamType::String) => CustomType::String,
                    Some(StdParamType::IdList) => CustomType::StringList,
                    Some(StdParamType::Contents) => CustomType::Contents,
                    None => CustomType::Any,
                },
            };
            (
                key.clone(),
                CustomField {
                    path: src.path().map(str::to_owned),
                    value: src.constant().cloned(),
                    kind,
                    each: src.spec().map(|s| s.each.clone()).unwrap_or_default(),
                },
            )
        })
        .collect();
    let event_time = event_time(e.event_time.as_ref());
    MappedEvent {
        id: e.id.clone(),
        event_name: e.event.clone(),
        action_source: e.action_source.as_str().to_owned(),
        pixels: e.pixels.clone(),
        deduplicates_with: e.dedup.as_ref().map(|d| Dedup {
            with: d.with.clone(),
            browser_event: d.browser_event.clone(),
            browser_event_id: d
                .browser_event_id
                .as_ref()
                .and_then(|id| serde_json::to_value(id).ok()),
        }),
        event_id: e.event_id.as_ref().map(source),
        event_time,
        event_source_url: e.event_source_url.as_ref().map(source),
        user_data,
        custom_data,
        opt_out: e.opt_out.as_ref().map(source),
        referrer_url: e.referrer_url.as_ref().map(source),
        messaging_channel: e.messaging_channel.map(|c| c.as_str().to_owned()),
        app_data: e.app_data.as_ref().map(|a| MappedAppData {
            advertiser_tracking_enabled: a.advertiser_tracking_enabled.as_ref().map(source),
            application_tracking_enabled: a.application_tracking_enabled.as_ref().map(source),
            extinfo: a
                .extinfo
                .slots()
                .into_iter()
                .map(|(slot, src)| ExtinfoSlot {
                    slot: slot.to_owned(),
                    kind: if EXTINFO_INTEGER_SLOTS.contains(&slot) {
                        CustomType::Integer
                    } else {
                        CustomType::String
                    },
                    path: src.and_then(FieldSource::path).map(str::to_owned),
                    value: src.and_then(FieldSource::constant).cloned(),
                })
                .collect(),
        }),
        data_processing_options: e
            .data_processing_options
            .as_ref()
            .map(|d| RecordDataProcessing {
                path: d.path.clone(),
                country: d.country.as_ref().map(source),
                state: d.state.as_ref().map(source),
            }),
        required,
    }
}

/// The `extinfo` slots Meta's SDKs send as integers.
const EXTINFO_INTEGER_SLOTS: [&str; 5] = [
    "screen_width",
    "screen_height",
    "cpu_core_count",
    "total_disk_space_gb",
    "free_disk_space_gb",
];

/// The mapping of `event_time` (its time zone is the field's own; `from_site` adds the
/// default).
fn event_time(f: Option<&FieldSource>) -> EventTime {
    let Some(f) = f else {
        return EventTime {
            path: None,
            format: TimeFormatName::SendTime,
            pattern: None,
            timezone: None,
        };
    };
    let spec = f.spec();
    let (format, pattern) = match spec.and_then(|s| s.format.as_ref()) {
        None => (TimeFormatName::Auto, None),
        Some(TimeFormat::Unix) => (TimeFormatName::Unix, None),
        Some(TimeFormat::UnixMs) => (TimeFormatName::UnixMs, None),
        Some(TimeFormat::Rfc3339) => (TimeFormatName::Rfc3339, None),
        Some(TimeFormat::Strftime(p)) => (TimeFormatName::Strftime, Some(p.clone())),
    };
    EventTime {
        path: f.path().map(str::to_owned),
        timezone: pattern.as_ref().and(spec.and_then(|s| s.timezone.clone())),
        format,
        pattern,
    }
}

/// The validation rule of a never-hashed `user_data` key, for the mapping document.
fn id_rule(key: &str) -> &'static str {
    match key {
        "client_ip_address" => "never hashed; must parse as an IPv4 or IPv6 address",
        "client_user_agent" => "never hashed; the browser's User-Agent header as it is",
        "fbc" => {
            "never hashed; `fb.{subdomain}.{creation ms}.{fbclid}` from the _fbc cookie, case preserved"
        }
        "fbp" => "never hashed; `fb.{subdomain}.{creation ms}.{random}` from the _fbp cookie",
        _ => "never hashed; sent as it is",
    }
}
