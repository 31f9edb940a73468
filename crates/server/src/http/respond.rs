//! Successful answers: `{"Response":[...]}`, optionally with `Pagination`.

use axum::{
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};
use provisio_wire::{objects::Id, Item, Pagination, ResponseEnvelope};

use super::error::ApiError;

pub struct Bunq(pub ResponseEnvelope);

pub type ApiResult = Result<Bunq, ApiError>;

impl Bunq {
    pub fn items(items: Vec<Item>) -> ApiResult {
        Ok(Bunq(ResponseEnvelope::of(items)))
    }

    /// The answer to a creation: `{"Response":[{"Id":{"id":N}}]}`.
    pub fn id(id: i64) -> ApiResult {
        Bunq::items(vec![Item::Id(Id { id })])
    }

    pub fn page(items: Vec<Item>, pagination: Pagination) -> ApiResult {
        Ok(Bunq(ResponseEnvelope::page(items, pagination)))
    }
}

impl IntoResponse for Bunq {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(body) => {
                let mut response = body.into_response();
                response.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                response
            }
            Err(err) => ApiError::internal(err).into_response(),
        }
    }
}
