//! Dutch formatting of dates and times for pages and e-mails ("dinsdag 16 maart 2027, 14.00 uur").

use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Tz;

const DAYS: [&str; 7] = [
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
];
const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// "vrijdag 20 februari 2027"
pub fn date_nl(at: &DateTime<Utc>, tz: Tz) -> String {
    let local = at.with_timezone(&tz);
    format!(
        "{} {} {} {}",
        DAYS[local.weekday().num_days_from_monday() as usize],
        local.day(),
        MONTHS[local.month0() as usize],
        local.year()
    )
}

/// "vrijdag 20 februari 2027, 14.05 uur"
pub fn datetime_nl(at: &DateTime<Utc>, tz: Tz) -> String {
    let local = at.with_timezone(&tz);
    format!(
        "{}, {}.{:02} uur",
        date_nl(at, tz),
        local.hour(),
        local.minute()
    )
}

/// "14.05 uur"
pub fn time_nl(at: &DateTime<Utc>, tz: Tz) -> String {
    let local = at.with_timezone(&tz);
    format!("{}.{:02} uur", local.hour(), local.minute())
}

/// A deadline: just the date when it is the end of that day (23:59 or later), else date and time.
pub fn deadline_nl(at: &DateTime<Utc>, tz: Tz) -> String {
    let local = at.with_timezone(&tz);
    if local.hour() == 23 && local.minute() == 59 {
        date_nl(at, tz)
    } else {
        datetime_nl(at, tz)
    }
}

/// A whole number with Dutch thousands separators: 50000 → "50.000".
pub fn number_nl(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// A file size in Dutch: "870 bytes", "12 kB", "3,4 MB".
pub fn bytes_nl(size: i64) -> String {
    const KB: i64 = 1024;
    const MB: i64 = 1024 * 1024;
    if size < KB {
        format!("{size} bytes")
    } else if size < MB {
        format!("{} kB", (size + KB / 2) / KB)
    } else {
        let tenths = (size * 10 + MB / 2) / MB;
        format!("{},{} MB", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn file_sizes_in_dutch() {
        assert_eq!(bytes_nl(870), "870 bytes");
        assert_eq!(bytes_nl(12 * 1024 + 100), "12 kB");
        assert_eq!(bytes_nl(3_565_158), "3,4 MB");
    }

    #[test]
    fn deadlines_and_numbers() {
        let end_of_day = Utc.with_ymd_and_hms(2027, 2, 20, 22, 59, 59).unwrap();
        assert_eq!(
            deadline_nl(&end_of_day, chrono_tz::Europe::Amsterdam),
            "zaterdag 20 februari 2027"
        );
        let noon = Utc.with_ymd_and_hms(2027, 2, 20, 11, 0, 0).unwrap();
        assert_eq!(
            deadline_nl(&noon, chrono_tz::Europe::Amsterdam),
            "zaterdag 20 februari 2027, 12.00 uur"
        );
        assert_eq!(time_nl(&noon, chrono_tz::Europe::Amsterdam), "12.00 uur");
        assert_eq!(number_nl(50_000), "50.000");
        assert_eq!(number_nl(934_526), "934.526");
        assert_eq!(number_nl(971), "971");
        assert_eq!(number_nl(-1_000), "-1.000");
    }

    #[test]
    fn formats_in_dutch_local_time() {
        let winter = Utc.with_ymd_and_hms(2027, 2, 20, 13, 0, 0).unwrap();
        assert_eq!(
            date_nl(&winter, chrono_tz::Europe::Amsterdam),
            "zaterdag 20 februari 2027"
        );
        assert_eq!(
            datetime_nl(&winter, chrono_tz::Europe::Amsterdam),
            "zaterdag 20 februari 2027, 14.00 uur"
        );
        let summer = Utc.with_ymd_and_hms(2027, 3, 16, 12, 5, 0).unwrap();
        assert_eq!(
            datetime_nl(&summer, chrono_tz::Europe::Amsterdam),
            "dinsdag 16 maart 2027, 13.05 uur"
        );
        let late = Utc.with_ymd_and_hms(2027, 6, 30, 22, 30, 0).unwrap();
        assert_eq!(
            date_nl(&late, chrono_tz::Europe::Amsterdam),
            "donderdag 1 juli 2027"
        );
    }
}
