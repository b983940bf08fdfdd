//! The committed JSON Schema matches the Rust types, and every example validates.

use std::path::{Path, PathBuf};

#[test]
fn committed_schema_matches_the_types() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let committed =
        std::fs::read_to_string(root.join(tagc::schema::COMMITTED_PATH)).unwrap_or_default();
    let generated = tagc::schema::schema_text();
    assert!(
        committed == generated,
        "schema/tagc.schema.json is out of date with src/model.\n\
         Regenerate it with:\n\n    cargo run -- schema > schema/tagc.schema.json\n\n\
         then review the diff and commit it."
    );
}

#[test]
fn schema_has_descriptions_for_every_property() {
    fn walk(v: &serde_json::Value, path: &str, missing: &mut Vec<String>) {
        if let Some(props) = v.get("properties").and_then(|p| p.as_object()) {
            for (k, p) in props {
                let has = p.get("description").is_some()
                    || p.get("$ref").is_some()
                    || p.get("allOf").is_some();
                if !has && k != "from" && k != "mode" && k != "via" {
                    missing.push(format!("{path}/{k}"));
                }
                walk(p, &format!("{path}/{k}"), missing);
            }
        }
        for key in ["definitions", "oneOf", "anyOf", "allOf"] {
            match v.get(key) {
                Some(serde_json::Value::Object(o)) => o
                    .iter()
                    .for_each(|(k, d)| walk(d, &format!("{path}/{key}/{k}"), missing)),
                Some(serde_json::Value::Array(a)) => a
                    .iter()
                    .enumerate()
                    .for_each(|(i, d)| walk(d, &format!("{path}/{key}/{i}"), missing)),
                _ => {}
            }
        }
    }
    let mut missing = Vec::new();
    walk(tagc::schema::schema(), "", &mut missing);
    assert!(
        missing.is_empty(),
        "properties without a description: {missing:#?}"
    );
}

fn example_roots() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("examples/")
        .filter_map(Result::ok)
        .map(|e| e.path().join("tagc.yaml"))
        .filter(|p| p.exists())
        .collect();
    v.sort();
    v
}

#[test]
fn every_example_checks_clean_and_has_the_schema_comment() {
    let roots = example_roots();
    assert!(
        roots.len() >= 4,
        "expected at least 4 examples, found {roots:?}"
    );
    for path in roots {
        let checked =
            tagc::check::check_paths(std::slice::from_ref(&path), tagc::load::Limits::default())
                .expect("readable");
        let rendered: Vec<String> = checked
            .diagnostics
            .as_slice()
            .iter()
            .map(|d| tagc::diagnostic::render::human::render(d, &checked.sources, false))
            .collect();
        assert!(
            checked.diagnostics.is_empty(),
            "{} has diagnostics:\n{}",
            path.display(),
            rendered.join("\n")
        );
        for (_, file) in checked.sources.iter() {
            assert!(
                file.text().starts_with("# yaml-language-server: $schema="),
                "{} must start with the yaml-language-server schema comment",
                file.name()
            );
        }
    }
}

/// The committed schema at `rel` equals the generated one.
fn assert_committed(rel: &str, generated: &str, command: &str) {
    let committed = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel))
        .unwrap_or_default();
    assert!(
        committed == generated,
        "{rel} is out of date with the Rust types.\n\
         Regenerate it with:\n\n    {command} > {rel}\n\n\
         then review the diff and commit it."
    );
}

/// Each example resolved for production, with its source map.
fn example_sites() -> Vec<(PathBuf, tagc::resolve::Site, tagc::source::SourceMap)> {
    example_roots()
        .into_iter()
        .map(|path| {
            let checked = tagc::check::check_paths(
                std::slice::from_ref(&path),
                tagc::load::Limits::default(),
            )
            .expect("readable");
            let site = tagc::resolve::resolve(&checked.configs[0], "production").expect("resolves");
            (path, site, checked.sources)
        })
        .collect()
}

/// The schema errors of `text` against the committed schema at `rel`.
fn schema_errors(rel: &str, text: &str) -> Vec<String> {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).expect("schema"),
    )
    .expect("json");
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let value: serde_json::Value = serde_json::from_str(text).expect("json");
    validator
        .iter_errors(&value)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn committed_scan_schema_matches_the_types() {
    assert_committed(
        tagc::scan::report::SCHEMA_PATH,
        &tagc::scan::report::schema_text(),
        "cargo run -- schema scan",
    );
}

