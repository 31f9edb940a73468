//! Partners and reset over HTTP: `POST|GET /_provisio/partners`, `DELETE /_provisio/partners/{id}`,
//! `POST /_provisio/reset`.

use provisio_client::{
    wire::{
        requests::{NotificationFilterRequest, NotificationFiltersRequest},
        Item,
    },
    Client, Request,
};
use reqwest::Method;

use crate::{
    credentials::{is_bad_credentials, user_client},
    helpers::*,
    provisioning::*,
    webhooks::company,
};

/// A new partner over HTTP: its id and API key.
pub async fn new_partner(app: &TestApp, name: &str) -> (i64, String) {
    let items = operator_items(
        app,
        Method::POST,
        "/_provisio/partners",
        Some(serde_json::json!({ "name": name })),
    )
    .await;
    let [Item::SandboxPartner(partner)] = items.as_slice() else {
        panic!("{items:?}")
    };
    assert_eq!(partner.name, name);
    (
        partner.id,
        partner
            .api_key
            .clone()
            .unwrap_or_else(|| panic!("no key shown")),
    )
}

async fn partner_names(app: &TestApp) -> Vec<String> {
    let reply = operator(app, Method::GET, "/_provisio/partners", None).await;
    let envelope = reply.envelope().unwrap_or_else(|e| panic!("{e}"));
    envelope
        .response
        .iter()
        .map(|item| match item {
            Item::SandboxPartner(p) => {
                assert_eq!(p.api_key, None, "a listed key");
                p.name.clone()
            }
            other => panic!("{other:?}"),
        })
        .collect()
}

pub async fn connect(app: &TestApp, key: &str) -> Result<Client, provisio_client::ClientError> {
    Client::builder(&app.base_url, key)
        .signing_key(test_key())
        .connect()
        .await
}

