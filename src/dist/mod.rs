//! Stage 5 — write: artifacts and their manifest into the output directory, atomically.
//!
//! [`layout`] defines where each artifact goes; [`place`] turns the in-memory
//! [`Artifact`]s into [`OutputFile`]s by it, [`manifest`] lists them, and [`write()`] writes
//! them. [`Staging`] does the same one file at a time, as each is made (what `tagc build`
//! does, so that a large site's artifacts are never all in memory): it keeps only each
//! file's size and hash for the manifest, and a file can be written through a buffer
//! ([`Staging::put_with`]) rather than put whole.
//!
//! Every file is first written in full to a temporary file beside its destination; only
//! when all of them are written are they renamed into place (the manifest last). A build
//! that fails while writing removes its temporary files and leaves the previous output as
//! it was. Files that the previous manifest listed and this build no longer produces (a
//! deleted page) are removed; anything else in the directory is left alone. An artifact
//! whose file already has the same bytes is not rewritten.

use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

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
    bytes: u64,
    sha256: &'a str,
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
    hex(&Sha256::digest(bytes))
}

/// `bytes` in lowercase hex.
fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The manifest listing `artifacts` with their sizes and hashes.
#[must_use]
pub fn manifest(env: &str, artifacts: &[OutputFile], pixel: Option<&PixelFacts>) -> OutputFile {
    // Hashed on every core: a large site's artifacts are a hundred megabytes.
    let listed = crate::par::map(artifacts, |_, a| Listed {
        path: a.path.clone(),
        kind: a.kind,
        bytes: a.bytes.len() as u64,
        sha256: sha256_hex(&a.bytes),
    });
    manifest_of(env, listed.iter().collect(), pixel)
}

/// What the manifest says of one file.
#[derive(Debug, Clone)]
struct Listed {
    path: String,
    kind: &'static str,
    bytes: u64,
    sha256: String,
}

