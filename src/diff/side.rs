//! One side of a diff: a configuration on disk, or one at a git revision.
//!
//! A configuration at a revision is read with git itself: every `*.yaml`/`*.yml` file of
//! the revision's tree (and the root file, whatever its name) is copied into a temporary
//! directory with `git cat-file --batch`, and loaded from there, so `include:` globs
//! resolve exactly as they did at that revision. Files are then shown as `REV:path`.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};

use crate::check::Checked;
use crate::load::{Limits, LoadError};
use crate::source::{SourceMap, Span};
use crate::validate::Validated;

use super::Location;

/// What the user named: a file, or a file at a git revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spec {
    /// A configuration file in the working tree.
    Path(PathBuf),
    /// `REV:path`: the file at a revision. `path` is relative to the repository root, or
    /// to the current directory when it starts with `./` or `../` (as in `git show`).
    Git {
        /// The revision (`origin/main`, `HEAD~1`, a commit id).
        rev: String,
        /// The path, as written.
        path: String,
    },
}

impl Spec {
    /// Reads a command-line argument: an existing file is a path; otherwise `REV:path`
    /// names a file at a revision; anything else is a path (that will fail to load).
    #[must_use]
    pub fn parse(arg: &str) -> Spec {
        if !Path::new(arg).exists()
            && let Some((rev, path)) = arg.split_once(':')
            && !rev.is_empty()
            && !path.is_empty()
        {
            return Spec::Git {
                rev: rev.to_owned(),
                path: path.to_owned(),
            };
        }
        Spec::Path(PathBuf::from(arg))
    }

    /// `path` (relative to the current directory) at revision `rev`: what `--base REV`
    /// compares the working-tree file with.
    #[must_use]
    pub fn at_revision(rev: &str, path: &Path) -> Spec {
        let p = path.to_string_lossy().replace('\\', "/");
        let path = if path.is_absolute() || p.starts_with("./") || p.starts_with("../") {
            p
        } else {
            format!("./{p}")
        };
        Spec::Git {
            rev: rev.to_owned(),
            path,
        }
    }

    /// How the side is named in reports.
    #[must_use]
    pub fn label(&self) -> String {
        match self {
            Spec::Path(p) => p.to_string_lossy().replace('\\', "/"),
            Spec::Git { rev, path } => format!("{rev}:{}", path.trim_start_matches("./")),
        }
    }
}

