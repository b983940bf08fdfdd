//! Acting on a page like a visitor: find an element, wait until a visitor could use it,
//! then click it, type into it or submit its form.
//!
//! Finding and waiting happen inside the page, in one script (`DRIVER_JS`) evaluated
//! with `awaitPromise`: it polls once per animation frame until the deadline, so nothing
//! sleeps a fixed time and an element rendered late is used the frame it is ready. Ready
//! means what Playwright calls actionable:
//! - **attached**: a selector matches, in the document or inside an open shadow root;
//!   for a `text:` locator, the innermost element whose label (the runtime's definition,
//!   [`crate::emit::text_js`]) is the text;
//! - **visible**: a non-empty box and `visibility: visible`;
//! - **stable**: the same box in two consecutive animation frames (not animating);
//! - **enabled**: not `:disabled`, not `aria-disabled="true"`;
//! - **receives the click**: the element at the click point (hit-tested through open
//!   shadow roots) is the element or inside it; otherwise what covers it is named.
//!
//! Several visible matches are reported with the one acted on (the first in document
//! order), so a report can say which element it used. An element found only inside a
//! same-origin iframe is reported as such: the page's snippet cannot see it.

use serde::Deserialize;
use serde_json::{Value, json};

/// How an element is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    /// A CSS selector.
    Selector(&'a str),
    /// The innermost element whose label is this text, inside an element matching
    /// `within` if given.
    Text {
        /// The text (normalised as labels are).
        text: &'a str,
        /// A container selector.
        within: Option<&'a str>,
    },
}

impl Target<'_> {
    /// `` `button.buy` `` or `"Comprar"`, for messages.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Target::Selector(s) => format!("`{s}`"),
            Target::Text {
                text,
                within: Some(w),
            } => format!("the text \"{text}\" inside `{w}`"),
            Target::Text { text, within: None } => format!("the text \"{text}\""),
        }
    }

    pub(crate) fn spec(&self) -> Value {
        match self {
            Target::Selector(s) => json!({"selector": s}),
            Target::Text { text, within } => json!({"text": text, "within": within}),
        }
    }
}

/// An element ready to be acted on.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Located {
    /// The click point, in CSS pixels of the viewport.
    pub x: f64,
    /// The click point, in CSS pixels of the viewport.
    pub y: f64,
    /// The element, described: `<button#send.primary> "Enviar"`.
    pub element: String,
    /// How many visible elements matched (the first was used).
    pub visible: usize,
    /// The other visible matches (at most four), described with their position.
    #[serde(default)]
    pub others: Vec<String>,
    /// Whether every visible match has the same label (a product grid's identical
    /// buttons), as opposed to different elements that happen to match.
    #[serde(default)]
    pub same_label: bool,
}

/// Why an element could not be acted on (in words by [`super::BrowserError`]).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub(crate) enum Miss {
    /// Nothing matches.
    None {
        /// Cross-origin iframes that could not be searched.
        #[serde(default)]
        frames: usize,
    },
    /// The `within` container matches nothing.
    Within,
    /// It matches, but nothing matching is visible.
    Hidden { element: String },
    /// It is disabled.
    Disabled { element: String },
    /// It kept moving.
    Unstable { element: String },
    /// Something else takes the click.
    Covered {
        element: String,
        by: String,
        x: f64,
        y: f64,
    },
    /// Found only inside a same-origin iframe.
    Iframe { src: String },
    /// The selector does not parse in the browser.
    BadSelector { message: String },
    /// A form's fields fail their constraints.
    Invalid { form: String, fields: Vec<String> },
    /// The element is not a form or in one.
    NoForm { element: String },
}

/// What the driver answered.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub(crate) enum Answer {
    /// Found and ready.
    Ok(Located),
    /// A form was submitted without a visible submit button (`requestSubmit()`).
    Submitted {
        /// The form, described.
        submitted: String,
    },
    /// Could not.
    Miss(Miss),
}

/// What the driver does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// Find an element and make it ready for a click (visible, stable, enabled, hit).
    Click,
    /// Find an element and wait until it is visible.
    Visible,
    /// Fill a field with a value (a text field, a `<select>`, a checkbox or radio).
    Fill,
    /// Find a form (or a control in one), check its constraints, and either make its
    /// submit button ready for a click or submit it with `requestSubmit()`.
    Submit,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Click => "click",
            Op::Visible => "visible",
            Op::Fill => "fill",
            Op::Submit => "submit",
        }
    }
}

