//! The Conversions API wire format: one `data[]` item and the request body, as Meta
//! documents them (`shared/reference/meta.md` §3–§5).
//!
//! These types are what `tagc` sends and what the test Graph API receives. Serialization
//! leaves out unset fields (Meta rejects unknown keys, and an absent field is not the
//! same as an empty one), and writes keys in a fixed order so request bodies are
//! deterministic.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// One server event (an item of the request's `data` array).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapiEvent {
    /// A standard or custom event name.
    pub event_name: String,
    /// When the event happened: Unix time in seconds.
    pub event_time: i64,
    /// Where the conversion happened (`website`, `physical_store`, …).
    pub action_source: String,
    /// The deduplication key shared with the browser's `eventID`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// The page URL where the event happened (required for `website`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_source_url: Option<String>,
    /// Use the event for attribution only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opt_out: Option<bool>,
    /// Customer information.
    #[serde(default)]
    pub user_data: CapiUserData,
    /// Event parameters (`value`, `currency`, `contents`, custom properties).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_data: Option<Map<String, Value>>,
    /// `["LDU"]` for Limited Data Use, or empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_processing_options: Option<Vec<String>>,
    /// `1` (USA) or `0` (geolocate); required with LDU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_processing_options_country: Option<i64>,
    /// `0` (geolocate) or a state code `1000`–`1013`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_processing_options_state: Option<i64>,
    /// The HTTP referrer of the page that fired the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer_url: Option<String>,
    /// App events only (not produced by tagc; accepted so the rules can reject misuse).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_data: Option<Value>,
    /// For delayed events tied to an earlier event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_event_data: Option<Value>,
    /// Customer segmentation enum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_segmentation: Option<Value>,
    /// Business messaging channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messaging_channel: Option<Value>,
}

/// Customer information (`user_data`). Hashed keys are lists of 64-hex SHA-256 values
/// (Meta accepts a string or a list; tagc always sends lists, like the SDKs); the ids
/// below them are sent as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)] // the keys are Meta's; each is documented in meta.md §5.1
pub struct CapiUserData {
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "one_or_many"
    )]
    pub em: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "one_or_many"
    )]
    pub ph: Vec<String>,
    #[serde(
        default,
        rename = "fn",
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "one_or_many"
    )]
    pub fn_: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "one_or_many"
    )]
    pub ln: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "one_or_many"
    )]
    pub db: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "one_or_many"
    )]
    pub ge: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "one_or_many"
    )]
    pub ct: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "one_or_many"
    )]
    pub st: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "one_or_many"
    )]
    pub zp: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "one_or_many"
    )]
    pub country: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "one_or_many"
    )]
    pub external_id: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_ip_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_user_agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fbc: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fbp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fb_login_id: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_id: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anon_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub madid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_scoped_user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ctwa_clid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ig_account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ig_sid: Option<String>,
}

