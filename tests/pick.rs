//! `tagc pick` (issue 19) end to end: the binary as a user runs it, against local fixture
//! sites, its picker page driven over CDP by a second headless Chromium, the YAML file it
//! edits, and what `tagc build` + `tagc verify` make of the result.
//!
//! Chromium comes from Debian's `chromium` package; set `TAGC_CHROMIUM` to use another.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

mod support;

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::cli::tagc;
use tagc::browser::serve::{Route, Routes, Server};
use tagc::browser::{Browser, LaunchOptions, MetaMode, Page, Target};

/// The Spanish landing page of the issue (the page `tests/scan.rs` scans): a menu, the
/// "Asistir presencial" call to action, a link to the programme, the registration form
/// and a footer.
const LANDING: &str = include_str!("data/scan/landing.html");

/// A page whose texts try to break out of every context the picker and the YAML have.
const HOSTILE: &str = "<main>
  <button id=\"a\">&lt;/script&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt; \"Reservar\" 'plaza'\u{2028}ya</button>
  <button id=\"b\">&lt;img src=x onerror=\"window.__pwned=2\"&gt; Comprar</button>
  <a href=\"/x\" title=\"&quot;&gt;&lt;img src=x onerror=window.__pwned=3&gt;\">Ver\u{2028}más: #1 &amp; {2}</a>
</main>";

fn html(head: &str, body: &str) -> Vec<u8> {
    format!("<!doctype html>\n<html lang=\"es\"><head><meta charset=\"utf-8\"><title>Congreso</title>{head}</head>\n<body>\n{body}\n</body></html>\n").into_bytes()
}

fn serve(path: &str, body: &str) -> Server {
    Server::start_routes(Routes::default().with(path, Route::html(html("", body)))).unwrap()
}

/// `examples/event-landing/tagc.yaml` without its `attend` button, in a temporary
/// directory: "Asistir presencial" is untracked there.
fn config_without_attend() -> (tempfile::TempDir, PathBuf) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("examples/event-landing/tagc.yaml")).unwrap();
    let attend = "      - id: attend\n        text: Asistir presencial\n        event: Lead\n";
    assert!(text.contains(attend));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tagc.yaml");
    std::fs::write(&path, text.replace(attend, "")).unwrap();
    (dir, path)
}

/// A running `tagc pick … --no-open --port 0`, killed when dropped.
struct Pick {
    child: Child,
    url: String,
    lines: mpsc::Receiver<String>,
    stderr: Vec<String>,
}

impl Pick {
    fn start(url: &str, config: &Path) -> Pick {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tagc"))
            .current_dir(config.parent().unwrap())
            .env("NO_COLOR", "1")
            .args(["pick", url, "--config"])
            .arg(config.file_name().unwrap())
            .args([
                "--no-open",
                "--port",
                "0",
                "--settle-ms",
                "200",
                "--timeout",
                "20",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut pick = Pick {
            child,
            url: String::new(),
            lines,
            stderr: Vec::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(40);
        while pick.url.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            match pick.lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(u) = line.strip_prefix("picker: ") {
                        pick.url = u.to_owned();
                    }
                    pick.stderr.push(line);
                }
                Err(_) => panic!("no picker address: {:?}", pick.stderr),
            }
        }
        pick
    }

    /// `127.0.0.1:PORT`.
    fn host(&self) -> String {
        self.url
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap()
            .to_owned()
    }

    /// The path of the picker (`/t/TOKEN/`).
    fn base(&self) -> String {
        self.url
            .trim_start_matches("http://")
            .split_once('/')
            .map(|(_, p)| format!("/{p}"))
            .unwrap()
    }

    /// Waits for the process to end: its exit code and all it wrote on stderr.
    fn wait(mut self) -> (Option<i32>, String) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            assert!(Instant::now() < deadline, "tagc pick did not stop");
            std::thread::sleep(Duration::from_millis(50));
        };
        while let Ok(l) = self.lines.recv_timeout(Duration::from_secs(2)) {
            self.stderr.push(l);
        }
        (status.code(), self.stderr.join("\n"))
    }
}

impl Drop for Pick {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One raw HTTP/1.1 request: (status, head, body).
fn http(host: &str, request: &str) -> (u16, String, String) {
    let mut conn = TcpStream::connect(host).unwrap();
    conn.write_all(request.as_bytes()).unwrap();
    let mut bytes = Vec::new();
    conn.read_to_end(&mut bytes).unwrap();
    let all = String::from_utf8_lossy(&bytes);
    let (head, body) = all.split_once("\r\n\r\n").unwrap();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, head.to_owned(), body.to_owned())
}

