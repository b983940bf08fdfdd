//! What a valid Conversions API request is: the wire types ([`event`]) and Meta's rules
//! for them ([`rules`]).
//!
//! One module owns these rules. `tagc send` filters events with them before sending and
//! `tagc verify` runs them offline, so the two can never disagree about what Meta accepts.
//! The test Graph API (`tests/support/graph_oracle.rs`) deliberately keeps its own table,
//! written from `meta.md`, and a differential test compares the two: a wrong rule here
//! makes a test fail.

pub mod event;
pub mod rules;

pub use event::{CapiEvent, CapiRequest, CapiResponse, CapiUserData, GraphError, GraphErrorBody};
pub use rules::{
    ParsedBody, RuleContext, check_event, check_request, parse_body, parse_request,
    parse_request_with_token,
};

/// How serious a broken rule is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Meta rejects the whole request (one bad event fails its batch).
    Rejected,
    /// Meta's documentation calls it required, but the API accepts it today; tagc does
    /// not send it (e.g. a `website` event without `client_user_agent`).
    Invalid,
    /// Accepted, but it hurts matching or deduplication.
    Warning,
}

/// A broken rule, in Meta's terms.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    /// How serious it is.
    pub level: Level,
    /// A stable short name for the rule (`event-time-too-old`).
    pub rule: &'static str,
    /// Where, as Meta writes it: `$['data'][0]['user_data']['em'][0]`.
    pub path: String,
    /// The Graph error code Meta answers with (100 for payload errors).
    pub code: u32,
    /// The CAPI subcode (2804003, 2804016, 2804019, 2804050, …), when Meta has one.
    pub subcode: Option<u32>,
    /// Meta's `error_user_title`.
    pub title: &'static str,
    /// What is wrong, naming the parameter (Meta's `error_user_msg` style). Never
    /// contains customer data.
    pub message: String,
}

impl Violation {
    /// The Graph error body Meta sends for this violation.
    #[must_use]
    pub fn to_graph_error(&self, fbtrace_id: &str) -> GraphError {
        GraphError {
            message: "Invalid parameter".to_string(),
            kind: "OAuthException".to_string(),
            code: self.code,
            error_subcode: self.subcode,
            is_transient: Some(false),
            error_user_title: Some(self.title.to_string()),
            error_user_msg: Some(self.message.clone()),
            fbtrace_id: fbtrace_id.to_string(),
        }
    }
}
