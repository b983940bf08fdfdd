//! The inventory behind `tagc scan` (issue 19): every element of a loaded page a visitor
//! can act on, each with a locator proven unique in the page.
//!
//! [`Page::inventory`] evaluates one script ([`INVENTORY_JS`]) in the page and reads its
//! answer. It takes the page **as it is**: it does not wait for anything. A caller that
//! wants elements rendered late waits first, with [`Page::wait_until`] (network quiet),
//! [`Page::settle`] (a fixed extra delay) or [`Page::wait_for`] (a condition).
//!
//! # Which elements
//! In document order, descending into **open** shadow roots (a host's shadow tree comes
//! right after the host): `a[href]`, `button`, `input[type=submit|button|image|reset]`,
//! `[role=button]`, `[onclick]`, `summary`, `form` (standing for its submit), and any
//! element with a click-like listener of its own ([`Page::mark_click_listeners`], through
//! CDP) unless it is a delegation container (it holds other candidates or covers more than
//! half the viewport). An element inside a `button`, a link or a `[role=button]` is not
//! listed on its own (a click on it is a click on that ancestor), except a form's
//! controls. Closed shadow roots and iframes are not searched. Handlers delegated to the
//! document (jQuery's `$(document).on`, React) are invisible to CDP and not found.
//!
//! # Text
//! An element's text is the runtime's `label()` ([`crate::emit::text_js`], the first part
//! of the script): one text rule for the runtime, `tagc verify` and the inventory. Like
//! the runtime, it reads the DOM, not the rendering; whitespace runs, U+2028 included,
//! become one space.
//!
//! # Locators
//! The first of these that designates the element and nothing else, counting every
//! attached element (visible or not, since the runtime fires on any), searched like the
//! driver searches ([`crate::browser::act`]): each open shadow root separately.
//! 1. [`Locator::Text`] — the label is non-empty, at most 80 characters, the element is
//!    not a form (a form's label is all of its text), and the driver's text search (the
//!    innermost elements whose label is the text, an element giving way to a visible match
//!    inside it) finds this element or only matches inside it (a `<span>` in the button:
//!    a click on it is the button's click).
//! 2. [`Locator::Id`] — `#id`, when the id is unique and does not look generated:
//!    - Playwright's `isGuidLike`: counting changes of character class (lower case, upper
//!      case, digit, other; `-` and `_` skipped; lower case after upper case is no
//!      change), generated when the changes are at least a quarter of the length
//!      (`btn-8f3a9c2e1b`, `a1b2`);
//!    - a run of 4 or more digits (`item-20231107`);
//!    - a `-`/`_`/`:`-separated part of 6 or more hexadecimal characters with a digit
//!      (`x-deadbeef01`);
//!    - a known generated prefix: `:r` (React's `useId`), `react-`, `radix-`, `headlessui-`,
//!      `mui-`, `ember` + digit, `yui_`, `ext-gen`, `gwt-uid`, `__next`, or a `:` anywhere.
//! 3. [`Locator::Data`] — `[attr="value"]` (with the tag in front when that alone is not
//!    unique) for the first of `data-testid`, `data-test-id`, `data-test`, `data-qa`,
//!    `data-cy`, then any `data-track*` attribute, that is unique.
//! 4. [`Locator::Name`] — `tag[name="value"]` on a `button`, `input`, `form` or `select`.
//! 5. [`Locator::Text`] with `within` — the text is not unique, but the nearest ancestor
//!    (8 levels up at most) with a unique stable selector — its id, a test or tracking
//!    data attribute (rungs 2 and 3), or a `header`, `nav`, `main`, `footer` or `aside`
//!    alone of its kind — holds it, and the driver's text search inside that ancestor finds
//!    this element: "Contacto" in the `footer`, "Más información" in
//!    `[data-testid="plan-pro"]`.
//! 6. [`Locator::Path`] — the shortest CSS path found walking up from the element (at most
//!    6 levels, not leaving its shadow root): at each level a stable `#id` of the ancestor
//!    ends the path; otherwise `tag.class…` (at most 3 stable classes: generated-looking,
//!    CSS-in-JS `css-`/`sc-`/`jsx-`/`emotion-`/`svelte-`/`astro-`, CSS-modules `_xxxxx`
//!    suffixes and state classes `active open selected hover focus is-* has-*` are
//!    dropped), with `:nth-of-type(k)` added when that alone is not unique; joined with
//!    ` > `. Every candidate is checked: exactly one match, and it is the element.
//!
//! A selector that `tagc check`'s grammar ([`crate::css::validate_selector`]) refuses is
//! dropped: such an element has no locator.
//!
//! # Repeated alike elements
//! Identical buttons in product cards get **distinct** locators, one per card — a path
//! through the card's position (`div.product-card:nth-of-type(2) > button.add`) or its own
//! data attribute — each proven to select that card's button only. [`Element::alike`]
//! counts the listed elements with the same tag and text, so a caller can tell a grid from
//! a one-off.
//!
//! Two or more such elements that also share their stable classes form a [`Group`]: one
//! selector that matches exactly them and nothing else, counted in every root — their
//! own `tag.classes` (`button.add`; never a bare tag) when that alone is exact, else prefixed with an
//! ancestor's stable class (six levels up at most) under which it is exact for two or
//! more of them (`.product-card button.add`; the largest such group wins, then one whose
//! cards are told apart, then the nearest). When those ancestors carry a data attribute
//! whose value differs from card to card (`data-id`, `data-sku`, `data-*-id`), it is
//! named, so one configured button can read which card was clicked (`{from: attribute,
//! name: data-id, closest: .product-card}`). Alike elements that no such selector
//! isolates have no group.

