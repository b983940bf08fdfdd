//! `db`: any common date format → `YYYYMMDD`.
//!
//! Meta: "`YYYYMMDD`; year 1900 to the current year, month 01–12, day 01–31; input may
//! come with or without punctuation". Accepted inputs (digits of any script, case-blind):
//!
//! - `YYYYMMDD` (8 digits; if that is not a valid date, `MMDDYYYY`, then `DDMMYYYY`)
//! - year first: `1997-02-16`, `1997/2/16`, `1997.02.16`, `1997年2月16日`, and ISO
//!   date-times (`1997-02-16T10:00:00Z`, `1997-02-16 10:00`): the time is ignored
//! - year last: `2/16/1997`, `16/02/1997`, `16.02.1997`, `02-16-1997`. If one of the first
//!   two numbers is above 12 it is the day. If both are 12 or less the date is ambiguous
//!   and tagc reads it **month first** (US, as in Meta's example `2/16/1997`), except with
//!   dots (`03.04.1990`), which every locale that writes them reads day first.
//! - month names in English, full or 3+ letters: `Feb 16, 1997`, `16 February 1997`,
//!   `1997 Feb 16`, `February 16th 1997`
//!
//! A 2-digit year is an error (the century would be a guess). The year must be in
//! 1900..=`current_year` (no upper bound if `current_year` is 0) and the day must exist
//! in the month (leap years included).

use super::ErrorKind;
use super::text::{digit_value, fold_fullwidth};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tok {
    /// A number and how many digits it was written with.
    Num(u32, u8),
    /// A month given by name.
    Month(u32),
}

pub(super) fn date(t: &str, current_year: i32) -> Result<String, ErrorKind> {
    if t.len() > 64 {
        return Err(ErrorKind::DateFormat);
    }
    let (toks, n, dotted) = tokenize(t)?;
    let toks = &toks[..n];
    let (y, m, d) = match *toks {
        [Tok::Num(v, 8)] => return eight_digits(v, current_year),
        [Tok::Num(_, 6)] => return Err(ErrorKind::DateTwoDigitYear),
        [Tok::Num(y, 4), Tok::Num(m, 1..=2), Tok::Num(d, 1..=2)] => (y, m, d),
        [Tok::Num(y, 4), Tok::Month(m), Tok::Num(d, 1..=2)] => (y, m, d),
        [Tok::Month(m), Tok::Num(d, 1..=2), Tok::Num(y, yl)]
        | [Tok::Num(d, 1..=2), Tok::Month(m), Tok::Num(y, yl)] => (year4(y, yl)?, m, d),
        [Tok::Num(a, 1..=2), Tok::Num(b, 1..=2), Tok::Num(y, yl)] => {
            let y = year4(y, yl)?;
            if a > 12 || (b <= 12 && dotted) {
                (y, b, a)
            } else {
                (y, a, b)
            }
        }
        _ => return Err(ErrorKind::DateFormat),
    };
    ymd(y, m, d, current_year)
}

fn year4(y: u32, digits: u8) -> Result<u32, ErrorKind> {
    match digits {
        4 => Ok(y),
        1 | 2 => Err(ErrorKind::DateTwoDigitYear),
        _ => Err(ErrorKind::DateFormat),
    }
}

fn eight_digits(v: u32, current_year: i32) -> Result<String, ErrorKind> {
    let (a, b, c) = (v / 10_000, v / 100 % 100, v % 100);
    let (p, q, r) = (v / 1_000_000, v / 10_000 % 100, v % 10_000);
    ymd(a, b, c, current_year)
        .or_else(|e| ymd(r, p, q, current_year).map_err(|_| e))
        .or_else(|e| ymd(r, q, p, current_year).map_err(|_| e))
}

/// Splits into at most 3 tokens. Returns the tokens, their count, and whether the
/// numbers were separated by dots.
fn tokenize(t: &str) -> Result<([Tok; 3], usize, bool), ErrorKind> {
    let mut toks = [Tok::Num(0, 0); 3];
    let mut n = 0usize;
    let mut dotted = false;
    let mut num: Option<(u32, u8)> = None;
    let mut word = [0u8; 12];
    let mut wlen = 0usize;
    // A trailing sentinel space flushes the last number or word.
    for c in t.chars().chain(std::iter::once(' ')) {
        let c = fold_fullwidth(c);
        if let Some(d) = digit_value(c) {
            if wlen > 0 {
                // Only the ISO time separator may touch a following number.
                if word.get(..wlen) == Some(b"t".as_slice()) && n == 3 {
                    break;
                }
                return Err(ErrorKind::DateFormat);
            }
            let (v, l) = num.unwrap_or((0, 0));
            if l >= 8 {
                return Err(ErrorKind::DateFormat);
            }
            num = Some((v * 10 + u32::from(d), l + 1));
            continue;
        }
        if c.is_ascii_alphabetic() {
            if wlen == word.len() {
                return Err(ErrorKind::DateFormat);
            }
            word[wlen] = c.to_ascii_lowercase() as u8;
            wlen += 1;
            // A number directly followed by letters: an ordinal suffix (16th) or an
            // ISO time (`…-16T10:00`).
            if let Some((v, l)) = num.take() {
                push(Tok::Num(v, l), &mut toks, &mut n)?;
            }
            continue;
        }
        if let Some((v, l)) = num.take() {
            push(Tok::Num(v, l), &mut toks, &mut n)?;
        }
        if wlen > 0 {
            let w = word.get(..wlen).unwrap_or(&[]);
            wlen = 0;
            if let Some(m) = month(w) {
                push(Tok::Month(m), &mut toks, &mut n)?;
            } else if w == b"t" && n == 3 {
                break; // ISO date-time: the rest is the time
            } else if !matches!(w, b"st" | b"nd" | b"rd" | b"th" | b"of") {
                return Err(ErrorKind::DateFormat);
            }
        }
        if n == 3 && matches!(toks[0], Tok::Num(_, 4)) && c == ' ' {
            break; // year-first date followed by a time
        }
        match c {
            '.' => dotted = true,
            '-' | '/' | ',' | ' ' | '年' | '月' | '日' | '\u{3000}' | '\t' => {}
            c if super::text::is_trim_char(c) || super::text::is_dash(c) => {}
            _ => return Err(ErrorKind::DateFormat),
        }
    }
    Ok((toks, n, dotted))
}

