//! Rules on event parameters, one function per rule, shared by the browser's `params` and
//! the server's `custom_data`: a key, a constant or a missing parameter gets the same
//! verdict on either side, and every requirement comes from [`crate::meta`].

use serde_json::Value;

use super::{Ctx, join};
use crate::diagnostic::{Code, Diagnostic, did_you_mean, truncate};
use crate::load::Seg;
use crate::meta::{self, StdParamType};
use crate::source::Span;

/// Which side of the configuration a parameter is written on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    /// A browser event's `params:`.
    Browser,
    /// A server event's `custom_data:`.
    Server,
}

impl Side {
    /// The section the parameters are written in.
    fn section(self) -> &'static str {
        match self {
            Side::Browser => "params",
            Side::Server => "custom_data",
        }
    }

    /// What owns the parameters.
    fn owner(self) -> &'static str {
        match self {
            Side::Browser => "event",
            Side::Server => "server event",
        }
    }

    /// How a parameter is named in messages (`value` / `custom_data.value`).
    fn name(self, key: &str) -> String {
        match self {
            Side::Browser => format!("`{key}`"),
            Side::Server => format!("`custom_data.{key}`"),
        }
    }

    /// How to write a parameter on this side, for help texts.
    fn example(self, key: &str) -> String {
        match (self, key) {
            (Side::Browser, "value") => {
                "`value: {from: data_layer, path: ecommerce.value, type: number}`".to_owned()
            }
            (Side::Browser, "currency") => "`currency: EUR`".to_owned(),
            (Side::Server, "value") => "`value: order.total`".to_owned(),
            (Side::Server, "currency") => "`currency: {value: EUR}` (or a record path)".to_owned(),
            (Side::Browser, k) => format!("`{k}: …`"),
            (Side::Server, k) => format!("`{k}: record.field`"),
        }
    }

    /// A constant written on this side (`value: 12.5` / `value: {value: 12.5}`).
    fn constant(self, key: &str, v: &str) -> String {
        match self {
            Side::Browser => format!("`{key}: {v}`"),
            Side::Server => format!("`{key}: {{value: {v}}}`"),
        }
    }
}

/// `` `a`, `b` and `c` ``.
pub(super) fn listing(keys: &[&str]) -> String {
    joined(keys, "and")
}

/// `` `a`, `b` `conj` `c` ``.
fn joined(keys: &[&str], conj: &str) -> String {
    let ticked: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
    match ticked.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} {conj} {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// TAG2005 and TAG2017: the parameters Meta requires on this event (`Purchase`: `value`
/// and `currency`), and the ones a parameter needs beside it (`value` needs `currency`).
/// `at` is where the event is named; `key_at` where a parameter is written.
pub(super) fn required(
    ctx: &mut Ctx<'_>,
    side: Side,
    event: &str,
    keys: &[&str],
    at: Span,
    defined_at: Option<Span>,
    key_at: &dyn Fn(&mut Ctx<'_>, &str) -> Span,
) {
    let has = |k: &str| keys.contains(&k);
    let required = meta::required_params(event);
    let missing: Vec<&str> = required.iter().copied().filter(|k| !has(k)).collect();
    if !missing.is_empty() {
        let mut d = Diagnostic::new(
            Code::PurchaseMissingValueCurrency,
            at,
            format!(
                "`{event}` is missing {}",
                missing
                    .iter()
                    .map(|m| side.name(m))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
        )
        .label(format!(
            "Meta requires {} on every {event}",
            listing(required)
        ))
        .help(format!(
            "add under `{}`: {}",
            side.section(),
            missing
                .iter()
                .map(|m| side.example(m))
                .collect::<Vec<_>>()
                .join(" and ")
        ));
        if let Some(def) = defined_at {
            d = d.with_secondary(def, "defined here");
        }
        ctx.push(d);
        return;
    }
    for key in keys {
        if let Some(needs) = meta::standard_param(key).and_then(|p| p.needs)
            && !has(needs)
        {
            let span = key_at(ctx, key);
            let note = if side == Side::Browser && needs == "currency" {
                " (a 3-letter ISO 4217 code)"
            } else {
                ""
            };
            ctx.push(
                Diagnostic::new(
                    Code::ValueWithoutCurrency,
                    span,
                    format!("`{event}` sends `{key}` without `{needs}`"),
                )
                .label(format!("the {key}'s {needs} is unknown"))
                .help(format!(
                    "add {}{note} under `{}`",
                    side.example(needs),
                    side.section()
                )),
            );
        }
    }
}

/// TAG2027: a key that is not standard but looks like a misspelled standard parameter
/// (`valeu`, `contents_ids`) becomes a custom parameter at Meta without a word: warn,
/// unless the event declares it in `custom_params:`.
pub(super) fn misspelled(
    ctx: &mut Ctx<'_>,
    side: Side,
    event: &str,
    key_span: Span,
    key: &str,
    declared: bool,
) {
    let Some(meant) = meta::near_miss_param(key, event) else {
        return;
    };
    if declared {
        return;
    }
    ctx.push(
        Diagnostic::new(
            Code::MisspelledStandardParameter,
            key_span,
            format!(
                "`{}` is not a standard parameter; did you mean `{meant}`?",
                truncate(key, 40)
            ),
        )
        .label(format!(
            "Meta would receive this as a custom parameter, not as `{meant}`"
        ))
        .help(format!(
            "rename it to `{meant}`; if it really is a custom parameter, declare it with `custom_params: [{}]` on this {}",
            truncate(key, 40),
            side.owner()
        )),
    );
}

/// TAG2027 for a `contents` item key (`itme_price`): Meta reads only its own item keys,
/// so a misspelled one is silently dropped from the catalog match.
pub(super) fn item_key(ctx: &mut Ctx<'_>, key_span: Span, key: &str) {
    let Some(meant) = meta::near_miss_item_key(key) else {
        return;
    };
    ctx.push(
        Diagnostic::new(
            Code::MisspelledStandardParameter,
            key_span,
            format!(
                "`{}` is not a key of a `contents` item; did you mean `{meant}`?",
                truncate(key, 40)
            ),
        )
        .label(format!("Meta ignores it; `{meant}` would be read"))
        .help(format!("rename it to `{meant}`")),
    );
}

/// TAG1004: entries of `custom_params:` must not be standard parameters themselves.
pub(super) fn custom_params(ctx: &mut Ctx<'_>, f: usize, base: &[Seg<'_>], list: &[String]) {
    for (i, key) in list.iter().enumerate() {
        if meta::standard_param(key).is_some() {
            ctx.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    ctx.span(f, &join(base, [Seg::from("custom_params"), Seg::from(i)])),
                    format!("`{}` is a standard parameter", truncate(key, 40)),
                )
                .label("cannot be declared custom")
                .help(
                    "remove it from `custom_params:`; Meta reads this key as its standard parameter",
                ),
            );
        }
    }
}

