//! `strict`'s rate limits (spec A.8, J-12), beyond the basics in `errors`: what counts.

use provisio_client::{wire::requests::SessionServerRequest, Request, Signing};
use reqwest::Method;

use crate::helpers::*;

const GET_LIMIT: &str =
    "Too many requests. You can do a maximum of 3 calls per 3 second to this endpoint.";

for_each_backend! { strict =>
    async fn head_counts_as_get(app: TestApp) {
        let client = app.client().await;
        let token = client.context().await.map(|c| c.session_token).unwrap_or_default();
        let call = |method: Method, path: &str| Request::new(method, path).token(&token);
        // HEAD is GET without the body: it uses up the same window...
        for _ in 0..3 {
            assert_eq!(app.send(call(Method::HEAD, "/v1/installation")).await.status, 200);
        }
        let reply = app.send(call(Method::GET, "/v1/installation")).await;
        assert_error(&reply, &app.server_key, 429, GET_LIMIT);
        // ...and is refused once GETs have.
        for _ in 0..3 {
            assert_eq!(app.send(call(Method::GET, "/v1/device-server")).await.status, 200);
        }
        assert_eq!(app.send(call(Method::HEAD, "/v1/device-server")).await.status, 429);
    }

    async fn a_refused_session_attempt_leaves_the_slot_free(app: TestApp) {
        let client = app.client_builder().build().unwrap_or_else(|e| panic!("{e}"));
        let inst = client.create_installation().await.unwrap_or_else(|e| panic!("{e}"));
        let body = serde_json::to_vec(&SessionServerRequest { secret: app.api_key.clone() }).unwrap_or_default();
        let session = |signing: Signing| Request::new(Method::POST, "/v1/session-server")
            .token(&inst.token).body(body.clone()).signing(signing);
        let send = |request| async { client.api().send(request).await.unwrap_or_else(|e| panic!("{e}")) };

        // No device for the key on this installation yet: refused, no session.
        let reply = send(session(Signing::Auto)).await;
        assert_error(&reply, &app.server_key, 400, "User credentials are incorrect.");
        client.create_device(&inst).await.unwrap_or_else(|e| panic!("{e}"));
        // A signature over other bytes: refused, no session.
        let wrong = client.api().key().sign(b"{}").unwrap_or_default();
        let reply = send(session(Signing::Header(wrong))).await;
        assert_error(&reply, &app.server_key, 401, "The request signature is invalid.");

        // The key's one session in 30 seconds is still to be had...
        let reply = send(session(Signing::Auto)).await;
        assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
        // ...and now it is taken.
        let reply = send(session(Signing::Auto)).await;
        assert_error(&reply, &app.server_key, 429,
            "Too many requests. You can do a maximum of 1 calls per 30 second to this endpoint.");
    }
}
