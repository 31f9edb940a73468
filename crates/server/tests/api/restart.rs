//! A restart keeps the server key and the sessions that were open.

use provisio_client::{wire::Item, Request};
use reqwest::Method;

use crate::helpers::*;

for_each_backend! { TestApp::spawn =>
    async fn a_restart_keeps_the_server_key_and_live_sessions(app: TestApp) {
        let mut app = app;
        let client = app.client().await;
        let before = client.context().await.unwrap_or_else(|e| panic!("{e}"));

        app.restart().await;

        // The old session still works, and its answers verify with the old key.
        let reply = app.send(Request::new(Method::GET, "/v1/device-server").token(&before.session_token)).await;
        assert_eq!(reply.status, 200);
        reply.verify(&before.server_key).unwrap_or_else(|e| panic!("{e}"));
        client.get("/v1/installation").await.unwrap_or_else(|e| panic!("{e}"));
        let after = client.context().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(after.session_id, before.session_id, "no new session was needed");

        // New installations are handed the same server key.
        let fresh_client = app.client().await;
        let fresh = fresh_client.context().await.unwrap_or_else(|e| panic!("{e}"));
        let path = format!("/v1/installation/{}/server-public-key", fresh.installation_id);
        let envelope = fresh_client.get(&path).await.ok();
        let pem = |key: &provisio_client::VerifyingKey| key.pem().to_owned();
        assert_eq!(pem(&fresh.server_key), pem(&before.server_key));
        assert!(envelope.is_some_and(|e| matches!(e.response.as_slice(), [Item::ServerPublicKey(_)])));
    }
}
