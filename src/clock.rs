//! The time source: the system clock in production, a settable one in tests of deadlines.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

/// Where "now" comes from.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    manual: Option<Arc<Mutex<DateTime<Utc>>>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self { manual: None }
    }

    /// A clock that stands still at `start` until [`Clock::set`] moves it.
    pub fn manual(start: DateTime<Utc>) -> Self {
        Self {
            manual: Some(Arc::new(Mutex::new(start))),
        }
    }

    /// Moves a manual clock; no effect on the system clock.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(m) = &self.manual {
            *m.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = at;
        }
    }

    /// The current instant.
    pub fn now(&self) -> DateTime<Utc> {
        match &self.manual {
            Some(m) => *m.lock().unwrap_or_else(std::sync::PoisonError::into_inner),
            None => Utc::now(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn manual_clock_moves_only_when_set() {
        let start = Utc.with_ymd_and_hms(2027, 3, 28, 1, 0, 0).unwrap();
        let clock = Clock::manual(start);
        assert_eq!(clock.now(), start);
        clock.set(start + chrono::Duration::seconds(1));
        assert_eq!(clock.now(), start + chrono::Duration::seconds(1));
        assert!(Clock::system().now() > start - chrono::Duration::days(10_000));
    }
}
