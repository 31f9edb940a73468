//! Bad input and wrong routes: always bunq's error envelope, the right status, a signature.

use provisio_client::{
    wire::requests::{DeviceServerRequest, InstallationRequest, SessionServerRequest},
    Request, Signing,
};
use provisio_server::ServerConfig;
use provisio_store::Backend;
use reqwest::Method;

use crate::helpers::*;

async fn small_bodies(backend: Backend) -> TestApp {
    TestApp::spawn_with(
        backend,
        ServerConfig {
            body_limit: 4096,
            ..test_config()
        },
    )
    .await
}

for_each_backend! { TestApp::spawn =>
    async fn a_bad_pem_is_refused(app: TestApp) {
        for key in ["not a key", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", ""] {
            let reply = app.send(Request::new(Method::POST, "/v1/installation")
                .json(&InstallationRequest { client_public_key: key.into() })).await;
            assert_error(&reply, &app.server_key, 400, "client_public_key");
        }
    }

    async fn an_unknown_api_key_is_refused(app: TestApp) {
        let client = provisio_client::Client::builder(&app.base_url, "sandbox_0000")
            .signing_key(test_key()).build().unwrap_or_else(|e| panic!("{e}"));
        let inst = client.create_installation().await.unwrap_or_else(|e| panic!("{e}"));
        let reply = client.api().send(Request::new(Method::POST, "/v1/device-server")
            .token(&inst.token)
            .json(&DeviceServerRequest { description: "x".into(), secret: "sandbox_0000".into(), permitted_ips: None }))
            .await.unwrap_or_else(|e| panic!("{e}"));
        assert_error(&reply, &app.server_key, 400, "User credentials are incorrect. Incorrect API key or IP address.");
    }

    async fn a_session_needs_a_device_for_that_key_on_that_installation(app: TestApp) {
        let client = app.client_builder().build().unwrap_or_else(|e| panic!("{e}"));
        let inst = client.create_installation().await.unwrap_or_else(|e| panic!("{e}"));
        let reply = client.api().send(Request::new(Method::POST, "/v1/session-server")
            .token(&inst.token)
            .json(&SessionServerRequest { secret: app.api_key.clone() })).await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_error(&reply, &app.server_key, 400, "User credentials are incorrect");
    }

    async fn unknown_routes_and_methods_get_the_envelope(app: TestApp) {
        let reply = app.send(Request::new(Method::GET, "/v1/no-such-thing")).await;
        assert_error(&reply, &app.server_key, 404, "route does not exist");
        let reply = app.send(Request::new(Method::GET, "/")).await;
        assert_error(&reply, &app.server_key, 404, "route does not exist");
        let reply = app.send(Request::new(Method::PATCH, "/v1/installation")).await;
        assert_error(&reply, &app.server_key, 405, "not allowed");
        let reply = app.send(Request::new(Method::DELETE, "/v1/session-server")).await;
        assert_error(&reply, &app.server_key, 405, "not allowed");
    }

    async fn non_numeric_ids_are_not_found(app: TestApp) {
        let client = app.client().await;
        let token = client.context().await.map(|c| c.session_token).unwrap_or_default();
        for path in ["/v1/installation/NaN/server-public-key", "/v1/device-server/-1", "/v1/device-server/abc"] {
            let reply = app.send(Request::new(Method::GET, path).token(&token)).await;
            assert_error(&reply, &app.server_key, 404, "not found");
        }
    }

    async fn malformed_bodies_are_bad_requests(app: TestApp) {
        let install = |body: &str| Request::new(Method::POST, "/v1/installation").body(body.as_bytes().to_vec());
        let reply = app.send(install("{\"client_public_key\": ")).await;
        assert_error(&reply, &app.server_key, 400, "not valid JSON");
        let reply = app.send(install("[1,2]")).await;
        assert_error(&reply, &app.server_key, 400, "must be a JSON object");
        let reply = app.send(install("{}")).await;
        assert_error(&reply, &app.server_key, 400, "client_public_key");
        let reply = app.send(install("")).await;
        assert_error(&reply, &app.server_key, 400, "empty");
        let reply = app.send(install("{}").content_type(Some("application/xml"))).await;
        assert_error(&reply, &app.server_key, 400, "application/json");
    }

    async fn an_installation_token_does_not_open_normal_routes(app: TestApp) {
        let client = app.client().await;
        let context = client.context().await.unwrap_or_else(|e| panic!("{e}"));
        let reply = app.send(Request::new(Method::GET, "/v1/device-server").token(&context.installation_token)).await;
        assert_error(&reply, &app.server_key, 401, "Insufficient authorisation.");
        // Nor does a session token open installation-token routes.
        let reply = app.send(Request::new(Method::POST, "/v1/device-server")
            .token(&context.session_token)
            .json(&DeviceServerRequest { description: "x".into(), secret: app.api_key.clone(), permitted_ips: None }))
            .await;
        assert_error(&reply, &app.server_key, 401, "Insufficient authorisation.");
        let reply = app.send(Request::new(Method::GET, "/v1/device-server")).await;
        assert_error(&reply, &app.server_key, 401, "Insufficient authorisation.");
        let reply = app.send(Request::new(Method::GET, "/v1/device-server").token("0".repeat(64))).await;
        assert_error(&reply, &app.server_key, 401, "Insufficient authorisation.");
    }
}

