//! Webhook delivery: claims due deliveries from the outbox with a lease, POSTs each to its
//! target, and records the attempt (delivered, retry later, or failed for good).
//!
//! Each body is signed like a response (`X-Bunq-Server-Signature`, the server key, body only)
//! so receivers can verify it with the key from `POST /installation`, and carries a stable
//! event id (`X-Provisio-Event-Id`) because delivery is at least once. Like the provision
//! worker, [`Dispatcher::run_once`] does one batch and tests call it to drain the outbox.

use std::{
    collections::BTreeMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, OnceLock,
    },
    time::{Duration, Instant},
};

use provisio_core::{
    crypto::SigningKey,
    store::Store,
    time::Clock,
    webhook::{Attempt, Delivery, DeliveryRecord, DeliveryResult},
    StoreError,
};
use provisio_wire::{headers, objects::WebhookDelivery, render};
use tokio::{
    sync::{watch, Notify},
    task::JoinSet,
};

use crate::{
    config::DeliveryConfig,
    metrics::Metrics,
    signing::{KeyError, ResponseSigner},
    worker::{background_loop, Batches, Outcome},
};

/// The header carrying the event's stable id.
pub const EVENT_ID: &str = "x-provisio-event-id";

/// Who sends webhooks, as receivers see it.
const USER_AGENT: &str = "provisio-webhooks/0.1";

/// The headers a delivery is sent with. The dispatcher sends exactly these and the inspector
/// shows them, so the two cannot drift apart. `signature` is `X-Bunq-Server-Signature` of the
/// body (left out only where no server key exists yet, hence nothing was ever sent).
fn delivery_headers(event_id: &str, signature: Option<&str>) -> Vec<(&'static str, String)> {
    let mut sent = vec![
        ("content-type", "application/json".to_owned()),
        ("user-agent", USER_AGENT.to_owned()),
    ];
    if let Some(signature) = signature {
        sent.push((headers::SERVER_SIGNATURE, signature.to_owned()));
    }
    sent.push((EVENT_ID, event_id.to_owned()));
    sent
}

/// The delivery inspector (`/_provisio/deliveries`, `provisio webhooks list`): recent
/// deliveries with the body and the headers each is sent with. PKCS#1 v1.5 signatures are
/// deterministic, so the signature shown is the one the receiver got.
pub struct Inspector {
    signer: Option<Arc<ResponseSigner>>,
}

impl Inspector {
    pub(crate) fn new(signer: Arc<ResponseSigner>) -> Self {
        Inspector {
            signer: Some(signer),
        }
    }

    /// For a process that does not serve (the CLI): the server key as stored. None is created
    /// here; without one no server has run on this database, so nothing was sent.
    pub async fn from_store(store: &dyn Store) -> Result<Inspector, KeyError> {
        let signer = match store.server_key().await? {
            Some(pkcs8) => Some(Arc::new(ResponseSigner::new(SigningKey::from_pkcs8(
                &pkcs8,
            )?))),
            None => None,
        };
        Ok(Inspector { signer })
    }

    /// Recent deliveries, newest first, optionally to one target.
    pub async fn deliveries(
        &self,
        store: &dyn Store,
        target: Option<&str>,
        limit: u32,
    ) -> Result<Vec<WebhookDelivery>, StoreError> {
        let records = store.deliveries(target, limit).await?;
        Ok(records
            .iter()
            .map(|d| render::webhook_delivery(d, self.headers(d)))
            .collect())
    }

    fn headers(&self, d: &DeliveryRecord) -> BTreeMap<String, String> {
        let signature = self
            .signer
            .as_ref()
            .and_then(|signer| signer.sign(d.body.as_bytes()).ok());
        delivery_headers(&d.event_uuid, signature.as_deref())
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect()
    }
}

pub struct Dispatcher {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    signer: Arc<ResponseSigner>,
    /// Built on the first batch with something to send: its TLS set-up (the platform's
    /// certificate store, rustls' code) is ~1 MB of a server's idle memory that a sandbox
    /// with no webhook target never needs.
    http: OnceLock<reqwest::Client>,
    config: DeliveryConfig,
    name: String,
    claims: AtomicU64,
    metrics: Option<Arc<Metrics>>,
}

