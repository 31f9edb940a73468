//! Webhooks (spec F): filters, provision events, signatures, retries, the failure log.

use std::time::Duration;

use provisio_client::{
    wire::{
        requests::{FailureRetryRequest, NotificationFilterRequest, NotificationFiltersRequest},
        Item,
    },
    Client,
};

use crate::{helpers::*, provisioning::*};

fn filters(pairs: &[(&str, &str)]) -> NotificationFiltersRequest {
    NotificationFiltersRequest {
        notification_filters: pairs
            .iter()
            .map(|(c, t)| NotificationFilterRequest {
                category: Some((*c).into()),
                notification_target: Some((*t).into()),
            })
            .collect(),
    }
}

pub(crate) async fn company(client: &Client) -> i64 {
    client
        .context()
        .await
        .map(|c| c.user_id)
        .unwrap_or_default()
}

/// A partner whose provision events go to `target`.
pub(crate) async fn subscribed(app: &TestApp, target: &str) -> Client {
    let client = ready_partner(app).await;
    let me = company(&client).await;
    client
        .post(
            &format!("/v1/user/{me}/notification-filter-url"),
            &filters(&[("PARTNER_USER_PROVISION", target)]),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    client
}

/// `(status, sub_status)` of each provision event received, in order.
fn states(received: &[Received]) -> Vec<(String, String)> {
    received
        .iter()
        .map(|r| {
            let body = r.json();
            let p = &body["NotificationUrl"]["object"]["PartnerUserProvision"];
            (
                p["status"].as_str().unwrap_or_default().to_owned(),
                p["sub_status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn s(a: &str, b: &str) -> (String, String) {
    (a.to_owned(), b.to_owned())
}

for_each_backend! { TestApp::spawn =>
    async fn every_provision_change_arrives_signed_and_in_order(app: TestApp) {
        let receiver = Receiver::start().await;
        let client = subscribed(&app, &receiver.url).await;
        let server_key = client.context().await.map(|c| c.server_key).unwrap_or_else(|e| panic!("{e}"));
        let id = create(&client, &person(&new_uuid())).await;
        app.drain().await;
        assert_eq!(app.deliver().await, 4);

        let received = receiver.received();
        assert_eq!(states(&received), vec![
            s("CREATED", "PENDING_PROCESS_USER"),
            s("CREATED", "PENDING_PROCESS_RELATION_USER"),
            s("CREATED", "PENDING_PROCESS_OAUTH_REQUEST"),
            s("CREATED", "PENDING_PROCESS_USER_ONBOARDING"),
        ]);
        let last = received[3].json();
        let n = &last["NotificationUrl"];
        assert_eq!(n["target_url"], receiver.url.as_str());
        assert_eq!(n["category"], "PARTNER_USER_PROVISION");
        assert_eq!(n["event_type"], "PARTNER_USER_PROVISION_PROCESS_UPDATED");
        // The object is the provision as a GET returned it at that moment.
        assert_eq!(n["object"]["PartnerUserProvision"]["id"], id);
        assert!(n["object"]["PartnerUserProvision"]["credential"]["token_value"].is_string());
        let mut ids = std::collections::HashSet::new();
        for call in &received {
            let signature = call.header("x-bunq-server-signature").unwrap_or_else(|| panic!("unsigned webhook"));
            server_key.verify(&call.body, signature).unwrap_or_else(|e| panic!("webhook signature: {e}"));
            assert!(ids.insert(call.header("x-provisio-event-id").unwrap_or_default().to_owned()), "event ids are unique");
        }

        // Credential use, cancellation and closure are changes too.
        let token = get(&client, id).await.credential.and_then(|c| c.token_value).unwrap_or_default();
        Client::builder(&app.base_url, &token).signing_key(test_key()).connect().await.unwrap_or_else(|e| panic!("{e}"));
        put(&client, id, "CANCELLED").await.unwrap_or_else(|e| panic!("{e}"));
        app.drain().await;
        app.deliver().await;
        let received = receiver.received();
        let tail: Vec<_> = states(&received)[4..].to_vec();
        assert_eq!(tail, vec![
            s("CREATED", "PENDING_PROCESS_USER_ONBOARDING"),
            s("CANCELLED", "PENDING_PROCESS_CLOSURE"),
            s("CLOSED", "NONE"),
        ]);
        let used = received[4].json();
        assert_eq!(used["NotificationUrl"]["object"]["PartnerUserProvision"]["credential"]["status"], "ACTIVE");
    }

    async fn filters_are_replaced_whole_and_limited(app: TestApp) {
        let client = ready_partner(&app).await;
        let path = format!("/v1/user/{}/notification-filter-url", company(&client).await);
        let two = filters(&[("PARTNER_USER_PROVISION", "https://a.example/h"), ("PARTNER_USER_PROVISION", "http://localhost:9/h")]);
        let answer = client.post(&path, &two).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(answer.response.len(), 2);
        assert!(matches!(&answer.response[0], Item::NotificationFilterUrl(f) if f.notification_target == "https://a.example/h"));
        let listed = client.get(&path).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(listed.response, answer.response);
        assert!(listed.pagination.is_some());

        let one = client.post(&path, &filters(&[("MUTATION", "https://b.example/h")])).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(one.response.len(), 1);
        assert_eq!(client.get(&path).await.map(|l| l.response.len()).ok(), Some(1));
        client.post(&path, &filters(&[])).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(client.get(&path).await.map(|l| l.response.len()).ok(), Some(0));

        for (bad, text) in [
            (filters(&[("PARTNER_USER_PROVISION", "https://a.example"), ("PARTNER_USER_PROVISION", "https://b.example"), ("PARTNER_USER_PROVISION", "https://c.example")]), "At most 2"),
            (filters(&[("NOT_A_CATEGORY", "https://a.example")]), "NOT_A_CATEGORY"),
            (filters(&[("MUTATION", "http://a.example/h")]), "https"),
        ] {
            let err = client.post(&path, &bad).await.err();
            assert_eq!(err.as_ref().and_then(|e| e.status()), Some(400));
            assert!(err.as_ref().and_then(|e| e.description()).is_some_and(|d| d.contains(text)), "{err:?}");
        }
        // A refused set leaves the previous one alone.
        assert_eq!(client.get(&path).await.map(|l| l.response.len()).ok(), Some(0));

        // Provisioned users take their own categories, set by themselves or their partner.
        let (_, token) = onboarding(&app, &client).await;
        let user = Client::builder(&app.base_url, &token).signing_key(test_key()).connect().await.unwrap_or_else(|e| panic!("{e}"));
        let key_id = user.context().await.map(|c| c.user_id).unwrap_or_default();
        let user_path = format!("/v1/user/{key_id}/notification-filter-url");
        user.post(&user_path, &filters(&[("USER_ONBOARDING", "https://a.example/u")])).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(client.get(&user_path).await.map(|l| l.response.len()).ok(), Some(1));
        let err = client.post(&user_path, &filters(&[("PARTNER_USER_PROVISION", "https://a.example/p")])).await.err();
        assert!(err.and_then(|e| e.description().map(|d| d.contains("company user"))).unwrap_or(false));
    }

    async fn a_failing_receiver_is_retried_on_schedule_then_logged_and_retried_by_hand(app: TestApp) {
        let receiver = Receiver::start().await;
        receiver.answer_with(500);
        let client = subscribed(&app, &receiver.url).await;
        let me = company(&client).await;
        create(&client, &person(&new_uuid())).await;
        assert_eq!(app.deliver().await, 1);
        // Five more attempts, one minute apart: not a second earlier.
        for attempt in 2..=6 {
            app.clock.advance(Duration::from_secs(59));
            assert_eq!(app.deliver().await, 0, "attempt {attempt} came early");
            app.clock.advance(Duration::from_secs(1));
            assert_eq!(app.deliver().await, 1, "attempt {attempt} is due");
        }
        assert_eq!(receiver.received().len(), 6);
        app.clock.advance(Duration::from_secs(3600));
        assert_eq!(app.deliver().await, 0, "no seventh attempt");
        let ids: Vec<String> = receiver.received().iter().map(|r| r.header("x-provisio-event-id").unwrap_or_default().to_owned()).collect();
        assert!(ids.windows(2).all(|w| w[0] == w[1]), "a retry carries the same event id");

        let failures_path = format!("/v1/user/{me}/notification-filter-failure");
        let failures = client.get(&failures_path).await.unwrap_or_else(|e| panic!("{e}"));
        let [Item::NotificationFilterFailure(failure)] = failures.response.as_slice() else { panic!("{failures:?}") };
        assert_eq!(failure.response_code, Some(500));
        assert_eq!(failure.category, "PARTNER_USER_PROVISION");
        assert_eq!(failure.notification_target, receiver.url);
        assert_eq!(failure.user_id, me);
        assert_eq!(failure.notification_filters.len(), 1);
        let failure_id = failure.id;

        // Retried by hand while still failing: one attempt, and the record is updated.
        let retry = FailureRetryRequest { notification_filter_failed_ids: failure_id.to_string() };
        client.post(&failures_path, &retry).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(app.deliver().await, 1);
        assert_eq!(client.get(&failures_path).await.map(|f| f.response.len()).ok(), Some(1));

        // The receiver recovers: the retried delivery arrives and leaves the log.
        receiver.answer_with(200);
        client.post(&failures_path, &retry).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(app.deliver().await, 1);
        assert_eq!(receiver.received().len(), 8);
        assert_eq!(client.get(&failures_path).await.map(|f| f.response.len()).ok(), Some(0));

        for (ids, status) in [("1,,2", 400), ("x", 400), ("", 400), (&*(1..=101).map(|i| i.to_string()).collect::<Vec<_>>().join(","), 400), ("999999", 404)] {
            let err = client.post(&failures_path, &FailureRetryRequest { notification_filter_failed_ids: ids.into() }).await.err();
            assert_eq!(err.and_then(|e| e.status()), Some(status), "{ids}");
        }
    }

    async fn an_unreachable_receiver_fails_with_a_reason(app: TestApp) {
        let target = nowhere().await;
        let client = subscribed(&app, &target).await;
        create(&client, &person(&new_uuid())).await;
        assert_eq!(app.deliver().await, 1);
        for _ in 0..5 {
            app.clock.advance(Duration::from_secs(60));
            app.deliver().await;
        }
        let failures = client.get(&format!("/v1/user/{}/notification-filter-failure", company(&client).await)).await.unwrap_or_else(|e| panic!("{e}"));
        let [Item::NotificationFilterFailure(failure)] = failures.response.as_slice() else { panic!("{failures:?}") };
        assert_eq!(failure.response_code, None);
        assert!(failure.exception_message.as_deref().is_some_and(|m| m.contains("reach")), "{failure:?}");
    }

    async fn later_events_wait_while_an_earlier_one_is_retried(app: TestApp) {
        let receiver = Receiver::start().await;
        receiver.answer_with(503);
        let client = subscribed(&app, &receiver.url).await;
        create(&client, &person(&new_uuid())).await;
        app.drain().await;
        // Four events are queued; only the first is tried while it keeps failing.
        assert_eq!(app.deliver().await, 1);
        receiver.answer_with(200);
        assert_eq!(app.deliver().await, 0, "the later events wait for the first");
        app.clock.advance(Duration::from_secs(60));
        app.deliver().await;
        let received = receiver.received();
        assert_eq!(states(&received), vec![
            s("CREATED", "PENDING_PROCESS_USER"),
            s("CREATED", "PENDING_PROCESS_USER"),
            s("CREATED", "PENDING_PROCESS_RELATION_USER"),
            s("CREATED", "PENDING_PROCESS_OAUTH_REQUEST"),
            s("CREATED", "PENDING_PROCESS_USER_ONBOARDING"),
        ]);
    }

    async fn a_change_that_did_not_happen_sends_nothing(app: TestApp) {
        let receiver = Receiver::start().await;
        let client = subscribed(&app, &receiver.url).await;
        let uuid = new_uuid();
        let id = create(&client, &person(&uuid)).await;
        app.deliver().await;
        assert_eq!(receiver.received().len(), 1);
        // Refused: a duplicate (its insert rolled back) and a PUT the state does not allow.
        assert!(client.post("/v1/partner-user-provision", &person(&uuid)).await.is_err());
        assert!(put(&client, id, "TOKEN_RESET_REQUESTED").await.is_err());
        assert_eq!(app.deliver().await, 0);
        assert_eq!(receiver.received().len(), 1);
    }

    async fn pending_deliveries_survive_a_restart(app: TestApp) {
        let mut app = app;
        let receiver = Receiver::start().await;
        let client = subscribed(&app, &receiver.url).await;
        create(&client, &person(&new_uuid())).await;
        app.restart().await;
        assert_eq!(app.deliver().await, 1);
        assert_eq!(states(&receiver.received()), vec![s("CREATED", "PENDING_PROCESS_USER")]);
    }
}

for_each_backend! { TestApp::spawn =>
    async fn a_failure_names_only_the_filter_that_failed(app: TestApp) {
        let receiver = Receiver::start().await;
        let target = nowhere().await;
        let client = ready_partner(&app).await;
        let me = company(&client).await;
        client.post(&format!("/v1/user/{me}/notification-filter-url"),
            &filters(&[("PARTNER_USER_PROVISION", &receiver.url), ("PARTNER_USER_PROVISION", &target)]))
            .await.unwrap_or_else(|e| panic!("{e}"));
        create(&client, &person(&new_uuid())).await;
        app.deliver().await;
        for _ in 0..5 {
            app.clock.advance(Duration::from_secs(60));
            app.deliver().await;
        }
        assert_eq!(receiver.received().len(), 1);
        let failures = client.get(&format!("/v1/user/{me}/notification-filter-failure")).await.unwrap_or_else(|e| panic!("{e}"));
        let [Item::NotificationFilterFailure(failure)] = failures.response.as_slice() else { panic!("{failures:?}") };
        let named: Vec<&str> = failure.notification_filters.iter().map(|f| f.notification_target.as_str()).collect();
        assert_eq!(named, vec![target.as_str()], "the receiver that got it did not fail");
    }

    async fn the_inspector_shows_attempts_and_resends(app: TestApp) {
        let receiver = Receiver::start().await;
        receiver.answer_with(500);
        let client = subscribed(&app, &receiver.url).await;
        create(&client, &person(&new_uuid())).await;
        app.deliver().await;
        receiver.answer_with(200);
        app.clock.advance(Duration::from_secs(60));
        app.deliver().await;

        let path = format!("/_provisio/deliveries?target={}", receiver.url);
        let reply = admin(&app, reqwest::Method::GET, &path).await;
        let listed = reply.envelope().unwrap_or_else(|e| panic!("{e}"));
        let [Item::WebhookDelivery(d)] = listed.response.as_slice() else { panic!("{listed:?}") };
        assert_eq!(d.status, "DELIVERED");
        assert_eq!(d.attempts.iter().map(|a| a.response_code).collect::<Vec<_>>(), vec![Some(500), Some(200)]);
        assert!(d.attempts[0].error.is_some() && d.attempts[1].error.is_none());
        assert!(d.attempts.iter().all(|a| a.latency_ms > 0.0));
        // The body and the headers, exactly as the receiver got them.
        let got = &receiver.received()[0];
        assert_eq!(d.body.as_bytes(), got.body.as_ref());
        let names: Vec<&str> = d.headers.keys().map(String::as_str).collect();
        assert_eq!(names, vec!["content-type", "user-agent", "x-bunq-server-signature", "x-provisio-event-id"]);
        for (name, value) in &d.headers {
            assert_eq!(got.header(name), Some(value.as_str()), "{name}");
        }

        let reply = admin(&app, reqwest::Method::POST, &format!("/_provisio/deliveries/{}/resend", d.id)).await;
        assert_eq!(reply.status, 200);
        assert_eq!(app.deliver().await, 1);
        let received = receiver.received();
        assert_eq!(received.len(), 3);
        assert_eq!(received[2].header("x-provisio-event-id"), Some(d.event_id.as_str()));
        let reply = admin(&app, reqwest::Method::POST, "/_provisio/deliveries/999999/resend").await;
        assert_error(&reply, &app.server_key, 404, "not found");
    }
}

for_each_backend! { TestApp::spawn =>
    async fn a_receiver_that_is_down_then_failing_then_back_gets_the_event(app: TestApp) {
        let target = nowhere().await;
        let client = subscribed(&app, &target).await;
        create(&client, &person(&new_uuid())).await;
        assert_eq!(app.deliver().await, 1, "first attempt: connection refused");

        let addr = target.trim_start_matches("http://").trim_end_matches("/hook").to_owned();
        let receiver = Receiver::start_on(&addr).await;
        receiver.answer_with(500);
        app.clock.advance(Duration::from_secs(60));
        assert_eq!(app.deliver().await, 1, "second attempt: 500");
        receiver.answer_with(200);
        app.clock.advance(Duration::from_secs(30));
        assert_eq!(app.deliver().await, 0, "not before the schedule says");
        app.clock.advance(Duration::from_secs(30));
        assert_eq!(app.deliver().await, 1, "third attempt: delivered");
        assert_eq!(states(&receiver.received()), vec![
            s("CREATED", "PENDING_PROCESS_USER"),
            s("CREATED", "PENDING_PROCESS_USER"),
        ]);

        let reply = admin(&app, reqwest::Method::GET, &format!("/_provisio/deliveries?target={target}")).await;
        let listed = reply.envelope().unwrap_or_else(|e| panic!("{e}"));
        let [Item::WebhookDelivery(d)] = listed.response.as_slice() else { panic!("{listed:?}") };
        assert_eq!(d.attempts.iter().map(|a| a.response_code).collect::<Vec<_>>(), vec![None, Some(500), Some(200)]);
        assert_eq!(d.status, "DELIVERED");
        let failures = client.get(&format!("/v1/user/{}/notification-filter-failure", company(&client).await)).await;
        assert_eq!(failures.map(|f| f.response.len()).ok(), Some(0));
    }
}
