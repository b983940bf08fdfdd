//! Rules on one event's own fields: name, time, action source and what it requires,
//! app data, messaging channel, URLs and Limited Data Use (rules 27–43).

use super::*;

pub(super) fn check_event_name(event: &CapiEvent, i: usize, out: &mut Vec<Violation>) {
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

pub(super) fn check_event_time(
    event: &CapiEvent,
    i: usize,
    cx: &RuleContext,
    out: &mut Vec<Violation>,
) {
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

pub(super) fn check_action_source(event: &CapiEvent, i: usize, out: &mut Vec<Violation>) {
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
    let required = action_source_requires(source);
    // The app-data fields are checked together, with `app_data`'s own shape.
    if required.iter().any(|f| f.starts_with("app_data.")) {
        check_app_data(event, i, out);
    }
    for field in required {
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
pub(super) fn is_absolute_http_url(url: &str) -> bool {
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

pub(super) fn check_app_data(event: &CapiEvent, i: usize, out: &mut Vec<Violation>) {
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

pub(super) fn check_dpo(event: &CapiEvent, i: usize, out: &mut Vec<Violation>) {
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
