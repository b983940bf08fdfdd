//! The `tagc` command line: parses arguments, calls the library, renders the results and
//! chooses the exit code (0 ok, 1 the configuration has errors, 2 usage or I/O error).

mod args;
mod diff;
mod init;
mod pick;
mod scan;
mod send;
mod verify;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

pub use args::{Args, Color, Command};

use crate::diagnostic::{Code, explain, render};
use crate::load::Limits;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything is fine.
    Success,
    /// The configuration (or a check) failed.
    Failure,
    /// Usage or I/O error.
    Error,
    /// Stopped by a signal: 128 + its number (130 SIGINT, 143 SIGTERM).
    Signal(u8),
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> Self {
        match s {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Failure => ExitCode::from(1),
            ExitStatus::Error => ExitCode::from(2),
            ExitStatus::Signal(code) => ExitCode::from(code),
        }
    }
}

/// Parses the process arguments and runs the command.
#[must_use]
pub fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitStatus::Error.into(),
            };
        }
    };
    run(&args).into()
}

/// Writes to stdout; a closed pipe (`tagc … | head`) is not an error.
fn out(text: &str) -> bool {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => true,
        Err(e) => e.kind() == std::io::ErrorKind::BrokenPipe,
    }
}

fn err(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

fn use_color(choice: Color) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stderr().is_terminal()
        }
    }
}

/// Runs one command and returns how it ended.
#[must_use]
pub fn run(args: &Args) -> ExitStatus {
    match &args.command {
        Command::Init(a) => init::init(a),
        Command::Check(c) => check(c, use_color(args.color)),
        Command::Build(b) => build(b, use_color(args.color)),
        Command::Snippet(s) => snippet(s, use_color(args.color)),
        Command::Hash(h) => send::hash(h),
        Command::Send(a) => send::send_cmd(a),
        Command::Verify(a) => verify::verify(a, use_color(args.color)),
        Command::Diff(a) => diff::diff(a, use_color(args.color)),
        Command::Scan(a) => scan::scan(a, use_color(args.color)),
        Command::Pick(a) => pick::pick(a, use_color(args.color)),
        Command::Schema { kind } => {
            let text = match kind {
                args::SchemaKind::Config => crate::schema::schema_text(),
                args::SchemaKind::Mapping => crate::mapping::schema_text(),
                args::SchemaKind::Plan => crate::verify::plan::schema_text(),
                args::SchemaKind::Diff => crate::diff::schema_text(),
                args::SchemaKind::Scan => crate::scan::report::schema_text(),
            };
            if out(&text) {
                ExitStatus::Success
            } else {
                ExitStatus::Error
            }
        }
        Command::Explain { code, list } => explain_cmd(code.as_deref(), *list),
    }
}

fn explain_cmd(code: Option<&str>, list: bool) -> ExitStatus {
    if list || code.is_none() {
        let mut s = String::new();
        for c in Code::ALL {
            s.push_str(&format!(
                "{}  {:<8} {:<36} {}\n",
                c.id(),
                c.default_severity().as_str(),
                c.name(),
                c.summary()
            ));
        }
        return if out(&s) {
            ExitStatus::Success
        } else {
            ExitStatus::Error
        };
    }
    let code = code.unwrap_or_default();
    match Code::parse(code) {
        Some(c) => {
            if out(&explain::explanation(c)) {
                ExitStatus::Success
            } else {
                ExitStatus::Error
            }
        }
        None => {
            err(&format!(
                "error: `{code}` is not a tagc diagnostic code\n  = help: `tagc explain --list` lists every code\n"
            ));
            ExitStatus::Error
        }
    }
}

fn check(c: &args::CheckArgs, color: bool) -> ExitStatus {
    let limits = Limits::default();
    let checked = match crate::check::check_each(&c.configs, limits) {
        Ok(x) => x,
        Err(e) => {
            err(&format!("error: {e}\n"));
            return ExitStatus::Error;
        }
    };
    let mut diags = checked.diagnostics;
    if c.deny_warnings {
        diags.deny_warnings();
    }
    if !report(
        &diags,
        &checked.sources,
        c.format,
        color,
        true,
        Channel::Stdout,
    ) {
        return ExitStatus::Error;
    }
    let status = if diags.has_errors() {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    };
    // Freeing a large configuration's model takes longer than the OS reclaiming it at exit.
    std::mem::forget(checked.configs);
    status
}

/// Where machine-readable diagnostics go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Channel {
    /// stdout (`check`, `build`).
    Stdout,
    /// stderr, because stdout carries an artifact (`snippet`, `build --emit ir`).
    Stderr,
}

