//! `TestApp`: one provisio per test, with its own database, a clock the test can move, and a
//! partner to connect as.

use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, OnceLock,
    },
};

use provisio_client::{Api, Client, ClientBuilder, Reply, Request, SigningKey, VerifyingKey};
use provisio_core::{store::Store, time::SystemClock};
use provisio_server::{
    config::WorkerConfig, context::partners::create_partner, Outcome, Server, ServerConfig, Worker,
};
use provisio_store::{connect, testing::TestDatabase, Backend, StoreConfig};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

pub struct TestApp {
    pub base_url: String,
    pub addr: SocketAddr,
    pub api_key: String,
    pub partner_id: i64,
    pub clock: Arc<SystemClock>,
    pub store: Arc<dyn Store>,
    pub server_key: Arc<VerifyingKey>,
    pub admin_token: String,
    worker: Option<Arc<Worker>>,
    dispatcher: Option<Arc<provisio_server::webhooks::dispatch::Dispatcher>>,
    config: ServerConfig,
    db: TestDatabase,
    /// How the server reaches `db` (directly, or through a test's proxy).
    store_config: StoreConfig,
    running: Option<(oneshot::Sender<()>, JoinHandle<std::io::Result<()>>)>,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        TestApp::spawn_with(backend, test_config()).await
    }

    pub async fn spawn_with(backend: Backend, config: ServerConfig) -> TestApp {
        let db = TestDatabase::create(backend).await;
        let store_config = db.config.clone();
        TestApp::spawn_on(db, store_config, config).await
    }

    /// A server on `db`, reaching it as `store_config` says (e.g. through a proxy, with other
    /// timeouts).
    pub async fn spawn_on(
        db: TestDatabase,
        store_config: StoreConfig,
        config: ServerConfig,
    ) -> TestApp {
        let store: Arc<dyn Store> = Arc::new(
            connect(&store_config)
                .await
                .unwrap_or_else(|e| panic!("{e}")),
        );
        let clock = Arc::new(SystemClock::new());
        let (partner, key) = create_partner(
            store.as_ref(),
            clock.as_ref(),
            config.environment,
            "Acme BV",
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let mut app = TestApp {
            base_url: format!("http://{addr}"),
            addr,
            api_key: key.expose().to_owned(),
            partner_id: partner.id.0,
            clock,
            store,
            server_key: Arc::new(placeholder_key()),
            admin_token: String::new(),
            worker: None,
            dispatcher: None,
            config,
            db,
            store_config,
            running: None,
        };
        app.start(listener).await;
        app
    }

    async fn start(&mut self, listener: TcpListener) {
        let server = Server::build(self.config.clone(), self.store.clone(), self.clock.clone())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        self.server_key = Arc::new(
            VerifyingKey::from_pem(server.public_key_pem()).unwrap_or_else(|e| panic!("{e}")),
        );
        self.admin_token = server.admin_token().unwrap_or_default().to_owned();
        self.worker = Some(server.worker());
        self.dispatcher = Some(server.dispatcher());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server.serve(listener, async move {
            let _ = stopped.await;
        }));
        self.running = Some((stop, task));
    }

    /// Stops the server as a process would stop, then starts a new one on the same database
    /// and address, with fresh connections and empty caches.
    pub async fn restart(&mut self) {
        if let Some((stop, task)) = self.running.take() {
            let _ = stop.send(());
            let _ = task.await;
        }
        self.store = Arc::new(
            connect(&self.store_config)
                .await
                .unwrap_or_else(|e| panic!("{e}")),
        );
        let listener = TcpListener::bind(self.addr)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        self.start(listener).await;
    }

    /// Restarts (as `restart`) with another configuration.
    pub async fn restart_with(&mut self, config: ServerConfig) {
        self.config = config;
        self.restart().await;
    }

    /// The configuration this server runs with.
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// The database behind this server, for tests that change it behind the server's back.
    pub fn database(&self) -> &TestDatabase {
        &self.db
    }

    /// Runs the worker until no job is due: every background step that can happen now has.
    /// Returns how many jobs it finished.
    pub async fn drain(&self) -> usize {
        let mut done = 0;
        while let Outcome::Worked(n) = self.step().await {
            done += n;
        }
        done
    }

    /// One worker batch: each due job once (so each provision moves at most one step).
    pub async fn step(&self) -> Outcome {
        let worker = self
            .worker
            .as_ref()
            .unwrap_or_else(|| panic!("not started"));
        worker
            .run_once()
            .await
            .unwrap_or_else(|e| panic!("worker: {e}"))
    }

    /// Sends every webhook delivery that is due now; returns how many attempts were made.
    pub async fn deliver(&self) -> usize {
        let dispatcher = self
            .dispatcher
            .as_ref()
            .unwrap_or_else(|| panic!("not started"));
        let mut attempts = 0;
        while let Outcome::Worked(n) = dispatcher
            .run_once()
            .await
            .unwrap_or_else(|e| panic!("dispatcher: {e}"))
        {
            attempts += n;
        }
        attempts
    }

    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder(&self.base_url, &self.api_key).signing_key(test_key())
    }

    /// A client with an open API context.
    pub async fn client(&self) -> Client {
        self.client_builder()
            .connect()
            .await
            .unwrap_or_else(|e| panic!("handshake: {e}"))
    }

    /// A bare transport with its own key, for requests a well-behaved client would not send.
    pub fn api(&self) -> Api {
        Api::new(&self.base_url, test_key())
    }

    pub async fn send(&self, request: Request) -> Reply {
        self.api()
            .send(request)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }
}

