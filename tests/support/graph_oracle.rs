//! The fake Graph API's own idea of what Meta accepts: a table of rules written from
//! `/work/shared/reference/meta.md` (each quotes its section), and a judge that applies
//! them to a request body.
//!
//! It deliberately does not call tagc's `meta::capi::rules` (or anything that normalizes
//! or validates): the fake exists to catch a wrong rule there. Where meta.md is silent the
//! fake makes a plain choice and says so (`ASSUMED` in the rule's source): a JSON `null`
//! in an event or `user_data` is an absent parameter; an empty or whitespace-only
//! `event_name` counts as missing. Where a Meta page says what meta.md does not (madid is
//! never hashed; the `messaging_channel` values), the rule quotes that page as well.
//!
//! Adding a parameter Meta documents is one line in [`REQUEST_FIELDS`], [`EVENT_FIELDS`],
//! [`USER_DATA_FIELDS`] or [`ACTION_SOURCES`].

use serde_json::{Map, Value};

/// What the fake does when a rule is broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// HTTP 400 with Graph code 100 and this CAPI subcode (meta.md §8.3); the whole
    /// batch fails (§3.4).
    Reject(Option<u32>),
    /// Accepted; noted as something the docs call required or wrong (tagc should not
    /// send it).
    Invalid,
    /// Accepted; noted as something that hurts matching.
    Warning,
}

/// One rule the fake enforces.
#[derive(Debug)]
pub struct FakeRule {
    /// A short stable name (the same names as tagc's rules where they mean the same,
    /// so findings read alike).
    pub name: &'static str,
    /// What the fake answers.
    pub answer: Answer,
    /// `error_user_title` in the answer.
    pub title: &'static str,
    /// Where meta.md says so (section, and the words).
    pub source: &'static str,
}

/// §8.3: "2804019 … a required parameter is missing".
const MISSING: Option<u32> = Some(2_804_019);
const PARAM_ERROR: &str = "Server-side API parameter error";

/// A broken rule at a place in the request.
#[derive(Debug, Clone)]
pub struct Broken {
    /// The rule.
    pub rule: &'static FakeRule,
    /// Where, as Meta writes it (`$['data'][0]['user_data']['em'][0]`).
    pub path: String,
    /// Meta's `error_user_msg` (never holds the value that was sent).
    pub message: String,
}

macro_rules! rules {
    ($( $id:ident = ($name:literal, $answer:expr, $title:expr, $source:literal), )*) => {
        $( #[doc = $source] pub const $id: FakeRule =
            FakeRule { name: $name, answer: $answer, title: $title, source: $source }; )*
        /// Every rule of the fake.
        pub const RULES: &[&FakeRule] = &[ $( &$id, )* ];
    };
}

