//! Payments over real HTTP: money in, a payment settling on both sides with its webhooks,
//! every refusal changing nothing, bunq's PSD2 rule in `strict`, and what closing does.

use provisio_client::{
    wire::{
        accounts::{AmountRequest, MonetaryAccountRequest},
        payments::{PaymentObject, PaymentRequest, PointerRequest},
        requests::{NotificationFilterRequest, NotificationFiltersRequest},
        Item,
    },
    Client, ClientError, Request, Signing,
};
use provisio_core::{
    model::{Environment, PageBound, PageQuery},
    store::Store,
};
use provisio_server::context::partners::create_partner;
use reqwest::Method;

use crate::{
    accounts::{active_user, bank, banks, open, own_id},
    helpers::*,
    provisioning::*,
    verification::admin_json,
};

fn ok<T>(result: Result<T, ClientError>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

/// Credits `account` through the operator API.
pub async fn fund(app: &TestApp, account: i64, amount: &str) {
    let reply = admin_json(
        app,
        &format!("/_provisio/monetary-accounts/{account}/credit"),
        serde_json::json!({"amount": amount, "from_iban": "NL20INGB0001234567", "from_name": "Employer"}),
    )
    .await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
}

pub fn to(iban: &str, value: &str) -> PaymentRequest {
    PaymentRequest {
        amount: Some(AmountRequest {
            value: Some(value.into()),
            currency: Some("EUR".into()),
        }),
        counterparty_alias: Some(PointerRequest {
            kind: Some("IBAN".into()),
            value: Some(iban.into()),
            name: Some("Someone".into()),
        }),
        description: Some("Invoice 42".into()),
        merchant_reference: Some("ref-42".into()),
    }
}

pub async fn pay(
    client: &Client,
    user: i64,
    account: i64,
    body: &PaymentRequest,
) -> Result<i64, ClientError> {
    let path = format!("/v1/user/{user}/monetary-account/{account}/payment");
    client
        .post(&path, body)
        .await
        .map(|e| first_id(&e.response))
}

pub async fn payments(client: &Client, user: i64, account: i64) -> Vec<PaymentObject> {
    ok(client
        .get(&format!(
            "/v1/user/{user}/monetary-account/{account}/payment?count=200"
        ))
        .await)
    .response
    .into_iter()
    .map(|i| match i {
        Item::Payment(p) => p,
        other => panic!("{other:?}"),
    })
    .collect()
}

/// The partner's main account: (id, IBAN).
async fn main_account(client: &Client) -> (i64, i64, String) {
    let me = own_id(client).await;
    let main = banks(client, me)
        .await
        .pop()
        .unwrap_or_else(|| panic!("no main account"));
    (me, main.id, main.alias[0].value.clone())
}

async fn balance(client: &Client, user: i64, account: i64) -> String {
    let all = banks(client, user).await;
    all.into_iter()
        .find(|a| a.id == account)
        .map(|a| a.balance.value)
        .unwrap_or_default()
}

fn refused(result: Result<i64, ClientError>, status: u16, text: &str) {
    match result {
        Err(e) => {
            assert_eq!(e.status(), Some(status), "{e}");
            let description = e.description().unwrap_or_default();
            assert!(description.contains(text), "{description:?} lacks {text:?}");
        }
        Ok(id) => panic!("accepted as payment {id}"),
    }
}

async fn deliveries(store: &dyn Store) -> usize {
    store
        .deliveries(None, 1000)
        .await
        .map(|d| d.len())
        .unwrap_or_default()
}

for_each_backend! { TestApp::spawn =>
    async fn a_payment_settles_on_both_sides_with_its_webhooks(app: TestApp) {
        let (partner, user, key, _) = active_user(&app).await;
        let (me, main, main_iban) = main_account(&partner).await;
        let salary = open(&partner, key, "bank", &bank("EUR", "Salary")).await;
        let user_iban = banks(&user, key).await[0].alias[0].value.clone();
        let receiver = Receiver::start().await;
        let filters = NotificationFiltersRequest { notification_filters: ["PAYMENT", "MUTATION"].iter().map(|c| NotificationFilterRequest {
            category: Some((*c).into()), notification_target: Some(receiver.url.clone()) }).collect() };
        ok(partner.post(&format!("/v1/user/{me}/notification-filter-url"), &filters).await);
        ok(user.post(&format!("/v1/user/{key}/notification-filter-url"), &filters).await);

        fund(&app, main, "100.00").await;
        let paid = ok(pay(&partner, me, main, &to(&user_iban, "25.50")).await);
        assert_eq!(balance(&partner, me, main).await, "74.50");
        assert_eq!(balance(&user, key, salary).await, "25.50");

        let mine = payments(&partner, me, main).await;
        assert_eq!(mine.len(), 2, "the credit and the payment");
        let out = &mine[0];
        assert_eq!((out.id, out.amount.value.as_str(), out.kind.as_str()), (paid, "-25.50", "BUNQ"));
        assert_eq!((out.balance_after_mutation.value.as_str(), out.status.as_str()), ("74.50", "SETTLED"));
        assert_eq!((out.counterparty_alias.iban.as_str(), out.alias.iban.as_str()), (user_iban.as_str(), main_iban.as_str()));
        assert_eq!((out.description.as_str(), out.merchant_reference.as_deref()), ("Invoice 42", Some("ref-42")));
        assert_eq!((mine[1].amount.value.as_str(), mine[1].kind.as_str()), ("100.00", "EBA_SCT"));
        assert_eq!(mine[1].counterparty_alias.iban, "NL20INGB0001234567");
        let theirs = payments(&user, key, salary).await;
        let [incoming] = theirs.as_slice() else { panic!("{theirs:?}") };
        assert_eq!((incoming.amount.value.as_str(), incoming.balance_after_mutation.value.as_str()), ("25.50", "25.50"));
        assert_eq!(incoming.counterparty_alias.iban, main_iban);
        let one = ok(partner.get(&format!("/v1/user/{me}/monetary-account/{main}/payment/{paid}")).await);
        assert!(matches!(one.response.as_slice(), [Item::Payment(p)] if p.id == paid));
        // Another account's payment id under this account does not exist.
        let missing = partner.get(&format!("/v1/user/{key}/monetary-account/{salary}/payment/{paid}")).await;
        assert_eq!(missing.err().and_then(|e| e.status()), Some(404));

        app.deliver().await;
        let mut events: Vec<(String, i64)> = receiver.received().iter().map(|r| {
            let json = r.json();
            let n = &json["NotificationUrl"];
            (n["event_type"].as_str().unwrap_or_default().to_owned(), n["object"]["Payment"]["monetary_account_id"].as_i64().unwrap_or_default())
        }).collect();
        events.sort();
        assert_eq!(events, vec![
            ("MUTATION_CREATED".to_owned(), main),
            ("MUTATION_RECEIVED".to_owned(), main),
            ("MUTATION_RECEIVED".to_owned(), salary),
            ("PAYMENT_CREATED".to_owned(), main),
            ("PAYMENT_RECEIVED".to_owned(), main),
            ("PAYMENT_RECEIVED".to_owned(), salary),
        ]);
        let ledger = app.store.ledger().await.unwrap_or_else(|e| panic!("{e}"));
        assert!(ledger.holds(), "{ledger:?}");
        assert_eq!(ledger.balances_minor, 10_000);
    }

    async fn refusals_change_nothing(app: TestApp) {
        let partner = app.client().await;
        let (me, main, main_iban) = main_account(&partner).await;
        let pot = open(&partner, me, "bank", &MonetaryAccountRequest {
            daily_limit: Some(AmountRequest { value: Some("30.00".into()), currency: Some("EUR".into()) }),
            ..bank("EUR", "Pot")
        }).await;
        let pot_iban = banks(&partner, me).await.into_iter().find(|a| a.id == pot).map(|a| a.alias[0].value.clone()).unwrap_or_default();
        fund(&app, main, "50.00").await;
        fund(&app, pot, "50.00").await;
        ok(pay(&partner, me, pot, &to(&main_iban, "20.00")).await);
        let before = (payments(&partner, me, main).await, payments(&partner, me, pot).await, deliveries(app.store.as_ref()).await);

        refused(pay(&partner, me, pot, &to(&main_iban, "10.01")).await, 400, "daily limit of 30.00 EUR");
        refused(pay(&partner, me, main, &to(&pot_iban, "70.01")).await, 400, "Insufficient balance: the account holds 70.00 EUR");
        refused(pay(&partner, me, main, &to(&pot_iban, "1.001")).await, 400, "exactly two decimals");
        refused(pay(&partner, me, main, &to(&pot_iban, "-1.00")).await, 400, "exactly two decimals");
        refused(pay(&partner, me, main, &to(&main_iban, "1.00")).await, 400, "cannot pay itself");
        refused(pay(&partner, me, main, &to("NL00BUNQ0000000000", "1.00")).await, 400, "not a valid IBAN");
        let mut dollars = to(&pot_iban, "1.00");
        dollars.amount = Some(AmountRequest { value: Some("1.00".into()), currency: Some("USD".into()) });
        refused(pay(&partner, me, main, &dollars).await, 400, "the amount is in USD");
        refused(pay(&partner, me, 999_999, &to(&pot_iban, "1.00")).await, 404, "MonetaryAccount not found");
        // Unsigned: 466, as bunq.
        let token = partner.context().await.map(|c| c.session_token).unwrap_or_default();
        let unsigned = app.api().send(Request::new(Method::POST, format!("/v1/user/{me}/monetary-account/{main}/payment"))
            .token(token).json(&to(&pot_iban, "1.00")).signing(Signing::Unsigned)).await.unwrap_or_else(|e| panic!("{e}"));
        assert_error(&unsigned, &app.server_key, 466, "signature is required");
        // A blocked account pays nothing and a cancelled one receives nothing.
        let blocked = MonetaryAccountRequest { status: Some("BLOCKED".into()), ..MonetaryAccountRequest::default() };
        ok(partner.put(&format!("/v1/user/{me}/monetary-account-bank/{pot}"), &blocked).await);
        refused(pay(&partner, me, pot, &to(&main_iban, "1.00")).await, 400, "BLOCKED");
        refused(pay(&partner, me, main, &to(&pot_iban, "1.00")).await, 400, "not ACTIVE");
        // Closing needs a zero balance.
        let close = MonetaryAccountRequest { status: Some("CANCELLED".into()), ..MonetaryAccountRequest::default() };
        let closing = partner.put(&format!("/v1/user/{me}/monetary-account-bank/{pot}"), &close).await;
        let message = closing.err().and_then(|e| e.description().map(str::to_owned)).unwrap_or_default();
        assert!(message.contains("still holds 30.00 EUR"), "{message}");

        let after = (payments(&partner, me, main).await, payments(&partner, me, pot).await, deliveries(app.store.as_ref()).await);
        assert_eq!(before, after, "nothing was written");
        assert_eq!((balance(&partner, me, main).await, balance(&partner, me, pot).await), ("70.00".into(), "30.00".into()));
        let ledger = app.store.ledger().await.unwrap_or_else(|e| panic!("{e}"));
        assert!(ledger.holds(), "{ledger:?}");
    }

    async fn dev_pays_out_to_iban_elsewhere(app: TestApp) {
        let (partner, user, key, _) = active_user(&app).await;
        let salary = open(&user, key, "bank", &bank("EUR", "Salary")).await;
        fund(&app, salary, "10.00").await;
        ok(pay(&user, key, salary, &to("GB82WEST12345698765432", "4.00")).await);
        let out = payments(&partner, key, salary).await;
        assert_eq!((out[0].kind.as_str(), out[0].amount.value.as_str()), ("EBA_SCT", "-4.00"));
        let ledger = app.store.ledger().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((ledger.credited_minor, ledger.paid_out_minor, ledger.balances_minor), (1_000, 400, 600));
        assert!(ledger.holds(), "{ledger:?}");
        // The operator API shows the same.
        let check = admin(&app, Method::GET, "/_provisio/ledger").await;
        let json: serde_json::Value = serde_json::from_slice(&check.body).unwrap_or_default();
        assert_eq!(json["Response"][0]["LedgerCheck"], serde_json::json!({
            "balances": "6.00", "credited": "10.00", "paid_out": "4.00", "payments": 2,
            "unbalanced_accounts": [], "unpaired_payments": 0, "holds": true,
        }));
    }

    async fn an_iban_in_any_case_pays_the_same_account(app: TestApp) {
        let (partner, user, key, _) = active_user(&app).await;
        let (me, main, _) = main_account(&partner).await;
        let salary = open(&user, key, "bank", &bank("EUR", "Salary")).await;
        let salary_iban = banks(&user, key).await[0].alias[0].value.clone();
        fund(&app, main, "10.00").await;
        // `nl..bunq..`, and in its printed form with spaces, is the same account as `NL..BUNQ..`.
        let lower = salary_iban.to_ascii_lowercase();
        let spaced: String = lower.chars().enumerate().flat_map(|(i, c)| (i > 0 && i % 4 == 0).then_some(' ').into_iter().chain([c])).collect();
        ok(pay(&partner, me, main, &to(&lower, "1.00")).await);
        ok(pay(&partner, me, main, &to(&spaced, "2.00")).await);
        assert_eq!(balance(&user, key, salary).await, "3.00", "both settled on the account here");
        for out in &payments(&partner, me, main).await[..2] {
            assert_eq!((out.kind.as_str(), out.counterparty_alias.iban.as_str()), ("BUNQ", salary_iban.as_str()));
        }
        // An amount with leading zeros is refused, changing nothing.
        refused(pay(&partner, me, main, &to(&salary_iban, "01.00")).await, 400, "no leading zeros");
        assert_eq!(balance(&user, key, salary).await, "3.00");
    }

    async fn an_accounts_type_prefix_reaches_its_payments_too(app: TestApp) {
        // bunq serves `…/monetary-account-bank/{id}/payment` as well as `…/monetary-account/{id}/payment`.
        let (partner, user, key, _) = active_user(&app).await;
        let (me, main, _) = main_account(&partner).await;
        let salary = open(&user, key, "bank", &bank("EUR", "Salary")).await;
        let salary_iban = banks(&user, key).await[0].alias[0].value.clone();
        fund(&app, main, "10.00").await;
        let path = format!("/v1/user/{me}/monetary-account-bank/{main}/payment");
        let paid = ok(partner.post(&path, &to(&salary_iban, "4.00")).await.map(|e| first_id(&e.response)));
        assert_eq!(balance(&user, key, salary).await, "4.00");
        let listed = ok(partner.get(&path).await).response;
        assert!(matches!(listed.first(), Some(Item::Payment(p)) if p.id == paid), "{listed:?}");
        let one = ok(partner.get(&format!("/v1/user/{me}/monetary-account-external/{main}/payment/{paid}")).await);
        assert!(matches!(one.response.as_slice(), [Item::Payment(p)] if p.id == paid));
        // Another user's account under the prefix is as unknown as under the generic segment.
        let foreign = partner.get(&format!("/v1/user/{me}/monetary-account-bank/{salary}/payment")).await;
        assert_eq!(foreign.err().and_then(|e| e.status()), Some(404));
    }

    async fn a_closed_provision_blocks_its_accounts_and_keeps_the_balance(app: TestApp) {
        let (partner, user, key, provision) = active_user(&app).await;
        let (_, main, main_iban) = main_account(&partner).await;
        let salary = open(&user, key, "bank", &bank("EUR", "Salary")).await;
        let salary_iban = banks(&user, key).await[0].alias[0].value.clone();
        fund(&app, salary, "10.00").await;
        fund(&app, main, "10.00").await;
        ok(put(&partner, provision, "CANCELLED").await);
        refused(pay(&partner, key, salary, &to(&main_iban, "1.00")).await, 400, "CANCELLED");
        refused(pay(&partner, own_id(&partner).await, main, &to(&salary_iban, "1.00")).await, 400, "take no payments");
        let credit = admin_json(&app, &format!("/_provisio/monetary-accounts/{salary}/credit"), serde_json::json!({"amount": "1.00"})).await;
        assert_eq!(credit.status, 400);
        assert_eq!(balance(&partner, key, salary).await, "10.00", "the balance stays, readable");
    }
}

// In strict, a provisioned user may pay only its own accounts and its partner's. (bunq's rate
// limits apply in strict too: this test stays within them.)
for_each_backend! { strict =>
    async fn strict_users_pay_only_themselves_and_their_partner(app: TestApp) {
        let (partner, user, key, _) = active_user(&app).await;
        let (me, main, main_iban) = main_account(&partner).await;
        let salary = open(&user, key, "bank", &bank("EUR", "Salary")).await;
        let savings = open(&user, key, "bank", &bank("EUR", "Savings")).await;
        let savings_iban = banks(&user, key).await.into_iter().find(|a| a.id == savings).map(|a| a.alias[0].value.clone()).unwrap_or_default();
        // Someone else: another partner's main account.
        let (stranger, _) = create_partner(app.store.as_ref(), app.clock.as_ref(), Environment::Sandbox, "Stranger BV").await
            .unwrap_or_else(|e| panic!("{e}"));
        let first = PageQuery { count: 1, bound: PageBound::Newest };
        let stranger_iban = app.store.accounts(stranger.id, None, first).await.ok()
            .and_then(|p| p.items.first().map(|a| a.iban.clone())).unwrap_or_default();
        fund(&app, salary, "10.00").await;
        ok(pay(&user, key, salary, &to(&main_iban, "1.00")).await);
        ok(pay(&user, key, salary, &to(&savings_iban, "1.00")).await);
        refused(pay(&user, key, salary, &to(&stranger_iban, "1.00")).await, 400, "PSD2");
        refused(pay(&user, key, salary, &to("GB82WEST12345698765432", "1.00")).await, 400, "PSD2");
        // The partner itself is not bound by it.
        ok(pay(&partner, me, main, &to(&stranger_iban, "1.00")).await);
        assert_eq!(balance(&user, key, salary).await, "8.00");
        let ledger = app.store.ledger().await.unwrap_or_else(|e| panic!("{e}"));
        assert!(ledger.holds(), "{ledger:?}");
    }
}
