//! The dev profile's debugger: a refused signature, token or key says why, after bunq's own
//! sentence; `strict` keeps bunq's sentence alone.

use std::time::Duration;

use std::sync::Arc;

use provisio_client::{
    wire::requests::{DeviceServerRequest, SessionServerRequest},
    Api, Client, Context, Request, Signing, SigningKey, VerifyingKey,
};
use reqwest::Method;

use crate::helpers::*;

const WEEK: Duration = Duration::from_secs(604_800);

fn description(reply: &provisio_client::Reply) -> String {
    reply
        .error_envelope()
        .and_then(|e| e.description().map(str::to_owned))
        .unwrap_or_else(|| panic!("not an error: {}", String::from_utf8_lossy(&reply.body)))
}

/// A client with an API context, and a bare transport signing with the same key (`test_key()`
/// hands out one of several keys in turn).
async fn keyed(app: &TestApp) -> (Arc<SigningKey>, Api, Client, Context) {
    let key = test_key();
    let client = app
        .client_builder()
        .signing_key(key.clone())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let context = client.context().await.unwrap_or_else(|e| panic!("{e}"));
    (key.clone(), Api::new(&app.base_url, key), client, context)
}

async fn send(api: &Api, request: Request) -> provisio_client::Reply {
    api.send(request).await.unwrap_or_else(|e| panic!("{e}"))
}

fn device_body(secret: &str) -> Vec<u8> {
    serde_json::to_vec(&DeviceServerRequest {
        description: "laptop".into(),
        secret: secret.into(),
        permitted_ips: Some(vec!["*".into()]),
    })
    .unwrap_or_default()
}

for_each_backend! { TestApp::spawn =>
    async fn a_refused_signature_says_what_was_checked(app: TestApp) {
        let (key, api, _, context) = keyed(&app).await;
        let body = device_body(&app.api_key);
        let post = |signature: String| {
            Request::new(Method::POST, "/v1/device-server")
                .token(&context.installation_token)
                .body(body.clone())
                .signing(Signing::Header(signature))
        };
        // Signed with a trailing newline that was not sent: the classic shell mistake.
        let signature = key.sign(&[&body[..], b"\n"].concat()).unwrap_or_default();
        let reply = send(&api, post(signature)).await;
        assert_error(&reply, &app.server_key, 401, "The request signature is invalid. (provisio dev profile: ");
        let told = description(&reply);
        let own_key = VerifyingKey::from_pem(&key.public_key_pem().unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(told.contains(&format!("the {}-byte body", body.len())), "{told}");
        assert!(told.contains(&own_key.fingerprint()), "{told}");
        assert!(told.contains("followed by a newline"), "{told}");

        // Signed over the same JSON as Python's json.dumps spaces it.
        let spaced = String::from_utf8_lossy(&body).replace("\",\"", "\", \"").replace("\":", "\": ");
        let reply = send(&api, post(key.sign(spaced.as_bytes()).unwrap_or_default())).await;
        assert!(description(&reply).contains("json.dumps"), "{}", description(&reply));

        let reply = send(&api, post("not base64!".into())).await;
        assert!(description(&reply).contains("is not Base64"), "{}", description(&reply));
    }

    async fn a_refused_token_says_which_kind_it_is(app: TestApp) {
        let context = app.client().await.context().await.unwrap_or_else(|e| panic!("{e}"));
        let get = |token: Option<&str>| {
            let request = Request::new(Method::GET, "/v1/device-server");
            match token {
                Some(token) => request.token(token),
                None => request,
            }
        };
        let told = |reply: provisio_client::Reply| {
            assert_eq!(reply.status, 401, "{}", String::from_utf8_lossy(&reply.body));
            description(&reply)
        };
        let missing = told(app.send(get(None)).await);
        assert!(missing.contains("no X-Bunq-Client-Authentication header"), "{missing}");
        let installation = told(app.send(get(Some(&context.installation_token))).await);
        assert!(installation.contains("this is an installation token"), "{installation}");
        let unknown = told(app.send(get(Some("0123abcd"))).await);
        assert!(unknown.contains("never issued this token"), "{unknown}");
        // A session token where the installation token belongs.
        let reply = app.send(Request::new(Method::POST, "/v1/device-server")
            .token(&context.session_token).body(device_body(&app.api_key))).await;
        assert!(told(reply).contains("this is a session token"));

        app.clock.advance(WEEK + Duration::from_secs(1));
        let expired = told(app.send(get(Some(&context.session_token))).await);
        assert!(expired.starts_with("Insufficient authorisation. (provisio dev profile: this session expired at "), "{expired}");
    }

    async fn a_refused_key_says_why(app: TestApp) {
        let (_, api, client, _) = keyed(&app).await;
        let installed = client.create_installation().await.unwrap_or_else(|e| panic!("{e}"));
        let session = |secret: &str| {
            Request::new(Method::POST, "/v1/session-server")
                .token(&installed.token)
                .json(&SessionServerRequest { secret: secret.into() })
        };
        // The partner's key, but no device on this new installation yet.
        let reply = send(&api, session(&app.api_key)).await;
        assert_error(&reply, &app.server_key, 400, "User credentials are incorrect.");
        assert!(description(&reply).contains("no device on this installation"), "{}", description(&reply));
        let reply = send(&api, session("sandbox_nobody")).await;
        assert!(description(&reply).contains("no partner API key or provision credential matches"),
            "{}", description(&reply));
    }
}

for_each_backend! { strict =>
    async fn strict_keeps_bunqs_words_alone(app: TestApp) {
        let reply = app.send(Request::new(Method::GET, "/v1/device-server").token("0123abcd")).await;
        assert_eq!(description(&reply), "Insufficient authorisation.");
        let (key, api, _, context) = keyed(&app).await;
        let reply = send(&api, Request::new(Method::POST, "/v1/device-server")
            .token(&context.installation_token).body(device_body(&app.api_key))
            .signing(Signing::Header(key.sign(b"other").unwrap_or_default()))).await;
        assert_eq!(description(&reply), "The request signature is invalid.");
    }
}
