//! The registry of diagnostic codes.
//!
//! Every problem tagc reports about a configuration has a stable code (`TAG2005`), a
//! kebab-case name (`purchase-missing-value-currency`), a default severity and a one-line
//! summary. `tagc explain CODE` prints the long explanation from [`super::explain`].
//!
//! Ranges: `TAG0xxx` reading and YAML, `TAG1xxx` schema, `TAG2xxx` Meta's rules,
//! `TAG3xxx` references, structure and resolution.

use serde::Serialize;

use super::Severity;

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = ($id:literal, $name:literal, $sev:ident, $summary:literal), )*) => {
        /// A diagnostic code. The numeric id and the name never change once released.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in id order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The stable id, such as `TAG2005`.
            #[must_use]
            pub const fn id(self) -> &'static str {
                match self { $( Code::$variant => $id, )* }
            }

            /// The stable kebab-case name, such as `purchase-missing-value-currency`.
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self { $( Code::$variant => $name, )* }
            }

            /// The severity used unless a flag such as `--deny-warnings` changes it.
            #[must_use]
            pub const fn default_severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$sev, )* }
            }

            /// A one-line summary of what the code means.
            #[must_use]
            pub const fn summary(self) -> &'static str {
                match self { $( Code::$variant => $summary, )* }
            }
        }
    };
}

