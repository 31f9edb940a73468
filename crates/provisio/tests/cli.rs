//! The `provisio` binary as operators and scripts use it.

mod common;

use common::{is_sandbox_key, provisio, serve};
use provisio_client::Client;

#[test]
fn partner_create_prints_the_key_alone_on_the_last_line() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = dir.path().to_string_lossy().into_owned();
    let out = provisio(&[
        "partner",
        "create",
        "--name",
        "Acme BV",
        "--data-dir",
        &data,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        is_sandbox_key(stdout.lines().last().unwrap_or_default()),
        "{stdout}"
    );

    let out = provisio(&["partner", "list", "--data-dir", &data]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Acme BV"));

    let out = provisio(&[
        "partner",
        "create",
        "--name",
        "Prod BV",
        "--data-dir",
        &data,
        "--environment",
        "production",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let key = stdout.lines().last().unwrap_or_default();
    assert!(key.len() == 64 && !key.starts_with("sandbox_"), "{stdout}");

    let out = provisio(&["partner", "create", "--name", "  ", "--data-dir", &data]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("name"));
}

#[test]
fn help_names_the_commands() {
    let out = provisio(&["--help"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for word in ["serve", "partner"] {
        assert!(text.contains(word), "{text}");
    }
    let out = provisio(&["serve", "--help"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--listen",
        "--data-dir",
        "--database-url",
        "--environment",
        "--profile",
        "PROVISIO_LISTEN",
    ] {
        assert!(text.contains(flag), "{flag} missing from: {text}");
    }
}

#[tokio::test]
async fn first_start_offers_a_demo_partner_and_a_restart_keeps_sessions() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = dir.path().to_string_lossy().into_owned();
    let mut first = serve(&data);
    let key = first
        .output
        .iter()
        .map(|l| l.trim())
        .find(|l| is_sandbox_key(l))
        .unwrap_or_else(|| panic!("no demo key in {:?}", first.output))
        .to_owned();

    let client = Client::connect(&first.url, &key)
        .await
        .unwrap_or_else(|e| panic!("handshake with the demo key: {e}"));
    let before = client.context().await.unwrap_or_else(|e| panic!("{e}"));
    first.stop();

    // Same data directory, a new process (and a new port): no demo partner this time, and
    // the old session and server key still hold.
    let second = serve(&data);
    assert!(!second.output.iter().any(|l| is_sandbox_key(l.trim())));
    let moved = Client::builder(&second.url, &key)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let reply = moved
        .api()
        .send(
            provisio_client::Request::new(reqwest::Method::GET, "/v1/installation")
                .token(&before.session_token),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(reply.status, 200);
    reply
        .verify(&before.server_key)
        .unwrap_or_else(|e| panic!("{e}"));
}
