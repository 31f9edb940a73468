//! Card transactions over real HTTP: the operator's merchant authorises, reverses and settles;
//! approvals move money on the ledger in the action's transaction, declines are recorded and
//! move nothing; 3DS challenges the user accepts, rejects or lets expire; 32 authorisations at
//! once never overspend.

use provisio_client::{
    wire::{
        cards::{CardRequest, ChallengeRequestObject, MasterCardActionObject},
        Item,
    },
    Client, Reply,
};
use reqwest::Method;

use crate::{
    accounts::{active_user, bank, banks, open},
    cards::{change, debit_order, ok, order, refused},
    helpers::*,
    payments::{fund, payments},
    provisioning::admin,
    sandbox_clock::advance,
    verification::{admin_json, subscribe},
};

fn json(reply: &Reply) -> serde_json::Value {
    serde_json::from_slice(&reply.body).unwrap_or_default()
}

async fn authorize(app: &TestApp, card: i64, body: serde_json::Value) -> Reply {
    admin_json(app, &format!("/_provisio/cards/{card}/authorize"), body).await
}

/// An authorisation that must produce a MasterCardAction.
async fn action(
    app: &TestApp,
    card: i64,
    amount: &str,
    extra: serde_json::Value,
) -> MasterCardActionObject {
    let mut body =
        serde_json::json!({"amount": amount, "merchant": "Coffee BV", "city": "Utrecht"});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let reply = authorize(app, card, body).await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    match reply.envelope().map(|e| e.response) {
        Ok(items) => match items.as_slice() {
            [Item::MasterCardAction(a)] => a.clone(),
            other => panic!("{other:?}"),
        },
        Err(e) => panic!("{e}"),
    }
}

