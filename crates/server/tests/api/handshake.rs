//! Opening an API context the way bunq's clients do.

use provisio_client::{
    wire::{requests::InstallationRequest, Item},
    Request,
};
use reqwest::Method;

use crate::helpers::*;

fn is_token(token: &str) -> bool {
    token.len() == 64
        && token
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
}

fn is_bunq_time(t: &str) -> bool {
    provisio_client::wire::time::parse(t).is_some()
}

for_each_backend! { TestApp::spawn =>
    async fn full_handshake_answers_in_bunqs_shapes_and_order(app: TestApp) {
        // POST /installation: Id, Token, ServerPublicKey, in that order.
        let key = test_key();
        let reply = app.send(Request::new(Method::POST, "/v1/installation").json(&InstallationRequest {
            client_public_key: key.public_key_pem().unwrap_or_default(),
        })).await;
        assert_eq!(reply.status, 200);
        let envelope = reply.envelope().unwrap_or_else(|e| panic!("{e}"));
        match envelope.response.as_slice() {
            [Item::Id(id), Item::Token(token), Item::ServerPublicKey(server)] => {
                assert_eq!(token.id, id.id);
                assert!(is_token(&token.token));
                assert!(is_bunq_time(&token.created) && is_bunq_time(&token.updated));
                assert!(server.server_public_key.starts_with("-----BEGIN PUBLIC KEY-----\n"));
                let server_key = provisio_client::VerifyingKey::from_pem(&server.server_public_key)
                    .unwrap_or_else(|e| panic!("{e}"));
                reply.verify(&server_key).unwrap_or_else(|e| panic!("{e}"));
            }
            other => panic!("unexpected installation answer {other:?}"),
        }

        // The client does the whole handshake and checks every signature on the way.
        let client = app.client().await;
        let context = client.context().await.unwrap_or_else(|e| panic!("{e}"));
        match context.session.response.as_slice() {
            [Item::Id(id), Item::Token(token), Item::UserCompany(user)] => {
                assert_eq!(token.id, id.id);
                assert!(is_token(&token.token));
                assert_eq!(user.id, app.partner_id);
                assert_eq!(user.display_name, "Acme BV");
                assert_eq!(user.session_timeout, 604_800);
                assert_eq!(user.status, "ACTIVE");
                assert!(is_bunq_time(&user.created));
            }
            other => panic!("unexpected session answer {other:?}"),
        }
        assert_eq!(context.user_id, app.partner_id);

        // The context is usable: installation and device reads.
        let installation = client.get("/v1/installation").await.unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(installation.response.as_slice(), [Item::Id(id)] if id.id == context.installation_id));
        let path = format!("/v1/installation/{}/server-public-key", context.installation_id);
        let key = client.get(&path).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(key.response.as_slice(), [Item::ServerPublicKey(k)] if k.server_public_key.starts_with("-----BEGIN PUBLIC KEY")));
        let other = format!("/v1/installation/{}/server-public-key", context.installation_id + 1000);
        assert_eq!(client.get(&other).await.err().and_then(|e| e.status()), Some(404));

        let devices = client.get("/v1/device-server").await.unwrap_or_else(|e| panic!("{e}"));
        match devices.response.as_slice() {
            [Item::DeviceServer(d)] => {
                assert_eq!(d.id, context.device_id);
                assert_eq!(d.description, "provisio-client");
                assert_eq!(d.ip, "127.0.0.1");
                assert_eq!(d.status, "ACTIVE");
            }
            other => panic!("unexpected device list {other:?}"),
        }
        assert!(devices.pagination.is_some());
        let device = client.get(&format!("/v1/device-server/{}", context.device_id)).await;
        assert!(matches!(device.map(|e| e.response), Ok(items) if items.len() == 1));
    }

    async fn pkcs1_public_keys_are_accepted(app: TestApp) {
        let spki = test_key().public_key_pem().unwrap_or_default();
        let der = pem::parse(&spki).unwrap_or_else(|e| panic!("{e}"));
        // An RSA-2048 SPKI is a fixed 24-byte header around the PKCS#1 RSAPublicKey.
        let pkcs1 = pem::encode(&pem::Pem::new("RSA PUBLIC KEY", der.contents()[24..].to_vec()));
        let reply = app.send(Request::new(Method::POST, "/v1/installation")
            .json(&InstallationRequest { client_public_key: pkcs1 })).await;
        assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    }

    async fn request_ids_are_echoed_and_response_ids_are_fresh(app: TestApp) {
        let request = || Request::new(Method::GET, "/v1/installation")
            .header("x-bunq-client-request-id", "my-request-42");
        let first = app.send(request()).await;
        let second = app.send(request()).await;
        assert_eq!(first.header("x-bunq-client-request-id"), Some("my-request-42"));
        let (a, b) = (first.header("x-bunq-client-response-id"), second.header("x-bunq-client-response-id"));
        // A UUID v4 each (RFC 9562's variant), lower case as bunq writes them.
        for id in [a, b] {
            let id = id.unwrap_or_else(|| panic!("no response id"));
            let parsed = uuid::Uuid::parse_str(id).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!((parsed.get_version_num(), parsed.get_variant()), (4, uuid::Variant::RFC4122), "{id}");
            assert_eq!(id, parsed.hyphenated().to_string(), "{id}");
        }
        assert_ne!(a, b);
    }

    async fn device_lists_paginate_with_bunq_urls(app: TestApp) {
        let client = app.client().await;
        let context = client.context().await.unwrap_or_else(|e| panic!("{e}"));
        let installed = provisio_client::Client::builder(&app.base_url, &app.api_key)
            .signing_key(test_key()).build().unwrap_or_else(|e| panic!("{e}"));
        let inst = installed.create_installation().await.unwrap_or_else(|e| panic!("{e}"));
        for _ in 0..2 {
            installed.create_device(&inst).await.unwrap_or_else(|e| panic!("{e}"));
        }
        let ids = |e: &provisio_client::wire::ResponseEnvelope| e.response.iter().map(|i| match i {
            Item::DeviceServer(d) => d.id,
            other => panic!("{other:?}"),
        }).collect::<Vec<_>>();

        let first = client.get("/v1/device-server?count=2").await.unwrap_or_else(|e| panic!("{e}"));
        let first_ids = ids(&first);
        assert_eq!(first_ids.len(), 2);
        assert!(first_ids[0] > first_ids[1], "newest first");
        let links = first.pagination.clone().unwrap_or_else(|| panic!("no Pagination"));
        assert_eq!(links.newer_url, None);
        assert_eq!(links.future_url, Some(format!("/v1/device-server?count=2&newer_id={}", first_ids[0])));
        let older = links.older_url.unwrap_or_else(|| panic!("no older_url"));
        assert_eq!(older, format!("/v1/device-server?count=2&older_id={}", first_ids[1]));

        let second = client.get(&older).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ids(&second), vec![context.device_id]);
        let links = second.pagination.unwrap_or_else(|| panic!("no Pagination"));
        assert_eq!(links.older_url, None);
        assert_eq!(links.future_url, None);
        assert_eq!(links.newer_url, Some(format!("/v1/device-server?count=2&newer_id={}", context.device_id)));

        let bad = client.get("/v1/device-server?count=500").await.err();
        assert_eq!(bad.as_ref().and_then(|e| e.status()), Some(400));
        assert!(bad.and_then(|e| e.description().map(|d| d.contains("count"))).unwrap_or(false));
    }
}