/// The manifest listing `files` (in any order: it lists them by path).
fn manifest_of(env: &str, mut files: Vec<&Listed>, pixel: Option<&PixelFacts>) -> OutputFile {
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let m = Manifest {
        version: 1,
        generator: format!("tagc {}", env!("CARGO_PKG_VERSION")),
        env,
        artifacts: files
            .iter()
            .map(|a| Entry {
                path: &a.path,
                kind: a.kind,
                bytes: a.bytes,
                sha256: &a.sha256,
            })
            .collect(),
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
/// are then unchanged (unless [`DistError::partial`] says otherwise).
pub fn write(out: &Path, artifacts: &[OutputFile]) -> Result<(), DistError> {
    let staging = Staging::new(out)?;
    // Spread over the cores: for a large site, creating thousands of files is most of the
    // time a build spends writing. The first failure in artifact order is reported.
    let results = crate::par::map(artifacts, |_, a| {
        staging.put(a.path.clone(), a.kind, &a.bytes)
    });
    results.into_iter().collect::<Result<Vec<()>, _>>()?;
    staging.commit().map(|_| ())
}

/// An output directory being written, one file at a time, from any number of threads:
/// each file goes to a temporary file beside its destination as it is [`put`](Self::put)
/// (or not at all when the destination already has its bytes), its size and hash are
/// noted for the [`manifest`](Self::manifest), and [`commit`](Self::commit) renames them
/// all into place, the manifest last. Nothing needs to stay in memory but those notes.
///
/// Dropped without a commit (a failure on the way), it removes its temporary files and
/// leaves the directory as it was.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    /// The paths the previous manifest listed.
    previous: Vec<String>,
    /// The directories already created.
    dirs: Mutex<HashSet<PathBuf>>,
    /// Every file put so far.
    files: Mutex<Vec<Staged>>,
}

/// A file put into a [`Staging`].
#[derive(Debug)]
struct Staged {
    listed: Listed,
    /// Its temporary file, until it is renamed into place; `None` when the destination
    /// already holds these bytes.
    temp: Option<PathBuf>,
}

impl Staging {
    /// Starts writing into `out`, creating it if needed.
    ///
    /// # Errors
    /// When `out` cannot be created.
    pub fn new(out: &Path) -> Result<Staging, DistError> {
        fs::create_dir_all(out).map_err(io_err(out))?;
        Ok(Staging {
            out: out.to_path_buf(),
            previous: previous_paths(out),
            dirs: Mutex::default(),
            files: Mutex::default(),
        })
    }

    /// The destination of `path` (inside the output directory), with its directory
    /// created.
    fn dest(&self, path: &str) -> Result<PathBuf, DistError> {
        let dest = self.out.join(path);
        if let Some(dir) = Path::new(path).parent() {
            let mut made = self
                .dirs
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if !made.contains(dir) {
                // The error names the artifact that needed the directory.
                fs::create_dir_all(self.out.join(dir)).map_err(io_err(&dest))?;
                made.insert(dir.to_path_buf());
            }
        }
        Ok(dest)
    }

    fn note(&self, staged: Staged) {
        self.files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(staged);
    }

    /// Puts the file `path` (inside the output directory, `/`-separated) of kind `kind`
    /// with content `bytes`. Unchanged files are left as they are (same bytes, same
    /// mtime), which keeps rebuilds of large sites cheap and deploy tools' diffs small.
    ///
    /// # Errors
    /// When its directory or temporary file cannot be created or written.
    pub fn put(&self, path: String, kind: &'static str, bytes: &[u8]) -> Result<(), DistError> {
        let dest = self.dest(&path)?;
        let listed = Listed {
            path,
            kind,
            bytes: bytes.len() as u64,
            sha256: sha256_hex(bytes),
        };
        if same_content(&dest, bytes) {
            self.note(Staged { listed, temp: None });
            return Ok(());
        }
        let tmp = temp_path(&dest);
        let result = fs::File::create(&tmp).and_then(|mut f| f.write_all(bytes));
        if let Err(e) = result {
            let _ = fs::remove_file(&tmp);
            return Err(io_err(&dest)(e));
        }
        self.note(Staged {
            listed,
            temp: Some(tmp),
        });
        Ok(())
    }

    /// Puts the file `path` of kind `kind`, whose content `write` writes (through a
    /// buffer), so that it never has to be in memory whole. As with [`put`](Self::put),
    /// an unchanged file is left as it was.
    ///
    /// # Errors
    /// When its directory or temporary file cannot be created or written, or `write`
    /// fails.
    pub fn put_with(
        &self,
        path: String,
        kind: &'static str,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<(), DistError> {
        let dest = self.dest(&path)?;
        let tmp = temp_path(&dest);
        let result = fs::File::create(&tmp).and_then(|f| {
            let mut w = Hashing {
                inner: std::io::BufWriter::with_capacity(256 * 1024, f),
                hash: Sha256::new(),
                bytes: 0,
            };
            write(&mut w)?;
            w.inner.flush()?;
            Ok((w.bytes, w.hash.finalize()))
        });
        let (bytes, hash) = match result {
            Ok(r) => r,
            Err(e) => {
                let _ = fs::remove_file(&tmp);
                return Err(io_err(&dest)(e));
            }
        };
        let listed = Listed {
            path,
            kind,
            bytes,
            sha256: hex(&hash),
        };
        let temp = if same_file_content(&dest, &tmp, bytes) {
            let _ = fs::remove_file(&tmp);
            None
        } else {
            Some(tmp)
        };
        self.note(Staged { listed, temp });
        Ok(())
    }

    /// How many files have been put.
    #[must_use]
    pub fn len(&self) -> usize {
        self.files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len()
    }

    /// Whether no file has been put.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The manifest listing every file put so far (by path), with its size and hash.
    #[must_use]
    pub fn manifest(&self, env: &str, pixel: Option<&PixelFacts>) -> OutputFile {
        let files = self
            .files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        manifest_of(env, files.iter().map(|f| &f.listed).collect(), pixel)
    }

    /// Renames every changed file into place, by path, the manifest (if it was put) last,
    /// then removes the files the previous manifest listed that were not put this time (a
    /// deleted page); anything else in the directory is left alone. Returns how many files
    /// were put.
    ///
    /// # Errors
    /// When a rename fails; see [`DistError::partial`].
    pub fn commit(mut self) -> Result<usize, DistError> {
        let files = self
            .files
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Manifest last, so a reader never sees a manifest describing files not yet there.
        files.sort_by(|a, b| {
            (a.listed.path == MANIFEST, &a.listed.path)
                .cmp(&(b.listed.path == MANIFEST, &b.listed.path))
        });
        let out = &self.out;
        // A directory where a file goes would fail its rename after others had succeeded:
        // refuse before the first one.
        if let Some(f) = files.iter().find(|f| {
            f.temp.is_some()
                && fs::symlink_metadata(out.join(&f.listed.path)).is_ok_and(|m| m.is_dir())
        }) {
            return Err(io_err(&out.join(&f.listed.path))(std::io::Error::other(
                "a directory is where this file goes",
            )));
        }
        let mut renamed = false;
        for f in files.iter_mut() {
            let Some(tmp) = f.temp.take() else { continue };
            let dest = out.join(&f.listed.path);
            if let Err(e) = fs::rename(&tmp, &dest) {
                // Put back, for the drop to remove.
                f.temp = Some(tmp);
                let mut e = io_err(&dest)(e);
                e.partial = renamed;
                return Err(e);
            }
            renamed = true;
        }
        let current: HashSet<&str> = files.iter().map(|f| f.listed.path.as_str()).collect();
        for stale in &self.previous {
            if !current.contains(stale.as_str()) && is_plain_relative(stale) {
                let _ = fs::remove_file(out.join(stale));
            }
        }
        Ok(files.len())
    }
}

impl Drop for Staging {
    /// Removes the temporary files not renamed into place.
    fn drop(&mut self) {
        let files = self
            .files
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for f in files.iter_mut() {
            if let Some(tmp) = f.temp.take() {
                let _ = fs::remove_file(tmp);
            }
        }
    }
}

/// A writer that hashes and counts what goes through it.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        let done = buf.get(..n).unwrap_or_default();
        self.hash.update(done);
        self.bytes += done.len() as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The temporary file `dest` is written to before it is renamed into place.
fn temp_path(dest: &Path) -> PathBuf {
    dest.with_file_name(format!(
        ".{}.tagc-tmp",
        dest.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("artifact")
    ))
}

/// A [`DistError`] about `path`, nothing replaced yet.
fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> DistError {
    let path = path.to_path_buf();
    move |source| DistError {
        path,
        source,
        partial: false,
    }
}

/// Whether the file at `path` holds exactly `bytes`, read through a small buffer (a large
/// site's artifacts are a hundred megabytes; reading each into memory to compare it costs
/// more than the comparison).
fn same_content(path: &Path, bytes: &[u8]) -> bool {
    let Some(mut f) = open_if_len(path, bytes.len() as u64) else {
        return false;
    };
    let mut rest = bytes;
    let ok = each_chunk(&mut f, |chunk| {
        let Some((head, tail)) = rest.split_at_checked(chunk.len()) else {
            return false;
        };
        rest = tail;
        head == chunk
    });
    ok && rest.is_empty()
}

/// Whether the file at `path` holds exactly what the file `written` (of `len` bytes)
/// holds, both read through small buffers.
fn same_file_content(path: &Path, written: &Path, len: u64) -> bool {
    use std::io::Read as _;
    let Some(mut old) = open_if_len(path, len) else {
        return false;
    };
    let Ok(new) = fs::File::open(written) else {
        return false;
    };
    let mut new = std::io::BufReader::with_capacity(64 * 1024, new);
    let mut buf = vec![0u8; 64 * 1024];
    let mut left = len;
    let ok = each_chunk(&mut old, |chunk| {
        let Some(mine) = buf.get_mut(..chunk.len()) else {
            return false;
        };
        left = left.saturating_sub(chunk.len() as u64);
        new.read_exact(mine).is_ok() && mine == chunk
    });
    ok && left == 0
}

/// The regular file at `path`, opened only when it has `len` bytes (a FIFO would block the
/// open).
fn open_if_len(path: &Path, len: u64) -> Option<fs::File> {
    if !fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == len) {
        return None;
    }
    fs::File::open(path).ok()
}

