//! The schema pass: validates each document against the generated JSON Schema (the
//! validation variant, [`crate::schema::validation_schema`]) and turns
//! every error into a located diagnostic with tagc's own wording.
//!
//! The validator's own messages never reach users. `oneOf` failures (internally tagged
//! enums such as `from: attribute`, and documented enums) are explained through the
//! branch the value was meant for: the one whose tag matches, or the one of the right
//! JSON type.

use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{ValidationError, Validator};
use serde::Deserialize;
use serde_json::Value;

use crate::diagnostic::{Code, Diagnostic, Diagnostics, did_you_mean, truncate};
use crate::load::{Seg, Tree, pointer_segments};
use crate::model::{Config, Page};
use crate::source::{FileId, Span};

fn validator() -> Option<&'static Validator> {
    static V: OnceLock<Option<Validator>> = OnceLock::new();
    V.get_or_init(|| jsonschema::draft7::new(crate::schema::validation_schema()).ok())
        .as_ref()
}

/// One schema problem before it becomes a diagnostic.
struct Issue {
    code: Code,
    pointer: String,
    /// Point at this key (under `pointer`) rather than at the value.
    key: Option<String>,
    message: String,
    help: Option<String>,
}

/// Where the errors of one validated part belong: each page is validated alone, as the
/// only page of a document (`/pages/0`), and its errors are moved to its own index.
struct Rewrite {
    from: &'static str,
    to: String,
}

impl Rewrite {
    /// Paths stay as they are.
    fn none() -> Self {
        Self {
            from: "",
            to: String::new(),
        }
    }

    /// The instance path of `e` in the whole document.
    fn path(&self, e: &ValidationError<'_>) -> String {
        let p = e.instance_path().as_str();
        match p.strip_prefix(self.from) {
            Some(rest) if !self.from.is_empty() && (rest.is_empty() || rest.starts_with('/')) => {
                format!("{}{rest}", self.to)
            }
            _ => p.to_owned(),
        }
    }
}

/// Validates the document in `tree`; on success returns the typed configuration.
///
/// The document's JSON is never built whole: the top level is validated with `pages`
/// empty, then each page alone, its JSON dropped as soon as its typed page is made, so a
/// site of thousands of pages costs one page's JSON at a time. The diagnostics are those
/// of validating the whole document at once.
pub fn check(file: FileId, tree: &Tree, diags: &mut Diagnostics) -> Option<Config> {
    let Some(validator) = validator() else {
        diags.push(Diagnostic::new(
            Code::InvalidFormat,
            Span::file_start(file),
            "internal error: the embedded schema does not compile (this is a bug in tagc)",
        ));
        return None;
    };
    let root = tree.root();
    let pages = tree
        .child(root, &Seg::from("pages"))
        .filter(|&n| tree.is_seq(n));
    let top = tree.to_value_skipping(root, pages.map(|_| "pages"));
    let mut issues = Vec::new();
    for err in validator.iter_errors(&top) {
        convert(&err, &Rewrite::none(), &mut issues);
    }
    let mut typed: Vec<Page> = Vec::new();
    let mut unfit = None;
    for (i, page) in pages.into_iter().flat_map(|p| tree.children(p)).enumerate() {
        let mut wrapper = serde_json::Map::new();
        wrapper.insert("pages".into(), Value::Array(vec![tree.to_value(page)]));
        let mut one = Value::Object(wrapper);
        let rw = Rewrite {
            from: "/pages/0",
            to: format!("/pages/{i}"),
        };
        for err in validator.iter_errors(&one) {
            convert(&err, &rw, &mut issues);
        }
        if issues.is_empty() && unfit.is_none() {
            match Page::deserialize(one["pages"][0].take()) {
                Ok(p) => typed.push(p),
                Err(e) => unfit = Some(e),
            }
        }
    }
    if issues.is_empty() {
        let config = match unfit {
            Some(e) => Err(e),
            None => Config::deserialize(top).map(|mut c| {
                c.pages = typed;
                c
            }),
        };
        return match config {
            Ok(c) => Some(c),
            Err(e) => {
                diags.push(
                    Diagnostic::new(
                        Code::WrongType,
                        Span::file_start(file),
                        format!("the configuration does not fit the language: {e}"),
                    )
                    .help(
                        "compare with the schema (`tagc schema`) or an example under `examples/`",
                    ),
                );
                None
            }
        };
    }
    for issue in issues {
        diags.push(to_diagnostic(issue, tree));
    }
    None
}

