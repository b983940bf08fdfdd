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

/// Every field a server event named `event` with `action_source` must carry, as CAPI
/// paths in a fixed order: the universal fields, then the action source's, then the
/// event's (`custom_data.value`).
#[must_use]
pub fn requirements(event: &str, action_source: &str) -> Vec<String> {
    UNIVERSAL
        .iter()
        .chain(action_source_requires(action_source))
        .map(|f| (*f).to_owned())
        .chain(
            required_params(event)
                .iter()
                .map(|k| format!("custom_data.{k}")),
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purchase_on_a_website() {
        let fields = requirements("Purchase", "website");
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
