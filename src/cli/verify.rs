//! `tagc verify`: runs a verification plan and renders its report.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use super::args::{OnlyKind, ReportFormat, VerifyArgs};
use super::send::TOKEN_ENV;
use super::{ExitStatus, err, out};
use crate::browser::LaunchOptions;
use crate::render::{Emitter, GithubEmitter, HumanEmitter, JsonEmitter, JunitEmitter};
use crate::send::client::RetryPolicy;
use crate::verify::plan::Plan;
use crate::verify::run::{self, Progress, RunOptions};
use crate::verify::{CheckKind, CheckResult, Outcome, Report};

/// A one-line progress display on a terminal.
struct Line {
    tty: bool,
}

impl Progress for Line {
    fn check_done(&mut self, r: &CheckResult, done: usize, total: usize) {
        if self.tty {
            let mark = match r.outcome {
                Outcome::Passed => "✓",
                Outcome::Assumed => "?",
                Outcome::Failed => "✗",
                Outcome::Error => "!",
                Outcome::Skipped => "-",
            };
            let id: String = r.id.chars().take(60).collect();
            let _ = std::io::stderr()
                .lock()
                .write_all(format!("\r\x1b[2K[{done}/{total}] {mark} {id}").as_bytes());
        }
    }
}

fn seconds(s: f64, what: &str) -> Result<Duration, String> {
    if s.is_finite() && s > 0.0 {
        Ok(Duration::from_secs_f64(s.min(86_400.0)))
    } else {
        Err(format!("{what} must be a positive number of seconds"))
    }
}

/// What the plan has, when `--check` matches nothing: the count of each kind and the ids
/// closest to what was asked (a plan may have tens of thousands).
fn no_match_help(plan: &Plan, wanted: &[String]) -> String {
    let mut counts = std::collections::BTreeMap::new();
    for c in &plan.checks {
        *counts.entry(c.kind().as_str()).or_insert(0usize) += 1;
    }
    let counts: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let mut near: Vec<(usize, &str)> = plan
        .checks
        .iter()
        .map(|c| {
            let id = c.id();
            let d = wanted
                .iter()
                .map(|w| {
                    strsim::levenshtein(w, id.get(..w.len().min(id.len())).unwrap_or(id)) * 4
                        + strsim::levenshtein(w, id)
                })
                .min()
                .unwrap_or(usize::MAX);
            (d, id)
        })
        .collect();
    near.sort_unstable();
    let near: Vec<&str> = near.iter().take(5).map(|(_, id)| *id).collect();
    format!(
        "  = note: the plan has {} checks ({})\n  = help: ids like {}; a prefix such as `browser/PAGE` selects a page's checks\n",
        plan.checks.len(),
        counts.join(", "),
        near.join(", ")
    )
}

pub(super) fn verify(a: &VerifyArgs, color: bool) -> ExitStatus {
    let text = match std::fs::read_to_string(&a.plan) {
        Ok(t) => t,
        Err(e) => {
            err(&format!("error: cannot read {}: {e}\n", a.plan.display()));
            return ExitStatus::Error;
        }
    };
    let plan = match Plan::from_json(&text) {
        Ok(p) => p,
        Err(e) => {
            err(&format!(
                "error: {} is not a tagc verification plan: {e}\n  = help: it is written by `tagc build` as dist/{}\n",
                a.plan.display(),
                crate::dist::layout::VERIFY_PLAN
            ));
            return ExitStatus::Error;
        }
    };
    let token = match super::send::token_from(a.token_file.as_deref()) {
        Ok(t) => t,
        Err(e) => {
            err(&format!("error: {e}\n"));
            return ExitStatus::Error;
        }
    };
    if token.is_some() && a.test_event_code.is_none() {
        err(
            "error: a token is set but no --test-event-code: tagc verify only sends to Events Manager → Test Events\n  = help: pass --test-event-code CODE (Events Manager → your dataset → Test Events), or unset META_ACCESS_TOKEN to check offline\n",
        );
        return ExitStatus::Error;
    }
    if a.test_event_code.is_some() && token.is_none() {
        err(&format!(
            "error: --test-event-code needs an access token: set {TOKEN_ENV} or pass --token-file FILE\n"
        ));
        return ExitStatus::Error;
    }
    let (check_timeout, total_timeout) = match (
        seconds(a.timeout, "--timeout"),
        seconds(a.total_timeout, "--total-timeout"),
    ) {
        (Ok(c), Ok(t)) => (c, t),
        (Err(e), _) | (_, Err(e)) => {
            err(&format!("error: {e}\n"));
            return ExitStatus::Error;
        }
    };
    if !plan.checks.iter().any(|c| run::wanted(c.id(), &a.checks)) {
        err(&format!(
            "error: no check matches {}\n{}",
            a.checks.join(", "),
            no_match_help(&plan, &a.checks)
        ));
        return ExitStatus::Error;
    }
    if !(a.wait.is_finite() && (0.0..=3600.0).contains(&a.wait)) {
        err("error: --wait must be a number of seconds from 0 to 3600\n");
        return ExitStatus::Error;
    }
    let plan_dir = a.plan.parent().map_or_else(
        || std::path::PathBuf::from("."),
        std::path::Path::to_path_buf,
    );
    let opts = RunOptions {
        plan_dir,
        test_event_code: a.test_event_code.clone(),
        token: token.clone(),
        graph_url: a.graph_url.clone(),
        base_url: a.base_url.clone(),
        site_recorder: a.fbevents == super::args::Fbevents::Recorder,
        only: a.only.map(|o| match o {
            OnlyKind::Server => CheckKind::Server,
            OnlyKind::Browser => CheckKind::Browser,
            OnlyKind::Dedup => CheckKind::Dedup,
        }),
        checks: a.checks.clone(),
        shard: a.shard,
        jobs: a.jobs.map_or_else(run::default_jobs, usize::from),
        wait: Duration::from_secs_f64(a.wait),
        deny_warnings: a.deny_warnings,
        check_timeout,
        total_timeout,
        retry: RetryPolicy {
            max_retries: 3,
            base: Duration::from_millis(300),
            cap: Duration::from_secs(5),
        },
        now: a.now,
        launch: LaunchOptions {
            binary: a.browser.clone(),
            timeout: check_timeout,
            ..LaunchOptions::default()
        },
    };
    let tty = std::io::stderr().is_terminal() && a.format == ReportFormat::Human;
    let mut line = Line { tty };
    let result = run::run(&plan, &opts, &mut line);
    if tty {
        err("\r\x1b[2K");
    }
    let mut emitter: Box<dyn Emitter<Report>> = match a.format {
        ReportFormat::Human => Box::new(HumanEmitter::new(color)),
        ReportFormat::Json => Box::new(JsonEmitter),
        ReportFormat::Junit => Box::new(JunitEmitter),
        ReportFormat::Github => Box::new(GithubEmitter),
    };
    let text = emitter.render(&result);
    let text = match &token {
        Some(t) => t.redact(&text),
        None => text,
    };
    let ok = if a.format == ReportFormat::Human {
        err(&text);
        true
    } else {
        out(&text)
    };
    if !ok {
        return ExitStatus::Error;
    }
    let counts = result.counts();
    if counts.get(&Outcome::Error).copied().unwrap_or(0) > 0 {
        ExitStatus::Error
    } else if counts.get(&Outcome::Failed).copied().unwrap_or(0) > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}
