//! Conformance of `tagc::normalize` with the vectors of Meta's official Python and Node
//! SDKs (`tests/data/meta-sdk/normalize_public*.jsonl`, copied from
//! `shared/testdata/meta-sdk/`; format in `shared/reference/sdk-behaviour.md`).
//!
//! Every case of a supported field runs (the SDK-only keys `f5first`, `f5last`, `fi`,
//! `dobd`, `dobm` and `doby` are skipped: tagc does not produce them). `currency` cases
//! go through a mapping's `custom_data.currency`, as `tagc send` sends it. The expected result comes from the vectors and from the tables in
//! `docs/hashing.md`, which are parsed here, so the doc cannot drift from the code:
//!
//! - A case without a row in the doc: both SDKs must agree, and tagc must agree with them
//!   (same normalized text and SHA-256, or all three reject the value).
//! - A row whose `tagc` cell is `= Python` or `= Node`: the SDKs disagree and tagc must
//!   give exactly that SDK's result.
//! - A row whose `tagc` cell is `` `text` `` or `error`: a deviation. tagc must give that
//!   result, and it must differ from both SDKs (otherwise the row is stale).
//!
//! "Reject" means an error or a dropped value (the SDK returns `null`). Every value goes
//! through `normalize_and_hash` with no phone country code, no country and year 2026: the
//! SDKs add no country code either. Set `TAGC_VECTORS_PRINT=1` to print a row for every
//! case the doc does not cover yet.
//!
//! `payload_vectors_conform` does the same for whole events (`payloads_public.jsonl`):
//! each raw event is mapped and applied by tagc's `Mapper` and compared with the event
//! the Python SDK serializes; every difference must be a row of the payload table in
//! `docs/hashing.md` (agree / documented deviation / disagree is printed).

#![allow(clippy::unwrap_used, clippy::print_stdout)] // test code

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Map, Value, json};
use tagc::mapping::{ApplyContext, Mapping};
use tagc::meta::{StdParamType, looks_hashed, standard_param_type};
use tagc::normalize::{Context, Field, normalize_and_hash, sha256_hex};

const UNSUPPORTED: [&str; 6] = ["f5first", "f5last", "fi", "dobd", "dobm", "doby"];

/// What an SDK (or tagc) did with a value.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// Sent: the normalized text and the value sent (its SHA-256, or itself if hashed).
    Value { normalized: String, sha256: String },
    /// Dropped (`null`) or raised an error.
    Rejected(&'static str),
}

impl Outcome {
    fn same(&self, other: &Outcome) -> bool {
        match (self, other) {
            (Outcome::Rejected(_), Outcome::Rejected(_)) => true,
            (a, b) => a == b,
        }
    }

    /// A doc cell for an SDK's result.
    fn cell(&self) -> String {
        match self {
            Outcome::Value { normalized, sha256 } if normalized == sha256 => {
                if normalized.len() == 32 || normalized.len() == 64 {
                    format!("`{}` (passed through)", show(normalized, 24))
                } else {
                    format!("`{}` (sent unhashed)", show(normalized, 24))
                }
            }
            Outcome::Value { normalized, .. } => format!("`{}`", show(normalized, 40)),
            Outcome::Rejected(what) => (*what).to_owned(),
        }
    }

    /// A doc cell for tagc's result: the exact text, which the doc parser reads back.
    fn tagc_cell(&self) -> String {
        match self {
            Outcome::Value { normalized, .. } => {
                format!("`{}`", normalized.replace('|', "\\|"))
            }
            Outcome::Rejected(_) => "error".to_owned(),
        }
    }
}

struct Case {
    id: String,
    field: String,
    input: Value,
    python: Outcome,
    node: Outcome,
}

fn data_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/meta-sdk")
}

fn sdk_outcome(v: &Value) -> Outcome {
    if v["error"].is_string() {
        return Outcome::Rejected("error");
    }
    match (&v["normalized"], &v["sha256"]) {
        (Value::Null, _) => Outcome::Rejected("dropped"),
        (n, s) => Outcome::Value {
            normalized: as_text(n),
            sha256: s.as_str().map_or_else(|| as_text(n), str::to_owned),
        },
    }
}

