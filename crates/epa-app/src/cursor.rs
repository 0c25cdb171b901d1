//! The instant in a list's cursor, to the nanosecond. SQLite keeps an
//! instant as the text sqlx wrote, to the nanosecond; a cursor that kept
//! microseconds sorted before the row it was taken from, so the next page
//! began with the last row of the one before. PostgreSQL keeps
//! microseconds, which the nanoseconds carry exactly.

use chrono::{DateTime, Utc};

/// `<seconds since 1970>.<nanoseconds, nine digits>`.
pub(crate) fn instant_text(at: DateTime<Utc>) -> String {
    format!("{}.{:09}", at.timestamp(), at.timestamp_subsec_nanos())
}

/// The instant of [`instant_text`], or, from a cursor given out before
/// cursors carried nanoseconds, `<microseconds since 1970>`.
pub(crate) fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    match text.split_once('.') {
        Some((seconds, nanos)) if nanos.len() == 9 => {
            DateTime::from_timestamp(seconds.parse().ok()?, nanos.parse().ok()?)
        }
        Some(_) => None,
        None => DateTime::from_timestamp_micros(text.parse().ok()?),
    }
}

#[cfg(test)]
mod tests {
    use super::{instant_text, parse_instant};
    use chrono::{DateTime, Duration, TimeZone, Utc};

    #[test]
    fn an_instant_comes_back_to_the_nanosecond() {
        let second = Utc.with_ymd_and_hms(2026, 11, 27, 18, 40, 40).unwrap();
        for nanos in [0, 1, 378_389_544, 999_999_999] {
            let at = second + Duration::nanoseconds(nanos);
            assert_eq!(parse_instant(&instant_text(at)), Some(at), "{at}");
        }
        let before_1970 =
            Utc.with_ymd_and_hms(1969, 12, 31, 23, 59, 59).unwrap() + Duration::nanoseconds(5);
        assert_eq!(parse_instant(&instant_text(before_1970)), Some(before_1970));
    }

    #[test]
    fn a_cursor_of_microseconds_still_reads() {
        let at = DateTime::from_timestamp_micros(1_795_804_840_378_389).unwrap();
        assert_eq!(parse_instant("1795804840378389"), Some(at));
    }

    #[test]
    fn what_is_no_instant_is_refused() {
        for text in ["", "x", "1.2", "1.12345678x", "1.1234567890", "a.123456789"] {
            assert_eq!(parse_instant(text), None, "{text}");
        }
    }
}