/// Why a side could not be loaded at all (exit 2). Problems inside the configuration are
/// diagnostics of the loaded [`Side`].
#[derive(Debug, thiserror::Error)]
pub enum SideError {
    /// The file cannot be read.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// git failed, or the revision does not exist.
    #[error("{0}")]
    Git(String),
    /// The revision exists but has no file at the path (a change that adds the
    /// configuration).
    #[error("`{path}` does not exist at `{rev}`")]
    Missing {
        /// The path in the repository.
        path: String,
        /// The revision.
        rev: String,
    },
    /// The temporary copy could not be written.
    #[error("cannot copy `{label}` to a temporary directory: {source}")]
    Io {
        /// The side.
        label: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// A loaded and checked side.
#[derive(Debug)]
pub struct Side {
    /// How it is named in reports (`origin/main:tracking/tagc.yaml`).
    pub label: String,
    /// The revision, for a side read from git.
    pub rev: Option<String>,
    /// Files, diagnostics and the validated configuration.
    pub checked: Checked,
    /// The temporary copy of a revision, removed on drop.
    _tmp: Option<tempfile::TempDir>,
}

impl Side {
    /// Loads and checks the configuration `spec` names.
    ///
    /// # Errors
    /// When the file cannot be read, or git cannot produce it.
    pub fn load(spec: &Spec, limits: Limits) -> Result<Side, SideError> {
        match spec {
            Spec::Path(p) => Ok(Side {
                label: spec.label(),
                rev: None,
                checked: crate::check::check_paths(std::slice::from_ref(p), limits)?,
                _tmp: None,
            }),
            Spec::Git { rev, path } => load_revision(rev, path, limits, spec.label()),
        }
    }

    /// Loads both sides at once, one thread each (loading and checking is most of a
    /// diff's time).
    ///
    /// # Errors
    /// As [`Side::load`], for the base first.
    pub fn load_pair(
        base: &Spec,
        head: &Spec,
        limits: Limits,
    ) -> Result<(Side, Side), (Spec, SideError)> {
        let (b, h) = std::thread::scope(|s| {
            let h = s.spawn(|| Side::load(head, limits));
            let b = Side::load(base, limits);
            (b, h.join())
        });
        let b = b.map_err(|e| (base.clone(), e))?;
        match h {
            Ok(h) => Ok((b, h.map_err(|e| (head.clone(), e))?)),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }

    /// The validated configuration.
    #[must_use]
    pub fn config(&self) -> Option<&Validated> {
        self.checked.configs.first()
    }

    /// Every file read.
    #[must_use]
    pub fn sources(&self) -> &SourceMap {
        &self.checked.sources
    }

    /// Where `span` is, as a report shows it.
    #[must_use]
    pub fn location(&self, span: Span) -> Location {
        let name = self.sources().name(span.file);
        let path = self
            .rev
            .as_ref()
            .and_then(|r| name.strip_prefix(&format!("{r}:")))
            .unwrap_or(name);
        Location {
            file: name.to_owned(),
            path: path.to_owned(),
            rev: self.rev.clone(),
            line: span.start.line,
            column: span.start.col,
        }
    }

    /// Where a site-wide setting is written: the key in the first file that has it (the
    /// root first), or the pixel with that name.
    pub(super) fn find(&self, key: &super::compare::SiteKey) -> Option<Span> {
        use super::compare::SiteKey;
        let config = self.config()?;
        let mut files: Vec<_> = config.files.iter().collect();
        files.sort_by_key(|f| !f.is_root);
        files.into_iter().find_map(|vf| match key {
            SiteKey::Top(k) => {
                let path = crate::path![*k];
                vf.tree.contains(&path).then(|| vf.tree.key_span(&path))
            }
            SiteKey::Pixel(name) => {
                let i = vf.config.pixels.iter().position(|p| &p.name == name)?;
                Some(vf.tree.value_span(&crate::path!["pixels", i]))
            }
        })
    }

    /// The start of the root file: where a change without a place of its own is shown.
    #[must_use]
    pub fn root(&self) -> Option<Span> {
        let vf = self.config()?.files.iter().find(|f| f.is_root)?;
        Some(Span::file_start(vf.file))
    }
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, SideError> {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| SideError::Git(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stderr);
        return Err(SideError::Git(format!(
            "`git {}` failed: {}",
            args.join(" "),
            msg.trim()
        )));
    }
    Ok(out.stdout)
}

/// Lexically removes `.` and `a/..`; `None` when the path climbs out of the root.
fn normalize(p: &str) -> Option<String> {
    let mut out: Vec<&str> = Vec::new();
    for c in Path::new(p).components() {
        match c {
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
            Component::ParentDir => {
                out.pop()?;
            }
            Component::Normal(s) => out.push(s.to_str()?),
        }
    }
    Some(out.join("/"))
}

fn load_revision(rev: &str, path: &str, limits: Limits, label: String) -> Result<Side, SideError> {
    let cwd = std::env::current_dir().map_err(|e| SideError::Git(e.to_string()))?;
    let text = |b: Vec<u8>| {
        String::from_utf8_lossy(&b)
            .trim_end_matches('\n')
            .to_owned()
    };
    let top = PathBuf::from(text(git(&cwd, &["rev-parse", "--show-toplevel"]).map_err(
        |_| {
            SideError::Git(format!(
                "`{label}` names a git revision, but `{}` is not inside a git repository",
                cwd.display()
            ))
        },
    )?));
    let commit = text(
        git(&cwd, &["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")])
            .map_err(|_| SideError::Git(format!("`{rev}` is not a revision of this repository (a shallow clone may lack it: `git fetch origin {rev}`)")))?,
    );
    // The path inside the repository.
    let rel = if Path::new(path).is_absolute() {
        let canon_top = top.canonicalize().unwrap_or_else(|_| top.clone());
        let p = Path::new(path);
        let p = p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        p.strip_prefix(&canon_top)
            .map(|r| r.to_string_lossy().replace('\\', "/"))
            .map_err(|_| SideError::Git(format!("`{path}` is outside the repository")))?
    } else if path.starts_with("./") || path.starts_with("../") {
        let prefix = text(git(&cwd, &["rev-parse", "--show-prefix"])?);
        format!("{prefix}{path}")
    } else {
        path.to_owned()
    };
    let rel = normalize(&rel)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| SideError::Git(format!("`{path}` is outside the repository")))?;
    let listing = git(
        &top,
        &["ls-tree", "-r", "-z", "--full-tree", "--name-only", &commit],
    )?;
    let names: Vec<String> = listing
        .split(|b| *b == 0)
        .filter_map(|n| std::str::from_utf8(n).ok())
        .filter(|n| !n.is_empty() && (n.ends_with(".yaml") || n.ends_with(".yml") || *n == rel))
        .map(str::to_owned)
        .collect();
    if !names.contains(&rel) {
        return Err(SideError::Missing {
            path: rel,
            rev: rev.to_owned(),
        });
    }
    let tmp = tempfile::Builder::new()
        .prefix("tagc-diff-")
        .tempdir()
        .map_err(|source| SideError::Io {
            label: label.clone(),
            source,
        })?;
    copy_blobs(&top, &commit, &names, tmp.path()).map_err(|e| match e {
        CopyError::Io(source) => SideError::Io {
            label: label.clone(),
            source,
        },
        CopyError::Git(m) => SideError::Git(m),
    })?;
    let root = tmp.path().join(&rel);
    let mut checked = crate::check::check_paths(std::slice::from_ref(&root), limits)?;
    let prefix = format!("{}/", tmp.path().to_string_lossy().replace('\\', "/"));
    let ids: Vec<_> = checked.sources.iter().map(|(id, _)| id).collect();
    for id in ids {
        if let Some(f) = checked.sources.get_mut(id) {
            let name = f.name().replace('\\', "/");
            if let Some(rest) = name.strip_prefix(&prefix) {
                f.rename(format!("{rev}:{rest}"));
            }
        }
    }
    Ok(Side {
        label,
        rev: Some(rev.to_owned()),
        checked,
        _tmp: Some(tmp),
    })
}

enum CopyError {
    Io(std::io::Error),
    Git(String),
}

impl From<std::io::Error> for CopyError {
    fn from(e: std::io::Error) -> Self {
        CopyError::Io(e)
    }
}

/// Writes each named blob of `commit` under `dest`, with one `git cat-file --batch`.
fn copy_blobs(top: &Path, commit: &str, names: &[String], dest: &Path) -> Result<(), CopyError> {
    let mut child = Command::new("git")
        .current_dir(top)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| CopyError::Git(format!("cannot run git: {e}")))?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| CopyError::Git("git cat-file: no stdin".into()))?;
    let requests: Vec<String> = names.iter().map(|n| format!("{commit}:{n}\n")).collect();
    // Written from another thread, so a large answer cannot block the request stream.
    let writer = std::thread::spawn(move || -> std::io::Result<()> {
        for r in requests {
            stdin.write_all(r.as_bytes())?;
        }
        Ok(())
    });
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| CopyError::Git("git cat-file: no stdout".into()))?;
    let mut r = BufReader::new(stdout);
    for name in names {
        let mut header = String::new();
        r.read_line(&mut header)?;
        let mut parts = header.split_whitespace();
        let (_, kind, size) = (parts.next(), parts.next(), parts.next());
        let Some(size) = size.and_then(|s| s.parse::<u64>().ok()) else {
            // `missing` or a non-blob: nothing follows the header.
            continue;
        };
        let mut body = Vec::new();
        (&mut r).take(size).read_to_end(&mut body)?;
        let mut nl = [0u8; 1];
        r.read_exact(&mut nl)?;
        if kind != Some("blob") {
            continue;
        }
        let out = dest.join(name);
        if let Some(parent) = out.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(out, body)?;
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_read_like_git_show() {
        assert_eq!(
            Spec::parse("origin/main:tracking/tagc.yaml"),
            Spec::Git {
                rev: "origin/main".into(),
                path: "tracking/tagc.yaml".into()
            }
        );
        assert_eq!(
            Spec::parse("no-such-file.yaml"),
            Spec::Path("no-such-file.yaml".into())
        );
        assert_eq!(
            Spec::at_revision("HEAD~1", Path::new("tagc.yaml")).label(),
            "HEAD~1:tagc.yaml"
        );
    }

    #[test]
    fn paths_never_climb_out_of_the_repository() {
        assert_eq!(normalize("a/./b/../c.yaml").as_deref(), Some("a/c.yaml"));
        assert_eq!(normalize("../x.yaml"), None);
    }
}