rules! {
    BODY_MALFORMED = ("body-malformed", Answer::Reject(MISSING), PARAM_ERROR,
        "§8.3 2804019: \"Also returned when the body is malformed JSON (single quotes) and the field therefore looks absent.\""),
    PARAM_MISSING = ("param-missing", Answer::Reject(MISSING), PARAM_ERROR,
        "§8.3 2804019: \"a required parameter is missing, e.g. $['data'][0]['event_time']\"; §3.3 `data` Required; §4 `event_name`, `event_time`, `action_source` Required"),
    PARAM_TYPE = ("param-type", Answer::Reject(None), PARAM_ERROR,
        "§3.3 and §4 type columns (\"event_time | integer\", \"opt_out | boolean\", …); rule 37: \"opt_out, if present, is a boolean — Error\"; no subcode is known"),
    UNKNOWN_KEY = ("unknown-key", Answer::Reject(None), PARAM_ERROR,
        "§4: \"Unknown keys are rejected. Example error text: Server Side Api Parameter Error: Unexpected key \\\"advertiser_tracking_enabled\\\" on param \\\"$['data'][0]\\\"\"; rule 26"),
    REQUEST_UNKNOWN_KEY = ("request-unknown-key", Answer::Warning, "Unknown request parameter",
        "rule 24: \"Top-level keys are only data, test_event_code, partner_agent, namespace_id, upload_id, upload_tag, upload_source (plus access_token, appsecret_proof) — Warn\""),
    DATA_EMPTY = ("data-empty", Answer::Reject(MISSING), PARAM_ERROR,
        "§3.3: \"data | array of server-event objects | Required | 1 to 1000 events\""),
    DATA_TOO_MANY = ("data-too-many", Answer::Reject(None), PARAM_ERROR,
        "§3.4: \"At most 1,000 events per request in data. If any event is invalid, the whole batch is rejected.\""),
    EVENT_NAME_MISSING = ("event-name-missing", Answer::Reject(MISSING), PARAM_ERROR,
        "rule 27: \"event_name is present and non-empty — Error\" (whitespace only: ASSUMED empty)"),
    EVENT_TIME_MILLISECONDS = ("event-time-milliseconds", Answer::Reject(None), "Event Timestamp In Milliseconds",
        "§4: \"Unix timestamp in seconds\"; rule 28: \"an integer number of seconds (10 digits; 13 digits means milliseconds) — Error\""),
    EVENT_TIME_TOO_OLD = ("event-time-too-old", Answer::Reject(Some(2_804_003)), "Event Timestamp Too Old",
        "§4: \"It may be up to 7 days in the past. If any event in data is older than 7 days, the whole request fails … For physical_store (offline) events, upload within 62 days\"; §8.3 2804003"),
    EVENT_TIME_IN_FUTURE = ("event-time-in-future", Answer::Warning, "Event Timestamp In The Future",
        "§4: \"A limit on future times is UNCONFIRMED (not documented). Events with future timestamps produce Events Manager diagnostics\"; rule 30: \"≤ now + a small skew (e.g. 5 min) — Warn\""),
    ACTION_SOURCE_MISSING = ("action-source-missing", Answer::Reject(MISSING), PARAM_ERROR,
        "rule 32: \"action_source is present and one of …\" (an empty string: ASSUMED missing)"),
    ACTION_SOURCE_INVALID = ("action-source-invalid", Answer::Reject(None), PARAM_ERROR,
        "§4: \"Allowed values: email, website, app, phone_call, chat, physical_store, system_generated, business_messaging, other\"; rule 32 \"(lowercase)\""),
    EVENT_SOURCE_URL_MISSING = ("event-source-url-missing", Answer::Reject(MISSING), PARAM_ERROR,
        "§4: \"event_source_url | string | Optional in general, required for action_source: website\""),
    CLIENT_USER_AGENT_MISSING = ("client-user-agent-missing", Answer::Invalid, "Missing client user agent",
        "§4: \"a website event sent without client_user_agent came back HTTP 200 {\\\"events_received\\\":1,…}. The API does not reject it, even though the docs call it required.\""),
    MESSAGING_CHANNEL_MISSING = ("messaging-channel-missing", Answer::Invalid, "Missing messaging channel",
        "§4 details by action source: \"business_messaging | messaging_channel, page_id/ctwa_clid/ig_sid as applicable\" (every sample event of Meta's business-messaging guide sends it). ASSUMED accepted and noted, as client_user_agent is: no rejection of its absence is documented"),
    APP_DATA_MISSING = ("app-data-missing", Answer::Reject(MISSING), PARAM_ERROR,
        "§4: \"app_data | object | Required for app events\"; \"extinfo (inside app_data) | … | Required for app events\""),
    APP_EXTINFO_INVALID = ("app-extinfo-invalid", Answer::Reject(None), PARAM_ERROR,
        "§4: \"array of 16 strings/ints … Index 0 is the version (a2 for Android, i2 for iOS) and index 4 the OS version; both are required.\""),
    MESSAGING_CHANNEL_INVALID = ("messaging-channel-invalid", Answer::Reject(None), PARAM_ERROR,
        "§4: \"messaging_channel | string | Business messaging | e.g. whatsapp\"; the values are those of Meta's \"Conversions API for Business Messaging\" guide, whose sample events send \"messaging_channel\": \"messenger\", \"whatsapp\" and \"instagram\". ASSUMED: any other value (\"\" too) is refused like an unknown action_source, code 100 with no known subcode; no rejection is documented"),
    DPO_INVALID = ("dpo-invalid", Answer::Reject(None), PARAM_ERROR,
        "§4: \"data_processing_options | array of strings | Optional | [\\\"LDU\\\"] or []\"; rule 40"),
    DPO_COUNTRY_INVALID = ("dpo-country-invalid", Answer::Reject(None), PARAM_ERROR,
        "§4: \"data_processing_options_country | integer | … 1 = USA, 0 = Meta geolocates\""),
    DPO_STATE_INVALID = ("dpo-state-invalid", Answer::Reject(None), PARAM_ERROR,
        "§4: \"data_processing_options_state | integer | … 0 = geolocate; 1000 CA, … 1013 RI\""),
    PURCHASE_VALUE_MISSING = ("purchase-value-missing", Answer::Reject(MISSING), PARAM_ERROR,
        "§2.2 value: \"Required for Purchase\"; rule 44"),
    PURCHASE_CURRENCY_MISSING = ("purchase-currency-missing", Answer::Reject(MISSING), PARAM_ERROR,
        "§2.2 currency: \"Required with value, and on Purchase\"; rule 44"),
    CURRENCY_INVALID = ("currency-invalid", Answer::Reject(None), PARAM_ERROR,
        "§2.2 currency: \"ISO 4217 3-letter code … docs examples use both USD and usd\"; rule 13"),
    VALUE_AS_TEXT = ("number-as-string", Answer::Warning, "Number sent as text",
        "§2.2 value: \"Some Meta examples send it as a string (\\\"142.52\\\") and the API accepts that; emit a number.\""),
    USER_DATA_EMPTY = ("user-data-empty", Answer::Reject(Some(2_804_050)), "Insufficient customer information",
        "§8.3 2804050: \"Insufficient customer information (no user_data, or only a too-broad combination, §5.3)\"; rule 47"),
    USER_DATA_INSUFFICIENT = ("user-data-insufficient", Answer::Reject(Some(2_804_050)), "Insufficient customer information",
        "§5.3: \"An event is invalid if its customer information consists only of one of these combinations, or any subset of one\"; §8.3 2804050"),
    USER_DATA_NOT_HASHED = ("user-data-not-hashed", Answer::Reject(Some(2_804_016)), "User Parameter Not Hashed",
        "§8.3 2804016: \"The ct parameter isn't hashed. Hash all user parameters as SHA256, except for client user agent, click ID, and browser ID.\"; §5: \"64 characters\" hex; §10.4 appendix"),
    USER_DATA_HASH_UPPERCASE = ("user-data-hash-uppercase", Answer::Invalid, "Hash in upper case",
        "§5: \"All of Meta's expected outputs are lowercase hex, 64 characters\" (no rejection of upper case is documented)"),

    // Accepted by the API as far as anyone knows, but wrong by the docs: noted.
    EVENT_NAME_TOO_LONG = ("event-name-too-long", Answer::Invalid, "Event name too long",
        "§2.3: \"The name must be a string of at most 50 characters … Apply the same 50-character limit\""),
    EVENT_ID_EMPTY = ("event-id-empty", Answer::Invalid, "Empty event ID",
        "rule 38: \"event_id, if present, is a non-empty string\" (whitespace only: ASSUMED empty)"),
    DPO_COUNTRY_MISSING = ("dpo-country-missing", Answer::Invalid, "Limited Data Use country missing",
        "§4: \"data_processing_options_country | integer | Required if LDU is set\"; rule 41"),
    DPO_STATE_MISSING = ("dpo-state-missing", Answer::Invalid, "Limited Data Use state missing",
        "§4: \"Required if a country is set, and required when LDU is set without an IP address\"; rules 42, 43"),
    NUMBER_INVALID = ("number-invalid", Answer::Invalid, "Not a number",
        "§2.2: value \"number (int or float)\", predicted_ltv and net_revenue \"number\"; rule 16"),
    CONTENT_TYPE_INVALID = ("content-type-invalid", Answer::Invalid, "Invalid content type",
        "§2.2: \"content_type … product or product_group\"; rule 14"),
    CONTENTS_INVALID = ("contents-invalid", Answer::Invalid, "Invalid contents",
        "§2.2: \"contents | array of objects | Each object: id (required), quantity (required)\"; rule 15"),
    NUM_ITEMS_INVALID = ("num-items-invalid", Answer::Invalid, "Invalid number of items",
        "§2.2: \"num_items | integer\"; rule 16"),
    DELIVERY_CATEGORY_INVALID = ("delivery-category-invalid", Answer::Invalid, "Invalid delivery category",
        "§2.2: \"delivery_category | enum | in_store, curbside, home_delivery … Can also be set per contents item\"; rule 17"),
    CUSTOMER_SEGMENTATION_INVALID = ("customer-segmentation-invalid", Answer::Invalid, "Invalid customer segmentation",
        "§2.2: \"customer_segmentation | enum | One of new_customer_to_business, …\" (server-event table, or inside custom_data); rule 46"),
    USER_DATA_ID_HASHED = ("user-data-id-hashed", Answer::Invalid, "Parameter must not be hashed",
        "§5.1 \"Never hash\" rows; rule 51: \"… are not 64-hex (must not be hashed)\". madid, which §5.1 marks \"(not stated)\": Meta's \"Conversions API for App Events\" guide, customer information parameters: \"madid string | Do not hash. Your mobile advertiser ID, the advertising ID from an Android device or the Advertising Identifier (IDFA) from an Apple device.\""),
    CLIENT_IP_INVALID = ("client-ip-invalid", Answer::Invalid, "Invalid client IP address",
        "§5.1: \"A valid IPv4 or IPv6 address … No spaces.\"; rule 52"),
    FBC_FORMAT = ("fbc-format", Answer::Invalid, "Invalid click ID",
        "§6 and rule 54: \"fbc matches ^fb\\.\\d+\\.\\d{13}\\.[^.]+(\\.[A-Za-z0-9_-]{2}|\\.[A-Za-z0-9_-]{8})?$\""),
    FBP_FORMAT = ("fbp-format", Answer::Invalid, "Invalid browser ID",
        "§6 and rule 55: \"fbp matches ^fb\\.\\d+\\.\\d{13}\\.\\d+(\\.[A-Za-z0-9_-]{2}|\\.[A-Za-z0-9_-]{8})?$\""),
}

