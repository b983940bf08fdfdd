//! `tagc verify --base-url` against small, realistic sites served on 127.0.0.1.
//!
//! Each test designs a site whose ground truth is known — what the page really does when a
//! visitor loads it and clicks — and states the verdict `tagc verify` must give on it: a
//! form that posts and redirects, a late-rendered button, a modal, a consent banner that
//! forgets to tell the pixel, a single-page app, a label on two elements, a shadow root, a
//! 404 page that carries the pixel, a page that lost its snippet, Meta unreachable…
//!
//! How every test works: a configuration is built with the `tagc` binary, the generated
//! inline snippet (`dist/pixel/pages/<page>.html`) goes byte for byte into the `<head>` of
//! the site's pages (a page that lost it simply doesn't get it), the site is served by
//! `tagc::browser::serve`, and `tagc verify … --format json` is run against it. Assertions
//! are on the exit code, each check's `outcome`, key words of its `message`, its `notes`
//! and the `fbq` calls it `sent` — and, where the site can tell, on what the site itself
//! saw (the server log of form posts), independently of what `tagc verify` reports.
//!
//! These tests were written independently of the implementation of `tagc verify`; they
//! are the specification of its verdicts on real-site patterns.
//!
//! The helpers are here; the sites are grouped in `forms`, `pages` (links, late renders,
//! product URLs, a single-page app), `consent`, `labels` (text and shadow DOM), `failures`
//! (page errors, 404, no snippet, Meta unreachable) and `runs` (`--jobs`, `--shard`).
//! Ground truth the site can report itself — what a form really posted — comes from the
//! server's request log.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;
use tagc::browser::serve::{Request, Route, Routes, Server};

mod consent;
mod failures;
mod forms;
mod labels;
mod pages;
mod review;
mod runs;

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// The pixel every site uses.
const PIXELS: &str = r#"pixels:
  - name: main
    ids: {production: "123456789012345"}
"#;

fn tagc() -> Command {
    let mut c = Command::cargo_bin("tagc").expect("binary builds");
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env_remove("META_ACCESS_TOKEN")
        .env_remove("TAGC_CHROMIUM_FLAGS");
    c
}

/// A built configuration: `tagc.yaml` and `dist/` in a temp dir.
struct Dist {
    dir: tempfile::TempDir,
}

impl Dist {
    fn plan(&self) -> PathBuf {
        self.dir.path().join("dist/verify/plan.json")
    }

    /// The page's inline snippet, byte for byte what ships.
    fn snippet(&self, page: &str) -> String {
        let path = self
            .dir
            .path()
            .join(format!("dist/pixel/pages/{page}.html"));
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    }
}

