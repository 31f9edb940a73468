//! One request, one reply: the transport under [`crate::Client`].

use std::sync::Arc;

use base64::{engine::general_purpose::STANDARD as BASE64, Engine as _};
use bytes::Bytes;
use provisio_core::{
    crypto::{SigningKey, VerifyingKey},
    encryption,
};
use provisio_wire::{headers, ErrorEnvelope, ResponseEnvelope};
use reqwest::{header::HeaderMap, Method};

use crate::ClientError;

/// How to sign a request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signing {
    /// Sign a non-empty body with the client's key (what bunq's clients do).
    Auto,
    /// Send no signature.
    Unsigned,
    /// Send this header value as it is.
    Header(String),
}

#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    /// Path below the base URL, starting with `/v1/`.
    pub path: String,
    pub body: Option<Vec<u8>>,
    /// Installation or session token for `X-Bunq-Client-Authentication`.
    pub token: Option<String>,
    pub signing: Signing,
    pub content_type: Option<String>,
    pub headers: Vec<(String, String)>,
    /// Send the body (an empty one when there is none) encrypted for this server key, as
    /// bunq's application-layer encryption does (spec A.11).
    pub encrypt_for: Option<Arc<VerifyingKey>>,
}

impl Request {
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Request {
            method,
            path: path.into(),
            body: None,
            token: None,
            signing: Signing::Auto,
            content_type: Some("application/json".into()),
            headers: Vec::new(),
            encrypt_for: None,
        }
    }

    pub fn json(mut self, body: &impl serde::Serialize) -> Self {
        self.body = Some(serde_json::to_vec(body).unwrap_or_default());
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some(body.into());
        self
    }

    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    pub fn signing(mut self, signing: Signing) -> Self {
        self.signing = signing;
        self
    }

    pub fn content_type(mut self, content_type: Option<&str>) -> Self {
        self.content_type = content_type.map(str::to_owned);
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Encrypts the body for `server_key` (the installation's server public key) and signs
    /// the ciphertext; an encrypted answer is decrypted with the client's key.
    pub fn encrypted(mut self, server_key: Arc<VerifyingKey>) -> Self {
        self.encrypt_for = Some(server_key);
        self
    }
}

/// A reply as received.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The path the request went to (below the base URL, query included).
    pub path: String,
    pub status: u16,
    pub headers: HeaderMap,
    /// The body; decrypted when the answer came encrypted.
    pub body: Bytes,
    /// The body as received when the answer came encrypted (`X-Bunq-Server-Encryption-*`):
    /// what the server signed.
    pub ciphertext: Option<Bytes>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Checks `X-Bunq-Server-Signature` over the exact body bytes received (the ciphertext
    /// of an encrypted answer).
    pub fn verify(&self, server_key: &VerifyingKey) -> Result<(), ClientError> {
        let signature = self
            .header(headers::SERVER_SIGNATURE)
            .ok_or(ClientError::MissingSignature)?;
        server_key
            .verify(self.ciphertext.as_ref().unwrap_or(&self.body), signature)
            .map_err(|_| ClientError::BadSignature)
    }

    /// The success envelope, or the API error this reply carries.
    pub fn envelope(&self) -> Result<ResponseEnvelope, ClientError> {
        if !(200..300).contains(&self.status) {
            return Err(self.api_error());
        }
        serde_json::from_slice(&self.body).map_err(|e| {
            ClientError::Unexpected(format!(
                "{e}: {}",
                String::from_utf8_lossy(&self.body[..self.body.len().min(300)])
            ))
        })
    }

    pub fn error_envelope(&self) -> Option<ErrorEnvelope> {
        serde_json::from_slice(&self.body).ok()
    }

    fn api_error(&self) -> ClientError {
        let envelope = self.error_envelope();
        let description = envelope
            .as_ref()
            .and_then(|e| e.description().map(str::to_owned))
            .unwrap_or_else(|| String::from_utf8_lossy(&self.body).into_owned());
        ClientError::Api {
            status: self.status,
            description,
            envelope,
        }
    }
}

/// The transport: a base URL, an HTTP client and the key that signs request bodies.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    base_url: String,
    key: Arc<SigningKey>,
}

impl Api {
    pub fn new(base_url: &str, key: Arc<SigningKey>) -> Self {
        Api::with_http_client(base_url, key, reqwest::Client::new())
    }

