//! Harness elements built from CSS selectors: the clicked element and its ancestors, and
//! the `closest` wrappers that carry the attributes parameters read.
//!
//! Selectors are read as [`css::parse_selector`] trees. What is built is a *chain*,
//! outermost first: each element is the parent of the next one, except a *group* (an
//! element with an empty tag), which holds the siblings that come before the next element
//! (`:nth-child` fillers, the left side of `+` and `~`). [`nest`] turns a chain into the
//! nested elements, splicing each group into its parent.
//!
//! Every element is checked against its compound selector once it has its place among
//! its siblings, so a selector whose conditions the harness cannot meet (`#a#b`,
//! `a + b:first-child`) is refused instead of built wrong.

use super::Element;
use crate::css::{
    self, AttributeMatcher, AttributeOp, Combinator, ComplexSelector, CompoundSelector,
    PseudoArgument, PseudoClass, SimpleSelector,
};

/// The highest `:nth-child()` position the harness fills siblings up to.
const MAX_POSITION: usize = 1000;

/// What separates the words of `class` and of a `~=` attribute value.
const HTML_WHITESPACE: [char; 5] = [' ', '\t', '\n', '\r', '\x0c'];

/// The innermost element of a chain.
pub(super) fn leaf_mut(els: &mut [Element]) -> Option<&mut Element> {
    els.last_mut()
}

/// Turns an outermost-first chain into nested elements. The result has more than one
/// element when the outermost element has siblings before it.
pub(super) fn nest(els: Vec<Element>) -> Vec<Element> {
    let mut inner = Vec::new();
    for mut e in els.into_iter().rev() {
        e.children.append(&mut inner);
        inner = if is_group(&e) { e.children } else { vec![e] };
    }
    inner
}

/// The body elements the offline harness plants for an element that `selector` selects
/// (its ancestors, and the siblings before it and them), nested; `leaf_tag` is the
/// selected element's tag when the selector names none. The selected element comes last
/// in document order. The error says why the harness cannot build one.
pub fn elements_for(selector: &str, leaf_tag: &str) -> Result<Vec<Element>, String> {
    chain(selector, leaf_tag).map(nest)
}

/// The chain of elements that the first selector of `selector` describes, outermost first;
/// a compound without a tag gets `leaf_tag` for the selected element and `div` elsewhere.
/// Built: tag, `*`, `#id`, `.class`, `[attr]`, `[attr op value]` (any operator; the value
/// itself satisfies it), `:nth-child(An+B)` (filler siblings before the element),
/// `:first-child`, `:last-child`, `:only-child`, `:first-of-type`, `:not(…)` of compound
/// selectors the element can be checked against, and all four combinators (a descendant
/// is built as a child, a later sibling as the next one).
pub(super) fn chain(selector: &str, leaf_tag: &str) -> Result<Vec<Element>, String> {
    build(&first_selector(selector)?, selector, leaf_tag)
}

/// The first complex selector of the list `selector`.
fn first_selector(selector: &str) -> Result<ComplexSelector, String> {
    let list = css::parse_selector(selector)
        .map_err(|e| format!("`{selector}` is not a valid CSS selector: {}", e.message))?;
    let first = list.selectors.into_iter().next();
    first.ok_or_else(|| format!("`{selector}` selects nothing the harness can build"))
}

/// The message for a part of `selector` that the harness cannot build.
fn refusal(what: &str, selector: &str) -> String {
    format!(
        "the harness cannot build {what} of `{selector}`; run this check against a real page with --base-url"
    )
}

/// Builds the chain for `complex` (written as `selector`, for messages).
fn build(
    complex: &ComplexSelector,
    selector: &str,
    leaf_tag: &str,
) -> Result<Vec<Element>, String> {
    let cannot = |what: String| refusal(&what, selector);
    let parts: Vec<_> = complex.parts().collect();
    let mut els: Vec<Element> = Vec::new();
    // The elements already placed before the current one under the same parent.
    let mut siblings: Vec<Element> = Vec::new();
    for (i, &(before, compound)) in parts.iter().enumerate() {
        let after = parts.get(i + 1).and_then(|&(c, _)| c);
        let is_sibling = matches!(
            after,
            Some(Combinator::NextSibling | Combinator::SubsequentSibling)
        );
        let tag = if i + 1 == parts.len() {
            leaf_tag
        } else {
            "div"
        };
        let e = element(compound, tag).map_err(cannot)?;
        if before != Some(Combinator::NextSibling) {
            let fill = fillers(compound, siblings.len()).map_err(cannot)?;
            siblings.extend(fill);
        }
        let last = match (is_sibling, els.is_empty()) {
            (true, _) => Some(false),
            (false, true) => None, // the page body may hold more after it
            (false, false) => Some(true),
        };
        let place = Place {
            before: &siblings,
            last,
        };
        if !matches_compound(&e, &place, compound).map_err(cannot)? {
            return Err(cannot("an element meeting every condition".to_owned()));
        }
        if is_sibling {
            siblings.push(e);
        } else {
            if !siblings.is_empty() {
                els.push(group(std::mem::take(&mut siblings)));
            }
            els.push(e);
        }
    }
    Ok(els)
}

