//! The recent requests of this process, for the operator API's `/_provisio/requests`: what a
//! partner debugging its integration wants to see next to the refusal it got (status, route,
//! the reason, with the `dev` profile's explanation), and what was sent and answered, so a test
//! can assert what its client called.
//!
//! Kept in memory, the newest [`CAPACITY`] requests of this process only: writing every request
//! to the database would cost every request a write, and the log is for looking, not keeping.
//! Several processes on one PostgreSQL each keep their own. No headers and no query strings are
//! kept; refusal texts carry hashes and lengths only.
//!
//! Bodies: a JSON body is kept as the bytes the handler read and the response signer sent (a
//! clone of `Bytes` is a reference count, no copy), at most [`BODY_CAP`] of each, and the
//! secrets in it (API keys, tokens, PANs, CVC2s, see `masking`) are masked **when the log is
//! read**, never on a request's path: a request would otherwise pay for scanning its bodies on
//! the chance that someone looks, and nearly all are never looked at. So the unmasked bytes stay
//! in this process's memory for as long as the record does, as they were while the request ran;
//! nothing writes them anywhere, and every way out of the log (`recent`) masks them. An
//! encrypted body (bunq's application-layer encryption) and any body that is not JSON are kept
//! as a length and a kind only. All bodies together stay under [`BODY_BUDGET`]: past it the
//! oldest records go first.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
};

use axum::{body::Bytes, http::HeaderValue};
use provisio_core::model::{Principal, UserId};
use provisio_wire::operator::{LoggedBody, RequestRecord};

use crate::masking::mask;

/// How many requests are kept.
pub const CAPACITY: usize = 1000;
/// The most of one body that is kept.
pub const BODY_CAP: usize = 16 * 1024;
/// The most all kept bodies may weigh together.
pub const BODY_BUDGET: usize = 16 * 1024 * 1024;

/// A body as the log keeps it, unmasked until read.
#[derive(Clone, Debug)]
pub enum Kept {
    /// What looks like JSON: its first [`BODY_CAP`] bytes, and how long it was.
    Json { start: Bytes, len: usize },
    /// Anything else: its kind (`encrypted`, or the Content-Type) and length.
    Other { kind: String, len: usize },
}

impl Kept {
    /// `body` as the log keeps it; `None` for an empty one.
    pub fn of(body: &Bytes, content_type: Option<&HeaderValue>) -> Option<Kept> {
        let first = body.iter().find(|b| !b.is_ascii_whitespace())?;
        let len = body.len();
        if matches!(first, b'{' | b'[') {
            // A long body is copied, so the record does not hold all of it alive.
            let start = if len <= BODY_CAP {
                body.clone()
            } else {
                Bytes::copy_from_slice(&body[..BODY_CAP])
            };
            return Some(Kept::Json { start, len });
        }
        let kind = content_type
            .and_then(|v| v.to_str().ok())
            .map_or("unknown", |v| {
                v.split(';').next().unwrap_or_default().trim()
            });
        Some(Kept::Other {
            kind: kind.chars().take(64).collect(),
            len,
        })
    }

    /// An encrypted body: its length only.
    pub fn encrypted(len: usize) -> Kept {
        Kept::Other {
            kind: "encrypted".into(),
            len,
        }
    }

    fn weight(&self) -> usize {
        match self {
            Kept::Json { start, .. } => start.len(),
            Kept::Other { kind, .. } => kind.len(),
        }
    }

    /// As the log shows it: masked.
    fn shown(&self) -> LoggedBody {
        match self {
            Kept::Json { start, len } => LoggedBody {
                kind: "json".into(),
                bytes: *len as u64,
                text: Some(mask(&String::from_utf8_lossy(start))),
                truncated: start.len() < *len,
            },
            Kept::Other { kind, len } => LoggedBody {
                kind: kind.clone(),
                bytes: *len as u64,
                text: None,
                truncated: false,
            },
        }
    }
}

/// One request as kept: the record without its bodies, and the bodies unmasked.
struct Entry {
    record: RequestRecord,
    request: Option<Kept>,
    response: Option<Kept>,
}

impl Entry {
    fn weight(&self) -> usize {
        self.request.as_ref().map_or(0, Kept::weight)
            + self.response.as_ref().map_or(0, Kept::weight)
    }
}

#[derive(Default)]
pub struct RequestLog {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    next_id: u64,
    entries: VecDeque<Entry>,
    /// What the kept bodies weigh together.
    weight: usize,
}

