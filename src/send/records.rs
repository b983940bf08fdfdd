//! Streaming record readers: NDJSON (one JSON object per line) and CSV (a header row;
//! dotted column names such as `customer.email` become nested objects, so the same
//! mapping paths work for both).
//!
//! Records are read one at a time, so memory stays flat however long the input is.

use std::io::BufRead;

use serde_json::{Map, Value};

/// The key `tagc send --failed` adds to a record to say why it failed. It is ignored (and
/// removed) when the file is read back, so a failed file can be sent again as it is.
pub const FAILURE_KEY: &str = "_tagc";

/// The input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordFormat {
    /// One JSON object per line; blank lines are skipped.
    Ndjson,
    /// Comma-separated values with a header row.
    Csv,
}

/// One input record, or why a line is not one.
#[derive(Debug)]
pub enum Record {
    /// A record and the line it starts on (1-based).
    Ok {
        /// The line number.
        line: u64,
        /// CSV only: the row as a spreadsheet numbers it (the header is row 1, a blank row
        /// counts, a quoted field over several lines is one row).
        row: Option<u64>,
        /// The record object.
        value: Value,
        /// The record's JSON text as read (NDJSON only), kept for the failed file instead
        /// of the parsed record, which is larger and slower to keep.
        raw: Option<Box<[u8]>>,
        /// A line of a failed file that failed for one pixel only: send it only there
        /// (the other pixels already have the event).
        only_pixel: Option<String>,
    },
    /// A line that is not a record.
    Bad {
        /// The line number.
        line: u64,
        /// Why (never the line's content).
        reason: String,
        /// The raw line, kept for the failed file (it is the user's own input).
        raw: String,
    },
}

/// The longest line accepted, in bytes (a record is not a document).
pub const MAX_LINE: usize = 1 << 20;

/// The most dotted levels a CSV column name may have (`a.b.c` is 3).
pub const MAX_HEADER_DEPTH: usize = 32;

/// Reads records from `input`.
pub struct Records<R> {
    input: R,
    format: RecordFormat,
    line: u64,
    buf: Vec<u8>,
    header: Option<Vec<Vec<String>>>,
    /// CSV rows read, the header included.
    rows: u64,
    done: bool,
}

impl<R: BufRead> Records<R> {
    /// A reader of `format` records.
    pub fn new(input: R, format: RecordFormat) -> Records<R> {
        Records {
            input,
            format,
            line: 0,
            buf: Vec::with_capacity(1024),
            header: None,
            rows: 0,
            done: false,
        }
    }

    /// Reads one physical line into `buf` (without the line ending); `Ok(false)` at EOF.
    fn read_line(&mut self) -> std::io::Result<bool> {
        self.buf.clear();
        let mut limited = std::io::Read::take(&mut self.input, MAX_LINE as u64 + 1);
        let n = limited.read_until(b'\n', &mut self.buf)?;
        if n == 0 {
            return Ok(false);
        }
        self.line += 1;
        if self.buf.len() > MAX_LINE && self.buf.last() != Some(&b'\n') {
            // Skip the rest of an overlong line.
            let mut sink = Vec::new();
            loop {
                sink.clear();
                let m =
                    std::io::Read::take(&mut self.input, 1 << 16).read_until(b'\n', &mut sink)?;
                if m == 0 || sink.last() == Some(&b'\n') {
                    break;
                }
            }
            self.buf.truncate(MAX_LINE + 1);
            return Ok(true);
        }
        while matches!(self.buf.last(), Some(b'\n' | b'\r')) {
            self.buf.pop();
        }
        Ok(true)
    }

