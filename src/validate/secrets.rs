//! Secrets never belong in a configuration: the access token comes from the environment
//! (`META_ACCESS_TOKEN`) or `--token-file`. This pass looks at every key and value of every
//! file, before and regardless of the schema, and never repeats the secret in its message.

use serde_json::Value;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::load::{Children, Document, Node};
use crate::meta;
use crate::source::FileId;

const HELP: &str = "remove it from the configuration and from git history; tagc reads the token from the `META_ACCESS_TOKEN` environment variable or `--token-file`";

/// Reports keys named like secrets and values that look like Meta access tokens.
pub fn check(_file: FileId, doc: &Document, diags: &mut Diagnostics) {
    walk(&doc.value, &doc.tree, diags);
}

fn walk(value: &Value, node: &Node, diags: &mut Diagnostics) {
    match (value, &node.children) {
        (Value::Object(map), Children::Map(entries)) => {
            for (key, child) in entries {
                if meta::is_secret_key(key) {
                    diags.push(
                        Diagnostic::new(Code::SecretInConfig, child.key_span.unwrap_or(child.span), format!("the key `{}` looks like a secret", crate::diagnostic::truncate(key, 40)))
                            .label("secrets must not be in the configuration")
                            .help(HELP),
                    );
                    continue;
                }
                if let Some(v) = map.get(key) {
                    walk(v, child, diags);
                }
            }
        }
        (Value::Array(items), Children::Seq(nodes)) => {
            for (v, n) in items.iter().zip(nodes) {
                walk(v, n, diags);
            }
        }
        (Value::String(s), _) if meta::looks_like_access_token(s) => {
            diags.push(
                Diagnostic::new(Code::SecretInConfig, node.span, "this value looks like a Meta access token")
                    .label("access token")
                    .help(HELP),
            );
        }
        _ => {}
    }
}
