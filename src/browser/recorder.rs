//! What happens to requests for Meta's hosts: the recorder that stands in for
//! `fbevents.js`, the 1×1 GIF that answers pixel requests, and the parsing of captured
//! `/tr` hits.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::Value;

use super::MetaMode;

/// Stands in for Meta's `fbevents.js` when nothing may reach Meta: like the real library,
/// it takes over the base code's stub (queued calls are dropped, later calls go nowhere).
/// The calls themselves are recorded by the observer (`super::observer`), which sees every
/// call at the moment it is made, whichever library answers it.
pub const RECORDER_JS: &str = "(function () { var f = window.fbq; if (f) { f.callMethod = function () {}; f.queue = []; } })();";

/// A transparent 1×1 GIF, base64: the answer to every intercepted image request.
const GIF_BASE64: &str = "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";

/// The URL patterns paused with `Fetch` in both modes.
pub(crate) const PATTERNS: [&str; 3] = [
    "*://connect.facebook.net/*",
    "*://www.facebook.com/*",
    "*://facebook.com/*",
];

/// One request to Meta's pixel endpoint (`facebook.com/tr`), captured instead of sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PixelHit {
    /// The pixel id (`id`); empty if absent.
    pub id: String,
    /// The event name (`ev`); empty if absent.
    pub ev: String,
    /// The event id used for deduplication (`eid`).
    pub eid: Option<String>,
    /// The custom data (`cd[NAME]` → value), decoded.
    pub cd: BTreeMap<String, String>,
    /// The full request URL.
    pub url: String,
    /// The HTTP method: `GET` for image pixels, `POST` for beacons and form posts.
    pub method: String,
    /// The request body, as text, when there was one.
    pub body: Option<String>,
    /// Every parameter, decoded: the query string's, then the body's (which win).
    pub params: BTreeMap<String, String>,
}

/// What to do with a paused request.
pub(crate) enum Answer {
    /// Answer locally with this content type and base64 body.
    Fulfill {
        content_type: &'static str,
        body_base64: String,
    },
    /// Let it go to the network.
    Continue,
}

/// Decides how to answer a paused request for `url` in `mode`.
pub(crate) fn answer(mode: MetaMode, url: &str) -> Answer {
    let (host, path) = host_and_path(url);
    if host == "connect.facebook.net" {
        return match mode {
            MetaMode::Capture => Answer::Continue,
            MetaMode::Recorder if path.ends_with("/fbevents.js") => Answer::Fulfill {
                content_type: "application/javascript",
                body_base64: base64::engine::general_purpose::STANDARD.encode(RECORDER_JS),
            },
            MetaMode::Recorder => Answer::Fulfill {
                content_type: "application/javascript",
                body_base64: String::new(),
            },
        };
    }
    // facebook.com in both modes: nothing reaches Meta.
    Answer::Fulfill {
        content_type: "image/gif",
        body_base64: GIF_BASE64.to_owned(),
    }
}

/// Whether `url` is on one of Meta's hosts that the page's requests are intercepted for.
pub(crate) fn is_meta_host(url: &str) -> bool {
    matches!(
        host_and_path(url).0,
        "connect.facebook.net" | "www.facebook.com" | "facebook.com"
    )
}

/// Whether `url` is Meta's pixel endpoint, `facebook.com/tr` (or `/tr/`).
pub(crate) fn is_pixel_endpoint(url: &str) -> bool {
    let (host, path) = host_and_path(url);
    matches!(host, "www.facebook.com" | "facebook.com") && matches!(path, "/tr" | "/tr/")
}

/// Parses a captured `/tr` request: the `request` object of `Fetch.requestPaused`.
pub(crate) fn pixel_hit(request: &Value) -> PixelHit {
    let url = request["url"].as_str().unwrap_or_default().to_owned();
    let method = request["method"].as_str().unwrap_or("GET").to_owned();
    let body = post_body(request);
    let mut params = BTreeMap::new();
    if let Some((_, query)) = url.split_once('?') {
        let query = query.split('#').next().unwrap_or_default();
        params.extend(parse_urlencoded(query));
    }
    if let Some(b) = &body {
        let content_type = header(request, "content-type").unwrap_or_default();
        match boundary(&content_type) {
            Some(bnd) => params.extend(parse_multipart(b, &bnd)),
            None => params.extend(parse_urlencoded(b)),
        }
    }
    let cd = params
        .iter()
        .filter_map(|(k, v)| {
            let name = k.strip_prefix("cd[")?.strip_suffix(']')?;
            Some((name.to_owned(), v.clone()))
        })
        .collect();
    PixelHit {
        id: params.get("id").cloned().unwrap_or_default(),
        ev: params.get("ev").cloned().unwrap_or_default(),
        eid: params.get("eid").cloned(),
        cd,
        url,
        method,
        body,
        params,
    }
}

