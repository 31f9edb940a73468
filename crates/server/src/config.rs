//! Server settings. The CLI fills these from flags and `PROVISIO_*` variables.

use std::{sync::Arc, time::Duration};

use provisio_core::{
    account::request::DEFAULT_SUGARDADDY_LIMIT_MINOR, model::Environment, sealing::SealingKey,
    secret::Secret, webhook::RetryPolicy,
};

/// `dev` forgives what a developer's first client gets wrong; `strict` applies bunq's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Dev,
    Strict,
}

impl Profile {
    /// The webhook retry schedule when none is given: seconds apart in `dev`, so a developer
    /// sees a failed delivery retried while watching; bunq's (a minute apart) in `strict`.
    pub fn default_retry(self) -> RetryPolicy {
        match self {
            Profile::Dev => RetryPolicy::dev(),
            Profile::Strict => RetryPolicy::default(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub environment: Environment,
    pub profile: Profile,
    /// Enforce devices' `permitted_ips` (J-10 asks for a switch for deployments behind proxies).
    /// Always on in `strict`.
    pub ip_checks: bool,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// How long a client may take to send a request's headers (and, on an idle keep-alive
    /// connection, to start the next request) and, separately, its body. Past it the
    /// connection is closed, or the body refused with 408.
    pub request_timeout: Duration,
    /// How long one process may serve a session from memory before re-reading it. Bounds how
    /// late another process's logout is noticed.
    pub session_cache_ttl: Duration,
    /// Serve the HTTP API (the `api` and `all` roles).
    pub serve_api: bool,
    /// Run the background worker (the `worker` and `all` roles).
    pub run_workers: bool,
    pub worker: WorkerConfig,
    pub delivery: DeliveryConfig,
    /// Bearer token for the operator API under `/_provisio/`; generated at start when unset.
    /// A [`Secret`], so the configuration's `Debug` never prints it.
    pub admin_token: Option<Secret>,
    pub onboarding: OnboardingConfig,
    /// Longest `GET /_provisio/ready` waits for the database before it answers 503: a load
    /// balancer's probe must not hang on a database that does not answer.
    pub ready_timeout: Duration,
    /// How often the virtual clock's offset is re-read in the background: another process's
    /// advance is seen here within this (see `sandbox_clock`).
    pub clock_refresh: Duration,
    /// The key that seals PANs and CVC2s at rest, from outside the database
    /// (`PROVISIO_SECRETS_KEY`, `--secrets-key-file`). Unset, it is derived from the server key,
    /// which lives in the same database: see `provisio_core::sealing` for what each gives.
    pub secrets_key: Option<Arc<SealingKey>>,
    pub dashboard: DashboardConfig,
    /// The most `sugardaddy@bunq.com` gives per request, in minor units (bunq's sandbox: 500.00
    /// EUR); it answers only in the sandbox environment.
    pub sugardaddy_limit_minor: i64,
}

/// The dashboard's sessions (on the sandbox clock: advancing it past `idle` signs out too).
#[derive(Debug, Clone)]
pub struct DashboardConfig {
    /// A session not used for this long is ended.
    pub idle: Duration,
    /// A session is ended this long after signing in, used or not.
    pub lifetime: Duration,
}

impl Default for DashboardConfig {
    fn default() -> Self {
        DashboardConfig {
            idle: Duration::from_secs(30 * 60),
            lifetime: Duration::from_secs(12 * 3600),
        }
    }
}

/// Onboarding and compliance (spec E, G).
#[derive(Debug, Clone)]
pub struct OnboardingConfig {
    /// How long bunq takes to review a submitted identity verification.
    pub identity_review_delay: Duration,
    /// Largest attachment accepted, in bytes.
    pub attachment_limit: usize,
    /// J-8: only the provisioned user's own session may call onboarding and compliance routes,
    /// as bunq documents (the official client uses the partner's session). On in `strict`.
    pub user_session_only: bool,
    /// Entry types of an `ONBOARDING` inquiry raised when a user's onboarding is created (for
    /// example `USER_PERSON_SOURCE_OF_FUND`); empty raises none.
    pub onboarding_inquiry: Vec<String>,
}

impl Default for OnboardingConfig {
    fn default() -> Self {
        OnboardingConfig {
            identity_review_delay: Duration::from_secs(5),
            attachment_limit: 10 * 1024 * 1024,
            user_session_only: false,
            onboarding_inquiry: Vec::new(),
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            environment: Environment::Sandbox,
            profile: Profile::Dev,
            ip_checks: true,
            body_limit: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            session_cache_ttl: Duration::from_secs(2),
            serve_api: true,
            run_workers: true,
            worker: WorkerConfig::default(),
            delivery: DeliveryConfig::default(),
            admin_token: None,
            onboarding: OnboardingConfig::default(),
            ready_timeout: Duration::from_secs(1),
            clock_refresh: crate::sandbox_clock::REFRESH,
            secrets_key: None,
            dashboard: DashboardConfig::default(),
            sugardaddy_limit_minor: DEFAULT_SUGARDADDY_LIMIT_MINOR,
        }
    }
}

impl ServerConfig {
    pub fn ip_checks(&self) -> bool {
        self.ip_checks || self.profile == Profile::Strict
    }

    /// The operator API is a sandbox tool: a strict production deployment has none.
    pub fn admin_enabled(&self) -> bool {
        !(self.profile == Profile::Strict && self.environment == Environment::Production)
    }

    /// bunq's classic rate limits apply in `strict` (spec A.8; off by default, J-12).
    pub fn rate_limits(&self) -> bool {
        self.profile == Profile::Strict
    }

    /// The most Sugar Daddy gives per request; `None` outside the sandbox, where nobody
    /// answers requests by itself.
    pub fn sugardaddy_limit(&self) -> Option<i64> {
        (self.environment == Environment::Sandbox).then_some(self.sugardaddy_limit_minor)
    }

    pub fn user_session_only(&self) -> bool {
        self.onboarding.user_session_only || self.profile == Profile::Strict
    }

    /// Callback and webhook targets may be plain http to this machine only in `dev`.
    pub fn allow_loopback_http(&self) -> bool {
        self.profile == Profile::Dev
    }
}

/// The background worker (see `crate::worker`).
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Delay before each background step of a provision.
    pub step_delay: Duration,
    /// How long a claimed job stays reserved for its worker.
    pub lease: Duration,
    /// Most jobs claimed and committed together.
    pub batch: u32,
    /// Longest sleep when idle (work created by other processes is noticed this fast).
    pub idle_poll: Duration,
    /// Worker loops per process. Batches on PostgreSQL run side by side (claims skip each
    /// other's rows); SQLite has one writer, so more than one loop gains nothing there.
    pub loops: usize,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            step_delay: Duration::from_secs(1),
            lease: Duration::from_secs(30),
            batch: 256,
            idle_poll: Duration::from_millis(200),
            loops: 1,
        }
    }
}

/// Webhook delivery (see `crate::webhooks::dispatch`).
#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    /// How long a receiver may take to answer.
    pub timeout: Duration,
    pub retry: RetryPolicy,
    pub batch: u32,
    pub lease: Duration,
    pub idle_poll: Duration,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            batch: 64,
            lease: Duration::from_secs(60),
            idle_poll: Duration::from_millis(200),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn dev_retries_within_seconds_and_strict_as_bunq() {
        let dev = Profile::Dev.default_retry();
        assert!(dev.schedule.iter().all(|d| *d < Duration::from_secs(60)));
        assert_eq!(
            dev.schedule.iter().sum::<Duration>(),
            Duration::from_secs(31)
        );
        assert_eq!(Profile::Strict.default_retry(), RetryPolicy::default());
    }

    #[test]
    fn the_configuration_never_prints_its_admin_token() {
        let config = ServerConfig {
            admin_token: Some(Secret::from_client("admin_do_not_print_me")),
            ..ServerConfig::default()
        };
        let printed = format!("{config:?}");
        assert!(!printed.contains("do_not_print_me"), "{printed}");
        assert!(
            printed.contains("admin_token: Some(Secret(<redacted>))"),
            "{printed}"
        );
    }
}
