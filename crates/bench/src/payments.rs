//! The payments scenario: each client pays 0.01 EUR from its own account to the next client's,
//! in a ring, as fast as it can. Every request is a signed `POST …/payment` that the server
//! verifies and settles on both sides (two balances, two Payments, their webhooks' outbox
//! rows) before answering. Afterwards the operator API's ledger check must hold.

use std::sync::Arc;

use anyhow::Context as _;
use provisio_client::{
    wire::{
        accounts::{AmountRequest, MonetaryAccountRequest},
        payments::{PaymentRequest, PointerRequest},
        Item,
    },
    Api, Client, Request, Signing, SigningKey,
};
use reqwest::Method;

use crate::{
    load::{closed_loop, Stats},
    repeated::Repeated,
};

/// Enough for any run: 10,000.00 EUR each, at most the daily limit paid out per account.
const FUNDS: &str = "10000.00";

/// Opens `workers` accounts of the partner, funds them through the operator API, and runs the
/// ring of payments for `run`. Returns the stats and the ledger check as the server reports it.
pub async fn run(
    url: &str,
    api_key: &str,
    admin_token: &str,
    key: Arc<SigningKey>,
    workers: usize,
    run: std::time::Duration,
) -> anyhow::Result<(Stats, serde_json::Value)> {
    let client = Client::builder(url, api_key)
        .signing_key(key.clone())
        .connect()
        .await?;
    let context = client.context().await?;
    let me = context.user_id;
    let http = reqwest::Client::new();
    let operator = Api::with_http_client(url, key.clone(), http.clone());
    let mut accounts = Vec::new();
    for n in 0..workers {
        let body = MonetaryAccountRequest {
            currency: Some("EUR".into()),
            description: Some(format!("Bench {n}")),
            daily_limit: Some(AmountRequest {
                value: Some("10000.00".into()),
                currency: Some("EUR".into()),
            }),
            ..MonetaryAccountRequest::default()
        };
        let answer = client
            .post(&format!("/v1/user/{me}/monetary-account-bank"), &body)
            .await?;
        let Some(Item::Id(id)) = answer.response.first() else {
            anyhow::bail!("no account id");
        };
        let credit = Request::new(
            Method::POST,
            format!("/_provisio/monetary-accounts/{}/credit", id.id),
        )
        .json(&serde_json::json!({"amount": FUNDS}))
        .header("authorization", &format!("Bearer {admin_token}"));
        let reply = operator.send(credit).await?;
        anyhow::ensure!(reply.status == 200, "credit failed: {}", reply.status);
        let account = client
            .get(&format!("/v1/user/{me}/monetary-account-bank/{}", id.id))
            .await?;
        let Some(Item::MonetaryAccountBank(account)) = account.response.first() else {
            anyhow::bail!("no account");
        };
        accounts.push((account.id, account.alias[0].value.clone()));
    }
    let mut loops = Vec::new();
    for (n, (from, _)) in accounts.iter().enumerate() {
        let to = &accounts[(n + 1) % accounts.len()].1;
        let body = serde_json::to_vec(&PaymentRequest {
            amount: Some(AmountRequest {
                value: Some("0.01".into()),
                currency: Some("EUR".into()),
            }),
            counterparty_alias: Some(PointerRequest {
                kind: Some("IBAN".into()),
                value: Some(to.clone()),
                name: Some("Bench".into()),
            }),
            description: Some("bench".into()),
            merchant_reference: None,
        })?;
        // The body never changes: the client signs it once (PKCS#1 v1.5 is deterministic) and
        // spends no RSA time of its own; the server verifies every request.
        let signature = key.sign(&body)?;
        let api = Api::with_http_client(url, key.clone(), http.clone());
        let request = Request::new(
            Method::POST,
            format!("/v1/user/{me}/monetary-account/{from}/payment"),
        )
        .token(&context.session_token)
        .body(body)
        .signing(Signing::Header(signature));
        loops.push(Repeated::connect(&api, request).await?);
    }
    let stats = closed_loop(loops, run).await;
    let check = operator
        .send(
            Request::new(Method::GET, "/_provisio/ledger")
                .header("authorization", &format!("Bearer {admin_token}")),
        )
        .await?;
    let json: serde_json::Value = serde_json::from_slice(&check.body).context("ledger check")?;
    Ok((stats, json["Response"][0]["LedgerCheck"].clone()))
}