/// How a request or event field must look (meta.md §3.3, §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The events: a list, or (form bodies, §3.2) a JSON-encoded string holding one.
    Data,
    /// A string.
    Str,
    /// An integer.
    Int,
    /// `true` or `false`.
    Bool,
    /// A JSON object.
    Object,
    /// A list of strings.
    StrList,
}

/// §3.3 (and rule 24): the request body's parameters.
pub const REQUEST_FIELDS: &[(&str, Kind)] = &[
    ("data", Kind::Data),
    ("test_event_code", Kind::Str),
    ("partner_agent", Kind::Str),
    ("namespace_id", Kind::Str),
    ("upload_id", Kind::Str),
    ("upload_tag", Kind::Str),
    ("upload_source", Kind::Str),
    ("access_token", Kind::Str),
    ("appsecret_proof", Kind::Str),
];

/// §4: the server event's parameters; any other key is rejected (rule 26).
pub const EVENT_FIELDS: &[(&str, Kind)] = &[
    ("event_name", Kind::Str),
    ("event_time", Kind::Int),
    ("user_data", Kind::Object),
    ("custom_data", Kind::Object),
    ("event_source_url", Kind::Str),
    ("opt_out", Kind::Bool),
    ("event_id", Kind::Str),
    ("action_source", Kind::Str),
    ("data_processing_options", Kind::StrList),
    ("data_processing_options_country", Kind::Int),
    ("data_processing_options_state", Kind::Int),
    ("app_data", Kind::Object),
    ("referrer_url", Kind::Str),
    ("original_event_data", Kind::Object),
    ("customer_segmentation", Kind::Str),
    ("messaging_channel", Kind::Str),
];

/// §4: the parameters every event must have, in the order they are reported.
pub const REQUIRED_EVENT_FIELDS: &[&str] = &["event_name", "event_time", "action_source"];

/// How a `user_data` parameter is sent (§5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserKey {
    /// Hashed: a string or list of strings, each a SHA-256 hex hash.
    Hashed,
    /// `external_id`: a string or list of strings, hashing recommended (rule 50, Warn).
    MaybeHashed,
    /// Never hashed: one string.
    Id,
    /// Never hashed: an integer (rule 58 also allows digit strings).
    Number,
}

