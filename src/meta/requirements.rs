//! What Meta requires of a server event beyond its parameters: the universal fields, and
//! the fields each `action_source` adds (`meta.md` §4, rules 27–36). Together with
//! [`super::events::required_params`] this is every "required" of the Conversions API;
//! `check`, the mapping document, `send` and the request rules all read it here.

use super::events::required_params;

/// The `action_source` values Meta accepts, in the order Meta lists them (rule 32).
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

/// The `messaging_channel` values of Meta's "Conversions API for Business Messaging"
/// guide (its sample events use exactly these; the Python SDK's enum knows `whatsapp`).
pub const MESSAGING_CHANNELS: &[&str] = &["whatsapp", "messenger", "instagram"];

/// Fields every server event needs (rules 27, 28, 32, 47).
pub const UNIVERSAL: &[&str] = &["event_name", "event_time", "action_source", "user_data"];

/// The fields an action source requires, as CAPI paths.
const BY_ACTION_SOURCE: &[(&str, &[&str])] = &[
    // Rules 33 and 34.
    (
        "website",
        &["event_source_url", "user_data.client_user_agent"],
    ),
    // Rule 36, and Meta's app-data reference (both tracking flags).
    (
        "app",
        &[
            "app_data.advertiser_tracking_enabled",
            "app_data.application_tracking_enabled",
            "app_data.extinfo.ext_info_version",
            "app_data.extinfo.os_version",
        ],
    ),
    // §4 "Details by action source".
    ("business_messaging", &["messaging_channel"]),
];

/// The fields `action_source` requires beyond the universal ones, as CAPI paths
/// (`event_source_url`, `user_data.client_user_agent`).
#[must_use]
pub fn action_source_requires(action_source: &str) -> &'static [&'static str] {
    BY_ACTION_SOURCE
        .iter()
        .find(|(s, _)| *s == action_source)
        .map_or(&[], |(_, f)| f)
}

/// Why a field is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Because {
    /// Every server event needs it.
    Always,
    /// The event name needs it (`Purchase` needs `custom_data.value`).
    Event,
    /// The action source needs it (`website` needs `event_source_url`).
    ActionSource,
}

/// One required field of a server event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// The CAPI path: `event_time`, `custom_data.value`, `user_data.client_user_agent`.
    pub field: String,
    /// Why it is required.
    pub because: Because,
}

/// Every field a server event named `event` with `action_source` must carry, in a fixed
/// order: the universal fields, then the action source's, then the event's.
#[must_use]
pub fn requirements(event: &str, action_source: &str) -> Vec<Requirement> {
    let universal = UNIVERSAL.iter().map(|f| Requirement {
        field: (*f).to_owned(),
        because: Because::Always,
    });
    let by_event = required_params(event).iter().map(|k| Requirement {
        field: format!("custom_data.{k}"),
        because: Because::Event,
    });
    let by_source = action_source_requires(action_source)
        .iter()
        .map(|f| Requirement {
            field: (*f).to_owned(),
            because: Because::ActionSource,
        });
    universal.chain(by_source).chain(by_event).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purchase_on_a_website() {
        let fields: Vec<String> = requirements("Purchase", "website")
            .into_iter()
            .map(|r| r.field)
            .collect();
        assert_eq!(
            fields,
            [
                "event_name",
                "event_time",
                "action_source",
                "user_data",
                "event_source_url",
                "user_data.client_user_agent",
                "custom_data.value",
                "custom_data.currency"
            ]
        );
        assert!(action_source_requires("physical_store").is_empty());
        assert!(
            BY_ACTION_SOURCE
                .iter()
                .all(|(s, _)| ACTION_SOURCES.contains(s))
        );
    }
}