codes! {
    /// The file is not UTF-8 text.
    NotUtf8 = ("TAG0001", "not-utf8", Error, "the file is not UTF-8 text"),
    /// The YAML cannot be parsed.
    YamlSyntax = ("TAG0002", "yaml-syntax", Error, "the file is not valid YAML"),
    /// A mapping has the same key twice.
    DuplicateKey = ("TAG0003", "duplicate-key", Error, "a mapping has the same key twice"),
    /// The document is nested deeper than tagc accepts.
    TooDeep = ("TAG0004", "too-deep", Error, "the document is nested too deeply"),
    /// The file is larger than tagc accepts.
    TooLarge = ("TAG0005", "too-large", Error, "the file is larger than the size limit"),
    /// The document expands to too many nodes (for example through aliases).
    TooManyNodes = ("TAG0006", "too-many-nodes", Error, "the document expands to too many nodes"),
    /// The file holds no configuration.
    EmptyFile = ("TAG0007", "empty-file", Error, "the file holds no configuration"),
    /// A YAML feature tagc does not accept (tags, complex keys, several documents, NaN).
    UnsupportedYaml = ("TAG0008", "unsupported-yaml", Error, "the file uses a YAML feature tagc does not accept"),

    /// A key that the schema does not allow here.
    UnknownField = ("TAG1001", "unknown-field", Error, "a key that is not allowed here"),
    /// A required key is missing.
    MissingField = ("TAG1002", "missing-field", Error, "a required key is missing"),
    /// A value has the wrong type.
    WrongType = ("TAG1003", "wrong-type", Error, "a value has the wrong type"),
    /// A value is not one of the allowed values.
    InvalidValue = ("TAG1004", "invalid-value", Error, "a value is not one of the allowed values"),
    /// A value does not have the required format, length or range.
    InvalidFormat = ("TAG1005", "invalid-format", Error, "a value does not have the required format"),

    /// An event name that looks like a misspelled standard event.
    MisspelledStandardEvent = ("TAG2001", "misspelled-standard-event", Error, "an event name looks like a misspelled standard event"),
    /// A standard event name marked `custom: true`.
    StandardEventMarkedCustom = ("TAG2002", "standard-event-marked-custom", Error, "a standard event is marked as custom"),
    /// A custom event that is not marked `custom: true`.
    UndeclaredCustomEvent = ("TAG2003", "undeclared-custom-event", Warning, "a non-standard event name is not marked `custom: true`"),
    /// A custom event name longer than 50 characters.
    CustomEventNameTooLong = ("TAG2004", "custom-event-name-too-long", Error, "a custom event name is longer than 50 characters"),
    /// `Purchase` without `value` and `currency`.
    PurchaseMissingValueCurrency = ("TAG2005", "purchase-missing-value-currency", Error, "a `Purchase` event lacks `value` or `currency`"),
    /// A currency that is not an ISO 4217 code.
    InvalidCurrency = ("TAG2006", "invalid-currency", Error, "a currency is not an ISO 4217 code"),
    /// A standard parameter with the wrong type.
    ParameterType = ("TAG2007", "parameter-type", Error, "a standard parameter has the wrong type"),
    /// `content_type` other than `product` or `product_group`.
    InvalidContentType = ("TAG2008", "invalid-content-type", Error, "`content_type` is not `product` or `product_group`"),
    /// A `contents` item without `id` and `quantity`.
    InvalidContentsItem = ("TAG2009", "invalid-contents-item", Error, "a `contents` item lacks `id` or `quantity`"),
    /// Customer data placed in event parameters or custom data.
    CustomerDataInParameters = ("TAG2010", "customer-data-in-parameters", Error, "customer data is sent as an event parameter"),
    /// A pixel id that is not a Meta dataset id.
    InvalidPixelId = ("TAG2011", "invalid-pixel-id", Error, "a pixel id is not a digit string"),
    /// A deduplicated pair without a shared `event_id`.
    DedupWithoutEventId = ("TAG2012", "dedup-without-event-id", Error, "a deduplicated browser/server pair has no shared event id"),
    /// A deduplicated pair whose event names differ.
    DedupNameMismatch = ("TAG2013", "dedup-name-mismatch", Error, "a deduplicated browser/server pair has different event names"),
    /// A server event lacks a field its `action_source` requires.
    ActionSourceRequirement = ("TAG2014", "action-source-requirement", Error, "a server event lacks a field its `action_source` requires"),
    /// `user_data` that can only form one of Meta's insufficient combinations.
    InsufficientCustomerData = ("TAG2015", "insufficient-customer-data", Error, "`user_data` can never identify a person"),
    /// Something that looks like a secret inside the configuration.
    SecretInConfig = ("TAG2016", "secret-in-config", Error, "the configuration holds something that looks like a secret"),
    /// `value` without `currency`.
    ValueWithoutCurrency = ("TAG2017", "value-without-currency", Warning, "`value` is sent without `currency`"),
    /// A random browser event id that never reaches the server.
    EventIdNotShared = ("TAG2018", "event-id-not-shared", Error, "a generated browser event id is never handed to the server"),
    /// A literal that looks like personal data (an email address or phone number).
    PersonalDataLiteral = ("TAG2019", "personal-data-literal", Warning, "a literal value looks like personal data"),
    /// A parameter key with spaces.
    ParameterKeyHasSpace = ("TAG2020", "parameter-key-has-space", Warning, "a parameter key contains spaces"),
    /// An incomplete Limited Data Use setting.
    LimitedDataUse = ("TAG2021", "limited-data-use", Error, "the Limited Data Use setting is incomplete"),
    /// The sample record lacks a field the mapping reads.
    SampleMissingField = ("TAG2022", "sample-missing-field", Error, "the sample record lacks a field the mapping reads"),
    /// A customer-data field given as a constant.
    ConstantCustomerData = ("TAG2023", "constant-customer-data", Error, "customer data is a constant, so every event names the same person"),
    /// A deduplicated event id that is a constant.
    ConstantEventId = ("TAG2024", "constant-event-id", Error, "an event id is a constant, so distinct actions would be merged"),
    /// A source that reads the clicked element, used on page load.
    ClickSourceOnLoad = ("TAG2025", "click-source-on-load", Error, "a page-load event reads the clicked element"),
    /// `hashed: true` on a field Meta never wants hashed.
    HashedNeverHashField = ("TAG2026", "hashed-never-hash-field", Error, "`hashed: true` on a field that must not be hashed"),
    /// A parameter key that looks like a misspelled standard parameter.
    MisspelledStandardParameter = ("TAG2027", "misspelled-standard-parameter", Warning, "a parameter key looks like a misspelled standard parameter"),
    /// A deduplicated server event reads its `event_id` from a field that cannot hold the
    /// id the browser shares (a near miss of the shared name).
    SharedIdNotRead = ("TAG2028", "shared-id-not-read", Error, "the server's `event_id` does not read the id the browser shares"),
    /// The sample record's `event_time` cannot be read with the configured format.
    SampleUnreadableTime = ("TAG2029", "sample-unreadable-time", Error, "the sample record's event time cannot be read with its format"),
    /// A deduplicated server event reads its `event_id` from a field whose name is unrelated
    /// to the shared one, without declaring that the backend copies it there.
    SharedIdCopyUndeclared = ("TAG2030", "shared-id-copy-undeclared", Warning, "tagc cannot tell that the backend copies the shared event id"),
    /// The sample record would be refused by `tagc send`.
    SampleDoesNotMap = ("TAG2031", "sample-does-not-map", Error, "the sample record would be refused by `tagc send`"),

    /// A reference to something that is not defined.
    UnknownReference = ("TAG3001", "unknown-reference", Error, "a reference to something that is not defined"),
    /// Two definitions with the same id.
    DuplicateId = ("TAG3002", "duplicate-id", Error, "two definitions have the same id"),
    /// A URL pattern that cannot be parsed.
    InvalidUrlPattern = ("TAG3003", "invalid-url-pattern", Error, "a URL pattern cannot be parsed"),
    /// A URL pattern that can never match because an earlier one matches first.
    ShadowedUrlPattern = ("TAG3004", "shadowed-url-pattern", Error, "a URL pattern is shadowed by an earlier page"),
    /// An invalid CSS selector.
    InvalidSelector = ("TAG3005", "invalid-selector", Error, "a CSS selector cannot be parsed"),
    /// An include that cannot be read.
    IncludeFailed = ("TAG3006", "include-failed", Error, "an included file cannot be read"),
    /// The configuration defines no pixel.
    NoPixels = ("TAG3007", "no-pixels", Error, "the configuration defines no pixel"),
    /// A pixel lacks an environment that another pixel has.
    MissingEnvironment = ("TAG3008", "missing-environment", Warning, "a pixel has no id for an environment another pixel has"),
    /// An element locator with both or neither of `selector` and `text`.
    AmbiguousLocator = ("TAG3009", "ambiguous-locator", Error, "an element needs exactly one of `selector` or `text`"),
    /// An event use with both or neither of `use` and `event`.
    AmbiguousEvent = ("TAG3010", "ambiguous-event", Error, "an event needs exactly one of `use` or `event`"),
    /// A record field source with both or neither of `path` and `value`.
    AmbiguousFieldSource = ("TAG3011", "ambiguous-field-source", Error, "a field needs exactly one of `path` or `value`"),
    /// An include cycle.
    IncludeCycle = ("TAG3012", "include-cycle", Error, "files include each other in a cycle"),
    /// A glob include that matches no file.
    IncludeMatchesNothing = ("TAG3013", "include-matches-nothing", Warning, "an include pattern matches no file"),
    /// An identical URL pattern listed twice.
    DuplicateUrlPattern = ("TAG3014", "duplicate-url-pattern", Warning, "the same URL pattern is listed twice"),
    /// A `verify.urls` path the page does not cover.
    VerifyUrlNotCovered = ("TAG3015", "verify-url-not-covered", Error, "a `verify.urls` path is not one of the page's URLs"),
    /// `site.verify.consent` without `consent: required`.
    ConsentStepWithoutConsentMode = ("TAG3016", "consent-step-without-consent-mode", Error, "a consent step without `consent: required`"),
    /// A verification step `tagc verify` cannot perform.
    InvalidVerifyStep = ("TAG3017", "invalid-verify-step", Error, "a verification step cannot be performed"),
}

impl Code {
    /// Parses an id (`TAG2005`, case-insensitive) or a name (`purchase-missing-value-currency`).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|c| c.id().eq_ignore_ascii_case(s) || c.name() == s)
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn ids_and_names_are_unique_and_well_formed() {
        let mut ids = BTreeSet::new();
        let mut names = BTreeSet::new();
        for c in Code::ALL {
            assert!(ids.insert(c.id()), "duplicate id {}", c.id());
            assert!(names.insert(c.name()), "duplicate name {}", c.name());
            assert!(c.id().starts_with("TAG") && c.id().len() == 7, "{}", c.id());
            assert!(
                c.name()
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-'),
                "{}",
                c.name()
            );
        }
    }

    #[test]
    fn parse_accepts_ids_and_names() {
        assert_eq!(
            Code::parse("tag2005"),
            Some(Code::PurchaseMissingValueCurrency)
        );
        assert_eq!(
            Code::parse("purchase-missing-value-currency"),
            Some(Code::PurchaseMissingValueCurrency)
        );
        assert_eq!(Code::parse("TAG9999"), None);
    }
}
