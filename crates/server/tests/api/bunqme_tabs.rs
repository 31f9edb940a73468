//! bunq.me tabs over real HTTP: opened, paid by strangers through the operator API (money in
//! from outside, listed in the tab's results), cancelled; every refusal changing nothing.

use provisio_client::{
    wire::{
        accounts::AmountRequest,
        bunqme::{BunqMeTabEntryRequest, BunqMeTabObject, BunqMeTabRequest},
        Item,
    },
    Client, ClientError,
};
use reqwest::Method;

use crate::{
    accounts::{banks, own_id},
    helpers::*,
    payments::payments,
    provisioning::*,
};

fn ok<T>(result: Result<T, ClientError>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

fn tab_of(value: &str) -> BunqMeTabRequest {
    BunqMeTabRequest {
        bunqme_tab_entry: Some(BunqMeTabEntryRequest {
            amount_inquired: Some(AmountRequest {
                value: Some(value.into()),
                currency: Some("EUR".into()),
            }),
            description: Some("Pizza".into()),
            redirect_url: None,
        }),
        status: None,
    }
}

async fn get_tab(client: &Client, user: i64, account: i64, id: i64) -> BunqMeTabObject {
    let got = ok(client
        .get(&format!(
            "/v1/user/{user}/monetary-account/{account}/bunqme-tab/{id}"
        ))
        .await);
    match got.response.as_slice() {
        [Item::BunqMeTab(t)] => t.clone(),
        other => panic!("{other:?}"),
    }
}

async fn pay(app: &TestApp, id: i64, body: serde_json::Value) -> provisio_client::Reply {
    operator(
        app,
        Method::POST,
        &format!("/_provisio/bunqme-tabs/{id}/pay"),
        Some(body),
    )
    .await
}

async fn balance(client: &Client, user: i64, account: i64) -> String {
    banks(client, user)
        .await
        .into_iter()
        .find(|a| a.id == account)
        .map(|a| a.balance.value)
        .unwrap_or_default()
}

for_each_backend! { TestApp::spawn =>
    async fn a_tab_takes_strangers_payments_until_cancelled(app: TestApp) {
        let partner = app.client().await;
        let me = own_id(&partner).await;
        let main = banks(&partner, me).await[0].id;
        let path = format!("/v1/user/{me}/monetary-account/{main}/bunqme-tab");
        let id = first_id(&ok(partner.post(&path, &tab_of("7.50")).await).response);
        let open = get_tab(&partner, me, main, id).await;
        assert_eq!((open.status.as_str(), open.bunqme_tab_entry.amount_inquired.value.as_str()), ("WAITING_FOR_PAYMENT", "7.50"));
        assert_eq!(open.bunqme_tab_share_url, format!("https://bunq.me/t/{}", open.bunqme_tab_entry.uuid));
        assert!(open.result_inquiries.is_empty());

        assert_eq!(pay(&app, id, serde_json::json!({"from_iban": "NL20INGB0001234567", "from_name": "Friend"})).await.status, 200);
        assert_eq!(pay(&app, id, serde_json::json!({})).await.status, 200);
        assert_eq!(balance(&partner, me, main).await, "15.00");
        let paid = get_tab(&partner, me, main, id).await;
        let names: Vec<(String, String, String)> = paid.result_inquiries.iter().map(|r| (r.payment.amount.value.clone(), r.payment.kind.clone(), r.payment.counterparty_alias.display_name.clone())).collect();
        assert_eq!(names, vec![
            ("7.50".to_owned(), "EBA_SCT".to_owned(), "bunq.me payer".to_owned()),
            ("7.50".to_owned(), "EBA_SCT".to_owned(), "Friend".to_owned()),
        ]);
        assert_eq!(payments(&partner, me, main).await.len(), 2);

        let cancelled = ok(partner.put(&format!("{path}/{id}"), &BunqMeTabRequest { status: Some("CANCELLED".into()), ..BunqMeTabRequest::default() }).await);
        assert!(matches!(cancelled.response.as_slice(), [Item::BunqMeTab(t)] if t.status == "CANCELLED"));

        // Refusals change nothing.
        let refused = pay(&app, id, serde_json::json!({})).await;
        assert_error(&refused, &app.server_key, 400, "This bunq.me tab is CANCELLED");
        let again = partner.put(&format!("{path}/{id}"), &BunqMeTabRequest { status: Some("CANCELLED".into()), ..BunqMeTabRequest::default() }).await;
        assert!(again.err().and_then(|e| e.description().map(str::to_owned)).is_some_and(|d| d.contains("CANCELLED")));
        let reopen = partner.put(&format!("{path}/{id}"), &BunqMeTabRequest { status: Some("WAITING_FOR_PAYMENT".into()), ..BunqMeTabRequest::default() }).await;
        assert_eq!(reopen.err().and_then(|e| e.status()), Some(400));
        let three = partner.post(&path, &tab_of("7.505")).await;
        assert!(three.err().and_then(|e| e.description().map(str::to_owned)).is_some_and(|d| d.contains("two decimals")));
        let other = first_id(&ok(partner.post(&path, &tab_of("1.00")).await).response);
        assert_error(&pay(&app, other, serde_json::json!({"from_iban": "NL00XXXX"})).await, &app.server_key, 400, "not a valid IBAN");
        assert_eq!(pay(&app, 999_999, serde_json::json!({})).await.status, 404);
        assert_eq!(balance(&partner, me, main).await, "15.00");
        let listed = ok(partner.get(&path).await).response;
        assert_eq!(listed.len(), 2, "{listed:?}");
        let ledger = app.store.ledger().await.unwrap_or_else(|e| panic!("{e}"));
        assert!(ledger.holds(), "{ledger:?}");
        assert_eq!(ledger.credited_minor, 1_500);
    }
}
