//! Extractors: who is calling (installation or session token, source address) and what they
//! sent (a JSON body whose signature is checked against the caller's installation key).
//!
//! Every rejection is an [`ApiError`], so a bad header or body gets bunq's envelope like any
//! other refusal. Handlers list the authentication extractor first: it records the caller's
//! key in the request extensions, where the body extractor finds it.

use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    sync::Arc,
};

use axum::{
    extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Request},
    http::{header, request::Parts, HeaderMap, StatusCode},
};
use provisio_core::{crypto::VerifyingKey, ip::canonical, secret::SecretHash, text, DomainError};
use provisio_wire::headers;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::{
    auth::{AuthedInstallation, AuthedSession},
    config::Profile,
    AppState,
};

/// The address the request came from.
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(ClientIp(client_ip(parts)))
    }
}

fn client_ip(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| canonical(addr.ip()))
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

fn auth_token(headers: &HeaderMap) -> Result<SecretHash, DomainError> {
    headers
        .get(headers::CLIENT_AUTHENTICATION)
        .and_then(|v| v.to_str().ok())
        .map(|token| SecretHash::of(token.trim()))
        .ok_or(DomainError::Unauthorised)
}

/// The key that signs this caller's request bodies.
#[derive(Clone)]
struct CallerKey(Arc<VerifyingKey>);

/// A request authenticated with an installation token (`POST /device-server`,
/// `POST /session-server`).
pub struct InstallationAuth(pub Arc<AuthedInstallation>);

impl FromRequestParts<AppState> for InstallationAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = auth_token(&parts.headers)?;
        let installation = state
            .auth
            .installation(state.store.as_ref(), &token)
            .await?;
        parts.extensions.insert(CallerKey(installation.key.clone()));
        Ok(InstallationAuth(installation))
    }
}

/// A request authenticated with a live session token, from an address its device permits.
pub struct SessionAuth {
    pub session: Arc<AuthedSession>,
    pub token: SecretHash,
}

impl FromRequestParts<AppState> for SessionAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = auth_token(&parts.headers)?;
        let session = state
            .auth
            .session(state.store.as_ref(), state.clock.as_ref(), &token)
            .await?;
        // J-32: after the session exists, a foreign address is an authorisation failure.
        if state.config.ip_checks() && !session.context.permitted.permits(client_ip(parts)) {
            return Err(DomainError::Unauthorised.into());
        }
        parts.extensions.insert(CallerKey(session.key.clone()));
        Ok(SessionAuth { session, token })
    }
}

/// A JSON body. Its `X-Bunq-Client-Signature` is verified when sent.
pub struct Json<T>(pub T);

/// A JSON body that must carry a valid `X-Bunq-Client-Signature` (466 when missing).
pub struct SignedJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        read_json(req, state, false).await.map(Json)
    }
}

impl<T: DeserializeOwned> FromRequest<AppState> for SignedJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        read_json(req, state, true).await.map(SignedJson)
    }
}

/// Reads a body of at most `limit` bytes within the configured request timeout (`what` names
/// it in the refusal) and verifies its `X-Bunq-Client-Signature` over exactly those bytes:
/// when sent, or always if `required`.
async fn signed_bytes(
    parts: &Parts,
    body: axum::body::Body,
    state: &AppState,
    limit: usize,
    what: &str,
    required: bool,
) -> Result<axum::body::Bytes, ApiError> {
    // A client that announces more than it sends would otherwise hold the connection forever.
    let read = axum::body::to_bytes(body, limit);
    let bytes = match tokio::time::timeout(state.config.request_timeout, read).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(err)) => {
            return Err(ApiError::bad_request(if is_too_large(err) {
                format!("{what} is too large; at most {limit} bytes are accepted.")
            } else {
                format!("{what} could not be read.")
            }))
        }
        Err(_) => {
            return Err(ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                format!("{what} did not arrive in time."),
            ))
        }
    };
    let signature = parts
        .headers
        .get(headers::CLIENT_SIGNATURE)
        .map(|v| v.to_str().unwrap_or_default());
    match (signature, parts.extensions.get::<CallerKey>()) {
        (Some(signature), Some(CallerKey(key))) => key
            .verify(&bytes, signature)
            .map_err(|_| DomainError::SignatureInvalid)?,
        (None, _) if required => return Err(DomainError::SignatureRequired.into()),
        _ => {}
    }
    Ok(bytes)
}

