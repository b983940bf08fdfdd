//! The read stage: streaming record readers for NDJSON (one JSON object per line) and CSV
//! (a header row; dotted column names such as `customer.email` become nested objects, so
//! the same mapping paths work for both).
//!
//! Records are read one at a time, so memory stays flat however long the input is. Every
//! physical line ends up in a record, in a [`Record::Bad`] naming it, or is blank: nothing
//! is skipped silently. A CSV quoted field may run over at most [`MAX_ROW_LINES`] lines
//! and [`MAX_LINE`] bytes; a row that runs past that, or that spans lines and then has the
//! wrong number of columns (a stray quote swallowing the rows after it), is reported as
//! one bad line and reading resumes at the line after it.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::io::BufRead;

use base64::Engine as _;
use serde_json::{Map, Value};

pub use super::lines::MAX_LINE;
use super::lines::{Line, Lines};
use crate::record_path::TopLevel;

/// The key `tagc send --failed` adds to a record to say why it failed. It is ignored (and
/// removed) when the file is read back, so a failed file can be sent again as it is.
pub const FAILURE_KEY: &str = "_tagc";

/// The most physical lines one CSV row may span (a quoted field with line breaks).
pub const MAX_ROW_LINES: usize = 64;

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
    /// A record and the lines it spans (1-based).
    Ok {
        /// The line it starts on.
        line: u64,
        /// The line it ends on (a CSV quoted field may span lines).
        end: u64,
        /// CSV only: the row as a spreadsheet numbers it (the header is row 1, a blank row
        /// counts, a quoted field over several lines is one row).
        row: Option<u64>,
        /// The record object. Its NDJSON text as read, which the failed file keeps byte
        /// for byte, is [`Records::raw_line`] until the next record is read.
        value: Value,
        /// A line of a failed file that failed for one pixel only: send it only there
        /// (the other pixels already have the event).
        only_pixel: Option<String>,
    },
    /// A line that is not a record.
    Bad {
        /// The line number.
        line: u64,
        /// CSV only: the row as a spreadsheet numbers it.
        row: Option<u64>,
        /// Why (never the line's content).
        reason: String,
        /// The line's bytes as read, kept for the failed file (it is the user's own
        /// input); empty for a line too long to keep.
        raw: Vec<u8>,
    },
}

/// The most dotted levels a CSV column name may have (`a.b.c` is 3).
pub const MAX_HEADER_DEPTH: usize = 32;

/// Reads records from `input`.
pub struct Records<R> {
    lines: Lines<R>,
    format: RecordFormat,
    line: Line,
    /// CSV lines read ahead and given back (after a malformed multi-line row).
    pushback: VecDeque<Line>,
    header: Option<Vec<Vec<String>>>,
    /// CSV rows read, the header included.
    rows: u64,
    /// Lines up to this one are skipped (`--skip`), except a CSV header.
    skip: u64,
    done: bool,
}

impl<R: BufRead> Records<R> {
    /// A reader of `format` records.
    pub fn new(input: R, format: RecordFormat) -> Records<R> {
        Records {
            lines: Lines::new(input),
            format,
            line: Line::default(),
            pushback: VecDeque::new(),
            header: None,
            rows: 0,
            skip: 0,
            done: false,
        }
    }

    /// The text of the NDJSON record just read, as read (its byte-order mark left out),
    /// until the next one is read; `None` for CSV.
    pub fn raw_line(&self) -> Option<&[u8]> {
        (self.format == RecordFormat::Ndjson).then(|| strip_bom(&self.line.bytes))
    }

    /// Skips the first `lines` input lines (`tagc send --skip N`), reading a CSV header
    /// all the same; line numbers still count from the start of the input.
    #[must_use]
    pub fn skip(mut self, lines: u64) -> Records<R> {
        self.skip = lines;
        self
    }

    /// The lines skipped with [`Records::skip`].
    pub fn skipped(&self) -> u64 {
        self.skip
    }

