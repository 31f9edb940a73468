//! bunq's envelope for requests hyper refuses before any of our code runs.
//!
//! A request hyper cannot parse (a bad `Content-Length`, a NUL or other byte not allowed in a
//! header, more headers than it keeps, a head larger than its buffer) is answered by hyper
//! itself with an empty `400`, `414` or `431`, and the connection is closed; no service is
//! called and hyper has no hook for that answer. So the connection's I/O is wrapped: a
//! response head that hyper writes with one of those statuses and without our response id
//! (every answer of ours carries `X-Bunq-Client-Response-Id`; the operator API's carry no
//! signature) is swapped, as it is written, for bunq's error envelope with status 400,
//! signed like any other answer.
//!
//! One case stays bare: a request pipelined behind another on the same connection whose
//! answer is still in hyper's write buffer, because then hyper's answer does not start a
//! write. Clients of this API do not pipeline.

use std::{
    io,
    pin::Pin,
    sync::Arc,
    task::{ready, Context, Poll},
};

use hyper::rt::{Read, ReadBufCursor, Write};
use provisio_wire::{headers, ErrorEnvelope};

use crate::signing::ResponseSigner;

/// A connection's I/O that replaces hyper's own error answers with the envelope.
pub struct EnvelopeIo<T> {
    inner: T,
    signer: Arc<ResponseSigner>,
    /// The envelope being written in place of hyper's answer.
    replacing: Option<Replacement>,
}

struct Replacement {
    bytes: Vec<u8>,
    written: usize,
    /// How many of hyper's bytes the replacement stands for: reported once it is all out.
    stands_for: usize,
}

impl<T> EnvelopeIo<T> {
    pub fn new(inner: T, signer: Arc<ResponseSigner>) -> Self {
        EnvelopeIo {
            inner,
            signer,
            replacing: None,
        }
    }
}

impl<T: Read + Unpin> Read for EnvelopeIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: Write + Unpin> Write for EnvelopeIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.replacing.is_none() {
            if let Some((status, head_len)) = hypers_error_head(buf) {
                this.replacing = Some(Replacement {
                    bytes: envelope_response(status, &this.signer),
                    written: 0,
                    stands_for: head_len,
                });
            }
        }
        let Some(replacement) = this.replacing.as_mut() else {
            return Pin::new(&mut this.inner).poll_write(cx, buf);
        };
        while replacement.written < replacement.bytes.len() {
            let rest = &replacement.bytes[replacement.written..];
            let n = ready!(Pin::new(&mut this.inner).poll_write(cx, rest))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            replacement.written += n;
        }
        let stands_for = replacement.stands_for;
        this.replacing = None;
        Poll::Ready(Ok(stands_for))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    /// Whole buffers only: a head split over several slices could not be recognised.
    fn is_write_vectored(&self) -> bool {
        false
    }
}

/// The statuses hyper answers unparseable requests with.
const HYPERS_STATUSES: [&[u8]; 3] = [b"400", b"414", b"431"];

/// When `buf` starts with a response head of hyper's own (one of its statuses, without our
/// response id), its status and the head's length.
fn hypers_error_head(buf: &[u8]) -> Option<(u16, usize)> {
    let status = buf.strip_prefix(b"HTTP/1.1 ")?.get(..3)?;
    if !HYPERS_STATUSES.contains(&status) {
        return None;
    }
    let head_len = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = buf[..head_len].to_ascii_lowercase();
    let ours = headers::CLIENT_RESPONSE_ID.as_bytes();
    if head.windows(ours.len()).any(|w| w == ours) {
        return None;
    }
    let status = std::str::from_utf8(status).ok()?.parse().ok()?;
    Some((status, head_len))
}

/// The whole HTTP response that replaces hyper's answer: always 400 (bunq has no 414 or
/// 431), the connection closed as hyper closes it.
fn envelope_response(status: u16, signer: &ResponseSigner) -> Vec<u8> {
    let description = match status {
        414 => "The request's path is too long.",
        431 => "The request's headers are too large or too many.",
        _ => "The request is not valid HTTP: its request line or a header is malformed.",
    };
    let body = serde_json::to_vec(&ErrorEnvelope::single(description)).unwrap_or_default();
    let mut head = format!(
        "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n{}: {}\r\n",
        body.len(),
        headers::CLIENT_RESPONSE_ID,
        provisio_core::ids::fresh_uuid()
    );
    match signer.sign(&body) {
        Ok(signature) => head.push_str(&format!("{}: {signature}\r\n", headers::SERVER_SIGNATURE)),
        Err(err) => tracing::error!(error = %err, "cannot sign response"),
    }
    head.push_str("\r\n");
    let mut response = head.into_bytes();
    response.extend_from_slice(&body);
    response
}

#[cfg(test)]
mod tests {
    use super::hypers_error_head;

    #[test]
    fn recognises_hypers_answers_only() {
        let hypers = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        assert_eq!(hypers_error_head(hypers), Some((400, hypers.len())));
        let large = b"HTTP/1.1 431 Request Header Fields Too Large\r\n\r\n";
        assert_eq!(hypers_error_head(large), Some((431, large.len())));
        let ours = b"HTTP/1.1 400 Bad Request\r\nX-Bunq-Client-Response-Id: abc\r\n\r\n{}";
        assert_eq!(hypers_error_head(ours), None);
        let operators = b"HTTP/1.1 400 Bad Request\r\nx-bunq-client-response-id: 1\r\n\r\n{}";
        assert_eq!(hypers_error_head(operators), None);
        assert_eq!(hypers_error_head(b"HTTP/1.1 200 OK\r\n\r\n"), None);
        assert_eq!(hypers_error_head(b"HTTP/1.1 100 Continue\r\n\r\n"), None);
        assert_eq!(hypers_error_head(b"{\"Response\":[]}"), None);
    }
}