async fn read_json<T: DeserializeOwned>(
    req: Request,
    state: &AppState,
    signature_required: bool,
) -> Result<T, ApiError> {
    let (parts, body) = req.into_parts();
    let declared = check_content_type(&parts.headers, state.config.profile)?;
    let limit = state.config.body_limit;
    let bytes = signed_bytes(
        &parts,
        body,
        state,
        limit,
        "The request body",
        signature_required,
    )
    .await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "The request body is empty; a JSON object is required.",
        ));
    }
    let value = match (
        serde_json::from_slice::<serde_json::Value>(&bytes),
        declared,
    ) {
        (Ok(value), _) => value,
        // curl's -d sends JSON as a form; dev takes it when it is JSON, else says what is wrong.
        (Err(_), Declared::Form(value)) => return Err(unsupported_type(&value)),
        (Err(err), _) => return Err(json_syntax_error(&err)),
    };
    if !value.is_object() {
        return Err(ApiError::bad_request(
            "The request body must be a JSON object.",
        ));
    }
    serde_path_to_error::deserialize(value).map_err(|err| {
        let field = field_name(&err.path().to_string());
        ApiError::bad_request(body_error(&field, &err.into_inner().to_string()))
    })
}

fn json_syntax_error(err: &serde_json::Error) -> ApiError {
    ApiError::bad_request(match err.classify() {
        serde_json::error::Category::Eof => {
            "The request body is not valid JSON: it ends too early."
        }
        _ => "The request body is not valid JSON.",
    })
}

/// A path such as `notification_filters[0].category`, as a client may safely be shown it.
fn field_name(path: &str) -> String {
    let clean = path.chars().count() <= text::MAX_ECHO && text::check_text("", path).is_ok();
    if clean {
        path.to_owned()
    } else {
        text::quoted(path)
    }
}

/// serde's wording (``missing field `url` ``, ``invalid type: integer `1`, expected a
/// string``) in the API's: "url is required.", "status must be a string.". The input itself
/// is not repeated.
fn body_error(field: &str, serde_message: &str) -> String {
    let named = |name: &str| {
        if field == "." {
            name.to_owned()
        } else {
            format!("{field}.{name}")
        }
    };
    let between = |text: &str| text.split('`').nth(1).map(str::to_owned);
    if let Some(rest) = serde_message.strip_prefix("missing field ") {
        let name = between(rest).unwrap_or_default();
        return format!("{} is required.", field_name(&named(&name)));
    }
    if let Some(rest) = serde_message.strip_prefix("unknown field ") {
        let name = between(rest).unwrap_or_default();
        return format!("unknown field {}.", text::quoted(&named(&name)));
    }
    if let Some(rest) = serde_message.strip_prefix("duplicate field ") {
        let name = between(rest).unwrap_or_default();
        return format!("{} is given twice.", field_name(&named(&name)));
    }
    let expected = serde_message
        .rsplit_once(", expected ")
        .map(|(_, expected)| expected);
    match expected {
        Some(expected) if field != "." => format!("{field} must be {}.", kind_of(expected)),
        _ => "The request body does not have the expected fields.".to_owned(),
    }
}

/// What serde expected, in words a client understands.
fn kind_of(expected: &str) -> &'static str {
    let integer = [
        "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "isize", "usize",
    ];
    match expected {
        e if e.contains("string") || e.contains("char") => "a string",
        e if integer.contains(&e) => "an integer",
        "f32" | "f64" => "a number",
        "a boolean" => "true or false",
        e if e.starts_with("a sequence") || e.starts_with("tuple") => "a list",
        e if e.starts_with("struct") || e.starts_with("a map") => "an object",
        _ => "of another type",
    }
}

fn is_too_large(err: axum::Error) -> bool {
    err.into_inner()
        .downcast_ref::<http_body_util::LengthLimitError>()
        .is_some()
}

/// A raw body (an attachment's bytes) of at most `limit` bytes, with its declared type. Its
/// `X-Bunq-Client-Signature`, over exactly these bytes, is verified when sent.
pub struct RawBody {
    pub bytes: axum::body::Bytes,
    pub content_type: Option<String>,
    pub headers: HeaderMap,
}

