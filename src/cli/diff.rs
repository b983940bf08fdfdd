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

/// `--base REV CONFIG` where REV has no CONFIG: the change adds the whole configuration.
/// The head is still checked (its errors fail as usual); the report says there is nothing
/// to compare, rather than failing the pull request that introduces tagc.
fn new_configuration(a: &DiffArgs, head: &Spec, path: &str, rev: &str, color: bool) -> ExitStatus {
    let side = match Side::load(head, Limits::default()) {
        Ok(s) => s,
        Err(e) => {
            err(&format!("error: {}: {e}\n", head.label()));
            return ExitStatus::Error;
        }
    };
    let d = &side.checked.diagnostics;
    if d.has_errors() {
        report(
            d,
            side.sources(),
            diag_render::Format::Human,
            color,
            false,
            Channel::Stderr,
        );
        err(&format!(
            "error: `{}` has errors; nothing was compared\n",
            side.label
        ));
        return ExitStatus::Failure;
    }
    let what = format!(
        "`{path}` does not exist at `{rev}`: the whole configuration is new, so there is nothing to compare"
    );
    let text = match a.format {
        Format::Markdown => format!(
            "### tagc diff: a new configuration\n\n{}\n",
            crate::escape::markdown::table_cell(&what)
        ),
        Format::Human => format!("tagc diff: {what}\n"),
        // Machine formats stay empty: no change can be listed against nothing.
        Format::Json | Format::Github => {
            err(&format!("note: {what}\n"));
            String::new()
        }
    };
    if out(&text) {
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
        // `--base REV` on a change that adds the configuration: nothing to compare with.
        Err((_, crate::diff::SideError::Missing { path, rev })) if a.base.is_some() => {
            return new_configuration(a, &head, &path, &rev, color);
        }
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
