//! Stage 5 — write: artifacts and their manifest into the output directory, atomically.
//!
//! [`layout`] defines where each artifact goes; [`place`] turns the in-memory
//! [`Artifact`]s into [`OutputFile`]s by it, [`manifest`] lists them, and [`write()`] writes
//! them.
//!
//! Every file is first written in full to a temporary file beside its destination; only
//! when all of them are written are they renamed into place (the manifest last). A build
//! that fails while writing removes its temporary files and leaves the previous output as
//! it was. Files that the previous manifest listed and this build no longer produces (a
//! deleted page) are removed; anything else in the directory is left alone. An artifact
//! whose file already has the same bytes is not rewritten.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

pub mod layout;

use crate::artifact::{Artifact, PixelFacts};

pub use layout::MANIFEST;

/// One file of the output directory: an artifact placed by [`layout`], or the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Its path inside the output directory, `/`-separated (`pixel/pages/home.html`).
    pub path: String,
    /// What it is, for the manifest.
    pub kind: &'static str,
    /// Its content.
    pub bytes: Vec<u8>,
}

/// Places `artifacts` in the output directory's [`layout`], in the same order.
#[must_use]
pub fn place(artifacts: Vec<Artifact>) -> Vec<OutputFile> {
    artifacts
        .into_iter()
        .map(|a| OutputFile {
            path: layout::path(&a.id),
            kind: layout::kind(&a.id),
            bytes: a.bytes,
        })
        .collect()
}

/// A write failure.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {source}", path.display())]
pub struct DistError {
    /// The file or directory that could not be written.
    pub path: PathBuf,
    /// The I/O error.
    pub source: std::io::Error,
    /// Some artifacts had already been renamed into place when this happened (a rename
    /// failed that the checks before renaming could not foresee), so the output directory
    /// mixes both builds. Otherwise its previous contents are unchanged.
    pub partial: bool,
}

#[derive(Serialize)]
struct Manifest<'a> {
    /// Version of this document's shape.
    version: u32,
    generator: String,
    env: &'a str,
    artifacts: Vec<Entry<'a>>,
    /// Absent when the configuration has no pages (no pixel artifacts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pixel: Option<PixelEntry<'a>>,
}

#[derive(Serialize)]
struct Entry<'a> {
    path: &'a str,
    kind: &'a str,
    bytes: usize,
    sha256: String,
}

#[derive(Serialize)]
struct PixelEntry<'a> {
    /// The `integrity` attribute of `pixel/tagc.js`.
    integrity: &'a str,
    /// Content-Security-Policy sources the pixel needs.
    csp: Csp<'a>,
}

#[derive(Serialize)]
struct Csp<'a> {
    #[serde(rename = "script-src")]
    script_src: Vec<&'a str>,
    #[serde(rename = "img-src")]
    img_src: Vec<&'a str>,
    #[serde(rename = "connect-src")]
    connect_src: Vec<&'a str>,
}

/// The lowercase hex SHA-256 of `bytes`.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The manifest listing `artifacts` with their sizes and hashes.
#[must_use]
pub fn manifest(env: &str, artifacts: &[OutputFile], pixel: Option<&PixelFacts>) -> OutputFile {
    let mut sorted: Vec<&OutputFile> = artifacts.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let m = Manifest {
        version: 1,
        generator: format!("tagc {}", env!("CARGO_PKG_VERSION")),
        env,
        // Hashed on every core: a large site's artifacts are a hundred megabytes.
        artifacts: crate::par::map(&sorted, |_, a| Entry {
            path: &a.path,
            kind: a.kind,
            bytes: a.bytes.len(),
            sha256: sha256_hex(&a.bytes),
        }),
        pixel: pixel.map(|pixel| PixelEntry {
            integrity: &pixel.integrity,
            csp: Csp {
                script_src: vec![
                    "https://connect.facebook.net",
                    &pixel.loader_csp_hash,
                    &pixel.script_csp_source,
                ],
                img_src: vec!["https://www.facebook.com"],
                connect_src: vec!["https://www.facebook.com"],
            },
        }),
    };
    let mut bytes = serde_json::to_vec_pretty(&m).unwrap_or_default();
    bytes.push(b'\n');
    OutputFile {
        path: MANIFEST.into(),
        kind: layout::MANIFEST_KIND,
        bytes,
    }
}

