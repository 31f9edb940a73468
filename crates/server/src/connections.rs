//! Accepting and serving HTTP/1 connections.
//!
//! `axum::serve` cannot bound how long a client takes to send its headers, so a connection
//! that sends half a request line stays open forever. This loop serves the router with
//! hyper's own connection builder instead: a header-read timeout (which also closes idle
//! keep-alive connections), the client's address as `ConnectInfo<SocketAddr>`, graceful
//! shutdown that lets in-flight requests finish, and hyper's own answers to unparseable
//! requests replaced by bunq's envelope (see [`parse_errors`]). Body reads are bounded where
//! bodies are read (`http::read`). A [`Hangup`] lets an injected fault (`faults`) close its
//! connection without an answer.

mod parse_errors;

use std::{future::Future, io, net::SocketAddr, pin::pin, sync::Arc, time::Duration};

use axum::{extract::ConnectInfo, Router};
use hyper::{body::Incoming, server::conn::http1, Request};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    service::TowerToHyperService,
};
use tokio::{
    net::TcpListener,
    sync::{watch, Notify},
};
use tower::ServiceExt as _;

use crate::{faults::Faults, signing::ResponseSigner};
use parse_errors::EnvelopeIo;

/// Closes the connection a request came on, without an answer: its task stops serving it.
#[derive(Clone)]
pub struct Hangup(Arc<Notify>);

impl Hangup {
    pub fn now(&self) {
        // A permit is kept if the task is not waiting yet, so the hang-up is never lost.
        self.0.notify_one();
    }
}

/// Serves `router` on `listener` until `shutdown` resolves, then waits for the connections'
/// in-flight requests to finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    signer: Arc<ResponseSigner>,
    faults: Arc<Faults>,
    request_timeout: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(request_timeout)
        // One buffer per write, so a whole response head is seen at once (`parse_errors`).
        .writev(false);
    // Dropping `stop_rx` tells every connection to shut down gracefully.
    let (stop_tx, stop_rx) = watch::channel(());
    tokio::spawn(async move {
        shutdown.await;
        drop(stop_rx);
    });
    // Each connection holds a receiver; `closed()` resolves when the last one is done.
    let (done_tx, done_rx) = watch::channel(());
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    accept_failed(err).await;
                    continue;
                }
            },
            _ = stop_tx.closed() => break,
        };
        let hangup = Hangup(Arc::new(Notify::new()));
        let faults = faults.clone();
        let hung_up = hangup.clone();
        let service = TowerToHyperService::new(router.clone().map_request(
            move |mut request: Request<Incoming>| {
                let extensions = request.extensions_mut();
                extensions.insert(ConnectInfo::<SocketAddr>(remote));
                // The handle only while a fault is armed: otherwise a call would pay for an
                // extension nothing reads.
                if faults.any_armed() {
                    extensions.insert(hangup.clone());
                }
                request
            },
        ));
        let io = EnvelopeIo::new(TokioIo::new(stream), signer.clone());
        let connection = builder.serve_connection(io, service);
        let (stop_tx, done_rx) = (stop_tx.clone(), done_rx.clone());
        tokio::spawn(async move {
            let mut connection = pin!(connection);
            let mut stopping = pin!(stop_tx.closed());
            let mut shutting_down = false;
            loop {
                tokio::select! {
                    result = connection.as_mut() => {
                        if let Err(err) = result {
                            tracing::debug!(error = %err, "connection ended with an error");
                        }
                        break;
                    }
                    _ = &mut stopping, if !shutting_down => {
                        shutting_down = true;
                        connection.as_mut().graceful_shutdown();
                    }
                    // Dropping the connection closes the socket, the answer unsent.
                    () = hung_up.0.notified() => break,
                }
            }
            drop(done_rx);
        });
    }
    drop(listener);
    drop(done_rx);
    done_tx.closed().await;
    Ok(())
}

/// A connection that failed before it was accepted is the client's problem; anything else
/// (out of file descriptors) gets a pause, so the loop does not spin.
async fn accept_failed(err: io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if !matches!(
        err.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        tracing::error!(error = %err, "cannot accept connections");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
