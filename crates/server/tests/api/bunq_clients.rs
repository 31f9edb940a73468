//! `strict` takes what bunq's own clients send, byte for byte: each test opens an API context
//! (installation, device-server, session-server) and makes a signed POST and a GET with exactly
//! the headers and body shapes of one client, as raw HTTP, and checks every answer is signed.
//!
//! The shapes, from each client's source:
//! - the Python SDK (`bunq-sdk`, `bunq/sdk/http/api_client.py`): no `Content-Type` at all;
//!   `X-Bunq-Geolocation: 0 0 0 0 NL`; bodies from `json.dumps(indent=4, sort_keys=True)`; once
//!   it holds a token it signs every request, a GET's empty body too; the public key is
//!   pycryptodome's PEM, without a final newline; the device's `permitted_ips` left out.
//! - the TypeScript partner client (`bunq/partner-mcp`, `src/bunq-client.ts`, spec I):
//!   `Content-Type: application/json` on every call, GETs included; compact JSON; Node's SPKI
//!   PEM; signs non-empty bodies only; no Geolocation on the installation.
//! - the JavaScript community client (`@bunq-community/bunq-js-client`, `src/HTTP/Request.ts`,
//!   `SignRequestHandler.ts`): `Content-Type: application/json` always, `X-Bunq-Geolocation:
//!   0 0 0 0 000`, a request id like `1733245200123.4567`; node-forge's PEM with CRLF line
//!   ends; an unsigned installation; a signature over the empty string on a GET.

use provisio_client::{wire::Item, Reply, SigningKey};
use serde::Serialize;
use serde_json::{json, Value};

use crate::{helpers::*, raw};

/// One request as a client puts it on the wire (`Content-Length` when there is a body, as
/// every one of these clients sends it).
async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> Reply {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", app.addr);
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || method != "GET" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    let reply = raw::exchange(app.addr, &bytes).await;
    let text = String::from_utf8_lossy(&reply.body).into_owned();
    assert_eq!(reply.status, 200, "{method} {path}: {text}");
    reply
        .verify(&app.server_key)
        .unwrap_or_else(|e| panic!("{method} {path}: answer not signed: {e}"));
    reply
}

fn items(reply: &Reply) -> Vec<Item> {
    reply
        .envelope()
        .unwrap_or_else(|e| panic!("not bunq's envelope: {e}"))
        .response
}

