//! `/_provisio/requests`: the server's recent requests, with who made them and why a refused
//! one was refused.

use provisio_client::{wire::Item, Request};
use provisio_core::time::SystemClock;
use provisio_server::context::partners::create_partner;
use reqwest::Method;

use crate::{
    accounts::{active_user, bank, banks, open, own_id},
    card_secrets::pan_and_cvc2,
    cards::{debit_order, ok, order},
    helpers::*,
    payments::{fund, pay, to},
    provisioning::admin,
};

/// The newest record of `method route`.
fn newest<'a>(
    records: &'a [provisio_client::wire::operator::RequestRecord],
    method: &str,
    route: &str,
) -> &'a provisio_client::wire::operator::RequestRecord {
    records
        .iter()
        .find(|r| r.method == method && r.route == route)
        .unwrap_or_else(|| panic!("no {method} {route} in {records:?}"))
}

fn text(body: &Option<provisio_client::wire::operator::LoggedBody>) -> String {
    body.as_ref()
        .and_then(|b| b.text.clone())
        .unwrap_or_default()
}

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

    async fn bodies_are_kept_with_their_secrets_masked(app: TestApp) {
        // The API context: the key sent to device-server and session-server, the tokens answered.
        let partner = app.client().await;
        let context = partner.context().await.unwrap_or_else(|e| panic!("{e}"));
        let me = own_id(&partner).await;
        let main = banks(&partner, me).await.pop().map(|a| a.id).unwrap_or_default();
        fund(&app, main, "10.00").await;
        ok(pay(&partner, me, main, &to("NL20INGB0001234567", "2.50")).await);

        let raw = admin(&app, Method::GET, "/_provisio/requests?count=200").await;
        let whole = String::from_utf8_lossy(&raw.body).into_owned();
        for secret in [app.api_key.as_str(), context.session_token.as_str(), context.installation_token.as_str()] {
            assert!(!whole.contains(secret), "a secret is in the log: {secret}");
        }
        let records = recent(&app, "?count=200").await;

        let installation = newest(&records, "POST", "/v1/installation");
        assert!(text(&installation.request_body).contains("client_public_key\":\"-----BEGIN PUBLIC KEY"), "a public key is no secret: {installation:?}");
        let answered = text(&installation.response_body);
        assert!(answered.contains("\"token\":\"***\"") && answered.contains("server_public_key"), "{answered}");

        let device = newest(&records, "POST", "/v1/device-server");
        assert!(text(&device.request_body).contains("\"secret\":\"***\""), "{device:?}");
        let session = newest(&records, "POST", "/v1/session-server");
        assert!(text(&session.request_body).contains("\"secret\":\"***\""), "{session:?}");
        assert!(text(&session.response_body).contains("\"token\":\"***\""), "{session:?}");

        // A payment: what was asked and what was answered, as a test would assert them.
        let payment = newest(&records, "POST", "/v1/user/{user_id}/monetary-account/{id}/payment");
        let sent: serde_json::Value = serde_json::from_str(&text(&payment.request_body)).unwrap_or_default();
        assert_eq!(sent["amount"]["value"], "2.50", "{payment:?}");
        assert_eq!(sent["counterparty_alias"]["value"], "NL20INGB0001234567");
        let body = payment.request_body.as_ref().unwrap_or_else(|| panic!("no body"));
        assert_eq!((body.kind.as_str(), body.truncated), ("json", false));
        assert!(text(&payment.response_body).contains("\"Id\""), "{payment:?}");
        // A GET sends nothing; its answer is kept.
        let listed = newest(&records, "GET", "/v1/user/{user_id}/monetary-account-bank");
        assert!(listed.request_body.is_none() && listed.response_body.is_some(), "{listed:?}");
    }

    async fn a_cards_pan_and_cvc2_are_masked(app: TestApp) {
        let (_, user, key, _) = active_user(&app).await;
        open(&user, key, "bank", &bank("EUR", "Main")).await;
        let made = ok(order(&user, key, &debit_order()).await);
        let (pan, _, cvc2) = pan_and_cvc2(&user, key, made.id).await;

        let raw = admin(&app, Method::GET, "/_provisio/requests?count=200").await;
        let whole = String::from_utf8_lossy(&raw.body).into_owned();
        assert!(!whole.contains(&pan), "the PAN is in the log");
        assert!(!whole.contains(&format!("\"cvc2\":\"{cvc2}")), "the CVC2 is in the log");
        let records = recent(&app, "?count=200").await;
        let read = newest(&records, "POST", "/v1/user/{user_id}/card/{card_id}/primary-account-number");
        assert!(text(&read.response_body).contains("\"primary_account_number\":\"***\""), "{read:?}");
        let made = newest(&records, "POST", "/v1/user/{user_id}/card/{card_id}/generated-cvc2");
        assert!(text(&made.response_body).contains("\"cvc2\":\"***\""), "{made:?}");
        assert!(text(&made.request_body).contains("STATIC"), "{made:?}");
    }
}
