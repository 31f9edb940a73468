//! bunq's developer sandbox users over real HTTP: `POST /v1/sandbox-user-person|-company`
//! without a token, the key opening a context, `GET /v1/user` and friends answering the person
//! or company with its pointers, card names and a MAESTRO card, payments by EMAIL and
//! PHONE_NUMBER (to another sandbox user, to bravo@bunq.com, to sugardaddy@bunq.com) with the
//! ledger holding, removal through the operator API, production's 404 and the per-address limit.

use provisio_client::{
    wire::{
        accounts::AmountRequest,
        cards::CardRequest,
        payments::{PaymentObject, PaymentRequest, PointerRequest},
        Item,
    },
    Client, Reply, Request,
};
use reqwest::Method;
use serde_json::Value;

use crate::{
    accounts::{active_user, banks},
    cards::{ok, order},
    helpers::*,
    payments::{fund, pay, payments},
};

/// `POST path` with no token and no signature, as bunq's sandbox is called.
async fn create_raw(app: &TestApp, path: &str) -> Reply {
    app.send(Request::new(Method::POST, path).body("{}")).await
}

/// A new sandbox user's API key.
pub async fn create(app: &TestApp, path: &str) -> String {
    let reply = create_raw(app, path).await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    // Signed like every /v1 answer, so bunq's SDKs accept it.
    reply
        .verify(&app.server_key)
        .unwrap_or_else(|e| panic!("{e}"));
    let envelope = reply.envelope().unwrap_or_else(|e| panic!("{e}"));
    match envelope.response.as_slice() {
        [Item::ApiKey(key)] => key.api_key.clone(),
        other => panic!("{other:?}"),
    }
}

pub async fn connect(app: &TestApp, key: &str) -> Client {
    Client::builder(&app.base_url, key)
        .signing_key(test_key())
        .connect()
        .await
        .unwrap_or_else(|e| panic!("handshake: {e}"))
}

/// The session's user from `GET /v1/user`.
pub async fn me(client: &Client) -> Item {
    let mut items = ok(client.get("/v1/user").await).response;
    assert_eq!(items.len(), 1, "{items:?}");
    items.remove(0)
}

