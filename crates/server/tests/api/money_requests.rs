//! Requests for money over real HTTP: a request to an account here answered (paid or
//! declined) or revoked, with both sides' webhooks and payments; every refusal changing
//! nothing; a request to an IBAN elsewhere staying PENDING; Sugar Daddy's test money up to its
//! limit, counted by the ledger as money in.

use provisio_client::{
    wire::{
        accounts::AmountRequest,
        bunqme::{BunqMeTabEntryRequest, BunqMeTabRequest},
        money_requests::{
            RequestInquiryObject, RequestInquiryRequest, RequestResponseObject,
            RequestStatusRequest,
        },
        payments::PointerRequest,
        requests::{NotificationFilterRequest, NotificationFiltersRequest},
        Item,
    },
    Client, ClientError,
};
use provisio_core::store::Store;
use provisio_server::ServerConfig;
use reqwest::Method;

use crate::{
    accounts::{active_user, bank, banks, open, own_id},
    events::events_of,
    helpers::*,
    payments::{fund, payments},
    provisioning::*,
    tenants::{connect, new_partner},
};

fn ok<T>(result: Result<T, ClientError>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

fn money(value: &str) -> AmountRequest {
    AmountRequest {
        value: Some(value.into()),
        currency: Some("EUR".into()),
    }
}

fn asking(kind: &str, pointer: &str, value: &str) -> RequestInquiryRequest {
    RequestInquiryRequest {
        amount_inquired: Some(money(value)),
        counterparty_alias: Some(PointerRequest {
            kind: Some(kind.into()),
            value: Some(pointer.into()),
            name: Some("Someone".into()),
        }),
        description: Some("Lunch".into()),
        merchant_reference: None,
        allow_bunqme: Some(false),
    }
}

async fn ask(
    client: &Client,
    user: i64,
    account: i64,
    body: &RequestInquiryRequest,
) -> Result<i64, ClientError> {
    let path = format!("/v1/user/{user}/monetary-account/{account}/request-inquiry");
    client
        .post(&path, body)
        .await
        .map(|e| first_id(&e.response))
}

fn status(value: &str, amount: Option<&str>) -> RequestStatusRequest {
    RequestStatusRequest {
        status: Some(value.into()),
        amount_responded: amount.map(money),
    }
}

async fn answer(
    client: &Client,
    user: i64,
    account: i64,
    id: i64,
    body: &RequestStatusRequest,
) -> Result<RequestResponseObject, ClientError> {
    let path = format!("/v1/user/{user}/monetary-account/{account}/request-response/{id}");
    client
        .put(&path, body)
        .await
        .map(|e| match e.response.as_slice() {
            [Item::RequestResponse(r)] => r.clone(),
            other => panic!("{other:?}"),
        })
}

async fn revoke(
    client: &Client,
    user: i64,
    account: i64,
    id: i64,
    body: &RequestStatusRequest,
) -> Result<RequestInquiryObject, ClientError> {
    let path = format!("/v1/user/{user}/monetary-account/{account}/request-inquiry/{id}");
    client
        .put(&path, body)
        .await
        .map(|e| match e.response.as_slice() {
            [Item::RequestInquiry(r)] => r.clone(),
            other => panic!("{other:?}"),
        })
}

async fn inquiries(client: &Client, user: i64, account: i64) -> Vec<RequestInquiryObject> {
    ok(client
        .get(&format!(
            "/v1/user/{user}/monetary-account/{account}/request-inquiry?count=200"
        ))
        .await)
    .response
    .into_iter()
    .map(|i| match i {
        Item::RequestInquiry(r) => r,
        other => panic!("{other:?}"),
    })
    .collect()
}

async fn responses(client: &Client, user: i64, account: i64) -> Vec<RequestResponseObject> {
    ok(client
        .get(&format!(
            "/v1/user/{user}/monetary-account/{account}/request-response?count=200"
        ))
        .await)
    .response
    .into_iter()
    .map(|i| match i {
        Item::RequestResponse(r) => r,
        other => panic!("{other:?}"),
    })
    .collect()
}

async fn balance(client: &Client, user: i64, account: i64) -> String {
    banks(client, user)
        .await
        .into_iter()
        .find(|a| a.id == account)
        .map(|a| a.balance.value)
        .unwrap_or_default()
}

fn refused<T: std::fmt::Debug>(result: Result<T, ClientError>, status: u16, text: &str) {
    match result {
        Err(e) => {
            assert_eq!(e.status(), Some(status), "{e}");
            let description = e.description().unwrap_or_default();
            assert!(description.contains(text), "{description:?} lacks {text:?}");
        }
        Ok(done) => panic!("accepted: {done:?}"),
    }
}

async fn deliveries(store: &dyn Store) -> usize {
    store
        .deliveries(None, 1000)
        .await
        .map(|d| d.len())
        .unwrap_or_default()
}

async fn listen(client: &Client, user: i64, receiver: &Receiver, categories: &[&str]) {
    let filters = NotificationFiltersRequest {
        notification_filters: categories
            .iter()
            .map(|c| NotificationFilterRequest {
                category: Some((*c).into()),
                notification_target: Some(receiver.url.clone()),
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

/// Every delivered (event_type, object key, the object's monetary_account_id), sorted.
fn events(receiver: &Receiver) -> Vec<(String, String, i64)> {
    let mut all: Vec<(String, String, i64)> = receiver
        .received()
        .iter()
        .map(|r| {
            let json = r.json();
            let n = &json["NotificationUrl"];
            let (key, object) = n["object"]
                .as_object()
                .and_then(|o| o.iter().next())
                .map(|(k, v)| (k.clone(), v.clone()))
                .unwrap_or_default();
            (
                n["event_type"].as_str().unwrap_or_default().to_owned(),
                key,
                object["monetary_account_id"].as_i64().unwrap_or_default(),
            )
        })
        .collect();
    all.sort();
    all
}

fn event(event_type: &str, key: &str, account: i64) -> (String, String, i64) {
    (event_type.to_owned(), key.to_owned(), account)
}

async fn ledger_holds(app: &TestApp) {
    let ledger = app.store.ledger().await.unwrap_or_else(|e| panic!("{e}"));
    assert!(ledger.holds(), "{ledger:?}");
}

for_each_backend! { TestApp::spawn =>
    async fn an_accepted_request_pays_the_inquirer_with_both_sides_webhooks(app: TestApp) {
        let (partner, user, key, _) = active_user(&app).await;
        let me = own_id(&partner).await;
        let main = banks(&partner, me).await[0].clone();
        let salary = open(&user, key, "bank", &bank("EUR", "Salary")).await;
        let salary_iban = banks(&user, key).await[0].alias[0].value.clone();
        fund(&app, salary, "50.00").await;
        let receiver = Receiver::start().await;
        listen(&partner, me, &receiver, &["REQUEST", "PAYMENT"]).await;
        listen(&user, key, &receiver, &["REQUEST", "PAYMENT"]).await;

        let id = ok(ask(&partner, me, main.id, &asking("IBAN", &salary_iban, "20.00")).await);
        let asked = ok(partner.get(&format!("/v1/user/{me}/monetary-account/{}/request-inquiry/{id}", main.id)).await);
        let [Item::RequestInquiry(inquiry)] = asked.response.as_slice() else { panic!("{asked:?}") };
        assert_eq!((inquiry.status.as_str(), inquiry.amount_inquired.value.as_str(), inquiry.amount_responded.as_ref()), ("PENDING", "20.00", None));
        assert_eq!((inquiry.counterparty_alias.iban.as_str(), inquiry.alias.iban.as_str()), (salary_iban.as_str(), main.alias[0].value.as_str()));
        let [seen] = responses(&user, key, salary).await.try_into().unwrap_or_else(|r| panic!("{r:?}"));
        assert_eq!((seen.id, seen.status.as_str(), seen.monetary_account_id), (id, "PENDING", salary));
        assert_eq!(seen.counterparty_alias.iban, main.alias[0].value);

        let paid = ok(answer(&user, key, salary, id, &status("ACCEPTED", Some("20.00"))).await);
        assert_eq!((paid.status.as_str(), paid.amount_responded.map(|a| a.value)), ("ACCEPTED", Some("20.00".into())));
        assert_eq!((balance(&partner, me, main.id).await, balance(&user, key, salary).await), ("20.00".into(), "30.00".into()));
        let mine = payments(&partner, me, main.id).await;
        assert_eq!((mine[0].amount.value.as_str(), mine[0].kind.as_str(), mine[0].counterparty_alias.iban.as_str()), ("20.00", "BUNQ", salary_iban.as_str()));
        let theirs = payments(&user, key, salary).await;
        assert_eq!((theirs[0].amount.value.as_str(), theirs[0].description.as_str()), ("-20.00", "Lunch"));
        let now = inquiries(&partner, me, main.id).await;
        assert_eq!((now[0].status.as_str(), now[0].time_responded.is_some()), ("ACCEPTED", true));

        // Accepting twice or rejecting an accepted request: 400, nothing changes.
        let before = (deliveries(app.store.as_ref()).await, payments(&user, key, salary).await.len());
        refused(answer(&user, key, salary, id, &status("ACCEPTED", None)).await, 400, "This request is ACCEPTED");
        refused(answer(&user, key, salary, id, &status("REJECTED", None)).await, 400, "This request is ACCEPTED");
        refused(revoke(&partner, me, main.id, id, &status("REVOKED", None)).await, 400, "This request is ACCEPTED");
        assert_eq!(before, (deliveries(app.store.as_ref()).await, payments(&user, key, salary).await.len()));
        assert_eq!(balance(&user, key, salary).await, "30.00");

        // Both feeds, newest first: the request made and answered, and the payment between them
        // (the partner reads its user's feed on the user's behalf).
        let reader = &partner;
        let feed = move |path: String| async move {
            let envelope = ok(reader.get(&path).await);
            events_of(&envelope).iter().map(|e| {
                let kind = match e.object.as_ref() {
                    Item::RequestInquiry(_) => "RequestInquiry",
                    Item::RequestResponse(_) => "RequestResponse",
                    Item::Payment(_) => "Payment",
                    other => panic!("{other:?}"),
                };
                format!("{} {} {kind}", e.action, e.status)
            }).collect::<Vec<_>>()
        };
        assert_eq!(feed(format!("/v1/user/{me}/event?monetary_account_id={}", main.id)).await, [
            "UPDATE FINALIZED RequestInquiry", "CREATE FINALIZED Payment", "CREATE FINALIZED RequestInquiry",
        ]);
        assert_eq!(feed(format!("/v1/user/{key}/event?monetary_account_id={salary}")).await, [
            "UPDATE FINALIZED RequestResponse", "CREATE FINALIZED Payment",
            "CREATE AWAITING_REPLY RequestResponse", "CREATE FINALIZED Payment",
        ]);

        app.deliver().await;
        assert_eq!(events(&receiver), vec![
            event("PAYMENT_CREATED", "Payment", salary),
            event("PAYMENT_RECEIVED", "Payment", main.id),
            event("REQUEST_INQUIRY_ACCEPTED", "RequestInquiry", main.id),
            event("REQUEST_INQUIRY_CREATED", "RequestInquiry", main.id),
            event("REQUEST_RESPONSE_ACCEPTED", "RequestResponse", salary),
            event("REQUEST_RESPONSE_CREATED", "RequestResponse", salary),
        ]);
        ledger_holds(&app).await;
    }

    async fn rejected_revoked_and_refused_requests_move_no_money(app: TestApp) {
        let (partner, user, key, _) = active_user(&app).await;
        let me = own_id(&partner).await;
        let main = banks(&partner, me).await[0].clone();
        let main_iban = main.alias[0].value.clone();
        let salary = open(&user, key, "bank", &bank("EUR", "Salary")).await;
        let salary_iban = banks(&user, key).await[0].alias[0].value.clone();
        fund(&app, salary, "10.00").await;
        let receiver = Receiver::start().await;
        listen(&partner, me, &receiver, &["REQUEST"]).await;
        listen(&user, key, &receiver, &["REQUEST"]).await;

        let declined = ok(ask(&partner, me, main.id, &asking("IBAN", &salary_iban, "5.00")).await);
        let rejected = ok(answer(&user, key, salary, declined, &status("REJECTED", None)).await);
        assert_eq!(rejected.status, "REJECTED");
        let taken_back = ok(ask(&partner, me, main.id, &asking("IBAN", &salary_iban, "5.00")).await);
        let revoked = ok(revoke(&partner, me, main.id, taken_back, &status("REVOKED", None)).await);
        assert_eq!(revoked.status, "REVOKED");
        let too_much = ok(ask(&partner, me, main.id, &asking("IBAN", &salary_iban, "10.01")).await);
        app.deliver().await;
        let before = (inquiries(&partner, me, main.id).await, responses(&user, key, salary).await, deliveries(app.store.as_ref()).await);

        refused(answer(&user, key, salary, too_much, &status("ACCEPTED", None)).await, 400, "Insufficient balance: the account holds 10.00 EUR");
        refused(answer(&user, key, salary, too_much, &status("ACCEPTED", Some("10.00"))).await, 400, "amount_responded must be the amount inquired, 10.01 EUR");
        refused(answer(&user, key, salary, too_much, &status("ACCEPTED", Some("10.001"))).await, 400, "exactly two decimals");
        refused(answer(&user, key, salary, too_much, &status("REVOKED", None)).await, 400, "ACCEPTED or REJECTED");
        refused(answer(&user, key, salary, revoked.id, &status("ACCEPTED", None)).await, 400, "This request is REVOKED");
        refused(answer(&user, key, salary, declined, &status("ACCEPTED", None)).await, 400, "This request is REJECTED");
        refused(revoke(&partner, me, main.id, declined, &status("REVOKED", None)).await, 400, "This request is REJECTED");
        refused(revoke(&partner, me, main.id, too_much, &status("ACCEPTED", None)).await, 400, "only be changed to REVOKED");
        refused(ask(&partner, me, main.id, &asking("IBAN", &main_iban, "1.00")).await, 400, "cannot request money from itself");
        refused(ask(&partner, me, main.id, &asking("IBAN", &salary_iban, "1.001")).await, 400, "exactly two decimals");
        refused(ask(&partner, me, main.id, &asking("EMAIL", "jan@example.com", "1.00")).await, 400, "No user here has the email address");
        refused(ask(&partner, me, main.id, &asking("PHONE_NUMBER", "+31612345678", "1.00")).await, 400, "No user here has the phone number");
        refused(ask(&partner, me, 999_999, &asking("IBAN", &salary_iban, "1.00")).await, 404, "MonetaryAccount not found");
        // The responder's side is not the inquirer's, and the reverse.
        refused(answer(&partner, me, main.id, too_much, &status("REJECTED", None)).await, 404, "RequestResponse not found");
        refused(revoke(&user, key, salary, too_much, &status("REVOKED", None)).await, 404, "RequestInquiry not found");

        let after = (inquiries(&partner, me, main.id).await, responses(&user, key, salary).await, deliveries(app.store.as_ref()).await);
        assert_eq!(before, after, "nothing was written");
        assert_eq!((balance(&partner, me, main.id).await, balance(&user, key, salary).await), ("0.00".into(), "10.00".into()));
        assert!(payments(&partner, me, main.id).await.is_empty());
        assert_eq!(events(&receiver), vec![
            event("REQUEST_INQUIRY_CREATED", "RequestInquiry", main.id),
            event("REQUEST_INQUIRY_CREATED", "RequestInquiry", main.id),
            event("REQUEST_INQUIRY_CREATED", "RequestInquiry", main.id),
            event("REQUEST_INQUIRY_REJECTED", "RequestInquiry", main.id),
            event("REQUEST_INQUIRY_REVOKED", "RequestInquiry", main.id),
            event("REQUEST_RESPONSE_CREATED", "RequestResponse", salary),
            event("REQUEST_RESPONSE_CREATED", "RequestResponse", salary),
            event("REQUEST_RESPONSE_CREATED", "RequestResponse", salary),
            event("REQUEST_RESPONSE_REJECTED", "RequestResponse", salary),
            event("REQUEST_RESPONSE_REVOKED", "RequestResponse", salary),
        ]);
        ledger_holds(&app).await;
    }

    async fn a_request_to_an_iban_elsewhere_stays_pending(app: TestApp) {
        let partner = app.client().await;
        let me = own_id(&partner).await;
        let main = banks(&partner, me).await[0].id;
        let id = ok(ask(&partner, me, main, &asking("IBAN", "NL91 ABNA 0417 1643 00", "3.00")).await);
        let [pending] = inquiries(&partner, me, main).await.try_into().unwrap_or_else(|r| panic!("{r:?}"));
        assert_eq!((pending.id, pending.status.as_str()), (id, "PENDING"));
        assert_eq!((pending.counterparty_alias.iban.as_str(), pending.counterparty_alias.display_name.as_str()), ("NL91ABNA0417164300", "Someone"));
        assert!(responses(&partner, me, main).await.is_empty());
        let revoked = ok(revoke(&partner, me, main, id, &status("REVOKED", None)).await);
        assert_eq!(revoked.status, "REVOKED");
        assert_eq!(balance(&partner, me, main).await, "0.00");
    }

    async fn sugardaddy_gives_test_money_up_to_its_limit(app: TestApp) {
        let partner = app.client().await;
        let me = own_id(&partner).await;
        let main = banks(&partner, me).await[0].id;
        let receiver = Receiver::start().await;
        listen(&partner, me, &receiver, &["REQUEST", "PAYMENT", "MUTATION"]).await;

        let id = ok(ask(&partner, me, main, &asking("EMAIL", "sugardaddy@bunq.com", "500.00")).await);
        assert_eq!(balance(&partner, me, main).await, "500.00");
        let [accepted] = inquiries(&partner, me, main).await.try_into().unwrap_or_else(|r| panic!("{r:?}"));
        assert_eq!((accepted.id, accepted.status.as_str(), accepted.amount_responded.map(|a| a.value)), (id, "ACCEPTED", Some("500.00".into())));
        assert_eq!((accepted.counterparty_alias.display_name.as_str(), accepted.counterparty_alias.iban.as_str()), ("Sugar Daddy", "NL10BUNQ2025000500"));
        let [credit] = payments(&partner, me, main).await.try_into().unwrap_or_else(|p| panic!("{p:?}"));
        assert_eq!((credit.amount.value.as_str(), credit.kind.as_str()), ("500.00", "EBA_SCT"));
        assert_eq!((credit.counterparty_alias.display_name.as_str(), credit.counterparty_alias.iban.as_str()), ("Sugar Daddy", "NL10BUNQ2025000500"));

        app.deliver().await;
        let before = deliveries(app.store.as_ref()).await;
        refused(ask(&partner, me, main, &asking("EMAIL", "sugardaddy@bunq.com", "500.01")).await, 400, "Sugar Daddy accepts requests of up to 500.00 EUR");
        assert_eq!((balance(&partner, me, main).await, inquiries(&partner, me, main).await.len()), ("500.00".into(), 1));
        assert_eq!(deliveries(app.store.as_ref()).await, before);
        assert_eq!(events(&receiver), vec![
            event("MUTATION_RECEIVED", "Payment", main),
            event("PAYMENT_RECEIVED", "Payment", main),
            event("REQUEST_INQUIRY_ACCEPTED", "RequestInquiry", main),
            event("REQUEST_INQUIRY_CREATED", "RequestInquiry", main),
        ]);
        let ledger = app.store.ledger().await.unwrap_or_else(|e| panic!("{e}"));
        assert!(ledger.holds(), "{ledger:?}");
        assert_eq!(ledger.credited_minor, 50_000, "counted as money in from outside");
        // The scenarios say so.
        let catalogue = admin(&app, Method::GET, "/_provisio/scenarios").await;
        assert!(String::from_utf8_lossy(&catalogue.body).contains("sugardaddy@bunq.com"));
    }

    async fn a_closed_users_requests_are_frozen(app: TestApp) {
        let (partner, user, key, provision) = active_user(&app).await;
        let me = own_id(&partner).await;
        let main = banks(&partner, me).await[0].id;
        let salary = open(&user, key, "bank", &bank("EUR", "Salary")).await;
        let salary_iban = banks(&user, key).await[0].alias[0].value.clone();
        fund(&app, salary, "10.00").await;
        let id = ok(ask(&partner, me, main, &asking("IBAN", &salary_iban, "1.00")).await);
        ok(put(&partner, provision, "CANCELLED").await);
        let before = deliveries(app.store.as_ref()).await;
        refused(ask(&partner, me, main, &asking("IBAN", &salary_iban, "1.00")).await, 400, "takes no requests");
        refused(answer(&partner, key, salary, id, &status("ACCEPTED", None)).await, 400, "CANCELLED");
        refused(ask(&partner, key, salary, &asking("EMAIL", "sugardaddy@bunq.com", "1.00")).await, 400, "CANCELLED");
        assert_eq!(deliveries(app.store.as_ref()).await, before);
        assert_eq!((balance(&partner, key, salary).await, balance(&partner, me, main).await), ("10.00".into(), "0.00".into()));
        // The request can still be revoked by its (open) asker.
        assert_eq!(ok(revoke(&partner, me, main, id, &status("REVOKED", None)).await).status, "REVOKED");
    }

    async fn removing_a_partner_keeps_the_others_requests_to_it(app: TestApp) {
        let acme = app.client().await;
        let acme_id = own_id(&acme).await;
        let acme_main = banks(&acme, acme_id).await[0].id;
        let (globex_id, globex_key) = new_partner(&app, "Globex").await;
        let globex = connect(&app, &globex_key).await.unwrap_or_else(|e| panic!("{e}"));
        let globex_main = banks(&globex, globex_id).await[0].clone();
        let globex_iban = globex_main.alias[0].value.clone();
        let to_globex = ok(ask(&acme, acme_id, acme_main, &asking("IBAN", &globex_iban, "2.00")).await);
        ok(ask(&globex, globex_id, globex_main.id, &asking("EMAIL", "sugardaddy@bunq.com", "5.00")).await);
        let acme_iban = banks(&acme, acme_id).await[0].alias[0].value.clone();
        ok(ask(&globex, globex_id, globex_main.id, &asking("IBAN", &acme_iban, "1.00")).await);
        // A paid bunq.me tab goes with it too.
        let tab = BunqMeTabRequest { bunqme_tab_entry: Some(BunqMeTabEntryRequest { amount_inquired: Some(money("1.00")), ..BunqMeTabEntryRequest::default() }), status: None };
        let tab = first_id(&ok(globex.post(&format!("/v1/user/{globex_id}/monetary-account/{}/bunqme-tab", globex_main.id), &tab).await).response);
        let paid = operator(&app, Method::POST, &format!("/_provisio/bunqme-tabs/{tab}/pay"), Some(serde_json::json!({}))).await;
        assert_eq!(paid.status, 200);

        let reply = operator(&app, Method::DELETE, &format!("/_provisio/partners/{globex_id}"), None).await;
        assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
        let [kept] = inquiries(&acme, acme_id, acme_main).await.try_into().unwrap_or_else(|r| panic!("{r:?}"));
        assert_eq!((kept.id, kept.status.as_str(), kept.counterparty_alias.iban.as_str()), (to_globex, "PENDING", globex_iban.as_str()));
        assert!(responses(&acme, acme_id, acme_main).await.is_empty(), "Globex's request to Acme went with Globex");
        ledger_holds(&app).await;
    }

    async fn removing_a_partner_keeps_the_ledger_whole_across_tabs_paid_between_partners(app: TestApp) {
        let acme = app.client().await;
        let acme_id = own_id(&acme).await;
        let acme_main = banks(&acme, acme_id).await[0].id;
        let (globex_id, globex_key) = new_partner(&app, "Globex").await;
        let globex = connect(&app, &globex_key).await.unwrap_or_else(|e| panic!("{e}"));
        let globex_main = banks(&globex, globex_id).await[0].id;
        fund(&app, acme_main, "10.00").await;
        fund(&app, globex_main, "10.00").await;
        let tab = BunqMeTabRequest { bunqme_tab_entry: Some(BunqMeTabEntryRequest { amount_inquired: Some(money("3.00")), ..BunqMeTabEntryRequest::default() }), status: None };
        // Globex pays Acme's tab, and Acme pays Globex's.
        let acme_tab = first_id(&ok(acme.post(&format!("/v1/user/{acme_id}/monetary-account/{acme_main}/bunqme-tab"), &tab).await).response);
        let globex_tab = first_id(&ok(globex.post(&format!("/v1/user/{globex_id}/monetary-account/{globex_main}/bunqme-tab"), &tab).await).response);
        for (tab, from) in [(acme_tab, globex_main), (globex_tab, acme_main)] {
            let paid = operator(&app, Method::POST, &format!("/_provisio/bunqme-tabs/{tab}/pay"), Some(serde_json::json!({"from_monetary_account_id": from}))).await;
            assert_eq!(paid.status, 200, "{}", String::from_utf8_lossy(&paid.body));
        }
        assert_eq!((balance(&acme, acme_id, acme_main).await, balance(&globex, globex_id, globex_main).await), ("10.00".into(), "10.00".into()));
        ledger_holds(&app).await;

        let reply = operator(&app, Method::DELETE, &format!("/_provisio/partners/{globex_id}"), None).await;
        assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
        // Acme's tab still lists Globex's payment, now from an account elsewhere.
        let kept = ok(acme.get(&format!("/v1/user/{acme_id}/monetary-account/{acme_main}/bunqme-tab/{acme_tab}")).await);
        let [Item::BunqMeTab(kept)] = kept.response.as_slice() else { panic!("{:?}", kept.response) };
        let kinds: Vec<(&str, &str)> = kept.result_inquiries.iter().map(|r| (r.payment.amount.value.as_str(), r.payment.kind.as_str())).collect();
        assert_eq!(kinds, vec![("3.00", "EBA_SCT")]);
        assert_eq!(balance(&acme, acme_id, acme_main).await, "10.00");
        ledger_holds(&app).await;
    }
}

async fn small_sugardaddy(backend: provisio_store::Backend) -> TestApp {
    TestApp::spawn_with(
        backend,
        ServerConfig {
            sugardaddy_limit_minor: 1_000,
            ..test_config()
        },
    )
    .await
}

for_each_backend! { small_sugardaddy =>
    async fn sugardaddys_limit_is_a_setting(app: TestApp) {
        let partner = app.client().await;
        let me = own_id(&partner).await;
        let main = banks(&partner, me).await[0].id;
        ok(ask(&partner, me, main, &asking("EMAIL", "SugarDaddy@bunq.com", "10.00")).await);
        refused(ask(&partner, me, main, &asking("EMAIL", "sugardaddy@bunq.com", "10.01")).await, 400, "up to 10.00 EUR");
        assert_eq!(balance(&partner, me, main).await, "10.00");
        ledger_holds(&app).await;
    }
}