impl Dispatcher {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        signer: Arc<ResponseSigner>,
        config: DeliveryConfig,
    ) -> Self {
        Dispatcher {
            store,
            clock,
            signer,
            http: OnceLock::new(),
            config,
            name: format!("dispatcher-{}", provisio_core::ids::fresh_uuid().simple()),
            claims: AtomicU64::new(0),
            metrics: None,
        }
    }

    /// The same dispatcher, counting its attempts in `metrics`.
    pub(crate) fn with_metrics(mut self, metrics: Arc<Metrics>) -> Self {
        self.metrics = Some(metrics);
        self
    }

    fn http(&self) -> &reqwest::Client {
        self.http.get_or_init(|| {
            // The user agent is one of `delivery_headers`.
            reqwest::Client::builder()
                .timeout(self.config.timeout)
                .build()
                .unwrap_or_else(|err| {
                    tracing::error!(error = %err, "cannot configure the webhook client; using defaults, without the timeout");
                    reqwest::Client::new()
                })
        })
    }

    /// Sends one batch of due deliveries, concurrently, and records the attempts.
    pub async fn run_once(&self) -> Result<Outcome, StoreError> {
        let token = format!(
            "{}:{}",
            self.name,
            self.claims.fetch_add(1, Ordering::Relaxed)
        );
        crate::sandbox_clock::refresh(self.store.as_ref(), self.clock.as_ref()).await?;
        let deliveries = self
            .store
            .claim_deliveries(
                &token,
                self.clock.now(),
                self.config.lease,
                self.config.batch,
            )
            .await?;
        if deliveries.is_empty() {
            return Ok(Outcome::Idle);
        }
        let count = deliveries.len();
        let mut sends = JoinSet::new();
        let http = self.http();
        for delivery in deliveries {
            let (http, signer) = (http.clone(), self.signer.clone());
            sends.spawn(async move {
                let sent = send(&http, &signer, &delivery).await;
                (delivery, sent)
            });
        }
        let mut attempts = Vec::with_capacity(count);
        while let Some(sent) = sends.join_next().await {
            if let Ok((delivery, outcome)) = sent {
                attempts.push(self.attempt(&delivery, outcome));
            }
        }
        self.store
            .finish_deliveries(&token, attempts, self.clock.now())
            .await?;
        Ok(Outcome::Worked(count))
    }

    fn attempt(&self, delivery: &Delivery, sent: Sent) -> Attempt {
        if !sent.ok {
            self.log_failure(delivery, &sent);
        }
        let result = if sent.ok {
            DeliveryResult::Delivered
        } else if delivery.final_attempt {
            DeliveryResult::Failed
        } else {
            let failed = usize::try_from(delivery.attempts)
                .unwrap_or(usize::MAX)
                .saturating_add(1);
            match self.config.retry.next_delay(failed) {
                Some(delay) => DeliveryResult::RetryAt(self.clock.now().plus(delay)),
                None => DeliveryResult::Failed,
            }
        };
        if let Some(metrics) = &self.metrics {
            let outcome = match result {
                DeliveryResult::Delivered => "delivered",
                DeliveryResult::RetryAt(_) => "retry",
                DeliveryResult::Failed => "failed",
            };
            metrics.webhook_attempt(outcome, sent.latency);
        }
        Attempt {
            delivery: delivery.id,
            response_code: sent.status,
            error: sent.error,
            latency: sent.latency,
            result,
        }
    }

    /// A warning per failed attempt, counting attempts as bunq does: the first plus its
    /// retries (1 + 5 with the default schedule); a retry by hand is its own last attempt.
    fn log_failure(&self, delivery: &Delivery, sent: &Sent) {
        let attempt = delivery.attempts.saturating_add(1);
        let total = if delivery.final_attempt {
            attempt
        } else {
            u32::try_from(self.config.retry.schedule.len())
                .unwrap_or(u32::MAX)
                .saturating_add(1)
                .max(attempt)
        };
        let outcome = match (sent.status, &sent.error) {
            (_, Some(error)) => error.clone(),
            (Some(status), None) => status.to_string(),
            (None, None) => "no answer".to_owned(),
        };
        tracing::warn!(
            delivery = delivery.id,
            target = %redact_password(&delivery.target),
            status = sent.status,
            "webhook attempt {attempt} of {total} failed: {outcome}"
        );
    }

    /// Delivers until `stop` turns true; `wake` cuts an idle sleep short.
    pub async fn run(self: Arc<Self>, stop: watch::Receiver<bool>, wake: Arc<Notify>) {
        background_loop(self.as_ref(), stop, wake, None).await;
    }

    async fn idle_pause(&self) -> Duration {
        match self.store.next_delivery_at().await {
            Ok(Some(next)) => self.clock.now().until(next).min(self.config.idle_poll),
            _ => self.config.idle_poll,
        }
    }
}

impl Batches for Dispatcher {
    const NAME: &'static str = "dispatcher";

    fn batch(&self) -> impl std::future::Future<Output = Result<Outcome, StoreError>> + Send {
        self.run_once()
    }

    fn idle(&self) -> impl std::future::Future<Output = Duration> + Send {
        self.idle_pause()
    }
}

struct Sent {
    ok: bool,
    status: Option<u16>,
    error: Option<String>,
    latency: Duration,
}

async fn send(http: &reqwest::Client, signer: &ResponseSigner, delivery: &Delivery) -> Sent {
    let started = Instant::now();
    let signature = match signer.sign(delivery.body.as_bytes()) {
        Ok(signature) => signature,
        Err(err) => {
            return Sent {
                ok: false,
                status: None,
                error: Some(format!("cannot sign the body: {err}")),
                latency: started.elapsed(),
            }
        }
    };
    let mut request = http.post(&delivery.target);
    for (name, value) in delivery_headers(&delivery.event_uuid, Some(&signature)) {
        request = request.header(name, value);
    }
    let response = request.body(delivery.body.clone()).send().await;
    let latency = started.elapsed();
    match response {
        Ok(response) if response.status().is_success() => Sent {
            ok: true,
            status: Some(response.status().as_u16()),
            error: None,
            latency,
        },
        Ok(response) => Sent {
            ok: false,
            status: Some(response.status().as_u16()),
            error: Some(format!("The receiver answered {}.", response.status())),
            latency,
        },
        Err(err) => Sent {
            ok: false,
            status: None,
            error: Some(if err.is_timeout() {
                format!("Connection timeout after {} seconds.", latency.as_secs())
            } else {
                format!("Cannot reach the receiver: {err}")
            }),
            latency,
        },
    }
}

/// A target URL for the log, without a password it may carry (`https://user:secret@host/`).
fn redact_password(target: &str) -> String {
    match reqwest::Url::parse(target) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        _ => target.to_owned(),
    }
}
