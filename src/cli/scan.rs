//! `tagc scan`: scans a page (or, with `--all`, every page of the configuration that has
//! an example path) and renders what it found.

use super::args::{GenArgs, ScanArgs, ScanFailOn, ScanFormat};
use super::{Channel, ExitStatus, checked_site, err, out};
use crate::browser::BrowserError;
use crate::escape::terminal::visible;
use crate::scan::keywords::Keywords;
use crate::scan::report::{ScanDocument, Status};
use crate::scan::{self, ScanError, ScanOptions, render};

pub(super) fn scan(a: &ScanArgs, color: bool) -> ExitStatus {
    let Some(timeout) = a.load.timeout() else {
        err("error: --timeout must be a positive number of seconds\n");
        return ExitStatus::Error;
    };
    let keywords = match &a.keywords {
        Some(path) => match read_keywords(path) {
            Ok(k) => k,
            Err(message) => {
                err(&format!("error: {message}\n"));
                return ExitStatus::Error;
            }
        },
        None => Keywords::defaults(),
    };
    // The configuration first: a configuration with errors costs no browser.
    let site = match &a.config {
        Some(config) => {
            let g = GenArgs {
                env: a.env.clone(),
                nonce: None,
                format: a.diagnostics_format,
                deny_warnings: false,
            };
            match checked_site(config, &g, color, Channel::Stderr) {
                Ok((site, _)) => Some(site),
                Err(status) => return status,
            }
        }
        None => None,
    };
    let opts = ScanOptions {
        ignore: a.ignore.clone(),
        env: a.config.as_ref().map(|_| a.env.clone()),
        keywords,
        scroll: !a.no_scroll,
        ..a.load.scan_options(timeout)
    };
    let scanned = match (&a.url, &site) {
        (Some(url), site) => scan::run(url, &opts, site.as_ref()).map(ScanDocument::single),
        (None, Some(site)) if a.all => match a.base_url.as_ref().or(site.url.as_ref()) {
            Some(base) => scan::run_all_paths(base, &opts, site, a.all_urls),
            None => Err(ScanError::NoBaseUrl),
        },
        // clap requires a URL or `--all`, and `--all` requires `--config`.
        (None, _) => {
            err("error: give a URL to scan, or --all with --config\n");
            return ExitStatus::Error;
        }
    };
    let doc = match scanned {
        Ok(d) => d,
        Err(e) => {
            let help = match &e {
                ScanError::Unreachable { .. } => {
                    "\n  = help: is the site up, and the URL right (scheme, host, port)?"
                }
                ScanError::Browser(BrowserError::NotFound { .. }) => {
                    "\n  = help: install Chromium, or pass --browser PATH (or set TAGC_CHROMIUM)"
                }
                _ => "",
            };
            err(&format!("error: {e}{help}\n"));
            return ExitStatus::Error;
        }
    };
    let text = match a.format {
        ScanFormat::Human => render::human_document(&doc),
        ScanFormat::Yaml => render::yaml_document(&doc),
        ScanFormat::Json => match serde_json::to_string_pretty(&doc) {
            Ok(t) => t + "\n",
            Err(e) => {
                err(&format!("error: {e}\n"));
                return ExitStatus::Error;
            }
        },
    };
    if !out(&text) {
        return ExitStatus::Error;
    }
    let mut failed = false;
    for f in &a.fail_on {
        if let Some(message) = fail_message(*f, &doc) {
            err(&format!("error: {message}\n"));
            failed = true;
        }
    }
    if !doc.errors.is_empty() {
        for e in &doc.errors {
            err(&format!(
                "error: could not scan page `{}`: {}\n",
                visible(&e.page),
                visible(&e.message)
            ));
        }
        return ExitStatus::Error;
    }
    if failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}

/// Reads and parses a `--keywords` file; the error names the file and the line.
pub(super) fn read_keywords(path: &std::path::Path) -> Result<Keywords, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read --keywords {}: {e}", path.display()))?;
    Keywords::parse(&text).map_err(|e| {
        let message = e.to_string();
        let prefix = format!("line {}: ", e.line());
        let rest = message.strip_prefix(&prefix).unwrap_or(&message);
        format!("{}:{}: {rest}", path.display(), e.line())
    })
}

/// The `--fail-on` condition's message when it holds on some page of `doc`.
fn fail_message(f: ScanFailOn, doc: &ScanDocument) -> Option<String> {
    let many = doc.pages.len() > 1;
    // `text` (on page `id`), for the messages.
    let name = |r: &scan::report::ScanReport, what: &str| {
        let page = r
            .example_of
            .as_ref()
            .or(r.config_page.as_ref().and_then(|c| c.id.as_ref()));
        match page {
            Some(p) if many => format!("`{}` (page `{}`)", visible(what), visible(p)),
            _ => format!("`{}`", visible(what)),
        }
    };
    let (names, what): (Vec<String>, &str) = match f {
        ScanFailOn::Untracked => (
            doc.pages
                .iter()
                .flat_map(|r| {
                    r.elements
                        .iter()
                        .filter(|e| e.status == Status::Untracked && e.visible && e.call_to_action)
                        .map(move |e| name(r, &e.text))
                })
                .collect(),
            "untracked call(s) to action",
        ),
        ScanFailOn::Ambiguous => (
            doc.pages
                .iter()
                .flat_map(|r| {
                    r.elements
                        .iter()
                        .filter(|e| e.status == Status::Ambiguous)
                        .map(move |e| {
                            let by: Vec<&str> =
                                e.tracked_by.iter().map(|t| t.button.as_str()).collect();
                            name(r, &format!("{} ({})", e.text, by.join(", ")))
                        })
                })
                .collect(),
            "ambiguous element(s), a configured button firing on several",
        ),
        ScanFailOn::Missing => (
            doc.pages
                .iter()
                .flat_map(|r| r.missing.iter().map(move |m| name(r, &m.button)))
                .collect(),
            "configured button(s) found on no element",
        ),
    };
    (!names.is_empty()).then(|| format!("{} {what}: {}", names.len(), names.join(", ")))
}
