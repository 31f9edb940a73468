//! SQLite files that can no longer be written (a full or read-only disk, files made immutable by
//! an operator): reads still work, so a readiness probe that only read would say ok while every
//! write fails. `ready` commits a heartbeat write, so it says 503; writes are refused in the
//! envelope; both come back once the files can be written again.

use std::{path::PathBuf, process::Command, time::Duration};

use provisio_client::Request;
use provisio_store::{testing::TestDatabase, Backend};
use reqwest::Method;

use crate::helpers::*;

/// Makes the database file and its write-ahead log immutable with `chattr +i`, which stops
/// root too; undone when dropped, so the temporary directory can still be removed. The shared
/// memory index (`-shm`) is left alone: SQLite maps it, and a write to a mapping of an
/// immutable file kills the process with SIGBUS, which is not the fault under test.
struct Immutable(Vec<PathBuf>);

impl Immutable {
    fn make(dir: &std::path::Path) -> Immutable {
        let paths: Vec<PathBuf> = ["provisio.db", "provisio.db-wal"]
            .iter()
            .map(|name| dir.join(name))
            .filter(|path| path.exists())
            .collect();
        assert!(!paths.is_empty(), "no database files in {}", dir.display());
        let guard = Immutable(paths);
        guard.chattr("+i");
        guard
    }

    fn chattr(&self, flag: &str) {
        let status = Command::new("chattr")
            .arg(flag)
            .args(&self.0)
            .status()
            .unwrap_or_else(|e| panic!("chattr: {e}"));
        assert!(status.success(), "chattr {flag} failed");
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").args(&self.0).status();
    }
}

/// `chattr +i` needs root (CAP_LINUX_IMMUTABLE) and a file system that has the flag.
fn can_make_immutable() -> bool {
    let probe = std::env::temp_dir().join(format!("provisio-chattr-{}", std::process::id()));
    if std::fs::write(&probe, b"").is_err() {
        return false;
    }
    let set = Command::new("chattr").arg("+i").arg(&probe).status();
    let _ = Command::new("chattr").arg("-i").arg(&probe).status();
    let _ = std::fs::remove_file(&probe);
    matches!(set, Ok(status) if status.success())
}

fn sqlite_dir(db: &TestDatabase) -> PathBuf {
    let path = db
        .config
        .url
        .trim_start_matches("sqlite://")
        .split('?')
        .next()
        .unwrap_or_default();
    PathBuf::from(path)
        .parent()
        .unwrap_or_else(|| panic!("no directory in {}", db.config.url))
        .to_path_buf()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_says_503_while_the_sqlite_files_cannot_be_written() {
    if !can_make_immutable() {
        // Not root, or a file system without the flag: this machine cannot run the test.
        // CI runs as root on ext4, where it always runs.
        eprintln!("skipped: chattr +i is not available here");
        return;
    }
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        provisio_server::ServerConfig {
            ready_timeout: Duration::from_secs(1),
            ..test_config()
        },
    )
    .await;
    let client = app.client().await;
    let me = crate::webhooks::company(&client).await;
    let session = client
        .context()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .session_token;
    let filters = serde_json::json!({"notification_filters": [
        {"category": "PARTNER_USER_PROVISION", "notification_target": "https://example.com/hook"}
    ]});
    let write = || {
        Request::new(
            Method::POST,
            format!("/v1/user/{me}/notification-filter-url"),
        )
        .json(&filters)
        .token(&session)
    };
    let read = || Request::new(Method::GET, format!("/v1/user/{me}")).token(&session);
    let ready = || app.send(Request::new(Method::GET, "/_provisio/ready"));
    assert_eq!(ready().await.status, 200);

    let frozen = Immutable::make(&sqlite_dir(app.database()));
    let started = std::time::Instant::now();
    let not_ready = ready().await;
    assert_error(&not_ready, &app.server_key, 503, "Not ready");
    assert!(
        started.elapsed() < Duration::from_millis(2500),
        "ready took {:?}",
        started.elapsed()
    );
    let refused = client
        .api()
        .send(write())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(refused.status, 500 | 503),
        "a write to read-only files answered {}: {}",
        refused.status,
        String::from_utf8_lossy(&refused.body)
    );
    assert!(
        refused.body.starts_with(b"{\"Error\":["),
        "{}",
        String::from_utf8_lossy(&refused.body)
    );
    // Reads still work: the process is up, the data is there, only writing is not.
    let user = client
        .api()
        .send(read())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(user.status, 200, "{}", String::from_utf8_lossy(&user.body));

    drop(frozen);
    let started = std::time::Instant::now();
    while ready().await.status != 200 {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "never ready again"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let written = client
        .api()
        .send(write())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        written.status,
        200,
        "{}",
        String::from_utf8_lossy(&written.body)
    );
}
