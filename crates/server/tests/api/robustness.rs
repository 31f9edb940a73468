//! What a hostile or broken client does to a connection: slow headers, short bodies,
//! malformed HTTP, oversized requests. Every answer is bunq's signed envelope; nothing stays
//! open forever; shutting down still finishes what is in flight.

use std::time::Duration;

use provisio_client::wire::requests::InstallationRequest;
use provisio_server::ServerConfig;
use provisio_store::Backend;

use crate::{helpers::*, raw};

const TIMEOUT: Duration = Duration::from_millis(200);

async fn quick_timeouts(backend: Backend) -> TestApp {
    TestApp::spawn_with(
        backend,
        ServerConfig {
            request_timeout: TIMEOUT,
            ..test_config()
        },
    )
    .await
}

fn installation_body() -> Vec<u8> {
    serde_json::to_vec(&InstallationRequest {
        client_public_key: test_key().public_key_pem().unwrap_or_default(),
    })
    .unwrap_or_default()
}

for_each_backend! { quick_timeouts =>
    async fn a_partial_header_is_closed_after_the_timeout(app: TestApp) {
        let mut stream = raw::connect(app.addr).await;
        raw::write(&mut stream, b"GET /v1/installation HTTP/1.1\r\nHost: provisio\r\nX-Bunq-Cli").await;
        let waited = raw::closed_within(&mut stream).await;
        assert!(waited >= TIMEOUT / 2, "closed after {waited:?}, before the timeout");
        // An idle keep-alive connection is closed the same way.
        let mut stream = raw::connect(app.addr).await;
        raw::write(&mut stream, b"GET /nothing HTTP/1.1\r\nHost: provisio\r\n\r\n").await;
        let reply = raw::read_reply(&mut stream).await.unwrap_or_else(|| panic!("no answer"));
        assert_error(&reply, &app.server_key, 404, "route does not exist");
        raw::closed_within(&mut stream).await;
    }

    async fn a_short_body_is_refused_after_the_timeout(app: TestApp) {
        let body = installation_body();
        let mut request = format!(
            "POST /v1/installation HTTP/1.1\r\nHost: provisio\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len() + 10
        ).into_bytes();
        request.extend_from_slice(&body);
        let reply = raw::exchange(app.addr, &request).await;
        assert_error(&reply, &app.server_key, 408, "The request body did not arrive in time.");
    }
}

for_each_backend! { TestApp::spawn =>
    async fn malformed_http_gets_the_signed_envelope(app: TestApp) {
        let cases: [(&str, Vec<u8>, &str); 4] = [
            ("bad Content-Length",
             b"POST /v1/installation HTTP/1.1\r\nHost: provisio\r\nContent-Length: ten\r\n\r\n{}".to_vec(),
             "not valid HTTP"),
            ("two Content-Lengths",
             b"POST /v1/installation HTTP/1.1\r\nHost: provisio\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}".to_vec(),
             "not valid HTTP"),
            ("NUL in a header",
             b"GET /v1/installation HTTP/1.1\r\nHost: provisio\r\nX-Bunq-Language: en\0US\r\n\r\n".to_vec(),
             "not valid HTTP"),
            ("too many headers", {
                let mut request = b"GET /v1/installation HTTP/1.1\r\nHost: provisio\r\n".to_vec();
                for i in 0..150 {
                    request.extend_from_slice(format!("X-Filler-{i}: x\r\n").as_bytes());
                }
                request.extend_from_slice(b"\r\n");
                request
            }, "headers are too large or too many"),
        ];
        for (case, request, text) in cases {
            let reply = raw::exchange(app.addr, &request).await;
            assert_eq!(reply.status, 400, "{case}");
            assert_error(&reply, &app.server_key, 400, text);
        }
    }

    async fn oversized_paths_and_headers_get_the_signed_envelope(app: TestApp) {
        let path = format!("/v1/installation/{}", "1".repeat(10_000));
        let request = format!("GET {path} HTTP/1.1\r\nHost: provisio\r\nConnection: close\r\n\r\n");
        let reply = raw::exchange(app.addr, request.as_bytes()).await;
        assert_error(&reply, &app.server_key, 400, "The request's path is too long");
        let request = format!(
            "GET /v1/installation HTTP/1.1\r\nHost: provisio\r\nX-Filler: {}\r\nConnection: close\r\n\r\n",
            "x".repeat(80_000)
        );
        let reply = raw::exchange(app.addr, request.as_bytes()).await;
        assert_error(&reply, &app.server_key, 400, "The request's headers are too large");
        // Broken chunked framing is found while the body is read: our extractor answers.
        let reply = raw::exchange(app.addr,
            b"POST /v1/installation HTTP/1.1\r\nHost: provisio\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n").await;
        assert_error(&reply, &app.server_key, 400, "The request body could not be read.");
        // The server still answers well-formed requests.
        let reply = raw::exchange(app.addr, b"GET /v1/nothing HTTP/1.1\r\nHost: provisio\r\n\r\n").await;
        assert_error(&reply, &app.server_key, 404, "route does not exist");
    }
}

for_each_backend! { TestApp::spawn =>
    async fn shutting_down_finishes_a_request_in_flight(app: TestApp) {
        let mut app = app;
        let body = installation_body();
        let (first, rest) = body.split_at(body.len() / 2);
        let mut stream = raw::connect(app.addr).await;
        raw::write(&mut stream, format!(
            "POST /v1/installation HTTP/1.1\r\nHost: provisio\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        ).as_bytes()).await;
        raw::write(&mut stream, first).await;
        // Let the server accept the connection and start on the request.
        tokio::time::sleep(Duration::from_millis(100)).await;
        // The request is being read when the server is told to stop; it still gets its answer,
        // and only then does the server stop (and start again).
        let finish = async {
            tokio::time::sleep(Duration::from_millis(200)).await;
            raw::write(&mut stream, rest).await;
            raw::read_reply(&mut stream).await
        };
        let ((), reply) = tokio::join!(app.restart(), finish);
        let reply = reply.unwrap_or_else(|| panic!("the request in flight was dropped"));
        assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    }
}
