use std::{
    net::IpAddr,
    ops::Deref,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
};

use axum::http::Method;

use provisio_core::{crypto::SigningKey, secret::SecretHash, store::Store, time::Clock};
use tokio::sync::Notify;

use crate::{
    auth::AuthCache, config::ServerConfig, faults::Faults, metrics::Metrics, rate_limit::Windows,
    request_log::RequestLog, signing::ResponseSigner, webhook_sink::WebhookSink,
};

/// What every handler can reach: one `Arc` around `Shared`, so the clone every extractor and
/// middleware makes of it is one atomic increment, not thirteen (a profile of the hot GET
/// found a quarter of the server's CPU in cloning and dropping the state field by field).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The parts of [`AppState`].
pub struct Shared {
    pub config: Arc<ServerConfig>,
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub signer: Arc<ResponseSigner>,
    pub(crate) auth: Arc<AuthCache>,
    /// Signalled when a request creates due work, so an idle worker starts at once.
    pub(crate) wake: Arc<Notify>,
    /// Signalled when webhook deliveries may be due.
    pub(crate) deliver: Arc<Notify>,
    /// The operator token's hash; `None` when the operator API is disabled.
    pub(crate) admin: Option<SecretHash>,
    /// Calls per (address, method, route), for bunq's classic limits.
    pub(crate) calls: Arc<Windows<(IpAddr, Method, String)>>,
    /// Session creations per secret.
    pub(crate) session_calls: Arc<Windows<SecretHash>>,
    /// Sandbox users created per source address.
    pub(crate) sandbox_user_calls: Arc<Windows<IpAddr>>,
    /// This process's recent requests, for `/_provisio/requests`.
    pub(crate) requests: Arc<RequestLog>,
    pub(crate) metrics: Arc<Metrics>,
    /// What was posted to `/_provisio/sink/{name}` (dev profile), in this process's memory.
    pub(crate) sink: Arc<WebhookSink>,
    /// The faults armed on `/v1` routes (dev profile), in this process's memory.
    pub(crate) faults: Arc<Faults>,
    /// The store's count of writes that queued deliveries, as last seen
    /// ([`AppState::webhooks_queued`]).
    deliveries_seen: AtomicU64,
}

impl AppState {
    pub fn new(
        config: ServerConfig,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        key: SigningKey,
        admin_token: Option<&str>,
        metrics: Arc<Metrics>,
    ) -> Self {
        let auth = Arc::new(AuthCache::new(config.session_cache_ttl));
        let signer = ResponseSigner::new(key).timed(metrics.signing());
        let sink = Arc::new(WebhookSink::new(signer.public_key_pem()));
        AppState(Arc::new(Shared {
            config: Arc::new(config),
            store,
            clock,
            signer: Arc::new(signer),
            auth,
            wake: Arc::new(Notify::new()),
            deliver: Arc::new(Notify::new()),
            admin: admin_token.map(SecretHash::of),
            calls: Arc::default(),
            session_calls: Arc::default(),
            sandbox_user_calls: Arc::default(),
            requests: Arc::default(),
            metrics,
            sink,
            faults: Arc::default(),
            deliveries_seen: AtomicU64::new(0),
        }))
    }
}

impl AppState {
    /// A change was committed: its background step and its webhooks may be due now.
    pub(crate) fn changed(&self) {
        self.wake.notify_one();
        self.webhooks_queued();
    }

    /// A change that may have queued webhooks but scheduled nothing due now was committed
    /// (the worker finds a later timer on its own; waking it costs a write on SQLite). The
    /// dispatcher is woken only when a write of this process queued deliveries since the last
    /// look (`WebhookStore::deliveries_queued`, counted after each commit, so the count read
    /// here includes this change's): each wake costs the dispatcher its reads, and most
    /// changes queue nothing. Deliveries queued by another process are found by its polling,
    /// as before.
    pub(crate) fn webhooks_queued(&self) {
        let moved = match self.store.deliveries_queued() {
            Some(count) => self.deliveries_seen.swap(count, Ordering::AcqRel) != count,
            None => true,
        };
        if moved {
            self.deliver.notify_one();
        }
    }
}
