//! A provision's end ends its user's cards: in the transaction that makes the provision
//! CANCELLED (then CLOSED) or FAILED, every usable card becomes CANCELLED (reason OTHER) and
//! every PENDING 3DS challenge EXPIRED with its authorisation declined, each with the webhook
//! any such change sends. Authorisations on those cards are declined as on any cancelled card.

use provisio_client::wire::{objects::WebhookDelivery, Item};
use reqwest::Method;
use serde_json::json;

use crate::{
    card_transactions::{balance, decision_of},
    cards::card,
    closed::{end, prepare, Frozen},
    helpers::*,
    provisioning::admin,
};

fn ok<T>(result: Result<T, provisio_client::ClientError>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

/// Every webhook delivery queued on the server, oldest first.
async fn deliveries(app: &TestApp) -> Vec<WebhookDelivery> {
    let listed = admin(app, Method::GET, "/_provisio/deliveries?count=200").await;
    let mut all: Vec<WebhookDelivery> = ok(listed.envelope())
        .response
        .into_iter()
        .filter_map(|item| match item {
            Item::WebhookDelivery(d) => Some(d),
            _ => None,
        })
        .collect();
    all.sort_by_key(|d| d.id);
    all
}

async fn challenge_status(f: &Frozen) -> String {
    let path = format!("/v1/user/{}/challenge-request/{}", f.key, f.challenge);
    match ok(f.partner.get(&path).await).response.as_slice() {
        [Item::MasterCardIdentityCheckChallengeRequest(c)] => c.status.clone(),
        other => panic!("{other:?}"),
    }
}

/// The card's transactions: (decision, additional authentication status), newest first.
async fn actions(f: &Frozen) -> Vec<(String, Option<String>)> {
    let path = format!(
        "/v1/user/{}/monetary-account/{}/mastercard-action",
        f.key, f.account
    );
    ok(f.partner.get(&path).await)
        .response
        .iter()
        .map(|i| match i {
            Item::MasterCardAction(a) => (
                a.decision.clone(),
                a.additional_authentication_status.clone(),
            ),
            o => panic!("{o:?}"),
        })
        .collect()
}

/// Ends a user with an ACTIVE card and a PENDING challenge the way `status` says, and checks
/// what the end did to them, and what an authorisation meets afterwards.
async fn check_the_end(app: &TestApp, status: &'static str) {
    let f = prepare(app, status).await;
    assert_eq!(card(&f.partner, f.key, f.card).await.status, "ACTIVE");
    assert_eq!(challenge_status(&f).await, "PENDING");
    let known = deliveries(app).await.last().map_or(0, |d| d.id);
    end(app, &f).await;

    let ended = card(&f.partner, f.key, f.card).await;
    assert_eq!(
        (ended.status.as_str(), ended.cancellation_reason.as_deref()),
        ("CANCELLED", Some("OTHER")),
        "{status}"
    );
    assert_eq!(challenge_status(&f).await, "EXPIRED", "{status}");
    assert_eq!(
        actions(&f).await,
        [(
            "IDENTITY_CHECK_EXPIRED".to_owned(),
            Some("EXPIRED".to_owned())
        )],
        "{status}: the held authorisation is declined"
    );
    // The webhooks of the end, as any challenge's expiry and any card's change send them:
    // once each, also when CANCELLED went on to CLOSED.
    let sent: Vec<(String, String, i64)> = deliveries(app)
        .await
        .into_iter()
        .filter(|d| d.id > known && d.category.contains("CARD"))
        .map(|d| (d.category, d.event_type, d.object_id))
        .collect();
    let card_failed = sent
        .iter()
        .find(|(c, ..)| c == "CARD_TRANSACTION_FAILED")
        .map_or(0, |(.., id)| *id);
    assert_eq!(
        sent,
        [
            (
                "CARD_TRANSACTION_FAILED".to_owned(),
                "CARD_TRANSACTION_FAILED".to_owned(),
                card_failed
            ),
            (
                "MASTERCARD_IDENTITY_CHECK".to_owned(),
                "MASTERCARD_IDENTITY_CHECK".to_owned(),
                f.challenge
            ),
            ("CARD".to_owned(), "CARD_UPDATED".to_owned(), f.card),
        ],
        "{status}"
    );

    // A merchant's authorisation now is declined as on any cancelled card, with or without
    // an identity check (no challenge is asked of a user who can no longer answer).
    let before = balance(&f.partner, f.key, f.account).await;
    let plain = json!({"amount": "1.00", "merchant": "Coffee BV"});
    assert_eq!(
        decision_of(app, f.card, plain).await.1,
        "CARD_NOT_ACTIVE",
        "{status}"
    );
    let checked = json!({"amount": "1.00", "merchant": "Shop BV", "identity_check": true});
    assert_eq!(
        decision_of(app, f.card, checked).await.1,
        "CARD_NOT_ACTIVE",
        "{status}"
    );
    assert_eq!(
        balance(&f.partner, f.key, f.account).await,
        before,
        "{status}"
    );
    let ledger = app.store.ledger().await.unwrap_or_else(|e| panic!("{e}"));
    assert!(ledger.holds(), "{ledger:?}");
}

for_each_backend! { TestApp::spawn =>
    async fn a_cancelled_and_closed_users_cards_are_cancelled_and_its_challenges_expired(app: TestApp) {
        check_the_end(&app, "CLOSED").await;
        check_the_end(&app, "CANCELLED").await;
    }

    async fn a_failed_users_cards_are_cancelled_and_its_challenges_expired(app: TestApp) {
        check_the_end(&app, "FAILED").await;
    }
}
