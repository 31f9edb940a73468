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

/// bunq's three encryption headers, well-formed Base64 (their content is checked only once
/// the body has arrived).
const ENCRYPTION_HEADERS: &str = "X-Bunq-Client-Encryption-Key: AAAA\r\nX-Bunq-Client-Encryption-Iv: AAAA\r\nX-Bunq-Client-Encryption-Hmac: AAAA\r\n";

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

    async fn an_encrypted_body_may_declare_a_block_more_than_the_limit(app: TestApp) {
        // Within body_limit + IV_LEN, a declared length is not refused at once: the body is
        // waited for (here it never comes, so the timeout answers).
        let head = format!(
            "POST /v1/installation HTTP/1.1\r\nHost: provisio\r\nContent-Type: application/json\r\n{ENCRYPTION_HEADERS}Content-Length: {}\r\n\r\n",
            ServerConfig::default().body_limit + 16
        );
        let reply = raw::exchange(app.addr, head.as_bytes()).await;
        assert_error(&reply, &app.server_key, 408, "The encrypted request body did not arrive in time.");
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
    async fn a_declared_length_over_the_limit_is_refused_at_once(app: TestApp) {
        // The default request timeout (30 s) is far beyond what the test waits: the refusal
        // comes from the declared length, not from the body that never arrives.
        let limit = ServerConfig::default().body_limit;
        assert!(ServerConfig::default().request_timeout >= Duration::from_secs(30));
        let head = format!(
            "POST /v1/installation HTTP/1.1\r\nHost: provisio\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            limit + 1
        );
        let mut stream = raw::connect(app.addr).await;
        raw::write(&mut stream, head.as_bytes()).await;
        let started = std::time::Instant::now();
        let reply = tokio::time::timeout(Duration::from_secs(5), raw::read_reply(&mut stream))
            .await
            .unwrap_or_else(|_| panic!("no answer within 5 s: the body was waited for"))
            .unwrap_or_else(|| panic!("closed without an answer"));
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_error(&reply, &app.server_key, 413, "The request body is too large; at most 1048576 bytes are accepted.");
        // An encrypted body may be a block (IV_LEN) longer than the limit; beyond that, the same.
        let head = format!(
            "POST /v1/installation HTTP/1.1\r\nHost: provisio\r\nContent-Type: application/json\r\n{ENCRYPTION_HEADERS}Content-Length: {}\r\n\r\n",
            limit + 16 + 1
        );
        let mut stream = raw::connect(app.addr).await;
        raw::write(&mut stream, head.as_bytes()).await;
        let reply = tokio::time::timeout(Duration::from_secs(5), raw::read_reply(&mut stream))
            .await
            .unwrap_or_else(|_| panic!("no answer within 5 s: the encrypted body was waited for"))
            .unwrap_or_else(|| panic!("closed without an answer"));
        assert_error(&reply, &app.server_key, 413, "The encrypted request body is too large; at most 1048592 bytes are accepted.");
    }

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
