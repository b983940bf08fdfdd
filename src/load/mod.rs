//! Stage 1 — load: bytes on disk → parsed YAML documents with spans.
//!
//! Input: the paths given on the command line. Output: [`Loaded`], a [`SourceMap`] and one
//! [`LoadedFile`] per file, with `include:` entries followed (globs expanded in sorted
//! order, cycles and missing files reported). Checks the encoding (UTF-8 only; a UTF-8 BOM
//! is dropped, UTF-16 is named as such) and the size limit before parsing.
//!
//! Never prints; never panics on any input.

pub mod secrets;
mod tree;
pub mod yaml;

use std::path::{Path, PathBuf};

pub use tree::{NodeId, Seg, Tree, pointer_segments};
pub use yaml::{Document, Parsed};

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::source::{FileId, Pos, SourceFile, SourceMap, Span};

/// Limits that keep hostile input cheap to reject.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest file accepted, in bytes.
    pub max_bytes: usize,
    /// Deepest nesting of sequences and mappings.
    pub max_depth: usize,
    /// Most values in one file, counting every alias expansion.
    pub max_nodes: usize,
    /// Most files one configuration may include (directly or not).
    pub max_files: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 32 * 1024 * 1024,
            max_depth: 64,
            max_nodes: 2_000_000,
            max_files: 10_000,
        }
    }
}

/// One loaded file.
#[derive(Debug, Clone)]
pub struct LoadedFile {
    /// Its id in the source map.
    pub file: FileId,
    /// Its parsed document (its JSON is built when validated).
    pub doc: Parsed,
    /// Whether it was named on the command line (as opposed to included).
    pub is_root: bool,
}

/// Everything loaded for one configuration.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Every file read, including ones that failed to parse.
    pub sources: SourceMap,
    /// The files that parsed, roots first, then includes in the order they were found.
    pub files: Vec<LoadedFile>,
    /// Problems found while loading.
    pub diagnostics: Diagnostics,
}

/// An operational failure: the command-line path itself cannot be read (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The path cannot be read.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The path as given.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The path is a directory.
    #[error(
        "`{path}` is a directory; give the configuration file inside it (for example `{path}/tagc.yaml`)"
    )]
    IsDirectory {
        /// The path as given.
        path: String,
    },
}

/// Decodes bytes as UTF-8, dropping a BOM. On failure returns a located diagnostic.
#[allow(clippy::result_large_err)] // one per file, on the error path only
fn decode(file: FileId, bytes: &[u8]) -> Result<&str, Diagnostic> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Diagnostic::new(
            Code::NotUtf8,
            Span::file_start(file),
            "the file is UTF-16 text; tagc reads UTF-8 only",
        )
        .label("UTF-16 byte order mark")
        .help(
            "save the file as UTF-8 (for example `iconv -f UTF-16 -t UTF-8 in.yaml > out.yaml`)",
        ));
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let good = &bytes[..e.valid_up_to()];
        // `good` is valid UTF-8 by construction.
        let text = std::str::from_utf8(good).unwrap_or_default();
        let line = text.matches('\n').count() + 1;
        let col = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        let at = Pos::new(
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(col).unwrap_or(u32::MAX),
        );
        Diagnostic::new(
            Code::NotUtf8,
            Span::point(file, at),
            format!("invalid UTF-8 byte 0x{:02X}", bytes[e.valid_up_to()]),
        )
        .label("not UTF-8")
        .help("save the file as UTF-8; it looks like Latin-1 or Windows-1252 text")
    })
}

/// Parses one in-memory file into `loaded` (no includes followed). Returns its id and,
/// if it parsed, its document.
pub fn load_str(
    loaded: &mut Loaded,
    name: &str,
    bytes: &[u8],
    limits: Limits,
) -> (FileId, Option<Document>) {
    let (id, parsed) = load_bytes(loaded, name, bytes.to_vec(), limits);
    let doc = parsed.map(|Parsed { tree, secrets }| Document {
        value: tree.to_value(tree.root()),
        tree,
        secrets,
    });
    (id, doc)
}

