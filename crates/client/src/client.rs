//! The stateful client: an API context (installation, device, session) and calls through it.

use std::sync::Arc;

use provisio_core::crypto::{SigningKey, VerifyingKey};
use provisio_wire::{
    headers,
    requests::{
        CallbackUrlRequest, DeviceServerRequest, InstallationRequest, SessionServerRequest,
    },
    Item, ResponseEnvelope,
};
use reqwest::Method;
use tokio::sync::Mutex;

use crate::{
    api::{Reply, Request},
    Api, ClientError,
};

/// An open API context.
#[derive(Debug, Clone)]
pub struct Context {
    pub installation_id: i64,
    pub installation_token: String,
    pub server_key: Arc<VerifyingKey>,
    pub device_id: i64,
    pub session_id: i64,
    pub session_token: String,
    /// The id of the session's user object: the partner's `UserCompany`, or the `UserApiKey`
    /// of a session opened with a provision credential.
    pub user_id: i64,
    /// The whole `POST /session-server` answer.
    pub session: ResponseEnvelope,
}

pub struct ClientBuilder {
    base_url: String,
    secret: String,
    key: Option<Arc<SigningKey>>,
    description: String,
    permitted_ips: Option<Vec<String>>,
}

impl ClientBuilder {
    /// Use this key instead of generating one (RSA-2048 generation takes ~100 ms).
    pub fn signing_key(mut self, key: Arc<SigningKey>) -> Self {
        self.key = Some(key);
        self
    }

    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// `permitted_ips` for the device; bunq's own client sends `["*"]`, the default here too.
    pub fn permitted_ips(mut self, ips: Option<Vec<String>>) -> Self {
        self.permitted_ips = ips;
        self
    }

    /// A client that has not talked to the server yet.
    pub fn build(self) -> Result<Client, ClientError> {
        let key = match self.key {
            Some(key) => key,
            None => Arc::new(SigningKey::generate()?),
        };
        Ok(Client {
            api: Api::new(&self.base_url, key),
            secret: self.secret,
            description: self.description,
            permitted_ips: self.permitted_ips,
            context: Mutex::new(None),
        })
    }

    /// Builds the client and opens its API context.
    pub async fn connect(self) -> Result<Client, ClientError> {
        let client = self.build()?;
        client.handshake().await?;
        Ok(client)
    }
}

pub struct Client {
    api: Api,
    secret: String,
    description: String,
    permitted_ips: Option<Vec<String>>,
    context: Mutex<Option<Context>>,
}

/// What `POST /installation` hands back.
#[derive(Debug, Clone)]
pub struct Installed {
    pub id: i64,
    pub token: String,
    pub server_key: Arc<VerifyingKey>,
}

