//! The sandbox's virtual clock over HTTP: `GET /_provisio/clock`, `POST /_provisio/clock/advance`.

use std::{sync::Arc, time::Duration};

use provisio_client::{wire::Item, Reply, Request};
use provisio_core::time::{Clock, SystemClock};
use provisio_server::{config::WorkerConfig, ServerConfig};
use reqwest::Method;

use crate::{
    credentials::{is_bad_credentials, user_client},
    helpers::*,
    provisioning::*,
    webhooks::{company, subscribed},
};

/// `POST /_provisio/clock/advance` with `body`, as the operator.
pub async fn advance_by(app: &TestApp, body: serde_json::Value) -> Reply {
    app.send(
        Request::new(Method::POST, "/_provisio/clock/advance")
            .json(&body)
            .header("authorization", &format!("Bearer {}", app.admin_token)),
    )
    .await
}

/// Advances and checks it worked; returns the new offset in seconds.
pub async fn advance(app: &TestApp, by: &str) -> i64 {
    let reply = advance_by(app, serde_json::json!({ "by": by })).await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    offset_of(&reply)
}

fn offset_of(reply: &Reply) -> i64 {
    let envelope = reply.envelope().unwrap_or_else(|e| panic!("{e}"));
    let [Item::SandboxClock(clock)] = envelope.response.as_slice() else {
        panic!("{envelope:?}")
    };
    clock.offset_seconds
}

fn system_now() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since.as_micros()).unwrap_or(i64::MAX)
}

for_each_backend! { TestApp::spawn =>
    async fn advancing_adds_up_and_is_shown(app: TestApp) {
        let reply = admin(&app, Method::GET, "/_provisio/clock").await;
        assert_eq!(offset_of(&reply), 0);
        assert_eq!(advance(&app, "30s").await, 30);
        assert_eq!(advance(&app, "15m").await, 930);
        assert_eq!(advance(&app, "2h").await, 8_130);
        assert_eq!(advance(&app, "7d").await, 612_930);
        let reply = admin(&app, Method::GET, "/_provisio/clock").await;
        assert_eq!(offset_of(&reply), 612_930);
        assert_operator_reply(&reply);
        let system = system_now();
        assert!(app.clock.now().micros() - system >= 612_930_000_000);
    }

    async fn a_bad_duration_is_refused_and_the_clock_stays(app: TestApp) {
        for body in [
            serde_json::json!({"by": "0s"}),
            serde_json::json!({"by": "-1h"}),
            serde_json::json!({"by": "3w"}),
            serde_json::json!({"by": "1.5h"}),
            serde_json::json!({"by": "99999999999999d"}),
            serde_json::json!({"by": ""}),
            serde_json::json!({"by": "3"}),
            serde_json::json!({"by": "500ms"}),
            serde_json::json!({}),
        ] {
            let reply = advance_by(&app, body.clone()).await;
            assert_error(&reply, &app.server_key, 400, "", );
            let text = String::from_utf8_lossy(&reply.body);
            assert!(text.contains("is not a duration") || text.contains("30s") || text.contains("only moves forward") || text.contains("100 years"), "{body}: {text}");
        }
        let reply = app.send(Request::new(Method::POST, "/_provisio/clock/advance").json(&serde_json::json!({"by": "1h"}))).await;
        assert_error(&reply, &app.server_key, 401, "admin token");
        assert_eq!(offset_of(&admin(&app, Method::GET, "/_provisio/clock").await), 0);
    }

    async fn the_clock_runs_at_most_a_hundred_years_ahead_in_all(app: TestApp) {
        let century = advance(&app, "36500d").await;
        assert_eq!(century, 36_500 * 86_400);
        let reply = advance_by(&app, serde_json::json!({"by": "1s"})).await;
        assert_error(&reply, &app.server_key, 400, "at most 100 years ahead in all");
        assert_eq!(offset_of(&admin(&app, Method::GET, "/_provisio/clock").await), century);
    }

    async fn a_session_expires_after_an_advance(app: TestApp) {
        let client = app.client().await;
        let context = client.context().await.unwrap_or_else(|e| panic!("{e}"));
        let installation = || Request::new(Method::GET, "/v1/installation").token(&context.session_token);
        assert_eq!(app.send(installation()).await.status, 200);
        advance(&app, "8d").await;
        let reply = app.send(installation()).await;
        assert_error(&reply, &app.server_key, 401, "Insufficient authorisation.");
    }

    async fn a_credential_expires_after_an_advance_of_two_hours(app: TestApp) {
        let partner = ready_partner(&app).await;
        let (id, token) = onboarding(&app, &partner).await;
        advance(&app, "2h").await;
        assert!(app.drain().await >= 1, "the expiry job fell due in the skipped span");
        let credential = get(&partner, id).await.credential.unwrap_or_else(|| panic!("no credential"));
        assert_eq!((credential.status.as_str(), credential.token_value), ("EXPIRED", None));
        assert!(is_bad_credentials(user_client(&app, &token).await.err()));
    }

    async fn five_webhook_retries_pass_without_waiting(app: TestApp) {
        let target = nowhere().await;
        let client = subscribed(&app, &target).await;
        create(&client, &person(&new_uuid())).await;
        assert_eq!(app.deliver().await, 1);
        for _ in 0..5 {
            advance(&app, "1m").await;
            assert_eq!(app.deliver().await, 1, "one retry fell due");
        }
        let failures = client
            .get(&format!("/v1/user/{}/notification-filter-failure", company(&client).await))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let [Item::NotificationFilterFailure(failure)] = failures.response.as_slice() else { panic!("{failures:?}") };
        assert_eq!(failure.notification_target, target);
    }

    async fn the_clock_survives_a_restart(app: TestApp) {
        let mut app = app;
        advance(&app, "7d").await;
        // A new process: a fresh clock, which reads the offset from the database.
        app.clock = Arc::new(SystemClock::new());
        app.restart().await;
        let system = system_now();
        assert!(app.clock.now().micros() - system >= 604_800_000_000);
        assert_eq!(offset_of(&admin(&app, Method::GET, "/_provisio/clock").await), 604_800);
    }
}

/// A server with its own worker, idle for a minute between polls: only the advance's wake-up
/// can make the step run within the test's patience.
async fn with_a_sleepy_worker(backend: provisio_store::Backend) -> TestApp {
    TestApp::spawn_with(
        backend,
        ServerConfig {
            run_workers: true,
            worker: WorkerConfig {
                step_delay: Duration::from_secs(3600),
                idle_poll: Duration::from_secs(60),
                ..WorkerConfig::default()
            },
            ..test_config()
        },
    )
    .await
}

for_each_backend! { with_a_sleepy_worker =>
    async fn an_advance_wakes_the_worker(app: TestApp) {
        let partner = ready_partner(&app).await;
        let id = create(&partner, &person(&new_uuid())).await;
        let before = get(&partner, id).await;
        advance(&app, "2h").await;
        for _ in 0..100 {
            if state(&get(&partner, id).await) != state(&before) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the step due in the skipped hour did not run: {:?}", state(&before));
    }
}