fn post(host: &str, path: &str, headers: &str, body: &str) -> u16 {
    http(
        host,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: {host}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
    .0
}

fn launch() -> Browser {
    Browser::launch(&LaunchOptions::default()).unwrap()
}

/// Opens the picker in `page` and waits until it has drawn the scan.
fn open_picker(page: &mut Page<'_>, pick: &Pick) {
    page.goto(&pick.url).unwrap();
    page.wait_for(
        "document.body.dataset.ready === 'true'",
        Duration::from_secs(10),
    )
    .unwrap();
}

/// Clicks the sidebar entry `label`, types `event`, saves, and waits for the outcome:
/// the status's `data-state` and the diagnostics shown.
fn save_in_panel(page: &mut Page<'_>, label: &str, event: &str) -> (String, String) {
    page.click_text(label, Some("#elements")).unwrap();
    page.wait_for(
        "!document.getElementById('panel').hidden",
        Duration::from_secs(5),
    )
    .unwrap();
    page.fill(&Target::Selector("#event"), event, Duration::from_secs(2))
        .unwrap();
    page.click("#save").unwrap();
    page.wait_for(
        "['saved', 'error'].includes(document.getElementById('status').dataset.state)",
        Duration::from_secs(20),
    )
    .unwrap();
    let v = page
        .eval("[document.getElementById('status').dataset.state, document.getElementById('diagnostics').textContent]")
        .unwrap();
    (
        v[0].as_str().unwrap().to_owned(),
        v[1].as_str().unwrap().to_owned(),
    )
}

/// The lines `after` has in addition to `before`, which must be one run of whole lines
/// with every other line byte-identical.
fn inserted_lines(before: &str, after: &str) -> String {
    let (old, new): (Vec<&str>, Vec<&str>) = (
        before.split_inclusive('\n').collect(),
        after.split_inclusive('\n').collect(),
    );
    let at = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let added = new.len() - old.len();
    assert_eq!(&new[..at], &old[..at]);
    assert_eq!(&new[at + added..], &old[at..], "only lines were inserted");
    new[at..at + added].concat()
}

fn sha(path: &Path) -> Vec<u8> {
    use sha2::Digest as _;
    sha2::Sha256::digest(std::fs::read(path).unwrap()).to_vec()
}

#[test]
fn pick_end_to_end_adds_lead_for_asistir_presencial() {
    let site = serve("/", LANDING);
    let (dir, config) = config_without_attend();
    let before = std::fs::read_to_string(&config).unwrap();
    let pick = Pick::start(&site.url("/"), &config);
    assert!(
        pick.stderr.iter().any(|l| l.contains("page `landing`")),
        "{:?}",
        pick.stderr
    );
    let mut browser = launch();
    let mut page = browser.new_page(MetaMode::Recorder).unwrap();
    open_picker(&mut page, &pick);
    // Every element the scan listed has its sidebar entry; the call to action its box.
    let n = page
        .eval("[document.querySelectorAll('#elements button').length, !!document.querySelector('#overlays div[data-index]')]")
        .unwrap();
    assert!(n[0].as_u64().unwrap() >= 7, "{n}");
    assert_eq!(n[1], true);

    // A save that does not check is undone and shown: Purchase needs a value.
    let (state, diagnostics) = save_in_panel(&mut page, "Asistir presencial", "Purchase");
    assert_eq!(state, "error", "{diagnostics}");
    assert!(diagnostics.contains("TAG2005"), "{diagnostics}");
    assert!(diagnostics.contains("undone"), "{diagnostics}");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), before);

    // Lead, "Don't include value" kept.
    let checked = page
        .eval("document.querySelector('input[name=value]:checked').value")
        .unwrap();
    assert_eq!(checked, "none");
    let (state, diagnostics) = save_in_panel(&mut page, "Asistir presencial", "Lead");
    assert_eq!(state, "saved", "{diagnostics}");
    let status = page
        .eval("document.querySelector('#elements button[data-status=tracked]').textContent")
        .unwrap();
    assert_eq!(status, "Asistir presencial");
    page.click("#done").unwrap();
    let (code, stderr) = pick.wait();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("saved to tagc.yaml:"), "{stderr}");
    assert!(stderr.contains("not saved"), "{stderr}");

    // The new text: one block inserted, every other line byte-identical.
    let after = std::fs::read_to_string(&config).unwrap();
    insta::assert_snapshot!("pick_landing_yaml", after);
    assert_eq!(
        inserted_lines(&before, &after),
        "      - id: asistir-presencial\n        text: Asistir presencial\n        event: Lead\n"
    );

    // Built and verified against the page carrying the new snippet, the button passes.
    let out = dir.path().join("dist");
    let built = tagc()
        .arg("build")
        .arg(&config)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let snippet = std::fs::read_to_string(out.join("pixel/pages/landing.html")).unwrap();
    let staged =
        Server::start_routes(Routes::default().with("/", Route::html(html(&snippet, LANDING))))
            .unwrap();
    let verified = tagc()
        .arg("verify")
        .arg(out.join("verify/plan.json"))
        .args([
            "--format",
            "json",
            "--base-url",
            &staged.url(""),
            "--fbevents",
            "recorder",
        ])
        .args(["--check", "browser/landing/asistir-presencial"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&verified.stdout).unwrap_or(Value::Null);
    let stderr = String::from_utf8_lossy(&verified.stderr);
    assert_eq!(verified.status.code(), Some(0), "{report:#}\n{stderr}");
    let check = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "browser/landing/asistir-presencial")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(check["outcome"], "passed", "{check:#}");
}

