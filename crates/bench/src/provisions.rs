//! The provisioning scenario: partners create provisions as fast as they can; the workers
//! carry each to `CREATED/PENDING_PROCESS_USER_ONBOARDING` with no step delay.
//!
//! Latency is measured from the moment the client sent the `POST` to the time the history
//! records the onboarding transition. Server and client share this machine's clock.

use std::{
    sync::Arc,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use provisio_client::{
    wire::{requests::ProvisionRequest, Item},
    Client, Request, SigningKey,
};
use reqwest::Method;

pub struct ProvisionStats {
    pub latencies: Vec<Duration>,
    /// Provisions carried to onboarding per second, from the first POST to the last arrival.
    pub rate: f64,
}

/// This machine's clock, as the server reads it.
pub fn now_micros() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

pub async fn run(
    urls: &[String],
    api_key: &str,
    admin_token: &str,
    key: Arc<SigningKey>,
    workers: usize,
    run: Duration,
) -> anyhow::Result<ProvisionStats> {
    let mut clients = Vec::new();
    for url in urls {
        clients.push(Arc::new(
            Client::builder(url, api_key)
                .signing_key(key.clone())
                .connect()
                .await?,
        ));
    }
    clients[0]
        .create_oauth_client("https://partner.example/cb")
        .await?;

    let start = Instant::now();
    let tasks: Vec<_> = (0..workers)
        .map(|w| {
            let client = clients[w % clients.len()].clone();
            tokio::spawn(async move {
                let mut sent = Vec::new();
                while start.elapsed() < run {
                    let body = ProvisionRequest {
                        external_uuid: Some(uuid::Uuid::new_v4().to_string()),
                        email: Some("bench@example.com".into()),
                        phone_number: Some("+31612345678".into()),
                        products: Some(vec!["USER_VERIFIED".into()]),
                        ..ProvisionRequest::default()
                    };
                    let t0 = now_micros();
                    if let Ok(answer) = client.post("/v1/partner-user-provision", &body).await {
                        if let Some(Item::Id(id)) = answer.response.first() {
                            sent.push((id.id, t0, w));
                        }
                    }
                }
                sent
            })
        })
        .collect();
    let mut sent = Vec::new();
    for task in tasks {
        sent.extend(task.await?);
    }

    // Collect each provision's arrival from its history (waiting for stragglers).
    let admin = provisio_client::Api::new(&urls[0], key);
    let mut latencies = Vec::with_capacity(sent.len());
    let mut last_arrival = 0;
    let first_sent = sent.iter().map(|(_, t0, _)| *t0).min().unwrap_or(0);
    for (id, t0, _) in &sent {
        let deadline = Instant::now() + Duration::from_secs(60);
        let arrived = loop {
            if let Some(at) = onboarding_at(&admin, admin_token, *id).await? {
                break at;
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "provision {id} never reached onboarding"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        last_arrival = last_arrival.max(arrived);
        latencies.push(Duration::from_micros(
            u64::try_from(arrived - t0).unwrap_or(0),
        ));
    }
    let span = Duration::from_micros(u64::try_from(last_arrival - first_sent).unwrap_or(1).max(1));
    Ok(ProvisionStats {
        rate: latencies.len() as f64 / span.as_secs_f64(),
        latencies,
    })
}

/// When the provision's history recorded its arrival at onboarding, in µs since the epoch.
async fn onboarding_at(
    api: &provisio_client::Api,
    token: &str,
    id: i64,
) -> anyhow::Result<Option<i64>> {
    let reply = api
        .send(
            Request::new(Method::GET, format!("/_provisio/provisions/{id}/history"))
                .header("authorization", &format!("Bearer {token}")),
        )
        .await?;
    let history = reply.envelope()?;
    Ok(history.response.iter().find_map(|item| match item {
        Item::ProvisionHistoryEntry(e) if e.to_sub_status == "PENDING_PROCESS_USER_ONBOARDING" => {
            provisio_client::wire::time::parse(&e.at)
        }
        _ => None,
    }))
}
