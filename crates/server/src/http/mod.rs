//! The HTTP plumbing every route uses.

pub mod access_log;
mod body;
pub mod encryption;
pub mod error;
mod explain;
pub mod extract;
pub mod limits;
pub mod openapi;
mod pagination;
mod read;
mod respond;
pub mod routes;
mod scope;
pub mod sign_layer;
pub mod table;
pub mod ui;

pub use error::ApiError;
