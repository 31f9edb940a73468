//! Faults the operator arms on a route (dev profile, `/_provisio/faults`): the next N calls of
//! a `/v1` route answer an error in bunq's envelope, arrive late, or lose their connection, so
//! a client's retries can be tested against provisio as they would be against a bad day at
//! bunq.
//!
//! Kept in this process's memory, like the sink: a fault is a test's setup, not data. Several
//! processes on one PostgreSQL each have their own.
//!
//! Every `/v1` call passes [`Faults::any_armed`], one relaxed atomic load: nothing else runs
//! on the request path unless a fault is armed. Only then is the list locked and matched.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Mutex, OnceLock,
    },
    time::Duration,
};

use axum::http::{Method, StatusCode};
use provisio_core::{text::quoted, time::parse_duration};
use provisio_wire::{operator::Fault as FaultRecord, requests::FaultRequest};

/// The most calls one fault takes.
pub const MAX_COUNT: u64 = 10_000;
/// The longest latency a fault adds: longer would only hold connections open.
pub const MAX_LATENCY: Duration = Duration::from_secs(5 * 60);
/// The most faults armed at once.
pub const MAX_ARMED: usize = 100;
/// The longest `error` text.
const MAX_ERROR_CHARS: usize = 1_000;

/// What a call that a fault took gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Handled as usual (after the latency).
    Proceed,
    /// This status and `error_description`.
    Fail { status: StatusCode, error: String },
    /// No answer: the connection is closed.
    Drop,
}

/// What [`Faults::strike`] found for a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Struck {
    pub latency: Duration,
    pub answer: Answer,
}

/// One armed fault: the request that armed it, parsed.
#[derive(Debug, Clone)]
struct Armed {
    id: u64,
    method: Method,
    path: String,
    pattern: Vec<Segment>,
    remaining: u64,
    latency: Option<(Duration, String)>,
    answer: Answer,
}

/// A path segment of a fault's route: `{…}` matches any id.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Any,
    Is(String),
}

fn segments(path: &str) -> Vec<Segment> {
    path.trim_matches('/')
        .split('/')
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                Segment::Any
            } else {
                Segment::Is(s.to_owned())
            }
        })
        .collect()
}

/// A request's path against a fault's pattern.
fn matches(pattern: &[Segment], path: &str) -> bool {
    let mut given = path.trim_matches('/').split('/');
    pattern.iter().all(|want| match (want, given.next()) {
        (Segment::Any, Some(seg)) => !seg.is_empty(),
        (Segment::Is(want), Some(seg)) => want == seg,
        (_, None) => false,
    }) && given.next().is_none()
}

/// Whether a fault's pattern can match a served route template: its `{…}` only where the
/// template has one, its ids where the template has one or the same word.
fn names(pattern: &[Segment], template: &[Segment]) -> bool {
    pattern.len() == template.len()
        && pattern.iter().zip(template).all(|(p, t)| match (p, t) {
            (_, Segment::Any) => true,
            (Segment::Is(p), Segment::Is(t)) => p == t,
            (Segment::Any, Segment::Is(_)) => false,
        })
}

#[derive(Default)]
pub struct Faults {
    armed: AtomicBool,
    inner: Mutex<Inner>,
    /// Every `/v1` route served, method and template, set once by the router: a fault on a
    /// route provisio does not serve would wait for a call that never comes.
    served: OnceLock<Vec<(Method, Vec<Segment>)>>,
}

#[derive(Default)]
struct Inner {
    next_id: u64,
    faults: Vec<Armed>,
}

impl Faults {
    /// Whether any fault is armed: the only cost a call pays when none is.
    #[inline]
    pub fn any_armed(&self) -> bool {
        self.armed.load(Ordering::Relaxed)
    }

