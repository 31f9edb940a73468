//! `provisio-bench`: starts a real `provisio serve`, drives it over loopback and reports
//! throughput and latency against the targets in docs/benchmarks.md.
//!
//! Build and run: `cargo build --release -p provisio -p provisio-bench &&
//! target/release/provisio-bench`. Everything runs on this machine; the load generator shares
//! the cores with the server, as a partner's CI would.

mod cards;
mod figures;
mod load;
mod payments;
mod provisions;
mod repeated;
mod resident;
mod runs;
mod server;
mod soak;
mod webhooks;

use std::{path::PathBuf, sync::Arc, time::Duration};

use clap::Parser;
use provisio_client::SigningKey;

use figures::Figures;
use load::Stats;
use runs::Run;

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
    /// Servers sharing the database in the provisions and webhooks scenarios; a list
    /// (`1,2,4`) runs each and prints every figure beside one process's (more than one needs
    /// --database-url with PostgreSQL).
    #[arg(long, default_value = "1", value_delimiter = ',')]
    processes: Vec<usize>,
    /// Rounds of the soak scenario (each runs every load for --seconds).
    #[arg(long, default_value_t = 10)]
    rounds: usize,
    /// Compares this run's figures with a baseline written by --write-baseline and names every
    /// one more than 20% worse (relative to each run's signing rate); exits 1 if any is.
    #[arg(long, value_name = "BASELINE")]
    check: Option<PathBuf>,
    /// Writes this run's figures as a baseline for --check over FILE, keeping the figures of
    /// FILE that this run did not take (docs/benchmarks.md names the committed one).
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Prints this run's figures as a Markdown table at the end, for docs/benchmarks.md.
    #[arg(long)]
    markdown: bool,
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
    // The machine's limit, measured before any server runs: every figure is printed beside it
    // and compared relative to it.
    // The best of three short samples: a sample that another process interrupted understates
    // the machine, and every figure is compared relative to this one.
    let best = |threads| {
        (0..3)
            .map(|_| signatures_per_second(threads, Duration::from_secs(1)))
            .fold(0.0, f64::max)
    };
    let (one_core, two_cores) = (best(1), best(2));
    println!("RSA-2048 signatures/s in this process: 1 core {one_core:.0}, 2 cores {two_cores:.0}");
    let mut run = Run {
        args: &args,
        binary: &binary,
        one_core,
        two_cores,
        figures: Figures::new(one_core),
    };
    let scenario = args.scenario;
    if matches!(scenario, Scenario::All | Scenario::Context) {
        run.context().await?;
    }
    for &processes in &args.processes {
        if matches!(scenario, Scenario::All | Scenario::Provisions) {
            run.provisioning(processes).await?;
        }
        if matches!(scenario, Scenario::All | Scenario::Webhooks) {
            run.deliveries(processes).await?;
        }
    }
    if matches!(scenario, Scenario::All | Scenario::Payments) {
        run.payments().await?;
    }
    if matches!(scenario, Scenario::All | Scenario::Cards) {
        run.cards().await?;
    }
    if scenario == Scenario::Soak {
        run.soak().await?;
    }
    let figures = run.figures;
    if args.markdown {
        println!();
        print!("{}", figures.markdown());
    }
    if let Some(path) = &args.write_baseline {
        let written = figures.clone().write_over(path)?;
        println!(
            "baseline written to {} ({} figures, this run's and any it did not take)",
            path.display(),
            written.figures.len()
        );
    }
    if let Some(path) = &args.check {
        let baseline = Figures::read(path)?;
        let comparison = figures.compare(&baseline);
        comparison.print(&baseline, &figures);
        let fell: Vec<&str> = comparison.fell().map(|r| r.name.as_str()).collect();
        if !fell.is_empty() {
            println!(
                "{} figure(s) fell more than 20%: {}",
                fell.len(),
                fell.join("; ")
            );
            std::process::exit(1);
        }
    }
    Ok(())
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
