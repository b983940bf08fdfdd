//! Meta's rules for a CAPI request and each of its events (`meta.md` §3.4, §4, §5 and
//! rules 21–58).
//!
//! Three entry points:
//!
//! - [`parse_body`] (and its shorthands [`parse_request`], [`parse_request_with_token`])
//!   reads a JSON request body the way the Graph API does: malformed JSON, unknown keys
//!   and wrongly typed fields come back as the [`Violation`] Meta would answer with.
//! - [`check_event`] checks one typed event. It allocates nothing when the event is
//!   valid, because `tagc send` runs it on every event it sends.
//! - [`check_request`] checks the batch size, then every event.
//!
//! Every rule is a [`Rule`] constant below (its name, [`Level`], Graph code and subcode,
//! and title); [`ALL_RULES`] lists them. How the levels were chosen:
//!
//! - [`Level::Rejected`]: Meta answers with an error and drops the whole batch. Used
//!   where Meta's documentation or a quoted real response says so (unknown keys, stale
//!   `event_time`, unhashed customer data, insufficient customer data, …), and for a few
//!   documented requirements whose API behaviour is not confirmed but where sending would
//!   surely be a bug (`event_source_url` on `website`, `Purchase` without `value` or
//!   `currency`, enum values such as `action_source`).
//! - [`Level::Invalid`]: the documentation calls it required or forbidden, but the API is
//!   known (or, where nothing is known, assumed) to accept it. tagc does not send it.
//!   Examples: a `website` event without `client_user_agent`, a hashed `fbp`, a
//!   malformed `client_ip_address` (Meta reports it as an Events Manager diagnostic).
//! - [`Level::Warning`]: accepted, but it hurts matching or deduplication.
//!
//! Messages name the parameter and never contain the value that was sent, so they can be
//! logged even when the value is customer data.

use std::net::IpAddr;

use serde_json::{Map, Value};

use super::{CapiEvent, CapiRequest, CapiUserData, Level, Violation};
use crate::meta::hashed::is_appendix;
pub use crate::meta::hashed::{HashForm, hash_form, looks_hashed};
use crate::meta::requirements::MESSAGING_CHANNELS;
use crate::meta::{
    ACTION_SOURCES, CONTENT_TYPES, CUSTOMER_SEGMENTATIONS, DELIVERY_CATEGORIES,
    MAX_CUSTOM_EVENT_NAME, action_source_requires, is_currency, is_insufficient, is_ldu_state,
    is_standard_event, required_params, standard_event_names,
};

/// The most events one request may carry.
pub const MAX_EVENTS: usize = 1000;
/// How old an event may be, in seconds (7 days).
pub const MAX_AGE: i64 = 7 * 24 * 3600;
/// How old a `physical_store` event may be, in seconds (62 days).
pub const MAX_AGE_PHYSICAL_STORE: i64 = 62 * 24 * 3600;
/// How far in the future an `event_time` may be before tagc warns, in seconds. Meta
/// documents no limit (UNCONFIRMED); five minutes absorbs ordinary clock skew.
pub const FUTURE_SKEW: i64 = 5 * 60;
/// `event_time` values at or above this are milliseconds, not seconds (13 digits).
pub const MILLISECONDS_THRESHOLD: i64 = 1_000_000_000_000;

/// The keys a request body may have at the top level (rule 24).
pub const REQUEST_KEYS: &[&str] = &[
    "data",
    "test_event_code",
    "partner_agent",
    "namespace_id",
    "upload_id",
    "upload_tag",
    "upload_source",
    "access_token",
    "appsecret_proof",
];

/// The keys an event (`data[i]`) may have (rule 26).
pub const EVENT_KEYS: &[&str] = &[
    "event_name",
    "event_time",
    "user_data",
    "custom_data",
    "event_source_url",
    "opt_out",
    "event_id",
    "action_source",
    "data_processing_options",
    "data_processing_options_country",
    "data_processing_options_state",
    "app_data",
    "referrer_url",
    "original_event_data",
    "customer_segmentation",
    "messaging_channel",
];

/// The `user_data` keys that are single, never-hashed text ids.
const ID_KEYS: &[&str] = &[
    "client_ip_address",
    "client_user_agent",
    "fbc",
    "fbp",
    "subscription_id",
    "anon_id",
    "madid",
    "page_id",
    "page_scoped_user_id",
    "ctwa_clid",
    "ig_account_id",
    "ig_sid",
];

/// The `user_data` ids that are integers (or digit strings).
const NUMERIC_ID_KEYS: &[&str] = &["fb_login_id", "lead_id"];

/// What the rules need to know about the moment of checking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleContext {
    /// Now, as Unix time in seconds (passed in so checks are reproducible).
    pub now: i64,
}

impl RuleContext {
    /// A context for the moment `now` (Unix seconds).
    #[must_use]
    pub const fn at(now: i64) -> Self {
        Self { now }
    }

    /// A context for the current system time.
    #[must_use]
    pub fn system_now() -> Self {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        Self { now }
    }
}

/// One rule: everything about a [`Violation`] except where it happened and the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The stable short name (`event-time-too-old`).
    pub name: &'static str,
    /// How serious breaking it is.
    pub level: Level,
    /// The Graph error code (100 for every payload rule).
    pub code: u32,
    /// The CAPI subcode, where Meta's real responses show one.
    pub subcode: Option<u32>,
    /// Meta's `error_user_title` (or tagc's, for rules Meta does not answer).
    pub title: &'static str,
}

impl Rule {
    /// A violation of this rule at `path`.
    #[must_use]
    pub fn at(&self, path: String, message: String) -> Violation {
        Violation {
            level: self.level,
            rule: self.name,
            path,
            code: self.code,
            subcode: self.subcode,
            title: self.title,
            message,
        }
    }
}

const PARAM_ERROR: &str = "Server-side API parameter error";

const fn rule(name: &'static str, level: Level, subcode: Option<u32>, title: &'static str) -> Rule {
    Rule {
        name,
        level,
        code: 100,
        subcode,
        title,
    }
}

const MISSING: Option<u32> = Some(2_804_019);

/// The body is not a JSON object (Meta: 2804019, the fields then look absent).
pub const BODY_MALFORMED: Rule = rule("body-malformed", Level::Rejected, MISSING, PARAM_ERROR);
/// A required parameter is absent (`event_name`, `event_time`, `action_source`, `data`).
pub const PARAM_MISSING: Rule = rule("param-missing", Level::Rejected, MISSING, PARAM_ERROR);
/// A parameter has the wrong JSON type (`event_time` as a string, …).
pub const PARAM_TYPE: Rule = rule("param-type", Level::Rejected, None, PARAM_ERROR);
/// An event or `user_data` has a key Meta does not know (rule 26).
pub const UNKNOWN_KEY: Rule = rule("unknown-key", Level::Rejected, None, PARAM_ERROR);
/// The request has a top-level key Meta does not document (rule 24; Graph ignores it).
pub const REQUEST_UNKNOWN_KEY: Rule = rule(
    "request-unknown-key",
    Level::Warning,
    None,
    "Unknown request parameter",
);
/// `data` is empty (rule 23).
pub const DATA_EMPTY: Rule = rule("data-empty", Level::Rejected, MISSING, PARAM_ERROR);
/// `data` has more than 1,000 events (rule 23).
pub const DATA_TOO_MANY: Rule = rule("data-too-many", Level::Rejected, None, PARAM_ERROR);

/// `event_name` is empty (rule 27).
pub const EVENT_NAME_MISSING: Rule =
    rule("event-name-missing", Level::Rejected, MISSING, PARAM_ERROR);
/// A custom event name is longer than 50 characters (§2.3).
pub const EVENT_NAME_TOO_LONG: Rule = rule(
    "event-name-too-long",
    Level::Invalid,
    None,
    "Event name too long",
);
/// A custom event name differs from a standard one only in case (`purchase`).
pub const EVENT_NAME_CASE: Rule = rule(
    "event-name-case",
    Level::Warning,
    None,
    "Custom event named like a standard event",
);
/// `event_time` is in milliseconds (13 digits) instead of seconds (rule 28).
pub const EVENT_TIME_MILLISECONDS: Rule = rule(
    "event-time-milliseconds",
    Level::Rejected,
    None,
    "Event Timestamp In Milliseconds",
);
/// `event_time` is older than 7 days, or 62 for `physical_store` (rules 29, 31).
pub const EVENT_TIME_TOO_OLD: Rule = rule(
    "event-time-too-old",
    Level::Rejected,
    Some(2_804_003),
    "Event Timestamp Too Old",
);
/// `event_time` is more than [`FUTURE_SKEW`] ahead (rule 30; Meta's limit UNCONFIRMED).
pub const EVENT_TIME_IN_FUTURE: Rule = rule(
    "event-time-in-future",
    Level::Warning,
    None,
    "Event Timestamp In The Future",
);
/// `action_source` is empty (rule 32).
pub const ACTION_SOURCE_MISSING: Rule = rule(
    "action-source-missing",
    Level::Rejected,
    MISSING,
    PARAM_ERROR,
);
/// `action_source` is not one of the nine values (rule 32).
pub const ACTION_SOURCE_INVALID: Rule =
    rule("action-source-invalid", Level::Rejected, None, PARAM_ERROR);
/// A `website` event has no `event_source_url` (rule 33).
pub const EVENT_SOURCE_URL_MISSING: Rule = rule(
    "event-source-url-missing",
    Level::Rejected,
    MISSING,
    PARAM_ERROR,
);
/// `event_source_url` (or `referrer_url`) is not an absolute http(s) URL (rule 35).
pub const URL_NOT_ABSOLUTE: Rule = rule(
    "url-not-absolute",
    Level::Warning,
    None,
    "URL is not absolute",
);
/// A `website` event has no `user_data.client_user_agent` (rule 34; the API accepts it).
pub const CLIENT_USER_AGENT_MISSING: Rule = rule(
    "client-user-agent-missing",
    Level::Invalid,
    None,
    "Missing client user agent",
);
/// An `app` event has no `app_data` (rule 36).
pub const APP_DATA_MISSING: Rule = rule("app-data-missing", Level::Rejected, MISSING, PARAM_ERROR);
/// `app_data.extinfo` is not 16 items with a version and an OS version (rule 36).
pub const APP_EXTINFO_INVALID: Rule =
    rule("app-extinfo-invalid", Level::Rejected, None, PARAM_ERROR);
