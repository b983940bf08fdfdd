//! Physical input lines, numbered, with the bounds that keep a bad input from eating
//! memory or time: `\n`, `\r\n` and a lone `\r` (old Mac exports) all end a line; a line
//! longer than [`MAX_LINE`] is cut and flagged; input that is not text (NUL bytes or a
//! UTF-16 byte-order mark near the start, such as `/dev/zero` or an Excel "Unicode text"
//! export) is refused after at most [`SNIFF`] bytes; and a stream without any line break
//! for [`MAX_WITHOUT_BREAK`] bytes is refused instead of being read forever.

use std::io::{self, BufRead};

/// The longest line kept, in bytes (a record is not a document).
pub const MAX_LINE: usize = 1 << 20;

/// How much of the input's start is checked for NUL bytes.
pub const SNIFF: u64 = 64 << 10;

/// The most bytes read without a line break before the input is refused.
pub const MAX_WITHOUT_BREAK: u64 = 64 << 20;

/// One physical line.
#[derive(Debug, Default)]
pub struct Line {
    /// Its number (1-based).
    pub number: u64,
    /// Its bytes without the line ending (at most [`MAX_LINE`]).
    pub bytes: Vec<u8>,
    /// Whether it was longer than [`MAX_LINE`] (then `bytes` holds only its start).
    pub overlong: bool,
}

/// Numbered physical lines of a byte stream.
pub struct Lines<R> {
    input: R,
    number: u64,
    /// Bytes read so far, up to [`SNIFF`] (for the text check).
    seen: u64,
}

impl<R: BufRead> Lines<R> {
    /// Lines of `input`.
    pub fn new(input: R) -> Lines<R> {
        Lines {
            input,
            number: 0,
            seen: 0,
        }
    }

    /// The number of the last line read.
    pub fn number(&self) -> u64 {
        self.number
    }

    /// Reads the next line into `line`; `Ok(false)` at the end of the input.
    ///
    /// # Errors
    /// A read error, input that is not text, or no line break for
    /// [`MAX_WITHOUT_BREAK`] bytes (all [`io::ErrorKind::InvalidData`] but the first).
    pub fn next_into(&mut self, line: &mut Line) -> io::Result<bool> {
        line.bytes.clear();
        line.overlong = false;
        let mut read = 0u64;
        let mut any = false;
        loop {
            let chunk = match self.input.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                if !any {
                    return Ok(false);
                }
                break;
            }
            any = true;
            if self.seen < SNIFF {
                let n = chunk
                    .len()
                    .min(usize::try_from(SNIFF - self.seen).unwrap_or(0));
                if self.seen == 0
                    && (chunk.starts_with(b"\xFF\xFE") || chunk.starts_with(b"\xFE\xFF"))
                {
                    return Err(not_text(
                        "it is UTF-16 (convert it with `iconv -f UTF-16 -t UTF-8`)",
                    ));
                }
                if memchr::memchr(0, &chunk[..n]).is_some() {
                    return Err(not_text(
                        "it contains NUL bytes (a binary file, or UTF-16 without a byte-order mark)",
                    ));
                }
                self.seen += n as u64;
            }
            let end = memchr::memchr2(b'\n', b'\r', chunk);
            let take = end.unwrap_or(chunk.len());
            let room = MAX_LINE.saturating_sub(line.bytes.len());
            if take > room {
                line.overlong = true;
            }
            line.bytes.extend_from_slice(&chunk[..take.min(room)]);
            read += take as u64;
            match end {
                Some(i) => {
                    let cr = chunk[i] == b'\r';
                    self.input.consume(i + 1);
                    if cr {
                        // `\r\n` is one line ending.
                        let next = loop {
                            match self.input.fill_buf() {
                                Ok(c) => break c.first().copied(),
                                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                                Err(e) => return Err(e),
                            }
                        };
                        if next == Some(b'\n') {
                            self.input.consume(1);
                        }
                    }
                    break;
                }
                None => {
                    let n = chunk.len();
                    self.input.consume(n);
                    if read > MAX_WITHOUT_BREAK {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!(
                                "line {} has no line break in {} MiB: the input is not line-delimited text",
                                self.number + 1,
                                MAX_WITHOUT_BREAK >> 20
                            ),
                        ));
                    }
                }
            }
        }
        self.number += 1;
        line.number = self.number;
        Ok(true)
    }
}

fn not_text(why: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("the input is not text: {why}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &[u8]) -> Vec<(u64, String, bool)> {
        let mut lines = Lines::new(text);
        let mut line = Line::default();
        let mut out = Vec::new();
        while lines.next_into(&mut line).expect("text") {
            out.push((
                line.number,
                String::from_utf8_lossy(&line.bytes).into_owned(),
                line.overlong,
            ));
        }
        out
    }

    #[test]
    fn every_line_ending_ends_a_line() {
        let got = all(b"a\nb\r\nc\rd\r\re");
        let texts: Vec<&str> = got.iter().map(|(_, t, _)| t.as_str()).collect();
        assert_eq!(texts, ["a", "b", "c", "d", "", "e"]);
        assert_eq!(got.last().map(|l| l.0), Some(6));
        assert!(all(b"").is_empty());
        assert_eq!(all(b"x\n").len(), 1, "a final line break adds no line");
    }

    #[test]
    fn a_cr_at_a_buffer_boundary_still_pairs_with_its_lf() {
        let reader = io::BufReader::with_capacity(2, &b"ab\r\ncd\r\n"[..]);
        let mut lines = Lines::new(reader);
        let mut line = Line::default();
        let mut n = 0;
        while lines.next_into(&mut line).expect("text") {
            n += 1;
        }
        assert_eq!(n, 2);
    }

    #[test]
    fn overlong_lines_are_cut_and_flagged() {
        let mut text = vec![b'x'; MAX_LINE + 5];
        text.extend_from_slice(b"\nok\n");
        let got = all(&text);
        assert!(got[0].2);
        assert_eq!(got[0].1.len(), MAX_LINE);
        assert_eq!((got[1].0, got[1].1.as_str(), got[1].2), (2, "ok", false));
    }

    #[test]
    fn input_that_is_not_text_is_refused_early() {
        let mut zeros = io::BufReader::new(io::repeat(0));
        let mut lines = Lines::new(&mut zeros);
        let e = lines.next_into(&mut Line::default()).expect_err("refused");
        assert!(e.to_string().contains("not text"), "{e}");
        let e = Lines::new(&b"\xFF\xFEa\0"[..])
            .next_into(&mut Line::default())
            .expect_err("refused");
        assert!(e.to_string().contains("UTF-16"), "{e}");
    }

    #[test]
    fn endless_lines_are_refused_within_a_bound() {
        let mut endless = io::BufReader::new(io::repeat(b'x'));
        let e = Lines::new(&mut endless)
            .next_into(&mut Line::default())
            .expect_err("refused");
        assert!(e.to_string().contains("no line break"), "{e}");
    }
}
