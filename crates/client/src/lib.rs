//! A typed client for bunq's Partner API, and so for provisio.
//!
//! [`Client::connect`] performs the whole handshake (a fresh RSA key, `POST /installation`,
//! `POST /device-server`, `POST /session-server`), signs every request body, verifies the
//! server's signature on every response, and opens a new session when the old one has
//! expired; its `*_encrypted` calls use bunq's application-layer encryption. [`Api`] is the
//! layer underneath: one request out, one verified reply back, for callers (tests,
//! benchmarks) that need to send exactly what they choose.

mod api;
mod client;
mod encrypted;
mod error;

pub use api::{Api, Reply, Request, Signing};
pub use client::{Client, ClientBuilder, Context};
pub use error::ClientError;
pub use provisio_core::crypto::{SigningKey, VerifyingKey};
pub use provisio_wire as wire;
