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
    let created = String::from_utf8_lossy(&out.stdout).into_owned();
    let first_key = created.lines().last().unwrap_or_default();
    assert!(is_sandbox_key(first_key), "{created}");

    let out = provisio(&["partner", "list", "--data-dir", &data]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Acme BV"));

    // A second key for the same partner (rotation); an unknown partner has none.
    let out = provisio(&["partner", "add-key", "1", "--data-dir", &data]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let second = stdout.lines().last().unwrap_or_default();
    assert!(
        is_sandbox_key(second) && !stdout.contains(first_key),
        "{stdout}"
    );
    let out = provisio(&["partner", "add-key", "999", "--data-dir", &data]);
    assert!(!out.status.success());

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
    for word in ["serve", "partner", "openapi"] {
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
        "--request-timeout",
        "PROVISIO_REQUEST_TIMEOUT",
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

#[tokio::test]
async fn operators_can_act_on_a_provision_from_the_command_line() {
    use provisio_client::wire::{requests::CallbackUrlRequest, Item};

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = dir.path().to_string_lossy().into_owned();
    // No background step may run before the operator acts.
    let mut server = common::serve_with(
        &[
            "--data-dir",
            &data,
            "--step-delay",
            "1h",
            "--print-demo-key",
        ],
        "provisio listening on ",
    );
    let key = server.demo_key();
    let client = Client::connect(&server.url, &key)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let me = client
        .context()
        .await
        .map(|c| c.user_id)
        .unwrap_or_default();
    let created = client
        .post(
            &format!("/v1/user/{me}/oauth-client"),
            &serde_json::json!({}),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let Some(Item::Id(oauth)) = created.response.first() else {
        panic!("no id")
    };
    client
        .post(
            &format!("/v1/user/{me}/oauth-client/{}/callback-url", oauth.id),
            &CallbackUrlRequest {
                url: "https://partner.example/cb".into(),
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let answer = client
        .post("/v1/partner-user-provision", &common::person())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let Some(Item::Id(provision)) = answer.response.first() else {
        panic!("no id")
    };
    server.stop();

    let id = provision.id.to_string();
    let out = provisio(&["provision", "approve", &id, "--data-dir", &data]);
    assert!(
        !out.status.success(),
        "approving before onboarding must fail"
    );
    // The refusal names the state the provision is in.
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        format!(
            "provisio: provision {id} is CREATED/PENDING_PROCESS_USER; only a provision waiting \
             for its user's onboarding (CREATED/PENDING_PROCESS_USER_ONBOARDING) can be approved."
        )
    );
    let out = provisio(&["provision", "fail", &id, "--data-dir", &data]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = provisio(&["provision", "history", &id, "--data-dir", &data]);
    let history = String::from_utf8_lossy(&out.stdout);
    assert!(
        history.contains("CREATED/PENDING_PROCESS_USER -> FAILED/NONE  failed by an operator"),
        "{history}"
    );
    let out = provisio(&["provision", "history", "999999", "--data-dir", &data]);
    assert!(!out.status.success());
}

#[tokio::test]
async fn webhook_attempts_can_be_listed_and_followed() {
    use std::io::{BufRead, BufReader};

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = dir.path().to_string_lossy().into_owned();
    // bunq's retry a minute later, not dev's seconds: retry-pending below must be what sends
    // the retry early.
    let server = common::serve_with(
        &[
            "--data-dir",
            &data,
            "--step-delay",
            "1h",
            "--webhook-retry-schedule",
            "60s,60s,60s,60s,60s",
            "--print-demo-key",
        ],
        "provisio listening on ",
    );
    let key = server.demo_key();

    let mut tail = std::process::Command::new(common::BIN)
        .args(["webhooks", "tail", "--data-dir", &data])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = tail.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let (tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let next = || {
        lines
            .recv_timeout(std::time::Duration::from_secs(30))
            .unwrap_or_default()
    };
    assert!(next().starts_with("Following"));

    // Port 1 refuses connections: every attempt fails, with a reason.
    let client =
        common::partner_sending_webhooks_to(&server.url, &key, "http://127.0.0.1:1/hook").await;
    client
        .post("/v1/partner-user-provision", &common::person())
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    let followed = next();
    let _ = tail.kill();
    let _ = tail.wait();
    assert!(
        followed.contains("PARTNER_USER_PROVISION_PROCESS_UPDATED")
            && followed.contains("127.0.0.1:1"),
        "{followed}"
    );
    assert!(followed.contains("Cannot reach"), "{followed}");

    let out = provisio(&["webhooks", "list", "--data-dir", &data]);
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        listed.contains("PENDING") && listed.contains("Cannot reach"),
        "{listed}"
    );

    // As JSON: each delivery with the body and the headers it is sent with.
    let list_json = || {
        let out = provisio(&["webhooks", "list", "--json", "--data-dir", &data]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
    };
    let listed = list_json();
    let delivery = &listed[0];
    let body: serde_json::Value =
        serde_json::from_str(delivery["body"].as_str().unwrap_or_default())
            .unwrap_or_else(|e| panic!("the body is not the JSON sent ({e}): {delivery}"));
    assert_eq!(
        body["NotificationUrl"]["event_type"],
        "PARTNER_USER_PROVISION_PROCESS_UPDATED"
    );
    let headers = &delivery["headers"];
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(headers["x-provisio-event-id"], delivery["event_id"]);
    assert!(
        headers["x-bunq-server-signature"]
            .as_str()
            .is_some_and(|s| s.len() > 300),
        "{headers}"
    );

    // Waiting for its retry in a minute; retry-pending makes it due now, and the running
    // server tries it on its next poll.
    let out = provisio(&["webhooks", "retry-pending", "--data-dir", &data]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.starts_with("1 pending deliveries are due now"),
        "{said}"
    );
    let mut attempts = 0;
    for _ in 0..100 {
        attempts = list_json()[0]["attempts"].as_array().map_or(0, Vec::len);
        if attempts == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(attempts, 2, "the retry was not sent early");
}

#[tokio::test]
async fn compliance_is_driven_from_the_command_line() {
    use provisio_client::wire::Item;

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = dir.path().to_string_lossy().into_owned();
    let mut server = common::serve_with(
        &[
            "--data-dir",
            &data,
            "--step-delay",
            "0s",
            "--print-demo-key",
        ],
        "provisio listening on ",
    );
    let client = Client::connect(&server.url, &server.demo_key())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    client
        .create_oauth_client("https://partner.example/cb")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let answer = client
        .post("/v1/partner-user-provision", &common::person())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let Some(Item::Id(provision)) = answer.response.first() else {
        panic!("no id")
    };
    // The server's own worker carries the provision to onboarding; another process can only
    // watch for it.
    let mut token = None;
    for _ in 0..200 {
        let read = client
            .get(&format!("/v1/partner-user-provision/{}", provision.id))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        if let Some(Item::PartnerUserProvision(p)) = read.response.first() {
            token = p.credential.as_ref().and_then(|c| c.token_value.clone());
        }
        if token.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let token = token.unwrap_or_else(|| panic!("no credential"));
    let user = Client::connect(&server.url, &token)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let key = user.context().await.map(|c| c.user_id).unwrap_or_default();

    let text = |out: &std::process::Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };
    let key = key.to_string();
    let out = provisio(&[
        "inquiry",
        "raise",
        &key,
        "--entry",
        "USER_PERSON_SOURCE_OF_FUND",
        "--data-dir",
        &data,
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let raised = text(&out);
    let inquiry = raised
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    let entry = raised
        .lines()
        .find(|l| l.contains("USER_PERSON_SOURCE_OF_FUND"))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or_default()
        .to_owned();
    assert!(raised.contains("PENDING"), "{raised}");

    // Nothing to review before the user answers; an unknown entry type is refused with the list.
    let out = provisio(&[
        "inquiry",
        "review",
        &entry,
        "--approve",
        "--data-dir",
        &data,
    ]);
    assert!(!out.status.success());
    assert!(text(&out).contains("is PENDING"), "{}", text(&out));
    let out = provisio(&[
        "inquiry",
        "raise",
        &key,
        "--entry",
        "NOT_A_TYPE",
        "--data-dir",
        &data,
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("NOT_A_TYPE") && text(&out).contains("USER_PERSON_SOURCE_OF_FUND"),
        "{}",
        text(&out)
    );
    // The user answers while the server runs; the commands work on the database beside it.
    user.put(
        &format!("/v1/user/{key}/user-information-inquiry/{inquiry}/partner-user-information-inquiry-entry/{entry}"),
        &serde_json::json!({"answer": "Salary"}),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    server.stop();

    let out = provisio(&[
        "inquiry",
        "review",
        &entry,
        "--approve",
        "--reopen",
        "--data-dir",
        &data,
    ]);
    assert!(!out.status.success(), "only a rejection can be reopened");
    let out = provisio(&[
        "inquiry",
        "review",
        &entry,
        "--reject",
        "--reason",
        "Unreadable",
        "--reopen",
        "--data-dir",
        &data,
    ]);
    assert!(
        text(&out).contains("rejected, asked again"),
        "{}",
        text(&out)
    );
    let out = provisio(&["inquiry", "finalize", &inquiry, "--data-dir", &data]);
    assert!(text(&out).contains("FINALIZED"), "{}", text(&out));
    let out = provisio(&["inquiry", "finalize", &inquiry, "--data-dir", &data]);
    assert!(text(&out).contains("finalized already"), "{}", text(&out));

    let out = provisio(&[
        "identity",
        "decide",
        "999999",
        "--approve",
        "--data-dir",
        &data,
    ]);
    assert!(!out.status.success());
    assert!(text(&out).contains("not found"), "{}", text(&out));
}

/// `provisio serve ARGS` on a fresh data directory: refused at start, with what it said.
fn refused_start(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = dir.path().to_string_lossy().into_owned();
    let mut all = vec!["serve", "--data-dir", &data, "--listen", "127.0.0.1:0"];
    all.extend_from_slice(args);
    let out = provisio(&all);
    assert!(!out.status.success(), "{args:?} started");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_bad_automatic_inquiry_stops_the_start() {
    let err = refused_start(&["--onboarding-inquiry", "source of funds"]);
    assert!(err.contains("--onboarding-inquiry"), "{err}");
}

#[test]
fn a_zero_request_timeout_stops_the_start() {
    let err = refused_start(&["--request-timeout", "0s"]);
    assert!(
        err.contains("--request-timeout must be more than 0s"),
        "{err}"
    );
}

/// `provisio clock advance` from another process moves the running server's clock too: the
/// offset lives in the database.
#[tokio::test]
async fn the_clock_is_advanced_from_the_command_line_for_every_process() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = dir.path().to_string_lossy().into_owned();
    let server = serve(&data);
    let key = server
        .output
        .iter()
        .map(|l| l.trim())
        .find(|l| is_sandbox_key(l))
        .unwrap_or_else(|| panic!("no demo key in {:?}", server.output))
        .to_owned();
    let client = Client::connect(&server.url, &key)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let context = client.context().await.unwrap_or_else(|e| panic!("{e}"));

    let out = provisio(&["clock", "show", "--data-dir", &data]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("(offset 0s)"),
        "{out:?}"
    );
    for bad in ["3w", "0d", "-1h", "soon"] {
        let out = provisio(&["clock", "advance", bad, "--data-dir", &data]);
        assert!(!out.status.success(), "{bad} accepted");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("provisio: "),
            "{out:?}"
        );
    }
    let out = provisio(&["clock", "advance", "8d", "--data-dir", &data]);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("(offset 691200s)"));
    let out = provisio(&["clock", "show", "--data-dir", &data]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("(offset 691200s)"));

    // The server reads the new offset within its refresh interval: the session is over.
    let session = || {
        provisio_client::Request::new(reqwest::Method::GET, "/v1/installation")
            .token(&context.session_token)
    };
    let mut status = 0;
    for _ in 0..40 {
        status = client
            .api()
            .send(session())
            .await
            .map(|r| r.status)
            .unwrap_or_default();
        if status == 401 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, 401, "the server did not see the advanced clock");
}

#[test]
fn partners_are_deleted_and_the_store_reset_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = dir.path().to_string_lossy().into_owned();
    for name in ["Acme BV", "Globex"] {
        let out = provisio(&["partner", "create", "--name", name, "--data-dir", &data]);
        assert!(out.status.success(), "{out:?}");
    }
    let out = provisio(&["partner", "delete", "2", "--data-dir", &data]);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Deleted partner 2"));
    let listed =
        String::from_utf8_lossy(&provisio(&["partner", "list", "--data-dir", &data]).stdout)
            .into_owned();
    assert!(
        listed.contains("Acme BV") && !listed.contains("Globex"),
        "{listed}"
    );
    let out = provisio(&["partner", "delete", "2", "--data-dir", &data]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no partner 2"),
        "{out:?}"
    );

    let out = provisio(&["reset", "--data-dir", &data]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--yes"),
        "{out:?}"
    );
    let listed =
        String::from_utf8_lossy(&provisio(&["partner", "list", "--data-dir", &data]).stdout)
            .into_owned();
    assert!(
        listed.contains("Acme BV"),
        "nothing is deleted without --yes: {listed}"
    );

    let out = provisio(&["reset", "--yes", "--data-dir", &data]);
    assert!(out.status.success(), "{out:?}");
    let listed =
        String::from_utf8_lossy(&provisio(&["partner", "list", "--data-dir", &data]).stdout)
            .into_owned();
    assert!(listed.contains("No partners yet"), "{listed}");
}

#[test]
fn accounts_are_credited_from_the_command_line() {
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
    assert!(out.status.success());
    // The new partner's main account is account 1.
    let credit = |args: &[&str]| {
        let mut all = vec!["account", "credit"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--data-dir", &data]);
        provisio(&all)
    };
    let out = credit(&["1", "--amount", "100.00"]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with("Credited 100.00 EUR to account 1 (NL"),
        "{stdout}"
    );
    assert!(
        stdout.contains("from NL91ABNA0417164300: balance 100.00 EUR"),
        "{stdout}"
    );
    let out = credit(&[
        "1",
        "--amount",
        "50.25",
        "--from",
        "NL20 INGB 0001 2345 67",
        "--name",
        "Employer",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        stdout.contains("from NL20INGB0001234567: balance 150.25 EUR"),
        "{stdout}"
    );
    for (args, error) in [
        (&["1", "--amount", "1.001"][..], "exactly two decimals"),
        (
            &["1", "--amount", "1.00", "--from", "NL00BUNQ1234567890"][..],
            "not a valid IBAN",
        ),
        (
            &["999", "--amount", "1.00"][..],
            "MonetaryAccount not found",
        ),
    ] {
        let out = credit(args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            !out.status.success() && stderr.contains(error),
            "{args:?}: {stderr}"
        );
    }
}

/// `provisio openapi` prints, without a server, the description a server serves.
#[tokio::test]
async fn openapi_prints_what_the_server_serves() {
    let out = provisio(&["openapi"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON: {e}"));
    assert_eq!(printed["openapi"], "3.1.0");
    assert!(printed["paths"]["/v1/partner-user-provision"]["post"].is_object());

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let serving = serve(&dir.path().to_string_lossy());
    let served: serde_json::Value = reqwest::get(format!("{}/_provisio/openapi.json", serving.url))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(printed, served);
}