/// The request body: `postDataEntries` (base64 bytes) when present, else `postData`.
fn post_body(request: &Value) -> Option<String> {
    if let Some(entries) = request["postDataEntries"].as_array() {
        let mut bytes = Vec::new();
        for e in entries {
            let b = e["bytes"].as_str().unwrap_or_default();
            bytes.extend(
                base64::engine::general_purpose::STANDARD
                    .decode(b)
                    .unwrap_or_default(),
            );
        }
        if !bytes.is_empty() {
            return Some(String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    request["postData"].as_str().map(str::to_owned)
}

fn header(request: &Value, name: &str) -> Option<String> {
    request["headers"]
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.as_str().map(str::to_owned))
}

/// The text fields of a request body: `multipart/form-data` by its boundary, JSON (the
/// top-level members with text or number values), anything else as
/// `application/x-www-form-urlencoded`.
#[must_use]
pub fn form_fields(content_type: Option<&str>, body: &str) -> Vec<(String, String)> {
    if let Some(b) = content_type.and_then(boundary) {
        return parse_multipart(body, &b);
    }
    if (content_type.is_some_and(|c| c.to_ascii_lowercase().contains("json"))
        || body.trim_start().starts_with('{'))
        && let Ok(Value::Object(m)) = serde_json::from_str::<Value>(body)
    {
        {
            return m
                .into_iter()
                .filter_map(|(k, v)| match v {
                    Value::String(s) => Some((k, s)),
                    Value::Number(n) => Some((k, n.to_string())),
                    _ => None,
                })
                .collect();
        }
    }
    parse_urlencoded(body)
}

fn boundary(content_type: &str) -> Option<String> {
    let (kind, rest) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    rest.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// The text fields of a `multipart/form-data` body.
fn parse_multipart(body: &str, boundary: &str) -> Vec<(String, String)> {
    let delimiter = format!("--{boundary}");
    body.split(delimiter.as_str())
        .filter_map(|part| {
            let part = part.strip_prefix("\r\n")?;
            let (head, value) = part.split_once("\r\n\r\n")?;
            let name = head.lines().find_map(|l| {
                let (k, v) = l.split_once(':')?;
                if !k.trim().eq_ignore_ascii_case("content-disposition") {
                    return None;
                }
                let start = v.find("name=\"")? + 6;
                let len = v[start..].find('"')?;
                Some(v[start..start + len].to_owned())
            })?;
            Some((name, value.strip_suffix("\r\n").unwrap_or(value).to_owned()))
        })
        .collect()
}

/// `a=1&b=x+y` → pairs, percent- and plus-decoded.
/// The pairs of an `application/x-www-form-urlencoded` text (a query string or a form
/// body), `%XX` and `+` decoded.
#[must_use]
pub fn parse_urlencoded(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The host (lowercase is not enforced; Chromium normalises it) and the path of `url`.
fn host_and_path(url: &str) -> (&str, &str) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = host.split(':').next().unwrap_or(host);
    let tail = &rest[end..];
    let path_end = tail.find(['?', '#']).unwrap_or(tail.len());
    (host, &tail[..path_end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_an_image_pixel_and_a_beacon() {
        let hit = pixel_hit(&json!({
            "url": "https://www.facebook.com/tr?id=123&ev=Lead&eid=abc&cd[value]=9.5&cd%5Bcurrency%5D=EUR&cd[content_name]=A+b%20c",
            "method": "GET",
            "headers": {}
        }));
        assert_eq!((hit.id.as_str(), hit.ev.as_str()), ("123", "Lead"));
        assert_eq!(hit.eid.as_deref(), Some("abc"));
        assert_eq!(hit.cd["value"], "9.5");
        assert_eq!(hit.cd["currency"], "EUR");
        assert_eq!(hit.cd["content_name"], "A b c");
        assert_eq!(hit.body, None);

        let hit = pixel_hit(&json!({
            "url": "https://www.facebook.com/tr",
            "method": "POST",
            "headers": {"Content-Type": "text/plain;charset=UTF-8"},
            "postData": "id=123&ev=Purchase&eid=o-1"
        }));
        assert_eq!((hit.id.as_str(), hit.ev.as_str()), ("123", "Purchase"));
        assert_eq!(hit.eid.as_deref(), Some("o-1"));
        assert!(hit.cd.is_empty());
    }

    #[test]
    fn parses_a_multipart_body() {
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\n42\r\n--XyZ\r\nContent-Disposition: form-data; name=\"cd[value]\"\r\n\r\n1.5\r\n--XyZ--\r\n";
        let hit = pixel_hit(&json!({
            "url": "https://www.facebook.com/tr/",
            "method": "POST",
            "headers": {"content-type": "multipart/form-data; boundary=XyZ"},
            "postDataEntries": [{"bytes": base64::engine::general_purpose::STANDARD.encode(body)}]
        }));
        assert_eq!(hit.id, "42");
        assert_eq!(hit.cd["value"], "1.5");
    }

    #[test]
    fn recognises_the_endpoint_and_decodes_edge_cases() {
        assert!(is_pixel_endpoint("https://www.facebook.com/tr?id=1"));
        assert!(is_pixel_endpoint("https://facebook.com/tr/"));
        assert!(!is_pixel_endpoint("https://www.facebook.com/tracking"));
        assert!(!is_pixel_endpoint(
            "https://evil.example/tr?www.facebook.com"
        ));
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%4"), "%4");
        assert_eq!(decode("%zz"), "%zz");
        assert_eq!(decode("%C3%B1"), "ñ");
    }
}