/// §5.1: the `user_data` parameters; any other key is rejected (§4 "Unknown keys").
pub const USER_DATA_FIELDS: &[(&str, UserKey)] = &[
    ("em", UserKey::Hashed),
    ("ph", UserKey::Hashed),
    ("fn", UserKey::Hashed),
    ("ln", UserKey::Hashed),
    ("db", UserKey::Hashed),
    ("ge", UserKey::Hashed),
    ("ct", UserKey::Hashed),
    ("st", UserKey::Hashed),
    ("zp", UserKey::Hashed),
    ("country", UserKey::Hashed),
    ("external_id", UserKey::MaybeHashed),
    ("client_ip_address", UserKey::Id),
    ("client_user_agent", UserKey::Id),
    ("fbc", UserKey::Id),
    ("fbp", UserKey::Id),
    ("subscription_id", UserKey::Id),
    ("fb_login_id", UserKey::Number),
    ("lead_id", UserKey::Number),
    ("anon_id", UserKey::Id),
    ("madid", UserKey::Id),
    ("page_id", UserKey::Id),
    ("page_scoped_user_id", UserKey::Id),
    ("ctwa_clid", UserKey::Id),
    ("ig_account_id", UserKey::Id),
    ("ig_sid", UserKey::Id),
];

/// §4: the `action_source` values.
pub const ACTION_SOURCES: &[&str] = &[
    "email",
    "website",
    "app",
    "phone_call",
    "chat",
    "physical_store",
    "system_generated",
    "business_messaging",
    "other",
];

/// §4 `messaging_channel` ("e.g. whatsapp"): the values Meta's business-messaging guide
/// sends (Messenger, WhatsApp and Instagram Direct sections).
pub const MESSAGING_CHANNELS: &[&str] = &["messenger", "whatsapp", "instagram"];

/// §2.2: the `content_type` values.
pub const CONTENT_TYPES: &[&str] = &["product", "product_group"];

/// §2.2: the `delivery_category` values.
pub const DELIVERY_CATEGORIES: &[&str] = &["in_store", "curbside", "home_delivery"];

/// §2.2: the `customer_segmentation` values.
pub const CUSTOMER_SEGMENTATIONS: &[&str] = &[
    "new_customer_to_business",
    "new_customer_to_business_line",
    "new_customer_to_product_area",
    "new_customer_to_medium",
    "existing_customer_to_business",
    "existing_customer_to_business_line",
    "existing_customer_to_product_area",
    "existing_customer_to_medium",
    "customer_in_loyalty_program",
];

/// §5.1 "Never hash" text ids that must not look hashed (rule 51; `client_ip_address`,
/// `fbc` and `fbp` have their own format rules). `madid` is "(not stated)" in §5.1;
/// Meta's app-events guide says "Do not hash" (see [`USER_DATA_ID_HASHED`]).
pub const NEVER_HASHED: &[&str] = &[
    "client_user_agent",
    "subscription_id",
    "anon_id",
    "madid",
    "page_id",
    "page_scoped_user_id",
    "ctwa_clid",
    "ig_account_id",
    "ig_sid",
];

/// §2.3: the longest event name.
pub const MAX_EVENT_NAME_CHARS: usize = 50;

/// §5.3: customer information made only of one of these (or a subset) is insufficient.
pub const TOO_BROAD: &[&[&str]] = &[
    &["ct", "country", "st", "zp", "ge", "client_user_agent"],
    &["db", "client_user_agent"],
    &["fn", "ge"],
    &["ln", "ge"],
];

/// §4: "It may be up to 7 days in the past".
pub const MAX_AGE_SECONDS: i64 = 7 * 86_400;
/// §4: "For physical_store (offline) events, upload within 62 days".
pub const MAX_AGE_PHYSICAL_STORE_SECONDS: i64 = 62 * 86_400;
/// Rule 30: "now + a small skew (e.g. 5 min)" (only noted: Meta's limit is unknown).
pub const FUTURE_SKEW_SECONDS: i64 = 300;
/// Rule 28: 13 digits means milliseconds.
pub const FIRST_MILLISECOND_TIME: i64 = 1_000_000_000_000;
/// §4: `data_processing_options_state` values besides 0.
pub const LDU_STATES: std::ops::RangeInclusive<i64> = 1000..=1013;
/// §3.3: at most this many events.
pub const MAX_EVENTS: usize = 1000;

/// Active ISO 4217 codes (§2.2 "ISO 4217 3-letter code"), written for the fake from the
/// ISO list; fund and precious-metal codes are left out (they are not money a shop is
/// paid in).
pub const CURRENCIES: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
    "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB",
    "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
    "VED", "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW",
    "ZWG",
];

/// What the fake makes of one request body.
#[derive(Debug, Default)]
pub struct Judgement {
    /// The body's `access_token`, if it is a string (read whatever else is wrong).
    pub access_token: Option<String>,
    /// The body's `test_event_code`.
    pub test_event_code: Option<String>,
    /// The events as sent (when `data` could be read).
    pub events: Vec<Value>,
    /// The first rule that makes Meta refuse the request.
    pub rejection: Option<Broken>,
    /// Everything accepted but noted ([`Answer::Invalid`], [`Answer::Warning`]).
    pub notes: Vec<Broken>,
}

impl Judgement {
    /// The Graph code and subcode the fake answers with, or `None` when it accepts.
    #[must_use]
    pub fn refusal(&self) -> Option<(u32, Option<u32>)> {
        let b = self.rejection.as_ref()?;
        let Answer::Reject(subcode) = b.rule.answer else {
            return None;
        };
        Some((100, subcode))
    }
}

fn broken(rule: &'static FakeRule, path: String, message: String) -> Broken {
    Broken {
        rule,
        path,
        message,
    }
}

fn event_path(i: usize) -> String {
    format!("$['data'][{i}]")
}

