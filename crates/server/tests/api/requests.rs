//! `/_provisio/requests`: the server's recent requests, with who made them and why a refused
//! one was refused.

use provisio_client::{wire::Item, Request};
use provisio_core::time::SystemClock;
use provisio_server::context::partners::create_partner;
use reqwest::Method;

use crate::{helpers::*, provisioning::admin};

async fn recent(app: &TestApp, query: &str) -> Vec<provisio_client::wire::operator::RequestRecord> {
    let reply = admin(app, Method::GET, &format!("/_provisio/requests{query}")).await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let envelope = reply.envelope().unwrap_or_else(|e| panic!("{e}"));
    envelope
        .response
        .into_iter()
        .map(|item| match item {
            Item::RequestRecord(record) => record,
            other => panic!("{other:?}"),
        })
        .collect()
}

for_each_backend! { TestApp::spawn =>
    async fn refusals_are_listed_with_their_reason_and_partner(app: TestApp) {
        let context = app.client().await.context().await.unwrap_or_else(|e| panic!("{e}"));
        let missing = app
            .send(Request::new(Method::GET, "/v1/partner-user-provision/999999").token(&context.session_token))
            .await;
        assert_eq!(missing.status, 404);
        // A stranger's request: another partner, and one nobody can be told apart from.
        let (other, key) = create_partner(app.store.as_ref(), &SystemClock::new(), test_config().environment, "Other BV")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let stranger = provisio_client::Client::builder(&app.base_url, key.expose()).signing_key(test_key())
            .connect().await.unwrap_or_else(|e| panic!("{e}"));
        stranger.get("/v1/device-server").await.unwrap_or_else(|e| panic!("{e}"));
        app.send(Request::new(Method::GET, "/v1/device-server").token("0123abcd")).await;

        let mine = recent(&app, &format!("?partner={}", app.partner_id)).await;
        assert!(mine.iter().all(|r| r.partner_id == Some(app.partner_id)), "{mine:?}");
        let newest = mine.first().unwrap_or_else(|| panic!("nothing listed"));
        assert_eq!((newest.status, newest.method.as_str()), (404, "GET"));
        assert_eq!(newest.route, "/v1/partner-user-provision/{id}");
        assert_eq!(newest.path, "/v1/partner-user-provision/999999");
        assert!(newest.reason.as_deref().is_some_and(|r| r.contains("not found")), "{newest:?}");

        let all = recent(&app, "?count=200").await;
        assert!(all.iter().any(|r| r.partner_id == Some(other.id.0)));
        let anonymous = all.first().unwrap_or_else(|| panic!("nothing listed"));
        assert_eq!((anonymous.status, anonymous.partner_id), (401, None));
        assert!(anonymous.reason.as_deref().is_some_and(|r| r.contains("never issued this token")), "{anonymous:?}");
        // Newer than a record: for following; the operator API's own calls are not listed.
        assert!(recent(&app, &format!("?after={}", anonymous.id)).await.is_empty());
        let bad = admin(&app, Method::GET, "/_provisio/requests?count=999").await;
        assert_eq!(bad.status, 400);
    }
}