#[test]
fn a_url_matching_no_page_creates_the_page_and_hostile_texts_stay_inert() {
    let site = serve("/inscripcion/madrid", HOSTILE);
    let (_dir, config) = config_without_attend();
    let before = std::fs::read_to_string(&config).unwrap();
    let pick = Pick::start(&site.url("/inscripcion/madrid"), &config);
    let mut browser = launch();
    let mut page = browser.new_page(MetaMode::Recorder).unwrap();
    open_picker(&mut page, &pick);
    page.settle(Duration::from_millis(300)).unwrap();
    // Every text is data: nothing ran, and each sidebar entry reads as the scan's label.
    let v = page
        .eval(
            "(async () => { const d = await (await fetch('scan.json')).json(); \
             return [typeof window.__pwned, d.report.elements.map((e) => e.text), \
             [...document.querySelectorAll('#elements button')].map((b) => b.textContent), \
             document.querySelectorAll('img').length, d.new_page]; })()",
        )
        .unwrap();
    assert_eq!(v[0], "undefined", "{v:#}");
    assert_eq!(v[1], v[2], "{v:#}");
    assert_eq!(v[3], 1, "only the screenshot: {v:#}");
    assert_eq!(v[4]["id"], "inscripcion-madrid", "{v:#}");
    let texts: Vec<String> = v[1]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect();
    let label = texts
        .iter()
        .find(|t| t.starts_with("</script>"))
        .unwrap_or_else(|| panic!("{texts:?}"))
        .clone();
    assert!(label.contains("\"Reservar\" 'plaza'"), "{label:?}");
    assert!(
        texts
            .iter()
            .any(|t| t.contains("onerror=\"window.__pwned=2\"")),
        "{texts:?}"
    );

    let (state, diagnostics) = save_in_panel(&mut page, &label, "Lead");
    assert_eq!(state, "saved", "{diagnostics}");
    assert_eq!(page.eval("typeof window.__pwned").unwrap(), "undefined");
    page.click("#done").unwrap();
    let (code, stderr) = pick.wait();
    assert_eq!(code, Some(0), "{stderr}");

    // A new page, the path as its pattern, after the last page; the rest untouched.
    let after = std::fs::read_to_string(&config).unwrap();
    let inserted = inserted_lines(&before, &after);
    assert!(
        inserted.starts_with(
            "  - id: inscripcion-madrid\n    url: /inscripcion/madrid\n    buttons:\n"
        ),
        "{inserted}"
    );
    assert!(!after.contains('\u{2028}'));
    insta::assert_snapshot!("pick_hostile_new_page_yaml", inserted);
    // Loaded back, the button's text is the element's label exactly.
    let checked =
        tagc::check::check_paths(std::slice::from_ref(&config), tagc::load::Limits::default())
            .unwrap();
    assert!(!checked.diagnostics.has_errors());
    let resolved = tagc::resolve::resolve(&checked.configs[0], "production").unwrap();
    let new_page = resolved
        .pages
        .iter()
        .find(|p| p.id == "inscripcion-madrid")
        .unwrap();
    assert_eq!(new_page.buttons.len(), 1);
    match &new_page.buttons[0].locator {
        tagc::resolve::ResolvedLocator::Text { text, within } => {
            assert_eq!(text, &label);
            assert_eq!(within, &None);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(new_page.buttons[0].event.event, "Lead");
}

#[test]
fn posts_without_the_token_or_from_another_origin_are_refused() {
    let site = serve("/", LANDING);
    let (_dir, config) = config_without_attend();
    let hash = sha(&config);
    let pick = Pick::start(&site.url("/"), &config);
    let (host, base) = (pick.host(), pick.base());
    let origin = format!("Origin: http://{host}\r\n");
    let json = "Content-Type: application/json\r\n";
    let save = r#"{"event":"Lead","locator":{"kind":"text","text":"Asistir presencial"},"id":"x"}"#;
    // Without the token, or outside it: not found.
    assert_eq!(
        post(
            &host,
            "/t/00000000000000000000000000000000/save",
            &format!("{origin}{json}"),
            save
        ),
        404
    );
    assert_eq!(post(&host, "/save", &format!("{origin}{json}"), save), 404);
    let get = |path: &str, host_header: &str| {
        http(
            &host,
            &format!("GET {path} HTTP/1.1\r\nHost: {host_header}\r\nConnection: close\r\n\r\n"),
        )
    };
    assert_eq!(get("/", &host).0, 404);
    assert_eq!(get("/t/", &host).0, 404);
    // From another origin, without one, as a form, or through another host name: refused.
    let path = format!("{base}save");
    assert_eq!(
        post(
            &host,
            &path,
            &format!("Origin: http://evil.example\r\n{json}"),
            save
        ),
        403
    );
    assert_eq!(post(&host, &path, json, save), 403);
    assert_eq!(
        post(
            &host,
            &path,
            &format!("{origin}Content-Type: text/plain\r\n"),
            save
        ),
        403
    );
    let (status, _, _) = http(
        &host,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: evil.example:{}\r\n{origin}{json}Content-Length: {}\r\nConnection: close\r\n\r\n{save}",
            host.split(':').nth(1).unwrap(),
            save.len()
        ),
    );
    assert_eq!(status, 403);
    assert_eq!(get(&format!("{base}scan.json"), "evil.example").0, 403);
    assert_eq!(hash, sha(&config), "nothing was written");
    // The picker's own files, with the policy.
    let (status, head, body) = get(&base, &host);
    assert_eq!(status, 200);
    assert!(head.contains("Content-Security-Policy: default-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"), "{head}");
    assert!(head.contains("X-Content-Type-Options: nosniff"), "{head}");
    assert!(
        body.contains("<script src=\"picker.js\" defer></script>"),
        "{body}"
    );
    let (status, head, _) = get(&format!("{base}scan.json"), &host);
    assert_eq!(status, 200);
    assert!(head.contains("Content-Type: application/json"), "{head}");
    assert_eq!(get(&format!("{base}shot.png"), &host).0, 200);
    // A live count of a typed locator.
    let typed = r#"{"kind":"text","text":"Asistir presencial"}"#;
    let (status, _, body) = http(
        &host,
        &format!(
            "POST {base}locator HTTP/1.1\r\nHost: {host}\r\n{origin}{json}Content-Length: {}\r\nConnection: close\r\n\r\n{typed}",
            typed.len()
        ),
    );
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["count"],
        1,
        "{body}"
    );
    // Refused before any edit: a text value read from a selector of several elements, a
    // currency that is none, an id that is no id.
    for (body, why) in [
        (
            r#"{"event":"Purchase","value":{"kind":"text","selector":"a","currency":"EUR"},"locator":{"kind":"text","text":"Asistir presencial"},"id":"buy"}"#,
            "matches 5 elements",
        ),
        (
            r#"{"event":"Purchase","value":{"kind":"constant","amount":"25","currency":"EURO"},"locator":{"kind":"text","text":"Asistir presencial"},"id":"buy"}"#,
            "not an ISO 4217 currency code",
        ),
        (
            r#"{"event":"Lead","locator":{"kind":"selector","selector":"a["},"id":"x"}"#,
            "not a valid CSS selector",
        ),
        (
            r#"{"event":"Lead","locator":{"kind":"text","text":"Asistir presencial"},"id":"no id"}"#,
            "is not a button id",
        ),
    ] {
        let (status, _, answer) = http(
            &host,
            &format!(
                "POST {base}save HTTP/1.1\r\nHost: {host}\r\n{origin}{json}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            ),
        );
        assert_eq!(status, 200);
        let answer: Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(answer["ok"], false, "{answer}");
        assert!(
            answer["diagnostics"].as_str().unwrap().contains(why),
            "{answer}"
        );
    }
    // A quit from another origin is refused; Ctrl-C (SIGINT) stops it, exit 0.
    assert_eq!(
        post(
            &host,
            &format!("{base}quit"),
            &format!("Origin: http://evil.example\r\n{json}"),
            "{}"
        ),
        403
    );
    let killed = Command::new("kill")
        .args(["-INT", &pick.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let (code, stderr) = pick.wait();
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(hash, sha(&config));
}

#[test]
fn pick_refuses_bad_input_untouched() {
    let (dir, config) = config_without_attend();
    let run = |url: &str, config: &Path| {
        let out = Command::new(env!("CARGO_BIN_EXE_tagc"))
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .args(["pick", url, "--config"])
            .arg(config)
            .args(["--no-open", "--settle-ms", "100", "--timeout", "10"])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let hash = sha(&config);
    let (code, stderr) = run("http://127.0.0.1:1/", &config);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot load http://127.0.0.1:1/"),
        "{stderr}"
    );
    assert!(stderr.contains("was not changed"), "{stderr}");
    let (code, stderr) = run("ftp://example.com/", &config);
    assert_eq!(code, Some(2), "{stderr}");
    let site = Server::start_routes(
        Routes::default()
            .with(
                "/api",
                Route::Page {
                    status: 200,
                    content_type: "application/json".to_owned(),
                    body: b"{\"a\": 1}".to_vec(),
                },
            )
            .with(
                "/gone",
                Route::Page {
                    status: 404,
                    content_type: "text/html".to_owned(),
                    body: b"<p>no</p>".to_vec(),
                },
            ),
    )
    .unwrap();
    let (code, stderr) = run(&site.url("/api"), &config);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("not an HTML page (application/json)"),
        "{stderr}"
    );
    let (code, stderr) = run(&site.url("/gone"), &config);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("HTTP 404"), "{stderr}");
    // A bad --keywords file: named with its line, before any browser starts.
    let keywords = dir.path().join("keywords.yaml");
    std::fs::write(&keywords, "Lead: [asistir]\nBuyNow: [comprar]\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tagc"))
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(["pick", &site.url("/gone"), "--no-open", "--config"])
        .arg(&config)
        .arg("--keywords")
        .arg(&keywords)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("keywords.yaml:2:"), "{stderr}");
    assert!(!stderr.contains("HTTP 404"), "{stderr}");
    assert_eq!(hash, sha(&config));

    // A configuration with errors: reported as `tagc check` does, and no browser is needed.
    let broken = dir.path().join("broken.yaml");
    let text = std::fs::read_to_string(&config).unwrap().replace(
        "      - id: register",
        "      - id: buy\n        text: Comprar\n        event: Purchase\n      - id: register",
    );
    std::fs::write(&broken, &text).unwrap();
    let hash = sha(&broken);
    let ok = Server::start(BTreeMap::from([(
        "/".to_owned(),
        ("text/html".to_owned(), html("", LANDING)),
    )]))
    .unwrap();
    let (code, stderr) = run(&ok.url("/"), &broken);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("TAG2005"), "{stderr}");
    assert!(stderr.contains("fix them first"), "{stderr}");
    assert!(!stderr.contains("picker:"), "{stderr}");
    assert_eq!(hash, sha(&broken));
}