/// A JSON string's text, or a number's decimal text (YAML and CSV sources give numbers).
fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn load_cases() -> Vec<Case> {
    let text = std::fs::read_to_string(data_dir().join("normalize_public.jsonl")).unwrap();
    let mut by_id: BTreeMap<String, (Value, Option<Outcome>, Option<Outcome>)> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).unwrap();
        let id = v["id"].as_str().unwrap().to_owned();
        let entry = by_id.entry(id).or_insert_with(|| (v.clone(), None, None));
        assert_eq!(entry.0["input"], v["input"], "{line}");
        let slot = match v["sdk"].as_str().unwrap() {
            "python" => &mut entry.1,
            "node" => &mut entry.2,
            other => panic!("unknown sdk {other}"),
        };
        assert!(slot.is_none(), "duplicate line {line}");
        *slot = Some(sdk_outcome(&v));
    }
    by_id
        .into_iter()
        .map(|(id, (first, python, node))| Case {
            field: first["field"].as_str().unwrap().to_owned(),
            input: first["input"].clone(),
            python: python.unwrap_or_else(|| panic!("{id}: no python line")),
            node: node.unwrap_or_else(|| panic!("{id}: no node line")),
            id,
        })
        .collect()
}

fn tagc_outcome(field: Field, input: &str) -> Outcome {
    let cx = Context::new(None, None, 2026);
    match normalize_and_hash(field, input, &cx) {
        Ok(n) => {
            assert!(looks_hashed(&n.sha256));
            if n.was_hashed {
                assert_eq!(n.normalized, n.sha256);
            } else {
                assert_eq!(n.sha256, sha256_hex(n.normalized.as_bytes()));
            }
            Outcome::Value {
                normalized: n.normalized,
                sha256: n.sha256,
            }
        }
        Err(_) => Outcome::Rejected("error"),
    }
}

/// What tagc sends as `custom_data.currency` for a raw value: a `Lead` event's mapping
/// with `currency: {path: …}`, applied as `tagc send` applies it. A value tagc leaves
/// out (with a warning) counts as rejected.
fn tagc_currency(raw: &Value) -> Outcome {
    let input = json!({
        "event_name": "Lead", "event_time": 1_718_000_000, "action_source": "other",
        "user_data": {"external_id": ["x"]}, "custom_data": {"currency": raw}
    });
    match tagc_event(&input) {
        Ok(e) => match e["custom_data"]["currency"].as_str() {
            Some(c) => Outcome::Value {
                normalized: c.to_owned(),
                sha256: c.to_owned(),
            },
            None => Outcome::Rejected("dropped"),
        },
        Err(_) => Outcome::Rejected("error"),
    }
}

/// What a doc row says tagc does.
#[derive(Debug)]
enum Expect {
    Python,
    Node,
    Exactly(Outcome),
}

/// Parses the rows `| `id` | field | input | Python | Node | tagc | why |` of
/// `docs/hashing.md`.
fn doc_rows() -> BTreeMap<String, Expect> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/hashing.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let mut rows = BTreeMap::new();
    for line in doc.lines() {
        let Some(rest) = line.strip_prefix("| `") else {
            continue;
        };
        // Vector rows start with a case id such as `ph-008`; other tables are prose.
        let Some((id, _)) = rest.split_once('`') else {
            continue;
        };
        let is_case_id = id.rsplit_once('-').is_some_and(|(field, n)| {
            !field.is_empty() && n.len() == 3 && n.bytes().all(|b| b.is_ascii_digit())
        });
        if !is_case_id {
            continue;
        }
        let cells = split_row(line);
        assert_eq!(cells.len(), 7, "row must have 7 cells: {line}");
        let tagc = cells[5].trim();
        let expect = match tagc {
            "= Python" => Expect::Python,
            "= Node" => Expect::Node,
            t if t.starts_with("error") => Expect::Exactly(Outcome::Rejected("error")),
            t if t.starts_with('`') => {
                let inner = t
                    .strip_prefix('`')
                    .and_then(|t| t.rsplit_once('`'))
                    .map(|(v, _)| v.replace("\\|", "|"))
                    .unwrap_or_else(|| panic!("bad tagc cell in {line}"));
                let unhashed = cells[1].trim() == "currency";
                let sha256 = if unhashed || looks_hashed(&inner) {
                    inner.clone()
                } else {
                    sha256_hex(inner.as_bytes())
                };
                Expect::Exactly(Outcome::Value {
                    normalized: inner,
                    sha256,
                })
            }
            other => panic!("tagc cell must be `= Python`, `= Node`, `value` or error: {other}"),
        };
        assert!(
            rows.insert(id.to_owned(), expect).is_none(),
            "{id} listed twice"
        );
    }
    rows
}

