//! Provision credentials and sessions on behalf of the user (spec B.4 variant 3, D.8, E.1,
//! J-8, J-9, J-18).

use std::time::Duration;

use provisio_client::{
    wire::{objects::AnyUser, Item},
    Client, ClientError, Request,
};
use reqwest::Method;

use crate::{helpers::*, provisioning::*};

pub(crate) async fn user_client(app: &TestApp, token: &str) -> Result<Client, ClientError> {
    Client::builder(&app.base_url, token)
        .signing_key(test_key())
        .description("bunq-partner-mcp-user")
        .connect()
        .await
}

pub(crate) fn is_bad_credentials(err: Option<ClientError>) -> bool {
    err.is_some_and(|e| {
        e.status() == Some(400)
            && e.description().is_some_and(|d| {
                // bunq's sentence, then (dev profile) what provisio saw.
                d.starts_with("User credentials are incorrect. Incorrect API key or IP address.")
            })
    })
}

for_each_backend! { TestApp::spawn =>
    async fn first_use_activates_the_credential_and_the_key_stays_usable(app: TestApp) {
        let partner = ready_partner(&app).await;
        let partner_id = partner.context().await.map(|c| c.user_id).unwrap_or_default();
        let (id, token) = onboarding(&app, &partner).await;
        assert!(get(&partner, id).await.label_user.is_some());

        let user = user_client(&app, &token).await.unwrap_or_else(|e| panic!("user session: {e}"));
        let context = user.context().await.unwrap_or_else(|e| panic!("{e}"));
        let key = match context.session.response.as_slice() {
            [Item::Id(_), Item::Token(_), Item::UserApiKey(key)] => key.clone(),
            other => panic!("unexpected session answer {other:?}"),
        };
        assert_eq!(key.id, context.user_id);
        let AnyUser::UserCompany(requested) = &key.requested_by_user else { panic!("requested_by_user") };
        assert_eq!(requested.id, partner_id);
        let AnyUser::UserPerson(granted) = &key.granted_by_user else { panic!("granted_by_user") };
        assert_ne!(granted.id, key.id);

        let credential = get(&partner, id).await.credential.unwrap_or_else(|| panic!());
        assert_eq!(credential.status, "ACTIVE");
        assert_eq!(credential.token_value, None, "the token is no longer shown after first use");
        assert!(credential.permitted_device.is_some());

        // The key opens new sessions after first use, from a new installation too.
        user_client(&app, &token).await.unwrap_or_else(|e| panic!("reuse: {e}"));
    }

    async fn an_unused_credential_expires_on_time(app: TestApp) {
        let partner = ready_partner(&app).await;
        let (id, token) = onboarding(&app, &partner).await;
        app.clock.advance(Duration::from_secs(3599));
        app.drain().await;
        assert_eq!(get(&partner, id).await.credential.map(|c| c.status).as_deref(), Some("PENDING_FIRST_USE"));
        app.clock.advance(Duration::from_secs(2));
        // The scheduled job expires it, not a read.
        assert!(app.drain().await >= 1);
        let credential = get(&partner, id).await.credential.unwrap_or_else(|| panic!());
        assert_eq!((credential.status.as_str(), credential.token_value), ("EXPIRED", None));
        assert!(is_bad_credentials(user_client(&app, &token).await.err()));
    }

    async fn an_operator_can_expire_a_credential_now(app: TestApp) {
        let partner = ready_partner(&app).await;
        let (id, token) = onboarding(&app, &partner).await;
        let reply = admin(&app, Method::POST, &format!("/_provisio/provisions/{id}/expire-credential")).await;
        assert_eq!(reply.status, 200);
        assert_eq!(get(&partner, id).await.credential.map(|c| c.status).as_deref(), Some("EXPIRED"));
        assert!(is_bad_credentials(user_client(&app, &token).await.err()));
        let reply = admin(&app, Method::POST, &format!("/_provisio/provisions/{id}/expire-credential")).await;
        assert_error(&reply, &app.server_key, 400, "no credential waiting");
    }

    async fn a_reset_retires_the_old_token(app: TestApp) {
        let partner = ready_partner(&app).await;
        let (id, old) = onboarding(&app, &partner).await;
        let user = user_client(&app, &old).await.unwrap_or_else(|e| panic!("{e}"));
        put(&partner, id, "TOKEN_RESET_REQUESTED").await.unwrap_or_else(|e| panic!("{e}"));
        app.drain().await;
        let new = get(&partner, id).await.credential.and_then(|c| c.token_value).unwrap_or_else(|| panic!());
        assert!(is_bad_credentials(user_client(&app, &old).await.err()));
        user_client(&app, &new).await.unwrap_or_else(|e| panic!("new token: {e}"));
        // J-18: sessions already open keep running.
        let scope = format!("/v1/user/{}", user.context().await.map(|c| c.user_id).unwrap_or_default());
        user.get(&scope).await.unwrap_or_else(|e| panic!("{e}"));
    }

    async fn closure_ends_the_user_s_sessions(app: TestApp) {
        let partner = ready_partner(&app).await;
        let (id, token) = onboarding(&app, &partner).await;
        let user = user_client(&app, &token).await.unwrap_or_else(|e| panic!("{e}"));
        let context = user.context().await.unwrap_or_else(|e| panic!("{e}"));
        let scope = format!("/v1/user/{}", context.user_id);
        user.get(&scope).await.unwrap_or_else(|e| panic!("{e}"));

        put(&partner, id, "CANCELLED").await.unwrap_or_else(|e| panic!("{e}"));
        let reply = app.send(Request::new(Method::GET, &scope).token(&context.session_token)).await;
        assert_error(&reply, &app.server_key, 401, "Insufficient authorisation.");
        app.drain().await;
        assert!(get(&partner, id).await.credential.is_none());
        assert!(is_bad_credentials(user_client(&app, &token).await.err()));
    }

    async fn user_paths_accept_both_ids_for_the_user_and_its_partner_only(app: TestApp) {
        let partner = ready_partner(&app).await;
        let partner_id = partner.context().await.map(|c| c.user_id).unwrap_or_default();
        let (_, token) = onboarding(&app, &partner).await;
        let user = user_client(&app, &token).await.unwrap_or_else(|e| panic!("{e}"));
        let context = user.context().await.unwrap_or_else(|e| panic!("{e}"));
        let api_key_id = context.user_id;
        let person_id = match context.session.response.get(2) {
            Some(Item::UserApiKey(k)) => match &k.granted_by_user { AnyUser::UserPerson(p) => p.id, _ => panic!() },
            _ => panic!(),
        };

        for client in [&user, &partner] {
            let by_key = client.get(&format!("/v1/user/{api_key_id}")).await.unwrap_or_else(|e| panic!("{e}"));
            assert!(matches!(by_key.response.as_slice(), [Item::UserApiKey(k)] if k.id == api_key_id));
            let by_user = client.get(&format!("/v1/user/{person_id}")).await.unwrap_or_else(|e| panic!("{e}"));
            assert!(matches!(by_user.response.as_slice(), [Item::UserPerson(p)] if p.id == person_id));
        }
        // The user may not read its partner's company; a stranger sees nothing.
        assert_eq!(user.get(&format!("/v1/user/{partner_id}")).await.err().and_then(|e| e.status()), Some(404));
        let (_, key) = provisio_server::context::partners::create_partner(
            app.store.as_ref(), app.clock.as_ref(), provisio_core::model::Environment::Sandbox, "Stranger BV",
        ).await.unwrap_or_else(|e| panic!("{e}"));
        let stranger = Client::builder(&app.base_url, key.expose()).signing_key(test_key())
            .connect().await.unwrap_or_else(|e| panic!("{e}"));
        for id in [api_key_id, person_id, partner_id] {
            assert_eq!(stranger.get(&format!("/v1/user/{id}")).await.err().and_then(|e| e.status()), Some(404));
        }
        // A user session cannot act as the partner.
        let err = user.get("/v1/partner-user-provision").await.err();
        assert_eq!(err.and_then(|e| e.status()), Some(403));
    }

    async fn a_denied_onboarding_fails_the_provision_and_revokes_the_credential(app: TestApp) {
        let partner = ready_partner(&app).await;
        let (id, token) = onboarding(&app, &partner).await;
        let reply = admin(&app, Method::POST, &format!("/_provisio/provisions/{id}/deny")).await;
        assert_eq!(reply.status, 200);
        let p = get(&partner, id).await;
        assert_eq!(state(&p), ("FAILED", "NONE", "NONE"));
        assert_eq!(p.credential.map(|c| c.status).as_deref(), Some("REVOKED"));
        assert!(is_bad_credentials(user_client(&app, &token).await.err()));
    }
}