/// Reads `f` to its end in chunks of 64 KiB, while `each` says they match; false on a
/// mismatch or a read error.
fn each_chunk(f: &mut fs::File, mut each: impl FnMut(&[u8]) -> bool) -> bool {
    use std::io::Read as _;
    let mut buf = [0u8; 64 * 1024];
    loop {
        match f.read(&mut buf) {
            Ok(0) => return true,
            Ok(n) => {
                if !each(buf.get(..n).unwrap_or_default()) {
                    return false;
                }
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

    /// A file written through [`Staging::put_with`] is listed, hashed and placed as the
    /// same bytes put whole would be; unchanged, it is not replaced (same mtime), and no
    /// temporary file is left either way.
    #[test]
    fn a_streamed_file_is_hashed_and_left_alone_when_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let big: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let stream = |staging: &Staging, bytes: &[u8]| {
            staging
                .put_with("v/plan.json".into(), "verify-plan", |w| {
                    for chunk in bytes.chunks(7_000) {
                        w.write_all(chunk)?;
                    }
                    Ok(())
                })
                .unwrap();
        };
        let staging = Staging::new(dir.path()).unwrap();
        stream(&staging, &big);
        staging.put("a.js".into(), "test", b"a").unwrap();
        let streamed = staging.manifest("production", None);
        let whole = manifest(
            "production",
            &[
                OutputFile {
                    path: "v/plan.json".into(),
                    kind: "verify-plan",
                    bytes: big.clone(),
                },
                art("a.js", "a"),
            ],
            None,
        );
        assert_eq!(streamed, whole);
        staging
            .put(streamed.path, streamed.kind, &streamed.bytes)
            .unwrap();
        assert_eq!(staging.commit().unwrap(), 3);
        let plan = dir.path().join("v/plan.json");
        assert_eq!(fs::read(&plan).unwrap(), big);
        let mtime = fs::metadata(&plan).unwrap().modified().unwrap();

        std::thread::sleep(std::time::Duration::from_millis(20));
        let staging = Staging::new(dir.path()).unwrap();
        stream(&staging, &big);
        staging.commit().unwrap();
        assert_eq!(fs::metadata(&plan).unwrap().modified().unwrap(), mtime);
        let mut changed = big.clone();
        *changed.last_mut().unwrap() ^= 1;
        let staging = Staging::new(dir.path()).unwrap();
        stream(&staging, &changed);
        staging.commit().unwrap();
        assert_eq!(fs::read(&plan).unwrap(), changed);
        let names: Vec<_> = fs::read_dir(dir.path().join("v"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, ["plan.json"]);
    }

    /// A staging dropped without a commit (a later failure) removes its temporary files,
    /// streamed or not, and replaces nothing.
    #[test]
    fn an_uncommitted_staging_leaves_the_previous_output() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &[art("a.js", "old")]).unwrap();
        let staging = Staging::new(dir.path()).unwrap();
        staging.put("a.js".into(), "test", b"new").unwrap();
        staging
            .put_with("b/c.json".into(), "test", |w| w.write_all(b"{}"))
            .unwrap();
        let e = staging
            .put_with("b/d.json".into(), "test", |w| {
                w.write_all(b"{")?;
                Err(std::io::Error::other("boom"))
            })
            .unwrap_err();
        assert!(e.to_string().contains("d.json"), "{e}");
        assert!(!e.partial);
        drop(staging);
        assert_eq!(fs::read_to_string(dir.path().join("a.js")).unwrap(), "old");
        assert!(!dir.path().join("b/c.json").exists());
        let left: Vec<_> = fs::read_dir(dir.path().join("b"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(left.is_empty(), "{left:?}");
        assert!(!dir.path().join(".a.js.tagc-tmp").exists());
    }

    #[test]
    fn stale_paths_never_escape() {
        assert!(is_plain_relative("pixel/pages/a.html"));
        for bad in ["../x", "/etc/passwd", "a/../../b", "", "a//b", "a\\b"] {
            assert!(!is_plain_relative(bad), "{bad}");
        }
    }
}