    /// The number of the last physical line read from the input.
    pub fn lines_read(&self) -> u64 {
        self.lines.number()
    }

    /// Reads the next line into `self.line`, honouring `--skip`; `Ok(false)` at the end.
    fn next_line(&mut self) -> std::io::Result<bool> {
        loop {
            if let Some(l) = self.pushback.pop_front() {
                self.line = l;
            } else if !self.lines.next_into(&mut self.line)? {
                return Ok(false);
            }
            let header_pending = self.format == RecordFormat::Csv && self.header.is_none();
            if self.line.number <= self.skip && !header_pending {
                // A skipped line is a row to a spreadsheet too (rows keep their numbers).
                self.rows += u64::from(self.format == RecordFormat::Csv);
                continue;
            }
            return Ok(true);
        }
    }

    /// The next NDJSON line that is not blank, unparsed: `Ok(Err(bad))` for a line too
    /// long to keep.
    fn ndjson_line(&mut self) -> Option<std::io::Result<Result<u64, Record>>> {
        loop {
            match self.next_line() {
                Err(e) => return Some(Err(e)),
                Ok(false) => return None,
                Ok(true) => {}
            }
            let line = self.line.number;
            if self.line.overlong {
                return Some(Ok(Err(Record::Bad {
                    line,
                    row: None,
                    reason: format!("longer than {MAX_LINE} bytes (not kept)"),
                    raw: Vec::new(),
                })));
            }
            if self.line.bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Some(Ok(Ok(line)));
        }
    }

    fn ndjson(&mut self) -> Option<std::io::Result<Record>> {
        Some(self.ndjson_line()?.map(|l| match l {
            Ok(line) => parse_ndjson(line, strip_bom(&self.line.bytes)),
            Err(bad) => bad,
        }))
    }

