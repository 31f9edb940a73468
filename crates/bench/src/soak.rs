//! Memory under a long mixed load: rounds of session creation, GETs that read the database,
//! signed payments and card authorisations against one server, with its resident memory read
//! after each round. A server that keeps something per request (a cache without a bound, a
//! log, metric labels) grows round after round; one whose memory is bounded levels off once
//! its caches are full.

use std::{sync::Arc, time::Duration};

use anyhow::Context as _;
use provisio_client::SigningKey;

use crate::{cards, load, payments, resident::mb, server};

/// One reading: the requests made so far and the server's resident memory after them.
pub struct Sample {
    pub requests: u64,
    pub rss_kib: u64,
}

/// Runs `rounds` rounds, each of every kind of load for `each`, with `clients` at once.
pub async fn run(
    server: &server::Served,
    clients: usize,
    each: Duration,
    rounds: usize,
) -> anyhow::Result<Vec<Sample>> {
    let (url, api_key) = (server.url.as_str(), server.api_key.as_str());
    let mut samples = vec![Sample {
        requests: 0,
        rss_kib: server.rss_kib(),
    }];
    let mut requests = 0;
    for round in 1..=rounds {
        // A new key each round: new installations, devices and sessions, as new clients bring.
        let key = Arc::new(SigningKey::generate()?);
        let sessions = load::session_creation(url, api_key, key.clone(), clients, each)
            .await
            .context("session creation")?;
        let gets = load::unchanged_get(
            url,
            api_key,
            key.clone(),
            "/v1/device-server",
            clients,
            each,
        )
        .await
        .context("GET")?;
        let (paid, _) = payments::run(
            url,
            api_key,
            server::ADMIN_TOKEN,
            key.clone(),
            clients,
            each,
        )
        .await
        .context("payments")?;
        let (authorised, _) = cards::run(url, api_key, server::ADMIN_TOKEN, key, clients, each)
            .await
            .context("cards")?;
        requests += [sessions, gets, paid, authorised]
            .iter()
            .map(|s| s.latencies.len() as u64 + s.errors)
            .sum::<u64>();
        let rss_kib = server.rss_kib();
        println!(
            "  round {round}/{rounds}: {requests} requests so far, resident memory {:.1} MB",
            mb(rss_kib)
        );
        samples.push(Sample { requests, rss_kib });
    }
    Ok(samples)
}

/// The growth of the second half of the rounds over its start, in KiB (0 when shrinking).
pub fn late_growth_kib(samples: &[Sample]) -> (u64, u64) {
    let half = samples.len() / 2;
    let start = samples.get(half).map_or(0, |s| s.rss_kib);
    let end = samples.last().map_or(0, |s| s.rss_kib);
    (start, end.saturating_sub(start))
}
