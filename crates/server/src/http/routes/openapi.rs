//! `GET /_provisio/openapi.json`: the description of every route, public in every profile (it
//! holds no data, and it is what `provisio openapi` prints without a server anyway).

use axum::{
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};

use crate::http::openapi::document_json;

pub async fn describe() -> Response {
    let mut response = document_json().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
