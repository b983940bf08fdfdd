//! Failed-file lines that hold the record as it was read.
//!
//! A failed file is sent again as it is, so a record in it must be the record that was
//! read: the same digits for a number too large for a float, the same duplicate keys,
//! the same bytes. A record read from NDJSON is therefore written as its own text with
//! the `_tagc` note spliced in as its last member (an earlier note, from a failed file
//! sent again, is taken out first); it is never parsed and written out again. A line that
//! was no record is kept in the note: as `raw` when it is UTF-8 text, else as `raw_b64`
//! (its bytes in standard base64), never altered.

use std::ops::Range;

use base64::Engine as _;
use serde_json::Value;

use super::records::FAILURE_KEY;

/// Appends one failed-file line (with its `\n`) to `out`: the object text `record` with
/// `note` (a JSON object's text) as its `_tagc` member.
///
/// `record` must be the text of one JSON object (as the reader checked); if it is not,
/// the note alone is written with the text in `raw`, so nothing is lost either way.
pub fn splice(out: &mut Vec<u8>, record: &[u8], note: &str) {
    let Some(object) = members(record) else {
        out.extend_from_slice(b"{\"");
        out.extend_from_slice(FAILURE_KEY.as_bytes());
        out.extend_from_slice(b"\":");
        out.extend_from_slice(note.as_bytes());
        out.extend_from_slice(b"}\n");
        return;
    };
    let keep: Vec<&Range<usize>> = object
        .members
        .iter()
        .filter(|(key, _)| !is_failure_key(&record[key.clone()]))
        .map(|(_, member)| member)
        .collect();
    if keep.len() == object.members.len() {
        // The record's own text up to its closing brace, untouched.
        out.extend_from_slice(&record[..object.close]);
        if !keep.is_empty() {
            out.push(b',');
        }
    } else {
        out.extend_from_slice(&record[..=object.open]);
        for (i, m) in keep.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(&record[(*m).clone()]);
        }
        if !keep.is_empty() {
            out.push(b',');
        }
    }
    out.push(b'"');
    out.extend_from_slice(FAILURE_KEY.as_bytes());
    out.extend_from_slice(b"\":");
    out.extend_from_slice(note.as_bytes());
    out.extend_from_slice(b"}\n");
}

/// Appends one failed-file line for `value` (a record built by the reader, such as a CSV
/// row) with `note` as its `_tagc` member.
pub fn value_line(out: &mut Vec<u8>, value: &Value, note: &str) {
    match value {
        Value::Object(o) if !o.is_empty() => {
            let text = serde_json::to_string(value).unwrap_or_else(|_| "{}".to_owned());
            splice(out, text.as_bytes(), note);
        }
        _ => splice(out, b"{}", note),
    }
}

/// Where a line that was not a record goes in the note: `("raw", text)` for UTF-8,
/// `("raw_b64", base64)` otherwise.
#[must_use]
pub fn raw_field(bytes: &[u8]) -> (&'static str, String) {
    match std::str::from_utf8(bytes) {
        Ok(text) => ("raw", text.to_owned()),
        Err(_) => (
            "raw_b64",
            base64::engine::general_purpose::STANDARD.encode(bytes),
        ),
    }
}

fn is_failure_key(key: &[u8]) -> bool {
    // A key may be written with escapes (`"\u005ftagc"`); compare what it says.
    serde_json::from_slice::<String>(key).is_ok_and(|k| k == FAILURE_KEY)
}

/// The top-level members of an object's text.
struct Object {
    /// The position of `{`.
    open: usize,
    /// The position of the closing `}`.
    close: usize,
    /// Each member: the key's span (with its quotes) and the whole member's span.
    members: Vec<(Range<usize>, Range<usize>)>,
}

fn members(text: &[u8]) -> Option<Object> {
    let mut i = skip_ws(text, 0);
    if text.get(i) != Some(&b'{') {
        return None;
    }
    let open = i;
    i = skip_ws(text, i + 1);
    let mut members = Vec::new();
    if text.get(i) == Some(&b'}') {
        return (skip_ws(text, i + 1) == text.len()).then_some(Object {
            open,
            close: i,
            members,
        });
    }
    loop {
        let key_start = i;
        let key_end = skip_string(text, i)?;
        i = skip_ws(text, key_end);
        if text.get(i) != Some(&b':') {
            return None;
        }
        i = skip_ws(text, i + 1);
        let value_end = skip_value(text, i)?;
        members.push((key_start..key_end, key_start..value_end));
        i = skip_ws(text, value_end);
        match text.get(i) {
            Some(b',') => i = skip_ws(text, i + 1),
            Some(b'}') => {
                return (skip_ws(text, i + 1) == text.len()).then_some(Object {
                    open,
                    close: i,
                    members,
                });
            }
            _ => return None,
        }
    }
}

fn skip_ws(text: &[u8], mut i: usize) -> usize {
    while matches!(text.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// The end (exclusive) of the string starting at `i`.
fn skip_string(text: &[u8], i: usize) -> Option<usize> {
    if text.get(i) != Some(&b'"') {
        return None;
    }
    let mut j = i + 1;
    loop {
        match text.get(j)? {
            b'"' => return Some(j + 1),
            b'\\' => j += 2,
            _ => j += 1,
        }
    }
}

/// The end (exclusive) of the value starting at `i`.
fn skip_value(text: &[u8], i: usize) -> Option<usize> {
    match text.get(i)? {
        b'"' => skip_string(text, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match text.get(j)? {
                    b'"' => {
                        j = skip_string(text, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let mut j = i;
            while let Some(b) = text.get(j) {
                if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                    break;
                }
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(record: &str) -> String {
        let mut out = Vec::new();
        splice(&mut out, record.as_bytes(), "{\"line\":1}");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn the_record_text_is_kept_byte_for_byte() {
        let r = r#"{"id": 123456789012345678901234, "v":0.1000000000000000055511151231257827,"a":1,"a":2 , "s":"}\"{"}"#;
        let got = line(r);
        assert_eq!(
            got,
            format!("{},\"_tagc\":{{\"line\":1}}}}\n", &r[..r.len() - 1])
        );
        assert_eq!(line("{}"), "{\"_tagc\":{\"line\":1}}\n");
        assert_eq!(line(" { } "), " { \"_tagc\":{\"line\":1}}\n");
    }

    #[test]
    fn an_earlier_note_is_replaced_not_repeated() {
        assert_eq!(
            line(r#"{"a":[1,{"_tagc":2}],"_tagc":{"line":9},"b":"x"}"#),
            "{\"a\":[1,{\"_tagc\":2}],\"b\":\"x\",\"_tagc\":{\"line\":1}}\n"
        );
        assert_eq!(
            line(r#"{"\u005ftagc":{"line":9}}"#),
            "{\"_tagc\":{\"line\":1}}\n"
        );
    }

    #[test]
    fn every_written_line_is_json_with_the_note() {
        for r in [
            r#"{"a":{"b":[true,null,"]"]},"c":-1.5e3}"#,
            r#"{"_tagc":1,"_tagc":2}"#,
            "not an object",
        ] {
            let got = line(r);
            let v: Value = serde_json::from_str(got.trim_end()).expect(r);
            assert_eq!(v["_tagc"]["line"], 1, "{r}");
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_are_kept_in_base64() {
        assert_eq!(raw_field(b"{oops"), ("raw", "{oops".to_owned()));
        assert_eq!(raw_field(b"\xFF\x00a"), ("raw_b64", "/wBh".to_owned()));
    }
}
