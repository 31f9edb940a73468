//! Calls to a running server's operator API, for the commands that ask the server rather than
//! open the store (`requests`, `oauth`, `webhooks sink`).

use anyhow::Context as _;

/// Sends `request` with the operator's token and answers the body of a successful reply; a
/// refusal becomes an error quoting the server's `error_description`.
pub async fn send(
    request: reqwest::RequestBuilder,
    server: &str,
    admin_token: &str,
) -> anyhow::Result<Vec<u8>> {
    let reply = request
        .bearer_auth(admin_token)
        .send()
        .await
        .with_context(|| format!("cannot reach {server}"))?;
    let status = reply.status();
    let body = reply.bytes().await?;
    if !status.is_success() {
        let told = serde_json::from_slice::<provisio_wire::ErrorEnvelope>(&body)
            .ok()
            .and_then(|e| e.error.into_iter().next())
            .map(|e| e.error_description)
            .unwrap_or_default();
        anyhow::bail!("the server answered {status}: {told}");
    }
    Ok(body.to_vec())
}