/// A `business_messaging` event has no `messaging_channel` (Meta's business-messaging
/// guide sends it on every such event; whether the API rejects its absence is unknown).
pub const MESSAGING_CHANNEL_MISSING: Rule = rule(
    "messaging-channel-missing",
    Level::Invalid,
    None,
    "Missing messaging channel",
);
/// `messaging_channel` is not `whatsapp`, `messenger` or `instagram`.
pub const MESSAGING_CHANNEL_INVALID: Rule = rule(
    "messaging-channel-invalid",
    Level::Rejected,
    None,
    PARAM_ERROR,
);
/// `event_id` is an empty string (rule 38).
pub const EVENT_ID_EMPTY: Rule = rule("event-id-empty", Level::Invalid, None, "Empty event ID");
/// `data_processing_options` holds something other than `LDU` (rule 40).
pub const DPO_INVALID: Rule = rule("dpo-invalid", Level::Rejected, None, PARAM_ERROR);
/// `LDU` is set without `data_processing_options_country` (rule 41).
pub const DPO_COUNTRY_MISSING: Rule = rule(
    "dpo-country-missing",
    Level::Invalid,
    None,
    "Limited Data Use country missing",
);
/// `data_processing_options_country` is not 0 or 1 (rule 41).
pub const DPO_COUNTRY_INVALID: Rule =
    rule("dpo-country-invalid", Level::Rejected, None, PARAM_ERROR);
/// A country is set without a state, or `LDU` without an IP and without a state
/// (rules 42, 43).
pub const DPO_STATE_MISSING: Rule = rule(
    "dpo-state-missing",
    Level::Invalid,
    None,
    "Limited Data Use state missing",
);
/// `data_processing_options_state` is not 0 or 1000–1013 (rule 42).
pub const DPO_STATE_INVALID: Rule = rule("dpo-state-invalid", Level::Rejected, None, PARAM_ERROR);
/// A `Purchase` has no `custom_data.value` (rule 44).
pub const PURCHASE_VALUE_MISSING: Rule = rule(
    "purchase-value-missing",
    Level::Rejected,
    MISSING,
    PARAM_ERROR,
);
/// A `Purchase` has no `custom_data.currency` (rule 44).
pub const PURCHASE_CURRENCY_MISSING: Rule = rule(
    "purchase-currency-missing",
    Level::Rejected,
    MISSING,
    PARAM_ERROR,
);
/// `custom_data.currency` is not an ISO 4217 code (rule 13; any case).
pub const CURRENCY_INVALID: Rule = rule("currency-invalid", Level::Rejected, None, PARAM_ERROR);
/// `custom_data.value` is sent without a `currency` (§2.2, outside `Purchase`).
pub const VALUE_WITHOUT_CURRENCY: Rule = rule(
    "value-without-currency",
    Level::Warning,
    None,
    "Value without currency",
);
/// `value`, `predicted_ltv` or `net_revenue` is a numeric string (rule 45).
pub const NUMBER_AS_STRING: Rule = rule(
    "number-as-string",
    Level::Warning,
    None,
    "Number sent as text",
);
/// `value`, `predicted_ltv` or `net_revenue` is not a number at all (rule 16).
pub const NUMBER_INVALID: Rule = rule("number-invalid", Level::Invalid, None, "Not a number");
/// `content_type` is not `product` or `product_group` (rule 14).
pub const CONTENT_TYPE_INVALID: Rule = rule(
    "content-type-invalid",
    Level::Invalid,
    None,
    "Invalid content type",
);
/// A `contents` item lacks `id` or `quantity`, or `contents` is not a list (rule 15).
pub const CONTENTS_INVALID: Rule =
    rule("contents-invalid", Level::Invalid, None, "Invalid contents");
/// `num_items` is not an integer (rule 16).
pub const NUM_ITEMS_INVALID: Rule = rule(
    "num-items-invalid",
    Level::Invalid,
    None,
    "Invalid number of items",
);
/// `delivery_category` is not `in_store`, `curbside` or `home_delivery` (rule 17).
pub const DELIVERY_CATEGORY_INVALID: Rule = rule(
    "delivery-category-invalid",
    Level::Invalid,
    None,
    "Invalid delivery category",
);
/// `customer_segmentation` is not one of the nine values (rule 46).
pub const CUSTOMER_SEGMENTATION_INVALID: Rule = rule(
    "customer-segmentation-invalid",
    Level::Invalid,
    None,
    "Invalid customer segmentation",
);

/// `user_data` has no parameter at all (rule 47).
pub const USER_DATA_EMPTY: Rule = rule(
    "user-data-empty",
    Level::Rejected,
    Some(2_804_050),
    "Insufficient customer information",
);
/// `user_data` is only one of the too-broad combinations (rule 48).
pub const USER_DATA_INSUFFICIENT: Rule = rule(
    "user-data-insufficient",
    Level::Rejected,
    Some(2_804_050),
    "Insufficient customer information",
);
/// A value of `em ph fn ln db ge ct st zp country` is not a SHA-256 hex hash (rule 49).
pub const USER_DATA_NOT_HASHED: Rule = rule(
    "user-data-not-hashed",
    Level::Rejected,
    Some(2_804_016),
    "User Parameter Not Hashed",
);
/// A hash is upper-case hex; Meta's expected outputs are all lower case (rule 49).
pub const USER_DATA_HASH_UPPERCASE: Rule = rule(
    "user-data-hash-uppercase",
    Level::Invalid,
    None,
    "Hash in upper case",
);
/// `external_id` is not hashed (rule 50; allowed, but must match the Pixel's form).
pub const EXTERNAL_ID_NOT_HASHED: Rule = rule(
    "external-id-not-hashed",
    Level::Warning,
    None,
    "External ID not hashed",
);
/// A never-hashed id (`client_user_agent`, `subscription_id`, …) looks hashed (rule 51).
pub const USER_DATA_ID_HASHED: Rule = rule(
    "user-data-id-hashed",
    Level::Invalid,
    None,
    "Parameter must not be hashed",
);
/// `client_ip_address` is not an IPv4 or IPv6 address (rule 52).
pub const CLIENT_IP_INVALID: Rule = rule(
    "client-ip-invalid",
    Level::Invalid,
    None,
    "Invalid client IP address",
);
/// `client_ip_address` is private, loopback or a placeholder (rule 53).
pub const CLIENT_IP_NOT_PUBLIC: Rule = rule(
    "client-ip-not-public",
    Level::Warning,
    None,
    "Client IP address is not public",
);
/// `fbc` does not have the form `fb.{index}.{ms}.{fbclid}[.{appendix}]` (rules 54, 57).
pub const FBC_FORMAT: Rule = rule("fbc-format", Level::Invalid, None, "Invalid click ID");
/// `fbp` does not have the form `fb.{index}.{ms}.{random}[.{appendix}]` (rule 55).
pub const FBP_FORMAT: Rule = rule("fbp-format", Level::Invalid, None, "Invalid browser ID");
/// `fb_login_id` or `lead_id` is not an integer or digit string (rule 58).
pub const USER_DATA_ID_NOT_INTEGER: Rule = rule(
    "user-data-id-not-integer",
    Level::Warning,
    None,
    "ID is not a number",
);

/// Every rule, in the order the checks run.
pub const ALL_RULES: &[&Rule] = &[
    &BODY_MALFORMED,
    &PARAM_MISSING,
    &PARAM_TYPE,
    &UNKNOWN_KEY,
    &REQUEST_UNKNOWN_KEY,
    &DATA_EMPTY,
    &DATA_TOO_MANY,
    &EVENT_NAME_MISSING,
    &EVENT_NAME_TOO_LONG,
    &EVENT_NAME_CASE,
    &EVENT_TIME_MILLISECONDS,
    &EVENT_TIME_TOO_OLD,
    &EVENT_TIME_IN_FUTURE,
    &ACTION_SOURCE_MISSING,
    &ACTION_SOURCE_INVALID,
    &EVENT_SOURCE_URL_MISSING,
    &URL_NOT_ABSOLUTE,
    &CLIENT_USER_AGENT_MISSING,
    &APP_DATA_MISSING,
    &APP_EXTINFO_INVALID,
    &MESSAGING_CHANNEL_MISSING,
    &MESSAGING_CHANNEL_INVALID,
    &EVENT_ID_EMPTY,
    &DPO_INVALID,
    &DPO_COUNTRY_MISSING,
    &DPO_COUNTRY_INVALID,
    &DPO_STATE_MISSING,
    &DPO_STATE_INVALID,
    &PURCHASE_VALUE_MISSING,
    &PURCHASE_CURRENCY_MISSING,
    &CURRENCY_INVALID,
    &VALUE_WITHOUT_CURRENCY,
    &NUMBER_AS_STRING,
    &NUMBER_INVALID,
    &CONTENT_TYPE_INVALID,
    &CONTENTS_INVALID,
    &NUM_ITEMS_INVALID,
    &DELIVERY_CATEGORY_INVALID,
    &CUSTOMER_SEGMENTATION_INVALID,
    &USER_DATA_EMPTY,
    &USER_DATA_INSUFFICIENT,
    &USER_DATA_NOT_HASHED,
    &USER_DATA_HASH_UPPERCASE,
    &EXTERNAL_ID_NOT_HASHED,
    &USER_DATA_ID_HASHED,
    &CLIENT_IP_INVALID,
    &CLIENT_IP_NOT_PUBLIC,
    &FBC_FORMAT,
    &FBP_FORMAT,
    &USER_DATA_ID_NOT_INTEGER,
];

// ---------------------------------------------------------------------------------------
// Paths, in Meta's `$['data'][0]['user_data']['em'][0]` form.

fn p_event(i: usize) -> String {
    format!("$['data'][{i}]")
}

fn p_field(i: usize, key: &str) -> String {
    format!("$['data'][{i}]['{key}']")
}

fn p_sub(i: usize, obj: &str, key: &str) -> String {
    format!("$['data'][{i}]['{obj}']['{key}']")
}

fn p_sub_item(i: usize, obj: &str, key: &str, j: usize) -> String {
    format!("$['data'][{i}]['{obj}']['{key}'][{j}]")
}