    /// The next item without parsing an NDJSON line: [`Unparsed::Line`] is its text
    /// (byte-order mark left out), for [`parse_ndjson`] on any thread; a CSV record, or a
    /// line that is not one, comes as [`Unparsed::Record`]. Like the iterator, nothing
    /// more is read after the end or an error.
    pub fn next_unparsed(&mut self) -> Option<std::io::Result<Unparsed<'_>>> {
        if self.done {
            return None;
        }
        let r = match self.format {
            RecordFormat::Ndjson => match self.ndjson_line() {
                Some(Ok(Ok(line))) => {
                    return Some(Ok(Unparsed::Line {
                        line,
                        text: strip_bom(&self.line.bytes),
                    }));
                }
                Some(Ok(Err(bad))) => Some(Ok(bad)),
                Some(Err(e)) => Some(Err(e)),
                None => None,
            },
            RecordFormat::Csv => self.csv(),
        };
        if !matches!(r, Some(Ok(_))) {
            self.done = true;
        }
        r.map(|r| r.map(Unparsed::Record))
    }

    fn csv(&mut self) -> Option<std::io::Result<Record>> {
        loop {
            let row = match self.csv_row() {
                Err(e) => return Some(Err(e)),
                Ok(None) => return None,
                Ok(Some(r)) => r,
            };
            self.rows += 1;
            let fields = match row.fields {
                Ok(f) => f,
                Err((reason, raw)) => {
                    return Some(Ok(Record::Bad {
                        line: row.start,
                        row: Some(self.rows),
                        reason,
                        raw,
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
                    line: row.start,
                    row: Some(self.rows),
                    reason: format!(
                        "has {} columns; the header has {}",
                        fields.len(),
                        header.len()
                    ),
                    raw: row.first_line,
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
                line: row.start,
                end: row.end,
                row: Some(self.rows),
                value: Value::Object(root),
                only_pixel: None,
            }));
        }
    }

    /// One CSV row (RFC 4180: quoted fields may hold commas, quotes and line breaks),
    /// within the bounds; a row that breaks them is its first line alone, as a bad one,
    /// and the lines read after it are given back to be read again.
    fn csv_row(&mut self) -> std::io::Result<Option<CsvRow>> {
        if !self.next_line()? {
            return Ok(None);
        }
        let start = self.line.number;
        let first = std::mem::take(&mut self.line);
        let bad = |reason: String, raw: Vec<u8>| CsvRow {
            start,
            end: start,
            fields: Err((reason, raw)),
            first_line: Vec::new(),
        };
        if first.overlong {
            return Ok(Some(bad(
                format!("longer than {MAX_LINE} bytes"),
                Vec::new(),
            )));
        }
        let Ok(text) = std::str::from_utf8(strip_bom(&first.bytes)) else {
            return Ok(Some(bad(not_utf8(), first.bytes)));
        };
        let mut state = CsvState::default();
        state.feed(text);
        if !state.in_quotes {
            return Ok(Some(CsvRow {
                start,
                end: start,
                fields: Ok(state.finish()),
                first_line: first.bytes,
            }));
        }
        // A quoted field runs over the line: read on, within the bounds.
        let mut taken: Vec<Line> = Vec::new();
        let mut bytes = first.bytes.len();
        let why = loop {
            if taken.len() + 1 >= MAX_ROW_LINES || bytes > MAX_LINE {
                break format!(
                    "a quoted field opened on this line is not closed within {MAX_ROW_LINES} lines or {} KiB",
                    MAX_LINE >> 10
                );
            }
            if !self.next_line()? {
                break "a quoted field opened on this line is never closed".to_owned();
            }
            let next = std::mem::take(&mut self.line);
            bytes += next.bytes.len() + 1;
            let ok = !next.overlong && std::str::from_utf8(&next.bytes).is_ok();
            taken.push(next);
            let Some(last) = taken.last().filter(|_| ok) else {
                break "a quoted field opened on this line runs into a line that cannot be read"
                    .to_owned();
            };
            state.field.push('\n');
            state.feed(std::str::from_utf8(&last.bytes).unwrap_or_default());
            if state.in_quotes {
                continue;
            }
            let fields = state.finish();
            let columns = self.header.as_ref().map(Vec::len);
            match columns {
                Some(n) if n != fields.len() => {
                    break format!(
                        "a quoted field opened on this line closes {} lines later, leaving {} columns where the header has {n} (a stray quote?)",
                        taken.len(),
                        fields.len()
                    );
                }
                _ => {
                    return Ok(Some(CsvRow {
                        start,
                        end: taken.last().map_or(start, |l| l.number),
                        fields: Ok(fields),
                        first_line: first.bytes,
                    }));
                }
            }
        };
        // The first line alone is bad; the lines after it are read again as rows.
        for l in taken.into_iter().rev() {
            self.pushback.push_front(l);
        }
        Ok(Some(bad(
            format!("{why}; reading resumes at the next line"),
            first.bytes,
        )))
    }
}

/// An item of [`Records::next_unparsed`].
#[derive(Debug)]
pub enum Unparsed<'a> {
    /// An NDJSON line that is not blank, as read: [`parse_ndjson`] makes it a record.
    Line {
        /// Its number (1-based).
        line: u64,
        /// Its bytes, the byte-order mark left out.
        text: &'a [u8],
    },
    /// A CSV record, or a line that is not a record.
    Record(Record),
}