/// Writes `artifacts` (the manifest among them, written last) into `out`.
///
/// # Errors
/// When a directory or file cannot be created or written; the previous contents of `out`
/// are then unchanged.
pub fn write(out: &Path, artifacts: &[OutputFile]) -> Result<(), DistError> {
    let err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| DistError {
            path,
            source,
            partial: false,
        }
    };
    fs::create_dir_all(out).map_err(err(out))?;
    let previous = previous_paths(out);

    // Manifest last, so a reader never sees a manifest describing files not yet there.
    let mut ordered: Vec<&OutputFile> = artifacts.iter().filter(|a| a.path != MANIFEST).collect();
    ordered.extend(artifacts.iter().filter(|a| a.path == MANIFEST));

    let cleanup = |temps: &[(PathBuf, PathBuf)]| {
        for (tmp, _) in temps {
            let _ = fs::remove_file(tmp);
        }
    };
    // Directories first, once each; then every changed artifact goes to its temporary file,
    // spread over the cores (for a large site, creating thousands of files is most of the
    // time a build spends writing).
    let mut made: std::collections::HashSet<&Path> = std::collections::HashSet::new();
    for a in &ordered {
        if let Some(dir) = Path::new(&a.path).parent()
            && made.insert(dir)
        {
            // The error names the artifact that needed the directory.
            fs::create_dir_all(out.join(dir)).map_err(err(&out.join(&a.path)))?;
        }
    }
    let written = crate::par::map(
        &ordered,
        |_, a| -> Option<Result<(PathBuf, PathBuf), DistError>> {
            let dest = out.join(&a.path);
            // Unchanged artifacts are left as they are (same bytes, same mtime), which keeps
            // rebuilds of large sites cheap and deploy tools' diffs small.
            if same_content(&dest, &a.bytes) {
                return None;
            }
            let tmp = dest.with_file_name(format!(
                ".{}.tagc-tmp",
                dest.file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or("artifact")
            ));
            let result = fs::File::create(&tmp).and_then(|mut f| f.write_all(&a.bytes));
            Some(match result {
                Ok(()) => Ok((tmp, dest)),
                Err(e) => {
                    let _ = fs::remove_file(&tmp);
                    Err(err(&dest)(e))
                }
            })
        },
    );
    let mut temps: Vec<(PathBuf, PathBuf)> = Vec::with_capacity(written.len());
    let mut failed = None;
    for w in written.into_iter().flatten() {
        match w {
            Ok(t) => temps.push(t),
            Err(e) => {
                failed.get_or_insert(e);
            }
        }
    }
    if let Some(e) = failed {
        cleanup(&temps);
        return Err(e);
    }
    // A directory where a file goes would fail its rename after others had succeeded:
    // refuse before the first one.
    if let Some((_, dest)) = temps
        .iter()
        .find(|(_, dest)| fs::symlink_metadata(dest).is_ok_and(|m| m.is_dir()))
    {
        cleanup(&temps);
        return Err(err(dest)(std::io::Error::other(
            "a directory is where this file goes",
        )));
    }
    for (i, (tmp, dest)) in temps.iter().enumerate() {
        if let Err(e) = fs::rename(tmp, dest) {
            cleanup(temps.get(i..).unwrap_or_default());
            let mut e = err(dest)(e);
            e.partial = i > 0;
            return Err(e);
        }
    }
    let current: std::collections::HashSet<&str> =
        artifacts.iter().map(|a| a.path.as_str()).collect();
    for stale in previous {
        if !current.contains(stale.as_str()) && is_plain_relative(&stale) {
            let _ = fs::remove_file(out.join(&stale));
        }
    }
    Ok(())
}