/// An element with the tag, id, classes and attributes `compound` names. Conditions it
/// cannot write down (`:not`, positions, a second id) are left to [`matches_compound`].
fn element(compound: &CompoundSelector, default_tag: &str) -> Result<Element, String> {
    let mut e = Element {
        tag: default_tag.to_owned(),
        ..Element::default()
    };
    for simple in &compound.simple {
        match simple {
            // The page writer keeps only letters and digits of a tag (so no `x-widget`).
            SimpleSelector::Type(name) if name.chars().all(|c| c.is_ascii_alphanumeric()) => {
                e.tag = name.to_ascii_lowercase();
            }
            SimpleSelector::Type(name) => return Err(format!("the element `{name}`")),
            SimpleSelector::Id(id) => {
                e.attrs.entry("id".to_owned()).or_insert_with(|| id.clone());
            }
            SimpleSelector::Class(class) => {
                let classes = e.attrs.entry("class".to_owned()).or_default();
                if !classes.is_empty() {
                    classes.push(' ');
                }
                classes.push_str(class);
            }
            SimpleSelector::Attribute(a) => {
                let plain =
                    |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.');
                if !a.name.chars().all(plain) {
                    return Err(format!("the attribute `{}`", a.name));
                }
                let value = a.matcher.as_ref().map_or("", |m| m.value.as_str());
                let name = a.name.to_ascii_lowercase();
                e.attrs.entry(name).or_insert_with(|| value.to_owned());
            }
            SimpleSelector::Universal
            | SimpleSelector::PseudoClass(_)
            | SimpleSelector::Nesting => {}
        }
    }
    Ok(e)
}

/// Filler siblings that put the element for `compound`, after `taken` siblings, at the
/// first position all its `:nth-child()` allow.
fn fillers(compound: &CompoundSelector, taken: usize) -> Result<Vec<Element>, String> {
    let nth: Vec<_> = (compound.simple.iter())
        .filter_map(|s| match s {
            SimpleSelector::PseudoClass(PseudoClass {
                name,
                argument: Some(PseudoArgument::Nth { an_b, of: None }),
            }) if name == "nth-child" => Some(an_b),
            _ => None,
        })
        .collect();
    let fits = |p: usize| nth.iter().all(|an_b| an_b.matches(p));
    let Some(position) = (taken + 1..=MAX_POSITION).find(|&p| fits(p)) else {
        return Err(format!(
            "an element at a `:nth-child()` position up to {MAX_POSITION}"
        ));
    };
    let filler = Element {
        tag: "span".to_owned(),
        ..Element::default()
    };
    Ok(vec![filler; position - 1 - taken])
}

/// A group: siblings placed before the next element of a chain.
fn group(children: Vec<Element>) -> Element {
    Element {
        children,
        ..Element::default()
    }
}

fn is_group(e: &Element) -> bool {
    e.tag.is_empty()
}

/// Where an element sits among its siblings.
struct Place<'a> {
    /// The siblings before it.
    before: &'a [Element],
    /// Whether nothing follows it under its parent; `None` when that is not known.
    last: Option<bool>,
}

/// Where chain element `k` sits: after the group before it, if any, and last under its
/// parent unless it is outermost.
fn place_in(els: &[Element], k: usize) -> Place<'_> {
    let previous = k.checked_sub(1).and_then(|j| els.get(j));
    let before = previous
        .filter(|p| is_group(p))
        .map_or(&[][..], |g| &g.children);
    let outermost = els.iter().take(k).all(is_group);
    let last = (!outermost).then_some(true);
    Place { before, last }
}