fn field_path(i: usize, key: &str) -> String {
    format!("$['data'][{i}]['{key}']")
}

fn sub_path(i: usize, obj: &str, key: &str) -> String {
    format!("$['data'][{i}]['{obj}']['{key}']")
}

fn required(rule: &'static FakeRule, path: String) -> Broken {
    let message = format!("The parameter {path} is required.");
    broken(rule, path, message)
}

fn mistyped(path: String, expected: &str) -> Broken {
    let message = format!("The parameter {path} must be {expected}.");
    broken(&PARAM_TYPE, path, message)
}

fn unexpected(key: &str, on: String) -> Broken {
    let message =
        format!("Server Side Api Parameter Error: Unexpected key \"{key}\" on param \"{on}\"");
    broken(&UNKNOWN_KEY, on, message)
}

fn kind_fits(kind: Kind, v: &Value) -> bool {
    match kind {
        Kind::Data => true,
        Kind::Str => v.is_string(),
        Kind::Int => v.is_i64(),
        Kind::Bool => v.is_boolean(),
        Kind::Object => v.is_object(),
        Kind::StrList => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Data => "a list of events",
        Kind::Str => "a string",
        Kind::Int => "an integer",
        Kind::Bool => "true or false",
        Kind::Object => "an object",
        Kind::StrList => "a list of strings",
    }
}

/// Judges a JSON request body at the fake's clock `now` (Unix seconds).
#[must_use]
pub fn judge(body: &[u8], now: i64) -> Judgement {
    let mut j = Judgement::default();
    let top = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(top)) => top,
        _ => {
            j.rejection = Some(broken(
                &BODY_MALFORMED,
                "$".to_string(),
                "The request body is not a JSON object, so the parameter $['data'] is missing."
                    .to_string(),
            ));
            return j;
        }
    };
    if let Some(Value::String(t)) = top.get("access_token") {
        j.access_token = Some(t.clone());
    }
    if let Some(Value::String(t)) = top.get("test_event_code") {
        j.test_event_code = Some(t.clone());
    }
    match read_shape(&top, &mut j.notes) {
        Ok(events) => j.events = events,
        Err(b) => {
            j.rejection = Some(b);
            return j;
        }
    }
    let mut found = Vec::new();
    if j.events.len() > MAX_EVENTS {
        found.push(broken(
            &DATA_TOO_MANY,
            "$['data']".to_string(),
            format!(
                "The parameter $['data'] holds {} events; a request may carry at most {MAX_EVENTS}.",
                j.events.len()
            ),
        ));
    }
    for (i, e) in j.events.iter().enumerate() {
        if let Some(obj) = e.as_object() {
            check_event(obj, i, now, &mut found);
        }
    }
    for b in found {
        match b.rule.answer {
            Answer::Reject(_) if j.rejection.is_none() => j.rejection = Some(b),
            Answer::Reject(_) => {}
            Answer::Invalid | Answer::Warning => j.notes.push(b),
        }
    }
    j
}

/// The request's shape: parameter types, `data`, and each event's keys and types.
fn read_shape(top: &Map<String, Value>, notes: &mut Vec<Broken>) -> Result<Vec<Value>, Broken> {
    let mut first_error = None;
    for (key, value) in top {
        let path = format!("$['{key}']");
        match REQUEST_FIELDS.iter().find(|(k, _)| k == key) {
            Some((_, kind)) if !kind_fits(*kind, value) => {
                first_error.get_or_insert(mistyped(path, kind_name(*kind)));
            }
            Some(_) => {}
            None => notes.push(broken(
                &REQUEST_UNKNOWN_KEY,
                path.clone(),
                format!("The request parameter {path} is not a Conversions API parameter."),
            )),
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    let items = match top.get("data") {
        None | Some(Value::Null) => return Err(required(&PARAM_MISSING, "$['data']".into())),
        Some(Value::Array(items)) => items.clone(),
        // §3.2: form-style bodies send `data` as a JSON-encoded string.
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Array(items)) => items,
            _ => return Err(mistyped("$['data']".into(), kind_name(Kind::Data))),
        },
        Some(_) => return Err(mistyped("$['data']".into(), kind_name(Kind::Data))),
    };
    if items.is_empty() {
        return Err(broken(
            &DATA_EMPTY,
            "$['data']".into(),
            "The parameter $['data'] must hold at least one event.".into(),
        ));
    }
    for (i, item) in items.iter().enumerate() {
        event_shape(item, i)?;
    }
    Ok(items)
}

fn event_shape(item: &Value, i: usize) -> Result<(), Broken> {
    let Some(obj) = item.as_object() else {
        return Err(mistyped(event_path(i), "an object"));
    };
    if let Some(key) = obj
        .keys()
        .find(|k| !EVENT_FIELDS.iter().any(|(f, _)| f == k))
    {
        return Err(unexpected(key, event_path(i)));
    }
    for key in REQUIRED_EVENT_FIELDS {
        if obj.get(*key).is_none_or(Value::is_null) {
            return Err(required(&PARAM_MISSING, field_path(i, key)));
        }
    }
    for (key, value) in obj {
        if value.is_null() {
            continue;
        }
        if let Some((_, kind)) = EVENT_FIELDS.iter().find(|(f, _)| f == key)
            && !kind_fits(*kind, value)
        {
            return Err(mistyped(field_path(i, key), kind_name(*kind)));
        }
    }
    if let Some(Value::Object(ud)) = obj.get("user_data") {
        for (key, value) in ud {
            if value.is_null() {
                continue;
            }
            let Some((_, how)) = USER_DATA_FIELDS.iter().find(|(f, _)| f == key) else {
                return Err(unexpected(key, field_path(i, "user_data")));
            };
            let (ok, expected) = match how {
                UserKey::Hashed | UserKey::MaybeHashed => (
                    value.is_string()
                        || value
                            .as_array()
                            .is_some_and(|a| a.iter().all(Value::is_string)),
                    "a string or a list of strings",
                ),
                UserKey::Id => (value.is_string(), "a string"),
                UserKey::Number => (value.is_string() || value.is_number(), "an integer"),
            };
            if !ok {
                return Err(mistyped(sub_path(i, "user_data", key), expected));
            }
        }
    }
    Ok(())
}

