//! `permitted_ips` (spec A.12, J-10, J-32). Loopback is a whole /8 on Linux, so a client can
//! come from 127.0.0.2 to a server on 127.0.0.1.

use std::net::IpAddr;

use provisio_client::{wire::requests::SessionServerRequest, Api, Client, Request};
use provisio_server::ServerConfig;
use provisio_store::Backend;
use reqwest::Method;

use crate::helpers::*;

fn api_from(app: &TestApp, source: &str) -> Api {
    let source: IpAddr = source.parse().unwrap_or_else(|e| panic!("{e}"));
    let http = reqwest::Client::builder()
        .local_address(source)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    Api::with_http_client(&app.base_url, test_key(), http)
}

async fn client_with_ips(app: &TestApp, ips: Option<Vec<&str>>) -> Client {
    app.client_builder()
        .permitted_ips(ips.map(|ips| ips.into_iter().map(str::to_owned).collect()))
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn no_ip_checks(backend: Backend) -> TestApp {
    TestApp::spawn_with(
        backend,
        ServerConfig {
            ip_checks: false,
            ..test_config()
        },
    )
    .await
}

for_each_backend! { TestApp::spawn =>
    async fn an_address_outside_the_list_cannot_open_a_session(app: TestApp) {
        let client = client_with_ips(&app, Some(vec!["10.9.8.7"])).await;
        let err = client.handshake().await.err();
        assert_eq!(err.as_ref().and_then(|e| e.status()), Some(400));
        let told = err.as_ref().and_then(|e| e.description()).unwrap_or_default();
        assert!(told.starts_with("User credentials are incorrect. Incorrect API key or IP address."), "{told}");
        // The dev profile's debugger names the address it saw and the ones permitted.
        assert!(told.contains("the request came from 127.0.0.1") && told.contains("permits 10.9.8.7"), "{told}");
        let listed = client_with_ips(&app, Some(vec!["10.9.8.7", "127.0.0.1"])).await;
        listed.handshake().await.unwrap_or_else(|e| panic!("{e}"));
    }

    async fn an_empty_list_binds_the_registering_address(app: TestApp) {
        let client = client_with_ips(&app, None).await;
        let context = client.handshake().await.unwrap_or_else(|e| panic!("{e}"));
        // The session works from the bound address...
        let reply = app.send(Request::new(Method::GET, "/v1/installation").token(&context.session_token)).await;
        assert_eq!(reply.status, 200);
        // ...and not from another one (J-32: 401 once the session exists).
        let elsewhere = api_from(&app, "127.0.0.2");
        let reply = elsewhere.send(Request::new(Method::GET, "/v1/installation").token(&context.session_token))
            .await.unwrap_or_else(|e| panic!("{e}"));
        assert_error(&reply, &app.server_key, 401, "Insufficient authorisation.");
        // Nor can that address open a session on the bound device.
        let body = serde_json::to_vec(&SessionServerRequest { secret: app.api_key.clone() }).unwrap_or_default();
        let signature = client.api().key().sign(&body).unwrap_or_default();
        let reply = elsewhere.send(Request::new(Method::POST, "/v1/session-server")
            .token(&context.installation_token)
            .body(body)
            .signing(provisio_client::Signing::Header(signature))).await.unwrap_or_else(|e| panic!("{e}"));
        assert_error(&reply, &app.server_key, 400, "Incorrect API key or IP address.");
    }

    async fn a_wildcard_allows_any_address(app: TestApp) {
        let context = app.client().await.context().await.unwrap_or_else(|e| panic!("{e}"));
        let reply = api_from(&app, "127.0.0.3").send(Request::new(Method::GET, "/v1/installation")
            .token(&context.session_token)).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reply.status, 200);
    }

    async fn malformed_ip_lists_are_refused(app: TestApp) {
        for bad in ["::1", "localhost", "10.0.0.256"] {
            let err = client_with_ips(&app, Some(vec![bad])).await.handshake().await.err();
            assert_eq!(err.as_ref().and_then(|e| e.status()), Some(400), "{bad}");
            assert!(err.and_then(|e| e.description().map(|d| d.contains(bad))).unwrap_or(false));
        }
    }
}

for_each_backend! { no_ip_checks =>
    async fn ip_checks_can_be_switched_off(app: TestApp) {
        let client = client_with_ips(&app, Some(vec!["10.9.8.7"])).await;
        client.handshake().await.unwrap_or_else(|e| panic!("{e}"));
    }
}
