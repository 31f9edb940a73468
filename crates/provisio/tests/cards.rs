//! `provisio card authorize|reverse|settle` on the real binary, on a database a card was
//! ordered in.

mod common;

use common::{partner_on_fresh_database, provisio};
use provisio_core::{
    card::{rules, CardKind},
    model::UserId,
    sealing::SealingKey,
    time::{Clock, SystemClock},
};
use provisio_store::Backend;

fn run(args: &[&str], url: &str) -> (bool, String, String) {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--database-url", url]);
    let out = provisio(&all);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_card_network_from_the_command_line() {
    let (db, store, _) = partner_on_fresh_database(Backend::Sqlite, "Acme BV").await;
    let url = db.config.url.clone();
    let order = rules::CardInput {
        second_line: Some("Office".into()),
        kind: Some("MASTERCARD".into()),
        product_type: Some("MASTERCARD_DEBIT".into()),
        ..rules::CardInput::default()
    };
    let new = rules::new_card(CardKind::Debit, &order).unwrap_or_else(|e| panic!("{e}"));
    // A store writes card secrets only sealed, so it needs the key the server would give it.
    let key = SealingKey::from_hex(&"11".repeat(32)).unwrap_or_else(|e| panic!("{e}"));
    store
        .seal_card_secrets(std::sync::Arc::new(key), None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let card = store
        .create_card(UserId(1), &new, "Acme BV", SystemClock::new().now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(card.id.0, 1);
    let (ok, _, err) = run(&["account", "credit", "1", "--amount", "20.00"], &url);
    assert!(ok, "{err}");

    let authorize = |extra: &[&str]| {
        let mut args = vec!["card", "authorize", "1", "--merchant", "Coffee BV"];
        args.extend_from_slice(extra);
        run(&args, &url)
    };
    let (ok, out, err) = authorize(&["--amount", "12.50", "--country", "NL"]);
    assert!(ok, "{err}");
    assert_eq!(
        out.trim(),
        "Card transaction 1 on card 1: 12.50 EUR at Coffee BV, AUTHORISED (ALLOWED), settlement PENDING_SETTLEMENT."
    );
    let (ok, out, _) = authorize(&["--amount", "1.00", "--decline-reason", "SUSPECTED_FRAUD"]);
    assert!(ok && out.contains("DECLINED (SUSPECTED_FRAUD)"), "{out}");
    let (ok, out, _) = authorize(&["--amount", "10.00"]);
    assert!(
        ok && out.contains("DECLINED (INSUFFICIENT_BALANCE)"),
        "{out}"
    );
    let (ok, out, _) = authorize(&["--amount", "1.00", "--identity-check"]);
    assert!(
        ok && out.starts_with("Challenge 1 for 1.00 EUR at Coffee BV is PENDING"),
        "{out}"
    );

    let (ok, out, err) = run(&["card", "reverse", "1"], &url);
    assert!(ok && out.contains("REVERSED"), "{out}{err}");
    let (ok, _, err) = run(&["card", "reverse", "1"], &url);
    assert!(
        !ok && err.starts_with("provisio: this card transaction is REVERSED"),
        "{err}"
    );
    let (ok, _, err) = run(&["card", "settle", "2"], &url);
    assert!(!ok && err.contains("DECLINED"), "{err}");
    let (ok, _, err) = authorize(&["--amount", "1.5"]);
    assert!(!ok && err.contains("exactly two decimals"), "{err}");
    let (ok, _, err) = run(
        &[
            "card",
            "authorize",
            "9",
            "--amount",
            "1.00",
            "--merchant",
            "X",
        ],
        &url,
    );
    assert!(!ok && err.contains("card not found"), "{err}");
    let ledger = store.ledger().await.unwrap_or_else(|e| panic!("{e}"));
    assert!(
        ledger.holds() && ledger.balances_minor == 2_000,
        "{ledger:?}"
    );
}

#[test]
fn card_commands_need_existing_data() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let missing = dir.path().join("nothing").to_string_lossy().into_owned();
    let out = provisio(&["card", "settle", "1", "--data-dir", &missing]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no provisio data at"));
}