    /// The routes a fault may name (`method`, `template` under `/v1`); the first call wins.
    pub fn serve<'a>(&self, routes: impl IntoIterator<Item = (&'a str, &'a str)>) {
        let served = routes
            .into_iter()
            .filter(|(_, path)| path.starts_with("/v1/"))
            .filter_map(|(method, path)| {
                let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).ok()?;
                Some((method, segments(path)))
            })
            .collect();
        let _ = self.served.set(served);
    }

    /// Takes one call from the oldest fault armed on this method and path, if any.
    pub fn strike(&self, method: &Method, path: &str) -> Option<Struck> {
        let Ok(mut inner) = self.inner.lock() else {
            return None;
        };
        let at = inner
            .faults
            .iter()
            .position(|f| f.method == method && matches(&f.pattern, path))?;
        let fault = &mut inner.faults[at];
        fault.remaining -= 1;
        let struck = Struck {
            latency: fault.latency.as_ref().map_or(Duration::ZERO, |(d, _)| *d),
            answer: fault.answer.clone(),
        };
        if fault.remaining == 0 {
            inner.faults.remove(at);
            if inner.faults.is_empty() {
                self.armed.store(false, Ordering::Relaxed);
            }
        }
        Some(struck)
    }

    /// Arms the fault `request` describes, after the ones armed before it; a refusal says what
    /// is wrong with the request, and nothing is armed.
    pub fn arm(&self, request: &FaultRequest) -> Result<FaultRecord, String> {
        let mut armed = parse(request)?;
        if let Some(served) = self.served.get() {
            if !served
                .iter()
                .any(|(m, t)| *m == armed.method && names(&armed.pattern, t))
            {
                return Err(format!(
                    "provisio serves no route {} {}: give a path under /v1 as the OpenAPI \
                     document names it (GET /_provisio/openapi.json), e.g. \
                     /v1/user/{{user_id}}/monetary-account/{{id}}/payment, or one with ids.",
                    armed.method,
                    quoted(&armed.path)
                ));
            }
        }
        let mut inner = self
            .inner
            .lock()
            .map_err(|_| "The faults are unavailable.")?;
        if inner.faults.len() >= MAX_ARMED {
            return Err(format!(
                "At most {MAX_ARMED} faults are armed at once: clear them (DELETE /_provisio/faults)."
            ));
        }
        inner.next_id += 1;
        armed.id = inner.next_id;
        let record = record(&armed);
        inner.faults.push(armed);
        self.armed.store(true, Ordering::Relaxed);
        Ok(record)
    }

    /// What is armed, oldest first, with the calls each has left.
    pub fn list(&self) -> Vec<FaultRecord> {
        self.inner
            .lock()
            .map(|inner| inner.faults.iter().map(record).collect())
            .unwrap_or_default()
    }

    /// Disarms every fault.
    pub fn clear(&self) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.faults.clear();
            self.armed.store(false, Ordering::Relaxed);
        }
    }
}

fn record(f: &Armed) -> FaultRecord {
    let (status, error) = match &f.answer {
        Answer::Fail { status, error } => (Some(status.as_u16()), Some(error.clone())),
        _ => (None, None),
    };
    FaultRecord {
        id: f.id,
        method: f.method.to_string(),
        path: f.path.clone(),
        remaining: f.remaining,
        status,
        error,
        latency: f.latency.as_ref().map(|(_, text)| text.clone()),
        drop_connection: f.answer == Answer::Drop,
    }
}

