//! `tagc send` loses nothing (issue 16, contract in spec16.md): every input line is
//! accepted by Meta, written to the failed file, or named in a malformed-row note — after
//! a broken CSV quote, a stop by SIGTERM or SIGINT, a failed file that cannot be written —
//! and the failed file keeps each record's original bytes. Meta's answers are classified
//! as the contract's table says, and the access token never shows, however Meta echoes it.
//!
//! The fake Graph API (tests/support/graph.rs) plays Meta; each test has its own fake and
//! temporary directory.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

mod support;

use std::collections::BTreeSet;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::cli::{build_mapping, ndjson_lines, send_args_with_retry_base, tagc};
use support::contract::{
    SECRET, assert_no_secret, assert_says_dns_failure, event_refusals, graph_error, outages,
    permission_errors, says_not_valid,
};
use support::graph::{EXPIRED_TOKEN, FakeConfig, FakeGraph, Fault, FaultKind, TOKEN, TokenEcho};
use support::orders::{CSV_HEADER, NOW, csv_row, order, orders_file, shop_config, shop_fake};

/// The options of the runs that are stopped: batches of 100, two senders.
const TWO_SENDERS_OF_100: [&str; 4] = ["--batch-size", "100", "--concurrency", "2"];

/// The shop mapping built into a fresh temporary directory, where a test writes its input
/// and tagc its output and failed files.
struct Shop {
    dir: tempfile::TempDir,
    mapping: PathBuf,
}

impl Shop {
    fn new() -> Self {
        let (dir, mapping) = build_mapping("shop");
        Shop { dir, mapping }
    }

    /// A new shop with orders `1..=n` in `orders.ndjson`, order `i` on line `i`: (the
    /// shop, the input).
    fn with_orders(n: usize) -> (Self, PathBuf) {
        let shop = Shop::new();
        let input = orders_file(shop.dir.path(), n);
        (shop, input)
    }

    /// `name` in the shop's directory.
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `contents` written to `name` in the shop's directory.
    fn file(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    /// `orders.csv`: [`CSV_HEADER`], then `rows`, each line ended by `\n`.
    fn csv<S: AsRef<str>>(&self, rows: impl IntoIterator<Item = S>) -> PathBuf {
        let mut text = format!("{CSV_HEADER}\n");
        for row in rows {
            text.push_str(row.as_ref());
            text.push('\n');
        }
        self.file("orders.csv", text)
    }

    /// A `tagc send` of the shop's mapping to `url` (see [`SendRun`]).
    fn send(&self, url: &str) -> SendRun<'_> {
        SendRun {
            shop: self,
            url: url.to_owned(),
            token: Some(TOKEN.to_owned()),
            token_file: None,
            retry_base_ms: 5,
            extra: Vec::new(),
            failed: None,
        }
    }
}

/// `tagc send --event purchase` of the shop's mapping, as a test sets it up: the token
/// [`TOKEN`] in `META_ACCESS_TOKEN` unless told otherwise, `--graph-url`, `--now`, short
/// retry delays, the test's options, `--failed` when recording, then the input.
struct SendRun<'a> {
    shop: &'a Shop,
    url: String,
    token: Option<String>,
    token_file: Option<String>,
    retry_base_ms: u64,
    extra: Vec<String>,
    failed: Option<PathBuf>,
}

impl SendRun<'_> {
    /// `token` in `META_ACCESS_TOKEN`.
    fn token(mut self, token: &str) -> Self {
        self.token = Some(token.to_owned());
        self
    }

    /// The token from `--token-file FILE`, none in the environment.
    fn token_file(mut self, file: &str) -> Self {
        self.token = None;
        self.token_file = Some(file.to_owned());
        self
    }

    /// A first retry delay of `ms` (instead of 5 ms).
    fn retry_base_ms(mut self, ms: u64) -> Self {
        self.retry_base_ms = ms;
        self
    }

    /// More options.
    fn args(mut self, extra: &[&str]) -> Self {
        self.extra.extend(extra.iter().map(|s| (*s).to_owned()));
        self
    }

    /// `--failed` a new file in the shop's directory.
    fn recording(mut self) -> Self {
        static FILES: AtomicUsize = AtomicUsize::new(0);
        let n = FILES.fetch_add(1, Ordering::SeqCst);
        self.failed = Some(self.shop.path(&format!("failed-{n}.ndjson")));
        self
    }

    /// The command line after `tagc`, sending `input`.
    fn command_line(&self, input: &Path) -> Vec<String> {
        let mut a = send_args_with_retry_base(&self.shop.mapping, &self.url, self.retry_base_ms);
        if let Some(file) = &self.token_file {
            a.extend(["--token-file".to_owned(), file.clone()]);
        }
        a.extend(self.extra.iter().cloned());
        if let Some(failed) = &self.failed {
            a.extend(["--failed".to_owned(), failed.display().to_string()]);
        }
        a.push(input.display().to_string());
        a
    }

    /// The environment: the token, if it comes from there.
    fn env(&self) -> Vec<(&str, &str)> {
        self.token
            .iter()
            .map(|t| ("META_ACCESS_TOKEN", t.as_str()))
            .collect()
    }

    /// Runs it to the end.
    fn run(self, input: &Path) -> Sent {
        let mut c = tagc();
        c.envs(self.env());
        let o = c.args(self.command_line(input)).output().unwrap();
        Sent {
            code: o.status.code(),
            out: String::from_utf8_lossy(&o.stdout).into_owned(),
            err: String::from_utf8_lossy(&o.stderr).into_owned(),
            failed: self.failed,
        }
    }

    /// Starts it in the background.
    fn spawn(self, input: &Path) -> Running {
        let args = self.command_line(input);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut run = Running::start(self.shop.dir.path(), &args, &self.env(), None);
        run.failed.clone_from(&self.failed);
        run
    }

    /// Runs it under a 4 GiB address-space limit (a run that reads /dev/zero to the end
    /// fails instead of taking the machine's memory), for at most 10 s.
    fn run_bounded(self, input: &Path) -> Ended {
        let args = self.command_line(input);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let start = Instant::now();
        let mut run = Running::start(self.shop.dir.path(), &args, &self.env(), Some(4 << 20));
        run.end(start, Duration::from_secs(10), &format!("tagc {args:?}"))
    }
}

/// What a `tagc send` run that finished gave.
struct Sent {
    code: Option<i32>,
    out: String,
    err: String,
    failed: Option<PathBuf>,
}

impl Sent {
    /// Its failed file (the run was recording).
    fn failed_path(&self) -> &Path {
        self.failed.as_deref().expect("a recording run")
    }

    /// Its failed file's lines: see [`ndjson_lines`].
    fn failed_lines(&self) -> Vec<Value> {
        ndjson_lines(self.failed_path())
    }

    /// The `_tagc` note of the one line its failed file must hold.
    fn only_note(&self) -> Value {
        let mut lines = self.failed_lines();
        assert_eq!(lines.len(), 1, "one failed line: {lines:#?}");
        lines.remove(0)["_tagc"].take()
    }
}

/// The `_tagc.line` of every line of a failed file.
fn noted_lines(lines: &[Value]) -> BTreeSet<u64> {
    lines
        .iter()
        .map(|l| {
            l["_tagc"]["line"]
                .as_u64()
                .unwrap_or_else(|| panic!("no _tagc.line: {l}"))
        })
        .collect()
}

