//! Conformance of `tagc::normalize` with the vectors of Meta's official Python and Node
//! SDKs (`tests/data/meta-sdk/normalize_public*.jsonl`, copied from
//! `shared/testdata/meta-sdk/`; format in `shared/reference/sdk-behaviour.md`).
//!
//! Every case of a supported field runs (the SDK-only keys `f5first`, `f5last`, `fi`,
//! `dobd`, `dobm`, `doby` and `custom_data.currency` are skipped: tagc does not produce
//! them). The expected result comes from the vectors and from the tables in
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

#![allow(clippy::unwrap_used, clippy::print_stdout)] // test code

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;
use tagc::meta::looks_hashed;
use tagc::normalize::{Context, Field, normalize_and_hash, sha256_hex};

const UNSUPPORTED: [&str; 7] = [
    "f5first", "f5last", "fi", "dobd", "dobm", "doby", "currency",
];

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
                let sha256 = if looks_hashed(&inner) {
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
        let field = Field::from_key(&case.field).unwrap();
        let input = as_text(&case.input);
        let got = tagc_outcome(field, &input);
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
    for (field, c) in &summary {
        let _ = writeln!(table, "{field}: {} / {} / {} / {}", c[0], c[1], c[2], c[3]);
    }
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