/// Renders diagnostics; `summary` adds the "N errors, M warnings" line in human format
/// even when there are none. Returns false when stdout is gone.
fn report(
    diags: &crate::diagnostic::Diagnostics,
    sources: &crate::source::SourceMap,
    format: render::Format,
    color: bool,
    summary: bool,
    channel: Channel,
) -> bool {
    let text = format
        .emitter(color, summary)
        .render(&render::DiagnosticReport::new(diags, sources));
    // Human text is for people: always stderr.
    match (format, channel) {
        (render::Format::Human, _) | (_, Channel::Stderr) => {
            err(&text);
            true
        }
        (_, Channel::Stdout) => out(&text),
    }
}

/// Checks the configuration and resolves it for `--env`; `Err` carries the exit status
/// after reporting why.
fn checked_site(
    config: &std::path::Path,
    g: &args::GenArgs,
    color: bool,
    channel: Channel,
) -> Result<(crate::resolve::Site, crate::source::SourceMap), ExitStatus> {
    let mut checked = crate::build::check(config, Limits::default()).map_err(|e| {
        err(&format!("error: {e}\n"));
        ExitStatus::Error
    })?;
    if g.deny_warnings {
        checked.diagnostics.deny_warnings();
    }
    let diags = &checked.diagnostics;
    // Human output stays quiet for a clean configuration; machine formats always print.
    let quiet = g.format == render::Format::Human && diags.as_slice().is_empty();
    if !quiet && !report(diags, &checked.sources, g.format, color, false, channel) {
        return Err(ExitStatus::Error);
    }
    if diags.has_errors() {
        err("error: nothing generated: the configuration has errors\n");
        return Err(ExitStatus::Failure);
    }
    // Consumed: the typed pages are dropped as they are resolved.
    let (site, sources, _) =
        crate::build::resolve_checked(checked, &g.env).map_err(|e| match e {
            crate::build::BuildError::Empty => ExitStatus::Error,
            e => {
                err(&format!("error: {e}\n"));
                match e {
                    crate::build::BuildError::Resolve(crate::resolve::ResolveError::Invalid) => {
                        ExitStatus::Failure
                    }
                    _ => ExitStatus::Error,
                }
            }
        })?;
    Ok((site, sources))
}

fn build(b: &args::BuildArgs, color: bool) -> ExitStatus {
    let channel = if b.emit == args::Emit::Ir {
        Channel::Stderr
    } else {
        Channel::Stdout
    };
    let (site, sources) = match checked_site(&b.config, &b.gen_args, color, channel) {
        Ok(s) => s,
        Err(status) => return status,
    };
    if b.emit == args::Emit::Ir {
        let text = match serde_json::to_string_pretty(&site) {
            Ok(t) => t + "\n",
            Err(e) => {
                err(&format!("error: {e}\n"));
                return ExitStatus::Error;
            }
        };
        return if out(&text) {
            ExitStatus::Success
        } else {
            ExitStatus::Error
        };
    }
    let opts = crate::emit::PixelOptions {
        nonce: b.gen_args.nonce.clone(),
        script_url: b.script_url.clone(),
    };
    // Each artifact is written as it is made: a large site's artifacts never are all in
    // memory at once.
    let written = match crate::build::emit_to(&b.out, &site, &sources, &opts) {
        Ok(n) => n,
        Err(crate::build::BuildError::Write(e)) => {
            let note = if e.partial {
                "some artifacts had already been replaced: fix the problem and build again"
            } else {
                "the previous contents are unchanged"
            };
            err(&format!(
                "error: {e}\n  = note: {}: {note}\n",
                b.out.display()
            ));
            return ExitStatus::Error;
        }
        Err(e) => {
            err(&format!("error: {e}\n"));
            return ExitStatus::Error;
        }
    };
    err(&format!(
        "wrote {} artifacts for `{}` to {}\n",
        written,
        site.env,
        b.out.display()
    ));
    ExitStatus::Success
}

fn snippet(s: &args::SnippetArgs, color: bool) -> ExitStatus {
    let (site, _) = match checked_site(&s.config, &s.gen_args, color, Channel::Stderr) {
        Ok(s) => s,
        Err(status) => return status,
    };
    let opts = crate::emit::PixelOptions {
        nonce: s.gen_args.nonce.clone(),
        script_url: String::new(),
    };
    match crate::build::snippet(&site, &s.page, &opts) {
        Ok(text) if out(&text) => ExitStatus::Success,
        Ok(_) => ExitStatus::Error,
        Err(e) => {
            err(&format!("error: {e}\n"));
            ExitStatus::Error
        }
    }
}
