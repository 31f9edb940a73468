//! `POST /session-server` signatures, session expiry and extension, logout.

use std::time::Duration;

use provisio_client::{
    wire::requests::{DeviceServerRequest, SessionServerRequest},
    Request, Signing,
};
use provisio_core::secret::SecretHash;
use reqwest::Method;

use crate::helpers::*;

/// bunq's answer to an unsigned session request.
const SIGNATURE_REQUIRED: &str =
    "For this operation a request signature is required. Check the urls for more information.";

const WEEK: Duration = Duration::from_secs(604_800);

for_each_backend! { TestApp::spawn =>
    async fn session_server_requires_a_valid_body_signature(app: TestApp) {
        let client = app.client_builder().build().unwrap_or_else(|e| panic!("{e}"));
        let inst = client.create_installation().await.unwrap_or_else(|e| panic!("{e}"));
        client.create_device(&inst).await.unwrap_or_else(|e| panic!("{e}"));
        let body = serde_json::to_vec(&SessionServerRequest { secret: app.api_key.clone() }).unwrap_or_default();
        let session = |signing: Signing, body: Vec<u8>| Request::new(Method::POST, "/v1/session-server")
            .token(&inst.token).body(body).signing(signing);

        let reply = client.api().send(session(Signing::Unsigned, body.clone())).await.unwrap_or_else(|e| panic!("{e}"));
        // bunq's sentence, word for word, in every profile.
        let description = reply.error_envelope().and_then(|e| e.description().map(str::to_owned));
        assert_eq!(description.as_deref(), Some(SIGNATURE_REQUIRED));
        assert_error(&reply, &app.server_key, 466, SIGNATURE_REQUIRED);

        // Signed, then tampered with on the way.
        let signature = client.api().key().sign(&body).unwrap_or_default();
        let mut tampered = body.clone();
        tampered.insert(1, b' ');
        let reply = client.api().send(session(Signing::Header(signature.clone()), tampered)).await.unwrap_or_else(|e| panic!("{e}"));
        assert_error(&reply, &app.server_key, 401, "The request signature is invalid.");

        // Signed by some other key.
        let stranger = provisio_client::SigningKey::generate().unwrap_or_else(|e| panic!("{e}"));
        let reply = client.api().send(session(Signing::Header(stranger.sign(&body).unwrap_or_default()), body.clone()))
            .await.unwrap_or_else(|e| panic!("{e}"));
        assert_error(&reply, &app.server_key, 401, "The request signature is invalid.");

        let reply = client.api().send(session(Signing::Header("not base64!".into()), body.clone())).await.unwrap_or_else(|e| panic!("{e}"));
        assert_error(&reply, &app.server_key, 401, "The request signature is invalid.");

        let reply = client.api().send(session(Signing::Header(signature), body)).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reply.status, 200);
    }

    async fn a_sent_signature_is_checked_on_other_routes_too(app: TestApp) {
        let client = app.client_builder().build().unwrap_or_else(|e| panic!("{e}"));
        let inst = client.create_installation().await.unwrap_or_else(|e| panic!("{e}"));
        let body = serde_json::to_vec(&DeviceServerRequest {
            description: "x".into(), secret: app.api_key.clone(), permitted_ips: Some(vec!["*".into()]),
        }).unwrap_or_default();
        let reply = client.api().send(Request::new(Method::POST, "/v1/device-server").token(&inst.token)
            .body(body.clone()).signing(Signing::Header(client.api().key().sign(b"other").unwrap_or_default())))
            .await.unwrap_or_else(|e| panic!("{e}"));
        assert_error(&reply, &app.server_key, 401, "The request signature is invalid.");
        // Unsigned is accepted where bunq does not require a signature (J-3).
        let reply = client.api().send(Request::new(Method::POST, "/v1/device-server").token(&inst.token)
            .body(body).signing(Signing::Unsigned)).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reply.status, 200);
    }

    async fn an_expired_session_is_refused_and_the_client_opens_a_new_one(app: TestApp) {
        let client = app.client().await;
        let old = client.context().await.unwrap_or_else(|e| panic!("{e}"));
        app.clock.advance(WEEK + Duration::from_secs(1));
        let reply = app.send(Request::new(Method::GET, "/v1/installation").token(&old.session_token)).await;
        assert_error(&reply, &app.server_key, 401, "Insufficient authorisation.");

        client.get("/v1/installation").await.unwrap_or_else(|e| panic!("client did not recover: {e}"));
        let new = client.context().await.unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(new.session_id, old.session_id);
        assert_eq!(new.installation_id, old.installation_id, "the installation is kept");
    }

    async fn a_session_used_near_its_end_is_extended(app: TestApp) {
        let client = app.client().await;
        let context = client.context().await.unwrap_or_else(|e| panic!("{e}"));
        let token = SecretHash::of(&context.session_token);
        let expiry = || async {
            app.store.session_by_token(&token).await.ok().flatten()
                .map(|c| c.session.expires_at).unwrap_or_else(|| panic!("no session"))
        };
        let original = expiry().await;

        // Early use does not touch the expiry.
        client.get("/v1/installation").await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(expiry().await, original);

        // Ten minutes before the end, a call pushes the end a full timeout away.
        app.clock.advance(WEEK - Duration::from_secs(600));
        client.get("/v1/installation").await.unwrap_or_else(|e| panic!("{e}"));
        let extended = expiry().await;
        assert!(extended.0 >= original.0 + (WEEK - Duration::from_secs(600)).as_micros() as i64);

        // So the same session is still good where the original would have lapsed.
        app.clock.advance(Duration::from_secs(3600));
        let reply = app.send(Request::new(Method::GET, "/v1/installation").token(&context.session_token)).await;
        assert_eq!(reply.status, 200);
    }

    async fn deleting_the_session_logs_out(app: TestApp) {
        let client = app.client().await;
        let context = client.context().await.unwrap_or_else(|e| panic!("{e}"));
        // bunq's SDKs delete "session 0": the id names nothing, the token decides.
        let reply = app.send(Request::new(Method::DELETE, "/v1/session/0").token(&context.session_token)).await;
        assert_eq!(reply.status, 200);
        assert_eq!(&reply.body[..], br#"{"Response":[]}"#);
        reply.verify(&app.server_key).unwrap_or_else(|e| panic!("{e}"));
        let reply = app.send(Request::new(Method::GET, "/v1/installation").token(&context.session_token)).await;
        assert_error(&reply, &app.server_key, 401, "Insufficient authorisation.");
    }
}

for_each_backend! { strict =>
    async fn strict_words_a_missing_signature_as_bunq_does(app: TestApp) {
        let client = app.client_builder().build().unwrap_or_else(|e| panic!("{e}"));
        let inst = client.create_installation().await.unwrap_or_else(|e| panic!("{e}"));
        client.create_device(&inst).await.unwrap_or_else(|e| panic!("{e}"));
        let reply = client.api().send(Request::new(Method::POST, "/v1/session-server")
            .token(&inst.token)
            .json(&SessionServerRequest { secret: app.api_key.clone() })
            .signing(Signing::Unsigned)).await.unwrap_or_else(|e| panic!("{e}"));
        let description = reply.error_envelope().and_then(|e| e.description().map(str::to_owned));
        assert_eq!(description.as_deref(), Some(SIGNATURE_REQUIRED));
        assert_error(&reply, &app.server_key, 466, SIGNATURE_REQUIRED);
    }
}
