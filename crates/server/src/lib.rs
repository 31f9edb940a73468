//! provisio's HTTP server: bunq's Partner API under `/v1`.
//!
//! [`Server::build`] prepares everything that costs time (loading or creating the server key,
//! warming up the crypto library) so that [`Server::serve`] answers its first request at full
//! speed. `main`, the tests and the benchmark all start the server through these two calls.

mod auth;
pub mod config;
mod http;
pub mod partners;
mod signing;
mod state;

use std::{future::Future, net::SocketAddr, sync::Arc};

use provisio_core::{store::Store, time::Clock};
use tokio::net::TcpListener;

pub use config::{Profile, ServerConfig};
pub use signing::{load_server_key, KeyError};
pub use state::AppState;

/// A ready-to-serve provisio.
pub struct Server {
    state: AppState,
}

impl Server {
    /// Loads (or on first start creates and persists) the server key and warms up signing.
    pub async fn build(
        config: ServerConfig,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
    ) -> Result<Server, KeyError> {
        let key = load_server_key(store.as_ref(), clock.as_ref()).await?;
        Ok(Server {
            state: AppState::new(config, store, clock, key),
        })
    }

    /// The server's public key as SPKI PEM, as `POST /installation` hands it out.
    pub fn public_key_pem(&self) -> &str {
        self.state.signer.public_key_pem()
    }

    pub fn router(&self) -> axum::Router {
        http::router(self.state.clone())
    }

    /// Serves until `shutdown` resolves, then finishes in-flight requests and returns.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let app = self
            .router()
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
    }
}
