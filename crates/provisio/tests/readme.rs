//! The documentation's shell examples, run as written. A page opts in with the markers
//! `<!-- readme-test: begin … -->` and `<!-- readme-test: end -->` (more than one pair may
//! appear): its `sh` blocks between them run in order, in one bash, against a fresh `provisio
//! serve` started with the defaults, one test per page so a failure names it. A block fenced
//! ```text or ```console is never run. The README's CI recipe (between the `readme-ci-test`
//! markers) starts a server of its own.
//!
//! Only what a reader would type differently is given: `PROVISIO` (the server's address, a
//! random port so runs don't collide; every block reads `PROVISIO=${PROVISIO:-…}`),
//! `WEBHOOK_PORT` (the receiver's), the placeholders `sandbox_…` and `admin_…` the reader pastes
//! from the start-up output, `provisio` on the `PATH`, and `PROVISIO_DATA_DIR` (the reader runs
//! CLI commands where the server keeps its data).

mod common;

use common::{
    serve_with,
    shell::{free_port, path_with_provisio, run_bash, shell_blocks, tools_missing},
};

const README: &str = include_str!("../../../README.md");
const BEGIN: &str = "<!-- readme-test: begin";
const END: &str = "<!-- readme-test: end -->";
const CI_BEGIN: &str = "<!-- readme-ci-test: begin";
const CI_END: &str = "<!-- readme-ci-test: end -->";
const ADMIN_TOKEN: &str = "admin_docs_walkthrough";
/// The one line that may name the default address.
const BASE_URL: &str = "PROVISIO=${PROVISIO:-http://localhost:8080}";

/// Runs the page's blocks, then `checks` in the same shell. `errors_shown`: the page shows a
/// refusal on purpose (otherwise any `{"Error"` in its output fails it).
fn run_page(name: &str, page: &str, checks: &str, errors_shown: bool) {
    if tools_missing() {
        return;
    }
    let blocks = shell_blocks(page, BEGIN, END);
    assert!(!blocks.is_empty(), "{name} has no sh block between markers");
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = dir.path().join("data");
    let data = data
        .to_str()
        .unwrap_or_else(|| panic!("non-UTF-8 temp path"));
    // Piped, the demo key is printed only when asked (the reader's terminal shows it).
    let serving = serve_with(
        &[
            "--print-demo-key",
            "--data-dir",
            data,
            "--admin-token",
            ADMIN_TOKEN,
        ],
        "provisio listening on ",
    );
    let mut script = String::from("set -euo pipefail\n");
    for block in blocks.iter().chain(&[checks, "echo '== page complete'\n"]) {
        script.push_str(
            &block
                .replace("sandbox_…", &serving.demo_key())
                .replace("admin_…", ADMIN_TOKEN),
        );
    }
    let env = [
        ("PROVISIO", serving.url.clone()),
        ("WEBHOOK_PORT", free_port().to_string()),
        ("PATH", path_with_provisio()),
        ("PROVISIO_DATA_DIR", data.to_owned()),
    ];
    let out = run_bash(&script, dir.path(), &env);
    assert!(
        out.status.success() && out.stdout.contains("== page complete"),
        "{name} failed ({:?} after {:?}).\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        out.took,
        out.stdout,
        out.stderr
    );
    assert!(
        errors_shown || !out.stdout.contains("{\"Error\""),
        "an answer in {name} is an error:\n{}",
        out.stdout
    );
}

macro_rules! pages {
    ($($test:ident: $path:literal, $checks:expr, $errors_shown:expr;)*) => {
        /// Every page with runnable blocks (checked against `docs/` below).
        const PAGES: &[&str] = &[$($path),*];
        $(
            #[test]
            fn $test() {
                run_page($path, include_str!(concat!("../../../", $path)), $checks, $errors_shown);
            }
        )*
    };
}

pages! {
    readme_five_minute_path: "README.md", FIVE_MINUTES, false;
    docs_api_context: "docs/api-context.md", "", false;
    docs_provisioning: "docs/provisioning.md", PROVISIONING, false;
    docs_onboarding: "docs/onboarding.md", "", false;
    docs_accounts_and_payments: "docs/accounts-and-payments.md", ACCOUNTS, false;
    docs_cards: "docs/cards.md", CARDS, false;
    docs_webhooks: "docs/webhooks.md", "", false;
    docs_sandbox_controls: "docs/sandbox-controls.md", "", false;
    docs_oauth: "docs/oauth.md", OAUTH, false;
    docs_sink: "docs/sink.md", SINK, false;
}

