//! The built-in webhook sink (`/_provisio/sink/{name}`, dev profile only): keeps the POSTs it
//! receives so a developer sees the webhooks a partner's notification filter sends without
//! running a receiver of their own.
//!
//! Kept in this process's memory, like the request log, not in the database: the sink is a
//! development convenience in the `dev` profile, where one process is the rule; keeping it out
//! of the schema costs no migration and no write per webhook, and a restart empties it, which
//! is what a scratch inbox wants. Several processes behind one address each keep their own
//! (documented in docs/sink.md).
//!
//! Bounded so that nobody posting to it can exhaust the memory: the newest [`PER_NAME`] per
//! name, bodies cut at [`BODY_CAP`] bytes, at most [`MAX_NAMES`] names (the one written to
//! longest ago goes first) and [`TOTAL_BYTES`] in all (the oldest requests go first).

use std::{
    collections::{BTreeMap, HashMap, VecDeque},
    sync::Mutex,
};

use axum::http::HeaderMap;
use provisio_core::crypto::VerifyingKey;
use provisio_wire::{headers, operator::SinkRequest};

/// Requests kept per name.
pub const PER_NAME: usize = 1000;
/// Longest body kept, in bytes; the rest is cut (the signature is checked on all of it).
pub const BODY_CAP: usize = 64 * 1024;
/// Names kept at once.
pub const MAX_NAMES: usize = 100;
/// Bytes kept in all, bodies and headers.
pub const TOTAL_BYTES: usize = 32 * 1024 * 1024;
/// Headers kept per request, and the longest value kept of each.
const MAX_HEADERS: usize = 64;
const HEADER_VALUE_CAP: usize = 1024;
/// Longest name: the URL's last segment.
const NAME_CAP: usize = 64;

/// Headers that carry a credential: shown as `***` (secrets are never kept).
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    headers::CLIENT_AUTHENTICATION,
];

pub struct WebhookSink {
    inner: Mutex<Inner>,
    /// The server's public key; `None` only if it cannot be parsed, and then every signature
    /// reads as `INVALID`.
    key: Option<VerifyingKey>,
}

#[derive(Default)]
struct Inner {
    next_id: u64,
    names: HashMap<String, VecDeque<Kept>>,
    bytes: usize,
}

struct Kept {
    record: SinkRequest,
    bytes: usize,
}

