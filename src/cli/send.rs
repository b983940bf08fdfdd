//! `tagc send` and `tagc hash`: the command-line side of the Conversions API.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::time::{Duration, Instant};

use serde_json::json;

use super::args::{HashArgs, InputFormat, SendArgs};
use super::{ExitStatus, err, out};
use crate::mapping::Mapping;
use crate::normalize::{self, Field};
use crate::send::{
    self, Observer, RecordFormat, Records, RetryPolicy, SendOptions, Summary, Token,
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
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the token file {}: {e}", path.display()))?,
        None => match std::env::var(TOKEN_ENV) {
            Ok(t) if !t.trim().is_empty() => t,
            _ => return Ok(None),
        },
    };
    Token::new(&raw).map(Some).map_err(str::to_owned)
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
                "error: {} is not a tagc mapping: {e}\n  = help: it is written by `tagc build` as dist/capi/mapping.json\n",
                a.mapping.display()
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
    let mut failed_file = match &a.failed {
        Some(path) => match File::create(path) {
            Ok(f) => Some(BufWriter::new(f)),
            Err(e) => {
                err(&format!("error: cannot write {}: {e}\n", path.display()));
                return ExitStatus::Error;
            }
        },
        None => None,
    };
    let mut stdout = BufWriter::with_capacity(1 << 16, std::io::stdout());
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
    };
    let mut progress = Progress {
        tty: std::io::stderr().is_terminal() && !a.dry_run,
        started: Instant::now(),
        drawn: false,
    };
    let result = send::send(
        &mapper,
        Records::new(reader, format),
        &options,
        token.as_ref(),
        send::Outputs {
            failed: failed_file.as_mut().map(|f| f as &mut (dyn Write + Send)),
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
            err(&format!("error: {e}\n"));
            return ExitStatus::Error;
        }
    };
    if let Err(e) = flushed
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        err(&format!("error: cannot write the dry-run output: {e}\n"));
        return ExitStatus::Error;
    }
    let redact = |s: &str| token.as_ref().map_or_else(|| s.to_owned(), |t| t.redact(s));
    err(&redact(&render_summary(&summary, a, &options)));
    if let Some(e) = &summary.input_error {
        err(&format!("error: {e}\n"));
    }
    if summary.aborted.is_some()
        || summary.input_error.is_some()
        || (summary.unreachable && summary.accepted == 0)
    {
        ExitStatus::Error
    } else if summary.failed > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}

fn render_summary(s: &Summary, a: &SendArgs, o: &SendOptions) -> String {
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
    if a.dry_run {
        t.push_str(&format!(
            "dry run: {} records → {} request bodies for {} pixel(s); nothing was sent\n",
            s.records,
            s.dry_run_bodies,
            o.pixels.len()
        ));
    } else {
        t.push_str(&format!(
            "{} records: {} events sent in {} requests, {} accepted, {} failed ({} invalid before sending), {} retries\n",
            s.records, s.sent, s.requests, s.accepted, s.failed, s.invalid, s.retries
        ));
    }
    let warned: u64 = s.warnings.values().sum();
    if warned > 0 {
        match &a.warnings {
            Some(p) => t.push_str(&format!(
                "note: each of the {warned} warnings is in {}, with its record's line\n",
                p.display()
            )),
            None => t.push_str(
                "note: pass --warnings FILE to list each warning with its record's line\n",
            ),
        }
    }
    if s.failed > 0 {
        match &a.failed {
            Some(p) => t.push_str(&format!(
                "note: the {} events that were not accepted are in {}; fix them and send that file again (event_id deduplicates anything Meta already has)\n",
                s.failed,
                p.display()
            )),
            None => t.push_str("note: pass --failed FILE to keep the events that were not accepted\n"),
        }
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