use std::collections::BTreeSet;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::act::Target;
use super::{BrowserError, Page};

/// Every element of a page a visitor can act on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    /// The document's URL when the inventory was taken.
    pub url: String,
    /// The elements, in document order (through open shadow roots).
    pub elements: Vec<Element>,
}

/// One element a visitor can act on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Element {
    /// The tag name, lower case: `button`, `a`, `input`, `form`, …
    pub tag: String,
    /// The `role` attribute, or the implicit role of the tag (`a` → `link`, `button` and
    /// button-like inputs and `summary` → `button`, `form` → `form`); `None` otherwise.
    pub role: Option<String>,
    /// The visible text: the runtime's `label()` (an input's value; otherwise the DOM's
    /// text, whitespace collapsed).
    pub text: String,
    /// Whether it has a non-empty box and computed `visibility: visible` (the driver's
    /// rule).
    pub visible: bool,
    /// Its box, in CSS pixels of the document (scroll offsets added).
    pub rect: Rect,
    /// Whether it is `:disabled` or `aria-disabled="true"`.
    pub disabled: bool,
    /// Whether it is inside an open shadow root.
    pub in_shadow: bool,
    /// Whether it has a click-like listener of its own ([`Page::mark_click_listeners`]);
    /// an element is listed for that alone when it is not a delegation container.
    pub listener: bool,
    /// Where activating it goes, if anywhere.
    pub navigates: Option<Navigates>,
    /// A locator that designates this element and nothing else; `None` when none of the
    /// rungs found one.
    pub locator: Option<Locator>,
    /// How many listed elements (this one included) have the same tag and text: more
    /// than 1 for a grid of alike buttons.
    pub alike: usize,
    /// The group of alike elements this one belongs to (see the [module](self)), the same
    /// for each member.
    #[serde(default)]
    pub group: Option<Group>,
}

/// Alike elements (same tag, text and stable classes) that one selector designates
/// exactly: a grid's "Add to cart" buttons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// The selector matching exactly the group's elements: `.product-card button.add`.
    pub selector: String,
    /// How many elements it matches.
    pub count: usize,
    /// The ancestor's class selector that prefixes it (`.product-card`), if any.
    pub container: Option<String>,
    /// A data attribute of the containers whose value differs between all of them
    /// (`data-id`): what identifies the clicked card.
    pub closest_attribute: Option<String>,
}

/// A box in CSS pixels of the document.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

/// Where an element goes when activated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Navigates {
    /// A link: its resolved `href` (not for `#…` or `javascript:` links).
    Link {
        /// The absolute URL.
        href: String,
    },
    /// A form, or a submit button in one: where it is submitted.
    Form {
        /// The resolved action (`formaction` of the button if it has one).
        action: String,
        /// `get` or `post` (or `dialog`).
        method: String,
    },
}

