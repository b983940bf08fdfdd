//! The JSON Schema of the configuration language, generated from [`crate::model`].
//!
//! Two variants come from the same types:
//!
//! - [`schema`], the **editor schema**: `tagc schema` prints it, `tagc init` writes it,
//!   and `schema/tagc.schema.json` is the committed copy that editors use (through the
//!   `# yaml-language-server: $schema=…` comment); a test keeps the two identical. It is
//!   schemars' output rewritten by [`editor`] for completion, hover and messages in
//!   yaml-language-server, with Meta's standard events and parameters from
//!   [`crate::meta`].
//! - [`validation_schema`], schemars' output as it is: what `tagc check` validates
//!   against ([`crate::validate`]). Both accept the same documents, except that the
//!   editor schema also rejects an event name that is neither standard nor marked
//!   `custom: true`: tagc reports that in its semantic pass (TAG2001, with a
//!   did-you-mean), not as a schema error (`tests/schema.rs` checks the difference).
//!
//! Draft-07 is emitted because every version of the YAML language server supports it.

pub mod editor;

use std::sync::OnceLock;

use schemars::generate::SchemaSettings;
use serde_json::Value;

use crate::model::Config;

/// The path of the committed schema, relative to the repository root.
pub const COMMITTED_PATH: &str = "schema/tagc.schema.json";

/// The schema's `$id`.
pub const SCHEMA_ID: &str = "https://tagc.dev/schema/tagc.schema.json";

/// The editor schema as a JSON value (generated once): the committed
/// `schema/tagc.schema.json`.
#[must_use]
pub fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let mut v = validation_schema().clone();
        editor::enhance(&mut v);
        v
    })
}

/// The schema `tagc check` validates against (generated once): the types' schema
/// without the editor's additions.
#[must_use]
pub fn validation_schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| schema_for::<Config>(SCHEMA_ID))
}

/// The draft-07 JSON Schema of any of tagc's documents (configuration, mapping, plan),
/// with its `$id`.
#[must_use]
pub fn schema_for<T: schemars::JsonSchema>(id: &str) -> Value {
    let schema = SchemaSettings::draft07()
        .for_deserialize()
        .into_generator()
        .into_root_schema_for::<T>();
    let mut v = schema.to_value();
    if let Some(obj) = v.as_object_mut() {
        obj.insert("$id".into(), Value::String(id.into()));
    }
    v
}

/// A schema as pretty-printed JSON text ending in a newline (the committed files' bytes).
#[must_use]
pub fn to_text(schema: &Value) -> String {
    let mut s = serde_json::to_string_pretty(schema).unwrap_or_default();
    s.push('\n');
    s
}

/// The schema as pretty-printed JSON text ending in a newline: the exact bytes of
/// `schema/tagc.schema.json`.
#[must_use]
pub fn schema_text() -> String {
    to_text(schema())
}
