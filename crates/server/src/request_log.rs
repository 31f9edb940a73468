//! The recent requests of this process, for the operator API's `/_provisio/requests`: what a
//! partner debugging its integration wants to see next to the refusal it got (status, route,
//! and the reason, with the `dev` profile's explanation).
//!
//! Kept in memory, the newest [`CAPACITY`] requests of this process only: writing every request
//! to the database would cost every request a write, and the log is for looking, not keeping.
//! Several processes on one PostgreSQL each keep their own. Nothing secret is kept: no
//! headers, no bodies, no query strings; refusal texts carry hashes and lengths only.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
};

use provisio_core::model::{Principal, UserId};
use provisio_wire::operator::RequestRecord;

/// How many requests are kept.
pub const CAPACITY: usize = 1000;

#[derive(Default)]
pub struct RequestLog {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    next_id: u64,
    records: VecDeque<RequestRecord>,
}

impl RequestLog {
    /// Keeps `record`, numbered after the ones before it; the oldest goes when full.
    pub fn push(&self, mut record: RequestRecord) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        inner.next_id += 1;
        record.id = inner.next_id;
        if inner.records.len() == CAPACITY {
            inner.records.pop_front();
        }
        inner.records.push_back(record);
    }

    /// Up to `count` of the newest requests after `after`, of `partner` when given, newest
    /// first.
    pub fn recent(&self, partner: Option<i64>, after: u64, count: usize) -> Vec<RequestRecord> {
        let Ok(inner) = self.inner.lock() else {
            return Vec::new();
        };
        inner
            .records
            .iter()
            .rev()
            .take_while(|r| r.id > after)
            .filter(|r| partner.is_none() || r.partner_id == partner)
            .take(count)
            .cloned()
            .collect()
    }
}

/// Who made a request, filled in by the authentication extractors as they learn it.
#[derive(Clone, Default)]
pub struct CallerSlot(Arc<Mutex<Option<Caller>>>);

#[derive(Clone, Copy)]
pub struct Caller {
    pub partner: Option<UserId>,
    pub user: Option<UserId>,
}

impl CallerSlot {
    pub fn set_principal(&self, principal: Principal, user: UserId) {
        self.set(Caller {
            partner: Some(principal.partner()),
            user: Some(user),
        });
    }

    pub fn set(&self, caller: Caller) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(caller);
        }
    }

    pub fn get(&self) -> Option<Caller> {
        self.0.lock().ok().and_then(|slot| *slot)
    }
}

/// The `error_description` a refusal carried, left on the response for the log.
#[derive(Clone)]
pub struct Refusal(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    fn record(partner: Option<i64>) -> RequestRecord {
        RequestRecord {
            id: 0,
            at: String::new(),
            method: "GET".into(),
            route: "/v1/x".into(),
            path: "/v1/x".into(),
            status: 200,
            latency_ms: 1,
            partner_id: partner,
            user_id: None,
            reason: None,
        }
    }

    #[test]
    fn keeps_the_newest_and_filters() {
        let log = RequestLog::default();
        for i in 0..CAPACITY + 5 {
            log.push(record(Some((i % 2) as i64)));
        }
        let all = log.recent(None, 0, usize::MAX);
        assert_eq!(all.len(), CAPACITY);
        assert_eq!(all[0].id, (CAPACITY + 5) as u64);
        let ones = log.recent(Some(1), 0, 3);
        assert_eq!(ones.len(), 3);
        assert!(ones.iter().all(|r| r.partner_id == Some(1)));
        let newer = log.recent(None, (CAPACITY + 3) as u64, 10);
        assert_eq!(
            newer.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![(CAPACITY + 5) as u64, (CAPACITY + 4) as u64]
        );
    }
}
