//! `provisio oauth …` against a real `provisio serve` (issue 19): the server prints where the
//! consent page and the token endpoint are, and the CLI reaches the operator API, printing the
//! server's refusal as it words it.

mod common;

use common::{provisio, serve_with};

#[test]
fn serve_names_the_oauth_urls_and_the_cli_asks_the_server() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = dir.path().to_string_lossy().into_owned();
    let server = serve_with(
        &[
            "--data-dir",
            &data,
            "--admin-token",
            "cli-oauth-admin-token",
        ],
        "provisio listening on ",
    );
    let url = server.url.clone();
    assert!(
        server.output.iter().any(|line| line
            == &format!("OAuth consent page at {url}/auth, token endpoint at {url}/v1/token.")),
        "{:?}",
        server.output
    );
    let server_args = ["--url", &url, "--admin-token", "cli-oauth-admin-token"];

    let mut args = vec!["oauth", "grants"];
    args.extend(server_args);
    let out = provisio(&args);
    assert!(out.status.success(), "{out:?}");
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(listed["grants"], serde_json::json!([]), "{out:?}");

    let mut args = vec!["oauth", "authorize", "--client-id", "nope"];
    args.extend([
        "--redirect-uri",
        "https://partner.example/cb",
        "--user",
        "1",
    ]);
    args.extend(server_args);
    let out = provisio(&args);
    assert!(!out.status.success());
    let told = String::from_utf8_lossy(&out.stderr);
    assert!(
        told.contains("400") && told.contains("No OAuth client"),
        "{told}"
    );

    // A wrong admin token is the server's 401, said as such.
    let out = provisio(&["oauth", "grants", "--url", &url, "--admin-token", "wrong"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("401"),
        "{out:?}"
    );
}
