//! `provisio serve`.

use std::sync::Arc;

use anyhow::Context as _;
use provisio_core::{
    model::Environment,
    time::{Clock, SystemClock},
    webhook::RetryPolicy,
};
use provisio_server::{
    config::{DeliveryConfig, OnboardingConfig, WorkerConfig},
    partners::create_partner,
    Server, ServerConfig,
};
use tokio::net::TcpListener;

use crate::cli::{RoleArg, ServeArgs};

pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    init_tracing();
    // A bad entry type would refuse every onboarding: say so now, not at the first request.
    if !args.onboarding_inquiry.is_empty() {
        provisio_core::inquiry::NewInquiry::validate(
            provisio_core::inquiry::ONBOARDING,
            args.onboarding_inquiry.clone(),
            None,
        )
        .map_err(|e| anyhow::anyhow!("--onboarding-inquiry: {e}"))?;
    }
    // Zero would close every connection before its first request.
    if args.request_timeout.is_zero() {
        anyhow::bail!("--request-timeout must be more than 0s");
    }
    let store = args.storage.open().await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let environment: Environment = args.environment.environment.into();

    // A newcomer's first start: give them something to connect with.
    if store.list_partners().await?.is_empty() {
        let (partner, api_key) =
            create_partner(store.as_ref(), clock.as_ref(), environment, "Demo Partner").await?;
        println!(
            "Created the demo partner \"{}\" (UserCompany id {}). Its API key, shown only this once:",
            partner.name, partner.id
        );
        println!("  {}", api_key.expose());
    }

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
            retry: RetryPolicy {
                schedule: args.webhook_retry_schedule.0.clone(),
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
    };
    let server = Server::build(config, store, clock)
        .await
        .context("preparing the server key")?;
    if args.role == RoleArg::Worker {
        println!("provisio worker running (no API in this role)");
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        server.serve(listener, shutdown_signal()).await?;
        return Ok(());
    }
    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let local = listener.local_addr()?;
    match (server.admin_token(), &args.admin_token) {
        (Some(token), None) => println!(
            "Operator API at http://{local}/_provisio/ with header: Authorization: Bearer {token}"
        ),
        (Some(_), Some(_)) => {
            println!("Operator API at http://{local}/_provisio/ (token from --admin-token)")
        }
        (None, _) => println!("Operator API disabled (strict profile, production environment)"),
    }
    println!("provisio listening on http://{local}");
    server.serve(listener, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
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