#[test]
fn committed_mapping_and_plan_schemas_match_the_types() {
    assert_committed(
        tagc::mapping::SCHEMA_PATH,
        &tagc::mapping::schema_text(),
        "cargo run -- schema mapping",
    );
    assert_committed(
        tagc::verify::PLAN_SCHEMA_PATH,
        &tagc::verify::plan::schema_text(),
        "cargo run -- schema plan",
    );
}

/// Every example's `capi/mapping.json` and `verify/plan.json` are valid against the
/// committed schemas and read back into the same documents.
#[test]
fn every_example_mapping_and_plan_validate_against_their_schemas() {
    let mut mappings = 0;
    for (path, site, sources) in example_sites() {
        if !site.server.events.is_empty() {
            mappings += 1;
            let mapping = tagc::mapping::Mapping::from_site(&site);
            let text = mapping.to_json();
            let errors = schema_errors(tagc::mapping::SCHEMA_PATH, &text);
            assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
            assert_eq!(
                tagc::mapping::Mapping::from_json(&text).expect("reads back"),
                mapping
            );
        }
        let plan = tagc::verify::plan::build(&site, &sources, "../pixel/pages", None);
        let text = plan.to_json();
        let errors = schema_errors(tagc::verify::PLAN_SCHEMA_PATH, &text);
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        assert_eq!(
            tagc::verify::plan::Plan::from_json(&text).expect("reads back"),
            plan
        );
        assert!(
            plan.checks.iter().all(|c| c.location().line > 0),
            "every check points at the configuration"
        );
    }
    assert!(mappings >= 2, "expected examples with server events");
}

/// The definition a local `$ref` names, followed to the end of a chain.
fn follow<'a>(mut v: &'a serde_json::Value, defs: &'a serde_json::Value) -> &'a serde_json::Value {
    for _ in 0..8 {
        match v
            .get("$ref")
            .and_then(|r| r.as_str())
            .and_then(|r| r.strip_prefix("#/definitions/"))
        {
            Some(name) => v = &defs[name],
            None => break,
        }
    }
    v
}

/// Editors insert `key: ` and name values in messages only when every property has a
/// type and a title (its own, or the definition's its `$ref` brings in).
#[test]
fn every_property_of_the_editor_schema_has_a_type_and_a_title() {
    fn walk(
        v: &serde_json::Value,
        defs: &serde_json::Value,
        path: &str,
        missing: &mut Vec<String>,
    ) {
        let Some(obj) = v.as_object() else {
            if let Some(a) = v.as_array() {
                for (i, x) in a.iter().enumerate() {
                    walk(x, defs, &format!("{path}/{i}"), missing);
                }
            }
            return;
        };
        if let Some(props) = obj.get("properties").and_then(|p| p.as_object()) {
            for (k, p) in props {
                let resolved = follow(p, defs);
                if p.get("title").is_none() && resolved.get("title").is_none() {
                    missing.push(format!("{path}/properties/{k}: no title"));
                }
                let typed = ["type", "const", "enum"]
                    .iter()
                    .any(|t| p.get(t).is_some() || resolved.get(t).is_some());
                if !typed {
                    missing.push(format!("{path}/properties/{k}: no type"));
                }
            }
        }
        // Conditions (`if`) only select a branch; nothing in them is shown.
        for (k, x) in obj.iter().filter(|(k, _)| *k != "if") {
            walk(x, defs, &format!("{path}/{k}"), missing);
        }
    }
    let schema = tagc::schema::schema();
    let mut missing = Vec::new();
    walk(schema, &schema["definitions"], "", &mut missing);
    assert!(missing.is_empty(), "{missing:#?}");
}

/// Every description reads as prose: hard-wrapped doc comments are joined, paragraph
/// breaks stay (and come after a sentence).
#[test]
fn editor_descriptions_are_unwrapped() {
    fn walk(v: &serde_json::Value, bad: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(o) => {
                for (k, x) in o {
                    match x {
                        serde_json::Value::String(s) if k == "description" => {
                            let paras: Vec<&str> = s.split("\n\n").collect();
                            let wrapped = paras
                                .iter()
                                .any(|p| p.lines().skip(1).any(|l| !l.starts_with("- ")));
                            let cut = paras[..paras.len() - 1]
                                .iter()
                                .any(|p| !p.trim_end().ends_with(['.', ':', '!', '?', ')']));
                            if wrapped || cut {
                                bad.push(s.clone());
                            }
                        }
                        _ => walk(x, bad),
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, bad)),
            _ => {}
        }
    }
    let mut bad = Vec::new();
    walk(tagc::schema::schema(), &mut bad);
    assert!(bad.is_empty(), "{bad:#?}");
}

