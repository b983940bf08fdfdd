//! Event times: RFC 3339 text and Unix seconds or milliseconds → Unix seconds.

/// Parses an RFC 3339 / ISO 8601 date-time with an offset (`2026-11-20T18:42:13+01:00`,
/// `2026-11-20T17:42:13.250Z`, `2026-11-20 17:42:13Z`) into Unix seconds (fractions are
/// dropped). A date-time without an offset is refused: its instant would depend on the
/// machine's time zone.
///
/// # Errors
/// A short description of what is wrong.
pub fn parse_rfc3339(s: &str) -> Result<i64, &'static str> {
    let b = s.trim().as_bytes();
    let num = |r: std::ops::Range<usize>| -> Result<i64, &'static str> {
        let part = b.get(r).ok_or("too short for a date-time")?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return Err("not a date-time like 2026-11-20T18:42:13Z");
        }
        Ok(part.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return Err("not a date-time like 2026-11-20T18:42:13Z");
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return Err("date and time must be separated by `T`");
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return Err("the date does not exist");
    }
    if hour > 23 || minute > 59 || second > 60 {
        return Err("the time of day is out of range");
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return Err("a fraction of a second needs digits after the dot");
        }
    }
    let offset = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) if i + 6 == b.len() && b[i + 3] == b':' => {
            let (h, m) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            if h > 23 || m > 59 {
                return Err("the UTC offset is out of range");
            }
            let o = h * 3600 + m * 60;
            if *sign == b'-' { -o } else { o }
        }
        None => return Err("no UTC offset: add `Z` or `+01:00`"),
        _ => return Err("not a date-time like 2026-11-20T18:42:13Z"),
    };
    let days = days_from_civil(year, month, day);
    Ok(days * 86_400 + hour * 3600 + minute * 60 + second.min(59) - offset)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_offsets_and_fractions() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_rfc3339("2026-01-01T00:00:00Z"), Ok(1_767_225_600));
        assert_eq!(
            parse_rfc3339("2026-11-20T18:42:13+01:00"),
            Ok(1_795_200_133 - 3600)
        );
        assert_eq!(
            parse_rfc3339("2026-11-20T17:42:13.250Z"),
            parse_rfc3339("2026-11-20T17:42:13Z")
        );
        assert_eq!(
            parse_rfc3339("2024-02-29 12:00:00-05:30"),
            Ok(1_709_227_800)
        );
    }

    #[test]
    fn refuses_what_is_not_an_instant() {
        for bad in [
            "",
            "2026-11-20",
            "2026-11-20T18:42:13",
            "2026-02-30T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-20T25:00:00Z",
            "2026-11-20T18:42:13+1:00",
            "2026-11-20T18:42:13Zjunk",
            "20261120T184213Z",
            "２０２６-11-20T18:42:13Z",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "{bad}");
        }
    }
}
