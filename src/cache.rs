//! Reusing what a page read from the database until something changes.
//!
//! Every write transaction moves the database's change count as its last statement
//! ([`crate::db::Tx::commit`]), and the caller's lookup reads the count in the same statement
//! ([`crate::auth::AuthUser::changes`]). Data computed after seeing count `n` is at least as new
//! as the database at `n`, so a later request that sees the same `n` may reuse it: nothing was
//! committed in between, on this instance or any other. A request that sees another count reads
//! the data again. Entries also carry an expiry for what depends on the time alone (a meeting
//! that has ended leaves the list of upcoming ones).
//!
//! A writer's own next request (the redirect after a form) sees the new count, so nobody ever
//! sees a page without what they just wrote.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};

/// How long a page's data is reused at most when nothing is written, for what depends on the
/// time alone and has no known moment of change (the year plan, the date a list is read on).
pub const FRESH_FOR: chrono::Duration = chrono::Duration::seconds(30);

/// A bounded map from keys to values computed at a change count, valid until an instant.
pub struct Cache<K, V> {
    entries: Mutex<HashMap<K, Entry<V>>>,
    capacity: usize,
}

struct Entry<V> {
    changes: i64,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    value: Arc<V>,
}

impl<K: Eq + Hash, V> Cache<K, V> {
    /// A cache of at most `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    /// The value for `key` if it was computed at `changes` and `now` lies in its validity.
    pub fn get(&self, key: &K, changes: i64, now: DateTime<Utc>) -> Option<Arc<V>> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .get(key)
            .filter(|e| e.changes == changes && e.from <= now && now < e.until)
            .map(|e| Arc::clone(&e.value))
    }

    /// Stores `value`, computed from data read after seeing `changes` at `now`, valid until
    /// `until`, and returns it shared. An entry of a later count is never replaced by an older
    /// one. When full, expired and outdated entries go first, then everything.
    pub fn put(
        &self,
        key: K,
        changes: i64,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        value: V,
    ) -> Arc<V> {
        let value = Arc::new(value);
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.get(&key).is_some_and(|e| e.changes > changes) {
            return value;
        }
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.retain(|_, e| e.changes >= changes && now < e.until);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(
            key,
            Entry {
                changes,
                from: now,
                until,
                value: Arc::clone(&value),
            },
        );
        value
    }

    /// Number of entries (for tests).
    pub fn len(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::Cache;
    use chrono::{Duration, TimeZone, Utc};

    #[test]
    fn an_entry_is_reused_only_at_its_count_and_within_its_time() {
        let cache = Cache::new(10);
        let t = Utc.with_ymd_and_hms(2026, 5, 1, 12, 0, 0).unwrap();
        cache.put("a", 7, t, t + Duration::seconds(30), "seven");
        assert_eq!(cache.get(&"a", 7, t).as_deref(), Some(&"seven"));
        assert_eq!(
            cache.get(&"a", 7, t + Duration::seconds(29)).as_deref(),
            Some(&"seven")
        );
        assert!(cache.get(&"a", 8, t).is_none(), "another count");
        assert!(cache.get(&"a", 6, t).is_none(), "an older count");
        assert!(
            cache.get(&"a", 7, t + Duration::seconds(30)).is_none(),
            "expired"
        );
        assert!(
            cache.get(&"a", 7, t - Duration::seconds(1)).is_none(),
            "before it was read"
        );
        assert!(cache.get(&"b", 7, t).is_none(), "another key");
    }

    #[test]
    fn a_newer_entry_is_not_replaced_by_an_older_one() {
        let cache = Cache::new(10);
        let t = Utc.with_ymd_and_hms(2026, 5, 1, 12, 0, 0).unwrap();
        let until = t + Duration::seconds(30);
        cache.put("a", 8, t, until, "eight");
        cache.put("a", 7, t, until, "seven");
        assert_eq!(cache.get(&"a", 8, t).as_deref(), Some(&"eight"));
        cache.put("a", 9, t, until, "nine");
        assert_eq!(cache.get(&"a", 9, t).as_deref(), Some(&"nine"));
    }

    #[test]
    fn a_full_cache_stays_within_its_capacity() {
        let cache = Cache::new(3);
        let t = Utc.with_ymd_and_hms(2026, 5, 1, 12, 0, 0).unwrap();
        let until = t + Duration::seconds(30);
        for (i, key) in ["a", "b", "c", "d", "e"].into_iter().enumerate() {
            cache.put(key, 1, t, until, i);
            assert!(cache.len() <= 3);
        }
        assert_eq!(cache.get(&"e", 1, t).as_deref(), Some(&4));
        // Outdated entries make room first.
        let cache = Cache::new(2);
        cache.put("old", 1, t, until, 0);
        cache.put("current", 2, t, until, 1);
        cache.put("new", 2, t, until, 2);
        assert!(cache.get(&"old", 1, t).is_none());
        assert_eq!(cache.get(&"current", 2, t).as_deref(), Some(&1));
        assert_eq!(cache.get(&"new", 2, t).as_deref(), Some(&2));
    }
}
