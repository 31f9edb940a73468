//! Faults injected through the operator API (`/_provisio/faults`, dev profile): the next calls
//! of a route fail in bunq's envelope, signed, then service resumes; latency comes first; a
//! dropped connection leaves the client with no answer; a bad body arms nothing; `strict` has
//! no such routes.

use std::time::{Duration, Instant};

use provisio_client::{
    wire::{operator::Fault, Item},
    ClientError, Request,
};
use reqwest::Method;

use crate::{
    accounts::{banks, own_id},
    helpers::*,
    payments::{fund, pay, to},
};

const PAYMENT: &str = "/v1/user/{user_id}/monetary-account/{id}/payment";
const ACCOUNTS: &str = "/v1/user/{user_id}/monetary-account-bank";
const ELSEWHERE: &str = "NL20INGB0001234567";

async fn arm(app: &TestApp, body: serde_json::Value) -> provisio_client::Reply {
    operator(app, Method::POST, "/_provisio/faults", Some(body)).await
}

async fn armed(app: &TestApp) -> Vec<Fault> {
    operator_items(app, Method::GET, "/_provisio/faults", None)
        .await
        .into_iter()
        .map(|item| match item {
            Item::Fault(fault) => fault,
            other => panic!("{other:?}"),
        })
        .collect()
}

/// The partner, its id and its main account holding 10.00.
async fn funded(app: &TestApp) -> (provisio_client::Client, i64, i64) {
    let partner = app.client().await;
    let me = own_id(&partner).await;
    let main = banks(&partner, me)
        .await
        .pop()
        .map(|a| a.id)
        .unwrap_or_else(|| panic!("no account"));
    fund(app, main, "10.00").await;
    (partner, me, main)
}

for_each_backend! { TestApp::spawn =>
    async fn the_next_calls_of_a_route_fail_then_service_resumes(app: TestApp) {
        let (partner, me, main) = funded(&app).await;
        let text = "Service temporarily unavailable, please try again.";
        let reply = arm(&app, serde_json::json!({"method":"POST","path":PAYMENT,"count":2,"status":503,"error":text})).await;
        assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
        let listed = armed(&app).await;
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].method.as_str(), listed[0].path.as_str(), listed[0].remaining), ("POST", PAYMENT, 2));
        assert_eq!((listed[0].status, listed[0].error.as_deref()), (Some(503), Some(text)));

        // The first: through the typed client, which checks the answer's signature.
        let failed = pay(&partner, me, main, &to(ELSEWHERE, "1.00")).await;
        match failed {
            Err(ClientError::Api { status, description, .. }) => assert_eq!((status, description.as_str()), (503, text)),
            other => panic!("{other:?}"),
        }
        // Another route is not affected, nor is this one's count.
        assert!(!banks(&partner, me).await.is_empty());
        assert_eq!(armed(&app).await[0].remaining, 1);
        // The second, as sent: bunq's envelope, signed, whatever the call carried.
        let raw = app.send(Request::new(Method::POST, format!("/v1/user/{me}/monetary-account/{main}/payment"))
            .json(&serde_json::json!({}))).await;
        assert_error(&raw, &app.server_key, 503, text);

        assert!(armed(&app).await.is_empty(), "both calls taken");
        let paid = pay(&partner, me, main, &to(ELSEWHERE, "1.00")).await;
        assert!(paid.is_ok(), "service resumes: {paid:?}");
        let balance = banks(&partner, me).await.pop().map(|a| a.balance.value).unwrap_or_default();
        assert_eq!(balance, "9.00", "only the last payment was made");
    }

    async fn latency_comes_before_the_call_and_its_fault(app: TestApp) {
        let (partner, me, _) = funded(&app).await;
        let reply = arm(&app, serde_json::json!({"method":"GET","path":ACCOUNTS,"latency":"300ms"})).await;
        assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
        let started = Instant::now();
        assert!(!banks(&partner, me).await.is_empty(), "handled after the wait");
        assert!(started.elapsed() >= Duration::from_millis(300), "{:?}", started.elapsed());

        let path = format!("/v1/user/{me}/monetary-account-bank");
        let reply = arm(&app, serde_json::json!({"method":"GET","path":path,"latency":"200ms","status":500})).await;
        assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
        let started = Instant::now();
        let failed = partner.get(&path).await;
        assert!(started.elapsed() >= Duration::from_millis(200), "{:?}", started.elapsed());
        assert_eq!(failed.err().and_then(|e| e.status()), Some(500));
        assert!(armed(&app).await.is_empty());
    }

    async fn a_dropped_connection_answers_nothing(app: TestApp) {
        let (partner, me, _) = funded(&app).await;
        let path = format!("/v1/user/{me}/monetary-account-bank");
        let reply = arm(&app, serde_json::json!({"method":"GET","path":ACCOUNTS,"drop_connection":true})).await;
        assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
        assert!(armed(&app).await[0].drop_connection);
        match partner.get(&path).await {
            Err(ClientError::Transport(_)) => {}
            other => panic!("an answer came: {other:?}"),
        }
        assert!(partner.get(&path).await.is_ok(), "the next call is served");
    }

    async fn a_bad_fault_is_refused_and_arms_nothing(app: TestApp) {
        let refusals = [
            (serde_json::json!({"method":"POST","path":PAYMENT,"status":299}), "not an error status"),
            (serde_json::json!({"method":"POST","path":PAYMENT,"status":503,"count":0}), "count must be from 1 to 10000"),
            (serde_json::json!({"method":"POST","path":PAYMENT,"latency":"soon"}), "\"soon\" is not a duration"),
            (serde_json::json!({"method":"POST","path":"/v1/no-such-route","status":503}), "provisio serves no route"),
            (serde_json::json!({"method":"GET","path":PAYMENT.replace("/payment", "/payments"),"status":503}), "provisio serves no route"),
            (serde_json::json!({"method":"POST","path":PAYMENT}), "needs a status"),
        ];
        for (body, says) in refusals {
            let reply = arm(&app, body.clone()).await;
            assert_error(&reply, &app.server_key, 400, says);
        }
        let malformed = arm(&app, serde_json::json!({"method":"POST","path":PAYMENT,"status":"503"})).await;
        assert_eq!(malformed.status, 400);
        assert!(armed(&app).await.is_empty());
        let anonymous = app.send(Request::new(Method::GET, "/_provisio/faults")).await;
        assert_error(&anonymous, &app.server_key, 401, "Authorization: Bearer");
        // Cleared: what was armed goes.
        assert_eq!(arm(&app, serde_json::json!({"method":"POST","path":PAYMENT,"status":503,"count":5})).await.status, 200);
        assert_eq!(operator(&app, Method::DELETE, "/_provisio/faults", None).await.status, 200);
        assert!(armed(&app).await.is_empty());
    }
}

for_each_backend! { strict =>
    async fn a_strict_server_injects_no_faults(app: TestApp) {
        let armed = arm(&app, serde_json::json!({"method":"POST","path":PAYMENT,"status":503})).await;
        assert_error(&armed, &app.server_key, 404, "route does not exist");
        let listed = operator(&app, Method::GET, "/_provisio/faults", None).await;
        assert_error(&listed, &app.server_key, 404, "route does not exist");
        let cleared = operator(&app, Method::DELETE, "/_provisio/faults", None).await;
        assert_error(&cleared, &app.server_key, 404, "route does not exist");
    }
}
