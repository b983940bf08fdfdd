//! Editor help, measured in the real client: the committed `schema/tagc.schema.json` is
//! loaded by yaml-language-server (the engine of VS Code's YAML extension), spoken to
//! over LSP on stdio, and what a user sees is asserted: diagnostics, completion, hover.
//!
//! The server comes from `TAGC_YAML_LS` or `target/tools/node_modules/.bin/`
//! (`scripts/install-editor-tools` puts it there). Without it the tests fail when `CI` is
//! set, and say loudly that they were skipped otherwise.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long any one answer from the server may take.
const TIMEOUT: Duration = Duration::from_secs(20);

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn schema_path() -> PathBuf {
    root().join("schema/tagc.schema.json")
}

/// The committed schema as JSON.
fn schema() -> Value {
    serde_json::from_str(&std::fs::read_to_string(schema_path()).expect("the committed schema"))
        .expect("the committed schema is JSON")
}

/// The server binary, or `None` (after failing on CI) when it is not installed.
fn server_binary() -> Option<PathBuf> {
    let path = std::env::var_os("TAGC_YAML_LS").map_or_else(
        || root().join("target/tools/node_modules/.bin/yaml-language-server"),
        PathBuf::from,
    );
    if path.exists() {
        return Some(path);
    }
    let msg = format!(
        "yaml-language-server not found at {} (set TAGC_YAML_LS, or run scripts/install-editor-tools)",
        path.display()
    );
    if std::env::var_os("CI").is_some() {
        panic!("{msg}; CI is set, so the editor tests cannot be skipped");
    }
    // Straight to stderr: the test harness captures `eprintln!` of passing tests.
    let _ = writeln!(
        std::io::stderr(),
        "\n{bar}\nSKIPPED editor test: {msg}\n{bar}",
        bar = "*".repeat(72)
    );
    None
}

/// A yaml-language-server process and the messages it has sent.
struct Server {
    child: Child,
    stdin: ChildStdin,
    inbox: Receiver<Value>,
    next_id: i64,
    diagnostics: HashMap<String, Vec<Value>>,
    settings: Value,
}

