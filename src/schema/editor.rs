//! Editor help: turns the schema schemars generates into the one editors read.
//!
//! Measured in yaml-language-server (the engine of VS Code's YAML extension;
//! `tests/editor.rs` drives the real server), the plain output falls short in ways this
//! pass fixes, deterministically and from the model and [`crate::meta`] only:
//!
//! - **Own descriptions on hover.** The server shows the *first* description among the
//!   schemas matching a node, and it visits `allOf`/`anyOf` branches before the
//!   property itself, so `allOf: [{$ref}]` + description showed the referenced type's
//!   text. A `$ref` whose siblings are only annotations (`title`, `description`,
//!   `examples`) is merged into the property instead, own keys winning, in every draft.
//!   So a property is written `{$ref, title, description}`; an optional one
//!   `anyOf: [{$ref, title, description}, {type: null}]`.
//! - **A `type` everywhere.** Completion inserts `key: ` only when it knows the value's
//!   type; definitions without one (`oneOf` of constants, `if`/`then`/`else` unions) get
//!   the union of their branches' types, and `anyOf` properties the union of theirs.
//! - **A `title` everywhere.** Without one the server names a value by the nearest
//!   titled ancestor, so a nested mapping read `Expected "object(tagc tracking
//!   configuration)"`. Properties are titled with their key, definitions with their
//!   name in words, tagged variants with their tag (`from: attribute`).
//! - **Standard events.** `event:` lists Meta's standard events as `examples`
//!   (completion), and an `if custom: true … else event ∈ standard` rule flags a
//!   misspelled name. tagc itself validates without it ([`super::validation_schema`]), so
//!   `tagc check` still reports TAG2001 with its did-you-mean.
//! - **Standard parameters.** `params:` and `custom_data:` know the parameters any event
//!   may carry plus the ones the event lists (`if event: Purchase then …`, and one rule
//!   for custom and `use:` events); other keys stay allowed and are checked as before.
//!   Their descriptions are written from [`crate::meta::params`]. Every key is described
//!   by exactly one schema, as the server joins or misorders the text of several.
//!   (Hover over a parameter read with `from:` shows that source's text.)
//! - **Unwrapped descriptions.** Doc comments are hard-wrapped; a single newline becomes
//!   a space (the server shows it as a line break, and mid-sentence as a gap), blank
//!   lines stay paragraph breaks.

use serde_json::{Map, Value, json};

use crate::meta;

/// The JSON types, in the order `type` arrays list them.
/// Text first: completion inserts a value on the key's own line for the first type
/// listed, and most values of a union are written inline.
const TYPE_ORDER: [&str; 7] = [
    "string", "number", "integer", "boolean", "object", "array", "null",
];

/// Annotation keys a property keeps beside its `$ref` (the server merges the referenced
/// schema in under them).
const ANNOTATIONS: [&str; 4] = ["title", "description", "examples", "default"];

/// The definitions whose objects carry an event name, and the key of their parameters.
const EVENT_CARRIERS: [(&str, &str); 4] = [
    ("EventDef", "params"),
    ("EventUse", "params"),
    ("Button", "params"),
    ("ServerEvent", "custom_data"),
];

/// Rewrites the generated configuration schema into the editor schema, in place.
pub(super) fn enhance(schema: &mut Value) {
    let defs_snapshot = schema.get("definitions").cloned().unwrap_or(Value::Null);
    if let Some(defs) = schema.get_mut("definitions").and_then(Value::as_object_mut) {
        for def in defs.values_mut() {
            if let Some(obj) = def.as_object_mut() {
                untangle_type_switch(obj, &defs_snapshot);
            }
        }
    }
    let defs_snapshot = schema.get("definitions").cloned().unwrap_or(Value::Null);
    if let Some(defs) = schema.get_mut("definitions").and_then(Value::as_object_mut) {
        for (name, def) in defs.iter_mut() {
            if let Some(obj) = def.as_object_mut() {
                if !obj.contains_key("type")
                    && let Some(t) =
                        type_value(&types_of(&Value::Object(obj.clone()), &defs_snapshot, 0))
                {
                    obj.insert("type".into(), t);
                }
                obj.entry("title")
                    .or_insert_with(|| Value::String(words(name)));
            }
        }
        add_standard_params(defs);
        for (def, key) in EVENT_CARRIERS {
            if let Some(obj) = defs.get_mut(def).and_then(Value::as_object_mut) {
                add_standard_events(obj, key);
            }
        }
    }
    let defs_snapshot = schema.get("definitions").cloned().unwrap_or(Value::Null);
    rewrite(schema, &defs_snapshot);
    unwrap_descriptions(schema);
}

