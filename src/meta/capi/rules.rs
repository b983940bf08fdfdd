//! Meta's rules for a CAPI request and each of its events (`meta.md` §3.4, §4, §5 and
//! rules 21–58).

use super::{CapiEvent, CapiRequest, Violation};

/// What the rules need to know about the moment of checking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleContext {
    /// Now, as Unix time in seconds (passed in so checks are reproducible).
    pub now: i64,
}

/// Checks one event (`index` is its position in `data`, for the paths).
#[must_use]
pub fn check_event(_event: &CapiEvent, _index: usize, _cx: &RuleContext) -> Vec<Violation> {
    Vec::new()
}

/// Checks a whole request: the batch size, then every event.
#[must_use]
pub fn check_request(request: &CapiRequest, cx: &RuleContext) -> Vec<Violation> {
    request
        .data
        .iter()
        .enumerate()
        .flat_map(|(i, e)| check_event(e, i, cx))
        .collect()
}
