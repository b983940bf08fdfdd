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
//!           mapping, the plan, each handed to dist
//!           as it is made
//! write     artifacts + manifest, atomically,       (dist, dist::layout)
//!           where the layout says
//! ```
//!
//! Stages return values and [`diagnostic::Diagnostics`]; none prints. Renderers turn
//! diagnostics and reports into text, one [`render::Emitter`] per output format, escaping
//! through [`escape`]. The `tagc` binary ([`cli`]) is a thin layer that calls [`build`]
//! (and the other commands' modules), renders and picks the exit code.
//!
//! # Layers
//!
//! Top-level modules form a DAG: a module may import only modules of a lower layer, so
//! none can import a module that imports it back. `tests/architecture.rs` parses every
//! `crate::…` path under `src/` (outside unit tests and comments) and fails on an import
//! within a layer or up the list, on a cycle, and on an artifact path spelled outside
//! [`dist::layout`].
//!
//! ```text
//! 10 cli                                  the command line: parse, call, render, exit code
//!  9 build                                the build driver
//!  8 scan  verify                         what to track on a page; plans, runs and reports
//!  7 browser  diff                        headless Chromium; what a config change does
//!  6 check  emit  send                    stages 1–2 at once; the artifacts; sending
//!  5 mapping                              the Conversions API mapping of a resolved site
//!  4 resolve                              stage 3
//!  3 edit  validate                       in-place edits of a configuration file; stage 2
//!  2 load  event_time                     stage 1; reading event times
//!  1 diagnostic  dist  normalize  schema  diagnostics; the output directory; hashing; schema
//!  0 artifact  css  escape  meta  model  par  record_path  render  source  text
//!    urlpattern  values                   leaves: shared types and helpers
//! ```
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
pub mod diff;
pub mod dist;
pub mod edit;
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
pub mod scan;
pub mod schema;
pub mod send;
pub mod source;
pub mod text;
pub mod urlpattern;
pub mod validate;
pub mod values;
pub mod verify;
