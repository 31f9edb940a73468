//! The database going away or held by a lock: the process still answers `health` at once,
//! `ready` says 503 within its timeout, and bunq's routes answer 503 in the envelope, with
//! `Retry-After`, within the configured timeouts instead of hanging; all is well again once
//! the database is back. The database is taken away through a proxy in front of it, so the
//! shared PostgreSQL server is never stopped.

use std::{
    future::Future,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use provisio_client::{Reply, Request};
use provisio_server::ServerConfig;
use provisio_store::{
    testing::{skip_postgres, TcpProxy, TestDatabase},
    Backend, StoreConfig, Timeouts,
};
use reqwest::Method;
use sqlx::{Connection, Executor};

use crate::{
    accounts::{bank, banks, open, own_id},
    helpers::*,
    payments::{fund, to},
    webhooks::company,
};

/// Short timeouts, so the bounds below stay small.
fn short_timeouts(store: StoreConfig) -> StoreConfig {
    StoreConfig {
        timeouts: Timeouts {
            acquire: Duration::from_millis(500),
            statement: Duration::from_secs(1),
            lock: Duration::from_millis(500),
        },
        ..store
    }
}

fn config() -> ServerConfig {
    ServerConfig {
        ready_timeout: Duration::from_secs(1),
        ..test_config()
    }
}

/// Runs `call` and returns its answer and how long it took; a call that hangs fails the test.
async fn timed<T>(call: impl Future<Output = T>) -> (T, Duration) {
    let started = Instant::now();
    let answer = tokio::time::timeout(Duration::from_secs(15), call)
        .await
        .unwrap_or_else(|_| panic!("no answer within 15 s"));
    (answer, started.elapsed())
}

async fn get(app: &TestApp, path: &str) -> Reply {
    app.send(Request::new(Method::GET, path)).await
}

fn assert_unavailable(app: &TestApp, reply: &Reply) {
    assert_error(reply, &app.server_key, 503, "Service unavailable");
    assert_eq!(reply.header("retry-after"), Some("1"));
}

/// Polls `ready` (bounded) until it answers 200.
async fn wait_until_ready(app: &TestApp) {
    let started = Instant::now();
    while get(app, "/_provisio/ready").await.status != 200 {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "never ready again"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_that_goes_away_is_answered_at_once() {
    if skip_postgres().await {
        return;
    }
    let db = TestDatabase::create(Backend::Postgres).await;
    let proxy = TcpProxy::start(&db.postgres_address()).await;
    let store = short_timeouts(db.through(&proxy));
    let app = TestApp::spawn_on(db, store, config()).await;
    let client = app.client().await;
    let me = company(&client).await;
    let session = client
        .context()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .session_token;
    let accounts =
        || Request::new(Method::GET, format!("/v1/user/{me}/monetary-account")).token(&session);
    let listed = client
        .api()
        .send(accounts())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(listed.status, 200);

    proxy.cut();
    let (health, took) = timed(get(&app, "/_provisio/health")).await;
    assert_eq!(health.status, 200);
    assert!(took < Duration::from_millis(500), "health took {took:?}");
    let (ready, took) = timed(get(&app, "/_provisio/ready")).await;
    assert_error(&ready, &app.server_key, 503, "Not ready");
    assert!(took < Duration::from_millis(1500), "ready took {took:?}");
    let (reply, took) = timed(client.api().send(accounts())).await;
    let reply = reply.unwrap_or_else(|e| panic!("{e}"));
    assert_unavailable(&app, &reply);
    // The pool's wait (0.5 s) and a little more, not a hang.
    assert!(
        took < Duration::from_millis(2500),
        "a /v1 call took {took:?}"
    );

    proxy.restore().await;
    wait_until_ready(&app).await;
    let listed = client
        .api()
        .send(accounts())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(listed.status, 200);
}

/// Takes the locks a writer would need and holds them until dropped: on PostgreSQL the
/// notification filters' and the readiness probe's tables, on SQLite the one write lock.
async fn hold_locks(app: &TestApp) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&app.database().config.url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let statements: &[&str] = match app.database().backend {
        Backend::Postgres => &[
            "BEGIN",
            "LOCK TABLE notification_filters, store_heartbeat IN ACCESS EXCLUSIVE MODE",
        ],
        Backend::Sqlite => &["BEGIN IMMEDIATE"],
    };
    for sql in statements {
        conn.execute(*sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    conn
}

async fn with_short_timeouts(backend: Backend) -> TestApp {
    let db = TestDatabase::create(backend).await;
    let store = short_timeouts(db.config.clone());
    TestApp::spawn_on(db, store, config()).await
}

for_each_backend! { with_short_timeouts =>
    async fn a_held_lock_makes_a_write_answer_503_within_the_lock_timeout(app: TestApp) {
        let client = app.client().await;
        let me = company(&client).await;
        let session = client.context().await.unwrap_or_else(|e| panic!("{e}")).session_token;
        let filters = serde_json::json!({"notification_filters": [
            {"category": "PARTNER_USER_PROVISION", "notification_target": "https://example.com/hook"}
        ]});
        let write = || {
            Request::new(Method::POST, format!("/v1/user/{me}/notification-filter-url"))
                .json(&filters)
                .token(&session)
        };

        let mut locker = hold_locks(&app).await;
        let (health, took) = timed(get(&app, "/_provisio/health")).await;
        assert_eq!(health.status, 200);
        assert!(took < Duration::from_millis(500), "health took {took:?}");
        // A read-only probe would say ready; the probe's write cannot commit.
        let (ready, took) = timed(get(&app, "/_provisio/ready")).await;
        assert_error(&ready, &app.server_key, 503, "Not ready");
        assert!(took < Duration::from_millis(1500), "ready took {took:?}");
        let (reply, took) = timed(client.api().send(write())).await;
        let reply = reply.unwrap_or_else(|e| panic!("{e}"));
        assert_unavailable(&app, &reply);
        assert!(took < Duration::from_millis(2500), "the write took {took:?}");

        locker.execute("ROLLBACK").await.unwrap_or_else(|e| panic!("{e}"));
        let _ = locker.close().await;
        wait_until_ready(&app).await;
        let reply = client.api().send(write()).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    }
}

/// Payments from several clients at once while the database goes away for a second and comes
/// back: each client retries a payment that answered 503 with the same
/// `X-Bunq-Client-Request-Id` until it is answered, as bunq's documentation asks of a client.
/// Every payment is then made exactly once (an unknown outcome included), and the ledger holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payments_under_load_through_an_outage_are_each_made_once() {
    if skip_postgres().await {
        return;
    }
    const CLIENTS: usize = 6;
    const EACH: usize = 40;
    let db = TestDatabase::create(Backend::Postgres).await;
    let proxy = TcpProxy::start(&db.postgres_address()).await;
    let store = short_timeouts(db.through(&proxy));
    let app = TestApp::spawn_on(db, store, config()).await;
    let client = app.client().await;
    let me = own_id(&client).await;
    let main = banks(&client, me).await[0].id;
    let pot = open(&client, me, "bank", &bank("EUR", "Pot")).await;
    let pot_iban = banks(&client, me)
        .await
        .into_iter()
        .find(|a| a.id == pot)
        .map(|a| a.alias[0].value.clone())
        .unwrap_or_default();
    fund(&app, main, "1000.00").await;
    let session = client
        .context()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .session_token;
    let answered = Arc::new(AtomicUsize::new(0));
    let refused = Arc::new(AtomicUsize::new(0));
    let path = format!("/v1/user/{me}/monetary-account/{main}/payment");
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (api, session, path, iban) = (
                client.api().clone(),
                session.clone(),
                path.clone(),
                pot_iban.clone(),
            );
            let (answered, refused) = (Arc::clone(&answered), Arc::clone(&refused));
            tokio::spawn(async move {
                let mut made = Vec::new();
                for i in 0..EACH {
                    let request_id = format!("load-{c}-{i}");
                    let mut unavailable = 0;
                    let id = loop {
                        let reply = api
                            .send(
                                Request::new(Method::POST, path.clone())
                                    .token(&session)
                                    .json(&to(&iban, "1.00"))
                                    .header("X-Bunq-Client-Request-Id", &request_id),
                            )
                            .await
                            .unwrap_or_else(|e| panic!("{e}"));
                        match reply.status {
                            200 => break first_id_of(&reply),
                            503 if unavailable < 100 => {
                                unavailable += 1;
                                refused.fetch_add(1, Ordering::SeqCst);
                            }
                            _ => panic!(
                                "{request_id}: {} {}",
                                reply.status,
                                String::from_utf8_lossy(&reply.body)
                            ),
                        }
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    };
                    answered.fetch_add(1, Ordering::SeqCst);
                    made.push(id);
                }
                made
            })
        })
        .collect();

    // Cut the database once a few payments are through, while the rest are under way.
    let started = Instant::now();
    while answered.load(Ordering::SeqCst) < CLIENTS {
        assert!(started.elapsed() < Duration::from_secs(30), "no payments");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    proxy.cut();
    tokio::time::sleep(Duration::from_secs(1)).await;
    proxy.restore().await;

    let mut made = Vec::new();
    for task in tasks {
        made.extend(task.await.unwrap_or_else(|e| panic!("{e}")));
    }
    made.sort_unstable();
    made.dedup();
    let total = CLIENTS * EACH;
    assert_eq!(made.len(), total, "each request its own payment");
    assert!(
        refused.load(Ordering::SeqCst) > 0,
        "the outage met no payment: the test proved nothing"
    );
    wait_until_ready(&app).await;
    let balance = |id: i64| {
        let client = &client;
        async move {
            banks(client, me)
                .await
                .into_iter()
                .find(|a| a.id == id)
                .map(|a| a.balance.value)
                .unwrap_or_default()
        }
    };
    // 1.00 each: each payment made once, none twice.
    assert_eq!(balance(pot).await, format!("{total}.00"));
    assert_eq!(balance(main).await, format!("{}.00", 1000 - total));
    let ledger = app.store.ledger().await.unwrap_or_else(|e| panic!("{e}"));
    assert!(ledger.holds(), "{ledger:?}");
}

fn first_id_of(reply: &Reply) -> i64 {
    serde_json::from_slice::<serde_json::Value>(&reply.body).unwrap_or_default()["Response"][0]
        ["Id"]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no Id: {}", String::from_utf8_lossy(&reply.body)))
}
