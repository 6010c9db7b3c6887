//! Planned start times of agenda items: each item starts when the one before it ends.

use chrono::{DateTime, Duration, Utc};

/// Start of every item, in order, and how many minutes the agenda outlasts the meeting (0 if not).
pub fn plan(
    meeting_start: DateTime<Utc>,
    meeting_end: DateTime<Utc>,
    durations: &[i64],
) -> (Vec<DateTime<Utc>>, i64) {
    let mut at = meeting_start;
    let mut starts = Vec::with_capacity(durations.len());
    for minutes in durations {
        starts.push(at);
        at += Duration::minutes(*minutes);
    }
    let overrun = (at - meeting_end).num_minutes().max(0);
    (starts, overrun)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn items_follow_each_other_and_overrun_is_counted() {
        let start = Utc.with_ymd_and_hms(2027, 3, 16, 13, 0, 0).unwrap();
        let end = start + Duration::hours(2);
        let (starts, overrun) = plan(start, end, &[30, 45, 60]);
        assert_eq!(
            starts,
            vec![
                start,
                start + Duration::minutes(30),
                start + Duration::minutes(75)
            ]
        );
        assert_eq!(overrun, 15);
        let (_, overrun) = plan(start, end, &[30]);
        assert_eq!(overrun, 0);
        assert!(plan(start, end, &[]).0.is_empty());
    }
}
