//! Calls with bunq's application-layer encryption (spec A.11): the body (an empty one for a
//! GET) goes out encrypted for the server's key, signed over the ciphertext, and the answer
//! comes back decrypted, its signature checked over the ciphertext received.

use reqwest::Method;

use provisio_wire::ResponseEnvelope;

use crate::{
    api::{Reply, Request},
    Client, ClientError,
};

impl Client {
    /// One encrypted call, the reply as received and decrypted (`Reply::ciphertext` is set
    /// when the answer came encrypted; refusals come in plaintext).
    pub async fn send_encrypted(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Reply, ClientError> {
        let server_key = self.context().await?.server_key;
        self.authed(|token| {
            let request = Request::new(method.clone(), path)
                .token(token)
                .encrypted(server_key.clone());
            match &body {
                Some(body) => request.body(body.clone()),
                None => request,
            }
        })
        .await
    }

    pub async fn get_encrypted(&self, path: &str) -> Result<ResponseEnvelope, ClientError> {
        encrypted_envelope(self.send_encrypted(Method::GET, path, None).await?)
    }

    pub async fn post_encrypted(
        &self,
        path: &str,
        body: &impl serde::Serialize,
    ) -> Result<ResponseEnvelope, ClientError> {
        let body = serde_json::to_vec(body).map_err(|e| ClientError::Unexpected(e.to_string()))?;
        encrypted_envelope(self.send_encrypted(Method::POST, path, Some(body)).await?)
    }

    pub async fn put_encrypted(
        &self,
        path: &str,
        body: &impl serde::Serialize,
    ) -> Result<ResponseEnvelope, ClientError> {
        let body = serde_json::to_vec(body).map_err(|e| ClientError::Unexpected(e.to_string()))?;
        encrypted_envelope(self.send_encrypted(Method::PUT, path, Some(body)).await?)
    }
}

/// The success envelope of an encrypted call; a success that came back in plaintext breaks
/// the protocol (the answer is encrypted exactly when the request was).
fn encrypted_envelope(reply: Reply) -> Result<ResponseEnvelope, ClientError> {
    if (200..300).contains(&reply.status) && reply.ciphertext.is_none() {
        return Err(ClientError::Unexpected(
            "the answer to an encrypted request came in plaintext".into(),
        ));
    }
    reply.envelope()
}
