//! The renderers of a verification report: snapshots of each format on a realistic report
//! with hostile strings, a well-formedness check of the JUnit XML, and counts that add up.

use tagc::verify::report;
use tagc::verify::{CheckKind, CheckResult, Location, Mismatch, Note, Outcome, Report};

fn loc(file: &str, line: u32, column: u32) -> Location {
    Location {
        file: file.to_owned(),
        line,
        column,
    }
}

fn mismatch(what: &str, expected: &str, actual: &str) -> Mismatch {
    Mismatch {
        what: what.to_owned(),
        expected: expected.to_owned(),
        actual: actual.to_owned(),
    }
}

fn check(
    id: &str,
    kind: CheckKind,
    title: &str,
    location: Location,
    outcome: Outcome,
    message: &str,
    mismatches: Vec<Mismatch>,
) -> CheckResult {
    CheckResult {
        id: id.to_owned(),
        kind,
        title: title.to_owned(),
        location,
        outcome,
        message: message.to_owned(),
        mismatches,
        notes: Vec::new(),
        sent: Vec::new(),
        millis: 0,
    }
}

/// A run of every kind and outcome, with hostile strings where the configuration or a page
/// could put them. Checks are in plan order (kinds interleaved on purpose).
fn realistic(sent_to_meta: bool) -> Report {
    use CheckKind::{Browser, Dedup, Server};
    use Outcome::{Assumed, Error, Failed, Passed, Skipped};
    let checks = vec![
        check(
            "server/purchase",
            Server,
            "Purchase from the orders.csv sample",
            loc("tagc.yaml", 41, 5),
            Passed,
            "",
            vec![],
        ),
        check(
            "server/lead",
            Server,
            "Lead, 100% of form submits",
            loc("events/lead.yaml", 7, 3),
            Failed,
            "Meta's rules reject the event",
            vec![
                mismatch(
                    "user_data.em",
                    "a SHA-256 hex digest",
                    "\"ana@example.com\" (not hashed)",
                ),
                mismatch(
                    "event_time",
                    "within the last 7 days",
                    "1970-01-01T00:00:00Z",
                ),
            ],
        ),
        CheckResult {
            notes: vec![
                Note::info("clicked <a.footer> \"Asistir presencial\" at (215, 408)"),
                Note::warning("the text \"Ver\" matches 2 visible elements;\n::error::forged"),
                Note::info(
                    "the page reported an error (not tagc's) in /app.js: TypeError: x is undefined",
                ),
            ],
            sent: vec![
                serde_json::json!(["init", "123456789012345"]),
                serde_json::json!(["track", "PageView"]),
                serde_json::json!(["track", "Lead", {"content_name": "Congreso </script>"}, {"eventID": "3f1c"}]),
            ],
            ..check(
                "browser/landing/page",
                Browser,
                "PageView on landing (“Bienvenidos” 🎉)",
                loc("tagc.yaml", 12, 3),
                Passed,
                "",
                vec![],
            )
        },
        check(
            "browser/landing/attend",
            Browser,
            "Lead on click of \"Asistir presencial\" </script><script>alert(1)</script> on landing",
            loc("tagc.yaml", 30, 7),
            Failed,
            "fbq calls differ::see below",
            vec![
                mismatch("fbq call 2: params.value", "49.9", "\"49.90\""),
                mismatch(
                    "fbq call 2: eventID",
                    "a value from data-event-id",
                    "(missing)",
                ),
                mismatch(
                    "::fbq call 3: params.content_name",
                    "Curso \"A\", 100%",
                    "::error::pwned\n::warning file=x::%0A",
                ),
            ],
        ),
        check(
            "browser/checkout/pay",
            Browser,
            "הרשמה לאירוע \u{1b}[31mred\u{7} & more",
            loc("pages/a:b, c.yaml", 3, 1),
            Error,
            "no browser: chromium exited\n::error::forged annotation\r\u{0}",
            vec![],
        ),
        check(
            "dedup/purchase",
            Dedup,
            "Purchase deduplicated (browser ↔ server)",
            loc("tagc.yaml", 41, 5),
            Failed,
            "the browser and server events would not be deduplicated",
            vec![mismatch(
                "event_id",
                "order-1001 (browser eventID)",
                "order_1001 (server event_id)",
            )],
        ),
        CheckResult {
            notes: vec![Note::info(
                "browser eventID = server event_id (from `order.id`) = \"ES-1001\"",
            )],
            ..check(
                "dedup/order",
                Dedup,
                "Purchase eventID in the browser equals event_id on the server",
                loc("tagc.yaml", 60, 7),
                Assumed,
                "assumed: the backend's `order.id` carries the page's data layer ecommerce.transaction_id\n::error::forged",
                vec![],
            )
        },
        check(
            "dedup/lead",
            Dedup,
            "Lead deduplicated",
            loc("events/lead.yaml", 7, 3),
            Skipped,
            "not selected (--only, --check)",
            vec![],
        ),
        check(
            "browser/product/load",
            Browser,
            "loading product fires PageView, ViewContent",
            loc("tagc.yaml", 50, 5),
            Skipped,
            "not verifiable on a real site: every URL pattern of page `product` (/p/{slug}) has parameters or wildcards",
            vec![],
        ),
        check(
            "browser/product/add",
            Browser,
            "clicking `button.add` on product fires AddToCart",
            loc("tagc.yaml", 55, 9),
            Skipped,
            "not verifiable on a real site: every URL pattern of page `product` (/p/{slug}) has parameters or wildcards",
            vec![],
        ),
    ];
    Report {
        env: "production".to_owned(),
        sent_to_meta,
        test_event_code: sent_to_meta.then(|| "TEST48213".to_owned()),
        browser_target: "harness pages on 127.0.0.1".to_owned(),
        checks,
        manual: vec![
            "Open Events Manager → Test Events for dataset 1234567890 and enter TEST48213"
                .to_owned(),
            "Check that Purchase shows \"Deduplicated\", 50% <b>bold</b>".to_owned(),
        ],
        notes: if sent_to_meta {
            vec![]
        } else {
            vec!["no META_ACCESS_TOKEN: server events were checked offline".to_owned()]
        },
    }
}

