//! Meta's standard event parameters: the Pixel's object properties and CAPI's
//! `custom_data` keys (`meta.md` §2.2), their types and allowed values, and the
//! near-misses that would silently become custom parameters.

/// The JSON type a standard parameter must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StdParamType {
    /// A number (int or float).
    Number,
    /// A whole number.
    Integer,
    /// Text.
    String,
    /// A list of texts or numbers.
    IdList,
    /// A list of `{id, quantity, …}` objects.
    Contents,
}

impl StdParamType {
    /// How to describe the type in a message.
    #[must_use]
    pub const fn describe(self) -> &'static str {
        match self {
            Self::Number => "a number",
            Self::Integer => "a whole number",
            Self::String => "text",
            Self::IdList => "a list of ids",
            Self::Contents => "a list of `{id, quantity}` items",
        }
    }

    /// The tagc `type:` that produces it.
    #[must_use]
    pub const fn tagc_type(self) -> &'static str {
        match self {
            Self::Number => "number",
            Self::Integer => "integer",
            Self::String => "string",
            Self::IdList => "string[]",
            Self::Contents => "contents",
        }
    }
}

/// One standard parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StandardParam {
    /// The key, as Meta spells it.
    pub key: &'static str,
    /// Its type; `None` where Meta's own documents disagree (`status`: Boolean on the
    /// Pixel, text in the CAPI SDKs), so tagc checks no type.
    pub ty: Option<StdParamType>,
    /// The values Meta allows, when it enumerates them (empty: any value of the type).
    pub allowed: &'static [&'static str],
    /// A parameter that must be sent with this one (`value` needs `currency`, rule 13).
    pub needs: Option<&'static str>,
}

const fn p(key: &'static str, ty: StdParamType) -> StandardParam {
    StandardParam {
        key,
        ty: Some(ty),
        allowed: &[],
        needs: None,
    }
}

const fn one_of(key: &'static str, allowed: &'static [&'static str]) -> StandardParam {
    StandardParam {
        key,
        ty: Some(StdParamType::String),
        allowed,
        needs: None,
    }
}

/// Allowed `content_type` values.
pub const CONTENT_TYPES: &[&str] = &["product", "product_group"];

/// Allowed `delivery_category` values.
pub const DELIVERY_CATEGORIES: &[&str] = &["in_store", "curbside", "home_delivery"];

/// Allowed `customer_segmentation` values (`meta.md` §2.2, rule 46).
pub const CUSTOMER_SEGMENTATIONS: &[&str] = &[
    "new_customer_to_business",
    "new_customer_to_business_line",
    "new_customer_to_product_area",
    "new_customer_to_medium",
    "existing_customer_to_business",
    "existing_customer_to_business_line",
    "existing_customer_to_product_area",
    "existing_customer_to_medium",
    "customer_in_loyalty_program",
];

/// The standard parameters, in key order. The vertical parameters (travel, auto, real
/// estate) are left out: tagc does not type-check them and they are long, distinct
/// words that are rarely misspelled into one another.
pub const PARAMS: &[StandardParam] = &[
    p("content_category", StdParamType::String),
    p("content_ids", StdParamType::IdList),
    p("content_name", StdParamType::String),
    one_of("content_type", CONTENT_TYPES),
    p("contents", StdParamType::Contents),
    p("currency", StdParamType::String),
    one_of("customer_segmentation", CUSTOMER_SEGMENTATIONS),
    one_of("delivery_category", DELIVERY_CATEGORIES),
    p("item_number", StdParamType::String),
    p("net_revenue", StdParamType::Number),
    p("num_items", StdParamType::Integer),
    p("order_id", StdParamType::String),
    p("predicted_ltv", StdParamType::Number),
    p("search_string", StdParamType::String),
    StandardParam {
        key: "status",
        ty: None,
        allowed: &[],
        needs: None,
    },
    StandardParam {
        key: "value",
        ty: Some(StdParamType::Number),
        allowed: &[],
        needs: Some("currency"),
    },
];

/// The standard parameter `key`, if it is one (case-sensitive).
#[must_use]
pub fn standard_param(key: &str) -> Option<&'static StandardParam> {
    PARAMS.iter().find(|p| p.key == key)
}

/// The type of a standard parameter, if `key` is one with a checked type.
#[must_use]
pub fn standard_param_type(key: &str) -> Option<StdParamType> {
    standard_param(key).and_then(|p| p.ty)
}

/// Standard parameters that any event may carry (`meta.md` §2.2: they describe the page,
/// the product or the order rather than one event), beside the properties each standard
/// event lists in [`super::events`].
pub const GENERAL_PARAMS: &[&str] = &[
    "content_category",
    "content_ids",
    "content_name",
    "content_type",
    "contents",
    "currency",
    "delivery_category",
    "net_revenue",
    "order_id",
    "value",
];

/// The standard parameter of an event named `event` that `key` looks like a misspelling
/// of: the same key in another case or separator style (`Value`, `contentIds`,
/// `content-ids`), or a typing mistake in it (`valeu`, `vlaue`, `contents_ids`,
/// `content_categroy`). A typing mistake is one edit (a swapped pair counts as one) in
/// one word, so a different word (`contact_type`, `order_ts`, `contest_id`) is not a
/// misspelling. Only the event's own
/// properties and [`GENERAL_PARAMS`] are candidates (`status` is a parameter of
/// `CompleteRegistration` only). `None` for standard keys and keys of fewer than four
/// letters.
#[must_use]
pub fn near_miss_param(key: &str, event: &str) -> Option<&'static str> {
    if standard_param(key).is_some() {
        return None;
    }
    let folded = fold(key);
    let len = folded.chars().count();
    if len < 4 {
        return None;
    }
    let own = super::events::standard_event(event).map_or(&[][..], |e| e.properties);
    let mut best: Option<(usize, &'static str)> = None;
    for candidate in PARAMS
        .iter()
        .map(|p| p.key)
        .filter(|k| own.contains(k) || GENERAL_PARAMS.contains(k))
    {
        let d = strsim::damerau_levenshtein(&folded, &fold(candidate));
        if is_typo(key, candidate) && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, k)| k)
}