impl Server {
    fn start() -> Option<Server> {
        let bin = server_binary()?;
        let mut child = Command::new(&bin)
            .arg("--stdio")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, inbox) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(msg) = read_frame(&mut r) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child,
            stdin,
            inbox,
            next_id: 0,
            diagnostics: HashMap::new(),
            settings: json!({"yaml": {
                "validate": true, "hover": true, "completion": true,
                "schemaStore": {"enable": false}
            }}),
        };
        server.request(
            "initialize",
            json!({
                "processId": std::process::id(),
                "rootUri": null,
                "capabilities": {
                    "workspace": {"configuration": true},
                    "textDocument": {
                        "completion": {"completionItem": {"snippetSupport": true}},
                        "hover": {"contentFormat": ["markdown", "plaintext"]}
                    }
                }
            }),
        );
        server.notify("initialized", json!({}));
        let settings = server.settings.clone();
        server.notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": settings }),
        );
        Some(server)
    }

    fn send(&mut self, msg: &Value) {
        let body = serde_json::to_vec(msg).expect("json");
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).expect("write");
        self.stdin.write_all(&body).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// One message from the server, handling its requests and diagnostics.
    fn receive(&mut self, deadline: Instant) -> Option<Value> {
        let left = deadline.saturating_duration_since(Instant::now());
        let msg = match self.inbox.recv_timeout(left) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => return None,
            Err(RecvTimeoutError::Disconnected) => panic!("yaml-language-server exited"),
        };
        match (msg.get("method").and_then(Value::as_str), msg.get("id")) {
            (Some("workspace/configuration"), Some(id)) => {
                let items = msg["params"]["items"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                let result: Vec<Value> = items
                    .iter()
                    .map(|item| {
                        let mut v = &self.settings;
                        for part in item["section"].as_str().unwrap_or_default().split('.') {
                            if !part.is_empty() {
                                v = v.get(part).unwrap_or(&Value::Null);
                            }
                        }
                        v.clone()
                    })
                    .collect();
                let id = id.clone();
                self.send(&json!({"jsonrpc": "2.0", "id": id, "result": result}));
            }
            (Some(_), Some(id)) => {
                let id = id.clone();
                self.send(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
            }
            (Some("textDocument/publishDiagnostics"), None) => {
                let uri = msg["params"]["uri"].as_str().unwrap_or_default().to_owned();
                let d = msg["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                self.diagnostics.insert(uri, d);
            }
            _ => {}
        }
        Some(msg)
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let msg = self
                .receive(deadline)
                .unwrap_or_else(|| panic!("no answer to {method} within {TIMEOUT:?}"));
            if msg.get("id") == Some(&json!(id)) && msg.get("method").is_none() {
                if let Some(err) = msg.get("error") {
                    panic!("{method} failed: {err}");
                }
                return msg.get("result").cloned().unwrap_or(Value::Null);
            }
        }
    }

    /// Opens a file (its text as it is on disk) and waits for its diagnostics.
    fn open(&mut self, path: &Path) -> (String, String, Vec<Value>) {
        let text = std::fs::read_to_string(path).expect("readable");
        let uri = format!("file://{}", path.display());
        self.diagnostics.remove(&uri);
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
        );
        let deadline = Instant::now() + TIMEOUT;
        while !self.diagnostics.contains_key(&uri) {
            if self.receive(deadline).is_none() {
                panic!("no diagnostics for {uri} within {TIMEOUT:?}");
            }
        }
        let d = self.diagnostics[&uri].clone();
        (uri, text, d)
    }

    /// Opens a file that must get diagnostics: waits past any early empty report.
    fn open_broken(&mut self, path: &Path) -> (String, String, Vec<Value>) {
        let (uri, text, _) = self.open(path);
        let deadline = Instant::now() + TIMEOUT;
        while self.diagnostics[&uri].is_empty() {
            if self.receive(deadline).is_none() {
                break;
            }
        }
        let d = self.diagnostics[&uri].clone();
        (uri, text, d)
    }

    fn at(uri: &str, (line, character): (usize, usize)) -> Value {
        json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
    }

    /// The completion items at a position, and how long the server took.
    fn complete(&mut self, uri: &str, pos: (usize, usize)) -> (Vec<Value>, Duration) {
        let t = Instant::now();
        let r = self.request("textDocument/completion", Self::at(uri, pos));
        let took = t.elapsed();
        let items = match r {
            Value::Array(a) => a,
            other => other["items"].as_array().cloned().unwrap_or_default(),
        };
        (items, took)
    }

    /// The hover text at a position (markdown, with its escapes removed).
    fn hover(&mut self, uri: &str, pos: (usize, usize)) -> String {
        let r = self.request("textDocument/hover", Self::at(uri, pos));
        let contents = &r["contents"];
        let text = contents["value"]
            .as_str()
            .or_else(|| contents.as_str())
            .unwrap_or_default();
        text.replace('\\', "")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_frame(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            len = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; len?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// The position just after the first occurrence of `needle` at or after line `from`,
/// outside comments (0-based line and UTF-16 column; the test texts are ASCII).
fn after(text: &str, needle: &str, from: usize) -> (usize, usize) {
    for (i, line) in text.lines().enumerate().skip(from) {
        if line.trim_start().starts_with('#') {
            continue;
        }
        if let Some(c) = line.find(needle) {
            return (i, c + needle.len());
        }
    }
    panic!("`{needle}` not found after line {from}");
}

/// The position inside the first occurrence of `needle` (for hovering over a key).
fn on(text: &str, needle: &str, from: usize) -> (usize, usize) {
    let (l, c) = after(text, needle, from);
    (l, c - needle.len() + 1)
}

fn labels(items: &[Value]) -> Vec<&str> {
    items.iter().filter_map(|i| i["label"].as_str()).collect()
}

/// A temp dir with files whose first line points at the committed schema by its
/// absolute path (the way the examples point at it relatively).
fn variants(files: &[(&str, &str)]) -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let header = format!(
        "# yaml-language-server: $schema={}\n",
        schema_path().display()
    );
    let paths = files
        .iter()
        .map(|(name, body)| {
            let p = dir.path().join(name);
            std::fs::write(&p, format!("{header}{body}")).expect("write");
            p
        })
        .collect();
    (dir, paths)
}

const PIXELS: &str = "pixels:\n  - name: main\n    ids:\n      production: \"123456789012345\"\n";

fn messages(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| {
            format!(
                "{}: {}",
                d["range"]["start"]["line"],
                d["message"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

#[test]
fn every_example_is_clean_in_the_editor_and_gets_the_schema() {
    let Some(mut s) = Server::start() else { return };
    let mut files = Vec::new();
    for dir in std::fs::read_dir(root().join("examples"))
        .expect("examples/")
        .flatten()
    {
        let mut stack = vec![dir.path()];
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                stack.extend(
                    std::fs::read_dir(&p)
                        .expect("dir")
                        .flatten()
                        .map(|e| e.path()),
                );
            } else if p.extension().is_some_and(|e| e == "yaml") {
                files.push(p);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 5, "{files:?}");
    for f in &files {
        let (uri, text, diags) = s.open(f);
        assert!(diags.is_empty(), "{}: {:#?}", f.display(), messages(&diags));
        // The schema comment is honoured: a hover over the first key describes it.
        let first_key = text
            .lines()
            .position(|l| !l.starts_with('#') && !l.trim().is_empty())
            .expect("a key");
        let h = s.hover(&uri, (first_key, 1));
        assert!(
            h.contains("tagc.schema.json"),
            "{}: no schema hover on line {first_key}: {h:?}",
            f.display()
        );
    }
}

#[test]
fn standard_event_names_are_checked_unless_custom() {
    let Some(mut s) = Server::start() else { return };
    let (_dir, paths) = variants(&[
        (
            "typo.yaml",
            &format!(
                "{PIXELS}events:\n  buy:\n    event: Purchse\n    params:\n      value: 10\n      currency: EUR\n"
            ),
        ),
        (
            "custom.yaml",
            &format!(
                "{PIXELS}events:\n  mine:\n    event: MyThing\n    custom: true\npages:\n  - id: home\n    url: /\n    buttons:\n      - id: b\n        selector: .b\n        event: AlsoMine\n        custom: true\nserver:\n  events:\n    - id: s\n      event: ServerThing\n      custom: true\n      action_source: website\n      user_data:\n        em: order.email\n"
            ),
        ),
        (
            "server-typo.yaml",
            &format!(
                "{PIXELS}server:\n  events:\n    - id: s\n      event: Lea\n      action_source: website\n      user_data:\n        em: order.email\n"
            ),
        ),
    ]);
    let (_, text, diags) = s.open_broken(&paths[0]);
    let line = after(&text, "event: Purchse", 0).0;
    assert!(
        diags
            .iter()
            .any(|d| d["range"]["start"]["line"] == json!(line)
                && d["message"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("Purchase")),
        "no diagnostic listing the standard events on `event: Purchse`: {:#?}",
        messages(&diags)
    );
    let (uri, _, diags) = s.open(&paths[1]);
    assert!(
        diags.is_empty(),
        "custom events flagged: {:#?}",
        messages(&diags)
    );
    let h = s.hover(&uri, (1, 1));
    assert!(
        h.contains("tagc.schema.json"),
        "the schema was not applied: {h:?}"
    );
    let (_, text, diags) = s.open_broken(&paths[2]);
    let line = after(&text, "event: Lea", 0).0;
    assert!(
        diags
            .iter()
            .any(|d| d["range"]["start"]["line"] == json!(line)),
        "no diagnostic on the server's `event: Lea`: {:#?}",
        messages(&diags)
    );
}

#[test]
fn completion_offers_standard_events_and_their_parameters() {
    let Some(mut s) = Server::start() else { return };
    let (_dir, paths) = variants(&[(
        "blank.yaml",
        &format!(
            "{PIXELS}events:\n  buy:\n    event: \n  order:\n    event: Purchase\n    params:\n      \npages:\n  - id: home\n    url: /\n    buttons:\n      - id: b\n        selector: .b\n        event: Purchase\n        params:\n          \nserver:\n  events:\n    - id: s\n      event: Purchase\n      action_source: website\n      user_data:\n        em: order.email\n      custom_data:\n        \n"
        ),
    )]);
    let (uri, text, _) = s.open(&paths[0]);
    let mut slowest = Duration::ZERO;

    let (items, took) = s.complete(&uri, after(&text, "    event: ", 0));
    slowest = slowest.max(took);
    let got = labels(&items);
    for want in [
        "Purchase",
        "Lead",
        "AddToCart",
        "ViewContent",
        "CompleteRegistration",
    ] {
        assert!(got.contains(&want), "after `event: `, no {want}: {got:?}");
    }
    let standard: Vec<&str> = tagc::meta::standard_event_names().collect();
    assert!(
        standard.iter().all(|e| got.contains(e)),
        "not every standard event is offered: {got:?}"
    );

    // Under `params:` of a Purchase definition, of a Purchase button, and under a
    // Purchase server event's `custom_data:`.
    for (marker, what) in [
        ("    params:", "an event definition's params"),
        ("        params:", "a button's params"),
        ("      custom_data:", "a server event's custom_data"),
    ] {
        let (l, _) = after(&text, marker, 0);
        let indent = marker.len() - marker.trim_start().len() + 2;
        let (items, took) = s.complete(&uri, (l + 1, indent));
        slowest = slowest.max(took);
        let got = labels(&items);
        for want in ["value", "currency", "content_ids", "contents", "num_items"] {
            assert!(
                got.contains(&want),
                "{what} of a Purchase: no `{want}` in {got:?}"
            );
        }
        assert!(
            !got.contains(&"search_string"),
            "{what} of a Purchase offers Search's `search_string`: {got:?}"
        );
        for item in &items {
            let doc = item["documentation"].as_str().unwrap_or_default();
            let label = item["label"].as_str().unwrap_or_default();
            if label == "value" {
                assert!(doc.contains("currency"), "`value` documentation: {doc:?}");
            }
        }
    }
    let _ = writeln!(
        std::io::stderr(),
        "editor: slowest completion {} ms",
        slowest.as_millis()
    );
    assert!(
        slowest < Duration::from_secs(5),
        "completion took {slowest:?}"
    );
}

#[test]
fn hover_shows_each_propertys_own_description() {
    let Some(mut s) = Server::start() else { return };
    let schema = schema();
    let defs = &schema["definitions"];
    let own = |def: &str, key: &str| -> String {
        defs[def]["properties"][key]["description"]
            .as_str()
            .unwrap_or_else(|| panic!("{def}.{key} has a description"))
            .to_owned()
    };
    let generic = defs["FieldSource"]["description"]
        .as_str()
        .expect("FieldSource's description")
        .to_owned();
    let (uri, text, _) = s.open(&root().join("examples/shop/tagc.yaml"));
    let top = |key: &str| {
        text.lines()
            .position(|l| l.starts_with(key))
            .unwrap_or_else(|| panic!("no top-level `{key}`"))
    };
    let (pages, server) = (top("pages:"), top("server:"));
    for (pos, def, key, words) in [
        (on(&text, "url:", pages), "Page", "url", "{name}"),
        (on(&text, "em:", server), "UserData", "em", "Email"),
        (
            on(&text, "event_id:", server),
            "ServerEvent",
            "event_id",
            "event id",
        ),
    ] {
        let h = s.hover(&uri, pos);
        let want = own(def, key);
        assert!(
            h.contains(&want) && h.contains(words),
            "hover over `{key}` (line {}) does not show its own description {want:?}:\n{h}",
            pos.0 + 1
        );
        assert!(
            !h.contains(&generic),
            "hover over `{key}` shows the generic field text:\n{h}"
        );
        assert!(
            h.starts_with(&format!("#### {key}")),
            "hover over `{key}` is titled otherwise:\n{h}"
        );
    }
}

#[test]
fn completing_a_key_inserts_the_colon() {
    let Some(mut s) = Server::start() else { return };
    let (_dir, paths) = variants(&[(
        "keys.yaml",
        &format!(
            "{PIXELS}pages:\n  - id: home\n    u\n    buttons:\n      - id: b\n        selector: .b\n        event: Lead\n        o\nserver:\n  events:\n    - id: s\n      event: Lead\n      a\n      user_data:\n        em: order.email\n"
        ),
    )]);
    let (uri, text, _) = s.open(&paths[0]);
    for (line_text, key) in [
        ("    u", "url"),
        ("        o", "on"),
        ("      a", "action_source"),
    ] {
        let l = text.lines().position(|x| x == line_text).expect("the line");
        let (items, _) = s.complete(&uri, (l, line_text.len()));
        let item = items
            .iter()
            .find(|i| i["label"] == json!(key))
            .unwrap_or_else(|| panic!("`{key}` not offered: {:?}", labels(&items)));
        let insert = item["insertText"].as_str().unwrap_or_default();
        assert!(
            insert.contains(": ") || insert.contains(":\n"),
            "`{key}` is inserted as {insert:?}, without `: `"
        );
    }

    // The templates for a new page and a new server event (labelled with the
    // definition's title) write every required key with its `: `.
    let schema = schema();
    let (_dir, paths) = variants(&[(
        "items.yaml",
        &format!("{PIXELS}pages:\n  - \nserver:\n  events:\n    - \n"),
    )]);
    let (uri, text, _) = s.open(&paths[0]);
    for (line_text, def, keys) in [
        ("  - ", "Page", &["id", "url"][..]),
        (
            "    - ",
            "ServerEvent",
            &["id", "event", "action_source"][..],
        ),
    ] {
        let l = text.lines().position(|x| x == line_text).expect("the line");
        let (items, _) = s.complete(&uri, (l, line_text.len()));
        let title = schema["definitions"][def]["title"]
            .as_str()
            .expect("a title");
        let template = items
            .iter()
            .find(|i| i["label"] == json!(title))
            .unwrap_or_else(|| panic!("no `{title}` template: {:?}", labels(&items)));
        let insert = template["insertText"].as_str().unwrap_or_default();
        for key in keys {
            assert!(
                insert.contains(&format!("{key}: ")),
                "the `{title}` template {insert:?} has no `{key}: `"
            );
        }
    }
}

#[test]
fn messages_name_the_value_and_descriptions_are_unwrapped() {
    let Some(mut s) = Server::start() else { return };
    let (_dir, paths) = variants(&[(
        "types.yaml",
        "pixels:\n  - name: main\n    ids: 5\nsite: 3\ngraph: v25\npages:\n  - id: home\n    url: 5\n    on_load:\n      - event: Lead\n        params: 3\n        event_id: 4\n    buttons:\n      - id: b\n        selector: .b\n        on: hover\n        event: Lead\n        params:\n          value: {from: data_layr}\n    verify: 3\nserver:\n  defaults: 3\n  events:\n    - id: s\n      event: Purchase\n      action_source: web\n      user_data: 4\n      custom_data: {value: 3}\n      event_time: {path: 3}\n      app_data: 3\n",
    )]);
    let (_, _, diags) = s.open_broken(&paths[0]);
    let msgs = messages(&diags);
    assert!(
        msgs.len() >= 10,
        "expected one diagnostic per broken value: {msgs:#?}"
    );
    let leaked: Vec<&String> = msgs
        .iter()
        .filter(|m| m.contains("tagc tracking configuration"))
        .collect();
    assert!(
        leaked.is_empty(),
        "the root's title names nested values: {leaked:#?}"
    );

    // Every description the server can show: no hard wrap, no blank line inside a
    // sentence.
    let mut docs = Vec::new();
    fn collect(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                for (k, x) in o {
                    match x {
                        Value::String(s) if k == "description" => out.push(s.clone()),
                        _ => collect(x, out),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
            _ => {}
        }
    }
    collect(&schema(), &mut docs);
    for d in &docs {
        for (i, para) in d.split("\n\n").enumerate() {
            assert!(
                !para.contains('\n')
                    || para
                        .lines()
                        .skip(1)
                        .all(|l| l.starts_with("- ") || l.starts_with("* ")),
                "a hard-wrapped description: {d:?}"
            );
            if i + 1 < d.split("\n\n").count() {
                assert!(
                    para.trim_end().ends_with(['.', ':', '!', '?', ')']),
                    "a blank line mid-sentence: {d:?}"
                );
            }
        }
    }
}
