//! One request sent over and over, each worker on a keep-alive connection of its own, the
//! request built once.
//!
//! Why not the client's `Api::send` for every request: the load generator shares the
//! machine's two cores with the server, and where the server answers in ~20 µs (an unchanged
//! GET), `reqwest` and the client's request building (a URL parsed, the headers validated, a
//! UUID, the pool) took about as much again, so the rate measured was as much the load
//! generator's as the server's. The request is the one the client builds (`Api::build`: the
//! same headers, signature and body on the wire); each copy gets a request id of its own, and
//! each answer is read whole.

use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{
    client::conn::http1::{handshake, SendRequest},
    header::{HeaderMap, HeaderName, HeaderValue, HOST},
    Method, Request as HttpRequest, StatusCode, Uri,
};
use hyper_util::rt::TokioIo;
use provisio_client::{wire::headers, Api, Request};

/// Each copy's own `X-Bunq-Client-Request-Id` (named once, not per copy).
static REQUEST_ID: HeaderName = HeaderName::from_static(headers::CLIENT_REQUEST_ID);

pub(crate) struct Repeated {
    address: SocketAddr,
    sender: SendRequest<Full<Bytes>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
    sent: u64,
}

impl Repeated {
    /// A connection of its own to `api`'s server, for sending `request` as the client would.
    pub(crate) async fn connect(api: &Api, request: Request) -> anyhow::Result<Self> {
        let built = api.build(request)?;
        let url = built.url();
        let address = *url
            .socket_addrs(|| None)?
            .first()
            .ok_or_else(|| anyhow::anyhow!("no address for {url}"))?;
        let sender = open(address).await?;
        let mut headers = built.headers().clone();
        headers.insert(HOST, HeaderValue::from_str(&address.to_string())?);
        let path = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };
        Ok(Repeated {
            address,
            sender,
            method: built.method().clone(),
            uri: path.parse()?,
            body: Bytes::copy_from_slice(built.body().and_then(|b| b.as_bytes()).unwrap_or(&[])),
            headers,
            sent: 0,
        })
    }

    /// Sends the next copy: whether it was answered 200.
    pub(crate) async fn send_ok(&mut self) -> bool {
        matches!(self.send().await, Ok(StatusCode::OK))
    }

    async fn send(&mut self) -> anyhow::Result<StatusCode> {
        self.sent += 1;
        let mut request = HttpRequest::new(Full::new(self.body.clone()));
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = self.uri.clone();
        *request.headers_mut() = self.headers.clone();
        request
            .headers_mut()
            .insert(&REQUEST_ID, HeaderValue::from(self.sent));
        // A connection the server closed (or that failed) is replaced, as a client's pool would.
        if self.sender.is_closed() || self.sender.ready().await.is_err() {
            self.sender = open(self.address).await?;
            self.sender.ready().await?;
        }
        let response = self.sender.send_request(request).await?;
        let status = response.status();
        // Read whole, as a client does, so the connection is ready for the next.
        response.into_body().collect().await?;
        Ok(status)
    }
}

/// A keep-alive HTTP/1 connection to `address`, driven by a task of its own.
async fn open(address: SocketAddr) -> anyhow::Result<SendRequest<Full<Bytes>>> {
    let stream = tokio::net::TcpStream::connect(address).await?;
    stream.set_nodelay(true)?;
    let (sender, connection) = handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::{http::header::CONNECTION, routing::get, Router};
    use provisio_client::{Api, Request, SigningKey};
    use reqwest::Method;

    use super::Repeated;

    // A server that closes each connection after its answer (as one does at its keep-alive
    // limit): every copy is still sent and answered, each on a connection opened for it.
    #[tokio::test]
    async fn a_connection_the_server_closed_is_replaced() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let url = format!(
            "http://{}",
            listener
                .local_addr()
                .unwrap_or_else(|e| panic!("address: {e}"))
        );
        let app = Router::new().route("/once", get(|| async { ([(CONNECTION, "close")], "ok") }));
        tokio::spawn(async move { axum::serve(listener, app).await });
        let key = SigningKey::generate().unwrap_or_else(|e| panic!("key: {e}"));
        let api = Api::new(&url, Arc::new(key));
        let mut repeated = Repeated::connect(&api, Request::new(Method::GET, "/once"))
            .await
            .unwrap_or_else(|e| panic!("connect: {e}"));
        for n in 1..=3 {
            assert!(repeated.send_ok().await, "copy {n}");
        }
        assert_eq!(repeated.sent, 3);
    }
}