/// What connecting an existing user with OAuth must have achieved: a payment through the
/// grant, then the grant revoked and its session refused.
const OAUTH: &str = r#"
echo "== checks"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$PROVISIO/v1/user" -H "X-Bunq-Client-Authentication: $GRANT_TOKEN")" = 401 ]
curl -s "$PROVISIO/_provisio/oauth/grants?user_id=$USER_ID" -H "Authorization: Bearer $ADMIN_TOKEN" |
  jq -e '.grants[0].status == "REVOKED"'
curl -s "$PROVISIO/v1/user/$USER_ID/monetary-account/$ACCOUNT/payment" -H "X-Bunq-Client-Authentication: $USER_TOKEN" |
  jq -e 'any(.Response[].Payment; .amount.value == "-12.50")'
"#;

/// What the README's five-minute path must have achieved.
const FIVE_MINUTES: &str = r#"
echo "== checks"
sink | jq -e 'all(.[]; .signature == "VALID") and any(.[]; .body | fromjson | .NotificationUrl |
  .event_type == "PAYMENT_CREATED" and .object.Payment.type == "MASTERCARD")'
bunq GET /v1/user/$USER_ID/monetary-account-bank/$ACCOUNT_ID |
  jq -e '.Response[0].MonetaryAccountBank.balance.value == "962.50"'
"#;

/// What the provisioning walk-through must have achieved.
const PROVISIONING: &str = r#"
echo "== checks"
TOKEN=$SESSION_TOKEN
bunq GET /v1/partner-user-provision/$PROVISION_ID |
  jq -e '.Response[0].PartnerUserProvision | .status == "CLOSED" and .sub_status == "NONE" and .credential == null'
curl -s "$PROVISIO/_provisio/provisions/$PROVISION_ID/history" -H "Authorization: Bearer $ADMIN_TOKEN" |
  jq -e 'any(.Response[].ProvisionHistoryEntry.cause; . == "onboarding verified")'
[[ $NEW_CREDENTIAL =~ ^[0-9a-f]{64}$ ]]
[[ $NEW_CREDENTIAL != "$CREDENTIAL" ]]
jq -se 'any(.[]; .NotificationUrl.event_type == "USER_ONBOARDING_UPDATED")
  and any(.[]; .NotificationUrl.event_type == "USER_INFORMATION_INQUIRY_FINALIZED")
  and any(.[]; .NotificationUrl.event_type == "PAYMENT_RECEIVED")' webhooks.log
jq -se '[.[].NotificationUrl.object.PartnerUserProvision | select(.) | .status] | last == "CLOSED"' webhooks.log
curl -s "$PROVISIO/_provisio/ledger" -H "Authorization: Bearer $ADMIN_TOKEN" | jq -e '.Response[0].LedgerCheck.holds'
"#;

/// What the sandbox's accounts and payments must have achieved.
const ACCOUNTS: &str = r#"
echo "== checks"
TOKEN=$ALICE
bunq GET /v1/user/$ALICE_ID/monetary-account-bank/$ACCOUNT |
  jq -e '.Response[0].MonetaryAccountBank.balance.value == "378.50"'
bunq GET "/v1/user/$ALICE_ID/event?monetary_account_id=$ACCOUNT&count=50" |
  jq -e '[.Response[].Event.object | keys[0]] as $k | ($k | index("RequestInquiry")) and ($k | index("DraftPayment"))
    and ($k | index("SchedulePayment")) and ([$k[] | select(. == "Payment")] | length) >= 8'
curl -s "$PROVISIO/_provisio/ledger" -H "Authorization: Bearer $ADMIN_TOKEN" | jq -e '.Response[0].LedgerCheck.holds'
"#;

/// What the cards page must have achieved.
const CARDS: &str = r#"
echo "== checks"
bunq GET /v1/user/$USER_ID/challenge-request/$CHALLENGE_ID |
  jq -e '.Response[0].MasterCardIdentityCheckChallengeRequest.status == "ACCEPTED"'
curl -s "$PROVISIO/_provisio/ledger" -H "Authorization: Bearer $ADMIN_TOKEN" | jq -e '.Response[0].LedgerCheck.holds'
"#;

/// What docs/sink.md must have achieved: the sink it cleared is empty, and the POST it made
/// was listed (the CLI printed it); the faults it armed took their calls or were cleared, and
/// the request log kept the body of the installation it faulted.
const SINK: &str = r#"
curl -s "$PROVISIO/_provisio/sink/demo" -H "Authorization: Bearer $ADMIN_TOKEN" | jq -e '.Response == []'
curl -s "$PROVISIO/_provisio/faults" -H "Authorization: Bearer $ADMIN_TOKEN" | jq -e '.Response == []'
curl -s "$PROVISIO/_provisio/requests" -H "Authorization: Bearer $ADMIN_TOKEN" |
  jq -e '[.Response[].RequestRecord | select(.route == "/v1/installation") | .status] == [400, 503, 503]'