/// A field's value, with `null` as absent (ASSUMED: meta.md is silent on `null`).
fn get<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).filter(|v| !v.is_null())
}

fn check_event(e: &Map<String, Value>, i: usize, now: i64, out: &mut Vec<Broken>) {
    let name = get(e, "event_name").and_then(Value::as_str).unwrap_or("");
    if name.trim().is_empty() {
        out.push(required(&EVENT_NAME_MISSING, field_path(i, "event_name")));
    } else if name.chars().count() > MAX_EVENT_NAME_CHARS {
        let path = field_path(i, "event_name");
        let message =
            format!("The event name in {path} is longer than {MAX_EVENT_NAME_CHARS} characters.");
        out.push(broken(&EVENT_NAME_TOO_LONG, path, message));
    }
    let source = get(e, "action_source")
        .and_then(Value::as_str)
        .unwrap_or("");
    check_time(e, source, i, now, out);
    if source.is_empty() {
        out.push(required(
            &ACTION_SOURCE_MISSING,
            field_path(i, "action_source"),
        ));
    } else if !ACTION_SOURCES.contains(&source) {
        let path = field_path(i, "action_source");
        let message = format!(
            "The parameter {path} must be one of: {}.",
            ACTION_SOURCES.join(", ")
        );
        out.push(broken(&ACTION_SOURCE_INVALID, path, message));
    } else if source == "website" {
        if get(e, "event_source_url")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            out.push(required(
                &EVENT_SOURCE_URL_MISSING,
                field_path(i, "event_source_url"),
            ));
        }
        let agent = get(e, "user_data")
            .and_then(Value::as_object)
            .and_then(|ud| get(ud, "client_user_agent"));
        if agent.is_none() {
            out.push(required(
                &CLIENT_USER_AGENT_MISSING,
                sub_path(i, "user_data", "client_user_agent"),
            ));
        }
    } else if source == "app" {
        check_app(e, i, out);
    } else if source == "business_messaging" && get(e, "messaging_channel").is_none() {
        out.push(required(
            &MESSAGING_CHANNEL_MISSING,
            field_path(i, "messaging_channel"),
        ));
    }
    if let Some(channel) = get(e, "messaging_channel") {
        check_enum(
            channel,
            MESSAGING_CHANNELS,
            &MESSAGING_CHANNEL_INVALID,
            field_path(i, "messaging_channel"),
            out,
        );
    }
    let empty = Map::new();
    let ud = get(e, "user_data")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    check_user_data(ud, i, out);
    if get(e, "event_id")
        .and_then(Value::as_str)
        .is_some_and(|id| id.trim().is_empty())
    {
        let path = field_path(i, "event_id");
        let message = format!("The parameter {path} is empty.");
        out.push(broken(&EVENT_ID_EMPTY, path, message));
    }
    check_dpo(e, ud, i, out);
    check_custom_data(e, name, i, out);
    if let Some(seg) = get(e, "customer_segmentation") {
        check_enum(
            seg,
            CUSTOMER_SEGMENTATIONS,
            &CUSTOMER_SEGMENTATION_INVALID,
            field_path(i, "customer_segmentation"),
            out,
        );
    }
}

/// Notes `v` unless it is one of `allowed`.
fn check_enum(
    v: &Value,
    allowed: &[&str],
    rule: &'static FakeRule,
    path: String,
    out: &mut Vec<Broken>,
) {
    if !v.as_str().is_some_and(|s| allowed.contains(&s)) {
        let message = format!(
            "The parameter {path} must be one of: {}.",
            allowed.join(", ")
        );
        out.push(broken(rule, path, message));
    }
}

fn check_time(e: &Map<String, Value>, source: &str, i: usize, now: i64, out: &mut Vec<Broken>) {
    let Some(t) = get(e, "event_time").and_then(Value::as_i64) else {
        return;
    };
    let path = field_path(i, "event_time");
    if t >= FIRST_MILLISECOND_TIME {
        let message =
            format!("The parameter {path} looks like milliseconds; send Unix time in seconds.");
        out.push(broken(&EVENT_TIME_MILLISECONDS, path, message));
        return;
    }
    let max_age = if source == "physical_store" {
        MAX_AGE_PHYSICAL_STORE_SECONDS
    } else {
        MAX_AGE_SECONDS
    };
    if now - t > max_age {
        let message = format!(
            "The parameter {path} is too far in the past (at most {} days).",
            max_age / 86_400
        );
        out.push(broken(&EVENT_TIME_TOO_OLD, path, message));
    } else if t - now > FUTURE_SKEW_SECONDS {
        let message = format!("The parameter {path} is in the future.");
        out.push(broken(&EVENT_TIME_IN_FUTURE, path, message));
    }
}