// ---------------------------------------------------------------------------------------
// Checking typed requests and events.

/// Checks one event (`index` is its position in `data`, for the paths).
#[must_use]
pub fn check_event(event: &CapiEvent, index: usize, cx: &RuleContext) -> Vec<Violation> {
    let mut out = Vec::new();
    check_event_into(event, index, cx, &mut out);
    out
}

/// Checks a whole request: the batch size, then every event.
#[must_use]
pub fn check_request(request: &CapiRequest, cx: &RuleContext) -> Vec<Violation> {
    let mut out = Vec::new();
    let n = request.data.len();
    if n == 0 {
        out.push(DATA_EMPTY.at(
            "$['data']".to_string(),
            "The parameter $['data'] must hold at least one event.".to_string(),
        ));
    } else if n > MAX_EVENTS {
        out.push(DATA_TOO_MANY.at(
            "$['data']".to_string(),
            format!(
                "The parameter $['data'] holds {n} events; a request may carry at most {MAX_EVENTS}."
            ),
        ));
    }
    for (i, e) in request.data.iter().enumerate() {
        check_event_into(e, i, cx, &mut out);
    }
    out
}

/// The first violation Meta would answer a request with, if any (the first
/// [`Level::Rejected`] one).
#[must_use]
pub fn first_rejection(violations: &[Violation]) -> Option<&Violation> {
    violations.iter().find(|v| v.level == Level::Rejected)
}

/// Checks one event, appending violations to `out` (allocates nothing for a valid event).
pub fn check_event_into(event: &CapiEvent, i: usize, cx: &RuleContext, out: &mut Vec<Violation>) {
    check_event_name(event, i, out);
    check_event_time(event, i, cx, out);
    check_action_source(event, i, out);
    check_user_data(&event.user_data, i, out);
    if let Some(id) = &event.event_id
        && id.trim().is_empty()
    {
        out.push(EVENT_ID_EMPTY.at(
            p_field(i, "event_id"),
            format!(
                "The parameter {} is empty; leave it out or send the id shared with the Pixel's eventID.",
                p_field(i, "event_id")
            ),
        ));
    }
    check_dpo(event, i, out);
    if let Some(cd) = &event.custom_data {
        check_custom_data(event, cd, i, out);
    } else {
        for key in required_params(&event.event_name) {
            required_param_missing(&event.event_name, i, key, out);
        }
    }
    if let Some(seg) = &event.customer_segmentation {
        check_segmentation(seg, p_field(i, "customer_segmentation"), out);
    }
}

fn check_event_name(event: &CapiEvent, i: usize, out: &mut Vec<Violation>) {
    let name = event.event_name.as_str();
    if name.trim().is_empty() {
        out.push(EVENT_NAME_MISSING.at(
            p_field(i, "event_name"),
            format!(
                "The parameter {} is required and must not be empty.",
                p_field(i, "event_name")
            ),
        ));
        return;
    }
    if is_standard_event(name) {
        return;
    }
    if name.chars().count() > MAX_CUSTOM_EVENT_NAME {
        out.push(EVENT_NAME_TOO_LONG.at(
            p_field(i, "event_name"),
            format!(
                "The custom event name in {} is longer than {MAX_CUSTOM_EVENT_NAME} characters.",
                p_field(i, "event_name")
            ),
        ));
    }
    if let Some(std) = standard_event_names().find(|s| s.eq_ignore_ascii_case(name)) {
        out.push(EVENT_NAME_CASE.at(
            p_field(i, "event_name"),
            format!(
                "The event name in {} differs from the standard event {std} only in case, so Meta treats it as a custom event. Event names are case-sensitive.",
                p_field(i, "event_name")
            ),
        ));
    }
}

fn check_event_time(event: &CapiEvent, i: usize, cx: &RuleContext, out: &mut Vec<Violation>) {
    let t = event.event_time;
    let path = || p_field(i, "event_time");
    if t >= MILLISECONDS_THRESHOLD {
        out.push(EVENT_TIME_MILLISECONDS.at(
            path(),
            format!(
                "The parameter {} looks like milliseconds (13 digits). Send Unix time in seconds (10 digits): divide by 1000.",
                path()
            ),
        ));
        return;
    }
    let store = event.action_source == "physical_store";
    let max_age = if store {
        MAX_AGE_PHYSICAL_STORE
    } else {
        MAX_AGE
    };
    if t < cx.now.saturating_sub(max_age) {
        let limit = if store {
            "62 days for physical_store events"
        } else {
            "7 days"
        };
        out.push(EVENT_TIME_TOO_OLD.at(
            path(),
            format!(
                "The parameter {} is too far in the past: events must be sent within {limit} of when they happened. One stale event fails the whole request.",
                path()
            ),
        ));
    } else if t > cx.now.saturating_add(FUTURE_SKEW) {
        out.push(EVENT_TIME_IN_FUTURE.at(
            path(),
            format!(
                "The parameter {} is {} seconds in the future; check the clock of the machine that recorded the event.",
                path(),
                t - cx.now
            ),
        ));
    }
}

fn check_action_source(event: &CapiEvent, i: usize, out: &mut Vec<Violation>) {
    let source = event.action_source.as_str();
    if source.is_empty() {
        out.push(ACTION_SOURCE_MISSING.at(
            p_field(i, "action_source"),
            format!("The parameter {} is required.", p_field(i, "action_source")),
        ));
        return;
    }
    if !ACTION_SOURCES.contains(&source) {
        out.push(ACTION_SOURCE_INVALID.at(
            p_field(i, "action_source"),
            format!(
                "The parameter {} must be one of: {}.",
                p_field(i, "action_source"),
                ACTION_SOURCES.join(", ")
            ),
        ));
        return;
    }
    let mut app_data_checked = false;
    for field in action_source_requires(source) {
        match *field {
            "event_source_url" => match event.event_source_url.as_deref() {
                None | Some("") => out.push(EVENT_SOURCE_URL_MISSING.at(
                    p_field(i, "event_source_url"),
                    format!(
                        "The parameter {} is required for events with action_source {source}.",
                        p_field(i, "event_source_url")
                    ),
                )),
                Some(_) => {}
            },
            "user_data.client_user_agent" if event.user_data.client_user_agent.is_none() => {
                out.push(CLIENT_USER_AGENT_MISSING.at(
                    p_sub(i, "user_data", "client_user_agent"),
                    format!(
                        "The parameter {} is required for {source} events (Meta's documentation; the API accepts the event without it, but matching suffers).",
                        p_sub(i, "user_data", "client_user_agent")
                    ),
                ));
            }
            f if f.starts_with("app_data") && !app_data_checked => {
                app_data_checked = true;
                check_app_data(event, i, out);
            }
            "messaging_channel" if event.messaging_channel.is_none() => {
                out.push(MESSAGING_CHANNEL_MISSING.at(
                    p_field(i, "messaging_channel"),
                    format!(
                        "The parameter {} is required for events with action_source {source} ({}).",
                        p_field(i, "messaging_channel"),
                        MESSAGING_CHANNELS.join(", ")
                    ),
                ));
            }
            _ => {}
        }
    }
    if let Some(channel) = &event.messaging_channel
        && !channel
            .as_str()
            .is_some_and(|c| MESSAGING_CHANNELS.contains(&c))
    {
        out.push(MESSAGING_CHANNEL_INVALID.at(
            p_field(i, "messaging_channel"),
            format!(
                "The parameter {} must be one of: {}.",
                p_field(i, "messaging_channel"),
                MESSAGING_CHANNELS.join(", ")
            ),
        ));
    }
    for (key, url) in [
        ("event_source_url", &event.event_source_url),
        ("referrer_url", &event.referrer_url),
    ] {
        if let Some(url) = url.as_deref()
            && !url.is_empty()
            && !is_absolute_http_url(url)
        {
            out.push(URL_NOT_ABSOLUTE.at(
                p_field(i, key),
                format!(
                    "The parameter {} is not an absolute http(s) URL (https://host/path).",
                    p_field(i, key)
                ),
            ));
        }
    }
}

/// Whether `url` is `http://host…` or `https://host…` with a host and no whitespace.
fn is_absolute_http_url(url: &str) -> bool {
    let b = url.as_bytes();
    let rest = if b.len() > 8 && b[..8].eq_ignore_ascii_case(b"https://") {
        &b[8..]
    } else if b.len() > 7 && b[..7].eq_ignore_ascii_case(b"http://") {
        &b[7..]
    } else {
        return false;
    };
    !matches!(rest.first(), None | Some(b'/' | b'?' | b'#' | b':'))
        // No whitespace or control characters (a byte-wise test the compiler vectorizes).
        && !b.iter().fold(false, |acc, &c| acc | (c <= b' '))
}

fn check_app_data(event: &CapiEvent, i: usize, out: &mut Vec<Violation>) {
    let Some(app) = &event.app_data else {
        out.push(APP_DATA_MISSING.at(
            p_field(i, "app_data"),
            format!(
                "The parameter {} is required for events with action_source app.",
                p_field(i, "app_data")
            ),
        ));
        return;
    };
    let path = || p_sub(i, "app_data", "extinfo");
    let Some(extinfo) = app.get("extinfo") else {
        out.push(APP_DATA_MISSING.at(
            path(),
            format!("The parameter {} is required for app events.", path()),
        ));
        return;
    };
    let problem = match extinfo.as_array() {
        None => Some("must be a list of 16 values"),
        Some(items) if items.len() != 16 => {
            Some("must have exactly 16 values (use \"\" for unknown ones)")
        }
        Some(items) => {
            let filled = |v: &Value| match v {
                Value::String(s) => !s.is_empty(),
                Value::Number(_) => true,
                _ => false,
            };
            if !matches!(items[0].as_str(), Some("a2" | "i2")) {
                Some("must start with the version a2 (Android) or i2 (iOS)")
            } else if !filled(&items[4]) {
                Some("must have the OS version at index 4")
            } else {
                None
            }
        }
    };
    if let Some(problem) = problem {
        out.push(APP_EXTINFO_INVALID.at(path(), format!("The parameter {} {problem}.", path())));
    }
}

