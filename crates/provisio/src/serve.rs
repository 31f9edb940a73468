//! `provisio serve`.

use std::sync::Arc;

use anyhow::Context as _;
use provisio_core::{
    model::Environment,
    sealing::SealingKey,
    time::{Clock, SystemClock},
    webhook::RetryPolicy,
};
use provisio_server::{
    config::{DashboardConfig, DeliveryConfig, OnboardingConfig, WorkerConfig},
    context::partners::{demo_api_key, ensure_demo_partner, DemoPartner, DEMO_PARTNER},
    sandbox::seed::{Seed, Seeded},
    Profile, Server, ServerConfig,
};
use tokio::net::TcpListener;

use crate::serve_args::{LogFormat, RoleArg, ServeArgs};

pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    init_tracing(args.log_format);
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
    println!("Using {}.", args.storage.describe());
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
        admin_token: args.admin_token.clone(),
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
        match seeded {
            Seeded::Skipped => println!("The store has partners already: the seed was not loaded."),
            Seeded::Loaded(partners) => {
                for line in provisio_server::sandbox::seed::summary(&partners) {
                    println!("{line}");
                }
            }
        }
    }
    let demo = ensure_demo_partner(store.as_ref(), clock.as_ref(), environment, demo_api_key)
        .await
        .context("creating the demo partner")?;
    announce(&demo);
    if args.role == RoleArg::Worker {
        println!("provisio worker running (no API in this role).");
        server.serve(listener, shutdown_signal()).await?;
        return Ok(());
    }
    let local = listener.local_addr()?;
    match (server.admin_token(), &args.admin_token) {
        (Some(token), None) => println!(
            "Operator API at http://{local}/_provisio/ with header: Authorization: Bearer {token}"
        ),
        (Some(_), Some(_)) => {
            println!("Operator API at http://{local}/_provisio/ (token from --admin-token).")
        }
        (None, _) => println!("Operator API disabled (strict profile, production environment)."),
    }
    if server.admin_token().is_some() {
        println!("Dashboard at http://{local}/_provisio/ui/ (sign in with the admin token).");
    }
    println!("provisio listening on http://{local}");
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

fn announce(demo: &DemoPartner) {
    match demo {
        DemoPartner::Created(partner, key) => {
            println!(
                "Created the demo partner \"{}\" (UserCompany id {}). Its API key, shown only this once:",
                partner.name, partner.id
            );
            println!("  {}", key.expose());
        }
        DemoPartner::KeyAdded(partner) => println!(
            "Added the --demo-api-key key to the demo partner (UserCompany id {}).",
            partner.id
        ),
        DemoPartner::KeyKnown(partner) => println!(
            "The --demo-api-key key already opens partner \"{}\" (UserCompany id {}).",
            partner.name, partner.id
        ),
        DemoPartner::Ignored => println!(
            "Ignored --demo-api-key: this store has partners but none named \"{DEMO_PARTNER}\"; \
             `provisio partner add-key PARTNER_ID` gives a partner a new key."
        ),
        DemoPartner::Unchanged => {}
    }
}

/// Logs go to stderr: coloured only on a terminal, JSON lines when asked.
fn init_tracing(format: LogFormat) {
    use std::io::IsTerminal as _;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
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
