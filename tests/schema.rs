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