/// The width and height a PNG's IHDR chunk gives.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    let be = |at: usize| u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]);
    (be(16), be(20))
}

#[test]
fn screenshot_full_covers_the_document_beyond_the_viewport() {
    let tall = |px: u32| {
        format!("<div style=\"height:{px}px;background:linear-gradient(#fff,#000)\">top</div>")
    };
    let site = Server::start_routes(
        Routes::default()
            .with(
                "/3000",
                Route::html(html("<style>body{margin:0}</style>", &tall(3000))),
            )
            .with(
                "/20000",
                Route::html(html("<style>body{margin:0}</style>", &tall(20000))),
            ),
    )
    .unwrap();
    let mut browser = launch();
    let mut page = browser.new_page(MetaMode::Recorder).unwrap();
    page.goto(&site.url("/3000")).unwrap();
    let shot = page.screenshot_full(16_000).unwrap();
    assert_eq!(
        (shot.height, shot.document_height, shot.truncated),
        (3000, 3000, false)
    );
    assert_eq!(png_size(&shot.png), (shot.width, 3000));
    page.goto(&site.url("/20000")).unwrap();
    let shot = page.screenshot_full(16_000).unwrap();
    assert_eq!(
        (shot.height, shot.document_height, shot.truncated),
        (16_000, 20_000, true)
    );
    assert_eq!(png_size(&shot.png), (shot.width, 16_000));
}

