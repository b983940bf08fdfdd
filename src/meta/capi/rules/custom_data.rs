//! Rules on `custom_data` (rules 13–17, 44–46), reading Meta's parameter table in
//! [`crate::meta::params`].

use super::*;

pub(super) fn required_param_missing(event: &str, i: usize, key: &str, out: &mut Vec<Violation>) {
    let rule = if key == "value" {
        &PURCHASE_VALUE_MISSING
    } else {
        &PURCHASE_CURRENCY_MISSING
    };
    out.push(rule.at(
        p_sub(i, "custom_data", key),
        format!(
            "The parameter {} is required for {event} events.",
            p_sub(i, "custom_data", key)
        ),
    ));
}

/// The standard `custom_data` parameters the rules look at, found in one pass over the
/// map (`null` counts as absent).
#[derive(Default)]
pub(super) struct CustomFields<'a> {
    value: Option<&'a Value>,
    currency: Option<&'a Value>,
    predicted_ltv: Option<&'a Value>,
    net_revenue: Option<&'a Value>,
    content_type: Option<&'a Value>,
    num_items: Option<&'a Value>,
    delivery_category: Option<&'a Value>,
    customer_segmentation: Option<&'a Value>,
    contents: Option<&'a Value>,
}

impl<'a> CustomFields<'a> {
    fn of(cd: &'a Map<String, Value>) -> Self {
        let mut f = Self::default();
        for (k, v) in cd {
            if v.is_null() {
                continue;
            }
            let slot = match k.as_str() {
                "value" => &mut f.value,
                "currency" => &mut f.currency,
                "predicted_ltv" => &mut f.predicted_ltv,
                "net_revenue" => &mut f.net_revenue,
                "content_type" => &mut f.content_type,
                "num_items" => &mut f.num_items,
                "delivery_category" => &mut f.delivery_category,
                "customer_segmentation" => &mut f.customer_segmentation,
                "contents" => &mut f.contents,
                _ => continue,
            };
            *slot = Some(v);
        }
        f
    }
}

pub(super) fn check_custom_data(
    event: &CapiEvent,
    cd: &Map<String, Value>,
    i: usize,
    out: &mut Vec<Violation>,
) {
    let f = CustomFields::of(cd);
    let required = required_params(&event.event_name);
    for key in required {
        if cd.get(*key).is_none_or(Value::is_null) {
            required_param_missing(&event.event_name, i, key, out);
        }
    }
    if !required.contains(&"currency") && f.value.is_some() && f.currency.is_none() {
        out.push(VALUE_WITHOUT_CURRENCY.at(
            p_sub(i, "custom_data", "value"),
            format!(
                "The parameter {} is sent without custom_data.currency; Meta needs both to report value.",
                p_sub(i, "custom_data", "value")
            ),
        ));
    }
    for (key, v) in [
        ("value", f.value),
        ("predicted_ltv", f.predicted_ltv),
        ("net_revenue", f.net_revenue),
    ] {
        match v {
            None | Some(Value::Number(_)) => {}
            Some(Value::String(s)) if s.trim().parse::<f64>().is_ok_and(f64::is_finite) => {
                out.push(NUMBER_AS_STRING.at(
                    p_sub(i, "custom_data", key),
                    format!(
                        "The parameter {} is a number sent as text; send it as a JSON number.",
                        p_sub(i, "custom_data", key)
                    ),
                ));
            }
            Some(_) => out.push(NUMBER_INVALID.at(
                p_sub(i, "custom_data", key),
                format!(
                    "The parameter {} must be a number.",
                    p_sub(i, "custom_data", key)
                ),
            )),
        }
    }
    match f.currency {
        None => {}
        Some(Value::String(c)) if is_currency_any_case(c) => {}
        Some(_) => out.push(CURRENCY_INVALID.at(
            p_sub(i, "custom_data", "currency"),
            format!(
                "The parameter {} must be an ISO 4217 currency code such as USD or EUR.",
                p_sub(i, "custom_data", "currency")
            ),
        )),
    }
    match f.content_type {
        None => {}
        Some(Value::String(s)) if CONTENT_TYPES.contains(&s.as_str()) => {}
        Some(_) => out.push(CONTENT_TYPE_INVALID.at(
            p_sub(i, "custom_data", "content_type"),
            format!(
                "The parameter {} must be product or product_group.",
                p_sub(i, "custom_data", "content_type")
            ),
        )),
    }
    match f.num_items {
        None => {}
        Some(v) if v.is_i64() || v.is_u64() => {}
        Some(_) => out.push(NUM_ITEMS_INVALID.at(
            p_sub(i, "custom_data", "num_items"),
            format!(
                "The parameter {} must be a whole number.",
                p_sub(i, "custom_data", "num_items")
            ),
        )),
    }
    if let Some(v) = f.delivery_category {
        check_delivery_category(v, || p_sub(i, "custom_data", "delivery_category"), out);
    }
    if let Some(seg) = f.customer_segmentation {
        check_segmentation(seg, p_sub(i, "custom_data", "customer_segmentation"), out);
    }
    match f.contents {
        None => {}
        Some(Value::Array(items)) => {
            for (j, item) in items.iter().enumerate() {
                check_contents_item(item, i, j, out);
            }
        }
        Some(_) => out.push(CONTENTS_INVALID.at(
            p_sub(i, "custom_data", "contents"),
            format!(
                "The parameter {} must be a list of {{id, quantity}} objects.",
                p_sub(i, "custom_data", "contents")
            ),
        )),
    }
}

