//! Meta's standard events and the object properties each one lists (`meta.md` §2.1).

/// One standard event, as Meta's Pixel reference lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StandardEvent {
    /// The event name, case-sensitive (`AddToCart`).
    pub name: &'static str,
    /// The object properties the reference lists for it (all optional unless in
    /// [`StandardEvent::requires`]).
    pub properties: &'static [&'static str],
    /// The properties Meta requires on every event of this name (`Purchase`: `value` and
    /// `currency`, rule 44).
    pub requires: &'static [&'static str],
}

const fn ev(
    name: &'static str,
    properties: &'static [&'static str],
    requires: &'static [&'static str],
) -> StandardEvent {
    StandardEvent {
        name,
        properties,
        requires,
    }
}

const SHOPPING: &[&str] = &["content_ids", "contents", "currency", "value"];
const CATALOG: &[&str] = &[
    "content_ids",
    "content_type",
    "contents",
    "currency",
    "value",
];
const VALUE: &[&str] = &["currency", "value"];
const LTV: &[&str] = &["currency", "predicted_ltv", "value"];

/// The standard events: the 17 of the Pixel reference plus `PageView`, in name order.
pub const EVENTS: &[StandardEvent] = &[
    ev("AddPaymentInfo", SHOPPING, &[]),
    ev("AddToCart", CATALOG, &[]),
    ev("AddToWishlist", SHOPPING, &[]),
    ev(
        "CompleteRegistration",
        &["currency", "status", "value"],
        &[],
    ),
    ev("Contact", &[], &[]),
    ev("CustomizeProduct", &[], &[]),
    ev("Donate", &[], &[]),
    ev("FindLocation", &[], &[]),
    ev(
        "InitiateCheckout",
        &["content_ids", "contents", "currency", "num_items", "value"],
        &[],
    ),
    ev("Lead", VALUE, &[]),
    ev("PageView", &[], &[]),
    ev(
        "Purchase",
        &[
            "content_ids",
            "content_type",
            "contents",
            "currency",
            "num_items",
            "value",
        ],
        &["value", "currency"],
    ),
    ev("Schedule", &[], &[]),
    ev(
        "Search",
        &[
            "content_ids",
            "content_type",
            "contents",
            "currency",
            "search_string",
            "value",
        ],
        &[],
    ),
    ev("StartTrial", LTV, &[]),
    ev("SubmitApplication", &[], &[]),
    ev("Subscribe", LTV, &[]),
    ev("ViewContent", CATALOG, &[]),
];

/// The event Meta's base code fires on every page load.
pub const PAGE_VIEW: &str = "PageView";

/// The standard event called `name` (case-sensitive).
#[must_use]
pub fn standard_event(name: &str) -> Option<&'static StandardEvent> {
    EVENTS.iter().find(|e| e.name == name)
}

/// Whether `name` is a standard event name (case-sensitive).
#[must_use]
pub fn is_standard_event(name: &str) -> bool {
    standard_event(name).is_some()
}

/// Every standard event name, in name order.
pub fn standard_event_names() -> impl Iterator<Item = &'static str> + Clone {
    EVENTS.iter().map(|e| e.name)
}

/// The parameters Meta requires on an event called `name` (empty for custom events).
#[must_use]
pub fn required_params(name: &str) -> &'static [&'static str] {
    standard_event(name).map_or(&[], |e| e.requires)
}

/// The longest custom event name Meta accepts, in characters (`meta.md` §2.3).
pub const MAX_CUSTOM_EVENT_NAME: usize = 50;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_complete() {
        assert_eq!(EVENTS.len(), 18, "17 standard events plus PageView");
        assert!(EVENTS.windows(2).all(|w| w[0].name < w[1].name));
        // Every listed property is a standard parameter, and every requirement a property.
        for e in EVENTS {
            for p in e.properties {
                assert!(
                    super::super::params::standard_param(p).is_some(),
                    "{}: {p}",
                    e.name
                );
            }
            for r in e.requires {
                assert!(e.properties.contains(r), "{}: {r}", e.name);
            }
        }
        assert_eq!(required_params("Purchase"), &["value", "currency"]);
        assert!(required_params("Lead").is_empty() && required_params("MyEvent").is_empty());
        assert!(is_standard_event("PageView") && !is_standard_event("purchase"));
    }
}
