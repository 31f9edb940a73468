//! Cards over real HTTP: ordering (debit and credit, physical and virtual), the order's
//! progress on the virtual clock, changes and their rules, the PAN and CVC2 routes, and every
//! refusal changing nothing.

use provisio_client::{
    wire::{
        accounts::{AmountRequest, MonetaryAccountRequest},
        cards::{CardObject, CardRequest, PinAssignmentRequest},
        Item,
    },
    Client, ClientError,
};
use provisio_core::card::secrets::luhn_valid;
use reqwest::Method;

use crate::{
    accounts::{active_user, bank, open},
    helpers::*,
    provisioning::*,
    sandbox_clock::advance,
    verification::subscribe,
};

pub fn ok<T>(result: Result<T, ClientError>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

pub fn debit_order() -> CardRequest {
    CardRequest {
        second_line: Some("Groceries".into()),
        kind: Some("MASTERCARD".into()),
        product_type: Some("MASTERCARD_DEBIT".into()),
        ..CardRequest::default()
    }
}

pub fn card_of(items: &[Item]) -> CardObject {
    match items {
        [Item::CardDebit(c) | Item::CardCredit(c)] => c.clone(),
        other => panic!("not one card: {other:?}"),
    }
}

pub async fn order(
    client: &Client,
    user: i64,
    body: &CardRequest,
) -> Result<CardObject, ClientError> {
    client
        .post(&format!("/v1/user/{user}/card-debit"), body)
        .await
        .map(|e| card_of(&e.response))
}

pub async fn card(client: &Client, user: i64, id: i64) -> CardObject {
    card_of(&ok(client.get(&format!("/v1/user/{user}/card/{id}")).await).response)
}

pub async fn change(
    client: &Client,
    user: i64,
    id: i64,
    body: &CardRequest,
) -> Result<CardObject, ClientError> {
    client
        .put(&format!("/v1/user/{user}/card/{id}"), body)
        .await
        .map(|e| card_of(&e.response))
}

pub fn refused<T: std::fmt::Debug>(result: Result<T, ClientError>, status: u16, text: &str) {
    match result {
        Err(e) => {
            assert_eq!(e.status(), Some(status), "{e}");
            let description = e.description().unwrap_or_default();
            assert!(description.contains(text), "{description:?} lacks {text:?}");
        }
        Ok(v) => panic!("accepted: {v:?}"),
    }
}

/// Whether `pin` is a string value anywhere in `json`, but the card number's last four digits
/// (which may be the same four digits by chance).
fn shows(json: &serde_json::Value, pin: &str) -> bool {
    match json {
        serde_json::Value::String(s) => s == pin,
        serde_json::Value::Array(items) => items.iter().any(|item| shows(item, pin)),
        serde_json::Value::Object(fields) => fields
            .iter()
            .any(|(key, value)| key != "four_digit" && shows(value, pin)),
        _ => false,
    }
}

fn eur(value: &str) -> Option<AmountRequest> {
    Some(AmountRequest {
        value: Some(value.into()),
        currency: Some("EUR".into()),
    })
}

async fn cards(client: &Client, user: i64) -> Vec<Item> {
    ok(client.get(&format!("/v1/user/{user}/card")).await).response
}

for_each_backend! { TestApp::spawn =>
    async fn cards_are_ordered_listed_and_changed(app: TestApp) {
        let (_, user, key, _) = active_user(&app).await;
        let main = open(&user, key, "bank", &bank("EUR", "Main")).await;
        let spare = open(&user, key, "bank", &bank("EUR", "Spare")).await;
        let receiver = Receiver::start().await;
        subscribe(&user, key, "CARD", &receiver.url).await;

        let debit = ok(order(&user, key, &debit_order()).await);
        assert_eq!((debit.status.as_str(), debit.order_status.as_str()), ("ACTIVE", "NEW_CARD_REQUEST_RECEIVED"));
        assert_eq!((debit.kind.as_str(), debit.second_line.as_str()), ("MASTERCARD", "Groceries"));
        assert_eq!(debit.pin_code_assignment[0].monetary_account_id, main, "the oldest ACTIVE account");
        assert_eq!((debit.card_limit.value.as_str(), debit.card_limit_atm.value.as_str()), ("1000.00", "250.00"));
        assert!(debit.expected_delivery_date.is_some());
        assert_eq!(debit.primary_account_numbers[0].four_digit.len(), 4);
        let credit_order = CardRequest {
            product_type: Some("MASTERCARD_CREDIT_CO_BRANDED".into()),
            order_status: Some("VIRTUAL_DELIVERY".into()),
            pin_code_assignment: vec![PinAssignmentRequest { kind: Some("PRIMARY".into()), pin_code: Some("9753".into()), monetary_account_id: Some(spare) }],
            ..debit_order()
        };
        let created = ok(user.post(&format!("/v1/user/{key}/card-credit"), &credit_order).await);
        let [Item::CardCredit(credit)] = created.response.as_slice() else { panic!("{created:?}") };
        assert_eq!((credit.order_status.as_str(), credit.pin_code_assignment[0].monetary_account_id), ("VIRTUAL_DELIVERY", spare));
        let listed = cards(&user, key).await;
        assert!(matches!(listed.as_slice(), [Item::CardCredit(c), Item::CardDebit(d)] if c.id == credit.id && d.id == debit.id), "{listed:?}");
        assert_eq!(card(&user, key, debit.id).await, debit);

        // Changes: limits, PIN (never shown), fallback, then cancelling.
        let changed = ok(change(&user, key, debit.id, &CardRequest { card_limit: eur("50.00"), pin_code: Some("8642".into()),
            monetary_account_id_fallback: Some(spare), ..CardRequest::default() }).await);
        assert_eq!((changed.card_limit.value.as_str(), changed.monetary_account_id_fallback), ("50.00", Some(spare)));
        let raw = ok(user.get(&format!("/v1/user/{key}/card")).await);
        let text = serde_json::to_string(&raw).unwrap_or_default();
        // As values: the random UUIDs and references may hold the same four digits.
        let value = serde_json::to_value(&raw).unwrap_or_default();
        assert!(!shows(&value, "8642") && !shows(&value, "9753") && !text.contains("pin_code\":\""), "{text}");
        refused(change(&user, key, debit.id, &CardRequest { status: Some("CANCELLED".into()), ..CardRequest::default() }).await, 400, "cancellation_reason is required");
        refused(change(&user, key, debit.id, &CardRequest { status: Some("ACTIVE".into()), cancellation_reason: Some("FRAUD".into()), ..CardRequest::default() }).await, 400, "only with status CANCELLED");
        refused(change(&user, key, debit.id, &CardRequest { status: Some("EXPIRED".into()), ..CardRequest::default() }).await, 400, "status must be one of");
        refused(change(&user, key, debit.id, &CardRequest { card_limit: Some(AmountRequest { value: Some("5.00".into()), currency: Some("USD".into()) }), ..CardRequest::default() }).await, 400, "card's currency, EUR");
        refused(change(&user, key, debit.id, &CardRequest { monetary_account_id_fallback: Some(999_999), ..CardRequest::default() }).await, 400, "not one of this user's monetary accounts");
        refused(change(&user, key, debit.id, &CardRequest::default()).await, 400, "Nothing to change");
        assert_eq!(card(&user, key, debit.id).await, changed, "refusals changed nothing");
        let deactivated = ok(change(&user, key, debit.id, &CardRequest { status: Some("DEACTIVATED".into()), ..CardRequest::default() }).await);
        assert_eq!(deactivated.status, "DEACTIVATED");
        let cancelled = ok(change(&user, key, credit.id, &CardRequest { status: Some("CANCELLED".into()), cancellation_reason: Some("LOST".into()), ..CardRequest::default() }).await);
        assert_eq!((cancelled.status.as_str(), cancelled.cancellation_reason.as_deref()), ("CANCELLED", Some("LOST")));
        refused(change(&user, key, credit.id, &CardRequest { status: Some("ACTIVE".into()), ..CardRequest::default() }).await, 400, "CANCELLED; it can no longer be changed");

        // The physical card's order moves on a day at a time, on the virtual clock.
        assert_eq!(app.drain().await, 0, "nothing is due yet");
        let mut seen = Vec::new();
        for _ in 0..4 {
            advance(&app, "1d").await;
            app.drain().await;
            seen.push(card(&user, key, debit.id).await.order_status);
        }
        assert_eq!(seen, ["SENT_FOR_PRODUCTION", "ACCEPTED_FOR_PRODUCTION", "DELIVERED_TO_CUSTOMER", "DELIVERED_TO_CUSTOMER"]);
        assert_eq!(card(&user, key, credit.id).await.order_status, "VIRTUAL_DELIVERY");

        app.deliver().await;
        let events: Vec<(String, String)> = receiver.received().iter().map(|r| {
            let n = &r.json()["NotificationUrl"];
            (n["event_type"].as_str().unwrap_or_default().to_owned(), n["category"].as_str().unwrap_or_default().to_owned())
        }).collect();
        // Two orders, three changes that were made, three order steps.
        assert_eq!(events.len(), 8, "{events:?}");
        assert!(events.iter().all(|(e, c)| e == "CARD_UPDATED" && c == "CARD"), "{events:?}");
    }

    async fn cards_need_a_live_user_and_an_active_account_of_its_own(app: TestApp) {
        let (partner, user, key, provision) = active_user(&app).await;
        refused(order(&user, key, &debit_order()).await, 400, "no ACTIVE monetary account");
        let main = open(&user, key, "bank", &bank("EUR", "Main")).await;
        let other = open(&partner, own_id_of(&partner).await, "bank", &bank("EUR", "Partner's")).await;
        let on = |account| CardRequest { pin_code_assignment: vec![PinAssignmentRequest { monetary_account_id: Some(account), ..PinAssignmentRequest::default() }], ..debit_order() };
        refused(order(&user, key, &on(other)).await, 400, "not one of this user's monetary accounts");
        refused(order(&user, key, &CardRequest { kind: Some("VISA".into()), ..debit_order() }).await, 400, "type must be MASTERCARD");
        refused(order(&user, key, &CardRequest { second_line: Some("x".repeat(18)), ..debit_order() }).await, 400, "second_line is longer than 17");
        refused(order(&user, key, &CardRequest { pin_code_assignment: vec![PinAssignmentRequest { pin_code: Some("12a4".into()), ..PinAssignmentRequest::default() }], ..debit_order() }).await, 400, "four digits");
        let blocked = MonetaryAccountRequest { status: Some("BLOCKED".into()), ..MonetaryAccountRequest::default() };
        ok(user.put(&format!("/v1/user/{key}/monetary-account-bank/{main}"), &blocked).await);
        refused(order(&user, key, &on(main)).await, 400, "is BLOCKED");
        assert!(cards(&user, key).await.is_empty(), "no refusal made a card");

        // Another partner sees nothing of it; a closed user's cards are read-only.
        let active = MonetaryAccountRequest { status: Some("ACTIVE".into()), ..MonetaryAccountRequest::default() };
        ok(user.put(&format!("/v1/user/{key}/monetary-account-bank/{main}"), &active).await);
        let made = ok(order(&user, key, &debit_order()).await);
        let (_, stranger_key) = provisio_server::context::partners::create_partner(app.store.as_ref(), app.clock.as_ref(), provisio_core::model::Environment::Sandbox, "Stranger BV")
            .await.unwrap_or_else(|e| panic!("{e}"));
        let stranger = ok(Client::builder(&app.base_url, stranger_key.expose()).signing_key(test_key()).connect().await);
        refused(stranger.get(&format!("/v1/user/{key}/card/{}", made.id)).await, 404, "not found");
        refused(order(&stranger, key, &debit_order()).await, 404, "not found");
        ok(put(&partner, provision, "CANCELLED").await);
        refused(order(&partner, key, &debit_order()).await, 400, "CANCELLED");
        refused(change(&partner, key, made.id, &CardRequest { card_limit: eur("1.00"), ..CardRequest::default() }).await, 400, "CANCELLED");
        // Readable; the end cancelled it (closed_cards), and changed nothing else of it.
        let ended = card(&partner, key, made.id).await;
        assert_eq!((ended.status.as_str(), ended.cancellation_reason.as_deref()), ("CANCELLED", Some("OTHER")));
        let status = (made.status.clone(), made.cancellation_reason.clone(), made.updated.clone());
        assert_eq!(CardObject { status: status.0, cancellation_reason: status.1, updated: status.2, ..ended }, made);
    }

    async fn the_pan_and_cvc2s_are_the_owners_and_expire_on_time(app: TestApp) {
        let (_, user, key, _) = active_user(&app).await;
        open(&user, key, "bank", &bank("EUR", "Main")).await;
        let made = ok(order(&user, key, &debit_order()).await);
        let revealed = ok(user.post(&format!("/v1/user/{key}/card/{}/primary-account-number", made.id), &serde_json::json!({})).await);
        let [Item::CardPrimaryAccountNumber(pan)] = revealed.response.as_slice() else { panic!("{revealed:?}") };
        let pan = pan.primary_account_number.clone();
        assert!(luhn_valid(&pan) && pan.starts_with("555555") && pan.len() == 16, "{pan}");
        assert!(pan.ends_with(&made.primary_account_numbers[0].four_digit));
        let second = ok(order(&user, key, &debit_order()).await);
        let other = ok(user.post(&format!("/v1/user/{key}/card/{}/primary-account-number", second.id), &serde_json::json!({})).await);
        assert_ne!(Some(&Item::CardPrimaryAccountNumber(provisio_client::wire::cards::CardPrimaryAccountNumber { primary_account_number: pan.clone() })), other.response.first());

        let cvc_path = format!("/v1/user/{key}/card/{}/generated-cvc2", made.id);
        let generated = ok(user.post(&cvc_path, &serde_json::json!({"type": "GENERATED"})).await);
        let [Item::CardGeneratedCvc2(cvc)] = generated.response.as_slice() else { panic!("{generated:?}") };
        assert_eq!((cvc.status.as_str(), cvc.kind.as_str(), cvc.cvc2.len()), ("AVAILABLE", "GENERATED", 3));
        assert!(cvc.expiry_time.is_some());
        let fixed = ok(user.post(&cvc_path, &serde_json::json!({"type": "STATIC"})).await);
        let [Item::CardGeneratedCvc2(fixed)] = fixed.response.as_slice() else { panic!("{fixed:?}") };
        assert_eq!(fixed.expiry_time, None);
        refused(user.post(&cvc_path, &serde_json::json!({"type": "DYNAMIC"})).await, 400, "STATIC or GENERATED");

        advance(&app, "25h").await;
        app.drain().await;
        let listed = ok(user.get(&cvc_path).await).response;
        let statuses: Vec<String> = listed.iter().map(|i| match i { Item::CardGeneratedCvc2(c) => c.status.clone(), o => panic!("{o:?}") }).collect();
        assert_eq!(statuses, ["AVAILABLE", "EXPIRED"], "newest first; the generated one expired");
        refused(user.put(&format!("{cvc_path}/{}", cvc.id), &serde_json::json!({"type": "STATIC"})).await, 400, "EXPIRED");
        let one = ok(user.get(&format!("{cvc_path}/{}", fixed.id)).await);
        assert!(matches!(one.response.as_slice(), [Item::CardGeneratedCvc2(c)] if c.id == fixed.id));
        refused(user.get(&format!("/v1/user/{key}/card/{}/generated-cvc2/{}", second.id, fixed.id)).await, 404, "not found");

        // Neither secret is in the request log.
        let log = admin(&app, Method::GET, "/_provisio/requests?count=200").await;
        let log = String::from_utf8_lossy(&log.body);
        assert!(log.contains("primary-account-number"), "{log}");
        assert!(!log.contains(&pan) && !log.contains(&format!("\"{}\"", cvc.cvc2)), "{log}");
    }

    async fn a_body_that_is_not_an_object_creates_no_cvc2(app: TestApp) {
        let (_, user, key, _) = active_user(&app).await;
        open(&user, key, "bank", &bank("EUR", "Main")).await;
        let made = ok(order(&user, key, &debit_order()).await);
        let cvc_path = format!("/v1/user/{key}/card/{}/generated-cvc2", made.id);
        // An array is never read as an object (serde would take `[]` for `{}`), nor is anything
        // else that is not an object; the PAN route takes its body through the same check.
        for body in [serde_json::json!([]), serde_json::json!([{}]), serde_json::json!(["GENERATED"]), serde_json::json!("x"), serde_json::json!(1), serde_json::json!(null)] {
            refused(user.post(&cvc_path, &body).await, 400, "must be a JSON object");
            refused(user.post(&format!("/v1/user/{key}/card/{}/primary-account-number", made.id), &body).await, 400, "must be a JSON object");
        }
        refused(user.post(&cvc_path, &serde_json::json!({"type": ["STATIC"]})).await, 400, "type must be a string");
        assert_eq!(ok(user.get(&cvc_path).await).response, Vec::<Item>::new(), "no CVC2 was created");
        // An empty body and an empty object still are the default.
        ok(user.post(&cvc_path, &serde_json::json!({})).await);
        assert_eq!(ok(user.get(&cvc_path).await).response.len(), 1);
    }
}

/// The partner's own company id.
async fn own_id_of(client: &Client) -> i64 {
    crate::accounts::own_id(client).await
}

for_each_backend! { strict =>
    async fn strict_reveals_card_secrets_only_encrypted(app: TestApp) {
        let (_, user, key, _) = active_user(&app).await;
        open(&user, key, "bank", &bank("EUR", "Main")).await;
        let made = ok(order(&user, key, &debit_order()).await);
        refused(user.post(&format!("/v1/user/{key}/card/{}/primary-account-number", made.id), &serde_json::json!({})).await, 400, "must be encrypted");
        refused(user.post(&format!("/v1/user/{key}/card/{}/generated-cvc2", made.id), &serde_json::json!({})).await, 400, "must be encrypted");
        refused(user.get(&format!("/v1/user/{key}/card/{}/generated-cvc2", made.id)).await, 400, "must be encrypted");
        // The card itself is no secret.
        assert_eq!(card(&user, key, made.id).await.id, made.id);
        // Encrypted, they are answered (encrypted too).
        let pan = ok(user.post_encrypted(&format!("/v1/user/{key}/card/{}/primary-account-number", made.id), &serde_json::json!({})).await);
        assert!(matches!(pan.response.as_slice(), [Item::CardPrimaryAccountNumber(p)] if luhn_valid(&p.primary_account_number)), "{pan:?}");
        let made_cvc = ok(user.post_encrypted(&format!("/v1/user/{key}/card/{}/generated-cvc2", made.id), &serde_json::json!({})).await);
        let [Item::CardGeneratedCvc2(cvc)] = made_cvc.response.as_slice() else { panic!("{made_cvc:?}") };
        let listed = ok(user.get_encrypted(&format!("/v1/user/{key}/card/{}/generated-cvc2", made.id)).await);
        assert!(matches!(listed.response.as_slice(), [Item::CardGeneratedCvc2(c)] if c.cvc2 == cvc.cvc2), "{listed:?}");
    }
}