#[test]
fn human_offline() {
    insta::assert_snapshot!("human_offline", report::human(&realistic(false), false));
}

#[test]
fn human_sent() {
    insta::assert_snapshot!("human_sent", report::human(&realistic(true), false));
}

/// Strips `ESC [ … m` sequences.
fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn human_colour_is_only_paint() {
    let r = realistic(false);
    let plain = report::human(&r, false);
    let colour = report::human(&r, true);
    assert!(!plain.contains('\u{1b}'), "no escapes without colour");
    assert!(colour.contains("\u{1b}[1;32m✓\u{1b}[0m"));
    assert!(colour.contains("\u{1b}[1;31m✗\u{1b}[0m"));
    assert!(colour.contains("\u{1b}[1;33m!\u{1b}[0m"));
    assert!(colour.contains("\u{1b}[1;34m?\u{1b}[0m"));
    assert_eq!(strip_ansi(&colour), plain);
}

#[test]
fn human_shows_times_and_is_deterministic() {
    let mut r = realistic(true);
    r.checks[0].millis = 41;
    r.checks[3].millis = 1812;
    let a = report::human(&r, false);
    assert_eq!(a, report::human(&r, false));
    assert!(a.contains("  41 ms\n"), "{a}");
    assert!(a.contains("1812 ms\n"), "{a}");
}

#[test]
fn json_offline() {
    let r = realistic(false);
    let s = report::json(&r);
    insta::assert_snapshot!("json_offline", s);
    let v: serde_json::Value = serde_json::from_str(&s).expect("valid JSON");
    let checks: Vec<CheckResult> =
        serde_json::from_value(v["checks"].clone()).expect("checks read back");
    assert_eq!(checks, r.checks);
    let counts = r.counts();
    for (key, outcome) in [
        ("passed", Outcome::Passed),
        ("assumed", Outcome::Assumed),
        ("failed", Outcome::Failed),
        ("error", Outcome::Error),
        ("skipped", Outcome::Skipped),
    ] {
        assert_eq!(
            v["summary"][key].as_u64(),
            Some(counts.get(&outcome).copied().unwrap_or(0) as u64),
            "{key}"
        );
    }
}

#[test]
fn json_sent_header() {
    let v: serde_json::Value =
        serde_json::from_str(&report::json(&realistic(true))).expect("valid JSON");
    assert_eq!(v["version"], 1);
    assert_eq!(v["tool"], "tagc");
    assert_eq!(v["sent_to_meta"], true);
    assert_eq!(v["test_event_code"], "TEST48213");
}

