//! Accepting and serving HTTP/1 connections.
//!
//! `axum::serve` cannot bound how long a client takes to send its headers, so a connection
//! that sends half a request line stays open forever. This loop serves the router with
//! hyper's own connection builder instead: a header-read timeout (which also closes idle
//! keep-alive connections), the client's address as `ConnectInfo<SocketAddr>`, graceful
//! shutdown that lets in-flight requests finish, and hyper's own answers to unparseable
//! requests replaced by bunq's envelope (see [`parse_errors`]). Body reads are bounded where
//! bodies are read (`http::read`).

mod parse_errors;

use std::{future::Future, io, net::SocketAddr, pin::pin, sync::Arc, time::Duration};

use axum::{extract::ConnectInfo, Router};
use hyper::server::conn::http1;
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    service::TowerToHyperService,
};
use tokio::{net::TcpListener, sync::watch};
use tower_http::add_extension::AddExtension;

use crate::signing::ResponseSigner;
use parse_errors::EnvelopeIo;

/// Serves `router` on `listener` until `shutdown` resolves, then waits for the connections'
/// in-flight requests to finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    signer: Arc<ResponseSigner>,
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
        let service = TowerToHyperService::new(AddExtension::new(
            router.clone(),
            ConnectInfo::<SocketAddr>(remote),
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
