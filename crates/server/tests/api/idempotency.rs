//! Idempotent retries by `X-Bunq-Client-Request-Id`: a retried payment, credit or card
//! authorisation answers the first outcome and moves the money once; the same id with another
//! body is refused; another session's same id is its own request; a payment whose COMMIT's
//! answer was lost answers 503 "unknown", and its retry answers the payment it made. The lost
//! answer is injected in the store (`provisio_store::testing::lose_next_commit_answer`): the
//! write commits, then reports the connection lost, as PostgreSQL's does when the connection
//! breaks after COMMIT was sent (a proxy cannot cut at exactly that moment deterministically).

use std::sync::Arc;

use provisio_client::{Client, Reply, Request};
use provisio_store::testing::lose_next_commit_answer;
use reqwest::Method;

use crate::{
    accounts::{banks, open, own_id},
    card_transactions::{balance, card_holder},
    helpers::*,
    payments::{fund, payments, to},
    sandbox_clock::advance,
};

const REQUEST_ID: &str = "X-Bunq-Client-Request-Id";

fn json(reply: &Reply) -> serde_json::Value {
    serde_json::from_slice(&reply.body).unwrap_or_default()
}

/// A payment from `client`'s `account` to `iban`, sent with `request_id`.
async fn pay_with_id(
    client: &Client,
    user: i64,
    account: i64,
    iban: &str,
    value: &str,
    request_id: &str,
) -> Reply {
    let token = client
        .context()
        .await
        .map(|c| c.session_token)
        .unwrap_or_else(|e| panic!("{e}"));
    let path = format!("/v1/user/{user}/monetary-account/{account}/payment");
    client
        .api()
        .send(
            Request::new(Method::POST, path)
                .token(token)
                .json(&to(iban, value))
                .header(REQUEST_ID, request_id),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The `Id` a payment was answered with.
fn paid_id(reply: &Reply) -> i64 {
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    json(reply)["Response"][0]["Id"]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no Id: {}", String::from_utf8_lossy(&reply.body)))
}

/// An operator call with a JSON body and `request_id`.
async fn operator_with_id(
    app: &TestApp,
    path: &str,
    body: serde_json::Value,
    request_id: &str,
) -> Reply {
    app.send(
        Request::new(Method::POST, path)
            .header("authorization", &format!("Bearer {}", app.admin_token))
            .header(REQUEST_ID, request_id)
            .json(&body),
    )
    .await
}

/// A signed call from `client` with a JSON body and `request_id`.
async fn call_with_id(
    client: &Client,
    method: Method,
    path: &str,
    body: serde_json::Value,
    request_id: &str,
) -> Reply {
    let token = client
        .context()
        .await
        .map(|c| c.session_token)
        .unwrap_or_else(|e| panic!("{e}"));
    client
        .api()
        .send(
            Request::new(method, path)
                .token(token)
                .json(&body)
                .header(REQUEST_ID, request_id),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn ledger_holds(app: &TestApp) {
    let ledger = app.store.ledger().await.unwrap_or_else(|e| panic!("{e}"));
    assert!(ledger.holds(), "{ledger:?}");
}

/// The partner's client, its id, its funded main account and another account's IBAN.
async fn payer(app: &TestApp, funds: &str) -> (Client, i64, i64, String) {
    let partner = app.client().await;
    let me = own_id(&partner).await;
    let main = banks(&partner, me).await[0].id;
    let pot = open(&partner, me, "bank", &crate::accounts::bank("EUR", "Pot")).await;
    let pot_iban = banks(&partner, me)
        .await
        .into_iter()
        .find(|a| a.id == pot)
        .map(|a| a.alias[0].value.clone())
        .unwrap_or_default();
    fund(app, main, funds).await;
    (partner, me, main, pot_iban)
}

for_each_backend! { TestApp::spawn =>
    async fn a_retried_payment_pays_once_and_answers_the_same_id(app: TestApp) {
        let (partner, me, main, pot) = payer(&app, "100.00").await;
        let first = paid_id(&pay_with_id(&partner, me, main, &pot, "25.00", "pay-1").await);
        let again = pay_with_id(&partner, me, main, &pot, "25.00", "pay-1").await;
        assert_eq!(paid_id(&again), first, "the retry answers the first payment");
        assert_eq!(balance(&partner, me, main).await, "75.00", "paid once");
        assert_eq!(payments(&partner, me, main).await.len(), 2, "the credit and one payment");

        // The same id with another body is refused and pays nothing.
        let other = pay_with_id(&partner, me, main, &pot, "30.00", "pay-1").await;
        assert_error(&other, &app.server_key, 400, "already used by this caller on this route with another body");
        // A new id is a new payment, as is a request without one (the client's own ids).
        paid_id(&pay_with_id(&partner, me, main, &pot, "25.00", "pay-2").await);
        crate::payments::pay(&partner, me, main, &to(&pot, "25.00")).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(balance(&partner, me, main).await, "25.00");
        ledger_holds(&app).await;
    }

    async fn a_key_is_kept_a_day_on_the_virtual_clock(app: TestApp) {
        let (partner, me, main, pot) = payer(&app, "100.00").await;
        let first = paid_id(&pay_with_id(&partner, me, main, &pot, "10.00", "day-1").await);
        advance(&app, "23h").await;
        assert_eq!(paid_id(&pay_with_id(&partner, me, main, &pot, "10.00", "day-1").await), first);
        advance(&app, "2h").await;
        let later = paid_id(&pay_with_id(&partner, me, main, &pot, "10.00", "day-1").await);
        assert_ne!(later, first, "a day later the id is a new request");
        assert_eq!(balance(&partner, me, main).await, "80.00");
        // And kept again from then on.
        assert_eq!(paid_id(&pay_with_id(&partner, me, main, &pot, "10.00", "day-1").await), later);
        ledger_holds(&app).await;
    }

    async fn another_sessions_same_id_is_its_own_request(app: TestApp) {
        let (partner, me, main, pot) = payer(&app, "100.00").await;
        let first = paid_id(&pay_with_id(&partner, me, main, &pot, "10.00", "shared-id").await);
        // A second API context of the same partner: another session token.
        let other = app.client().await;
        let second = paid_id(&pay_with_id(&other, me, main, &pot, "10.00", "shared-id").await);
        assert_ne!(first, second);
        assert_eq!(balance(&other, me, main).await, "80.00", "each session's request paid");
        ledger_holds(&app).await;
    }

    async fn an_ambiguous_payment_retried_pays_once(app: TestApp) {
        let (partner, me, main, pot) = payer(&app, "100.00").await;
        lose_next_commit_answer(&app.database().config.url);
        let lost = pay_with_id(&partner, me, main, &pot, "40.00", "ambiguous-1").await;
        assert_error(&lost, &app.server_key, 503, "the outcome of this request is unknown");
        assert_error(&lost, &app.server_key, 503, "retry with the same X-Bunq-Client-Request-Id");
        assert_eq!(lost.header("retry-after"), Some("1"));
        // It was committed: the money moved, once.
        let made = payments(&partner, me, main).await;
        assert_eq!((made.len(), made[0].amount.value.as_str()), (2, "-40.00"));

        let retry = pay_with_id(&partner, me, main, &pot, "40.00", "ambiguous-1").await;
        assert_eq!(paid_id(&retry), made[0].id, "the retry answers the payment that was made");
        assert_eq!(balance(&partner, me, main).await, "60.00", "paid once");
        assert_eq!(payments(&partner, me, main).await.len(), 2);
        ledger_holds(&app).await;
    }

    async fn racing_retries_pay_once(app: TestApp) {
        let (partner, me, main, pot) = payer(&app, "100.00").await;
        let partner = Arc::new(partner);
        let pot = Arc::new(pot);
        let tasks: Vec<_> = (0..8).map(|_| {
            let (partner, pot) = (partner.clone(), pot.clone());
            tokio::spawn(async move { pay_with_id(&partner, me, main, &pot, "5.00", "race-1").await })
        }).collect();
        let mut ids = Vec::new();
        for task in tasks {
            let reply = task.await.unwrap_or_else(|e| panic!("{e}"));
            ids.push(paid_id(&reply));
        }
        ids.dedup();
        assert_eq!(ids.len(), 1, "every racer answers the one payment: {ids:?}");
        assert_eq!(balance(&partner, me, main).await, "95.00");
        ledger_holds(&app).await;
    }

    async fn requests_batches_drafts_and_tabs_retried_move_money_once(app: TestApp) {
        let (partner, me, main, pot) = payer(&app, "10.00").await;
        // Test money from Sugar Daddy whose commit's answer is lost, then retried: credited once.
        let ask = format!("/v1/user/{me}/monetary-account/{main}/request-inquiry");
        let body = serde_json::json!({"amount_inquired": {"value": "500.00", "currency": "EUR"},
            "counterparty_alias": {"type": "EMAIL", "value": "sugardaddy@bunq.com"}, "description": "", "allow_bunqme": false});
        lose_next_commit_answer(&app.database().config.url);
        let lost = call_with_id(&partner, Method::POST, &ask, body.clone(), "ask-1").await;
        assert_error(&lost, &app.server_key, 503, "the outcome of this request is unknown");
        let retry = call_with_id(&partner, Method::POST, &ask, body, "ask-1").await;
        let request = paid_id(&retry);
        assert_eq!(balance(&partner, me, main).await, "510.00", "credited once");

        // A batch retried pays once and answers the same batch.
        let batch = format!("/v1/user/{me}/monetary-account/{main}/payment-batch");
        let body = serde_json::json!({"payments": [to(&pot, "1.00"), to(&pot, "2.00")]});
        let first = paid_id(&call_with_id(&partner, Method::POST, &batch, body.clone(), "batch-1").await);
        assert_eq!(paid_id(&call_with_id(&partner, Method::POST, &batch, body, "batch-1").await), first);
        assert_eq!(balance(&partner, me, main).await, "507.00", "paid once");
        assert_ne!(request, 0);

        // A draft accepted, and the acceptance retried: the same Id, paid once (without the
        // key the retry would be refused as answered already).
        let drafts = format!("/v1/user/{me}/monetary-account/{main}/draft-payment");
        let entries = serde_json::json!({"number_of_required_accepts": 1, "entries": [to(&pot, "4.00")]});
        let draft = paid_id(&call_with_id(&partner, Method::POST, &drafts, entries, "draft-1").await);
        let accept = serde_json::json!({"status": "ACCEPTED"});
        let path = format!("{drafts}/{draft}");
        let first = paid_id(&call_with_id(&partner, Method::PUT, &path, accept.clone(), "accept-1").await);
        assert_eq!(paid_id(&call_with_id(&partner, Method::PUT, &path, accept, "accept-1").await), first);
        assert_eq!(balance(&partner, me, main).await, "503.00", "accepted once");

        // A stranger's payment into a bunq.me tab, retried by the operator: paid once.
        let tabs = format!("/v1/user/{me}/monetary-account/{main}/bunqme-tab");
        let tab = serde_json::json!({"bunqme_tab_entry": {"amount_inquired": {"value": "6.00", "currency": "EUR"}, "description": "Tab"}});
        let tab = paid_id(&call_with_id(&partner, Method::POST, &tabs, tab, "tab-1").await);
        let pay = format!("/_provisio/bunqme-tabs/{tab}/pay");
        let first = operator_with_id(&app, &pay, serde_json::json!({}), "stranger-1").await;
        let again = operator_with_id(&app, &pay, serde_json::json!({}), "stranger-1").await;
        assert_eq!((first.status, again.status), (200, 200));
        assert_eq!(balance(&partner, me, main).await, "509.00", "the tab paid once");
        ledger_holds(&app).await;
    }

    async fn a_retried_credit_credits_once(app: TestApp) {
        let (partner, me, main, _) = payer(&app, "1.00").await;
        let path = format!("/_provisio/monetary-accounts/{main}/credit");
        let body = serde_json::json!({"amount": "50.00", "from_iban": "NL20INGB0001234567", "from_name": "Employer"});
        let first = operator_with_id(&app, &path, body.clone(), "credit-1").await;
        let again = operator_with_id(&app, &path, body, "credit-1").await;
        assert_eq!((first.status, again.status), (200, 200));
        let id = |r: &Reply| json(r)["Response"][0]["Payment"]["id"].as_i64();
        assert!(id(&first).is_some());
        assert_eq!(id(&first), id(&again));
        assert_eq!(balance(&partner, me, main).await, "51.00", "credited once");
        let other = operator_with_id(&app, &path, serde_json::json!({"amount": "5.00"}), "credit-1").await;
        assert_error(&other, &app.server_key, 400, "another body");
        ledger_holds(&app).await;
    }

    async fn a_card_authorisation_retried_moves_money_once(app: TestApp) {
        let (_, user, key, account, card, _) = card_holder(&app, "100.00").await;
        let path = format!("/_provisio/cards/{card}/authorize");
        let body = serde_json::json!({"amount": "12.50", "merchant": "Coffee BV"});
        lose_next_commit_answer(&app.database().config.url);
        let lost = operator_with_id(&app, &path, body.clone(), "auth-1").await;
        assert_error(&lost, &app.server_key, 503, "the outcome of this request is unknown");
        assert_eq!(balance(&user, key, account).await, "87.50", "approved and debited");

        let retry = operator_with_id(&app, &path, body.clone(), "auth-1").await;
        assert_eq!(retry.status, 200, "{}", String::from_utf8_lossy(&retry.body));
        let action = json(&retry)["Response"][0]["MasterCardAction"].clone();
        assert_eq!(action["decision"], "ALLOWED");
        let made = payments(&user, key, account).await;
        assert_eq!(action["payment_id"].as_i64(), Some(made[0].id));
        let again = operator_with_id(&app, &path, body, "auth-1").await;
        assert_eq!(json(&again)["Response"][0]["MasterCardAction"]["id"], action["id"]);
        assert_eq!(balance(&user, key, account).await, "87.50", "debited once");

        // Its settlement, retried, settles once and answers alike.
        let settle = format!("/_provisio/mastercard-actions/{}/settle", action["id"]);
        let settled = operator_with_id(&app, &settle, serde_json::json!({}), "settle-1").await;
        let resettled = operator_with_id(&app, &settle, serde_json::json!({}), "settle-1").await;
        assert_eq!((settled.status, resettled.status), (200, 200), "{}", String::from_utf8_lossy(&resettled.body));
        assert_eq!(settled.body, resettled.body);
        ledger_holds(&app).await;
    }

    async fn an_accepted_challenge_retried_pays_once(app: TestApp) {
        let (_, user, key, account, card, _) = card_holder(&app, "50.00").await;
        let ask = serde_json::json!({"amount": "20.00", "merchant": "Shop BV", "identity_check": true});
        let asked = operator_with_id(&app, &format!("/_provisio/cards/{card}/authorize"), ask, "ask-1").await;
        let challenge = json(&asked)["Response"][0]["MasterCardIdentityCheckChallengeRequest"]["id"].as_i64()
            .unwrap_or_else(|| panic!("{}", String::from_utf8_lossy(&asked.body)));
        let token = user.context().await.map(|c| c.session_token).unwrap_or_default();
        let accept = || Request::new(Method::PUT, format!("/v1/user/{key}/challenge-request/{challenge}"))
            .token(token.clone()).json(&serde_json::json!({"status": "ACCEPTED_PENDING_RESPONSE"}));
        lose_next_commit_answer(&app.database().config.url);
        let lost = user.api().send(accept().header(REQUEST_ID, "accept-1")).await.unwrap_or_else(|e| panic!("{e}"));
        assert_error(&lost, &app.server_key, 503, "the outcome of this request is unknown");
        let retry = user.api().send(accept().header(REQUEST_ID, "accept-1")).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(paid_id(&retry), challenge, "the retry answers the challenge, not 'no longer PENDING'");
        assert_eq!(balance(&user, key, account).await, "30.00", "paid once");
        // Without the same id, a second answer is refused as before.
        let again = user.api().send(accept()).await.unwrap_or_else(|e| panic!("{e}"));
        assert_error(&again, &app.server_key, 400, "only a PENDING one");
        ledger_holds(&app).await;
    }

    async fn a_payment_without_a_request_id_behaves_as_before(app: TestApp) {
        let (partner, me, main, pot) = payer(&app, "10.00").await;
        lose_next_commit_answer(&app.database().config.url);
        // Without a key the injected fault does not apply (it is for keyed writes), and two
        // identical payments without ids are two payments.
        for _ in 0..2 {
            let token = partner.context().await.map(|c| c.session_token).unwrap_or_default();
            let reply = partner.api().send(Request::new(Method::POST, format!("/v1/user/{me}/monetary-account/{main}/payment"))
                .token(token).json(&to(&pot, "1.00")).header(REQUEST_ID, "")).await.unwrap_or_else(|e| panic!("{e}"));
            paid_id(&reply);
        }
        assert_eq!(balance(&partner, me, main).await, "8.00");
        // The pending fault is the next keyed write's: used up here so it cannot leak.
        let lost = pay_with_id(&partner, me, main, &pot, "1.00", "last").await;
        assert_eq!(lost.status, 503);
    }
}