/// Copies `examples/{example}` into a temporary directory.
fn copy_example(example: &str) -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                copy(&e.path(), &to.join(e.file_name()));
            } else {
                std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy(&root.join("examples").join(example), dir.path());
    dir
}

#[test]
fn the_page_in_an_included_file_is_edited_there() {
    let site = serve(
        "/",
        "<header><a href=\"/sales\">Talk to sales</a></header><main><button id=\"go\">Empezar ahora</button></main>",
    );
    let dir = copy_example("multi-file");
    let config = dir.path().join("tagc.yaml");
    let files = [
        "tagc.yaml",
        "server.yaml",
        "pages/home.yaml",
        "pages/pricing.yaml",
        "pages/signup.yaml",
    ];
    let before: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(dir.path().join(f)).unwrap())
        .collect();
    let pick = Pick::start(&site.url("/"), &config);
    assert!(
        pick.stderr.iter().any(|l| l.contains("page `home`")),
        "{:?}",
        pick.stderr
    );
    let (host, base) = (pick.host(), pick.base());
    let body = serde_json::json!({
        "event": "Lead",
        "locator": {"kind": "selector", "selector": "#go"},
        "id": "empezar",
    })
    .to_string();
    let (status, _, answer) = http(
        &host,
        &format!(
            "POST {base}save HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert_eq!(status, 200);
    let answer: Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(answer["ok"], true, "{answer}");
    assert_eq!(answer["file"], "pages/home.yaml", "{answer}");
    assert_eq!(answer["page"], "home", "{answer}");
    assert_eq!(
        post(
            &host,
            &format!("{base}quit"),
            &format!("Origin: http://{host}\r\nContent-Type: application/json\r\n"),
            "{}"
        ),
        200
    );
    let (code, stderr) = pick.wait();
    assert_eq!(code, Some(0), "{stderr}");
    for (f, old) in files.iter().zip(&before) {
        let now = std::fs::read_to_string(dir.path().join(f)).unwrap();
        if *f == "pages/home.yaml" {
            assert_eq!(
                inserted_lines(old, &now),
                "      - id: empezar\n        selector: \"#go\"\n        event: Lead\n"
            );
        } else {
            assert_eq!(&now, old, "{f} changed");
        }
    }
}

#[test]
fn after_a_save_every_element_is_matched_again() {
    // Two "Comprar" buttons. The scan gives each its own path; the user types
    // `text: Comprar` instead, which fires on both: after the save both are ambiguous —
    // not just the one picked.
    let site = serve(
        "/",
        r#"<main><button type="button">Comprar</button><p>Entradas</p><button type="button">Comprar</button></main>"#,
    );
    let (_dir, config) = config_without_attend();
    let pick = Pick::start(&site.url("/"), &config);
    let mut browser = launch();
    let mut page = browser.new_page(MetaMode::Recorder).unwrap();
    open_picker(&mut page, &pick);
    let statuses = |page: &mut Page<'_>| {
        page.eval("[...document.querySelectorAll('#elements button')].filter((b) => b.textContent === 'Comprar').map((b) => b.dataset.status)")
            .unwrap()
    };
    assert_eq!(
        statuses(&mut page),
        serde_json::json!(["untracked", "untracked"])
    );
    page.click_text("Comprar", Some("#elements")).unwrap();
    page.wait_for(
        "!document.getElementById('panel').hidden",
        Duration::from_secs(5),
    )
    .unwrap();
    page.eval("document.getElementById('locator-kind').value = 'text'; document.getElementById('locator').value = 'Comprar'")
        .unwrap();
    page.fill(
        &Target::Selector("#event"),
        "InitiateCheckout",
        Duration::from_secs(2),
    )
    .unwrap();
    page.click("#save").unwrap();
    page.wait_for(
        "document.getElementById('status').dataset.state === 'saved'",
        Duration::from_secs(20),
    )
    .unwrap();
    let saved = std::fs::read_to_string(&config).unwrap();
    assert!(saved.contains("        text: Comprar\n"), "{saved}");
    assert_eq!(
        statuses(&mut page),
        serde_json::json!(["ambiguous", "ambiguous"])
    );
    page.click("#done").unwrap();
    let (code, stderr) = pick.wait();
    assert_eq!(code, Some(0), "{stderr}");
}
