//! The dev profile's conveniences from the command line: `provisio faults add|list|clear` on a
//! running server (with `PROVISIO_URL`), and one duration syntax whose bad spelling reads the
//! same from a `serve` flag, the operator API and the CLI.

mod common;

use common::provisio;

const TOKEN: &str = "conveniences-token";

/// `provisio ARGS` against `url`, the token in the environment as a script would set it.
fn against(url: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_provisio"))
        .args(args)
        .env("PROVISIO_URL", url)
        .env("PROVISIO_ADMIN_TOKEN", TOKEN)
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn stdout(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn faults_are_armed_listed_and_cleared_from_the_cli() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = dir.path().to_string_lossy().into_owned();
    let server = common::serve_with(
        &["--data-dir", &data, "--admin-token", TOKEN],
        "provisio listening on ",
    );
    let payment = "/v1/user/{user_id}/monetary-account/{id}/payment";
    let added = stdout(&against(
        &server.url,
        &[
            "faults",
            "add",
            "POST",
            payment,
            "--count",
            "2",
            "--status",
            "503",
            "--error",
            "Try again.",
            "--latency",
            "1s",
        ],
    ));
    assert!(
        added.contains(&format!(
            "#1  POST {payment}  2 calls left  503 \"Try again.\"  after 1s"
        )),
        "{added}"
    );
    let listed = stdout(&against(&server.url, &["faults", "list"]));
    assert!(listed.contains("2 calls left"), "{listed}");

    let refused = against(
        &server.url,
        &[
            "faults",
            "add",
            "POST",
            payment,
            "--status",
            "503",
            "--latency",
            "soon",
        ],
    );
    assert!(!refused.status.success());
    let told = String::from_utf8_lossy(&refused.stderr);
    assert!(
        told.contains("400") && told.contains("\"soon\" is not a duration"),
        "{told}"
    );

    assert!(stdout(&against(&server.url, &["faults", "clear"])).contains("disarmed"));
    assert!(stdout(&against(&server.url, &["faults", "list"])).contains("No faults armed."));
}

/// The sentence a bad duration gets, from the operator API's clock advance and its faults.
async fn told_by_the_api(url: &str, path: &str, body: serde_json::Value) -> String {
    let reply = reqwest::Client::new()
        .post(format!("{url}{path}"))
        .bearer_auth(TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(reply.status(), 400);
    let envelope: serde_json::Value = reply.json().await.unwrap_or_else(|e| panic!("{e}"));
    envelope["Error"][0]["error_description"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_bad_duration_is_told_alike_by_a_flag_the_api_and_the_cli() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = dir.path().to_string_lossy().into_owned();
    let server = common::serve_with(
        &["--data-dir", &data, "--admin-token", TOKEN],
        "provisio listening on ",
    );
    let expected = "\"5 min\" is not a duration: write a whole number and a unit (ms, s, m, h or d), e.g. 500ms, 5s, 15m, 2h or 7d.";
    let by_clock = told_by_the_api(
        &server.url,
        "/_provisio/clock/advance",
        serde_json::json!({"by": "5 min"}),
    )
    .await;
    assert_eq!(by_clock, expected);
    let by_fault = told_by_the_api(
        &server.url,
        "/_provisio/faults",
        serde_json::json!({"method": "GET", "path": "/v1/installation/{id}", "latency": "5 min"}),
    )
    .await;
    assert_eq!(by_fault, expected);

    let other = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let other = other.path().to_string_lossy().into_owned();
    for flag in ["--step-delay", "--webhook-retry-schedule"] {
        let out = provisio(&[
            "serve",
            "--data-dir",
            &other,
            "--listen",
            "127.0.0.1:0",
            flag,
            "5 min",
        ]);
        assert!(!out.status.success(), "{flag} took it");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{flag}: {err}");
    }
    let out = provisio(&["clock", "advance", "5 min", "--data-dir", &data]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(expected),
        "{out:?}"
    );
    // Well formed, but not what the clock takes: its own sentence.
    let out = provisio(&["clock", "advance", "500ms", "--data-dir", &data]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("only moves forward"),
        "{out:?}"
    );
}
