//! `ApiError`: the only error the HTTP layer renders. Every refusal, from a handler, an
//! extractor, the router's fallbacks or a caught panic, becomes bunq's envelope
//! `{"Error":[{"error_description":…,"error_description_translated":…}]}` with bunq's status.

use std::error::Error as StdError;

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use provisio_core::{error::Outcome, DomainError, StoreError};
use provisio_wire::ErrorEnvelope;

use crate::request_log::Refusal;

tokio::task_local! {
    /// Set (by `encryption`) while the route of a decrypted request runs.
    pub(super) static DECRYPTED: ();
}

/// Whether the current request's body arrived encrypted: its refusals may quote the plaintext.
fn inside_encrypted_request() -> bool {
    DECRYPTED.try_with(|()| ()).is_ok()
}

/// bunq's "request signature required" status (spec A.5).
pub const SIGNATURE_REQUIRED: u16 = 466;

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    description: String,
    /// `error_additional_parameter`, e.g. the fulfillments an onboarding still needs.
    additional: Option<serde_json::Value>,
    /// Logged for 5xx, never shown.
    source: Option<Box<dyn StdError + Send + Sync>>,
    /// `Retry-After`, in seconds, on a 503.
    retry_after: Option<u32>,
}

/// How soon a client may try again after a 503: the database's timeouts are a few seconds, so
/// an outage shorter than that is over by then, and a longer one costs the client one more 503.
const RETRY_AFTER_SECONDS: u32 = 1;

impl ApiError {
    pub fn new(status: StatusCode, description: impl Into<String>) -> Self {
        ApiError {
            status,
            description: description.into(),
            additional: None,
            source: None,
            retry_after: None,
        }
    }

    pub fn bad_request(description: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, description)
    }

    /// What the client is told (the dashboard shows it).
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The same refusal with its description rewritten.
    pub fn map_description(mut self, f: impl FnOnce(String) -> String) -> Self {
        self.description = f(self.description);
        self
    }

    /// Adds bunq's `error_additional_parameter` to the envelope.
    pub fn with_additional(mut self, additional: serde_json::Value) -> Self {
        self.additional = Some(additional);
        self
    }

    pub fn not_found(description: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, description)
    }

    pub fn internal(source: impl StdError + Send + Sync + 'static) -> Self {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            description: "An internal error occurred. Please try again later.".into(),
            additional: None,
            source: Some(Box::new(source)),
            retry_after: None,
        }
    }

    /// 503 with `Retry-After`: the database did not answer in time (see
    /// `StoreError::Unavailable`). What the client is told depends on whether the change may
    /// have been made.
    pub fn unavailable(outcome: Outcome, source: impl StdError + Send + Sync + 'static) -> Self {
        let description = match outcome {
            Outcome::NotApplied => {
                "Service unavailable: the database did not answer in time. Nothing was \
                 changed; please try again."
            }
            // A retry with the same request id learns the outcome: a payment, credit or card
            // transaction that was made answers as it did, and is not made twice
            // (`provisio_core::idempotency`).
            Outcome::Unknown => {
                "Service unavailable: the outcome of this request is unknown (the connection to \
                 the database was lost while it was being committed); retry with the same \
                 X-Bunq-Client-Request-Id."
            }
        };
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            description: description.into(),
            additional: None,
            source: Some(Box::new(source)),
            retry_after: Some(RETRY_AFTER_SECONDS),
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        let status = match &err {
            DomainError::Unauthorised | DomainError::SignatureInvalid => StatusCode::UNAUTHORIZED,
            DomainError::BadCredentials | DomainError::Invalid(_) => StatusCode::BAD_REQUEST,
            DomainError::SignatureRequired => {
                StatusCode::from_u16(SIGNATURE_REQUIRED).unwrap_or(StatusCode::BAD_REQUEST)
            }
            DomainError::NotFound(_) => StatusCode::NOT_FOUND,
            DomainError::Store(StoreError::Unavailable { outcome, .. }) => {
                let outcome = *outcome;
                return ApiError::unavailable(outcome, err);
            }
            DomainError::Store(_) => return ApiError::internal(err),
        };
        ApiError::new(status, err.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(status = %self.status, cause = ?self.source, "request failed");
        } else if inside_encrypted_request() {
            // The description may quote what the client sent encrypted.
            tracing::debug!(status = %self.status, "encrypted request refused");
        } else {
            tracing::debug!(status = %self.status, description = %self.description, "request refused");
        }
        let refusal = Refusal(self.description.clone());
        let mut envelope = ErrorEnvelope::single(self.description);
        if let Some(item) = envelope.error.first_mut() {
            item.error_additional_parameter = self.additional;
        }
        let mut response = json_response(self.status, &envelope);
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        // For the request log: the reason the client was given.
        response.extensions_mut().insert(refusal);
        response
    }
}

fn json_response(status: StatusCode, envelope: &ErrorEnvelope) -> Response {
    let body = serde_json::to_vec(envelope).unwrap_or_default();
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// Renders an error envelope. Also used to replace bodies the framework produced itself.
pub fn envelope_response(status: StatusCode, description: &str) -> Response {
    json_response(status, &ErrorEnvelope::single(description))
}

impl ApiError {
    /// For the panic handler: logged as an internal error, rendered as the envelope.
    pub fn into_response_for_panic(self) -> Response {
        tracing::error!("a request handler panicked");
        envelope_response(self.status, &self.description)
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        // A storage refusal (e.g. a closed user) is a 400; the database away or past a timeout
        // a 503; any other failure stays a 500.
        ApiError::from(DomainError::from(err))
    }
}
