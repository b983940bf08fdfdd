//! Reading a request body the way the Graph API does: malformed JSON, unknown keys and
//! wrongly typed fields become the [`Violation`] Meta would answer with.

use super::*;

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

pub(super) fn type_error(path: String, expected: &str) -> Violation {
    let message = format!("The parameter {path} must be {expected}.");
    PARAM_TYPE.at(path, message)
}

pub(super) fn read_top(
    top: Map<String, Value>,
    parsed: &mut ParsedBody,
) -> Result<CapiRequest, Violation> {
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

pub(super) fn unexpected_key(key: &str, on: &str) -> Violation {
    UNKNOWN_KEY.at(
        on.to_string(),
        format!("Server Side Api Parameter Error: Unexpected key \"{key}\" on param \"{on}\""),
    )
}

pub(super) fn read_event(item: Value, i: usize) -> Result<CapiEvent, Violation> {
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

pub(super) fn check_user_data_shape(ud: &Map<String, Value>, i: usize) -> Result<(), Violation> {
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