/// The keys of a `contents` item (`meta.md` §2.2: `id` and `quantity` required,
/// `item_price` and `delivery_category` optional; the SDKs also send `title`,
/// `description`, `brand` and `category`).
pub const CONTENTS_ITEM_KEYS: &[&str] = &[
    "brand",
    "category",
    "delivery_category",
    "description",
    "id",
    "item_price",
    "quantity",
    "title",
];

/// The `contents` item key that `key` looks like a misspelling of (`itme_price`,
/// `quantiy`), by the rule of [`near_miss_param`].
#[must_use]
pub fn near_miss_item_key(key: &str) -> Option<&'static str> {
    if CONTENTS_ITEM_KEYS.contains(&key) || fold(key).chars().count() < 4 {
        return None;
    }
    CONTENTS_ITEM_KEYS.iter().copied().find(|k| is_typo(key, k))
}

/// Whether `key` is `candidate` in another case or separator style, or one edit away
/// from it in one word.
fn is_typo(key: &str, candidate: &str) -> bool {
    let d = strsim::damerau_levenshtein(&fold(key), &fold(candidate));
    if d == 0 {
        return true;
    }
    if d > 1 {
        return false;
    }
    let (words, theirs) = (split_words(key), split_words(candidate));
    if words.len() != theirs.len() {
        return true;
    }
    let edits: Vec<usize> = words
        .iter()
        .zip(&theirs)
        .map(|(a, b)| strsim::damerau_levenshtein(a, b))
        .filter(|e| *e > 0)
        .collect();
    edits.len() <= 1 && edits.iter().all(|e| *e <= 1)
}

/// The words of a key, lowercased: split at `_`, `-`, `.` and spaces.
fn split_words(key: &str) -> Vec<String> {
    key.split(['_', '-', '.', ' '])
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Lowercase without `_`, `-`, `.` and spaces: the spelling-insensitive form of a key.
fn fold(key: &str) -> String {
    key.chars()
        .filter(|c| !matches!(c, '_' | '-' | '.' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_are_found() {
        for (typo, event, meant) in [
            ("valeu", "AddToCart", "value"),
            ("vlaue", "Purchase", "value"),
            ("Value", "Lead", "value"),
            ("values", "MyCustomEvent", "value"),
            ("contents_ids", "ViewContent", "content_ids"),
            ("content_id", "AddToCart", "content_ids"),
            ("contentIds", "ViewContent", "content_ids"),
            ("content-ids", "ViewContent", "content_ids"),
            ("content_categroy", "ViewContent", "content_category"),
            ("curency", "Purchase", "currency"),
            ("num_item", "InitiateCheckout", "num_items"),
            ("serch_string", "Search", "search_string"),
            ("statuss", "CompleteRegistration", "status"),
        ] {
            assert_eq!(
                near_miss_param(typo, event),
                Some(meant),
                "{typo} on {event}"
            );
        }
    }

    #[test]
    fn real_custom_parameters_are_not_near_misses() {
        // Custom keys from real tracking plans (e-commerce, lead generation, media).
        for key in [
            "value",
            "currency",
            "plan",
            "tier",
            "brand",
            "price",
            "sku",
            "state",
            "valor",
            "category",
            "page_type",
            "form_name",
            "lang",
            "coupon",
            "step",
            "contact_type",
            "content_page",
            "contest_id",
            "order_ts",
            "order_dt",
            "order_nr",
            "order_no",
            "rider_id",
            "num_steps",
            "states",
            "stats",
            "statut",
            "status_code",
            "search_term",
            "search_query",
            "payment_type",
            "shipping_type",
            "item_name",
            "item_price",
            "list_name",
            "page_name",
            "event_type",
            "user_type",
            "lead_type",
            "product_type",
            "content_group",
            "content_length",
            "order_total",
            "order_value",
            "cart_value",
            "lifetime_value",
            "discount_value",
            "tax_value",
            "net_value",
        ] {
            assert_eq!(near_miss_param(key, "Purchase"), None, "{key} on Purchase");
            assert_eq!(near_miss_param(key, "Lead"), None, "{key} on Lead");
        }
        // One letter away is a typo even when it is a word (`context_type`): declare it.
        assert_eq!(
            near_miss_param("context_type", "Lead"),
            Some("content_type")
        );
        // `status` is CompleteRegistration's alone; `search_string` is Search's.
        assert_eq!(near_miss_param("statuss", "Purchase"), None);
        assert_eq!(near_miss_param("serch_string", "Purchase"), None);
    }

    #[test]
    fn contents_item_keys() {
        assert_eq!(near_miss_item_key("itme_price"), Some("item_price"));
        assert_eq!(near_miss_item_key("quantiy"), Some("quantity"));
        assert_eq!(near_miss_item_key("ItemPrice"), Some("item_price"));
        for key in [
            "item_price",
            "id",
            "sku",
            "variant",
            "size",
            "color",
            "discount",
        ] {
            assert_eq!(near_miss_item_key(key), None, "{key}");
        }
    }

    #[test]
    fn the_table_is_sorted() {
        assert!(PARAMS.windows(2).all(|w| w[0].key < w[1].key));
    }
}
