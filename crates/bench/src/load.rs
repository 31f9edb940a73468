//! The scenarios: closed-loop load with a fixed number of requests in flight.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use provisio_client::{
    wire::requests::{InstallationRequest, SessionServerRequest},
    Api, Client, Request, Signing, SigningKey,
};
use reqwest::Method;

use crate::repeated::Repeated;

#[derive(Debug, Default)]
pub struct Stats {
    pub latencies: Vec<Duration>,
    pub errors: u64,
    pub elapsed: Duration,
    /// CPU time the server spent during the run.
    pub server_cpu: Duration,
}

impl Stats {
    pub fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Server CPU per successful request.
    pub fn server_cpu_per_request(&self) -> Duration {
        self.server_cpu / u32::try_from(self.latencies.len().max(1)).unwrap_or(u32::MAX)
    }

    pub fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let mut sorted = self.latencies.clone();
        sorted.sort_unstable();
        let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
        sorted[rank.min(sorted.len() - 1)]
    }

    fn merge(&mut self, other: Stats) {
        self.latencies.extend(other.latencies);
        self.errors += other.errors;
    }
}

/// Latency of the very first request the fresh server handles.
pub async fn first_request(url: &str) -> anyhow::Result<Duration> {
    let key = Arc::new(SigningKey::generate()?);
    let api = Api::new(url, key.clone());
    let request = Request::new(Method::POST, "/v1/installation").json(&InstallationRequest {
        client_public_key: key.public_key_pem()?,
    });
    let start = Instant::now();
    let reply = api.send(request).await?;
    let took = start.elapsed();
    anyhow::ensure!(
        reply.status == 200,
        "first request failed: {}",
        reply.status
    );
    Ok(took)
}

/// Runs `workers` for `run`, each on its own connection, sending its next request when the one
/// before is answered.
pub(crate) async fn closed_loop(workers: Vec<Repeated>, run: Duration) -> Stats {
    let start = Instant::now();
    let handles: Vec<_> = workers
        .into_iter()
        .map(|mut worker| {
            tokio::spawn(async move {
                let mut stats = Stats::default();
                while start.elapsed() < run {
                    let sent = Instant::now();
                    if worker.send_ok().await {
                        stats.latencies.push(sent.elapsed());
                    } else {
                        stats.errors += 1;
                    }
                }
                stats
            })
        })
        .collect();
    let mut total = Stats::default();
    for handle in handles {
        if let Ok(stats) = handle.await {
            total.merge(stats);
        }
    }
    total.elapsed = start.elapsed();
    total
}

/// `POST /session-server` in a loop. Each worker has its own installation and device; the
/// request body never changes, so the client signs it once (PKCS#1 v1.5 is deterministic) and
/// the load generator spends no RSA time of its own.
pub async fn session_creation(
    url: &str,
    api_key: &str,
    key: Arc<SigningKey>,
    workers: usize,
    run: Duration,
) -> anyhow::Result<Stats> {
    let body = serde_json::to_vec(&SessionServerRequest {
        secret: api_key.to_owned(),
    })?;
    let signature = key.sign(&body)?;
    let api = Api::new(url, key.clone());
    let mut loops = Vec::new();
    for _ in 0..workers {
        let client = Client::builder(url, api_key)
            .signing_key(key.clone())
            .build()?;
        let installed = client.create_installation().await?;
        client.create_device(&installed).await?;
        let request = Request::new(Method::POST, "/v1/session-server")
            .token(&installed.token)
            .body(body.clone())
            .signing(Signing::Header(signature.clone()));
        loops.push(Repeated::connect(&api, request).await?);
    }
    Ok(closed_loop(loops, run).await)
}

/// An authenticated GET of `path`, whose answer does not change, sent by `workers` each on a
/// connection of its own.
pub async fn unchanged_get(
    url: &str,
    api_key: &str,
    key: Arc<SigningKey>,
    path: &str,
    workers: usize,
    run: Duration,
) -> anyhow::Result<Stats> {
    let client = Client::builder(url, api_key)
        .signing_key(key.clone())
        .connect()
        .await?;
    let context = client.context().await?;
    let api = Api::new(url, key);
    let mut loops = Vec::with_capacity(workers);
    for _ in 0..workers {
        let request = Request::new(Method::GET, path).token(&context.session_token);
        loops.push(Repeated::connect(&api, request).await?);
    }
    Ok(closed_loop(loops, run).await)
}
