//! Raw HTTP over a TcpStream, for requests no HTTP client would send (malformed, partial,
//! oversized) and for watching what the server does with the connection.

use std::time::Duration;

use provisio_client::Reply;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// Longest a test waits for the server: far beyond any timeout the tests configure.
const PATIENCE: Duration = Duration::from_secs(10);

pub async fn connect(addr: std::net::SocketAddr) -> TcpStream {
    TcpStream::connect(addr)
        .await
        .unwrap_or_else(|e| panic!("connect: {e}"))
}

pub async fn write(stream: &mut TcpStream, bytes: &[u8]) {
    stream
        .write_all(bytes)
        .await
        .unwrap_or_else(|e| panic!("write: {e}"));
}

/// Sends `request` on a new connection and reads one response.
pub async fn exchange(addr: std::net::SocketAddr, request: &[u8]) -> Reply {
    let mut stream = connect(addr).await;
    write(&mut stream, request).await;
    read_reply(&mut stream)
        .await
        .unwrap_or_else(|| panic!("the server closed the connection without answering"))
}

/// Reads one response (its `Content-Length` says where it ends); `None` when the server
/// closes the connection before a whole response arrived.
pub async fn read_reply(stream: &mut TcpStream) -> Option<Reply> {
    let mut buf = Vec::new();
    let read = async {
        loop {
            if let Some(reply) = parse(&buf) {
                return Some(reply);
            }
            let mut chunk = [0u8; 16 * 1024];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return parse(&buf),
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
    };
    tokio::time::timeout(PATIENCE, read)
        .await
        .unwrap_or_else(|_| panic!("no answer and no close within {PATIENCE:?}"))
}

/// Waits for the server to close the connection, returning how long that took; panics if it
/// answers instead or keeps it open past [`PATIENCE`].
pub async fn closed_within(stream: &mut TcpStream) -> Duration {
    let started = std::time::Instant::now();
    let mut chunk = [0u8; 1024];
    match tokio::time::timeout(PATIENCE, stream.read(&mut chunk)).await {
        Ok(Ok(0)) | Ok(Err(_)) => started.elapsed(),
        Ok(Ok(n)) => panic!(
            "expected a close, got {:?}",
            String::from_utf8_lossy(&chunk[..n])
        ),
        Err(_) => panic!("the connection is still open after {PATIENCE:?}"),
    }
}

fn parse(buf: &[u8]) -> Option<Reply> {
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(&buf[..head_end]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let mut headers = HeaderMap::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':')?;
        headers.append(
            HeaderName::from_bytes(name.trim().as_bytes()).ok()?,
            HeaderValue::from_str(value.trim()).ok()?,
        );
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let body = buf.get(head_end..head_end + length)?;
    Some(Reply {
        // Raw requests may not even have a path; none of them goes to the operator API.
        path: String::new(),
        status,
        headers,
        body: bytes::Bytes::copy_from_slice(body),
        ciphertext: None,
    })
}
