//! Crashes and concurrency with real processes: a worker killed with SIGKILL mid-work, and two
//! processes sharing one PostgreSQL database. Afterwards every provision must have reached
//! onboarding, and its history must show each step exactly once.

mod common;

use std::{sync::Arc, time::Duration};

use common::{serve_with, Serving};
use provisio_client::{wire::requests::ProvisionRequest, wire::Item, Client};
use provisio_core::{
    model::ProvisionId,
    provision::{Status, SubStatus},
    store::Store,
};
use provisio_store::{for_each_backend, testing::TestDatabase, Backend};

const PROVISIONS: usize = 300;

struct Fixture {
    db: TestDatabase,
    store: Arc<dyn Store>,
    api_key: String,
}

async fn fixture(backend: Backend) -> Fixture {
    let (db, store, api_key) = common::partner_on_fresh_database(backend, "Durable BV").await;
    Fixture { db, store, api_key }
}

fn start(f: &Fixture, role: &str) -> Serving {
    let ready = if role == "worker" {
        "provisio worker running"
    } else {
        "provisio listening on "
    };
    serve_with(
        &[
            "--database-url",
            &f.db.config.url,
            "--step-delay",
            "0s",
            "--job-lease",
            "2s",
            "--role",
            role,
        ],
        ready,
    )
}

/// Creates `n` provisions through the given servers, round robin, 8 at a time.
async fn create_provisions(f: &Fixture, urls: &[String], n: usize) -> Vec<ProvisionId> {
    let mut clients = Vec::new();
    for url in urls {
        let client = Client::connect(url, &f.api_key)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        clients.push(Arc::new(client));
    }
    clients[0]
        .create_oauth_client("https://partner.example/cb")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut tasks = Vec::new();
    for lane in 0..8 {
        let clients = clients.clone();
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for i in (lane..n).step_by(8) {
                let body = ProvisionRequest {
                    external_uuid: Some(uuid::Uuid::new_v4().to_string()),
                    email: Some(format!("user{i}@example.com")),
                    phone_number: Some("+31612345678".into()),
                    products: Some(vec!["USER_VERIFIED".into()]),
                    ..ProvisionRequest::default()
                };
                let answer = clients[i % clients.len()]
                    .post("/v1/partner-user-provision", &body)
                    .await
                    .unwrap_or_else(|e| panic!("create: {e}"));
                let Some(Item::Id(id)) = answer.response.first() else {
                    panic!("no id")
                };
                ids.push(ProvisionId(id.id));
            }
            ids
        }));
    }
    let mut ids = Vec::new();
    for task in tasks {
        ids.extend(task.await.unwrap_or_else(|e| panic!("{e}")));
    }
    ids
}

async fn onboarded(store: &dyn Store, ids: &[ProvisionId]) -> usize {
    let mut done = 0;
    for id in ids {
        let p = store.provision(*id).await.ok().flatten();
        if p.is_some_and(|p| {
            (p.state.status, p.state.sub_status)
                == (Status::Created, SubStatus::PendingProcessUserOnboarding)
        }) {
            done += 1;
        }
    }
    done
}

/// Waits (polling the database, with a deadline) until every provision is onboarding.
async fn wait_until_all_onboarding(store: &dyn Store, ids: &[ProvisionId]) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        let done = onboarded(store, ids).await;
        if done == ids.len() {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "only {done} of {} provisions reached onboarding",
            ids.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn assert_each_step_once(store: &dyn Store, ids: &[ProvisionId]) {
    for id in ids {
        let causes: Vec<String> = store
            .history(*id)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|e| e.cause)
            .collect();
        assert_eq!(
            causes,
            vec![
                "created",
                "bunq user created",
                "partner relation created",
                "OAuth request accepted, credential issued",
            ],
            "provision {id}"
        );
    }
}

for_each_backend! { fixture =>
    async fn a_worker_killed_mid_batch_loses_nothing_and_repeats_nothing(f: Fixture) {
        let api = start(&f, "api");
        let ids = create_provisions(&f, std::slice::from_ref(&api.url), PROVISIONS).await;
        assert_eq!(onboarded(f.store.as_ref(), &ids).await, 0, "no worker has run yet");

        // Let a worker get going, then kill it without warning.
        let mut worker = start(&f, "worker");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let history = f.store.history(ids[ids.len() - 1]).await.map(|h| h.len()).unwrap_or(0);
            let first = f.store.history(ids[0]).await.map(|h| h.len()).unwrap_or(0);
            if history > 1 || first > 1 {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "the worker never started");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        worker.kill();
        let at_kill = onboarded(f.store.as_ref(), &ids).await;
        assert!(at_kill < ids.len(), "the kill came too late to interrupt anything");

        let _worker = start(&f, "worker");
        wait_until_all_onboarding(f.store.as_ref(), &ids).await;
        assert_each_step_once(f.store.as_ref(), &ids).await;
        drop(api);
    }
}