/// Splits a markdown table row on unescaped `|`.
fn split_row(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut prev = '\0';
    for c in line.trim().trim_start_matches('|').chars() {
        if c == '|' && prev != '\\' {
            cells.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
        prev = c;
    }
    if !cur.trim().is_empty() {
        cells.push(cur);
    }
    cells
}

/// A value for a doc cell: escaped, shortened, with `|` escaped.
fn show(s: &str, max: usize) -> String {
    let mut esc = String::new();
    for c in s.chars() {
        // Combining marks are shown escaped, so NFD input is visible as such.
        if !c.is_ascii() && unicode_normalization::char::is_combining_mark(c) {
            let _ = write!(esc, "\\u{{{:x}}}", u32::from(c));
        } else {
            esc.extend(c.escape_debug());
        }
    }
    let esc = esc.replace("\\'", "'").replace("\\\"", "\"");
    let chars = esc.chars().count();
    let out = if chars > max {
        let head: String = esc.chars().take(max.min(16)).collect();
        format!("{head}…({} chars)", s.chars().count())
    } else {
        esc
    };
    out.replace('|', "\\|")
}

#[test]
fn sdk_vectors_conform() {
    let cases = load_cases();
    let rows = doc_rows();
    let print = std::env::var_os("TAGC_VECTORS_PRINT").is_some();
    let mut failures = Vec::new();
    let mut todo = String::new();
    let mut seen = BTreeSet::new();
    // field → (agree, follow python, follow node, deviate)
    let mut summary: BTreeMap<String, [usize; 4]> = BTreeMap::new();

    for case in &cases {
        if UNSUPPORTED.contains(&case.field.as_str()) {
            continue;
        }
        let input = as_text(&case.input);
        let got = if case.field == "currency" {
            tagc_currency(&case.input)
        } else {
            tagc_outcome(Field::from_key(&case.field).unwrap(), &input)
        };
        let agree = case.python.same(&case.node);
        seen.insert(case.id.clone());
        let counts = summary.entry(case.field.clone()).or_default();
        let row = rows.get(&case.id);
        let problem = match row {
            None if agree && got.same(&case.python) => {
                counts[0] += 1;
                None
            }
            None => Some(format!("not in docs/hashing.md: tagc gives {}", got.cell())),
            Some(Expect::Python | Expect::Node) if agree => {
                Some("the SDKs agree; remove the `= SDK` row".to_owned())
            }
            Some(Expect::Python) if got.same(&case.python) => {
                counts[1] += 1;
                None
            }
            Some(Expect::Node) if got.same(&case.node) => {
                counts[2] += 1;
                None
            }
            Some(Expect::Python | Expect::Node) => Some(format!(
                "tagc gives {}, not the SDK named in the doc",
                got.cell()
            )),
            Some(Expect::Exactly(want)) if !got.same(want) => Some(format!(
                "doc says tagc gives {}, tagc gives {}",
                want.cell(),
                got.cell()
            )),
            Some(Expect::Exactly(_)) if got.same(&case.python) || got.same(&case.node) => {
                Some("tagc matches an SDK: write `= Python`/`= Node` or drop the row".to_owned())
            }
            Some(Expect::Exactly(_)) => {
                counts[3] += 1;
                None
            }
        };
        if let Some(p) = problem {
            failures.push(format!("{} ({:?}): {p}", case.id, input));
            let _ = writeln!(
                todo,
                "| `{}` | {} | `{}` | {} | {} | {} | TODO |",
                case.id,
                case.field,
                show(&input, 40),
                case.python.cell(),
                case.node.cell(),
                if !agree && got.same(&case.python) {
                    "= Python".to_owned()
                } else if !agree && got.same(&case.node) {
                    "= Node".to_owned()
                } else {
                    got.tagc_cell()
                },
            );
        }
    }
    for id in rows.keys() {
        if !seen.contains(id) {
            failures.push(format!(
                "{id}: in docs/hashing.md but not a supported vector"
            ));
        }
    }
    if print {
        println!("{todo}");
    }
    let mut table = String::from("field: agree / = Python / = Node / deviate\n");
    let mut total = [0usize; 4];
    for (field, c) in &summary {
        let _ = writeln!(table, "{field}: {} / {} / {} / {}", c[0], c[1], c[2], c[3]);
        for (t, n) in total.iter_mut().zip(c) {
            *t += n;
        }
    }
    let _ = writeln!(
        table,
        "normalization vectors: {} cases: {} agree / {} documented (= Python {}, = Node {}, deviation {}) / {} disagree",
        seen.len(),
        total[0],
        total[1] + total[2] + total[3],
        total[1],
        total[2],
        total[3],
        failures.len()
    );
    println!("{table}");
    assert!(
        failures.is_empty(),
        "{} vector(s) not as documented:\n{}\n\nrows to add (TAGC_VECTORS_PRINT=1):\n{todo}",
        failures.len(),
        failures.join("\n")
    );
}

/// The disagreements file lists exactly the cases where the public file's two lines
/// disagree, with the same outcomes.
#[test]
fn disagreements_file_matches_public_file() {
    let cases: BTreeMap<String, Case> = load_cases()
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    let text =
        std::fs::read_to_string(data_dir().join("normalize_public_disagreements.jsonl")).unwrap();
    let mut listed = BTreeSet::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).unwrap();
        let id = v["id"].as_str().unwrap();
        let case = cases
            .get(id)
            .unwrap_or_else(|| panic!("{id} not in public file"));
        assert_eq!(case.input, v["input"], "{id}");
        assert_eq!(case.python, sdk_outcome(&v["python"]), "{id}");
        assert_eq!(case.node, sdk_outcome(&v["node"]), "{id}");
        listed.insert(id.to_owned());
    }
    for (id, case) in &cases {
        let disagree = case.python != case.node;
        // Two different error messages are still a disagreement in the file only if the
        // outcome differs; errors compare equal here.
        assert_eq!(disagree, listed.contains(id), "{id}");
    }
}

