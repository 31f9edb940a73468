//! `/_provisio/metrics`: Prometheus' text format, for the operator only.

use reqwest::Method;

use crate::{helpers::*, provisioning::*, verification::subscribe};

/// The value of the sample whose line starts with `series` (name and labels), if present.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
}

for_each_backend! { TestApp::spawn =>
    async fn metrics_count_requests_provisions_jobs_and_webhooks(app: TestApp) {
        let receiver = Receiver::start().await;
        let partner = ready_partner(&app).await;
        subscribe(&partner, app.partner_id, "PARTNER_USER_PROVISION", &receiver.url).await;
        create(&partner, &person(&new_uuid())).await;
        app.drain().await;
        app.deliver().await;
        create(&partner, &person(&new_uuid())).await;

        let reply = admin(&app, Method::GET, "/_provisio/metrics").await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("content-type"), Some("text/plain; version=0.0.4; charset=utf-8"));
        let text = String::from_utf8_lossy(&reply.body).into_owned();
        let created = "provisio_http_requests_total{method=\"POST\",route=\"/v1/partner-user-provision\",status=\"200\"}";
        assert_eq!(sample(&text, created), Some(2.0), "{text}");
        let waiting = "provisio_provisions{status=\"CREATED\",sub_status=\"PENDING_PROCESS_USER_ONBOARDING\"}";
        assert_eq!(sample(&text, waiting), Some(1.0), "{text}");
        let fresh = "provisio_provisions{status=\"CREATED\",sub_status=\"PENDING_PROCESS_USER\"}";
        assert_eq!(sample(&text, fresh), Some(1.0), "{text}");
        // The second provision's first step is waiting (with the tests' zero step delay, due).
        assert!(sample(&text, "provisio_jobs_pending").is_some_and(|n| n >= 1.0), "{text}");
        assert!(sample(&text, "provisio_webhook_attempts_total{outcome=\"delivered\"}").is_some_and(|n| n >= 4.0), "{text}");
        assert!(sample(&text, "provisio_webhook_deliveries_pending").is_some_and(|n| n >= 1.0), "{text}");
        assert!(sample(&text, "provisio_response_signing_seconds_count").is_some_and(|n| n >= 1.0), "{text}");
        assert!(text.contains("provisio_http_request_duration_seconds_bucket{route=\"/v1/partner-user-provision\",le=\"0.0005\"}"), "{text}");

        let anonymous = app.send(provisio_client::Request::new(Method::GET, "/_provisio/metrics")).await;
        assert_eq!(anonymous.status, 401);
    }
}
