//! Harness elements built from CSS selectors: the clicked element and its ancestors, and
//! the `closest` wrappers that carry the attributes parameters read.

use super::Element;

/// The innermost element of a chain.
pub(super) fn leaf_mut(els: &mut [Element]) -> Option<&mut Element> {
    els.last_mut()
}

/// Turns an outermost-first chain into one nested element (plus `:nth-child` fillers,
/// already inside each element's `children`).
pub(super) fn nest(mut els: Vec<Element>) -> Vec<Element> {
    let Some(mut inner) = els.pop() else {
        return Vec::new();
    };
    let mut fillers_inner = take_fillers(&mut inner);
    while let Some(mut parent) = els.pop() {
        let fillers_parent = take_fillers(&mut parent);
        parent.children.extend(fillers_inner);
        parent.children.push(inner);
        inner = parent;
        fillers_inner = fillers_parent;
    }
    let mut out = fillers_inner;
    out.push(inner);
    out
}

const NTH: &str = "data-tagc-nth";

fn take_fillers(e: &mut Element) -> Vec<Element> {
    let n: usize = e
        .attrs
        .remove(NTH)
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    (1..n)
        .map(|_| Element {
            tag: "span".to_owned(),
            ..Element::default()
        })
        .collect()
}

/// Parses a CSS selector into the chain of elements it describes, outermost first. Only
/// what can be built is accepted: tag, `#id`, `.class`, `[attr]`, `[attr op value]`,
/// `:nth-child(N)`, `:first-child`, descendant and `>` combinators; the first selector of
/// a list is used.
pub(super) fn chain(selector: &str, leaf_tag: &str) -> Result<Vec<Element>, String> {
    let first = split_top(selector, ',')
        .into_iter()
        .next()
        .unwrap_or_default();
    let mut compounds: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for c in first.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                cur.push(c);
            }
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                cur.push(c);
            }
            (None, '[' | '(') => {
                depth += 1;
                cur.push(c);
            }
            (None, ']' | ')') => {
                depth -= 1;
                cur.push(c);
            }
            (None, '+' | '~') if depth == 0 => {
                return Err(format!(
                    "the harness cannot build sibling combinators (`{c}`) of `{selector}`; run this check against a real page with --base-url"
                ));
            }
            (None, c) if depth == 0 && (c.is_whitespace() || c == '>') => {
                if !cur.is_empty() {
                    compounds.push(std::mem::take(&mut cur));
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if !cur.is_empty() {
        compounds.push(cur);
    }
    if compounds.is_empty() {
        return Err(format!(
            "`{selector}` selects nothing the harness can build"
        ));
    }
    let n = compounds.len();
    compounds
        .iter()
        .enumerate()
        .map(|(i, c)| compound(c, if i + 1 == n { leaf_tag } else { "div" }, selector))
        .collect()
}

fn split_top(s: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0i32;
    for c in s.chars() {
        match c {
            '[' | '(' => depth += 1,
            ']' | ')' => depth -= 1,
            _ => {}
        }
        if c == sep && depth == 0 {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out.into_iter().map(|s| s.trim().to_owned()).collect()
}

fn compound(c: &str, default_tag: &str, selector: &str) -> Result<Element, String> {
    let unsupported = |what: &str| {
        format!(
            "the harness cannot build `{what}` of `{selector}`; run this check against a real page with --base-url"
        )
    };
    let mut e = Element::default();
    let chars: Vec<char> = c.chars().collect();
    let mut i = 0;
    let ident = |i: &mut usize| -> String {
        let mut s = String::new();
        while let Some(&ch) = chars.get(*i) {
            if ch.is_alphanumeric() || ch == '-' || ch == '_' || !ch.is_ascii() {
                s.push(ch);
                *i += 1;
            } else if ch == '\\' {
                if let Some(&next) = chars.get(*i + 1) {
                    s.push(next);
                }
                *i += 2;
            } else {
                break;
            }
        }
        s
    };
    if chars.first().is_some_and(|ch| ch.is_alphabetic()) {
        e.tag = ident(&mut i).to_ascii_lowercase();
    } else if chars.first() == Some(&'*') {
        i += 1;
    }
    let mut classes: Vec<String> = Vec::new();
    while let Some(&ch) = chars.get(i) {
        match ch {
            '#' => {
                i += 1;
                let id = ident(&mut i);
                e.attrs.insert("id".to_owned(), id);
            }
            '.' => {
                i += 1;
                classes.push(ident(&mut i));
            }
            '[' => {
                let end = chars[i..]
                    .iter()
                    .position(|&x| x == ']')
                    .map(|p| i + p)
                    .ok_or_else(|| unsupported(c))?;
                let inner: String = chars[i + 1..end].iter().collect();
                i = end + 1;
                let (name, value) = match inner.find('=') {
                    Some(eq) => {
                        let name = inner[..eq]
                            .trim_end_matches(['~', '|', '^', '$', '*'])
                            .trim();
                        let mut v = inner[eq + 1..].trim();
                        if let Some(stripped) = v.strip_suffix(" i").or(v.strip_suffix(" s")) {
                            v = stripped.trim();
                        }
                        let v = v.trim_matches(|q| q == '"' || q == '\'');
                        (name.to_owned(), v.to_owned())
                    }
                    None => (inner.trim().to_owned(), String::new()),
                };
                e.attrs.insert(name, value);
            }
            ':' => {
                let rest: String = chars[i..].iter().collect();
                if let Some(arg) = rest.strip_prefix(":nth-child(") {
                    let close = arg.find(')').ok_or_else(|| unsupported(c))?;
                    let n: usize = arg[..close]
                        .trim()
                        .parse()
                        .map_err(|_| unsupported(&format!(":nth-child({})", &arg[..close])))?;
                    e.attrs.insert(NTH.to_owned(), n.max(1).to_string());
                    i += ":nth-child(".len() + close + 1;
                } else if rest.starts_with(":first-child") {
                    i += ":first-child".len();
                } else {
                    let name: String = rest.chars().take_while(|&x| x != ' ').collect();
                    return Err(unsupported(&name));
                }
            }
            _ => return Err(unsupported(c)),
        }
    }
    if e.tag.is_empty() {
        e.tag = default_tag.to_owned();
    }
    if !classes.is_empty() {
        e.attrs.insert("class".to_owned(), classes.join(" "));
    }
    Ok(e)
}

/// Whether element `e` satisfies compound `want` (tag, id, classes, attributes).
fn satisfies(e: &Element, want: &Element) -> bool {
    (want.tag == "div" || want.tag == e.tag)
        && want.attrs.iter().all(|(k, v)| match k.as_str() {
            "class" => {
                let have: Vec<&str> = e
                    .attrs
                    .get("class")
                    .map(|c| c.split(' ').collect())
                    .unwrap_or_default();
                v.split(' ').all(|c| have.contains(&c))
            }
            NTH => true,
            _ => e.attrs.get(k) == Some(v),
        })
}

/// Puts `attr=value` on the nearest element of the chain matching `selector`'s last
/// compound, or wraps the chain in elements built from `selector`.
pub(super) fn place_closest(
    els: &mut Vec<Element>,
    selector: &str,
    attr: &str,
    value: &str,
) -> Result<(), String> {
    let mut wanted = chain(selector, "div")?;
    let Some(last) = wanted.last().cloned() else {
        return Ok(());
    };
    if let Some(e) = els.iter_mut().rev().find(|e| satisfies(e, &last)) {
        e.attrs.insert(attr.to_owned(), value.to_owned());
        return Ok(());
    }
    if let Some(l) = wanted.last_mut() {
        l.attrs.insert(attr.to_owned(), value.to_owned());
    }
    wanted.append(els);
    *els = wanted;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(els: Vec<Element>) -> String {
        let mut s = String::new();
        for e in &nest(els) {
            super::super::html::element(&mut s, e);
        }
        s
    }

    #[test]
    fn selectors_become_matching_elements() {
        assert_eq!(
            html(
                chain(
                    "#p12 .product:nth-child(3) > button.add-to-cart[data-x='1']",
                    "button"
                )
                .unwrap()
            ),
            r#"<div id="p12"><span></span><span></span><div class="product"><button class="add-to-cart" data-x="1"></button></div></div>"#
        );
        assert_eq!(
            html(chain("form#registro", "form").unwrap()),
            r#"<form id="registro"></form>"#
        );
        assert!(chain("a + b", "button").unwrap_err().contains("--base-url"));
        assert!(chain("li:not(.x)", "button").unwrap_err().contains(":not"));
    }

    #[test]
    fn closest_attributes_land_on_a_matching_ancestor_or_a_wrapper() {
        let mut els = chain("button.add-to-cart", "button").unwrap();
        place_closest(&mut els, ".product-card", "data-sku", "SKU-1").unwrap();
        place_closest(&mut els, ".product-card", "data-price", "24.90").unwrap();
        assert_eq!(
            html(els),
            r#"<div class="product-card" data-price="24.90" data-sku="SKU-1"><button class="add-to-cart"></button></div>"#
        );
    }
}