/// Whether the file at `path` holds exactly `bytes`, read through a small buffer (a large
/// site's artifacts are a hundred megabytes; reading each into memory to compare it costs
/// more than the comparison).
fn same_content(path: &Path, bytes: &[u8]) -> bool {
    use std::io::Read as _;
    // Only a regular file of the same length is opened (a FIFO would block the open).
    if !fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64) {
        return false;
    }
    let Ok(mut f) = fs::File::open(path) else {
        return false;
    };
    let mut buf = [0u8; 64 * 1024];
    let mut rest = bytes;
    loop {
        match f.read(&mut buf) {
            Ok(0) => return rest.is_empty(),
            Ok(n) => {
                let Some((head, tail)) = rest.split_at_checked(n) else {
                    return false;
                };
                if head != &buf[..n] {
                    return false;
                }
                rest = tail;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

/// Paths listed by the manifest already in `out`, if any.
fn previous_paths(out: &Path) -> Vec<String> {
    let Ok(text) = fs::read(out.join(MANIFEST)) else {
        return Vec::new();
    };
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    v["artifacts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["path"].as_str().map(str::to_owned))
        .collect()
}

/// Only remove what tagc could have written: relative paths without `..`.
fn is_plain_relative(p: &str) -> bool {
    !p.is_empty()
        && !p.starts_with('/')
        && !p.contains('\\')
        && p.split('/').all(|s| !s.is_empty() && s != "." && s != "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn art(path: &str, text: &str) -> OutputFile {
        OutputFile {
            path: path.into(),
            kind: "test",
            bytes: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn sha256_of_empty() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn same_content_compares_every_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        fs::write(&path, &big).unwrap();
        assert!(same_content(&path, &big));
        let mut last = big.clone();
        *last.last_mut().unwrap() ^= 1;
        assert!(
            !same_content(&path, &last),
            "a difference past the first buffer"
        );
        assert!(!same_content(&path, &big[..199_999]), "shorter");
        let mut longer = big.clone();
        longer.push(0);
        assert!(!same_content(&path, &longer), "longer");
        assert!(!same_content(&dir.path().join("missing"), b""));
        fs::write(&path, b"").unwrap();
        assert!(same_content(&path, b""));
    }

    #[test]
    fn writes_and_removes_stale_files() {
        let dir = tempfile::tempdir().unwrap();
        let facts = PixelFacts::default();
        let first = vec![art("a/x.html", "1"), art("b.js", "2")];
        let mut all = first.clone();
        all.push(manifest("production", &first, Some(&facts)));
        write(dir.path(), &all).unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("a/x.html")).unwrap(),
            "1"
        );
        fs::write(dir.path().join("user.txt"), "mine").unwrap();

        let second = vec![art("b.js", "3")];
        let mut all = second.clone();
        all.push(manifest("production", &second, Some(&facts)));
        write(dir.path(), &all).unwrap();
        assert!(
            !dir.path().join("a/x.html").exists(),
            "stale artifact removed"
        );
        assert_eq!(fs::read_to_string(dir.path().join("b.js")).unwrap(), "3");
        assert_eq!(
            fs::read_to_string(dir.path().join("user.txt")).unwrap(),
            "mine"
        );
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(!names.iter().any(|n| n.contains("tagc-tmp")), "{names:?}");
    }

    #[test]
    fn a_failed_write_leaves_the_previous_output() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &[art("keep.js", "old")]).unwrap();
        // `keep.js/inner` cannot be created: `keep.js` is a file.
        let e = write(dir.path(), &[art("new.js", "x"), art("keep.js/inner", "y")]).unwrap_err();
        assert!(e.to_string().contains("inner"), "{e}");
        assert_eq!(
            fs::read_to_string(dir.path().join("keep.js")).unwrap(),
            "old"
        );
        assert!(
            !dir.path().join("new.js").exists(),
            "nothing renamed into place"
        );
        assert!(
            !dir.path().join(".new.js.tagc-tmp").exists(),
            "temp removed"
        );
    }

    #[test]
    fn a_file_that_cannot_be_written_among_many_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        // Enough artifacts for the writes to be spread over threads; the temporary file of
        // one of them cannot be created because a directory has its name.
        let mut arts: Vec<OutputFile> = (0..300)
            .map(|i| art(&format!("pages/p{i:03}.html"), "x"))
            .collect();
        arts.push(art(MANIFEST, "{}"));
        fs::create_dir_all(dir.path().join("pages/.p150.html.tagc-tmp")).unwrap();
        let e = write(dir.path(), &arts).unwrap_err();
        assert!(e.to_string().contains("p150.html"), "{e}");
        let left: Vec<String> = fs::read_dir(dir.path().join("pages"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != ".p150.html.tagc-tmp")
            .collect();
        assert!(left.is_empty(), "{left:?}");
        assert!(!dir.path().join(MANIFEST).exists());
    }

    #[test]
    fn a_directory_in_the_way_fails_before_anything_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &[art("a.js", "old a"), art("b.js", "old b")]).unwrap();
        fs::remove_file(dir.path().join("b.js")).unwrap();
        fs::create_dir(dir.path().join("b.js")).unwrap();
        let e = write(dir.path(), &[art("a.js", "new a"), art("b.js", "new b")]).unwrap_err();
        assert!(e.to_string().contains("b.js"), "{e}");
        assert!(!e.partial);
        assert_eq!(
            fs::read_to_string(dir.path().join("a.js")).unwrap(),
            "old a",
            "nothing was renamed into place"
        );
        assert!(!dir.path().join(".a.js.tagc-tmp").exists(), "temp removed");
    }

    #[test]
    fn stale_paths_never_escape() {
        assert!(is_plain_relative("pixel/pages/a.html"));
        for bad in ["../x", "/etc/passwd", "a/../../b", "", "a//b", "a\\b"] {
            assert!(!is_plain_relative(bad), "{bad}");
        }
    }
}
