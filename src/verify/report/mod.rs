//! Renderers of a verification [`Report`]: human (a table), JSON, JUnit XML and GitHub
//! Actions annotations. (Interface only; the renderers are being written.)

use super::Report;

/// The human table, for a terminal (`color` adds ANSI colours).
#[must_use]
pub fn human(_report: &Report, _color: bool) -> String {
    String::new()
}

/// One JSON document.
#[must_use]
pub fn json(_report: &Report) -> String {
    String::new()
}

/// JUnit XML (one test suite per check kind).
#[must_use]
pub fn junit(_report: &Report) -> String {
    String::new()
}

/// GitHub Actions annotations (`::error file=…,line=…::…`).
#[must_use]
pub fn github(_report: &Report) -> String {
    String::new()
}
