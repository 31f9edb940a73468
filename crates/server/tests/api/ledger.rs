//! The ledger stays whole over real HTTP: deleting a partner whose accounts paid and were paid
//! by another partner's leaves the other side's payments whole and the ledger holding; amounts
//! and balances are bounded, refused in the envelope naming the bound, and the ledger sums
//! past `i64` exactly.

use provisio_client::{wire::payments::PaymentObject, Client};
use provisio_core::account::amount::MAX_BALANCE_MINOR;
use reqwest::Method;

use crate::{
    accounts::{bank, banks, open, own_id},
    card_transactions::decision_of,
    cards::{debit_order, ok, order},
    helpers::*,
    payments::{fund, pay, payments, to},
    provisioning::*,
    tenants::{connect, new_partner},
    verification::admin_json,
};

/// An ACTIVE provisioned user of `partner`: its client and id.
async fn provisioned(app: &TestApp, partner: &Client) -> (Client, i64) {
    ok(partner
        .create_oauth_client("https://partner.example/oauth/callback")
        .await);
    let (provision, token) = onboarding(app, partner).await;
    let approved = admin(
        app,
        Method::POST,
        &format!("/_provisio/provisions/{provision}/approve"),
    )
    .await;
    assert_eq!(approved.status, 200);
    let user = ok(Client::builder(&app.base_url, &token)
        .signing_key(test_key())
        .connect()
        .await);
    let id = own_id(&user).await;
    (user, id)
}

/// `user`'s account `account`: its IBAN and balance.
async fn iban_and_balance(client: &Client, user: i64, account: i64) -> (String, String) {
    let found = banks(client, user)
        .await
        .into_iter()
        .find(|a| a.id == account)
        .unwrap_or_else(|| panic!("no account {account}"));
    (found.alias[0].value.clone(), found.balance.value)
}

/// `GET /_provisio/ledger`'s check, answered 200.
async fn ledger(app: &TestApp) -> serde_json::Value {
    let reply = admin(app, Method::GET, "/_provisio/ledger").await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let json: serde_json::Value = serde_json::from_slice(&reply.body).unwrap_or_default();
    json["Response"][0]["LedgerCheck"].clone()
}

/// A user's account with money and a debit card on it: (user, id, account, IBAN, card).
async fn holder(app: &TestApp, partner: &Client) -> (Client, i64, i64, String, i64) {
    let (user, key) = provisioned(app, partner).await;
    let account = open(&user, key, "bank", &bank("EUR", "Main")).await;
    fund(app, account, "100.00").await;
    let card = ok(order(&user, key, &debit_order()).await).id;
    let (iban, _) = iban_and_balance(&user, key, account).await;
    (user, key, account, iban, card)
}

/// An authorisation of `amount` on `card` that is approved: the action's id.
async fn spend(app: &TestApp, card: i64, amount: &str) -> i64 {
    let body = serde_json::json!({"amount": amount, "merchant": "Coffee BV", "city": "Utrecht"});
    let (id, decision) = decision_of(app, card, body).await;
    assert_eq!(decision, "ALLOWED");
    id
}

/// Brings `account`'s balance to `balance` minor units behind the store's back, with the
/// credit that would have done it, so the ledger still holds.
async fn fill(app: &TestApp, account: i64, balance: i64) {
    app.database()
        .execute(&format!(
            "INSERT INTO payments (monetary_account_id, user_id, transfer_id, amount_minor, \
                 currency, alias_iban, alias_name, counterparty_iban, counterparty_name, \
                 description, merchant_reference, type, balance_after_minor, created) \
             SELECT id, user_id, 'fill-' || id, {balance} - balance_minor, currency, iban, \
                 display_name, 'NL20INGB0001234567', 'Employer', 'Bonus', NULL, 'EBA_SCT', \
                 {balance}, 0 FROM monetary_accounts WHERE id = {account}"
        ))
        .await;
    app.database()
        .execute(&format!(
            "UPDATE monetary_accounts SET balance_minor = {balance} WHERE id = {account}"
        ))
        .await;
}

/// An operator's credit of `amount` to `account`.
async fn credit(app: &TestApp, account: i64, amount: &str) -> provisio_client::Reply {
    let path = format!("/_provisio/monetary-accounts/{account}/credit");
    admin_json(app, &path, serde_json::json!({ "amount": amount })).await
}

fn same_but_kind(was: &PaymentObject, is: &PaymentObject, kind: &str) {
    assert_eq!(
        PaymentObject {
            kind: kind.into(),
            ..was.clone()
        },
        *is
    );
}

