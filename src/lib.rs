//! `tagc` compiles a YAML tracking configuration into Meta Pixel and Conversions API
//! artifacts, after checking it against a JSON Schema and Meta's rules.
//!
//! The pipeline, one module per stage, sequenced by the build driver ([`build`]):
//!
//! ```text
//! load      bytes → YAML documents with spans       (load)
//! validate  schema, then Meta's semantic rules      (validate, meta)
//! resolve   merged files → one typed model          (resolve)
//! emit      model → pixel snippets, tagc.js, the    (emit, mapping, verify::plan)
//!           mapping, the plan, in memory
//! write     artifacts + manifest, atomically,       (dist, dist::layout)
//!           where the layout says
//! ```
//!
//! Stages return values and [`diagnostic::Diagnostics`]; none prints. Renderers turn
//! diagnostics and reports into text, one [`render::Emitter`] per output format, escaping
//! through [`escape`]. The `tagc` binary ([`cli`]) is a thin layer that calls [`build`]
//! (and the other commands' modules), renders and picks the exit code.
//!
//! `emit` imports neither `dist` nor `verify`: it makes [`artifact::Artifact`]s, which
//! say which file they are, and [`dist::layout`] alone says where each goes. `load`
//! finds secrets while parsing ([`load::secrets`]) and `validate` reports them.

pub mod artifact;
pub mod browser;
pub mod build;
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
