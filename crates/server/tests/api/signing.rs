//! Every response is signed over its exact body with the key `POST /installation` hands out;
//! the operator API's answers (provisio's own, under `/_provisio`) are not.

use provisio_client::{wire::requests::InstallationRequest, Request, Signing};
use reqwest::Method;

use crate::{helpers::*, provisioning::admin};

for_each_backend! { TestApp::spawn =>
    async fn every_response_verifies_with_the_installation_key(app: TestApp) {
        let client = app.client().await;
        let context = client.context().await.unwrap_or_else(|e| panic!("{e}"));
        let token = context.session_token.clone();
        let requests = vec![
            Request::new(Method::POST, "/v1/installation").json(&InstallationRequest {
                client_public_key: test_key().public_key_pem().unwrap_or_default(),
            }),
            Request::new(Method::POST, "/v1/installation").body(b"{".to_vec()),
            Request::new(Method::GET, "/v1/installation").token(&token),
            Request::new(Method::GET, "/v1/device-server").token(&token),
            Request::new(Method::GET, "/v1/device-server").token("bad"),
            Request::new(Method::GET, "/v1/device-server/999999").token(&token),
            Request::new(Method::POST, "/v1/session-server").token(&context.installation_token)
                .body(b"{}".to_vec()).signing(Signing::Unsigned),
            Request::new(Method::PUT, "/v1/device-server"),
            Request::new(Method::GET, "/v1/unknown"),
        ];
        let mut statuses = Vec::new();
        for request in requests {
            let reply = app.send(request).await;
            // `context.server_key` is what the client took from POST /installation.
            reply.verify(&context.server_key)
                .unwrap_or_else(|e| panic!("{} not signed: {e}", reply.status));
            statuses.push(reply.status);
        }
        assert_eq!(statuses, vec![200, 400, 200, 200, 401, 404, 466, 405, 404]);
    }

    async fn an_unchanged_body_gets_the_same_signature(app: TestApp) {
        let context = app.client().await.context().await.unwrap_or_else(|e| panic!("{e}"));
        let get = || Request::new(Method::GET, "/v1/device-server").token(&context.session_token);
        let first = app.send(get()).await;
        let second = app.send(get()).await;
        assert_eq!(first.body, second.body);
        assert!(first.header("x-bunq-server-signature").is_some());
        assert_eq!(first.header("x-bunq-server-signature"), second.header("x-bunq-server-signature"));
        assert_ne!(first.header("x-bunq-client-response-id"), second.header("x-bunq-client-response-id"));
    }

    async fn operator_answers_are_identified_but_not_signed(app: TestApp) {
        for path in ["/_provisio/clock", "/_provisio/nope"] {
            let reply = admin(&app, Method::GET, path).await;
            assert!(reply.header("x-bunq-server-signature").is_none(), "{path} is signed");
            assert!(reply.header("x-bunq-client-response-id").is_some(), "{path}");
        }
        // The same unknown path under /v1 is bunq's, and signed.
        let context = app.client().await.context().await.unwrap_or_else(|e| panic!("{e}"));
        let reply = app.send(Request::new(Method::GET, "/v1/nope").token(&context.session_token)).await;
        assert_eq!(reply.status, 404);
        reply.verify(&context.server_key).unwrap_or_else(|e| panic!("{e}"));
    }
}