pub(super) fn check_contents_item(item: &Value, i: usize, j: usize, out: &mut Vec<Violation>) {
    let path = || p_sub_item(i, "custom_data", "contents", j);
    let Some(obj) = item.as_object() else {
        out.push(CONTENTS_INVALID.at(
            path(),
            format!(
                "The item {} must be an object with id and quantity.",
                path()
            ),
        ));
        return;
    };
    let (mut id_ok, mut qty_ok, mut delivery) = (false, false, None);
    for (k, v) in obj {
        match k.as_str() {
            "id" => {
                id_ok = match v {
                    Value::String(s) => !s.is_empty(),
                    Value::Number(_) => true,
                    _ => false,
                };
            }
            "quantity" => qty_ok = v.is_number(),
            "delivery_category" if !v.is_null() => delivery = Some(v),
            _ => {}
        }
    }
    if !id_ok || !qty_ok {
        let missing = match (id_ok, qty_ok) {
            (false, false) => "id and quantity",
            (false, true) => "id",
            _ => "quantity",
        };
        out.push(CONTENTS_INVALID.at(path(), format!("The item {} needs {missing}.", path())));
    }
    if let Some(v) = delivery {
        check_delivery_category(v, || format!("{}['delivery_category']", path()), out);
    }
}

pub(super) fn check_delivery_category(
    v: &Value,
    path: impl Fn() -> String,
    out: &mut Vec<Violation>,
) {
    if matches!(v, Value::String(s) if DELIVERY_CATEGORIES.contains(&s.as_str())) {
        return;
    }
    out.push(DELIVERY_CATEGORY_INVALID.at(
        path(),
        format!(
            "The parameter {} must be in_store, curbside or home_delivery.",
            path()
        ),
    ));
}

pub(super) fn check_segmentation(v: &Value, path: String, out: &mut Vec<Violation>) {
    if matches!(v, Value::String(s) if CUSTOMER_SEGMENTATIONS.contains(&s.as_str())) {
        return;
    }
    let message = format!(
        "The parameter {path} must be one of: {}.",
        CUSTOMER_SEGMENTATIONS.join(", ")
    );
    out.push(CUSTOMER_SEGMENTATION_INVALID.at(path, message));
}

/// Whether `code` is an ISO 4217 code, in any case (`usd` is accepted, as in Meta's
/// examples).
pub(super) fn is_currency_any_case(code: &str) -> bool {
    let b = code.as_bytes();
    if b.len() != 3 || !b.iter().all(u8::is_ascii_alphabetic) {
        return false;
    }
    let upper = [
        b[0].to_ascii_uppercase(),
        b[1].to_ascii_uppercase(),
        b[2].to_ascii_uppercase(),
    ];
    // `is_currency`'s table, searched with the three bytes compared inline (this runs
    // for every event, and a `memcmp` call per probe cost more than the comparison).
    let found = crate::meta::currency::ISO_4217
        .binary_search_by(|c| match *c.as_bytes() {
            [a, b, c] => u32::from_be_bytes([0, a, b, c])
                .cmp(&u32::from_be_bytes([0, upper[0], upper[1], upper[2]])),
            ref other => other.cmp(&upper[..]),
        })
        .is_ok();
    debug_assert_eq!(found, std::str::from_utf8(&upper).is_ok_and(is_currency));
    found
}