/// The configuration tests start from: no background worker (tests drain it themselves) and
/// no delay between steps.
pub fn test_config() -> ServerConfig {
    ServerConfig {
        run_workers: false,
        worker: WorkerConfig {
            step_delay: std::time::Duration::ZERO,
            ..WorkerConfig::default()
        },
        ..ServerConfig::default()
    }
}

/// A server with the `strict` profile.
pub async fn strict(backend: Backend) -> TestApp {
    TestApp::spawn_with(
        backend,
        ServerConfig {
            profile: provisio_server::Profile::Strict,
            ..test_config()
        },
    )
    .await
}

/// The locked-down deployment: `strict` in production, where the operator API is absent.
pub async fn strict_production(backend: Backend) -> TestApp {
    TestApp::spawn_with(
        backend,
        ServerConfig {
            profile: provisio_server::Profile::Strict,
            environment: provisio_core::model::Environment::Production,
            ..test_config()
        },
    )
    .await
}

/// Asserts an answer is the operator API's: identified (`X-Bunq-Client-Response-Id`) but not
/// signed, as every answer under `/_provisio` is.
pub fn assert_operator_reply(reply: &Reply) {
    assert!(
        reply.path.starts_with("/_provisio"),
        "{} is not the operator API",
        reply.path
    );
    assert!(
        reply.header("x-bunq-server-signature").is_none(),
        "an operator answer is signed: {}",
        reply.path
    );
    assert!(
        reply.header("x-bunq-client-response-id").is_some(),
        "an operator answer without a response id: {}",
        reply.path
    );
}

/// Asserts a reply is bunq's error envelope with this status and a description containing
/// `text`, signed by the server (under `/v1`) or identified but unsigned (the operator API's,
/// under `/_provisio`).
pub fn assert_error(reply: &Reply, server_key: &VerifyingKey, status: u16, text: &str) {
    let body = String::from_utf8_lossy(&reply.body);
    assert_eq!(reply.status, status, "body: {body}");
    assert_eq!(
        reply.header("content-type"),
        Some("application/json"),
        "body: {body}"
    );
    let envelope = reply
        .error_envelope()
        .unwrap_or_else(|| panic!("not an error envelope: {body}"));
    let description = envelope.description().unwrap_or_default();
    assert!(description.contains(text), "{description:?} lacks {text:?}");
    assert_eq!(
        envelope.error[0].error_description_translated, description,
        "translated text missing"
    );
    if reply.path.starts_with("/_provisio") {
        assert_operator_reply(reply);
    } else {
        reply
            .verify(server_key)
            .unwrap_or_else(|e| panic!("error reply not signed properly: {e}"));
    }
}

