//! The dashboard in a real browser: `provisio serve`, a provision created through the API,
//! then Debian's headless Chromium driven by playwright-core (tests/browser/dashboard.mjs)
//! signs in, finds the provision, approves it and sees it ACTIVE, and sees its webhook with
//! the payload, then plays a merchant on a card and settles the card transaction, finds the
//! next one in the list across the partner with its buttons in view, and opens the user's page
//! with its request for money.
//! Screenshots of each page land in target/dashboard-screenshots/.
//!
//! Without node, Chromium or `npm ci` in tests/browser, a developer's run skips this test and
//! says why; in CI (`CI` set) it fails instead. `.ci/run` installs all three.

mod common;

use std::{io::Write as _, path::PathBuf, time::Duration};

use provisio_client::{wire::Item, Client};

const ADMIN_TOKEN: &str = "admin_dashboard_browser_test";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// What is missing to run a browser, if anything.
fn missing_tools() -> Vec<String> {
    let mut missing = Vec::new();
    let node = std::process::Command::new("node").arg("--version").output();
    if !node.is_ok_and(|out| out.status.success()) {
        missing.push("node (apt-get install nodejs)".to_owned());
    }
    if !chromium().exists() {
        missing.push(format!(
            "{} (apt-get install chromium, or set CHROMIUM)",
            chromium().display()
        ));
    }
    let module = repo().join("tests/browser/node_modules/playwright-core");
    if !module.exists() {
        missing.push("playwright-core (cd tests/browser && npm ci)".to_owned());
    }
    missing
}

/// Whether to skip: tools missing on a developer's machine. In CI a missing tool fails.
fn skip() -> bool {
    let missing = missing_tools();
    if missing.is_empty() {
        return false;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "the dashboard's browser test cannot run in CI without: {}",
        missing.join(", ")
    );
    // Written to the real stderr: `eprintln!` output of a passing test is swallowed.
    let _ = writeln!(
        std::io::stderr(),
        "\nSKIPPING the dashboard's browser test: missing {}. CI (CI set) makes this a failure.\n",
        missing.join(", ")
    );
    true
}

async fn wait_for_onboarding(client: &Client, id: i64) {
    // The server's own worker carries the provision to onboarding; another process can only
    // watch for it.
    for _ in 0..200 {
        let read = client
            .get(&format!("/v1/partner-user-provision/{id}"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        if let Some(Item::PartnerUserProvision(p)) = read.response.first() {
            if p.sub_status == "PENDING_PROCESS_USER_ONBOARDING" {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("provision {id} never reached onboarding")
}

/// An account of the partner with money on it, a request for money it made to an IBAN
/// elsewhere (PENDING), and a virtual debit card on that account, for the accounts, cards and
/// user pages; answers the card's id.
async fn funded_card(server: &common::Serving, client: &Client, me: i64) -> i64 {
    let created = client
        .post(
            &format!("/v1/user/{me}/monetary-account-bank"),
            &serde_json::json!({"currency": "EUR", "description": "Operating account"}),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let Some(Item::Id(account)) = created.response.first() else {
        panic!("no account id")
    };
    let credited = reqwest::Client::new()
        .post(format!(
            "{}/_provisio/monetary-accounts/{}/credit",
            server.url, account.id
        ))
        .bearer_auth(ADMIN_TOKEN)
        .json(&serde_json::json!({"amount": "250.00", "from_name": "Seed Capital BV"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(credited.status().is_success(), "{credited:?}");
    client
        .post(
            &format!("/v1/user/{me}/monetary-account/{}/request-inquiry", account.id),
            &serde_json::json!({
                "amount_inquired": {"value": "8.40", "currency": "EUR"},
                "counterparty_alias": {"type": "IBAN", "value": "NL20INGB0001234567", "name": "Lunch club"},
                "description": "Lunch money",
                "allow_bunqme": false,
            }),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let ordered = client
        .post(
            &format!("/v1/user/{me}/card-debit"),
            &serde_json::json!({
                "second_line": "Team lunches",
                "type": "MASTERCARD",
                "product_type": "MASTERCARD_DEBIT",
                "order_status": "VIRTUAL_DELIVERY",
                "pin_code_assignment": [{"type": "PRIMARY", "monetary_account_id": account.id}],
            }),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    match ordered.response.first() {
        Some(Item::CardDebit(card)) => card.id,
        other => panic!("no card: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_approves_a_provision_in_the_dashboard() {
    if skip() {
        return;
    }
    let receiver = common::Receiver::start().await;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = dir.path().to_string_lossy().into_owned();
    let server = common::serve_with(
        &[
            "--print-demo-key",
            "--data-dir",
            &data,
            "--step-delay",
            "0s",
            "--admin-token",
            ADMIN_TOKEN,
        ],
        "provisio listening on ",
    );
    let client =
        common::partner_sending_webhooks_to(&server.url, &server.demo_key(), &receiver.url).await;
    let me = client
        .context()
        .await
        .map(|c| c.user_id)
        .unwrap_or_default();
    let card = funded_card(&server, &client, me).await;
    let oauth_client_id = match client.get("/v1/oauth-client").await {
        Ok(list) => match list.response.first() {
            Some(Item::OauthClient(c)) => c.client_id.clone(),
            other => panic!("no OAuth client: {other:?}"),
        },
        Err(e) => panic!("{e}"),
    };
    let request = common::person();
    let uuid = request.external_uuid.clone().unwrap_or_default();
    let answer = client
        .post("/v1/partner-user-provision", &request)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let Some(Item::Id(provision)) = answer.response.first() else {
        panic!("no id")
    };
    wait_for_onboarding(&client, provision.id).await;

    let shots = repo().join("target/dashboard-screenshots");
    let _ = std::fs::remove_dir_all(&shots);
    let out = tokio::process::Command::new("node")
        .arg("dashboard.mjs")
        .current_dir(repo().join("tests/browser"))
        .env("PROVISIO_URL", &server.url)
        .env("PROVISIO_ADMIN_TOKEN", ADMIN_TOKEN)
        .env("PROVISION_ID", provision.id.to_string())
        .env("PARTNER_ID", me.to_string())
        .env("USER_ID", me.to_string())
        .env("CARD_ID", card.to_string())
        .env("OAUTH_CLIENT_ID", &oauth_client_id)
        .env("EXTERNAL_UUID", &uuid)
        .env("WEBHOOK_TARGET", &receiver.url)
        .env("SCREENSHOT_DIR", &shots)
        .env("CHROMIUM", chromium())
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(180), out)
        .await
        .unwrap_or_else(|_| panic!("the browser test took longer than 3 minutes"))
        .unwrap_or_else(|e| panic!("running node: {e}"));
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "the browser test failed:\n{log}");
    assert!(log.contains("dashboard: all checks passed"), "{log}");

    // What the browser did is what the API sees: the approval's webhook reached the partner.
    let approved = receiver.received().iter().any(|(_, body)| {
        let p = &body["NotificationUrl"]["object"]["PartnerUserProvision"];
        p["id"] == provision.id && p["status"] == "ACTIVE"
    });
    assert!(approved, "no ACTIVE webhook: {:?}", receiver.received());
    for page in [
        "login",
        "partners",
        "provisions",
        "provision",
        "provision-top",
        "deliveries",
        "requests",
        "accounts",
        "cards",
        "card-transactions",
        "card-transactions-all",
        "user",
        "provision-phone",
        "provisions-phone",
    ] {
        let shot = shots.join(format!("{page}.png"));
        assert!(shot.exists(), "no screenshot {}", shot.display());
    }
}
