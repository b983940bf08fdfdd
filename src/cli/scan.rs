//! `tagc scan`: scans a page and renders what it found.

use std::time::Duration;

use super::args::{GenArgs, ScanArgs, ScanFailOn, ScanFormat};
use super::{Channel, ExitStatus, checked_site, err, out};
use crate::browser::{BrowserError, LaunchOptions};
use crate::scan::{self, ScanError, ScanOptions, render};

pub(super) fn scan(a: &ScanArgs, color: bool) -> ExitStatus {
    if !(a.timeout.is_finite() && a.timeout > 0.0) {
        err("error: --timeout must be a positive number of seconds\n");
        return ExitStatus::Error;
    }
    let timeout = Duration::from_secs_f64(a.timeout.min(3600.0));
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
        launch: LaunchOptions {
            binary: a.browser.clone(),
            timeout,
            ..LaunchOptions::default()
        },
        settle: Duration::from_millis(a.settle_ms.min(600_000)),
        timeout,
        ignore: a.ignore.clone(),
        env: a.config.as_ref().map(|_| a.env.clone()),
        ..ScanOptions::default()
    };
    let report = match scan::run(&a.url, &opts, site.as_ref()) {
        Ok(r) => r,
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
        ScanFormat::Human => render::human(&report),
        ScanFormat::Yaml => render::yaml(&report),
        ScanFormat::Json => match serde_json::to_string_pretty(&report) {
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
        match f {
            ScanFailOn::Untracked if report.summary.untracked_cta > 0 => {
                let names: Vec<String> = report
                    .elements
                    .iter()
                    .filter(|e| {
                        e.status == scan::report::Status::Untracked && e.visible && e.call_to_action
                    })
                    .map(|e| format!("`{}`", crate::escape::terminal::visible(&e.text)))
                    .collect();
                err(&format!(
                    "error: {} untracked call(s) to action: {}\n",
                    names.len(),
                    names.join(", ")
                ));
                failed = true;
            }
            ScanFailOn::Untracked => {}
        }
    }
    if failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}