fn push(tok: Tok, toks: &mut [Tok; 3], n: &mut usize) -> Result<(), ErrorKind> {
    let slot = toks.get_mut(*n).ok_or(ErrorKind::DateFormat)?;
    *slot = tok;
    *n += 1;
    Ok(())
}

fn month(w: &[u8]) -> Option<u32> {
    const NAMES: [&[u8]; 12] = [
        b"january",
        b"february",
        b"march",
        b"april",
        b"may",
        b"june",
        b"july",
        b"august",
        b"september",
        b"october",
        b"november",
        b"december",
    ];
    if w.len() < 3 {
        return None;
    }
    if w == b"sept" {
        return Some(9);
    }
    NAMES
        .iter()
        .position(|name| name.starts_with(w))
        .and_then(|i| u32::try_from(i + 1).ok())
}

fn ymd(y: u32, m: u32, d: u32, current_year: i32) -> Result<String, ErrorKind> {
    let max_year = if current_year > 0 {
        u32::try_from(current_year).unwrap_or(u32::MAX)
    } else {
        9999
    };
    if !(1900..=max_year).contains(&y) {
        return Err(ErrorKind::DateYearRange);
    }
    if !(1..=12).contains(&m) {
        return Err(ErrorKind::DateMonth);
    }
    if d < 1 || d > days_in_month(y, m) {
        return Err(ErrorKind::DateDay);
    }
    Ok(format!("{y:04}{m:02}{d:02}"))
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        _ => 28,
    }
}

/// The proleptic Gregorian year of a day count since 1970-01-01 (Hinnant's algorithm).
pub(super) fn year_of_unix_days(days: i64) -> i32 {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(month <= 2);
    i32::try_from(y).unwrap_or(1970)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Option<String> {
        date(s, 2026).ok()
    }
    fn err(s: &str) -> Option<ErrorKind> {
        date(s, 2026).err()
    }

    #[test]
    fn formats() {
        for s in [
            "2/16/1997",
            "02/16/1997",
            "1997-02-16",
            "1997/02/16",
            "1997.2.16",
            "19970216",
            "16.02.1997",
            "16/02/1997",
            "02-16-1997",
            "Feb 16, 1997",
            "February 16th 1997",
            "16 February 1997",
            "16th of Feb 1997",
            "1997 feb 16",
            "1997-02-16T10:00:00Z",
            "1997-02-16 10:00:00",
            "１９９７年２月１６日",
            "٢/١٦/١٩٩٧",
            "02161997",
            "16021997",
        ] {
            assert_eq!(ok(s).as_deref(), Some("19970216"), "{s}");
        }
    }

    #[test]
    fn ambiguous_day_month() {
        assert_eq!(ok("03/04/1990").as_deref(), Some("19900304"));
        assert_eq!(ok("03-04-1990").as_deref(), Some("19900304"));
        assert_eq!(ok("03.04.1990").as_deref(), Some("19900403"));
        assert_eq!(ok("13/04/1990").as_deref(), Some("19900413"));
    }

    #[test]
    fn invalid() {
        assert_eq!(err("900131"), Some(ErrorKind::DateTwoDigitYear));
        assert_eq!(err("1/31/90"), Some(ErrorKind::DateTwoDigitYear));
        assert_eq!(err("1899-12-31"), Some(ErrorKind::DateYearRange));
        assert_eq!(err("2027-01-01"), Some(ErrorKind::DateYearRange));
        assert_eq!(err("2000-13-01"), Some(ErrorKind::DateMonth));
        assert_eq!(err("2001-02-29"), Some(ErrorKind::DateDay));
        assert_eq!(ok("2000-02-29").as_deref(), Some("20000229"));
        assert_eq!(err("1900-02-29"), Some(ErrorKind::DateDay));
        assert_eq!(err("abcd"), Some(ErrorKind::DateFormat));
        assert_eq!(err("31 января 1990"), Some(ErrorKind::DateFormat));
        assert_eq!(err("1990-01-31-05"), Some(ErrorKind::DateFormat));
        assert_eq!(err("1990"), Some(ErrorKind::DateFormat));
        assert_eq!(err("99999999"), Some(ErrorKind::DateYearRange));
        assert_eq!(err("1/2/3/4/5"), Some(ErrorKind::DateFormat));
        assert_eq!(err(&"1".repeat(5_000)), Some(ErrorKind::DateFormat));
        assert_eq!(err("😀"), Some(ErrorKind::DateFormat));
        assert_eq!(err("1990\u{0}01\u{0}31").map(|_| ()), None);
        assert_eq!(date("3000-01-01", 0).ok().as_deref(), Some("30000101"));
    }

    #[test]
    fn unix_days_to_year() {
        assert_eq!(year_of_unix_days(0), 1970);
        assert_eq!(year_of_unix_days(365), 1971);
        assert_eq!(year_of_unix_days(20_454), 2026); // 2026-01-01
        assert_eq!(year_of_unix_days(20_453), 2025);
        assert_eq!(year_of_unix_days(-1), 1969);
    }
}