/// The record an NDJSON line holds (`text` without its byte-order mark), or why it holds
/// none. A line of a failed file gets its `_tagc` note removed (and read).
#[must_use]
pub fn parse_ndjson(line: u64, text: &[u8]) -> Record {
    let bytes = text;
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(mut o)) => {
            let note = o.remove(FAILURE_KEY);
            let field = |k: &str| {
                note.as_ref()
                    .and_then(|n| n.get(k))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            let old_raw = field("raw").map(String::into_bytes).or_else(|| {
                field("raw_b64")
                    .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            });
            match old_raw {
                // A line that was not a record in an earlier run still is not one.
                Some(raw) if o.is_empty() => Record::Bad {
                    line,
                    row: None,
                    reason: "not a record (kept from an earlier run)".to_owned(),
                    raw,
                },
                _ => Record::Ok {
                    line,
                    end: line,
                    row: None,
                    value: Value::Object(o),
                    only_pixel: field("pixel"),
                },
            }
        }
        Ok(_) => Record::Bad {
            line,
            row: None,
            reason: "not a JSON object".to_owned(),
            raw: bytes.to_vec(),
        },
        Err(_) if std::str::from_utf8(bytes).is_err() => Record::Bad {
            line,
            row: None,
            reason: "not UTF-8 text (its bytes are kept as they were)".to_owned(),
            raw: bytes.to_vec(),
        },
        Err(e) => Record::Bad {
            line,
            row: None,
            reason: format!("not JSON: {}", json_error(&e)),
            raw: bytes.to_vec(),
        },
    }
}

/// An NDJSON line read for a mapping: [`parse_ndjson_fields`].
#[derive(Debug)]
pub enum Fields<'k> {
    /// A record: the top-level fields the mapping reads.
    Record {
        /// Those fields.
        fields: TopLevel<'k>,
        /// A line of a failed file that failed for one pixel only: that pixel.
        only_pixel: Option<String>,
    },
    /// What [`parse_ndjson`] makes of a line this reading does not take: a line that is
    /// not a record, or (never in practice) a record after all.
    Other(Record),
}

/// Reads an NDJSON line as [`parse_ndjson`] does, keeping only the top-level fields
/// named in `keys` (a mapping's [`crate::mapping::Mapper::top_keys`]): their values are
/// parsed as before, exact numbers and all; the other values are checked as strictly
/// (nesting depth, strings, numbers) but not kept, and no key is copied unless it has an
/// escape. A line it cannot read goes to [`parse_ndjson`], for the same verdict and reason.
#[must_use]
pub fn parse_ndjson_fields<'k>(line: u64, text: &[u8], keys: &'k [&'k str]) -> Fields<'k> {
    use serde::de::DeserializeSeed as _;
    let fast = std::str::from_utf8(text).ok().and_then(|text| {
        let mut de = serde_json::Deserializer::from_str(text);
        let read = TopSeed {
            fields: TopLevel::new(keys),
        }
        .deserialize(&mut de)
        .ok()?;
        de.end().ok()?;
        Some(read)
    });
    match fast {
        Some((fields, note, others)) => {
            let field = |k: &str| {
                note.as_ref()
                    .and_then(|n| n.get(k))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            if !others && (field("raw").is_some() || field("raw_b64").is_some()) {
                // A line kept from an earlier run: as parse_ndjson says.
                return Fields::Other(parse_ndjson(line, text));
            }
            Fields::Record {
                fields,
                only_pixel: field("pixel"),
            }
        }
        None => Fields::Other(parse_ndjson(line, text)),
    }
}

/// Reads a top-level object: the fields named, the failure note, and whether it has any
/// other key.
struct TopSeed<'k> {
    fields: TopLevel<'k>,
}

impl<'de, 'k> serde::de::DeserializeSeed<'de> for TopSeed<'k> {
    type Value = (TopLevel<'k>, Option<Value>, bool);

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, 'k> serde::de::Visitor<'de> for TopSeed<'k> {
    type Value = (TopLevel<'k>, Option<Value>, bool);

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = self.fields;
        let mut note = None;
        let mut others = false;
        while let Some(Key(key)) = map.next_key()? {
            if key == FAILURE_KEY {
                note = Some(map.next_value::<Value>()?);
                continue;
            }
            others = true;
            if let Some(slot) = fields.slot(&key) {
                let value = map.next_value::<Value>()?;
                fields.set(slot, value);
            } else {
                map.next_value::<Skip>()?;
            }
        }
        Ok((fields, note, others))
    }
}

/// An object key, borrowed from the line unless it has an escape.
struct Key<'de>(Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// A value read as strictly as a [`Value`] (through the same parser paths: nesting depth,
/// string escapes, number syntax) and dropped without being built.
struct Skip;

impl<'de> serde::Deserialize<'de> for Skip {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Skip)
    }
}