fn check_dpo(event: &CapiEvent, i: usize, out: &mut Vec<Violation>) {
    let mut ldu = false;
    if let Some(options) = &event.data_processing_options {
        for (j, o) in options.iter().enumerate() {
            if o == "LDU" {
                ldu = true;
            } else {
                let path = format!("$['data'][{i}]['data_processing_options'][{j}]");
                out.push(DPO_INVALID.at(
                    path.clone(),
                    format!("The parameter {path} must be \"LDU\" (or leave the list empty)."),
                ));
            }
        }
    }
    let country = event.data_processing_options_country;
    let state = event.data_processing_options_state;
    match country {
        Some(0 | 1) => {}
        Some(_) => out.push(DPO_COUNTRY_INVALID.at(
            p_field(i, "data_processing_options_country"),
            format!(
                "The parameter {} must be 1 (USA) or 0 (let Meta geolocate).",
                p_field(i, "data_processing_options_country")
            ),
        )),
        None if ldu => out.push(DPO_COUNTRY_MISSING.at(
            p_field(i, "data_processing_options_country"),
            format!(
                "The parameter {} is required when data_processing_options has LDU (1 for USA, 0 to geolocate).",
                p_field(i, "data_processing_options_country")
            ),
        )),
        None => {}
    }
    match state {
        Some(s) if u32::try_from(s).is_ok_and(is_ldu_state) => {}
        Some(_) => out.push(DPO_STATE_INVALID.at(
            p_field(i, "data_processing_options_state"),
            format!(
                "The parameter {} must be 0 (geolocate) or a state code from 1000 to 1013.",
                p_field(i, "data_processing_options_state")
            ),
        )),
        None if country.is_some() => out.push(DPO_STATE_MISSING.at(
            p_field(i, "data_processing_options_state"),
            format!(
                "The parameter {} is required when data_processing_options_country is set (0 to geolocate).",
                p_field(i, "data_processing_options_state")
            ),
        )),
        None if ldu && event.user_data.client_ip_address.is_none() => {
            out.push(DPO_STATE_MISSING.at(
                p_field(i, "data_processing_options_state"),
                format!(
                    "The parameter {} is required when LDU is set and user_data has no client_ip_address.",
                    p_field(i, "data_processing_options_state")
                ),
            ));
        }
        None => {}
    }
}

fn required_param_missing(event: &str, i: usize, key: &str, out: &mut Vec<Violation>) {
    let rule = if key == "value" {
        &PURCHASE_VALUE_MISSING
    } else {
        &PURCHASE_CURRENCY_MISSING
    };
    out.push(rule.at(
        p_sub(i, "custom_data", key),
        format!(
            "The parameter {} is required for {event} events.",
            p_sub(i, "custom_data", key)
        ),
    ));
}

/// The standard `custom_data` parameters the rules look at, found in one pass over the
/// map (`null` counts as absent).
#[derive(Default)]
struct CustomFields<'a> {
    value: Option<&'a Value>,
    currency: Option<&'a Value>,
    predicted_ltv: Option<&'a Value>,
    net_revenue: Option<&'a Value>,
    content_type: Option<&'a Value>,
    num_items: Option<&'a Value>,
    delivery_category: Option<&'a Value>,
    customer_segmentation: Option<&'a Value>,
    contents: Option<&'a Value>,
}

impl<'a> CustomFields<'a> {
    fn of(cd: &'a Map<String, Value>) -> Self {
        let mut f = Self::default();
        for (k, v) in cd {
            if v.is_null() {
                continue;
            }
            let slot = match k.as_str() {
                "value" => &mut f.value,
                "currency" => &mut f.currency,
                "predicted_ltv" => &mut f.predicted_ltv,
                "net_revenue" => &mut f.net_revenue,
                "content_type" => &mut f.content_type,
                "num_items" => &mut f.num_items,
                "delivery_category" => &mut f.delivery_category,
                "customer_segmentation" => &mut f.customer_segmentation,
                "contents" => &mut f.contents,
                _ => continue,
            };
            *slot = Some(v);
        }
        f
    }
}

fn check_custom_data(
    event: &CapiEvent,
    cd: &Map<String, Value>,
    i: usize,
    out: &mut Vec<Violation>,
) {
    let f = CustomFields::of(cd);
    let required = required_params(&event.event_name);
    for key in required {
        if cd.get(*key).is_none_or(Value::is_null) {
            required_param_missing(&event.event_name, i, key, out);
        }
    }
    if !required.contains(&"currency") && f.value.is_some() && f.currency.is_none() {
        out.push(VALUE_WITHOUT_CURRENCY.at(
            p_sub(i, "custom_data", "value"),
            format!(
                "The parameter {} is sent without custom_data.currency; Meta needs both to report value.",
                p_sub(i, "custom_data", "value")
            ),
        ));
    }
    for (key, v) in [
        ("value", f.value),
        ("predicted_ltv", f.predicted_ltv),
        ("net_revenue", f.net_revenue),
    ] {
        match v {
            None | Some(Value::Number(_)) => {}
            Some(Value::String(s)) if s.trim().parse::<f64>().is_ok_and(f64::is_finite) => {
                out.push(NUMBER_AS_STRING.at(
                    p_sub(i, "custom_data", key),
                    format!(
                        "The parameter {} is a number sent as text; send it as a JSON number.",
                        p_sub(i, "custom_data", key)
                    ),
                ));
            }
            Some(_) => out.push(NUMBER_INVALID.at(
                p_sub(i, "custom_data", key),
                format!(
                    "The parameter {} must be a number.",
                    p_sub(i, "custom_data", key)
                ),
            )),
        }
    }
    match f.currency {
        None => {}
        Some(Value::String(c)) if is_currency_any_case(c) => {}
        Some(_) => out.push(CURRENCY_INVALID.at(
            p_sub(i, "custom_data", "currency"),
            format!(
                "The parameter {} must be an ISO 4217 currency code such as USD or EUR.",
                p_sub(i, "custom_data", "currency")
            ),
        )),
    }
    match f.content_type {
        None => {}
        Some(Value::String(s)) if CONTENT_TYPES.contains(&s.as_str()) => {}
        Some(_) => out.push(CONTENT_TYPE_INVALID.at(
            p_sub(i, "custom_data", "content_type"),
            format!(
                "The parameter {} must be product or product_group.",
                p_sub(i, "custom_data", "content_type")
            ),
        )),
    }
    match f.num_items {
        None => {}
        Some(v) if v.is_i64() || v.is_u64() => {}
        Some(_) => out.push(NUM_ITEMS_INVALID.at(
            p_sub(i, "custom_data", "num_items"),
            format!(
                "The parameter {} must be a whole number.",
                p_sub(i, "custom_data", "num_items")
            ),
        )),
    }
    if let Some(v) = f.delivery_category {
        check_delivery_category(v, || p_sub(i, "custom_data", "delivery_category"), out);
    }
    if let Some(seg) = f.customer_segmentation {
        check_segmentation(seg, p_sub(i, "custom_data", "customer_segmentation"), out);
    }
    match f.contents {
        None => {}
        Some(Value::Array(items)) => {
            for (j, item) in items.iter().enumerate() {
                check_contents_item(item, i, j, out);
            }
        }
        Some(_) => out.push(CONTENTS_INVALID.at(
            p_sub(i, "custom_data", "contents"),
            format!(
                "The parameter {} must be a list of {{id, quantity}} objects.",
                p_sub(i, "custom_data", "contents")
            ),
        )),
    }
}

fn check_contents_item(item: &Value, i: usize, j: usize, out: &mut Vec<Violation>) {
    let path = || p_sub_item(i, "custom_data", "contents", j);
    let Some(obj) = item.as_object() else {
        out.push(CONTENTS_INVALID.at(
            path(),
            format!(
                "The item {} must be an object with id and quantity.",
                path()
            ),
        ));
        return;
    };
    let (mut id_ok, mut qty_ok, mut delivery) = (false, false, None);
    for (k, v) in obj {
        match k.as_str() {
            "id" => {
                id_ok = match v {
                    Value::String(s) => !s.is_empty(),
                    Value::Number(_) => true,
                    _ => false,
                };
            }
            "quantity" => qty_ok = v.is_number(),
            "delivery_category" if !v.is_null() => delivery = Some(v),
            _ => {}
        }
    }
    if !id_ok || !qty_ok {
        let missing = match (id_ok, qty_ok) {
            (false, false) => "id and quantity",
            (false, true) => "id",
            _ => "quantity",
        };
        out.push(CONTENTS_INVALID.at(path(), format!("The item {} needs {missing}.", path())));
    }
    if let Some(v) = delivery {
        check_delivery_category(v, || format!("{}['delivery_category']", path()), out);
    }
}

fn check_delivery_category(v: &Value, path: impl Fn() -> String, out: &mut Vec<Violation>) {
    if matches!(v, Value::String(s) if DELIVERY_CATEGORIES.contains(&s.as_str())) {
        return;
    }
    out.push(DELIVERY_CATEGORY_INVALID.at(
        path(),
        format!(
            "The parameter {} must be in_store, curbside or home_delivery.",
            path()
        ),
    ));
}

fn check_segmentation(v: &Value, path: String, out: &mut Vec<Violation>) {
    if matches!(v, Value::String(s) if CUSTOMER_SEGMENTATIONS.contains(&s.as_str())) {
        return;
    }
    let message = format!(
        "The parameter {path} must be one of: {}.",
        CUSTOMER_SEGMENTATIONS.join(", ")
    );
    out.push(CUSTOMER_SEGMENTATION_INVALID.at(path, message));
}

/// Whether `code` is an ISO 4217 code, in any case (`usd` is accepted, as in Meta's
/// examples).
fn is_currency_any_case(code: &str) -> bool {
    let b = code.as_bytes();
    if b.len() != 3 || !b.iter().all(u8::is_ascii_alphabetic) {
        return false;
    }
    let upper = [
        b[0].to_ascii_uppercase(),
        b[1].to_ascii_uppercase(),
        b[2].to_ascii_uppercase(),
    ];
    std::str::from_utf8(&upper).is_ok_and(is_currency)
}

// ---------------------------------------------------------------------------------------
// user_data.

/// Why an `fbc`/`fbp` value is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieIdProblem {
    /// Not `fb.{index}.{time}.{payload}[.{appendix}]`.
    Shape,
    /// The creation time has 10 digits: seconds instead of milliseconds.
    Seconds,
    /// The creation time is not 13 digits.
    Time,
    /// The payload is empty, or (for `fbp`) not digits.
    Payload,
    /// The fifth part is not a 2- or 8-character appendix.
    Appendix,
}