impl RequestLog {
    /// Keeps `record` with its bodies, numbered after the ones before it; the oldest go when
    /// full or over the bodies' budget.
    pub fn push(&self, mut record: RequestRecord, request: Option<Kept>, response: Option<Kept>) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        inner.next_id += 1;
        record.id = inner.next_id;
        let entry = Entry {
            record,
            request,
            response,
        };
        inner.weight += entry.weight();
        inner.entries.push_back(entry);
        while inner.entries.len() > CAPACITY || inner.weight > BODY_BUDGET {
            let Some(oldest) = inner.entries.pop_front() else {
                break;
            };
            inner.weight -= oldest.weight();
        }
    }

    /// Up to `count` of the newest requests after `after`, of `partner` when given, newest
    /// first, their bodies masked.
    pub fn recent(&self, partner: Option<i64>, after: u64, count: usize) -> Vec<RequestRecord> {
        let picked: Vec<(RequestRecord, Option<Kept>, Option<Kept>)> = {
            let Ok(inner) = self.inner.lock() else {
                return Vec::new();
            };
            inner
                .entries
                .iter()
                .rev()
                .take_while(|e| e.record.id > after)
                .filter(|e| partner.is_none() || e.record.partner_id == partner)
                .take(count)
                .map(|e| (e.record.clone(), e.request.clone(), e.response.clone()))
                .collect()
        };
        // Masked outside the lock: requests being logged meanwhile do not wait for it.
        picked
            .into_iter()
            .map(|(mut record, request, response)| {
                record.request_body = request.as_ref().map(Kept::shown);
                record.response_body = response.as_ref().map(Kept::shown);
                record
            })
            .collect()
    }
}

/// What the layers and extractors learn about a request while it runs, for its record: who
/// made it (the authentication extractors), the body its handler read (`http::read`) and the
/// body answered (the response signer).
#[derive(Clone, Default)]
pub struct Notes(Arc<Mutex<Noted>>);

#[derive(Default)]
struct Noted {
    caller: Option<Caller>,
    request: Option<Kept>,
    response: Option<Kept>,
}

#[derive(Clone, Copy)]
pub struct Caller {
    pub partner: Option<UserId>,
    pub user: Option<UserId>,
}

impl Notes {
    pub fn set_principal(&self, principal: Principal, user: UserId) {
        self.set(Caller {
            partner: Some(principal.partner()),
            user: Some(user),
        });
    }

    pub fn set(&self, caller: Caller) {
        if let Ok(mut noted) = self.0.lock() {
            noted.caller = Some(caller);
        }
    }

    pub fn caller(&self) -> Option<Caller> {
        self.0.lock().ok().and_then(|noted| noted.caller)
    }

    /// The body the handler read.
    pub fn read(&self, body: Option<Kept>) {
        if let Ok(mut noted) = self.0.lock() {
            noted.request = body;
        }
    }

    /// The body answered.
    pub fn answered(&self, body: Option<Kept>) {
        if let Ok(mut noted) = self.0.lock() {
            noted.response = body;
        }
    }

    /// Both bodies, taken.
    pub fn bodies(&self) -> (Option<Kept>, Option<Kept>) {
        self.0
            .lock()
            .map(|mut noted| (noted.request.take(), noted.response.take()))
            .unwrap_or_default()
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
            request_body: None,
            response_body: None,
        }
    }

    #[test]
    fn keeps_the_newest_and_filters() {
        let log = RequestLog::default();
        for i in 0..CAPACITY + 5 {
            log.push(record(Some((i % 2) as i64)), None, None);
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

    #[test]
    fn bodies_are_masked_when_read_and_bounded() {
        let log = RequestLog::default();
        let sent = Bytes::from_static(br#"{"secret":"sandbox_key","description":"laptop"}"#);
        let answered = Bytes::from_static(br#"{"Response":[{"Token":{"id":1,"token":"tok"}}]}"#);
        log.push(
            record(None),
            Kept::of(&sent, None),
            Kept::of(&answered, None),
        );
        let shown = log.recent(None, 0, 1).remove(0);
        let request = shown
            .request_body
            .unwrap_or_else(|| panic!("no request body"));
        assert_eq!(
            request.text.as_deref(),
            Some(r#"{"secret":"***","description":"laptop"}"#)
        );
        assert_eq!(
            (request.kind.as_str(), request.bytes, request.truncated),
            ("json", sent.len() as u64, false)
        );
        let response = shown
            .response_body
            .unwrap_or_else(|| panic!("no response body"));
        assert!(response
            .text
            .is_some_and(|t| t.contains(r#""token":"***""#)));

        let long = Bytes::from(format!(r#"{{"cvc2":"{}"}}"#, "1".repeat(BODY_CAP * 2)));
        let kept = Kept::of(&long, None)
            .map(|k| k.shown())
            .unwrap_or_else(|| panic!("kept"));
        assert!(kept.truncated && kept.bytes == long.len() as u64);
        assert_eq!(kept.text.as_deref(), Some(r#"{"cvc2":"***""#));

        let png = Bytes::from_static(b"\x89PNG\r\n");
        let image = HeaderValue::from_static("image/png");
        let kept = Kept::of(&png, Some(&image))
            .map(|k| k.shown())
            .unwrap_or_else(|| panic!("kept"));
        assert_eq!((kept.kind.as_str(), kept.text), ("image/png", None));
        assert!(Kept::of(&Bytes::from_static(b"  "), None).is_none());
    }

    #[test]
    fn the_bodies_budget_drops_the_oldest() {
        let log = RequestLog::default();
        let big = Bytes::from(format!("[{}]", "1,".repeat(BODY_CAP)));
        let per_record = 2 * BODY_CAP;
        let fit = BODY_BUDGET / per_record;
        for _ in 0..fit + 10 {
            log.push(record(None), Kept::of(&big, None), Kept::of(&big, None));
        }
        let kept = log.recent(None, 0, usize::MAX);
        assert_eq!(kept.len(), fit);
        assert_eq!(kept[0].id, (fit + 10) as u64, "the newest stay");
    }
}
