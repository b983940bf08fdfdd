//! Semantic rules: what the schema cannot express. One file per family of rules.
//!
//! Each rule reads the typed [`crate::model::Config`] of every schema-clean file and
//! locates its findings through that file's span tree. Rules that need the whole
//! configuration (references, duplicate ids, shadowed URL patterns) run only when every
//! file passed the schema (`complete`).

mod capi_surface;
mod dedup;
mod event_time;
mod events;
mod pages;
mod params;
mod pixels;
mod server;
mod verify;

use std::collections::BTreeMap;

use super::ValidFile;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::load::Seg;
use crate::model::{EventDef, Page, ServerEvent};
use crate::source::Span;

/// Shared state for the rules.
pub(crate) struct Ctx<'a> {
    pub files: &'a [ValidFile],
    pub complete: bool,
    pub diags: &'a mut Diagnostics,
    pub index: Index<'a>,
}

/// A definition and where it lives.
pub(crate) struct At<'a, T> {
    pub file: usize,
    pub path: Vec<Seg<'a>>,
    pub item: &'a T,
}

/// Everything that can be referenced by name, across files (first definition wins).
#[derive(Default)]
pub(crate) struct Index<'a> {
    pub events: BTreeMap<&'a str, At<'a, EventDef>>,
    pub pages: BTreeMap<&'a str, At<'a, Page>>,
    pub pixels: BTreeMap<&'a str, (usize, usize)>,
    pub server: BTreeMap<&'a str, At<'a, ServerEvent>>,
    /// Browser occurrences by `PAGE/BUTTON`.
    pub buttons: BTreeMap<String, ButtonAt>,
}

/// A button and where it lives: its path is made when asked for, since a site has a
/// button for every ten lines of YAML.
pub(crate) struct ButtonAt {
    pub file: usize,
    /// Its page's index in the file.
    pub page: usize,
    /// Its index in the page.
    pub index: usize,
}

impl ButtonAt {
    /// `pages[page].buttons[index]`.
    pub fn path(&self) -> Vec<Seg<'static>> {
        crate::path!["pages", self.page, "buttons", self.index]
    }
}

impl Ctx<'_> {
    /// The span of the value at `path` in file `f`.
    pub fn span(&self, f: usize, path: &[Seg<'_>]) -> Span {
        self.files[f].tree.value_span(path)
    }

    /// The span of the key at `path` in file `f`.
    pub fn key_span(&self, f: usize, path: &[Seg<'_>]) -> Span {
        self.files[f].tree.key_span(path)
    }

    /// Whether the exact path exists in file `f`.
    pub fn has(&self, f: usize, path: &[Seg<'_>]) -> bool {
        self.files[f].tree.contains(path)
    }

    /// Records a diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }
}

/// Appends segments to a path.
pub(crate) fn join<'a>(base: &[Seg<'a>], more: impl IntoIterator<Item = Seg<'a>>) -> Vec<Seg<'a>> {
    let mut v = base.to_vec();
    v.extend(more);
    v
}

/// Runs every rule.
pub fn check(files: &[ValidFile], complete: bool, diags: &mut Diagnostics) {
    let mut ctx = Ctx {
        files,
        complete,
        diags,
        index: Index::default(),
    };
    build_index(&mut ctx);
    pixels::check(&mut ctx);
    pages::check(&mut ctx);
    events::check(&mut ctx);
    server::check(&mut ctx);
    dedup::check(&mut ctx);
    capi_surface::check(&mut ctx);
    verify::check(&mut ctx);
}

/// Indexes definitions and reports duplicate ids (first definition wins).
fn build_index(ctx: &mut Ctx<'_>) {
    let files = ctx.files;
    let mut dups: Vec<Diagnostic> = Vec::new();
    let mut dup = |what: &str, id: &str, second: Span, first: Span| {
        dups.push(
            Diagnostic::new(
                crate::diagnostic::Code::DuplicateId,
                second,
                format!("{what} `{id}` is defined twice"),
            )
            .label("second definition")
            .with_secondary(first, "first defined here")
            .help(format!("give each {what} a unique id")),
        );
    };
    let mut index = Index::default();
    for (f, vf) in files.iter().enumerate() {
        let tree = &vf.tree;
        for (name, def) in &vf.config.events {
            let path = crate::path!["events", name.as_str()];
            if let Some(first) = index.events.get(name.as_str()) {
                dup(
                    "event definition",
                    name,
                    tree.key_span(&path),
                    files[first.file].tree.key_span(&first.path),
                );
            } else {
                index.events.insert(
                    name,
                    At {
                        file: f,
                        path,
                        item: def,
                    },
                );
            }
        }
        for (i, px) in vf.config.pixels.iter().enumerate() {
            if let Some(&(ff, fi)) = index.pixels.get(px.name.as_str()) {
                dup(
                    "pixel",
                    &px.name,
                    tree.value_span(&crate::path!["pixels", i, "name"]),
                    files[ff]
                        .tree
                        .value_span(&crate::path!["pixels", fi, "name"]),
                );
            } else {
                index.pixels.insert(&px.name, (f, i));
            }
        }
        for (i, page) in vf.config.pages.iter().enumerate() {
            let path = crate::path!["pages", i];
            let id_path = join(&path, [Seg::from("id")]);
            if let Some(first) = index.pages.get(page.id.as_str()) {
                dup(
                    "page",
                    &page.id,
                    tree.value_span(&id_path),
                    files[first.file]
                        .tree
                        .value_span(&join(&first.path, [Seg::from("id")])),
                );
                continue;
            }
            for (j, b) in page.buttons.iter().enumerate() {
                let key = format!("{}/{}", page.id, b.id);
                if let Some(first) = index.buttons.get(&key) {
                    dup(
                        "button",
                        &key,
                        tree.value_span(&crate::path!["pages", i, "buttons", j, "id"]),
                        files[first.file]
                            .tree
                            .value_span(&join(&first.path(), [Seg::from("id")])),
                    );
                } else {
                    index.buttons.insert(
                        key,
                        ButtonAt {
                            file: f,
                            page: i,
                            index: j,
                        },
                    );
                }
            }
            index.pages.insert(
                &page.id,
                At {
                    file: f,
                    path,
                    item: page,
                },
            );
        }
        if let Some(server) = &vf.config.server {
            for (i, ev) in server.events.iter().enumerate() {
                let path = crate::path!["server", "events", i];
                if let Some(first) = index.server.get(ev.id.as_str()) {
                    dup(
                        "server event",
                        &ev.id,
                        tree.value_span(&join(&path, [Seg::from("id")])),
                        files[first.file]
                            .tree
                            .value_span(&join(&first.path, [Seg::from("id")])),
                    );
                } else {
                    index.server.insert(
                        &ev.id,
                        At {
                            file: f,
                            path,
                            item: ev,
                        },
                    );
                }
            }
        }
    }
    if ctx.complete {
        for d in dups {
            ctx.push(d);
        }
    }
    ctx.index = index;
}