/// Keywords that only constrain values of one JSON type: a branch made of these and its
/// `type` is copied into a type switch's `anyOf` without its annotations.
const TYPE_SPECIFIC: [&str; 15] = [
    "pattern",
    "minLength",
    "maxLength",
    "format",
    "properties",
    "additionalProperties",
    "required",
    "patternProperties",
    "minProperties",
    "maxProperties",
    "propertyNames",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
];

/// A type switch (`if: {type: T}, then: A, else: B`, how the model writes "a path or a
/// mapping", "one pattern or a list") rewritten without `if`.
///
/// The server keeps the nearest title of an `if`/`then`/`else` branch on the shared
/// schema object, so a branch reached from many properties shows whichever property was
/// visited last (`#### value` on hover over `em`). It becomes `anyOf: [A, B]` instead,
/// whose branches the server copies per use, which accepts exactly what the switch did
/// as the branches' types are disjoint. (One flat schema, `type: [string, object]` with
/// `pattern` and `properties`, would hover as well but complete `em` as a mapping.)
fn untangle_type_switch(def: &mut Map<String, Value>, defs: &Value) {
    let Some(Value::String(switch)) = def.get("if").and_then(|i| i.get("type")) else {
        return;
    };
    let switch = switch.clone();
    if def.get("if").and_then(Value::as_object).map(Map::len) != Some(1) {
        return;
    }
    let (Some(then), Some(els)) = (def.get("then").cloned(), def.get("else").cloned()) else {
        return;
    };
    let resolved = |b: &Value| -> Value {
        match b.get("$ref").and_then(Value::as_str) {
            Some(r) => resolve(r, defs).cloned().unwrap_or(Value::Null),
            None => b.clone(),
        }
    };
    let (then_r, else_r) = (resolved(&then), resolved(&els));
    let then_types = types_of(&then_r, defs, 0);
    let else_types = types_of(&else_r, defs, 0);
    if then_types != [switch.as_str()] || else_types.contains(&switch.as_str()) {
        return;
    }
    // A branch of only its type's own keywords is copied in without its annotations,
    // so the property's own title and description stay the ones shown.
    let bare = |original: Value, r: &Value| -> Value {
        let Some(obj) = r.as_object() else {
            return original;
        };
        let mut out = Map::new();
        for (k, v) in obj {
            if TYPE_SPECIFIC.contains(&k.as_str()) || k == "type" {
                out.insert(k.clone(), v.clone());
            } else if !ANNOTATIONS.contains(&k.as_str()) {
                return original;
            }
        }
        Value::Object(out)
    };
    for k in ["if", "then", "else"] {
        def.remove(k);
    }
    let mut types = then_types;
    types.extend(else_types);
    types.sort_by_key(|t| TYPE_ORDER.iter().position(|o| o == t));
    let mut branches = vec![bare(then, &then_r), bare(els, &else_r)];
    break_ties(&mut branches);
    def.insert("anyOf".into(), Value::Array(branches));
    if let Some(t) = type_value(&types) {
        def.insert("type".into(), t);
    }
}

/// Titles `anyOf` branches so that at most one is blank (no title, description or
/// properties), the first text one if any.
///
/// The server's hover joins the titles and descriptions of *all* branches (`url || url`)
/// when it believes every branch matched, and it counts a matched schema as a branch when
/// their title, description and properties are the same: two blank branches always look
/// matched. The blank branch that stays shows the property's own title and description.
fn break_ties(branches: &mut [Value]) {
    let blank = |b: &Value| {
        b.as_object().is_some_and(|o| {
            !o.contains_key("title")
                && !o.contains_key("description")
                && !o.contains_key("properties")
                && !o.contains_key("$ref")
        })
    };
    let keep = branches
        .iter()
        .position(|b| blank(b) && b.get("type") == Some(&json!("string")))
        .or_else(|| branches.iter().position(blank));
    for (i, b) in branches.iter_mut().enumerate() {
        if Some(i) == keep || !blank(b) {
            continue;
        }
        let name = match b.get("type").and_then(Value::as_str) {
            Some("array") => "list",
            Some("object") => "mapping",
            Some("null") => "empty (as if left out)",
            Some("string") => "text",
            _ => "value",
        };
        if let Some(o) = b.as_object_mut() {
            o.insert("title".into(), Value::String(name.to_owned()));
        }
    }
}