impl FromRequest<AppState> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let (parts, body) = req.into_parts();
        let limit = state.config.onboarding.attachment_limit;
        let bytes = signed_bytes(&parts, body, state, limit, "The attachment", false).await?;
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Ok(RawBody {
            bytes,
            content_type,
            headers: parts.headers,
        })
    }
}

/// What the request said its body is.
enum Declared {
    Json,
    /// No Content-Type (`dev` only).
    Unsaid,
    /// `application/x-www-form-urlencoded`, curl's default for `-d` (`dev` only): taken when
    /// the body is JSON after all.
    Form(String),
}

/// JSON bodies must say so. `dev` forgives a missing header and curl's form default; `strict`
/// forgives neither.
fn check_content_type(headers: &HeaderMap, profile: Profile) -> Result<Declared, ApiError> {
    match headers.get(header::CONTENT_TYPE).map(|v| v.to_str()) {
        Some(Ok(value)) if is_json(value) => Ok(Declared::Json),
        None if profile == Profile::Dev => Ok(Declared::Unsaid),
        Some(Ok(value)) if profile == Profile::Dev && is_form(value) => {
            Ok(Declared::Form(value.to_owned()))
        }
        Some(Ok(value)) => Err(unsupported_type(value)),
        _ => Err(ApiError::bad_request(
            "Content-Type is required with a body; send application/json.",
        )),
    }
}

fn unsupported_type(value: &str) -> ApiError {
    ApiError::bad_request(format!(
        "Content-Type {} is not supported here; send application/json.",
        text::quoted(value)
    ))
}

fn is_form(content_type: &str) -> bool {
    content_type.split(';').next().is_some_and(|mime| {
        mime.trim()
            .eq_ignore_ascii_case("application/x-www-form-urlencoded")
    })
}

fn is_json(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

/// A positive integer id in the path: the route's `{id}`, or its only parameter. Anything else
/// (`NaN`, `-1`, `abc`) names nothing: 404.
pub struct PathId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let not_found = || ApiError::not_found("The requested object was not found.");
        let Path(params) =
            Path::<std::collections::HashMap<String, String>>::from_request_parts(parts, state)
                .await
                .map_err(|_| not_found())?;
        let raw = match params.get("id") {
            Some(raw) => raw,
            None if params.len() == 1 => params.values().next().ok_or_else(not_found)?,
            None => return Err(not_found()),
        };
        raw.parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(PathId)
            .ok_or_else(not_found)
    }
}

#[cfg(test)]
mod tests {
    use super::{body_error, field_name, is_form, is_json};
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Filter {
        category: String,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Body {
        url: String,
        count: Option<i64>,
        filters: Option<Vec<Filter>>,
    }

    fn message(json: &str) -> String {
        let value: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
        match serde_path_to_error::deserialize::<_, Body>(value) {
            Ok(body) => format!("accepted: {body:?}"),
            Err(err) => body_error(
                &field_name(&err.path().to_string()),
                &err.into_inner().to_string(),
            ),
        }
    }

    #[test]
    fn serde_wording_becomes_the_apis() {
        assert_eq!(message("{}"), "url is required.");
        assert_eq!(message(r#"{"url":1}"#), "url must be a string.");
        assert_eq!(message(r#"{"url":null}"#), "url must be a string.");
        assert_eq!(
            message(r#"{"url":"x","count":"3"}"#),
            "count must be an integer."
        );
        assert_eq!(
            message(r#"{"url":"x","filters":{}}"#),
            "filters must be a list."
        );
        assert_eq!(
            message(r#"{"url":"x","filters":[7]}"#),
            "filters[0] must be an object."
        );
        assert_eq!(
            message(r#"{"url":"x","filters":[{}]}"#),
            "filters[0].category is required."
        );
        assert_eq!(
            message(r#"{"url":"x","filters":[{"category":false}]}"#),
            "filters[0].category must be a string."
        );
    }

    #[test]
    fn json_content_types() {
        assert!(is_form("application/x-www-form-urlencoded"));
        assert!(!is_form("multipart/form-data"));
        assert!(is_json("application/json"));
        assert!(is_json("Application/JSON; charset=utf-8"));
        assert!(!is_json("text/plain"));
        assert!(!is_json("application/jsonp"));
    }
}