/// A sink's name: 1 to 64 of `A-Z a-z 0-9 . _ -`, so it is safe in a URL and a terminal.
pub fn valid_name(name: &str) -> bool {
    (1..=NAME_CAP).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

impl WebhookSink {
    pub fn new(public_key_pem: &str) -> Self {
        WebhookSink {
            inner: Mutex::default(),
            key: VerifyingKey::from_pem(public_key_pem).ok(),
        }
    }

    /// Keeps one POST to `name` (already checked with [`valid_name`]); answers its id.
    pub fn keep(&self, name: &str, at: String, sent: &HeaderMap, body: &[u8]) -> u64 {
        let signature = match sent
            .get(headers::SERVER_SIGNATURE)
            .and_then(|v| v.to_str().ok())
        {
            None => "MISSING",
            Some(signature) => match &self.key {
                Some(key) if key.verify(body, signature).is_ok() => "VALID",
                _ => "INVALID",
            },
        };
        let kept_headers: BTreeMap<String, String> = sent
            .iter()
            .take(MAX_HEADERS)
            .map(|(name, value)| {
                let value = if SECRET_HEADERS.contains(&name.as_str()) {
                    "***".to_owned()
                } else {
                    cut(&String::from_utf8_lossy(value.as_bytes()), HEADER_VALUE_CAP)
                };
                (name.as_str().to_owned(), value)
            })
            .collect();
        let text = cut(&String::from_utf8_lossy(body), BODY_CAP);
        let bytes = text.len()
            + kept_headers
                .iter()
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>();
        let Ok(mut inner) = self.inner.lock() else {
            return 0;
        };
        inner.next_id += 1;
        let id = inner.next_id;
        let record = SinkRequest {
            id,
            at,
            name: name.to_owned(),
            headers: kept_headers,
            truncated: body.len() > BODY_CAP,
            body_bytes: body.len() as u64,
            body: text,
            signature: signature.to_owned(),
        };
        inner.bytes += bytes;
        let queue = inner.names.entry(name.to_owned()).or_default();
        queue.push_back(Kept { record, bytes });
        let dropped = if queue.len() > PER_NAME {
            queue.pop_front().map_or(0, |k| k.bytes)
        } else {
            0
        };
        inner.bytes -= dropped;
        inner.evict();
        id
    }

    /// What `name` kept after the request numbered `after`, oldest first, at most `count`
    /// (the newest ones when there are more).
    pub fn list(&self, name: &str, after: u64, count: usize) -> Vec<SinkRequest> {
        let Ok(inner) = self.inner.lock() else {
            return Vec::new();
        };
        let Some(queue) = inner.names.get(name) else {
            return Vec::new();
        };
        let newer: Vec<&Kept> = queue.iter().filter(|k| k.record.id > after).collect();
        let skip = newer.len().saturating_sub(count);
        newer
            .into_iter()
            .skip(skip)
            .map(|k| k.record.clone())
            .collect()
    }

    /// Every name with what it keeps: (name, requests kept, the newest one's id), the most
    /// recently written first.
    pub fn names(&self) -> Vec<(String, usize, u64)> {
        let Ok(inner) = self.inner.lock() else {
            return Vec::new();
        };
        let mut names: Vec<(String, usize, u64)> = inner
            .names
            .iter()
            .map(|(name, queue)| {
                let newest = queue.back().map_or(0, |k| k.record.id);
                (name.clone(), queue.len(), newest)
            })
            .collect();
        names.sort_by_key(|(_, _, newest)| std::cmp::Reverse(*newest));
        names
    }

    /// The id the newest request got, under any name (0 before the first): it changes with
    /// every request kept, which is what the dashboard's live page watches.
    pub fn newest_id(&self) -> u64 {
        self.inner.lock().map_or(0, |inner| inner.next_id)
    }

    /// Forgets everything `name` kept.
    pub fn clear(&self, name: &str) {
        if let Ok(mut inner) = self.inner.lock() {
            let freed: usize = inner
                .names
                .remove(name)
                .map_or(0, |queue| queue.iter().map(|k| k.bytes).sum());
            inner.bytes -= freed;
        }
    }
}

impl Inner {
    /// Drops what is over the bounds: whole names written to longest ago, then the oldest
    /// requests of any name.
    fn evict(&mut self) {
        while self.names.len() > MAX_NAMES {
            let Some(stalest) = self
                .names
                .iter()
                .min_by_key(|(_, queue)| queue.back().map_or(0, |k| k.record.id))
                .map(|(name, _)| name.clone())
            else {
                break;
            };
            if let Some(queue) = self.names.remove(&stalest) {
                self.bytes -= queue.iter().map(|k| k.bytes).sum::<usize>();
            }
        }
        while self.bytes > TOTAL_BYTES {
            let Some(oldest) = self
                .names
                .iter()
                .filter_map(|(name, queue)| queue.front().map(|k| (k.record.id, name)))
                .min()
                .map(|(_, name)| name.clone())
            else {
                break;
            };
            if let Some(queue) = self.names.get_mut(&oldest) {
                let freed = queue.pop_front().map_or(0, |k| k.bytes);
                self.bytes -= freed;
                if queue.is_empty() {
                    self.names.remove(&oldest);
                }
            }
        }
    }
}

/// `text` cut to at most `cap` bytes, on a character boundary.
fn cut(text: &str, cap: usize) -> String {
    if text.len() <= cap {
        return text.to_owned();
    }
    let mut end = cap;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sink() -> WebhookSink {
        WebhookSink::new("not a key")
    }

    #[test]
    fn keeps_the_newest_per_name_oldest_first() {
        let sink = sink();
        for i in 0..(PER_NAME + 5) {
            sink.keep(
                "a",
                String::new(),
                &HeaderMap::new(),
                i.to_string().as_bytes(),
            );
        }
        let kept = sink.list("a", 0, usize::MAX);
        assert_eq!(kept.len(), PER_NAME);
        assert_eq!(kept[0].body, "5");
        assert_eq!(kept[PER_NAME - 1].body, (PER_NAME + 4).to_string());
        assert_eq!(sink.list("a", 0, 2).len(), 2);
        assert_eq!(sink.list("a", kept[PER_NAME - 2].id, 10).len(), 1);
    }

    #[test]
    fn names_and_bytes_are_bounded() {
        let sink = sink();
        for i in 0..(MAX_NAMES + 3) {
            sink.keep(&format!("n{i}"), String::new(), &HeaderMap::new(), b"x");
        }
        assert!(sink.list("n0", 0, 10).is_empty(), "the stalest name went");
        assert_eq!(sink.list(&format!("n{}", MAX_NAMES + 2), 0, 10).len(), 1);
        let big = vec![b'y'; BODY_CAP * 2];
        for _ in 0..(TOTAL_BYTES / BODY_CAP + 10) {
            sink.keep("big", String::new(), &HeaderMap::new(), &big);
        }
        let inner = sink.inner.lock().map(|i| i.bytes).unwrap_or(usize::MAX);
        assert!(inner <= TOTAL_BYTES, "{inner} bytes kept");
        let last = sink.list("big", 0, 1);
        assert!(last[0].truncated && last[0].body.len() == BODY_CAP);
        assert_eq!(last[0].body_bytes, (BODY_CAP * 2) as u64);
    }

    #[test]
    fn secrets_are_masked_and_unsigned_bodies_say_so() {
        let sink = sink();
        let mut sent = HeaderMap::new();
        sent.insert(
            "authorization",
            axum::http::HeaderValue::from_static("Bearer secret"),
        );
        sent.insert(
            "x-bunq-server-signature",
            axum::http::HeaderValue::from_static("Zm9v"),
        );
        sink.keep("s", String::new(), &sent, b"{}");
        sink.keep("s", String::new(), &HeaderMap::new(), b"{}");
        let kept = sink.list("s", 0, 10);
        assert_eq!(kept[0].headers["authorization"], "***");
        assert_eq!(kept[0].signature, "INVALID");
        assert_eq!(kept[1].signature, "MISSING");
        sink.clear("s");
        assert!(sink.list("s", 0, 10).is_empty());
    }

    #[test]
    fn names_are_url_safe() {
        assert!(valid_name("my-app_1.test"));
        assert!(!valid_name(""));
        assert!(!valid_name("a b"));
        assert!(!valid_name(&"a".repeat(NAME_CAP + 1)));
    }
}