for_each_backend! { TestApp::spawn =>
    async fn deleting_a_partner_leaves_the_others_payments_whole(app: TestApp) {
        let acme = app.client().await;
        let (acme_user, acme_key, acme_account, acme_iban, acme_card) = holder(&app, &acme).await;
        let (globex_id, globex_key) = new_partner(&app, "Globex").await;
        let globex = ok(connect(&app, &globex_key).await);
        let (globex_user, globex_key, globex_account, globex_iban, globex_card) = holder(&app, &globex).await;
        // Payments both ways, between users and between the partners' own accounts.
        ok(pay(&acme_user, acme_key, acme_account, &to(&globex_iban, "10.00")).await);
        ok(pay(&globex_user, globex_key, globex_account, &to(&acme_iban, "4.00")).await);
        let acme_id = own_id(&acme).await;
        let acme_main = banks(&acme, acme_id).await.pop().map(|a| (a.id, a.alias[0].value.clone()))
            .unwrap_or_else(|| panic!("no main account"));
        let globex_id_user = own_id(&globex).await;
        let globex_main = banks(&globex, globex_id_user).await.pop().map(|a| a.id)
            .unwrap_or_else(|| panic!("no main account"));
        fund(&app, acme_main.0, "50.00").await;
        fund(&app, globex_main, "50.00").await;
        ok(pay(&globex, globex_id_user, globex_main, &to(&acme_main.1, "7.00")).await);
        ok(pay(&globex, globex_id_user, globex_main, &to(&acme_iban, "2.00")).await);
        ok(pay(&acme, acme_id, acme_main.0, &to(&globex_iban, "1.50")).await);
        // Card transactions on both sides, one of them reversed.
        spend(&app, acme_card, "3.00").await;
        let reversed = spend(&app, acme_card, "1.00").await;
        assert_eq!(admin_json(&app, &format!("/_provisio/mastercard-actions/{reversed}/reverse"), serde_json::json!({})).await.status, 200);
        spend(&app, globex_card, "5.00").await;
        assert_eq!(ledger(&app).await["holds"], true);
        let before = payments(&acme_user, acme_key, acme_account).await;
        let main_before = payments(&acme, acme_id, acme_main.0).await;
        let balances = (
            iban_and_balance(&acme_user, acme_key, acme_account).await.1,
            iban_and_balance(&acme, acme_id, acme_main.0).await.1,
        );
        assert_eq!(balances, ("93.00".to_owned(), "55.50".to_owned()));

        let deleted = admin(&app, Method::DELETE, &format!("/_provisio/partners/{globex_id}")).await;
        assert_eq!(deleted.status, 200, "{}", String::from_utf8_lossy(&deleted.body));

        let check = ledger(&app).await;
        assert_eq!(check["holds"], true, "{check}");
        assert_eq!((check["unpaired_payments"].as_i64(), check["balances"].as_str()), (Some(0), Some("148.50")));
        // The other partner's payments still list, each as it was; those with the deleted
        // partner's accounts are payments with an account elsewhere, counterparty kept.
        let after = payments(&acme_user, acme_key, acme_account).await;
        assert_eq!(after.len(), before.len());
        for (was, is) in before.iter().zip(&after) {
            same_but_kind(was, is, if was.kind == "BUNQ" { "EBA_SCT" } else { &was.kind });
        }
        assert_eq!(after.iter().filter(|p| p.kind == "EBA_SCT" && p.counterparty_alias.iban == globex_iban).count(), 2, "{after:?}");
        let main_after = payments(&acme, acme_id, acme_main.0).await;
        assert_eq!(main_after.len(), main_before.len());
        for (was, is) in main_before.iter().zip(&main_after) {
            same_but_kind(was, is, if was.kind == "BUNQ" { "EBA_SCT" } else { &was.kind });
        }
        assert_eq!(
            (
                iban_and_balance(&acme_user, acme_key, acme_account).await.1,
                iban_and_balance(&acme, acme_id, acme_main.0).await.1,
            ),
            balances
        );
        // Money still moves, to the deleted account's IBAN as to any IBAN elsewhere.
        ok(pay(&acme_user, acme_key, acme_account, &to(&globex_iban, "1.00")).await);
        spend(&app, acme_card, "1.00").await;
        assert_eq!(ledger(&app).await["holds"], true);
    }

    async fn amounts_and_balances_are_bounded(app: TestApp) {
        let acme = app.client().await;
        let (user, key, account, iban, card) = holder(&app, &acme).await;
        let (other_user, other_key, other_account, _, _) = holder(&app, &acme).await;
        // An amount past 1,000,000,000.00, wherever it enters.
        assert_error(&credit(&app, account, "1000000000.01").await, &app.server_key, 400, "at most 1000000000.00");
        assert_error(&credit(&app, account, "999999999999999.99").await, &app.server_key, 400, "at most 1000000000.00");
        let refused = pay(&user, key, account, &to(&iban, "1000000000.01")).await.err().unwrap_or_else(|| panic!("paid"));
        assert_eq!(refused.status(), Some(400));
        assert!(refused.description().unwrap_or_default().contains("at most 1000000000.00"), "{refused}");
        let body = serde_json::json!({"amount": "1000000000.01", "merchant": "Coffee BV"});
        assert_error(&admin_json(&app, &format!("/_provisio/cards/{card}/authorize"), body).await, &app.server_key, 400, "at most 1000000000.00");
        assert_eq!(iban_and_balance(&user, key, account).await.1, "100.00");

        // A balance past 1,000,000,000,000.00: a credit, a payment in and a card reversal.
        let reversed = spend(&app, card, "5.00").await;
        fill(&app, account, MAX_BALANCE_MINOR - 100).await;
        assert_error(&credit(&app, account, "1.01").await, &app.server_key, 400, "past 1000000000000.00 EUR");
        let incoming = pay(&other_user, other_key, other_account, &to(&iban, "1.01")).await.err().unwrap_or_else(|| panic!("paid"));
        assert_eq!(incoming.status(), Some(400));
        assert!(incoming.description().unwrap_or_default().contains("past 1000000000000.00 EUR"), "{incoming}");
        assert_eq!(credit(&app, account, "1.00").await.status, 200);
        assert_error(&admin_json(&app, &format!("/_provisio/mastercard-actions/{reversed}/reverse"), serde_json::json!({})).await, &app.server_key, 400, "past 1000000000000.00 EUR");
        assert_error(&credit(&app, account, "0.01").await, &app.server_key, 400, "past 1000000000000.00 EUR");
        assert_eq!(iban_and_balance(&user, key, account).await.1, "1000000000000.00");
        assert_eq!(iban_and_balance(&other_user, other_key, other_account).await.1, "100.00");
        assert_eq!(ledger(&app).await["holds"], true);
        // Money still leaves the full account, and comes back within the bound.
        ok(pay(&user, key, account, &to(&iban_and_balance(&other_user, other_key, other_account).await.0, "10.00")).await);
        ok(pay(&other_user, other_key, other_account, &to(&iban, "10.00")).await);
    }

    async fn the_ledger_sums_many_full_accounts_and_payments_go_on(app: TestApp) {
        let acme = app.client().await;
        let (user, key, account, _, _) = holder(&app, &acme).await;
        let (other_user, other_key, other_account, other_iban, _) = holder(&app, &acme).await;
        let me = own_id(&acme).await;
        // 100,000 accounts at the most an account holds: 10^19 minor units, past 2^63 - 1.
        app.database().execute(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) \
             INSERT INTO monetary_accounts (user_id, kind, public_uuid, currency, description, \
                 display_name, daily_limit_minor, balance_minor, iban, status, sub_status, created, updated) \
             SELECT {me}, 'BANK', 'full-' || i, 'EUR', 'Full', 'Full', 100000, 0, 'FULL' || i, \
                 'ACTIVE', 'NONE', 0, 0 FROM n"
        )).await;
        app.database().execute(&format!(
            "INSERT INTO payments (monetary_account_id, user_id, transfer_id, amount_minor, currency, \
                 alias_iban, alias_name, counterparty_iban, counterparty_name, description, \
                 merchant_reference, type, balance_after_minor, created) \
             SELECT id, user_id, public_uuid, {MAX_BALANCE_MINOR}, 'EUR', iban, 'Full', \
                 'NL20INGB0001234567', 'Employer', 'Salary', NULL, 'EBA_SCT', {MAX_BALANCE_MINOR}, 0 \
             FROM monetary_accounts WHERE public_uuid LIKE 'full-%'"
        )).await;
        app.database().execute(&format!(
            "UPDATE monetary_accounts SET balance_minor = {MAX_BALANCE_MINOR} WHERE public_uuid LIKE 'full-%'"
        )).await;
        let check = ledger(&app).await;
        assert_eq!(check["holds"], true, "{check}");
        // 100,000 × 1,000,000,000,000.00 and the two holders' 100.00 each.
        assert_eq!(check["balances"], "100000000000000200.00", "{check}");
        assert_eq!(check["credited"], "100000000000000200.00", "{check}");
        // bunq's /v1 payments go on, and the ledger still answers.
        ok(pay(&user, key, account, &to(&other_iban, "25.00")).await);
        assert_eq!(iban_and_balance(&other_user, other_key, other_account).await.1, "125.00");
        let check = ledger(&app).await;
        assert_eq!((check["holds"].as_bool(), check["payments"].as_i64()), (Some(true), Some(100_004)));
    }
}
