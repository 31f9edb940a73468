//! The cards scenario: each client is a merchant authorising 0.01 EUR on its own card, as fast
//! as it can, through the operator API (`POST /_provisio/cards/{id}/authorize`). Every
//! authorisation locks the card and its account, checks the card's limit and debits the
//! account conditionally, writing the MASTERCARD Payment, the MasterCardAction and their
//! webhooks' outbox rows before answering. Afterwards the operator API's ledger check must hold.

use std::sync::Arc;

use anyhow::Context as _;
use provisio_client::{
    wire::{
        accounts::{AmountRequest, MonetaryAccountRequest},
        cards::{CardRequest, PinAssignmentRequest},
        Item,
    },
    Api, Client, Request, Signing, SigningKey,
};
use reqwest::Method;

use crate::{
    load::{closed_loop, Stats},
    repeated::Repeated,
};

const FUNDS: &str = "10000.00";

fn eur(value: &str) -> Option<AmountRequest> {
    Some(AmountRequest {
        value: Some(value.into()),
        currency: Some("EUR".into()),
    })
}

/// Opens and funds one account and one card per client, then runs the authorisations for
/// `run`. Returns the stats and the ledger check as the server reports it.
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
    let me = client.context().await?.user_id;
    let http = reqwest::Client::new();
    let operator = Api::with_http_client(url, key.clone(), http.clone());
    // An operator calls with the admin token alone, as curl would: the operator API checks no
    // request signature and signs no answer.
    let admin = |request: Request| {
        request
            .header("authorization", &format!("Bearer {admin_token}"))
            .signing(Signing::Unsigned)
    };
    let mut cards = Vec::new();
    for n in 0..workers {
        let body = MonetaryAccountRequest {
            currency: Some("EUR".into()),
            description: Some(format!("Card bench {n}")),
            ..MonetaryAccountRequest::default()
        };
        let answer = client
            .post(&format!("/v1/user/{me}/monetary-account-bank"), &body)
            .await?;
        let Some(Item::Id(account)) = answer.response.first() else {
            anyhow::bail!("no account id");
        };
        let credit = Request::new(
            Method::POST,
            format!("/_provisio/monetary-accounts/{}/credit", account.id),
        )
        .json(&serde_json::json!({"amount": FUNDS}));
        let reply = operator.send(admin(credit)).await?;
        anyhow::ensure!(reply.status == 200, "credit failed: {}", reply.status);
        let order = CardRequest {
            second_line: Some(format!("Bench {n}")),
            kind: Some("MASTERCARD".into()),
            product_type: Some("MASTERCARD_DEBIT".into()),
            order_status: Some("VIRTUAL_DELIVERY".into()),
            pin_code_assignment: vec![PinAssignmentRequest {
                monetary_account_id: Some(account.id),
                ..PinAssignmentRequest::default()
            }],
            ..CardRequest::default()
        };
        let answer = client
            .post(&format!("/v1/user/{me}/card-debit"), &order)
            .await?;
        let Some(Item::CardDebit(card)) = answer.response.first() else {
            anyhow::bail!("no card");
        };
        let limit = CardRequest {
            card_limit: eur("10000.00"),
            ..CardRequest::default()
        };
        client
            .put(&format!("/v1/user/{me}/card/{}", card.id), &limit)
            .await?;
        cards.push(card.id);
    }
    let mut loops = Vec::new();
    for card in cards {
        let api = Api::with_http_client(url, key.clone(), http.clone());
        let request = admin(
            Request::new(Method::POST, format!("/_provisio/cards/{card}/authorize"))
                .json(&serde_json::json!({"amount": "0.01", "merchant": "Bench BV"})),
        );
        loops.push(Repeated::connect(&api, request).await?);
    }
    let stats = closed_loop(loops, run).await;
    let check = operator
        .send(admin(Request::new(Method::GET, "/_provisio/ledger")))
        .await?;
    let json: serde_json::Value = serde_json::from_slice(&check.body).context("ledger check")?;
    Ok((stats, json["Response"][0]["LedgerCheck"].clone()))
}