fn token(reply: &Reply) -> String {
    items(reply)
        .into_iter()
        .find_map(|item| match item {
            Item::Token(token) => Some(token.token),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no Token"))
}

fn user_id(reply: &Reply) -> i64 {
    items(reply)
        .into_iter()
        .find_map(|item| match item {
            Item::UserCompany(user) => Some(user.id),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no UserCompany"))
}

fn sign(key: &SigningKey, body: &[u8]) -> String {
    key.sign(body).unwrap_or_else(|e| panic!("{e}"))
}

/// `json.dumps(value, indent=4, sort_keys=True)` (keys are given sorted).
fn python_json(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    value.serialize(&mut ser).unwrap_or_else(|e| panic!("{e}"));
    out
}

fn compact(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

fn pem(key: &SigningKey) -> String {
    key.public_key_pem().unwrap_or_else(|e| panic!("{e}"))
}

/// The Python SDK's headers: `_get_default_headers`, then requests' own.
fn python_headers(auth: Option<(&str, String)>) -> Vec<(&'static str, String)> {
    let mut headers = vec![
        ("User-Agent", "bunq-sdk-python/1.28.0".to_owned()),
        (
            "X-Bunq-Client-Request-Id",
            "0f0e4b5c-9d2a-4f0e-9a52-0c6f2d3a1b7e".to_owned(),
        ),
        ("X-Bunq-Geolocation", "0 0 0 0 NL".to_owned()),
        ("X-Bunq-Language", "en_US".to_owned()),
        ("X-Bunq-Region", "nl_NL".to_owned()),
        ("Cache-Control", "no-cache".to_owned()),
        ("Accept-Encoding", "gzip, deflate".to_owned()),
        ("Accept", "*/*".to_owned()),
        ("Connection", "keep-alive".to_owned()),
    ];
    if let Some((token, signature)) = auth {
        headers.push(("X-Bunq-Client-Authentication", token.to_owned()));
        headers.push(("X-Bunq-Client-Signature", signature));
    }
    headers
}

for_each_backend! { strict =>
    async fn strict_takes_the_python_sdks_requests(app: TestApp) {
        let key = test_key();
        // The SDK rewrites " RSA " out of pycryptodome's PEM, which has no final newline.
        let body = python_json(&json!({ "client_public_key": pem(&key).trim_end() }));
        let installation = token(&send(&app, "POST", "/v1/installation", &python_headers(None), &body).await);

        let body = python_json(&json!({ "description": "python", "secret": app.api_key }));
        let headers = python_headers(Some((&installation, sign(&key, &body))));
        send(&app, "POST", "/v1/device-server", &headers, &body).await;

        let body = python_json(&json!({ "secret": app.api_key }));
        let headers = python_headers(Some((&installation, sign(&key, &body))));
        let session = send(&app, "POST", "/v1/session-server", &headers, &body).await;
        let (session, user) = (token(&session), user_id(&session));

        let path = format!("/v1/user/{user}/oauth-client");
        let body = python_json(&json!({}));
        let headers = python_headers(Some((&session, sign(&key, &body))));
        send(&app, "POST", &path, &headers, &body).await;
        // A GET is signed too: over its empty body.
        let headers = python_headers(Some((&session, sign(&key, b""))));
        let listed = send(&app, "GET", &path, &headers, b"").await;
        assert_eq!(items(&listed).len(), 1);
    }
}

/// The partner client's `commonHeaders` (Node's fetch adds the last four).
fn partner_headers(auth: &str, signature: Option<String>) -> Vec<(&'static str, String)> {
    let mut headers = vec![
        ("Content-Type", "application/json".to_owned()),
        ("Cache-Control", "no-cache".to_owned()),
        ("User-Agent", "bunq-partner-mcp/1.0".to_owned()),
        ("X-Bunq-Language", "en_US".to_owned()),
        ("X-Bunq-Region", "nl_NL".to_owned()),
        (
            "X-Bunq-Client-Request-Id",
            "5b1f0c1e-8a7d-4c1b-b7e3-2f4d9e6a0c11".to_owned(),
        ),
        ("X-Bunq-Geolocation", "0 0 0 0 NL".to_owned()),
        ("X-Bunq-Client-Authentication", auth.to_owned()),
        ("accept", "*/*".to_owned()),
        ("accept-language", "*".to_owned()),
        ("sec-fetch-mode", "cors".to_owned()),
        ("accept-encoding", "gzip, deflate".to_owned()),
    ];
    if let Some(signature) = signature {
        headers.push(("X-Bunq-Client-Signature", signature));
    }
    headers
}

for_each_backend! { strict =>
    async fn strict_takes_the_typescript_partner_clients_requests(app: TestApp) {
        let key = test_key();
        let body = compact(&json!({ "client_public_key": pem(&key) }));
        // The installation: no authentication, no Geolocation, no signature.
        let headers: Vec<(&str, String)> = partner_headers("", None)
            .into_iter()
            .filter(|(name, _)| !matches!(*name, "X-Bunq-Geolocation" | "X-Bunq-Client-Authentication"))
            .collect();
        let installation = token(&send(&app, "POST", "/v1/installation", &headers, &body).await);

        let body = compact(&json!({
            "description": "bunq-partner-mcp", "secret": app.api_key, "permitted_ips": ["*"],
        }));
        let headers = partner_headers(&installation, Some(sign(&key, &body)));
        send(&app, "POST", "/v1/device-server", &headers, &body).await;

        let body = compact(&json!({ "secret": app.api_key }));
        let headers = partner_headers(&installation, Some(sign(&key, &body)));
        let session = send(&app, "POST", "/v1/session-server", &headers, &body).await;
        let (session, user) = (token(&session), user_id(&session));

        let path = format!("/v1/user/{user}/oauth-client");
        let body = compact(&json!({}));
        send(&app, "POST", &path, &partner_headers(&session, Some(sign(&key, &body))), &body).await;
        // A GET: Content-Type as always, no body, no signature.
        let listed = send(&app, "GET", &path, &partner_headers(&session, None), b"").await;
        assert_eq!(items(&listed).len(), 1);
    }
}

/// The community client's `DEFAULT_HEADERS` and request id; axios adds `Accept`.
fn community_headers(auth: Option<&str>, signed: Option<String>) -> Vec<(&'static str, String)> {
    let mut headers = vec![
        ("Cache-Control", "no-cache".to_owned()),
        ("Content-Type", "application/json".to_owned()),
        ("X-Bunq-Geolocation", "0 0 0 0 000".to_owned()),
        ("X-Bunq-Language", "en_US".to_owned()),
        ("X-Bunq-Region", "nl_NL".to_owned()),
        ("X-Bunq-Client-Request-Id", "1733245200123.4567".to_owned()),
        ("Accept", "application/json, text/plain, */*".to_owned()),
    ];
    if let Some(auth) = auth {
        headers.push(("X-Bunq-Client-Authentication", auth.to_owned()));
    }
    match signed {
        // Signing sets the User-Agent (in Node) before it signs.
        Some(signature) => {
            headers.push(("User-Agent", "Node-v18.19.0-bunqJSClient".to_owned()));
            headers.push(("X-Bunq-Client-Signature", signature));
        }
        None => headers.push(("User-Agent", "axios/0.27.2".to_owned())),
    }
    headers
}

for_each_backend! { strict =>
    async fn strict_takes_the_javascript_community_clients_requests(app: TestApp) {
        let key = test_key();
        // node-forge writes PEM with CRLF line ends.
        let body = compact(&json!({ "client_public_key": pem(&key).replace('\n', "\r\n") }));
        let installation = token(&send(&app, "POST", "/v1/installation", &community_headers(None, None), &body).await);

        let body = compact(&json!({ "description": "My Device", "secret": app.api_key }));
        let headers = community_headers(Some(&installation), Some(sign(&key, &body)));
        send(&app, "POST", "/v1/device-server", &headers, &body).await;

        let body = compact(&json!({ "secret": app.api_key }));
        let headers = community_headers(Some(&installation), Some(sign(&key, &body)));
        let session = send(&app, "POST", "/v1/session-server", &headers, &body).await;
        let (session, user) = (token(&session), user_id(&session));

        let path = format!("/v1/user/{user}/oauth-client");
        let body = compact(&json!({}));
        let headers = community_headers(Some(&session), Some(sign(&key, &body)));
        send(&app, "POST", &path, &headers, &body).await;
        // A GET is signed over the empty string.
        let headers = community_headers(Some(&session), Some(sign(&key, b"")));
        let listed = send(&app, "GET", &path, &headers, b"").await;
        assert_eq!(items(&listed).len(), 1);
    }
}
