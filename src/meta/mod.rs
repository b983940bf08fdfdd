//! Meta's rules, in one place: standard events and their parameters, customer-data keys,
//! action-source requirements and insufficient customer-data combinations.
//!
//! `check`, the CAPI mapping, `send` and `verify` all ask this module what Meta accepts;
//! no requirement of Meta's is written anywhere else:
//!
//! - [`events`]: the standard events, the properties each lists and what each requires;
//! - [`params`]: the standard parameters, their types and allowed values, near-misses;
//! - [`requirements`](mod@requirements): the universal and per-`action_source` requirements of a server event;
//! - [`hashed`]: what a SHA-256 value Meta accepts looks like;
//! - [`capi`]: the wire types of a Conversions API request and the rules for each event.
//!
//! The test Graph API in `tests/support/` keeps its own, independent table. Sources: `shared/reference/meta.md` (§2 events and parameters, §4 server
//! events, §5 customer information) and the rule list at its end.

pub mod capi;
pub mod currency;
pub mod events;
pub mod hashed;
pub mod params;
pub mod requirements;

pub use currency::is_currency;
pub use events::{
    EVENTS, MAX_CUSTOM_EVENT_NAME, StandardEvent, is_standard_event, required_params,
    standard_event, standard_event_names,
};
pub use hashed::{HashForm, hash_form, looks_hashed};
pub use params::{
    CONTENT_TYPES, CUSTOMER_SEGMENTATIONS, DELIVERY_CATEGORIES, StdParamType, near_miss_item_key,
    near_miss_param, standard_param, standard_param_type,
};
pub use requirements::{ACTION_SOURCES, action_source_requires, requirements};

/// Customer-data keys of `user_data` that Meta requires hashed.
pub const HASHED_USER_DATA: &[&str] = &[
    "em",
    "ph",
    "fn",
    "ln",
    "db",
    "ge",
    "ct",
    "st",
    "zp",
    "country",
    "external_id",
];

/// Customer-data combinations that are insufficient on their own, or as any subset
/// (meta.md §5.3, error subcode 2804050).
pub const INSUFFICIENT_COMBINATIONS: &[&[&str]] = &[
    &["ct", "country", "st", "zp", "ge", "client_user_agent"],
    &["db", "client_user_agent"],
    &["fn", "ge"],
    &["ln", "ge"],
];

/// Whether a set of `user_data` keys is one of Meta's insufficient combinations (or a
/// subset of one). An empty set is insufficient too.
#[must_use]
pub fn is_insufficient(keys: &[&str]) -> bool {
    keys.is_empty()
        || INSUFFICIENT_COMBINATIONS
            .iter()
            .any(|combo| keys.iter().all(|k| combo.contains(k)))
}

/// A key folded to lowercase ASCII alphanumerics (`E-mail` → `email`), without allocating
/// for keys of up to 48 bytes. Longer keys fold into `None`.
struct Folded {
    buf: [u8; 48],
    len: usize,
}

impl Folded {
    fn new(key: &str) -> Option<Self> {
        let mut f = Folded {
            buf: [0; 48],
            len: 0,
        };
        for b in key.bytes().filter(u8::is_ascii_alphanumeric) {
            *f.buf.get_mut(f.len)? = b.to_ascii_lowercase();
            f.len += 1;
        }
        Some(f)
    }

    fn as_str(&self) -> &str {
        // Only ASCII bytes were written.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

/// Parameter keys that are really customer data, with the `user_data` key they belong to.
/// Used to catch personal data sent as event parameters (privacy rule 74, meta.md §11).
#[must_use]
pub fn customer_data_key(param: &str) -> Option<&'static str> {
    let norm = Folded::new(param)?;
    Some(match norm.as_str() {
        "em" | "email" | "emailaddress" | "mail" | "useremail" | "customeremail" => "em",
        "ph" | "phone" | "phonenumber" | "telephone" | "tel" | "mobile" | "mobilephone" => "ph",
        "fn" | "firstname" | "givenname" | "forename" => "fn",
        "ln" | "lastname" | "surname" | "familyname" => "ln",
        "fullname" | "customername" => "fn",
        "db" | "dob" | "dateofbirth" | "birthdate" | "birthday" => "db",
        "ge" | "gender" | "sex" => "ge",
        "zp" | "zip" | "zipcode" | "postcode" | "postalcode" => "zp",
        "street" | "address" | "streetaddress" => "ct",
        "ipaddress" | "clientipaddress" | "ip" => "client_ip_address",
        _ => return None,
    })
}

/// Keys that hold secrets and must never appear in a configuration.
#[must_use]
pub fn is_secret_key(key: &str) -> bool {
    let Some(norm) = Folded::new(key) else {
        // Very long keys: only the suffix rule applies.
        let lower = key.to_ascii_lowercase().replace(['_', '-', ' ', '.'], "");
        return lower.ends_with("accesstoken") || lower.ends_with("secret");
    };
    let norm = norm.as_str();
    matches!(
        norm,
        "accesstoken"
            | "appsecret"
            | "appsecretproof"
            | "clientsecret"
            | "secret"
            | "token"
            | "apikey"
            | "password"
            | "passwd"
            | "systemusertoken"
            | "capitoken"
            | "metaaccesstoken"
            | "fbaccesstoken"
            | "bearertoken"
            | "privatekey"
    ) || norm.ends_with("accesstoken")
        || norm.ends_with("secret")
}

/// Whether a string looks like a Meta access token (they start with `EAA` and are long).
#[must_use]
pub fn looks_like_access_token(s: &str) -> bool {
    let s = s.trim();
    s.len() >= 60 && s.starts_with("EAA") && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Whether a string looks like an email address.
#[must_use]
pub fn looks_like_email(s: &str) -> bool {
    let s = s.trim();
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local.contains(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains(char::is_whitespace)
}

/// Whether a string looks like a phone number (8–15 digits with only phone punctuation).
#[must_use]
pub fn looks_like_phone(s: &str) -> bool {
    let s = s.trim();
    let digits = s.bytes().filter(u8::is_ascii_digit).count();
    (8..=15).contains(&digits)
        && s.starts_with(['+', '('])
        && s.bytes()
            .all(|b| b.is_ascii_digit() || b" +-().".contains(&b))
}

/// Pixel (dataset) ids are digit strings; every id Meta shows has 15 or 16 digits.
#[must_use]
pub fn is_pixel_id(s: &str) -> bool {
    (15..=16).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// Valid `data_processing_options_state` values (0 = geolocate, 1000–1013 US states).
#[must_use]
pub fn is_ldu_state(state: u32) -> bool {
    state == 0 || (1000..=1013).contains(&state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insufficient_combinations_follow_meta() {
        assert!(is_insufficient(&["fn", "ge"]));
        assert!(is_insufficient(&["ge", "ct", "st", "country"]));
        assert!(is_insufficient(&[]));
        assert!(!is_insufficient(&["em"]));
        assert!(!is_insufficient(&["fn", "ln"]));
        assert!(!is_insufficient(&[
            "client_ip_address",
            "client_user_agent"
        ]));
    }

    #[test]
    fn personal_data_heuristics() {
        assert!(looks_like_email("a.b@example.com"));
        assert!(!looks_like_email("@handle"));
        assert!(looks_like_phone("+34 600 123 456"));
        assert!(!looks_like_phone("2026"));
        assert_eq!(customer_data_key("E-mail"), Some("em"));
        assert_eq!(customer_data_key("value"), None);
        assert!(
            is_secret_key("access_token")
                && is_secret_key("APP_SECRET")
                && !is_secret_key("currency")
        );
    }
}
