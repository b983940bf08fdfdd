//! `tagc send` and `tagc hash`: the command-line side of the Conversions API.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use super::args::{HashArgs, InputFormat, SendArgs};
use super::{ExitStatus, err, out};
use crate::mapping::Mapping;
use crate::normalize::{self, Field};
use crate::send::redact::MAX_TOKEN_FILE;
use crate::send::{
    self, FailedSink, Observer, RecordFormat, Records, RetryPolicy, SendOptions, Signal, Stop,
    Summary, Token,
};

/// The environment variable holding the access token.
pub(super) const TOKEN_ENV: &str = "META_ACCESS_TOKEN";

pub(super) fn hash(h: &HashArgs) -> ExitStatus {
    let id = normalize::ids::IdKey::from_key(&h.field);
    let field = Field::from_key(&h.field);
    if id.is_none() && field.is_none() {
        err(&format!(
            "error: `{}` is not a customer-data key\n  = help: use one of em, ph, fn, ln, db, ge, ct, st, zp, country, external_id (hashed) or client_ip_address, fbc, fbp (validated, never hashed)\n",
            h.field
        ));
        return ExitStatus::Error;
    }
    let year = normalize::current_year();
    let country = h.country.as_deref().map(str::to_ascii_lowercase);
    // As `tagc send` does: the record's own country decides a national phone's calling
    // code; `--phone-country-code` is the default for records without one.
    let phone_code = country
        .as_deref()
        .and_then(normalize::calling_code)
        .or(h.phone_country_code.as_deref());
    let cx = normalize::Context::new(phone_code, country.as_deref(), year);
    let mut failed = false;
    let mut line_for = |input: &str| -> String {
        let v = match (field, id) {
            (Some(f), _) => match normalize::normalize_and_hash(f, input, &cx) {
                Ok(n) => {
                    json!({"field": f.key(), "input": input, "normalized": n.normalized, "sha256": n.sha256})
                }
                Err(e) => {
                    failed = true;
                    json!({"field": f.key(), "input": input, "error": e.to_string()})
                }
            },
            (None, Some(k)) => match normalize::ids::validate_id(k, input) {
                Ok(v) => json!({"field": k.key(), "input": input, "normalized": v, "sha256": null}),
                Err(e) => {
                    failed = true;
                    json!({"field": k.key(), "input": input, "error": e.to_string()})
                }
            },
            (None, None) => json!({}),
        };
        let mut s = v.to_string();
        s.push('\n');
        s
    };
    if h.values.is_empty() {
        let stdin = std::io::stdin();
        let mut buf = String::new();
        let mut lock = stdin.lock();
        loop {
            buf.clear();
            match lock.read_line(&mut buf) {
                Ok(0) => break,
                Ok(_) => {
                    let v = buf.strip_suffix('\n').unwrap_or(&buf);
                    let v = v.strip_suffix('\r').unwrap_or(v);
                    if !out(&line_for(v)) {
                        return ExitStatus::Error;
                    }
                }
                Err(e) => {
                    err(&format!("error: cannot read stdin: {e}\n"));
                    return ExitStatus::Error;
                }
            }
        }
    } else {
        let mut s = String::new();
        for v in &h.values {
            s.push_str(&line_for(v));
        }
        if !out(&s) {
            return ExitStatus::Error;
        }
    }
    if failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}

/// Draws a one-line progress display on a terminal.
struct Progress {
    tty: bool,
    started: Instant,
    drawn: bool,
}

impl Observer for Progress {
    fn progress(&mut self, s: &Summary) {
        if !self.tty {
            return;
        }
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        let line = format!(
            "\r\x1b[2K{} records · {} sent · {} accepted · {} failed · {} retries · {:.0} events/s",
            s.records.max(s.sent),
            s.sent,
            s.accepted,
            s.failed,
            s.retries,
            s.accepted as f64 / secs
        );
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
        self.drawn = true;
    }
}

/// The access token from `--token-file`, else `META_ACCESS_TOKEN`; `None` when neither
/// is given. Never from the command line, where other users could read it.
pub(super) fn token_from(file: Option<&std::path::Path>) -> Result<Option<Token>, String> {
    let raw = match file {
        Some(path) => read_token_file(path)?,
        None => match std::env::var(TOKEN_ENV) {
            Ok(t) if !t.trim().is_empty() => t,
            _ => return Ok(None),
        },
    };
    Token::new(&raw).map(Some).map_err(|e| e.to_string())
}

