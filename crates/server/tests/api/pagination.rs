//! bunq's pagination on every list (spec A.7, issue 25), taken from the served OpenAPI
//! description rather than a sample: every `GET` under `/v1` that takes `count` is called with
//! `count=1`, answers `Pagination` with its three keys, refuses `count=201`, and, where it has
//! two items or more, pages through them with `older_url` and back with `newer_url`. The
//! sandbox's lists (accounts, payments, requests both ways, bunq.me tabs, batches, drafts,
//! schedules and their runs, notes, events) are filled first, so each of them is walked for
//! real.

use std::collections::{BTreeSet, HashMap};

use provisio_client::{wire::time::ts, Client, Request};
use provisio_core::time::{Clock, Timestamp};

use reqwest::Method;
use serde_json::{json, Value};

use crate::{
    accounts::{active_user, banks},
    cards::{debit_order, ok, order},
    helpers::*,
    sandbox_clock::advance,
    sandbox_users::{connect, create, me},
};

const DAY: i64 = 86_400_000_000;

/// The lists issue 25 added or that its clients page through: each must be walked with data.
const WALKED: [&str; 12] = [
    "/monetary-account-bank",
    "/monetary-account",
    "/payment",
    "/request-inquiry",
    "/request-response",
    "/bunqme-tab",
    "/payment-batch",
    "/draft-payment",
    "/schedule-payment",
    "/schedule-instance",
    "/note-text",
    "/event",
];

async fn raw(client: &Client, app: &TestApp, path: &str) -> (u16, Value) {
    let token = ok(client.context().await).session_token;
    let reply = app.send(Request::new(Method::GET, path).token(token)).await;
    let body = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
    (reply.status, body)
}

fn ids(body: &Value) -> Vec<i64> {
    body["Response"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item.as_object()?.values().next()?["id"].as_i64())
        .collect()
}

fn first_id(reply: &provisio_client::wire::ResponseEnvelope) -> i64 {
    match reply.response.as_slice() {
        [provisio_client::wire::Item::Id(id)] => id.id,
        other => panic!("{other:?}"),
    }
}

fn eur(value: &str) -> Value {
    json!({"value": value, "currency": "EUR"})
}

fn to_iban(iban: &str, value: &str) -> Value {
    json!({"amount": eur(value), "counterparty_alias": {"type": "IBAN", "value": iban, "name": "Bob"}, "description": "x"})
}

/// The three keys, each a string or null, present.
fn assert_pagination(path: &str, body: &Value) {
    let links = body["Pagination"]
        .as_object()
        .unwrap_or_else(|| panic!("{path}: no Pagination in {body}"));
    for key in ["older_url", "newer_url", "future_url"] {
        let value = links
            .get(key)
            .unwrap_or_else(|| panic!("{path}: Pagination lacks {key}"));
        assert!(
            value.is_null() || value.is_string(),
            "{path}: {key} = {value}"
        );
    }
}

