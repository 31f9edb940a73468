//! `provisio serve --seed FILE`: fixtures loaded into an empty store, checked before anything
//! is written, and left alone on a store that has partners.

use provisio_client::{wire::Item, Client};

use crate::{
    common::{provisio, serve_with},
    stderr, temp_dir,
};

const KEY: &str = "sandbox_acme0123456789abcdef";

fn write_seed(dir: &std::path::Path, seed: serde_json::Value) -> String {
    let path = dir.join("seed.json");
    std::fs::write(&path, seed.to_string()).unwrap_or_else(|e| panic!("{e}"));
    path.to_string_lossy().into_owned()
}

#[tokio::test]
async fn a_seed_loads_partners_keys_and_users_once() {
    let dir = temp_dir();
    let data = dir.path().join("data").to_string_lossy().into_owned();
    let seed = write_seed(
        dir.path(),
        serde_json::json!({"partners": [
            {"name": "Acme BV", "api_key": KEY,
             "oauth_callback_url": "https://acme.example/oauth/callback",
             "scenarios": ["active-user", "onboarding-user"]},
            {"name": "Other BV"}
        ]}),
    );
    let mut server = serve_with(
        &["--data-dir", &data, "--seed", &seed],
        "provisio listening on ",
    );
    let out = server.output.join("\n");
    assert!(
        out.contains("Seeded partner \"Acme BV\" (UserCompany id 1)."),
        "{out}"
    );
    assert!(
        out.contains("active-user: provision 1 ACTIVE/NONE, credential "),
        "{out}"
    );
    assert!(
        out.contains("onboarding-user: provision 2 CREATED/PENDING_PROCESS_USER_ONBOARDING"),
        "{out}"
    );
    assert!(out.contains("Seeded partner \"Other BV\""), "{out}");
    assert!(
        out.contains("Its API key, shown only this once: sandbox_"),
        "{out}"
    );
    assert!(
        !out.contains("Demo Partner"),
        "the seed replaces the demo partner: {out}"
    );

    // The seeded key works, and the partner sees its seeded users.
    let acme = Client::connect(&server.url, KEY)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let list = acme
        .get("/v1/partner-user-provision")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let states: Vec<String> = list
        .response
        .iter()
        .filter_map(|item| match item {
            Item::PartnerUserProvision(p) => Some(p.status.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(states, vec!["CREATED".to_owned(), "ACTIVE".to_owned()]);
    let clients = acme
        .get("/v1/oauth-client")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(format!("{:?}", clients.response).contains("https://acme.example/oauth/callback"));
    server.stop();

    // A restart on the same data loads nothing again.
    let again = serve_with(
        &["--data-dir", &data, "--seed", &seed],
        "provisio listening on ",
    );
    let out = again.output.join("\n");
    assert!(out.contains("the seed was not loaded"), "{out}");
    assert!(!out.contains("Seeded partner"), "{out}");
}

#[test]
fn a_bad_seed_stops_the_start_and_creates_nothing() {
    let dir = temp_dir();
    let data = dir.path().join("data");
    for (seed, told) in [
        (
            serde_json::json!({"partners": [{"name": "Acme", "scenarios": ["rich-user"]}]}),
            "partners[0].scenarios: \"rich-user\" is none of",
        ),
        (
            serde_json::json!({"partners": [{"name": "Acme", "api_key": "acme"}]}),
            "partners[0].api_key: a sandbox API key starts with sandbox_",
        ),
        (
            serde_json::json!({"partners": [{"name": " "}]}),
            "partners[0].name: name is required.",
        ),
        (
            serde_json::json!({"partner": []}),
            "not a valid seed: unknown field `partner`",
        ),
    ] {
        let path = write_seed(dir.path(), seed);
        let out = provisio(&[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            &data.to_string_lossy(),
            "--seed",
            &path,
        ]);
        assert!(!out.status.success());
        assert!(
            stderr(&out).contains(told),
            "{told:?} not in {}",
            stderr(&out)
        );
        assert!(!data.exists(), "a refused seed created the data directory");
    }
}
