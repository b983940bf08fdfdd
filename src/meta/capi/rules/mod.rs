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
//! Every rule is a [`Rule`] constant in `registry.rs` (its name, [`Level`], Graph code and subcode,
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
//!
//! The files, by concern: `limits.rs` (sizes and key lists), `registry.rs` (the rules),
//! `event.rs` (an event's own fields), `custom_data.rs`, `user_data.rs`, `ip.rs`
//! (`client_ip_address`), `parse.rs` (request bodies) and `path.rs` (Meta's paths). What
//! Meta requires of which event lives in [`crate::meta`]'s tables, which these read.

mod custom_data;
mod event;
mod ip;
mod limits;
mod parse;
mod path;
mod registry;
mod user_data;

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

pub use ip::is_non_public_ip;
pub use limits::*;
pub use parse::{ParsedBody, parse_body, parse_request, parse_request_with_token};
pub use registry::*;
pub use user_data::{CookieIdProblem, check_cookie_id};
use {custom_data::*, event::*, ip::*, path::*, user_data::*};

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

#[cfg(test)]
mod tests;
