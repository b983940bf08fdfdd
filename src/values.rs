//! How tagc reads a number, a whole number and a boolean from a value: one definition
//! (`docs/values.md`) for the browser runtime (`src/emit/templates/values.js.j2`), the
//! server mapping (`tagc send`) and `tagc verify`'s expectations, tested with one vector
//! file (`tests/data/values.jsonl`) against all three.
//!
//! A value is a JSON value: a number or a boolean as it is, a text read as people and
//! exports write numbers (`"1.234,50 €"` → 1234.5, `"CHF 1'234.50"` → 1234.5). Anything
//! else — no number in the text, a list, an object, `null` — is *left out* (`None`): the
//! browser does not send the parameter, the server warns and leaves the field out.

use serde_json::{Number, Value};

/// The largest whole number a browser holds exactly (2^53 − 1, JavaScript's
/// `Number.MAX_SAFE_INTEGER`): whole numbers beyond it are left out.
pub const MAX_SAFE_INTEGER: i64 = 9_007_199_254_740_991;

/// JavaScript's `\s`: Rust's whitespace without U+0085, with U+FEFF.
fn is_space(c: char) -> bool {
    (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}'
}

/// Whitespace runs collapsed to one space, trimmed (the runtime's `tidy`).
fn tidy(s: &str) -> String {
    s.split(is_space)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A number as a JSON number: a whole number within ±(2^53 − 1) as an integer (what
/// `JSON.stringify` writes for it), anything else as a float; `-0` is `0`.
fn json_number(f: f64) -> Option<Number> {
    if f.fract() == 0.0 && f.abs() <= MAX_SAFE_INTEGER as f64 {
        // Exact: a whole number within ±2^53 converts without loss.
        #[allow(clippy::cast_possible_truncation)]
        return Some(Number::from(f as i64));
    }
    Number::from_f64(f)
}

/// Reads a text as the runtime reads an `eventID` or a `string` parameter (`as(v,
/// 'string')`): text with whitespace runs collapsed and trimmed, a number written as
/// JavaScript writes it (`12.0` → `"12"`), a boolean as `true`/`false`; `None` for blank
/// text, lists, objects and `null`. The server reads a shared event id this way, so both
/// copies of an event carry the same `event_id`.
#[must_use]
pub fn read_text(v: &Value) -> Option<String> {
    let t = match v {
        Value::String(s) => tidy(s),
        Value::Number(n) if let Some(i) = n.as_i64() => i.to_string(),
        Value::Number(n) if let Some(u) = n.as_u64() => u.to_string(),
        Value::Number(n) => {
            // Numbers keep the digits they were read with: a whole number too large for a
            // float (an order id of 24 digits) is those digits, not `1.2345678901234568e23`.
            let read = n.to_string();
            if is_whole_literal(&read) {
                read
            } else {
                match n.as_f64().and_then(json_number) {
                    Some(whole) if whole.is_i64() => whole.to_string(),
                    Some(f) => f.to_string(),
                    None => read,
                }
            }
        }
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    (!t.is_empty()).then_some(t)
}

/// Whether a JSON number is written as a whole number with digits only (`-12`, not
/// `12.0` or `1e3`).
fn is_whole_literal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Reads a number (`docs/values.md`, "Numbers"): a JSON number as it is, the first number
/// in a text (`"1.234,50 €"` → 1234.5, `"1.299"` → 1299); `None` (left out) for
/// anything else (`"n/a"`, `true`, a list).
#[must_use]
pub fn read_number(v: &Value) -> Option<Number> {
    match v {
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.clone()),
        Value::Number(n) => json_number(n.as_f64()?),
        Value::String(s) => json_number(text_number(s)?),
        _ => None,
    }
}

/// Reads a whole number (`docs/values.md`, "Whole numbers"): a number by
/// [`read_number`] that has no fraction and lies within ±(2^53 − 1). A fraction is left
/// out, never rounded: `"2.5"` is no quantity.
#[must_use]
pub fn read_integer(v: &Value) -> Option<i64> {
    let n = read_number(v)?;
    if let Some(i) = n.as_i64() {
        return (i.abs() <= MAX_SAFE_INTEGER).then_some(i);
    }
    // A float from `read_number` is never whole within the safe range; a JSON float that
    // is whole came back as an integer above. What remains is a fraction or too large.
    None
}

/// Reads a boolean (`docs/values.md`, "Booleans"): JSON `true`/`false`, the numbers 1 and
/// 0, and the texts `true`/`1`/`yes`/`on` and `false`/`0`/`no`/`off` (any case, around
/// whitespace ignored); `None` (left out) for anything else.
#[must_use]
pub fn read_boolean(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => {
            // 1 and 0 (1.0, -0 too: what JavaScript writes as "1" and "0").
            let f = n.as_f64()?;
            (f == 1.0 || f == 0.0).then_some(f == 1.0)
        }
        Value::String(s) => {
            let t = tidy(s).to_ascii_lowercase();
            match t.as_str() {
                "true" | "1" | "yes" | "on" => Some(true),
                "false" | "0" | "no" | "off" => Some(false),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The first number in a text, finite, or `None` (`docs/values.md`, steps 1–6).
#[must_use]
pub fn text_number(s: &str) -> Option<f64> {
    // 1. Tidied; U+2212 MINUS SIGN is `-`.
    let t: Vec<char> = tidy(s)
        .chars()
        .map(|c| if c == '\u{2212}' { '-' } else { c })
        .collect();
    let digit = |t: &[char], i: usize| t.get(i).is_some_and(char::is_ascii_digit);
    // 2. A space, `'` or `’` between a digit and exactly three digits groups thousands.
    let u: Vec<char> = t
        .iter()
        .enumerate()
        .filter(|&(i, &c)| {
            let group = (is_space(c) || c == '\'' || c == '\u{2019}')
                && i > 0
                && digit(&t, i - 1)
                && (1..=3).all(|k| digit(&t, i + k))
                && !digit(&t, i + 4);
            !group
        })
        .map(|(_, &c)| c)
        .collect();
    let d = |i: usize| digit(&u, i);
    let sep = |i: usize| matches!(u.get(i), Some('.' | ','));
    // 3. The first number: a digit, or `.`/`,` before a digit.
    let start = (0..u.len()).find(|&i| d(i) || (sep(i) && d(i + 1)))?;
    let mut end = start + 1;
    if d(start) {
        while d(end) || sep(end) {
            end += 1;
        }
        while !d(end - 1) {
            end -= 1;
        }
    } else {
        while d(end) {
            end += 1;
        }
    }
    let mantissa = &u[start..end];
    // 4. An exponent right after it.
    let mut exponent = String::new();
    let mut after = end;
    if matches!(u.get(end), Some('e' | 'E')) {
        let mut j = end + 1;
        if matches!(u.get(j), Some('+' | '-')) {
            j += 1;
        }
        if d(j) {
            while d(j) {
                j += 1;
            }
            exponent = u[end..j].iter().collect();
            after = j;
        }
    }
    // 5. The sign: a minus right before it (or before one sign such as `€` right before
    // it) that follows no letter, digit or `_`; or a minus right after it, at the end of
    // the text or before a space.
    let word = |i: Option<usize>| {
        i.and_then(|i| u.get(i))
            .is_some_and(|&c| c.is_ascii_alphanumeric() || c == '_')
    };
    let symbol =
        |c: char| !(is_space(c) || c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ',' | '-'));
    let minus = |at: usize| u[at] == '-' && !word(at.checked_sub(1));
    let negative = (start >= 1 && minus(start - 1))
        || (start >= 2 && symbol(u[start - 1]) && minus(start - 2))
        || (u.get(after) == Some(&'-') && u.get(after + 1).is_none_or(|&c| is_space(c)));
    // 6. Separators: thousands or the decimal point.
    let seps: Vec<char> = mantissa
        .iter()
        .copied()
        .filter(|c| matches!(c, '.' | ','))
        .collect();
    let grouping = match seps.as_slice() {
        [] => true,
        [_] => {
            // One separator after 1–3 digits (not starting with 0), exactly 3 after it.
            let at = mantissa.iter().position(|c| matches!(c, '.' | ','));
            matches!(at, Some(1..=3))
                && mantissa[0] != '0'
                && mantissa.len() - at.unwrap_or_default() - 1 == 3
        }
        [first, rest @ ..] => rest.iter().all(|c| c == first),
    };
    let last_sep = mantissa.iter().rposition(|c| matches!(c, '.' | ','));
    let mut text = String::from(if negative { "-0" } else { "0" });
    for (i, &c) in mantissa.iter().enumerate() {
        if c.is_ascii_digit() {
            text.push(c);
        } else if !grouping && Some(i) == last_sep {
            text.push('.');
        }
    }
    text.push_str(&exponent);
    let f: f64 = text.parse().ok()?;
    // -0 is 0.
    f.is_finite().then_some(if f == 0.0 { 0.0 } else { f })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_read_as_the_runtime_reads_an_event_id() {
        use serde_json::json;
        assert_eq!(read_text(&json!(12.0)).as_deref(), Some("12"));
        assert_eq!(read_text(&json!(12)).as_deref(), Some("12"));
        assert_eq!(read_text(&json!(12.5)).as_deref(), Some("12.5"));
        assert_eq!(read_text(&json!(" A1 \n B ")).as_deref(), Some("A1 B"));
        assert_eq!(read_text(&json!("  ")), None);
        assert_eq!(read_text(&json!(true)).as_deref(), Some("true"));
        assert_eq!(read_text(&json!(["x"])), None);
        assert_eq!(read_text(&Value::Null), None);
    }
    use serde_json::json;

    fn num(s: &str) -> Option<f64> {
        text_number(s)
    }

    #[test]
    fn prices_as_shops_write_them() {
        assert_eq!(num("1.234,50"), Some(1234.5));
        assert_eq!(num("12,50"), Some(12.5));
        assert_eq!(num("49.90 €"), Some(49.9));
        assert_eq!(num("CHF 1'234.50"), Some(1234.5));
        assert_eq!(num("$.99"), Some(0.99));
        assert_eq!(num("24,90 € (IVA 21%)"), Some(24.9));
        assert_eq!(num("1\u{202f}234,50\u{a0}€"), Some(1234.5));
        assert_eq!(num("$1,234,567.89"), Some(1_234_567.89));
        assert_eq!(num("₹1,23,456"), Some(123_456.0));
    }

    #[test]
    fn three_digits_after_one_separator_group_thousands() {
        assert_eq!(num("1.299"), Some(1299.0));
        assert_eq!(num("12,500"), Some(12500.0));
        assert_eq!(num("0.125"), Some(0.125));
        assert_eq!(num("1234.567"), Some(1234.567));
        assert_eq!(num("1.2990"), Some(1.299));
    }

    #[test]
    fn signs() {
        assert_eq!(num("\u{2212}5,00"), Some(-5.0));
        assert_eq!(num("-€5.00"), Some(-5.0));
        assert_eq!(num("1.234,50-"), Some(-1234.5));
        assert_eq!(num("5-10"), Some(5.0));
        assert_eq!(num("-0"), Some(0.0));
        assert_eq!(num("3-pack"), Some(3.0));
        assert_eq!(num("SKU-1234"), Some(1234.0));
        assert_eq!(num("EUR -5"), Some(-5.0));
    }

    #[test]
    fn exponents_and_what_is_no_number() {
        assert_eq!(num("1.5E+3"), Some(1500.0));
        assert_eq!(num("1e999"), None);
        assert_eq!(num("NaN"), None);
        assert_eq!(num("Infinity"), None);
        assert_eq!(num("   "), None);
        assert_eq!(num("12EUR"), Some(12.0));
    }

    #[test]
    fn json_values() {
        assert_eq!(read_number(&json!(24.9)), Number::from_f64(24.9));
        let big: Value = serde_json::from_str("123456789012345678901234").expect("json");
        assert_eq!(read_text(&big).as_deref(), Some("123456789012345678901234"));
        let long: Value = serde_json::from_str("1.50").expect("json");
        assert_eq!(
            read_text(&long).as_deref(),
            Some("1.5"),
            "as JavaScript writes it"
        );
        let zero: Value = serde_json::from_str("-0").expect("json");
        assert_eq!(read_text(&zero).as_deref(), Some("0"));
        assert_eq!(read_number(&json!(84.0)), Some(84.into()));
        assert_eq!(read_number(&json!(true)), None);
        assert_eq!(read_number(&json!(["1"])), None);
        assert_eq!(read_number(&Value::Null), None);
    }

    #[test]
    fn whole_numbers_are_not_rounded() {
        assert_eq!(read_integer(&json!("3")), Some(3));
        assert_eq!(read_integer(&json!(2.0)), Some(2));
        assert_eq!(read_integer(&json!("2,5")), None);
        assert_eq!(read_integer(&json!("1.000")), Some(1000));
        assert_eq!(read_integer(&json!(9_007_199_254_740_992_u64)), None);
        assert_eq!(
            read_integer(&json!(-9_007_199_254_740_991_i64)),
            Some(-MAX_SAFE_INTEGER)
        );
    }

    #[test]
    fn booleans() {
        assert_eq!(read_boolean(&json!(" Yes ")), Some(true));
        assert_eq!(read_boolean(&json!("on")), Some(true));
        assert_eq!(read_boolean(&json!("OFF")), Some(false));
        assert_eq!(read_boolean(&json!(0)), Some(false));
        assert_eq!(read_boolean(&json!(1.0)), Some(true));
        assert_eq!(read_boolean(&json!(2)), None);
        assert_eq!(read_boolean(&json!("maybe")), None);
        assert_eq!(read_boolean(&json!([true])), None);
    }
}