/// The standard events and parameters the editor schema offers are `src/meta`'s.
#[test]
fn the_editor_schemas_events_and_parameters_are_metas() {
    let schema = tagc::schema::schema();
    let defs = &schema["definitions"];
    let names: Vec<&str> = tagc::meta::standard_event_names().collect();
    for def in ["EventDef", "EventUse", "Button", "ServerEvent"] {
        let examples: Vec<&str> = defs[def]["properties"]["event"]["examples"]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        assert_eq!(examples, names, "{def}.event examples");
        let key = if def == "ServerEvent" {
            "custom_data"
        } else {
            "params"
        };
        let rules = defs[def]["allOf"].as_array().expect("rules");
        let general = tagc::meta::params::GENERAL_PARAMS;
        let keys = |v: &serde_json::Value| -> Vec<String> {
            let mut k: Vec<String> = v[key]["properties"]
                .as_object()
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default();
            k.sort();
            k
        };
        for e in tagc::meta::events::EVENTS {
            let rule = rules
                .iter()
                .find(|r| r["if"]["properties"]["event"]["const"] == serde_json::json!(e.name))
                .unwrap_or_else(|| panic!("{def}: no rule for {}", e.name));
            let mut want: Vec<String> = general
                .iter()
                .chain(e.properties)
                .map(|k| (*k).to_owned())
                .collect();
            want.sort();
            want.dedup();
            assert_eq!(
                keys(&rule["then"]["properties"]),
                want,
                "{def}: the parameters of {}",
                e.name
            );
        }
        let fallback = rules
            .iter()
            .find(|r| r["if"]["properties"]["event"]["enum"].is_array())
            .expect("a rule for custom events");
        let mut want: Vec<String> = general.iter().map(|k| (*k).to_owned()).collect();
        want.sort();
        assert_eq!(
            keys(&fallback["else"]["properties"]),
            want,
            "{def}: custom events"
        );
    }
}

/// The JSON value of every YAML document under `examples/` and `tests/fixtures/` that
/// parses.
fn every_yaml_document() -> Vec<(PathBuf, serde_json::Value)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    let mut stack = vec![root.join("examples"), root.join("tests/fixtures")];
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
    files.sort();
    files
        .into_iter()
        .filter_map(|p| {
            let bytes = std::fs::read(&p).ok()?;
            let mut loaded = tagc::load::Loaded::default();
            let (_, doc) = tagc::load::load_str(
                &mut loaded,
                &p.display().to_string(),
                &bytes,
                tagc::load::Limits::default(),
            );
            doc.map(|d| (p, d.value))
        })
        .collect()
}

/// tagc validates with the types' own schema; the editor schema it commits must accept
/// exactly the same documents, except event names that are neither standard nor marked
/// `custom: true` (which `tagc check` reports as TAG2001, with a did-you-mean).
#[test]
fn the_editor_schema_accepts_what_tagc_validates() {
    let editor = jsonschema::draft7::new(tagc::schema::schema()).expect("compiles");
    let tagc_own = jsonschema::draft7::new(tagc::schema::validation_schema()).expect("compiles");
    let docs = every_yaml_document();
    assert!(docs.len() > 50, "{} documents", docs.len());
    /// Marks every event whose name is not standard as custom.
    fn customize(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(o) => {
                let odd = o
                    .get("event")
                    .and_then(|e| e.as_str())
                    .is_some_and(|e| !tagc::meta::is_standard_event(e));
                if odd {
                    o.insert("custom".into(), serde_json::Value::Bool(true));
                }
                o.values_mut().for_each(customize);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(customize),
            _ => {}
        }
    }
    let mut event_only = 0;
    for (path, mut value) in docs {
        let own_ok = tagc_own.is_valid(&value);
        let editor_ok = editor.is_valid(&value);
        if own_ok && !editor_ok {
            event_only += 1;
            customize(&mut value);
            let left: Vec<String> = editor
                .iter_errors(&value)
                .map(|e| format!("{}: {e}", e.instance_path()))
                .collect();
            assert!(
                left.is_empty(),
                "{}: the editor schema rejects what tagc accepts: {left:#?}",
                path.display()
            );
        }
        assert!(
            own_ok || !editor_ok,
            "{}: the editor schema accepts what tagc rejects",
            path.display()
        );
    }
    assert!(event_only > 0, "no fixture with a misspelled event name");
}