/// The driver script's call for `op` on `target`, waiting at most `wait_ms`; `stable`
/// waits for a clicked element to stop moving; `arm` guards the click about to be sent
/// (see [`LANDED_JS`]).
pub(crate) fn script(
    op: Op,
    target: &Target<'_>,
    wait_ms: u64,
    value: Option<&str>,
    stable: bool,
    arm: bool,
) -> String {
    let mut spec = target.spec();
    spec["op"] = json!(op.name());
    spec["wait"] = json!(wait_ms);
    spec["stable"] = json!(stable);
    spec["arm"] = json!(arm);
    if let Some(v) = value {
        spec["value"] = json!(v);
    }
    format!("({})({spec})", *DRIVER_JS)
}

/// The in-page driver: `(spec) => Promise<answer>`. `tidy` and `label` come from the
/// runtime's own text functions.
static DRIVER_JS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "async (spec) => {{\n{text}\n{SEARCH_JS}\n{body}\n}}",
        text = crate::emit::text_js(),
        body = DRIVER_BODY
    )
});

/// The search behind `text:` locators, shared by the driver (the script behind
/// [`super::Page::locate`] and the clicks), the inventory ([`super::inventory::INVENTORY_JS`]) and
/// `tagc scan`'s matching, so that a `text:` locator the inventory proposes is exactly what
/// the driver clicks. It needs the runtime's `label`
/// ([`crate::emit::text_js`]) in scope.
/// - `roots(doc)`: every tree to search, the document, then each open shadow root (hosts
///   in document order); selectors run in each separately.
/// - `visible(e)`: a non-empty box and `visibility: visible`.
/// - `labelled(doc)`: the elements a text can name (not `script`, `head`, `body`…).
/// - `innermost(hits)`: of the elements whose label is the text, those without a
///   visible match inside them (the `<span>` in a `<button>` gives way to nothing; a
///   card whose only text is its button's gives way to the button). Linear: each hit
///   walks up its ancestors once.
pub const SEARCH_JS: &str = r"
const roots = (doc) => {
  const out = [doc];
  for (let i = 0; i < out.length; i++) for (const e of out[i].querySelectorAll('*')) if (e.shadowRoot) out.push(e.shadowRoot);
  return out;
};
const box = (e) => e.getBoundingClientRect();
const visible = (e) => { const r = box(e); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility === 'visible'; };
const UNLABELLED = /^(SCRIPT|STYLE|TEMPLATE|NOSCRIPT|HEAD|TITLE|HTML|BODY)$/;
const labelled = (doc) => roots(doc).flatMap((r) => [...r.querySelectorAll('*')]).filter((e) => !UNLABELLED.test(e.tagName));
const innermost = (hits) => {
  if (hits.length < 2) return hits;
  const set = new Set(hits), drop = new Set();
  for (const o of hits) {
    let shown = null;
    for (let a = o.parentElement; a; a = a.parentElement) {
      if (!set.has(a) || drop.has(a)) continue;
      if (shown === null) shown = visible(o);
      if (!shown) break;
      drop.add(a);
    }
  }
  return drop.size ? hits.filter((e) => !drop.has(e)) : hits;
};
";