/// A CSV failure's `(line, row)` (a `_tagc` note): where it starts in the file and in the
/// sheet.
fn line_and_row(note: &Value) -> (u64, u64) {
    let number = |key: &str| {
        note[key]
            .as_u64()
            .unwrap_or_else(|| panic!("no {key}: {note}"))
    };
    (number("line"), number("row"))
}

/// The event ids the fake accepted, in the order it received them.
fn event_ids(graph: &FakeGraph) -> Vec<String> {
    graph
        .received()
        .iter()
        .filter_map(|e| e.event_id().map(str::to_owned))
        .collect()
}

/// The input lines (= order numbers) whose `ES-{i:06}` event ids the fake accepted.
fn received_lines(graph: &FakeGraph) -> BTreeSet<u64> {
    graph
        .received()
        .iter()
        .filter_map(|e| e.event_id()?.strip_prefix("ES-")?.parse().ok())
        .collect()
}

/// The `N` of the first `--skip N` in `text`.
fn skip_point(text: &str) -> Option<u64> {
    text.match_indices("--skip ").find_map(|(i, m)| {
        let digits: String = text[i + m.len()..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    })
}

/// The number written next to `word` in `text`: before it (`12 accepted`) or after it
/// (`accepted: 12`), at the first occurrence that has one.
fn count_near(text: &str, word: &str) -> Option<u64> {
    text.match_indices(word).find_map(|(i, _)| {
        let before = text[..i].trim_end();
        let digits: String = before
            .chars()
            .rev()
            .take_while(char::is_ascii_digit)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if !digits.is_empty() {
            return digits.parse().ok();
        }
        let after = text[i + word.len()..].trim_start_matches([':', ' ', '=']);
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    })
}

/// Standard base64 (with `=` padding) decoded; `None` if it is not.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let text = text.as_bytes();
    if !text.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::new();
    for chunk in text.chunks(4) {
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        let mut n = 0u32;
        for &c in chunk {
            let v = if c == b'=' {
                0
            } else {
                u32::try_from(ALPHABET.iter().position(|&a| a == c)?).ok()?
            };
            n = (n << 6) | v;
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..4 - pad]);
    }
    Some(out)
}

/// `tagc` started in the background from the crate root (no colour, no token from the
/// environment unless given), its stdout and stderr written to files.
struct Running {
    child: Child,
    stdout: PathBuf,
    stderr: PathBuf,
    /// Its failed file, if it has one.
    failed: Option<PathBuf>,
}