// ---------------------------------------------------------------------------------------
// Payload vectors: whole events (`payloads_public.jsonl`) against the Python SDK.

/// The `extinfo` slots tagc sends as integers (as the SDKs do).
const EXTINFO_INTEGERS: [&str; 5] = [
    "screen_width",
    "screen_height",
    "cpu_core_count",
    "total_disk_space_gb",
    "free_disk_space_gb",
];

/// The mapping document that reads a payload vector's raw event as a record: every field
/// of the input is mapped from its own path, the way a configuration would map it
/// (customer data through `sha256`, ids as they are, `custom_data` by parameter type,
/// `custom_properties` as extra `custom_data` keys). Defaults are empty: the SDKs add no
/// country code or country either.
fn payload_mapping(input: &Value) -> Mapping {
    let empty = Map::new();
    let obj = |k: &str| input[k].as_object().unwrap_or(&empty).clone();
    let mut user = Map::new();
    for k in obj("user_data").keys() {
        if UNSUPPORTED.contains(&k.as_str()) {
            continue;
        }
        let transform = if Field::from_key(k).is_some() {
            "sha256"
        } else {
            "none"
        };
        user.insert(
            k.clone(),
            json!({"path": format!("user_data.{k}"), "transform": transform, "rule": ""}),
        );
    }
    let mut custom = Map::new();
    for (k, v) in obj("custom_data") {
        if k == "custom_properties" {
            for ck in v.as_object().unwrap_or(&empty).keys() {
                custom.insert(
                    ck.clone(),
                    json!({"path": format!("custom_data.custom_properties.{ck}"), "type": "any"}),
                );
            }
            continue;
        }
        let kind = match k.as_str() {
            "currency" => "currency",
            k => match standard_param_type(k) {
                Some(StdParamType::Number) => "number",
                Some(StdParamType::Integer) => "integer",
                Some(StdParamType::String) => "string",
                Some(StdParamType::IdList) => "string_list",
                Some(StdParamType::Contents) => "contents",
                None => "any",
            },
        };
        custom.insert(
            k.clone(),
            json!({"path": format!("custom_data.{k}"), "type": kind}),
        );
    }
    let name = input["event_name"].as_str().unwrap_or_default();
    let source = input["action_source"].as_str().unwrap_or("other");
    let mut required = vec!["event_name", "event_time", "action_source", "user_data"];
    if source == "website" {
        required.extend(["event_source_url", "user_data.client_user_agent"]);
    }
    if name == "Purchase" {
        required.extend(["custom_data.value", "custom_data.currency"]);
    }
    let mut ev = json!({
        "id": "e", "event_name": name, "action_source": source, "pixels": ["1"],
        "event_time": {"path": "event_time", "format": "unix"},
        "user_data": user, "custom_data": custom, "required": required
    });
    let e = ev.as_object_mut().unwrap();
    for k in ["event_id", "event_source_url", "referrer_url", "opt_out"] {
        if input.get(k).is_some() {
            e.insert(k.into(), json!({ "path": k }));
        }
    }
    if let Some(c) = input.get("messaging_channel") {
        e.insert("messaging_channel".into(), c.clone());
    }
    if input.get("data_processing_options").is_some() {
        e.insert(
            "data_processing_options".into(),
            json!({"path": "data_processing_options"}),
        );
    }
    if let Some(app) = input["app_data"].as_object() {
        let slots: Vec<Value> = tagc::model::Extinfo::SLOTS
            .iter()
            .map(|slot| {
                let kind = if EXTINFO_INTEGERS.contains(slot) {
                    "integer"
                } else {
                    "string"
                };
                if app.get("extinfo").and_then(|x| x.get(*slot)).is_some() {
                    json!({"slot": slot, "type": kind, "path": format!("app_data.extinfo.{slot}")})
                } else {
                    json!({"slot": slot, "type": kind})
                }
            })
            .collect();
        let mut a = json!({ "extinfo": slots });
        for k in [
            "advertiser_tracking_enabled",
            "application_tracking_enabled",
        ] {
            if app.contains_key(k) {
                a[k] = json!({ "path": format!("app_data.{k}") });
            }
        }
        e.insert("app_data".into(), a);
    }
    serde_json::from_value(json!({
        "$schema": tagc::mapping::SCHEMA_ID, "version": 1, "generator": "test",
        "env": "production", "graph_version": "v25.0", "defaults": {}, "events": [ev]
    }))
    .unwrap()
}