/// TAG2010: a parameter key that names customer data (`email`, `phone`), which would
/// reach Meta unhashed. `what` says what carries it; returns whether it was reported.
pub(super) fn customer_data(ctx: &mut Ctx<'_>, side: Side, at: Span, what: String, ud: &str) {
    let (label, help) = match side {
        Side::Browser => (
            "personal data in event parameters is sent to Meta unhashed",
            format!(
                "remove it here; send it as `user_data.{ud}` on the server event, where tagc normalizes and hashes it"
            ),
        ),
        Side::Server => (
            "custom data is not hashed",
            format!("move it to `user_data.{ud}`, where tagc normalizes and hashes it"),
        ),
    };
    ctx.push(
        Diagnostic::new(Code::CustomerDataInParameters, at, what)
            .label(label)
            .help(help),
    );
}

/// TAG2009: `contents` items lack `id` or `quantity`. `mapped` for the server's `each:`
/// (which describes every item), otherwise one literal item.
pub(super) fn contents_item_missing(ctx: &mut Ctx<'_>, at: Span, missing: &[&str], mapped: bool) {
    let d = if mapped {
        Diagnostic::new(
            Code::InvalidContentsItem,
            at,
            format!("`contents` items lack {}", listing(missing)),
        )
        .label("each item needs `id` and `quantity`")
        .help("map both, such as `each: {id: sku, quantity: qty, item_price: unit_price}`")
    } else {
        Diagnostic::new(
            Code::InvalidContentsItem,
            at,
            format!("`contents` item lacks {}", listing(missing)),
        )
        .label("incomplete item")
        .help(
            "each item needs `id` and `quantity`, such as `{id: \"SKU-1\", quantity: 1, item_price: 19.9}`",
        )
    };
    ctx.push(d);
}

/// TAG2007: a standard parameter of the wrong type.
pub(super) fn type_error(
    ctx: &mut Ctx<'_>,
    span: Span,
    key: &str,
    expected: StdParamType,
    found: &str,
    help: String,
) {
    ctx.push(
        Diagnostic::new(
            Code::ParameterType,
            span,
            format!("`{key}` must be {}, found {found}", expected.describe()),
        )
        .label(format!("Meta expects {}", expected.describe()))
        .help(help),
    );
}

