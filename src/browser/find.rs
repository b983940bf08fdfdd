//! Locating the Chromium binary.

use std::path::{Path, PathBuf};

use super::BrowserError;

/// The environment variable naming the Chromium (or Chrome) binary to use.
pub const ENV_VAR: &str = "TAGC_CHROMIUM";

/// The names looked up on `PATH`, in order.
pub const PATH_NAMES: [&str; 4] = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

/// The last resort when nothing else names a browser: Debian's `chromium` package.
pub const DEFAULT_PATH: &str = "/usr/bin/chromium";

/// The browser binary to start: `explicit` if given, else `$TAGC_CHROMIUM` if set and
/// not empty, else the first of [`PATH_NAMES`] found on `PATH`, else [`DEFAULT_PATH`].
///
/// An explicit or `TAGC_CHROMIUM` binary is returned as given (a bare name is looked up on
/// `PATH` when it is started); only the fallback is checked here, so that a machine
/// without any browser gets [`BrowserError::NotFound`] rather than a spawn error.
pub fn locate(explicit: Option<&Path>) -> Result<PathBuf, BrowserError> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os(ENV_VAR).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    if let Some(p) = on_path(&PATH_NAMES) {
        return Ok(p);
    }
    let fallback = Path::new(DEFAULT_PATH);
    if is_executable(fallback) {
        return Ok(fallback.to_path_buf());
    }
    Err(BrowserError::NotFound {
        tried: format!(
            "{ENV_VAR} (unset), {} on PATH, {DEFAULT_PATH}",
            PATH_NAMES.join(", ")
        ),
    })
}

/// The first of `names` (in that order of preference) found as an executable file in a
/// `PATH` directory.
fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    names
        .iter()
        .flat_map(|n| dirs.iter().map(move |d| d.join(n)))
        .find(|p| is_executable(p))
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    p.is_file()
}