for_each_backend! { TestApp::spawn =>
    async fn every_list_in_the_description_pages_as_bunq_does(app: TestApp) {
        let alice = connect(&app, &create(&app, "/v1/sandbox-user-person").await).await;
        let bob = connect(&app, &create(&app, "/v1/sandbox-user-person").await).await;
        let provisio_client::wire::Item::UserPerson(a) = me(&alice).await else { panic!() };
        let provisio_client::wire::Item::UserPerson(b) = me(&bob).await else { panic!() };
        let email = |alias: &[Value]| alias.iter().find(|p| p["type"] == "EMAIL").and_then(|p| p["value"].as_str()).map(str::to_owned).unwrap_or_default();
        let alice_email = email(&a.alias);
        let (user, account) = (a.id, banks(&alice, a.id).await[0].id);
        let bob_account = &banks(&bob, b.id).await[0];
        let bob_iban = bob_account.alias[0].value.clone();
        let base = format!("/v1/user/{user}/monetary-account/{account}");

        // Fill every list of Alice's with at least two items.
        for _ in 0..2 {
            ok(alice.post(&format!("{base}/request-inquiry"), &json!({"amount_inquired": eur("200.00"),
                "counterparty_alias": {"type": "EMAIL", "value": "sugardaddy@bunq.com"}, "description": "Test money", "allow_bunqme": false})).await);
        }
        ok(alice.post(&format!("/v1/user/{user}/monetary-account-bank"), &json!({"currency": "EUR", "description": "Savings"})).await);
        let paid = first_id(&ok(alice.post(&format!("{base}/payment"), &to_iban(&bob_iban, "1.00")).await));
        ok(alice.post(&format!("{base}/payment"), &to_iban(&bob_iban, "1.00")).await);
        for note in ["one", "two"] {
            ok(alice.post(&format!("{base}/payment/{paid}/note-text"), &json!({"content": note})).await);
        }
        for _ in 0..2 {
            ok(bob.post(&format!("/v1/user/{}/monetary-account/{}/request-inquiry", b.id, bob_account.id), &json!({"amount_inquired": eur("1.00"),
                "counterparty_alias": {"type": "EMAIL", "value": alice_email}, "description": "Lunch", "allow_bunqme": false})).await);
            ok(alice.post(&format!("{base}/bunqme-tab"), &json!({"bunqme_tab_entry": {"amount_inquired": eur("5.00"), "description": "Pizza"}})).await);
            ok(alice.post(&format!("{base}/payment-batch"), &json!({"payments": [to_iban(&bob_iban, "1.00"), to_iban(&bob_iban, "1.00")]})).await);
            ok(alice.post(&format!("{base}/draft-payment"), &json!({"number_of_required_accepts": 1, "entries": [to_iban(&bob_iban, "1.00")]})).await);
        }
        let start = ts(Timestamp(app.clock.now().micros() + DAY / 2));
        let schedule_body = json!({"payment": to_iban(&bob_iban, "1.00"), "schedule": {"time_start": start, "recurrence_unit": "DAILY", "recurrence_size": 1}});
        let schedule = first_id(&ok(alice.post(&format!("{base}/schedule-payment"), &schedule_body).await));
        ok(alice.post(&format!("{base}/schedule-payment"), &schedule_body).await);
        advance(&app, "2d").await;
        app.drain().await;
        let card = ok(order(&alice, user, &debit_order()).await).id;

        // Onboarding and compliance lists belong to a provisioned user.
        let (_, provisioned, key, _) = active_user(&app).await;

        let reply = app.send(Request::new(Method::GET, "/_provisio/openapi.json")).await;
        let doc: Value = serde_json::from_slice(&reply.body).unwrap_or_else(|e| panic!("{e}"));
        let mut paged: Vec<String> = doc["paths"].as_object().into_iter().flatten()
            .filter(|(path, item)| path.starts_with("/v1/") && item["get"]["parameters"].as_array().into_iter().flatten().any(|p| p["name"] == "count"))
            .map(|(path, _)| path.clone())
            .collect();
        paged.sort();
        assert!(paged.len() >= 30, "{paged:?}");

        let mut walked = BTreeSet::new();
        for template in &paged {
            let own = ["user-onboarding", "identity-verification-session", "user-information-inquiry"].iter().any(|k| template.contains(k));
            let (client, who) = if own { (&provisioned, key) } else { (&alice, user) };
            let values: HashMap<&str, String> = HashMap::from([
                ("user_id", who.to_string()), ("id", account.to_string()), ("payment_id", paid.to_string()),
                ("schedule_id", schedule.to_string()), ("card_id", card.to_string()),
            ]);
            let path: String = template.split('/').map(|segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => values.get(name).cloned().unwrap_or_else(|| panic!("{template}: no value for {{{name}}}")),
                None => segment.to_owned(),
            }).collect::<Vec<_>>().join("/");

            let (status, all) = raw(client, &app, &path).await;
            assert_eq!(status, 200, "{path}: {all}");
            assert_pagination(&path, &all);
            let all_ids = ids(&all);
            assert!(all_ids.len() <= 10, "{path}: the default count is 10, got {}", all_ids.len());
            let (status, refused) = raw(client, &app, &format!("{path}?count=201")).await;
            assert_eq!(status, 400, "{path}?count=201: {refused}");
            assert!(refused["Error"][0]["error_description"].as_str().is_some_and(|d| d.contains("count")), "{refused}");
            let (status, max) = raw(client, &app, &format!("{path}?count=200")).await;
            assert_eq!(status, 200, "{path}?count=200: {max}");

            let (status, first) = raw(client, &app, &format!("{path}?count=1")).await;
            assert_eq!(status, 200, "{path}?count=1: {first}");
            assert_pagination(&path, &first);
            if all_ids.len() < 2 {
                continue;
            }
            // Two or more: one a page, older by older_url, newer again by newer_url.
            let first_ids = ids(&first);
            assert_eq!(first_ids, all_ids[..1], "{path}?count=1");
            assert_eq!(first["Pagination"]["newer_url"], Value::Null, "{path}: the newest page");
            assert_eq!(first["Pagination"]["future_url"], json!(format!("{path}?count=1&newer_id={}", all_ids[0])), "{path}");
            let older = first["Pagination"]["older_url"].as_str().unwrap_or_else(|| panic!("{path}: no older_url in {first}")).to_owned();
            assert_eq!(older, format!("{path}?count=1&older_id={}", all_ids[0]), "{path}");
            let (status, second) = raw(client, &app, &older).await;
            assert_eq!(status, 200, "{older}: {second}");
            assert_eq!(ids(&second), all_ids[1..2], "{older}");
            let newer = second["Pagination"]["newer_url"].as_str().unwrap_or_else(|| panic!("{older}: no newer_url")).to_owned();
            let (_, back) = raw(client, &app, &newer).await;
            assert_eq!(ids(&back), all_ids[..1], "{newer}");
            walked.insert(template.clone());
        }
        for list in WALKED {
            assert!(walked.iter().any(|t| t.ends_with(list)), "{list} was not walked with two items: {walked:?}");
        }
    }
}
