//! `tagc pick`: serves the picker until Done or Ctrl-C.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::args::PickArgs;
use super::{Channel, ExitStatus, err, report};
use crate::browser::{BrowserError, MAX_SCREENSHOT_HEIGHT};
use crate::diagnostic::render::Format;
use crate::load::Limits;
use crate::scan::pick::{self, Notice, PickError, PickOptions};
use crate::scan::{ScanError, ScanOptions};

pub(super) fn pick(a: &PickArgs, color: bool) -> ExitStatus {
    let Some(timeout) = a.load.timeout() else {
        err("error: --timeout must be a positive number of seconds\n");
        return ExitStatus::Error;
    };
    let keywords = match &a.keywords {
        Some(path) => match super::scan::read_keywords(path) {
            Ok(k) => k,
            Err(message) => {
                err(&format!("error: {message}; the file was not changed\n"));
                return ExitStatus::Error;
            }
        },
        None => crate::scan::keywords::Keywords::defaults(),
    };
    // The configuration first, rendered as `tagc check` renders it: a configuration with
    // errors costs no browser, and is never edited.
    let checked = match crate::build::check(&a.config, Limits::default()) {
        Ok(c) => c,
        Err(e) => {
            err(&format!("error: {e}\n"));
            return ExitStatus::Error;
        }
    };
    if !checked.diagnostics.as_slice().is_empty()
        && !report(
            &checked.diagnostics,
            &checked.sources,
            Format::Human,
            color,
            false,
            Channel::Stderr,
        )
    {
        return ExitStatus::Error;
    }
    if checked.diagnostics.has_errors() {
        err(&format!(
            "error: {} has errors: fix them first (`tagc check`); the file was not changed\n",
            a.config.display()
        ));
        return ExitStatus::Error;
    }
    drop(checked);
    let stop = Arc::new(AtomicBool::new(false));
    if let Err(e) = watch_signals(&stop) {
        err(&format!(
            "warning: cannot watch for SIGINT/SIGTERM ({e}); stop the picker with its Done button\n"
        ));
    }
    let opts = PickOptions {
        scan: ScanOptions {
            env: Some(a.env.clone()),
            keywords,
            ..a.load.scan_options(timeout)
        },
        config: a.config.clone(),
        env: a.env.clone(),
        port: a.port,
        max_height: MAX_SCREENSHOT_HEIGHT,
    };
    let no_open = a.no_open;
    let mut notify = |n: Notice| match n {
        Notice::Ready {
            url,
            elements,
            page,
            truncated,
            settled,
        } => {
            let page = page.map_or_else(
                || "no page of the configuration matches it yet".to_owned(),
                |p| format!("page `{p}`"),
            );
            let cut = if truncated {
                " (screenshot cut at 16,000 px)"
            } else {
                ""
            };
            if !settled {
                err(&format!(
                    "note: the page was still busy (requests kept starting) after {} s; it was \
                     scanned as it was then (raise --timeout to wait longer)\n",
                    a.load.timeout
                ));
            }
            err(&format!(
                "scanned {}: {elements} elements, {page}{cut}\npicker: {url}\n\
                 Click an element, choose its event, save; Done (or Ctrl-C) stops.\n",
                crate::escape::terminal::visible(&a.url)
            ));
            if !no_open {
                open_browser(&url);
            }
        }
        Notice::Saved {
            file,
            line,
            inserted,
        } => {
            err(&format!("saved to {file}:{line}:\n{}", lines(&inserted)));
        }
        Notice::Refused { diagnostics } => {
            err(&format!(
                "not saved (the file is as it was):\n{}",
                lines(&diagnostics)
            ));
        }
    };
    match pick::run(&a.url, &opts, &stop, &mut notify) {
        Ok(()) => {
            err("picker stopped\n");
            ExitStatus::Success
        }
        Err(e) => {
            let help = match &e {
                PickError::Scan(ScanError::Unreachable { .. }) => {
                    "\n  = help: is the site up, and the URL right (scheme, host, port)?"
                }
                PickError::Scan(ScanError::Browser(BrowserError::NotFound { .. })) => {
                    "\n  = help: install Chromium, or pass --browser PATH (or set TAGC_CHROMIUM)"
                }
                PickError::Listen { .. } => {
                    "\n  = help: choose another --port, or 0 for any free one"
                }
                _ => "",
            };
            err(&format!(
                "error: {e}{help}\n  = note: {} was not changed\n",
                a.config.display()
            ));
            ExitStatus::Error
        }
    }
}

/// `text` for the terminal, line by line (control characters made visible), each line
/// ended.
fn lines(text: &str) -> String {
    text.lines()
        .map(|l| format!("{}\n", crate::escape::terminal::visible(l)))
        .collect()
}

/// SIGINT and SIGTERM stop the picker (its loop looks at `stop` five times a second).
fn watch_signals(stop: &Arc<AtomicBool>) -> std::io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
    let stop = Arc::clone(stop);
    std::thread::spawn(move || {
        if signals.forever().next().is_some() {
            stop.store(true, Ordering::SeqCst);
        }
    });
    Ok(())
}

/// Opens `url` in the user's browser when there is a display to show it on; a failure is
/// only a note (the address is printed anyway).
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        Some("open")
    } else if cfg!(windows) {
        None
    } else if std::env::var_os("DISPLAY").is_some_and(|v| !v.is_empty())
        || std::env::var_os("WAYLAND_DISPLAY").is_some_and(|v| !v.is_empty())
    {
        Some("xdg-open")
    } else {
        err("note: no display: open the address above in a browser\n");
        return;
    };
    let Some(opener) = opener else {
        err("note: open the address above in a browser\n");
        return;
    };
    let spawned = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match spawned {
        // Reaped in the background, so no zombie is left while the picker runs.
        Ok(mut child) => {
            std::thread::spawn(move || {
                let _ = child.wait();
            });
        }
        Err(e) => err(&format!(
            "note: cannot run `{opener}` ({e}): open the address above in a browser\n"
        )),
    }
}
