//! `GET /_provisio/metrics`, in Prometheus' text format.
//!
//! Two kinds of figure. What happens in this process (requests by route and status with their
//! latency, response signing time, webhook attempts and their latency) is counted as it
//! happens, per process, as Prometheus expects of each scraped target. What is in the database
//! (provisions by state, the job queue and its lag, pending and failed deliveries) is counted
//! when scraped, so every process of a deployment reports the same, current figures.

use std::time::Duration;

use axum::http::StatusCode;

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};
use provisio_core::{store::Figures, time::Timestamp};

/// Latency buckets from 0.5 ms to 10 s.
const SECONDS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    request_seconds: HistogramVec,
    signing_seconds: Histogram,
    webhook_attempts: IntCounterVec,
    webhook_seconds: Histogram,
    provisions: IntGaugeVec,
    jobs_pending: IntGauge,
    jobs_lag_seconds: IntGauge,
    deliveries_pending: IntGauge,
    deliveries_lag_seconds: IntGauge,
    deliveries_failed: IntGauge,
}

impl Metrics {
    pub fn new() -> Result<Metrics, prometheus::Error> {
        let registry = Registry::new_custom(Some("provisio".into()), None)?;
        let histogram =
            |name: &str, help: &str| HistogramOpts::new(name, help).buckets(SECONDS.to_vec());
        let metrics = Metrics {
            requests: IntCounterVec::new(
                Opts::new("http_requests_total", "Requests answered, by route template and status."),
                &["method", "route", "status"],
            )?,
            request_seconds: HistogramVec::new(
                histogram("http_request_duration_seconds", "Time to answer a request, signing included."),
                &["route"],
            )?,
            signing_seconds: Histogram::with_opts(histogram(
                "response_signing_seconds",
                "Time to sign a response body (signatures served from the cache are not counted).",
            ))?,
            webhook_attempts: IntCounterVec::new(
                Opts::new("webhook_attempts_total", "Webhook delivery attempts, by outcome: delivered, retry (failed, another attempt follows) or failed (out of attempts)."),
                &["outcome"],
            )?,
            webhook_seconds: Histogram::with_opts(histogram(
                "webhook_attempt_duration_seconds",
                "Time from sending a webhook to its receiver's answer.",
            ))?,
            provisions: IntGaugeVec::new(
                Opts::new("provisions", "Provisions in the database, by status and sub_status."),
                &["status", "sub_status"],
            )?,
            jobs_pending: IntGauge::new("jobs_pending", "Background jobs waiting, due or not.")?,
            jobs_lag_seconds: IntGauge::new("jobs_lag_seconds", "How long the most overdue job has been due (0 when none is).")?,
            deliveries_pending: IntGauge::new("webhook_deliveries_pending", "Webhook deliveries waiting for an attempt.")?,
            deliveries_lag_seconds: IntGauge::new("webhook_deliveries_lag_seconds", "How long the most overdue delivery has been due (0 when none is).")?,
            deliveries_failed: IntGauge::new("webhook_deliveries_failed", "Deliveries that ran out of attempts (NotificationFilterFailures).")?,
            registry,
        };
        let r = &metrics.registry;
        r.register(Box::new(metrics.requests.clone()))?;
        r.register(Box::new(metrics.request_seconds.clone()))?;
        r.register(Box::new(metrics.signing_seconds.clone()))?;
        r.register(Box::new(metrics.webhook_attempts.clone()))?;
        r.register(Box::new(metrics.webhook_seconds.clone()))?;
        r.register(Box::new(metrics.provisions.clone()))?;
        r.register(Box::new(metrics.jobs_pending.clone()))?;
        r.register(Box::new(metrics.jobs_lag_seconds.clone()))?;
        r.register(Box::new(metrics.deliveries_pending.clone()))?;
        r.register(Box::new(metrics.deliveries_lag_seconds.clone()))?;
        r.register(Box::new(metrics.deliveries_failed.clone()))?;
        Ok(metrics)
    }

    pub fn request(&self, method: &str, route: &str, status: StatusCode, took: Duration) {
        // Labels must stay few: a client may send any method name, and the route is the
        // template ("(no route)" for anything unrouted), never the path.
        let method = match method {
            "GET" | "POST" | "PUT" | "DELETE" | "PATCH" | "HEAD" | "OPTIONS" => method,
            _ => "OTHER",
        };
        self.requests
            // The status as the code's own text: no string made per request.
            .with_label_values(&[method, route, status.as_str()])
            .inc();
        self.request_seconds
            .with_label_values(&[route])
            .observe(took.as_secs_f64());
    }

    /// The histogram the response signer observes.
    pub fn signing(&self) -> Histogram {
        self.signing_seconds.clone()
    }

    pub fn webhook_attempt(&self, outcome: &str, took: Duration) {
        self.webhook_attempts.with_label_values(&[outcome]).inc();
        self.webhook_seconds.observe(took.as_secs_f64());
    }

    /// Everything, in Prometheus' text format, with the database's figures as of `now`.
    pub fn render(&self, figures: &Figures, now: Timestamp) -> Result<String, prometheus::Error> {
        self.provisions.reset();
        for (status, sub_status, n) in &figures.provisions {
            self.provisions
                .with_label_values(&[status.as_str(), sub_status.as_str()])
                .set(gauge(*n));
        }
        let lag = |due: Option<Timestamp>| {
            due.map_or(0, |due| {
                i64::try_from(due.until(now).as_secs()).unwrap_or(i64::MAX)
            })
        };
        self.jobs_pending.set(gauge(figures.jobs_pending));
        self.jobs_lag_seconds.set(lag(figures.oldest_job_due));
        self.deliveries_pending
            .set(gauge(figures.deliveries_pending));
        self.deliveries_lag_seconds
            .set(lag(figures.oldest_delivery_due));
        self.deliveries_failed.set(gauge(figures.deliveries_failed));
        let mut text = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut text)?;
        Ok(String::from_utf8_lossy(&text).into_owned())
    }
}

fn gauge(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