#[test]
fn junit_offline() {
    insta::assert_snapshot!("junit_offline", report::junit(&realistic(false)));
}

#[test]
fn github_offline() {
    insta::assert_snapshot!("github_offline", report::github(&realistic(false)));
}

#[test]
fn github_sent() {
    insta::assert_snapshot!("github_sent", report::github(&realistic(true)));
}

#[test]
fn github_one_line_per_command() {
    let r = realistic(false);
    let s = report::github(&r);
    let c = r.counts();
    let n = |o| c.get(&o).copied().unwrap_or(0);
    // One per failure, one per error, one per check that passed with a warning, one per
    // check that passed on an assumption, the summary, the manual steps: no forged lines.
    let warned = r
        .checks
        .iter()
        .filter(|c| {
            c.outcome == Outcome::Passed
                && c.notes
                    .iter()
                    .any(|n| n.level == tagc::verify::NoteLevel::Warning)
        })
        .count();
    assert_eq!(warned, 1);
    assert_eq!(n(Outcome::Assumed), 1);
    let expected = n(Outcome::Failed) + n(Outcome::Error) + warned + n(Outcome::Assumed) + 2;
    assert_eq!(s.lines().count(), expected, "{s}");
    assert!(s.lines().all(|l| l.starts_with("::")), "{s}");
    assert_eq!(
        s.lines().filter(|l| l.starts_with("::error ")).count(),
        n(Outcome::Failed)
    );
    assert_eq!(
        s.lines().filter(|l| l.starts_with("::warning ")).count(),
        n(Outcome::Error) + warned
    );
    assert_eq!(
        s.lines()
            .filter(|l| l.starts_with("::notice ") && l.contains(" (assumed)::assumed: "))
            .count(),
        n(Outcome::Assumed)
    );
}

/// The GitHub Actions runner reads any log line that starts with `::` after spaces as a
/// workflow command; none of the formats meant to be printed may produce one from a value.
#[test]
fn no_forged_workflow_commands() {
    let r = realistic(false);
    for (name, text) in [
        ("human", report::human(&r, false)),
        ("junit", report::junit(&r)),
        ("json", report::json(&r)),
    ] {
        for line in text.lines() {
            assert!(!line.trim_start().starts_with("::"), "{name}: {line}");
        }
    }
}

#[test]
fn empty_report() {
    let r = Report {
        env: "staging".to_owned(),
        sent_to_meta: false,
        test_event_code: None,
        browser_target: "https://example.com".to_owned(),
        checks: vec![],
        manual: vec!["Look at Test Events".to_owned()],
        notes: vec![],
    };
    let human = report::human(&r, false);
    assert!(human.contains("no checks"), "{human}");
    assert!(
        human.contains("0 passed, 0 failed, 0 errors, 0 skipped"),
        "{human}"
    );
    let junit = report::junit(&r);
    let root = parse_xml(&junit).expect("well-formed");
    assert_eq!(root.attr("tests"), Some("0"));
    assert!(junit.contains("Look at Test Events"), "{junit}");
    assert_eq!(report::github(&r).lines().count(), 2);
}

// --- A small XML 1.0 well-formedness checker (no XML crate in the dependencies). ---

#[derive(Debug)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Element>,
    text: String,
}

impl Element {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn attr_num(&self, name: &str) -> usize {
        self.attr(name)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("<{}> has no numeric {name}", self.name))
    }

    fn all(&self, name: &str) -> Vec<&Element> {
        let mut out = Vec::new();
        for c in &self.children {
            if c.name == name {
                out.push(c);
            }
            out.extend(c.all(name));
        }
        out
    }
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn is_name_char(c: char, first: bool) -> bool {
    c.is_alphabetic()
        || c == '_'
        || c == ':'
        || (!first && (c.is_ascii_digit() || c == '-' || c == '.'))
}

