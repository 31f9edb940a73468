//! One GET sent over and over, each worker on a keep-alive connection of its own, the request
//! built once.
//!
//! Why not the client's `Api::send`: the load generator shares the machine's two cores with the
//! server, and for a GET the server answers in ~20 µs, `reqwest` and the client's request
//! building (a URL parsed, seven headers validated, a UUID, the pool) took about as much again,
//! so the rate measured was as much the load generator's as the server's. This sends the same
//! bytes on the wire (bunq's headers as the client sends them, a request id of its own per
//! request) and reads each answer whole.

use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::{
    client::conn::http1::{handshake, SendRequest},
    header::{HeaderMap, HeaderName, HeaderValue, CACHE_CONTROL, HOST, USER_AGENT},
    Request, StatusCode, Uri,
};
use hyper_util::rt::TokioIo;
use provisio_client::wire::headers;

use crate::load::SendOne;

pub(crate) struct RepeatedGet {
    sender: SendRequest<Empty<Bytes>>,
    uri: Uri,
    headers: HeaderMap,
    sent: u64,
}

impl RepeatedGet {
    /// A connection to the server at `base_url` (`http://HOST:PORT`) for `GET path` with
    /// `token` as the session.
    pub(crate) async fn connect(base_url: &str, path: &str, token: &str) -> anyhow::Result<Self> {
        let authority = base_url
            .strip_prefix("http://")
            .ok_or_else(|| anyhow::anyhow!("not an http:// URL: {base_url}"))?;
        let address: SocketAddr = authority.parse()?;
        let stream = tokio::net::TcpStream::connect(address).await?;
        stream.set_nodelay(true)?;
        let (sender, connection) = handshake(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        let mut headers = HeaderMap::new();
        headers.insert(HOST, HeaderValue::from_str(authority)?);
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        headers.insert(USER_AGENT, HeaderValue::from_static("provisio-bench/0.1"));
        for (name, value) in [
            (headers::LANGUAGE, "en_US"),
            (headers::REGION, "nl_NL"),
            (headers::GEOLOCATION, "0 0 0 0 NL"),
            (headers::CLIENT_AUTHENTICATION, token),
        ] {
            headers.insert(HeaderName::from_static(name), HeaderValue::from_str(value)?);
        }
        Ok(RepeatedGet {
            sender,
            uri: path.parse()?,
            headers,
            sent: 0,
        })
    }

    async fn send(&mut self) -> anyhow::Result<StatusCode> {
        self.sent += 1;
        let mut request = Request::new(Empty::new());
        *request.uri_mut() = self.uri.clone();
        *request.headers_mut() = self.headers.clone();
        request.headers_mut().insert(
            HeaderName::from_static(headers::CLIENT_REQUEST_ID),
            HeaderValue::from(self.sent),
        );
        self.sender.ready().await?;
        let response = self.sender.send_request(request).await?;
        let status = response.status();
        // Read whole, as a client does, so the connection is ready for the next.
        response.into_body().collect().await?;
        Ok(status)
    }
}

impl SendOne for RepeatedGet {
    async fn send_one(&mut self) -> Option<bool> {
        Some(matches!(self.send().await, Ok(StatusCode::OK)))
    }
}