fn check_app(e: &Map<String, Value>, i: usize, out: &mut Vec<Broken>) {
    let Some(app) = get(e, "app_data").and_then(Value::as_object) else {
        out.push(required(&APP_DATA_MISSING, field_path(i, "app_data")));
        return;
    };
    let path = sub_path(i, "app_data", "extinfo");
    let Some(extinfo) = get(app, "extinfo") else {
        out.push(required(&APP_DATA_MISSING, path));
        return;
    };
    let filled = |v: &Value| v.as_str().is_some_and(|s| !s.is_empty()) || v.is_number();
    let ok = extinfo.as_array().is_some_and(|items| {
        items.len() == 16 && matches!(items[0].as_str(), Some("a2" | "i2")) && filled(&items[4])
    });
    if !ok {
        let message = format!(
            "The parameter {path} must be 16 values, starting with a2 or i2, with the OS version at index 4."
        );
        out.push(broken(&APP_EXTINFO_INVALID, path, message));
    }
}

/// Each value of a hashed key (a string or the strings of a list).
fn values(v: &Value) -> Vec<&str> {
    match v {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// §5 and §10.4: 64 hex digits, optionally `.` and an 8-character (or the legacy
/// 2-character, §6) base64url appendix. `Some(true)` when it is lower case.
fn sha256_hex(s: &str) -> Option<bool> {
    let (hex, appendix) = match s.split_at_checked(64) {
        Some((hex, rest)) => (hex, rest),
        None => return None,
    };
    if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    if !appendix.is_empty() {
        let a = appendix.strip_prefix('.')?;
        let ok = (a.len() == 2 || a.len() == 8)
            && a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_');
        if !ok {
            return None;
        }
    }
    Some(!hex.bytes().any(|c| c.is_ascii_uppercase()))
}

fn check_user_data(ud: &Map<String, Value>, i: usize, out: &mut Vec<Broken>) {
    let present: Vec<&str> = USER_DATA_FIELDS
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| match get(ud, k) {
            None => false,
            Some(Value::Array(items)) => !items.is_empty(),
            Some(_) => true,
        })
        .collect();
    let path = field_path(i, "user_data");
    if present.is_empty() {
        let message = format!("The parameter {path} has no customer information.");
        out.push(broken(&USER_DATA_EMPTY, path, message));
    } else if TOO_BROAD
        .iter()
        .any(|combo| present.iter().all(|k| combo.contains(k)))
    {
        let message = format!(
            "The parameter {path} has insufficient customer information: {}.",
            present.join(" + ")
        );
        out.push(broken(&USER_DATA_INSUFFICIENT, path, message));
    }
    for (key, how) in USER_DATA_FIELDS {
        if !matches!(how, UserKey::Hashed | UserKey::MaybeHashed) {
            continue;
        }
        let Some(v) = get(ud, key) else { continue };
        for (j, s) in values(v).into_iter().enumerate() {
            let path = format!("$['data'][{i}]['user_data']['{key}'][{j}]");
            match sha256_hex(s) {
                Some(true) => {}
                // An unhashed external_id is allowed (§5.1 "Recommended", rule 50 Warn).
                None if *how == UserKey::MaybeHashed => {}
                Some(false) => {
                    let message = format!("The {key} parameter ({path}) is upper-case hex.");
                    out.push(broken(&USER_DATA_HASH_UPPERCASE, path, message));
                }
                None => {
                    let message = format!(
                        "The {key} parameter isn't hashed ({path}). Hash all user parameters as SHA256, except for client user agent, click ID, and browser ID."
                    );
                    out.push(broken(&USER_DATA_NOT_HASHED, path, message));
                }
            }
        }
    }
    if let Some(ip) = get(ud, "client_ip_address").and_then(Value::as_str)
        && ip.parse::<std::net::IpAddr>().is_err()
    {
        let path = sub_path(i, "user_data", "client_ip_address");
        let message = format!("The parameter {path} is not an IPv4 or IPv6 address.");
        out.push(broken(&CLIENT_IP_INVALID, path, message));
    }
    for (key, rule, digits) in [("fbc", &FBC_FORMAT, false), ("fbp", &FBP_FORMAT, true)] {
        if let Some(v) = get(ud, key).and_then(Value::as_str)
            && !cookie_id(v, digits)
        {
            let path = sub_path(i, "user_data", key);
            let message =
                format!("The parameter {path} must have the form fb.{{index}}.{{ms}}.{{id}}.");
            out.push(broken(rule, path, message));
        }
    }
    for key in NEVER_HASHED {
        if let Some(v) = get(ud, key).and_then(Value::as_str)
            && sha256_hex(v).is_some()
        {
            let path = sub_path(i, "user_data", key);
            let message = format!("The parameter {path} looks hashed; send it as it is.");
            out.push(broken(&USER_DATA_ID_HASHED, path, message));
        }
    }
}

/// Rules 54/55: `fb.{digits}.{13 digits}.{payload}` and an optional 2- or 8-character
/// appendix; the payload is digits for `fbp` (`digits`) and anything without a dot for
/// `fbc`.
fn cookie_id(v: &str, digits: bool) -> bool {
    let parts: Vec<&str> = v.split('.').collect();
    let is_digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    let appendix_ok = match parts.get(4) {
        None => true,
        Some(a) => {
            (a.len() == 2 || a.len() == 8)
                && a.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        }
    };
    (4..=5).contains(&parts.len())
        && parts[0] == "fb"
        && is_digits(parts[1])
        && parts[2].len() == 13
        && is_digits(parts[2])
        && !parts[3].is_empty()
        && (!digits || is_digits(parts[3]))
        && appendix_ok
}

fn check_dpo(e: &Map<String, Value>, ud: &Map<String, Value>, i: usize, out: &mut Vec<Broken>) {
    let mut ldu = false;
    if let Some(options) = get(e, "data_processing_options").and_then(Value::as_array) {
        for (j, o) in options.iter().enumerate() {
            if o.as_str() == Some("LDU") {
                ldu = true;
            } else {
                let path = format!("$['data'][{i}]['data_processing_options'][{j}]");
                let message = format!("The parameter {path} must be \"LDU\".");
                out.push(broken(&DPO_INVALID, path, message));
            }
        }
    }
    let country = get(e, "data_processing_options_country").and_then(Value::as_i64);
    match country {
        Some(0 | 1) => {}
        Some(_) => {
            let path = field_path(i, "data_processing_options_country");
            let message = format!("The parameter {path} must be 1 (USA) or 0.");
            out.push(broken(&DPO_COUNTRY_INVALID, path, message));
        }
        None if ldu => out.push(required(
            &DPO_COUNTRY_MISSING,
            field_path(i, "data_processing_options_country"),
        )),
        None => {}
    }
    match get(e, "data_processing_options_state").and_then(Value::as_i64) {
        Some(s) if s == 0 || LDU_STATES.contains(&s) => {}
        Some(_) => {
            let path = field_path(i, "data_processing_options_state");
            let message = format!("The parameter {path} must be 0 or 1000 to 1013.");
            out.push(broken(&DPO_STATE_INVALID, path, message));
        }
        None if country.is_some() || (ldu && get(ud, "client_ip_address").is_none()) => {
            out.push(required(
                &DPO_STATE_MISSING,
                field_path(i, "data_processing_options_state"),
            ));
        }
        None => {}
    }
}

fn check_custom_data(e: &Map<String, Value>, name: &str, i: usize, out: &mut Vec<Broken>) {
    let empty = Map::new();
    let cd = get(e, "custom_data")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let value = get(cd, "value");
    let currency = get(cd, "currency");
    if name == "Purchase" {
        if value.is_none() {
            out.push(required(
                &PURCHASE_VALUE_MISSING,
                sub_path(i, "custom_data", "value"),
            ));
        }
        if currency.is_none() {
            out.push(required(
                &PURCHASE_CURRENCY_MISSING,
                sub_path(i, "custom_data", "currency"),
            ));
        }
    }
    for key in ["value", "predicted_ltv", "net_revenue"] {
        let path = || sub_path(i, "custom_data", key);
        match get(cd, key) {
            None | Some(Value::Number(_)) => {}
            Some(Value::String(s)) if s.trim().parse::<f64>().is_ok_and(f64::is_finite) => {
                let message = format!("The parameter {} is sent as text.", path());
                out.push(broken(&VALUE_AS_TEXT, path(), message));
            }
            Some(_) => {
                let message = format!("The parameter {} must be a number.", path());
                out.push(broken(&NUMBER_INVALID, path(), message));
            }
        }
    }
    if let Some(c) = currency {
        let ok = c
            .as_str()
            .is_some_and(|c| c.len() == 3 && CURRENCIES.contains(&c.to_ascii_uppercase().as_str()));
        if !ok {
            let path = sub_path(i, "custom_data", "currency");
            let message = format!("The parameter {path} must be an ISO 4217 currency code.");
            out.push(broken(&CURRENCY_INVALID, path, message));
        }
    }
    if let Some(t) = get(cd, "content_type") {
        let path = sub_path(i, "custom_data", "content_type");
        check_enum(t, CONTENT_TYPES, &CONTENT_TYPE_INVALID, path, out);
    }
    if let Some(n) = get(cd, "num_items")
        && !(n.is_i64() || n.is_u64())
    {
        let path = sub_path(i, "custom_data", "num_items");
        let message = format!("The parameter {path} must be a whole number.");
        out.push(broken(&NUM_ITEMS_INVALID, path, message));
    }
    if let Some(d) = get(cd, "delivery_category") {
        let path = sub_path(i, "custom_data", "delivery_category");
        check_enum(
            d,
            DELIVERY_CATEGORIES,
            &DELIVERY_CATEGORY_INVALID,
            path,
            out,
        );
    }
    if let Some(seg) = get(cd, "customer_segmentation") {
        let path = sub_path(i, "custom_data", "customer_segmentation");
        check_enum(
            seg,
            CUSTOMER_SEGMENTATIONS,
            &CUSTOMER_SEGMENTATION_INVALID,
            path,
            out,
        );
    }
    match get(cd, "contents") {
        None => {}
        Some(Value::Array(items)) => {
            for (j, item) in items.iter().enumerate() {
                check_contents_item(
                    item,
                    format!("$['data'][{i}]['custom_data']['contents'][{j}]"),
                    out,
                );
            }
        }
        Some(_) => {
            let path = sub_path(i, "custom_data", "contents");
            let message =
                format!("The parameter {path} must be a list of {{id, quantity}} objects.");
            out.push(broken(&CONTENTS_INVALID, path, message));
        }
    }
}

fn check_contents_item(item: &Value, path: String, out: &mut Vec<Broken>) {
    let Some(obj) = item.as_object() else {
        let message = format!("The item {path} must be an object with id and quantity.");
        out.push(broken(&CONTENTS_INVALID, path, message));
        return;
    };
    let id_ok = match obj.get("id") {
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Number(_)) => true,
        _ => false,
    };
    let quantity_ok = obj.get("quantity").is_some_and(Value::is_number);
    if !id_ok || !quantity_ok {
        let message = format!("The item {path} needs id and quantity.");
        out.push(broken(&CONTENTS_INVALID, path.clone(), message));
    }
    if let Some(d) = get(obj, "delivery_category") {
        let path = format!("{path}['delivery_category']");
        check_enum(
            d,
            DELIVERY_CATEGORIES,
            &DELIVERY_CATEGORY_INVALID,
            path,
            out,
        );
    }
}
