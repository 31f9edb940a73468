//! The webhook scenario: provisions flow as in the provisioning scenario, every change is
//! delivered to a local receiver that answers at once. Measures deliveries per second and the
//! delay from a change (the provision's `updated` in the body) to the delivery's arrival.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{extract::State, routing::post, Router};
use provisio_client::{
    wire::requests::{NotificationFilterRequest, NotificationFiltersRequest},
    Client, SigningKey,
};

pub struct WebhookStats {
    pub delays: Vec<Duration>,
    pub rate: f64,
}

type Arrivals = Arc<Mutex<Vec<(i64, i64)>>>;

async fn hook(State(arrivals): State<Arrivals>, body: bytes::Bytes) {
    let arrived = crate::provisions::now_micros();
    let changed = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| {
            v["NotificationUrl"]["object"]["PartnerUserProvision"]["updated"]
                .as_str()
                .and_then(provisio_client::wire::time::parse)
        })
        .unwrap_or(arrived);
    if let Ok(mut arrivals) = arrivals.lock() {
        arrivals.push((changed, arrived));
    }
}

pub async fn run(
    urls: &[String],
    api_key: &str,
    admin_token: &str,
    key: Arc<SigningKey>,
    workers: usize,
    run: Duration,
) -> anyhow::Result<(crate::provisions::ProvisionStats, WebhookStats)> {
    let arrivals: Arrivals = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let target = format!("http://{}/hook", listener.local_addr()?);
    let app = Router::new()
        .route("/hook", post(hook))
        .with_state(arrivals.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let partner = Client::builder(&urls[0], api_key)
        .signing_key(key.clone())
        .connect()
        .await?;
    let me = partner.context().await?.user_id;
    partner
        .post(
            &format!("/v1/user/{me}/notification-filter-url"),
            &NotificationFiltersRequest {
                notification_filters: vec![NotificationFilterRequest {
                    category: Some("PARTNER_USER_PROVISION".into()),
                    notification_target: Some(target),
                }],
            },
        )
        .await?;
    let provisions = crate::provisions::run(urls, api_key, admin_token, key, workers, run).await?;
    // Every provision makes four events (creation and three steps): wait for all of them.
    let expected = provisions.latencies.len() * 4;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while arrivals.lock().map(|a| a.len()).unwrap_or(0) < expected {
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "not every webhook arrived"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let arrivals = arrivals.lock().map(|a| a.clone()).unwrap_or_default();
    let first = arrivals.iter().map(|(_, at)| *at).min().unwrap_or(0);
    let last = arrivals.iter().map(|(_, at)| *at).max().unwrap_or(0);
    let span = Duration::from_micros(u64::try_from(last - first).unwrap_or(1).max(1));
    Ok((
        provisions,
        WebhookStats {
            rate: arrivals.len() as f64 / span.as_secs_f64(),
            delays: arrivals
                .iter()
                .map(|(changed, arrived)| {
                    Duration::from_micros(u64::try_from(arrived - changed).unwrap_or(0))
                })
                .collect(),
        },
    ))
}
