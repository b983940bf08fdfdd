//! The shape of the crate, as data: the layers of `src/lib.rs`'s pipeline doc, checked
//! against what every file under `src/` imports, and the output directory's layout
//! spelled only in `src/dist/layout.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level modules, lowest layer first. A module may import only modules of a lower
/// layer: an import within a layer or upwards fails (so no two modules can import each
/// other). Keep in step with the table in `src/lib.rs`.
const LAYERS: &[&[&str]] = &[
    &[
        "artifact",
        "css",
        "escape",
        "meta",
        "model",
        "par",
        "record_path",
        "render",
        "source",
        "text",
        "urlpattern",
        "values",
    ],
    &["diagnostic", "dist", "normalize", "schema"],
    &["event_time", "load"],
    &["edit", "validate"],
    &["resolve"],
    &["mapping"],
    &["check", "emit", "send"],
    &["browser", "diff"],
    &["scan", "verify"],
    &["build"],
    &["cli"],
];

/// Imports the layers would allow but the design does not: the emitters make artifacts in
/// memory and know nothing of where they are written.
const FORBIDDEN: &[(&str, &str)] = &[("emit", "dist")];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The top-level modules that exist: `src/x.rs` and `src/x/`.
fn modules() -> BTreeSet<String> {
    std::fs::read_dir(src())
        .expect("src/")
        .map(|e| e.expect("entry").path())
        .filter_map(|p| {
            let name = p.file_stem()?.to_str()?.to_owned();
            (p.is_dir() || p.extension().is_some_and(|e| e == "rs")).then_some(name)
        })
        .filter(|n| n != "lib" && n != "main")
        .collect()
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The files of top-level module `m`.
fn files_of(m: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let file = src().join(format!("{m}.rs"));
    if file.exists() {
        out.push(file);
    }
    let dir = src().join(m);
    if dir.is_dir() {
        rs_files(&dir, &mut out);
    }
    out
}

/// The code of a file that counts: without its unit tests (which may reach anywhere)
/// and without comments (which may name anything).
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("readable");
    let text = text
        .find("#[cfg(test)]\nmod tests")
        .map_or(text.as_str(), |i| &text[..i]);
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every top-level module named by a `crate::` path in `code`: `crate::x::…`, and each
/// item of `crate::{x::…, y}`.
fn imported(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        // `$crate::` in a macro is the crate too; `tagc::crate::` does not occur.
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let end = group
                .char_indices()
                .find(|&(_, c)| {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map_or(group.len(), |(j, _)| j);
            let mut depth = 0;
            let mut start = 0;
            let inner = &group[..end];
            for (j, c) in inner.char_indices().chain([(inner.len(), ',')]) {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        let item = inner[start..j].trim();
                        out.insert(ident(item));
                        start = j + 1;
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out
}

fn ident(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// Module → the other top-level modules it imports, with one file that does.
fn graph() -> BTreeMap<String, BTreeMap<String, PathBuf>> {
    let mods = modules();
    let mut g = BTreeMap::new();
    for m in &mods {
        let edges: &mut BTreeMap<String, PathBuf> = g.entry(m.clone()).or_default();
        for f in files_of(m) {
            for dep in imported(&code(&f)) {
                if mods.contains(&dep) && &dep != m {
                    edges.entry(dep).or_insert_with(|| f.clone());
                }
            }
        }
    }
    g
}

#[test]
fn every_module_has_a_layer() {
    let listed: BTreeSet<String> = LAYERS
        .iter()
        .flat_map(|l| l.iter().map(|m| (*m).to_owned()))
        .collect();
    let mods = modules();
    let missing: Vec<_> = mods.difference(&listed).collect();
    let gone: Vec<_> = listed.difference(&mods).collect();
    assert!(
        missing.is_empty() && gone.is_empty(),
        "LAYERS (here and in src/lib.rs) is out of date: add {missing:?}, remove {gone:?}"
    );
}

#[test]
fn modules_only_import_lower_layers() {
    let layer: BTreeMap<&str, usize> = LAYERS
        .iter()
        .enumerate()
        .flat_map(|(i, l)| l.iter().map(move |m| (*m, i)))
        .collect();
    let mut wrong = Vec::new();
    for (m, deps) in graph() {
        let Some(&lm) = layer.get(m.as_str()) else {
            continue;
        };
        for (d, file) in deps {
            let ld = layer.get(d.as_str()).copied().unwrap_or(usize::MAX);
            if FORBIDDEN.contains(&(m.as_str(), d.as_str())) {
                wrong.push(format!("{m} must not import {d} (in {})", file.display()));
            } else if ld >= lm {
                wrong.push(format!(
                    "{m} (layer {lm}) imports {d} (layer {ld}) in {}",
                    file.display()
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layer order of src/lib.rs (move the shared item down, or \
         pass it in):\n{}",
        wrong.join("\n")
    );
}

/// Independent of the layer table: no two top-level modules reach each other.
#[test]
fn no_cycle_between_top_level_modules() {
    let g = graph();
    let reach = |from: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_owned()];
        while let Some(m) = stack.pop() {
            for d in g.get(&m).into_iter().flat_map(BTreeMap::keys) {
                if seen.insert(d.clone()) {
                    stack.push(d.clone());
                }
            }
        }
        seen
    };
    let mut cycles = Vec::new();
    for m in g.keys() {
        for d in reach(m) {
            if m < &d && reach(&d).contains(m) {
                cycles.push(format!("{m} <-> {d}"));
            }
        }
    }
    assert!(cycles.is_empty(), "module cycles: {cycles:?}");
}

#[test]
fn the_parser_sees_grouped_and_nested_imports() {
    let code = "use crate::{a::{B, C}, d, e::f as g};\nlet x = crate::h::i();";
    let got: Vec<String> = imported(code).into_iter().collect();
    assert_eq!(got, ["a", "d", "e", "h"]);
}

/// The output directory's paths are spelled once, in `dist::layout`: the writer, the
/// build driver and `tagc verify` all take them from there.
#[test]
fn artifact_paths_are_spelled_only_in_the_layout() {
    let mut files = Vec::new();
    rs_files(&src(), &mut files);
    let paths = [
        "pixel/tagc.js",
        "pixel/head.html",
        "pixel/pages",
        "capi/mapping.json",
        "verify/plan.json",
        "manifest.json",
        "{id}.html",
        "{page}.html",
    ];
    let layout = src().join("dist").join("layout.rs");
    let mut found = Vec::new();
    for f in files.iter().filter(|f| **f != layout) {
        let code = code(f);
        for p in paths {
            if code.contains(&format!("\"{p}")) || code.contains(&format!("/{p}\"")) {
                found.push(format!("{}: {p}", f.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "use crate::dist::layout instead of spelling these:\n{}",
        found.join("\n")
    );
}