impl CapiUserData {
    /// The hashed (multi-valued) keys and their values, in wire order.
    #[must_use]
    pub fn hashed(&self) -> [(&'static str, &[String]); 11] {
        [
            ("em", &self.em),
            ("ph", &self.ph),
            ("fn", &self.fn_),
            ("ln", &self.ln),
            ("db", &self.db),
            ("ge", &self.ge),
            ("ct", &self.ct),
            ("st", &self.st),
            ("zp", &self.zp),
            ("country", &self.country),
            ("external_id", &self.external_id),
        ]
    }

    /// The hashed list for a key, mutably (`None` for keys that are not hashed lists).
    pub fn hashed_mut(&mut self, key: &str) -> Option<&mut Vec<String>> {
        Some(match key {
            "em" => &mut self.em,
            "ph" => &mut self.ph,
            "fn" => &mut self.fn_,
            "ln" => &mut self.ln,
            "db" => &mut self.db,
            "ge" => &mut self.ge,
            "ct" => &mut self.ct,
            "st" => &mut self.st,
            "zp" => &mut self.zp,
            "country" => &mut self.country,
            "external_id" => &mut self.external_id,
            _ => return None,
        })
    }

    /// The single-valued text ids that are never hashed, and their values.
    #[must_use]
    pub fn ids(&self) -> [(&'static str, Option<&str>); 12] {
        [
            ("client_ip_address", self.client_ip_address.as_deref()),
            ("client_user_agent", self.client_user_agent.as_deref()),
            ("fbc", self.fbc.as_deref()),
            ("fbp", self.fbp.as_deref()),
            ("subscription_id", self.subscription_id.as_deref()),
            ("anon_id", self.anon_id.as_deref()),
            ("madid", self.madid.as_deref()),
            ("page_id", self.page_id.as_deref()),
            ("page_scoped_user_id", self.page_scoped_user_id.as_deref()),
            ("ctwa_clid", self.ctwa_clid.as_deref()),
            ("ig_account_id", self.ig_account_id.as_deref()),
            ("ig_sid", self.ig_sid.as_deref()),
        ]
    }

    /// A never-hashed text id, mutably (`None` for other keys).
    pub fn id_mut(&mut self, key: &str) -> Option<&mut Option<String>> {
        Some(match key {
            "client_ip_address" => &mut self.client_ip_address,
            "client_user_agent" => &mut self.client_user_agent,
            "fbc" => &mut self.fbc,
            "fbp" => &mut self.fbp,
            "subscription_id" => &mut self.subscription_id,
            "anon_id" => &mut self.anon_id,
            "madid" => &mut self.madid,
            "page_id" => &mut self.page_id,
            "page_scoped_user_id" => &mut self.page_scoped_user_id,
            "ctwa_clid" => &mut self.ctwa_clid,
            "ig_account_id" => &mut self.ig_account_id,
            "ig_sid" => &mut self.ig_sid,
            _ => return None,
        })
    }

    /// Whether any key carries a value: [`CapiUserData::present_keys`] is not empty,
    /// asked without building the list (the mapping asks it of every event).
    #[must_use]
    pub fn any_present(&self) -> bool {
        self.hashed().iter().any(|(_, v)| !v.is_empty())
            || self.ids().iter().any(|(_, v)| v.is_some())
            || self.fb_login_id.is_some()
            || self.lead_id.is_some()
    }

    /// Every key that carries a value, in wire order.
    #[must_use]
    pub fn present_keys(&self) -> Vec<&'static str> {
        let mut keys: Vec<&'static str> = self
            .hashed()
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, _)| k)
            .collect();
        keys.extend(
            self.ids()
                .into_iter()
                .filter(|(_, v)| v.is_some())
                .map(|(k, _)| k),
        );
        if self.fb_login_id.is_some() {
            keys.push("fb_login_id");
        }
        if self.lead_id.is_some() {
            keys.push("lead_id");
        }
        keys
    }
}

/// The body of `POST /{version}/{pixel_id}/events` (JSON style).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CapiRequest {
    /// 1 to 1,000 events.
    pub data: Vec<CapiEvent>,
    /// Routes the events to Events Manager → Test Events as well.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_event_code: Option<String>,
    /// The platform that sent the events (`tagc`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_agent: Option<String>,
}

/// Meta's success body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapiResponse {
    /// How many events Meta accepted.
    pub events_received: u64,
    /// Warnings (usually empty).
    #[serde(default)]
    pub messages: Vec<String>,
    /// Meta's trace id, for support.
    #[serde(default)]
    pub fbtrace_id: String,
}

/// The Graph API error body: `{"error": {...}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphErrorBody {
    /// The error.
    pub error: GraphError,
}

