//! The HTTP plumbing every route uses.

pub mod access_log;
pub mod body;
pub mod encryption;
pub mod error;
pub mod explain;
pub mod extract;
pub mod limits;
pub mod openapi;
pub mod pagination;
pub mod read;
pub mod respond;
pub mod scope;
pub mod sign_layer;

pub use error::ApiError;
