//! Every kind of change `tagc diff` reports, with its severity: one table.

use schemars::JsonSchema;
use serde::Serialize;

/// How much a change matters to what Meta receives.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema, clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Something is added; nothing that was tracked changes.
    Info,
    /// What is tracked changes shape (a type, a constant, a standard event for another).
    Notable,
    /// Tracking is lost or silently changed.
    Breaking,
}

impl Severity {
    /// The lowercase name (`breaking`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Notable => "notable",
            Severity::Breaking => "breaking",
        }
    }
}

macro_rules! kinds {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, $sev:ident; )*) => {
        /// The stable identifier of a change (`button.removed`): what `--allow` and the
        /// JSON report name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Kind {
            $( $(#[$doc])* $variant, )*
        }

        impl Kind {
            /// Every kind, in table order.
            pub const ALL: &[Kind] = &[$(Kind::$variant),*];

            /// The stable name, such as `button.removed`.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self { $(Kind::$variant => $name,)* }
            }

            /// How much it matters.
            #[must_use]
            pub fn severity(self) -> Severity {
                match self { $(Kind::$variant => Severity::$sev,)* }
            }

            /// The kind named `name`, if any.
            #[must_use]
            pub fn parse(name: &str) -> Option<Kind> {
                match name { $($name => Some(Kind::$variant),)* _ => None }
            }
        }
    };
}

kinds! {
    /// A page is gone: nothing on its URLs is tracked any more.
    PageRemoved = "page.removed", Breaking;
    /// A page's URL patterns no longer match paths they matched.
    PageUrlNarrowed = "page.url_narrowed", Breaking;
    /// An event fired on page load is gone.
    LoadEventRemoved = "load_event.removed", Breaking;
    /// A button (or form) is gone.
    ButtonRemoved = "button.removed", Breaking;
    /// A button is found another way (selector, text, `within`).
    ButtonLocatorChanged = "button.locator_changed", Breaking;
    /// A button fires on another trigger (`click` ↔ `submit`).
    ButtonTriggerChanged = "button.trigger_changed", Breaking;
    /// A standard event became a custom event.
    EventMadeCustom = "event.made_custom", Breaking;
    /// A custom event has another name.
    EventRenamed = "event.renamed", Breaking;
    /// A pixel that received the event no longer does.
    EventPixelsNarrowed = "event.pixels_narrowed", Breaking;
    /// A parameter is no longer sent.
    ParamRemoved = "param.removed", Breaking;
    /// A parameter is read from somewhere else.
    ParamSourceChanged = "param.source_changed", Breaking;
    /// A server event is gone.
    ServerEventRemoved = "server_event.removed", Breaking;
    /// A pixel that received the server event no longer does.
    ServerEventPixelsNarrowed = "server_event.pixels_narrowed", Breaking;
    /// A customer-information key is no longer sent (match quality drops).
    UserDataRemoved = "user_data.removed", Breaking;
    /// A customer-information key is read from another record field.
    UserDataSourceChanged = "user_data.source_changed", Breaking;
    /// A server event no longer deduplicates with its browser event.
    DedupRemoved = "dedup.removed", Breaking;
    /// The event id changed on one side of a deduplicated pair only.
    DedupBroken = "dedup.broken", Breaking;
    /// A pixel is no longer active in an environment.
    PixelRemoved = "pixel.removed", Breaking;
    /// A pixel has another dataset id in an environment.
    PixelIdChanged = "pixel.id_changed", Breaking;
    /// Whether the pixel waits for consent changed.
    ConsentChanged = "consent.changed", Breaking;
    /// Limited Data Use changed (site-wide, or read from each record).
    LimitedDataUseChanged = "limited_data_use.changed", Breaking;
    /// A standard event became another standard event.
    EventChanged = "event.changed", Notable;
    /// A pixel that did not receive the event now does.
    EventPixelsWidened = "event.pixels_widened", Notable;
    /// Where an event id comes from changed (on both sides of a pair, or unpaired).
    EventIdChanged = "event_id.changed", Notable;
    /// A parameter is converted to another type.
    ParamTypeChanged = "param.type_changed", Notable;
    /// A constant parameter has another value.
    ParamConstantChanged = "param.constant_changed", Notable;
    /// A server field is read the same way but formatted or hashed differently.
    ParamFormatChanged = "param.format_changed", Notable;
    /// A customer-information key is read the same way but hashed differently.
    UserDataFormatChanged = "user_data.format_changed", Notable;
    /// A pixel that did not receive the server event now does.
    ServerEventPixelsWidened = "server_event.pixels_widened", Notable;
    /// A server event's `action_source` changed.
    ServerEventActionSourceChanged = "server_event.action_source_changed", Notable;
    /// Another property of a server event changed (app data, messaging channel).
    ServerEventChanged = "server_event.changed", Notable;
    /// A deduplicated pair now names another browser event.
    DedupChanged = "dedup.changed", Notable;
    /// A pixel became active in an environment.
    PixelAdded = "pixel.added", Notable;
    /// The Graph API version changed.
    GraphVersionChanged = "graph.version_changed", Notable;
    /// The server's normalization defaults changed (country, phone country code, …).
    ServerDefaultsChanged = "server.defaults_changed", Notable;
    /// A new page.
    PageAdded = "page.added", Info;
    /// A page's URL patterns match paths they did not match.
    PageUrlWidened = "page.url_widened", Info;
    /// A new event on page load.
    LoadEventAdded = "load_event.added", Info;
    /// A new button.
    ButtonAdded = "button.added", Info;
    /// A new parameter.
    ParamAdded = "param.added", Info;
    /// A new server event.
    ServerEventAdded = "server_event.added", Info;
    /// A new customer-information key.
    UserDataAdded = "user_data.added", Info;
    /// A server event now deduplicates with a browser event.
    DedupAdded = "dedup.added", Info;
    /// The site's name or URL changed (reports and verification only).
    SiteChanged = "site.changed", Info;
}

impl Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl JsonSchema for Kind {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Kind".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        schemars::json_schema!({
            "description": "The stable identifier of a change; see docs/diff.md for the table.",
            "type": "string",
            "enum": names,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        let mut seen = std::collections::BTreeSet::new();
        for k in Kind::ALL {
            assert!(seen.insert(k.as_str()), "duplicate {}", k.as_str());
            assert_eq!(Kind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(Kind::parse("page.gone"), None);
    }

    #[test]
    fn the_docs_table_lists_every_kind_with_its_severity() {
        let doc = include_str!("../../docs/diff.md");
        for k in Kind::ALL {
            let row = format!("| `{}` | {} |", k.as_str(), k.severity().as_str());
            assert!(doc.contains(&row), "docs/diff.md lacks the row `{row}`");
        }
    }
}