/// The JSON types `schema` admits, as far as they can be read off it.
fn types_of(schema: &Value, defs: &Value, depth: usize) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    if depth > 16 {
        return out;
    }
    let mut add = |ts: Vec<&'static str>| {
        for t in ts {
            if !out.contains(&t) {
                out.push(t);
            }
        }
    };
    match schema.get("type") {
        Some(Value::String(t)) => add(canonical(t).into_iter().collect()),
        Some(Value::Array(ts)) => add(ts
            .iter()
            .filter_map(Value::as_str)
            .filter_map(canonical)
            .collect()),
        _ => {
            if let Some(r) = schema.get("$ref").and_then(Value::as_str)
                && let Some(target) = resolve(r, defs)
            {
                add(types_of(target, defs, depth + 1));
            }
            if let Some(c) = schema.get("const") {
                add(vec![json_type(c)]);
            }
            if let Some(Value::Array(values)) = schema.get("enum") {
                add(values.iter().map(json_type).collect());
            }
            for key in ["oneOf", "anyOf"] {
                if let Some(Value::Array(branches)) = schema.get(key) {
                    for b in branches {
                        add(types_of(b, defs, depth + 1));
                    }
                }
            }
            if let Some(Value::Array(branches)) = schema.get("allOf")
                && let Some(first) = branches.first()
            {
                add(types_of(first, defs, depth + 1));
            }
            for key in ["then", "else"] {
                if let Some(b) = schema.get(key) {
                    add(types_of(b, defs, depth + 1));
                }
            }
        }
    }
    out.sort_by_key(|t| TYPE_ORDER.iter().position(|o| o == t));
    out
}

fn canonical(t: &str) -> Option<&'static str> {
    TYPE_ORDER.iter().copied().find(|o| *o == t)
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A `type` value: one name, or a list of them (`None` when nothing is known).
fn type_value(types: &[&str]) -> Option<Value> {
    match types {
        [] => None,
        [one] => Some(Value::String((*one).to_owned())),
        many => Some(Value::Array(
            many.iter()
                .map(|t| Value::String((*t).to_owned()))
                .collect(),
        )),
    }
}

/// The definition a local `$ref` names.
fn resolve<'a>(reference: &str, defs: &'a Value) -> Option<&'a Value> {
    let name = reference.strip_prefix("#/definitions/")?;
    defs.get(name.replace("~1", "/").replace("~0", "~"))
}