/// [`load_str`] for bytes the caller gives away: valid UTF-8 becomes the source file's
/// text without a copy (a configuration's text is its largest single allocation).
fn load_bytes(
    loaded: &mut Loaded,
    name: &str,
    mut bytes: Vec<u8>,
    limits: Limits,
) -> (FileId, Option<Parsed>) {
    if bytes.len() > limits.max_bytes {
        let id = loaded.sources.add(SourceFile::new(name, String::new()));
        loaded.diagnostics.push(
            Diagnostic::new(
                Code::TooLarge,
                Span::file_start(id),
                format!(
                    "the file is larger than the limit of {} bytes",
                    limits.max_bytes
                ),
            )
            .help("split the configuration into several files with `include:`"),
        );
        return (id, None);
    }
    let placeholder = FileId(u32::try_from(loaded.sources.iter().count()).unwrap_or(u32::MAX));
    if let Err(d) = decode(placeholder, &bytes) {
        // Show Latin-1 lines (with replacement characters) but not UTF-16 noise.
        let shown = if d.message.contains("UTF-16") {
            String::new()
        } else {
            String::from_utf8_lossy(&bytes).into_owned()
        };
        let id = loaded.sources.add(SourceFile::new(name, shown));
        loaded.diagnostics.push(d);
        return (id, None);
    }
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    // `decode` has just checked the bytes; the fallback is never taken.
    let text = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    let id = loaded.sources.add(SourceFile::new(name, text));
    let parsed = yaml::parse_tree(id, loaded.sources.get(id).text(), limits);
    match parsed {
        Ok(doc) => {
            // Secrets are reported, but never shown again in any report.
            if let Some(file) = loaded.sources.get_mut(id) {
                for d in &doc.secrets {
                    file.redact(d.primary.span.start.line, d.primary.span.start.col);
                }
            }
            (id, Some(doc))
        }
        Err(d) => {
            loaded.diagnostics.extend(d);
            (id, None)
        }
    }
}

/// Removes `.` and `a/..` components lexically, so names in diagnostics read well.
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out.iter().collect()
}

