//! `tagc diff`: parse the sides, load them, compare, render, judge `--fail-on`.

use crate::diagnostic::render as diag_render;
use crate::diff::render::Format;
use crate::diff::{Allow, Kind, Severity, Side, Spec};
use crate::load::Limits;

use super::args::{DiffArgs, FailOn};
use super::{Channel, ExitStatus, err, out, report};

fn list_kinds() -> ExitStatus {
    let mut s = String::new();
    for k in Kind::ALL {
        s.push_str(&format!("{:<36} {}\n", k.as_str(), k.severity().as_str()));
    }
    if out(&s) {
        ExitStatus::Success
    } else {
        ExitStatus::Error
    }
}

/// Runs `tagc diff`.
pub(super) fn diff(a: &DiffArgs, color: bool) -> ExitStatus {
    if a.list_kinds {
        return list_kinds();
    }
    let (base, head) = match (&a.base, a.configs.as_slice()) {
        (Some(rev), [config]) => (
            Spec::at_revision(rev, std::path::Path::new(config)),
            Spec::parse(config),
        ),
        (None, [b, h]) => (Spec::parse(b), Spec::parse(h)),
        (Some(_), _) => {
            err(
                "error: with `--base REV`, give one configuration: the working-tree file to compare with REV\n",
            );
            return ExitStatus::Error;
        }
        (None, _) => {
            err(
                "error: give two configurations (BASE HEAD), or `--base REV CONFIG`\n  = help: `tagc diff --base origin/main tagc.yaml` compares tagc.yaml with its version on origin/main\n",
            );
            return ExitStatus::Error;
        }
    };
    let mut allows = Vec::new();
    for rule in &a.allows {
        match rule.parse::<Allow>() {
            Ok(r) => allows.push(r),
            Err(e) => {
                err(&format!("error: {e}\n"));
                return ExitStatus::Error;
            }
        }
    }
    let sides = match Side::load_pair(&base, &head, Limits::default()) {
        Ok((b, h)) => [b, h],
        Err((spec, e)) => {
            err(&format!("error: {}: {e}\n", spec.label()));
            return ExitStatus::Error;
        }
    };
    // An invalid side is reported with its diagnostics; nothing is compared.
    let mut invalid = false;
    for s in &sides {
        let d = &s.checked.diagnostics;
        if d.has_errors() {
            invalid = true;
            let f = if a.format == Format::Github {
                diag_render::Format::Github
            } else {
                diag_render::Format::Human
            };
            let channel = if f == diag_render::Format::Github {
                Channel::Stdout
            } else {
                Channel::Stderr
            };
            if !report(d, s.sources(), f, color, false, channel) {
                return ExitStatus::Error;
            }
            err(&format!(
                "error: `{}` has errors; nothing was compared\n",
                s.label
            ));
        }
    }
    if invalid {
        return ExitStatus::Failure;
    }
    let mut report = match crate::diff::diff(&sides[0], &sides[1], &a.envs, &allows) {
        Ok(r) => r,
        // A malformed `acknowledge:` entry is a problem of the configuration.
        Err(e @ crate::diff::DiffError::Acknowledgement { .. }) => {
            err(&format!("error: {e}\n"));
            return ExitStatus::Failure;
        }
        Err(e) => {
            err(&format!("error: {e}\n"));
            return ExitStatus::Error;
        }
    };
    let level = match a.fail_on {
        FailOn::Breaking => Some(Severity::Breaking),
        FailOn::Notable => Some(Severity::Notable),
        FailOn::Never => None,
    };
    report.fail_on = level;
    let text = a.format.emitter(color).render(&report);
    if !out(&text) {
        return ExitStatus::Error;
    }
    match level {
        Some(l) if report.failing(l).next().is_some() => ExitStatus::Failure,
        _ => ExitStatus::Success,
    }
}