/// The event tagc sends for a payload vector's raw input, as JSON, or why it sends none.
fn tagc_event(input: &Value) -> Result<Value, String> {
    let mapping = payload_mapping(input);
    let mapper = mapping.compile("e")?;
    let now = input["event_time"].as_i64().unwrap_or(1_718_000_000);
    let applied = mapper
        .apply(input, &ApplyContext::at(now))
        .map_err(|e| e.to_string())?;
    Ok(serde_json::to_value(&applied.event).unwrap())
}

/// Whether two JSON values are the same event content: numbers by value (`15.0` = `15`),
/// and the hashed `user_data` lists as sets (the Python SDK's order is undefined).
fn same_json(a: &Value, b: &Value, as_set: bool) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) if as_set => {
            x.len() == y.len() && x.iter().all(|v| y.contains(v))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_json(p, q, false))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w, false)))
        }
        (x, y) => x == y,
    }
}

/// The fields where tagc's event differs from the SDK's: top-level keys, and one level
/// down inside `user_data`, `custom_data` and `app_data` (`custom_data.currency`).
fn diff_paths(tagc: &Value, sdk: &Value) -> BTreeSet<String> {
    let empty = Map::new();
    let mut out = BTreeSet::new();
    let t = tagc.as_object().unwrap_or(&empty);
    let s = sdk.as_object().unwrap_or(&empty);
    let keys: BTreeSet<&String> = t.keys().chain(s.keys()).collect();
    for k in keys {
        let (a, b) = (t.get(k), s.get(k));
        let nested = matches!(k.as_str(), "user_data" | "custom_data" | "app_data");
        match (a, b) {
            (Some(Value::Object(x)), Some(Value::Object(y))) if nested => {
                let inner: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
                for ik in inner {
                    let same = match (x.get(ik), y.get(ik)) {
                        (Some(p), Some(q)) => same_json(p, q, k == "user_data"),
                        _ => false,
                    };
                    if !same {
                        out.insert(format!("{k}.{ik}"));
                    }
                }
            }
            (Some(p), Some(q)) if same_json(p, q, false) => {}
            _ => {
                out.insert(k.clone());
            }
        }
    }
    out
}

