//! The HTTP plumbing every route uses, at the bottom of the server: what a request must be
//! (its size, its body and signature, its encryption, its caller and what that caller may
//! reach), what an answer is (bunq's envelope, its errors, its pages), the layers around the
//! routes (signing, rate limits, the access log) and the registry that serves and describes
//! every route (`openapi`).
//!
//! Bottom to top, each importing only those before it: `error`; `explain`; `read`; `body` and
//! `encryption`; `extract`, `idempotency`; `scope`, `pagination`, `respond`, `limits`, `sign_layer`,
//! `fault_layer`, `access_log`, `avatar` (the avatar a user or an account shows); `openapi`
//! (which imports none of them).
//!
//! Must not import a domain (`context`, `provisioning`, `cards`, …), the dashboard
//! (`crate::ui`) or the router: only the common modules at the crate root (`state`, `config`,
//! `auth`, `request_log`, `rate_limit`, `faults`, `connections`' hang-up handle).

pub mod access_log;
pub mod avatar;
pub mod body;
pub mod encryption;
pub mod error;
pub mod explain;
pub mod extract;
pub mod fault_layer;
pub mod idempotency;
pub mod limits;
pub mod names;
pub mod openapi;
pub mod pagination;
pub mod read;
pub mod respond;
pub mod scope;
pub mod sign_layer;
pub mod unimplemented;

pub use error::ApiError;