fn alias_of(alias: &[Value], kind: &str) -> String {
    alias
        .iter()
        .find(|a| a["type"] == kind)
        .and_then(|a| a["value"].as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no {kind} in {alias:?}"))
}

fn to_pointer(kind: &str, value: &str, amount: &str) -> PaymentRequest {
    PaymentRequest {
        amount: Some(AmountRequest {
            value: Some(amount.into()),
            currency: Some("EUR".into()),
        }),
        counterparty_alias: Some(PointerRequest {
            kind: Some(kind.into()),
            value: Some(value.into()),
            name: None,
        }),
        description: Some("Lunch".into()),
        merchant_reference: None,
    }
}

/// A sandbox person: its client, user id, main account id and pointers (email, phone).
struct Sandbox {
    client: Client,
    id: i64,
    account: i64,
    iban: String,
    email: String,
    phone: String,
}

async fn sandbox_person(app: &TestApp) -> Sandbox {
    let key = create(app, "/v1/sandbox-user-person").await;
    let client = connect(app, &key).await;
    let Item::UserPerson(person) = me(&client).await else {
        panic!("not a person")
    };
    let main = banks(&client, person.id).await.remove(0);
    Sandbox {
        id: person.id,
        account: main.id,
        iban: main.alias[0].value.clone(),
        email: alias_of(&person.alias, "EMAIL"),
        phone: alias_of(&person.alias, "PHONE_NUMBER"),
        client,
    }
}

async fn balance(user: &Sandbox) -> String {
    banks(&user.client, user.id).await[0].balance.value.clone()
}

async fn ledger_holds(app: &TestApp) {
    let ledger = app.store.ledger().await.unwrap_or_else(|e| panic!("{e}"));
    assert!(ledger.holds(), "{ledger:?}");
}

fn incoming(list: &[PaymentObject]) -> Vec<&PaymentObject> {
    list.iter()
        .filter(|p| !p.amount.value.starts_with('-'))
        .collect()
}

for_each_backend! { TestApp::spawn =>
    async fn sandbox_users_are_created_without_a_token_and_are_bunq_users(app: TestApp) {
        let key = create(&app, "/v1/sandbox-user-person").await;
        assert!(key.starts_with("sandbox_"), "{key}");
        let person = connect(&app, &key).await;
        let id = person.context().await.map(|c| c.user_id).unwrap_or_default();
        let Item::UserPerson(p) = me(&person).await else { panic!("not a UserPerson") };
        assert_eq!(p.id, id, "the session's user is the person");
        let (first, last) = (p.first_name.clone().unwrap_or_default(), p.last_name.clone().unwrap_or_default());
        assert!(!first.is_empty() && !last.is_empty(), "{p:?}");
        assert_eq!(p.display_name, format!("{first} {last}"));
        let email = alias_of(&p.alias, "EMAIL");
        assert!(email.starts_with("sandbox+") && email.ends_with("@provisio.test"), "{email}");
        let phone = alias_of(&p.alias, "PHONE_NUMBER");
        assert!(phone.starts_with("+316") && phone.len() == 12, "{phone}");
        // The same user by id, and as a person; it is no company.
        let by_id = ok(person.get(&format!("/v1/user/{id}")).await).response;
        assert!(matches!(by_id.as_slice(), [Item::UserPerson(u)] if u == &p), "{by_id:?}");
        let as_person = ok(person.get(&format!("/v1/user-person/{id}")).await).response;
        assert!(matches!(as_person.as_slice(), [Item::UserPerson(u)] if u == &p), "{as_person:?}");
        let as_company = person.get(&format!("/v1/user-company/{id}")).await;
        assert_eq!(as_company.err().and_then(|e| e.status()), Some(404));
        // Its main account, as every partner's.
        let accounts = banks(&person, id).await;
        assert_eq!(accounts.len(), 1);
        assert_eq!(accounts[0].balance.value, "0.00");

        // The names its card may carry, and a MAESTRO debit card with one of them.
        let names = ok(person.get(&format!("/v1/user/{id}/card-name")).await).response;
        let [Item::CardUserNameArray(names)] = names.as_slice() else { panic!("{names:?}") };
        let full = format!("{first} {last}").to_uppercase();
        assert!(names.possible_card_name_array.contains(&full), "{names:?}");
        assert!(names.possible_card_name_array.contains(&last.to_uppercase()), "{names:?}");
        let maestro = CardRequest {
            kind: Some("MAESTRO".into()),
            product_type: Some("MAESTRO_DEBIT".into()),
            second_line: Some("Sandbox".into()),
            name_on_card: Some(full.clone()),
            ..CardRequest::default()
        };
        let card = ok(order(&person, id, &maestro).await);
        assert_eq!((card.kind.as_str(), card.product_type.as_str()), ("MAESTRO", "MAESTRO_DEBIT"));
        let mismatched = CardRequest { kind: Some("MASTERCARD".into()), ..maestro };
        let refused = order(&person, id, &mismatched).await;
        assert_eq!(refused.err().and_then(|e| e.status()), Some(400));

        // A company, under its own name, and the older route's person.
        let company = connect(&app, &create(&app, "/v1/sandbox-user-company").await).await;
        let Item::UserCompany(c) = me(&company).await else { panic!("not a UserCompany") };
        assert!(c.name.ends_with(" B.V."), "{}", c.name);
        assert!(alias_of(&c.alias, "EMAIL").ends_with("@provisio.test"));
        alias_of(&c.alias, "PHONE_NUMBER");
        let as_company = ok(company.get(&format!("/v1/user-company/{}", c.id)).await).response;
        assert!(matches!(as_company.as_slice(), [Item::UserCompany(u)] if u == &c), "{as_company:?}");
        let company_names = ok(company.get(&format!("/v1/user/{}/card-name", c.id)).await).response;
        let [Item::CardUserNameArray(company_names)] = company_names.as_slice() else { panic!() };
        assert_eq!(company_names.possible_card_name_array, vec![c.name.to_uppercase()]);
        let older = connect(&app, &create(&app, "/v1/sandbox-user").await).await;
        assert!(matches!(me(&older).await, Item::UserPerson(_)));
        // Isolated: one sandbox user does not see another.
        let other = person.get(&format!("/v1/user/{}", c.id)).await;
        assert_eq!(other.err().and_then(|e| e.status()), Some(404));

        // The operator sees them among the partners, saying which kind; a partner stays a
        // UserCompany without aliases.
        let listed = operator(&app, Method::GET, "/_provisio/partners", None).await;
        let listed: Value = serde_json::from_slice(&listed.body).unwrap_or_default();
        let kind_of = |id: i64| {
            listed["Response"].as_array().into_iter().flatten()
                .map(|i| &i["SandboxPartner"])
                .find(|p| p["id"] == id)
                .map(|p| p["sandbox_user"].clone())
        };
        assert_eq!(kind_of(id), Some(Value::from("PERSON")));
        assert_eq!(kind_of(c.id), Some(Value::from("COMPANY")));
        assert_eq!(kind_of(app.partner_id), Some(Value::Null));
        let partner = app.client().await;
        let Item::UserCompany(own) = me(&partner).await else { panic!("not a UserCompany") };
        assert!(own.alias.is_empty() && own.id == app.partner_id, "{own:?}");
    }

    async fn sandbox_users_pay_by_email_and_phone_and_the_ledger_holds(app: TestApp) {
        let alice = sandbox_person(&app).await;
        let bob = sandbox_person(&app).await;
        fund(&app, alice.account, "100.00").await;

        ok(pay(&alice.client, alice.id, alice.account, &to_pointer("EMAIL", &bob.email.to_uppercase(), "10.00")).await);
        ok(pay(&alice.client, alice.id, alice.account, &to_pointer("PHONE_NUMBER", &bob.phone, "5.00")).await);
        assert_eq!(balance(&alice).await, "85.00");
        assert_eq!(balance(&bob).await, "15.00");
        let paid = payments(&alice.client, alice.id, alice.account).await;
        let outgoing: Vec<_> = paid.iter().filter(|p| p.amount.value.starts_with('-')).collect();
        assert_eq!(outgoing.len(), 2);
        assert!(outgoing.iter().all(|p| p.kind == "BUNQ" && p.counterparty_alias.iban == bob.iban), "{outgoing:?}");
        let received = payments(&bob.client, bob.id, bob.account).await;
        let received = incoming(&received);
        assert_eq!(received.len(), 2);
        assert!(received.iter().all(|p| p.kind == "BUNQ" && p.counterparty_alias.iban == alice.iban), "{received:?}");
        ledger_holds(&app).await;

        // An address or number no one has: 400, and nothing moves.
        for (kind, value) in [("EMAIL", "nobody@example.com"), ("PHONE_NUMBER", "+31600000000")] {
            let refused = pay(&alice.client, alice.id, alice.account, &to_pointer(kind, value, "1.00")).await;
            let err = refused.err().unwrap_or_else(|| panic!("{kind} accepted"));
            assert_eq!(err.status(), Some(400), "{err}");
            assert!(err.description().unwrap_or_default().contains("does not belong to a bunq user"), "{err}");
        }
        let malformed = pay(&alice.client, alice.id, alice.account, &to_pointer("EMAIL", "not-an-address", "1.00")).await;
        assert_eq!(malformed.err().and_then(|e| e.status()), Some(400));
        assert_eq!(balance(&alice).await, "85.00");
        assert_eq!(payments(&alice.client, alice.id, alice.account).await.len(), paid.len());

        // bravo@bunq.com exists in every store and is paid inside provisio; sugardaddy@bunq.com
        // has no account here: paying it is money out.
        ok(pay(&alice.client, alice.id, alice.account, &to_pointer("EMAIL", "bravo@bunq.com", "2.00")).await);
        ok(pay(&alice.client, alice.id, alice.account, &to_pointer("EMAIL", "bravo@bunq.com", "1.00")).await);
        ok(pay(&alice.client, alice.id, alice.account, &to_pointer("EMAIL", "sugardaddy@bunq.com", "3.00")).await);
        assert_eq!(balance(&alice).await, "79.00");
        let latest = payments(&alice.client, alice.id, alice.account).await;
        let names: Vec<(&str, &str)> = latest.iter().take(3)
            .map(|p| (p.kind.as_str(), p.counterparty_alias.display_name.as_str())).collect();
        assert_eq!(names, [("EBA_SCT", "Sugar Daddy"), ("BUNQ", "Bravo Sandbox"), ("BUNQ", "Bravo Sandbox")]);
        // The well-known users are no one's tenants.
        let listed = operator(&app, Method::GET, "/_provisio/partners", None).await;
        assert!(!String::from_utf8_lossy(&listed.body).contains("Bravo"), "bravo is listed as a partner");
        ledger_holds(&app).await;

        // Removing a sandbox user keeps the ledger whole; its pointers go with it.
        let removed = operator(&app, Method::DELETE, &format!("/_provisio/partners/{}", bob.id), None).await;
        assert_eq!(removed.status, 200, "{}", String::from_utf8_lossy(&removed.body));
        ledger_holds(&app).await;
        let gone = pay(&alice.client, alice.id, alice.account, &to_pointer("EMAIL", &bob.email, "1.00")).await;
        assert_eq!(gone.err().and_then(|e| e.status()), Some(400));
        let check = operator(&app, Method::GET, "/_provisio/ledger", None).await;
        assert_eq!(check.status, 200);
    }

    async fn the_user_list_is_the_sessions_own_user(app: TestApp) {
        let (partner, user, key, _) = active_user(&app).await;
        let Item::UserCompany(company) = me(&partner).await else { panic!("not the partner's company") };
        assert_eq!(company.id, app.partner_id);
        // A provisioned user's credential session is its UserApiKey, as GET /v1/user/{id} says.
        let own = me(&user).await;
        assert!(matches!(&own, Item::UserApiKey(k) if k.id == key), "{own:?}");
        let by_id = ok(user.get(&format!("/v1/user/{key}")).await).response;
        assert_eq!(by_id, vec![own]);
        // The person behind the key, by the key's id, as a person; no company.
        let person = ok(user.get(&format!("/v1/user-person/{key}")).await).response;
        assert!(matches!(person.as_slice(), [Item::UserPerson(_)]), "{person:?}");
        let company = user.get(&format!("/v1/user-company/{key}")).await;
        assert_eq!(company.err().and_then(|e| e.status()), Some(404));
    }

    async fn sandbox_user_creation_is_limited_per_address(app: TestApp) {
        for _ in 0..10 {
            create(&app, "/v1/sandbox-user-company").await;
        }
        let refused = create_raw(&app, "/v1/sandbox-user-person").await;
        assert_error(&refused, &app.server_key, 429, "a maximum of 10 calls per 60 second");
        // The limit is on creating users only: the address's other calls go on.
        let partner = app.client().await;
        me(&partner).await;
    }
}

for_each_backend! { strict_production =>
    async fn production_has_no_sandbox_users(app: TestApp) {
        let unknown = create_raw(&app, "/v1/sandbox-user-nobody").await;
        for path in ["/v1/sandbox-user-person", "/v1/sandbox-user-company", "/v1/sandbox-user"] {
            let reply = create_raw(&app, path).await;
            assert_eq!(reply.status, 404, "{path}");
            assert_eq!(reply.error_envelope(), unknown.error_envelope(), "{path}");
        }
        assert_error(&unknown, &app.server_key, 404, "The requested route does not exist.");
    }

}

for_each_backend! { TestApp::spawn =>
    async fn sandbox_users_ask_each_other_by_phone_and_email_and_bravo_is_asked_too(app: TestApp) {
        let alice = sandbox_person(&app).await;
        let bob = sandbox_person(&app).await;
        fund(&app, bob.account, "20.00").await;
        let ask = |kind: &str, value: &str| serde_json::json!({"amount_inquired": {"value": "4.00", "currency": "EUR"},
            "counterparty_alias": {"type": kind, "value": value}, "description": "Cinema", "allow_bunqme": false});
        let path = format!("/v1/user/{}/monetary-account/{}/request-inquiry", alice.id, alice.account);
        let mut asked = Vec::new();
        for (kind, value) in [("PHONE_NUMBER", bob.phone.clone()), ("EMAIL", bob.email.clone())] {
            let made = ok(alice.client.post(&path, &ask(kind, &value)).await);
            let [Item::Id(id)] = made.response.as_slice() else { panic!("{made:?}") };
            asked.push(id.id);
        }
        // Bob's primary account has both; he accepts the one by phone.
        let responses = ok(bob.client.get(&format!("/v1/user/{}/monetary-account/{}/request-response", bob.id, bob.account)).await).response;
        let ids: Vec<i64> = responses.iter().map(|r| match r { Item::RequestResponse(r) => r.id, other => panic!("{other:?}") }).collect();
        assert_eq!(ids, [asked[1], asked[0]], "newest first");
        ok(bob.client.put(&format!("/v1/user/{}/monetary-account/{}/request-response/{}", bob.id, bob.account, asked[0]),
            &serde_json::json!({"status": "ACCEPTED", "amount_responded": {"value": "4.00", "currency": "EUR"}})).await);
        assert_eq!((balance(&alice).await, balance(&bob).await), ("4.00".to_owned(), "16.00".to_owned()));

        // bravo@bunq.com, the SDKs' other sandbox user, is asked too: nobody answers for it.
        let made = ok(alice.client.post(&path, &ask("EMAIL", "bravo@bunq.com")).await);
        let [Item::Id(bravo)] = made.response.as_slice() else { panic!("{made:?}") };
        let read = ok(alice.client.get(&format!("{path}/{}", bravo.id)).await).response;
        let [Item::RequestInquiry(r)] = read.as_slice() else { panic!("{read:?}") };
        assert_eq!(r.status, "PENDING");
        ledger_holds(&app).await;
    }
}
