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
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::cli::{build_mapping, tagc};
use support::graph::{EXPIRED_TOKEN, FakeConfig, FakeGraph, Fault, FaultKind, TOKEN, TokenEcho};

/// "Now" for tagc and the fake: 2026-11-21T10:13:20Z, a day after the sample orders.
const NOW: i64 = 1_795_300_000;
/// The shop example's production pixel.
const SHOP_PIXEL: &str = "314159265358979";
/// The CSV header the CSV tests use (the shop mapping's record paths).
const CSV_HEADER: &str = "order.id,order.paid_at,order.total,order.currency,order.customer.email,order.checkout.url,order.checkout.ip,order.checkout.user_agent";

/// The shop's sample order number `i`; its event id is `ES-{i:06}`.
fn order(i: usize) -> Value {
    json!({"order": {
        "id": format!("ES-{i:06}"),
        "paid_at": "2026-11-20T18:42:13+01:00",
        "total": 84.80,
        "currency": "EUR",
        "customer": {"id": format!("cus_{i}"), "email": format!(" Buyer{i}@Example.com"),
                     "phone": "612 345 678", "first_name": "Lucía", "last_name": "Martín"},
        "billing": {"city": "Valencia", "postal_code": "46001", "country": "ES"},
        "lines": [{"sku": "TS-0042-M", "qty": 2, "unit_price": 24.90},
                  {"sku": "MUG-0007", "qty": 1, "unit_price": 35.00}],
        "checkout": {"url": "https://shop.example.com/checkout/thank-you",
                     "ip": "2001:db8:4f2a::17",
                     "user_agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5)",
                     "cookies": {"_fbp": "fb.1.1792600000000.1987654321"}}
    }})
}

/// Orders `1..=n`, one per line: order `i` is on line `i`.
fn orders_file(dir: &Path, n: usize) -> PathBuf {
    let path = dir.join("orders.ndjson");
    let text: String = (1..=n).map(|i| format!("{}\n", order(i))).collect();
    std::fs::write(&path, text).unwrap();
    path
}

/// A CSV row for order `C-{i}` (valid for the shop mapping, no quotes).
fn csv_row(i: usize) -> String {
    format!(
        "C-{i},2026-11-20T18:42:13Z,12.50,EUR,buyer{i}@example.com,https://shop.example.com/t,8.8.8.8,Mozilla/5.0"
    )
}

/// A fake that knows the shop's pixel, at [`NOW`], with `faults`.
fn fake(faults: Vec<Fault>) -> FakeGraph {
    let mut config = FakeConfig::new().pixel(SHOP_PIXEL).now(NOW);
    config.faults = faults;
    FakeGraph::start(config)
}

/// `tagc send --event purchase` with the token, `--graph-url`, `--now` and short retry
/// delays, then `extra`, then `input`.
fn send(mapping: &Path, url: &str, input: &Path, extra: &[&str]) -> std::process::Output {
    tagc()
        .env("META_ACCESS_TOKEN", TOKEN)
        .args(["send", "--event", "purchase", "--mapping"])
        .arg(mapping)
        .args(["--graph-url", url, "--now", &NOW.to_string()])
        .args(["--retry-base-ms", "5"])
        .args(extra)
        .arg(input)
        .output()
        .unwrap()
}