const DRIVER_BODY: &str = r#"
const until = performance.now() + spec.wait;
const frame = () => new Promise((r) => { requestAnimationFrame(() => r()); setTimeout(r, 50); });
const describe = (e) => {
  if (!e || e.nodeType !== 1) return 'nothing';
  let s = '<' + e.tagName.toLowerCase() + (e.id ? '#' + e.id : '');
  for (const c of [...e.classList].slice(0, 3)) s += '.' + c;
  s += '>';
  const t = label(e);
  return t ? s + ' "' + (t.length > 48 ? t.slice(0, 47) + '…' : t) + '"' : s;
};
const at = (e) => { const r = box(e); return ' at (' + Math.round(r.left + r.width / 2) + ', ' + Math.round(r.top + r.height / 2) + ')'; };
const inside = (hit, e) => { for (let n = hit; n; n = n.parentNode || n.host) if (n === e) return true; return false; };
// The element at the click point takes the click for `e`: it is `e` or inside it, or it is
// an ancestor with the same label (a label span with `pointer-events: none` in a button).
const takes = (hit, e) => !!hit && (inside(hit, e) || (inside(e, hit) && label(hit) === label(e)));
const center = { block: 'center', inline: 'center', behavior: 'instant' };
const hitAt = (x, y) => {
  let h = document.elementFromPoint(x, y);
  while (h && h.shadowRoot) { const i = h.shadowRoot.elementFromPoint(x, y); if (!i || i === h) break; h = i; }
  return h;
};
// Guards the click about to be sent at the element's centre: the page may move between
// this answer and the mouse events (a banner or a late button pushing the layout down).
// The first trusted press decides: on the element, the gesture goes through untouched; on
// anything else, its press, release and click are stopped before the page sees them (so a
// missed click has no effect, not even on a link it hit) and the driver is told what took
// it, to find the element again and retry. Removed after the click, when the driver reads
// it ([`LANDED_JS`]), or after 5 s.
const arm = (el) => {
  const g = { landed: null, by: null, off: null };
  const types = ['pointerdown', 'mousedown', 'pointerup', 'mouseup', 'click', 'auxclick', 'dblclick'];
  const off = () => { for (const t of types) removeEventListener(t, on, true); };
  const on = (ev) => {
    if (!ev.isTrusted) return;
    if (g.landed === null && (ev.type === 'pointerdown' || ev.type === 'mousedown')) {
      const t = ev.composedPath()[0];
      const hit = t && t.nodeType === 1 ? t : t && t.parentElement;
      g.landed = takes(hit, el);
      if (!g.landed) g.by = describe(hit);
    }
    if (g.landed === false) { ev.preventDefault(); ev.stopImmediatePropagation(); }
    if (ev.type === 'click') off();
  };
  g.off = off;
  for (const t of types) addEventListener(t, on, true);
  setTimeout(off, 5000);
  Object.defineProperty(window, '__tagc_click', { value: g, configurable: true, writable: true });
};
const query = (doc, sel) => roots(doc).flatMap((r) => [...r.querySelectorAll(sel)]);
// Every element a target names in `doc`; null when `within` matches nothing.
const find = (doc) => {
  if (spec.selector != null) return query(doc, spec.selector);
  const scopes = spec.within == null ? null : query(doc, spec.within);
  if (scopes && !scopes.length) return null;
  const want = tidy(spec.text);
  return innermost(labelled(doc).filter((e) => label(e) === want && (!scopes || scopes.some((s) => s.contains(e)))));
};
const disabled = (e) => e.matches(':disabled') || e.getAttribute('aria-disabled') === 'true';
const formOf = (e) => e instanceof HTMLFormElement ? e : (e.form || e.closest('form'));
const submitter = (form) => [...form.elements].find((c) =>
  (c instanceof HTMLButtonElement && c.type === 'submit') || (c instanceof HTMLInputElement && /^(submit|image)$/.test(c.type)));
