//! One way of reading values (`docs/values.md`), tested with one vector file
//! (`tests/data/values.jsonl`) against every reader: the Rust reader the server mapping
//! uses (`tagc::values`), the browser runtime's `as` with its `num`/`int`/`bool` as
//! generated (`tagc::emit::values_js()`, run in node), and what `tagc verify`'s harness expects the
//! runtime to send (`tagc::verify::harness::expected_value`).

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::process::Command;

use serde::Deserialize;
use serde_json::{Value, json};
use tagc::model::ParamType;

#[derive(Deserialize, Debug)]
struct Vector {
    #[serde(rename = "type")]
    ty: String,
    #[serde(rename = "in")]
    input: Value,
    out: Value,
    why: String,
}

fn vectors() -> Vec<Vector> {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/values.jsonl"),
    )
    .unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

/// Equal as the readers' outputs: numbers by value (an integer and the same float are the
/// same number), everything else exactly.
fn same(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        _ => got == want,
    }
}

fn param_type(ty: &str) -> ParamType {
    match ty {
        "number" => ParamType::Number,
        "integer" => ParamType::Integer,
        "boolean" => ParamType::Boolean,
        "string" => ParamType::String,
        other => panic!("unknown type {other}"),
    }
}

/// Runs `script` in node and returns what it printed.
fn node(script: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("script.js");
    std::fs::write(&path, script).unwrap();
    let out = Command::new("node")
        .arg(&path)
        .output()
        .expect("node is installed (apt-get install -y nodejs)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn the_vector_file_covers_every_type_and_enough_cases() {
    let vs = vectors();
    assert!(vs.len() >= 80, "{} vectors", vs.len());
    for ty in ["number", "integer", "boolean", "string"] {
        assert!(vs.iter().any(|v| v.ty == ty), "{ty}");
    }
    for v in &vs {
        assert!(!v.why.is_empty(), "{v:?}");
        // An integer's expected value is an integer, a boolean's a boolean.
        match v.ty.as_str() {
            "integer" => assert!(v.out.is_null() || v.out.is_i64(), "{v:?}"),
            "boolean" => assert!(v.out.is_null() || v.out.is_boolean(), "{v:?}"),
            "string" => assert!(v.out.is_null() || v.out.is_string(), "{v:?}"),
            _ => assert!(v.out.is_null() || v.out.is_number(), "{v:?}"),
        }
    }
}

#[test]
fn the_rust_reader_reads_every_vector() {
    let mut wrong = Vec::new();
    for v in vectors() {
        let got = match v.ty.as_str() {
            "number" => tagc::values::read_number(&v.input).map(Value::Number),
            "integer" => tagc::values::read_integer(&v.input).map(Value::from),
            "boolean" => tagc::values::read_boolean(&v.input).map(Value::Bool),
            "string" => tagc::values::read_text(&v.input).map(Value::from),
            other => panic!("unknown type {other}"),
        }
        .unwrap_or(Value::Null);
        if !same(&got, &v.out) {
            wrong.push(format!("{v:?} → {got}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_runtime_reads_every_vector() {
    let vs = vectors();
    let cases: Vec<Value> = vs.iter().map(|v| json!([v.ty, v.input])).collect();
    // Each vector through the runtime's own `as`, as shipped (values.js.j2).
    let script = format!(
        "{js}\nconsole.log(JSON.stringify({cases}.map(([t, v]) => as(v, t) ?? null)));",
        js = tagc::emit::values_js(),
        cases = Value::Array(cases),
    );
    let stdout = node(&script);
    let got: Vec<Value> = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(got.len(), vs.len());
    let wrong: Vec<String> = vs
        .iter()
        .zip(&got)
        .filter(|(v, g)| !same(g, &v.out))
        .map(|(v, g)| format!("{v:?} → {g}"))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn verify_expects_what_the_runtime_sends_for_every_vector() {
    let mut wrong = Vec::new();
    for v in vectors() {
        let got = tagc::verify::harness::expected_value(param_type(&v.ty), &v.input)
            .unwrap_or(Value::Null);
        if !same(&got, &v.out) {
            wrong.push(format!("{v:?} → {got}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The readers in the runtime a site ships are the ones tested here, byte for byte.
#[test]
fn the_shipped_runtime_holds_these_readers() {
    let dir = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::cargo_bin("tagc")
        .unwrap()
        .args(["build", "examples/shop/tagc.yaml", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let js = std::fs::read_to_string(dir.path().join("pixel/tagc.js")).unwrap();
    let readers = tagc::emit::values_js();
    for line in readers.lines().filter(|l| l.starts_with("const ")) {
        if line.starts_with("const label") || line.starts_with("const bool") {
            continue; // the shop reads no booleans and finds no button by its text
        }
        assert!(js.contains(line), "{line}");
    }
}

/// Beyond the vectors: texts made of the characters the readers treat specially, the same
/// in both readers (a deterministic pseudo-random walk, so a failure reproduces).
#[test]
fn the_runtime_and_the_rust_reader_agree_on_generated_texts() {
    const ALPHABET: [&str; 24] = [
        "0", "1", "2", "5", "9", ".", ",", "'", "\u{2019}", " ", "\u{a0}", "\u{202f}", "-",
        "\u{2212}", "€", "$", "e", "E", "+", "a", "_", "(", "  ", "\u{feff}",
    ];
    let mut seed: u64 = 0x7a6c_0015;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(seed >> 33).unwrap()
    };
    let texts: Vec<String> = (0..3000)
        .map(|_| {
            let len = 1 + next() % 12;
            (0..len)
                .map(|_| ALPHABET[next() % ALPHABET.len()])
                .collect()
        })
        .collect();
    let script = format!(
        "{js}\nconsole.log(JSON.stringify({texts}.map((t) => [num(t), int(t), bool(t)])));",
        js = tagc::emit::values_js(),
        texts = serde_json::to_string(&texts).unwrap(),
    );
    let stdout = node(&script);
    let got: Vec<[Value; 3]> = serde_json::from_slice(&stdout).unwrap();
    let mut wrong = Vec::new();
    for (t, [n, i, b]) in texts.iter().zip(&got) {
        let v = Value::from(t.as_str());
        let rust = [
            tagc::values::read_number(&v).map_or(Value::Null, Value::Number),
            tagc::values::read_integer(&v).map_or(Value::Null, Value::from),
            tagc::values::read_boolean(&v).map_or(Value::Null, Value::Bool),
        ];
        if !(same(n, &rust[0]) && same(i, &rust[1]) && same(b, &rust[2])) {
            wrong.push(format!("{t:?}: runtime {n} {i} {b}, Rust {rust:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