/// A locator proven unique in the page, by the rung of the ladder that gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Locator {
    /// `text:` — the element's label, with `within:` when the text alone is not unique
    /// but is inside a uniquely selected ancestor.
    Text {
        /// The text.
        text: String,
        /// The container's selector (`#pricing`, `[data-testid="plan-pro"]`, `footer`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        within: Option<String>,
    },
    /// `#id` (or `[id="…"]`) of a stable-looking id.
    Id {
        /// The selector.
        selector: String,
    },
    /// A test or tracking data attribute.
    Data {
        /// The selector.
        selector: String,
    },
    /// `tag[name="…"]`.
    Name {
        /// The selector.
        selector: String,
    },
    /// A short CSS path.
    Path {
        /// The selector.
        selector: String,
    },
}

impl Locator {
    /// The target the driver ([`Page::locate`], [`Page::click_target`]) takes for it.
    #[must_use]
    pub fn target(&self) -> Target<'_> {
        match self {
            Locator::Text { text, within } => Target::Text {
                text,
                within: within.as_deref(),
            },
            Locator::Id { selector }
            | Locator::Data { selector }
            | Locator::Name { selector }
            | Locator::Path { selector } => Target::Selector(selector),
        }
    }

    /// The selector, for every rung but [`Locator::Text`].
    #[must_use]
    pub fn selector(&self) -> Option<&str> {
        match self {
            Locator::Text { .. } => None,
            Locator::Id { selector }
            | Locator::Data { selector }
            | Locator::Name { selector }
            | Locator::Path { selector } => Some(selector),
        }
    }
}

impl Page<'_> {
    /// Lists every element of the current document a visitor can act on (see the
    /// [module](self) for which, and how each locator is chosen). It first marks the
    /// elements with click listeners ([`Page::mark_click_listeners`]). It does not wait:
    /// call it once the page has settled. The listed elements themselves stay in the
    /// document's window, in order, as the non-enumerable `__tagc_listed`, so that a
    /// script evaluated next (`tagc scan`'s matching) takes them as they are instead of
    /// finding them again.
    ///
    /// # Errors
    /// When a CDP call fails, the script cannot be evaluated (the page is gone, the
    /// deadline passes) or its answer is not an inventory.
    pub fn inventory(&mut self) -> Result<Inventory, BrowserError> {
        self.mark_click_listeners()?;
        let value = self.eval(&INVENTORY_JS)?;
        let mut inv: Inventory =
            serde_json::from_value(value).map_err(|e| BrowserError::Script {
                expression: "inventory".to_owned(),
                message: format!("unexpected answer: {e}"),
            })?;
        // A selector `tagc check` would refuse is no locator (the browser's grammar is
        // wider than tagc's).
        for e in &mut inv.elements {
            if e.locator.as_ref().is_some_and(|l| {
                let within = match l {
                    Locator::Text { within, .. } => within.as_deref(),
                    _ => None,
                };
                l.selector()
                    .into_iter()
                    .chain(within)
                    .any(|s| crate::css::validate_selector(s).is_err())
            }) {
                e.locator = None;
            }
            if e.group.as_ref().is_some_and(|g| {
                crate::css::validate_selector(&g.selector).is_err()
                    || g.container
                        .as_ref()
                        .is_some_and(|c| crate::css::validate_selector(c).is_err())
            }) {
                e.group = None;
            }
        }
        Ok(inv)
    }

    /// Marks, for [`Page::inventory`], every element of the top document (and its open
    /// shadow roots) that has a listener of its own for a click-like event
    /// ([`CLICK_TYPES`]), as CDP's `DOMDebugger.getEventListeners` sees them; returns how
    /// many elements were marked.
    ///
    /// Listeners on `window`, the document, `<html>` and `<body>` are not marked: that is
    /// where delegating libraries listen (React ≥ 17 on its root container, which the
    /// inventory drops as a container of other elements; jQuery's `$(document).on`), so
    /// **delegated handlers are invisible** here. The marks live in a `WeakSet` in a
    /// non-enumerable `window.__tagc_listened`; they add up over calls on one document (an
    /// element whose listener was removed since stays marked) and go with it.
    ///
    /// (No `DOM.enable` is needed: `getEventListeners` on the document's object with
    /// `depth: -1, pierce: true` reports descendants' listeners with their
    /// `backendNodeId`, and `DOM.resolveNode` answers for those.)
    ///
    /// # Errors
    /// When a CDP call fails.
    pub fn mark_click_listeners(&mut self) -> Result<usize, BrowserError> {
        let marked = self.mark_listeners_in_group();
        let released = self.call(
            "Runtime.releaseObjectGroup",
            json!({"objectGroup": OBJECT_GROUP}),
        );
        let marked = marked?;
        released?;
        Ok(marked)
    }

    fn mark_listeners_in_group(&mut self) -> Result<usize, BrowserError> {
        let deadline = Instant::now() + self.timeout;
        let doc = self.call_until(
            "Runtime.evaluate",
            json!({"expression": "document", "returnByValue": false, "objectGroup": OBJECT_GROUP}),
            deadline,
        )?;
        let Some(doc) = doc["result"]["objectId"].as_str() else {
            return Ok(0);
        };
        let listeners = self.call_until(
            "DOMDebugger.getEventListeners",
            json!({"objectId": doc, "depth": -1, "pierce": true}),
            deadline,
        )?;
        let mut nodes = BTreeSet::new();
        for l in listeners["listeners"].as_array().into_iter().flatten() {
            if let (Some(t), Some(node)) = (l["type"].as_str(), l["backendNodeId"].as_u64())
                && CLICK_TYPES.contains(&t)
            {
                nodes.insert(node);
            }
        }
        // Pipelined, like `mouse_click`: every request sent, then every answer awaited.
        let mut ids = Vec::with_capacity(nodes.len());
        for node in &nodes {
            ids.push(self.send(
                "DOM.resolveNode",
                json!({"backendNodeId": node, "objectGroup": OBJECT_GROUP}),
            )?);
        }
        let mut objects = Vec::with_capacity(ids.len());
        for id in ids {
            // A node gone meanwhile is no error: it is not marked.
            if let Ok(r) = self.await_response(id, "DOM.resolveNode", deadline)
                && let Some(o) = r["object"]["objectId"].as_str()
            {
                objects.push(o.to_owned());
            }
        }
        let mut ids = Vec::with_capacity(objects.len());
        for o in &objects {
            ids.push(self.send(
                "Runtime.callFunctionOn",
                json!({"objectId": o, "functionDeclaration": MARK_FN, "returnByValue": true}),
            )?);
        }
        let mut marked = 0;
        for id in ids {
            let r = self.await_response(id, "Runtime.callFunctionOn", deadline)?;
            if r["result"]["value"] == json!(true) {
                marked += 1;
            }
        }
        Ok(marked)
    }
}

