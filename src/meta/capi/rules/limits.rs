//! Limits and key lists of a Conversions API request (`meta.md` §3.3, §3.4, §4, rule 24, 26).

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
pub(super) const ID_KEYS: &[&str] = &[
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
pub(super) const NUMERIC_ID_KEYS: &[&str] = &["fb_login_id", "lead_id"];