/// What a run printed on stderr.
fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The lines of an NDJSON file, each of which must be a complete JSON value (a missing
/// file reads as empty); a non-empty file must end with a line break.
fn failed_lines(path: &Path) -> Vec<Value> {
    let bytes = std::fs::read(path).unwrap_or_default();
    assert!(
        bytes.is_empty() || bytes.ends_with(b"\n"),
        "{} ends in the middle of a line",
        path.display()
    );
    let text = String::from_utf8(bytes).expect("the failed file is UTF-8");
    text.lines()
        .map(|l| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("not a complete JSON line ({e}): {l:?}"))
        })
        .collect()
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
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Waits until `ready()` holds or `run` exits, at most `limit`.
fn wait_until(run: &mut Running, limit: Duration, ready: impl Fn() -> bool) {
    let start = Instant::now();
    while !ready() && !run.exited() && start.elapsed() < limit {
        std::thread::sleep(Duration::from_millis(10));
    }
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
    let (dir, mapping) = build_mapping("shop");
    let broken_row = "C-100,2026-11-20T18:42:13Z,12.50,EUR,buyer100@example.com,https://shop.example.com/t,8.8.8.8,\"Mozilla/5.0 (X11".to_owned();
    let mut text = format!("{CSV_HEADER}\n");
    for i in 1..=5000 {
        let row = if i == 100 {
            broken_row.clone()
        } else {
            csv_row(i)
        };
        text.push_str(&row);
        text.push('\n');
    }
    let input = dir.path().join("orders.csv");
    std::fs::write(&input, text).unwrap();
    let failed = dir.path().join("failed.ndjson");
    let graph = fake(vec![]);
    let o = send(
        &mapping,
        &graph.url(),
        &input,
        &["--failed", failed.to_str().unwrap()],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");

    let lines = failed_lines(&failed);
    assert_eq!(lines.len(), 1, "one malformed-row note: {lines:#?}");
    let note = &lines[0]["_tagc"];
    assert_eq!(note["stage"], "input", "{note}");
    assert_eq!(note["line"], 101, "row 100 is on line 101: {note}");
    assert_eq!(note["raw"], broken_row.as_str(), "{note}");

    // Every other line reached Meta: line l holds C-(l-1).
    let got: BTreeSet<String> = graph
        .received()
        .iter()
        .filter_map(|e| e.event_id().map(str::to_owned))
        .collect();
    let missing: Vec<usize> = (2..=5001)
        .filter(|&l| l != 101 && !got.contains(&format!("C-{}", l - 1)))
        .collect();
    assert!(
        missing.is_empty(),
        "{} lines neither sent nor failed, from line {:?}",
        missing.len(),
        missing.first()
    );
    assert_eq!(graph.received_count(), 4999);
    assert_eq!(count_near(&err, "accepted"), Some(4999), "{err}");
    // The one line not sent is counted as failed, or as a malformed row.
    let failed_count = count_near(&err, "failed");
    let malformed_count = count_near(&err, "malformed");
    assert!(
        failed_count == Some(1) || (failed_count == Some(0) && malformed_count == Some(1)),
        "the summary does not count the malformed row: {err}"
    );
}

/// Contract, CSV: "an unclosed quote at EOF is reported as malformed (stage `input`,
/// `raw` = that first line's text)".
#[test]
fn an_unclosed_csv_quote_at_the_end_of_the_file_is_a_malformed_row() {
    let (dir, mapping) = build_mapping("shop");
    let last = "C-3,2026-11-20T18:42:13Z,12.50,EUR,c@example.com,https://shop.example.com/t,8.8.8.8,\"Mozilla/5.0";
    let text = format!("{CSV_HEADER}\n{}\n{}\n{last}\n", csv_row(1), csv_row(2));
    let input = dir.path().join("orders.csv");
    std::fs::write(&input, text).unwrap();
    let failed = dir.path().join("failed.ndjson");
    let graph = fake(vec![]);
    let o = send(
        &mapping,
        &graph.url(),
        &input,
        &["--failed", failed.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(graph.received_count(), 2);
    let lines = failed_lines(&failed);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert_eq!(lines[0]["_tagc"]["stage"], "input");
    assert_eq!(lines[0]["_tagc"]["line"], 4);
    assert_eq!(lines[0]["_tagc"]["raw"], last);
}

/// Contract, CSV: a quoted field may legitimately span several physical lines (up to 64);
/// such a row is one record, and later line numbers count physical lines.
#[test]
fn a_quoted_csv_field_over_three_lines_is_one_record() {
    let (dir, mapping) = build_mapping("shop");
    let text = format!(
        "{CSV_HEADER}\n{}\n\
         C-2,2026-11-20T18:42:13Z,12.50,EUR,b@example.com,https://shop.example.com/t,8.8.8.8,\"Mozilla/5.0\n(X11,\nLinux)\"\n\
         C-3,2026-11-01T10:00:00Z,12.50,EUR,c@example.com,https://shop.example.com/t,8.8.8.8,Mozilla/5.0\n\
         {}\n",
        csv_row(1),
        csv_row(4)
    );
    let input = dir.path().join("orders.csv");
    std::fs::write(&input, text).unwrap();
    let failed = dir.path().join("failed.ndjson");
    let graph = fake(vec![]);
    let o = send(
        &mapping,
        &graph.url(),
        &input,
        &["--failed", failed.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1), "C-3 is stale: {}", stderr(&o));
    let got = graph.received();
    let ids: Vec<&str> = got.iter().filter_map(|e| e.event_id()).collect();
    assert_eq!(ids, ["C-1", "C-2", "C-4"]);
    assert_eq!(
        got[1].json["user_data"]["client_user_agent"], "Mozilla/5.0\n(X11,\nLinux)",
        "the field keeps its line breaks"
    );
    let lines = failed_lines(&failed);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert_eq!(
        (&lines[0]["_tagc"]["line"], &lines[0]["_tagc"]["row"]),
        (&json!(6), &json!(4)),
        "C-3 starts on line 6 (row 4): {lines:#?}"
    );
}

/// Contract: "Lone CR line endings (old Mac) are line endings (NDJSON and CSV)."
#[test]
fn lone_cr_line_endings_separate_ndjson_and_csv_records() {
    let (dir, mapping) = build_mapping("shop");
    let ndjson = dir.path().join("orders.ndjson");
    std::fs::write(
        &ndjson,
        format!("{}\r{}\rnot json\r{}\r", order(1), order(2), order(4)),
    )
    .unwrap();
    let failed = dir.path().join("failed.ndjson");
    let graph = fake(vec![]);
    let o = send(
        &mapping,
        &graph.url(),
        &ndjson,
        &["--failed", failed.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(received_lines(&graph), BTreeSet::from([1, 2, 4]));
    let lines = failed_lines(&failed);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert_eq!(lines[0]["_tagc"]["line"], 3);
    assert_eq!(lines[0]["_tagc"]["raw"], "not json");

    let csv = dir.path().join("orders.csv");
    std::fs::write(
        &csv,
        format!(
            "{CSV_HEADER}\r{}\r{}\r{}",
            csv_row(1),
            csv_row(2),
            csv_row(3)
        ),
    )
    .unwrap();
    let graph = fake(vec![]);
    let o = send(&mapping, &graph.url(), &csv, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let ids: Vec<String> = graph
        .received()
        .iter()
        .filter_map(|e| e.event_id().map(str::to_owned))
        .collect();
    assert_eq!(ids, ["C-1", "C-2", "C-3"]);
}

// ---------------------------------------------------------------------------------------
// 2. Signals.

/// Arguments of a background `tagc send` of `input` to `url`.
fn send_args(mapping: &Path, url: &str, input: &Path, extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = ["send", "--event", "purchase", "--mapping"]
        .map(String::from)
        .to_vec();
    a.push(mapping.display().to_string());
    a.extend(
        [
            "--graph-url",
            url,
            "--now",
            &NOW.to_string(),
            "--retry-base-ms",
            "5",
        ]
        .map(String::from),
    );
    a.extend(extra.iter().map(|s| (*s).to_owned()));
    a.push(input.display().to_string());
    a
}

/// The guarantee after a stop: every line `<= skip` is accepted or in the failed file
/// (whose line for order `i` must hold order `i`).
fn assert_nothing_lost_up_to(skip: u64, graph: &FakeGraph, failed: &[Value]) {
    for l in failed {
        let line = l["_tagc"]["line"].as_u64().unwrap();
        assert_eq!(
            l["order"]["id"],
            format!("ES-{line:06}"),
            "the failed file's line {line} holds another record: {l}"
        );
    }
    let accepted = received_lines(graph);
    let noted = noted_lines(failed);
    let lost: Vec<u64> = (1..=skip)
        .filter(|l| !accepted.contains(l) && !noted.contains(l))
        .collect();
    assert!(
        lost.is_empty(),
        "{} lines <= --skip {skip} neither accepted nor in the failed file, from line {:?}",
        lost.len(),
        lost.first()
    );
}

/// Stops a 20,000-record run with `signal` once requests flow; expects `code`, a
/// `--skip N` that loses nothing, and a `--skip N` rerun that covers every other line.
#[allow(clippy::print_stderr)] // the measured stop time is for the test log
fn a_signal_stops_the_run_without_losing_a_line(signal: &str, code: i32) {
    const N: usize = 20_000;
    let (dir, mapping) = build_mapping("shop");
    let input = orders_file(dir.path(), N);
    let failed = dir.path().join("failed.ndjson");
    let graph = fake(vec![Fault::always(FaultKind::Latency(
        Duration::from_millis(40),
    ))]);
    let args = send_args(
        &mapping,
        &graph.url(),
        &input,
        &[
            "--batch-size",
            "100",
            "--concurrency",
            "2",
            "--failed",
            failed.to_str().unwrap(),
        ],
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut run = Running::start(dir.path(), &args, &[("META_ACCESS_TOKEN", TOKEN)], None);
    wait_until(&mut run, Duration::from_secs(20), || graph.requests() >= 5);
    assert!(
        !run.exited(),
        "finished before the signal: {:?}",
        run.output()
    );
    let sent_at = Instant::now();
    run.signal(signal);
    let status = run.wait_for(Duration::from_secs(30));
    let took = sent_at.elapsed();
    eprintln!(
        "SIG{signal}: exit after {took:?} ({} requests)",
        graph.requests()
    );
    let (_, err) = run.output();
    let status = status.unwrap_or_else(|| panic!("still running 30 s after SIG{signal}: {err}"));
    assert_eq!(status.code(), Some(code), "SIG{signal}: {status:?}: {err}");
    let skip = skip_point(&err).unwrap_or_else(|| panic!("no `--skip N`: {err}"));
    assert!(skip <= N as u64, "{err}");
    let lines = failed_lines(&failed);
    assert_nothing_lost_up_to(skip, &graph, &lines);

    // Resuming at --skip N sends the rest, and nothing at or before line N.
    graph.set_faults(vec![]);
    let before = graph.requests();
    let failed2 = dir.path().join("failed2.ndjson");
    let skip_arg = skip.to_string();
    let o = send(
        &mapping,
        &graph.url(),
        &input,
        &["--skip", &skip_arg, "--failed", failed2.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
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
    let accepted = received_lines(&graph);
    let mut noted = noted_lines(&lines);
    noted.extend(noted_lines(&failed_lines(&failed2)));
    let lost: Vec<u64> = (1..=N as u64)
        .filter(|l| !accepted.contains(l) && !noted.contains(l))
        .collect();
    assert!(
        lost.is_empty(),
        "the two runs lost {} lines, from line {:?}",
        lost.len(),
        lost.first()
    );
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
    let (dir, mapping) = build_mapping("shop");
    let stale = "C-4,2026-11-01T10:00:00Z,12.50,EUR,d@example.com,https://shop.example.com/t,8.8.8.8,Mozilla/5.0";
    let text = format!(
        "{CSV_HEADER}\n{}\n{}\n{}\n{stale}\n{}\n",
        csv_row(1),
        csv_row(2),
        csv_row(3),
        csv_row(5)
    );
    let input = dir.path().join("orders.csv");
    std::fs::write(&input, text).unwrap();
    let failed = dir.path().join("failed.ndjson");
    let graph = fake(vec![]);
    let o = send(
        &mapping,
        &graph.url(),
        &input,
        &["--skip", "3", "--failed", failed.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1), "C-4 is stale: {}", stderr(&o));
    let ids: Vec<String> = graph
        .received()
        .iter()
        .filter_map(|e| e.event_id().map(str::to_owned))
        .collect();
    assert_eq!(
        ids,
        ["C-3", "C-5"],
        "lines 4 and 6, read with the header's columns"
    );
    let lines = failed_lines(&failed);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert_eq!(
        (&lines[0]["_tagc"]["line"], &lines[0]["_tagc"]["row"]),
        (&json!(5), &json!(5)),
        "{lines:#?}"
    );
}

/// Contract, signals: "A second signal exits at once (same codes) after flushing the
/// failed file, still printing `--skip N` (a point it can vouch for)" — even with
/// `--grace 30` and requests that hang.
#[test]
#[allow(clippy::print_stderr)] // the measured stop time is for the test log
fn a_second_sigterm_exits_at_once_with_a_skip_point() {
    let (dir, mapping) = build_mapping("shop");
    let input = orders_file(dir.path(), 2000);
    let failed = dir.path().join("failed.ndjson");
    let graph = fake(vec![Fault::always(FaultKind::Latency(
        Duration::from_secs(60),
    ))]);
    let args = send_args(
        &mapping,
        &graph.url(),
        &input,
        &[
            "--batch-size",
            "100",
            "--concurrency",
            "2",
            "--grace",
            "30",
            "--failed",
            failed.to_str().unwrap(),
        ],
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut run = Running::start(dir.path(), &args, &[("META_ACCESS_TOKEN", TOKEN)], None);
    wait_until(&mut run, Duration::from_secs(20), || graph.requests() >= 2);
    assert!(
        !run.exited(),
        "exited before the signal: {:?}",
        run.output()
    );
    let sent_at = Instant::now();
    run.signal("TERM");
    std::thread::sleep(Duration::from_millis(300));
    if !run.exited() {
        run.signal("TERM");
    }
    let status = run.wait_for(Duration::from_secs(40));
    let took = sent_at.elapsed();
    eprintln!("two SIGTERMs: exit {took:?} after the first");
    let (_, err) = run.output();
    let status = status.unwrap_or_else(|| panic!("still running 40 s after SIGTERM: {err}"));
    assert_eq!(status.code(), Some(143), "{status:?}: {err}");
    assert!(
        took < Duration::from_secs(3),
        "the second signal should exit at once, took {took:?}: {err}"
    );
    let skip = skip_point(&err).unwrap_or_else(|| panic!("no `--skip N`: {err}"));
    let lines = failed_lines(&failed);
    assert_nothing_lost_up_to(skip, &graph, &lines);
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
    let (dir, mapping) = build_mapping("shop");
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
    for line in [big.as_bytes(), dup.as_bytes(), escaped.as_bytes()] {
        input_bytes.extend_from_slice(line);
        input_bytes.push(b'\n');
    }
    input_bytes.extend_from_slice(&not_utf8);
    input_bytes.push(b'\n');
    input_bytes.extend_from_slice(renoted.as_bytes());
    input_bytes.push(b'\n');
    let input = dir.path().join("orders.ndjson");
    std::fs::write(&input, &input_bytes).unwrap();

    // Meta refuses every event (code 100, no event named): all land in the failed file.
    let refusing = fake(vec![Fault::always(FaultKind::Graph {
        status: 400,
        code: 100,
        subcode: None,
        transient: false,
    })]);
    let failed = dir.path().join("failed.ndjson");
    let o = send(
        &mapping,
        &refusing.url(),
        &input,
        &["--failed", failed.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = String::from_utf8(std::fs::read(&failed).unwrap()).expect("UTF-8");
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
    let accepting = fake(vec![]);
    let o = send(&mapping, &accepting.url(), &input, &[]);
    assert_eq!(o.status.code(), Some(1), "line 4 is bad: {}", stderr(&o));
    let ids: BTreeSet<String> = accepting
        .received()
        .iter()
        .filter_map(|e| e.event_id().map(str::to_owned))
        .collect();
    assert!(
        ids.contains("123456789012345678901234"),
        "the big integer order id as its digits: {ids:?}"
    );

    // The failed file, sent again, delivers the four records; the bad line stays bad.
    let again = fake(vec![]);
    let failed2 = dir.path().join("failed2.ndjson");
    let o = send(
        &mapping,
        &again.url(),
        &failed,
        &["--failed", failed2.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let ids: BTreeSet<String> = again
        .received()
        .iter()
        .filter_map(|e| e.event_id().map(str::to_owned))
        .collect();
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
    let still_bad = failed_lines(&failed2);
    assert_eq!(still_bad.len(), 1, "{still_bad:#?}");
    assert_eq!(still_bad[0]["_tagc"]["raw_b64"], b64);
}

// ---------------------------------------------------------------------------------------
// 4. A failed file that cannot be written.

/// Contract: "Failed file unwritable (`--failed /dev/full`): stop sending at once, print
/// the summary (accepted count, and how many records are unrecorded), `--skip N` resume
/// point, exit 2." With nothing recorded, every line `<= N` must have been accepted.
#[test]
fn an_unwritable_failed_file_stops_sending_with_a_resume_point() {
    let (dir, mapping) = build_mapping("shop");
    let mut text = String::new();
    for i in 1..=5000 {
        let mut r = order(i);
        if i == 1500 {
            // No user agent: a website event without one fails mapping.
            r["order"]["checkout"]
                .as_object_mut()
                .unwrap()
                .remove("user_agent");
        }
        text.push_str(&format!("{r}\n"));
    }
    let input = dir.path().join("orders.ndjson");
    std::fs::write(&input, text).unwrap();
    let graph = fake(vec![Fault::always(FaultKind::Latency(
        Duration::from_millis(10),
    ))]);
    let o = send(
        &mapping,
        &graph.url(),
        &input,
        &[
            "--batch-size",
            "100",
            "--concurrency",
            "1",
            "--failed",
            "/dev/full",
        ],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let full_run = 50; // 4,999 valid events in batches of 100
    assert!(
        graph.requests() < full_run,
        "kept sending: {} requests: {err}",
        graph.requests()
    );
    assert_eq!(
        count_near(&err, "accepted"),
        Some(graph.received_count() as u64),
        "{err}"
    );
    assert!(err.to_lowercase().contains("unrecorded"), "{err}");
    let skip = skip_point(&err).unwrap_or_else(|| panic!("no `--skip N`: {err}"));
    assert_nothing_lost_up_to(skip, &graph, &[]);
}

// ---------------------------------------------------------------------------------------
// 5. Secrets.

/// A token with a `|`, so that its encodings differ. Every encoding keeps the two parts
/// either side of the `|` as they are, so finding either part anywhere is a leak.
const SECRET: &str = "EAAGm0PX4ZCps1x|Secret_Part-9xYz.v2";
/// The two parts of [`SECRET`].
const SECRET_PARTS: [&str; 2] = ["EAAGm0PX4ZCps1x", "Secret_Part-9xYz.v2"];

/// Panics if `text` (named `what`) holds any part of [`SECRET`].
fn assert_no_secret(what: &str, text: &str) {
    for part in SECRET_PARTS {
        assert!(!text.contains(part), "the token leaked into {what}: {text}");
    }
}

/// Contract, secrets: "every string from Meta (messages, error text, `fbtrace_id`) passes
/// one redactor replacing the token (literal, JSON-escaped, URL-encoded `%7C` etc.,
/// form-encoded) with `***`" — in the failed file, the warnings file, stdout and stderr.
#[test]
fn a_token_echoed_by_meta_in_any_encoding_never_shows() {
    let (dir, mapping) = build_mapping("shop");
    let input = orders_file(dir.path(), 3);
    for encoding in TokenEcho::EACH.into_iter().chain([TokenEcho::All]) {
        // Request 1 refused (code 100), request 2 accepted with a message, request 3 an
        // outage (code 2): each answer's texts and fbtrace_id hold the token.
        let mut config = FakeConfig::new().pixel(SHOP_PIXEL).now(NOW).token(SECRET);
        config.faults = vec![
            Fault::on(1, FaultKind::EchoToken(encoding, Some(100))),
            Fault::on(2, FaultKind::EchoToken(encoding, None)),
            Fault::on(3, FaultKind::EchoToken(encoding, Some(2))),
        ];
        let graph = FakeGraph::start(config);
        let failed = dir.path().join(format!("failed-{encoding:?}.ndjson"));
        let warnings = dir.path().join(format!("warnings-{encoding:?}.ndjson"));
        let o = tagc()
            .env("META_ACCESS_TOKEN", SECRET)
            .args(["send", "--event", "purchase", "--mapping"])
            .arg(&mapping)
            .args(["--graph-url", &graph.url(), "--now", &NOW.to_string()])
            .args(["--retry-base-ms", "5", "--retries", "0"])
            .args(["--batch-size", "1", "--concurrency", "1"])
            .arg("--failed")
            .arg(&failed)
            .arg("--warnings")
            .arg(&warnings)
            .arg(&input)
            .output()
            .unwrap();
        let (out, err) = (String::from_utf8_lossy(&o.stdout), stderr(&o));
        assert_eq!(o.status.code(), Some(1), "{encoding:?}: {err}");
        assert_eq!(graph.requests(), 3, "{encoding:?}: {err}");
        let failed_text = std::fs::read_to_string(&failed).unwrap_or_default();
        let warnings_text = std::fs::read_to_string(&warnings).unwrap_or_default();
        assert_no_secret(&format!("stdout ({encoding:?})"), &out);
        assert_no_secret(&format!("stderr ({encoding:?})"), &err);
        assert_no_secret(&format!("the failed file ({encoding:?})"), &failed_text);
        assert_no_secret(&format!("the warnings file ({encoding:?})"), &warnings_text);
        // Not vacuous: Meta's texts were kept, with the token replaced.
        assert_eq!(
            failed_lines(&failed).len(),
            2,
            "{encoding:?}: {failed_text}"
        );
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
    let (dir, mapping) = build_mapping("shop");
    let input = orders_file(dir.path(), 1);
    let huge = "A".repeat(1 << 20);
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, &huge).unwrap();
    // The fake would accept the huge token: only tagc's limit stops it.
    let graph = FakeGraph::start(FakeConfig::new().pixel(SHOP_PIXEL).now(NOW).token(&huge));
    for file in [token_file.to_str().unwrap(), "/dev/zero"] {
        let mut args = send_args(&mapping, &graph.url(), &input, &[]);
        args.splice(1..1, ["--token-file".to_owned(), file.to_owned()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let start = Instant::now();
        // A 4 GiB address-space limit: a run that reads /dev/zero to the end fails
        // instead of taking the machine's memory.
        let mut run = Running::start(dir.path(), &args, &[], Some(4 << 20));
        let status = run.wait_for(Duration::from_secs(10));
        let took = start.elapsed();
        let (_, err) = run.output();
        let status = status.unwrap_or_else(|| panic!("{file}: still running after 10 s: {err}"));
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
    let (dir, mapping) = build_mapping("shop");
    let input = orders_file(dir.path(), 1);
    for (token, part) in [
        ("EAAQuote\"SecretTok9q", "SecretTok9q"),
        ("EAASpace SecretTok8s", "SecretTok8s"),
        ("EAASlash/SecretTok7z", "SecretTok7z"),
    ] {
        // The fake would accept it: only tagc's check stops it.
        let graph = FakeGraph::start(FakeConfig::new().pixel(SHOP_PIXEL).now(NOW).token(token));
        let token_file = dir.path().join("token");
        std::fs::write(&token_file, format!("{token}\n")).unwrap();
        for from_file in [false, true] {
            let mut c = tagc();
            let mut args = vec!["send".to_owned()];
            if from_file {
                args.extend(["--token-file".to_owned(), token_file.display().to_string()]);
            } else {
                c.env("META_ACCESS_TOKEN", token);
            }
            args.extend(
                send_args(&mapping, &graph.url(), &input, &[])
                    .into_iter()
                    .skip(1),
            );
            let o = c.args(&args).output().unwrap();
            let all = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
            assert_eq!(
                o.status.code(),
                Some(2),
                "{token:?} (file: {from_file}): {all}"
            );
            assert_eq!(graph.requests(), 0, "{token:?} was sent");
            assert!(!all.contains(part), "{token:?} echoed: {all}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// 6. Meta's answers classified (the send column of the contract's table).

/// One order per line, `n` of them, in a fresh directory: (the directory, the mapping,
/// the input).
fn small_run(n: usize) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let (dir, mapping) = build_mapping("shop");
    let input = orders_file(dir.path(), n);
    (dir, mapping, input)
}

/// Table, rows 1–2: all accepted → 0; an event refused (code 100 other than subcode 33)
/// or a partial confirmation → 1, the events in the failed file as `meta`/`unconfirmed`.
#[test]
fn table_accepted_is_0_and_refused_or_unconfirmed_events_are_1() {
    let (dir, mapping, input) = small_run(3);
    let graph = fake(vec![]);
    let o = send(&mapping, &graph.url(), &input, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(graph.received_count(), 3);

    for (name, kind, stage) in [
        (
            "code 100",
            FaultKind::Graph {
                status: 400,
                code: 100,
                subcode: None,
                transient: false,
            },
            "meta",
        ),
        (
            "code 100 subcode 2804019",
            FaultKind::Graph {
                status: 400,
                code: 100,
                subcode: Some(2_804_019),
                transient: false,
            },
            "meta",
        ),
        ("partial", FaultKind::Partial(1), "unconfirmed"),
    ] {
        let graph = fake(vec![Fault::always(kind)]);
        let failed = dir.path().join("failed.ndjson");
        let o = send(
            &mapping,
            &graph.url(),
            &input,
            &["--retries", "1", "--failed", failed.to_str().unwrap()],
        );
        assert_eq!(o.status.code(), Some(1), "{name}: {}", stderr(&o));
        let lines = failed_lines(&failed);
        assert!(!lines.is_empty(), "{name}");
        assert!(
            lines.iter().all(|l| l["_tagc"]["stage"] == stage),
            "{name}: {lines:#?}"
        );
    }
}

/// The outages of the table's row 3, as the fake plays them (a timeout needs
/// `--timeout 0.3`).
fn outages() -> Vec<(&'static str, FaultKind)> {
    let graph = |status, code| FaultKind::Graph {
        status,
        code,
        subcode: None,
        transient: true,
    };
    vec![
        ("HTTP 500 code 2", graph(500, 2)),
        ("HTTP 500 code 1", graph(500, 1)),
        ("HTTP 429 code 4", FaultKind::Throttle(4)),
        ("HTTP 429 code 17", FaultKind::Throttle(17)),
        ("HTTP 429 code 341", FaultKind::Throttle(341)),
        ("HTTP 503 HTML", FaultKind::Html(503)),
        ("reset", FaultKind::Reset),
        ("timeout", FaultKind::Latency(Duration::from_secs(3))),
    ]
}

/// Table, row 3: an outage after retries → 2 if nothing was delivered (the events in the
/// failed file as `network`), else 1.
#[test]
fn table_an_outage_is_2_when_nothing_was_delivered_else_1() {
    let (dir, mapping, input) = small_run(3);
    for (name, kind) in outages() {
        let failed = dir
            .path()
            .join(format!("failed-{}.ndjson", name.replace(' ', "-")));
        let failed_arg = failed.to_str().unwrap();
        let args = [
            "--retries",
            "1",
            "--timeout",
            "0.3",
            "--batch-size",
            "1",
            "--concurrency",
            "1",
            "--failed",
            failed_arg,
        ];
        let graph = fake(vec![Fault::always(kind)]);
        let o = send(&mapping, &graph.url(), &input, &args);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{name}, nothing delivered: {}",
            stderr(&o)
        );
        let lines = failed_lines(&failed);
        assert_eq!(lines.len(), 3, "{name}: {lines:#?}");
        assert!(
            lines.iter().all(|l| l["_tagc"]["stage"] == "network"),
            "{name}: {lines:#?}"
        );

        // The first request lands, then the outage.
        let graph = fake(vec![Fault {
            kind,
            from: 2,
            to: None,
        }]);
        let o = send(&mapping, &graph.url(), &input, &args);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{name}, one delivered: {}",
            stderr(&o)
        );
        assert_eq!(graph.received_count(), 1, "{name}");
    }
}

/// Table, row 3 and messages: a DNS failure is an outage (2 with nothing delivered), and
/// says "cannot resolve"/"DNS", not "uncategorized".
#[test]
fn table_a_dns_failure_is_2_and_says_so() {
    let (dir, mapping, input) = small_run(1);
    let failed = dir.path().join("failed.ndjson");
    let o = send(
        &mapping,
        "http://nonexistent.invalid",
        &input,
        &["--retries", "1", "--failed", failed.to_str().unwrap()],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let lines = failed_lines(&failed);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert_eq!(lines[0]["_tagc"]["stage"], "network");
    let said = format!("{err}{}", lines[0]["_tagc"]["reason"]);
    assert!(
        said.contains("cannot resolve") || said.contains("DNS"),
        "{said}"
    );
    assert!(!said.contains("uncategorized"), "{said}");
}

/// Table, row 4: a refused token (190, 102) → 2; the refused events are `meta` with code 190,
/// labelled "Meta refused the access token (code 190)"; never retried.
#[test]
fn table_a_refused_token_is_2_and_nothing_is_sent() {
    let (dir, mapping, input) = small_run(3);
    let failed = dir.path().join("failed.ndjson");
    let graph = fake(vec![]);
    let o = tagc()
        .env("META_ACCESS_TOKEN", EXPIRED_TOKEN)
        .args(["send", "--event", "purchase", "--mapping"])
        .arg(&mapping)
        .args(["--graph-url", &graph.url(), "--now", &NOW.to_string()])
        .args(["--retry-base-ms", "5", "--failed"])
        .arg(&failed)
        .arg(&input)
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("Meta refused the access token (code 190)"),
        "{err}"
    );
    assert_eq!(graph.requests(), 1, "not retried");
    let lines = failed_lines(&failed);
    assert_eq!(lines.len(), 3);
    // The request Meta answered with 190 was sent and refused: its events say so, with
    // the code (a batch after it would be `not_sent`).
    assert!(
        lines.iter().all(|l| l["_tagc"]["stage"] == "meta"
            && l["_tagc"]["code"] == 190
            && l["_tagc"]["reason"]
                .as_str()
                .is_some_and(|r| r.contains("refused the access token"))),
        "{lines:#?}"
    );

    let graph = fake(vec![Fault::always(FaultKind::Graph {
        status: 400,
        code: 102,
        subcode: None,
        transient: false,
    })]);
    let o = send(
        &mapping,
        &graph.url(),
        &input,
        &["--failed", failed.to_str().unwrap()],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "code 102: {err}");
    assert!(err.contains("refused the access token"), "{err}");
    assert_eq!(graph.requests(), 1, "not retried");
    let lines = failed_lines(&failed);
    assert_eq!(lines.len(), 3);
    assert!(
        lines
            .iter()
            .all(|l| l["_tagc"]["stage"] == "meta" && l["_tagc"]["code"] == 102),
        "{lines:#?}"
    );
}

/// Table, row 5: permission / pixel not accessible (10, 200–299, 100 with subcode 33)
/// → 2.
#[test]
fn table_a_permission_error_or_an_unknown_pixel_is_2() {
    let (_dir, mapping, input) = small_run(2);
    let permission = |code| FaultKind::Graph {
        status: 403,
        code,
        subcode: None,
        transient: false,
    };
    for (name, kind) in [
        ("code 10", permission(10)),
        ("code 200", permission(200)),
        ("code 299", permission(299)),
    ] {
        let graph = fake(vec![Fault::always(kind)]);
        let o = send(&mapping, &graph.url(), &input, &["--retries", "1"]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
    }
    // The fake does not know the shop's pixel: code 100 subcode 33.
    let graph = FakeGraph::start(FakeConfig::new().now(NOW));
    let o = send(&mapping, &graph.url(), &input, &["--retries", "1"]);
    assert_eq!(o.status.code(), Some(2), "subcode 33: {}", stderr(&o));
}

/// Table, row 6: an HTTP answer that is not Graph's and not retryable (a 404 HTML page)
/// → 2, not retried.
#[test]
fn table_a_404_html_page_is_2_and_not_retried() {
    let (_dir, mapping, input) = small_run(1);
    let graph = fake(vec![Fault::always(FaultKind::Html(404))]);
    let o = send(&mapping, &graph.url(), &input, &["--retries", "3"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(graph.requests(), 1, "not retried");
}

/// Whether `text` says something is not valid ("is not valid", "is not a valid URL").
fn says_not_valid(text: &str) -> bool {
    let text = text.to_lowercase();
    text.contains("not valid") || text.contains("not a valid")
}

/// Table, row 7: an invalid `--graph-url` → 2 before anything is read, not retried, and
/// the message says the URL is not valid.
#[test]
fn table_an_invalid_graph_url_is_2_before_anything_is_read() {
    let (dir, mapping, input) = small_run(3);
    let failed = dir.path().join("failed.ndjson");
    let start = Instant::now();
    let o = tagc()
        .env("META_ACCESS_TOKEN", TOKEN)
        .args(["send", "--event", "purchase", "--mapping"])
        .arg(&mapping)
        .args(["--graph-url", "http://[::1", "--now", &NOW.to_string()])
        .args(["--retry-base-ms", "2000", "--failed"])
        .arg(&failed)
        .arg(&input)
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(says_not_valid(&err), "says the URL is not valid: {err}");
    assert!(
        failed_lines(&failed).is_empty(),
        "records were read: {:?}",
        std::fs::read_to_string(&failed)
    );
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "retried: {:?}",
        start.elapsed()
    );
}

/// Contract: "Empty input (no records) prints a warning on stderr (`warning: ... no
/// records ...`), exit 0."
#[test]
fn empty_input_warns_and_exits_0() {
    let (dir, mapping) = build_mapping("shop");
    let graph = fake(vec![]);
    for (name, content) in [("empty.ndjson", ""), ("blank.ndjson", "\n\n  \n")] {
        let input = dir.path().join(name);
        std::fs::write(&input, content).unwrap();
        let o = send(&mapping, &graph.url(), &input, &[]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(0), "{name}: {err}");
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
    let (dir, mapping) = build_mapping("shop");
    let utf16 = dir.path().join("orders-utf16.ndjson");
    let text = format!("{}\n", order(1));
    let bytes: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    std::fs::write(&utf16, bytes).unwrap();
    let graph = fake(vec![]);
    for input in [Path::new("/dev/zero"), utf16.as_path()] {
        let args = send_args(&mapping, &graph.url(), input, &[]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let start = Instant::now();
        let mut run = Running::start(
            dir.path(),
            &args,
            &[("META_ACCESS_TOKEN", TOKEN)],
            Some(4 << 20),
        );
        let status = run.wait_for(Duration::from_secs(10));
        let took = start.elapsed();
        let (_, err) = run.output();
        let status = status
            .unwrap_or_else(|| panic!("{}: still reading after 10 s: {err}", input.display()));
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
