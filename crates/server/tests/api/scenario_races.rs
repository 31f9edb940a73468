//! A scenario takes a provision's steps itself while the worker may take the same steps: its
//! jobs are due at once. Whoever loses a step's compare-and-set must not fail the scenario,
//! nor take the step twice.

use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc,
};

use async_trait::async_trait;
use provisio_core::{
    model::{Page, PageQuery, ProvisionId, UserId},
    provision::{
        plan::Step,
        record::{HistoryEntry, Provision, ProvisionFilter},
        request::NewProvision,
        Status,
    },
    store::{ProvisionStore, Store, StoreResult},
    time::Timestamp,
};
use provisio_server::{provisioning::ops, ServerConfig};

use provisio_client::Request;
use reqwest::Method;

use crate::{helpers::*, provisioning::*};

/// The real store, with a worker that takes every step first: before each compare-and-set of
/// the code under test, the same step is applied, so the code under test always loses.
/// `stuck` instead loses every compare-and-set without moving the provision.
struct WorkerFirst {
    store: Arc<dyn Store>,
    stuck: bool,
    worker_steps: AtomicUsize,
}

#[async_trait]
impl ProvisionStore for WorkerFirst {
    async fn create_provision(
        &self,
        partner: UserId,
        provision: &NewProvision,
        now: Timestamp,
        first_step_at: Timestamp,
    ) -> StoreResult<Provision> {
        self.store
            .create_provision(partner, provision, now, first_step_at)
            .await
    }
    async fn provision(&self, id: ProvisionId) -> StoreResult<Option<Provision>> {
        self.store.provision(id).await
    }
    async fn list_provisions(
        &self,
        partner: UserId,
        filter: &ProvisionFilter,
        page: PageQuery,
    ) -> StoreResult<Page<Provision>> {
        self.store.list_provisions(partner, filter, page).await
    }
    async fn apply_step(&self, id: ProvisionId, step: &Step, now: Timestamp) -> StoreResult<bool> {
        if self.stuck {
            return Ok(false);
        }
        if self.store.apply_step(id, step, now).await? {
            self.worker_steps.fetch_add(1, Ordering::Relaxed);
        }
        self.store.apply_step(id, step, now).await
    }
    async fn history(&self, id: ProvisionId) -> StoreResult<Vec<HistoryEntry>> {
        self.store.history(id).await
    }
    async fn user_provision_status(&self, user: UserId) -> StoreResult<Option<Status>> {
        self.store.user_provision_status(user).await
    }
    async fn expire_credential_now(&self, id: ProvisionId, now: Timestamp) -> StoreResult<bool> {
        self.store.expire_credential_now(id, now).await
    }
}

/// A provision just created through the API, its first step due and not taken.
async fn new_provision(app: &TestApp) -> ProvisionId {
    let partner = ready_partner(app).await;
    ProvisionId(create(&partner, &person(&new_uuid())).await)
}

for_each_backend! { TestApp::spawn =>
    async fn steps_the_worker_took_first_are_not_taken_again_nor_fail_the_scenario(app: TestApp) {
        let id = new_provision(&app).await;
        let racing = WorkerFirst { store: app.store.clone(), stuck: false, worker_steps: AtomicUsize::new(0) };
        let ended = ops::run_steps_now(&racing, app.clock.as_ref(), app.config().environment, id)
            .await
            .unwrap_or_else(|e| panic!("the scenario failed on a step the worker took: {e}"));
        assert_eq!(
            (ended.state.status.as_str(), ended.state.sub_status.as_str()),
            ("CREATED", "PENDING_PROCESS_USER_ONBOARDING")
        );
        let history = app.store.history(id).await.unwrap_or_else(|e| panic!("{e}"));
        let moves: Vec<_> = history.iter().filter(|entry| entry.from.is_some()).collect();
        // Every step was the worker's, and each was taken once.
        assert_eq!(moves.len(), racing.worker_steps.load(Ordering::Relaxed), "{history:?}");
        assert!(moves.len() >= 3, "{history:?}");
        for (i, entry) in moves.iter().enumerate() {
            assert!(moves[..i].iter().all(|earlier| earlier.to != entry.to), "a step taken twice: {history:?}");
        }
    }

    async fn a_provision_that_never_moves_for_the_scenario_is_reported_not_chased(app: TestApp) {
        let id = new_provision(&app).await;
        let stuck = WorkerFirst { store: app.store.clone(), stuck: true, worker_steps: AtomicUsize::new(0) };
        let answer = ops::run_steps_now(&stuck, app.clock.as_ref(), app.config().environment, id).await;
        let error = answer.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.contains("The provision changed while this request was processed"), "{error}");
    }
}

/// A server whose own worker runs, as `provisio serve`'s does.
async fn with_worker(backend: provisio_store::Backend) -> TestApp {
    TestApp::spawn_with(
        backend,
        ServerConfig {
            run_workers: true,
            ..test_config()
        },
    )
    .await
}

for_each_backend! { with_worker =>
    async fn scenarios_racing_a_running_worker_all_end_where_they_say(app: TestApp) {
        // The server's own worker runs, woken by each new provision, whose first job is due
        // at once: forty scenarios at a time race it for their steps.
        let mut runs = tokio::task::JoinSet::new();
        for i in 0..40 {
            let name = if i % 2 == 0 { "onboarding-user" } else { "closed-user" };
            let request = Request::new(Method::POST, format!("/_provisio/scenarios/{name}"))
                .header("authorization", &format!("Bearer {}", app.admin_token))
                .json(&serde_json::json!({ "partner_id": app.partner_id }));
            let api = app.api();
            runs.spawn(async move { (name, api.send(request).await) });
        }
        let replies = runs.join_all().await;
        for (name, reply) in replies {
            let reply = reply.unwrap_or_else(|e| panic!("{name}: {e}"));
            let body = String::from_utf8_lossy(&reply.body);
            assert_eq!(reply.status, 200, "{name}: {body}");
            let expected = if name == "closed-user" { "\"CLOSED\"" } else { "PENDING_PROCESS_USER_ONBOARDING" };
            assert!(body.contains(expected), "{name}: {body}");
        }
    }
}