/// Checks an `fbc` (`numeric_payload = false`) or `fbp` (`true`) value against rules
/// 54/55: `fb.\d+.\d{13}.{payload}(.{appendix})?`.
///
/// # Errors
/// What is wrong with it.
pub fn check_cookie_id(s: &str, numeric_payload: bool) -> Result<(), CookieIdProblem> {
    let mut parts = s.as_bytes().split(|&c| c == b'.');
    let (Some(b"fb"), Some(index), Some(time), Some(payload)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(CookieIdProblem::Shape);
    };
    let appendix = parts.next();
    if parts.next().is_some() || index.is_empty() || !index.iter().all(u8::is_ascii_digit) {
        return Err(CookieIdProblem::Shape);
    }
    if !time.iter().all(u8::is_ascii_digit) || time.is_empty() {
        return Err(CookieIdProblem::Time);
    }
    match time.len() {
        13 => {}
        10 => return Err(CookieIdProblem::Seconds),
        _ => return Err(CookieIdProblem::Time),
    }
    if payload.is_empty() || (numeric_payload && !payload.iter().all(u8::is_ascii_digit)) {
        return Err(CookieIdProblem::Payload);
    }
    if let Some(a) = appendix
        && !is_appendix(a)
    {
        return Err(CookieIdProblem::Appendix);
    }
    Ok(())
}

/// Whether an IP address is private, loopback, link-local, unspecified or a
/// documentation placeholder (rule 53).
#[must_use]
pub fn is_non_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || (o[0] == 100 && (o[1] & 0xc0) == 64) // 100.64/10, carrier-grade NAT
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_non_public_ip(IpAddr::V4(v4));
            }
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        }
    }
}

fn not_hashed_message(key: &str, path: &str) -> String {
    format!(
        "The {key} parameter isn't hashed ({path}). Hash all user parameters as SHA256, except for client user agent, click ID, and browser ID."
    )
}

fn check_user_data(ud: &CapiUserData, i: usize, out: &mut Vec<Violation>) {
    // The keys present, on the stack (25 keys at most).
    let mut keys = [""; 32];
    let mut n = 0;
    {
        let mut add = |k: &'static str| {
            if let Some(slot) = keys.get_mut(n) {
                *slot = k;
                n += 1;
            }
        };
        for (k, v) in ud.hashed() {
            if !v.is_empty() {
                add(k);
            }
        }
        for (k, v) in ud.ids() {
            if v.is_some() {
                add(k);
            }
        }
        if ud.fb_login_id.is_some() {
            add("fb_login_id");
        }
        if ud.lead_id.is_some() {
            add("lead_id");
        }
    }
    let present = &keys[..n];
    if present.is_empty() {
        out.push(USER_DATA_EMPTY.at(
            p_field(i, "user_data"),
            format!(
                "The parameter {} has no customer information. Send at least one parameter, such as em, ph, external_id or client_ip_address with client_user_agent.",
                p_field(i, "user_data")
            ),
        ));
    } else if is_insufficient(present) {
        out.push(USER_DATA_INSUFFICIENT.at(
            p_field(i, "user_data"),
            format!(
                "The parameter {} has insufficient customer information: {} alone cannot be matched. Add a stronger parameter such as em, ph, external_id, client_ip_address, fbp or fbc.",
                p_field(i, "user_data"),
                present.join(" + ")
            ),
        ));
    }

    for (key, values) in ud.hashed() {
        for (j, v) in values.iter().enumerate() {
            match hash_form(v) {
                HashForm::Lower => {}
                HashForm::Upper => {
                    let path = p_sub_item(i, "user_data", key, j);
                    let message = format!(
                        "The {key} parameter ({path}) is upper-case hex; send SHA-256 hashes as lower-case hex."
                    );
                    out.push(USER_DATA_HASH_UPPERCASE.at(path, message));
                }
                HashForm::NotHashed if key == "external_id" => {
                    let path = p_sub_item(i, "user_data", key, j);
                    let message = format!(
                        "The external_id parameter ({path}) isn't hashed. That is allowed, but it must then be unhashed on the Pixel too; hashing it with SHA-256 is recommended."
                    );
                    out.push(EXTERNAL_ID_NOT_HASHED.at(path, message));
                }
                HashForm::NotHashed => {
                    let path = p_sub_item(i, "user_data", key, j);
                    let message = not_hashed_message(key, &path);
                    out.push(USER_DATA_NOT_HASHED.at(path, message));
                }
            }
        }
    }

    if let Some(value) = &ud.client_ip_address {
        check_client_ip(value, i, out);
    }
    if let Some(value) = &ud.fbc {
        check_cookie(value, "fbc", i, out);
    }
    if let Some(value) = &ud.fbp {
        check_cookie(value, "fbp", i, out);
    }
    // The other never-hashed ids (Meta's parameter index: "Do not hash", `madid` too).
    for (key, value) in [
        ("client_user_agent", &ud.client_user_agent),
        ("subscription_id", &ud.subscription_id),
        ("anon_id", &ud.anon_id),
        ("madid", &ud.madid),
        ("page_id", &ud.page_id),
        ("page_scoped_user_id", &ud.page_scoped_user_id),
        ("ctwa_clid", &ud.ctwa_clid),
        ("ig_account_id", &ud.ig_account_id),
        ("ig_sid", &ud.ig_sid),
    ] {
        if let Some(value) = value
            && looks_hashed(value)
        {
            let path = p_sub(i, "user_data", key);
            let message = format!(
                "The parameter {path} looks hashed, but Meta expects it unhashed. Send it as it is."
            );
            out.push(USER_DATA_ID_HASHED.at(path, message));
        }
    }

    for (key, value) in [("fb_login_id", &ud.fb_login_id), ("lead_id", &ud.lead_id)] {
        let ok = match value {
            None => true,
            Some(Value::Number(n)) => n.is_u64(),
            Some(Value::String(s)) => !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()),
            Some(_) => false,
        };
        if !ok {
            let path = p_sub(i, "user_data", key);
            let message = format!("The parameter {path} should be an integer id.");
            out.push(USER_DATA_ID_NOT_INTEGER.at(path, message));
        }
    }
}

fn check_client_ip(value: &str, i: usize, out: &mut Vec<Violation>) {
    let key = "client_ip_address";
    match value.parse::<IpAddr>() {
        Ok(ip) if is_non_public_ip(ip) => {
            let path = p_sub(i, "user_data", key);
            let message = format!(
                "The parameter {path} is a private, loopback or placeholder address; send the visitor's real public IP (IPv6 preferred)."
            );
            out.push(CLIENT_IP_NOT_PUBLIC.at(path, message));
        }
        Ok(_) => {}
        Err(_) => {
            let path = p_sub(i, "user_data", key);
            let message = if looks_hashed(value) {
                format!(
                    "The parameter {path} looks hashed; send the IPv4 or IPv6 address as it is (never hash it)."
                )
            } else {
                format!(
                    "The parameter {path} is not a valid IPv4 or IPv6 address (no spaces, no port)."
                )
            };
            out.push(CLIENT_IP_INVALID.at(path, message));
        }
    }
}

fn check_cookie(value: &str, key: &str, i: usize, out: &mut Vec<Violation>) {
    let fbp = key == "fbp";
    if let Err(problem) = check_cookie_id(value, fbp) {
        let path = p_sub(i, "user_data", key);
        let (form, payload) = if fbp {
            (
                "fb.{subdomain_index}.{creation_time}.{random_number}",
                "random number (digits)",
            )
        } else {
            ("fb.{subdomain_index}.{creation_time}.{fbclid}", "fbclid")
        };
        let why = if looks_hashed(value) {
            "looks hashed; send the cookie value as it is (never hash it)".to_string()
        } else {
            match problem {
                CookieIdProblem::Seconds => "has a 10-digit creation time: that is seconds, but Meta expects Unix time in milliseconds (13 digits)".to_string(),
                CookieIdProblem::Time => "needs a creation time in milliseconds (13 digits)".to_string(),
                CookieIdProblem::Payload => format!("needs the {payload} as its fourth part"),
                CookieIdProblem::Appendix => "has a fifth part that is not a 2- or 8-character Parameter Builder appendix".to_string(),
                CookieIdProblem::Shape => format!("must have the form {form}"),
            }
        };
        let rule = if fbp { &FBP_FORMAT } else { &FBC_FORMAT };
        out.push(rule.at(path.clone(), format!("The parameter {path} {why}.")));
    }
}

// ---------------------------------------------------------------------------------------
// Parsing request bodies.

/// A request body read the way the Graph API reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedBody {
    /// The `access_token` field of the body, if it had one (whatever the rest holds).
    pub access_token: Option<String>,
    /// The `appsecret_proof` field of the body, if it had one.
    pub appsecret_proof: Option<String>,
    /// The request, or the error Meta answers a body like this with.
    pub request: Result<CapiRequest, Violation>,
    /// Problems Meta does not reject (unknown top-level keys).
    pub warnings: Vec<Violation>,
}

/// Reads a JSON request body into a [`CapiRequest`], with Meta-shaped errors.
///
/// # Errors
/// The violation Meta would answer with: malformed JSON, a missing or empty `data`, an
/// unknown key in an event or its `user_data`, or a wrongly typed field.
pub fn parse_request(body: &[u8]) -> Result<CapiRequest, Violation> {
    parse_body(body).request
}

/// Like [`parse_request`], also returning the body's `access_token` (removed from the
/// request; it travels in the body, and Meta also accepts it in the query string).
///
/// # Errors
/// As [`parse_request`].
pub fn parse_request_with_token(body: &[u8]) -> Result<(CapiRequest, Option<String>), Violation> {
    let parsed = parse_body(body);
    parsed.request.map(|r| (r, parsed.access_token))
}