/// The rows `| `payload-id` | `field` | why |` of the payload section of
/// `docs/hashing.md`: (payload id → documented fields).
fn payload_doc_rows() -> BTreeMap<String, BTreeSet<String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/hashing.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let mut rows: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut inside = false;
    for line in doc.lines() {
        if line.starts_with('#') {
            inside = line.contains("Payload vectors: documented deviations");
            continue;
        }
        if !inside || !line.starts_with("| `") {
            continue;
        }
        let cells = split_row(line);
        assert_eq!(cells.len(), 3, "payload row must have 3 cells: {line}");
        let unquote = |c: &str| c.trim().trim_matches('`').to_owned();
        let (id, field) = (unquote(&cells[0]), unquote(&cells[1]));
        assert!(
            rows.entry(id.clone()).or_default().insert(field.clone()),
            "{id} {field} listed twice"
        );
    }
    rows
}

/// Every payload vector, mapped by tagc, against the Python SDK's serialized event. An
/// event agrees when tagc sends the same content (or both refuse it); otherwise every
/// field where they differ must be a row of the payload deviation table in
/// `docs/hashing.md`, and every row there must still differ (no stale rows).
#[test]
fn payload_vectors_conform() {
    let text = std::fs::read_to_string(data_dir().join("payloads_public.jsonl")).unwrap();
    let documented = payload_doc_rows();
    let (mut agree, mut deviate) = (0usize, 0usize);
    let mut failures = Vec::new();
    let mut todo = String::new();
    let mut seen = BTreeSet::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).unwrap();
        let id = v["id"].as_str().unwrap().to_owned();
        let got = tagc_event(&v["input"]);
        let diffs: BTreeSet<String> = match (&got, &v["expected"]) {
            (Err(_), Value::Null) => BTreeSet::new(),
            (Ok(_), Value::Null) => BTreeSet::from(["(sent)".to_owned()]),
            (Err(_), _) => BTreeSet::from(["(rejected)".to_owned()]),
            (Ok(t), sdk) => diff_paths(t, sdk),
        };
        let listed = documented.get(&id).cloned().unwrap_or_default();
        seen.insert(id.clone());
        if diffs.is_empty() && listed.is_empty() {
            agree += 1;
        } else if diffs == listed {
            deviate += 1;
        } else {
            for d in diffs.difference(&listed) {
                let _ = writeln!(todo, "| `{id}` | `{d}` | TODO |");
            }
            let stale: Vec<&String> = listed.difference(&diffs).collect();
            failures.push(format!(
                "{id}: differs in {diffs:?}, documented {listed:?}{}{}",
                if stale.is_empty() {
                    ""
                } else {
                    "; stale rows: "
                },
                stale
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ));
            if let Ok(t) = &got {
                failures.push(format!("  tagc: {t}\n  sdk:  {}", v["expected"]));
            }
        }
    }
    for id in documented.keys() {
        if !seen.contains(id) {
            failures.push(format!("{id}: in docs/hashing.md but not a payload vector"));
        }
    }
    let disagree = seen.len() - agree - deviate;
    println!(
        "payload vectors: {} events: {agree} agree / {deviate} documented deviation / {disagree} disagree",
        seen.len()
    );
    assert!(
        failures.is_empty(),
        "{} payload vector(s) not as documented:\n{}\n\nrows to add:\n{todo}",
        failures.len(),
        failures.join("\n")
    );
}
