//! Who is calling: installation tokens and session tokens, resolved to records and cached.
//!
//! Installations never change, so their parsed keys are cached for the life of the process.
//! Sessions can be deleted or extended by another process sharing the database, so a cached
//! session is trusted only for `session_cache_ttl` before it is read again.

use std::{sync::Arc, time::Duration};

use provisio_core::{
    crypto::VerifyingKey,
    model::{Installation, InstallationId, SessionContext, SessionGrant, UserId},
    secret::SecretHash,
    store::Store,
    time::{Clock, Timestamp},
    DomainError,
};
use quick_cache::sync::Cache;
use tokio::time::Instant;

const CACHE_ENTRIES: usize = 16_384;

/// A session is extended when it is used within this long of its expiry (spec A.13).
const EXTEND_WITHIN: Duration = Duration::from_secs(30 * 60);

pub struct AuthedInstallation {
    pub installation: Installation,
    pub key: Arc<VerifyingKey>,
    fetched: Instant,
}

pub struct AuthedSession {
    pub context: SessionContext,
    pub key: Arc<VerifyingKey>,
    fetched: Instant,
}

pub struct AuthCache {
    /// Users whose sessions this process ended or changed, and when: a cached session of such
    /// a user from before that moment is read again.
    revoked: std::sync::Mutex<std::collections::HashMap<UserId, Instant>>,
    installations: Cache<SecretHash, Arc<AuthedInstallation>>,
    sessions: Cache<SecretHash, Arc<AuthedSession>>,
    grants: Cache<(InstallationId, SecretHash), (Arc<SessionGrant>, Instant)>,
    session_ttl: Duration,
}

impl AuthCache {
    pub fn new(session_ttl: Duration) -> Self {
        AuthCache {
            revoked: std::sync::Mutex::new(std::collections::HashMap::new()),
            installations: Cache::new(CACHE_ENTRIES),
            sessions: Cache::new(CACHE_ENTRIES),
            grants: Cache::new(CACHE_ENTRIES),
            session_ttl,
        }
    }

    /// Resolves an installation token; unknown → 401.
    pub async fn installation(
        &self,
        store: &dyn Store,
        token: &SecretHash,
    ) -> Result<Arc<AuthedInstallation>, DomainError> {
        // Re-read after the session TTL too: a partner removal or a reset in another process
        // may have deleted it.
        if let Some(hit) = self
            .installations
            .get(token)
            .filter(|i| i.fetched.elapsed() < self.session_ttl)
        {
            return Ok(hit);
        }
        let installation = store
            .installation_by_token(token)
            .await?
            .ok_or(DomainError::Unauthorised)?;
        let key = Arc::new(parse_stored_key(&installation.client_public_key_pem)?);
        let authed = Arc::new(AuthedInstallation {
            installation,
            key,
            fetched: Instant::now(),
        });
        self.installations.insert(token.clone(), authed.clone());
        Ok(authed)
    }

    /// Resolves a session token, refusing expired sessions and extending ones about to expire.
    pub async fn session(
        &self,
        store: &dyn Store,
        clock: &dyn Clock,
        token: &SecretHash,
    ) -> Result<Arc<AuthedSession>, DomainError> {
        let cached = self
            .sessions
            .get(token)
            .filter(|s| s.fetched.elapsed() < self.session_ttl && !self.revoked_since(s));
        let session = match cached {
            Some(session) => session,
            None => self.load_session(store, token).await?,
        };
        let now = clock.now();
        let expires_at = session.context.session.expires_at;
        if now >= expires_at {
            self.sessions.remove(token);
            return Err(DomainError::Unauthorised);
        }
        if now.until(expires_at) < EXTEND_WITHIN {
            return self.extend(store, token, &session, now).await;
        }
        Ok(session)
    }

    async fn load_session(
        &self,
        store: &dyn Store,
        token: &SecretHash,
    ) -> Result<Arc<AuthedSession>, DomainError> {
        let context = store
            .session_by_token(token)
            .await?
            .ok_or(DomainError::Unauthorised)?;
        let key = Arc::new(parse_stored_key(&context.client_public_key_pem)?);
        let session = Arc::new(AuthedSession {
            context,
            key,
            fetched: Instant::now(),
        });
        self.sessions.insert(token.clone(), session.clone());
        Ok(session)
    }

    async fn extend(
        &self,
        store: &dyn Store,
        token: &SecretHash,
        session: &AuthedSession,
        now: Timestamp,
    ) -> Result<Arc<AuthedSession>, DomainError> {
        let timeout = u64::try_from(session.context.session_timeout_secs).unwrap_or(0);
        let expires_at = now.plus(Duration::from_secs(timeout));
        store
            .extend_session(session.context.session.id, expires_at, now)
            .await?;
        let mut context = session.context.clone();
        context.session.expires_at = expires_at;
        context.session.updated = now;
        let extended = Arc::new(AuthedSession {
            context,
            key: session.key.clone(),
            fetched: Instant::now(),
        });
        self.sessions.insert(token.clone(), extended.clone());
        Ok(extended)
    }

    fn revoked_since(&self, session: &AuthedSession) -> bool {
        let user = session.context.session.user_id;
        self.revoked
            .lock()
            .ok()
            .and_then(|revoked| revoked.get(&user).copied())
            .is_some_and(|at| at >= session.fetched)
    }

    /// Sessions of `user` cached before now are read again on their next use.
    pub fn revoke_user(&self, user: UserId) {
        if let Ok(mut revoked) = self.revoked.lock() {
            let ttl = self.session_ttl;
            // Entries older than the TTL no longer matter: those sessions are re-read anyway.
            revoked.retain(|_, at| at.elapsed() <= ttl);
            revoked.insert(user, Instant::now());
        }
    }

    /// Everything cached goes: after partners are removed or the store is emptied, every
    /// token is looked up again.
    pub fn forget_all(&self) {
        self.installations.clear();
        self.sessions.clear();
        self.grants.clear();
    }

    pub fn forget_session(&self, token: &SecretHash) {
        self.sessions.remove(token);
    }

    /// Who owns `api_key` and which device `installation` registered for it. Only complete
    /// grants are cached (for the same short time as sessions): a missing device must be seen
    /// as soon as it is registered.
    pub async fn session_grant(
        &self,
        store: &dyn Store,
        installation: InstallationId,
        api_key: &SecretHash,
    ) -> Result<Arc<SessionGrant>, DomainError> {
        let key = (installation, api_key.clone());
        if let Some((grant, fetched)) = self.grants.get(&key) {
            if fetched.elapsed() < self.session_ttl {
                return Ok(grant);
            }
        }
        let grant = Arc::new(
            store
                .session_grant(installation, api_key)
                .await?
                .ok_or(DomainError::BadCredentials)?,
        );
        if grant.device.is_some() {
            self.grants.insert(key, (grant.clone(), Instant::now()));
        }
        Ok(grant)
    }

    /// A new device replaces the one a cached grant names.
    pub fn forget_grant(&self, installation: InstallationId, api_key: &SecretHash) {
        self.grants.remove(&(installation, api_key.clone()));
    }
}

fn parse_stored_key(pem: &str) -> Result<VerifyingKey, DomainError> {
    VerifyingKey::from_pem(pem).map_err(|e| {
        DomainError::Store(provisio_core::StoreError::Corrupt(format!(
            "stored client key: {e}"
        )))
    })
}