    fn ndjson(&mut self) -> Option<std::io::Result<Record>> {
        loop {
            match self.read_line() {
                Err(e) => return Some(Err(e)),
                Ok(false) => return None,
                Ok(true) => {}
            }
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let line = self.line;
            if self.buf.len() > MAX_LINE {
                return Some(Ok(Record::Bad {
                    line,
                    reason: format!("longer than {MAX_LINE} bytes (not kept)"),
                    raw: String::new(),
                }));
            }
            let bytes = self.buf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&self.buf);
            return Some(Ok(match serde_json::from_slice::<Value>(bytes) {
                Ok(Value::Object(mut o)) => {
                    let note = o.remove(FAILURE_KEY);
                    let pixel = note
                        .as_ref()
                        .and_then(|n| n.get("pixel"))
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    let old_raw = note
                        .as_ref()
                        .and_then(|n| n.get("raw"))
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    match old_raw {
                        // A line that was not a record in an earlier run still is not one.
                        Some(raw) if o.is_empty() => Record::Bad {
                            line,
                            reason: "not a record (kept from an earlier run)".to_owned(),
                            raw,
                        },
                        _ => Record::Ok {
                            line,
                            row: None,
                            value: Value::Object(o),
                            // A re-sent failure's old note must not come back with the record.
                            raw: note.is_none().then(|| bytes.into()),
                            only_pixel: pixel,
                        },
                    }
                }
                Ok(_) => Record::Bad {
                    line,
                    reason: "not a JSON object".to_owned(),
                    raw: String::from_utf8_lossy(bytes).into_owned(),
                },
                Err(e) => Record::Bad {
                    line,
                    reason: format!("not JSON: {}", json_error(&e)),
                    raw: String::from_utf8_lossy(bytes).into_owned(),
                },
            }));
        }
    }

    fn csv(&mut self) -> Option<std::io::Result<Record>> {
        loop {
            let start = self.line + 1;
            let fields = match self.csv_row() {
                Err(e) => return Some(Err(e)),
                Ok(None) => return None,
                Ok(Some(f)) => f,
            };
            self.rows += 1;
            let fields = match fields {
                Ok(f) => f,
                Err(reason) => {
                    return Some(Ok(Record::Bad {
                        line: start,
                        reason,
                        raw: String::new(),
                    }));
                }
            };
            if fields.len() == 1 && fields[0].trim().is_empty() {
                continue;
            }
            let Some(header) = &self.header else {
                let mut cols: Vec<Vec<String>> = fields
                    .iter()
                    .map(|h| h.trim().split('.').map(str::to_owned).collect())
                    .collect();
                if let Some(deep) = cols.iter().position(|c| c.len() > MAX_HEADER_DEPTH) {
                    return Some(Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!(
                            "CSV column {} nests deeper than {MAX_HEADER_DEPTH} levels",
                            deep + 1
                        ),
                    )));
                }
                if let Some(first) = cols.first_mut().and_then(|c| c.first_mut())
                    && let Some(rest) = first.strip_prefix('\u{feff}')
                {
                    *first = rest.to_owned();
                }
                self.header = Some(cols);
                continue;
            };
            if fields.len() != header.len() {
                return Some(Ok(Record::Bad {
                    line: start,
                    reason: format!(
                        "has {} columns; the header has {}",
                        fields.len(),
                        header.len()
                    ),
                    raw: fields.join(","),
                }));
            }
            let mut root = Map::new();
            for (path, value) in header.iter().zip(fields) {
                if value.is_empty() || path.first().is_some_and(|p| p == FAILURE_KEY) {
                    continue;
                }
                crate::mapping::insert_at(&mut root, path, Value::String(value));
            }
            return Some(Ok(Record::Ok {
                line: start,
                row: Some(self.rows),
                value: Value::Object(root),
                raw: None,
                only_pixel: None,
            }));
        }
    }

    /// One CSV row (RFC 4180: quoted fields may hold commas, quotes and line breaks).
    #[allow(clippy::type_complexity)]
    fn csv_row(&mut self) -> std::io::Result<Option<Result<Vec<String>, String>>> {
        if !self.read_line()? {
            return Ok(None);
        }
        if self.buf.len() > MAX_LINE {
            return Ok(Some(Err(format!("longer than {MAX_LINE} bytes"))));
        }
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut text = String::from_utf8_lossy(&self.buf).into_owned();
        let mut in_quotes = false;
        let mut quoted = false;
        loop {
            let mut chars = text.chars().peekable();
            while let Some(c) = chars.next() {
                match (in_quotes, c) {
                    (true, '"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    (true, '"') => in_quotes = false,
                    (true, c) => field.push(c),
                    (false, '"') if field.is_empty() && !quoted => {
                        in_quotes = true;
                        quoted = true;
                    }
                    (false, ',') => {
                        fields.push(std::mem::take(&mut field));
                        quoted = false;
                    }
                    (false, c) => field.push(c),
                }
            }
            if !in_quotes {
                break;
            }
            // A quoted field spans lines.
            if field.len() > MAX_LINE {
                return Ok(Some(Err("a quoted field is never closed".to_owned())));
            }
            if !self.read_line()? {
                return Ok(Some(Err("a quoted field is never closed".to_owned())));
            }
            if self.buf.len() > MAX_LINE {
                return Ok(Some(Err(format!(
                    "a quoted field runs over a line longer than {MAX_LINE} bytes"
                ))));
            }
            field.push('\n');
            text = String::from_utf8_lossy(&self.buf).into_owned();
        }
        fields.push(field);
        Ok(Some(Ok(fields)))
    }
}

impl<R: BufRead> Iterator for Records<R> {
    type Item = std::io::Result<Record>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let r = match self.format {
            RecordFormat::Ndjson => self.ndjson(),
            RecordFormat::Csv => self.csv(),
        };
        if r.is_none() {
            self.done = true;
        }
        r
    }
}