/// Writes `yaml` as `tagc.yaml` into a temp dir and runs `tagc build tagc.yaml --out dist`.
fn build(yaml: &str) -> Dist {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tagc.yaml");
    std::fs::write(&config, yaml).unwrap();
    let out = tagc()
        .arg("build")
        .arg(&config)
        .arg("--out")
        .arg(dir.path().join("dist"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "tagc build failed:\n{}\n--- config ---\n{yaml}",
        String::from_utf8_lossy(&out.stderr)
    );
    Dist { dir }
}

/// The site's shared look: a header, a main column, buttons.
const STYLE: &str = "<style>
body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1d1d1f}
.site-header{display:flex;justify-content:space-between;align-items:center;padding:12px 24px;background:#fff;border-bottom:1px solid #e5e5e5}
.site-header nav a{margin-left:16px;color:#333;text-decoration:none}
main{max-width:960px;margin:0 auto;padding:24px}
.btn{display:inline-block;padding:10px 18px;border:0;border-radius:6px;background:#0a66c2;color:#fff;font-size:16px;text-decoration:none;cursor:pointer}
.btn-secondary{background:#eef3f8;color:#0a66c2}
label{display:block;margin:8px 0}
input{padding:6px 8px;font-size:16px}
.site-footer{padding:24px;background:#f5f5f7;color:#555;font-size:14px}
</style>";

/// A page of the site: `head` goes into `<head>` after the title and the shared style
/// (the tagc snippet, or nothing for a page that lost it).
fn page(title: &str, head: &str, body: &str) -> String {
    let mut s = String::from(
        "<!doctype html>\n<html lang=\"es\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
    );
    s.push_str(title);
    s.push_str("</title>\n");
    s.push_str(STYLE);
    s.push('\n');
    s.push_str(head);
    s.push_str("\n</head>\n<body>\n");
    s.push_str(body);
    s.push_str("\n</body>\n</html>\n");
    s
}

/// A `404 Not Found` HTML page.
fn not_found(body: String) -> Route {
    Route::Page {
        status: 404,
        content_type: "text/html; charset=utf-8".to_owned(),
        body: body.into_bytes(),
    }
}

/// A `200 OK` JSON answer (an API endpoint).
fn json_ok(body: &str) -> Route {
    Route::Page {
        status: 200,
        content_type: "application/json".to_owned(),
        body: body.as_bytes().to_vec(),
    }
}

/// The error page of the sites below (no snippet unless a test says so).
fn error_page(head: &str) -> String {
    page(
        "Página no encontrada",
        head,
        r#"<header class="site-header"><a href="/">Inicio</a></header>
<main><h1>Página no encontrada</h1><p>La página que buscas no existe o se ha movido.</p>
<p><a class="btn" href="/">Volver al inicio</a></p></main>"#,
    )
}

fn serve(routes: Routes) -> Server {
    Server::start_routes(routes).unwrap()
}

/// One `tagc verify --format json` run.
struct Run {
    code: Option<i32>,
    report: Value,
    /// stdout and stderr, for assertion messages.
    out: String,
    elapsed: Duration,
}

/// Runs `tagc verify PLAN --format json ARGS…` with `env`.
fn verify_raw(plan: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut c = tagc();
    for (k, v) in env {
        c.env(k, v);
    }
    let start = Instant::now();
    let out = c
        .arg("verify")
        .arg(plan)
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let elapsed = start.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    Run {
        code: out.status.code(),
        report: serde_json::from_str(&stdout).unwrap_or(Value::Null),
        out: format!("{stdout}{}", String::from_utf8_lossy(&out.stderr)),
        elapsed,
    }
}

/// Runs `tagc verify` against `site` with tagc's recorder for `fbevents.js`.
fn verify(dist: &Dist, site: &Server, args: &[&str]) -> Run {
    let base = site.url("");
    let mut all = vec!["--base-url", base.as_str(), "--fbevents", "recorder"];
    all.extend_from_slice(args);
    verify_raw(&dist.plan(), &all, &[])
}

impl Run {
    /// The check `id`; panics with the whole output when it is not in the report.
    fn check(&self, id: &str) -> &Value {
        self.report["checks"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["id"] == id))
            .unwrap_or_else(|| {
                panic!(
                    "no check {id} in the report (exit {:?}):\n{}",
                    self.code, self.out
                )
            })
    }

    /// Check id → outcome, for every check in the report.
    fn outcomes(&self) -> BTreeMap<String, String> {
        self.report["checks"]
            .as_array()
            .unwrap_or_else(|| panic!("no report (exit {:?}):\n{}", self.code, self.out))
            .iter()
            .map(|c| {
                (
                    c["id"].as_str().unwrap().to_owned(),
                    c["outcome"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    /// Asserts the check's outcome and that its message has every word of `words`
    /// (case-sensitive substrings); returns the check.
    fn expect(&self, id: &str, outcome: &str, words: &[&str]) -> &Value {
        let c = self.check(id);
        assert_eq!(
            c["outcome"], outcome,
            "{id}: expected {outcome}:\n{c:#}\n--- output ---\n{}",
            self.out
        );
        let m = message(c);
        for w in words {
            assert!(m.contains(w), "{id}: message lacks {w:?}: {m:?}\n{c:#}");
        }
        c
    }

    /// Asserts the exit code.
    fn exits(&self, code: i32) {
        assert_eq!(
            self.code,
            Some(code),
            "exit code {:?}, expected {code}:\n{}",
            self.code,
            self.out
        );
    }
}

fn message(c: &Value) -> &str {
    c["message"].as_str().unwrap_or_default()
}

/// The check's notes as (level, message).
fn notes(c: &Value) -> Vec<(String, String)> {
    c["notes"]
        .as_array()
        .map(|ns| {
            ns.iter()
                .map(|n| {
                    (
                        n["level"].as_str().unwrap_or_default().to_owned(),
                        n["message"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn warnings(c: &Value) -> Vec<String> {
    notes(c)
        .into_iter()
        .filter(|(l, _)| l == "warning")
        .map(|(_, m)| m)
        .collect()
}

/// Asserts some note of the check names the element acted on: its tag (`<a`, `<button`)
/// and its text.
fn assert_acted_on(c: &Value, tag: &str, text: &str) {
    assert!(
        notes(c)
            .iter()
            .any(|(_, m)| m.contains(tag) && m.contains(text)),
        "{}: no note names the {tag} … {text:?} acted on: {:#}",
        c["id"],
        c["notes"]
    );
}

/// The first `fbq` call the check sent that fires `event` (`track`, `trackCustom`, or the
/// `trackSingle*` forms with the pixel id first).
fn sent_call<'a>(c: &'a Value, event: &str) -> Option<&'a Vec<Value>> {
    c["sent"].as_array()?.iter().find_map(|call| {
        let a = call.as_array()?;
        let method = a.first()?.as_str()?;
        let name = if method.starts_with("trackSingle") {
            a.get(2)
        } else if method.starts_with("track") {
            a.get(1)
        } else {
            None
        }?;
        (name == event).then_some(a)
    })
}

/// Asserts the check sent `event` and returns the call.
fn assert_sent<'a>(c: &'a Value, event: &str) -> &'a Vec<Value> {
    sent_call(c, event).unwrap_or_else(|| {
        panic!(
            "{}: no {event} in the calls it sent: {:#}",
            c["id"], c["sent"]
        )
    })
}

/// The `eventID` of a call (its last argument, `{eventID}`).
fn event_id(call: &[Value]) -> Option<&str> {
    call.last()?.get("eventID")?.as_str()
}

/// The parameters object of a `track`/`trackCustom` call.
fn params(call: &[Value]) -> &Value {
    call.get(2).unwrap_or(&Value::Null)
}

/// The POSTs to `path` the site received.
fn posts(site: &Server, path: &str) -> Vec<Request> {
    site.log()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == path)
        .collect()
}