/// The request, checked field by field; the first wrong one is named.
fn parse(r: &FaultRequest) -> Result<Armed, String> {
    let method = r
        .method
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .ok_or("method is required, e.g. \"POST\".")?;
    let method = match method.to_ascii_uppercase().as_str() {
        "GET" => Method::GET,
        "POST" => Method::POST,
        "PUT" => Method::PUT,
        "DELETE" => Method::DELETE,
        _ => {
            return Err(format!(
                "method {} is not one of GET, POST, PUT and DELETE.",
                quoted(method)
            ))
        }
    };
    let path = r
        .path
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .ok_or("path is required: a route under /v1, e.g. /v1/user/{user_id}/monetary-account/{id}/payment.")?;
    if !path.starts_with("/v1/") || path.contains(['?', '#']) || path.chars().count() > 512 {
        return Err(format!(
            "path {} must be a route under /v1/, without a query.",
            quoted(path)
        ));
    }
    let count = match r.count {
        None => 1,
        Some(n) => u64::try_from(n)
            .ok()
            .filter(|n| (1..=MAX_COUNT).contains(n))
            .ok_or(format!("count must be from 1 to {MAX_COUNT}."))?,
    };
    let latency = match r.latency.as_deref() {
        None => None,
        Some(text) => {
            let d = parse_duration(text)?;
            if d > MAX_LATENCY {
                return Err(format!("latency {} is over 5m.", quoted(text)));
            }
            Some((d, text.trim().to_owned()))
        }
    };
    let drop_connection = r.drop_connection.unwrap_or(false);
    let answer = match (r.status, drop_connection) {
        (Some(_), true) => {
            return Err(
                "status and drop_connection exclude each other: a dropped call gets no answer."
                    .to_owned(),
            )
        }
        (Some(status), false) => Answer::Fail {
            status: error_status(status)?,
            error: error_text(r.error.as_deref(), status)?,
        },
        (None, true) => Answer::Drop,
        (None, false) if latency.is_some() => Answer::Proceed,
        (None, false) => {
            return Err(
                "A fault needs a status (400 to 599), a latency or drop_connection.".to_owned(),
            )
        }
    };
    if r.error.is_some() && !matches!(answer, Answer::Fail { .. }) {
        return Err("error is the text answered with a status: give the status too.".to_owned());
    }
    Ok(Armed {
        id: 0,
        method,
        path: path.to_owned(),
        pattern: segments(path),
        remaining: count,
        latency,
        answer,
    })
}

/// An error status HTTP names, 400 to 599.
fn error_status(status: i64) -> Result<StatusCode, String> {
    u16::try_from(status)
        .ok()
        .filter(|s| (400..=599).contains(s))
        .and_then(|s| StatusCode::from_u16(s).ok())
        .filter(|s| s.canonical_reason().is_some())
        .ok_or(format!(
            "status {status} is not an error status HTTP names: use one from 400 to 599, \
             e.g. 500, 503 or 429."
        ))
}