fn to_diagnostic(issue: Issue, tree: &Tree) -> Diagnostic {
    let mut segs = pointer_segments(&issue.pointer);
    let span = if let Some(key) = &issue.key {
        segs.push(Seg::from(key.clone()));
        tree.key_span(&segs)
    } else {
        let (node, _) = tree.walk(&segs);
        match issue.code {
            // Point at the mapping's first line, not the whole block.
            Code::MissingField => {
                let s = tree.key_span_of(node).unwrap_or_else(|| tree.span(node));
                Span::new(
                    s.file,
                    s.start,
                    if s.end.line == s.start.line {
                        s.end
                    } else {
                        s.start
                    },
                )
            }
            _ => tree.span(node),
        }
    };
    let label = match issue.code {
        Code::UnknownField => "unknown key",
        Code::MissingField => "required key missing here",
        Code::WrongType => "wrong type",
        Code::InvalidValue => "not an allowed value",
        _ => "invalid here",
    };
    let mut d = Diagnostic::new(issue.code, span, issue.message).label(label);
    if let Some(h) = issue.help {
        d = d.help(h);
    }
    d
}

fn describe_types(kind: &TypeKind) -> String {
    let names: Vec<String> = match kind {
        TypeKind::Single(t) => vec![t.to_string()],
        TypeKind::Multiple(set) => {
            // `null` is allowed only because a key is optional; leaving the key out is the
            // way to say "nothing", so don't offer it.
            let all: Vec<String> = set.iter().map(|t| t.to_string()).collect();
            if all.len() > 1 {
                all.into_iter().filter(|t| t != "null").collect()
            } else {
                all
            }
        }
    };
    let names: Vec<&str> = names
        .iter()
        .map(|n| match n.as_str() {
            "string" => "text",
            "object" => "a mapping",
            "array" => "a list",
            "integer" => "a whole number",
            "number" => "a number",
            "boolean" => "true or false",
            "null" => "nothing",
            other => other,
        })
        .collect();
    match names.as_slice() {
        [] => "something else".into(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => format!("`{}`", truncate(s, 60)),
        other => format!("`{}`", truncate(&other.to_string(), 60)),
    }
}

/// The last segment of a JSON pointer, for messages.
fn field_name(pointer: &str) -> String {
    let segs: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    match segs.as_slice() {
        [] => "the configuration".to_owned(),
        [.., parent, last] if last.parse::<usize>().is_ok() => format!("`{parent}[{last}]`"),
        [.., last] => format!("`{last}`"),
    }
}

fn convert(err: &ValidationError<'_>, rw: &Rewrite, out: &mut Vec<Issue>) {
    let pointer = rw.path(err);
    let instance = err.instance();
    match err.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let allowed = allowed_properties(err.schema_path().as_str());
            for key in unexpected {
                let suggestion =
                    did_you_mean(key, allowed.iter().map(String::as_str)).or_else(|| {
                        crate::meta::customer_data_key(key)
                            .filter(|k| allowed.iter().any(|a| a == k))
                    });
                let help = match suggestion {
                    Some(s) => Some(format!("did you mean `{s}`?")),
                    None if !allowed.is_empty() => Some(format!(
                        "allowed keys here: {}",
                        allowed
                            .iter()
                            .map(|a| format!("`{a}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                    None => None,
                };
                out.push(Issue {
                    code: Code::UnknownField,
                    pointer: pointer.clone(),
                    key: Some(key.clone()),
                    message: format!("unknown key `{}`", truncate(key, 60)),
                    help,
                });
            }
        }
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            out.push(Issue {
                code: Code::MissingField,
                pointer,
                key: None,
                message: format!("missing required key `{name}`"),
                help: Some(required_help(name)),
            });
        }
        ValidationErrorKind::Type { kind } => {
            let expected = describe_types(kind);
            let mut help = None;
            if expected.contains("text") && instance.is_number() {
                help = Some(format!(
                    "quote it so YAML keeps it as text: \"{}\"",
                    instance
                ));
            } else if expected.contains("list") && instance.is_object() {
                help = Some(
                    "write a list: start each item on its own line with `- `, such as `- id: home`"
                        .to_owned(),
                );
            } else if expected.contains("list") && !instance.is_array() {
                help = Some(format!(
                    "write it as a list: `[{}]`",
                    truncate(&instance.to_string(), 40)
                ));
            } else if expected == "true or false" && instance.is_string() {
                help = Some("write `true` or `false` without quotes".to_owned());
            }
            out.push(Issue {
                code: Code::WrongType,
                pointer: pointer.clone(),
                key: None,
                message: format!(
                    "{} should be {expected}, found {}",
                    field_name(&pointer),
                    crate::diagnostic::describe_json(instance)
                ),
                help,
            });
        }
        ValidationErrorKind::Enum { options } => {
            let opts: Vec<String> = options
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            out.push(invalid_value(&pointer, instance, &opts));
        }
        ValidationErrorKind::Constant { expected_value } => {
            let opts: Vec<String> = expected_value
                .as_str()
                .map(|s| vec![s.to_owned()])
                .unwrap_or_default();
            out.push(invalid_value(&pointer, instance, &opts));
        }
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            one_of(err, rw, &pointer, instance, context, out);
        }
        ValidationErrorKind::Pattern { pattern } => out.push(Issue {
            code: Code::InvalidFormat,
            pointer: pointer.clone(),
            key: None,
            message: format!(
                "{} {} does not have the expected format",
                field_name(&pointer),
                show(instance)
            ),
            help: Some(pattern_help(pattern)),
        }),
        ValidationErrorKind::MinItems { limit } => out.push(Issue {
            code: Code::InvalidFormat,
            pointer: pointer.clone(),
            key: None,
            message: format!(
                "{} needs at least {limit} item{}",
                field_name(&pointer),
                if *limit == 1 { "" } else { "s" }
            ),
            help: None,
        }),
        ValidationErrorKind::Minimum { limit }
        | ValidationErrorKind::ExclusiveMinimum { limit } => out.push(Issue {
            code: Code::InvalidFormat,
            pointer: pointer.clone(),
            key: None,
            message: format!(
                "{} is {}, below the minimum {limit}",
                field_name(&pointer),
                show(instance)
            ),
            help: None,
        }),
        ValidationErrorKind::Maximum { limit }
        | ValidationErrorKind::ExclusiveMaximum { limit } => out.push(Issue {
            code: Code::InvalidFormat,
            pointer: pointer.clone(),
            key: None,
            message: format!(
                "{} is {}, above the maximum {limit}",
                field_name(&pointer),
                show(instance)
            ),
            help: None,
        }),
        ValidationErrorKind::MinLength { limit } | ValidationErrorKind::MaxLength { limit } => out
            .push(Issue {
                code: Code::InvalidFormat,
                pointer: pointer.clone(),
                key: None,
                message: format!(
                    "{} {} has the wrong length (limit {limit})",
                    field_name(&pointer),
                    show(instance)
                ),
                help: None,
            }),
        _ => out.push(Issue {
            code: Code::InvalidFormat,
            pointer: pointer.clone(),
            key: None,
            message: format!("{} is not valid here", field_name(&pointer)),
            help: Some("see `tagc schema` for what this key accepts".into()),
        }),
    }
}

fn invalid_value(pointer: &str, instance: &Value, options: &[String]) -> Issue {
    let given = instance
        .as_str()
        .map_or_else(|| instance.to_string(), str::to_owned);
    let help = match did_you_mean(&given, options.iter().map(String::as_str)) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!(
            "use one of: {}",
            options
                .iter()
                .map(|o| format!("`{o}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Issue {
        code: Code::InvalidValue,
        pointer: pointer.to_owned(),
        key: None,
        message: format!(
            "{} is not an allowed value for {}",
            show(instance),
            field_name(pointer)
        ),
        help: Some(help),
    }
}

/// The constant a branch requires at `pointer` (for discriminated unions and documented enums).
fn branch_const(branch: &[ValidationError<'_>], rw: &Rewrite, pointer: &str) -> Option<String> {
    branch.iter().find_map(|e| match e.kind() {
        ValidationErrorKind::Constant { expected_value } if rw.path(e) == pointer => {
            expected_value.as_str().map(str::to_owned)
        }
        _ => None,
    })
}

fn one_of(
    err: &ValidationError<'_>,
    rw: &Rewrite,
    pointer: &str,
    instance: &Value,
    context: &[Vec<ValidationError<'static>>],
    out: &mut Vec<Issue>,
) {
    if context.is_empty() {
        return;
    }
    // A documented enum: every branch is a single `const` on this very value.
    let consts: Vec<Option<String>> = context
        .iter()
        .map(|b| branch_const(b, rw, pointer))
        .collect();
    if consts.iter().all(Option::is_some) {
        let opts: Vec<String> = consts.into_iter().flatten().collect();
        out.push(invalid_value(pointer, instance, &opts));
        return;
    }
    // An internally tagged enum: find the tag key (a `const` one level down in some branch).
    if let Value::Object(obj) = instance {
        let tag = context.iter().flatten().find_map(|e| match e.kind() {
            ValidationErrorKind::Constant { .. } => {
                let p = rw.path(e);
                p.strip_prefix(pointer).and_then(|rest| rest.strip_prefix('/')).filter(|r| !r.contains('/')).map(str::to_owned)
            }
            ValidationErrorKind::Required { property } if rw.path(e) == pointer => {
                property.as_str().filter(|_| context.iter().all(|b| b.iter().any(|e| matches!(e.kind(), ValidationErrorKind::Required { property: q } if q == property)))).map(str::to_owned)
            }
            _ => None,
        });
        if let Some(tag) = tag {
            let tag_ptr = format!("{pointer}/{tag}");
            let tag_consts: Vec<Option<String>> = context
                .iter()
                .map(|b| branch_const(b, rw, &tag_ptr))
                .collect();
            let all_names: Vec<String> = context
                .iter()
                .filter_map(|b| {
                    branch_const(b, rw, &tag_ptr)
                        .or_else(|| obj.get(&tag).and_then(Value::as_str).map(str::to_owned))
                })
                .collect();
            if !obj.contains_key(&tag) {
                let mut names: Vec<String> = context
                    .iter()
                    .filter_map(|b| branch_tag_name(b, rw, &tag_ptr))
                    .collect();
                names.dedup();
                if names.is_empty() {
                    names = tag_values(err.schema_path().as_str(), &tag);
                }
                out.push(Issue {
                    code: Code::MissingField,
                    pointer: pointer.to_owned(),
                    key: None,
                    message: format!("missing required key `{tag}`"),
                    help: Some(if names.is_empty() {
                        format!("add `{tag}:`")
                    } else {
                        format!(
                            "add `{tag}:` with one of: {}",
                            names
                                .iter()
                                .map(|n| format!("`{n}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }),
                });
                return;
            }
            if let Some(i) = tag_consts.iter().position(Option::is_none) {
                for e in &context[i] {
                    convert(e, rw, out);
                }
                return;
            }
            let names: Vec<String> = tag_consts.into_iter().flatten().collect();
            let _ = all_names;
            out.push(invalid_value(
                &tag_ptr,
                obj.get(&tag).unwrap_or(&Value::Null),
                &names,
            ));
            return;
        }
    }
    // Otherwise explain through the branch of the right JSON type with the fewest errors.
    let is_type_error = |e: &ValidationError<'_>| {
        matches!(e.kind(), ValidationErrorKind::Type { .. }) && rw.path(e) == pointer
    };
    let best = context
        .iter()
        .filter(|b| !b.iter().any(is_type_error))
        .min_by_key(|b| b.len());
    match best {
        Some(b) => {
            for e in b {
                convert(e, rw, out);
            }
        }
        None => {
            if let Some(e) = context.iter().flatten().find(|e| is_type_error(e)) {
                convert(e, rw, out);
            }
        }
    }
}

fn branch_tag_name(branch: &[ValidationError<'_>], rw: &Rewrite, tag_ptr: &str) -> Option<String> {
    branch_const(branch, rw, tag_ptr)
}

fn required_help(name: &str) -> String {
    match name {
        "id" => "add `id:` with a short unique name, such as `id: signup`".into(),
        "url" => "add `url:` with the page's path pattern, such as `url: /pricing`".into(),
        "event" => "add `event:` with a Meta event name, such as `event: Lead`".into(),
        "name" => "add `name:`".into(),
        "ids" => "add `ids:` with one pixel id per environment, such as `production: \"123456789012345\"`".into(),
        "action_source" => "add `action_source:`, such as `action_source: website`".into(),
        "source" => "add `source:`, such as `source: {from: random}`".into(),
        "version" => "add `version:`, such as `version: v25.0`".into(),
        other => format!("add `{other}:`"),
    }
}

fn pattern_help(pattern: &str) -> String {
    if pattern.starts_with("^v[0-9]") {
        "write the Graph API version as `v25.0`".into()
    } else if pattern == "^/" {
        "URL patterns are paths that start with `/`, such as `/pricing` or `/events/{slug}`".into()
    } else if pattern.starts_with("^[A-Za-z0-9][A-Za-z0-9_-]*")
        || pattern.starts_with("^[A-Za-z][A-Za-z0-9_-]*")
    {
        "use letters, digits, `_` and `-` (starting with a letter or digit), such as `checkout-button`".into()
    } else if pattern.starts_with("^[A-Za-z0-9_$-]+") {
        "write a dotted record path, such as `order.customer.email`".into()
    } else if pattern.starts_with("^https?://") {
        "write the site's origin without a path, such as `https://shop.example.com`".into()
    } else if pattern.starts_with("^[1-9]") {
        "write the country calling code as digits without `+`, such as `34`".into()
    } else if pattern.starts_with("^[A-Za-z0-9!#") {
        "a cookie name is one word: letters, digits and ``!#$%&'*+.^_`|~-``, no spaces, `;` or `=` (tagc sets the cookie's attributes itself)".into()
    } else if pattern.starts_with("^[A-Za-z]{2}") {
        "write a two-letter ISO 3166 country code, such as `es`".into()
    } else {
        format!("the value must match the pattern `{pattern}`")
    }
}

/// Follows `$ref` (repeatedly) to the schema it names.
fn deref(mut node: &'static Value) -> &'static Value {
    let root = crate::schema::validation_schema();
    for _ in 0..16 {
        match node
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| root.pointer(p))
        {
            Some(target) => node = target,
            None => break,
        }
    }
    node
}

/// The schema node at a validator `schema_path`, following `$ref`s the path skips.
fn schema_node(schema_path: &str) -> Option<&'static Value> {
    let mut node = crate::schema::validation_schema();
    for seg in pointer_segments(schema_path) {
        let Seg::Key(k) = seg else { continue };
        let direct = node
            .get(k.as_ref())
            .or_else(|| k.parse::<usize>().ok().and_then(|i| node.get(i)));
        node = match direct {
            Some(n) => n,
            None => {
                let target = deref(node);
                target
                    .get(k.as_ref())
                    .or_else(|| k.parse::<usize>().ok().and_then(|i| target.get(i)))?
            }
        };
    }
    Some(node)
}

/// The property names allowed by the object schema that produced an
/// `additionalProperties` error at `schema_path`.
fn allowed_properties(schema_path: &str) -> Vec<String> {
    schema_path
        .strip_suffix("/additionalProperties")
        .and_then(schema_node)
        .map(deref)
        .and_then(|n| n.get("properties"))
        .and_then(Value::as_object)
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// The values a discriminator `tag` may take in the `oneOf` at `schema_path`.
fn tag_values(schema_path: &str, tag: &str) -> Vec<String> {
    schema_node(schema_path)
        .and_then(Value::as_array)
        .map(|branches| {
            branches
                .iter()
                .filter_map(|b| {
                    deref(b)
                        .get("properties")?
                        .get(tag)?
                        .get("const")?
                        .as_str()
                        .map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default()
}