for_each_backend! { fixture =>
    async fn deliveries_pending_when_the_server_is_killed_are_sent_after_restart(f: Fixture) {
        use provisio_client::wire::requests::{NotificationFilterRequest, NotificationFiltersRequest};

        let receiver = common::Receiver::start().await;
        // The API alone: events are queued, nothing is delivered yet.
        let api = start(&f, "api");
        let partner = Client::connect(&api.url, &f.api_key).await.unwrap_or_else(|e| panic!("{e}"));
        let me = partner.context().await.map(|c| c.user_id).unwrap_or_default();
        partner.post(&format!("/v1/user/{me}/notification-filter-url"), &NotificationFiltersRequest {
            notification_filters: vec![NotificationFilterRequest {
                category: Some("PARTNER_USER_PROVISION".into()),
                notification_target: Some(receiver.url.clone()),
            }],
        }).await.unwrap_or_else(|e| panic!("{e}"));
        // More events than the delivery loops can claim in one round (4 × 64 on PostgreSQL),
        // so the kill always interrupts something.
        let n = 150;
        let ids = create_provisions(&f, std::slice::from_ref(&api.url), n).await;
        assert!(receiver.received().is_empty());

        // A worker starts delivering and is killed without warning.
        let mut worker = start(&f, "worker");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while receiver.received().is_empty() {
            assert!(tokio::time::Instant::now() < deadline, "nothing was delivered");
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        worker.kill();
        let at_kill = receiver.received().len();
        assert!(at_kill < 4 * n, "the kill came too late to leave anything pending");

        let _worker = start(&f, "worker");
        wait_until_all_onboarding(f.store.as_ref(), &ids).await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let unique: std::collections::HashSet<String> = receiver.received().into_iter().map(|(id, _)| id).collect();
            if unique.len() == 4 * n {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "{} of {} events arrived", unique.len(), 4 * n);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // At least once: a repeat is possible for a batch in flight at the kill, but every
        // provision's events arrive in order.
        let received = receiver.received();
        for id in &ids {
            let mut seen: Vec<String> = received.iter()
                .map(|(_, body)| &body["NotificationUrl"]["object"]["PartnerUserProvision"])
                .filter(|p| p["id"] == id.0)
                .map(|p| p["sub_status"].as_str().unwrap_or_default().to_owned())
                .collect();
            seen.dedup();
            assert_eq!(seen, vec![
                "PENDING_PROCESS_USER",
                "PENDING_PROCESS_RELATION_USER",
                "PENDING_PROCESS_OAUTH_REQUEST",
                "PENDING_PROCESS_USER_ONBOARDING",
            ], "provision {id}");
        }
        drop(api);
    }
}

mod two_processes {
    use super::*;

    /// Two servers on one PostgreSQL database deliver each event once, in order per provision.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn webhooks_postgres() {
        use provisio_client::wire::requests::{
            NotificationFilterRequest, NotificationFiltersRequest,
        };

        if provisio_store::testing::skip_postgres().await {
            return;
        }
        let f = fixture(Backend::Postgres).await;
        let receiver = common::Receiver::start().await;
        let a = start(&f, "all");
        let b = start(&f, "all");
        let partner = Client::connect(&a.url, &f.api_key)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let me = partner
            .context()
            .await
            .map(|c| c.user_id)
            .unwrap_or_default();
        partner
            .post(
                &format!("/v1/user/{me}/notification-filter-url"),
                &NotificationFiltersRequest {
                    notification_filters: vec![NotificationFilterRequest {
                        category: Some("PARTNER_USER_PROVISION".into()),
                        notification_target: Some(receiver.url.clone()),
                    }],
                },
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let n = 100;
        let ids = create_provisions(&f, &[a.url.clone(), b.url.clone()], n).await;
        wait_until_all_onboarding(f.store.as_ref(), &ids).await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while receiver.received().len() < 4 * n {
            assert!(
                tokio::time::Instant::now() < deadline,
                "only {} events arrived",
                receiver.received().len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Give a duplicate the chance to show up before counting.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let received = receiver.received();
        assert_eq!(received.len(), 4 * n, "each event exactly once");
        let unique: std::collections::HashSet<_> =
            received.iter().map(|(id, _)| id.clone()).collect();
        assert_eq!(unique.len(), received.len());
        for id in &ids {
            let seen: Vec<String> = received
                .iter()
                .map(|(_, body)| &body["NotificationUrl"]["object"]["PartnerUserProvision"])
                .filter(|p| p["id"] == id.0)
                .map(|p| p["sub_status"].as_str().unwrap_or_default().to_owned())
                .collect();
            assert_eq!(
                seen,
                vec![
                    "PENDING_PROCESS_USER",
                    "PENDING_PROCESS_RELATION_USER",
                    "PENDING_PROCESS_OAUTH_REQUEST",
                    "PENDING_PROCESS_USER_ONBOARDING",
                ],
                "provision {id}"
            );
        }
    }

    /// Two full servers on one PostgreSQL database share the work; no step runs twice.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        if provisio_store::testing::skip_postgres().await {
            return;
        }
        let f = fixture(Backend::Postgres).await;
        let a = start(&f, "all");
        let b = start(&f, "all");
        let ids = create_provisions(&f, &[a.url.clone(), b.url.clone()], PROVISIONS).await;
        wait_until_all_onboarding(f.store.as_ref(), &ids).await;
        assert_each_step_once(f.store.as_ref(), &ids).await;
    }
}