struct Parser {
    s: Vec<char>,
    i: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, lit: &str) -> bool {
        let lit: Vec<char> = lit.chars().collect();
        if self.s[self.i..].starts_with(&lit) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.i += 1;
        }
    }

    fn name(&mut self) -> Result<String, String> {
        let start = self.i;
        while let Some(c) = self.peek() {
            if !is_name_char(c, self.i == start) {
                break;
            }
            self.i += 1;
        }
        if self.i == start {
            return Err(format!("name expected at {}", self.i));
        }
        Ok(self.s[start..self.i].iter().collect())
    }

    /// A reference after `&`, up to and including `;`.
    fn reference(&mut self) -> Result<char, String> {
        let start = self.i;
        let end = self.s[start..]
            .iter()
            .position(|&c| c == ';')
            .ok_or("unterminated reference")?;
        let r: String = self.s[start..start + end].iter().collect();
        self.i = start + end + 1;
        let c = match r.as_str() {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let n = if let Some(h) = r.strip_prefix("#x") {
                    u32::from_str_radix(h, 16)
                } else if let Some(d) = r.strip_prefix('#') {
                    d.parse()
                } else {
                    return Err(format!("unknown entity &{r};"));
                }
                .map_err(|_| format!("bad character reference &{r};"))?;
                char::from_u32(n).ok_or(format!("bad character reference &{r};"))?
            }
        };
        if !is_xml_char(c) {
            return Err(format!("reference to a non-XML character &{r};"));
        }
        Ok(c)
    }

    fn element(&mut self) -> Result<Element, String> {
        if !self.eat("<") {
            return Err(format!("< expected at {}", self.i));
        }
        let name = self.name()?;
        let mut attrs: Vec<(String, String)> = Vec::new();
        loop {
            let had_ws = matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r'));
            self.ws();
            if self.eat("/>") {
                return Ok(Element {
                    name,
                    attrs,
                    children: vec![],
                    text: String::new(),
                });
            }
            if self.eat(">") {
                break;
            }
            if !had_ws {
                return Err(format!("space expected before attribute at {}", self.i));
            }
            let an = self.name()?;
            self.ws();
            if !self.eat("=") {
                return Err(format!("= expected at {}", self.i));
            }
            self.ws();
            let q = self.peek().ok_or("eof in attribute")?;
            if q != '"' && q != '\'' {
                return Err(format!("quote expected at {}", self.i));
            }
            self.i += 1;
            let mut v = String::new();
            loop {
                let c = self.peek().ok_or("eof in attribute value")?;
                self.i += 1;
                match c {
                    c if c == q => break,
                    '<' => return Err(format!("< in attribute value at {}", self.i)),
                    '&' => v.push(self.reference()?),
                    c if !is_xml_char(c) => return Err(format!("non-XML char {c:?}")),
                    c => v.push(c),
                }
            }
            if attrs.iter().any(|(n, _)| *n == an) {
                return Err(format!("duplicate attribute {an}"));
            }
            attrs.push((an, v));
        }
        let mut children = Vec::new();
        let mut text = String::new();
        loop {
            match self.peek().ok_or(format!("eof inside <{name}>"))? {
                '<' => {
                    if self.eat("</") {
                        let end = self.name()?;
                        self.ws();
                        if !self.eat(">") || end != name {
                            return Err(format!("</{end}> closes <{name}>"));
                        }
                        return Ok(Element {
                            name,
                            attrs,
                            children,
                            text,
                        });
                    }
                    if matches!(self.s.get(self.i + 1), Some('!' | '?')) {
                        return Err("comments, CDATA and PIs are not expected".to_owned());
                    }
                    children.push(self.element()?);
                }
                '&' => {
                    self.i += 1;
                    text.push(self.reference()?);
                }
                c => {
                    if !is_xml_char(c) {
                        return Err(format!("non-XML char {c:?} in text"));
                    }
                    if c == '>' && self.s[..self.i].ends_with(&[']', ']']) {
                        return Err("]]> in text".to_owned());
                    }
                    self.i += 1;
                    text.push(c);
                }
            }
        }
    }
}

/// Parses a document: an optional XML declaration, one root element, whitespace.
fn parse_xml(doc: &str) -> Result<Element, String> {
    let mut p = Parser {
        s: doc.chars().collect(),
        i: 0,
    };
    if p.eat("<?xml") {
        let end = p.s[p.i..]
            .windows(2)
            .position(|w| w == ['?', '>'])
            .ok_or("unterminated declaration")?;
        p.i += end + 2;
    }
    p.ws();
    let root = p.element()?;
    p.ws();
    if p.i != p.s.len() {
        return Err(format!("content after the root element at {}", p.i));
    }
    Ok(root)
}

