//! Objects of provisio's operator API (`/_provisio/`), not bunq's.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A scenario, magic value or forced outcome of the sandbox (`GET /_provisio/scenarios`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Scenario {
    pub name: String,
    /// `scenario` (runnable), `magic value`, `forced outcome` or `setting`.
    pub kind: String,
    pub description: String,
}

/// One request as the server answered it: what the request log keeps (no headers; bodies with
/// their secrets masked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RequestRecord {
    /// Increasing within one server process; `after` pages on it.
    pub id: u64,
    pub at: String,
    pub method: String,
    /// The route template, e.g. `/v1/user/{user_id}/address-main`.
    pub route: String,
    /// The path as requested, ids included (never the query string).
    pub path: String,
    pub status: u16,
    pub latency_ms: u64,
    /// The partner whose session or key made the request, once it was known.
    #[schema(required = true)]
    pub partner_id: Option<i64>,
    /// The user the session acts as (the partner, or a provisioned user's `UserApiKey`).
    #[schema(required = true)]
    pub user_id: Option<i64>,
    /// For a refusal, the `error_description` the client got.
    #[schema(required = true)]
    pub reason: Option<String>,
    /// The request's body as the handler read it; absent when none was read (a GET, or a
    /// request refused before its body was read).
    #[serde(default)]
    #[schema(required = true)]
    pub request_body: Option<LoggedBody>,
    /// The response's body as sent.
    #[serde(default)]
    #[schema(required = true)]
    pub response_body: Option<LoggedBody>,
}

/// A body in the request log: JSON as text with secrets, PANs and CVC2s masked (`***`), cut
/// at the log's cap; anything else only described.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LoggedBody {
    /// `json`, `encrypted` (bunq's application-layer encryption: kept out of the log), or the
    /// Content-Type of a body that is not JSON.
    pub kind: String,
    /// How long the body was, in bytes.
    pub bytes: u64,
    /// The JSON text, masked; absent for any other kind.
    #[schema(required = true)]
    pub text: Option<String>,
    /// `text` is the start only: the body was longer than the log keeps.
    pub truncated: bool,
}

/// A fault armed on a route (`/_provisio/faults`, dev profile): what its next calls get.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Fault {
    pub id: u64,
    pub method: String,
    /// As given: a route template (`{…}` matches any id) or a path with ids.
    pub path: String,
    /// How many more calls it takes.
    pub remaining: u64,
    /// The status they are answered, or absent (delayed or dropped only).
    #[schema(required = true)]
    pub status: Option<u16>,
    /// The `error_description` answered with `status`.
    #[schema(required = true)]
    pub error: Option<String>,
    /// Added before each call is handled or fails, as given (`2s`).
    #[schema(required = true)]
    pub latency: Option<String>,
    pub drop_connection: bool,
}

/// One POST the built-in webhook sink kept (`GET /_provisio/sink/{name}`, dev profile).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SinkRequest {
    /// Increasing within one server process, across every sink name; `after` pages on it.
    pub id: u64,
    /// When it arrived, on the server's clock.
    pub at: String,
    /// The sink's name, the last segment of the URL it was posted to.
    pub name: String,
    /// The headers as received, lower-case names; credentials (`authorization`, cookies,
    /// bunq's client authentication) are replaced by `***`.
    pub headers: std::collections::BTreeMap<String, String>,
    /// The body as text (invalid UTF-8 replaced), at most the sink's cap.
    pub body: String,
    /// The body was longer than the cap and is cut (the signature was checked on all of it).
    pub truncated: bool,
    /// How long the body was, in bytes.
    pub body_bytes: u64,
    /// `X-Bunq-Server-Signature` against this server's public key: `VALID`, `INVALID` or
    /// `MISSING`.
    pub signature: String,
}

/// The answer of the health probes, `{"status":"ok"}` (not in bunq's envelope).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HealthStatus {
    pub status: String,
}

impl HealthStatus {
    pub fn ok() -> HealthStatus {
        HealthStatus {
            status: "ok".into(),
        }
    }
}