const fill = (e, v) => {
  if (e instanceof HTMLInputElement && /^(checkbox|radio)$/.test(e.type)) {
    if (e.checked !== !/^(false|0|no|off)$/i.test(v)) e.click();
    return;
  }
  e.focus();
  const proto = e instanceof HTMLSelectElement ? HTMLSelectElement.prototype : e instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, 'value').set.call(e, v);
  e.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  e.dispatchEvent(new Event('change', { bubbles: true }));
};
let miss = { status: 'none' };
// An element that never stops moving (a pulsing call to action) is clicked anyway once it
// has moved for half a second: a visitor can click it too.
let moving = null;
for (let first = true; first || performance.now() < until; first = false) {
  if (!first) await frame();
  let all;
  try { all = find(document); } catch (err) { return { status: 'bad_selector', message: String(err.message || err) }; }
  if (all === null) { miss = { status: 'within' }; continue; }
  const shown = all.filter(visible);
  if (!shown.length) {
    if (all.length) { miss = { status: 'hidden', element: describe(all[0]) }; continue; }
    let frames = 0;
    miss = { status: 'none', frames };
    for (const f of roots(document).flatMap((r) => [...r.querySelectorAll('iframe')])) {
      let doc = null;
      try { doc = f.contentDocument; } catch (err) {}
      if (!doc) { miss.frames = ++frames; continue; }
      try { const inner = find(doc); if (inner && inner.length) { miss = { status: 'iframe', src: f.src || (f.hasAttribute('srcdoc') ? 'srcdoc' : 'about:blank') }; break; } } catch (err) {}
    }
    continue;
  }
  const e = shown[0];
  if (spec.op === 'visible') return { x: 0, y: 0, element: describe(e), visible: shown.length };
  if (spec.op === 'fill') {
    if (disabled(e) || e.readOnly) { miss = { status: 'disabled', element: describe(e) }; continue; }
    fill(e, spec.value);
    return { x: 0, y: 0, element: describe(e), visible: shown.length };
  }
  const same = shown.every((o) => label(o) === label(e));
  let candidates = shown.slice(0, 5);
  if (spec.op === 'submit') {
    const form = formOf(e);
    if (!form) return { status: 'no_form', element: describe(e) };
    const button = e !== form && e.matches('button, input') && /^(submit|image)$/.test(e.type) ? e : submitter(form);
    const novalidate = form.noValidate || (button && button.formNoValidate);
    if (!novalidate && !form.checkValidity()) {
      return { status: 'invalid', form: describe(form), fields: [...form.elements].filter((c) => c.willValidate && !c.validity.valid).map((c) => describe(c) + (c.name ? ' name=' + c.name : '') + ': ' + c.validationMessage) };
    }
    if (!button || !visible(button)) { form.requestSubmit(); return { submitted: describe(form) }; }
    candidates = [button];
  }
  // The first match a visitor can click; when none can, why the first cannot.
  let why = null;
  for (const c of candidates) {
    if (disabled(c)) { why ??= { status: 'disabled', element: describe(c) }; continue; }
    let r = box(c);
    if (r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth) { c.scrollIntoView(center); r = box(c); }
    if (spec.stable) {
      await frame();
      const r2 = box(c);
      if (r.left !== r2.left || r.top !== r2.top || r.width !== r2.width || r.height !== r2.height) {
        if (moving?.el !== c) moving = { el: c, since: performance.now() };
        if (performance.now() - moving.since < 500) { why ??= { status: 'unstable', element: describe(c) }; continue; }
      }
      r = r2;
    }
    let x = r.left + r.width / 2, y = r.top + r.height / 2;
    let h = hitAt(x, y);
    if (!takes(h, c)) {
      // Under a sticky header or bar: centred, it may be free.
      c.scrollIntoView(center);
      r = box(c); x = r.left + r.width / 2; y = r.top + r.height / 2;
      h = hitAt(x, y);
    }
    if (takes(h, c)) {
      if (spec.arm) arm(c);
      const others = shown.filter((o) => o !== c).slice(0, 4).map((o) => describe(o) + at(o));
      return { x, y, element: describe(c), visible: shown.length, others, same_label: same };
    }
    why ??= { status: 'covered', element: describe(c), by: describe(h), x: Math.round(x), y: Math.round(y) };
  }
  miss = why;
}
return miss;
"#;

/// Reads (and clears) what the guard of the last click saw: `{landed, by}`, or `null` when
/// the document has no guard (it navigated, or the page replaced it).
pub(crate) const LANDED_JS: &str = "(() => { const g = window.__tagc_click; if (!g) return null; window.__tagc_click = undefined; g.off(); return { landed: g.landed, by: g.by }; })()";

/// What the guard of a click saw.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct Landed {
    /// Whether the press was on the element; `None` when no press reached the page.
    pub landed: Option<bool>,
    /// What took the press instead, described.
    pub by: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_parse() {
        let ok: Answer = serde_json::from_value(
            json!({"x": 1.5, "y": 2, "element": "<b>", "visible": 2, "others": ["<i> at (1, 2)"], "same_label": true}),
        )
        .unwrap();
        assert!(matches!(ok, Answer::Ok(Located { visible: 2, .. })));
        let miss: Answer = serde_json::from_value(
            json!({"status": "covered", "element": "<b>", "by": "<div#wall>", "x": 1, "y": 2}),
        )
        .unwrap();
        assert!(matches!(miss, Answer::Miss(Miss::Covered { .. })));
        let sub: Answer = serde_json::from_value(json!({"submitted": "<form#f>"})).unwrap();
        assert!(matches!(sub, Answer::Submitted { .. }));
        assert!(
            script(Op::Click, &Target::Selector("a"), 10, None, true, false)
                .contains("\"op\":\"click\"")
        );
    }
}