for_each_backend! { small_bodies =>
    async fn oversized_bodies_are_refused(app: TestApp) {
        let big = format!("{{\"client_public_key\":\"{}\"}}", "a".repeat(10_000));
        let reply = app.send(Request::new(Method::POST, "/v1/installation").body(big.into_bytes())).await;
        assert_error(&reply, &app.server_key, 413, "too large");
    }
}

for_each_backend! { strict =>
    async fn strict_takes_a_body_without_content_type_but_not_another_type(app: TestApp) {
        // bunq takes a body that declares no type; its Python SDK never declares one.
        let body = serde_json::to_vec(&InstallationRequest {
            client_public_key: test_key().public_key_pem().unwrap_or_default(),
        }).unwrap_or_default();
        let reply = app.send(Request::new(Method::POST, "/v1/installation").body(body.clone()).content_type(None)).await;
        assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
        let reply = app.send(Request::new(Method::POST, "/v1/installation").body(body.clone()).content_type(Some("text/plain"))).await;
        assert_error(&reply, &app.server_key, 400, "Content-Type \"text/plain\" is not supported here");
        let reply = app.send(Request::new(Method::POST, "/v1/installation").body(body).signing(Signing::Unsigned)).await;
        assert_eq!(reply.status, 200);
    }
}

for_each_backend! { TestApp::spawn =>
    async fn dev_forgives_a_missing_content_type(app: TestApp) {
        let body = serde_json::to_vec(&InstallationRequest {
            client_public_key: test_key().public_key_pem().unwrap_or_default(),
        }).unwrap_or_default();
        let reply = app.send(Request::new(Method::POST, "/v1/installation").body(body).content_type(None)).await;
        assert_eq!(reply.status, 200);
    }
}

for_each_backend! { strict =>
    async fn strict_applies_bunqs_rate_limits(app: TestApp) {
        let client = app.client().await;
        let token = client.context().await.map(|c| c.session_token).unwrap_or_default();
        let get = || Request::new(Method::GET, "/v1/installation").token(&token);
        for _ in 0..3 {
            assert_eq!(app.send(get()).await.status, 200);
        }
        let reply = app.send(get()).await;
        assert_error(&reply, &app.server_key, 429,
            "Too many requests. You can do a maximum of 3 calls per 3 second to this endpoint.");
        // Another endpoint has its own window.
        assert_eq!(app.send(Request::new(Method::GET, "/v1/device-server").token(&token)).await.status, 200);
        // One session per 30 seconds per key (J-12): re-opening at once is refused.
        let err = client.renew_session().await.err();
        assert_eq!(err.as_ref().and_then(|e| e.status()), Some(429));
        assert!(err.and_then(|e| e.description().map(|d| d == "Too many requests. You can do a maximum of 1 calls per 30 second to this endpoint.")).unwrap_or(false));
    }
}

for_each_backend! { TestApp::spawn =>
    async fn dev_has_no_rate_limits(app: TestApp) {
        let client = app.client().await;
        for _ in 0..10 {
            client.get("/v1/installation").await.unwrap_or_else(|e| panic!("{e}"));
        }
        client.renew_session().await.unwrap_or_else(|e| panic!("{e}"));
    }
}
