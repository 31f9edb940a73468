//! The README's shell examples, run as written: the quick start and walk-through (every `sh`
//! block between the `readme-test` markers, in order, in one bash, against a real `provisio
//! serve`), and the CI example of "Testing your integration" (between the `readme-ci-test`
//! markers; it starts its own server). A README whose commands no longer work fails here.
//!
//! Only what a reader would type differently is rewritten: the address of the server and of
//! the webhook receiver (random ports, so runs don't collide), and the two lines where the
//! reader pastes the API key and the admin token from the start-up output. The server runs
//! with shorter delays than the defaults, which changes no step's outcome.

mod common;

use std::{
    os::unix::process::CommandExt,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use common::serve_with;

const README: &str = include_str!("../../../README.md");
const BEGIN: &str = "<!-- readme-test: begin";
const END: &str = "<!-- readme-test: end -->";
const CI_BEGIN: &str = "<!-- readme-ci-test: begin";
const CI_END: &str = "<!-- readme-ci-test: end -->";
const TOOLS: &[&str] = &["bash", "curl", "jq", "openssl", "python3", "base64"];
const ADMIN_TOKEN: &str = "admin_readme_walkthrough";
const LIMIT: Duration = Duration::from_secs(180);

/// The `sh` blocks between the markers `begin` and `end`, in order.
fn shell_blocks<'r>(readme: &'r str, begin: &str, end: &str) -> Vec<&'r str> {
    let start = readme
        .find(begin)
        .unwrap_or_else(|| panic!("README has no {begin:?} marker"));
    let end = readme
        .find(end)
        .unwrap_or_else(|| panic!("README has no {end:?} marker"));
    let mut blocks = Vec::new();
    let mut rest = &readme[start..end];
    while let Some(open) = rest.find("\n```sh\n") {
        let body = &rest[open + "\n```sh\n".len()..];
        let close = body
            .find("\n```")
            .unwrap_or_else(|| panic!("unclosed sh block in the README"));
        blocks.push(&body[..close + 1]);
        rest = &body[close + "\n```".len()..];
    }
    blocks
}

/// The script the reader would run, pointed at this test's server and receiver.
fn script(blocks: &[&str], server: &str, receiver_port: u16, api_key: &str) -> String {
    let mut script = String::from("set -euo pipefail\n");
    for block in blocks.iter().chain(&[EPILOGUE]) {
        for line in block.lines() {
            let line = if line.starts_with("API_KEY=") {
                format!("API_KEY={api_key}")
            } else if line.starts_with("ADMIN_TOKEN=") {
                format!("ADMIN_TOKEN={ADMIN_TOKEN}")
            } else {
                line.replace("localhost:8080", server)
                    .replace("9999", &receiver_port.to_string())
            };
            script.push_str(&line);
            script.push('\n');
        }
    }
    script
}

/// What the walk-through must have achieved, checked in the same shell.
const EPILOGUE: &str = r#"
echo "== checks"
TOKEN=$SESSION_TOKEN
bunq GET /v1/partner-user-provision/$PROVISION_ID |
  jq -e '.Response[0].PartnerUserProvision | .status == "CLOSED" and .sub_status == "NONE" and .credential == null'
curl -s "localhost:8080/_provisio/provisions/$PROVISION_ID/history" -H "Authorization: Bearer $ADMIN_TOKEN" |
  jq -e 'any(.Response[].ProvisionHistoryEntry.cause; . == "onboarding verified")'
[[ $NEW_CREDENTIAL =~ ^[0-9a-f]{64}$ ]]
[[ $NEW_CREDENTIAL != "$CREDENTIAL" ]]
jq -se 'any(.[]; .NotificationUrl.event_type == "USER_ONBOARDING_UPDATED")
  and any(.[]; .NotificationUrl.event_type == "USER_INFORMATION_INQUIRY_FINALIZED")' webhooks.log
jq -se '[.[].NotificationUrl.object.PartnerUserProvision | select(.) | .status] | last == "CLOSED"' webhooks.log
TOKEN=$ALICE
bunq GET /v1/user/$ALICE_ID/monetary-account-bank/$ACCOUNT |
  jq -e '.Response[0].MonetaryAccountBank.balance.value == "378.50"'
bunq GET "/v1/user/$ALICE_ID/event?monetary_account_id=$ACCOUNT&count=50" |
  jq -e '[.Response[].Event.object | keys[0]] as $k | ($k | index("RequestInquiry")) and ($k | index("DraftPayment"))
    and ($k | index("SchedulePayment")) and ([$k[] | select(. == "Payment")] | length) >= 8'
curl -s localhost:8080/_provisio/ledger -H "Authorization: Bearer $ADMIN_TOKEN" | jq -e '.Response[0].LedgerCheck.holds'
echo "walk-through complete"
"#;