/// The `error_description` to answer: as given, or one that says what happened.
fn error_text(given: Option<&str>, status: i64) -> Result<String, String> {
    match given.map(str::trim) {
        Some("") => Err("error must not be empty: leave it out for a default text.".to_owned()),
        Some(text) if text.chars().count() > MAX_ERROR_CHARS => Err(format!(
            "error is longer than {MAX_ERROR_CHARS} characters."
        )),
        Some(text) => Ok(text.to_owned()),
        None => Ok(format!(
            "A fault injected by provisio's operator (status {status})."
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(json: serde_json::Value) -> FaultRequest {
        serde_json::from_value(json).unwrap_or_default()
    }

    const PAYMENT: &str = "/v1/user/{user_id}/monetary-account/{id}/payment";

    #[test]
    fn the_next_calls_fail_then_service_resumes() {
        let faults = Faults::default();
        assert!(!faults.any_armed());
        let armed = faults
            .arm(&request(serde_json::json!({"method":"post","path":PAYMENT,"count":2,"status":503,"error":"Busy."})))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (armed.id, armed.remaining, armed.method.as_str()),
            (1, 2, "POST")
        );
        assert!(faults.any_armed());
        let paid = "/v1/user/3/monetary-account/7/payment";
        assert_eq!(faults.strike(&Method::GET, paid), None, "another method");
        assert_eq!(
            faults.strike(&Method::POST, "/v1/user/3/monetary-account/7/payment/1"),
            None
        );
        let fail = Answer::Fail {
            status: StatusCode::SERVICE_UNAVAILABLE,
            error: "Busy.".into(),
        };
        for _ in 0..2 {
            let struck = faults.strike(&Method::POST, paid).map(|s| s.answer);
            assert_eq!(struck, Some(fail.clone()));
        }
        assert_eq!(faults.strike(&Method::POST, paid), None);
        assert!(!faults.any_armed(), "the flag falls with the last fault");
    }

    #[test]
    fn a_path_with_ids_matches_only_those() {
        let faults = Faults::default();
        let _ = faults.arm(&request(serde_json::json!({"method":"GET","path":"/v1/user/3/monetary-account/7/payment","latency":"1ms"})));
        assert_eq!(
            faults.strike(&Method::GET, "/v1/user/4/monetary-account/7/payment"),
            None
        );
        let struck = faults.strike(&Method::GET, "/v1/user/3/monetary-account/7/payment");
        assert_eq!(
            struck,
            Some(Struck {
                latency: Duration::from_millis(1),
                answer: Answer::Proceed
            })
        );
    }

    #[test]
    fn only_served_routes_are_named() {
        let faults = Faults::default();
        faults.serve([
            ("post", PAYMENT),
            ("get", "/v1/installation"),
            ("post", "/_provisio/faults"),
        ]);
        let arm = |path: &str| {
            faults.arm(&request(
                serde_json::json!({"method":"POST","path":path,"status":500}),
            ))
        };
        assert!(arm(PAYMENT).is_ok());
        assert!(
            arm("/v1/user/{u}/monetary-account/{a}/payment").is_ok(),
            "any names in braces"
        );
        assert!(arm("/v1/user/3/monetary-account/7/payment").is_ok());
        for wrong in [
            "/v1/user/{u}/monetary-account/{a}/{kind}",
            "/v1/installation",
            "/v1/user/3/payment",
            "/_provisio/faults",
        ] {
            assert!(arm(wrong).is_err(), "{wrong} accepted");
        }
    }

    #[test]
    fn bad_requests_arm_nothing() {
        let faults = Faults::default();
        for (body, says) in [
            (
                serde_json::json!({"path":PAYMENT,"status":503}),
                "method is required",
            ),
            (
                serde_json::json!({"method":"PATCH","path":PAYMENT,"status":503}),
                "not one of",
            ),
            (
                serde_json::json!({"method":"POST","status":503}),
                "path is required",
            ),
            (
                serde_json::json!({"method":"POST","path":"/_provisio/faults","status":503}),
                "under /v1/",
            ),
            (
                serde_json::json!({"method":"POST","path":PAYMENT,"status":503,"count":0}),
                "count must be",
            ),
            (
                serde_json::json!({"method":"POST","path":PAYMENT,"status":299}),
                "not an error status",
            ),
            (
                serde_json::json!({"method":"POST","path":PAYMENT,"status":499}),
                "not an error status",
            ),
            (
                serde_json::json!({"method":"POST","path":PAYMENT,"latency":"soon"}),
                "is not a duration",
            ),
            (
                serde_json::json!({"method":"POST","path":PAYMENT,"latency":"6m"}),
                "over 5m",
            ),
            (
                serde_json::json!({"method":"POST","path":PAYMENT}),
                "needs a status",
            ),
            (
                serde_json::json!({"method":"POST","path":PAYMENT,"status":503,"drop_connection":true}),
                "exclude",
            ),
            (
                serde_json::json!({"method":"POST","path":PAYMENT,"latency":"1s","error":"x"}),
                "give the status",
            ),
        ] {
            let err = faults.arm(&request(body.clone())).err().unwrap_or_default();
            assert!(err.contains(says), "{body}: {err}");
        }
        assert!(!faults.any_armed() && faults.list().is_empty());
    }

    #[test]
    fn clearing_disarms() {
        let faults = Faults::default();
        let _ = faults.arm(&request(
            serde_json::json!({"method":"POST","path":PAYMENT,"drop_connection":true,"count":5}),
        ));
        assert_eq!(faults.list().len(), 1);
        faults.clear();
        assert!(!faults.any_armed() && faults.list().is_empty());
        assert_eq!(
            faults.strike(&Method::POST, "/v1/user/1/monetary-account/2/payment"),
            None
        );
    }
}