    /// With a configured HTTP client (a source address, timeouts, a proxy).
    pub fn with_http_client(base_url: &str, key: Arc<SigningKey>, http: reqwest::Client) -> Self {
        Api {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            key,
        }
    }

    pub fn key(&self) -> &SigningKey {
        &self.key
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Sends the request with the headers bunq's own client sends.
    pub async fn send(&self, request: Request) -> Result<Reply, ClientError> {
        let path = request.path.clone();
        let response = self.http.execute(self.build(request)?).await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await?;
        self.open_reply(&path, status, headers, body)
    }

    /// The request as `send` puts it on the wire (signed, encrypted where asked), not sent:
    /// for a load generator that sends the same request again and again.
    pub fn build(&self, request: Request) -> Result<reqwest::Request, ClientError> {
        let url = format!("{}{}", self.base_url, request.path);
        let mut builder = self.http.request(request.method.clone(), url);
        let request_id = uuid::Uuid::new_v4().to_string();
        let defaults = [
            ("cache-control", "no-cache"),
            ("user-agent", "provisio-client/0.1"),
            (headers::LANGUAGE, "en_US"),
            (headers::REGION, "nl_NL"),
            (headers::GEOLOCATION, "0 0 0 0 NL"),
            (headers::CLIENT_REQUEST_ID, request_id.as_str()),
        ];
        // What bunq's own client sends, unless the caller sets the header itself.
        for (name, value) in defaults {
            if !request
                .headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(name))
            {
                builder = builder.header(name, value);
            }
        }
        if let Some(content_type) = &request.content_type {
            builder = builder.header("content-type", content_type);
        }
        if let Some(token) = &request.token {
            builder = builder.header(headers::CLIENT_AUTHENTICATION, token);
        }
        let body = match &request.encrypt_for {
            Some(server_key) => {
                let sealed = encryption::seal(server_key, request.body.as_deref().unwrap_or(&[]))?;
                let encoded = [
                    (
                        headers::CLIENT_ENCRYPTION_KEY,
                        BASE64.encode(&sealed.wrapped_key),
                    ),
                    (headers::CLIENT_ENCRYPTION_IV, BASE64.encode(sealed.iv)),
                    (headers::CLIENT_ENCRYPTION_HMAC, BASE64.encode(&sealed.hmac)),
                ];
                for (name, value) in encoded {
                    builder = builder.header(name, value);
                }
                Some(sealed.ciphertext)
            }
            None => request.body,
        };
        // The signature covers the body as sent: the ciphertext when encrypted (A.9).
        let signature = match (&request.signing, &body) {
            (Signing::Auto, Some(body)) if !body.is_empty() => Some(self.key.sign(body)?),
            (Signing::Header(value), _) => Some(value.clone()),
            _ => None,
        };
        if let Some(signature) = signature {
            builder = builder.header(headers::CLIENT_SIGNATURE, signature);
        }
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = body {
            builder = builder.body(body);
        }
        Ok(builder.build()?)
    }

    /// Decrypts an answer that carries all three `X-Bunq-Server-Encryption-*` headers, as
    /// bunq's clients do; any other answer is taken as it is.
    fn open_reply(
        &self,
        path: &str,
        status: u16,
        headers: HeaderMap,
        body: Bytes,
    ) -> Result<Reply, ClientError> {
        let sealed: Vec<Vec<u8>> = [
            headers::SERVER_ENCRYPTION_KEY,
            headers::SERVER_ENCRYPTION_IV,
            headers::SERVER_ENCRYPTION_HMAC,
        ]
        .iter()
        .filter_map(|name| headers.get(*name)?.to_str().ok())
        .map(|value| {
            BASE64
                .decode(value.trim())
                .map_err(|_| ClientError::Unexpected("an encryption header is not Base64".into()))
        })
        .collect::<Result<_, _>>()?;
        let [key, iv, hmac] = sealed.as_slice() else {
            return Ok(Reply {
                path: path.to_owned(),
                status,
                headers,
                body,
                ciphertext: None,
            });
        };
        let plaintext = encryption::open(&self.key, key, iv, hmac, &body)?;
        Ok(Reply {
            path: path.to_owned(),
            status,
            headers,
            body: Bytes::from(plaintext),
            ciphertext: Some(body),
        })
    }
}