fn missing_tools() -> Vec<&'static str> {
    TOOLS
        .iter()
        .copied()
        .filter(|tool| {
            !Command::new("sh")
                .args(["-c", &format!("command -v {tool}")])
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
        .collect()
}

/// Whether a tool the README uses is missing: a skip with a message, but a failure in CI.
fn tools_missing() -> bool {
    let missing = missing_tools();
    if missing.is_empty() {
        return false;
    }
    let message = format!(
        "the README's shell examples need {} (install them, e.g. apt-get install curl jq openssl python3)",
        missing.join(", ")
    );
    if std::env::var_os("CI").is_some() {
        panic!("{message}");
    }
    eprintln!("SKIPPED: {message}");
    true
}

/// Runs `script` in bash in `dir/work`, in its own process group (killed with everything it
/// started when it ends or after [`LIMIT`]); answers its status, output and duration.
fn run_bash(
    script: &str,
    dir: &std::path::Path,
    env: &[(&str, String)],
) -> (std::process::ExitStatus, String, String, Duration) {
    let work = dir.join("work");
    std::fs::create_dir(&work).unwrap_or_else(|e| panic!("{e}"));
    // Files, not pipes: a full pipe would stall the script, and what it starts in the
    // background keeps its copy.
    let log = |name: &str| std::fs::File::create(dir.join(name)).unwrap_or_else(|e| panic!("{e}"));
    let mut child = Command::new("bash")
        .args(["-c", script])
        .current_dir(&work)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(log("stdout"))
        .stderr(log("stderr"))
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("bash: {e}"));
    let started = Instant::now();
    while matches!(child.try_wait(), Ok(None)) && started.elapsed() < LIMIT {
        std::thread::sleep(Duration::from_millis(100));
    }
    // `--` matters: procps' kill reads `-KILL -PGID` as a signal to every process (pid -1).
    let _ = Command::new("kill")
        .args(["-s", "KILL", "--", &format!("-{}", child.id())])
        .stderr(Stdio::null())
        .status();
    let status = child.wait().unwrap_or_else(|e| panic!("bash: {e}"));
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_default();
    (status, read("stdout"), read("stderr"), started.elapsed())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

#[test]
fn readme_blocks_are_found() {
    let blocks = shell_blocks(README, BEGIN, END);
    assert!(blocks.len() >= 12, "found only {} sh blocks", blocks.len());
    assert!(blocks[0].contains("openssl genrsa"), "{}", blocks[0]);
    assert!(blocks.iter().any(|b| b.contains("\"CANCELLED\"")));
}

#[test]
fn readme_walkthrough_runs_as_written() {
    if tools_missing() {
        return;
    }
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
            "--step-delay",
            "100ms",
            "--identity-review-delay",
            "300ms",
            "--webhook-retry-schedule",
            "100ms,100ms,100ms,100ms,100ms",
        ],
        "provisio listening on ",
    );
    let server = serving.url.trim_start_matches("http://").to_owned();
    let script = script(
        &shell_blocks(README, BEGIN, END),
        &server,
        free_port(),
        &serving.demo_key(),
    );
    let (status, stdout, stderr, took) = run_bash(&script, dir.path(), &[]);
    assert!(
        status.success() && stdout.contains("walk-through complete"),
        "the README walk-through failed ({status:?} after {took:?}).\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    // Every answer the reader sees is a success: no error envelope anywhere.
    assert!(
        !stdout.contains("{\"Error\""),
        "an answer in the walk-through is an error:\n{stdout}"
    );
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
    let port = free_port();
    let server = format!("127.0.0.1:{port}");
    let mut script = String::from("set -euo pipefail\n");
    for block in shell_blocks(README, CI_BEGIN, CI_END)
        .iter()
        .chain(&[CI_EPILOGUE])
    {
        script.push_str(&block.replace("localhost:8080", &server));
    }
    // `provisio` on the PATH, listening where the script looks.
    let bin = std::path::Path::new(common::BIN)
        .parent()
        .unwrap_or_else(|| panic!("no directory for {}", common::BIN));
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let env = [("PATH", path), ("PROVISIO_LISTEN", server.clone())];
    let (status, stdout, stderr, took) = run_bash(&script, dir.path(), &env);
    let log = std::fs::read_to_string(dir.path().join("work/provisio.log")).unwrap_or_default();
    assert!(
        status.success() && stdout.contains("ci example complete"),
        "the README's CI example failed ({status:?} after {took:?}).\n--- stdout\n{stdout}\n--- stderr\n{stderr}\n--- provisio.log\n{log}"
    );
    for expected in [
        "provisio_jobs_pending 0",
        "provisio_provisions{status=\"ACTIVE\",sub_status=\"NONE\"} 1",
        "provisio_webhook_deliveries_failed 0",
    ] {
        assert!(
            stdout.lines().any(|l| l == expected),
            "{expected:?} not in:\n{stdout}"
        );
    }
    assert!(
        stdout.contains("{\"Response\":[]}"),
        "the tenant was not deleted:\n{stdout}"
    );
}