/// A token file's text, read within [`MAX_TOKEN_FILE`] bytes (a token is a few hundred
/// characters; `/dev/zero` or a wrong file is refused, not read whole).
fn read_token_file(path: &std::path::Path) -> Result<String, String> {
    use std::io::Read as _;
    let cannot = |e: std::io::Error| format!("cannot read the token file {}: {e}", path.display());
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|f| f.take(MAX_TOKEN_FILE + 1).read_to_end(&mut bytes))
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_TOKEN_FILE {
        return Err(format!(
            "the token file {} is larger than {MAX_TOKEN_FILE} bytes: it does not hold just a token",
            path.display()
        ));
    }
    String::from_utf8(bytes).map_err(|_| {
        format!(
            "the token file {} is not text: it does not hold just a token",
            path.display()
        )
    })
}

fn read_token(a: &SendArgs) -> Result<Option<Token>, String> {
    if a.dry_run {
        return Ok(None);
    }
    token_from(a.token_file.as_deref())?.map(Some).ok_or_else(|| {
        format!(
            "no access token: set {TOKEN_ENV} or pass --token-file FILE (or use --dry-run to only build the requests)"
        )
    })
}

pub(super) fn send_cmd(a: &SendArgs) -> ExitStatus {
    let text = match std::fs::read_to_string(&a.mapping) {
        Ok(t) => t,
        Err(e) => {
            err(&format!(
                "error: cannot read {}: {e}\n",
                a.mapping.display()
            ));
            return ExitStatus::Error;
        }
    };
    let mapping = match Mapping::from_json(&text) {
        Ok(m) => m,
        Err(e) => {
            err(&format!(
                "error: {} is not a tagc mapping: {e}\n  = help: it is written by `tagc build` as dist/{}\n",
                a.mapping.display(),
                crate::dist::layout::CAPI_MAPPING
            ));
            return ExitStatus::Error;
        }
    };
    let mapper = match mapping.compile(&a.event) {
        Ok(m) => m,
        Err(e) => {
            err(&format!("error: {e}\n"));
            return ExitStatus::Error;
        }
    };
    let Some(event) = mapping.event(&a.event) else {
        return ExitStatus::Error;
    };
    let token = match read_token(a) {
        Ok(t) => t,
        Err(e) => {
            err(&format!("error: {e}\n"));
            return ExitStatus::Error;
        }
    };
    if !a.timeout.is_finite() || a.timeout <= 0.0 {
        err("error: --timeout must be a positive number of seconds\n");
        return ExitStatus::Error;
    }
    if !a.grace.is_finite() || a.grace < 0.0 {
        err("error: --grace must be a number of seconds, 0 or more\n");
        return ExitStatus::Error;
    }
    if a.test_event_code.is_some() && !a.dry_run {
        err(
            "warning: events sent with --test-event-code also count as real events: Meta does not drop test events from production data\n",
        );
    }
    let stdin_input = a.input.as_os_str() == "-";
    let format = match a.input_format {
        InputFormat::Ndjson => RecordFormat::Ndjson,
        InputFormat::Csv => RecordFormat::Csv,
        InputFormat::Auto
            if a.input
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv")) =>
        {
            RecordFormat::Csv
        }
        InputFormat::Auto => RecordFormat::Ndjson,
    };
    if stdin_input && std::io::stdin().is_terminal() {
        err(&format!(
            "reading {} records from stdin (end with Ctrl-D); to send a file, name it: tagc send … FILE\n",
            match format {
                RecordFormat::Ndjson => "NDJSON",
                RecordFormat::Csv => "CSV",
            }
        ));
    }
    let reader: Box<dyn BufRead> = if stdin_input {
        Box::new(BufReader::with_capacity(1 << 16, std::io::stdin()))
    } else {
        match File::open(&a.input) {
            Ok(f) => Box::new(BufReader::with_capacity(1 << 16, f)),
            Err(e) => {
                err(&format!("error: cannot read {}: {e}\n", a.input.display()));
                return ExitStatus::Error;
            }
        }
    };
    if let Some(failed) = &a.failed
        && !stdin_input
        && same_file(failed, &a.input)
    {
        err(&format!(
            "error: --failed {} is the input file; writing it would erase the records before they are read\n  = help: write the failures to another file, such as failed.ndjson\n",
            failed.display()
        ));
        return ExitStatus::Error;
    }
    if let Some(warnings) = &a.warnings
        && !stdin_input
        && same_file(warnings, &a.input)
    {
        err(&format!(
            "error: --warnings {} is the input file; writing it would erase the records before they are read\n  = help: write the warnings to another file, such as warnings.ndjson\n",
            warnings.display()
        ));
        return ExitStatus::Error;
    }
    if let (Some(w), Some(f)) = (&a.warnings, &a.failed)
        && (w == f || same_file(w, f))
    {
        err(&format!(
            "error: --warnings and --failed are the same file ({}); the failed file must hold only records to send again\n",
            w.display()
        ));
        return ExitStatus::Error;
    }
    let mut warnings_file = match &a.warnings {
        Some(path) => match File::create(path) {
            Ok(f) => Some(BufWriter::new(f)),
            Err(e) => {
                err(&format!("error: cannot write {}: {e}\n", path.display()));
                return ExitStatus::Error;
            }
        },
        None => None,
    };
    let failed_file: Option<Box<dyn FailedSink>> = match &a.failed {
        Some(path) => match File::create(path) {
            // Unbuffered: each failure is one write of one whole line, so what the file
            // holds after any stop is exactly what was recorded.
            Ok(f) => Some(Box::new(f)),
            Err(e) => {
                err(&format!("error: cannot write {}: {e}\n", path.display()));
                return ExitStatus::Error;
            }
        },
        None => None,
    };
    let mut stdout = BufWriter::with_capacity(1 << 16, std::io::stdout());
    let stop = Arc::new(Stop::new());
    let options = SendOptions {
        graph_url: a.graph_url.clone(),
        graph_version: mapping.graph_version.clone(),
        pixels: event.pixels.clone(),
        test_event_code: a.test_event_code.clone(),
        batch_size: usize::from(a.batch_size),
        concurrency: usize::from(a.concurrency),
        timeout: Duration::from_secs_f64(a.timeout.min(600.0)),
        retry: RetryPolicy {
            max_retries: a.retries,
            base: Duration::from_millis(a.retry_base_ms),
            ..RetryPolicy::default()
        },
        dry_run: a.dry_run,
        now: a.now,
        token: token.clone(),
        grace: Duration::from_secs_f64(a.grace.min(3600.0)),
        stop: Arc::clone(&stop),
    };
    let report = Report {
        dry_run: a.dry_run,
        pixels: options.pixels.len(),
        warnings: a.warnings.clone(),
        failed: a.failed.clone(),
        stdin: stdin_input,
        redactor: send::redact::Redactor::new(token.as_ref()),
    };
    if let Err(e) = watch_signals(&stop, report.clone(), options.grace) {
        err(&format!(
            "warning: cannot watch for SIGINT/SIGTERM ({e}); a stop loses the run's accounts\n"
        ));
    }
    let mut progress = Progress {
        tty: std::io::stderr().is_terminal() && !a.dry_run,
        started: Instant::now(),
        drawn: false,
    };
    let result = send::send(
        &mapper,
        Records::new(reader, format).skip(a.skip),
        &options,
        send::Outputs {
            failed: failed_file,
            warnings: warnings_file.as_mut().map(|f| f as &mut (dyn Write + Send)),
            dry_run: a.dry_run.then_some(&mut stdout as &mut (dyn Write + Send)),
        },
        &mut progress,
    );
    if progress.drawn {
        err("\r\x1b[2K");
    }
    let flushed = stdout.flush();
    let summary = match result {
        Ok(s) => s,
        Err(e) => {
            err(&report.redactor.redact(&format!("error: {e}\n")));
            return ExitStatus::Error;
        }
    };
    if let Err(e) = flushed
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        err(&format!("error: cannot write the dry-run output: {e}\n"));
        return ExitStatus::Error;
    }
    err(&report.render(&summary));
    exit_status(&summary, a.dry_run)
}