impl Running {
    /// Starts `tagc args…` with `env`, writing its output into `dir`. With `memory_limit`
    /// (KiB), runs it under `ulimit -v` so a runaway read fails instead of exhausting the
    /// machine's memory.
    fn start(dir: &Path, args: &[&str], env: &[(&str, &str)], memory_limit: Option<u64>) -> Self {
        static RUNS: AtomicUsize = AtomicUsize::new(0);
        let n = RUNS.fetch_add(1, Ordering::SeqCst);
        let stdout = dir.join(format!("stdout-{n}.txt"));
        let stderr = dir.join(format!("stderr-{n}.txt"));
        let bin = env!("CARGO_BIN_EXE_tagc");
        let mut c = match memory_limit {
            Some(kib) => {
                let mut c = Command::new("sh");
                c.arg("-c")
                    .arg(format!("ulimit -v {kib}; exec \"$0\" \"$@\""))
                    .arg(bin);
                c
            }
            None => Command::new(bin),
        };
        c.current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("NO_COLOR", "1")
            .env_remove("META_ACCESS_TOKEN")
            .args(args)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&stdout).unwrap())
            .stderr(std::fs::File::create(&stderr).unwrap());
        for (k, v) in env {
            c.env(k, v);
        }
        Running {
            child: c.spawn().unwrap(),
            stdout,
            stderr,
            failed: None,
        }
    }

    /// Sends `kill -{signal}` (`TERM`, `INT`) to the process.
    fn signal(&self, signal: &str) {
        let ok = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(ok.success(), "kill -{signal} failed");
    }

    /// Whether it has exited.
    fn exited(&mut self) -> bool {
        self.child.try_wait().unwrap().is_some()
    }

    /// Waits until it exits, at most `limit`; after that it is killed and `None` returned.
    fn wait_for(&mut self, limit: Duration) -> Option<ExitStatus> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            if start.elapsed() > limit {
                let _ = self.child.kill();
                let _ = self.child.wait();
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// What it printed on stdout and stderr so far.
    fn output(&self) -> (String, String) {
        (
            std::fs::read_to_string(&self.stdout).unwrap_or_default(),
            String::from_utf8_lossy(&std::fs::read(&self.stderr).unwrap_or_default()).into_owned(),
        )
    }

    /// Waits until `ready()` holds (at most 20 s), then checks that it is still running.
    fn once(&mut self, ready: impl Fn() -> bool) {
        let start = Instant::now();
        while !ready() && !self.exited() && start.elapsed() < Duration::from_secs(20) {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(
            !self.exited(),
            "finished before the signal: {:?}",
            self.output()
        );
    }

    /// Waits until it exits, at most `limit` (panics, naming it `what`, if it does not);
    /// `took` counts from `since`.
    fn end(&mut self, since: Instant, limit: Duration, what: &str) -> Ended {
        let status = self.wait_for(limit);
        let took = since.elapsed();
        let (_, err) = self.output();
        let status =
            status.unwrap_or_else(|| panic!("{what}: still running after {limit:?}: {err}"));
        Ended {
            status,
            took,
            err,
            failed: self.failed.as_deref().map(ndjson_lines).unwrap_or_default(),
        }
    }

    /// Sends `signals` (`TERM`, `INT`), 300 ms apart and none after it exited, and waits
    /// at most `limit` for it to exit; `took` counts from the first signal.
    fn stop(&mut self, signals: &[&str], limit: Duration) -> Ended {
        let first = Instant::now();
        for (i, signal) in signals.iter().enumerate() {
            if i > 0 {
                std::thread::sleep(Duration::from_millis(300));
                if self.exited() {
                    break;
                }
            }
            self.signal(signal);
        }
        self.end(first, limit, &format!("SIG{}", signals.join(", SIG")))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// How a background run ended.
struct Ended {
    status: ExitStatus,
    /// From the start, or from the first signal.
    took: Duration,
    /// What it printed on stderr.
    err: String,
    /// Its failed file's lines (none without one).
    failed: Vec<Value>,
}

impl Ended {
    /// The `N` of the `--skip N` it printed, which it must have.
    fn skip(&self) -> u64 {
        skip_point(&self.err).unwrap_or_else(|| panic!("no `--skip N`: {}", self.err))
    }
}

/// A fake that knows the shop's pixel and takes `latency` over every request.
fn slow_fake(latency: Duration) -> FakeGraph {
    shop_fake(vec![Fault::always(FaultKind::Latency(latency))])
}

/// Each line of a failed file of orders holds the order of its `_tagc.line` (order `i`
/// is on line `i`).
fn assert_lines_hold_their_orders(failed: &[Value]) {
    for l in failed {
        let line = l["_tagc"]["line"].as_u64().unwrap();
        assert_eq!(
            l["order"]["id"],
            format!("ES-{line:06}"),
            "the failed file's line {line} holds another record: {l}"
        );
    }
}

/// Each line of a failed file of orders holds the order of its line, and no order is
/// there twice: the lines' `_tagc.line`s.
fn assert_each_order_once(failed: &[Value]) -> BTreeSet<u64> {
    assert_lines_hold_their_orders(failed);
    let noted = noted_lines(failed);
    assert_eq!(
        noted.len(),
        failed.len(),
        "a record written twice: {failed:#?}"
    );
    noted
}

/// Whether a failed line says Meta refused its event with Graph `code`.
fn refused_with(line: &Value, code: u64) -> bool {
    line["_tagc"]["stage"] == "meta" && line["_tagc"]["code"] == code
}

/// Whether a failed line's reason says `text`.
fn reason_says(line: &Value, text: &str) -> bool {
    line["_tagc"]["reason"]
        .as_str()
        .is_some_and(|r| r.contains(text))
}

/// The guarantee after a stop: every line `<= skip` is accepted or in the failed file
/// (whose line for order `i` must hold order `i`).
fn assert_nothing_lost_up_to(skip: u64, graph: &FakeGraph, failed: &[Value]) {
    assert_lines_hold_their_orders(failed);
    assert_no_line_lost(
        &format!("up to --skip {skip}"),
        1..=skip,
        &received_lines(graph),
        &noted_lines(failed),
    );
}

/// Panics unless each of `lines` is `accepted` (by Meta) or `noted` (in the failed file);
/// `what` names the lines.
fn assert_no_line_lost(
    what: &str,
    lines: RangeInclusive<u64>,
    accepted: &BTreeSet<u64>,
    noted: &BTreeSet<u64>,
) {
    let lost: Vec<u64> = lines
        .filter(|l| !accepted.contains(l) && !noted.contains(l))
        .collect();
    assert!(
        lost.is_empty(),
        "{what}: {} lines neither accepted nor in the failed file, from line {:?}",
        lost.len(),
        lost.first()
    );
}

/// The helpers above read what they claim (a wrong helper would make the tests vacuous).
#[test]
fn the_test_helpers_read_summaries_base64_and_encodings() {
    assert_eq!(
        skip_point("stopped; resume with `tagc send --skip 1234 orders.ndjson`"),
        Some(1234)
    );
    assert_eq!(
        skip_point("error: unexpected argument '--skip' found"),
        None
    );
    assert_eq!(
        count_near("3 records: 2 accepted, 1 failed", "accepted"),
        Some(2)
    );
    assert_eq!(
        count_near("accepted: 7; unrecorded: 3", "unrecorded"),
        Some(3)
    );
    assert_eq!(
        base64_decode("/+7dzA=="),
        Some(vec![0xff, 0xee, 0xdd, 0xcc])
    );
    assert_eq!(base64_decode("YWJj"), Some(b"abc".to_vec()));
    assert_eq!(base64_decode("YWI="), Some(b"ab".to_vec()));
    assert_eq!(base64_decode("YW*="), None);
    assert_eq!(TokenEcho::Literal.encode("a|b"), "a|b");
    assert_eq!(TokenEcho::JsonEscaped.encode("a|b/c"), "a\\u007cb\\/c");
    assert_eq!(TokenEcho::UrlEncoded.encode("a|b c"), "a%7Cb%20c");
    assert_eq!(TokenEcho::FormEncoded.encode("a|b c"), "a%7Cb+c");
    assert_eq!(TokenEcho::All.encode("a|b"), "a|b a\\u007cb a%7Cb a%7Cb");
}

// ---------------------------------------------------------------------------------------
// 1. CSV: an unclosed quote loses no line; multi-line fields; lone CR line endings.

/// Contract, CSV: "a quoted field may span at most 64 physical lines … a row that runs
/// past that … is reported as malformed (stage `input`, `raw` = that first line's text)
/// and reading resumes at the next physical line. Every input line is sent, failed, or
/// named in a malformed-row note."
#[test]
fn an_unclosed_csv_quote_in_row_100_of_5000_loses_no_other_line() {
    let shop = Shop::new();
    let broken_row = "C-100,2026-11-20T18:42:13Z,12.50,EUR,buyer100@example.com,https://shop.example.com/t,8.8.8.8,\"Mozilla/5.0 (X11".to_owned();
    let input = shop.csv((1..=5000).map(|i| {
        if i == 100 {
            broken_row.clone()
        } else {
            csv_row(i)
        }
    }));
    let graph = shop_fake(vec![]);
    let sent = shop.send(&graph.url()).recording().run(&input);
    let err = &sent.err;
    assert_eq!(sent.code, Some(1), "{err}");

    let note = sent.only_note(); // the malformed-row note
    assert_eq!(note["stage"], "input", "{note}");
    assert_eq!(note["line"], 101, "row 100 is on line 101: {note}");
    assert_eq!(note["raw"], broken_row.as_str(), "{note}");

    // Every other line reached Meta: line l holds C-(l-1).
    let accepted: BTreeSet<u64> = event_ids(&graph)
        .iter()
        .filter_map(|id| id.strip_prefix("C-")?.parse::<u64>().ok())
        .map(|i| i + 1)
        .collect();
    assert_no_line_lost("the rows", 2..=5001, &accepted, &BTreeSet::from([101]));
    assert_eq!(graph.received_count(), 4999);
    assert_eq!(count_near(err, "accepted"), Some(4999), "{err}");
    // The one line not sent is counted as failed, or as a malformed row.
    let failed_count = count_near(err, "failed");
    let malformed_count = count_near(err, "malformed");
    assert!(
        failed_count == Some(1) || (failed_count == Some(0) && malformed_count == Some(1)),
        "the summary does not count the malformed row: {err}"
    );
}

/// Contract, CSV: "an unclosed quote at EOF is reported as malformed (stage `input`,
/// `raw` = that first line's text)".
#[test]
fn an_unclosed_csv_quote_at_the_end_of_the_file_is_a_malformed_row() {
    let shop = Shop::new();
    let last = "C-3,2026-11-20T18:42:13Z,12.50,EUR,c@example.com,https://shop.example.com/t,8.8.8.8,\"Mozilla/5.0";
    let input = shop.csv([csv_row(1), csv_row(2), last.to_owned()]);
    let graph = shop_fake(vec![]);
    let sent = shop.send(&graph.url()).recording().run(&input);
    assert_eq!(sent.code, Some(1), "{}", sent.err);
    assert_eq!(graph.received_count(), 2);
    let note = sent.only_note();
    assert_eq!(note["stage"], "input", "{note}");
    assert_eq!(note["line"], 4, "{note}");
    assert_eq!(note["raw"], last, "{note}");
}

/// Contract, CSV: a quoted field may legitimately span several physical lines (up to 64);
/// such a row is one record, and later line numbers count physical lines.
#[test]
fn a_quoted_csv_field_over_three_lines_is_one_record() {
    let shop = Shop::new();
    let input = shop.csv([
        csv_row(1),
        "C-2,2026-11-20T18:42:13Z,12.50,EUR,b@example.com,https://shop.example.com/t,8.8.8.8,\"Mozilla/5.0\n(X11,\nLinux)\"".to_owned(),
        "C-3,2026-11-01T10:00:00Z,12.50,EUR,c@example.com,https://shop.example.com/t,8.8.8.8,Mozilla/5.0".to_owned(),
        csv_row(4),
    ]);
    let graph = shop_fake(vec![]);
    let sent = shop.send(&graph.url()).recording().run(&input);
    assert_eq!(sent.code, Some(1), "C-3 is stale: {}", sent.err);
    assert_eq!(event_ids(&graph), ["C-1", "C-2", "C-4"]);
    assert_eq!(
        graph.received()[1].json["user_data"]["client_user_agent"],
        "Mozilla/5.0\n(X11,\nLinux)",
        "the field keeps its line breaks"
    );
    let note = sent.only_note();
    assert_eq!(
        line_and_row(&note),
        (6, 4),
        "C-3 starts on line 6, row 4: {note}"
    );
}

/// Contract: "Lone CR line endings (old Mac) are line endings (NDJSON and CSV)."
#[test]
fn lone_cr_line_endings_separate_ndjson_and_csv_records() {
    let shop = Shop::new();
    let ndjson = shop.file(
        "orders.ndjson",
        format!("{}\r{}\rnot json\r{}\r", order(1), order(2), order(4)),
    );
    let graph = shop_fake(vec![]);
    let sent = shop.send(&graph.url()).recording().run(&ndjson);
    assert_eq!(sent.code, Some(1), "{}", sent.err);
    assert_eq!(received_lines(&graph), BTreeSet::from([1, 2, 4]));
    let note = sent.only_note();
    assert_eq!(note["line"], 3, "{note}");
    assert_eq!(note["raw"], "not json", "{note}");

    let csv = shop.file(
        "orders.csv",
        format!(
            "{CSV_HEADER}\r{}\r{}\r{}",
            csv_row(1),
            csv_row(2),
            csv_row(3)
        ),
    );
    let graph = shop_fake(vec![]);
    let sent = shop.send(&graph.url()).run(&csv);
    assert_eq!(sent.code, Some(0), "{}", sent.err);
    assert_eq!(event_ids(&graph), ["C-1", "C-2", "C-3"]);
}

// ---------------------------------------------------------------------------------------
// 2. Signals.

/// Stops a 20,000-record run with `signal` once requests flow; expects `code`, a
/// `--skip N` that loses nothing, and a `--skip N` rerun that covers every other line.
#[allow(clippy::print_stderr)] // the measured stop time is for the test log
fn a_signal_stops_the_run_without_losing_a_line(signal: &str, code: i32) {
    const N: usize = 20_000;
    let (shop, input) = Shop::with_orders(N);
    let graph = slow_fake(Duration::from_millis(40));
    let mut run = shop
        .send(&graph.url())
        .args(&TWO_SENDERS_OF_100)
        .recording()
        .spawn(&input);
    run.once(|| graph.requests() >= 5);
    let stopped = run.stop(&[signal], Duration::from_secs(30));
    eprintln!(
        "SIG{signal}: exit after {:?} ({} requests)",
        stopped.took,
        graph.requests()
    );
    let (status, err) = (stopped.status, &stopped.err);
    assert_eq!(status.code(), Some(code), "SIG{signal}: {status:?}: {err}");
    let skip = stopped.skip();
    assert!(skip <= N as u64, "{err}");
    assert_nothing_lost_up_to(skip, &graph, &stopped.failed);

    // Resuming at --skip N sends the rest, and nothing at or before line N.
    graph.set_faults(vec![]);
    let before = graph.requests();
    let resumed = shop
        .send(&graph.url())
        .args(&["--skip", &skip.to_string()])
        .recording()
        .run(&input);
    assert_eq!(resumed.code, Some(0), "{}", resumed.err);
    let resent_early: Vec<u64> = graph
        .received()
        .iter()
        .filter(|e| e.request > before)
        .filter_map(|e| e.event_id()?.strip_prefix("ES-")?.parse().ok())
        .filter(|&l: &u64| l <= skip)
        .collect();
    assert!(
        resent_early.is_empty(),
        "--skip {skip} sent line {:?} again",
        resent_early.first()
    );
    let mut noted = noted_lines(&stopped.failed);
    noted.extend(noted_lines(&resumed.failed_lines()));
    let accepted = received_lines(&graph);
    assert_no_line_lost("the two runs", 1..=N as u64, &accepted, &noted);
}

/// Contract, signals: on SIGTERM, stop reading, finish in-flight requests, write every
/// read and unaccepted record to the failed file, print `--skip N`, exit 143; the
/// guarantee for lines `<= N`; `--skip N` starts after line N.
#[test]
fn sigterm_exits_143_with_a_skip_point_that_loses_no_line() {
    a_signal_stops_the_run_without_losing_a_line("TERM", 143);
}

/// Contract, signals: the same on SIGINT, exit 130.
#[test]
fn sigint_exits_130_with_a_skip_point_that_loses_no_line() {
    a_signal_stops_the_run_without_losing_a_line("INT", 130);
}

/// Contract, signals: "`tagc send --skip N FILE` starts after line N (a CSV header, line
/// 1, is still read). Line numbers in the failed/warnings files keep counting from the
/// start of the file when --skip is given."
#[test]
fn skip_starts_after_line_n_and_keeps_counting_lines_from_the_start() {
    let shop = Shop::new();
    let stale = "C-4,2026-11-01T10:00:00Z,12.50,EUR,d@example.com,https://shop.example.com/t,8.8.8.8,Mozilla/5.0";
    let input = shop.csv([
        csv_row(1),
        csv_row(2),
        csv_row(3),
        stale.to_owned(),
        csv_row(5),
    ]);
    let graph = shop_fake(vec![]);
    let sent = shop
        .send(&graph.url())
        .args(&["--skip", "3"])
        .recording()
        .run(&input);
    assert_eq!(sent.code, Some(1), "C-4 is stale: {}", sent.err);
    assert_eq!(
        event_ids(&graph),
        ["C-3", "C-5"],
        "lines 4 and 6, read with the header's columns"
    );
    let note = sent.only_note();
    assert_eq!(line_and_row(&note), (5, 5), "{note}");
}

/// Orders `1..=n` sent in the background, with `--grace {grace}`, in two senders' batches
/// of 100, to a fake on which every request hangs for 60 s; once the first two requests
/// arrived, stopped by `signals`. The run must end within 40 s: (the fake, how it ended).
fn stopped_while_requests_hang(n: usize, grace: u64, signals: &[&str]) -> (FakeGraph, Ended) {
    let (shop, input) = Shop::with_orders(n);
    let graph = slow_fake(Duration::from_secs(60));
    let mut run = shop
        .send(&graph.url())
        .args(&TWO_SENDERS_OF_100)
        .args(&["--grace", &grace.to_string()])
        .recording()
        .spawn(&input);
    run.once(|| graph.requests() >= 2);
    let stopped = run.stop(signals, Duration::from_secs(40));
    (graph, stopped)
}

/// Contract, signals: "A second signal exits at once (same codes) after flushing the
/// failed file, still printing `--skip N` (a point it can vouch for)" — even with
/// `--grace 30` and requests that hang.
#[test]
#[allow(clippy::print_stderr)] // the measured stop time is for the test log
fn a_second_sigterm_exits_at_once_with_a_skip_point() {
    let (graph, stopped) = stopped_while_requests_hang(2000, 30, &["TERM", "TERM"]);
    let (status, took, err) = (stopped.status, stopped.took, &stopped.err);
    eprintln!("two SIGTERMs: exit {took:?} after the first");
    assert_eq!(status.code(), Some(143), "{status:?}: {err}");
    assert!(
        took < Duration::from_secs(3),
        "the second signal should exit at once, took {took:?}: {err}"
    );
    assert_nothing_lost_up_to(stopped.skip(), &graph, &stopped.failed);
}

/// Contract, signals: a stop lets the requests in flight finish within `--grace` seconds,
/// no longer. With requests that hang, the run exits 143 soon after the grace period: the
/// events of the two requests Meta never answered are `unconfirmed`, every other record
/// read is `not_sent`, and every line `<= N` of its `--skip N` is in the failed file.
#[test]
#[allow(clippy::print_stderr)] // the measured stop time is for the test log
fn when_the_grace_period_runs_out_the_unanswered_events_are_unconfirmed() {
    let (graph, stopped) = stopped_while_requests_hang(3000, 1, &["TERM"]);
    let (status, took, err) = (stopped.status, stopped.took, &stopped.err);
    eprintln!("SIGTERM with --grace 1: exit after {took:?}");
    assert_eq!(status.code(), Some(143), "{status:?}: {err}");
    assert!(
        took < Duration::from_secs(6),
        "a grace period of 1 s, took {took:?}: {err}"
    );
    assert_eq!(graph.requests(), 2, "posted after the stop: {err}");

    // Every line of the failed file is valid JSON (read by `ndjson_lines`) and holds
    // its own record, once.
    let lines = &stopped.failed;
    let noted = assert_each_order_once(lines);
    let stage = |l: &Value| l["_tagc"]["stage"].as_str().unwrap_or_default().to_owned();
    let unconfirmed: BTreeSet<u64> = lines
        .iter()
        .filter(|l| stage(l) == "unconfirmed")
        .map(|l| l["_tagc"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(
        unconfirmed,
        (1..=200).collect(),
        "the two requests in flight, 100 events each"
    );
    let others: Vec<&Value> = lines.iter().filter(|l| stage(l) != "unconfirmed").collect();
    assert!(!others.is_empty(), "records read and never posted: {err}");
    assert!(others.iter().all(|l| stage(l) == "not_sent"), "{others:#?}");

    // Nothing was accepted: every line up to the resume point is in the failed file.
    let skip = stopped.skip();
    assert!(skip >= 200, "{err}");
    assert_no_line_lost("up to --skip", 1..=skip, &BTreeSet::new(), &noted);
}

/// A stop cannot wait for a read: with stdin from a producer that has gone quiet, the
/// reader blocks until a line comes, so after the grace period and 5 s more the run stops
/// as on a second signal: exit 143, with a resume point that covers what was sent.
#[test]
#[allow(clippy::print_stderr)] // the measured stop time is for the test log
fn a_stop_while_stdin_is_quiet_ends_after_the_grace_period() {
    use std::io::Write as _;
    let (dir, mapping) = build_mapping("shop");
    let graph = shop_fake(vec![]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_tagc"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("META_ACCESS_TOKEN", TOKEN)
        .args(["send", "--event", "purchase", "--mapping"])
        .arg(&mapping)
        .args(["--graph-url", &graph.url(), "--now", &NOW.to_string()])
        .args(["--batch-size", "10", "--grace", "1", "--failed"])
        .arg(dir.path().join("failed.ndjson"))
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for i in 1..=20 {
        writeln!(stdin, "{}", order(i)).unwrap();
    }
    stdin.flush().unwrap();
    // The producer stays open and silent; the 20 orders go out in two batches.
    let start = Instant::now();
    while graph.received_count() < 20 && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(graph.received_count(), 20);
    let sent_at = Instant::now();
    let ok = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(ok.success());
    let mut status = None;
    while sent_at.elapsed() < Duration::from_secs(20) {
        if let Some(s) = child.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let took = sent_at.elapsed();
    if status.is_none() {
        let _ = child.kill();
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    eprintln!("SIGTERM with stdin quiet, --grace 1: exit after {took:?}");
    let status = status.unwrap_or_else(|| panic!("still running 20 s after SIGTERM: {err}"));
    assert_eq!(status.code(), Some(143), "{err}");
    assert!(
        took >= Duration::from_secs(5),
        "before the grace period and watchdog: {took:?}"
    );
    assert!(
        err.contains("did not finish within its grace period"),
        "{err}"
    );
    assert_eq!(skip_point(&err), Some(20), "{err}");
}

// ---------------------------------------------------------------------------------------
// 3. The failed file keeps the original bytes.

/// Contract, failed file: "the record's ORIGINAL TEXT byte for byte (big integers, long
/// decimals, duplicate keys, key order, whitespace inside kept), with `,"_tagc":{...}`
/// spliced in before the object's final `}` (an earlier `_tagc` member is removed
/// first)"; a line that is not UTF-8 as `raw_b64`, never `raw`; a failed file read back
/// is sent again. The big integer order id reaches Meta as its digits.
#[test]
fn the_failed_file_keeps_each_records_original_bytes() {
    let shop = Shop::new();
    let checkout = r#""checkout":{"url":"https://shop.example.com/t","ip":"8.8.8.8","user_agent":"Mozilla/5.0"}"#;
    let big = format!(
        r#"{{"order":{{"id":123456789012345678901234,"paid_at":"2026-11-20T18:42:13+01:00","total":0.1000000000000000055511151231257827,"currency":"EUR","customer":{{"email":"big@example.com"}},{checkout}}}}}"#
    );
    let dup = format!(
        r#"{{ "order" : {{ "currency":"USD", "id" : "ES-000002",  {checkout}, "total": 1e2, "paid_at":"2026-11-20T18:42:13+01:00" , "currency" : "EUR", "customer":{{"email":"dup@example.com","first_name":"Luc\u00eda"}} }} }}"#
    );
    let escaped = format!(
        r#"{{"order":{{"id":"ES-000003","paid_at":"2026-11-20T18:42:13+01:00","total":12.500,"currency":"EUR","customer":{{"email":"x\u0040example.com"}},{checkout},"note":"tab\there \ud83d\ude00"}}}}"#
    );
    let mut not_utf8 = br#"{"order":{"id":"ES-000004","note":""#.to_vec();
    not_utf8.extend_from_slice(b"\xff\xfe caf\xe9");
    not_utf8.extend_from_slice(br#""}}"#);
    let renoted = format!(
        r#"{{"_tagc":{{"line":9,"stage":"meta","reason":"from an earlier run"}},"order":{{"id":"ES-000005","paid_at":"2026-11-20T18:42:13+01:00","total":5,"currency":"EUR","customer":{{"email":"e@example.com"}},{checkout}}}}}"#
    );
    let mut input_bytes = Vec::new();
    for line in [
        big.as_bytes(),
        dup.as_bytes(),
        escaped.as_bytes(),
        not_utf8.as_slice(),
        renoted.as_bytes(),
    ] {
        input_bytes.extend_from_slice(line);
        input_bytes.push(b'\n');
    }
    let input = shop.file("orders.ndjson", &input_bytes);

    // Meta refuses every event (code 100, no event named): all land in the failed file.
    let refusing = shop_fake(vec![Fault::always(graph_error(400, 100, None, false))]);
    let refused = shop.send(&refusing.url()).recording().run(&input);
    assert_eq!(refused.code, Some(1), "{}", refused.err);
    let failed = refused.failed_path();
    let text = String::from_utf8(std::fs::read(failed).unwrap()).expect("UTF-8");
    let by_line = |n: u64| -> &str {
        text.lines()
            .find(|l| serde_json::from_str::<Value>(l).is_ok_and(|v| v["_tagc"]["line"] == n))
            .unwrap_or_else(|| panic!("line {n} is not in the failed file:\n{text}"))
    };
    for (n, original) in [(1, &big), (2, &dup), (3, &escaped)] {
        let written = by_line(n);
        let cut = written
            .rfind(",\"_tagc\":")
            .unwrap_or_else(|| panic!("no `,\"_tagc\":` spliced in: {written}"));
        let kept = &original[..original.rfind('}').unwrap()];
        assert_eq!(&written[..cut], kept, "line {n} not kept byte for byte");
        assert!(written.ends_with("}}"), "{written}");
        let v: Value = serde_json::from_str(written).unwrap();
        assert_eq!(v["_tagc"]["stage"], "meta", "{written}");
        assert_eq!(v["_tagc"]["code"], 100, "{written}");
    }
    let bad: Value = serde_json::from_str(by_line(4)).unwrap();
    assert_eq!(bad["_tagc"]["stage"], "input", "{bad}");
    assert!(bad["_tagc"].get("raw").is_none(), "raw and raw_b64: {bad}");
    let b64 = bad["_tagc"]["raw_b64"].as_str().unwrap_or_default();
    assert_eq!(
        base64_decode(b64).as_deref(),
        Some(&not_utf8[..]),
        "raw_b64 is the line's bytes: {bad}"
    );
    let renoted_out = by_line(5);
    assert_eq!(
        renoted_out.matches("\"_tagc\"").count(),
        1,
        "the earlier _tagc member is removed: {renoted_out}"
    );
    let v: Value = serde_json::from_str(renoted_out).unwrap();
    assert_eq!(v["order"]["id"], "ES-000005");
    assert_eq!(v["_tagc"]["stage"], "meta");

    // Meta accepts: the big order id arrives as its digits.
    let accepting = shop_fake(vec![]);
    let sent = shop.send(&accepting.url()).run(&input);
    assert_eq!(sent.code, Some(1), "line 4 is bad: {}", sent.err);
    let ids: BTreeSet<String> = event_ids(&accepting).into_iter().collect();
    assert!(
        ids.contains("123456789012345678901234"),
        "the big integer order id as its digits: {ids:?}"
    );

    // The failed file, sent again, delivers the four records; the bad line stays bad.
    let again = shop_fake(vec![]);
    let resent = shop.send(&again.url()).recording().run(failed);
    assert_eq!(resent.code, Some(1), "{}", resent.err);
    let ids: BTreeSet<String> = event_ids(&again).into_iter().collect();
    assert_eq!(
        ids,
        BTreeSet::from(
            [
                "123456789012345678901234",
                "ES-000002",
                "ES-000003",
                "ES-000005"
            ]
            .map(String::from)
        )
    );
    assert_eq!(resent.only_note()["raw_b64"], b64, "the bad line stays bad");
}

// ---------------------------------------------------------------------------------------
// 4. A failed file that cannot be written.

/// Contract: "Failed file unwritable (`--failed /dev/full`): stop sending at once, print
/// the summary (accepted count, and how many records are unrecorded), `--skip N` resume
/// point, exit 2." With nothing recorded, every line `<= N` must have been accepted.
#[test]
fn an_unwritable_failed_file_stops_sending_with_a_resume_point() {
    let shop = Shop::new();
    let mut orders: Vec<Value> = (1..=5000).map(order).collect();
    // No user agent in order 1500: a website event without one fails mapping.
    orders[1499]["order"]["checkout"]
        .as_object_mut()
        .unwrap()
        .remove("user_agent");
    let input = shop.file(
        "orders.ndjson",
        orders.iter().map(|r| format!("{r}\n")).collect::<String>(),
    );
    let graph = slow_fake(Duration::from_millis(10));
    let sent = shop
        .send(&graph.url())
        .args(&["--batch-size", "100", "--concurrency", "1"])
        .args(&["--failed", "/dev/full"])
        .run(&input);
    let err = &sent.err;
    assert_eq!(sent.code, Some(2), "{err}");
    let full_run = 50; // 4,999 valid events in batches of 100
    assert!(
        graph.requests() < full_run,
        "kept sending: {} requests: {err}",
        graph.requests()
    );
    assert_eq!(
        count_near(err, "accepted"),
        Some(graph.received_count() as u64),
        "{err}"
    );
    assert!(err.to_lowercase().contains("unrecorded"), "{err}");
    let skip = skip_point(err).unwrap_or_else(|| panic!("no `--skip N`: {err}"));
    assert_nothing_lost_up_to(skip, &graph, &[]);
}

// ---------------------------------------------------------------------------------------
// 5. Secrets.

/// Contract, secrets: "every string from Meta (messages, error text, `fbtrace_id`) passes
/// one redactor replacing the token (literal, JSON-escaped, URL-encoded `%7C` etc.,
/// form-encoded) with `***`" — in the failed file, the warnings file, stdout and stderr.
#[test]
fn a_token_echoed_by_meta_in_any_encoding_never_shows() {
    let (shop, input) = Shop::with_orders(3);
    for encoding in TokenEcho::EACH.into_iter().chain([TokenEcho::All]) {
        // Request 1 refused (code 100), request 2 accepted with a message, request 3 an
        // outage (code 2): each answer's texts and fbtrace_id hold the token.
        let mut config = shop_config().token(SECRET);
        config.faults = vec![
            Fault::on(1, FaultKind::EchoToken(encoding, Some(100))),
            Fault::on(2, FaultKind::EchoToken(encoding, None)),
            Fault::on(3, FaultKind::EchoToken(encoding, Some(2))),
        ];
        let graph = FakeGraph::start(config);
        let warnings = shop.path(&format!("warnings-{encoding:?}.ndjson"));
        let sent = shop
            .send(&graph.url())
            .token(SECRET)
            .args(&["--retries", "0", "--batch-size", "1", "--concurrency", "1"])
            .args(&["--warnings", warnings.to_str().unwrap()])
            .recording()
            .run(&input);
        let err = &sent.err;
        assert_eq!(sent.code, Some(1), "{encoding:?}: {err}");
        assert_eq!(graph.requests(), 3, "{encoding:?}: {err}");
        let failed_text = std::fs::read_to_string(sent.failed_path()).unwrap_or_default();
        let warnings_text = std::fs::read_to_string(&warnings).unwrap_or_default();
        assert_no_secret(&format!("stdout ({encoding:?})"), &sent.out);
        assert_no_secret(&format!("stderr ({encoding:?})"), err);
        assert_no_secret(&format!("the failed file ({encoding:?})"), &failed_text);
        assert_no_secret(&format!("the warnings file ({encoding:?})"), &warnings_text);
        // Not vacuous: Meta's texts were kept, with the token replaced.
        assert_eq!(sent.failed_lines().len(), 2, "{encoding:?}: {failed_text}");
        assert!(
            failed_text.contains("***"),
            "{encoding:?}: redacted, not dropped: {failed_text}"
        );
        assert!(
            warnings_text.contains("***"),
            "{encoding:?}: Meta's message kept: {warnings_text}"
        );
    }
}

/// Contract, secrets: "`--token-file` reads at most 4 KiB (larger or /dev/zero: exit 2
/// quickly)." Nothing is sent.
#[test]
fn a_token_file_larger_than_4_kib_or_dev_zero_is_refused_quickly() {
    let (shop, input) = Shop::with_orders(1);
    let huge = "A".repeat(1 << 20);
    let token_file = shop.file("token", &huge);
    // The fake would accept the huge token: only tagc's limit stops it.
    let graph = FakeGraph::start(shop_config().token(&huge));
    for file in [token_file.to_str().unwrap(), "/dev/zero"] {
        let ended = shop.send(&graph.url()).token_file(file).run_bounded(&input);
        let (status, took, err) = (ended.status, ended.took, &ended.err);
        assert_eq!(status.code(), Some(2), "{file}: {status:?}: {err}");
        assert!(took < Duration::from_secs(5), "{file}: took {took:?}");
        assert_eq!(graph.requests(), 0, "{file}: sent with it");
        // Only the test's address-space limit stops an unbounded read of /dev/zero.
        assert!(
            !err.contains("out of memory"),
            "{file}: read without a bound: {err}"
        );
        assert!(
            err.len() < 4096,
            "{file}: the token file echoed: {} bytes",
            err.len()
        );
    }
}

/// Contract, secrets: "Tokens must match `[A-Za-z0-9|_.-]+` (else exit 2, message never
/// echoes the token)." Nothing is sent, whether the token comes from the environment or
/// from `--token-file`.
#[test]
fn a_token_with_a_space_or_a_quote_is_refused_without_echoing_it() {
    let (shop, input) = Shop::with_orders(1);
    for (token, part) in [
        ("EAAQuote\"SecretTok9q", "SecretTok9q"),
        ("EAASpace SecretTok8s", "SecretTok8s"),
        ("EAASlash/SecretTok7z", "SecretTok7z"),
    ] {
        // The fake would accept it: only tagc's check stops it.
        let graph = FakeGraph::start(shop_config().token(token));
        let token_file = shop.file("token", format!("{token}\n"));
        for from_file in [false, true] {
            let send = shop.send(&graph.url());
            let sent = if from_file {
                send.token_file(token_file.to_str().unwrap())
            } else {
                send.token(token)
            }
            .run(&input);
            let all = format!("{}{}", sent.out, sent.err);
            assert_eq!(sent.code, Some(2), "{token:?} (file: {from_file}): {all}");
            assert_eq!(graph.requests(), 0, "{token:?} was sent");
            assert!(!all.contains(part), "{token:?} echoed: {all}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// 6. Meta's answers classified (the send column of the contract's table).

/// Table, rows 1–2: all accepted → 0; an event refused (code 100 other than subcode 33)
/// or a partial confirmation → 1, the events in the failed file as `meta`/`unconfirmed`.
#[test]
fn table_accepted_is_0_and_refused_or_unconfirmed_events_are_1() {
    let (shop, input) = Shop::with_orders(3);
    let graph = shop_fake(vec![]);
    let sent = shop.send(&graph.url()).run(&input);
    assert_eq!(sent.code, Some(0), "{}", sent.err);
    assert_eq!(graph.received_count(), 3);

    let refused = event_refusals().map(|(name, kind)| (name, kind, "meta"));
    let unconfirmed = ("partial", FaultKind::Partial(1), "unconfirmed");
    for (name, kind, stage) in refused.into_iter().chain([unconfirmed]) {
        let graph = shop_fake(vec![Fault::always(kind)]);
        let sent = shop
            .send(&graph.url())
            .args(&["--retries", "1"])
            .recording()
            .run(&input);
        assert_eq!(sent.code, Some(1), "{name}: {}", sent.err);
        let lines = sent.failed_lines();
        assert!(!lines.is_empty(), "{name}");
        assert!(
            lines.iter().all(|l| l["_tagc"]["stage"] == stage),
            "{name}: {lines:#?}"
        );
    }
}

/// Table, row 3: an outage after retries → 2 if nothing was delivered (the events in the
/// failed file as `network`), else 1.
#[test]
fn table_an_outage_is_2_when_nothing_was_delivered_else_1() {
    let (shop, input) = Shop::with_orders(3);
    // A timeout needs `--timeout 0.3`.
    let send_to = |graph: &FakeGraph| {
        shop.send(&graph.url())
            .args(&["--retries", "1", "--timeout", "0.3"])
            .args(&["--batch-size", "1", "--concurrency", "1"])
            .recording()
            .run(&input)
    };
    for (name, kind) in outages(Duration::from_secs(3)) {
        let graph = shop_fake(vec![Fault::always(kind)]);
        let sent = send_to(&graph);
        assert_eq!(
            sent.code,
            Some(2),
            "{name}, nothing delivered: {}",
            sent.err
        );
        let lines = sent.failed_lines();
        assert_eq!(lines.len(), 3, "{name}: {lines:#?}");
        assert!(
            lines.iter().all(|l| l["_tagc"]["stage"] == "network"),
            "{name}: {lines:#?}"
        );

        // The first request lands, then the outage.
        let graph = shop_fake(vec![Fault {
            kind,
            from: 2,
            to: None,
        }]);
        let sent = send_to(&graph);
        assert_eq!(sent.code, Some(1), "{name}, one delivered: {}", sent.err);
        assert_eq!(graph.received_count(), 1, "{name}");
    }
}

/// Table, row 3 and messages: a DNS failure is an outage (2 with nothing delivered), and
/// says "cannot resolve"/"DNS", not "uncategorized".
#[test]
fn table_a_dns_failure_is_2_and_says_so() {
    let (shop, input) = Shop::with_orders(1);
    let sent = shop
        .send("http://nonexistent.invalid")
        .args(&["--retries", "1"])
        .recording()
        .run(&input);
    assert_eq!(sent.code, Some(2), "{}", sent.err);
    let note = sent.only_note();
    assert_eq!(note["stage"], "network", "{note}");
    assert_says_dns_failure(&format!("{}{}", sent.err, note["reason"]));
}

/// `input` sent, recording, with `extra` options and the token the fake reports as
/// expired (it answers code 190): (the fake, the run).
fn send_with_expired_token(shop: &Shop, input: &Path, extra: &[&str]) -> (FakeGraph, Sent) {
    let graph = shop_fake(vec![]);
    let sent = shop
        .send(&graph.url())
        .token(EXPIRED_TOKEN)
        .args(extra)
        .recording()
        .run(input);
    (graph, sent)
}

/// Table, row 4: a refused token (190, 102) → 2; the refused events are `meta` with code 190,
/// labelled "Meta refused the access token (code 190)"; never retried.
#[test]
fn table_a_refused_token_is_2_and_nothing_is_sent() {
    let (shop, input) = Shop::with_orders(3);
    let (graph, sent) = send_with_expired_token(&shop, &input, &[]);
    let err = &sent.err;
    assert_eq!(sent.code, Some(2), "{err}");
    assert!(
        err.contains("Meta refused the access token (code 190)"),
        "{err}"
    );
    assert_eq!(graph.requests(), 1, "not retried");
    let lines = sent.failed_lines();
    assert_eq!(lines.len(), 3);
    // The request Meta answered with 190 was sent and refused: its events say so, with
    // the code (a batch after it would be `not_sent`).
    assert!(
        lines
            .iter()
            .all(|l| refused_with(l, 190) && reason_says(l, "refused the access token")),
        "{lines:#?}"
    );

    let graph = shop_fake(vec![Fault::always(graph_error(400, 102, None, false))]);
    let sent = shop.send(&graph.url()).recording().run(&input);
    let err = &sent.err;
    assert_eq!(sent.code, Some(2), "code 102: {err}");
    assert!(err.contains("refused the access token"), "{err}");
    assert_eq!(graph.requests(), 1, "not retried");
    let lines = sent.failed_lines();
    assert_eq!(lines.len(), 3);
    assert!(lines.iter().all(|l| refused_with(l, 102)), "{lines:#?}");
}

/// Table, row 4, over several batches: the first request is refused with 190, and then
/// nothing more is posted. Its events are `meta` with code 190; every other record read
/// is `not_sent`, saying the token was refused; the run exits 2 and loses no line up to
/// its resume point.
#[test]
fn a_refused_token_stops_the_run_across_batches() {
    let (shop, input) = Shop::with_orders(50);
    let batches_of_10 = ["--batch-size", "10", "--concurrency", "1"];
    let (graph, sent) = send_with_expired_token(&shop, &input, &batches_of_10);
    let err = &sent.err;
    assert_eq!(sent.code, Some(2), "{err}");
    assert_eq!(graph.requests(), 1, "posted after the refusal: {err}");
    let lines = sent.failed_lines();
    let noted = assert_each_order_once(&lines);
    let line = |l: &Value| l["_tagc"]["line"].as_u64().unwrap();
    let (first, rest): (Vec<&Value>, Vec<&Value>) = lines.iter().partition(|l| line(l) <= 10);
    assert_eq!(
        first.iter().map(|l| line(l)).collect::<BTreeSet<_>>(),
        (1..=10).collect(),
        "the first batch: {lines:#?}"
    );
    assert!(first.iter().all(|l| refused_with(l, 190)), "{first:#?}");
    assert!(!rest.is_empty(), "the later batches read: {err}");
    assert!(
        rest.iter().all(
            |l| l["_tagc"]["stage"] == "not_sent" && reason_says(l, "refused the access token")
        ),
        "{rest:#?}"
    );
    // What was not read is upstream of `--skip N`; what was read is in the failed file.
    if let Some(skip) = skip_point(err) {
        assert_nothing_lost_up_to(skip, &graph, &lines);
    } else {
        assert_eq!(noted, (1..=50).collect(), "every line read: {err}");
    }
}

/// Table, row 5: permission / pixel not accessible (10, 200–299, 100 with subcode 33)
/// → 2.
#[test]
fn table_a_permission_error_or_an_unknown_pixel_is_2() {
    let (shop, input) = Shop::with_orders(2);
    for (name, kind) in permission_errors() {
        let graph = shop_fake(vec![Fault::always(kind)]);
        let sent = shop
            .send(&graph.url())
            .args(&["--retries", "1"])
            .run(&input);
        assert_eq!(sent.code, Some(2), "{name}: {}", sent.err);
    }
    // The fake does not know the shop's pixel: code 100 subcode 33.
    let graph = FakeGraph::start(FakeConfig::new().now(NOW));
    let sent = shop
        .send(&graph.url())
        .args(&["--retries", "1"])
        .run(&input);
    assert_eq!(sent.code, Some(2), "subcode 33: {}", sent.err);
}

/// Table, row 6: an HTTP answer that is not Graph's and not retryable (a 404 HTML page)
/// → 2, not retried.
#[test]
fn table_a_404_html_page_is_2_and_not_retried() {
    let (shop, input) = Shop::with_orders(1);
    let graph = shop_fake(vec![Fault::always(FaultKind::Html(404))]);
    let sent = shop
        .send(&graph.url())
        .args(&["--retries", "3"])
        .run(&input);
    assert_eq!(sent.code, Some(2), "{}", sent.err);
    assert_eq!(graph.requests(), 1, "not retried");
}

/// Table, row 7: an invalid `--graph-url` → 2 before anything is read, not retried, and
/// the message says the URL is not valid.
#[test]
fn table_an_invalid_graph_url_is_2_before_anything_is_read() {
    let (shop, input) = Shop::with_orders(3);
    let start = Instant::now();
    // Retries 2 s apart would show.
    let sent = shop
        .send("http://[::1")
        .retry_base_ms(2000)
        .recording()
        .run(&input);
    let took = start.elapsed();
    let err = &sent.err;
    assert_eq!(sent.code, Some(2), "{err}");
    assert!(says_not_valid(err), "says the URL is not valid: {err}");
    assert!(
        sent.failed_lines().is_empty(),
        "records were read: {:?}",
        std::fs::read_to_string(sent.failed_path())
    );
    assert!(took < Duration::from_secs(2), "retried: {took:?}");
}

/// Contract: "Empty input (no records) prints a warning on stderr (`warning: ... no
/// records ...`), exit 0."
#[test]
fn empty_input_warns_and_exits_0() {
    let shop = Shop::new();
    let graph = shop_fake(vec![]);
    for (name, content) in [("empty.ndjson", ""), ("blank.ndjson", "\n\n  \n")] {
        let input = shop.file(name, content);
        let sent = shop.send(&graph.url()).run(&input);
        let err = &sent.err;
        assert_eq!(sent.code, Some(0), "{name}: {err}");
        let warned = err
            .lines()
            .any(|l| l.starts_with("warning:") && l.contains("no records"));
        assert!(warned, "{name}: {err}");
    }
    assert_eq!(graph.requests(), 0);
}

/// Contract: "Input that is not text (NUL bytes within the first 64 KiB, e.g. /dev/zero or
/// UTF-16) is refused with exit 2 and a message saying it is not text, within a bounded
/// read."
#[test]
fn dev_zero_or_utf16_input_is_refused_as_not_text() {
    let shop = Shop::new();
    let text = format!("{}\n", order(1));
    let bytes: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let utf16 = shop.file("orders-utf16.ndjson", bytes);
    let graph = shop_fake(vec![]);
    for input in [Path::new("/dev/zero"), utf16.as_path()] {
        let ended = shop.send(&graph.url()).run_bounded(input);
        let (status, took, err) = (ended.status, ended.took, &ended.err);
        assert_eq!(status.code(), Some(2), "{}: {err}", input.display());
        assert!(
            took < Duration::from_secs(5),
            "{}: took {took:?}",
            input.display()
        );
        assert!(
            err.contains("not text") || err.contains("not a text"),
            "{}: {err}",
            input.display()
        );
    }
    assert_eq!(graph.requests(), 0);
}