/// Whether `e`, placed at `place`, matches `compound`; the error names a part of it that
/// the harness cannot decide.
fn matches_compound(
    e: &Element,
    place: &Place<'_>,
    compound: &CompoundSelector,
) -> Result<bool, String> {
    compound.simple.iter().try_fold(true, |all, simple| {
        Ok(matches_simple(e, place, simple)? && all)
    })
}

fn matches_simple(e: &Element, place: &Place<'_>, simple: &SimpleSelector) -> Result<bool, String> {
    Ok(match simple {
        SimpleSelector::Type(name) => e.tag.eq_ignore_ascii_case(name),
        SimpleSelector::Universal => true,
        SimpleSelector::Id(id) => attr(e, "id") == Some(id),
        SimpleSelector::Class(class) => {
            attr(e, "class").is_some_and(|v| words(v).any(|w| w == class))
        }
        SimpleSelector::Attribute(a) => match (attr(e, &a.name), &a.matcher) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(value), Some(m)) => value_matches(value, m),
        },
        SimpleSelector::PseudoClass(p) => matches_pseudo(e, place, p)?,
        SimpleSelector::Nesting => return Err("`&`".to_owned()),
    })
}

fn matches_pseudo(e: &Element, place: &Place<'_>, p: &PseudoClass) -> Result<bool, String> {
    let position = place.before.len() + 1;
    let last = || {
        let what = format!("`:{}` on the outermost element", p.name);
        place.last.ok_or(what)
    };
    Ok(match (p.name.as_str(), &p.argument) {
        ("first-child", None) => position == 1,
        ("last-child", None) => last()?,
        ("only-child", None) => position == 1 && last()?,
        ("first-of-type", None) => {
            let same_type = |s: &Element| s.tag.eq_ignore_ascii_case(&e.tag);
            !place.before.iter().any(same_type)
        }
        ("nth-child", Some(PseudoArgument::Nth { an_b, of: None })) => an_b.matches(position),
        ("not", Some(PseudoArgument::Selectors(list))) => {
            let mut any = false;
            for complex in &list.selectors {
                if !complex.rest.is_empty() {
                    return Err("`:not()` of a selector with a combinator".to_owned());
                }
                any |= matches_compound(e, place, &complex.first)?;
            }
            !any
        }
        ("nth-child", _) => return Err("`:nth-child(… of …)`".to_owned()),
        (name, None) => return Err(format!("`:{name}`")),
        (name, Some(_)) => return Err(format!("`:{name}()`")),
    })
}

/// The value of `e`'s attribute `name` (HTML attribute names ignore ASCII case).
fn attr<'a>(e: &'a Element, name: &str) -> Option<&'a str> {
    let mut attrs = e.attrs.iter();
    let found = attrs.find(|(k, _)| k.eq_ignore_ascii_case(name));
    found.map(|(_, v)| v.as_str())
}

/// The whitespace-separated words of an attribute value, as `class` and `~=` read it.
fn words(value: &str) -> impl Iterator<Item = &str> {
    value.split(HTML_WHITESPACE).filter(|w| !w.is_empty())
}

/// Whether attribute value `value` satisfies `m`, as a browser decides it.
fn value_matches(value: &str, m: &AttributeMatcher) -> bool {
    let (mut value, mut want) = (value.to_owned(), m.value.clone());
    if m.case_insensitive {
        value.make_ascii_lowercase();
        want.make_ascii_lowercase();
    }
    let nonempty = !want.is_empty();
    match m.op {
        AttributeOp::Equals => value == want,
        AttributeOp::Includes => {
            nonempty && !want.contains(HTML_WHITESPACE) && words(&value).any(|w| w == want)
        }
        AttributeOp::DashMatch => value == want || value.starts_with(&format!("{want}-")),
        AttributeOp::Prefix => nonempty && value.starts_with(&want),
        AttributeOp::Suffix => nonempty && value.ends_with(&want),
        AttributeOp::Substring => nonempty && value.contains(&want),
    }
}