/// An authorisation that must produce a MasterCardAction: its id and decision.
pub async fn decision_of(app: &TestApp, card: i64, body: serde_json::Value) -> (i64, String) {
    let reply = authorize(app, card, body).await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let json = json(&reply);
    let action = &json["Response"][0]["MasterCardAction"];
    (
        action["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("no action: {json}")),
        action["decision"].as_str().unwrap_or_default().to_owned(),
    )
}

pub async fn balance(client: &Client, user: i64, account: i64) -> String {
    banks(client, user)
        .await
        .into_iter()
        .find(|a| a.id == account)
        .map(|a| a.balance.value)
        .unwrap_or_default()
}

async fn ledger_holds(app: &TestApp) {
    let ledger = app.store.ledger().await.unwrap_or_else(|e| panic!("{e}"));
    assert!(ledger.holds(), "{ledger:?}");
}

/// A user with a funded EUR account and a debit card on it: the partner's and the user's
/// clients, the user's id, the account, the card and the provision.
pub async fn card_holder(app: &TestApp, funds: &str) -> (Client, Client, i64, i64, i64, i64) {
    let (partner, user, key, provision) = active_user(app).await;
    let account = open(&user, key, "bank", &bank("EUR", "Main")).await;
    fund(app, account, funds).await;
    let card = ok(order(&user, key, &debit_order()).await).id;
    (partner, user, key, account, card, provision)
}

for_each_backend! { TestApp::spawn =>
    async fn authorisations_move_money_and_declines_move_none(app: TestApp) {
        let (_, user, key, account, card, _) = card_holder(&app, "100.00").await;
        let receiver = Receiver::start().await;
        let both = serde_json::json!({"notification_filters": [
            {"category": "CARD_TRANSACTION_SUCCESSFUL", "notification_target": receiver.url},
            {"category": "CARD_TRANSACTION_FAILED", "notification_target": receiver.url}]});
        ok(user.post(&format!("/v1/user/{key}/notification-filter-url"), &both).await);
        let paid = action(&app, card, "12.50", serde_json::json!({"country": "NL"})).await;
        assert_eq!((paid.decision.as_str(), paid.authorisation_status.as_str()), ("ALLOWED", "AUTHORISED"));
        assert_eq!((paid.amount_local.value.as_str(), paid.settlement_status.as_str()), ("-12.50", "PENDING_SETTLEMENT"));
        assert_eq!((paid.counterparty_alias.display_name.as_str(), paid.city.as_str(), paid.card_id), ("Coffee BV", "Utrecht", card));
        assert_eq!(balance(&user, key, account).await, "87.50");
        let moved = payments(&user, key, account).await;
        assert_eq!((moved[0].kind.as_str(), moved[0].amount.value.as_str(), moved[0].balance_after_mutation.value.as_str()), ("MASTERCARD", "-12.50", "87.50"));
        assert_eq!(paid.payment_id, Some(moved[0].id));

        // Declines: recorded with the reason, no money moved.
        let before = payments(&user, key, account).await;
        let poor = action(&app, card, "500.00", serde_json::json!({})).await;
        assert_eq!((poor.decision.as_str(), poor.authorisation_status.as_str(), poor.payment_id), ("INSUFFICIENT_BALANCE", "DECLINED", None));
        let forced = action(&app, card, "1.00", serde_json::json!({"decline_reason": "SUSPECTED_FRAUD"})).await;
        assert_eq!(forced.decision, "SUSPECTED_FRAUD");
        ok(change(&user, key, card, &CardRequest { card_limit: Some(provisio_client::wire::accounts::AmountRequest { value: Some("20.00".into()), currency: Some("EUR".into()) }), ..CardRequest::default() }).await);
        let over = action(&app, card, "10.00", serde_json::json!({})).await;
        assert_eq!(over.decision, "CARD_LIMIT_EXCEEDED", "12.50 spent today, 20.00 the limit");
        ok(change(&user, key, card, &CardRequest { status: Some("DEACTIVATED".into()), ..CardRequest::default() }).await);
        assert_eq!(action(&app, card, "1.00", serde_json::json!({})).await.decision, "CARD_NOT_ACTIVE");
        ok(change(&user, key, card, &CardRequest { status: Some("ACTIVE".into()), ..CardRequest::default() }).await);
        let blocked = provisio_client::wire::accounts::MonetaryAccountRequest { status: Some("BLOCKED".into()), ..Default::default() };
        ok(user.put(&format!("/v1/user/{key}/monetary-account-bank/{account}"), &blocked).await);
        assert_eq!(action(&app, card, "1.00", serde_json::json!({})).await.decision, "ACCOUNT_NOT_ACTIVE");
        assert_eq!(payments(&user, key, account).await, before, "no decline moved money");
        assert_eq!(balance(&user, key, account).await, "87.50");
        let active = provisio_client::wire::accounts::MonetaryAccountRequest { status: Some("ACTIVE".into()), ..Default::default() };
        ok(user.put(&format!("/v1/user/{key}/monetary-account-bank/{account}"), &active).await);

        // Bad requests change nothing at all.
        for (body, text) in [
            (serde_json::json!({"amount": "1.5", "merchant": "X"}), "exactly two decimals"),
            (serde_json::json!({"amount": "1.50"}), "merchant is required"),
            (serde_json::json!({"amount": "1.50", "merchant": "X", "decline_reason": "NOPE"}), "decline_reason must be one of"),
            (serde_json::json!({"amount": "1.50", "merchant": "X", "currency": "USD"}), "pays in EUR"),
        ] {
            assert_error(&authorize(&app, card, body).await, &app.server_key, 400, text);
        }
        assert_error(&authorize(&app, 999_999, serde_json::json!({"amount": "1.00", "merchant": "X"})).await, &app.server_key, 404, "Card not found");

        // Reversal gives the money back; settlement moves none; each only once.
        let reversed = admin_json(&app, &format!("/_provisio/mastercard-actions/{}/reverse", paid.id), serde_json::json!({})).await;
        assert_eq!(json(&reversed)["Response"][0]["MasterCardAction"]["authorisation_status"], "REVERSED");
        assert_eq!(balance(&user, key, account).await, "100.00");
        let again = admin_json(&app, &format!("/_provisio/mastercard-actions/{}/reverse", paid.id), serde_json::json!({})).await;
        assert_error(&again, &app.server_key, 400, "REVERSED");
        let second = action(&app, card, "5.00", serde_json::json!({})).await;
        let settled = admin_json(&app, &format!("/_provisio/mastercard-actions/{}/settle", second.id), serde_json::json!({})).await;
        assert_eq!(json(&settled)["Response"][0]["MasterCardAction"]["settlement_status"], "SETTLED");
        assert_eq!(json(&settled)["Response"][0]["MasterCardAction"]["clearing_status"], "FIRST_PRESENTMENT_COMPLETE");
        assert_error(&admin_json(&app, &format!("/_provisio/mastercard-actions/{}/reverse", second.id), serde_json::json!({})).await, &app.server_key, 400, "SETTLED");
        assert_error(&admin_json(&app, &format!("/_provisio/mastercard-actions/{}/settle", poor.id), serde_json::json!({})).await, &app.server_key, 400, "DECLINED");
        assert_eq!(balance(&user, key, account).await, "95.00");

        // The account's card transactions, newest first, and one of them.
        let listed = ok(user.get(&format!("/v1/user/{key}/monetary-account/{account}/mastercard-action")).await).response;
        assert_eq!(listed.len(), 7, "{listed:?}");
        let one = ok(user.get(&format!("/v1/user/{key}/monetary-account/{account}/mastercard-action/{}", paid.id)).await);
        assert!(matches!(one.response.as_slice(), [Item::MasterCardAction(a)] if a.id == paid.id && a.authorisation_status == "REVERSED"));
        refused(user.get(&format!("/v1/user/{key}/monetary-account/999999/mastercard-action")).await, 404, "MonetaryAccount not found");
        ledger_holds(&app).await;
        let check = json(&admin(&app, Method::GET, "/_provisio/ledger").await);
        assert_eq!(check["Response"][0]["LedgerCheck"]["paid_out"], "5.00", "card money out, net of the reversal");

        app.deliver().await;
        let mut events: Vec<String> = receiver.received().iter().map(|r| r.json()["NotificationUrl"]["event_type"].as_str().unwrap_or_default().to_owned()).collect();
        events.sort();
        events.dedup_by(|a, b| a == b);
        assert_eq!(events, ["CARD_TRANSACTION_FAILED", "CARD_TRANSACTION_SUCCESSFUL"]);
        assert_eq!(receiver.received().len(), 7, "one webhook per authorisation");
    }

    async fn three_d_secure_waits_for_the_user(app: TestApp) {
        let (_, user, key, account, card, _) = card_holder(&app, "50.00").await;
        let receiver = Receiver::start().await;
        subscribe(&user, key, "MASTERCARD_IDENTITY_CHECK", &receiver.url).await;
        let challenge = |reply: Reply| -> ChallengeRequestObject {
            match reply.envelope().map(|e| e.response) {
                Ok(items) => match items.as_slice() {
                    [Item::MasterCardIdentityCheckChallengeRequest(c)] => c.clone(),
                    other => panic!("{other:?}"),
                },
                Err(e) => panic!("{e}"),
            }
        };
        let ask = |amount: &str| serde_json::json!({"amount": amount, "merchant": "Shop BV", "identity_check": true});
        let first = challenge(authorize(&app, card, ask("20.00")).await);
        assert_eq!((first.status.as_str(), first.amount.as_str(), first.card_id), ("PENDING", "20.00", Some(card)));
        assert_eq!(balance(&user, key, account).await, "50.00", "nothing moves before the answer");
        let pending = ok(user.get(&format!("/v1/user/{key}/challenge-request?status=PENDING")).await).response;
        assert_eq!(pending.len(), 1);
        let answer = |status: &str| serde_json::json!({"status": status});
        let path = |id: i64| format!("/v1/user/{key}/challenge-request/{id}");
        refused(user.put(&path(first.id), &answer("ACCEPTED")).await, 400, "ACCEPTED_PENDING_RESPONSE");
        ok(user.put(&path(first.id), &answer("ACCEPTED_PENDING_RESPONSE")).await);
        assert_eq!(balance(&user, key, account).await, "30.00");
        refused(user.put(&path(first.id), &answer("REJECTED_PENDING_RESPONSE")).await, 400, "ACCEPTED; only a PENDING one");

        let second = challenge(authorize(&app, card, ask("5.00")).await);
        ok(user.put(&path(second.id), &answer("REJECTED_PENDING_RESPONSE")).await);
        let third = challenge(authorize(&app, card, ask("5.00")).await);
        advance(&app, "6m").await;
        app.drain().await;
        refused(user.put(&path(third.id), &answer("ACCEPTED_PENDING_RESPONSE")).await, 400, "EXPIRED");

        let statuses: Vec<String> = ok(user.get(&format!("/v1/user/{key}/challenge-request")).await).response.iter().map(|i| match i {
            Item::MasterCardIdentityCheckChallengeRequest(c) => c.status.clone(), o => panic!("{o:?}") }).collect();
        assert_eq!(statuses, ["EXPIRED", "REJECTED", "ACCEPTED"]);
        let actions: Vec<(String, Option<String>)> = ok(user.get(&format!("/v1/user/{key}/monetary-account/{account}/mastercard-action")).await).response.iter().map(|i| match i {
            Item::MasterCardAction(a) => (a.decision.clone(), a.additional_authentication_status.clone()), o => panic!("{o:?}") }).collect();
        assert_eq!(actions, [
            ("IDENTITY_CHECK_EXPIRED".to_owned(), Some("EXPIRED".to_owned())),
            ("IDENTITY_CHECK_REJECTED".to_owned(), Some("REJECTED_BY_USER".to_owned())),
            ("ALLOWED".to_owned(), Some("APPROVED_BY_USER".to_owned())),
        ]);
        assert_eq!(balance(&user, key, account).await, "30.00");
        refused(user.get(&format!("/v1/user/{key}/challenge-request?status=MAYBE")).await, 400, "status must be");
        app.deliver().await;
        assert_eq!(receiver.received().len(), 6, "created and closed, three times");
        ledger_holds(&app).await;
    }

    async fn a_closed_users_card_is_declined_and_nothing_moves(app: TestApp) {
        let (partner, _, key, account, card, provision) = card_holder(&app, "10.00").await;
        let paid = action(&app, card, "1.00", serde_json::json!({})).await;
        ok(crate::provisioning::put(&partner, provision, "CANCELLED").await);
        let before = payments(&partner, key, account).await;
        // The end cancelled the card: declined as any cancelled card (closed_cards has more).
        let declined = action(&app, card, "1.00", serde_json::json!({})).await;
        assert_eq!((declined.decision.as_str(), declined.payment_id), ("CARD_NOT_ACTIVE", None));
        // The user's own records stay frozen: its authorised transaction is not reversed.
        assert_error(&admin_json(&app, &format!("/_provisio/mastercard-actions/{}/reverse", paid.id), serde_json::json!({})).await, &app.server_key, 400, "CANCELLED");
        assert_eq!(payments(&partner, key, account).await, before);
        ledger_holds(&app).await;
    }

    async fn deleting_the_partner_removes_cards_and_their_records(app: TestApp) {
        let (_, user, key, _, card, _) = card_holder(&app, "10.00").await;
        // Another card of the partner's own, with one of everything around it.
        let partner_card = {
            let partner = app.client().await;
            let me = crate::accounts::own_id(&partner).await;
            ok(order(&partner, me, &debit_order()).await).id
        };
        action(&app, card, "1.00", serde_json::json!({})).await;
        authorize(&app, card, serde_json::json!({"amount": "1.00", "merchant": "X", "identity_check": true})).await;
        ok(user.post(&format!("/v1/user/{key}/card/{card}/generated-cvc2"), &serde_json::json!({})).await);
        action(&app, partner_card, "1.00", serde_json::json!({"decline_reason": "WRONG_PIN"})).await;
        let deleted = operator(&app, Method::DELETE, &format!("/_provisio/partners/{}", app.partner_id), None).await;
        assert_eq!(deleted.status, 200, "{}", String::from_utf8_lossy(&deleted.body));
        assert_eq!(app.store.next_card_timer_at().await.ok().flatten(), None, "its timers went too");
        ledger_holds(&app).await;
    }

    async fn a_reset_removes_cards_and_their_records(app: TestApp) {
        let (_, _, _, _, card, _) = card_holder(&app, "5.00").await;
        authorize(&app, card, serde_json::json!({"amount": "1.00", "merchant": "X", "identity_check": true})).await;
        action(&app, card, "1.00", serde_json::json!({})).await;
        let reset = operator(&app, Method::POST, "/_provisio/reset", None).await;
        assert_eq!(reset.status, 200, "{}", String::from_utf8_lossy(&reset.body));
        assert_error(&authorize(&app, card, serde_json::json!({"amount": "1.00", "merchant": "X"})).await, &app.server_key, 404, "Card not found");
    }

    async fn parallel_authorisations_never_overspend(app: TestApp) {
        let (_, user, key, account, card, _) = card_holder(&app, "100.00").await;
        ok(change(&user, key, card, &CardRequest { card_limit: Some(provisio_client::wire::accounts::AmountRequest { value: Some("10000.00".into()), currency: Some("EUR".into()) }), ..CardRequest::default() }).await);
        let app = std::sync::Arc::new(app);
        let tasks: Vec<_> = (0..32).map(|_| {
            let app = app.clone();
            tokio::spawn(async move {
                let reply = authorize(&app, card, serde_json::json!({"amount": "7.00", "merchant": "Rush BV"})).await;
                json(&reply)["Response"][0]["MasterCardAction"]["decision"].as_str().unwrap_or_default().to_owned()
            })
        }).collect();
        let mut decisions = Vec::new();
        for task in tasks {
            decisions.push(task.await.unwrap_or_default());
        }
        let approved = decisions.iter().filter(|d| *d == "ALLOWED").count();
        let declined = decisions.iter().filter(|d| *d == "INSUFFICIENT_BALANCE").count();
        assert_eq!((approved, declined), (14, 18), "{decisions:?}");
        assert_eq!(balance(&user, key, account).await, "2.00");
        ledger_holds(&app).await;
    }
}
