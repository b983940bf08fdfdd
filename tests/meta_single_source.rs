//! Meta's requirements are written once, in `src/meta/`: no other module names a standard
//! event or an action source as a string literal to decide something. (Schema examples,
//! explanations and tests may name them; they decide nothing.)

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_requirement_of_metas_is_written_outside_src_meta() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    files.sort();
    let needles: Vec<String> = tagc::meta::standard_event_names()
        // The action sources that are not also ordinary words (`email`, `app`, `other`).
        .chain(
            tagc::meta::ACTION_SOURCES
                .iter()
                .copied()
                .filter(|s| s.contains('_') || *s == "website"),
        )
        .map(|n| format!("\"{n}\""))
        .collect();
    let mut found = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(root).unwrap_or(file);
        // src/model names the language's values (checked against the table below).
        if rel.starts_with("src/meta")
            || rel.starts_with("src/model")
            || rel == Path::new("src/diagnostic/explain.rs")
        {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap_or_default();
        // A module of test helpers (`#![cfg(test)]`) is test code as a whole.
        if text.contains("#![cfg(test)]") {
            continue;
        }
        // Unit tests sit at the end of a file, after `#[cfg(test)]`.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (n, line) in code.lines().enumerate() {
            let l = line.trim_start();
            if l.starts_with("//") || l.contains("schemars(example") || l.contains("serde(rename") {
                continue;
            }
            for needle in &needles {
                if line.contains(needle.as_str()) {
                    found.push(format!("{}:{}: {}", rel.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "Meta's requirements belong in src/meta/ (events.rs, params.rs, requirements.rs); found:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_languages_action_sources_are_metas() {
    let schema: serde_json::Value =
        serde_json::from_str(&tagc::schema::schema_text()).expect("the schema is JSON");
    let variants = schema["definitions"]["ActionSource"]["oneOf"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!variants.is_empty());
    for v in variants {
        let name = v["const"].as_str().unwrap_or_default();
        assert!(
            tagc::meta::ACTION_SOURCES.contains(&name),
            "`action_source: {name}` is not one of Meta's action sources"
        );
        let parsed: tagc::model::ActionSource =
            serde_json::from_value(serde_json::Value::from(name)).expect("parses");
        assert_eq!(parsed.as_str(), name);
    }
}