impl<'de> serde::de::Visitor<'de> for Skip {
    type Value = Skip;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_str<E>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_unit<E>(self) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_none<E>(self) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(Skip)
    }
}

/// One CSV row as read.
struct CsvRow {
    start: u64,
    end: u64,
    /// The fields, or why the row is bad and the bytes to keep.
    fields: Result<Vec<String>, (String, Vec<u8>)>,
    /// The row's first line as read.
    first_line: Vec<u8>,
}

/// The RFC 4180 state of a row being read.
#[derive(Default)]
struct CsvState {
    fields: Vec<String>,
    field: String,
    in_quotes: bool,
    quoted: bool,
}

impl CsvState {
    fn feed(&mut self, text: &str) {
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match (self.in_quotes, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    self.field.push('"');
                }
                (true, '"') => self.in_quotes = false,
                (true, c) => self.field.push(c),
                (false, '"') if self.field.is_empty() && !self.quoted => {
                    self.in_quotes = true;
                    self.quoted = true;
                }
                (false, ',') => {
                    self.fields.push(std::mem::take(&mut self.field));
                    self.quoted = false;
                }
                (false, c) => self.field.push(c),
            }
        }
    }

    fn finish(&mut self) -> Vec<String> {
        self.fields.push(std::mem::take(&mut self.field));
        self.quoted = false;
        std::mem::take(&mut self.fields)
    }
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