/// The events whose listener on an element makes it clickable for the inventory.
pub const CLICK_TYPES: [&str; 8] = [
    "click",
    "mousedown",
    "mouseup",
    "pointerdown",
    "pointerup",
    "touchstart",
    "touchend",
    "auxclick",
];

const OBJECT_GROUP: &str = "tagc-inventory";

/// Called on each element with a listener: adds it to the marks of its window, when that
/// is the top window and the element is not `<html>` or `<body>`.
const MARK_FN: &str = "function () {
  if (window !== window.top || this.nodeType !== 1 || this === document.documentElement || this === document.body) return false;
  let s = window.__tagc_listened;
  if (!s) { s = new WeakSet(); Object.defineProperty(window, '__tagc_listened', { value: s, configurable: true }); }
  s.add(this);
  return true;
}";

/// The in-page inventory: an expression whose value is the [`Inventory`]'s JSON. `tidy`
/// and `label` are the runtime's own text functions.
pub static INVENTORY_JS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "(() => {{\n{text}\n{search}\n{body}\n}})()",
        text = crate::emit::text_js(),
        search = super::act::SEARCH_JS,
        body = INVENTORY_BODY
    )
});

const INVENTORY_BODY: &str = r#"
// The driver's trees (`roots`, shared search code): the document, then each open shadow root.
const trees = roots(document);
// The driver's `query`, memoized: a selector runs in each root separately, and the
// elements of a grid ask the same selectors (`button.add`) over and over.
const queried = new Map();
const query = (sel) => {
  if (queried.has(sel)) return queried.get(sel);
  let m;
  try { m = trees.flatMap((r) => [...r.querySelectorAll(sel)]); } catch (err) { m = null; }
  queried.set(sel, m);
  return m;
};
const only = (sel, e) => { const m = query(sel); return !!m && m.length === 1 && m[0] === e; };
// `n`'s position among its parent's children of its tag, and their count: one pass per parent.
const ofType = new Map();
// (The parent may be a shadow root: its top elements are siblings for `:nth-of-type`.)
const nthOfType = (n) => {
  if (!n.parentNode) return [1, 1];
  if (!ofType.has(n)) {
    const seen = new Map();
    for (const c of n.parentNode.children) { const k = (seen.get(c.tagName) || 0) + 1; seen.set(c.tagName, k); ofType.set(c, k); }
    for (const c of n.parentNode.children) ofType.set(c, [ofType.get(c), seen.get(c.tagName)]);
  }
  return ofType.get(n);
};
const disabled = (e) => e.matches(':disabled') || e.getAttribute('aria-disabled') === 'true';
// Every element's label, once; the driver's text search (`labelled`, `innermost`) over them.
const byLabel = new Map();
for (const e of labelled(document)) {
  const l = label(e);
  if (!l) continue;
  if (!byLabel.has(l)) byLabel.set(l, []);
  byLabel.get(l).push(e);
}
const found = new Map();
const findText = (text) => {
  if (!found.has(text)) found.set(text, innermost(byLabel.get(text) || []));
  return found.get(text);
};
// Playwright's isGuidLike, and tagc's additions (see the module's documentation).
const guidLike = (id) => {
  let last, changes = 0;
  for (const c of id) {
    if (c === '-' || c === '_') continue;
    const t = c >= 'a' && c <= 'z' ? 'lower' : c >= 'A' && c <= 'Z' ? 'upper' : c >= '0' && c <= '9' ? 'digit' : 'other';
    if (t === 'lower' && last === 'upper') { last = t; continue; }
    if (last && last !== t) changes++;
    last = t;
  }
  return changes >= id.length / 4;
};
const generated = (id) => guidLike(id) || /\d{4,}/.test(id) ||
  id.split(/[-_:]/).some((p) => p.length >= 6 && /^[0-9a-f]+$/i.test(p) && /\d/.test(p)) ||
  /^(:r|react-|radix-|headlessui-|mui-|ember\d|yui_|ext-gen|gwt-uid|__next)/.test(id) || id.includes(':');
