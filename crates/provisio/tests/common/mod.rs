//! Running the real `provisio` binary from tests.

#![allow(dead_code)] // each test binary uses a different part

pub mod shell;

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

pub const BIN: &str = env!("CARGO_BIN_EXE_provisio");

pub fn provisio(args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .env_remove("PROVISIO_DATABASE_URL")
        .output()
        .unwrap_or_else(|e| panic!("running provisio: {e}"))
}

pub fn is_sandbox_key(line: &str) -> bool {
    line.strip_prefix("sandbox_")
        .is_some_and(|hex| hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit()))
}

/// A running `provisio serve`, stopped with SIGTERM on drop.
pub struct Serving {
    pub child: Child,
    pub url: String,
    pub output: Vec<String>,
}

/// `provisio serve` on a data directory, waiting until it listens; a new demo partner's key
/// is printed (`--print-demo-key`: the output is a pipe, not a terminal).
pub fn serve(data_dir: &str) -> Serving {
    serve_with(
        &["--data-dir", data_dir, "--print-demo-key"],
        "provisio listening on ",
    )
}

/// `provisio serve --listen 127.0.0.1:0 ARGS`, waiting for a line that starts with `ready`.
pub fn serve_with(args: &[&str], ready: &str) -> Serving {
    serve_logging_to(args, ready, Stdio::null())
}

/// [`serve_with`], its log (stderr) going to `stderr`.
pub fn serve_logging_to(args: &[&str], ready: &str, stderr: impl Into<Stdio>) -> Serving {
    let child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .env_remove("PROVISIO_DATABASE_URL")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|e| panic!("spawning provisio serve: {e}"));
    // From here on, dropping `serving` (also on a panic) stops the process.
    let mut serving = Serving {
        child,
        url: String::new(),
        output: Vec::new(),
    };
    let stdout = serving
        .child
        .stdout
        .take()
        .unwrap_or_else(|| panic!("no stdout"));
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| {
                panic!(
                    "provisio serve never printed {ready:?}: {:?}",
                    serving.output
                )
            });
        // With `--log-format json` a line is an object; its `message` is the sentence.
        let said = serde_json::from_str::<serde_json::Value>(&line)
            .ok()
            .and_then(|v| v["message"].as_str().map(str::to_owned))
            .unwrap_or_else(|| line.clone());
        if let Some(url) = said.strip_prefix("provisio listening on ") {
            serving.url = url.to_owned();
        }
        let done = said.starts_with(ready);
        serving.output.push(line);
        if done {
            return serving;
        }
    }
}

impl Serving {
    pub fn stop(&mut self) {
        self.signal("-TERM");
    }

    /// SIGKILL: no shutdown, no cleanup, as when a machine dies.
    pub fn kill(&mut self) {
        self.signal("-KILL");
    }

    fn signal(&mut self, signal: &str) {
        if !matches!(self.child.try_wait(), Ok(None)) {
            return;
        }
        let _ = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A webhook receiver that keeps every body it gets and answers 200.
pub struct Receiver {
    pub url: String,
    pub bodies: std::sync::Arc<std::sync::Mutex<Vec<(String, serde_json::Value)>>>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        use axum::{extract::State, http::HeaderMap, routing::post, Router};
        type Bodies = std::sync::Arc<std::sync::Mutex<Vec<(String, serde_json::Value)>>>;
        async fn hook(State(bodies): State<Bodies>, headers: HeaderMap, body: bytes::Bytes) {
            let id = headers
                .get("x-provisio-event-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let json = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
            if let Ok(mut bodies) = bodies.lock() {
                bodies.push((id, json));
            }
        }
        let bodies: Bodies = Default::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let app = Router::new()
            .route("/hook", post(hook))
            .with_state(bodies.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver {
            url: format!("http://{addr}/hook"),
            bodies,
        }
    }

    pub fn received(&self) -> Vec<(String, serde_json::Value)> {
        self.bodies.lock().map(|b| b.clone()).unwrap_or_default()
    }
}

impl Serving {
    /// The demo partner's API key, printed on a first start.
    pub fn demo_key(&self) -> String {
        self.output
            .iter()
            .map(|l| l.trim())
            .find(|l| is_sandbox_key(l))
            .unwrap_or_else(|| panic!("no demo key in {:?}", self.output))
            .to_owned()
    }
}

/// A valid person provision request with a fresh external_uuid.
pub fn person() -> provisio_client::wire::requests::ProvisionRequest {
    provisio_client::wire::requests::ProvisionRequest {
        external_uuid: Some(uuid::Uuid::new_v4().to_string()),
        email: Some("eva@example.com".into()),
        phone_number: Some("+31612345678".into()),
        products: Some(vec!["USER_VERIFIED".into()]),
        ..Default::default()
    }
}

/// The partner with API key `key` on `url`, ready to provision (an OAuth client with a callback
/// URL), its provision webhooks sent to `target`.
pub async fn partner_sending_webhooks_to(
    url: &str,
    key: &str,
    target: &str,
) -> provisio_client::Client {
    use provisio_client::wire::requests::{NotificationFilterRequest, NotificationFiltersRequest};

    let client = provisio_client::Client::connect(url, key)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let me = client
        .context()
        .await
        .map(|c| c.user_id)
        .unwrap_or_default();
    client
        .create_oauth_client("https://partner.example/cb")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    client
        .post(
            &format!("/v1/user/{me}/notification-filter-url"),
            &NotificationFiltersRequest {
                notification_filters: vec![NotificationFilterRequest {
                    category: Some("PARTNER_USER_PROVISION".into()),
                    notification_target: Some(target.to_owned()),
                }],
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    client
}

/// A fresh database of `backend` with one partner made by `provisio partner create` (the real
/// binary), the store opened on it, and the partner's API key.
pub async fn partner_on_fresh_database(
    backend: provisio_store::Backend,
    name: &str,
) -> (
    provisio_store::testing::TestDatabase,
    std::sync::Arc<dyn provisio_core::store::Store>,
    String,
) {
    let db = provisio_store::testing::TestDatabase::create(backend).await;
    let out = provisio(&[
        "partner",
        "create",
        "--name",
        name,
        "--database-url",
        &db.config.url,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let api_key = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned();
    let store = provisio_store::connect(&db.config)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    (db, std::sync::Arc::new(store), api_key)
}