/// A definition name in words: `ServerEvent` → `server event`, `UrlPatterns` → `url
/// patterns`.
fn words(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
        }
        if c == '.' {
            out.push(' ');
            continue;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// Walks the whole schema: titles and types on properties, `$ref`s unwrapped so the
/// property's own annotations win, titles on tagged variants.
fn rewrite(node: &mut Value, defs: &Value) {
    match node {
        Value::Object(obj) => {
            if let Some(Value::Object(props)) = obj.get_mut("properties") {
                for (key, prop) in props.iter_mut() {
                    rewrite_property(key, prop, defs);
                }
            }
            for key in ["oneOf", "anyOf"] {
                if let Some(Value::Array(branches)) = obj.get_mut(key) {
                    for b in branches.iter_mut() {
                        title_variant(b);
                    }
                }
            }
            // Conditions only select a branch: nothing there is shown.
            for (_, child) in obj.iter_mut().filter(|(k, _)| *k != "if") {
                rewrite(child, defs);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite(v, defs)),
        _ => {}
    }
}

/// A variant of a tagged union (`{from: {const: attribute}, …}`, `{click: …}`) gets a
/// title naming it, so messages about it do not borrow an ancestor's.
fn title_variant(branch: &mut Value) {
    let Some(obj) = branch.as_object_mut() else {
        return;
    };
    if obj.contains_key("title") || obj.get("type") != Some(&json!("object")) {
        return;
    }
    let Some(props) = obj.get("properties").and_then(Value::as_object) else {
        return;
    };
    let tag = props.iter().find_map(|(k, p)| {
        p.get("const")
            .and_then(Value::as_str)
            .map(|c| format!("{k}: {c}"))
    });
    let title = tag.or_else(|| {
        let required = obj.get("required").and_then(Value::as_array)?;
        match (props.len(), required.as_slice()) {
            (1, [only]) => only.as_str().map(str::to_owned),
            _ => None,
        }
    });
    if let Some(t) = title {
        obj.insert("title".into(), Value::String(t));
    }
}

fn rewrite_property(key: &str, prop: &mut Value, defs: &Value) {
    let Some(obj) = prop.as_object_mut() else {
        return;
    };
    obj.entry("title")
        .or_insert_with(|| Value::String(key.to_owned()));
    // `allOf: [{$ref}]` + annotations → `$ref` + annotations.
    if let Some(Value::Array(all)) = obj.get("allOf")
        && let [only] = all.as_slice()
    {
        let only_ref = only
            .as_object()
            .filter(|o| o.len() == 1 && o.contains_key("$ref"));
        let rest_are_annotations = obj
            .keys()
            .all(|k| k == "allOf" || ANNOTATIONS.contains(&k.as_str()));
        if let (Some(r), true) = (only_ref.cloned(), rest_are_annotations) {
            obj.remove("allOf");
            obj.extend(r);
        }
    }
    // `anyOf: [{$ref}, {type: null}]` (an optional value): the annotations go on the
    // `$ref` branch too, which the server shows first.
    if let Some(Value::Array(any)) = obj.get("anyOf") {
        let own: Map<String, Value> = obj
            .iter()
            .filter(|(k, _)| *k == "title" || *k == "description")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut any = any.clone();
        // The null branch must not look like a blank branch of the referenced type.
        for branch in &mut any {
            if let Some(b) = branch.as_object_mut()
                && b.len() == 1
                && b.get("type") == Some(&json!("null"))
            {
                b.insert("title".into(), json!("empty (as if left out)"));
            }
        }
        for branch in &mut any {
            if let Some(b) = branch.as_object_mut()
                && b.len() == 1
                && b.contains_key("$ref")
            {
                for (k, v) in &own {
                    b.insert(k.clone(), v.clone());
                }
            }
        }
        obj.insert("anyOf".into(), Value::Array(any));
    }
    let has_type = obj.contains_key("type");
    let is_ref = obj.contains_key("$ref");
    if !has_type && !is_ref {
        let mut types = types_of(&Value::Object(obj.clone()), defs, 0);
        if types.is_empty() && obj.keys().all(|k| ANNOTATIONS.contains(&k.as_str())) {
            // Any value (a constant of any type): say so, `integer` being a `number`.
            types = TYPE_ORDER
                .iter()
                .copied()
                .filter(|t| *t != "integer")
                .collect();
        }
        if let Some(t) = type_value(&types) {
            obj.insert("type".into(), t);
        }
    }
}

/// The definitions of the standard parameters: `Param.value` for the browser side (a
/// parameter value with Meta's description), `CustomData.value` for the server side (a
/// field source).
fn add_standard_params(defs: &mut Map<String, Value>) {
    for p in meta::params::PARAMS {
        for (prefix, value_ref, side) in [
            ("Param", "#/definitions/ParamValue", Side::Browser),
            ("CustomData", "#/definitions/FieldSource", Side::Server),
        ] {
            defs.insert(
                format!("{prefix}.{}", p.key),
                json!({
                    "$ref": value_ref,
                    "title": p.key,
                    "description": param_description(p, side),
                }),
            );
        }
    }
}

fn param_refs<'a>(prefix: &str, keys: impl Iterator<Item = &'a str>) -> Value {
    Value::Object(
        keys.map(|k| {
            (
                k.to_owned(),
                json!({"$ref": format!("#/definitions/{prefix}.{k}")}),
            )
        })
        .collect(),
    )
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Browser,
    Server,
}

/// What Meta says of one standard parameter, in a sentence or three.
fn param_description(p: &meta::params::StandardParam, side: Side) -> String {
    let mut s = format!("Meta's standard parameter `{}`", p.key);
    match p.ty {
        Some(t) => {
            s.push_str(": ");
            s.push_str(t.describe());
            s.push('.');
        }
        None => s.push_str(" (Meta's documents disagree on its type; tagc checks none)."),
    }
    if !p.allowed.is_empty() {
        s.push_str(" One of ");
        s.push_str(&code_list(p.allowed.iter().copied()));
        s.push('.');
    }
    if let Some(needs) = p.needs {
        s.push_str(&format!(" Send it together with `{needs}`."));
    }
    let required: Vec<&str> = meta::events::EVENTS
        .iter()
        .filter(|e| e.requires.contains(&p.key))
        .map(|e| e.name)
        .collect();
    if !required.is_empty() {
        s.push_str(" Required on ");
        s.push_str(&code_list(required.iter().copied()));
        s.push('.');
    }
    let listed: Vec<&str> = meta::events::EVENTS
        .iter()
        .filter(|e| e.properties.contains(&p.key))
        .map(|e| e.name)
        .collect();
    if meta::params::GENERAL_PARAMS.contains(&p.key) {
        s.push_str(" Any event may carry it.");
    } else if !listed.is_empty() {
        s.push_str(" A parameter of ");
        s.push_str(&code_list(listed.iter().copied()));
        s.push('.');
    }
    if let (Side::Browser, Some(t)) = (side, p.ty) {
        s.push_str(&format!(
            " Read from the page, declare `type: {}`.",
            t.tagc_type()
        ));
    }
    s
}

fn code_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `event:` offers the standard events and, unless `custom: true`, accepts only them; the
/// known keys of `params_key` are the general parameters plus the event's own, by one
/// rule per standard event and one for every other event.
fn add_standard_events(def: &mut Map<String, Value>, params_key: &str) {
    let names: Vec<Value> = meta::standard_event_names()
        .map(|n| Value::String(n.to_owned()))
        .collect();
    if let Some(event) = def
        .get_mut("properties")
        .and_then(|p| p.get_mut("event"))
        .and_then(Value::as_object_mut)
    {
        event.insert("examples".into(), Value::Array(names.clone()));
    }
    let prefix = if params_key == "custom_data" {
        "CustomData"
    } else {
        "Param"
    };
    let mut rules = vec![json!({
        "if": {"properties": {"custom": {"const": true}}, "required": ["custom"]},
        "else": {"properties": {"event": {"enum": names}}}
    })];
    // The known parameters: those any event may carry, plus the ones the event lists.
    // Each key is described by exactly one schema (one rule applies, and it checks the
    // other keys with `additionalProperties`): a key matched twice, or matched by a
    // generic schema first, would make the server's hover show the wrong or joined text.
    let Some(base) = def
        .get_mut("properties")
        .and_then(|p| p.get_mut(params_key))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let Some(other) = base.remove("additionalProperties") else {
        return;
    };
    let known = |own: &[&str]| -> Value {
        let mut keys: Vec<&str> = meta::params::GENERAL_PARAMS.to_vec();
        for k in own {
            if !keys.contains(k) {
                keys.push(k);
            }
        }
        json!({"properties": {params_key: {
            "type": "object",
            "properties": param_refs(prefix, keys.into_iter()),
            "additionalProperties": other,
        }}})
    };
    for e in meta::events::EVENTS {
        rules.push(json!({
            "if": {"properties": {"event": {"const": e.name}}, "required": ["event"]},
            "then": known(e.properties)
        }));
    }
    // A custom event, or one given by `use:`.
    rules.push(json!({
        "if": {"properties": {"event": {"enum": names}}, "required": ["event"]},
        "else": known(&[])
    }));
    let all = def
        .entry("allOf")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(a) = all {
        a.extend(rules);
    }
}

/// Every `description`: single newlines joined into spaces, blank lines kept.
fn unwrap_descriptions(node: &mut Value) {
    match node {
        Value::Object(obj) => {
            for (k, v) in obj.iter_mut() {
                match v {
                    Value::String(s) if k == "description" => *s = unwrap(s),
                    _ => unwrap_descriptions(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(unwrap_descriptions),
        _ => {}
    }
}

/// Joins hard-wrapped lines: a newline between two non-empty lines becomes a space,
/// unless the next line starts a list item; paragraph breaks stay.
#[must_use]
pub fn unwrap(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut prev_blank = true;
    for (i, line) in text.split('\n').enumerate() {
        let blank = line.trim().is_empty();
        let list = {
            let t = line.trim_start();
            t.starts_with("- ") || t.starts_with("* ")
        };
        if i > 0 {
            if blank || prev_blank || list {
                out.push('\n');
            } else {
                out.push(' ');
            }
        }
        out.push_str(if blank { "" } else { line.trim_end() });
        prev_blank = blank;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unwrap_joins_lines_and_keeps_paragraphs() {
        assert_eq!(unwrap("one\ntwo\n\nthree\nfour"), "one two\n\nthree four");
        assert_eq!(unwrap("items:\n- a\n- b"), "items:\n- a\n- b");
        assert_eq!(unwrap("no newline"), "no newline");
    }

    #[test]
    fn words_split_camel_case() {
        assert_eq!(words("ServerEvent"), "server event");
        assert_eq!(words("Param.value"), "param value");
    }
}