/// The exit code of a finished run (README, "Exit codes").
fn exit_status(s: &Summary, dry_run: bool) -> ExitStatus {
    if let Some(signal) = s.stopped {
        ExitStatus::Signal(signal.exit_code())
    } else if s.aborted.is_some()
        || s.input_error.is_some()
        || (!dry_run && s.unreachable && s.accepted == 0)
    {
        ExitStatus::Error
    } else if s.failed > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}

/// Turns SIGINT and SIGTERM into a graceful stop; a second one stops at once, after
/// making the failed file durable and printing what can be vouched for.
fn watch_signals(stop: &Arc<Stop>, report: Report, grace: Duration) -> std::io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
    let stop = Arc::clone(stop);
    std::thread::spawn(move || {
        for raw in signals.forever() {
            let signal = if raw == SIGINT {
                Signal::Interrupt
            } else {
                Signal::Terminate
            };
            if !stop.is_requested() {
                stop.request(signal);
                // A run that cannot finish in time (a read from a stalled pipe blocks
                // until a line comes) stops as on a second signal.
                let (stop, report) = (Arc::clone(&stop), report.clone());
                std::thread::spawn(move || {
                    std::thread::sleep(grace + WATCHDOG);
                    emergency_exit(
                        &stop,
                        &report,
                        signal,
                        "the run did not finish within its grace period",
                        false,
                    );
                });
                let clear = if std::io::stderr().is_terminal() {
                    "\r\x1b[2K"
                } else {
                    ""
                };
                err(&format!(
                    "{clear}{}: stopping: reading no more, waiting for the requests in flight (send it again to stop at once)\n",
                    signal.name()
                ));
                continue;
            }
            emergency_exit(&stop, &report, signal, "stopped at once", true);
        }
    });
    Ok(())
}