/// Reads a JSON request body: its token, the request (or Meta's error) and warnings.
/// Structure and types are checked here; the rules that need a typed event (times,
/// hashing, combinations, …) are [`check_request`]'s.
#[must_use]
pub fn parse_body(body: &[u8]) -> ParsedBody {
    let mut parsed = ParsedBody {
        access_token: None,
        appsecret_proof: None,
        request: Err(BODY_MALFORMED.at(String::new(), String::new())),
        warnings: Vec::new(),
    };
    let top = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(top)) => top,
        Ok(_) => {
            parsed.request = Err(BODY_MALFORMED.at(
                "$".to_string(),
                "The request body must be a JSON object with a data parameter.".to_string(),
            ));
            return parsed;
        }
        Err(e) => {
            let kind = match e.classify() {
                serde_json::error::Category::Eof => "it ends too early",
                serde_json::error::Category::Syntax => "syntax error",
                _ => "unreadable",
            };
            parsed.request = Err(BODY_MALFORMED.at(
                "$".to_string(),
                format!(
                    "The request body is not valid JSON ({kind} at line {}, column {}), so the parameter $['data'] is missing.",
                    e.line(),
                    e.column()
                ),
            ));
            return parsed;
        }
    };
    parsed.request = read_top(top, &mut parsed);
    parsed
}

fn type_error(path: String, expected: &str) -> Violation {
    let message = format!("The parameter {path} must be {expected}.");
    PARAM_TYPE.at(path, message)
}

