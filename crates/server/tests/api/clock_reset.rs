//! `POST /_provisio/reset` `{"clock":"real"}`: the store emptied and the virtual clock back to
//! real time, in this process at once and in another within the clock's refresh.

use std::time::{Duration, Instant};

use provisio_client::{wire::Item, Reply, Request};
use provisio_core::time::Clock;
use reqwest::Method;

use crate::{helpers::*, provisioning::admin, sandbox_clock::advance};

async fn reset(app: &TestApp, body: Option<&str>) -> Reply {
    let mut request = Request::new(Method::POST, "/_provisio/reset")
        .header("authorization", &format!("Bearer {}", app.admin_token));
    if let Some(body) = body {
        request = request.body(body.as_bytes().to_vec());
    }
    app.send(request).await
}

async fn offset(app: &TestApp) -> i64 {
    let reply = admin(app, Method::GET, "/_provisio/clock").await;
    let envelope = reply.envelope().unwrap_or_else(|e| panic!("{e}"));
    let [Item::SandboxClock(clock)] = envelope.response.as_slice() else {
        panic!("{envelope:?}")
    };
    clock.offset_seconds
}

fn real_now() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since.as_micros()).unwrap_or(i64::MAX)
}

for_each_backend! { TestApp::spawn =>
    async fn a_reset_may_set_the_clock_back_to_real_time(app: TestApp) {
        assert_eq!(advance(&app, "7d").await, 7 * 86_400);
        // Without the clock asked for, it stays where it was (as before).
        assert_eq!(reset(&app, None).await.status, 200);
        assert_eq!(reset(&app, Some("{}")).await.status, 200);
        assert_eq!(offset(&app).await, 7 * 86_400);

        let reply = reset(&app, Some(r#"{"clock":"real"}"#)).await;
        assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
        assert_eq!(offset(&app).await, 0);
        assert!((app.clock.now().micros() - real_now()).abs() < 5_000_000, "this process is on real time");
        let stored = app.database().text("SELECT CAST(offset_micros AS TEXT) FROM sandbox_clock").await;
        assert_eq!(stored.as_deref(), Some("0"));
        // The clock moves forward again from there.
        assert_eq!(advance(&app, "1h").await, 3_600);
    }

    async fn another_process_follows_a_reset_within_the_refresh(app: TestApp) {
        assert_eq!(advance(&app, "2d").await, 2 * 86_400);
        // As another process's reset: the database only.
        app.database().execute("UPDATE sandbox_clock SET offset_micros = 0").await;
        let deadline = Instant::now() + Duration::from_secs(10);
        while app.clock.shared_offset() != 0 {
            assert!(Instant::now() < deadline, "the mirror never followed the reset");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!((app.clock.now().micros() - real_now()).abs() < 5_000_000);
    }

    async fn a_bad_reset_body_is_refused_and_changes_nothing(app: TestApp) {
        assert_eq!(advance(&app, "1d").await, 86_400);
        let reply = reset(&app, Some(r#"{"clock":"yesterday"}"#)).await;
        assert_error(&reply, &app.server_key, 400, "clock must be \"real\"");
        let reply = reset(&app, Some("[1,")).await;
        assert_error(&reply, &app.server_key, 400, "must be a JSON object");
        assert_eq!(offset(&app).await, 86_400);
    }
}

for_each_backend! { strict =>
    async fn strict_refuses_a_reset_of_the_clock_too(app: TestApp) {
        let reply = reset(&app, Some(r#"{"clock":"real"}"#)).await;
        assert_error(&reply, &app.server_key, 403, "dev profile only");
    }
}