"#;

/// Every `.md` file under `docs/`.
fn doc_pages() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut pages = vec![];
    let mut dirs = vec![root.join("docs")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{e}")) {
            let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                let rel = path.strip_prefix(&root).unwrap_or(&path);
                pages.push(rel.display().to_string());
            }
        }
    }
    pages
}

fn read(page: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::read_to_string(root.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"))
}

#[test]
fn every_page_with_markers_is_run() {
    for page in doc_pages() {
        assert!(
            !read(&page).contains(BEGIN) || PAGES.contains(&page.as_str()),
            "{page} has runnable blocks but no test here: add it to pages!"
        );
    }
}

/// One base URL: `localhost:8080` is written only in the line every page's blocks start from.
#[test]
fn the_default_address_is_written_once_per_page() {
    for page in doc_pages().iter().map(String::as_str).chain(["README.md"]) {
        let text = read(page);
        for (n, line) in text.lines().enumerate() {
            assert!(
                !line.contains("localhost:8080") || line.trim() == BASE_URL,
                "{page}:{}: write \"$PROVISIO\" (from `{BASE_URL}`), not the address: {line}",
                n + 1
            );
        }
    }
    for page in PAGES {
        let text = read(page);
        let blocks = shell_blocks(&text, BEGIN, END);
        assert!(
            blocks.first().is_some_and(|b| b.contains(BASE_URL)),
            "{page}'s first runnable block must set `{BASE_URL}`"
        );
    }
}

#[test]
fn blocks_are_found() {
    let blocks = shell_blocks(README, BEGIN, END);
    assert!(blocks.len() >= 3, "found only {} sh blocks", blocks.len());
    let text = "a\n<!-- readme-test: begin -->\n```sh\none\n```\n```text\nno\n```\n<!-- readme-test: end -->\n```sh\nout\n```\n<!-- readme-test: begin -->\n```sh\ntwo\n```\n<!-- readme-test: end -->\n";
    assert_eq!(shell_blocks(text, BEGIN, END), ["one\n", "two\n"]);
}

/// What the CI example must have achieved, checked in the same shell.
const CI_EPILOGUE: &str = r#"
echo "== checks"
[[ $BUNQ_API_KEY =~ ^sandbox_[0-9a-f]{64}$ ]]
[[ $USER_CREDENTIAL =~ ^[0-9a-f]{64}$ ]]
# The example stopped the server itself (SIGTERM: it finishes what is in flight, then exits).
for _ in $(seq 50); do kill -0 "$PROVISIO_PID" 2> /dev/null || break; sleep 0.1; done
if kill -0 "$PROVISIO_PID" 2> /dev/null; then echo "provisio is still running"; exit 1; fi
echo "ci example complete"
"#;

#[test]
fn readme_ci_example_runs_as_written() {
    if tools_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let server = format!("127.0.0.1:{}", free_port());
    let mut script = String::from("set -euo pipefail\n");
    for block in shell_blocks(README, CI_BEGIN, CI_END)
        .iter()
        .chain(&[CI_EPILOGUE])
    {
        script.push_str(block);
    }
    // `provisio` on the PATH, listening where the script looks.
    let env = [
        ("PATH", path_with_provisio()),
        ("PROVISIO_LISTEN", server.clone()),
        ("PROVISIO", format!("http://{server}")),
    ];
    let out = run_bash(&script, dir.path(), &env);
    let log = std::fs::read_to_string(dir.path().join("work/provisio.log")).unwrap_or_default();
    assert!(
        out.status.success() && out.stdout.contains("ci example complete"),
        "the README's CI example failed ({:?} after {:?}).\n--- stdout\n{}\n--- stderr\n{}\n--- provisio.log\n{log}",
        out.status,
        out.took,
        out.stdout,
        out.stderr
    );
    for expected in [
        "provisio_jobs_pending 0",
        "provisio_provisions{status=\"ACTIVE\",sub_status=\"NONE\"} 1",
        "provisio_webhook_deliveries_failed 0",
    ] {
        assert!(
            out.stdout.lines().any(|l| l == expected),
            "{expected:?} not in:\n{}",
            out.stdout
        );
    }
    assert!(
        out.stdout.contains("{\"Response\":[]}"),
        "the tenant was not deleted:\n{}",
        out.stdout
    );
}
