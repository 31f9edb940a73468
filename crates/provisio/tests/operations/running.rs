//! A running server: credentials a CI script knows in advance, and its log.

use std::path::Path;

use provisio_client::Client;

use crate::{
    common::{self, provisio, serve_logging_to, serve_with},
    stderr, stdout, temp_dir,
};

const DEMO_KEY: &str = "sandbox_ci0123456789abcdef0123456789";
const ADMIN_TOKEN: &str = "ci-admin-token-0123456789";
fn serve_ci(data: &str, extra: &[&str], log: &Path) -> common::Serving {
    let log = std::fs::File::create(log).unwrap_or_else(|e| panic!("{e}"));
    let mut args = vec![
        "--data-dir",
        data,
        "--demo-api-key",
        DEMO_KEY,
        "--admin-token",
        ADMIN_TOKEN,
    ];
    args.extend_from_slice(extra);
    serve_logging_to(&args, "provisio listening on ", log)
}

#[tokio::test]
async fn a_demo_api_key_opens_an_api_context_after_every_start() {
    let out = provisio(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--demo-api-key",
        "ci-key-0123456789abcdef",
    ]);
    assert!(
        stderr(&out).contains("--demo-api-key: a sandbox API key starts with sandbox_"),
        "{}",
        stderr(&out)
    );

    let dir = temp_dir();
    let data = dir.path().join("data").to_string_lossy().into_owned();
    let log = dir.path().join("serve.log");
    let mut first = serve_ci(&data, &[], &log);
    // Its output is a pipe (as a CI log is): the key is not printed, only that it exists.
    assert!(
        !first.output.iter().any(|l| l.contains(DEMO_KEY))
            && first
                .output
                .iter()
                .any(|l| l.contains("Its API key is not printed")),
        "{:?}",
        first.output
    );
    let client = Client::connect(&first.url, DEMO_KEY)
        .await
        .unwrap_or_else(|e| panic!("handshake with --demo-api-key: {e}"));
    let me = client
        .context()
        .await
        .map(|c| c.user_id)
        .unwrap_or_default();
    first.stop();

    // A cached store: the same key still works, another one is added to the demo partner.
    let second = serve_ci(&data, &[], &log);
    assert!(
        second
            .output
            .iter()
            .any(|l| l.contains("already opens partner")),
        "{:?}",
        second.output
    );
    drop(second);
    let other = "sandbox_ci-second-key-0123456789";
    let third = serve_with(
        &["--data-dir", &data, "--demo-api-key", other],
        "provisio listening on ",
    );
    assert!(
        third
            .output
            .iter()
            .any(|l| l.contains("Added the --demo-api-key key")),
        "{:?}",
        third.output
    );
    let again = Client::connect(&third.url, other)
        .await
        .unwrap_or_else(|e| panic!("handshake with the added key: {e}"));
    assert_eq!(
        again.context().await.map(|c| c.user_id).unwrap_or_default(),
        me
    );
}

#[tokio::test]
async fn each_request_is_logged_once_without_secrets() {
    let dir = temp_dir();
    let data = dir.path().join("data").to_string_lossy().into_owned();
    for format in ["text", "json"] {
        let log = dir.path().join(format!("{format}.log"));
        let mut server = serve_ci(&data, &["--log-format", format], &log);
        let client = Client::connect(&server.url, DEMO_KEY)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let context = client.context().await.unwrap_or_else(|e| panic!("{e}"));
        let user = format!("/v1/user/{}", context.user_id);
        client.get(&user).await.unwrap_or_else(|e| panic!("{e}"));
        server.stop();

        let text = std::fs::read_to_string(&log).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            !text.contains('\u{1b}'),
            "ANSI escapes in a piped log: {text}"
        );
        for secret in [
            DEMO_KEY,
            ADMIN_TOKEN,
            &context.session_token,
            &context.installation_token,
        ] {
            assert!(!text.contains(secret), "a secret in the log: {text}");
        }
        let requests: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("provisio::access"))
            .collect();
        // installation, device-server, session-server, GET user
        assert_eq!(requests.len(), 4, "{text}");
        if format == "text" {
            let line = requests.last().copied().unwrap_or_default();
            for part in [
                "method=GET",
                "route=\"/v1/user/{user_id}\"",
                "status=200",
                "latency_us=",
                "request_id=",
            ] {
                assert!(line.contains(part), "{part} missing from {line}");
            }
            continue;
        }
        for line in text.lines() {
            let json: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            assert!(json.is_object(), "{line}");
        }
        // What it printed on stdout is JSON too, the banner included.
        for line in &server.output {
            let json: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            assert_eq!(json["target"], "provisio::banner", "{line}");
        }
        let last: serde_json::Value = serde_json::from_str(requests[3]).unwrap_or_default();
        assert_eq!(last["route"], "/v1/user/{user_id}", "{last}");
        // A whole number of microseconds, never a float of milliseconds.
        assert!(
            last["latency_us"].is_u64() && last.get("latency_ms").is_none(),
            "{last}"
        );
        assert_eq!(last["status"], 200, "{last}");
        assert!(
            last["request_id"].as_str().is_some_and(|id| !id.is_empty()),
            "{last}"
        );
    }
}

