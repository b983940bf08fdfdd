//! What a page reports about itself, the moment it happens: every `fbq` call, every
//! single-page-app route change and every new document, through a DevTools binding.
//!
//! [`OBSERVER_JS`] is installed with `Page.addScriptToEvaluateOnNewDocument`, so it runs
//! in every document before the page's own scripts. It turns `window.fbq` (and `_fbq`)
//! into an accessor that wraps whatever function the page stores there — Meta's base-code
//! stub — in a transparent `Proxy`: each call is reported synchronously through the
//! binding [`BINDING`] (`Runtime.addBinding`), then passes to the real function unchanged.
//! Because the report leaves the page at call time, a form post, a redirect or a link that
//! unloads the page right after the event loses nothing, and the calls of the next
//! document are reported the same way. The recorder stand-in for `fbevents.js` and Meta's
//! real library both see the original function's properties (`queue`, `callMethod`): the
//! proxy forwards every property access.
//!
//! Reports travel apart from evaluation results, so their order relative to them is not
//! guaranteed; each document counts what it sent (`window.__tagcSent`), and
//! `Page::barrier` waits until that many reports of the document have arrived.

use serde_json::Value;

/// The name of the DevTools binding the observer reports through.
pub(crate) const BINDING: &str = "__tagcRecord";

/// The observer, run at the start of every document (main frame and iframes).
pub(crate) const OBSERVER_JS: &str = r#"(() => {
  const B = window.__tagcRecord;
  if (typeof B !== 'function' || window.__tagcObserved) return;
  // Only the observer reports: the page's own scripts cannot reach the binding.
  try { delete window.__tagcRecord; } catch (e) {}
  Object.defineProperty(window, '__tagcObserved', { value: true });
  const stringify = JSON.stringify, parse = JSON.parse, apply = Reflect.apply;
  const doc = Math.random().toString(36).slice(2) + Date.now().toString(36);
  const top = window === window.top;
  // How many reports this document sent: a barrier waits until that many arrived.
  let seq = 0;
  Object.defineProperty(window, '__tagcSent', { get: () => [doc, seq] });
  const send = (o) => { o.doc = doc; o.top = top; seq++; try { B(stringify(o)); } catch (e) {} };
  send({ k: 'doc', url: location.href });
  const describe = (v) => {
    if (v === undefined) return 'undefined';
    if (typeof v === 'number' && !isFinite(v)) return String(v);
    if (Array.isArray(v)) return v.map(describe);
    if (v && typeof v === 'object') { const o = {}; for (const k in v) o[k] = describe(v[k]); return o; }
    return v;
  };
  const json = (v) => { try { return parse(stringify(v)); } catch (e) { return null; } };
  const proxies = new WeakMap();
  // A page that wraps fbq in its own function calls both: one call, reported once.
  let depth = 0;
  const wrap = (f) => {
    if (typeof f !== 'function') return f;
    let p = proxies.get(f);
    if (!p) {
      p = new Proxy(f, {
        apply(target, self, args) {
          if (depth === 0) {
            let raw = null;
            try { raw = stringify(describe(args)); } catch (e) {}
            send({ k: 'call', args: json(args), raw });
          }
          depth++;
          try { return apply(target, self, args); } finally { depth--; }
        },
      });
      proxies.set(f, p);
      proxies.set(p, p);
    }
    return p;
  };
  for (const name of ['fbq', '_fbq']) {
    let v;
    Object.defineProperty(window, name, {
      configurable: true, enumerable: true,
      get: () => v,
      set: (x) => { v = wrap(x); },
    });
  }
  let path = location.pathname;
  const route = () => {
    if (location.pathname === path) return;
    path = location.pathname;
    send({ k: 'route', url: location.href });
  };
  for (const m of ['pushState', 'replaceState']) {
    const orig = history[m];
    history[m] = function (...a) { try { return orig.apply(this, a); } finally { route(); } };
  }
  addEventListener('popstate', route, true);
})();"#;

/// One report of the observer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Report {
    /// A document started (before any of its scripts ran).
    Document {
        /// The document's random token.
        doc: String,
        /// Whether it is the top-level document (not an iframe).
        top: bool,
        /// Its URL.
        url: String,
    },
    /// `fbq(…)` was called.
    Call {
        /// The document's token.
        doc: String,
        /// Whether the call came from the top-level document.
        top: bool,
        /// The arguments as JSON (`undefined` → `null`).
        args: Value,
        /// The arguments with their types visible (`"undefined"`, `"NaN"`), as JSON text.
        raw: String,
    },
    /// The path changed without a new document (`pushState`, `replaceState`, `popstate`).
    Route {
        /// The document's token.
        doc: String,
        /// Whether it happened in the top-level document.
        top: bool,
        /// The new URL.
        url: String,
    },
}

/// Parses a binding payload; `None` for anything that is not an observer report (the page
/// can call the binding too).
pub(crate) fn parse(payload: &str) -> Option<Report> {
    let mut v: Value = serde_json::from_str(payload).ok()?;
    let doc = v.get("doc")?.as_str()?.to_owned();
    let top = v.get("top")?.as_bool()?;
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    Some(match v.get("k")?.as_str()? {
        "doc" => Report::Document {
            doc,
            top,
            url: text(&v, "url")?,
        },
        "route" => Report::Route {
            doc,
            top,
            url: text(&v, "url")?,
        },
        "call" => Report::Call {
            doc,
            top,
            raw: text(&v, "raw").unwrap_or_default(),
            args: v.get_mut("args").map(Value::take).unwrap_or(Value::Null),
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_reports_and_ignores_anything_else() {
        assert_eq!(
            parse(
                r#"{"k":"call","doc":"a","top":true,"args":["track","Lead"],"raw":"[\"track\",\"Lead\"]"}"#
            ),
            Some(Report::Call {
                doc: "a".into(),
                top: true,
                args: serde_json::json!(["track", "Lead"]),
                raw: r#"["track","Lead"]"#.into()
            })
        );
        assert_eq!(
            parse(r#"{"k":"route","doc":"a","top":false,"url":"http://x/app"}"#),
            Some(Report::Route {
                doc: "a".into(),
                top: false,
                url: "http://x/app".into()
            })
        );
        for junk in [
            "",
            "null",
            "[]",
            r#"{"k":"call"}"#,
            r#"{"k":"x","doc":"a","top":true}"#,
        ] {
            assert_eq!(parse(junk), None, "{junk}");
        }
    }
}
