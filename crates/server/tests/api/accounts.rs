//! Monetary accounts over real HTTP: the partner's own (it starts with one), its users',
//! the three ways of listing them, changes and closing, and every refusal in the envelope.

use provisio_client::{
    wire::ResponseEnvelope,
    wire::{
        accounts::{AmountRequest, MonetaryAccountBank, MonetaryAccountRequest},
        Item,
    },
    Client, ClientError,
};
use provisio_core::{account::iban, model::Environment};
use provisio_server::context::partners::create_partner;
use reqwest::Method;

use crate::{helpers::*, onboarding::onboarding_user, provisioning::*};

fn ok<T>(result: Result<T, ClientError>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

/// The id the caller's session belongs to (the partner's company, or a user's `UserApiKey`).
pub async fn own_id(client: &Client) -> i64 {
    client
        .context()
        .await
        .map(|c| c.user_id)
        .unwrap_or_default()
}

/// A provisioned user whose provision is ACTIVE: the partner, the user's own client, the
/// user's `UserApiKey` id and the provision id.
pub async fn active_user(app: &TestApp) -> (Client, Client, i64, i64) {
    let (partner, user, key, provision) = onboarding_user(app).await;
    let approved = admin(
        app,
        Method::POST,
        &format!("/_provisio/provisions/{provision}/approve"),
    )
    .await;
    assert_eq!(approved.status, 200);
    assert_eq!(state(&get(&partner, provision).await).0, "ACTIVE");
    (partner, user, key, provision)
}

pub fn bank(currency: &str, description: &str) -> MonetaryAccountRequest {
    MonetaryAccountRequest {
        currency: Some(currency.into()),
        description: Some(description.into()),
        ..MonetaryAccountRequest::default()
    }
}

pub fn external(currency: &str) -> MonetaryAccountRequest {
    MonetaryAccountRequest {
        service: Some("CURRENCY_CLOUD".into()),
        ..bank(currency, "External Account")
    }
}

pub fn limit(value: &str, currency: &str) -> Option<AmountRequest> {
    Some(AmountRequest {
        value: Some(value.into()),
        currency: Some(currency.into()),
    })
}

pub async fn open(client: &Client, user: i64, kind: &str, body: &MonetaryAccountRequest) -> i64 {
    first_id(
        &ok(client
            .post(&format!("/v1/user/{user}/monetary-account-{kind}"), body)
            .await)
        .response,
    )
}

/// The user's bank accounts, newest first.
pub async fn banks(client: &Client, user: i64) -> Vec<MonetaryAccountBank> {
    ok(client
        .get(&format!("/v1/user/{user}/monetary-account-bank?count=200"))
        .await)
    .response
    .into_iter()
    .map(|item| match item {
        Item::MonetaryAccountBank(a) => a,
        other => panic!("{other:?}"),
    })
    .collect()
}

fn refused(result: Result<ResponseEnvelope, ClientError>, status: u16, text: &str) {
    match result {
        Err(e) => {
            assert_eq!(e.status(), Some(status), "{e}");
            let description = e.description().unwrap_or_default();
            assert!(description.contains(text), "{description:?} lacks {text:?}");
        }
        Ok(answer) => panic!("accepted: {answer:?}"),
    }
}

for_each_backend! { TestApp::spawn =>
    async fn a_new_partner_starts_with_one_eur_account(app: TestApp) {
        let partner = app.client().await;
        let me = own_id(&partner).await;
        let accounts = banks(&partner, me).await;
        let [main] = accounts.as_slice() else { panic!("{accounts:?}") };
        assert_eq!((main.currency.as_str(), main.description.as_str()), ("EUR", "Main account"));
        assert_eq!((main.balance.value.as_str(), main.balance.currency.as_str()), ("0.00", "EUR"));
        assert_eq!((main.status.as_str(), main.sub_status.as_str(), main.user_id), ("ACTIVE", "NONE", me));
        assert_eq!((main.display_name.as_str(), main.country.as_str()), ("Acme BV", "NL"));
        let alias = &main.alias[0];
        assert_eq!((alias.kind.as_str(), alias.name.as_str()), ("IBAN", "Acme BV"));
        assert!(iban::is_valid(&alias.value) && alias.value.starts_with("NL"), "{}", alias.value);
        assert_eq!(&alias.value[4..8], "BUNQ");
        // Another partner's main account has its own IBAN.
        let (_, key) = create_partner(app.store.as_ref(), app.clock.as_ref(), Environment::Sandbox, "Other BV").await
            .unwrap_or_else(|e| panic!("{e}"));
        let other = Client::builder(&app.base_url, key.expose()).signing_key(test_key()).connect().await
            .unwrap_or_else(|e| panic!("{e}"));
        let theirs = banks(&other, own_id(&other).await).await;
        assert_eq!(theirs.len(), 1);
        assert_ne!(theirs[0].alias[0].value, alias.value);
    }

    async fn accounts_are_opened_read_and_listed_by_type(app: TestApp) {
        let partner = app.client().await;
        let me = own_id(&partner).await;
        // What bunq's official client sends.
        let savings = open(&partner, me, "bank", &bank("EUR", "Main Account")).await;
        let pounds = open(&partner, me, "external", &MonetaryAccountRequest {
            display_name: Some("Acme GBP".into()),
            ..external("GBP")
        }).await;
        let one = ok(partner.get(&format!("/v1/user/{me}/monetary-account-external/{pounds}")).await);
        let [Item::MonetaryAccountExternal(gbp)] = one.response.as_slice() else { panic!("{one:?}") };
        assert_eq!((gbp.account.currency.as_str(), gbp.service.as_str(), gbp.account.display_name.as_str()), ("GBP", "CURRENCY_CLOUD", "Acme GBP"));
        assert_eq!((gbp.account.daily_limit.value.as_str(), gbp.account.daily_limit.currency.as_str()), ("1000.00", "GBP"));
        assert_eq!(gbp.account.balance.value, "0.00");
        assert!(iban::is_valid(&gbp.account.alias[0].value));
        // The general routes list and read both kinds, each keyed by its type, newest first.
        let all = ok(partner.get(&format!("/v1/user/{me}/monetary-account")).await);
        let kinds: Vec<(&str, i64)> = all.response.iter().map(|item| match item {
            Item::MonetaryAccountBank(a) => ("bank", a.id),
            Item::MonetaryAccountExternal(a) => ("external", a.account.id),
            other => panic!("{other:?}"),
        }).collect();
        assert_eq!(&kinds[..2], &[("external", pounds), ("bank", savings)]);
        assert_eq!(kinds.len(), 3, "with the main account");
        assert!(all.pagination.is_some());
        let raw = partner.api().send(provisio_client::Request::new(Method::GET, format!("/v1/user/{me}/monetary-account/{pounds}"))
            .token(partner.context().await.map(|c| c.session_token).unwrap_or_default())).await
            .unwrap_or_else(|e| panic!("{e}"));
        let json: serde_json::Value = serde_json::from_slice(&raw.body).unwrap_or_default();
        assert_eq!(json["Response"][0]["MonetaryAccountExternal"]["id"], pounds, "{json}");
        // A bank route does not show an external account, and the other way round.
        refused(partner.get(&format!("/v1/user/{me}/monetary-account-bank/{pounds}")).await, 404, "MonetaryAccountBank not found");
        refused(partner.get(&format!("/v1/user/{me}/monetary-account-external/{savings}")).await, 404, "MonetaryAccountExternal not found");
        refused(partner.get(&format!("/v1/user/{me}/monetary-account/999999")).await, 404, "MonetaryAccount not found");
    }

    async fn lists_are_paged_newest_first(app: TestApp) {
        let partner = app.client().await;
        let me = own_id(&partner).await;
        let mut ids = vec![banks(&partner, me).await[0].id];
        for n in 0..4 {
            ids.push(open(&partner, me, "bank", &bank("EUR", &format!("Pot {n}"))).await);
        }
        ids.reverse();
        let first = ok(partner.get(&format!("/v1/user/{me}/monetary-account-bank?count=2")).await);
        let listed = |e: &ResponseEnvelope| e.response.iter().map(|i| match i {
            Item::MonetaryAccountBank(a) => a.id,
            other => panic!("{other:?}"),
        }).collect::<Vec<_>>();
        assert_eq!(listed(&first), ids[..2]);
        let pagination = first.pagination.clone().unwrap_or_else(|| panic!("no pagination"));
        let older = pagination.older_url.unwrap_or_else(|| panic!("no older_url"));
        assert_eq!(older, format!("/v1/user/{me}/monetary-account-bank?count=2&older_id={}", ids[1]));
        let second = ok(partner.get(&older).await);
        assert_eq!(listed(&second), ids[2..4]);
        let last = ok(partner.get(&format!("/v1/user/{me}/monetary-account?count=2&older_id={}", ids[3])).await);
        assert_eq!(last.response.len(), 1);
        assert_eq!(last.pagination.and_then(|p| p.older_url), None);
    }

    async fn accounts_change_and_close_only_with_nothing_in_them(app: TestApp) {
        let partner = app.client().await;
        let me = own_id(&partner).await;
        let id = open(&partner, me, "bank", &bank("EUR", "Holidays")).await;
        let path = format!("/v1/user/{me}/monetary-account-bank/{id}");
        let changed = ok(partner.put(&path, &MonetaryAccountRequest {
            description: Some("Summer".into()),
            daily_limit: limit("2500.50", "EUR"),
            ..MonetaryAccountRequest::default()
        }).await);
        assert_eq!(first_id(&changed.response), id);
        let account = banks(&partner, me).await.into_iter().find(|a| a.id == id).unwrap_or_else(|| panic!("gone"));
        assert_eq!((account.description.as_str(), account.daily_limit.value.as_str()), ("Summer", "2500.50"));
        ok(partner.put(&path, &MonetaryAccountRequest {
            status: Some("CANCELLED".into()),
            sub_status: Some("REDEMPTION_VOLUNTARY".into()),
            reason: Some("OTHER".into()),
            reason_description: Some("No longer needed".into()),
            ..MonetaryAccountRequest::default()
        }).await);
        let closed = banks(&partner, me).await.into_iter().find(|a| a.id == id).unwrap_or_else(|| panic!("gone"));
        assert_eq!((closed.status.as_str(), closed.sub_status.as_str()), ("CANCELLED", "REDEMPTION_VOLUNTARY"));
        assert_eq!(closed.reason_description.as_deref(), Some("No longer needed"));
        // Closed is final.
        for body in [
            MonetaryAccountRequest { status: Some("ACTIVE".into()), ..MonetaryAccountRequest::default() },
            MonetaryAccountRequest { description: Some("Again".into()), ..MonetaryAccountRequest::default() },
        ] {
            refused(partner.put(&path, &body).await, 400, "CANCELLED");
        }
        let after = banks(&partner, me).await.into_iter().find(|a| a.id == id);
        assert_eq!(after.map(|a| (a.status, a.description)), Some(("CANCELLED".into(), "Summer".into())));
    }

    async fn bad_input_is_refused_and_nothing_is_written(app: TestApp) {
        let partner = app.client().await;
        let me = own_id(&partner).await;
        let bank_path = format!("/v1/user/{me}/monetary-account-bank");
        let external_path = format!("/v1/user/{me}/monetary-account-external");
        let cases = [
            (&bank_path, MonetaryAccountRequest::default(), "currency is required"),
            (&bank_path, bank("USD", "x"), "EUR only"),
            (&bank_path, bank("eur", "x"), "ISO 4217"),
            (&bank_path, MonetaryAccountRequest { daily_limit: limit("10000.01", "EUR"), ..bank("EUR", "x") }, "at most 10000.00"),
            (&bank_path, MonetaryAccountRequest { daily_limit: limit("100.000", "EUR"), ..bank("EUR", "x") }, "exactly two decimals"),
            (&bank_path, MonetaryAccountRequest { daily_limit: limit("1e3", "EUR"), ..bank("EUR", "x") }, "exactly two decimals"),
            (&bank_path, MonetaryAccountRequest { daily_limit: limit("0.00", "EUR"), ..bank("EUR", "x") }, "more than 0.00"),
            (&bank_path, bank("EUR", "bad\u{202E}text"), "control character"),
            (&bank_path, bank("EUR", &"x".repeat(256)), "longer than 255"),
            (&external_path, external("EUR"), "other than EUR"),
            (&external_path, MonetaryAccountRequest { service: Some("WISE".into()), ..external("GBP") }, "CURRENCY_CLOUD"),
        ];
        for (path, body, text) in cases {
            refused(partner.post(path, &body).await, 400, text);
        }
        let main = banks(&partner, me).await;
        assert_eq!(main.len(), 1, "nothing was opened");
        let main_path = format!("{bank_path}/{}", main[0].id);
        for (body, text) in [
            (MonetaryAccountRequest { status: Some("CLOSED".into()), ..MonetaryAccountRequest::default() }, "status must be one of"),
            (MonetaryAccountRequest { daily_limit: limit("20000.00", "EUR"), ..MonetaryAccountRequest::default() }, "at most 10000.00"),
            (MonetaryAccountRequest { daily_limit: limit("100.00", "USD"), ..MonetaryAccountRequest::default() }, "account's currency"),
            (MonetaryAccountRequest { reason: Some("BORED".into()), ..MonetaryAccountRequest::default() }, "reason must be OTHER"),
            (MonetaryAccountRequest::default(), "Nothing to change"),
        ] {
            refused(partner.put(&main_path, &body).await, 400, text);
        }
        assert_eq!(banks(&partner, me).await, main, "nothing changed");
        // A malformed body is refused by the body reader, in the envelope too.
        let raw = partner.api().send(provisio_client::Request::new(Method::POST, bank_path.clone())
            .token(partner.context().await.map(|c| c.session_token).unwrap_or_default())
            .body(r#"{"currency": 5}"#)).await.unwrap_or_else(|e| panic!("{e}"));
        assert_error(&raw, &app.server_key, 400, "currency");
    }

    async fn strangers_and_other_users_accounts_are_not_found(app: TestApp) {
        let partner = app.client().await;
        let me = own_id(&partner).await;
        let mine = banks(&partner, me).await[0].id;
        let (_, key) = create_partner(app.store.as_ref(), app.clock.as_ref(), Environment::Sandbox, "Stranger BV").await
            .unwrap_or_else(|e| panic!("{e}"));
        let stranger = Client::builder(&app.base_url, key.expose()).signing_key(test_key()).connect().await
            .unwrap_or_else(|e| panic!("{e}"));
        let theirs = own_id(&stranger).await;
        for path in [
            format!("/v1/user/{me}/monetary-account-bank"),
            format!("/v1/user/{me}/monetary-account-bank/{mine}"),
            format!("/v1/user/{me}/monetary-account"),
        ] {
            refused(stranger.get(&path).await, 404, "User not found");
        }
        refused(stranger.post(&format!("/v1/user/{me}/monetary-account-bank"), &bank("EUR", "x")).await, 404, "User not found");
        // My account id under the stranger's own user does not exist either.
        refused(stranger.get(&format!("/v1/user/{theirs}/monetary-account-bank/{mine}")).await, 404, "not found");
        refused(stranger.put(&format!("/v1/user/{theirs}/monetary-account-bank/{mine}"),
            &MonetaryAccountRequest { description: Some("mine now".into()), ..MonetaryAccountRequest::default() }).await, 404, "not found");
        assert_eq!(banks(&partner, me).await[0].description, "Main account");
    }

    async fn provisioned_users_have_accounts_until_their_provision_ends(app: TestApp) {
        let (partner, user, key, provision) = active_user(&app).await;
        assert!(banks(&user, key).await.is_empty(), "a provisioned user starts without accounts");
        // The partner opens one on the user's behalf; the user opens another; both see both.
        let by_partner = open(&partner, key, "bank", &bank("EUR", "Salary")).await;
        let by_user = open(&user, key, "external", &external("USD")).await;
        let seen = ok(user.get(&format!("/v1/user/{key}/monetary-account")).await);
        assert_eq!(seen.response.len(), 2);
        let listed = banks(&partner, key).await;
        assert_eq!(listed.iter().map(|a| a.id).collect::<Vec<_>>(), vec![by_partner]);
        assert!(!listed[0].display_name.is_empty());
        // The user's session cannot reach the partner's own accounts.
        let company = own_id(&partner).await;
        refused(user.get(&format!("/v1/user/{company}/monetary-account-bank")).await, 404, "User not found");
        // Once the provision is cancelled, accounts can be read but not opened or changed.
        ok(put(&partner, provision, "CANCELLED").await);
        refused(partner.post(&format!("/v1/user/{key}/monetary-account-bank"), &bank("EUR", "x")).await, 400, "CANCELLED");
        refused(partner.put(&format!("/v1/user/{key}/monetary-account-external/{by_user}"),
            &MonetaryAccountRequest { description: Some("x".into()), ..MonetaryAccountRequest::default() }).await, 400, "CANCELLED");
        assert_eq!(ok(partner.get(&format!("/v1/user/{key}/monetary-account")).await).response.len(), 2);
    }
}
