//! provisio's HTTP server: bunq's Partner API under `/v1`.
//!
//! [`Server::build`] prepares everything that costs time (loading or creating the server key,
//! warming up the crypto library) so that [`Server::serve`] answers its first request at full
//! speed. `main`, the tests and the benchmark all start the server through these two calls.
//!
//! # Layout
//!
//! One folder per domain, named as in the store: `context`, `webhooks`, `provisioning`,
//! `onboarding`, `banking`, `cards`, `feed`, `sandbox`. Each holds its services, its `routes` (the
//! handlers of bunq's `/v1` and of the operator's `/_provisio`, and the table that registers
//! them) and its dashboard pages (a module named `ui`). Bottom to top, each layer imports only
//! those below it:
//!
//! 1. the common modules here at the root: `config`, `metrics`, `rate_limit`, `masking`,
//!    `request_log`,
//!    `signing`, `auth`, `sandbox_clock`, `webhook_sink` (the dev profile's built-in webhook
//!    receiver), `faults` (the dev profile's injected faults), `state`, `connections`, `worker` (which runs the provisions' steps and the
//!    cards' timers);
//! 2. `http`: the plumbing every route uses, its error type at the very bottom;
//! 3. `ui`: the dashboard's shell;
//! 4. the domains in the order above, each importing only those before it (a provision's
//!    timeline shows `webhooks`' deliveries, `cards` draw on `banking`'s accounts, `feed` renders
//!    the objects of the others through the store, `sandbox` reaches into the others);
//! 5. `router`: every domain's table and pages, merged with the layers; then this file.

mod auth;
pub mod banking;
pub mod cards;
pub mod config;
mod connections;
pub mod context;
mod faults;
pub mod feed;
mod http;
mod masking;
mod metrics;
pub mod onboarding;
pub mod provisioning;
mod rate_limit;
mod request_log;
mod router;
pub mod sandbox;
pub mod sandbox_clock;
mod signing;
mod state;
mod ui;
mod webhook_sink;
pub mod webhooks;
pub mod worker;

use std::{future::Future, sync::Arc};

use provisio_core::{secret::Secret, store::Store, time::Clock};
use tokio::{net::TcpListener, sync::watch};
use webhooks::dispatch;

pub use config::{Profile, ServerConfig};
pub use signing::{load_server_key, KeyError};
pub use state::AppState;
pub use worker::{Outcome, Worker};

/// The OpenAPI description of every route, as `GET /_provisio/openapi.json` serves it where
/// the operator API is (a server without it, `strict` in production, leaves that API out).
pub fn openapi_json() -> &'static [u8] {
    router::openapi_json()
}

/// A ready-to-serve provisio.
pub struct Server {
    state: AppState,
    worker: Arc<Worker>,
    dispatcher: Arc<dispatch::Dispatcher>,
    admin_token: Option<String>,
}

impl Server {
    /// Loads (or on first start creates and persists) the server key and warms up signing.
    pub async fn build(
        config: ServerConfig,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
    ) -> Result<Server, KeyError> {
        // The durable virtual clock first: the key's creation time, like everything, reads it.
        sandbox_clock::refresh(store.as_ref(), clock.as_ref()).await?;
        let key = load_server_key(store.as_ref(), clock.as_ref()).await?;
        if config.secrets_key.is_none() && config.profile == config::Profile::Strict {
            tracing::warn!(
                "card secrets are sealed with a key derived from the server key, which is in the \
                 same database; give PROVISIO_SECRETS_KEY to keep a copy of the database from \
                 opening them"
            );
        }
        signing::seal_card_secrets(store.as_ref(), &key, config.secrets_key.clone()).await?;
        let admin_token = config.admin_enabled().then(|| {
            config
                .admin_token
                .clone()
                .unwrap_or_else(|| Secret::generate("admin_"))
                .expose()
                .to_owned()
        });
        let worker = Arc::new(Worker::new(
            store.clone(),
            clock.clone(),
            config.environment,
            config.worker.clone(),
        ));
        let delivery = config.delivery.clone();
        let metrics = Arc::new(metrics::Metrics::new()?);
        let state = AppState::new(
            config,
            store.clone(),
            clock.clone(),
            key,
            admin_token.as_deref(),
            metrics.clone(),
        );
        let dispatcher = Arc::new(
            dispatch::Dispatcher::new(store, clock, state.signer.clone(), delivery)
                .with_metrics(metrics),
        );
        Ok(Server {
            state,
            worker,
            dispatcher,
            admin_token,
        })
    }

    /// The operator API's bearer token; `None` when the operator API is disabled.
    pub fn admin_token(&self) -> Option<&str> {
        self.admin_token.as_deref()
    }

    /// The worker, for callers that drive it themselves (tests drain it with `run_once`).
    pub fn worker(&self) -> Arc<Worker> {
        self.worker.clone()
    }

    /// The webhook dispatcher, likewise.
    pub fn dispatcher(&self) -> Arc<dispatch::Dispatcher> {
        self.dispatcher.clone()
    }

    /// The server's public key as SPKI PEM, as `POST /installation` hands it out.
    pub fn public_key_pem(&self) -> &str {
        self.state.signer.public_key_pem()
    }

    pub fn router(&self) -> axum::Router {
        router::router(self.state.clone())
    }

    /// Serves (and, by role, runs the worker) until `shutdown` resolves; then finishes
    /// in-flight requests, lets the worker finish its batch, and returns. Without the API role
    /// the listener is not used.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let (stop, stopped) = watch::channel(false);
        let loops = if self.state.config.run_workers {
            self.state.config.worker.loops.max(1)
        } else {
            0
        };
        let mut workers: Vec<_> = (0..loops)
            .map(|_| {
                tokio::spawn(self.worker.clone().run(
                    stopped.clone(),
                    self.state.wake.clone(),
                    self.state.deliver.clone(),
                ))
            })
            .collect();
        // As many delivery loops as worker loops: on PostgreSQL they overlap their database
        // round trips; claims skip each other's rows and keep each provision's events in order.
        for _ in 0..loops {
            workers.push(tokio::spawn(
                self.dispatcher
                    .clone()
                    .run(stopped.clone(), self.state.deliver.clone()),
            ));
        }
        // The virtual clock's mirror, refreshed here and never on a request's path.
        workers.push(tokio::spawn(sandbox_clock::keep_fresh(
            self.state.store.clone(),
            self.state.clock.clone(),
            self.state.config.clock_refresh,
            stopped.clone(),
        )));
        let result = if self.state.config.serve_api {
            connections::serve(
                listener,
                self.router(),
                self.state.signer.clone(),
                self.state.faults.clone(),
                self.state.config.request_timeout,
                shutdown,
            )
            .await
        } else {
            drop(listener);
            shutdown.await;
            Ok(())
        };
        let _ = stop.send(true);
        for worker in workers {
            let _ = worker.await;
        }
        result
    }
}
