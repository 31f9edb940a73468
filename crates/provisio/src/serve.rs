//! `provisio serve`.

use std::sync::Arc;

use anyhow::Context as _;
use provisio_core::{
    model::Environment,
    sealing::SealingKey,
    secret::Secret,
    time::{Clock, SystemClock},
    webhook::RetryPolicy,
};
use provisio_server::{
    config::{DashboardConfig, DeliveryConfig, OnboardingConfig, WorkerConfig},
    context::partners::{demo_api_key, ensure_demo_partner},
    sandbox::seed::Seed,
    Profile, Server, ServerConfig,
};
use serde_json::json;
use tokio::net::TcpListener;

use crate::{
    banner::{self, Banner},
    serve_args::{LogFormat, RoleArg, ServeArgs},
};

pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    // Kept to the end of `serve`: dropping it flushes the log lines still queued.
    let _log_writer = init_tracing(args.log_format);
    let banner = Banner::new(args.log_format);
    // A bad entry type would refuse every onboarding: say so now, not at the first request.
    if !args.onboarding_inquiry.is_empty() {
        provisio_core::inquiry::NewInquiry::validate(
            provisio_core::inquiry::ONBOARDING,
            args.onboarding_inquiry.clone(),
            None,
        )
        .map_err(|e| anyhow::anyhow!("--onboarding-inquiry: {e}"))?;
    }
    // A zero timeout would close every connection, or refuse every request, at once.
    for (name, value) in [
        ("--request-timeout", args.request_timeout),
        ("--db-acquire-timeout", args.db_acquire_timeout),
        ("--db-statement-timeout", args.db_statement_timeout),
        ("--db-lock-timeout", args.db_lock_timeout),
        ("--ready-timeout", args.ready_timeout),
    ] {
        if value.is_zero() {
            anyhow::bail!("{name} must be more than 0s");
        }
    }
    // Zero would end every dashboard session at once.
    if args.dashboard_idle.is_zero() || args.dashboard_lifetime.is_zero() {
        anyhow::bail!("--dashboard-idle and --dashboard-lifetime must be more than 0s");
    }
    let environment: Environment = args.environment.environment.into();
    let demo_api_key = args
        .demo_api_key
        .as_deref()
        .map(|key| demo_api_key(environment, key))
        .transpose()
        .map_err(|e| anyhow::anyhow!("--demo-api-key: {e}"))?;
    // A mistake in the seed stops the start before anything is created.
    let seed = args
        .seed
        .as_deref()
        .map(|path| {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading the seed {}", path.display()))?;
            let seed = Seed::parse(&text)
                .and_then(|seed| seed.validate(environment).map(|()| seed))
                .map_err(|e| anyhow::anyhow!("the seed {}: {e}", path.display()))?;
            anyhow::Ok(seed)
        })
        .transpose()?;
    let secrets_key = secrets_key(&args)?;
    let timeouts = provisio_store::Timeouts {
        acquire: args.db_acquire_timeout,
        statement: args.db_statement_timeout,
        lock: args.db_lock_timeout,
    };
    let wait = if args.no_wait_for_database {
        Some(std::time::Duration::ZERO)
    } else {
        args.database_wait
    };
    let store = args.storage.open_or_create_waiting(timeouts, wait).await?;
    let store_text = args.storage.describe();
    banner.plain(
        "store",
        &format!("Using {store_text}."),
        json!({ "store": store_text }),
    );
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());

    let config = ServerConfig {
        environment,
        profile: args.profile.into(),
        ip_checks: !args.no_ip_checks,
        body_limit: args.body_limit,
        request_timeout: args.request_timeout,
        session_cache_ttl: args.session_cache_ttl,
        serve_api: args.role != RoleArg::Worker,
        run_workers: args.role != RoleArg::Api,
        worker: WorkerConfig {
            step_delay: args.step_delay,
            lease: args.job_lease,
            loops: args
                .worker_loops
                .unwrap_or(if args.storage.is_postgres() { 4 } else { 1 }),
            ..WorkerConfig::default()
        },
        delivery: DeliveryConfig {
            timeout: args.webhook_timeout,
            // A delivery's lease must outlast one attempt, or it could be sent twice at once.
            lease: args.job_lease + args.webhook_timeout,
            retry: match &args.webhook_retry_schedule {
                Some(schedule) => RetryPolicy {
                    schedule: schedule.0.clone(),
                },
                None => Profile::from(args.profile).default_retry(),
            },
            ..DeliveryConfig::default()
        },
        admin_token: args.admin_token.clone().map(Secret::from_client),
        onboarding: OnboardingConfig {
            identity_review_delay: args.identity_review_delay,
            attachment_limit: args.attachment_limit,
            user_session_only: args.user_session_only,
            onboarding_inquiry: args.onboarding_inquiry.clone(),
        },
        ready_timeout: args.ready_timeout,
        secrets_key,
        dashboard: DashboardConfig {
            idle: args.dashboard_idle,
            lifetime: args.dashboard_lifetime,
        },
        sugardaddy_limit_minor: args.sugardaddy_limit,
        ..ServerConfig::default()
    };
    let server = Server::build(config, store.clone(), clock.clone())
        .await
        .context("preparing the server key")?;
    // Bind before the demo partner exists: a port in use must not cost its key.
    let listener = match args.role {
        RoleArg::Worker => TcpListener::bind("127.0.0.1:0").await?,
        _ => TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?,
    };
    if let Some(seed) = &seed {
        let seeded =
            provisio_server::sandbox::seed::load(store.as_ref(), clock.as_ref(), environment, seed)
                .await
                .context("loading the seed")?;
        banner::announce_seed(banner, &seeded);
    }
    let demo = ensure_demo_partner(store.as_ref(), clock.as_ref(), environment, demo_api_key)
        .await
        .context("creating the demo partner")?;
    banner::announce(banner, &demo, banner::show_demo_key(args.print_demo_key));
    if args.role == RoleArg::Worker {
        banner.plain(
            "worker",
            "provisio worker running (no API in this role).",
            json!({}),
        );
        server.serve(listener, shutdown_signal()).await?;
        return Ok(());
    }
    let local = listener.local_addr()?;
    let operator = format!("http://{local}/_provisio/");
    match (server.admin_token(), &args.admin_token) {
        (Some(token), None) => banner.say(
            "operator_api",
            &format!("Operator API at {operator} with header: Authorization: Bearer {token}"),
            &format!("Operator API at {operator} (its new token in secret_admin_token)."),
            json!({ "url": operator, "secret_admin_token": token }),
        ),
        (Some(_), Some(_)) => banner.plain(
            "operator_api",
            &format!("Operator API at {operator} (token from --admin-token)."),
            json!({ "url": operator }),
        ),
        (None, _) => banner.plain(
            "operator_api",
            "Operator API disabled (strict profile, production environment).",
            json!({ "url": null }),
        ),
    }
    if server.admin_token().is_some() {
        let dashboard = format!("http://{local}/_provisio/ui/");
        banner.plain(
            "dashboard",
            &format!("Dashboard at {dashboard} (sign in with the admin token)."),
            json!({ "url": dashboard }),
        );
        // Where a partner points bunq's two OAuth hosts (oauth. and api-oauth.sandbox.bunq.com).
        let (consent, token) = (
            format!("http://{local}/auth"),
            format!("http://{local}/v1/token"),
        );
        banner.plain(
            "oauth",
            &format!("OAuth consent page at {consent}, token endpoint at {token}."),
            json!({ "consent_page": consent, "token_endpoint": token }),
        );
    }
    banner.plain(
        "listening",
        &format!("provisio listening on http://{local}"),
        json!({ "url": format!("http://{local}") }),
    );
    server.serve(listener, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// A newcomer's first start gives them something to connect with; a CI run's key is there.
/// The operator's key for secrets at rest, if given; a bad one stops the start.
fn secrets_key(args: &ServeArgs) -> anyhow::Result<Option<Arc<SealingKey>>> {
    let text = match (&args.secrets_key, &args.secrets_key_file) {
        (Some(text), _) => text.clone(),
        (None, Some(path)) => std::fs::read_to_string(path)
            .with_context(|| format!("reading the secrets key {}", path.display()))?,
        (None, None) => return Ok(None),
    };
    let key = SealingKey::from_hex(&text).map_err(|e| anyhow::anyhow!("the secrets key: {e}"))?;
    Ok(Some(Arc::new(key)))
}

/// Logs go to stderr: coloured only on a terminal, JSON lines when asked. Written by a thread
/// of their own through a buffer flushed whenever the queue is empty, so a request never waits
/// on a write to stderr and a busy server writes many lines per system call; nothing is dropped
/// (a full queue makes the logger wait instead). The queue is bounded below the crate's
/// default of 128,000 lines, which it allocates up front (~6 MB of idle memory).
fn init_tracing(format: LogFormat) -> tracing_appender::non_blocking::WorkerGuard {
    use std::io::IsTerminal as _;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .buffered_lines_limit(4096)
        .thread_name("provisio-log")
        .finish(std::io::BufWriter::new(std::io::stderr()));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(std::io::stderr().is_terminal());
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
    guard
}

/// Ctrl-C or SIGTERM: stop accepting, finish what is in flight, exit.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
