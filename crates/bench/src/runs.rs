//! Each scenario's run: start the servers, drive them, print what was measured beside its
//! target (and the machine's limit measured in the same run), and keep the figures for the
//! regression guard.

use std::{path::Path, sync::Arc, time::Duration};

use anyhow::Context as _;
use provisio_client::SigningKey;

use crate::{
    cards, check,
    figures::{Figures, Kind},
    load::{self, Stats},
    ms, payments, provisions, report,
    resident::mb,
    server, soak, webhooks, Args,
};

/// What every scenario shares: the arguments, the binary, the machine's signing rates and the
/// figures taken so far.
pub struct Run<'a> {
    pub args: &'a Args,
    pub binary: &'a Path,
    /// RSA-2048 signatures/s on one core and on two, measured before any server starts.
    pub one_core: f64,
    pub two_cores: f64,
    pub figures: Figures,
}

impl Run<'_> {
    /// Records a throughput and the server CPU behind it under `name`.
    fn record(&mut self, name: &str, stats: &Stats) {
        self.figures
            .record(&format!("{name}: rate"), Kind::PerSecond, stats.rate());
        self.figures.record(
            &format!("{name}: server CPU"),
            Kind::CpuMicros,
            stats.server_cpu_per_request().as_secs_f64() * 1e6,
        );
    }

    pub async fn context(&mut self) -> anyhow::Result<()> {
        let args = self.args;
        let mut servers = server::start(self.binary, args.database_url.clone(), 1).await?;
        let mut server = servers.remove(0);
        println!("provisio-bench against {} ({})", server.url, server.backend);

        let idle = server.resident();
        let first = load::first_request(&server.url).await?;

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

        let backend = server.backend;
        println!(
            "first request after start (POST /installation): {:.2} ms",
            ms(first)
        );
        let (idle_mb, own_mb) = (mb(idle.total()), mb(idle.own));
        println!(
            "idle memory of provisio serve: {idle_mb:.1} MB resident: {own_mb:.1} MB its own \
             (heap, stacks, relocated data), {:.1} MB of its binary's file (code, read-only \
             data) and {:.1} MB of shared libraries and other files, both mapped from the page \
             cache",
            mb(idle.binary),
            mb(idle.other_files),
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
        self.record(&format!("{backend} POST /v1/session-server"), &sessions);
        self.record(&format!("{backend} GET /v1/device-server"), &gets);
        self.record(&format!("{backend} GET /v1/installation"), &light_gets);
        self.figures
            .record(&format!("{backend} idle memory"), Kind::Megabytes, idle_mb);
        self.figures.record(
            &format!("{backend} idle memory, its own"),
            Kind::Megabytes,
            own_mb,
        );

        let one_core = self.one_core;
        let light_cpu = light_gets.server_cpu_per_request().as_secs_f64() * 1e6;
        println!();
        println!("targets (limit in this run: {one_core:.0} signatures/s on one core):");
        check(
            "unchanged GET >= 12x the one-core signing rate",
            light_gets.rate() >= 12.0 * one_core,
            format!(
                "{:.1}x = {:.0}/s against {:.0}/s (a GET that also reads the database: {:.1}x)",
                light_gets.rate() / one_core,
                light_gets.rate(),
                12.0 * one_core,
                gets.rate() / one_core
            ),
        );
        check(
            "unchanged GET <= 20 us of server CPU",
            light_cpu <= 20.0,
            format!(
                "{light_cpu:.0} us (one signature takes {:.0} us here)",
                1e6 / one_core
            ),
        );
        check(
            "session creation >= 80% of two-core signing rate",
            sessions.rate() >= 0.8 * self.two_cores,
            format!(
                "{:.0}% ({:.0}/s against {:.0} signatures/s)",
                100.0 * sessions.rate() / self.two_cores,
                sessions.rate(),
                self.two_cores
            ),
        );
        check(
            "first request pays no crypto warm-up (< 20 ms)",
            first < Duration::from_millis(20),
            format!("{:.2} ms", ms(first)),
        );
        check(
            "idle memory <= 12 MB",
            idle_mb <= 12.0,
            format!("{idle_mb:.1} MB"),
        );
        Ok(())
    }

    pub async fn provisioning(&mut self, processes: usize) -> anyhow::Result<()> {
        let args = self.args;
        if let Some(url) = &args.database_url {
            reset_database(url).await?;
        }
        let mut servers = server::start(self.binary, args.database_url.clone(), processes).await?;
        let urls: Vec<String> = servers.iter().map(|s| s.url.clone()).collect();
        let key = Arc::new(SigningKey::generate()?);
        let api_key = servers[0].api_key.clone();
        let admin = server::ADMIN_TOKEN;
        // Latency with one partner request at a time; throughput with many.
        let quiet = provisions::run(&urls, &api_key, admin, key.clone(), 1, args.seconds).await?;
        let busy =
            provisions::run(&urls, &api_key, admin, key, args.concurrency, args.seconds).await?;
        for server in &mut servers {
            server.stop();
        }
        let view = |latencies: &[Duration]| Stats {
            latencies: latencies.to_vec(),
            ..Stats::default()
        };
        let (quiet_view, busy_view) = (view(&quiet.latencies), view(&busy.latencies));
        let backend = servers[0].backend;
        println!();
        println!("provisions, {processes} process(es) on {backend}:");
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
        self.figures.record(
            &format!("{backend} provisions to onboarding, {processes} process(es)"),
            Kind::PerSecond,
            busy.rate,
        );
        check(
            "median POST → onboarding under 20 ms",
            quiet_view.percentile(50.0) < Duration::from_millis(20),
            format!("{:.1} ms", ms(quiet_view.percentile(50.0))),
        );
        let target = if backend == "SQLite" { 1500.0 } else { 1000.0 };
        check(
            &format!("at least {target:.0} provisions/s on {backend}"),
            busy.rate >= target,
            format!(
                "{:.0}/s (signing: {:.0}/s on two cores in this run)",
                busy.rate, self.two_cores
            ),
        );
        Ok(())
    }

    pub async fn deliveries(&mut self, processes: usize) -> anyhow::Result<()> {
        // Delay at a load the system sustains (one partner request at a time); throughput
        // with as many requests as the other scenarios use, which saturates the machine.
        let quiet = self.delivery_phase(processes, 1).await?;
        let busy = self
            .delivery_phase(processes, self.args.concurrency)
            .await?;
        let stats = |delays: &[Duration]| Stats {
            latencies: delays.to_vec(),
            ..Stats::default()
        };
        let (quiet_delays, busy_delays) = (stats(&quiet.1.delays), stats(&busy.1.delays));
        let backend = if self.args.database_url.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        };
        println!();
        println!("webhooks ({processes} process(es) on {backend}):");
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
        self.figures.record(
            &format!("{backend} webhook deliveries, {processes} process(es)"),
            Kind::PerSecond,
            busy.1.rate,
        );
        check(
            "at least 1,000 deliveries/s",
            busy.1.rate >= 1000.0,
            format!(
                "{:.0}/s (each needs its own signature: {:.0}/s on two cores in this run)",
                busy.1.rate, self.two_cores
            ),
        );
        check(
            "median change → delivery under 25 ms while provisions flow",
            quiet_delays.percentile(50.0) < Duration::from_millis(25),
            format!("{:.1} ms", ms(quiet_delays.percentile(50.0))),
        );
        Ok(())
    }

    async fn delivery_phase(
        &self,
        processes: usize,
        concurrency: usize,
    ) -> anyhow::Result<(provisions::ProvisionStats, webhooks::WebhookStats)> {
        let args = self.args;
        if let Some(url) = &args.database_url {
            reset_database(url).await?;
        }
        let mut servers = server::start(self.binary, args.database_url.clone(), processes).await?;
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

    /// Runs a load that ends with the ledger check on one fresh server, charging it the
    /// server CPU it used: answers its figures, the ledger check and the backend.
    async fn on_one_server<F, Fut>(
        &self,
        load: F,
    ) -> anyhow::Result<(Stats, serde_json::Value, &'static str)>
    where
        F: FnOnce(String, String, Arc<SigningKey>) -> Fut,
        Fut: std::future::Future<Output = anyhow::Result<(Stats, serde_json::Value)>>,
    {
        if let Some(url) = &self.args.database_url {
            reset_database(url).await?;
        }
        let mut servers = server::start(self.binary, self.args.database_url.clone(), 1).await?;
        let mut server = servers.remove(0);
        let key = Arc::new(SigningKey::generate()?);
        let before = server.cpu_time();
        let (mut stats, ledger) = load(server.url.clone(), server.api_key.clone(), key).await?;
        stats.server_cpu = server.cpu_time().saturating_sub(before);
        server.stop();
        Ok((stats, ledger, server.backend))
    }

    pub async fn payments(&mut self) -> anyhow::Result<()> {
        let args = self.args;
        let (stats, ledger, backend) = self
            .on_one_server(|url, api_key, key| async move {
                payments::run(
                    &url,
                    &api_key,
                    server::ADMIN_TOKEN,
                    key,
                    args.concurrency,
                    args.seconds,
                )
                .await
                .context("payments")
            })
            .await?;
        println!();
        println!("payments on {backend}:");
        report(
            &format!(
                "POST /v1/user/{{userId}}/monetary-account/{{id}}/payment, {} clients, settled",
                args.concurrency
            ),
            &stats,
        );
        println!("  ledger check after the run: {ledger}");
        self.record(&format!("{backend} payments"), &stats);
        // A payment costs two signatures on this machine: the client's request and the
        // server's answer, both on the same two cores. What is left of its server CPU after
        // the server's one signature is the store's (and HTTP's) work.
        let signature_us = 1e6 / self.one_core;
        let cpu_us = stats.server_cpu_per_request().as_secs_f64() * 1e6;
        let store_us = (cpu_us - signature_us).max(0.0);
        let signatures_allow = self.two_cores / 2.0;
        if backend == "SQLite" {
            check(
                "a payment's work besides its signature <= 300 us of server CPU on SQLite",
                store_us <= 300.0,
                format!(
                    "{store_us:.0} us ({cpu_us:.0} us in all, a signature {signature_us:.0} us)"
                ),
            );
            check(
                "settled payments >= 70% of what the signatures alone allow",
                stats.rate() >= 0.7 * signatures_allow,
                format!(
                    "{:.0}% ({:.0}/s against {signatures_allow:.0}/s: two signatures each on {:.0}/s)",
                    100.0 * stats.rate() / signatures_allow,
                    stats.rate(),
                    self.two_cores
                ),
            );
        } else {
            check(
                "at least 1,000 settled payments/s on PostgreSQL",
                stats.rate() >= 1000.0,
                format!(
                    "{:.0}/s (the signatures alone allow {signatures_allow:.0}/s)",
                    stats.rate()
                ),
            );
        }
        ledger_holds(&ledger, &stats);
        Ok(())
    }

    pub async fn cards(&mut self) -> anyhow::Result<()> {
        let args = self.args;
        let (stats, ledger, backend) = self
            .on_one_server(|url, api_key, key| async move {
                cards::run(
                    &url,
                    &api_key,
                    server::ADMIN_TOKEN,
                    key,
                    args.concurrency,
                    args.seconds,
                )
                .await
                .context("cards")
            })
            .await?;
        println!();
        println!("card authorizations on {backend}:");
        report(
            &format!(
                "POST /_provisio/cards/{{id}}/authorize, {} merchants, approved and debited",
                args.concurrency
            ),
            &stats,
        );
        println!("  ledger check after the run: {ledger}");
        self.record(&format!("{backend} card authorizations"), &stats);
        if backend == "SQLite" {
            check(
                "at least 1,000 card authorizations/s on SQLite",
                stats.rate() >= 1000.0,
                format!(
                    "{:.0}/s (signing: {:.0}/s on two cores in this run)",
                    stats.rate(),
                    self.two_cores
                ),
            );
        }
        ledger_holds(&ledger, &stats);
        Ok(())
    }

    pub async fn soak(&mut self) -> anyhow::Result<()> {
        let args = self.args;
        if let Some(url) = &args.database_url {
            reset_database(url).await?;
        }
        let mut servers = server::start(self.binary, args.database_url.clone(), 1).await?;
        let mut server = servers.remove(0);
        println!(
            "soak on {}: {} rounds of sessions, GETs, payments and card authorizations, {:.0} s each",
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
                mb(start),
                mb(growth)
            ),
        );
        Ok(())
    }
}

fn ledger_holds(ledger: &serde_json::Value, stats: &Stats) {
    check(
        "the ledger check holds after the run",
        ledger["holds"] == serde_json::Value::Bool(true) && stats.errors == 0,
        format!(
            "holds: {}, refused or failed requests: {}",
            ledger["holds"], stats.errors
        ),
    );
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