fn read_top(top: Map<String, Value>, parsed: &mut ParsedBody) -> Result<CapiRequest, Violation> {
    let mut request = CapiRequest::default();
    let mut data = None;
    let mut first_error = None;
    for (key, value) in top {
        let path = format!("$['{key}']");
        let as_string = |v: Value| match v {
            Value::String(s) => Ok(s),
            _ => Err(type_error(path.clone(), "a string")),
        };
        let result = match key.as_str() {
            "data" => {
                data = Some(value);
                Ok(())
            }
            "access_token" => as_string(value).map(|s| parsed.access_token = Some(s)),
            "appsecret_proof" => as_string(value).map(|s| parsed.appsecret_proof = Some(s)),
            "test_event_code" => as_string(value).map(|s| request.test_event_code = Some(s)),
            "partner_agent" => as_string(value).map(|s| request.partner_agent = Some(s)),
            "namespace_id" | "upload_id" | "upload_tag" | "upload_source" => {
                as_string(value).map(drop)
            }
            _ => {
                parsed.warnings.push(REQUEST_UNKNOWN_KEY.at(
                    path.clone(),
                    format!("The request parameter {path} is not a Conversions API parameter; Meta ignores it."),
                ));
                Ok(())
            }
        };
        if let Err(e) = result {
            first_error.get_or_insert(e);
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    let items = match data {
        None | Some(Value::Null) => {
            return Err(PARAM_MISSING.at(
                "$['data']".to_string(),
                "The parameter $['data'] is required.".to_string(),
            ));
        }
        // Form-style bodies send `data` as a JSON-encoded string.
        Some(Value::String(s)) => match serde_json::from_str::<Value>(&s) {
            Ok(Value::Array(items)) => items,
            _ => return Err(type_error("$['data']".to_string(), "a list of events")),
        },
        Some(Value::Array(items)) => items,
        Some(_) => return Err(type_error("$['data']".to_string(), "a list of events")),
    };
    if items.is_empty() {
        return Err(DATA_EMPTY.at(
            "$['data']".to_string(),
            "The parameter $['data'] must hold at least one event.".to_string(),
        ));
    }
    request.data.reserve_exact(items.len());
    for (i, item) in items.into_iter().enumerate() {
        request.data.push(read_event(item, i)?);
    }
    Ok(request)
}

fn unexpected_key(key: &str, on: &str) -> Violation {
    UNKNOWN_KEY.at(
        on.to_string(),
        format!("Server Side Api Parameter Error: Unexpected key \"{key}\" on param \"{on}\""),
    )
}

fn read_event(item: Value, i: usize) -> Result<CapiEvent, Violation> {
    let Value::Object(obj) = item else {
        return Err(type_error(p_event(i), "an object"));
    };
    let on = p_event(i);
    if let Some(key) = obj.keys().find(|k| !EVENT_KEYS.contains(&k.as_str())) {
        return Err(unexpected_key(key, &on));
    }
    for required in ["event_name", "event_time", "action_source"] {
        if obj.get(required).is_none_or(Value::is_null) {
            return Err(PARAM_MISSING.at(
                p_field(i, required),
                format!("The parameter {} is required.", p_field(i, required)),
            ));
        }
    }
    for (key, value) in &obj {
        if value.is_null() {
            continue;
        }
        let expected = match key.as_str() {
            "event_name"
            | "action_source"
            | "event_source_url"
            | "event_id"
            | "referrer_url"
            | "customer_segmentation"
            | "messaging_channel"
                if !value.is_string() =>
            {
                "a string"
            }
            "event_time" | "data_processing_options_country" | "data_processing_options_state"
                if !value.is_i64() =>
            {
                "an integer"
            }
            "opt_out" if !value.is_boolean() => "true or false",
            "custom_data" | "app_data" | "original_event_data" | "user_data"
                if !value.is_object() =>
            {
                "an object"
            }
            "data_processing_options"
                if !value
                    .as_array()
                    .is_some_and(|a| a.iter().all(Value::is_string)) =>
            {
                "a list of strings"
            }
            _ => continue,
        };
        return Err(type_error(p_field(i, key), expected));
    }
    if let Some(Value::Object(ud)) = obj.get("user_data") {
        check_user_data_shape(ud, i)?;
    }
    // Everything serde could object to was checked above; this is a safety net.
    let mut obj = obj;
    obj.retain(|_, v| !v.is_null());
    if let Some(Value::Object(ud)) = obj.get_mut("user_data") {
        ud.retain(|_, v| !v.is_null());
    }
    serde_json::from_value(Value::Object(obj)).map_err(|_| {
        PARAM_TYPE.at(
            p_event(i),
            format!("The event {} could not be read.", p_event(i)),
        )
    })
}

fn check_user_data_shape(ud: &Map<String, Value>, i: usize) -> Result<(), Violation> {
    for (key, value) in ud {
        let k = key.as_str();
        if value.is_null() {
            continue;
        }
        let ok = if crate::meta::HASHED_USER_DATA.contains(&k) {
            match value {
                Value::String(_) => true,
                Value::Array(items) => items.iter().all(Value::is_string),
                _ => false,
            }
        } else if ID_KEYS.contains(&k) {
            value.is_string()
        } else if NUMERIC_ID_KEYS.contains(&k) {
            value.is_string() || value.is_number()
        } else {
            return Err(unexpected_key(k, &p_field(i, "user_data")));
        };
        if !ok {
            let expected = if crate::meta::HASHED_USER_DATA.contains(&k) {
                "a string or a list of strings"
            } else if ID_KEYS.contains(&k) {
                "a string"
            } else {
                "an integer"
            };
            return Err(type_error(p_sub(i, "user_data", k), expected));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_767_225_600;
    const EM: &str = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f";
    const CX: RuleContext = RuleContext::at(NOW);

    /// A website event that breaks no rule.
    fn valid() -> CapiEvent {
        let mut e = CapiEvent {
            event_name: "Purchase".into(),
            event_time: NOW - 60,
            action_source: "website".into(),
            event_id: Some("order-123".into()),
            event_source_url: Some("https://shop.example.com/thanks".into()),
            custom_data: Some(
                serde_json::json!({
                    "currency": "USD", "value": 12.5, "content_type": "product",
                    "contents": [{"id": "sku-1", "quantity": 1, "item_price": 12.5}],
                    "num_items": 1, "delivery_category": "home_delivery"
                })
                .as_object()
                .cloned()
                .unwrap_or_default(),
            ),
            ..CapiEvent::default()
        };
        e.user_data.em = vec![EM.into()];
        e.user_data.external_id = vec!["b".repeat(64)];
        e.user_data.client_ip_address = Some("2a03:2880:f12f:83:face:b00c::25de".into());
        e.user_data.client_user_agent = Some("Mozilla/5.0".into());
        e.user_data.fbp = Some("fb.1.1596403881668.1116446470".into());
        e.user_data.fbc = Some("fb.1.1554763741205.IwAR2F4-dbP0l7Mn1IawQQGCINEz7PYX".into());
        e
    }

    fn rules_of(e: &CapiEvent) -> Vec<&'static str> {
        check_event(e, 0, &CX).into_iter().map(|v| v.rule).collect()
    }

    /// Asserts the valid event passes and the changed one breaks exactly `rule`.
    fn only(rule: &Rule, change: impl FnOnce(&mut CapiEvent)) -> Violation {
        assert!(rules_of(&valid()).is_empty(), "{:?}", rules_of(&valid()));
        let mut e = valid();
        change(&mut e);
        let vs = check_event(&e, 3, &CX);
        assert_eq!(
            vs.iter().map(|v| v.rule).collect::<Vec<_>>(),
            vec![rule.name],
            "{vs:#?}"
        );
        let v = vs.into_iter().next().expect("one violation");
        assert_eq!(
            (v.level, v.code, v.subcode),
            (rule.level, rule.code, rule.subcode)
        );
        assert!(v.path.starts_with("$['data'][3]"), "{}", v.path);
        v
    }

    fn cd(e: &mut CapiEvent) -> &mut Map<String, Value> {
        e.custom_data.get_or_insert_with(Map::new)
    }

    #[test]
    fn a_valid_event_has_no_violation_and_rule_names_are_unique() {
        assert!(check_event(&valid(), 0, &CX).is_empty());
        let mut names: Vec<_> = ALL_RULES.iter().map(|r| r.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL_RULES.len());
    }

    #[test]
    fn event_name() {
        only(&EVENT_NAME_MISSING, |e| e.event_name = " ".into());
        only(&EVENT_NAME_TOO_LONG, |e| e.event_name = "x".repeat(51));
        only(&EVENT_NAME_CASE, |e| e.event_name = "viewcontent".into());
        let mut e = valid();
        e.event_name = "x".repeat(50);
        e.custom_data = None;
        assert!(rules_of(&e).is_empty());
    }

    #[test]
    fn event_time() {
        let v = only(&EVENT_TIME_TOO_OLD, |e| e.event_time = NOW - MAX_AGE - 1);
        assert_eq!(v.path, "$['data'][3]['event_time']");
        assert_eq!(v.subcode, Some(2_804_003));
        only(&EVENT_TIME_MILLISECONDS, |e| e.event_time = NOW * 1000);
        only(&EVENT_TIME_IN_FUTURE, |e| {
            e.event_time = NOW + FUTURE_SKEW + 1
        });
        let mut e = valid();
        e.event_time = NOW - MAX_AGE;
        assert!(rules_of(&e).is_empty());
        e.event_time = NOW + FUTURE_SKEW;
        assert!(rules_of(&e).is_empty());
    }

    #[test]
    fn physical_store_events_may_be_62_days_old() {
        let mut e = valid();
        e.action_source = "physical_store".into();
        e.event_time = NOW - 30 * 86_400;
        assert!(rules_of(&e).is_empty());
        e.event_time = NOW - MAX_AGE_PHYSICAL_STORE - 1;
        assert_eq!(rules_of(&e), vec!["event-time-too-old"]);
    }

    #[test]
    fn action_source() {
        only(&ACTION_SOURCE_MISSING, |e| e.action_source = String::new());
        only(&ACTION_SOURCE_INVALID, |e| {
            e.action_source = "Website".into()
        });
        for s in ACTION_SOURCES
            .iter()
            .filter(|s| !matches!(**s, "website" | "app" | "business_messaging"))
        {
            let mut e = valid();
            e.action_source = (*s).into();
            assert!(rules_of(&e).is_empty(), "{s}");
        }
    }

    #[test]
    fn website_needs_url_and_user_agent() {
        only(&EVENT_SOURCE_URL_MISSING, |e| e.event_source_url = None);
        let v = only(&CLIENT_USER_AGENT_MISSING, |e| {
            e.user_data.client_user_agent = None;
        });
        assert_eq!(v.path, "$['data'][3]['user_data']['client_user_agent']");
        only(&URL_NOT_ABSOLUTE, |e| {
            e.event_source_url = Some("/thanks".into())
        });
        only(&URL_NOT_ABSOLUTE, |e| {
            e.referrer_url = Some("example.com/x".into())
        });
        assert!(is_absolute_http_url("HTTP://a.b/c?d"));
        assert!(!is_absolute_http_url("https:///path"));
        assert!(!is_absolute_http_url("ftp://a.b"));
        assert!(!is_absolute_http_url("https://a.b/with space"));
    }

    #[test]
    fn app_events_need_extinfo() {
        let app = |e: &mut CapiEvent| {
            e.action_source = "app".into();
            e.event_source_url = None;
        };
        only(&APP_DATA_MISSING, app);
        let mut ext: Vec<Value> = vec![Value::String(String::new()); 16];
        ext[0] = "a2".into();
        ext[4] = "14".into();
        let mut e = valid();
        app(&mut e);
        e.app_data = Some(serde_json::json!({ "extinfo": ext }));
        assert!(rules_of(&e).is_empty());
        ext[4] = "".into();
        only(&APP_EXTINFO_INVALID, |e| {
            app(e);
            e.app_data = Some(serde_json::json!({ "extinfo": ext }));
        });
        only(&APP_EXTINFO_INVALID, |e| {
            app(e);
            e.app_data = Some(serde_json::json!({ "extinfo": ["i2"] }));
        });
    }

    #[test]
    fn business_messaging_needs_a_known_channel() {
        let bm = |e: &mut CapiEvent| {
            e.action_source = "business_messaging".into();
            e.event_source_url = None;
        };
        only(&MESSAGING_CHANNEL_MISSING, bm);
        for c in MESSAGING_CHANNELS {
            let mut e = valid();
            bm(&mut e);
            e.messaging_channel = Some(Value::String((*c).into()));
            assert!(rules_of(&e).is_empty(), "{c}");
        }
        let v = only(&MESSAGING_CHANNEL_INVALID, |e| {
            bm(e);
            e.messaging_channel = Some(Value::String("WhatsApp".into()));
        });
        assert_eq!(v.path, "$['data'][3]['messaging_channel']");
        only(&MESSAGING_CHANNEL_INVALID, |e| {
            e.messaging_channel = Some(Value::Bool(true));
        });
    }

    /// Meta's parameter index marks `madid` "Do not hash", like the other app ids.
    #[test]
    fn a_hashed_madid_is_reported() {
        only(&USER_DATA_ID_HASHED, |e| {
            e.user_data.madid = Some(EM.into())
        });
        let mut e = valid();
        e.user_data.madid = Some("38400000-8cf0-11bd-b23e-10b96e40000d".into());
        assert!(rules_of(&e).is_empty());
    }

    #[test]
    fn event_id() {
        only(&EVENT_ID_EMPTY, |e| e.event_id = Some(String::new()));
    }

    #[test]
    fn data_processing_options() {
        let mut e = valid();
        e.data_processing_options = Some(vec!["LDU".into()]);
        e.data_processing_options_country = Some(1);
        e.data_processing_options_state = Some(1000);
        assert!(rules_of(&e).is_empty());
        e.data_processing_options = Some(vec![]);
        e.data_processing_options_country = None;
        e.data_processing_options_state = None;
        assert!(rules_of(&e).is_empty());
        only(&DPO_INVALID, |e| {
            e.data_processing_options = Some(vec!["ldu".into()])
        });
        only(&DPO_COUNTRY_MISSING, |e| {
            e.data_processing_options = Some(vec!["LDU".into()]);
            e.data_processing_options_state = Some(0);
        });
        only(&DPO_COUNTRY_INVALID, |e| {
            e.data_processing_options_country = Some(2);
            e.data_processing_options_state = Some(0);
        });
        only(&DPO_STATE_MISSING, |e| {
            e.data_processing_options_country = Some(0)
        });
        only(&DPO_STATE_INVALID, |e| {
            e.data_processing_options_country = Some(1);
            e.data_processing_options_state = Some(1014);
        });
        // LDU, country given, no state: one finding, whatever the IP.
        only(&DPO_STATE_MISSING, |e| {
            e.data_processing_options = Some(vec!["LDU".into()]);
            e.data_processing_options_country = Some(1);
            e.user_data.client_ip_address = None;
        });
    }

    #[test]
    fn purchase_needs_value_and_currency() {
        only(&PURCHASE_CURRENCY_MISSING, |e| {
            cd(e).remove("currency");
        });
        let v = only(&PURCHASE_VALUE_MISSING, |e| {
            cd(e).insert("value".into(), Value::Null);
        });
        assert_eq!(v.path, "$['data'][3]['custom_data']['value']");
        let mut e = valid();
        e.custom_data = None;
        assert_eq!(
            rules_of(&e),
            vec!["purchase-value-missing", "purchase-currency-missing"]
        );
        e.event_name = "Lead".into();
        assert!(rules_of(&e).is_empty());
    }

    #[test]
    fn custom_data_values() {
        only(&CURRENCY_INVALID, |e| {
            cd(e).insert("currency".into(), "XYZ".into());
        });
        only(&CURRENCY_INVALID, |e| {
            cd(e).insert("currency".into(), 840.into());
        });
        let mut e = valid();
        cd(&mut e).insert("currency".into(), "eur".into());
        assert!(rules_of(&e).is_empty());
        only(&NUMBER_AS_STRING, |e| {
            cd(e).insert("value".into(), "12.50".into());
        });
        only(&NUMBER_INVALID, |e| {
            cd(e).insert("predicted_ltv".into(), "lots".into());
        });
        only(&VALUE_WITHOUT_CURRENCY, |e| {
            e.event_name = "Lead".into();
            cd(e).remove("currency");
        });
        only(&CONTENT_TYPE_INVALID, |e| {
            cd(e).insert("content_type".into(), "products".into());
        });
        only(&NUM_ITEMS_INVALID, |e| {
            cd(e).insert("num_items".into(), 1.5.into());
        });
        only(&DELIVERY_CATEGORY_INVALID, |e| {
            cd(e).insert("delivery_category".into(), "drone".into());
        });
        only(&CUSTOMER_SEGMENTATION_INVALID, |e| {
            e.customer_segmentation = Some("vip".into());
        });
        let v = only(&CONTENTS_INVALID, |e| {
            cd(e).insert(
                "contents".into(),
                serde_json::json!([{"id": "a", "quantity": 1}, {"id": "b"}]),
            );
        });
        assert_eq!(v.path, "$['data'][3]['custom_data']['contents'][1]");
        only(&CONTENTS_INVALID, |e| {
            cd(e).insert("contents".into(), "sku-1".into());
        });
        only(&DELIVERY_CATEGORY_INVALID, |e| {
            cd(e).insert(
                "contents".into(),
                serde_json::json!([{"id": 7, "quantity": 1, "delivery_category": "x"}]),
            );
        });
    }

    #[test]
    fn user_data_must_not_be_empty_or_insufficient() {
        let v = only(&USER_DATA_EMPTY, |e| {
            e.user_data = CapiUserData::default();
            e.event_source_url = Some("https://a.example/".into());
            e.action_source = "email".into();
        });
        assert_eq!(v.subcode, Some(2_804_050));
        let v = only(&USER_DATA_INSUFFICIENT, |e| {
            e.action_source = "email".into();
            e.user_data = CapiUserData {
                ge: vec!["c".repeat(64)],
                ct: vec!["d".repeat(64)],
                ..CapiUserData::default()
            };
        });
        assert!(v.message.contains("ge + ct"), "{}", v.message);
        // ip + user agent is enough (Meta's own Test Events example).
        let mut e = valid();
        e.user_data = CapiUserData {
            client_ip_address: Some("8.8.8.8".into()),
            client_user_agent: Some("Mozilla/5.0".into()),
            ..CapiUserData::default()
        };
        assert!(rules_of(&e).is_empty());
    }

    #[test]
    fn hashed_keys_must_be_hashed() {
        let v = only(&USER_DATA_NOT_HASHED, |e| {
            e.user_data.em.push("john_smith@gmail.com".into());
        });
        assert_eq!(v.path, "$['data'][3]['user_data']['em'][1]");
        assert_eq!(v.subcode, Some(2_804_016));
        assert!(v.message.starts_with("The em parameter isn't hashed"));
        assert!(!v.message.contains("john"), "no customer data in messages");
        only(&USER_DATA_NOT_HASHED, |e| {
            e.user_data.ct = vec!["paris".into()]
        });
        only(&USER_DATA_HASH_UPPERCASE, |e| {
            e.user_data.ph = vec![EM.to_uppercase()]
        });
        only(&EXTERNAL_ID_NOT_HASHED, |e| {
            e.user_data.external_id = vec!["user-42".into()]
        });
        // The Parameter Builder appendix is allowed.
        let mut e = valid();
        e.user_data.em = vec![format!("{EM}.AQQCAQMB")];
        assert!(rules_of(&e).is_empty());
        assert_eq!(hash_form(&format!("{EM}.AQ")), HashForm::Lower);
        assert_eq!(hash_form(&format!("{EM}.A")), HashForm::NotHashed);
        assert_eq!(hash_form(&EM[1..]), HashForm::NotHashed);
    }

    #[test]
    fn never_hashed_ids_must_not_be_hashed() {
        only(&USER_DATA_ID_HASHED, |e| {
            e.user_data.client_user_agent = Some(EM.into())
        });
        only(&USER_DATA_ID_HASHED, |e| {
            e.user_data.subscription_id = Some(EM.into())
        });
        let v = only(&FBP_FORMAT, |e| e.user_data.fbp = Some(EM.into()));
        assert!(v.message.contains("looks hashed"));
        let v = only(&CLIENT_IP_INVALID, |e| {
            e.user_data.client_ip_address = Some(EM.into())
        });
        assert!(v.message.contains("looks hashed"));
    }

    #[test]
    fn client_ip_address() {
        only(&CLIENT_IP_INVALID, |e| {
            e.user_data.client_ip_address = Some("1.2.3".into())
        });
        only(&CLIENT_IP_INVALID, |e| {
            e.user_data.client_ip_address = Some(" 8.8.8.8".into())
        });
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "::1",
            "fd00::1",
            "::ffff:10.0.0.1",
        ] {
            only(&CLIENT_IP_NOT_PUBLIC, |e| {
                e.user_data.client_ip_address = Some(ip.into())
            });
        }
        let mut e = valid();
        e.user_data.client_ip_address = Some("168.212.226.204".into());
        assert!(rules_of(&e).is_empty());
    }

    #[test]
    fn fbc_and_fbp_formats() {
        assert_eq!(
            check_cookie_id("fb.1.1554763741205.IwAR2F4-dbP0l7Mn1Iaw", false),
            Ok(())
        );
        assert_eq!(
            check_cookie_id("fb.2.1554763741205.abc.AQQCAQMB", false),
            Ok(())
        );
        assert_eq!(
            check_cookie_id("fb.1.1596403881668.1116446470.Bg", true),
            Ok(())
        );
        assert_eq!(
            check_cookie_id("fb.1.1554763741.IwAR2F4", false),
            Err(CookieIdProblem::Seconds)
        );
        assert_eq!(
            check_cookie_id("fb.1.1596403881668.abc", true),
            Err(CookieIdProblem::Payload)
        );
        assert_eq!(
            check_cookie_id("fb.1.1596403881668.", false),
            Err(CookieIdProblem::Payload)
        );
        assert_eq!(
            check_cookie_id("fb.1.1596403881668.1.ABC", true),
            Err(CookieIdProblem::Appendix)
        );
        assert_eq!(
            check_cookie_id("FB.1.1596403881668.1", true),
            Err(CookieIdProblem::Shape)
        );
        assert_eq!(
            check_cookie_id("fb.1.1596403881668", true),
            Err(CookieIdProblem::Shape)
        );
        assert_eq!(
            check_cookie_id("fb.x.1596403881668.1", true),
            Err(CookieIdProblem::Shape)
        );
        assert_eq!(
            check_cookie_id("fb.1.15964038816680.1", true),
            Err(CookieIdProblem::Time)
        );
        let v = only(&FBC_FORMAT, |e| {
            e.user_data.fbc = Some("fb.1.1554763741.IwAR".into())
        });
        assert!(v.message.contains("seconds"), "{}", v.message);
        only(&FBP_FORMAT, |e| {
            e.user_data.fbp = Some("1596403881668.1116446470".into())
        });
    }

    #[test]
    fn numeric_ids() {
        only(&USER_DATA_ID_NOT_INTEGER, |e| {
            e.user_data.lead_id = Some("L-1".into())
        });
        let mut e = valid();
        e.user_data.fb_login_id = Some(12_345.into());
        e.user_data.lead_id = Some("67890".into());
        assert!(rules_of(&e).is_empty());
    }

    #[test]
    fn request_batch_size() {
        let mut r = CapiRequest::default();
        assert_eq!(check_request(&r, &CX)[0].rule, "data-empty");
        r.data = vec![valid(); MAX_EVENTS];
        assert!(check_request(&r, &CX).is_empty());
        r.data.push(valid());
        let vs = check_request(&r, &CX);
        assert_eq!(vs.len(), 1);
        assert_eq!(first_rejection(&vs).map(|v| v.rule), Some("data-too-many"));
    }

    #[test]
    fn first_rejection_skips_warnings() {
        let mut e = valid();
        e.user_data.client_ip_address = Some("10.0.0.1".into());
        e.event_time = 0;
        let vs = check_event(&e, 0, &CX);
        assert_eq!(vs.len(), 2);
        assert_eq!(
            first_rejection(&vs).map(|v| v.rule),
            Some("event-time-too-old")
        );
    }

    fn parse_err(body: &str) -> Violation {
        parse_request(body.as_bytes()).expect_err("rejected")
    }

    #[test]
    fn parse_accepts_a_valid_body_and_takes_the_token_out() {
        let body = serde_json::json!({
            "data": [valid()], "test_event_code": "TEST123", "access_token": "EAAtoken",
            "appsecret_proof": "abc", "partner_agent": "tagc", "upload_tag": "x"
        });
        let parsed = parse_body(body.to_string().as_bytes());
        assert_eq!(parsed.access_token.as_deref(), Some("EAAtoken"));
        assert_eq!(parsed.appsecret_proof.as_deref(), Some("abc"));
        assert!(parsed.warnings.is_empty());
        let r = parsed.request.expect("valid");
        assert_eq!(r.data, vec![valid()]);
        assert_eq!(r.test_event_code.as_deref(), Some("TEST123"));
        let (_, token) = parse_request_with_token(body.to_string().as_bytes()).expect("valid");
        assert_eq!(token.as_deref(), Some("EAAtoken"));
    }

    #[test]
    fn parse_reports_malformed_json() {
        let v = parse_err("{'data': []}");
        assert_eq!(
            (v.rule, v.code, v.subcode),
            ("body-malformed", 100, Some(2_804_019))
        );
        assert_eq!(parse_err("[1]").rule, "body-malformed");
        assert_eq!(parse_err("").rule, "body-malformed");
    }

    #[test]
    fn parse_requires_data() {
        let v = parse_err("{}");
        assert_eq!((v.rule, v.path.as_str()), ("param-missing", "$['data']"));
        assert_eq!(parse_err(r#"{"data": []}"#).rule, "data-empty");
        assert_eq!(parse_err(r#"{"data": {}}"#).rule, "param-type");
    }

    #[test]
    fn parse_accepts_form_style_data_strings() {
        let data = serde_json::to_string(&vec![valid()]).expect("serializes");
        let body = serde_json::json!({ "data": data }).to_string();
        assert_eq!(
            parse_request(body.as_bytes()).expect("valid").data,
            vec![valid()]
        );
    }

    #[test]
    fn parse_refuses_unknown_keys() {
        let v = parse_err(
            r#"{"data":[{"event_name":"Lead","event_time":1,"action_source":"email","advertiser_tracking_enabled":true}]}"#,
        );
        assert_eq!(v.rule, "unknown-key");
        assert_eq!(
            v.message,
            r#"Server Side Api Parameter Error: Unexpected key "advertiser_tracking_enabled" on param "$['data'][0]""#
        );
        let v = parse_err(
            r#"{"data":[{"event_name":"Lead","event_time":1,"action_source":"email","user_data":{"email":"x"}}]}"#,
        );
        assert!(
            v.message
                .contains(r#"Unexpected key "email" on param "$['data'][0]['user_data']""#)
        );
    }

    #[test]
    fn parse_warns_about_unknown_top_level_keys() {
        let parsed = parse_body(
            br#"{"data":[{"event_name":"Lead","event_time":1,"action_source":"email"}],"debug":1}"#,
        );
        assert!(parsed.request.is_ok());
        assert_eq!(parsed.warnings[0].rule, "request-unknown-key");
        assert_eq!(parsed.warnings[0].path, "$['debug']");
    }

    #[test]
    fn parse_names_missing_and_mistyped_fields() {
        let v = parse_err(r#"{"data":[{"event_name":"Lead","action_source":"email"}]}"#);
        assert_eq!(
            (v.rule, v.message.as_str()),
            (
                "param-missing",
                "The parameter $['data'][0]['event_time'] is required."
            )
        );
        let v = parse_err(
            r#"{"data":[{"event_name":"Lead","event_time":"1767225600","action_source":"email"}]}"#,
        );
        assert_eq!(
            (v.rule, v.path.as_str()),
            ("param-type", "$['data'][0]['event_time']")
        );
        let v = parse_err(
            r#"{"data":[{"event_name":"Lead","event_time":1.5,"action_source":"email"}]}"#,
        );
        assert_eq!(v.rule, "param-type");
        let v = parse_err(
            r#"{"data":[{"event_name":"Lead","event_time":1,"action_source":"email","opt_out":"yes"}]}"#,
        );
        assert_eq!(v.path, "$['data'][0]['opt_out']");
        let v = parse_err(
            r#"{"data":[{"event_name":"Lead","event_time":1,"action_source":"email","user_data":{"em":[1]}}]}"#,
        );
        assert_eq!(v.path, "$['data'][0]['user_data']['em']");
        assert_eq!(parse_err(r#"{"data":[1]}"#).path, "$['data'][0]");
        assert_eq!(
            parse_err(r#"{"data":[{}],"access_token":5}"#).path,
            "$['access_token']"
        );
    }

    #[test]
    fn parse_ignores_nulls_and_reads_single_strings() {
        let r = parse_request(
            br#"{"data":[{"event_name":"Lead","event_time":1,"action_source":"email","event_id":null,"user_data":{"em":"x","ph":null}}]}"#,
        )
        .expect("valid");
        assert_eq!(r.data[0].user_data.em, vec!["x".to_string()]);
        assert_eq!(r.data[0].event_id, None);
    }
}
