//! `/_provisio/scenarios`: the catalogue, and users brought at once to a state.

use provisio_client::{
    wire::{objects::PartnerUserProvision, Item},
    Client,
};
use provisio_server::ServerConfig;
use reqwest::Method;

use crate::{helpers::*, provisioning::*, verification::admin_json};

async fn run_scenario(app: &TestApp, name: &str, partner: i64) -> provisio_client::Reply {
    admin_json(
        app,
        &format!("/_provisio/scenarios/{name}"),
        serde_json::json!({ "partner_id": partner }),
    )
    .await
}

fn provision_of(reply: &provisio_client::Reply) -> PartnerUserProvision {
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    match reply.envelope().map(|e| e.response) {
        Ok(items) => match items.as_slice() {
            [Item::PartnerUserProvision(p)] => p.clone(),
            other => panic!("{other:?}"),
        },
        Err(e) => panic!("{e}"),
    }
}

for_each_backend! { TestApp::spawn =>
    async fn the_catalogue_lists_scenarios_magic_values_and_forced_outcomes(app: TestApp) {
        let reply = admin(&app, Method::GET, "/_provisio/scenarios").await;
        assert_eq!(reply.status, 200);
        let names: Vec<(String, String)> = reply.envelope().map(|e| e.response).unwrap_or_default()
            .into_iter()
            .filter_map(|item| match item { Item::Scenario(s) => Some((s.name, s.kind)), _ => None })
            .collect();
        for expected in [("active-user", "scenario"), ("last name Rejected", "magic value"), ("approve", "forced outcome"), ("decline_reason", "forced outcome"), ("identity_check", "forced outcome")] {
            assert!(names.iter().any(|(n, k)| n == expected.0 && k == expected.1), "{expected:?} not in {names:?}");
        }
        let anonymous = app.send(provisio_client::Request::new(Method::GET, "/_provisio/scenarios")).await;
        assert_eq!(anonymous.status, 401);
        assert!(sugardaddy(&app).await.is_some_and(|d| d.contains("up to 500.00 EUR per request on this server")));
    }

    async fn an_active_user_is_ready_at_once_and_its_credential_works(app: TestApp) {
        // A partner without an OAuth client gets one.
        let active = provision_of(&run_scenario(&app, "active-user", app.partner_id).await);
        assert_eq!(state(&active), ("ACTIVE", "NONE", "NONE"));
        let credential = active.credential.unwrap_or_else(|| panic!("no credential"));
        assert_eq!(credential.status, "PENDING_FIRST_USE");
        let token = credential.token_value.unwrap_or_else(|| panic!("no token"));
        let user = Client::builder(&app.base_url, &token).signing_key(test_key())
            .connect().await.unwrap_or_else(|e| panic!("the credential opens no session: {e}"));
        let granted = user.context().await.map(|c| c.user_id).unwrap_or_default();
        let onboarding = user.get(&format!("/v1/user/{granted}/user-onboarding")).await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(format!("{:?}", onboarding.response).contains("VERIFIED"), "{:?}", onboarding.response);
        // With a funded EUR account.
        let accounts = user.get(&format!("/v1/user/{granted}/monetary-account")).await
            .unwrap_or_else(|e| panic!("{e}"));
        let text = serde_json::to_string(&accounts.response).unwrap_or_default();
        assert!(text.contains(r#""balance":{"value":"1000.00","currency":"EUR"}"#), "{text}");
        // Each run is a new user.
        let again = provision_of(&run_scenario(&app, "active-user", app.partner_id).await);
        assert_ne!(again.id, active.id);
    }

    async fn the_other_scenarios_end_where_they_say(app: TestApp) {
        let onboarding = provision_of(&run_scenario(&app, "onboarding-user", app.partner_id).await);
        assert_eq!(state(&onboarding), ("CREATED", "PENDING_PROCESS_USER_ONBOARDING", "USER"));
        let failed = provision_of(&run_scenario(&app, "failed-user", app.partner_id).await);
        assert_eq!(state(&failed), ("FAILED", "NONE", "NONE"));
        assert_eq!(failed.credential.map(|c| c.status).as_deref(), Some("REVOKED"));
        let closed = provision_of(&run_scenario(&app, "closed-user", app.partner_id).await);
        assert_eq!(state(&closed), ("CLOSED", "NONE", "NONE"));
        assert!(closed.credential.is_none());
        // The partner sees them through the API, and the worker finds nothing left to do.
        app.drain().await;
        let partner = app.client().await;
        assert_eq!(state(&get(&partner, closed.id).await), ("CLOSED", "NONE", "NONE"));
        assert_eq!(state(&get(&partner, onboarding.id).await).1, "PENDING_PROCESS_USER_ONBOARDING");

        assert_eq!(run_scenario(&app, "rich-user", app.partner_id).await.status, 404);
        assert_eq!(run_scenario(&app, "active-user", 999_999).await.status, 404);
    }
}

/// Sugar Daddy's entry in the catalogue, if it has one.
async fn sugardaddy(app: &TestApp) -> Option<String> {
    let reply = admin(app, Method::GET, "/_provisio/scenarios").await;
    reply
        .envelope()
        .map(|e| e.response)
        .unwrap_or_default()
        .into_iter()
        .find_map(|item| match item {
            Item::Scenario(s) if s.name == "sugardaddy@bunq.com" => Some(s.description),
            _ => None,
        })
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
    async fn the_catalogue_gives_sugardaddys_limit_as_set(app: TestApp) {
        let text = sugardaddy(&app).await.unwrap_or_else(|| panic!("no sugardaddy@bunq.com"));
        assert!(text.contains("up to 10.00 EUR per request on this server") && text.contains("500.00 by default"), "{text}");
    }
}

for_each_backend! { strict_production =>
    async fn production_lists_no_sugardaddy(app: TestApp) {
        assert_eq!(sugardaddy(&app).await, None);
    }
}
