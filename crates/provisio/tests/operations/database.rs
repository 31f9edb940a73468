//! A database that is not there yet when `provisio serve` starts: the server waits for it,
//! saying so, instead of exiting; `--no-wait-for-database` exits at once.

use std::time::{Duration, Instant};

use provisio_store::{
    testing::{skip_postgres, TcpProxy, TestDatabase},
    Backend,
};

use crate::{common::serve_logging_to, stderr};

/// Waits (bounded) until `log` holds `text`.
async fn wait_for_log(log: &std::path::Path, text: &str) -> String {
    let started = Instant::now();
    loop {
        let written = std::fs::read_to_string(log).unwrap_or_default();
        if written.contains(text) {
            return written;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the log never said {text:?}: {written}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_waits_for_a_database_that_is_not_there_yet() {
    if skip_postgres().await {
        return;
    }
    let db = TestDatabase::create(Backend::Postgres).await;
    // Refuses connections until restored: the database is "down" when serve starts.
    let proxy = TcpProxy::cut_from_start(&db.postgres_address()).await;
    let url = db.through(&proxy).url;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let log = dir.path().join("serve.log");
    let file = std::fs::File::create(&log).unwrap_or_else(|e| panic!("{e}"));
    let args = [
        "--database-url".to_owned(),
        url,
        "--db-acquire-timeout".to_owned(),
        "300ms".to_owned(),
    ];
    let serving = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        serve_logging_to(&args, "provisio listening on ", file)
    });

    let written = wait_for_log(&log, "waiting for the database").await;
    assert!(written.contains("attempt=1"), "{written}");
    wait_for_log(&log, "attempt=2").await;
    proxy.restore().await;

    let serving = tokio::time::timeout(Duration::from_secs(30), serving)
        .await
        .unwrap_or_else(|_| panic!("serve never listened after the database came back"))
        .unwrap_or_else(|e| panic!("{e}"));
    let ready = reqwest::get(format!("{}/_provisio/ready", serving.url))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ready.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_wait_for_database_exits_at_once() {
    if skip_postgres().await {
        return;
    }
    let db = TestDatabase::create(Backend::Postgres).await;
    let proxy = TcpProxy::cut_from_start(&db.postgres_address()).await;
    let url = db.through(&proxy).url;
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(crate::common::BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--no-wait-for-database"])
            .args(["--database-url", &url, "--db-acquire-timeout", "300ms"])
            .env_remove("PROVISIO_DATABASE_URL")
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("cannot open the database"), "{err}");
    assert!(!err.contains("waiting for the database"), "{err}");
}
