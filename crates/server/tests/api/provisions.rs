//! The provision lifecycle through the partner API (spec D).

use provisio_client::{
    wire::{requests::ProvisionRequest, Item},
    Request,
};
use reqwest::Method;

use crate::{helpers::*, provisioning::*};

for_each_backend! { TestApp::spawn =>
    async fn a_provision_walks_every_state(app: TestApp) {
        let client = ready_partner(&app).await;
        let uuid = new_uuid();
        let id = create(&client, &person(&uuid)).await;

        let p = get(&client, id).await;
        assert_eq!(state(&p), ("CREATED", "PENDING_PROCESS_USER", "SYSTEM"));
        assert_eq!(p.external_uuid, uuid);
        assert_eq!(p.products, vec!["USER_VERIFIED"]);
        assert!(p.label_user.is_none() && p.oauth_request.is_none() && p.credential.is_none());

        app.step().await;
        let p = get(&client, id).await;
        assert_eq!(state(&p), ("CREATED", "PENDING_PROCESS_RELATION_USER", "SYSTEM"));
        let label = p.label_user.clone().unwrap_or_else(|| panic!("no label_user"));
        assert_eq!((label.kind.as_str(), label.display_name.as_str()), ("PERSON", "New bunqer"));
        assert!(p.oauth_request.is_none());

        app.step().await;
        let p = get(&client, id).await;
        assert_eq!(state(&p), ("CREATED", "PENDING_PROCESS_OAUTH_REQUEST", "SYSTEM"));

        app.step().await;
        let p = get(&client, id).await;
        assert_eq!(state(&p), ("CREATED", "PENDING_PROCESS_USER_ONBOARDING", "USER"));
        let oauth = p.oauth_request.clone().unwrap_or_else(|| panic!("no oauth_request"));
        assert_eq!(oauth.status, "ACCEPTED");
        assert_eq!(oauth.callback_url.as_deref(), Some("https://partner.example/oauth/callback"));
        assert!(oauth.redirect_url.is_some_and(|u| u.contains(&oauth.authorization_code)));
        assert!(oauth.client_id.is_some());
        let credential = p.credential.clone().unwrap_or_else(|| panic!("no credential"));
        assert_eq!(credential.status, "PENDING_FIRST_USE");
        assert!(credential.token_value.as_ref().is_some_and(|t| t.len() == 64));
        let issued = provisio_client::wire::time::parse(&credential.created).unwrap_or_default();
        let expiry = provisio_client::wire::time::parse(&credential.expiry_time).unwrap_or_default();
        assert_eq!(expiry - issued, 3_600_000_000, "sandbox credentials live one hour");

        // Nothing more happens by itself: the user must onboard.
        assert_eq!(app.drain().await, 0);
        let reply = admin(&app, Method::POST, &format!("/_provisio/provisions/{id}/approve")).await;
        assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
        assert_eq!(state(&get(&client, id).await), ("ACTIVE", "NONE", "NONE"));

        put(&client, id, "CANCELLED").await.unwrap_or_else(|e| panic!("{e}"));
        let p = get(&client, id).await;
        assert_eq!(state(&p), ("CANCELLED", "PENDING_PROCESS_CLOSURE", "SYSTEM"));
        assert_eq!(p.credential.map(|c| c.status).as_deref(), Some("REVOKED"));
        app.drain().await;
        let p = get(&client, id).await;
        assert_eq!(state(&p), ("CLOSED", "NONE", "NONE"));
        assert!(p.credential.is_none(), "no credential after closure");
        assert!(p.label_user.is_some() && p.oauth_request.is_some());

        // The history holds every transition once, in order.
        let reply = admin(&app, Method::GET, &format!("/_provisio/provisions/{id}/history")).await;
        let history = reply.envelope().unwrap_or_else(|e| panic!("{e}"));
        let steps: Vec<String> = history.response.iter().map(|item| match item {
            Item::ProvisionHistoryEntry(e) => format!("{}/{}", e.to_status, e.to_sub_status),
            other => panic!("{other:?}"),
        }).collect();
        assert_eq!(steps, vec![
            "CREATED/PENDING_PROCESS_USER",
            "CREATED/PENDING_PROCESS_RELATION_USER",
            "CREATED/PENDING_PROCESS_OAUTH_REQUEST",
            "CREATED/PENDING_PROCESS_USER_ONBOARDING",
            "ACTIVE/NONE",
            "CANCELLED/PENDING_PROCESS_CLOSURE",
            "CLOSED/NONE",
        ]);
    }

    async fn anonymous_audit_needs_no_onboarding(app: TestApp) {
        let client = ready_partner(&app).await;
        let id = create(&client, &ProvisionRequest {
            email: None,
            phone_number: None,
            user_verified_type: None,
            pointer: Some(provisio_client::wire::requests::Pointer {
                kind: Some("PHONE_NUMBER".into()),
                value: Some("+31687654321".into()),
                name: None,
            }),
            products: Some(vec!["USER_ANONYMOUS_TRANSACTION_AUDIT".into()]),
            date_of_birth: Some("1990-05-17".into()),
            ..person(&new_uuid())
        }).await;
        app.drain().await;
        let p = get(&client, id).await;
        assert_eq!(state(&p), ("ACTIVE", "NONE", "NONE"));
        assert_eq!(p.credential.map(|c| c.status).as_deref(), Some("PENDING_FIRST_USE"));
    }

    async fn every_put_from_every_state(app: TestApp) {
        let client = ready_partner(&app).await;
        // (how to reach the state, request, allowed?)
        let cases: &[(&str, &str, bool)] = &[
            ("user", "CANCELLED", true),
            ("user", "TOKEN_RESET_REQUESTED", false),
            ("relation", "CANCELLED", true),
            ("relation", "TOKEN_RESET_REQUESTED", false),
            ("oauth", "PENDING_PROCESS_CLOSURE", true),
            ("oauth", "TOKEN_RESET_REQUESTED", false),
            ("onboarding", "CANCELLED", true),
            ("onboarding", "TOKEN_RESET_REQUESTED", true),
            ("active", "CANCELLED", true),
            ("active", "TOKEN_RESET_REQUESTED", true),
            ("resetting", "CANCELLED", false),
            ("resetting", "TOKEN_RESET_REQUESTED", false),
            ("closing", "CANCELLED", false),
            ("closing", "TOKEN_RESET_REQUESTED", false),
            ("closed", "CANCELLED", false),
            ("closed", "TOKEN_RESET_REQUESTED", false),
            ("failed", "CANCELLED", false),
            ("failed", "TOKEN_RESET_REQUESTED", false),
            ("onboarding", "ACTIVE", false),
            ("onboarding", "CLOSED", false),
        ];
        for (reach, request, allowed) in cases {
            let id = create(&client, &person(&new_uuid())).await;
            let steps = match *reach { "user" => 0, "relation" => 1, "oauth" => 2, _ => 3 };
            for _ in 0..steps {
                app.step().await;
            }
            match *reach {
                "active" => assert_eq!(admin(&app, Method::POST, &format!("/_provisio/provisions/{id}/approve")).await.status, 200),
                "resetting" => put(&client, id, "TOKEN_RESET_REQUESTED").await.unwrap_or_else(|e| panic!("{e}")),
                "closing" => put(&client, id, "CANCELLED").await.unwrap_or_else(|e| panic!("{e}")),
                "closed" => { put(&client, id, "CANCELLED").await.unwrap_or_else(|e| panic!("{e}")); app.drain().await; }
                "failed" => assert_eq!(admin(&app, Method::POST, &format!("/_provisio/provisions/{id}/deny")).await.status, 200),
                _ => {}
            }
            let before = get(&client, id).await;
            let result = put(&client, id, request).await;
            assert_eq!(result.is_ok(), *allowed, "{request} from {reach}: {result:?}");
            if let Err(err) = result {
                assert_eq!(err.status(), Some(400));
                assert!(err.description().is_some_and(|d| d.len() > 20), "a reason: {err}");
                assert_eq!(state(&get(&client, id).await), state(&before), "a refused PUT changes nothing");
            }
            app.drain().await;
        }
    }

    async fn a_token_reset_issues_a_new_credential_and_returns(app: TestApp) {
        let client = ready_partner(&app).await;
        let (id, old_token) = onboarding(&app, &client).await;
        let old = get(&client, id).await.credential.unwrap_or_else(|| panic!());
        put(&client, id, "TOKEN_RESET_REQUESTED").await.unwrap_or_else(|e| panic!("{e}"));
        let p = get(&client, id).await;
        assert_eq!(state(&p), ("TOKEN_RESET_REQUESTED", "PENDING_PROCESS_TOKEN_RESET", "SYSTEM"));
        app.drain().await;
        let p = get(&client, id).await;
        assert_eq!(state(&p), ("CREATED", "PENDING_PROCESS_USER_ONBOARDING", "USER"));
        let new = p.credential.unwrap_or_else(|| panic!("no credential"));
        assert_ne!(new.id, old.id);
        assert_eq!(new.status, "PENDING_FIRST_USE");
        assert!(new.token_value.is_some_and(|t| t != old_token));
    }

    async fn refusals_say_why(app: TestApp) {
        // No OAuth client yet (J-14).
        let bare = app.client().await;
        let refused_uuid = new_uuid();
        let err = bare.post("/v1/partner-user-provision", &person(&refused_uuid)).await.err();
        assert_eq!(err.as_ref().and_then(|e| e.status()), Some(400));
        assert!(err.and_then(|e| e.description().map(|d| d.contains("OAuth client"))).unwrap_or(false));
        // Nothing was written: no provision, and its external_uuid is free once the partner
        // has a client.
        let list = bare.get("/v1/partner-user-provision").await.unwrap_or_else(|e| panic!("{e}"));
        assert!(list.response.is_empty(), "{:?}", list.response);
        bare.create_oauth_client("https://partner.example/oauth/callback").await
            .unwrap_or_else(|e| panic!("{e}"));
        create(&bare, &person(&refused_uuid)).await;

        let client = ready_partner(&app).await;
        let uuid = new_uuid();
        create(&client, &person(&uuid)).await;
        // The same external_uuid again (J-4), in any letter case.
        let err = client.post("/v1/partner-user-provision", &person(&uuid.to_uppercase())).await.err();
        assert_eq!(err.as_ref().and_then(|e| e.description()), Some("A provision with this external_uuid already exists."));

        for (body, text) in [
            (ProvisionRequest { external_uuid: Some("x".into()), ..person("") }, "UUID"),
            (ProvisionRequest { phone_number: Some("".into()), ..person(&new_uuid()) }, "phone_number"),
            (ProvisionRequest { products: Some(vec!["COMPANY_VERIFIED".into()]), ..person(&new_uuid()) }, "not available"),
        ] {
            let err = client.post("/v1/partner-user-provision", &body).await.err();
            assert_eq!(err.as_ref().and_then(|e| e.status()), Some(400));
            assert!(err.as_ref().and_then(|e| e.description()).is_some_and(|d| d.contains(text)), "{err:?}");
        }
        let err = put(&client, 1, "ACTIVE").await.err();
        assert_eq!(err.as_ref().and_then(|e| e.status()), Some(400));
    }

    async fn companies_need_a_live_director_of_the_same_partner(app: TestApp) {
        let client = ready_partner(&app).await;
        let director = create(&client, &person(&new_uuid())).await;
        let company = |id: i64| ProvisionRequest {
            user_verified_type: Some("PARTNER_USER_COMPANY".into()),
            products: Some(vec!["COMPANY_VERIFIED".into()]),
            director_relation_provision_id: Some(id),
            ..person(&new_uuid())
        };
        let id = create(&client, &company(director)).await;
        app.drain().await;
        let p = get(&client, id).await;
        assert_eq!(p.label_user.map(|l| l.kind).as_deref(), Some("COMPANY"));
        // A company is no director; neither is a closed person nor someone else's.
        let err = client.post("/v1/partner-user-provision", &company(id)).await.err();
        assert!(err.and_then(|e| e.description().map(|d| d.contains("PERSON"))).unwrap_or(false));
        put(&client, director, "CANCELLED").await.unwrap_or_else(|e| panic!("{e}"));
        let err = client.post("/v1/partner-user-provision", &company(director)).await.err();
        assert!(err.and_then(|e| e.description().map(|d| d.contains("CANCELLED"))).unwrap_or(false));
        let err = client.post("/v1/partner-user-provision", &company(999_999)).await.err();
        assert_eq!(err.and_then(|e| e.status()), Some(400));
    }

    async fn another_partner_s_provision_does_not_exist(app: TestApp) {
        let client = ready_partner(&app).await;
        let id = create(&client, &person(&new_uuid())).await;
        let (_, key) = provisio_server::context::partners::create_partner(
            app.store.as_ref(), app.clock.as_ref(), provisio_core::model::Environment::Sandbox, "Other BV",
        ).await.unwrap_or_else(|e| panic!("{e}"));
        let other = provisio_client::Client::builder(&app.base_url, key.expose())
            .signing_key(test_key()).connect().await.unwrap_or_else(|e| panic!("{e}"));
        let err = other.get(&format!("/v1/partner-user-provision/{id}")).await.err();
        assert_eq!(err.and_then(|e| e.status()), Some(404));
        let err = put(&other, id, "CANCELLED").await.err();
        assert_eq!(err.and_then(|e| e.status()), Some(404));
        let list = other.get("/v1/partner-user-provision").await.unwrap_or_else(|e| panic!("{e}"));
        assert!(list.response.is_empty());
    }

    async fn lists_filter_and_page(app: TestApp) {
        let client = ready_partner(&app).await;
        let mut ids = Vec::new();
        let mut uuids = Vec::new();
        for _ in 0..5 {
            let uuid = new_uuid();
            ids.push(create(&client, &person(&uuid)).await);
            uuids.push(uuid);
        }
        put(&client, ids[1], "CANCELLED").await.unwrap_or_else(|e| panic!("{e}"));
        put(&client, ids[3], "CANCELLED").await.unwrap_or_else(|e| panic!("{e}"));
        app.drain().await;
        let listed = |e: &provisio_client::wire::ResponseEnvelope| e.response.iter().map(|i| match i {
            Item::PartnerUserProvision(p) => p.id,
            other => panic!("{other:?}"),
        }).collect::<Vec<_>>();

        let page = client.get("/v1/partner-user-provision?status=CREATED&count=2").await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(listed(&page), vec![ids[4], ids[2]]);
        let older = page.pagination.and_then(|p| p.older_url).unwrap_or_else(|| panic!("no older_url"));
        assert_eq!(older, format!("/v1/partner-user-provision?status=CREATED&count=2&older_id={}", ids[2]));
        let page = client.get(&older).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(listed(&page), vec![ids[0]]);
        assert_eq!(page.pagination.and_then(|p| p.older_url), None);

        let page = client.get("/v1/partner-user-provision?status=CLOSED,CANCELLED").await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(listed(&page), vec![ids[3], ids[1]]);
        let page = client.get(&format!("/v1/partner-user-provision?external_uuid={}", uuids[2])).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(listed(&page), vec![ids[2]]);
        let err = client.get("/v1/partner-user-provision?status=PENDING").await.err();
        assert_eq!(err.and_then(|e| e.status()), Some(400));
    }

    async fn the_operator_api_needs_its_token(app: TestApp) {
        let client = ready_partner(&app).await;
        let id = create(&client, &person(&new_uuid())).await;
        let reply = app.send(Request::new(Method::GET, format!("/_provisio/provisions/{id}/history"))).await;
        assert_error(&reply, &app.server_key, 401, "Bearer");
        // A failed pending step ends the provision.
        let reply = admin(&app, Method::POST, &format!("/_provisio/provisions/{id}/fail")).await;
        assert_eq!(reply.status, 200);
        assert_eq!(state(&get(&client, id).await), ("FAILED", "NONE", "NONE"));
        let reply = admin(&app, Method::POST, &format!("/_provisio/provisions/{id}/approve")).await;
        assert_error(&reply, &app.server_key, 400, "onboarding");
        let reply = admin(&app, Method::POST, "/_provisio/provisions/999999/approve").await;
        assert_error(&reply, &app.server_key, 404, "not found");
    }

    async fn the_operator_token_scheme_is_case_insensitive(app: TestApp) {
        let client = ready_partner(&app).await;
        let id = create(&client, &person(&new_uuid())).await;
        let path = format!("/_provisio/provisions/{id}/history");
        let with = |value: String| app.send(Request::new(Method::GET, path.clone()).header("authorization", &value));
        // RFC 7235: the scheme is case-insensitive; the token is not.
        for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
            let reply = with(format!("{scheme} {}", app.admin_token)).await;
            assert_eq!(reply.status, 200, "{scheme}: {}", String::from_utf8_lossy(&reply.body));
        }
        let swapped: String = app.admin_token.chars().map(|c| if c.is_ascii_lowercase() { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() }).collect();
        assert_ne!(swapped, app.admin_token);
        for value in [format!("Bearer {swapped}"), format!("Basic {}", app.admin_token), format!("Bearer{}", app.admin_token), app.admin_token.clone()] {
            let reply = with(value.clone()).await;
            assert_error(&reply, &app.server_key, 401, "Bearer");
        }
    }
}