// A CSS string: `\` and `"` escaped, control characters as hexadecimal escapes.
const quote = (v) => '"' + v.replace(/[\\"]/g, '\\$&').replace(/[\u0000-\u001f\u007f]/g, (c) => '\\' + c.charCodeAt(0).toString(16) + ' ') + '"';
const idSel = (e) => {
  const id = e.getAttribute('id');
  if (!id || generated(id)) return null;
  const s = /^[A-Za-z_][\w-]*$/.test(id) ? '#' + CSS.escape(id) : '[id=' + quote(id) + ']';
  return only(s, e) ? s : null;
};
const stableClass = (c) => !guidLike(c) && !/^(css|sc|jsx|emotion|svelte|astro)-/.test(c) && !/_[A-Za-z0-9]{5}$/.test(c) &&
  !/^(active|open|selected|hover|focus|is-.*|has-.*)$/.test(c) && !/\d{4,}/.test(c);
const tagOf = (e) => e.tagName.toLowerCase();
// The matches of a path (`A > B > C`, steps from the top), as `query` would count them,
// without a document-wide search per element: the first step's matches come from the
// cached matches of its compound (an `:nth-of-type(k)` step from its base's, indexed by
// position), each further step's among the children. A grid of 2,000 cards asks 2,000
// distinct `div.card:nth-of-type(k) > button.add`: one search of `div.card` serves them.
const NTH = /^(.*):nth-of-type\((\d+)\)$/;
const byNth = new Map();
const nthMatches = (base, k) => {
  if (!byNth.has(base)) {
    const index = new Map();
    for (const x of query(base) || []) {
      const j = nthOfType(x)[0];
      if (!index.has(j)) index.set(j, []);
      index.get(j).push(x);
    }
    byNth.set(base, index);
  }
  return byNth.get(base).get(k) || [];
};
const stepMatches = (step) => { const m = NTH.exec(step); return m ? (query(m[1]) ? nthMatches(m[1], +m[2]) : null) : query(step); };
const pathCache = new Map();
const pathMatches = (steps) => {
  const key = steps.join(' > ');
  if (!pathCache.has(key)) {
    let cur = stepMatches(steps[0]);
    for (let i = 1; cur && i < steps.length && cur.length; i++) {
      const next = [];
      for (const c of cur) for (const ch of c.children) if (ch.matches(steps[i])) next.push(ch);
      cur = next;
    }
    pathCache.set(key, cur);
  }
  return pathCache.get(key);
};
const onlyPath = (steps, e) => { const m = pathMatches(steps); return !!m && m.length === 1 && m[0] === e; };
const path = (e) => {
  const parts = [];
  for (let n = e, depth = 0; n && depth < 6; n = n.parentElement, depth++) {
    if (depth > 0) { const id = idSel(n); if (id) { const steps = [id, ...parts]; return onlyPath(steps, e) ? steps.join(' > ') : null; } }
    const base = tagOf(n) + [...n.classList].filter(stableClass).slice(0, 3).map((c) => '.' + CSS.escape(c)).join('');
    if (onlyPath([base, ...parts], e)) return [base, ...parts].join(' > ');
    const [k, of] = nthOfType(n);
    let step = base;
    if (of > 1) {
      step = base + ':nth-of-type(' + k + ')';
      if (onlyPath([step, ...parts], e)) return [step, ...parts].join(' > ');
    }
    parts.unshift(step);
  }
  return null;
};
const DATA = ['data-testid', 'data-test-id', 'data-test', 'data-qa', 'data-cy'];
const locate = (e, text) => {
  if (text && text.length <= 80 && e.tagName !== 'FORM') {
    const m = findText(text);
    if (m.length && m.every((o) => o === e || e.contains(o))) return { kind: 'text', text };
  }
  const id = idSel(e);
  if (id) return { kind: 'id', selector: id };
  const attrs = [...DATA.filter((a) => e.hasAttribute(a)), ...e.getAttributeNames().filter((a) => a.startsWith('data-track'))];
  for (const a of attrs) {
    const v = e.getAttribute(a);
    for (const s of ['[' + a + '=' + quote(v) + ']', tagOf(e) + '[' + a + '=' + quote(v) + ']']) if (only(s, e)) return { kind: 'data', selector: s };
  }
  if (/^(BUTTON|INPUT|FORM|SELECT)$/.test(e.tagName) && e.getAttribute('name')) {
    const s = tagOf(e) + '[name=' + quote(e.getAttribute('name')) + ']';
    if (only(s, e)) return { kind: 'name', selector: s };
  }
  // `text:` + `within:`: the text is not unique, but it is inside the nearest ancestor
  // that has a unique stable selector (an id, a test or tracking attribute, or a landmark
  // alone of its kind), and the driver's search inside it finds this element.
  if (text && text.length <= 80 && e.tagName !== 'FORM') {
    for (let a = e.parentElement, depth = 0; a && depth < 8; a = a.parentElement, depth++) {
      const w = anchorSel(a);
      if (!w) continue;
      if (!inside.has(a)) inside.set(a, new Map());
      const seen = inside.get(a);
      if (!seen.has(text)) seen.set(text, findText(text).filter((o) => a.contains(o)));
      const m = seen.get(text);
      if (m.length && m.every((o) => o === e || e.contains(o))) return { kind: 'text', text, within: w };
      break;
    }
  }
  const p = path(e);
  return p ? { kind: 'path', selector: p } : null;
};
// The driver's search for a text inside an anchor, once per anchor and text (a grid's
// 2,000 alike buttons share both).
const inside = new Map();
// A unique stable selector of an ancestor, for `within:`.
const LANDMARK = /^(HEADER|NAV|MAIN|FOOTER|ASIDE)$/;
const anchorSel = (a) => {
  const id = idSel(a);
  if (id) return id;
  const attrs = [...DATA.filter((n) => a.hasAttribute(n)), ...a.getAttributeNames().filter((n) => n.startsWith('data-track'))];
  for (const n of attrs) { const s = '[' + n + '=' + quote(a.getAttribute(n)) + ']'; if (only(s, a)) return s; }
  if (LANDMARK.test(a.tagName) && only(tagOf(a), a)) return tagOf(a);
  return null;
};
const CANDIDATE = 'a[href], button, input[type=submit i], input[type=button i], input[type=image i], input[type=reset i], [role=button], [onclick], summary, form';
const ACTIVE = 'a[href], button, [role=button]';
const listened = window.__tagc_listened || new WeakSet();
// An element listed only for its listener must not be a delegation container: one that
// holds other candidates, or covers more than half of the viewport.
const container = (e) => { const r = box(e); return !!e.querySelector(CANDIDATE) || [...e.querySelectorAll('*')].some((d) => listened.has(d)) || r.width * r.height > innerWidth * innerHeight / 2; };
const list = [];
// Document order through open shadow roots: a host's shadow tree right after the host.
const walk = (parent, shadow) => {
  for (const e of parent.children) {
    const is = e.matches(CANDIDATE) || (listened.has(e) && !container(e));
    if (is && !(e.tagName !== 'FORM' && e.parentElement && e.parentElement.closest(ACTIVE))) list.push([e, shadow]);
    if (e.shadowRoot) walk(e.shadowRoot, true);
    walk(e, shadow);
  }
};
walk(document, false);
const implicit = { A: 'link', BUTTON: 'button', INPUT: 'button', SUMMARY: 'button', FORM: 'form' };
// A form's own `action` and `method`, read through the prototype: a control named
// `action` would shadow the property.
const formProp = (f, p) => String(Object.getOwnPropertyDescriptor(HTMLFormElement.prototype, p).get.call(f));
const resolve = (u) => { try { return new URL(u, document.baseURI).href; } catch (err) { return null; } };
const navigates = (e) => {
  if (e.localName === 'a') {
    // An SVG link's `href` is not a string: resolved from the attribute for all links.
    const raw = (e.getAttribute('href') || e.getAttribute('xlink:href') || '').trim();
    if (raw.startsWith('#') || /^javascript:/i.test(raw)) return null;
    const href = resolve(raw);
    return href ? { href } : null;
  }
  if (e instanceof HTMLFormElement) return { action: formProp(e, 'action'), method: formProp(e, 'method') };
  if ((e instanceof HTMLButtonElement || e instanceof HTMLInputElement) && /^(submit|image)$/.test(e.type) && e.form) {
    return { action: e.hasAttribute('formaction') ? e.formAction : formProp(e.form, 'action'), method: e.hasAttribute('formmethod') ? e.formMethod : formProp(e.form, 'method') };
  }
  return null;
};
const texts = list.map(([e]) => label(e) || '');
const alike = new Map();
list.forEach(([e], i) => { const k = e.tagName + ' ' + texts[i]; alike.set(k, (alike.get(k) || 0) + 1); });
// Groups: alike elements sharing their stable classes, and one selector for exactly them.
const baseOf = (e) => tagOf(e) + [...e.classList].filter(stableClass).slice(0, 3).map((c) => '.' + CSS.escape(c)).join('');
const members = new Map();
list.forEach(([e], i) => {
  if (alike.get(e.tagName + ' ' + texts[i]) < 2 || !texts[i] || e.tagName === 'FORM') return;
  const k = e.tagName + ' ' + texts[i] + ' ' + baseOf(e);
  if (!members.has(k)) members.set(k, []);
  members.get(k).push(e);
});
const exactly = (sel, es) => { const m = query(sel); if (!m || m.length !== es.length) return false; const set = new Set(m); return es.every((e) => set.has(e)); };
const DATA_ID = /^data-(id|sku|product|product-id|item|item-id|variant|variant-id|index|key|slug|.*-id)$/;
// The data attribute whose value tells the containers apart, if any.
const telling = (cs) => cs[0].getAttributeNames().filter((n) => DATA_ID.test(n))
  .find((n) => cs.every((c) => c.getAttribute(n)) && new Set(cs.map((c) => c.getAttribute(n))).size === cs.length) || null;
const groupOf = new Map();
for (const es of members.values()) {
  if (es.length < 2) continue;
  const base = baseOf(es[0]);
  // Candidates: the members' ancestors' stable classes (six levels up); for each, the
  // members under it, and whether `.class base` designates exactly those.
  const under = new Map();
  for (const e of es) {
    const seen = new Set();
    let a = e.parentElement;
    for (let depth = 0; a && depth < 6; depth++, a = a.parentElement) {
      for (const c of [...a.classList].filter(stableClass)) {
        if (seen.has(c)) continue;
        seen.add(c);
        if (!under.has(c)) under.set(c, { depth, es: [] });
        under.get(c).es.push(e);
      }
    }
  }
  const candidates = [];
  // A bare tag (`a`) is no group selector: it would take in any such element added later.
  if (base.includes('.') && exactly(base, es)) {
    // A bare `button.add` isolates them; a card class all of them share may still name
    // the card's attribute.
    const cards = [...under.entries()].filter(([, u]) => u.es.length === es.length)
      .map(([c, u]) => { const cont = '.' + CSS.escape(c); return { cont, depth: u.depth, attr: telling(es.map((e) => e.closest(cont))) }; })
      .sort((x, y) => (!!y.attr - !!x.attr) || x.depth - y.depth);
    const card = cards.find((k) => k.attr);
    candidates.push({ selector: base, es, container: card ? card.cont : null, attr: card ? card.attr : null, depth: -1 });
  } else {
    for (const [c, u] of under) {
      if (u.es.length < 2) continue;
      const cont = '.' + CSS.escape(c), sel = cont + ' ' + base;
      if (!exactly(sel, u.es)) continue;
      candidates.push({ selector: sel, es: u.es, container: cont, attr: telling(u.es.map((e) => e.closest(cont))), depth: u.depth });
    }
  }
  // The largest group first; then one naming the card's attribute; then the nearest.
  candidates.sort((x, y) => (y.es.length - x.es.length) || (!!y.attr - !!x.attr) || x.depth - y.depth);
  for (const k of candidates) {
    if (k.es.some((e) => groupOf.has(e))) continue;
    const group = { selector: k.selector, count: k.es.length, container: k.container, closest_attribute: k.attr };
    for (const e of k.es) groupOf.set(e, group);
  }
}
const elements = list.map(([e, shadow], i) => {
  const r = box(e);
  return {
    tag: tagOf(e),
    role: e.getAttribute('role') || implicit[e.tagName] || null,
    text: texts[i],
    visible: visible(e),
    rect: { x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height },
    disabled: disabled(e),
    in_shadow: shadow,
    listener: listened.has(e),
    navigates: navigates(e),
    locator: locate(e, texts[i]),
    alike: alike.get(e.tagName + ' ' + texts[i]),
    group: groupOf.get(e) || null,
  };
});
// The listed elements themselves, in order, for a caller that matches them next
// (`tagc scan`): a non-enumerable property of this document's window.
Object.defineProperty(window, '__tagc_listed', { value: list.map(([e]) => e), configurable: true });
return { url: location.href, elements };
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_parse_and_locators_give_targets() {
        let inv: Inventory = serde_json::from_value(json!({
            "url": "http://x/",
            "elements": [{
                "tag": "a", "role": "link", "text": "Ir", "visible": true,
                "rect": {"x": 0, "y": 1.5, "width": 10, "height": 2},
                "disabled": false, "in_shadow": false, "listener": false,
                "navigates": {"href": "http://x/y"},
                "locator": {"kind": "text", "text": "Ir"}, "alike": 1
            }, {
                "tag": "form", "role": "form", "text": "", "visible": true,
                "rect": {"x": 0, "y": 0, "width": 0, "height": 0},
                "disabled": false, "in_shadow": false, "listener": false,
                "navigates": {"action": "http://x/s", "method": "post"},
                "locator": {"kind": "path", "selector": "form"}, "alike": 1
            }]
        }))
        .unwrap();
        assert_eq!(
            inv.elements[0].navigates,
            Some(Navigates::Link {
                href: "http://x/y".into()
            })
        );
        assert!(matches!(
            inv.elements[1].navigates,
            Some(Navigates::Form { ref method, .. }) if method == "post"
        ));
        let l = inv.elements[0].locator.as_ref().unwrap();
        assert_eq!(
            l.target(),
            Target::Text {
                text: "Ir",
                within: None
            }
        );
        assert_eq!(l.selector(), None);
        assert_eq!(
            inv.elements[1].locator.as_ref().unwrap().target(),
            Target::Selector("form")
        );
        assert!(INVENTORY_JS.contains("const label"));
    }
}