/// RSA-2048 generation takes ~100 ms; tests share a few keys (each still does real RSA).
pub fn test_key() -> Arc<SigningKey> {
    static KEYS: OnceLock<Vec<Arc<SigningKey>>> = OnceLock::new();
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let keys = KEYS.get_or_init(|| {
        (0..3)
            .map(|_| Arc::new(SigningKey::generate().unwrap_or_else(|e| panic!("{e}"))))
            .collect()
    });
    keys[NEXT.fetch_add(1, Ordering::Relaxed) % keys.len()].clone()
}

fn placeholder_key() -> VerifyingKey {
    VerifyingKey::from_pem(&test_key().public_key_pem().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"))
}

pub use provisio_store::for_each_backend;

/// A webhook receiver on a random local port that records every call and answers with the
/// status it is told to.
pub struct Receiver {
    pub url: String,
    calls: Arc<std::sync::Mutex<Vec<Received>>>,
    answer: Arc<std::sync::atomic::AtomicU16>,
    _task: JoinHandle<()>,
}

#[derive(Debug, Clone)]
pub struct Received {
    pub headers: reqwest::header::HeaderMap,
    pub body: bytes::Bytes,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("webhook body is not JSON: {e}"))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl Receiver {
    pub async fn start() -> Receiver {
        Receiver::start_on("127.0.0.1:0").await
    }

    /// On a given address, e.g. one that refused connections a moment ago.
    pub async fn start_on(addr: &str) -> Receiver {
        use axum::{extract::State, http::HeaderMap, routing::post, Router};
        type Shared = (
            Arc<std::sync::Mutex<Vec<Received>>>,
            Arc<std::sync::atomic::AtomicU16>,
        );
        async fn hook(
            State((calls, answer)): State<Shared>,
            headers: HeaderMap,
            body: bytes::Bytes,
        ) -> axum::http::StatusCode {
            if let Ok(mut calls) = calls.lock() {
                calls.push(Received { headers, body });
            }
            axum::http::StatusCode::from_u16(answer.load(Ordering::SeqCst))
                .unwrap_or(axum::http::StatusCode::OK)
        }
        let calls = Arc::new(std::sync::Mutex::new(Vec::new()));
        let answer = Arc::new(std::sync::atomic::AtomicU16::new(200));
        let listener = TcpListener::bind(addr)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let app = Router::new()
            .route("/hook", post(hook))
            .with_state((calls.clone(), answer.clone()));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver {
            url: format!("http://{addr}/hook"),
            calls,
            answer,
            _task: task,
        }
    }

    pub fn answer_with(&self, status: u16) {
        self.answer.store(status, Ordering::SeqCst);
    }

    pub fn received(&self) -> Vec<Received> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

/// A URL where nothing listens: connections are refused.
pub async fn nowhere() -> String {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    drop(listener);
    format!("http://{addr}/hook")
}

/// An [`operator`] call that must answer 200 as the operator API does (unsigned, identified):
/// the items of its envelope.
pub async fn operator_items(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> Vec<provisio_client::wire::Item> {
    let reply = operator(app, method, path, body).await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_operator_reply(&reply);
    reply.envelope().unwrap_or_else(|e| panic!("{e}")).response
}

/// A call on provisio's operator API (`/_provisio/…`) with the admin token, and a JSON body
/// when given.
pub async fn operator(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> Reply {
    let mut request =
        Request::new(method, path).header("authorization", &format!("Bearer {}", app.admin_token));
    if let Some(body) = body {
        request = request.json(&body);
    }
    app.send(request).await
}