/// TAG2007, TAG2009, TAG2006, TAG2008, TAG1004 and TAG2019 on a constant parameter value:
/// its type, its `contents` items, its currency and enumerated values, personal data.
pub(super) fn constant(
    ctx: &mut Ctx<'_>,
    side: Side,
    f: usize,
    path: &[Seg<'_>],
    key: &str,
    v: &Value,
) {
    let span = ctx.span(f, path);
    if let Some(expected) = meta::standard_param_type(key) {
        let ok = match expected {
            StdParamType::Number => v.is_number(),
            StdParamType::Integer => v.is_u64() || v.is_i64(),
            StdParamType::String => v.is_string(),
            StdParamType::IdList => v
                .as_array()
                .is_some_and(|a| a.iter().all(|x| x.is_string() || x.is_number())),
            StdParamType::Contents => v.is_array(),
        };
        if !ok {
            let help = match (expected, v) {
                // Read as the browser and `send` read text (docs/values.md): `"12,50 €"`.
                (StdParamType::Number | StdParamType::Integer, Value::String(s))
                    if crate::values::text_number(s)
                        .is_some_and(|n| expected == StdParamType::Number || n.fract() == 0.0) =>
                {
                    let n = crate::values::text_number(s).unwrap_or_default();
                    format!(
                        "write the number without quotes: {}",
                        side.constant(key, &n.to_string())
                    )
                }
                (StdParamType::IdList, Value::String(s)) => {
                    format!(
                        "write a list: {}",
                        side.constant(key, &format!("[\"{s}\"]"))
                    )
                }
                _ => format!("write {} here", expected.describe()),
            };
            type_error(
                ctx,
                span,
                key,
                expected,
                crate::diagnostic::describe_json(v),
                help,
            );
            return;
        }
        if expected == StdParamType::Contents
            && let Some(items) = v.as_array()
        {
            for (i, item) in items.iter().enumerate() {
                let ipath = join(path, [Seg::from(i)]);
                let ispan = ctx.span(f, &ipath);
                let obj = item.as_object();
                for key in obj.into_iter().flat_map(|o| o.keys()) {
                    let kspan = ctx.key_span(f, &join(&ipath, [Seg::from(key.as_str())]));
                    item_key(ctx, kspan, key);
                }
                let missing: Vec<&str> = ["id", "quantity"]
                    .into_iter()
                    .filter(|k| obj.is_none_or(|o| !o.contains_key(*k)))
                    .collect();
                if !missing.is_empty() {
                    contents_item_missing(ctx, ispan, &missing, false);
                } else if obj
                    .and_then(|o| o.get("quantity"))
                    .is_some_and(|q| !(q.is_u64() || q.is_i64()))
                {
                    ctx.push(
                        Diagnostic::new(
                            Code::InvalidContentsItem,
                            ctx.span(f, &join(&ipath, [Seg::from("quantity")])),
                            "`quantity` must be a whole number",
                        )
                        .label("not a whole number")
                        .help(
                            "write the quantity as a number without quotes, such as `quantity: 1`",
                        ),
                    );
                }
            }
        }
    }
    match (key, v) {
        ("currency", Value::String(c)) if !meta::is_currency(c) => {
            let upper = c.trim().to_ascii_uppercase();
            let help = if meta::is_currency(&upper) {
                format!(
                    "write it in upper case: {}",
                    side.constant("currency", &upper)
                )
            } else {
                "use a 3-letter ISO 4217 code such as `EUR`, `USD` or `GBP`".to_owned()
            };
            ctx.push(
                Diagnostic::new(
                    Code::InvalidCurrency,
                    span,
                    format!("`{}` is not an ISO 4217 currency code", truncate(c, 20)),
                )
                .label("unknown currency")
                .help(help),
            );
        }
        (key, Value::String(t)) => {
            let allowed = meta::standard_param(key).map_or(&[][..], |p| p.allowed);
            if !allowed.is_empty() && !allowed.contains(&t.as_str()) {
                let code = if key == "content_type" {
                    Code::InvalidContentType
                } else {
                    Code::InvalidValue
                };
                let one_of = joined(allowed, "or");
                ctx.push(
                    Diagnostic::new(code, span, format!("`{key}` is `{}`", truncate(t, 30)))
                        .label(format!("must be {one_of}"))
                        .help(did_you_mean(t, allowed.iter().copied()).map_or_else(
                            || format!("use {one_of}"),
                            |s| format!("did you mean `{s}`?"),
                        )),
                );
            }
        }
        _ => {}
    }
    for s in strings(v) {
        if meta::looks_like_email(s) || meta::looks_like_phone(s) {
            ctx.push(
                Diagnostic::new(
                    Code::PersonalDataLiteral,
                    span,
                    format!(
                        "the value of `{}` looks like personal data",
                        truncate(key, 40)
                    ),
                )
                .label("email address or phone number")
                .help("event parameters reach Meta unhashed; remove personal data from them"),
            );
            break;
        }
    }
}

/// Every text inside a value.
fn strings(v: &Value) -> Vec<&str> {
    match v {
        Value::String(s) => vec![s],
        Value::Array(a) => a.iter().flat_map(strings).collect(),
        Value::Object(o) => o.values().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}
