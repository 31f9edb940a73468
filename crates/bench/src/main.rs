//! `provisio-bench`: starts a real `provisio serve`, drives it over loopback and reports
//! throughput and latency against the targets in docs/benchmarks.md.
//!
//! Build and run: `cargo build --release -p provisio -p provisio-bench &&
//! target/release/provisio-bench`. Everything runs on this machine; the load generator shares
//! the cores with the server, as a partner's CI would.

mod cards;
mod load;
mod payments;
mod provisions;
mod server;
mod soak;
mod webhooks;

use std::{sync::Arc, time::Duration};

use anyhow::Context as _;
use clap::Parser;
use provisio_client::SigningKey;

use load::Stats;

#[derive(Debug, Parser)]
#[command(name = "provisio-bench")]
struct Args {
    /// The provisio binary (default: next to this one).
    #[arg(long)]
    provisio: Option<std::path::PathBuf>,
    /// A PostgreSQL URL to run against instead of a fresh SQLite data directory.
    #[arg(long)]
    database_url: Option<String>,
    /// How long each scenario runs.
    #[arg(long, default_value = "5", value_parser = parse_secs)]
    seconds: Duration,
    /// Concurrent requests in flight.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Which measurements to take.
    #[arg(long, value_enum, default_value = "all")]
    scenario: Scenario,
    /// Servers sharing the database in the provisioning scenario (more than one needs
    /// --database-url with PostgreSQL).
    #[arg(long, default_value_t = 1)]
    processes: usize,
    /// Rounds of the soak scenario (each runs every load for --seconds).
    #[arg(long, default_value_t = 10)]
    rounds: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Scenario {
    /// Everything.
    All,
    /// Session creation and unchanged GETs (the API context).
    Context,
    /// Provisions carried from POST to onboarding.
    Provisions,
    /// Webhook deliveries of every provision change, while provisions flow.
    Webhooks,
    /// Signed internal payments settled on both sides, then the ledger check.
    Payments,
    /// Card authorisations on the ledger, then the ledger check.
    Cards,
    /// Rounds of every load against one server, its memory read after each (not in `all`).
    Soak,
}

fn parse_secs(s: &str) -> Result<Duration, String> {
    s.parse::<f64>()
        .map(Duration::from_secs_f64)
        .map_err(|e| e.to_string())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let binary = server::binary(args.provisio.clone())?;
    println!(
        "machine: {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    if matches!(
        args.scenario,
        Scenario::All | Scenario::Context | Scenario::Webhooks
    ) {
        context(&args, &binary).await?;
    }
    if matches!(args.scenario, Scenario::All | Scenario::Provisions) {
        provisioning(&args, &binary).await?;
    }
    if matches!(args.scenario, Scenario::All | Scenario::Webhooks) {
        deliveries(&args, &binary).await?;
    }
    if matches!(args.scenario, Scenario::All | Scenario::Payments) {
        settle_payments(&args, &binary).await?;
    }
    if matches!(args.scenario, Scenario::All | Scenario::Cards) {
        authorize_cards(&args, &binary).await?;
    }
    if args.scenario == Scenario::Soak {
        soak_memory(&args, &binary).await?;
    }
    Ok(())
}

async fn soak_memory(args: &Args, binary: &std::path::Path) -> anyhow::Result<()> {
    if let Some(url) = &args.database_url {
        reset_database(url).await?;
    }
    let mut servers = server::start(binary, args.database_url.clone(), 1).await?;
    let mut server = servers.remove(0);
    println!(
        "soak on {}: {} rounds of sessions, GETs, payments and card authorisations, {:.0} s each",
        server.backend,
        args.rounds,
        args.seconds.as_secs_f64()
    );
    let samples = soak::run(&server, args.concurrency, args.seconds, args.rounds).await?;
    server.stop();
    let (start, growth) = soak::late_growth_kib(&samples);
    let requests = samples.last().map_or(0, |s| s.requests);
    check(
        "memory levels off: the second half of the rounds adds under 5%",
        growth * 20 < start.max(1),
        format!(
            "{:.1} MB at mid-run, +{:.1} MB by the end, after {requests} requests",
            start as f64 / 1024.0,
            growth as f64 / 1024.0
        ),
    );
    Ok(())
}

async fn settle_payments(args: &Args, binary: &std::path::Path) -> anyhow::Result<()> {
    if let Some(url) = &args.database_url {
        reset_database(url).await?;
    }
    let mut servers = server::start(binary, args.database_url.clone(), 1).await?;
    let mut server = servers.remove(0);
    let key = Arc::new(SigningKey::generate()?);
    let (url, api_key) = (server.url.clone(), server.api_key.clone());
    let before = server.cpu_time();
    let (mut stats, ledger) = payments::run(
        &url,
        &api_key,
        server::ADMIN_TOKEN,
        key,
        args.concurrency,
        args.seconds,
    )
    .await
    .context("payments")?;
    stats.server_cpu = server.cpu_time().saturating_sub(before);
    server.stop();
    println!();
    println!("payments on {}:", server.backend);
    report(
        &format!(
            "POST /v1/user/{{userId}}/monetary-account/{{id}}/payment, {} clients, settled",
            args.concurrency
        ),
        &stats,
    );
    println!("  ledger check after the run: {ledger}");
    // The target is SQLite's; PostgreSQL's rate is reported above.
    if server.backend == "SQLite" {
        check(
            "at least 1,000 settled payments/s on SQLite",
            stats.rate() >= 1000.0,
            format!("{:.0}/s", stats.rate()),
        );
    }
    check(
        "the ledger check holds after the run",
        ledger["holds"] == serde_json::Value::Bool(true) && stats.errors == 0,
        format!(
            "holds: {}, refused or failed requests: {}",
            ledger["holds"], stats.errors
        ),
    );
    Ok(())
}

async fn authorize_cards(args: &Args, binary: &std::path::Path) -> anyhow::Result<()> {
    if let Some(url) = &args.database_url {
        reset_database(url).await?;
    }
    let mut servers = server::start(binary, args.database_url.clone(), 1).await?;
    let mut server = servers.remove(0);
    let key = Arc::new(SigningKey::generate()?);
    let (url, api_key) = (server.url.clone(), server.api_key.clone());
    let before = server.cpu_time();
    let (mut stats, ledger) = cards::run(
        &url,
        &api_key,
        server::ADMIN_TOKEN,
        key,
        args.concurrency,
        args.seconds,
    )
    .await
    .context("cards")?;
    stats.server_cpu = server.cpu_time().saturating_sub(before);
    server.stop();
    println!();
    println!("card authorisations on {}:", server.backend);
    report(
        &format!(
            "POST /_provisio/cards/{{id}}/authorize, {} merchants, approved and debited",
            args.concurrency
        ),
        &stats,
    );
    println!("  ledger check after the run: {ledger}");
    if server.backend == "SQLite" {
        check(
            "at least 1,000 card authorisations/s on SQLite",
            stats.rate() >= 1000.0,
            format!("{:.0}/s", stats.rate()),
        );
    }
    check(
        "the ledger check holds after the run",
        ledger["holds"] == serde_json::Value::Bool(true) && stats.errors == 0,
        format!(
            "holds: {}, refused or failed requests: {}",
            ledger["holds"], stats.errors
        ),
    );
    Ok(())
}

async fn deliveries(args: &Args, binary: &std::path::Path) -> anyhow::Result<()> {
    // Delay at a load the system sustains (one partner request at a time); throughput with
    // as many requests as the other scenarios use, which saturates the machine.
    let quiet = delivery_phase(args, binary, 1).await?;
    let busy = delivery_phase(args, binary, args.concurrency).await?;
    let stats = |delays: &[Duration]| Stats {
        latencies: delays.to_vec(),
        ..Stats::default()
    };
    let (quiet_delays, busy_delays) = (stats(&quiet.1.delays), stats(&busy.1.delays));
    println!();
    println!("webhooks ({} process(es)):", args.processes);
    for (label, (provisions, hooks), delays) in [
        ("one request at a time", &quiet, &quiet_delays),
        ("saturated", &busy, &busy_delays),
    ] {
        println!(
            "  {label}: {:.0} deliveries/s while {:.0} provisions/s reach onboarding; change → delivery p50 {:.1} ms, p99 {:.1} ms ({} deliveries)",
            hooks.rate,
            provisions.rate,
            ms(delays.percentile(50.0)),
            ms(delays.percentile(99.0)),
            hooks.delays.len()
        );
    }
    check(
        "at least 1,000 deliveries/s",
        busy.1.rate >= 1000.0,
        format!("{:.0}/s", busy.1.rate),
    );
    check(
        "median change → delivery under 25 ms while provisions flow",
        quiet_delays.percentile(50.0) < Duration::from_millis(25),
        format!("{:.1} ms", ms(quiet_delays.percentile(50.0))),
    );
    Ok(())
}

async fn delivery_phase(
    args: &Args,
    binary: &std::path::Path,
    concurrency: usize,
) -> anyhow::Result<(provisions::ProvisionStats, webhooks::WebhookStats)> {
    if let Some(url) = &args.database_url {
        reset_database(url).await?;
    }
    let mut servers = server::start(binary, args.database_url.clone(), args.processes).await?;
    let urls: Vec<String> = servers.iter().map(|s| s.url.clone()).collect();
    let key = Arc::new(SigningKey::generate()?);
    let api_key = servers[0].api_key.clone();
    let result = webhooks::run(
        &urls,
        &api_key,
        server::ADMIN_TOKEN,
        key,
        concurrency,
        args.seconds,
    )
    .await;
    for server in &mut servers {
        server.stop();
    }
    result
}

/// PostgreSQL phases start from an empty database: drop what an earlier phase left.
async fn reset_database(url: &str) -> anyhow::Result<()> {
    let status = std::process::Command::new("psql")
        .arg(url)
        .args(["-qc", "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"])
        .status()?;
    anyhow::ensure!(status.success(), "could not reset {url}");
    Ok(())
}

async fn provisioning(args: &Args, binary: &std::path::Path) -> anyhow::Result<()> {
    let mut servers = server::start(binary, args.database_url.clone(), args.processes).await?;
    let urls: Vec<String> = servers.iter().map(|s| s.url.clone()).collect();
    let key = Arc::new(SigningKey::generate()?);
    let api_key = servers[0].api_key.clone();
    // Latency with one partner request at a time; throughput with many.
    let quiet = provisions::run(
        &urls,
        &api_key,
        server::ADMIN_TOKEN,
        key.clone(),
        1,
        args.seconds,
    )
    .await?;
    let busy = provisions::run(
        &urls,
        &api_key,
        server::ADMIN_TOKEN,
        key,
        args.concurrency,
        args.seconds,
    )
    .await?;
    for server in &mut servers {
        server.stop();
    }
    let view = |latencies: &[Duration]| Stats {
        latencies: latencies.to_vec(),
        ..Stats::default()
    };
    let (quiet_view, busy_view) = (view(&quiet.latencies), view(&busy.latencies));
    println!();
    println!(
        "provisions, {} process(es) on {}:",
        servers.len(),
        servers[0].backend
    );
    println!(
        "  one request at a time: POST → onboarding p50 {:.1} ms, p99 {:.1} ms ({} provisions)",
        ms(quiet_view.percentile(50.0)),
        ms(quiet_view.percentile(99.0)),
        quiet.latencies.len()
    );
    println!(
        "  {} concurrent requests: {:.0} provisions/s carried to onboarding; POST → onboarding p50 {:.1} ms, p99 {:.1} ms ({} provisions)",
        args.concurrency,
        busy.rate,
        ms(busy_view.percentile(50.0)),
        ms(busy_view.percentile(99.0)),
        busy.latencies.len()
    );
    check(
        "median POST → onboarding under 20 ms",
        quiet_view.percentile(50.0) < Duration::from_millis(20),
        format!("{:.1} ms", ms(quiet_view.percentile(50.0))),
    );
    check(
        "at least 500 provisions/s",
        busy.rate >= 500.0,
        format!("{:.0}/s", busy.rate),
    );
    Ok(())
}

async fn context(args: &Args, binary: &std::path::Path) -> anyhow::Result<()> {
    let mut servers = server::start(binary, args.database_url.clone(), 1).await?;
    let mut server = servers.remove(0);
    println!("provisio-bench against {} ({})", server.url, server.backend);
    println!(
        "machine: {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    let idle_rss = server.rss_kib();
    let first = load::first_request(&server.url).await?;

    let one_core = signatures_per_second(1, Duration::from_secs(2));
    let two_cores = signatures_per_second(2, Duration::from_secs(2));

    let key = Arc::new(SigningKey::generate()?);
    let (url, api_key, n, run) = (
        server.url.clone(),
        server.api_key.clone(),
        args.concurrency,
        args.seconds,
    );
    let sessions = measured(
        &server,
        load::session_creation(&url, &api_key, key.clone(), n, run),
    )
    .await
    .context("session creation")?;
    let gets = measured(
        &server,
        load::unchanged_get(&url, &api_key, key.clone(), "/v1/device-server", n, run),
    )
    .await
    .context("unchanged GET")?;
    let light_gets = measured(
        &server,
        load::unchanged_get(&url, &api_key, key, "/v1/installation", n, run),
    )
    .await
    .context("unchanged GET")?;
    server.stop();

    println!();
    println!("RSA-2048 signatures/s in this process: 1 core {one_core:.0}, 2 cores {two_cores:.0}");
    println!(
        "first request after start (POST /installation): {:.2} ms",
        ms(first)
    );
    println!(
        "idle memory of provisio serve: {:.1} MB",
        idle_rss as f64 / 1024.0
    );
    report("POST /v1/session-server", &sessions);
    report(
        "GET /v1/device-server (unchanged body, reads the database)",
        &gets,
    );
    report(
        "GET /v1/installation (unchanged body, session only)",
        &light_gets,
    );
    println!();
    println!("targets:");
    check(
        "unchanged GET >= 10x single-core signing rate",
        light_gets.rate() >= 10.0 * one_core,
        format!(
            "{:.1}x (a GET that also reads the database: {:.1}x)",
            light_gets.rate() / one_core,
            gets.rate() / one_core
        ),
    );
    check(
        "session creation >= 80% of two-core signing rate",
        sessions.rate() >= 0.8 * two_cores,
        format!("{:.0}%", 100.0 * sessions.rate() / two_cores),
    );
    check(
        "first request pays no crypto warm-up (< 20 ms)",
        first < Duration::from_millis(20),
        format!("{:.2} ms", ms(first)),
    );
    check(
        "idle memory < 30 MB",
        idle_rss < 30 * 1024,
        format!("{:.1} MB", idle_rss as f64 / 1024.0),
    );
    Ok(())
}

/// Runs a scenario and charges it the server CPU it used. Setup inside the scenario (opening
/// installations and sessions) is charged too; it is small beside the timed run.
async fn measured(
    server: &server::Served,
    scenario: impl std::future::Future<Output = anyhow::Result<Stats>>,
) -> anyhow::Result<Stats> {
    let before = server.cpu_time();
    let mut stats = scenario.await?;
    stats.server_cpu = server.cpu_time().saturating_sub(before);
    Ok(stats)
}

fn report(name: &str, stats: &Stats) {
    println!(
        "{name}: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, server CPU {:.0} us/request ({} requests, {} errors)",
        stats.rate(),
        ms(stats.percentile(50.0)),
        ms(stats.percentile(99.0)),
        stats.server_cpu_per_request().as_secs_f64() * 1e6,
        stats.latencies.len(),
        stats.errors
    );
}

fn check(what: &str, ok: bool, value: String) {
    println!("  [{}] {what}: {value}", if ok { "met" } else { "MISSED" });
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// How many RSA-2048 PKCS#1 v1.5 signatures `threads` threads make per second.
fn signatures_per_second(threads: usize, run: Duration) -> f64 {
    let Ok(key) = SigningKey::generate() else {
        return 0.0;
    };
    let key = Arc::new(key);
    let start = std::time::Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let key = key.clone();
            std::thread::spawn(move || {
                let mut n = 0u64;
                while start.elapsed() < run {
                    let body = format!("{{\"n\":{n},\"t\":{t}}}");
                    let _ = key.sign(body.as_bytes());
                    n += 1;
                }
                n
            })
        })
        .collect();
    let total: u64 = handles.into_iter().map(|h| h.join().unwrap_or(0)).sum();
    total as f64 / start.elapsed().as_secs_f64()
}
