//! Every rule as a [`Rule`] constant: name, level, Graph code and subcode, title; and
//! [`ALL_RULES`].

use super::*;

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

pub(super) const PARAM_ERROR: &str = "Server-side API parameter error";

pub(super) const fn rule(
    name: &'static str,
    level: Level,
    subcode: Option<u32>,
    title: &'static str,
) -> Rule {
    Rule {
        name,
        level,
        code: 100,
        subcode,
        title,
    }
}

pub(super) const MISSING: Option<u32> = Some(2_804_019);

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
/// `messaging_channel` is not `whatsapp`, `messenger` or `instagram` (the three channels
/// of Meta's business-messaging guide). Rejected by assumption, as for other enumerated
/// values such as `action_source`: no Meta source documents the API's answer, and the
/// test Graph API shares this assumption, so the differential test cannot catch it.
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