/// Reads a file, but never more than one byte past `max` (so a huge file costs no memory:
/// the size check in [`load_str`] then reports it).
fn read_bounded(path: &Path, max: usize) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    // Sized from the metadata, so reading does not double the buffer past the file.
    let len = file
        .metadata()
        .ok()
        .and_then(|m| usize::try_from(m.len()).ok())
        .unwrap_or(0);
    let mut bytes = Vec::with_capacity(len.min(max).saturating_add(1));
    file.take(u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Display name for a path: relative paths stay as given.
fn display(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Loads the configuration files named on the command line and everything they include.
///
/// # Errors
/// [`LoadError`] when a command-line path cannot be read at all. Problems inside files
/// (and with included files) are diagnostics in the result.
pub fn load_paths(paths: &[PathBuf], limits: Limits) -> Result<Loaded, LoadError> {
    load_into(SourceMap::new(), paths, limits)
}

/// Like [`load_paths`], adding the files to an existing source map (so several
/// configurations can share one map and one report).
///
/// # Errors
/// As [`load_paths`].
pub fn load_into(
    sources: SourceMap,
    paths: &[PathBuf],
    limits: Limits,
) -> Result<Loaded, LoadError> {
    let mut loaded = Loaded {
        sources,
        ..Loaded::default()
    };
    // Each queued include carries the chain of files that led to it, to tell a cycle
    // (a file including one of its own includers) from a file simply included twice.
    let mut queue: Vec<Queued> = Vec::new();
    for p in paths {
        if p.is_dir() {
            return Err(LoadError::IsDirectory { path: display(p) });
        }
        let bytes = read_bounded(p, limits.max_bytes).map_err(|source| LoadError::Io {
            path: display(p),
            source,
        })?;
        let canon = p.canonicalize().unwrap_or_else(|_| p.clone());
        load_one(
            &mut loaded,
            p.clone(),
            bytes,
            true,
            limits,
            &mut queue,
            &[canon],
        );
    }
    // Breadth-first over includes; `seen` holds canonical paths to catch cycles and repeats.
    let mut seen: Vec<PathBuf> = paths.iter().filter_map(|p| p.canonicalize().ok()).collect();
    while let Some(Queued { path, span, chain }) = queue.pop() {
        if loaded.files.len() >= limits.max_files {
            loaded.diagnostics.push(
                Diagnostic::new(
                    Code::IncludeFailed,
                    span,
                    format!("more than {} files are included", limits.max_files),
                )
                .label("limit reached here"),
            );
            break;
        }
        let canon = path.canonicalize().unwrap_or_else(|_| path.clone());
        if chain.contains(&canon) {
            loaded.diagnostics.push(
                Diagnostic::new(
                    Code::IncludeCycle,
                    span,
                    format!("`{}` includes itself through this entry", display(&path)),
                )
                .label("this include closes a cycle")
                .help("remove this entry; a file must not include a file that includes it"),
            );
            continue;
        }
        // Included by several files (a diamond): load it once.
        if seen.contains(&canon) {
            continue;
        }
        seen.push(canon.clone());
        match read_bounded(&path, limits.max_bytes) {
            Ok(bytes) => {
                let mut chain = chain;
                chain.push(canon);
                load_one(&mut loaded, path, bytes, false, limits, &mut queue, &chain);
            }
            Err(e) => {
                let why = match e.kind() {
                    std::io::ErrorKind::NotFound => "no such file".to_owned(),
                    std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
                    other => other.to_string(),
                };
                loaded.diagnostics.push(
                    Diagnostic::new(
                        Code::IncludeFailed,
                        span,
                        format!("cannot read included file `{}`: {why}", display(&path)),
                    )
                    .label("included here")
                    .help("paths in `include:` are relative to the file that includes them"),
                );
            }
        }
    }
    Ok(loaded)
}

/// An include waiting to be loaded.
struct Queued {
    path: PathBuf,
    span: Span,
    chain: Vec<PathBuf>,
}

fn load_one(
    loaded: &mut Loaded,
    path: PathBuf,
    bytes: Vec<u8>,
    is_root: bool,
    limits: Limits,
    queue: &mut Vec<Queued>,
    chain: &[PathBuf],
) {
    let name = display(&path);
    let (file, doc) = load_bytes(loaded, &name, bytes, limits);
    let Some(doc) = doc else { return };
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut found: Vec<(PathBuf, Span)> = Vec::new();
    let include = doc
        .tree
        .child(doc.tree.root(), &Seg::from("include"))
        .filter(|&n| doc.tree.is_seq(n))
        .map(|n| doc.tree.to_value(n));
    if let Some(serde_json::Value::Array(items)) = include {
        for (i, item) in items.iter().enumerate() {
            let Some(pattern) = item.as_str() else {
                continue;
            };
            let span = doc.tree.value_span(&crate::path!["include", i]);
            let full = base.join(pattern);
            if pattern.contains(['*', '?', '[']) {
                let matches = glob::glob(&full.to_string_lossy());
                match matches {
                    Err(e) => loaded.diagnostics.push(
                        Diagnostic::new(
                            Code::IncludeFailed,
                            span,
                            format!("invalid include pattern: {}", e.msg),
                        )
                        .label("this pattern"),
                    ),
                    Ok(paths) => {
                        let mut list: Vec<PathBuf> = paths
                            .filter_map(Result::ok)
                            .filter(|p| p.is_file())
                            .collect();
                        list.sort();
                        if list.is_empty() {
                            loaded.diagnostics.push(
                                Diagnostic::new(Code::IncludeMatchesNothing, span, format!("`{pattern}` matches no file"))
                                    .label("no file matches")
                                    .help("paths in `include:` are relative to the file that includes them"),
                            );
                        }
                        found.extend(list.into_iter().map(|p| (p, span)));
                    }
                }
            } else if full.is_dir() {
                loaded.diagnostics.push(
                    Diagnostic::new(
                        Code::IncludeFailed,
                        span,
                        format!("`{pattern}` is a directory"),
                    )
                    .label("a directory")
                    .help(format!(
                        "include the files inside it, for example `{}/*.yaml`",
                        pattern.trim_end_matches('/')
                    )),
                );
            } else {
                found.push((full, span));
            }
        }
    }
    // Queue in reverse so that popping visits includes in their listed order.
    for (p, span) in found.into_iter().rev() {
        queue.push(Queued {
            path: normalize(&p),
            span,
            chain: chain.to_vec(),
        });
    }
    loaded.files.push(LoadedFile { file, doc, is_root });
}