impl Client {
    /// `secret` is a partner API key or a provisioned user's credential token.
    pub fn builder(base_url: &str, secret: &str) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.to_owned(),
            secret: secret.to_owned(),
            key: None,
            description: "provisio-client".into(),
            permitted_ips: Some(vec!["*".into()]),
        }
    }

    pub async fn connect(base_url: &str, secret: &str) -> Result<Client, ClientError> {
        Client::builder(base_url, secret).connect().await
    }

    pub fn api(&self) -> &Api {
        &self.api
    }

    /// The open context, opening one first if there is none.
    pub async fn context(&self) -> Result<Context, ClientError> {
        if let Some(context) = self.context.lock().await.clone() {
            return Ok(context);
        }
        self.handshake().await
    }

    /// Installation, device and session, from scratch.
    pub async fn handshake(&self) -> Result<Context, ClientError> {
        let installed = self.create_installation().await?;
        let device_id = self.create_device(&installed).await?;
        self.open_session(installed, device_id).await
    }

    /// Opens a new session on the current installation and device.
    pub async fn renew_session(&self) -> Result<Context, ClientError> {
        let Some(old) = self.context.lock().await.clone() else {
            return self.handshake().await;
        };
        let installed = Installed {
            id: old.installation_id,
            token: old.installation_token,
            server_key: old.server_key,
        };
        self.open_session(installed, old.device_id).await
    }

    pub async fn create_installation(&self) -> Result<Installed, ClientError> {
        let body = InstallationRequest {
            client_public_key: self.api.key().public_key_pem()?,
        };
        let reply = self
            .api
            .send(Request::new(Method::POST, "/v1/installation").json(&body))
            .await?;
        let envelope = reply.envelope()?;
        let mut id = None;
        let mut token = None;
        let mut server_key = None;
        for item in envelope.response {
            match item {
                Item::Id(i) => id = Some(i.id),
                Item::Token(t) => token = Some(t.token),
                Item::ServerPublicKey(k) => server_key = Some(k.server_public_key),
                _ => {}
            }
        }
        let (Some(id), Some(token), Some(server_key)) = (id, token, server_key) else {
            return Err(ClientError::Unexpected(
                "installation answer lacks Id, Token or ServerPublicKey".into(),
            ));
        };
        let server_key = Arc::new(VerifyingKey::from_pem(&server_key)?);
        // The answer is signed by the key it carries: check it is self-consistent.
        reply.verify(&server_key)?;
        Ok(Installed {
            id,
            token,
            server_key,
        })
    }

    pub async fn create_device(&self, installed: &Installed) -> Result<i64, ClientError> {
        let body = DeviceServerRequest {
            description: self.description.clone(),
            secret: self.secret.clone(),
            permitted_ips: self.permitted_ips.clone(),
        };
        let request = Request::new(Method::POST, "/v1/device-server")
            .json(&body)
            .token(&installed.token);
        let envelope = self.verified(request, &installed.server_key).await?;
        first_id(&envelope)
    }

    async fn open_session(
        &self,
        installed: Installed,
        device_id: i64,
    ) -> Result<Context, ClientError> {
        let body = SessionServerRequest {
            secret: self.secret.clone(),
        };
        let request = Request::new(Method::POST, "/v1/session-server")
            .json(&body)
            .token(&installed.token);
        let session = self.verified(request, &installed.server_key).await?;
        let session_id = first_id(&session)?;
        let session_token = session
            .response
            .iter()
            .find_map(|item| match item {
                Item::Token(t) => Some(t.token.clone()),
                _ => None,
            })
            .ok_or_else(|| ClientError::Unexpected("session answer lacks a Token".into()))?;
        let user_id = session
            .response
            .iter()
            .find_map(|item| match item {
                Item::UserCompany(u) => Some(u.id),
                Item::UserPerson(u) => Some(u.id),
                Item::UserApiKey(u) => Some(u.id),
                _ => None,
            })
            .ok_or_else(|| ClientError::Unexpected("session answer lacks a user".into()))?;
        let context = Context {
            installation_id: installed.id,
            installation_token: installed.token,
            server_key: installed.server_key,
            device_id,
            session_id,
            session_token,
            user_id,
            session,
        };
        *self.context.lock().await = Some(context.clone());
        Ok(context)
    }

    async fn verified(
        &self,
        request: Request,
        server_key: &VerifyingKey,
    ) -> Result<ResponseEnvelope, ClientError> {
        let reply = self.api.send(request).await?;
        reply.verify(server_key)?;
        reply.envelope()
    }

    /// Creates an OAuth client for the session's company and registers `callback_url` on it:
    /// what a partner does once before provisioning users. Returns both new ids.
    pub async fn create_oauth_client(&self, callback_url: &str) -> Result<(i64, i64), ClientError> {
        let me = self.context().await?.user_id;
        let created = self
            .post(
                &format!("/v1/user/{me}/oauth-client"),
                &serde_json::json!({}),
            )
            .await?;
        let client = first_id(&created)?;
        let url = self
            .post(
                &format!("/v1/user/{me}/oauth-client/{client}/callback-url"),
                &CallbackUrlRequest {
                    url: callback_url.to_owned(),
                },
            )
            .await?;
        Ok((client, first_id(&url)?))
    }

    pub async fn get(&self, path: &str) -> Result<ResponseEnvelope, ClientError> {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(
        &self,
        path: &str,
        body: &impl serde::Serialize,
    ) -> Result<ResponseEnvelope, ClientError> {
        let body = serde_json::to_vec(body).map_err(|e| ClientError::Unexpected(e.to_string()))?;
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn put(
        &self,
        path: &str,
        body: &impl serde::Serialize,
    ) -> Result<ResponseEnvelope, ClientError> {
        let body = serde_json::to_vec(body).map_err(|e| ClientError::Unexpected(e.to_string()))?;
        self.call(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Result<ResponseEnvelope, ClientError> {
        self.call(Method::DELETE, path, None).await
    }

    /// Uploads a file the way bunq's attachment routes take it: the raw bytes, signed, with
    /// their content type and an optional description.
    pub async fn upload(
        &self,
        path: &str,
        content_type: &str,
        description: Option<&str>,
        bytes: Vec<u8>,
    ) -> Result<ResponseEnvelope, ClientError> {
        let reply = self
            .authed(|token| {
                let request = Request::new(Method::POST, path)
                    .token(token)
                    .content_type(Some(content_type))
                    .body(bytes.clone());
                match description {
                    Some(d) => request.header(headers::ATTACHMENT_DESCRIPTION, d),
                    None => request,
                }
            })
            .await?;
        reply.envelope()
    }

    /// Fetches raw content (an attachment's bytes), its signature checked: the content type
    /// and the bytes.
    pub async fn download(&self, path: &str) -> Result<(String, bytes::Bytes), ClientError> {
        let reply = self
            .authed(|token| Request::new(Method::GET, path).token(token))
            .await?;
        if !(200..300).contains(&reply.status) {
            return Err(reply
                .envelope()
                .err()
                .unwrap_or_else(|| ClientError::Unexpected(format!("status {}", reply.status))));
        }
        let content_type = reply.header("content-type").unwrap_or_default().to_owned();
        Ok((content_type, reply.body))
    }

    /// One authenticated call.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<ResponseEnvelope, ClientError> {
        self.authed(|token| {
            let request = Request::new(method.clone(), path).token(token);
            match &body {
                Some(body) => request.body(body.clone()),
                None => request,
            }
        })
        .await?
        .envelope()
    }

    /// Sends `request(session_token)` and checks the answer's signature. When the session has
    /// expired (401), a new session is opened and the request is sent once more.
    pub(crate) async fn authed(
        &self,
        request: impl Fn(&str) -> Request,
    ) -> Result<Reply, ClientError> {
        let context = self.context().await?;
        let reply = self.api.send(request(&context.session_token)).await?;
        reply.verify(&context.server_key)?;
        if reply.status != 401 {
            return Ok(reply);
        }
        let context = match self.renew_session().await {
            Ok(context) => context,
            Err(_) => self.handshake().await?,
        };
        let reply = self.api.send(request(&context.session_token)).await?;
        reply.verify(&context.server_key)?;
        Ok(reply)
    }
}

fn first_id(envelope: &ResponseEnvelope) -> Result<i64, ClientError> {
    match envelope.response.first() {
        Some(Item::Id(id)) => Ok(id.id),
        _ => Err(ClientError::Unexpected(
            "answer does not start with an Id".into(),
        )),
    }
}