/// With `--log-format json` the start-up banner is JSON on stdout: a key or token only in a
/// `secret_` field, never in `message`; the demo key only when asked, the output being a pipe;
/// a refused start's last word is JSON too.
#[tokio::test]
async fn the_json_banner_marks_its_secrets() {
    let dir = temp_dir();
    let data = dir.path().join("data").to_string_lossy().into_owned();
    let server = serve_with(
        &[
            "--data-dir",
            &data,
            "--log-format",
            "json",
            "--print-demo-key",
        ],
        "provisio listening on ",
    );
    let first: Vec<serde_json::Value> = server
        .output
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let event = |lines: &[serde_json::Value], name: &str| {
        lines
            .iter()
            .find(|l| l["event"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name} in {lines:?}"))
    };
    let demo = event(&first, "demo_partner_created");
    let key = demo["secret_api_key"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(common::is_sandbox_key(&key), "{demo}");
    let operator = event(&first, "operator_api");
    let token = operator["secret_admin_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(token.starts_with("admin_"), "{operator}");
    assert!(event(&first, "listening")["url"]
        .as_str()
        .is_some_and(|u| u.starts_with("http://")));
    for line in &first {
        let message = line["message"].as_str().unwrap_or_default();
        assert!(
            !message.contains(&key) && !message.contains(&token),
            "{line}"
        );
        for (field, value) in line.as_object().into_iter().flatten() {
            let secret = value.as_str().is_some_and(|v| v == key || v == token);
            assert!(!secret || field.starts_with("secret_"), "{line}");
        }
    }
    // The key opens the demo partner.
    let client = Client::connect(
        event(&first, "listening")["url"]
            .as_str()
            .unwrap_or_default(),
        &key,
    )
    .await;
    if let Err(e) = client {
        panic!("handshake with the printed key: {e}");
    }

    // A new store, without --print-demo-key: the partner is made, its key not printed.
    let other = dir.path().join("other").to_string_lossy().into_owned();
    let piped = serve_with(&["--data-dir", &other], "provisio listening on ");
    assert!(
        !piped.output.iter().any(|l| l.contains("sandbox_"))
            && piped
                .output
                .iter()
                .any(|l| l.contains("Its API key is not printed")),
        "{:?}",
        piped.output
    );

    let out = provisio(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--log-format",
        "json",
        "--request-timeout",
        "0s",
    ]);
    let last: serde_json::Value = serde_json::from_str(stderr(&out).trim())
        .unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    assert_eq!(last["level"], "ERROR", "{last}");
    assert!(
        last["message"]
            .as_str()
            .is_some_and(|m| m.contains("--request-timeout")),
        "{last}"
    );
}

/// A webhook receiver that always answers 500.
async fn failing_receiver() -> String {
    use axum::{http::StatusCode, routing::post, Router};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let app = Router::new().route(
        "/hook",
        post(|| async { StatusCode::INTERNAL_SERVER_ERROR }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}/hook")
}

#[tokio::test]
async fn each_failed_webhook_attempt_is_a_warning() {
    let target = failing_receiver().await;
    let dir = temp_dir();
    let data = dir.path().join("data").to_string_lossy().into_owned();
    let log = dir.path().join("serve.log");
    let mut server = serve_ci(
        &data,
        &[
            "--step-delay",
            "1h",
            "--webhook-retry-schedule",
            "10ms,10ms",
        ],
        &log,
    );
    let client = common::partner_sending_webhooks_to(&server.url, DEMO_KEY, &target).await;
    client
        .post("/v1/partner-user-provision", &common::person())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // Three attempts 10 ms apart; the dispatcher polls every 200 ms.
    let mut text = String::new();
    for _ in 0..100 {
        text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains("attempt 3 of 3") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    server.stop();
    let warnings: Vec<&str> = text.lines().filter(|l| l.contains("WARN")).collect();
    for n in 1..=3 {
        let line = warnings
            .iter()
            .find(|l| l.contains(&format!("webhook attempt {n} of 3 failed")))
            .unwrap_or_else(|| panic!("no warning for attempt {n}: {text}"));
        assert!(line.contains(&target) && line.contains("500"), "{line}");
    }
}

#[tokio::test]
async fn requests_are_listed_with_why_they_were_refused() {
    let dir = temp_dir();
    let data = dir.path().join("data").to_string_lossy().into_owned();
    let server = serve_ci(&data, &[], &dir.path().join("serve.log"));
    let reply = reqwest::get(format!("{}/v1/device-server", server.url))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(reply.status().as_u16(), 401);

    let list = |token: &str| {
        provisio(&[
            "requests",
            "list",
            "--url",
            &server.url,
            "--admin-token",
            token,
        ])
    };
    let out = list(ADMIN_TOKEN);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("401 GET /v1/device-server"), "{text}");
    assert!(
        text.contains("no X-Bunq-Client-Authentication header"),
        "{text}"
    );
    let out = list("wrong-token");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("401"), "{}", stderr(&out));
}