/// Puts `attr=value` on the nearest element of the chain that matches the last compound
/// of `selector`, or wraps the chain in elements built from `selector`.
pub(super) fn place_closest(
    els: &mut Vec<Element>,
    selector: &str,
    attr: &str,
    value: &str,
) -> Result<(), String> {
    let complex = first_selector(selector)?;
    let mut wanted = build(&complex, selector, "div")?;
    let subject = complex.subject();
    let nearest = (0..els.len()).rev().find(|&k| {
        els.get(k).is_some_and(|e| {
            !is_group(e) && matches_compound(e, &place_in(els, k), subject) == Ok(true)
        })
    });
    if let Some(e) = nearest.and_then(|k| els.get_mut(k)) {
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

    fn built(selector: &str, leaf_tag: &str) -> String {
        html(chain(selector, leaf_tag).unwrap_or_else(|e| panic!("{e}")))
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
        assert!(
            chain("a:hover", "button")
                .unwrap_err()
                .contains("--base-url")
        );
        assert!(chain("li:is(.x)", "button").unwrap_err().contains(":is"));
    }

    #[test]
    fn names_values_positions_and_siblings_are_built() {
        let cases = [
            (
                "#a\\:b.caf\\e9 x",
                r#"<button class="caféx" id="a:b"></button>"#,
            ),
            (
                "[data-v~=x][data-w|=en][Data-K^=\"p\\\"q\" i]",
                r#"<button data-k="p&quot;q" data-v="x" data-w="en"></button>"#,
            ),
            (
                "button.buy:not(.disabled), a.other",
                r#"<button class="buy"></button>"#,
            ),
            ("h2 + button", "<h2></h2><button></button>"),
            ("ul > li:last-child > a", "<ul><li><a></a></li></ul>"),
            (
                ".list li:nth-child(2n) + li:not(.sold-out)",
                r#"<div class="list"><span></span><li></li><li></li></div>"#,
            ),
            (
                "main > h1 ~ p:nth-child(4)",
                "<main><h1></h1><span></span><span></span><p></p></main>",
            ),
        ];
        for (selector, want) in cases {
            assert_eq!(built(selector, "button"), want, "{selector}");
        }
        // A leaf pushed after the chain (a button found by its text `within` it) nests
        // inside its last element, after that element's own siblings.
        let mut els = chain("h2 + .card", "div").unwrap();
        els.push(Element {
            tag: "button".into(),
            text: Some("Go".into()),
            ..Element::default()
        });
        assert_eq!(
            html(els),
            r#"<h2></h2><div class="card"><button>Go</button></div>"#
        );
    }

    #[test]
    fn refusals_say_what_cannot_be_built() {
        let cases = [
            ("a:hover", "`:hover`"),
            ("p:lang(en)", "`:lang()`"),
            ("#a#b", "an element meeting every condition"),
            ("[a~=\"b c\"]", "an element meeting every condition"),
            ("[a^=\"\"]", "an element meeting every condition"),
            (".a\\ b", "an element meeting every condition"),
            ("h2 + p:only-child", "an element meeting every condition"),
            ("[a\\ b]", "the attribute `a b`"),
            (
                "button:last-child",
                "`:last-child` on the outermost element",
            ),
            (
                "li:nth-child(5000)",
                "an element at a `:nth-child()` position up to 1000",
            ),
            ("a:not(b > c)", "`:not()` of a selector with a combinator"),
        ];
        for (selector, what) in cases {
            let want = format!(
                "the harness cannot build {what} of `{selector}`; run this check against a real page with --base-url"
            );
            assert_eq!(chain(selector, "button"), Err(want), "{selector}");
        }
        let invalid =
            "`a >` is not a valid CSS selector: a combinator `>` must be followed by a selector";
        assert_eq!(chain("a >", "button"), Err(invalid.to_owned()));
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

    #[test]
    fn closest_checks_the_whole_compound_on_ancestors_only() {
        let closest = |button: &str, closest: &str| {
            let mut els = chain(button, "button").unwrap();
            place_closest(&mut els, closest, "data-x", "1").unwrap();
            html(els)
        };
        // A `section.card` is not a `div.card`.
        assert_eq!(
            closest("section.card > button", "div.card"),
            r#"<div class="card" data-x="1"><section class="card"><button></button></section></div>"#
        );
        // The `.label` before the button is a sibling, not an ancestor.
        assert_eq!(
            closest(".label + button", ".label"),
            r#"<div class="label" data-x="1"><div class="label"></div><button></button></div>"#
        );
        // Positions count: this `li` is the second child.
        assert_eq!(
            closest("ul > li:nth-child(2) > button", "li:nth-child(2)"),
            r#"<ul><span></span><li data-x="1"><button></button></li></ul>"#
        );
        assert_eq!(
            closest("ul > li:nth-child(2) > button", "ul > li:first-child"),
            r#"<ul><li data-x="1"><ul><span></span><li><button></button></li></ul></li></ul>"#
        );
    }
}