/// A Graph API error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphError {
    /// For humans.
    pub message: String,
    /// `OAuthException` even for payload errors; branch on `code`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The Graph error code (100 payload, 190 token, 4/17/341 throttling, …).
    pub code: u32,
    /// A CAPI-specific subcode (2804003 stale time, 2804016 not hashed, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_subcode: Option<u32>,
    /// Whether Meta says retrying may help.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_transient: Option<bool>,
    /// A short title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_user_title: Option<String>,
    /// The user-facing message (names the offending parameter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_user_msg: Option<String>,
    /// Meta's trace id.
    #[serde(default)]
    pub fbtrace_id: String,
}

impl GraphError {
    /// `Graph error 100/2804016: {the user-facing message}`, for reports.
    #[must_use]
    pub fn describe(&self) -> String {
        format!(
            "Graph error {}{}: {}",
            self.code,
            self.error_subcode
                .map(|s| format!("/{s}"))
                .unwrap_or_default(),
            self.error_user_msg.as_deref().unwrap_or(&self.message)
        )
    }
}

fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_fields_are_left_out_and_lists_stay_lists() {
        let mut e = CapiEvent {
            event_name: "Lead".into(),
            event_time: 1_767_225_600,
            action_source: "website".into(),
            ..CapiEvent::default()
        };
        e.user_data.em = vec!["a".repeat(64)];
        let json = serde_json::to_string(&e).expect("serializes");
        assert_eq!(
            json,
            format!(
                r#"{{"event_name":"Lead","event_time":1767225600,"action_source":"website","user_data":{{"em":["{}"]}}}}"#,
                "a".repeat(64)
            )
        );
    }

    #[test]
    fn a_single_string_is_read_as_a_one_item_list() {
        let e: CapiEvent = serde_json::from_str(
            r#"{"event_name":"Lead","event_time":1,"action_source":"email","user_data":{"em":"x"}}"#,
        )
        .expect("parses");
        assert_eq!(e.user_data.em, vec!["x".to_string()]);
    }

    #[test]
    fn unknown_keys_are_refused() {
        let r: Result<CapiEvent, _> = serde_json::from_str(
            r#"{"event_name":"Lead","event_time":1,"action_source":"email","advertiser_tracking_enabled":true}"#,
        );
        assert!(r.is_err());
    }
}

/// A fast JSON writer for events: byte-identical to `serde_json::to_string(&event)`, but
/// SHA-256 hex values (which never need escaping) are copied as they are, and the output
/// goes straight into the request body being built.
pub mod fast_json {
    use std::fmt::Write as _;

    use serde_json::Value;

    use super::{CapiEvent, CapiUserData};