fn not_utf8() -> String {
    "not UTF-8 text (its bytes are kept as they were): convert the export with `iconv -f WINDOWS-1252 -t UTF-8` or from the encoding it was written in".to_owned()
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
        if !matches!(r, Some(Ok(_))) {
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

    /// The mapping's reading keeps exactly what the whole record has at those keys, and
    /// says of every other line what the whole reading says.
    #[test]
    fn reading_only_the_mappings_keys_agrees_with_reading_everything() {
        use crate::record_path::{Record as _, RecordPath};
        let keys = ["id", "em", "n", "deep", "xA"];
        let lines: [&[u8]; 12] = [
            br#"{"id": 123456789012345678901234, "em": " A@B.co ", "other": [1, {"z": null}]}"#,
            br#"{"id": 1, "id": 2.50, "em": null, "deep": {"a": [1, "b"]}}"#,
            br#"{"n": 1e400, "other": "\ud83d\ude00"}"#,
            br#"{"x\u0041": "escaped key", "xA": 1}"#,
            br#"{"other": "\ud800"}"#,
            br#"[1, 2]"#,
            br#"{"a": 1,}"#,
            br#"{"a": 1} x"#,
            b"{\"a\": \"\xff\"}",
            br#"{"_tagc": {"raw": "{oops"}}"#,
            br#"{"em": "a@b.co", "_tagc": {"pixel": "42", "raw": "x"}}"#,
            br#"{}"#,
        ];
        let mut deep = String::from("{\"other\": ");
        deep.push_str(&"[".repeat(200));
        deep.push_str(&"]".repeat(200));
        deep.push('}');
        for (i, text) in lines.iter().copied().chain([deep.as_bytes()]).enumerate() {
            let whole = parse_ndjson(7, text);
            match (parse_ndjson_fields(7, text, &keys), &whole) {
                (
                    Fields::Record { fields, only_pixel },
                    Record::Ok {
                        value,
                        only_pixel: want,
                        ..
                    },
                ) => {
                    assert_eq!(&only_pixel, want, "line {i}");
                    for k in keys {
                        let path = RecordPath::new(k);
                        assert_eq!(path.get(&fields), path.get(value), "line {i}: {k}");
                        assert_eq!(fields.top(k, None), value.top(k, None), "line {i}: {k}");
                    }
                }
                (Fields::Other(got), _) => {
                    assert_eq!(format!("{got:?}"), format!("{whole:?}"), "line {i}");
                }
                (got, _) => panic!("line {i}: {got:?} but {whole:?}"),
            }
        }
    }

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
    fn ndjson_keeps_the_bytes_it_read() {
        let text = b"{\"n\":123456789012345678901234, \"n\":1}\n{\"a\":\"\xFF\"}\n";
        let mut r = Records::new(&text[..], RecordFormat::Ndjson);
        match r.next() {
            Some(Ok(Record::Ok { .. })) => {
                assert_eq!(
                    r.raw_line(),
                    Some(&b"{\"n\":123456789012345678901234, \"n\":1}"[..])
                );
            }
            other => panic!("{other:?}"),
        }
        match r.next() {
            Some(Ok(Record::Bad { raw, reason, .. })) => {
                assert_eq!(raw, b"{\"a\":\"\xFF\"}");
                assert!(reason.contains("UTF-8"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
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
        let rows: Vec<(u64, u64, Option<u64>)> = Records::new(text.as_bytes(), RecordFormat::Csv)
            .filter_map(|r| match r.expect("io") {
                Record::Ok { line, end, row, .. } => Some((line, end, row)),
                Record::Bad { .. } => None,
            })
            .collect();
        assert_eq!(rows, [(2, 3, Some(2)), (5, 5, Some(4))]);
        let ndjson = Records::new("{}\n".as_bytes(), RecordFormat::Ndjson).next();
        assert!(matches!(ndjson, Some(Ok(Record::Ok { row: None, .. }))));
    }

    #[test]
    fn an_unclosed_quote_costs_one_line_not_the_rest_of_the_file() {
        let mut text = String::from("id,email\n");
        for i in 1..=300 {
            if i == 100 {
                text.push_str("A100,\"broken@x.co\n");
            } else {
                text.push_str(&format!("A{i},a{i}@x.co\n"));
            }
        }
        let got = read(&text, RecordFormat::Csv);
        assert_eq!(got.len(), 300, "every row is a record or a bad line");
        let bad: Vec<_> = got.iter().filter_map(|r| r.as_ref().err()).collect();
        assert_eq!(bad.len(), 1, "{bad:?}");
        assert_eq!(bad[0].0, 101);
        assert!(
            bad[0].1.contains("resumes at the next line"),
            "{}",
            bad[0].1
        );
        assert_eq!(
            got[100],
            Ok((102, json!({"id": "A101", "email": "a101@x.co"})))
        );
        // At the very end too, and when a second stray quote closes it with the wrong
        // number of columns.
        let got = read("id,e\nA1,x\nA2,\"y\n", RecordFormat::Csv);
        assert!(matches!(&got[1], Err((3, r)) if r.contains("never closed")));
        let got = read("id,e\nA1,\"x\nA2\",y\nA3,z\n", RecordFormat::Csv);
        assert!(
            matches!(&got[0], Err((2, r)) if r.contains("stray quote")),
            "{got:?}"
        );
        assert_eq!(got[1], Ok((3, json!({"id": "A2\"", "e": "y"}))));
        assert_eq!(got[2], Ok((4, json!({"id": "A3", "e": "z"}))));
        // A quoted field over lines that fits the header is one record.
        let got = read("id,e\nA1,\"x\nA2,y\"\nA3,z\n", RecordFormat::Csv);
        assert_eq!(got[0], Ok((2, json!({"id": "A1", "e": "x\nA2,y"}))));
    }

    #[test]
    fn a_quote_inside_an_unquoted_cell_is_just_a_character() {
        // Till exports write inches and nicknames as they are: `TV 55"`, `Ana "Anita"`.
        let got = read(
            "sku,name,email\nTV-55,TV 55\" OLED,a@x.co\nP-1,Ana \"Anita\" Ruiz,b@x.co\nP-2,ok,c@x.co\n",
            RecordFormat::Csv,
        );
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(
            got[0],
            Ok((
                2,
                json!({"sku": "TV-55", "name": "TV 55\" OLED", "email": "a@x.co"})
            ))
        );
        assert_eq!(
            got[1],
            Ok((
                3,
                json!({"sku": "P-1", "name": "Ana \"Anita\" Ruiz", "email": "b@x.co"})
            ))
        );
        assert_eq!(
            got[2],
            Ok((4, json!({"sku": "P-2", "name": "ok", "email": "c@x.co"})))
        );
    }

    #[test]
    fn a_bad_csv_line_keeps_its_bytes() {
        let text = b"id,e\nA1,\xE9t\xE9\nA2,x,y\n";
        let got: Vec<Record> = Records::new(&text[..], RecordFormat::Csv)
            .map(|r| r.expect("io"))
            .collect();
        assert!(
            matches!(&got[0], Record::Bad { raw, reason, .. } if raw == b"A1,\xE9t\xE9" && reason.contains("iconv"))
        );
        assert!(matches!(&got[1], Record::Bad { raw, .. } if raw == b"A2,x,y"));
    }

    #[test]
    fn cr_only_line_endings_are_line_endings() {
        assert_eq!(
            read("{\"a\":1}\r{\"a\":2}\r", RecordFormat::Ndjson).len(),
            2
        );
        let got = read("id,e\rA1,x\rA2,y\r", RecordFormat::Csv);
        assert_eq!(got[1], Ok((3, json!({"id": "A2", "e": "y"}))));
    }

    #[test]
    fn skip_starts_after_the_line_and_keeps_the_csv_header() {
        let got: Vec<u64> = Records::new("id\nA\nB\nC\n".as_bytes(), RecordFormat::Csv)
            .skip(3)
            .filter_map(|r| match r.expect("io") {
                Record::Ok { line, .. } => Some(line),
                Record::Bad { .. } => None,
            })
            .collect();
        assert_eq!(got, [4]);
        let rows: Vec<Option<u64>> = Records::new("id\nA\nB\nC\n".as_bytes(), RecordFormat::Csv)
            .skip(2)
            .filter_map(|r| match r.expect("io") {
                Record::Ok { row, .. } => Some(row),
                Record::Bad { .. } => None,
            })
            .collect();
        assert_eq!(rows, [Some(3), Some(4)], "rows count from the file's start");
        let got = read("{}\n{}\n{\"a\":1}\n", RecordFormat::Ndjson);
        assert_eq!(got.len(), 3);
        let mut r = Records::new("{}\n{}\n{\"a\":1}\n".as_bytes(), RecordFormat::Ndjson).skip(2);
        assert!(matches!(r.next(), Some(Ok(Record::Ok { line: 3, .. }))));
        assert!(r.next().is_none());
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
        let text = "{\"_tagc\":{\"raw\":\"{oops\",\"stage\":\"input\"}}\n{\"_tagc\":{\"raw_b64\":\"/w==\"}}\n{\"a\":1,\"_tagc\":{\"pixel\":\"42\"}}\n";
        let mut r = Records::new(text.as_bytes(), RecordFormat::Ndjson);
        assert!(matches!(r.next(), Some(Ok(Record::Bad { raw, .. })) if raw == b"{oops"));
        assert!(matches!(r.next(), Some(Ok(Record::Bad { raw, .. })) if raw == b"\xFF"));
        assert!(matches!(r.next(), Some(Ok(Record::Ok { only_pixel: Some(p), .. })) if p == "42"));
    }
}