/// Everything a partner can own: an OAuth client, a webhook filter with deliveries, a
/// provision whose user has a session, an approved onboarding and an inquiry. Returns the
/// partner's client, its provision and the user's credential token.
async fn busy_partner(app: &TestApp, client: Client, receiver: &Receiver) -> (Client, i64, String) {
    client
        .create_oauth_client("https://partner.example/oauth/callback")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let me = company(&client).await;
    client
        .post(
            &format!("/v1/user/{me}/notification-filter-url"),
            &NotificationFiltersRequest {
                notification_filters: vec![NotificationFilterRequest {
                    category: Some("PARTNER_USER_PROVISION".into()),
                    notification_target: Some(receiver.url.clone()),
                }],
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (id, token) = onboarding(app, &client).await;
    let user = user_client(app, &token)
        .await
        .unwrap_or_else(|e| panic!("user session: {e}"));
    let user_id = user.context().await.map(|c| c.user_id).unwrap_or_default();
    let reply = operator(
        app,
        Method::POST,
        &format!("/_provisio/users/{user_id}/inquiries"),
        Some(serde_json::json!({"entry_types": ["USER_PERSON_SOURCE_OF_FUND"]})),
    )
    .await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let reply = operator(
        app,
        Method::POST,
        &format!("/_provisio/provisions/{id}/approve"),
        None,
    )
    .await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    app.drain().await;
    app.deliver().await;
    (client, id, token)
}

for_each_backend! { TestApp::spawn =>
    async fn a_partner_created_over_http_connects_and_is_listed(app: TestApp) {
        let (_, key) = new_partner(&app, "Globex").await;
        assert!(key.starts_with("sandbox_"), "{key}");
        connect(&app, &key).await.unwrap_or_else(|e| panic!("handshake with the new key: {e}"));
        assert_eq!(partner_names(&app).await, vec!["Acme BV", "Globex"]);

        let reply = operator(&app, Method::POST, "/_provisio/partners", Some(serde_json::json!({"name": "  "}))).await;
        assert_error(&reply, &app.server_key, 400, "name");
        let reply = operator(&app, Method::POST, "/_provisio/partners", Some(serde_json::json!({}))).await;
        assert_error(&reply, &app.server_key, 400, "name");
        let reply = app.send(Request::new(Method::GET, "/_provisio/partners")).await;
        assert_error(&reply, &app.server_key, 401, "admin token");
    }

    async fn deleting_a_partner_leaves_nothing_of_it_and_spares_the_others(app: TestApp) {
        let receiver = Receiver::start().await;
        let (acme, acme_provision, acme_token) = busy_partner(&app, app.client().await, &receiver).await;
        let before = app.database().row_counts().await;

        let (id, key) = new_partner(&app, "Globex").await;
        let globex = connect(&app, &key).await.unwrap_or_else(|e| panic!("{e}"));
        let (globex, provision, token) = busy_partner(&app, globex, &receiver).await;
        let session = globex.context().await.unwrap_or_else(|e| panic!("{e}")).session_token;
        assert_ne!(app.database().row_counts().await, before);

        let reply = operator(&app, Method::DELETE, &format!("/_provisio/partners/{id}"), None).await;
        assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
        assert_eq!(app.database().row_counts().await, before, "rows of the deleted partner remain");
        assert!(app.store.provision(provisio_core::model::ProvisionId(provision)).await.ok().flatten().is_none());

        // Its key, its session and its user's credential are gone.
        assert!(is_bad_credentials(connect(&app, &key).await.err()));
        let reply = app.send(Request::new(Method::GET, "/v1/installation").token(&session)).await;
        assert_error(&reply, &app.server_key, 401, "Insufficient authorisation.");
        assert!(user_client(&app, &token).await.is_err());
        assert_eq!(partner_names(&app).await, vec!["Acme BV"]);

        // The other partner is untouched.
        assert_eq!(state(&get(&acme, acme_provision).await), ("ACTIVE", "NONE", "NONE"));
        user_client(&app, &acme_token).await.unwrap_or_else(|e| panic!("the other partner's user: {e}"));

        for path in [format!("/_provisio/partners/{id}"), "/_provisio/partners/999999".into()] {
            let reply = operator(&app, Method::DELETE, &path, None).await;
            assert_error(&reply, &app.server_key, 404, "Partner not found.");
        }
        // A provisioned user is not a partner.
        let user = app.store.provision(provisio_core::model::ProvisionId(acme_provision)).await.ok().flatten()
            .and_then(|p| p.api_key_user_id).unwrap_or_else(|| panic!("no user id"));
        let reply = operator(&app, Method::DELETE, &format!("/_provisio/partners/{user}"), None).await;
        assert_error(&reply, &app.server_key, 404, "Partner not found.");
    }

    async fn a_reset_empties_the_store_but_keeps_the_server_key(app: TestApp) {
        let receiver = Receiver::start().await;
        let (client, _, _) = busy_partner(&app, app.client().await, &receiver).await;
        let context = client.context().await.unwrap_or_else(|e| panic!("{e}"));
        let reply = operator(&app, Method::POST, "/_provisio/reset", None).await;
        assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));

        let counts = app.database().row_counts().await;
        for (table, rows) in &counts {
            let kept = ["_sqlx_migrations", "server_key", "sandbox_clock", "store_heartbeat"].contains(&table.as_str());
            assert!(kept || *rows == 0, "{table} still has {rows} rows");
        }
        assert_eq!(counts.get("server_key"), Some(&1));
        assert!(partner_names(&app).await.is_empty());
        let reply = app.send(Request::new(Method::GET, "/v1/installation").token(&context.session_token)).await;
        assert_error(&reply, &app.server_key, 401, "Insufficient authorisation.");
        assert!(is_bad_credentials(connect(&app, &app.api_key).await.err()));

        // A new tenant starts from scratch; the server's public key is the one clients have.
        let (id, key) = new_partner(&app, "Fresh").await;
        assert_eq!(id, 1, "ids start again");
        let fresh = connect(&app, &key).await.unwrap_or_else(|e| panic!("{e}"));
        let fresh = fresh.context().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fresh.server_key.pem(), context.server_key.pem());
    }
}

for_each_backend! { strict =>
    async fn strict_refuses_a_reset(app: TestApp) {
        let reply = operator(&app, Method::POST, "/_provisio/reset", None).await;
        assert_error(&reply, &app.server_key, 403, "dev profile only");
        assert_eq!(partner_names(&app).await, vec!["Acme BV"]);
    }
}
