//! `provisio webhooks sink NAME`: what a running server's built-in sink kept, as a developer
//! reads it after pointing a notification filter at `http://localhost:PORT/_provisio/sink/NAME`.

mod common;

use common::provisio;

#[tokio::test]
async fn a_provisions_webhooks_are_printed_from_the_sink() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = dir.path().to_string_lossy().into_owned();
    let server = common::serve_with(
        &[
            "--data-dir",
            &data,
            "--step-delay",
            "0s",
            "--admin-token",
            "sink-test-token",
            "--print-demo-key",
        ],
        "provisio listening on ",
    );
    let key = server.demo_key();
    let target = format!(
        "{}/_provisio/sink/acme",
        server.url.replace("127.0.0.1", "localhost")
    );
    let client = common::partner_sending_webhooks_to(&server.url, &key, &target).await;
    client
        .post("/v1/partner-user-provision", &common::person())
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    let sink = |extra: &[&str]| {
        let mut args = vec![
            "webhooks",
            "sink",
            "acme",
            "--url",
            &server.url,
            "--admin-token",
            "sink-test-token",
        ];
        args.extend_from_slice(extra);
        let out = provisio(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // The server's own worker and dispatcher run: wait for the four provision events.
    let mut printed = String::new();
    for _ in 0..100 {
        printed = sink(&[]);
        if printed.matches("signature VALID").count() == 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(printed.matches("signature VALID").count(), 4, "{printed}");
    assert!(
        printed.contains("\"event_type\": \"PARTNER_USER_PROVISION_PROCESS_UPDATED\""),
        "{printed}"
    );

    let json: serde_json::Value =
        serde_json::from_str(&sink(&["--json"])).unwrap_or_else(|e| panic!("not JSON: {e}"));
    assert_eq!(json.as_array().map(Vec::len), Some(4));
    assert!(json[0]["headers"]["x-provisio-event-id"].is_string());

    let nothing = provisio(&[
        "webhooks",
        "sink",
        "nobody",
        "--url",
        &server.url,
        "--admin-token",
        "sink-test-token",
    ]);
    assert!(String::from_utf8_lossy(&nothing.stdout).contains("Nothing arrived at sink nobody"));
    let refused = provisio(&[
        "webhooks",
        "sink",
        "acme",
        "--url",
        &server.url,
        "--admin-token",
        "wrong",
    ]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("401"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}