    /// Appends `s` as a JSON string literal (serde_json's escaping).
    pub fn string(out: &mut String, s: &str) {
        out.push('"');
        let bytes = s.as_bytes();
        if !needs_escape(bytes) {
            out.push_str(s);
            out.push('"');
            return;
        }
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let esc: &str = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0x08 => "\\b",
                0x0c => "\\f",
                0x00..=0x1f => "",
                _ => continue,
            };
            out.push_str(&s[start..i]);
            if esc.is_empty() {
                let _ = write!(out, "\\u{b:04x}");
            } else {
                out.push_str(esc);
            }
            start = i + 1;
        }
        out.push_str(&s[start..]);
        out.push('"');
    }

    /// Whether any byte of `bytes` is a control character, `"` or `\\`: eight bytes at a
    /// time (a request body is mostly 64-hex hashes, which never need escaping).
    fn needs_escape(bytes: &[u8]) -> bool {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        // A byte of `w` is zero: exact for "any byte", which is all this asks.
        let any_zero = |w: u64| w.wrapping_sub(ONES) & !w & HIGH != 0;
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut eight = [0u8; 8];
            eight.copy_from_slice(word);
            let w = u64::from_le_bytes(eight);
            // Below 0x20: `w - 0x20…` borrows into the high bit of a byte that was below
            // it (and had its high bit clear).
            let control = w.wrapping_sub(ONES * 0x20) & !w & HIGH != 0;
            if control
                || any_zero(w ^ (ONES * u64::from(b'"')))
                || any_zero(w ^ (ONES * u64::from(b'\\')))
            {
                return true;
            }
        }
        words
            .remainder()
            .iter()
            .any(|&b| b < 0x20 || b == b'"' || b == b'\\')
    }

    fn key(out: &mut String, first: &mut bool, k: &str) {
        if !*first {
            out.push(',');
        }
        *first = false;
        out.push('"');
        out.push_str(k);
        out.push_str("\":");
    }

    fn value(out: &mut String, v: &Value) {
        match v {
            Value::Number(n) => {
                let _ = write!(out, "{n}");
            }
            Value::String(s) => string(out, s),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Null => out.push_str("null"),
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    value(out, item);
                }
                out.push(']');
            }
            Value::Object(o) => {
                out.push('{');
                for (i, (k, item)) in o.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    string(out, k);
                    out.push(':');
                    value(out, item);
                }
                out.push('}');
            }
        }
    }

    fn list(out: &mut String, first: &mut bool, k: &str, items: &[String]) {
        if items.is_empty() {
            return;
        }
        key(out, first, k);
        out.push('[');
        for (i, s) in items.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            string(out, s);
        }
        out.push(']');
    }

    fn opt_str(out: &mut String, first: &mut bool, k: &str, v: Option<&str>) {
        if let Some(v) = v {
            key(out, first, k);
            string(out, v);
        }
    }

    fn user_data(out: &mut String, u: &CapiUserData) {
        out.push('{');
        let f = &mut true;
        for (k, items) in u.hashed() {
            list(out, f, k, items);
        }
        opt_str(out, f, "client_ip_address", u.client_ip_address.as_deref());
        opt_str(out, f, "client_user_agent", u.client_user_agent.as_deref());
        opt_str(out, f, "fbc", u.fbc.as_deref());
        opt_str(out, f, "fbp", u.fbp.as_deref());
        opt_str(out, f, "subscription_id", u.subscription_id.as_deref());
        if let Some(v) = &u.fb_login_id {
            key(out, f, "fb_login_id");
            value(out, v);
        }
        if let Some(v) = &u.lead_id {
            key(out, f, "lead_id");
            value(out, v);
        }
        opt_str(out, f, "anon_id", u.anon_id.as_deref());
        opt_str(out, f, "madid", u.madid.as_deref());
        opt_str(out, f, "page_id", u.page_id.as_deref());
        opt_str(
            out,
            f,
            "page_scoped_user_id",
            u.page_scoped_user_id.as_deref(),
        );
        opt_str(out, f, "ctwa_clid", u.ctwa_clid.as_deref());
        opt_str(out, f, "ig_account_id", u.ig_account_id.as_deref());
        opt_str(out, f, "ig_sid", u.ig_sid.as_deref());
        out.push('}');
    }

    /// Appends the event as compact JSON, in the field order of its `Serialize`.
    pub fn event(out: &mut String, e: &CapiEvent) {
        out.push('{');
        let f = &mut true;
        key(out, f, "event_name");
        string(out, &e.event_name);
        key(out, f, "event_time");
        let _ = write!(out, "{}", e.event_time);
        key(out, f, "action_source");
        string(out, &e.action_source);
        opt_str(out, f, "event_id", e.event_id.as_deref());
        opt_str(out, f, "event_source_url", e.event_source_url.as_deref());
        if let Some(b) = e.opt_out {
            key(out, f, "opt_out");
            out.push_str(if b { "true" } else { "false" });
        }
        key(out, f, "user_data");
        user_data(out, &e.user_data);
        if let Some(cd) = &e.custom_data {
            key(out, f, "custom_data");
            out.push('{');
            let g = &mut true;
            for (k, v) in cd {
                if !*g {
                    out.push(',');
                }
                *g = false;
                string(out, k);
                out.push(':');
                value(out, v);
            }
            out.push('}');
        }
        if let Some(d) = &e.data_processing_options {
            key(out, f, "data_processing_options");
            out.push('[');
            for (i, s) in d.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                string(out, s);
            }
            out.push(']');
        }
        if let Some(c) = e.data_processing_options_country {
            key(out, f, "data_processing_options_country");
            let _ = write!(out, "{c}");
        }
        if let Some(s) = e.data_processing_options_state {
            key(out, f, "data_processing_options_state");
            let _ = write!(out, "{s}");
        }
        opt_str(out, f, "referrer_url", e.referrer_url.as_deref());
        for (k, v) in [
            ("app_data", &e.app_data),
            ("original_event_data", &e.original_event_data),
            ("customer_segmentation", &e.customer_segmentation),
            ("messaging_channel", &e.messaging_channel),
        ] {
            if let Some(v) = v {
                key(out, f, k);
                value(out, v);
            }
        }
        out.push('}');
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use serde_json::json;

        #[test]
        fn the_word_at_a_time_check_finds_every_byte_that_needs_escaping() {
            for len in 0..=20 {
                for at in 0..len {
                    for bad in (0u8..0x20).chain([b'"', b'\\']) {
                        let mut b = vec![b'a'; len];
                        b[at] = bad;
                        assert!(needs_escape(&b), "{bad:#x} at {at} of {len}");
                    }
                    for good in (0x20u8..0x80).filter(|c| *c != b'"' && *c != b'\\') {
                        let mut b = vec![0x7fu8; len];
                        b[at] = good;
                        assert!(!needs_escape(&b), "{good:#x} at {at} of {len}");
                    }
                }
            }
            // Multi-byte UTF-8 (every byte 0x80 or above) needs no escaping.
            assert!(!needs_escape("é€😀 ü ñ ç".as_bytes()));
        }

        #[test]
        fn identical_to_serde_json() {
            let mut e = CapiEvent {
                event_name: "Lead \"quoted\" \u{2028} é \u{1} </script>".into(),
                event_time: 1_767_225_600,
                action_source: "website".into(),
                event_id: Some("id\\1\n".into()),
                event_source_url: Some("https://x.example/?a=1&b=ü".into()),
                opt_out: Some(false),
                data_processing_options: Some(vec!["LDU".into()]),
                data_processing_options_country: Some(1),
                data_processing_options_state: Some(1000),
                referrer_url: Some("https://r.example/".into()),
                app_data: Some(json!({"extinfo": ["a2", 1, null]})),
                customer_segmentation: Some(json!("new_customer_to_business")),
                ..CapiEvent::default()
            };
            e.user_data.em = vec!["a".repeat(64), "B".repeat(64), "not hex \t".into()];
            e.user_data.country = vec!["c".repeat(64)];
            e.user_data.client_user_agent = Some("Mozilla/5.0 (X11; \"Linux\")".into());
            e.user_data.fbp = Some("fb.1.1596403881668.1116446470".into());
            e.user_data.lead_id = Some(json!(12_345));
            let mut cd = serde_json::Map::new();
            cd.insert("value".into(), json!(84.8));
            cd.insert("currency".into(), json!("EUR"));
            cd.insert("num_items".into(), json!(3));
            cd.insert(
                "contents".into(),
                json!([{"id": "A\"1", "quantity": 2, "item_price": 24.9}]),
            );
            cd.insert(
                "weird key \u{7f}".into(),
                json!({"nested": [true, null, 1.5e300]}),
            );
            e.custom_data = Some(cd);
            let mut fast = String::new();
            event(&mut fast, &e);
            assert_eq!(fast, serde_json::to_string(&e).expect("serializes"));
            let minimal = CapiEvent::default();
            let mut fast = String::new();
            event(&mut fast, &minimal);
            assert_eq!(fast, serde_json::to_string(&minimal).expect("serializes"));
        }
    }
}