#[test]
fn the_xml_checker_rejects_what_it_should() {
    assert!(parse_xml("<a><b></b></a>").is_ok());
    assert!(parse_xml("<a><b></a></b>").is_err());
    assert!(parse_xml("<a>&nbsp;</a>").is_err());
    assert!(parse_xml("<a>&#1;</a>").is_err());
    assert!(parse_xml("<a>x\u{1}</a>").is_err());
    assert!(parse_xml("<a x=\"<\"/>").is_err());
    assert!(parse_xml("<a x=\"1\" x=\"2\"/>").is_err());
    assert!(parse_xml("<a/><b/>").is_err());
    assert!(parse_xml("<a>&</a>").is_err());
    assert_eq!(
        parse_xml("<a x=\"&lt;&#10;\">&amp;</a>").map(|e| (e.attrs, e.text)),
        Ok((vec![("x".to_owned(), "<\n".to_owned())], "&".to_owned()))
    );
}

#[test]
fn junit_is_well_formed_and_counts_add_up() {
    for sent in [false, true] {
        let r = realistic(sent);
        let xml = report::junit(&r);
        let root = parse_xml(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
        assert_eq!(root.name, "testsuites");
        assert_eq!(root.attr("name"), Some("tagc verify"));

        let counts = r.counts();
        let n = |o| counts.get(&o).copied().unwrap_or(0);
        assert_eq!(root.attr_num("tests"), r.checks.len());
        assert_eq!(root.attr_num("failures"), n(Outcome::Failed));
        assert_eq!(root.attr_num("errors"), n(Outcome::Error));
        // JUnit has no "assumed": such a check is a skipped test with the assumption as
        // its message, never a plain pass.
        let skipped = n(Outcome::Skipped) + n(Outcome::Assumed);
        assert_eq!(root.attr_num("skipped"), skipped);
        assert_eq!(root.all("testcase").len(), r.checks.len());
        assert_eq!(root.all("failure").len(), n(Outcome::Failed));
        assert_eq!(root.all("error").len(), n(Outcome::Error));
        assert_eq!(root.all("skipped").len(), skipped);

        // One suite per kind, in kind order, each with its own counts.
        let names: Vec<&str> = root
            .children
            .iter()
            .filter_map(|s| s.attr("name"))
            .collect();
        assert_eq!(names, ["server", "browser", "dedup"]);
        let mut sum = [0usize; 4];
        for suite in &root.children {
            assert_eq!(suite.name, "testsuite");
            let cases = suite.all("testcase");
            assert_eq!(suite.attr_num("tests"), cases.len());
            assert_eq!(suite.attr_num("failures"), suite.all("failure").len());
            assert_eq!(suite.attr_num("errors"), suite.all("error").len());
            assert_eq!(suite.attr_num("skipped"), suite.all("skipped").len());
            for (i, key) in ["tests", "failures", "errors", "skipped"]
                .iter()
                .enumerate()
            {
                sum[i] += suite.attr_num(key);
            }
            let kind = suite.attr("name").unwrap_or_default();
            for case in cases {
                assert_eq!(
                    case.attr("classname"),
                    Some(format!("tagc.verify.{kind}").as_str())
                );
            }
        }
        assert_eq!(
            sum,
            [
                r.checks.len(),
                n(Outcome::Failed),
                n(Outcome::Error),
                skipped
            ]
        );

        // Hostile strings survive as text, not markup.
        let attend = root
            .all("testcase")
            .into_iter()
            .find(|c| {
                c.attr("name")
                    .is_some_and(|n| n.starts_with("browser/landing/attend"))
            })
            .expect("attend case");
        assert!(
            attend
                .attr("name")
                .is_some_and(|n| n.contains("</script><script>"))
        );
        // The manual steps ride on the first suite.
        assert!(
            root.children[0].all("system-out")[0]
                .text
                .contains("2. Check that Purchase")
        );
    }
}

#[test]
fn junit_times_are_seconds() {
    let mut r = realistic(true);
    r.checks[0].millis = 41;
    r.checks[2].millis = 1812;
    let root = parse_xml(&report::junit(&r)).expect("well-formed");
    assert_eq!(root.attr("time"), Some("1.853"));
    assert_eq!(root.children[0].attr("time"), Some("0.041"));
    assert_eq!(root.children[1].attr("time"), Some("1.812"));
}