/// A JSON parse error without the input's text.
fn json_error(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    // serde_json appends " at line L column C"; the line is always 1 here.
    match msg.rsplit_once(" at line ") {
        Some((what, pos)) => {
            let col = pos.rsplit_once("column ").map_or("", |(_, c)| c);
            format!("{what} at column {col}")
        }
        None => msg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(text: &str, format: RecordFormat) -> Vec<Result<(u64, Value), (u64, String)>> {
        Records::new(text.as_bytes(), format)
            .map(|r| match r.expect("io") {
                Record::Ok { line, value, .. } => Ok((line, value)),
                Record::Bad { line, reason, .. } => Err((line, reason)),
            })
            .collect()
    }

    #[test]
    fn ndjson_skips_blank_lines_and_reports_bad_ones_by_line() {
        let got = read(
            "{\"a\":1}\n\n[1]\n{\"_tagc\":{\"reason\":\"x\"},\"b\":2}\r\n{oops\n",
            RecordFormat::Ndjson,
        );
        assert_eq!(got[0], Ok((1, json!({"a": 1}))));
        assert_eq!(got[1], Err((3, "not a JSON object".into())));
        assert_eq!(
            got[2],
            Ok((4, json!({"b": 2}))),
            "the failure note is dropped"
        );
        assert!(matches!(&got[3], Err((5, r)) if r.starts_with("not JSON")));
        assert_eq!(got.len(), 4);
    }

    #[test]
    fn csv_builds_nested_records_and_handles_quotes() {
        let got = read(
            "\u{feff}order.id,customer.email,note\nA1,a@b.co,\"x, \"\"y\"\"\nz\"\nA2,,\nA3,b\n",
            RecordFormat::Csv,
        );
        assert_eq!(
            got[0],
            Ok((
                2,
                json!({"order": {"id": "A1"}, "customer": {"email": "a@b.co"}, "note": "x, \"y\"\nz"})
            ))
        );
        assert_eq!(
            got[1],
            Ok((4, json!({"order": {"id": "A2"}}))),
            "empty cells are missing"
        );
        assert_eq!(got[2], Err((5, "has 2 columns; the header has 3".into())));
    }

    #[test]
    fn csv_rows_are_numbered_like_a_spreadsheet() {
        let text = "id,note\nA1,\"two\nlines\"\n\nA2,x\n";
        let rows: Vec<(u64, Option<u64>)> = Records::new(text.as_bytes(), RecordFormat::Csv)
            .filter_map(|r| match r.expect("io") {
                Record::Ok { line, row, .. } => Some((line, row)),
                Record::Bad { .. } => None,
            })
            .collect();
        assert_eq!(rows, [(2, Some(2)), (5, Some(4))]);
        let ndjson = Records::new("{}\n".as_bytes(), RecordFormat::Ndjson).next();
        assert!(matches!(ndjson, Some(Ok(Record::Ok { row: None, .. }))));
    }

    #[test]
    fn overlong_lines_are_refused_without_reading_them_whole() {
        let mut text = "{\"a\":\"".to_owned();
        text.push_str(&"x".repeat(MAX_LINE + 10));
        text.push_str("\"}\n{\"b\":1}\n");
        let got = read(&text, RecordFormat::Ndjson);
        assert!(matches!(&got[0], Err((1, r)) if r.contains("longer than")));
        assert_eq!(got[1], Ok((2, json!({"b": 1}))));
        // The same in CSV, quoted or not: the line fails, the next record survives.
        for quote in ["", "\""] {
            let text = format!("a,b\n1,{quote}{}{quote}\n2,ok\n", "x".repeat(MAX_LINE + 10));
            let got = read(&text, RecordFormat::Csv);
            assert!(
                matches!(&got[0], Err((2, r)) if r.contains("longer than")),
                "{got:?}"
            );
            assert_eq!(
                got.last(),
                Some(&Ok((3, json!({"a": "2", "b": "ok"})))),
                "{quote}"
            );
        }
    }

    #[test]
    fn deeply_nested_csv_headers_are_refused() {
        let header = vec!["a"; MAX_HEADER_DEPTH + 1].join(".");
        let text = format!("{header}\n1\n");
        let mut r = Records::new(text.as_bytes(), RecordFormat::Csv);
        assert!(matches!(r.next(), Some(Err(e)) if e.to_string().contains("nests deeper")));
    }

    #[test]
    fn failed_file_lines_keep_their_pixel_and_their_raw_text() {
        let text = "{\"_tagc\":{\"raw\":\"{oops\",\"stage\":\"input\"}}\n{\"a\":1,\"_tagc\":{\"pixel\":\"42\"}}\n";
        let mut r = Records::new(text.as_bytes(), RecordFormat::Ndjson);
        assert!(matches!(r.next(), Some(Ok(Record::Bad { raw, .. })) if raw == "{oops"));
        assert!(
            matches!(r.next(), Some(Ok(Record::Ok { only_pixel: Some(p), raw: None, .. })) if p == "42")
        );
    }
}
