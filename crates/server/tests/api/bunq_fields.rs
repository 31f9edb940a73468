//! Every field bunq documents for the objects provisio renders is there, with bunq's JSON type:
//! bunq's clients read fields by name, and a missing one is a `KeyError` or a `null` where
//! their model promised a value. The fields come from bunq's partner swagger
//! (`bunq_fields.json`); the objects are made through the API, as a client sees them.
//!
//! Where provisio renders `null` and the swagger's type has no `null`, it is a decision, listed
//! in [`NULL_AS_BUNQ_RENDERS_IT`] with its reason: bunq renders a value it does not have as
//! `null` (its swagger omits `nullable` throughout, one of its known defects).

use provisio_client::{wire::Item, Client};
use serde_json::Value;

use crate::{
    accounts::{external, open},
    card_transactions::card_holder,
    cards::ok,
    helpers::*,
    payments::{pay, to},
    verification::admin_json,
};

/// `(object, field)`: rendered `null` when provisio has no value, as bunq does. bunq's own
/// answers show it for `Payment.merchant_reference` (a card payment's webhook:
/// `"merchant_reference": null`, beside `batch_id`, `scheduled_id`, `address_billing`, all
/// `null`); the others follow the same rule: no wallet behind a physical card's payment, no
/// limit that applied, no 3DS on the transaction, no first line asked for, no delivery date for
/// a card not yet sent, no card event yet for a pending challenge, no geolocation sent with a
/// payment, no profile (automatic top-up or drain) on an account.
const NULL_AS_BUNQ_RENDERS_IT: &[(&str, &str)] = &[
    ("MonetaryAccountBank", "monetary_account_profile"),
    ("Payment", "merchant_reference"),
    ("Payment", "geolocation"),
    ("MasterCardAction", "wallet_provider_id"),
    ("MasterCardAction", "applied_limit"),
    ("MasterCardAction", "additional_authentication_status"),
    ("Card", "first_line"),
    ("Card", "expected_delivery_date"),
    ("MasterCardIdentityCheckChallengeRequest", "event_id"),
];

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// What is wrong with `object` (provisio's rendering of bunq's `name`) against bunq's fields.
fn mismatches(name: &str, documented: &Value, object: &Value) -> Vec<String> {
    let mut wrong = Vec::new();
    for (field, types) in documented.as_object().into_iter().flatten() {
        let allowed: Vec<&str> = types
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let Some(value) = object.get(field) else {
            wrong.push(format!("{name}.{field} is missing"));
            continue;
        };
        let ours = json_type(value);
        let decided = ours == "null" && NULL_AS_BUNQ_RENDERS_IT.contains(&(name, field.as_str()));
        let number = ours == "integer" && allowed.contains(&"number");
        if !(allowed.is_empty() || allowed.contains(&ours) || decided || number) {
            wrong.push(format!(
                "{name}.{field} is {ours}, bunq documents {allowed:?}"
            ));
        }
    }
    wrong
}

/// The one object of a `GET`, as rendered: `(its key, its fields)`.
async fn fetch(client: &Client, path: &str) -> (String, Value) {
    let items = ok(client.get(path).await).response;
    let json = serde_json::to_value(&items).unwrap_or_default();
    let Some((key, object)) = json[0].as_object().and_then(|o| o.iter().next()) else {
        panic!("{path}: {json}");
    };
    (key.clone(), object.clone())
}

for_each_backend! { TestApp::spawn =>
    async fn every_field_bunq_documents_is_rendered_with_its_type(app: TestApp) {
        let documented: Value = serde_json::from_str(include_str!("bunq_fields.json")).unwrap_or_default();
        let (_, user, key, account, card, _) = card_holder(&app, "100.00").await;
        let user_path = format!("/v1/user/{key}");
        let elsewhere = "NL91ABNA0417164300";
        let mut plain = to(elsewhere, "1.00");
        plain.merchant_reference = None;
        let paid = ok(pay(&user, key, account, &plain).await);
        let foreign = open(&user, key, "external", &external("GBP")).await;
        let pan = ok(user.post(&format!("{user_path}/card/{card}/primary-account-number"), &serde_json::json!({})).await).response;
        let cvc2 = ok(user.post(&format!("{user_path}/card/{card}/generated-cvc2"), &serde_json::json!({"type": "GENERATED"})).await).response;
        let ask = |identity_check: bool| serde_json::json!({"amount": "2.00", "merchant": "Shop BV", "identity_check": identity_check});
        let app = &app;
        let authorize = |body: Value| async move {
            let reply = admin_json(app, &format!("/_provisio/cards/{card}/authorize"), body).await;
            serde_json::from_slice::<Value>(&reply.body).unwrap_or_default()
        };
        let action = authorize(ask(false)).await;
        let challenge = authorize(ask(true)).await;
        let id_of = |json: &Value, key: &str| json["Response"][0][key]["id"].as_i64().unwrap_or_else(|| panic!("{json}"));
        let action = id_of(&action, "MasterCardAction");
        let challenge = id_of(&challenge, "MasterCardIdentityCheckChallengeRequest");
        let first = |items: &[Item]| serde_json::to_value(items).unwrap_or_default()[0].clone();

        let mut objects = vec![
            fetch(&user, &format!("{user_path}/monetary-account-bank/{account}")).await,
            fetch(&user, &format!("{user_path}/monetary-account-external/{foreign}")).await,
            fetch(&user, &format!("{user_path}/monetary-account/{account}/payment/{paid}")).await,
            fetch(&user, &format!("{user_path}/card/{card}")).await,
            fetch(&user, &format!("{user_path}/monetary-account/{account}/mastercard-action/{action}")).await,
            fetch(&user, &format!("{user_path}/challenge-request/{challenge}")).await,
        ];
        for item in [first(&pan), first(&cvc2)] {
            let (key, object) = item.as_object().and_then(|o| o.iter().next()).map(|(k, v)| (k.clone(), v.clone())).unwrap_or_default();
            objects.push((key, object));
        }
        let mut wrong = Vec::new();
        for (key, object) in &objects {
            // A card is bunq's `Card` under its own key, as bunq renders it.
            let name = if key == "CardDebit" || key == "CardCredit" { "Card" } else { key.as_str() };
            let fields = documented.get(name).unwrap_or_else(|| panic!("bunq documents no {name}"));
            wrong.extend(mismatches(name, fields, object));
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
        assert_eq!(objects.len(), documented.as_object().map_or(0, |o| o.len() - 1), "every documented object was checked");
    }
}
