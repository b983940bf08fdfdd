//! `tagc` compiles a YAML tracking configuration into Meta Pixel and Conversions API
//! artifacts, after checking it against a JSON Schema and Meta's rules.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! load      bytes → YAML documents with spans       (load)
//! validate  schema, then Meta's semantic rules      (validate, meta)
//! resolve   merged files → one typed model          (resolve)
//! emit      model → pixel snippets, tagc.js          (emit, escape::html)
//! write     artifacts + manifest, atomically         (dist)
//! ```
//!
//! Stages return values and [`diagnostic::Diagnostics`]; none prints. The `tagc` binary
//! ([`cli`]) is a thin layer that renders them.

pub mod browser;
pub mod check;
pub mod cli;
pub mod css;
pub mod diagnostic;
pub mod dist;
pub mod emit;
pub mod escape;
pub mod event_time;
pub mod load;
pub mod mapping;
pub mod meta;
pub mod model;
pub mod normalize;
pub mod par;
pub mod record_path;
pub mod render;
pub mod resolve;
pub mod schema;
pub mod send;
pub mod source;
pub mod text;
pub mod urlpattern;
pub mod validate;
pub mod values;
pub mod verify;
