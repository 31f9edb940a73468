//! bunq.me tabs over real HTTP: opened, paid by strangers through the operator API (money in
//! from outside, listed in the tab's results) or by another user's account held here (an
//! internal payment on both sides), cancelled; every refusal changing nothing.

use provisio_client::{
    wire::{
        accounts::AmountRequest,
        bunqme::{BunqMeTabEntryRequest, BunqMeTabObject, BunqMeTabRequest},
        requests::{NotificationFilterRequest, NotificationFiltersRequest},
        Item,
    },
    Client, ClientError,
};
use provisio_core::store::Store;
use reqwest::Method;

use crate::{
    accounts::{banks, external, open, own_id},
    events::events_of,
    helpers::*,
    payments::{fund, payments},
    provisioning::*,
    sandbox_users::{connect, create},
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

/// A balance in minor units.
fn minor(value: &str) -> i64 {
    value
        .replace('.', "")
        .parse()
        .unwrap_or_else(|e| panic!("{value}: {e}"))
}

/// A new sandbox person: its client, user id, main account id and that account's IBAN.
async fn sandbox_person(app: &TestApp) -> (Client, i64, i64, String) {
    let key = create(app, "/v1/sandbox-user-person").await;
    let client = connect(app, &key).await;
    let id = own_id(&client).await;
    let main = banks(&client, id).await.remove(0);
    let iban = main.alias[0].value.clone();
    (client, id, main.id, iban)
}

async fn deliveries(store: &dyn Store) -> usize {
    store
        .deliveries(None, 1000)
        .await
        .map(|d| d.len())
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn listen(client: &Client, user: i64, url: &str) {
    let filters = NotificationFiltersRequest {
        notification_filters: ["PAYMENT", "MUTATION"]
            .iter()
            .map(|c| NotificationFilterRequest {
                category: Some((*c).into()),
                notification_target: Some(url.to_owned()),
            })
            .collect(),
    };
    ok(client
        .post(
            &format!("/v1/user/{user}/notification-filter-url"),
            &filters,
        )
        .await);
}

async fn ledger_holds(app: &TestApp) {
    let ledger = app.store.ledger().await.unwrap_or_else(|e| panic!("{e}"));
    assert!(ledger.holds(), "{ledger:?}");
}

for_each_backend! { TestApp::spawn =>
    async fn a_second_user_pays_a_tab_from_its_account_as_an_internal_payment(app: TestApp) {
        let (alice, a, a_main, a_iban) = sandbox_person(&app).await;
        let (bob, b, b_main, b_iban) = sandbox_person(&app).await;
        let receiver = Receiver::start().await;
        listen(&alice, a, &receiver.url).await;
        listen(&bob, b, &receiver.url).await;
        fund(&app, b_main, "10.00").await;
        let path = format!("/v1/user/{a}/monetary-account/{a_main}/bunqme-tab");
        let id = first_id(&ok(alice.post(&path, &tab_of("7.50")).await).response);
        let (a_before, b_before) = (minor(&balance(&alice, a, a_main).await), minor(&balance(&bob, b, b_main).await));
        let (a_paid_before, b_paid_before) = (payments(&alice, a, a_main).await.len(), payments(&bob, b, b_main).await.len());
        app.deliver().await;
        let heard_before = receiver.received().len();

        let paid = pay(&app, id, serde_json::json!({"from_monetary_account_id": b_main})).await;
        assert_eq!(paid.status, 200, "{}", String::from_utf8_lossy(&paid.body));
        assert_eq!(minor(&balance(&alice, a, a_main).await), a_before + 750);
        assert_eq!(minor(&balance(&bob, b, b_main).await), b_before - 750);

        // The tab lists the tab's side: a BUNQ payment from Bob's account.
        let tab = get_tab(&alice, a, a_main, id).await;
        let [result] = tab.result_inquiries.as_slice() else { panic!("{:?}", tab.result_inquiries) };
        let p = &result.payment;
        assert_eq!((p.amount.value.as_str(), p.kind.as_str(), p.monetary_account_id, p.description.as_str()), ("7.50", "BUNQ", a_main, "Pizza"));
        assert_eq!((p.counterparty_alias.iban.as_str(), p.alias.iban.as_str()), (b_iban.as_str(), a_iban.as_str()));
        assert_eq!(tab.status, "WAITING_FOR_PAYMENT");

        // Each user's payments show its side, counterparties each other's IBAN and name.
        let theirs = payments(&alice, a, a_main).await;
        assert_eq!(theirs.len(), a_paid_before + 1);
        assert_eq!(&theirs[0], p);
        let mine = payments(&bob, b, b_main).await;
        assert_eq!(mine.len(), b_paid_before + 1);
        let out = &mine[0];
        assert_eq!((out.amount.value.as_str(), out.kind.as_str(), out.description.as_str()), ("-7.50", "BUNQ", "Pizza"));
        assert_eq!((out.counterparty_alias.iban.as_str(), out.alias.iban.as_str()), (a_iban.as_str(), b_iban.as_str()));
        assert_eq!((&out.counterparty_alias.display_name, &p.counterparty_alias.display_name), (&p.alias.display_name, &out.alias.display_name));
        ledger_holds(&app).await;

        // Each owner's feed has its side, as of any internal payment.
        for (client, user, account, side) in [(&alice, a, a_main, p.id), (&bob, b, b_main, out.id)] {
            let feed = ok(client.get(&format!("/v1/user/{user}/event?monetary_account_id={account}")).await);
            let newest = events_of(&feed).into_iter().next().map(|e| (e.action, e.status, e.object));
            assert!(matches!(&newest, Some((action, status, item)) if action == "CREATE" && status == "FINALIZED" && matches!(item.as_ref(), Item::Payment(p) if p.id == side)), "{newest:?}");
        }

        // Both owners hear of their side, as of any internal payment.
        app.deliver().await;
        let mut heard: Vec<(String, i64)> = receiver.received()[heard_before..].iter().map(|r| {
            let json = r.json();
            let n = &json["NotificationUrl"];
            (n["event_type"].as_str().unwrap_or_default().to_owned(), n["object"]["Payment"]["monetary_account_id"].as_i64().unwrap_or_default())
        }).collect();
        heard.sort();
        assert_eq!(heard, vec![
            ("MUTATION_CREATED".to_owned(), b_main),
            ("MUTATION_RECEIVED".to_owned(), a_main),
            ("PAYMENT_CREATED".to_owned(), b_main),
            ("PAYMENT_RECEIVED".to_owned(), a_main),
        ]);
    }

    async fn a_tab_paid_from_an_account_that_cannot_pay_it_changes_nothing(app: TestApp) {
        let (alice, a, a_main, _) = sandbox_person(&app).await;
        let (bob, b, b_main, _) = sandbox_person(&app).await;
        let receiver = Receiver::start().await;
        listen(&alice, a, &receiver.url).await;
        listen(&bob, b, &receiver.url).await;
        fund(&app, b_main, "10.00").await;
        let path = format!("/v1/user/{a}/monetary-account/{a_main}/bunqme-tab");
        let dear = first_id(&ok(alice.post(&path, &tab_of("1000000.00")).await).response);
        let cheap = first_id(&ok(alice.post(&path, &tab_of("1.00")).await).response);
        let dollars = open(&bob, b, "external", &external("USD")).await;
        let state = || async {
            (
                balance(&alice, a, a_main).await,
                balance(&bob, b, b_main).await,
                get_tab(&alice, a, a_main, dear).await.result_inquiries.len() + get_tab(&alice, a, a_main, cheap).await.result_inquiries.len(),
                payments(&alice, a, a_main).await.len() + payments(&bob, b, b_main).await.len(),
                deliveries(app.store.as_ref()).await,
            )
        };
        let before = state().await;

        let key = &app.server_key;
        assert_error(&pay(&app, dear, serde_json::json!({"from_monetary_account_id": b_main})).await, key, 400, "Insufficient balance");
        assert_error(&pay(&app, cheap, serde_json::json!({"from_monetary_account_id": b_main, "from_iban": "NL20INGB0001234567"})).await, key, 400, "not both");
        assert_error(&pay(&app, cheap, serde_json::json!({"from_monetary_account_id": b_main, "from_name": "Bob"})).await, key, 400, "not both");
        assert_error(&pay(&app, cheap, serde_json::json!({"from_monetary_account_id": a_main})).await, key, 400, "its own account");
        assert_error(&pay(&app, cheap, serde_json::json!({"from_monetary_account_id": dollars})).await, key, 400, "holds USD");
        assert_error(&pay(&app, cheap, serde_json::json!({"from_monetary_account_id": 999_999})).await, key, 400, "no monetary account here");
        assert_eq!(state().await, before);
        ledger_holds(&app).await;

        // A cancelled tab refuses an account's payment as a stranger's.
        ok(alice.put(&format!("{path}/{cheap}"), &BunqMeTabRequest { status: Some("CANCELLED".into()), ..BunqMeTabRequest::default() }).await);
        assert_error(&pay(&app, cheap, serde_json::json!({"from_monetary_account_id": b_main})).await, key, 400, "This bunq.me tab is CANCELLED");
        assert_eq!(balance(&bob, b, b_main).await, before.1);
    }

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
