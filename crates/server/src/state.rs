use std::sync::Arc;

use provisio_core::{crypto::SigningKey, store::Store, time::Clock};

use crate::{auth::AuthCache, config::ServerConfig, signing::ResponseSigner};

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<ServerConfig>,
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub signer: Arc<ResponseSigner>,
    pub(crate) auth: Arc<AuthCache>,
}

impl AppState {
    pub fn new(
        config: ServerConfig,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        key: SigningKey,
    ) -> Self {
        let auth = Arc::new(AuthCache::new(config.session_cache_ttl));
        AppState {
            config: Arc::new(config),
            store,
            clock,
            signer: Arc::new(ResponseSigner::new(key)),
            auth,
        }
    }
}
