//! Card secrets at rest: the database holds no PAN or CVC2 as it is, in any column, while the
//! API answers both; values stored in plain text before sealing existed are sealed at start
//! and still read; an operator's key takes over from the derived one, and a wrong key stops
//! the start.

use std::sync::Arc;

use provisio_client::{wire::Item, Client};
use provisio_core::{sealing::SealingKey, time::SystemClock};
use provisio_server::{Server, ServerConfig};
use provisio_store::connect;

use crate::{
    accounts::{active_user, bank, open},
    cards::{debit_order, ok, order},
    helpers::*,
};

/// The card's PAN and a new STATIC CVC2, as the API answers them.
pub async fn pan_and_cvc2(user: &Client, key: i64, card: i64) -> (String, i64, String) {
    let pan = ok(user
        .post(
            &format!("/v1/user/{key}/card/{card}/primary-account-number"),
            &serde_json::json!({}),
        )
        .await);
    let [Item::CardPrimaryAccountNumber(pan)] = pan.response.as_slice() else {
        panic!("{pan:?}")
    };
    let made = ok(user
        .post(
            &format!("/v1/user/{key}/card/{card}/generated-cvc2"),
            &serde_json::json!({"type": "STATIC"}),
        )
        .await);
    let [Item::CardGeneratedCvc2(cvc)] = made.response.as_slice() else {
        panic!("{made:?}")
    };
    (pan.primary_account_number.clone(), cvc.id, cvc.cvc2.clone())
}

async fn read_pan(user: &Client, key: i64, card: i64) -> String {
    let pan = ok(user
        .post(
            &format!("/v1/user/{key}/card/{card}/primary-account-number"),
            &serde_json::json!({}),
        )
        .await);
    let [Item::CardPrimaryAccountNumber(pan)] = pan.response.as_slice() else {
        panic!("{pan:?}")
    };
    pan.primary_account_number.clone()
}

async fn read_cvc2(user: &Client, key: i64, card: i64, id: i64) -> String {
    let got = ok(user
        .get(&format!("/v1/user/{key}/card/{card}/generated-cvc2/{id}"))
        .await);
    let [Item::CardGeneratedCvc2(cvc)] = got.response.as_slice() else {
        panic!("{got:?}")
    };
    cvc.cvc2.clone()
}

/// No column of any table holds the PAN, and none holds the CVC2 as it is (the CVC2 column
/// itself, or quoted in JSON: three digits alone also occur inside times and ids).
async fn assert_stored_nowhere(app: &TestApp, pan: &str, cvc2: &str) {
    assert_eq!(
        app.database().cells_containing(pan).await,
        Vec::<String>::new(),
        "the PAN is stored as it is"
    );
    assert_eq!(
        app.database()
            .cells_containing(&format!("\"{cvc2}\""))
            .await,
        Vec::<String>::new(),
        "the CVC2 is stored quoted"
    );
    let plain = app
        .database()
        .text(&format!(
            "SELECT cvc2 FROM card_cvc2s WHERE cvc2 = '{cvc2}'"
        ))
        .await;
    assert_eq!(plain, None, "the CVC2 is stored as it is");
}

fn operator_key(byte: u8) -> Arc<SealingKey> {
    Arc::new(
        SealingKey::from_hex(&format!("{byte:02x}").repeat(32)).unwrap_or_else(|e| panic!("{e}")),
    )
}

for_each_backend! { TestApp::spawn =>
    async fn no_pan_or_cvc2_is_stored_as_it_is(app: TestApp) {
        let (_, user, key, _) = active_user(&app).await;
        open(&user, key, "bank", &bank("EUR", "Main")).await;
        let made = ok(order(&user, key, &debit_order()).await);
        let (pan, cvc_id, cvc2) = pan_and_cvc2(&user, key, made.id).await;
        assert!(pan.ends_with(&made.primary_account_numbers[0].four_digit), "the last four still show");
        assert_stored_nowhere(&app, &pan, &cvc2).await;
        // The API still answers both, the same each time.
        assert_eq!(read_pan(&user, key, made.id).await, pan);
        assert_eq!(read_cvc2(&user, key, made.id, cvc_id).await, cvc2);
    }

    async fn secrets_stored_in_plain_text_are_sealed_at_start_and_still_read(app: TestApp) {
        let mut app = app;
        let (_, user, key, _) = active_user(&app).await;
        open(&user, key, "bank", &bank("EUR", "Main")).await;
        let made = ok(order(&user, key, &debit_order()).await);
        let (_, cvc_id, _) = pan_and_cvc2(&user, key, made.id).await;
        // As a database from before sealing holds them (the migration left these columns).
        let (pan, cvc2) = ("5555550000001234", "789");
        app.database().execute(&format!(
            "UPDATE cards SET pan = '{pan}', pan_digest = NULL, pan_last_four = '1234' WHERE id = {};
             UPDATE card_cvc2s SET cvc2 = '{cvc2}' WHERE id = {cvc_id}", made.id)).await;

        app.restart().await;
        assert_stored_nowhere(&app, pan, cvc2).await;
        assert_eq!(read_pan(&user, key, made.id).await, pan);
        assert_eq!(read_cvc2(&user, key, made.id, cvc_id).await, cvc2);
        let sealed = app.database().text(&format!("SELECT pan FROM cards WHERE id = {}", made.id)).await;

        // Sealing is idempotent: a second start seals nothing again.
        app.restart().await;
        assert_eq!(app.database().text(&format!("SELECT pan FROM cards WHERE id = {}", made.id)).await, sealed);
        assert_eq!(read_pan(&user, key, made.id).await, pan);
    }

    async fn an_operator_key_takes_over_and_a_wrong_key_stops_the_start(app: TestApp) {
        let mut app = app;
        let (_, user, key, _) = active_user(&app).await;
        open(&user, key, "bank", &bank("EUR", "Main")).await;
        let made = ok(order(&user, key, &debit_order()).await);
        let (pan, cvc_id, cvc2) = pan_and_cvc2(&user, key, made.id).await;
        let derived = app.database().text(&format!("SELECT pan FROM cards WHERE id = {}", made.id)).await;

        // Values sealed with the derived key are sealed again under the operator's.
        let config = ServerConfig { secrets_key: Some(operator_key(7)), ..app.config().clone() };
        app.restart_with(config.clone()).await;
        let resealed = app.database().text(&format!("SELECT pan FROM cards WHERE id = {}", made.id)).await;
        assert_ne!(resealed, derived);
        assert_eq!(read_pan(&user, key, made.id).await, pan);
        assert_eq!(read_cvc2(&user, key, made.id, cvc_id).await, cvc2);
        assert_stored_nowhere(&app, &pan, &cvc2).await;

        // Another key (or none: the derived one) cannot open them, and says so at start.
        for wrong in [Some(operator_key(8)), None] {
            let store = Arc::new(connect(&app.database().config).await.unwrap_or_else(|e| panic!("{e}")));
            let wrong = ServerConfig { secrets_key: wrong, ..config.clone() };
            let refused = Server::build(wrong, store, Arc::new(SystemClock::new())).await.err().map(|e| e.to_string());
            assert!(refused.as_deref().is_some_and(|e| e.contains("sealed with another key")), "{refused:?}");
        }
        assert_eq!(app.database().text(&format!("SELECT pan FROM cards WHERE id = {}", made.id)).await, resealed, "a refused start changes nothing");
    }
}