/// How long past the grace period a stopping run may take before it is stopped at once.
const WATCHDOG: Duration = Duration::from_secs(5);

/// Makes what the failed file holds durable, prints the counts and the resume point the
/// accounts can vouch for, and exits with the first signal's code. When the run has
/// already finished (it is printing its own summary), exits only if `always`.
fn emergency_exit(stop: &Stop, report: &Report, signal: Signal, why: &str, always: bool) {
    let first = stop.requested().map_or(signal, |r| r.0);
    let Some(e) = stop.emergency() else {
        if always {
            std::process::exit(i32::from(first.exit_code()));
        }
        return;
    };
    let mut s = e.summary;
    s.stopped = Some(first);
    err(&format!("{}: {why}\n", signal.name()));
    err(&report.render(&s));
    std::process::exit(i32::from(first.exit_code()));
}

/// What the summary needs to know about the command line.
#[derive(Clone)]
struct Report {
    dry_run: bool,
    pixels: usize,
    warnings: Option<std::path::PathBuf>,
    failed: Option<std::path::PathBuf>,
    stdin: bool,
    redactor: send::redact::Redactor,
}

impl Report {
    fn render(&self, s: &Summary) -> String {
        self.redactor.redact(&render_summary(s, self))
    }
}

fn render_summary(s: &Summary, r: &Report) -> String {
    let mut t = String::new();
    for (w, n) in &s.warnings {
        t.push_str(&format!("warning: {w} ({n}×)\n"));
    }
    for (why, n) in &s.failures {
        t.push_str(&format!("failed: {why} ({n}×)\n"));
    }
    if let Some(reason) = &s.aborted {
        t.push_str(&format!("error: stopped sending: {reason}\n"));
    }
    if let Some(e) = &s.input_error {
        t.push_str(&format!("error: {e}\n"));
    }
    if s.records == 0 && s.complete && s.input_error.is_none() {
        t.push_str("warning: the input holds no records: nothing was sent\n");
    }
    if r.dry_run {
        t.push_str(&format!(
            "dry run: {} records → {} request bodies for {} pixel(s); nothing was sent\n",
            s.records, s.dry_run_bodies, r.pixels
        ));
    } else {
        t.push_str(&format!(
            "{} records: {} events sent in {} requests, {} accepted, {} failed ({} invalid before sending), {} retries\n",
            s.records, s.sent, s.requests, s.accepted, s.failed, s.invalid, s.retries
        ));
    }
    if s.unrecorded > 0 {
        t.push_str(&format!(
            "error: {} failed events are unrecorded: the failed file could not be written, so they are neither accepted nor in it\n",
            s.unrecorded
        ));
    }
    let warned: u64 = s.warnings.values().sum();
    if warned > 0 {
        match &r.warnings {
            Some(p) => t.push_str(&format!(
                "note: each of the {warned} warnings is in {}, with its record's line\n",
                p.display()
            )),
            None => t.push_str(
                "note: pass --warnings FILE to list each warning with its record's line\n",
            ),
        }
    }
    let recorded = s.failed - s.unrecorded;
    if recorded > 0 {
        match &r.failed {
            Some(p) => t.push_str(&format!(
                "note: the {recorded} events that were not accepted are in {}; fix them and send that file again (event_id deduplicates anything Meta already has)\n",
                p.display()
            )),
            None => t.push_str("note: pass --failed FILE to keep the events that were not accepted\n"),
        }
    }
    if !s.complete {
        let kept = match (&r.failed, s.unrecorded) {
            (Some(p), 0) => format!("accepted or in {}", p.display()),
            (Some(_), _) => "accepted or in the failed file".to_owned(),
            (None, _) => "accepted or counted as failed above".to_owned(),
        };
        let why = match s.stopped {
            Some(signal) => format!("stopped by {}", signal.name()),
            None => "stopped early".to_owned(),
        };
        let lines = match s.resume_after {
            0 => "no input line is accounted for yet, so start from the beginning".to_owned(),
            n => format!("every record on input lines 1–{n} is {kept}"),
        };
        t.push_str(&format!(
            "note: {why}: {lines}; go on with `tagc send --skip {n} …`{upstream}\n",
            n = s.resume_after,
            upstream = if r.stdin {
                " (the input came from stdin: what was never read is still upstream)"
            } else {
                ""
            },
        ));
    }
    t
}

/// Whether two paths name the same existing file.
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}
